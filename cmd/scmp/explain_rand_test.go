package main

import (
	"encoding/json"
	"math/rand"
	"strings"
	"testing"

	"github.com/seccomp-go/seccomp/bpf"
)

// TestExplainRandomProfiles checks explanations against the filter on
// random profiles of overlapping rules for one syscall, with 64-bit and
// 32-bit arguments: they agree, except where several rules with
// conditions are merged into one tree, which the explanation then says.
func TestExplainRandomProfiles(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	x8664, err := parseArch("x86_64")
	if err != nil {
		t.Fatal(err)
	}
	x86, err := parseArch("x86")
	if err != nil {
		t.Fatal(err)
	}
	ops := []string{"SCMP_CMP_EQ", "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_GT", "SCMP_CMP_GE", "SCMP_CMP_MASKED_EQ"}
	acts := []string{"SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_LOG", "SCMP_ACT_TRAP"}
	bad, merged, calls := 0, 0, 0
	vals := []uint64{0, 1, 2, 3, 1 << 32, 0xffffffff, 1<<32 | 1, 1<<63 | 2}
	for iter := 0; iter < 1500; iter++ {
		tg := x8664
		if iter%2 == 1 {
			tg = x86
		}
		var entries []map[string]any
		for range 1 + rng.Intn(5) {
			e := map[string]any{"names": []string{"kill"}, "action": acts[rng.Intn(len(acts))]}
			var args []map[string]any
			for range rng.Intn(3) {
				args = append(args, map[string]any{"index": rng.Intn(3), "value": vals[rng.Intn(len(vals))], "valueTwo": vals[rng.Intn(len(vals))], "op": ops[rng.Intn(len(ops))]})
			}
			if args != nil {
				e["args"] = args
			}
			entries = append(entries, e)
		}
		data, _ := json.Marshal(map[string]any{"defaultAction": "SCMP_ACT_KILL_PROCESS", "syscalls": entries})
		x, err := newExplainer(data, tg, profileOptions{caps: "none"})
		if err != nil {
			// Rules libseccomp refuses (two with the same
			// conditions and different actions), or that would
			// corrupt its tree: runc refuses them too.
			if !strings.Contains(err.Error(), "file exists") && !strings.Contains(err.Error(), "can't be merged") {
				t.Fatalf("%s: %v", data, err)
			}
			continue
		}
		for range 20 {
			nr, _ := tg.abi.SyscallNumber("kill")
			d := bpf.Data{Arch: tg.abi.Token, Nr: nr, Args: [6]uint64{vals[rng.Intn(len(vals))], vals[rng.Intn(len(vals))], vals[rng.Intn(len(vals))]}}
			r, err := x.explain(d)
			if err != nil {
				t.Fatal(err)
			}
			calls++
			if r.missing != "" {
				// Only where several rules with conditions are
				// merged into one tree may the filter decide
				// otherwise than the rules whose conditions hold.
				conditional := 0
				for _, rr := range x.rulesFor(&call{abi: tg.abi, d: d, name: "kill"}) {
					if !unconditional(tg.abi, rr.rule) {
						conditional++
					}
				}
				if conditional >= 2 {
					if merged == 0 && testing.Verbose() {
						var b strings.Builder
						r.write(&b)
						t.Logf("%s\n%s", data, b.String())
					}
					merged++
					continue
				}
				bad++
				if bad < 4 {
					var b strings.Builder
					r.write(&b)
					t.Errorf("%s\n%x\n%s", data, d.Args[:3], b.String())
				}
			}
		}
	}
	if calls < 25000 {
		t.Errorf("only %d calls explained", calls)
	}
	t.Logf("of %d calls, %d where the merged tree of the rules with conditions decides otherwise than they do", calls, merged)
}
