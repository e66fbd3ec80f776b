package db

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/seccomp-go/seccomp/arch"
)

// treeStep is one call on a database and what must follow: do is
// "[@nr] ACTION [cond, ...]" (a rule for syscall nr, 1 by default) or
// "[@nr] pri P" (setPriority); want is the outcome and state of the
// entry ("out O cnt C pri P", "valid false pri P", or "err EEXIST" /
// "err LOOP"); tree, when not empty, is the entry's tree as dumpEntry
// writes it, or "=" for the tree of the previous step.
type treeStep struct {
	do, want, tree string
}

// treeActions names the actions of the tests.
var treeActions = map[string]Action{
	"ALLOW": ActAllow,
	"TRAP":  ActTrap,
	"LOG":   ActLog,
	"E1":    ActErrno | 1,
}

func actionName(a Action) string {
	for n, v := range treeActions {
		if v == a {
			return n
		}
	}
	return fmt.Sprintf("%#x", uint32(a))
}

// parseTreeRule parses "ACTION [cond, ...]" where a cond is
// "aN OP V" (OP one of != < <= == >= >) or "aN & M == V".
func parseTreeRule(t *testing.T, nr int32, s string) *rule {
	t.Helper()
	name, rest, _ := strings.Cut(s, " ")
	act, ok := treeActions[name]
	if !ok {
		t.Fatalf("unknown action in %q", s)
	}
	r := &rule{action: act, syscall: nr}
	if rest = strings.TrimSpace(rest); rest == "" {
		return r
	}
	r.args = new([6]apiArg)
	num := func(v string) uint64 {
		n, err := strconv.ParseUint(v, 0, 64)
		if err != nil {
			t.Fatalf("bad number in %q: %v", s, err)
		}
		return n
	}
	ops := map[string]int32{"!=": cmpNE, "<": cmpLT, "<=": cmpLE, "==": cmpEQ, ">=": cmpGE, ">": cmpGT}
	for _, c := range strings.Split(rest, ",") {
		f := strings.Fields(c)
		if len(f) < 3 || !strings.HasPrefix(f[0], "a") {
			t.Fatalf("bad condition %q", c)
		}
		x := &r.args[num(f[0][1:])]
		x.valid = true
		switch {
		case len(f) == 5 && f[1] == "&" && f[3] == "==":
			x.op, x.mask, x.datum = cmpMaskedEQ, num(f[2]), num(f[4])
		case len(f) == 3 && ops[f[1]] != 0:
			x.op, x.mask, x.datum = ops[f[1]], datumMax, num(f[2])
		default:
			t.Fatalf("bad condition %q", c)
		}
	}
	return r
}

// dumpEntry writes the tree of s, one line per node: "Lk.i" (node i of
// level k, levels numbered in the order they are first reached), the
// word, test and datum, and the rule's original operator; under it its
// true and false branches ("T: ACTION", "T: -> Lk" for a level already
// written, or "T: " followed by the level it leads to).
func dumpEntry(s *sysEntry) string {
	switch {
	case s == nil:
		return "-"
	case !s.valid:
		return "placeholder"
	case s.chains == nil:
		return "action " + actionName(s.action)
	}
	var b strings.Builder
	ids := map[*cnode]int{}
	opText := map[int]string{cmpEQ: "==", cmpGT: ">", cmpGE: ">=", cmpMaskedEQ: "&=="}
	origText := map[int]string{cmpNE: "NE", cmpLT: "LT", cmpLE: "LE", cmpEQ: "EQ", cmpGE: "GE", cmpGT: "GT", cmpMaskedEQ: "MASKED_EQ"}
	var level func(n *cnode, indent int)
	branch := func(name string, has bool, act Action, next *cnode, indent int) {
		switch {
		case has:
			fmt.Fprintf(&b, "%s%s: %s\n", strings.Repeat(" ", indent), name, actionName(act))
		case next != nil:
			fmt.Fprintf(&b, "%s%s: ", strings.Repeat(" ", indent), name)
			if id, ok := ids[levelHead(next)]; ok {
				fmt.Fprintf(&b, "-> L%d\n", id)
				return
			}
			level(next, indent+len(name)+2)
		}
	}
	level = func(n *cnode, indent int) {
		n = levelHead(n)
		id := len(ids)
		ids[n] = id
		for c, i := n, 0; c != nil; c, i = c.nxt, i+1 {
			if i > 0 {
				b.WriteString(strings.Repeat(" ", indent))
			}
			word := "lo"
			if c.hi {
				word = "hi"
			}
			fmt.Fprintf(&b, "L%d.%d a%d.%s %s %#x", id, i, c.arg, word, opText[c.op], c.datum)
			if c.op == cmpMaskedEQ {
				fmt.Fprintf(&b, " mask %#x", c.mask)
			}
			fmt.Fprintf(&b, " (%s)\n", origText[c.opOrig])
			branch("T", c.hasT, c.actT, c.t, indent+2)
			branch("F", c.hasF, c.actF, c.f, indent+2)
		}
	}
	level(s.chains, 0)
	return strings.TrimSuffix(b.String(), "\n")
}

