// Package model is a reference evaluator for seccomp rule sets: it decides
// what a filter built from a db rule set returns for one input by walking
// the rule set itself, without generating or running BPF.
//
// The model follows libseccomp's semantics: the input's architecture
// token selects the rule set of that architecture (unknown tokens get the
// bad-architecture action); on AUDIT_ARCH_X86_64, which x86_64 and x32
// share, a filter holding only one of the two ABIs sends the other ABI's
// syscall numbers to the bad-architecture action; the syscall number then
// selects the syscall's decision tree, evaluated as documented in package
// db, and every input no rule decides gets the default action.
//
// All the model reads of an input goes through an [Oracle], which answers
// comparisons of 32-bit words of struct seccomp_data against constants.
// [RuleSet.Decide] answers them from a concrete [bpf.Data]; the
// equivalence prover in internal/verify answers them symbolically to
// enumerate every decision the model can make.
package model

import (
	"errors"
	"fmt"
	"slices"

	"github.com/seccomp-go/seccomp/arch"
	"github.com/seccomp-go/seccomp/bpf"
	"github.com/seccomp-go/seccomp/internal/db"
)

// Word names one 32-bit word of struct seccomp_data, independently of
// byte order.
type Word uint8

// The words of struct seccomp_data. Use [ArgWord] for the arguments.
const (
	WordNr     Word = iota // the syscall number
	WordArch               // the AUDIT_ARCH_* token
	WordIPLow              // low half of the instruction pointer
	WordIPHigh             // high half of the instruction pointer
	wordArg0               // first argument word; see ArgWord
)

// NumWords is the number of distinct words.
const NumWords = int(wordArg0) + 12

// ArgWord returns the word holding the high or low half of argument i
// (0 to 5).
func ArgWord(i int, high bool) Word {
	w := wordArg0 + Word(2*i)
	if high {
		w++
	}
	return w
}

// Arg reports which argument w is a half of, and which half; ok is false
// for the number, architecture and instruction-pointer words.
func (w Word) Arg() (i int, high, ok bool) {
	if w < wordArg0 || int(w) >= NumWords {
		return 0, false, false
	}
	return int(w-wordArg0) / 2, (w-wordArg0)%2 == 1, true
}

// String returns a name such as "nr", "arch", "ip.hi" or "arg2.lo".
func (w Word) String() string {
	switch w {
	case WordNr:
		return "nr"
	case WordArch:
		return "arch"
	case WordIPLow:
		return "ip.lo"
	case WordIPHigh:
		return "ip.hi"
	}
	if i, high, ok := w.Arg(); ok {
		if high {
			return fmt.Sprintf("arg%d.hi", i)
		}
		return fmt.Sprintf("arg%d.lo", i)
	}
	return fmt.Sprintf("Word(%d)", uint8(w))
}

// Value returns the value of word w in d.
func (w Word) Value(d bpf.Data) uint32 {
	switch w {
	case WordNr:
		return uint32(d.Nr)
	case WordArch:
		return d.Arch
	case WordIPLow:
		return uint32(d.InstructionPointer)
	case WordIPHigh:
		return uint32(d.InstructionPointer >> 32)
	}
	i, high, ok := w.Arg()
	if !ok {
		return 0
	}
	if high {
		return uint32(d.Args[i] >> 32)
	}
	return uint32(d.Args[i])
}

// Rel is the relation of a comparison.
type Rel uint8

// Relations an Oracle is asked about.
const (
	EQ Rel = iota + 1 // word&mask == k
	GT                // word&mask > k
	GE                // word&mask >= k
)

// String returns "==", ">" or ">=".
func (r Rel) String() string {
	switch r {
	case EQ:
		return "=="
	case GT:
		return ">"
	case GE:
		return ">="
	}
	return fmt.Sprintf("Rel(%d)", uint8(r))
}

// Holds reports whether v&mask rel k.
func (r Rel) Holds(v, mask, k uint32) bool {
	v &= mask
	switch r {
	case EQ:
		return v == k
	case GT:
		return v > k
	case GE:
		return v >= k
	}
	return false
}

// An Oracle answers the questions the model asks about an input.
type Oracle interface {
	// Test reports whether word&mask rel k holds.
	Test(w Word, mask uint32, rel Rel, k uint32) bool
	// Select returns the index i such that keys[i] equals the word, or
	// -1 if there is none. Keys are distinct and sorted in increasing
	// order.
	Select(w Word, keys []uint32) int
}

// DataOracle answers an Oracle's questions from a concrete input.
type DataOracle bpf.Data

// Test implements Oracle.
func (d *DataOracle) Test(w Word, mask uint32, rel Rel, k uint32) bool {
	return rel.Holds(w.Value(bpf.Data(*d)), mask, k)
}

// Select implements Oracle.
func (d *DataOracle) Select(w Word, keys []uint32) int {
	if i, ok := slices.BinarySearch(keys, w.Value(bpf.Data(*d))); ok {
		return i
	}
	return -1
}

const (
	x32Bit  = 0x40000000
	fullMsk = 0xffffffff
)

