package bpf

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// ErrRun is matched (with errors.Is) by the errors of VM.Run that come
// from executing an instruction, as opposed to verifying the program.
var ErrRun = errors.New("seccomp program failed")

// RunError describes why the interpreter stopped without a return value.
type RunError struct {
	Index  int    // index of the instruction being executed
	Reason string // what went wrong
}

func (e *RunError) Error() string {
	return fmt.Sprintf("bpf: run: instruction %d: %s", e.Index, e.Reason)
}

// Is makes errors.Is(err, ErrRun) true.
func (e *RunError) Is(target error) bool { return target == ErrRun }

// VM runs one verified program. It is safe for concurrent use.
type VM struct {
	prog Program
	big  bool // the byte order is big-endian
}

// NewVM verifies p (see Program.Verify) and returns an interpreter for it
// that lays struct seccomp_data out in the given byte order, that of the
// architecture the filter is meant for (nil means the host's).
func NewVM(p Program, order binary.ByteOrder) (*VM, error) {
	if err := p.Verify(); err != nil {
		return nil, err
	}
	return &VM{prog: append(Program(nil), p...), big: isBigEndian(order)}, nil
}

// Run verifies p and runs it on d like the kernel does, with struct
// seccomp_data laid out in the given byte order (nil means the host's).
// It returns the filter's return value and the number of instructions
// executed, return included. A program that fails Verify is not run.
func (p Program) Run(d Data, order binary.ByteOrder) (ret uint32, steps int, err error) {
	if err := p.Verify(); err != nil {
		return 0, 0, err
	}
	return run(p, d, isBigEndian(order))
}

// errNilVM is returned by Run on a nil *VM.
var errNilVM = errors.New("bpf: Run on a nil VM: create one with NewVM")

// Run runs the program on d. See Program.Run. On a nil VM it returns an
// error.
func (vm *VM) Run(d Data) (ret uint32, steps int, err error) {
	if vm == nil {
		return 0, 0, errNilVM
	}
	return run(vm.prog, d, vm.big)
}

// run interprets a program the verifier accepted, with struct
// seccomp_data laid out big-endian when big is set. It still checks every
// access so that it cannot panic whatever the program.
func run(p Program, d Data, big bool) (uint32, int, error) {
	var (
		a, x  uint32
		mem   [MemWords]uint32
		steps int
	)
	for pc := 0; pc < len(p); pc++ {
		ins := p[pc]
		steps++
		k := ins.K
		switch ins.Op {
		case LD | W | ABS:
			if k >= SizeofData || k&3 != 0 {
				return 0, steps, runErr(pc, "load of %#x outside seccomp_data or unaligned", k)
			}
			a = d.word(k, big)
		case LD | W | LEN:
			a = SizeofData
		case LDX | W | LEN:
			x = SizeofData
		case LD | IMM:
			a = k
		case LDX | IMM:
			x = k
		case LD | MEM:
			if k >= MemWords {
				return 0, steps, runErr(pc, "scratch memory index %d out of range", k)
			}
			a = mem[k]
		case LDX | MEM:
			if k >= MemWords {
				return 0, steps, runErr(pc, "scratch memory index %d out of range", k)
			}
			x = mem[k]
		case ST:
			if k >= MemWords {
				return 0, steps, runErr(pc, "scratch memory index %d out of range", k)
			}
			mem[k] = a
		case STX:
			if k >= MemWords {
				return 0, steps, runErr(pc, "scratch memory index %d out of range", k)
			}
			mem[k] = x
		case MISC | TAX:
			x = a
		case MISC | TXA:
			a = x
		case RET | K:
			return k, steps, nil
		case RET | A:
			return a, steps, nil
		case ALU | NEG:
			a = -a
		case JMP | JA:
			if uint64(k) >= uint64(len(p)-pc-1) {
				return 0, steps, runErr(pc, "jump offset %d leaves the program", k)
			}
			pc += int(k)
		default:
			class := Class(ins.Op)
			if ins.Op&^0xf8 != class {
				// Bits outside class, operation and source.
				class = 0xffff
			}
			switch class {
			case ALU:
				if Source(ins.Op) == X {
					k = x
				}
				var ok bool
				a, ok = alu(Operation(ins.Op), a, k, Source(ins.Op) == X)
				if !ok {
					if Source(ins.Op) == X && (Operation(ins.Op) == DIV || Operation(ins.Op) == MOD) {
						// The kernel's classic BPF translation ends the
						// program with return value 0 here.
						return 0, steps, nil
					}
					return 0, steps, runErr(pc, "unsupported ALU instruction %#04x", ins.Op)
				}
			case JMP:
				if Source(ins.Op) == X {
					k = x
				}
				var cond bool
				switch Operation(ins.Op) {
				case JEQ:
					cond = a == k
				case JGT:
					cond = a > k
				case JGE:
					cond = a >= k
				case JSET:
					cond = a&k != 0
				default:
					return 0, steps, runErr(pc, "unsupported jump instruction %#04x", ins.Op)
				}
				off := ins.Jf
				if cond {
					off = ins.Jt
				}
				if pc+int(off)+1 >= len(p) {
					return 0, steps, runErr(pc, "jump offset %d leaves the program", off)
				}
				pc += int(off)
			default:
				return 0, steps, runErr(pc, "instruction %#04x not allowed in seccomp filters", ins.Op)
			}
		}
	}
	return 0, steps, runErr(len(p)-1, "fell off the end of the program")
}

// word returns the 32-bit word at offset k (aligned, below SizeofData)
// of the image of d on an architecture of the given byte order.
func (d *Data) word(k uint32, big bool) uint32 {
	var v uint64
	switch {
	case k == OffsetNr:
		return uint32(d.Nr)
	case k == OffsetArch:
		return d.Arch
	case k < OffsetArgs:
		v = d.InstructionPointer
	default:
		v = d.Args[(k-OffsetArgs)/8]
	}
	if (k%8 == 4) != big {
		return uint32(v >> 32)
	}
	return uint32(v)
}

func runErr(pc int, format string, args ...any) error {
	return &RunError{Index: pc, Reason: fmt.Sprintf(format, args...)}
}

// alu computes one ALU operation. Shift counts taken from X are reduced
// modulo 32, as the kernel's interpreter and JITs do; division and
// remainder by zero report !ok.
func alu(op uint16, a, v uint32, fromX bool) (uint32, bool) {
	switch op {
	case ADD:
		return a + v, true
	case SUB:
		return a - v, true
	case MUL:
		return a * v, true
	case DIV:
		if v == 0 {
			return 0, false
		}
		return a / v, true
	case MOD:
		if v == 0 {
			return 0, false
		}
		return a % v, true
	case OR:
		return a | v, true
	case AND:
		return a & v, true
	case XOR:
		return a ^ v, true
	case LSH:
		if !fromX && v >= 32 {
			return 0, false
		}
		return a << (v & 31), true
	case RSH:
		if !fromX && v >= 32 {
			return 0, false
		}
		return a >> (v & 31), true
	}
	return 0, false
}
