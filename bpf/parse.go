package bpf

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
)

// ParseAction is the inverse of ActionString: it reads "KILL_PROCESS",
// "KILL_THREAD" (or "KILL"), "TRAP", "ERRNO(1)", "USER_NOTIF" (or
// "NOTIFY"), "TRACE(5)", "LOG", "ALLOW", any of these with "(data)", or a
// number such as "0x7fff0000".
func ParseAction(s string) (uint32, error) {
	s = strings.TrimSpace(s)
	name, data := s, uint32(0)
	if i := strings.IndexByte(s, '('); i >= 0 && strings.HasSuffix(s, ")") {
		v, err := strconv.ParseUint(s[i+1:len(s)-1], 0, 16)
		if err != nil {
			return 0, fmt.Errorf("bpf: bad action data in %q", s)
		}
		name, data = s[:i], uint32(v)
	}
	if a, ok := actionByName(strings.ToUpper(name)); ok {
		return a | data, nil
	}
	if name == s {
		if v, err := strconv.ParseUint(s, 0, 32); err == nil {
			return uint32(v), nil
		}
	}
	return 0, fmt.Errorf("bpf: unknown action %q", s)
}

// actionByName returns the return value of an action named in upper case.
func actionByName(name string) (uint32, bool) {
	switch name {
	case "KILL_PROCESS":
		return RetKillProcess, true
	case "KILL_THREAD", "KILL":
		return RetKillThread, true
	case "TRAP":
		return RetTrap, true
	case "ERRNO":
		return RetErrno, true
	case "USER_NOTIF", "NOTIFY":
		return RetUserNotif, true
	case "TRACE":
		return RetTrace, true
	case "LOG":
		return RetLog, true
	case "ALLOW":
		return RetAllow, true
	}
	return 0, false
}

// Parse reads a program written in the notation of Disassemble, one
// instruction per line, optionally prefixed with its line number ("12:").
// Blank lines and text after ";" are ignored. Jump targets are absolute
// line numbers, or offsets written "+n". Argument halves written ".lo" and
// ".hi" are placed for the given byte order, which may be nil only if the
// text does not use them. Parse(p.DisassembleOrder(order), order) gives p
// back, except for operand fields the instruction does not use, which
// come back as zero.
func Parse(src string, order binary.ByteOrder) (Program, error) {
	var p Program
	for lineNo, line := range strings.Split(src, "\n") {
		if i := strings.IndexByte(line, ';'); i >= 0 {
			line = line[:i]
		}
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		pc := len(p)
		if i := strings.IndexByte(line, ':'); i >= 0 {
			if n, err := strconv.Atoi(strings.TrimSpace(line[:i])); err == nil {
				if n != pc {
					return nil, fmt.Errorf("bpf: line %d: numbered %d but is instruction %d", lineNo+1, n, pc)
				}
				line = strings.TrimSpace(line[i+1:])
			}
		}
		ins, err := parseInstruction(line, pc, order)
		if err != nil {
			return nil, fmt.Errorf("bpf: line %d: %v", lineNo+1, err)
		}
		p = append(p, ins)
	}
	return p, nil
}

func parseNumber(s string) (uint32, error) {
	v, err := strconv.ParseUint(s, 0, 32)
	if err != nil {
		return 0, fmt.Errorf("bad number %q", s)
	}
	return uint32(v), nil
}

// parseTarget reads an absolute line number or a "+n" offset and returns
// the offset from the instruction after pc.
func parseTarget(s string, pc int, limit uint64) (uint32, error) {
	var off int64
	if rel, ok := strings.CutPrefix(s, "+"); ok {
		v, err := strconv.ParseUint(rel, 10, 32)
		if err != nil {
			return 0, fmt.Errorf("bad jump offset %q", s)
		}
		off = int64(v)
	} else {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("bad jump target %q", s)
		}
		off = int64(v) - int64(pc) - 1
		if off < 0 {
			return 0, fmt.Errorf("jump target %s is not after instruction %d", s, pc)
		}
	}
	if uint64(off) > limit {
		return 0, fmt.Errorf("jump offset %d too large", off)
	}
	return uint32(off), nil
}

// parseField reads the inside of "[...]" for a 32-bit load.
func parseField(s string, order binary.ByteOrder) (uint32, error) {
	switch s {
	case "nr":
		return OffsetNr, nil
	case "arch":
		return OffsetArch, nil
	}
	var base uint32
	rest := s
	switch {
	case strings.HasPrefix(s, "ip"):
		base, rest = OffsetInstructionPointer, s[2:]
	case strings.HasPrefix(s, "args["):
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return 0, fmt.Errorf("bad field %q", s)
		}
		i, err := strconv.ParseUint(s[5:end], 10, 8)
		if err != nil || i > 5 {
			return 0, fmt.Errorf("bad argument index in %q", s)
		}
		base, rest = OffsetArgs+8*uint32(i), s[end+1:]
	default:
		return parseNumber(s)
	}
	switch rest {
	case "+0":
		return base, nil
	case "+4":
		return base + 4, nil
	case ".lo", ".hi":
		if order == nil {
			return 0, fmt.Errorf("%q needs a byte order", s)
		}
		return base + halfOffset(rest == ".hi", order), nil
	}
	return 0, fmt.Errorf("bad field %q", s)
}