// ABI filtering applied on AUDIT_ARCH_X86_64 when only one of x86_64 and
// x32 is in the rule set.
type abiCheck uint8

const (
	abiNone    abiCheck = iota
	abiOnly64           // x86_64 alone: x32 numbers (but -1) are bad-arch
	abiOnlyX32          // x32 alone: non-x32 numbers are bad-arch
)

// archRules is what applies to one architecture token.
type archRules struct {
	token  uint32
	arches []*arch.Arch // one, or x86_64 and x32
	abi    abiCheck
	nums   []uint32 // sorted syscall numbers
	sys    []*db.Syscall
}

// RuleSet is a validated rule set, ready to decide inputs. It is safe for
// concurrent use.
type RuleSet struct {
	def, badArch db.Action
	tokens       []uint32 // sorted
	rules        []archRules
}

// ErrInvalid is matched by the errors New returns for rule sets that no
// filter can implement.
var ErrInvalid = errors.New("model: invalid rule set")

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

// New validates filters and returns the rule set they describe, with def
// as the default action and badArch as the action for inputs of an
// architecture that has no filter.
//
// A filter must have an architecture, no two filters may share a token
// (except x86_64 and x32), syscalls must be sorted by number without
// duplicates, and every decision tree must be finite (no level may lead
// back to itself) with argument indexes 0 to 5 and known operators. When
// x86_64 and x32 are both present and both have rules for the same number
// (only possible for -1), the entry libseccomp checks first decides: the
// one with the higher Priority; on a tie, the one whose argument tree has
// fewer distinct nodes (an unconditional entry has none); and on a tie
// again, that of the filter that comes first.
func New(filters []*db.Filter, def, badArch db.Action) (*RuleSet, error) {
	rs := &RuleSet{def: def, badArch: badArch}
	byToken := map[uint32]int{}
	for fi, f := range filters {
		if f == nil || f.Arch == nil {
			return nil, invalid("filter %d has no architecture", fi)
		}
		idx, dup := byToken[f.Arch.Token]
		if !dup {
			idx = len(rs.rules)
			byToken[f.Arch.Token] = idx
			rs.rules = append(rs.rules, archRules{token: f.Arch.Token})
		}
		r := &rs.rules[idx]
		for _, a := range r.arches {
			if !isX86Pair(a, f.Arch) {
				return nil, invalid("architectures %s and %s share token %#x", a.Name, f.Arch.Name, f.Arch.Token)
			}
		}
		r.arches = append(r.arches, f.Arch)
		for si, s := range f.Syscalls {
			if s == nil {
				return nil, invalid("%s: syscall entry %d is nil", f.Arch.Name, si)
			}
			if si > 0 && f.Syscalls[si-1].Num >= s.Num {
				return nil, invalid("%s: syscalls not sorted by number at %d", f.Arch.Name, s.Num)
			}
			if err := checkTree(s.Chains); err != nil {
				return nil, invalid("%s: syscall %d: %v", f.Arch.Name, int32(s.Num), err)
			}
			i, found := slices.BinarySearch(r.nums, s.Num)
			if found {
				// x86_64 and x32 both have syscall -1.
				if checkedBefore(s, r.sys[i]) {
					r.sys[i] = s
				}
				continue
			}
			r.nums = slices.Insert(r.nums, i, s.Num)
			r.sys = slices.Insert(r.sys, i, s)
		}
	}
	for i := range rs.rules {
		r := &rs.rules[i]
		if len(r.arches) == 1 {
			switch r.arches[0].Name {
			case "x86_64":
				r.abi = abiOnly64
			case "x32":
				r.abi = abiOnlyX32
			}
		}
	}
	slices.SortFunc(rs.rules, func(a, b archRules) int {
		switch {
		case a.token < b.token:
			return -1
		case a.token > b.token:
			return 1
		}
		return 0
	})
	for _, r := range rs.rules {
		rs.tokens = append(rs.tokens, r.token)
	}
	return rs, nil
}

// checkedBefore reports whether libseccomp checks entry a before entry b,
// a coming from a later filter than b. It orders the entries of a
// syscall by a priority whose high part is the user's Priority and whose
// low part falls with the number of nodes in the argument tree, and keeps
// the order of the filters between equal priorities.
func checkedBefore(a, b *db.Syscall) bool {
	if a.Priority != b.Priority {
		return a.Priority > b.Priority
	}
	return treeNodes(a.Chains) < treeNodes(b.Chains)
}

// treeNodes returns the number of distinct nodes of the tree whose top
// level holds n. The tree must have passed checkTree.
func treeNodes(n *db.Node) int {
	seen := map[*db.Node]bool{}
	var walk func(n *db.Node)
	walk = func(n *db.Node) {
		if n == nil {
			return
		}
		for n.Prev != nil {
			n = n.Prev
		}
		if seen[n] {
			return // a shared level, already counted
		}
		for ; n != nil; n = n.Next {
			seen[n] = true
			walk(n.TrueNext)
			walk(n.FalseNext)
		}
	}
	walk(n)
	return len(seen)
}

