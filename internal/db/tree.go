// Package db holds the normalised, per-architecture rule set of a filter:
// for each architecture, the syscalls that have rules and, for each
// syscall, a decision tree over 32-bit argument words. It implements
// libseccomp's rule-insertion semantics (how rules for one syscall combine,
// replace, or conflict) so that the compiler and the semantic model have a
// single, exact description of what the filter must decide.
//
// The tree types in this file are the contract between this package, the
// compiler (internal/compile) and the model (internal/model).
package db

import "github.com/seccomp-go/seccomp/arch"

// Action is a kernel filter return value: a SECCOMP_RET_* action in the
// upper 16 bits and its data in the lower 16 bits.
type Action uint32

// Op is the comparison a Node applies to one 32-bit argument word, after
// normalisation: NE, LT and LE rules are expressed as EQ, GE and GT with
// the true and false branches swapped, and MaskedEQ compares
// (word & Mask) == Datum.
type Op uint8

// Normalised comparison operators.
const (
	OpEQ       Op = iota + 1 // word == Datum
	OpGT                     // word > Datum
	OpGE                     // word >= Datum
	OpMaskedEQ               // word & Mask == Datum
)

// Node is one comparison in a syscall's argument decision tree.
//
// The nodes of one level form a list linked through Prev and Next. A level
// is evaluated in order: for each node, the comparison picks the true or
// the false branch. A branch that leads to another level (TrueNext or
// FalseNext) continues there; a branch with an action (HasTrueAct,
// HasFalseAct) ends with that action; a branch with neither moves on to
// the next node of the current level. When the last node of a level is
// passed, evaluation resumes at the node after the one whose branch led to
// this level, and after the last node of the top level the filter's
// default action applies. Levels may be shared between branches.
type Node struct {
	// Arg is the argument index, 0 to 5.
	Arg int
	// High is true when the node tests the high 32 bits of a 64-bit
	// argument and false when it tests the low 32 bits.
	High bool
	// Op is the normalised comparison.
	Op Op
	// Mask applies to the word before the comparison; it is 0xffffffff
	// for every operator but MaskedEQ.
	Mask uint32
	// Datum is the 32-bit constant compared against.
	Datum uint32

	// OrigOp is the operator of the rule that created the node, in
	// libseccomp's numbering (1 NE … 7 MASKED_EQ); it orders nodes on a
	// level.
	OrigOp int
	// DatumFull is the full 64-bit datum of the rule's condition.
	DatumFull uint64

	TrueNext, FalseNext     *Node
	TrueAct, FalseAct       Action
	HasTrueAct, HasFalseAct bool

	Prev, Next *Node
}

// Level returns the nodes of the level that n belongs to, in order,
// starting from its first node. It returns nil for a nil n.
func Level(n *Node) []*Node {
	if n == nil {
		return nil
	}
	for n.Prev != nil {
		n = n.Prev
	}
	var nodes []*Node
	for ; n != nil; n = n.Next {
		nodes = append(nodes, n)
	}
	return nodes
}

// Syscall is the decision for one syscall on one architecture.
type Syscall struct {
	// Num is the syscall number as the kernel sees it on the
	// architecture (for x32 it includes the 0x40000000 bit; for mips it
	// includes the ABI offset). Pseudo-syscall numbers never appear;
	// 0xffffffff (syscall -1) appears only for rules added with the
	// TSKIP attribute set.
	Num uint32
	// Priority is the weight set with SetSyscallPriority; higher is
	// more frequent.
	Priority uint32
	// Chains is the first node of the top level of the argument tree, or
	// nil when the syscall's decision does not depend on its arguments.
	Chains *Node
	// Action is the decision when Chains is nil.
	Action Action
}

// Filter is the rule set of one architecture.
type Filter struct {
	Arch *arch.Arch
	// Syscalls holds one entry per syscall with rules, sorted by Num.
	Syscalls []*Syscall

	// block holds the entries Syscalls points to, for RecycleFilters.
	block []Syscall
}