// entryState is the state of s in the notation of treeStep.want, after
// "out O " for a rule.
func entryState(s *sysEntry) string {
	if s == nil {
		return "no entry"
	}
	if !s.valid {
		return fmt.Sprintf("valid false pri %x", s.priority)
	}
	st := fmt.Sprintf("cnt %d pri %x", s.nodeCnt, s.priority)
	if live := liveNodes(s.chains); live != s.nodeCnt {
		st += fmt.Sprintf(" live %d", live)
	}
	return st
}

// TestTreeExamples builds argument trees rule by rule and checks the
// outcome, node count, priority and shape after each step: how chains
// are made on 64-bit and 32-bit ABIs, the order of nodes on a level,
// conflicts, pruning, replacement by unconditional rules, priorities and
// libseccomp's accidents (handles into the middle of a level, equal
// nodes on one level, node counts above the tree's size, merge loops).
func TestTreeExamples(t *testing.T) {
	tests := []struct {
		name  string
		arch  *arch.Arch
		steps []treeStep
	}{
		{"eq64", arch.X86_64, []treeStep{
			{"ALLOW a0 == 0x100000005", "out 0 cnt 2 pri fffd", `
L0.0 a0.hi == 0x1 (EQ)
  T: L1.0 a0.lo == 0x5 (EQ)
       T: ALLOW`},
		}},
		{"ne64", arch.X86_64, []treeStep{
			{"ALLOW a0 != 5", "out 0 cnt 2 pri fffd", `
L0.0 a0.hi == 0x0 (NE)
  T: L1.0 a0.lo == 0x5 (NE)
       F: ALLOW
  F: ALLOW`},
		}},
		{"gt64", arch.X86_64, []treeStep{
			{"ALLOW a0 > 5", "out 0 cnt 3 pri fffc", `
L0.0 a0.hi > 0x0 (GT)
  T: ALLOW
  F: L1.0 a0.hi == 0x0 (GT)
       T: L2.0 a0.lo > 0x5 (GT)
            T: ALLOW`},
		}},
		{"ge64", arch.X86_64, []treeStep{
			{"ALLOW a0 >= 5", "out 0 cnt 3 pri fffc", `
L0.0 a0.hi > 0x0 (GE)
  T: ALLOW
  F: L1.0 a0.hi == 0x0 (GE)
       T: L2.0 a0.lo >= 0x5 (GE)
            T: ALLOW`},
		}},
		{"lt64", arch.X86_64, []treeStep{
			{"ALLOW a0 < 5", "out 0 cnt 3 pri fffc", `
L0.0 a0.hi > 0x0 (LT)
  F: L1.0 a0.hi == 0x0 (LT)
       T: L2.0 a0.lo >= 0x5 (LT)
            F: ALLOW
       F: ALLOW`},
		}},
		{"le64", arch.X86_64, []treeStep{
			{"ALLOW a0 <= 5", "out 0 cnt 3 pri fffc", `
L0.0 a0.hi > 0x0 (LE)
  F: L1.0 a0.hi == 0x0 (LE)
       T: L2.0 a0.lo > 0x5 (LE)
            F: ALLOW
       F: ALLOW`},
		}},
		{"shared level", arch.X86_64, []treeStep{
			{"ALLOW a1 == 7, a0 > 5", "out 0 cnt 5 pri fffa", `
L0.0 a0.hi > 0x0 (GT)
  T: L1.0 a1.hi == 0x0 (EQ)
       T: L2.0 a1.lo == 0x7 (EQ)
            T: ALLOW
  F: L3.0 a0.hi == 0x0 (GT)
       T: L4.0 a0.lo > 0x5 (GT)
            T: -> L1`},
		}},
		{"masked halves", arch.X86_64, []treeStep{
			{"ALLOW a0 & 0xff == 0x1ff, a1 & 0 == 0, a2 & 0xff00000000 == 0x100000000", "out 0 cnt 4 pri fffb", `
L0.0 a0.hi &== 0x0 mask 0x0 (MASKED_EQ)
  T: L1.0 a0.lo &== 0xff mask 0xff (MASKED_EQ)
       T: L2.0 a2.hi &== 0x1 mask 0xff (MASKED_EQ)
            T: L3.0 a2.lo &== 0x0 mask 0x0 (MASKED_EQ)
                 T: ALLOW`},
		}},
		{"all masks zero", arch.X86_64, []treeStep{
			{"TRAP a0 & 0 == 5", "out 0 cnt 0 pri ffff", "action TRAP"},
		}},
		{"ops32", arch.X86, []treeStep{
			{"ALLOW a0 != 0x100000005, a1 < 9, a2 == 3, a3 & 0xff00000000 == 1, a4 & 0x1ff == 3", "out 0 cnt 4 pri fffb", `
L0.0 a0.lo == 0x5 (NE)
  F: L1.0 a1.lo >= 0x9 (LT)
       F: L2.0 a2.lo == 0x3 (EQ)
            T: L3.0 a4.lo &== 0x3 mask 0x1ff (MASKED_EQ)
                 T: ALLOW`},
		}},
		{"order32", arch.X86, []treeStep{
			{"ALLOW a0 == 5", "out 0 cnt 1 pri fffe", ""},
			{"ALLOW a0 == 3", "out 0 cnt 2 pri fffd", ""},
			{"ALLOW a0 > 9", "out 0 cnt 3 pri fffc", ""},
			{"ALLOW a0 >= 1", "out 0 cnt 4 pri fffb", ""},
			{"ALLOW a0 < 4", "out 0 cnt 5 pri fffa", ""},
			{"ALLOW a0 <= 8", "out 0 cnt 6 pri fff9", ""},
			{"ALLOW a0 & 0xf == 2", "out 0 cnt 7 pri fff8", ""},
			{"ALLOW a0 != 4", "out 0 cnt 8 pri fff7", ""},
			{"ALLOW a1 == 0", "out 0 cnt 9 pri fff6", `
L0.0 a1.lo == 0x0 (EQ)
  T: ALLOW
L0.1 a0.lo == 0x5 (EQ)
  T: ALLOW
L0.2 a0.lo == 0x4 (NE)
  F: ALLOW
L0.3 a0.lo == 0x3 (EQ)
  T: ALLOW
L0.4 a0.lo &== 0x2 mask 0xf (MASKED_EQ)
  T: ALLOW
L0.5 a0.lo >= 0x4 (LT)
  F: ALLOW
L0.6 a0.lo > 0x8 (LE)
  F: ALLOW
L0.7 a0.lo > 0x9 (GT)
  T: ALLOW
L0.8 a0.lo >= 0x1 (GE)
  T: ALLOW`},
		}},
		{"same chain twice", arch.X86_64, []treeStep{
			{"ALLOW a0 == 5", "out 0 cnt 2 pri fffd", `
L0.0 a0.hi == 0x0 (EQ)
  T: L1.0 a0.lo == 0x5 (EQ)
       T: ALLOW`},
			{"ALLOW a0 == 5", "out 0 cnt 2 pri fffd", "="},
			{"TRAP a0 == 5", "err EEXIST", "="},
		}},
		{"shorter after longer", arch.X86, []treeStep{
			{"ALLOW a0 == 1, a1 == 2", "out 0 cnt 2 pri fffd", `
L0.0 a0.lo == 0x1 (EQ)
  T: L1.0 a1.lo == 0x2 (EQ)
       T: ALLOW`},
			{"ALLOW a0 == 3", "out 0 cnt 3 pri fffc", `
L0.0 a0.lo == 0x3 (EQ)
  T: ALLOW
L0.1 a0.lo == 0x1 (EQ)
  T: L1.0 a1.lo == 0x2 (EQ)
       T: ALLOW`},
			{"ALLOW a0 == 1", "out 0 cnt 2 pri fffd", `
L0.0 a0.lo == 0x3 (EQ)
  T: ALLOW
L0.1 a0.lo == 0x1 (EQ)
  T: ALLOW`},
		}},
		{"shorter after longer, other action", arch.X86, []treeStep{
			{"ALLOW a0 == 1, a1 == 2", "out 0 cnt 2 pri fffd", ""},
			{"TRAP a0 == 1", "err EEXIST", `
L0.0 a0.lo == 0x1 (EQ)
  T: L1.0 a1.lo == 0x2 (EQ)
       T: ALLOW`},
		}},
		{"longer after shorter", arch.X86, []treeStep{
			{"ALLOW a0 == 1", "out 0 cnt 1 pri fffe", `
L0.0 a0.lo == 0x1 (EQ)
  T: ALLOW`},
			// the search does not find the new rule redundant (its
			// extra test comes after the existing one, not before);
			// the merge stops at the existing action, and the
			// caller reports the rule ignored as the tree is the same
			{"ALLOW a0 == 1, a1 == 2", "out 0 cnt 1 pri fffe", "="},
			{"TRAP a0 == 1, a1 == 2", "out 0 cnt 1 pri fffe", "="},
		}},
		{"longer after shorter, extra test first", arch.X86, []treeStep{
			{"ALLOW a1 <= 2", "out 0 cnt 1 pri fffe", `
L0.0 a1.lo > 0x2 (LE)
  F: ALLOW`},
			{"ALLOW a0 == 1, a1 <= 2", "out 1 cnt 1 pri fffe", "="},
		}},
		{"unconditional", arch.X86_64, []treeStep{
			{"TRAP a0 == 1", "out 0 cnt 2 pri fffd", ""},
			{"ALLOW", "out 2 cnt 0 pri ffff", "action ALLOW"},
			{"TRAP a0 == 1", "out 1 cnt 0 pri ffff", "action ALLOW"},
			{"TRAP", "out 1 cnt 0 pri ffff", "action ALLOW"},
		}},
		{"ne then eq", arch.X86, []treeStep{
			{"ALLOW a0 != 1", "out 0 cnt 1 pri fffe", `
L0.0 a0.lo == 0x1 (NE)
  F: ALLOW`},
			{"ALLOW a0 == 1", "out 0 cnt 1 pri fffe", `
L0.0 a0.lo == 0x1 (NE)
  T: ALLOW
  F: ALLOW`},
		}},
		{"ne then eq, other action", arch.X86, []treeStep{
			{"ALLOW a0 != 1", "out 0 cnt 1 pri fffe", ""},
			{"TRAP a0 == 1", "out 0 cnt 1 pri fffe", `
L0.0 a0.lo == 0x1 (NE)
  T: TRAP
  F: ALLOW`},
		}},
		{"high word takeover", arch.X86_64, []treeStep{
			{"ALLOW a0 > 5", "out 0 cnt 3 pri fffc", ""},
			{"TRAP a0 > 7", "out 0 cnt 4 pri fffb", `
L0.0 a0.hi > 0x0 (GT)
  T: TRAP
  F: L1.0 a0.hi == 0x0 (GT)
       T: L2.0 a0.lo > 0x7 (GT)
            T: TRAP
          L2.1 a0.lo > 0x5 (GT)
            T: ALLOW`},
		}},
		{"high word conflict", arch.X86_64, []treeStep{
			{"ALLOW a0 > 0x100000005, a1 == 1", "out 0 cnt 5 pri fffa", ""},
			{"TRAP a0 > 0x100000007, a1 == 1", "err EEXIST", ""},
		}},
		{"false side not merged", arch.X86_64, []treeStep{
			{"ALLOW a0 > 5", "out 0 cnt 3 pri fffc", `
L0.0 a0.hi > 0x0 (GT)
  T: ALLOW
  F: L1.0 a0.hi == 0x0 (GT)
       T: L2.0 a0.lo > 0x5 (GT)
            T: ALLOW`},
			{"TRAP a0 > 7, a1 == 1", "out 0 cnt 3 pri fffc", "="},
		}},
		{"priorities", arch.X86_64, []treeStep{
			{"pri 7", "valid false pri 70000", "placeholder"},
			{"ALLOW a0 == 1, a1 == 2", "out 0 cnt 4 pri 7fffb", ""},
			{"pri 3", "cnt 4 pri 7fffb", ""},
			{"pri 9", "cnt 4 pri 9fffb", ""},
			{"ALLOW a0 == 1", "out 0 cnt 2 pri 9fffd", `
L0.0 a0.hi == 0x0 (EQ)
  T: L1.0 a0.lo == 0x1 (EQ)
       T: ALLOW`},
			{"@2 pri 5", "valid false pri 50000", "placeholder"},
			{"@2 ALLOW", "out 0 cnt 0 pri 5ffff", "action ALLOW"},
		}},
		{"full pruning drops the user priority", arch.X86, []treeStep{
			{"pri 7", "valid false pri 70000", ""},
			{"ALLOW a0 == 1, a1 == 2", "out 0 cnt 2 pri 7fffd", ""},
			{"ALLOW a1 == 2", "out 0 cnt 1 pri fffe", `
L0.0 a1.lo == 0x2 (EQ)
  T: ALLOW`},
		}},
		{"no pruning with another action", arch.X86, []treeStep{
			{"ALLOW a0 == 1, a1 == 2", "out 0 cnt 2 pri fffd", ""},
			{"TRAP a1 == 2", "out 0 cnt 3 pri fffc", `
L0.0 a1.lo == 0x2 (EQ)
  T: TRAP
L0.1 a0.lo == 0x1 (EQ)
  T: L1.0 a1.lo == 0x2 (EQ)
       T: ALLOW`},
			{"LOG a0 == 1", "err EEXIST", ""},
		}},
		{"merge loop", arch.X86_64, []treeStep{
			{"TRAP a0 > 0x100000001, a1 < 0x100000001", "out 0 cnt 6 pri fff9", `
L0.0 a0.hi > 0x1 (GT)
  T: L1.0 a1.hi > 0x1 (LT)
       F: L2.0 a1.hi == 0x1 (LT)
            T: L3.0 a1.lo >= 0x1 (LT)
                 F: TRAP
            F: TRAP
  F: L4.0 a0.hi == 0x1 (GT)
       T: L5.0 a0.lo > 0x1 (GT)
            T: -> L1`},
			{"ALLOW a0 > 0x100000001, a2 != 2", "err LOOP", ""},
		}},
		{"node count above tree size", arch.X86, []treeStep{
			{"ALLOW a1 == 1", "out 0 cnt 1 pri fffe", ""},
			{"ALLOW a2 <= 1, a1 & 2 == 0x100000001", "out 0 cnt 3 pri fffc", `
L0.0 a1.lo == 0x1 (EQ)
  T: ALLOW
L0.1 a1.lo &== 0x0 mask 0x2 (MASKED_EQ)
  T: L1.0 a2.lo > 0x1 (LE)
       F: ALLOW`},
			{"TRAP a1 > 2", "out 0 cnt 4 pri fffb", ""},
			{"ALLOW a2 <= 1", "out 0 cnt 4 pri fffb live 3", `
L0.0 a2.lo > 0x1 (LE)
  F: ALLOW
L0.1 a1.lo == 0x1 (EQ)
  T: ALLOW
L0.2 a1.lo > 0x2 (GT)
  T: TRAP`},
		}},
		{"handle into the middle of a level", arch.X86_64, []treeStep{
			{"TRAP a0 > 0x100000001, a2 <= 1", "out 0 cnt 6 pri fff9", `
L0.0 a0.hi > 0x1 (GT)
  T: L1.0 a2.hi > 0x0 (LE)
       F: L2.0 a2.hi == 0x0 (LE)
            T: L3.0 a2.lo > 0x1 (LE)
                 F: TRAP
            F: TRAP
  F: L4.0 a0.hi == 0x1 (GT)
       T: L5.0 a0.lo > 0x1 (GT)
            T: -> L1`},
			{"ALLOW a0 >= 0x100000001, a2 != 0x100000000", "out 0 cnt 9 pri fff6", `
L0.0 a0.hi > 0x1 (GT)
  T: L1.0 a2.hi == 0x1 (NE)
       T: L2.0 a2.lo == 0x0 (NE)
            F: ALLOW
       F: ALLOW
     L1.1 a2.hi > 0x0 (LE)
       F: L3.0 a2.hi == 0x0 (LE)
            T: L4.0 a2.lo > 0x1 (LE)
                 F: TRAP
            F: TRAP
  F: L5.0 a0.hi == 0x1 (GT)
       T: L6.0 a0.lo > 0x1 (GT)
            T: -> L1
          L6.1 a0.lo >= 0x1 (GE)
            T: -> L1`},
		}},
		{"equal nodes on one level", arch.X86_64, []treeStep{
			{"ALLOW a1 == 0x100000001, a2 == 2", "out 0 cnt 4 pri fffb", ""},
			{"ALLOW a1 > 0x100000000", "out 0 cnt 7 pri fff8", `
L0.0 a1.hi == 0x1 (EQ)
  T: L1.0 a1.lo == 0x1 (EQ)
       T: L2.0 a2.hi == 0x0 (EQ)
            T: L3.0 a2.lo == 0x2 (EQ)
                 T: ALLOW
L0.1 a1.hi > 0x1 (GT)
  T: ALLOW
  F: L4.0 a1.hi == 0x1 (GT)
       T: L5.0 a1.lo > 0x0 (GT)
            T: ALLOW`},
			{"ALLOW a1 <= 0x100000001", "out 0 cnt 8 pri fff7", `
L0.0 a1.hi == 0x1 (EQ)
  T: L1.0 a1.lo == 0x1 (EQ)
       T: L2.0 a2.hi == 0x0 (EQ)
            T: L3.0 a2.lo == 0x2 (EQ)
                 T: ALLOW
L0.1 a1.hi > 0x1 (GT)
  T: ALLOW
  F: L4.0 a1.hi == 0x1 (GT)
       T: L5.0 a1.lo > 0x1 (LE)
            F: ALLOW
          L5.1 a1.lo > 0x0 (GT)
            T: ALLOW
       F: ALLOW`},
			{"ALLOW a1 <= 0x100000000", "out 0 cnt 9 pri fff6", `
L0.0 a1.hi == 0x1 (EQ)
  T: L1.0 a1.lo == 0x1 (EQ)
       T: L2.0 a2.hi == 0x0 (EQ)
            T: L3.0 a2.lo == 0x2 (EQ)
                 T: ALLOW
L0.1 a1.hi > 0x1 (GT)
  T: ALLOW
  F: L4.0 a1.hi == 0x1 (GT)
       T: L5.0 a1.lo > 0x0 (LE)
            F: ALLOW
          L5.1 a1.lo > 0x1 (LE)
            F: ALLOW
          L5.2 a1.lo > 0x0 (GT)
            T: ALLOW
       F: ALLOW`},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := New(ActKillThread, tc.arch, nil)
			if err != nil {
				t.Fatal(err)
			}
			db := c.filters[0]
			prev := ""
			for i, st := range tc.steps {
				do, nr := st.do, int32(1)
				if strings.HasPrefix(do, "@") {
					n, rest, _ := strings.Cut(do[1:], " ")
					v, err := strconv.Atoi(n)
					if err != nil {
						t.Fatalf("step %d: bad number in %q", i, do)
					}
					do, nr = rest, int32(v)
				}
				var got string
				if p, ok := strings.CutPrefix(do, "pri "); ok {
					v, err := strconv.Atoi(p)
					if err != nil {
						t.Fatalf("step %d: bad priority in %q", i, do)
					}
					db.setPriority(uint32(nr), uint8(v))
					got = entryState(db.entry(uint32(nr)))
				} else {
					out, err := db.ruleAdd(parseTreeRule(t, nr, do))
					switch err {
					case nil:
						got = fmt.Sprintf("out %d %s", out, entryState(db.entry(uint32(nr))))
					case syscall.EEXIST:
						got = "err EEXIST"
					case ErrLoop:
						got = "err LOOP"
					default:
						got = "err " + err.Error()
					}
				}
				if got != st.want {
					t.Errorf("step %d %q: got %s, want %s", i, st.do, got, st.want)
				}
				tree := dumpEntry(db.entry(uint32(nr)))
				want := strings.TrimPrefix(st.tree, "\n")
				if want == "=" {
					want = prev
				}
				if want != "" && tree != want {
					t.Errorf("step %d %q: tree\n%s\nwant\n%s", i, st.do, tree, want)
				}
				prev = tree
			}
		})
	}
}

