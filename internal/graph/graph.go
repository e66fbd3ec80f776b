// Package graph draws a seccomp BPF program as its control-flow graph:
// instructions grouped into basic blocks, joined by the program's jumps,
// with the blocks that compare the architecture, the syscall number and
// the arguments told apart, ranges of syscall numbers named with the
// syscall tables of package arch, and identical returns merged into one
// node each. Graph.WriteDOT writes the graph for Graphviz and
// Graph.WriteSVG lays it out and draws it itself.
package graph

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"

	"github.com/seccomp-go/seccomp/arch"
	"github.com/seccomp-go/seccomp/bpf"
)

// Kind says what a node of the graph does.
type Kind int

// The kinds of nodes.
const (
	// Other is a block that none of the kinds below describes.
	Other Kind = iota
	// ArchCheck is a block that compares seccomp_data.arch.
	ArchCheck
	// SyscallCheck is a block that compares the syscall number.
	SyscallCheck
	// ArgCheck is a block that compares a syscall argument or the
	// instruction pointer.
	ArgCheck
	// Return is a block that ends the program with an action.
	Return
)

// Node is one node of the graph: a basic block, or the return
// instructions of one action merged into one.
type Node struct {
	// ID is the node's index in Graph.Nodes.
	ID int
	// Kind is what the block does.
	Kind Kind
	// PCs are the indices of the instructions the node stands for, in
	// increasing order. Each instruction of the program belongs to
	// exactly one node.
	PCs []int
	// Title names the syscalls an argument block is reached for; it is
	// empty for other blocks.
	Title string
	// Syscalls names the syscalls that reach a syscall number or
	// argument block, in the form of Edge.Syscalls; it is empty for
	// other blocks.
	Syscalls string
	// Lines are the instructions of the block, one line each, with
	// comparisons written by the field they compare; a comparison of the
	// syscall number with a number a syscall has is followed by a line
	// naming it.
	Lines []string
	// Action is the return value of a Return node with a constant
	// value; ActionKnown says whether it has one.
	Action      uint32
	ActionKnown bool
	// Reachable is false for blocks that no path from the first
	// instruction reaches.
	Reachable bool
}

// EdgeKind says which way of leaving a block an edge is.
type EdgeKind int

// The kinds of edges.
const (
	// Taken is a conditional jump whose condition held.
	Taken EdgeKind = iota
	// NotTaken is a conditional jump whose condition failed.
	NotTaken
	// Always is an unconditional jump (ja).
	Always
	// FallThrough continues with the next instruction, which starts a
	// block of its own because another jump leads to it.
	FallThrough
)

// Edge is one way from a block to another.
type Edge struct {
	// From and To are node IDs.
	From, To int
	// PC is the instruction the edge leaves: the jump, or the last
	// instruction of the block it falls out of.
	PC int
	// Target is the instruction the edge leads to.
	Target int
	// Kind is the way the edge leaves its block.
	Kind EdgeKind
	// Syscalls names the syscall numbers that follow the edge, for
	// edges that leave a syscall number comparison for a block that is
	// not one; it is empty otherwise.
	Syscalls string
}

// Label is the text an edge is drawn with, in lines: the syscalls that
// follow it, if known, one name a line, or the first and the last and
// their count. Whether a
// condition held is shown by the edge's line style, not its label.
func (e Edge) Label() []string {
	if e.Syscalls == "" {
		return nil
	}
	if names, count, ok := strings.Cut(e.Syscalls, " ("); ok {
		first, last, _ := strings.Cut(names, " … ")
		return []string{first + " …", last, "(" + count}
	}
	return strings.Split(e.Syscalls, ", ")
}

// Graph is the control-flow graph of a seccomp program.
type Graph struct {
	// Nodes are the blocks, in order of their first instruction; the
	// first one starts at instruction 0.
	Nodes []*Node
	// Edges are the jumps and fall-throughs between blocks, in order of
	// the instruction they leave, the taken way first.
	Edges []Edge
	// Len is the number of instructions of the program.
	Len int
}