func parseInstruction(line string, pc int, order binary.ByteOrder) (Instruction, error) {
	mnemonic, operand, _ := strings.Cut(line, " ")
	operand = strings.TrimSpace(operand)
	bracket := func(prefix string) (string, bool) {
		if strings.HasPrefix(operand, prefix) && strings.HasSuffix(operand, "]") {
			return operand[len(prefix) : len(operand)-1], true
		}
		return "", false
	}
	imm := func() (uint32, bool, error) {
		s, ok := strings.CutPrefix(operand, "#")
		if !ok {
			return 0, false, nil
		}
		v, err := parseNumber(s)
		return v, true, err
	}
	noOperand := func(op uint16) (Instruction, error) {
		if operand != "" {
			return Instruction{}, fmt.Errorf("%s takes no operand", mnemonic)
		}
		return Instruction{Op: op}, nil
	}
	switch mnemonic {
	case "ld", "ldh", "ldb":
		size := uint16(W)
		switch mnemonic {
		case "ldh":
			size = H
		case "ldb":
			size = B
		}
		if s, ok := bracket("[x+"); ok {
			k, err := parseNumber(s)
			return Instruction{Op: LD | size | IND, K: k}, err
		}
		if s, ok := bracket("["); ok {
			if size == W {
				k, err := parseField(s, order)
				return Instruction{Op: LD | W | ABS, K: k}, err
			}
			k, err := parseNumber(s)
			return Instruction{Op: LD | size | ABS, K: k}, err
		}
		if mnemonic != "ld" {
			break
		}
		if s, ok := bracket("M["); ok {
			k, err := parseNumber(s)
			return Instruction{Op: LD | MEM, K: k}, err
		}
		if operand == "#len" {
			return Instruction{Op: LD | W | LEN}, nil
		}
		if k, ok, err := imm(); ok {
			return Instruction{Op: LD | IMM, K: k}, err
		}
	case "ldx":
		if s, ok := bracket("M["); ok {
			k, err := parseNumber(s)
			return Instruction{Op: LDX | MEM, K: k}, err
		}
		if operand == "#len" {
			return Instruction{Op: LDX | W | LEN}, nil
		}
		if k, ok, err := imm(); ok {
			return Instruction{Op: LDX | IMM, K: k}, err
		}
	case "ldxb":
		if s, ok := strings.CutPrefix(operand, "4*(["); ok {
			if s, ok := strings.CutSuffix(s, "]&0xf)"); ok {
				k, err := parseNumber(s)
				return Instruction{Op: LDX | B | MSH, K: k}, err
			}
		}
	case "st", "stx":
		if s, ok := bracket("M["); ok {
			k, err := parseNumber(s)
			op := uint16(ST)
			if mnemonic == "stx" {
				op = STX
			}
			return Instruction{Op: op, K: k}, err
		}
	case "tax":
		return noOperand(MISC | TAX)
	case "txa":
		return noOperand(MISC | TXA)
	case "neg":
		return noOperand(ALU | NEG)
	case "ret":
		if operand == "a" {
			return Instruction{Op: RET | A}, nil
		}
		if k, ok, err := imm(); ok {
			return Instruction{Op: RET | K, K: k}, err
		}
		k, err := ParseAction(operand)
		return Instruction{Op: RET | K, K: k}, err
	case "ja":
		k, err := parseTarget(operand, pc, 1<<32-1)
		return Instruction{Op: JMP | JA, K: k}, err
	case ".insn":
		f := strings.Split(operand, ",")
		if len(f) != 4 {
			return Instruction{}, fmt.Errorf(".insn needs op, jt, jf, k")
		}
		var v [4]uint32
		for i, s := range f {
			n, err := parseNumber(strings.TrimSpace(s))
			if err != nil {
				return Instruction{}, err
			}
			v[i] = n
		}
		if v[0] > 0xffff || v[1] > 0xff || v[2] > 0xff {
			return Instruction{}, fmt.Errorf(".insn field out of range")
		}
		return Instruction{Op: uint16(v[0]), Jt: uint8(v[1]), Jf: uint8(v[2]), K: v[3]}, nil
	}
	for _, e := range aluNames {
		op, name := e.op, e.name
		if name != mnemonic {
			continue
		}
		if operand == "x" {
			return Instruction{Op: ALU | op | X}, nil
		}
		if k, ok, err := imm(); ok {
			return Instruction{Op: ALU | op | K, K: k}, err
		}
	}
	for _, e := range jumpNames {
		op, name := e.op, e.name
		if name != mnemonic {
			continue
		}
		f := strings.Fields(operand)
		if len(f) != 5 || f[1] != "jt" || f[3] != "jf" {
			return Instruction{}, fmt.Errorf("%s needs an operand, jt and jf", mnemonic)
		}
		ins := Instruction{Op: JMP | op}
		if f[0] == "x" {
			ins.Op |= X
		} else if s, ok := strings.CutPrefix(f[0], "#"); ok {
			k, err := parseNumber(s)
			if err != nil {
				return Instruction{}, err
			}
			ins.K = k
		} else {
			return Instruction{}, fmt.Errorf("bad operand %q", f[0])
		}
		jt, err := parseTarget(f[2], pc, 255)
		if err != nil {
			return Instruction{}, err
		}
		jf, err := parseTarget(f[4], pc, 255)
		if err != nil {
			return Instruction{}, err
		}
		ins.Jt, ins.Jf = uint8(jt), uint8(jf)
		return ins, nil
	}
	return Instruction{}, fmt.Errorf("cannot parse %q", line)
}
