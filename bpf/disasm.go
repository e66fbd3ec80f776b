package bpf

import (
	"encoding/binary"
	"fmt"
	"strings"
)

type orderKind int

const (
	orderUnknown orderKind = iota
	orderLittle
	orderBig
)

func kindOf(order binary.ByteOrder) orderKind {
	if order == nil {
		return orderUnknown
	}
	if isBigEndian(order) {
		return orderBig
	}
	return orderLittle
}

// auditArchLE is __AUDIT_ARCH_LE, the AUDIT_ARCH_* bit of little-endian
// architectures.
const auditArchLE = 0x40000000

// Disassemble returns a listing of the program, one numbered line per
// instruction, as in
//
//	0: ld [arch]
//	1: jeq #0xc000003e jt 2 jf 5
//	2: ld [nr]
//	3: jeq #0x101 jt 4 jf 5
//	4: ret ERRNO(1)
//	5: ret ALLOW
//
// Jump targets are absolute line numbers and return values are named with
// ActionString. Loads from struct seccomp_data are shown by field name.
// Which half of an argument a load reads depends on the byte order; the
// order is inferred from the AUDIT_ARCH values the program compares the
// loaded arch with (all of one byte order), and when it cannot be
// inferred halves are shown by offset, as in "ld [args[1]+4]". Use
// DisassembleOrder to give the order.
func (p Program) Disassemble() string {
	return p.DisassembleOrder(p.inferOrder())
}

// DisassembleOrder is like Disassemble but shows argument and instruction
// pointer halves as ".lo" and ".hi" for data laid out in the given byte
// order; a nil order shows them by offset.
func (p Program) DisassembleOrder(order binary.ByteOrder) string {
	var sb strings.Builder
	kind := kindOf(order)
	for pc, ins := range p {
		fmt.Fprintf(&sb, "%4d: %s\n", pc, formatInstruction(ins, pc, kind))
	}
	return sb.String()
}

// inferOrder looks for "ld [arch]" followed by comparisons with constants
// and returns the byte order their __AUDIT_ARCH_LE bits agree on, or nil.
func (p Program) inferOrder() binary.ByteOrder {
	le, be := false, false
	loadedArch := false
	for _, ins := range p {
		switch {
		case ins.Op == LD|W|ABS:
			loadedArch = ins.K == OffsetArch
		case ins.Op == JMP|JEQ|K && loadedArch:
			if ins.K&auditArchLE != 0 {
				le = true
			} else {
				be = true
			}
		case Class(ins.Op) == JMP:
		default:
			loadedArch = false
		}
	}
	switch {
	case le && !be:
		return binary.LittleEndian
	case be && !le:
		return binary.BigEndian
	}
	return nil
}

// fieldName names the 32-bit word of struct seccomp_data at offset k.
func fieldName(k uint32, kind orderKind) (string, bool) {
	if k&3 != 0 || k >= SizeofData {
		return "", false
	}
	switch k {
	case OffsetNr:
		return "nr", true
	case OffsetArch:
		return "arch", true
	}
	var base string
	if k < OffsetArgs {
		base = "ip"
	} else {
		base = fmt.Sprintf("args[%d]", (k-OffsetArgs)/8)
	}
	second := k%8 == 4
	switch kind {
	case orderLittle:
		if second {
			return base + ".hi", true
		}
		return base + ".lo", true
	case orderBig:
		if second {
			return base + ".lo", true
		}
		return base + ".hi", true
	}
	if second {
		return base + "+4", true
	}
	return base + "+0", true
}

// An opName is the mnemonic of a BPF_OP value.
type opName struct {
	op   uint16
	name string
}

// aluNames are the mnemonics of the ALU operations with an operand.
var aluNames = [...]opName{
	{ADD, "add"}, {SUB, "sub"}, {MUL, "mul"}, {DIV, "div"}, {MOD, "mod"},
	{OR, "or"}, {AND, "and"}, {XOR, "xor"}, {LSH, "lsh"}, {RSH, "rsh"},
}

// jumpNames are the mnemonics of the conditional jumps.
var jumpNames = [...]opName{{JEQ, "jeq"}, {JGT, "jgt"}, {JGE, "jge"}, {JSET, "jset"}}

// mnemonic returns the mnemonic names gives op.
func mnemonic(names []opName, op uint16) (string, bool) {
	for _, e := range names {
		if e.op == op {
			return e.name, true
		}
	}
	return "", false
}

// sizeSuffix returns the suffix of a load of the given size: "h" for H,
// "b" for B, none for W.
func sizeSuffix(size uint16) string {
	switch size {
	case H:
		return "h"
	case B:
		return "b"
	}
	return ""
}

// formatInstruction renders one instruction. With pc >= 0 jump targets
// are absolute, otherwise relative ("+n").
func formatInstruction(ins Instruction, pc int, kind orderKind) string {
	k := ins.K
	target := func(off uint32) string {
		if pc < 0 {
			return fmt.Sprintf("+%d", off)
		}
		return fmt.Sprint(int64(pc) + 1 + int64(off))
	}
	switch ins.Op {
	case LD | W | ABS:
		if name, ok := fieldName(k, kind); ok {
			return "ld [" + name + "]"
		}
		return fmt.Sprintf("ld [%d]", k)
	case LD | H | ABS, LD | B | ABS:
		return fmt.Sprintf("ld%s [%d]", sizeSuffix(Size(ins.Op)), k)
	case LD | W | IND, LD | H | IND, LD | B | IND:
		return fmt.Sprintf("ld%s [x+%d]", sizeSuffix(Size(ins.Op)), k)
	case LD | W | LEN:
		return "ld #len"
	case LDX | W | LEN:
		return "ldx #len"
	case LD | IMM:
		return fmt.Sprintf("ld #%#x", k)
	case LDX | IMM:
		return fmt.Sprintf("ldx #%#x", k)
	case LD | MEM:
		return fmt.Sprintf("ld M[%d]", k)
	case LDX | MEM:
		return fmt.Sprintf("ldx M[%d]", k)
	case LDX | B | MSH:
		return fmt.Sprintf("ldxb 4*([%d]&0xf)", k)
	case ST:
		return fmt.Sprintf("st M[%d]", k)
	case STX:
		return fmt.Sprintf("stx M[%d]", k)
	case MISC | TAX:
		return "tax"
	case MISC | TXA:
		return "txa"
	case RET | K:
		return "ret " + ActionString(k)
	case RET | A:
		return "ret a"
	case ALU | NEG:
		return "neg"
	case JMP | JA:
		return "ja " + target(k)
	}
	switch Class(ins.Op) {
	case ALU:
		if name, ok := mnemonic(aluNames[:], Operation(ins.Op)); ok && ins.Op&^0xf8 == ALU {
			if Source(ins.Op) == X {
				return name + " x"
			}
			return fmt.Sprintf("%s #%#x", name, k)
		}
	case JMP:
		if name, ok := mnemonic(jumpNames[:], Operation(ins.Op)); ok && ins.Op&^0xf8 == JMP {
			operand := fmt.Sprintf("#%#x", k)
			if Source(ins.Op) == X {
				operand = "x"
			}
			return fmt.Sprintf("%s %s jt %s jf %s", name, operand, target(uint32(ins.Jt)), target(uint32(ins.Jf)))
		}
	}
	return fmt.Sprintf(".insn %#04x, %d, %d, %#x", ins.Op, ins.Jt, ins.Jf, k)
}