// Build returns the control-flow graph of p, whose argument words are
// laid out in byte order order; when order is nil it is inferred from
// the architectures p checks for, as bpf.Program.Disassemble does, and
// when that fails halves of the arguments are named by offset. p must have at most
// bpf.MaxInstructions instructions, jump only to instructions it has, and
// not run past its last instruction; it need not pass bpf.Program.Verify
// otherwise.
func Build(p bpf.Program, order binary.ByteOrder) (*Graph, error) {
	if err := checkShape(p); err != nil {
		return nil, err
	}
	listing := p.Disassemble() // infers the byte order from the arch checks
	if order != nil {
		listing = p.DisassembleOrder(order)
	}
	lines := strings.Split(strings.TrimSuffix(listing, "\n"), "\n")
	states := analyse(p, lines)

	// Leaders: the first instruction, every jump target and every
	// instruction after a jump or a return.
	leader := make([]bool, len(p)+1)
	leader[0] = true
	for pc, ins := range p {
		switch bpf.Class(ins.Op) {
		case bpf.JMP:
			for _, t := range targets(p, pc) {
				leader[t] = true
			}
			leader[pc+1] = true
		case bpf.RET:
			leader[pc+1] = true
		}
	}

	g := &Graph{Len: len(p)}
	nodeOf := make([]int, len(p))
	retNode := map[uint32]int{}
	for start := 0; start < len(p); {
		end := start + 1
		for end < len(p) && !leader[end] {
			end++
		}
		last := p[end-1]
		st := states[start]
		if end-start == 1 && last.Op == bpf.RET|bpf.K {
			if id, ok := retNode[last.K]; ok {
				n := g.Nodes[id]
				n.PCs = append(n.PCs, start)
				n.Reachable = n.Reachable || st != nil
				n.Lines[0] = pcList(n.PCs) + ": ret " + bpf.ActionString(last.K)
				nodeOf[start] = id
				start = end
				continue
			}
			retNode[last.K] = len(g.Nodes)
		}
		n := &Node{ID: len(g.Nodes), Reachable: st != nil}
		for pc := start; pc < end; pc++ {
			n.PCs = append(n.PCs, pc)
			n.Lines = append(n.Lines, instructionText(p, pc, states[pc], lines[pc])...)
			nodeOf[pc] = n.ID
		}
		switch {
		case bpf.Class(last.Op) == bpf.RET:
			n.Kind = Return
			if last.Op == bpf.RET|bpf.K {
				n.Action, n.ActionKnown = last.K, true
			}
		case bpf.Class(last.Op) == bpf.JMP && last.Op != bpf.JMP|bpf.JA && states[end-1] != nil:
			switch f := states[end-1].acc; {
			case f == fieldArch:
				n.Kind = ArchCheck
			case f == fieldNr:
				n.Kind = SyscallCheck
			case f >= fieldArg:
				n.Kind = ArgCheck
			}
		}
		if n.Kind == ArgCheck || n.Kind == Other && loadsArgs(p[start:end]) {
			n.Title = states[start].describe(3)
		}
		if n.Kind == ArgCheck || n.Kind == SyscallCheck {
			n.Syscalls = states[start].describe(3)
		}
		g.Nodes = append(g.Nodes, n)
		start = end
	}

	for _, n := range g.Nodes {
		last := n.PCs[len(n.PCs)-1]
		ins := p[last]
		if bpf.Class(ins.Op) == bpf.RET {
			continue
		}
		add := func(kind EdgeKind, target int) {
			e := Edge{From: n.ID, To: nodeOf[target], PC: last, Target: target, Kind: kind}
			if n.Kind == SyscallCheck && g.Nodes[e.To].Kind != SyscallCheck {
				if s := states[last].branch(p[last], kind == Taken); s != nil {
					e.Syscalls = s.describe(3)
				}
			}
			g.Edges = append(g.Edges, e)
		}
		switch {
		case ins.Op == bpf.JMP|bpf.JA:
			add(Always, last+1+int(ins.K))
		case bpf.Class(ins.Op) == bpf.JMP:
			add(Taken, last+1+int(ins.Jt))
			add(NotTaken, last+1+int(ins.Jf))
		default:
			add(FallThrough, last+1)
		}
	}
	return g, nil
}

