package difftest

import (
	"errors"
	"flag"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

var (
	randomCount = flag.Int("random", 2000, "number of random rule sets")
	randomFirst = flag.Uint64("seed", 0, "first random seed")
)

func TestRandomRuleSets(t *testing.T) {
	w, err := NewWorker()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	w.Timeout = 2 * time.Second
	var sets, calls, probes, excluded, libTooLong, failed int
	var hangs, crashes []uint64
	var defects, defectSets, proven, tooComplex int
	verdicts := map[string]int{}
	var defectExample string
	for seed := *randomFirst; seed < *randomFirst+uint64(*randomCount); seed++ {
		rs := RandomRuleSet(seed)
		r := Compare(rs, w.Build, BuildOurs, BPFRunner, RefRunner)
		switch {
		case errors.Is(r.LibFailure, ErrLibHang):
			hangs = append(hangs, seed)
		case r.LibFailure != nil:
			crashes = append(crashes, seed)
		}
		sets++
		calls += r.Calls
		probes += r.Probes
		excluded += r.Excluded
		for k, v := range r.Verdicts {
			verdicts[k] += v
		}
		switch r.Proof {
		case "ok":
			proven++
		case "too complex":
			tooComplex++
		}
		if r.LibDefects > 0 {
			defects += r.LibDefects
			defectSets++
			if defectExample == "" {
				defectExample = rs.String() + "  first: " + r.Defect
			}
		}
		if r.LibExportFailed {
			libTooLong++
		}
		if r.Failed() {
			failed++
			if failed <= 10 {
				reportMinimal(t, rs, r)
			}
		}
	}
	t.Logf("libseccomp stale-accumulator defects: %d probes in %d rule sets; first example:\n%s", defects, defectSets, defectExample)
	keys := make([]string, 0, len(verdicts))
	for k := range verdicts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var vb strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&vb, "\n    %6d  %s", verdicts[k], k)
	}
	t.Logf("API call verdicts both libraries agree on:%s", vb.String())
	t.Logf("our programs proven equal to their rules (ScmpFilter.Verify): %d, too complex to prove: %d", proven, tooComplex)
	t.Logf("libseccomp hung on %d rule sets (seeds %v) and crashed on %d (seeds %v)", len(hangs), hangs, len(crashes), crashes)
	t.Logf("random rule sets: %d, API calls: %d, probes: %d, mismatching rule sets: %d, excluded decisions (2.5.4 vs 2.6.1): %d, libseccomp export failures: %d",
		sets, calls, probes, failed, excluded, libTooLong)
}

// reportMinimal prints a mismatching rule set after minimising it.
func reportMinimal(t *testing.T, rs *RuleSet, r *Report) {
	t.Helper()
	min := Minimize(rs, func(x *RuleSet) bool {
		return Compare(x, InProcess, BuildOurs, BPFRunner, nil).Failed()
	})
	mr := Compare(min, InProcess, BuildOurs, BPFRunner, nil)
	t.Errorf("%v%d mismatches (%d before minimising):", min, len(mr.Mismatches), len(r.Mismatches))
	for i, m := range mr.Mismatches {
		if i == 5 {
			break
		}
		t.Errorf("    %s", m)
	}
}

// TestRandomRuleSetSeed checks that a seed always gives the same rule set
// and that neighbouring seeds give different ones.
func TestRandomRuleSetSeed(t *testing.T) {
	for seed := uint64(0); seed < 50; seed++ {
		a, b := RandomRuleSet(seed).String(), RandomRuleSet(seed).String()
		if a != b {
			t.Fatalf("seed %d gives\n%s\nand\n%s", seed, a, b)
		}
		if a == RandomRuleSet(seed+1).String() {
			t.Errorf("seeds %d and %d give the same rule set", seed, seed+1)
		}
	}
}

// TestMinimize checks that Minimize drops every call, condition and
// architecture the failure does not need, and leaves its input alone.
func TestMinimize(t *testing.T) {
	rs := RandomRuleSet(7)
	rs.Arches = []string{"x86_64", "x86", "arm"}
	rs.Calls = append(rs.Calls, Call{Kind: CallAddRuleConditional, Name: "acct", Action: Action{Kind: ActAllow},
		Conds: []Cond{{Arg: 0, Op: 4, A: 1}, {Arg: 2, Op: 5, A: 0x14}, {Arg: 3, Op: 1}}})
	before := rs.String()
	fails := func(x *RuleSet) bool {
		for _, c := range x.Calls {
			for _, cd := range c.Conds {
				if c.Name == "acct" && cd.Arg == 2 && slices.Contains(x.Arches, "x86") {
					return true
				}
			}
		}
		return false
	}
	min := Minimize(rs, fails)
	if rs.String() != before {
		t.Errorf("Minimize changed its input")
	}
	want := RuleSet{Name: rs.Name + " (minimised)", Default: rs.Default, Arches: []string{"x86"}, Calls: []Call{
		{Kind: CallAddRuleConditional, Name: "acct", Action: Action{Kind: ActAllow}, Conds: []Cond{{Arg: 2, Op: 5, A: 0x14}}},
	}}
	if min.String() != want.String() {
		t.Errorf("minimised to\n%swant\n%s", min, &want)
	}
}