// checkTree reports the first broken invariant of the tree of s: levels
// linked both ways, no branch with both an action and a successor, no
// released node reachable, a node count no lower than the number of
// nodes (libseccomp's count only ever errs upwards), and the chain part
// of the priority derived from the count.
func checkTree(s *sysEntry) string {
	if s == nil {
		return ""
	}
	if got, want := s.priority&priMaskChain, 0xffff-uint32(s.nodeCnt)&0xffff; s.valid && got != want {
		return fmt.Sprintf("chain priority %#x, want %#x for %d nodes", got, want, s.nodeCnt)
	}
	seen := map[*cnode]bool{}
	var walk func(n *cnode) string
	walk = func(n *cnode) string {
		if n == nil {
			return ""
		}
		n = levelHead(n)
		if seen[n] {
			return ""
		}
		seen[n] = true
		for c := n; c != nil; c = c.nxt {
			switch {
			case c.released:
				return "released node in the tree"
			case c.nxt != nil && c.nxt.prv != c:
				return "level linked one way only"
			case (c.hasT && c.t != nil) || (c.hasF && c.f != nil):
				return "branch with an action and a successor"
			}
			if m := walk(c.t); m != "" {
				return m
			}
			if m := walk(c.f); m != "" {
				return m
			}
		}
		return ""
	}
	if m := walk(s.chains); m != "" {
		return m
	}
	if live := liveNodes(s.chains); s.nodeCnt < live {
		return fmt.Sprintf("node count %d below the %d nodes of the tree", s.nodeCnt, live)
	}
	return ""
}