// checkShape returns an error if p is empty, too long, jumps out of the
// program or can run past its end.
func checkShape(p bpf.Program) error {
	switch {
	case len(p) == 0:
		return errors.New("the program is empty; a filter has at least one instruction")
	case len(p) > bpf.MaxInstructions:
		return fmt.Errorf("the program has %d instructions, more than the %d the kernel loads", len(p), bpf.MaxInstructions)
	}
	for pc, ins := range p {
		if bpf.Class(ins.Op) != bpf.JMP {
			continue
		}
		for _, t := range targets(p, pc) {
			if t >= len(p) {
				return fmt.Errorf("instruction %d jumps to %d, past the last instruction (%d)", pc, t, len(p)-1)
			}
		}
	}
	if c := bpf.Class(p[len(p)-1].Op); c != bpf.RET && c != bpf.JMP {
		return fmt.Errorf("the last instruction (%d) is not a return or a jump, so the program can run past its end", len(p)-1)
	}
	return nil
}

// targets returns where the jump at pc can lead.
func targets(p bpf.Program, pc int) []int {
	ins := p[pc]
	if ins.Op == bpf.JMP|bpf.JA {
		return []int{pc + 1 + int(ins.K)}
	}
	return []int{pc + 1 + int(ins.Jt), pc + 1 + int(ins.Jf)}
}

// loadsArgs reports whether a block loads an argument word.
func loadsArgs(block bpf.Program) bool {
	for _, ins := range block {
		if ins.Op == bpf.LD|bpf.W|bpf.ABS && ins.K >= bpf.OffsetArgs {
			return true
		}
	}
	return false
}

// pcList writes instruction indices as "3, 7, 12".
func pcList(pcs []int) string {
	s := make([]string, len(pcs))
	for i, pc := range pcs {
		s[i] = fmt.Sprint(pc)
	}
	return strings.Join(s, ", ")
}

// jumpOp returns the comparison of a conditional jump, as written in
// nodes, or "" for an operation that is none.
func jumpOp(op uint16) string {
	switch op {
	case bpf.JEQ:
		return "=="
	case bpf.JGT:
		return ">"
	case bpf.JGE:
		return "≥"
	case bpf.JSET:
		return "&"
	}
	return ""
}

// instructionText writes instruction pc of p for a node, in one or two
// lines: the
// disassembler's line for most, and for a conditional jump the
// comparison in terms of what the accumulator holds, with the
// architecture or syscall its constant names.
func instructionText(p bpf.Program, pc int, st *state, line string) []string {
	ins := p[pc]
	if _, text, ok := strings.Cut(line, ": "); ok {
		line = text
	}
	if bpf.Class(ins.Op) != bpf.JMP || ins.Op == bpf.JMP|bpf.JA {
		return []string{fmt.Sprintf("%d: %s", pc, line)}
	}
	op := jumpOp(bpf.Operation(ins.Op))
	if op == "" {
		return []string{fmt.Sprintf("%d: %s", pc, line)}
	}
	what := "A"
	if st != nil {
		what = st.accText
	}
	var k string
	switch {
	case bpf.Source(ins.Op) == bpf.X:
		k = "X"
	case st != nil && st.acc == fieldArch:
		k = fmt.Sprintf("%#x", ins.K)
		if a, ok := arch.ByToken(ins.K); ok {
			k = a.Name
		}
	case st != nil && st.acc == fieldNr:
		k = fmt.Sprint(ins.K)
		if name := st.syscallName(ins.K); name != "" {
			return []string{fmt.Sprintf("%d: %s %s %s", pc, what, op, k), "  (" + name + ")"}
		}
	default:
		k = fmt.Sprintf("%#x", ins.K)
	}
	return []string{fmt.Sprintf("%d: %s %s %s", pc, what, op, k)}
}
