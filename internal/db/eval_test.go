package db

import (
	"testing"

	"github.com/seccomp-go/seccomp/arch"
)

// decide evaluates an exported filter the way the contract in tree.go
// describes, for one syscall number and argument vector, without the
// compiler. ok is false when the syscall has no entry (default action).
func decide(f *Filter, nr uint32, args [6]uint64, def Action) Action {
	for _, s := range f.Syscalls {
		if s.Num != nr {
			continue
		}
		if s.Chains == nil {
			return s.Action
		}
		if a, ok := evalLevel(f.Arch, s.Chains, args); ok {
			return a
		}
		return def
	}
	return def
}

func evalLevel(a *arch.Arch, n *Node, args [6]uint64) (Action, bool) {
	for _, c := range Level(n) {
		v := args[c.Arg]
		var w uint32
		if c.High {
			w = uint32(v >> 32)
		} else {
			w = uint32(v)
		}
		w &= c.Mask
		var r bool
		switch c.Op {
		case OpEQ, OpMaskedEQ:
			r = w == c.Datum
		case OpGT:
			r = w > c.Datum
		case OpGE:
			r = w >= c.Datum
		}
		next, has, act := c.FalseNext, c.HasFalseAct, c.FalseAct
		if r {
			next, has, act = c.TrueNext, c.HasTrueAct, c.TrueAct
		}
		if next != nil {
			if got, ok := evalLevel(a, next, args); ok {
				return got, true
			}
			continue
		}
		if has {
			return act, true
		}
	}
	return 0, false
}

// filterFor returns the exported filter of one ABI.
func filterFor(t *testing.T, c *Collection, a *arch.Arch) *Filter {
	t.Helper()
	for _, f := range c.Filters() {
		if f.Arch == a {
			return f
		}
	}
	t.Fatalf("no filter for %s", a.Name)
	return nil
}