func isX86Pair(a, b *arch.Arch) bool {
	return (a.Name == "x86_64" && b.Name == "x32") || (a.Name == "x32" && b.Name == "x86_64")
}

// checkTree rejects trees with bad nodes or cycles.
func checkTree(top *db.Node) error {
	const (
		visiting = 1
		done     = 2
	)
	state := map[*db.Node]int{}
	var visit func(n *db.Node, depth int) error
	visit = func(n *db.Node, depth int) error {
		if n == nil {
			return nil
		}
		for n.Prev != nil {
			n = n.Prev
		}
		switch state[n] {
		case visiting:
			return errors.New("argument tree has a cycle")
		case done:
			return nil
		}
		if depth > 10000 {
			return errors.New("argument tree too deep")
		}
		state[n] = visiting
		seen := map[*db.Node]bool{}
		for m := n; m != nil; m = m.Next {
			if seen[m] {
				return errors.New("argument tree level loops")
			}
			seen[m] = true
			if m.Next != nil && m.Next.Prev != m {
				return errors.New("argument tree level badly linked")
			}
			if m.Arg < 0 || m.Arg > 5 {
				return fmt.Errorf("argument index %d out of range", m.Arg)
			}
			if m.Op < db.OpEQ || m.Op > db.OpMaskedEQ {
				return fmt.Errorf("unknown operator %d", m.Op)
			}
			if !m.HasTrueAct {
				if err := visit(m.TrueNext, depth+1); err != nil {
					return err
				}
			}
			if !m.HasFalseAct {
				if err := visit(m.FalseNext, depth+1); err != nil {
					return err
				}
			}
		}
		state[n] = done
		return nil
	}
	return visit(top, 0)
}

// Default returns the default action.
func (rs *RuleSet) Default() db.Action { return rs.def }

// BadArch returns the bad-architecture action.
func (rs *RuleSet) BadArch() db.Action { return rs.badArch }

// Tokens returns the architecture tokens the rule set has rules for, in
// increasing order (the keys the model selects the architecture with).
func (rs *RuleSet) Tokens() []uint32 { return slices.Clone(rs.tokens) }

// Arches returns the architectures that share token, or nil.
func (rs *RuleSet) Arches(token uint32) []*arch.Arch {
	if i, ok := slices.BinarySearch(rs.tokens, token); ok {
		return slices.Clone(rs.rules[i].arches)
	}
	return nil
}

// Decide returns the action the rule set decides for d.
func (rs *RuleSet) Decide(d bpf.Data) db.Action {
	o := DataOracle(d)
	return rs.Eval(&o)
}

// Eval returns the action the rule set decides for the input o describes.
func (rs *RuleSet) Eval(o Oracle) db.Action {
	ai := o.Select(WordArch, rs.tokens)
	if ai < 0 {
		return rs.badArch
	}
	r := &rs.rules[ai]
	switch r.abi {
	case abiOnly64:
		if o.Test(WordNr, fullMsk, GE, x32Bit) && !o.Test(WordNr, fullMsk, EQ, fullMsk) {
			return rs.badArch
		}
	case abiOnlyX32:
		if !o.Test(WordNr, fullMsk, GE, x32Bit) {
			return rs.badArch
		}
	}
	si := o.Select(WordNr, r.nums)
	if si < 0 {
		return rs.def
	}
	s := r.sys[si]
	if s.Chains == nil {
		return s.Action
	}
	if act, ok := evalLevel(s.Chains, o); ok {
		return act
	}
	return rs.def
}

// evalLevel evaluates the level n belongs to; ok is false when evaluation
// falls off its end.
func evalLevel(n *db.Node, o Oracle) (act db.Action, ok bool) {
	for n.Prev != nil {
		n = n.Prev
	}
	for ; n != nil; n = n.Next {
		w := ArgWord(n.Arg, n.High)
		var t bool
		switch n.Op {
		case db.OpEQ:
			t = o.Test(w, fullMsk, EQ, n.Datum)
		case db.OpGT:
			t = o.Test(w, fullMsk, GT, n.Datum)
		case db.OpGE:
			t = o.Test(w, fullMsk, GE, n.Datum)
		case db.OpMaskedEQ:
			t = o.Test(w, n.Mask, EQ, n.Datum)
		}
		hasAct, a, next := n.HasFalseAct, n.FalseAct, n.FalseNext
		if t {
			hasAct, a, next = n.HasTrueAct, n.TrueAct, n.TrueNext
		}
		if hasAct {
			return a, true
		}
		if next != nil {
			if a, ok := evalLevel(next, o); ok {
				return a, true
			}
		}
	}
	return 0, false
}

// Decide validates the rule set and returns the action it decides for d.
// It panics on nothing: an invalid rule set yields an error.
func Decide(filters []*db.Filter, def, badArch db.Action, d bpf.Data) (db.Action, error) {
	rs, err := New(filters, def, badArch)
	if err != nil {
		return 0, err
	}
	return rs.Decide(d), nil
}
