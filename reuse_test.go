package seccomp

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
)

// reuseRuleSet is one filter of TestReleasedMemoryReuse: its calls are
// made again for every build.
type reuseRuleSet struct {
	arches []ScmpArch
	rules  []reuseRule
	merge  bool // merge in a second filter with another architecture
}

type reuseRule struct {
	call  ScmpSyscall
	act   ScmpAction
	conds []ScmpCondition
}

func randomReuseRuleSet(r *rand.Rand) reuseRuleSet {
	var rs reuseRuleSet
	if r.IntN(2) == 0 {
		rs.arches = []ScmpArch{ArchX86, ArchX32}
	}
	rs.merge = r.IntN(3) == 0
	acts := []ScmpAction{ActAllow, ActErrno.SetReturnCode(1), ActTrap, ActLog}
	for range 20 + r.IntN(300) {
		rule := reuseRule{call: ScmpSyscall(r.IntN(460)), act: acts[r.IntN(len(acts))]}
		if r.IntN(8) == 0 {
			c, _ := MakeCondition(uint(r.IntN(3)), CompareGreater, uint64(r.IntN(5)))
			rule.conds = []ScmpCondition{c}
		}
		rs.rules = append(rs.rules, rule)
	}
	return rs
}

// build makes the rule set's calls and returns the program; errors of
// single rules (conflicts, a syscall an architecture lacks) are part of
// the outcome and not reported.
func (rs reuseRuleSet) build() ([]byte, error) {
	f, err := NewFilter(ActKillThread)
	if err != nil {
		return nil, err
	}
	defer f.Release()
	for _, a := range rs.arches {
		if err := f.AddArch(a); err != nil {
			return nil, err
		}
	}
	for _, rule := range rs.rules {
		if rule.conds == nil {
			_ = f.AddRule(rule.call, rule.act)
		} else {
			_ = f.AddRuleConditional(rule.call, rule.act, rule.conds)
		}
	}
	if rs.merge {
		g, err := NewFilter(ActKillThread)
		if err != nil {
			return nil, err
		}
		if err := g.AddArch(ArchARM64); err != nil {
			return nil, err
		}
		if err := g.RemoveArch(ArchNative); err != nil {
			return nil, err
		}
		for _, rule := range rs.rules[:len(rs.rules)/2] {
			_ = g.AddRule(rule.call, rule.act)
		}
		if err := f.Merge(g); err != nil {
			return nil, err
		}
		// more rules for the merged architecture, and a transaction
		// whose rejection rebuilds the rules from their records
		for _, rule := range rs.rules[len(rs.rules)/2:] {
			_ = f.AddRule(rule.call, rule.act)
		}
		if err := f.TransactionStart(); err != nil {
			return nil, err
		}
		for _, rule := range rs.rules[:10] {
			_ = f.AddRule(rule.call+1, ActErrno.SetReturnCode(7))
		}
		f.TransactionReject()
	}
	return f.ExportBPFMem()
}

// TestReleasedMemoryReuse builds many filters, several at a time, each
// released when its program is out so that the next ones reuse its
// memory, and requires every program to be the one the same calls gave
// the first time.
func TestReleasedMemoryReuse(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	sets := make([]reuseRuleSet, 12)
	want := make([][]byte, len(sets))
	for i := range sets {
		sets[i] = randomReuseRuleSet(r)
		p, err := sets[i].build()
		if err != nil {
			t.Fatalf("rule set %d: %v", i, err)
		}
		want[i] = p
	}
	rounds := 40
	if testing.Short() {
		rounds = 10
	}
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(g), 9))
			for range rounds {
				i := r.IntN(len(sets))
				p, err := sets[i].build()
				if err == nil && !bytes.Equal(p, want[i]) {
					err = fmt.Errorf("rule set %d: program differs from the first build", i)
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
