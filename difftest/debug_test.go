package difftest

import (
	"encoding/binary"
	"os"
	"strconv"
	"testing"

	"github.com/seccomp-go/seccomp/bpf"
)

// TestDebugSeed compares the random rule set of DIFFTEST_SEED (minimised
// first when DIFFTEST_MINIMISE is set) and prints its verdicts and both
// programs; it is skipped without DIFFTEST_SEED.
func TestDebugSeed(t *testing.T) {
	s := os.Getenv("DIFFTEST_SEED")
	if s == "" {
		t.Skip("DIFFTEST_SEED not set")
	}
	seed, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	rs := RandomRuleSet(seed)
	if os.Getenv("DIFFTEST_MINIMISE") != "" {
		rs = Minimize(rs, func(x *RuleSet) bool {
			return Compare(x, InProcess, BuildOurs, BPFRunner, nil).Failed()
		})
	}
	if r := Compare(rs, InProcess, BuildOurs, BPFRunner, RefRunner); r.Failed() {
		t.Errorf("%d mismatches, first: %s", len(r.Mismatches), r.Mismatches[0])
	}
	lb, ob := BuildLib(rs), BuildOurs(rs)
	t.Logf("%v", rs)
	for i := range rs.Calls {
		t.Logf("call %d: lib %q ours %q", i, lb.Verdicts[i], ob.Verdicts[i])
	}
	for _, b := range []*Built{lb, ob} {
		p, err := bpf.Unmarshal(b.Prog, binary.LittleEndian)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("export %s, %d instructions:\n%s", b.Export, len(p), p.Disassemble())
	}
}