// TestTreeInvariants adds random rules and priorities for one syscall
// and checks the tree after every step that succeeds (checkTree).
func TestTreeInvariants(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	acts := []Action{ActAllow, ActTrap, ActErrno | 1}
	vals := []uint64{0, 1, 2, 0xffffffff, 0x100000000, 0x100000001, 0xffffffff00000000}
	steps := 0
	for seq := range 2000 {
		a := []*arch.Arch{arch.X86_64, arch.X86}[r.IntN(2)]
		c, err := New(ActKillThread, a, nil)
		if err != nil {
			t.Fatal(err)
		}
		db := c.filters[0]
	rules:
		for range 1 + r.IntN(10) {
			if r.IntN(10) == 0 {
				db.setPriority(1, uint8(r.IntN(4)))
				continue
			}
			ru := &rule{action: acts[r.IntN(len(acts))], syscall: 1}
			if n := r.IntN(4); n > 0 {
				ru.args = new([6]apiArg)
				for range n {
					x := &ru.args[r.IntN(4)]
					x.valid = true
					x.op = int32(1 + r.IntN(7))
					x.mask, x.datum = datumMax, vals[r.IntN(len(vals))]
					if x.op == cmpMaskedEQ {
						x.mask = vals[r.IntN(len(vals))]
					}
				}
			}
			if _, err := db.ruleAdd(ru); err != nil {
				if err != syscall.EEXIST && err != ErrLoop {
					t.Fatalf("sequence %d: %v", seq, err)
				}
				break rules // the caller would restore the database
			}
			steps++
			if m := checkTree(db.entry(1)); m != "" {
				t.Fatalf("sequence %d on %s, step %d: %s\n%s", seq, a.Name, steps, m, dumpEntry(db.entry(1)))
			}
		}
	}
	if steps < 5000 {
		t.Fatalf("only %d steps", steps)
	}
}
