package bpf

import (
	"errors"
	"fmt"
)

// ErrInvalid is matched (with errors.Is) by every error Verify returns.
var ErrInvalid = errors.New("invalid seccomp program")

// VerifyError describes why the kernel would refuse a program.
type VerifyError struct {
	Index  int    // index of the offending instruction, or -1 for the whole program
	Op     uint16 // its opcode (0 when Index is -1)
	Reason string // what is wrong
}

func (e *VerifyError) Error() string {
	if e.Index < 0 {
		return "bpf: " + e.Reason
	}
	return fmt.Sprintf("bpf: instruction %d (op %#04x): %s", e.Index, e.Op, e.Reason)
}

// Is makes errors.Is(err, ErrInvalid) true.
func (e *VerifyError) Is(target error) bool { return target == ErrInvalid }

func verr(p Program, pc int, format string, args ...any) error {
	return &VerifyError{Index: pc, Op: p[pc].Op, Reason: fmt.Sprintf(format, args...)}
}

// classicOps is the set of opcodes the kernel's classic BPF checker
// (chk_code_allowed in net/core/filter.c) knows.
var classicOps = [256]bool{
	ALU | ADD | K: true, ALU | ADD | X: true,
	ALU | SUB | K: true, ALU | SUB | X: true,
	ALU | MUL | K: true, ALU | MUL | X: true,
	ALU | DIV | K: true, ALU | DIV | X: true,
	ALU | MOD | K: true, ALU | MOD | X: true,
	ALU | AND | K: true, ALU | AND | X: true,
	ALU | OR | K: true, ALU | OR | X: true,
	ALU | XOR | K: true, ALU | XOR | X: true,
	ALU | LSH | K: true, ALU | LSH | X: true,
	ALU | RSH | K: true, ALU | RSH | X: true,
	ALU | NEG:    true,
	LD | W | ABS: true, LD | H | ABS: true, LD | B | ABS: true,
	LD | W | LEN: true,
	LD | W | IND: true, LD | H | IND: true, LD | B | IND: true,
	LD | IMM: true, LD | MEM: true,
	LDX | W | LEN: true, LDX | B | MSH: true,
	LDX | IMM: true, LDX | MEM: true,
	ST: true, STX: true,
	MISC | TAX: true, MISC | TXA: true,
	RET | K: true, RET | A: true,
	JMP | JA:      true,
	JMP | JEQ | K: true, JMP | JEQ | X: true,
	JMP | JGE | K: true, JMP | JGE | X: true,
	JMP | JGT | K: true, JMP | JGT | X: true,
	JMP | JSET | K: true, JMP | JSET | X: true,
}

// seccompOps is the subset of classicOps that seccomp_check_filter
// (kernel/seccomp.c) lets through unchanged; LD|W|ABS, LD|W|LEN and
// LDX|W|LEN are accepted too but rewritten, and checked separately.
var seccompOps = [256]bool{
	RET | K: true, RET | A: true,
	ALU | ADD | K: true, ALU | ADD | X: true,
	ALU | SUB | K: true, ALU | SUB | X: true,
	ALU | MUL | K: true, ALU | MUL | X: true,
	ALU | DIV | K: true, ALU | DIV | X: true,
	ALU | AND | K: true, ALU | AND | X: true,
	ALU | OR | K: true, ALU | OR | X: true,
	ALU | XOR | K: true, ALU | XOR | X: true,
	ALU | LSH | K: true, ALU | LSH | X: true,
	ALU | RSH | K: true, ALU | RSH | X: true,
	ALU | NEG: true,
	LD | IMM:  true, LDX | IMM: true,
	MISC | TAX: true, MISC | TXA: true,
	LD | MEM: true, LDX | MEM: true,
	ST: true, STX: true,
	JMP | JA:      true,
	JMP | JEQ | K: true, JMP | JEQ | X: true,
	JMP | JGE | K: true, JMP | JGE | X: true,
	JMP | JGT | K: true, JMP | JGT | X: true,
	JMP | JSET | K: true, JMP | JSET | X: true,
}

// skfAdOff is SKF_AD_OFF: absolute loads from here on are ancillary
// socket data, never valid in seccomp.
const skfAdOff = 0xfffff000

// ancillary lists the SKF_AD_* offsets (relative to SKF_AD_OFF) that the
// classic checker knows (bpf_anc_helper); all of them are then rejected
// by the seccomp checker.
func ancillary(k uint32) bool {
	if k < skfAdOff {
		return false
	}
	switch k - skfAdOff {
	case 0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44, 48, 52, 56, 60:
		// SKF_AD_PROTOCOL .. SKF_AD_VLAN_TPID
		return true
	}
	return false
}

