// Package compile turns the per-architecture rule database of a filter
// (package internal/db) into a seccomp BPF program.
//
// The program first dispatches on the architecture token, then, per
// architecture, walks one binary decision tree over syscall-number ranges:
// adjacent numbers with the same decision (the same action, or the same
// argument checks) form one range, and the tree is weight-optimal for the
// syscall weights (SetSyscallPriority), or balanced for the allowed
// syscalls when no weights are given. With a syscall mix (Input.Weights),
// the layout minimises the expected instructions per syscall of that
// mix instead (see weighted.go). Only the syscall number and the
// architecture are loaded on the path of a syscall whose decision does not
// depend on its arguments, so the kernel's constant-action cache sees
// every such ALLOW. Argument checks follow the exact evaluation order of
// the rule database, with identical blocks and return instructions shared,
// runs of equality tests on one argument word turned into search trees,
// and redundant loads of the accumulator removed. Jumps that do not fit in
// the 8-bit offsets of conditional jumps go through trampolines.
//
// The output is deterministic: the same Input always gives the same
// program.
package compile

import (
	"errors"
	"fmt"

	"github.com/seccomp-go/seccomp/bpf"
	"github.com/seccomp-go/seccomp/internal/db"
)

// Input is what the compiler needs to know about a filter.
type Input struct {
	// Filters holds the rule set of each architecture, in the order
	// the architectures were added to the filter; that order is the
	// order of the architecture checks in the program.
	Filters []*db.Filter
	// Default is the action for a syscall that no rule decides.
	Default db.Action
	// BadArch is the action for an architecture the filter does not
	// include (and, as in libseccomp, for an x32 syscall on an
	// x86_64-only filter and the reverse).
	BadArch db.Action
	// Weights, when not nil, holds for each filter of Filters, in the
	// same order, how often each syscall number is expected to be made
	// on that architecture, in any unit (calls counted by strace, calls
	// per second); a number it lacks is not expected at all. With
	// weights, the layout minimises the expected number of instructions
	// run per syscall over that mix, and the priorities
	// of the filters' syscalls are not used. Weights never change the
	// decisions of the program. Without any weight, the program is the
	// one laid out by priorities.
	Weights []map[uint32]uint64
}

// weighted reports whether in gives any weight.
func (in *Input) weighted() bool {
	for _, m := range in.Weights {
		for _, w := range m {
			if w > 0 {
				return true
			}
		}
	}
	return false
}

// weightsOf returns the weights of filter i, nil if it has none.
func (in *Input) weightsOf(i int) map[uint32]uint64 {
	if i < len(in.Weights) {
		return in.Weights[i]
	}
	return nil
}

// ErrTooLong is returned, wrapped with the length of the program, when the
// compiled program is longer than the kernel's limit of
// bpf.MaxInstructions instructions.
var ErrTooLong = errors.New("compile: program longer than 4096 instructions")

// x32SyscallBit is the bit that marks x32 syscall numbers on the shared
// x86_64 architecture token.
const x32SyscallBit = 0x40000000

// Compile compiles the rule sets of in to a seccomp BPF program. The
// instructions are host values; bpf.Program.Marshal writes them in the
// byte order of the target.
func Compile(in Input) (bpf.Program, error) {
	c := newCompiler(in)
	defer c.release()
	root, err := c.program()
	if err != nil {
		return nil, err
	}
	prog := c.emit(root)
	if len(prog) > bpf.MaxInstructions {
		return nil, fmt.Errorf("%w: %d instructions", ErrTooLong, len(prog))
	}
	return prog, nil
}

// archBlock is the part of the program behind one architecture token: one
// architecture, or x86_64 and x32 together.
type archBlock struct {
	token uint32
	f     [2]*db.Filter
	n     int
	// w holds the weights of the filters, total their sum.
	w     [2]map[uint32]uint64
	total uint64
}

// filters returns the filters of the block.
func (b *archBlock) filters() []*db.Filter { return b.f[:b.n] }

// blocks groups the filters of in by architecture token, checking them,
// and appends the groups to out.
func blocks(in Input, out []archBlock) ([]archBlock, error) {
	if len(in.Filters) == 0 {
		return nil, errors.New("compile: no architectures")
	}
	if len(in.Weights) > len(in.Filters) {
		return nil, fmt.Errorf("compile: weights for %d filters, but %d filters", len(in.Weights), len(in.Filters))
	}
	for i, f := range in.Filters {
		if f == nil || f.Arch == nil {
			return nil, fmt.Errorf("compile: filter %d has no architecture", i)
		}
		found := false
		for j := range out {
			if out[j].token != f.Arch.Token {
				continue
			}
			if out[j].n > 1 || !x86Pair(out[j].f[0], f) {
				return nil, fmt.Errorf("compile: architecture %s given twice", f.Arch.Name)
			}
			out[j].f[1], out[j].n, out[j].w[1] = f, 2, in.weightsOf(i)
			out[j].total = addSat(out[j].total, sumWeights(in.weightsOf(i)))
			found = true
		}
		if !found {
			out = append(out, archBlock{token: f.Arch.Token, f: [2]*db.Filter{f}, n: 1,
				w: [2]map[uint32]uint64{in.weightsOf(i)}, total: sumWeights(in.weightsOf(i))})
		}
		for k, s := range f.Syscalls {
			if s == nil {
				return nil, fmt.Errorf("compile: %s: syscall entry %d is nil", f.Arch.Name, k)
			}
			if k > 0 && f.Syscalls[k-1].Num >= s.Num {
				return nil, fmt.Errorf("compile: %s: syscalls not sorted by number (%#x after %#x)", f.Arch.Name, s.Num, f.Syscalls[k-1].Num)
			}
		}
	}
	return out, nil
}

// sumWeights returns the sum of the weights of m, saturated.
func sumWeights(m map[uint32]uint64) uint64 {
	var t uint64
	for _, w := range m {
		t = addSat(t, w)
	}
	return t
}

// addSat returns a+b, or the largest uint64 when that overflows.
func addSat(a, b uint64) uint64 {
	if s := a + b; s >= a {
		return s
	}
	return ^uint64(0)
}

// x86Pair reports whether a and b are x86_64 and x32, the only two
// architectures that share a token.
func x86Pair(a, b *db.Filter) bool {
	n1, n2 := a.Arch.Name, b.Arch.Name
	return (n1 == "x86_64" && n2 == "x32") || (n1 == "x32" && n2 == "x86_64")
}
