package bpf

import (
	"encoding/binary"
	"fmt"

	xbpf "golang.org/x/net/bpf"
)

// Instruction is one classic BPF instruction, laid out like the kernel's
// struct sock_filter.
type Instruction struct {
	Op uint16 // opcode: class | size/op | mode/source
	Jt uint8  // jump offset if the condition is true
	Jf uint8  // jump offset if the condition is false
	K  uint32 // generic operand
}

// Program is a classic BPF program, as passed to the kernel in
// struct sock_fprog.
type Program []Instruction

// MaxInstructions is the largest number of instructions the kernel
// accepts in one program (BPF_MAXINSNS).
const MaxInstructions = 4096

// MaxInstructionsPerPath is the kernel's limit (MAX_INSNS_PER_PATH) on
// the instructions of all filters a thread has installed, where each
// filter counts as its length plus 4; installing a filter past it fails
// with ENOMEM.
const MaxInstructionsPerPath = 32768

// InstructionSize is the size in bytes of one encoded instruction.
const InstructionSize = 8

// MemWords is the number of scratch memory cells M[0]..M[15]
// (BPF_MEMWORDS).
const MemWords = 16

// Instruction classes (BPF_CLASS).
const (
	LD   = 0x00
	LDX  = 0x01
	ST   = 0x02
	STX  = 0x03
	ALU  = 0x04
	JMP  = 0x05
	RET  = 0x06
	MISC = 0x07
)

// Load sizes (BPF_SIZE).
const (
	W = 0x00 // 32-bit word
	H = 0x08 // 16-bit half word
	B = 0x10 // byte
)

// Load modes (BPF_MODE).
const (
	IMM = 0x00
	ABS = 0x20
	IND = 0x40
	MEM = 0x60
	LEN = 0x80
	MSH = 0xa0
)

// ALU operations and jump conditions (BPF_OP).
const (
	ADD = 0x00
	SUB = 0x10
	MUL = 0x20
	DIV = 0x30
	OR  = 0x40
	AND = 0x50
	LSH = 0x60
	RSH = 0x70
	NEG = 0x80
	MOD = 0x90
	XOR = 0xa0

	JA   = 0x00
	JEQ  = 0x10
	JGT  = 0x20
	JGE  = 0x30
	JSET = 0x40
)

// Operand sources (BPF_SRC) and return value sources (BPF_RVAL).
const (
	K = 0x00 // the constant K
	X = 0x08 // the index register X
	A = 0x10 // the accumulator A (BPF_RET only)
)

// Miscellaneous operations (BPF_MISCOP).
const (
	TAX = 0x00
	TXA = 0x80
)

// Class returns the instruction class of op (BPF_CLASS).
func Class(op uint16) uint16 { return op & 0x07 }

// Size returns the load size bits of op (BPF_SIZE).
func Size(op uint16) uint16 { return op & 0x18 }

// Mode returns the addressing mode bits of op (BPF_MODE).
func Mode(op uint16) uint16 { return op & 0xe0 }

// Operation returns the ALU or jump operation bits of op (BPF_OP).
func Operation(op uint16) uint16 { return op & 0xf0 }

// Source returns the operand source bit of op (BPF_SRC).
func Source(op uint16) uint16 { return op & 0x08 }

// Stmt returns a non-jump instruction, like the BPF_STMT macro.
func Stmt(op uint16, k uint32) Instruction {
	return Instruction{Op: op, K: k}
}

// Jump returns a jump instruction, like the BPF_JUMP macro.
func Jump(op uint16, k uint32, jt, jf uint8) Instruction {
	return Instruction{Op: op, Jt: jt, Jf: jf, K: k}
}

// String returns the instruction in the disassembler's notation, with
// jump targets relative to the instruction ("jt +2").
func (ins Instruction) String() string {
	return formatInstruction(ins, -1, orderUnknown)
}