// Verify reports whether the kernel would accept p as a seccomp filter.
// It applies the same checks in the same order as seccomp(2) does:
// the program length (1..MaxInstructions), the classic BPF checker
// (bpf_check_classic: known opcodes, no division by a constant 0, shifts
// by less than 32, scratch cells below 16, jumps forward and inside the
// program, a return as last instruction, no scratch cell read before it
// is written on every path), then the seccomp checker
// (seccomp_check_filter: only the seccomp opcodes, absolute loads only of
// aligned 32-bit words of struct seccomp_data). The error is a
// *VerifyError naming the first offending instruction.
func (p Program) Verify() error {
	if len(p) == 0 {
		return &VerifyError{Index: -1, Reason: "empty program"}
	}
	if len(p) > MaxInstructions {
		return &VerifyError{Index: -1, Reason: fmt.Sprintf("%d instructions, more than the limit of %d", len(p), MaxInstructions)}
	}
	if err := p.checkClassic(); err != nil {
		return err
	}
	return p.checkSeccomp()
}

func (p Program) checkClassic() error {
	n := len(p)
	for pc, ins := range p {
		if ins.Op > 0xff || !classicOps[ins.Op] {
			return verr(p, pc, "unknown opcode")
		}
		switch ins.Op {
		case ALU | DIV | K, ALU | MOD | K:
			if ins.K == 0 {
				return verr(p, pc, "division by constant zero")
			}
		case ALU | LSH | K, ALU | RSH | K:
			if ins.K >= 32 {
				return verr(p, pc, "shift by %d, not less than 32", ins.K)
			}
		case LD | MEM, LDX | MEM, ST, STX:
			if ins.K >= MemWords {
				return verr(p, pc, "scratch memory index %d out of range 0..%d", ins.K, MemWords-1)
			}
		case JMP | JA:
			if uint64(ins.K) >= uint64(n-pc-1) {
				return verr(p, pc, "jump offset %d leaves the program", ins.K)
			}
		case JMP | JEQ | K, JMP | JEQ | X, JMP | JGE | K, JMP | JGE | X,
			JMP | JGT | K, JMP | JGT | X, JMP | JSET | K, JMP | JSET | X:
			if pc+int(ins.Jt)+1 >= n {
				return verr(p, pc, "true jump offset %d leaves the program", ins.Jt)
			}
			if pc+int(ins.Jf)+1 >= n {
				return verr(p, pc, "false jump offset %d leaves the program", ins.Jf)
			}
		case LD | W | ABS, LD | H | ABS, LD | B | ABS:
			if ins.K >= skfAdOff && !ancillary(ins.K) {
				return verr(p, pc, "unknown ancillary load offset %#x", ins.K)
			}
		}
	}
	switch p[n-1].Op {
	case RET | K, RET | A:
	default:
		return verr(p, n-1, "last instruction is not a return")
	}
	return p.checkLoadsAndStores()
}

// checkLoadsAndStores mirrors the kernel's check_load_and_stores: a
// forward pass that tracks which scratch cells are known to be written,
// merging the state at jump targets. Like the kernel, it does not reset
// the state after a return, so it judges unreachable code by what
// precedes it.
func (p Program) checkLoadsAndStores() error {
	masks := make([]uint16, len(p))
	for i := range masks {
		masks[i] = 0xffff
	}
	var valid uint16
	for pc, ins := range p {
		valid &= masks[pc]
		switch ins.Op {
		case ST, STX:
			valid |= 1 << ins.K
		case LD | MEM, LDX | MEM:
			if valid&(1<<ins.K) == 0 {
				return verr(p, pc, "scratch memory M[%d] may be read before it is written", ins.K)
			}
		case JMP | JA:
			masks[pc+1+int(ins.K)] &= valid
			valid = 0xffff
		case JMP | JEQ | K, JMP | JEQ | X, JMP | JGE | K, JMP | JGE | X,
			JMP | JGT | K, JMP | JGT | X, JMP | JSET | K, JMP | JSET | X:
			masks[pc+1+int(ins.Jt)] &= valid
			masks[pc+1+int(ins.Jf)] &= valid
			valid = 0xffff
		}
	}
	return nil
}

func (p Program) checkSeccomp() error {
	for pc, ins := range p {
		switch ins.Op {
		case LD | W | ABS:
			if ins.K >= SizeofData || ins.K&3 != 0 {
				return verr(p, pc, "load offset %#x is not an aligned word inside seccomp_data", ins.K)
			}
		case LD | W | LEN, LDX | W | LEN:
		default:
			if ins.Op > 0xff || !seccompOps[ins.Op] {
				return verr(p, pc, "opcode not allowed in seccomp filters")
			}
		}
	}
	return nil
}