// Raw converts the instruction to golang.org/x/net/bpf's raw form.
func (ins Instruction) Raw() xbpf.RawInstruction {
	return xbpf.RawInstruction{Op: ins.Op, Jt: ins.Jt, Jf: ins.Jf, K: ins.K}
}

// FromRaw converts a golang.org/x/net/bpf raw instruction.
func FromRaw(r xbpf.RawInstruction) Instruction {
	return Instruction{Op: r.Op, Jt: r.Jt, Jf: r.Jf, K: r.K}
}

// Assemble converts instructions of golang.org/x/net/bpf to a Program.
// It fails if one of them has no classic BPF encoding.
func Assemble(insns []xbpf.Instruction) (Program, error) {
	raw, err := xbpf.Assemble(insns)
	if err != nil {
		return nil, err
	}
	p := make(Program, len(raw))
	for i, r := range raw {
		p[i] = FromRaw(r)
	}
	return p, nil
}

// XNet converts the program to golang.org/x/net/bpf's typed
// instructions. Instructions it cannot decode are returned as
// xbpf.RawInstruction values and ok is false.
func (p Program) XNet() (insns []xbpf.Instruction, ok bool) {
	raw := make([]xbpf.RawInstruction, len(p))
	for i, ins := range p {
		raw[i] = ins.Raw()
	}
	return xbpf.Disassemble(raw)
}

// Marshal encodes the program as an array of struct sock_filter in the
// given byte order, the format seccomp_export_bpf writes for an
// architecture of that byte order: code (16 bits), jt, jf (8 bits each)
// and k (32 bits). A nil order means the host's byte order.
func (p Program) Marshal(order binary.ByteOrder) []byte {
	if order == nil {
		order = binary.NativeEndian
	}
	b := make([]byte, len(p)*InstructionSize)
	for i, ins := range p {
		w := b[i*InstructionSize:]
		order.PutUint16(w[0:2], ins.Op)
		w[2] = ins.Jt
		w[3] = ins.Jf
		order.PutUint32(w[4:8], ins.K)
	}
	return b
}

// Unmarshal decodes an array of struct sock_filter written in the given
// byte order (nil means the host's byte order). The length of b must be a
// multiple of InstructionSize. Unmarshal does not check the program; use
// Verify for that.
func Unmarshal(b []byte, order binary.ByteOrder) (Program, error) {
	if len(b)%InstructionSize != 0 {
		return nil, fmt.Errorf("bpf: program length %d is not a multiple of %d bytes", len(b), InstructionSize)
	}
	if order == nil {
		order = binary.NativeEndian
	}
	p := make(Program, len(b)/InstructionSize)
	for i := range p {
		w := b[i*InstructionSize:]
		p[i] = Instruction{
			Op: order.Uint16(w[0:2]),
			Jt: w[2],
			Jf: w[3],
			K:  order.Uint32(w[4:8]),
		}
	}
	return p, nil
}

// isBigEndian reports whether order stores the most significant byte
// first. A nil order means the host's byte order.
func isBigEndian(order binary.ByteOrder) bool {
	if order == nil {
		order = binary.NativeEndian
	}
	return order.Uint16([]byte{0, 1}) == 1
}

// DetectByteOrder guesses the byte order of a raw program whose
// architecture is not known, such as a file written by
// seccomp_export_bpf: it returns the order in which b decodes to a
// program that Verify accepts. At most one order can: the opcode of the
// last instruction must be 0x0006 or 0x0016, and byte-swapped neither is
// a valid opcode. When neither order works, the error is that of the
// little-endian decoding.
func DetectByteOrder(b []byte) (binary.ByteOrder, error) {
	try := func(order binary.ByteOrder) error {
		p, err := Unmarshal(b, order)
		if err != nil {
			return err
		}
		return p.Verify()
	}
	leErr, beErr := try(binary.LittleEndian), try(binary.BigEndian)
	switch {
	case leErr == nil:
		return binary.LittleEndian, nil
	case beErr == nil:
		return binary.BigEndian, nil
	}
	return nil, leErr
}
