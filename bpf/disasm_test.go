package bpf

import (
	"encoding/binary"
	"fmt"
	"strings"
	"testing"
)

func TestActionString(t *testing.T) {
	tests := []struct {
		ret  uint32
		want string
	}{
		{0x80000000, "KILL_PROCESS"},
		{0x00000000, "KILL_THREAD"},
		{0x00030000, "TRAP"},
		{0x00030007, "TRAP(7)"},
		{0x00050000, "ERRNO(0)"},
		{0x00050001, "ERRNO(1)"},
		{0x0005ffff, "ERRNO(65535)"},
		{0x7fc00000, "USER_NOTIF"},
		{0x7ff00000, "TRACE(0)"},
		{0x7ff00005, "TRACE(5)"},
		{0x7ffc0000, "LOG"},
		{0x7fff0000, "ALLOW"},
		{0x7fff0001, "ALLOW(1)"},
		{0x80000002, "KILL_PROCESS(2)"},
		{0x00000009, "KILL_THREAD(9)"},
		{0x12340000, "0x12340000"},
		{0xffff0000, "0xffff0000"},
		{0x00010005, "0x00010005"},
	}
	for _, tt := range tests {
		if got := ActionString(tt.ret); got != tt.want {
			t.Errorf("ActionString(%#x) = %q, want %q", tt.ret, got, tt.want)
		}
	}
}

func TestFormatInstruction(t *testing.T) {
	tests := []struct {
		ins  Instruction
		want string
	}{
		{Stmt(LD|W|ABS, 0), "ld [nr]"},
		{Stmt(LD|W|ABS, 4), "ld [arch]"},
		{Stmt(LD|W|ABS, 64), "ld [64]"},
		{Stmt(LD|W|ABS, 2), "ld [2]"},
		{Stmt(LD|H|ABS, 2), "ldh [2]"},
		{Stmt(LD|B|ABS, 3), "ldb [3]"},
		{Stmt(LD|W|IND, 3), "ld [x+3]"},
		{Stmt(LD|H|IND, 3), "ldh [x+3]"},
		{Stmt(LD|B|IND, 3), "ldb [x+3]"},
		{Stmt(LD|W|LEN, 0), "ld #len"},
		{Stmt(LDX|W|LEN, 0), "ldx #len"},
		{Stmt(LD|IMM, 0x10), "ld #0x10"},
		{Stmt(LDX|IMM, 0), "ldx #0x0"},
		{Stmt(LD|MEM, 3), "ld M[3]"},
		{Stmt(LDX|MEM, 15), "ldx M[15]"},
		{Stmt(LDX|B|MSH, 14), "ldxb 4*([14]&0xf)"},
		{Stmt(ST, 1), "st M[1]"},
		{Stmt(STX, 2), "stx M[2]"},
		{Stmt(MISC|TAX, 0), "tax"},
		{Stmt(MISC|TXA, 0), "txa"},
		{Stmt(RET|K, RetErrno|1), "ret ERRNO(1)"},
		{Stmt(RET|A, 0), "ret a"},
		{Stmt(ALU|NEG, 0), "neg"},
		{Stmt(ALU|ADD|K, 1), "add #0x1"},
		{Stmt(ALU|SUB|X, 0), "sub x"},
		{Stmt(ALU|MUL|K, 2), "mul #0x2"},
		{Stmt(ALU|DIV|X, 0), "div x"},
		{Stmt(ALU|MOD|K, 3), "mod #0x3"},
		{Stmt(ALU|OR|K, 4), "or #0x4"},
		{Stmt(ALU|AND|K, 0xff), "and #0xff"},
		{Stmt(ALU|XOR|X, 0), "xor x"},
		{Stmt(ALU|LSH|K, 5), "lsh #0x5"},
		{Stmt(ALU|RSH|X, 0), "rsh x"},
		{Stmt(JMP|JA, 3), "ja +3"},
		{Jump(JMP|JEQ|K, 0x101, 0, 2), "jeq #0x101 jt +0 jf +2"},
		{Jump(JMP|JGT|X, 0, 1, 0), "jgt x jt +1 jf +0"},
		{Jump(JMP|JGE|K, 7, 255, 0), "jge #0x7 jt +255 jf +0"},
		{Jump(JMP|JSET|K, 0x40000000, 0, 0), "jset #0x40000000 jt +0 jf +0"},
		{Instruction{Op: 0xffff, Jt: 1, Jf: 2, K: 3}, ".insn 0xffff, 1, 2, 0x3"},
		{Instruction{Op: ALU | 0xb0}, ".insn 0x00b4, 0, 0, 0x0"},
		{Instruction{Op: JMP | JA | X}, ".insn 0x000d, 0, 0, 0x0"},
		{Instruction{Op: RET | X}, ".insn 0x000e, 0, 0, 0x0"},
	}
	for _, tt := range tests {
		if got := tt.ins.String(); got != tt.want {
			t.Errorf("%+v.String() = %q, want %q", tt.ins, got, tt.want)
		}
	}
}

func TestDisassembleFields(t *testing.T) {
	var p Program
	for k := uint32(8); k < SizeofData; k += 4 {
		p = append(p, Stmt(LD|W|ABS, k))
	}
	p = append(p, retA)
	lines := func(s string) []string {
		return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	}
	tests := []struct {
		name string
		got  string
		want []string
	}{
		{"little", p.DisassembleOrder(binary.LittleEndian), []string{
			"   0: ld [ip.lo]", "   1: ld [ip.hi]",
			"   2: ld [args[0].lo]", "   3: ld [args[0].hi]",
			"   4: ld [args[1].lo]", "   5: ld [args[1].hi]",
			"   6: ld [args[2].lo]", "   7: ld [args[2].hi]",
			"   8: ld [args[3].lo]", "   9: ld [args[3].hi]",
			"  10: ld [args[4].lo]", "  11: ld [args[4].hi]",
			"  12: ld [args[5].lo]", "  13: ld [args[5].hi]",
			"  14: ret a",
		}},
		{"big", p.DisassembleOrder(binary.BigEndian), []string{
			"   0: ld [ip.hi]", "   1: ld [ip.lo]",
			"   2: ld [args[0].hi]", "   3: ld [args[0].lo]",
			"   4: ld [args[1].hi]", "   5: ld [args[1].lo]",
			"   6: ld [args[2].hi]", "   7: ld [args[2].lo]",
			"   8: ld [args[3].hi]", "   9: ld [args[3].lo]",
			"  10: ld [args[4].hi]", "  11: ld [args[4].lo]",
			"  12: ld [args[5].hi]", "  13: ld [args[5].lo]",
			"  14: ret a",
		}},
		{"unknown", p.Disassemble(), []string{
			"   0: ld [ip+0]", "   1: ld [ip+4]",
			"   2: ld [args[0]+0]", "   3: ld [args[0]+4]",
			"   4: ld [args[1]+0]", "   5: ld [args[1]+4]",
			"   6: ld [args[2]+0]", "   7: ld [args[2]+4]",
			"   8: ld [args[3]+0]", "   9: ld [args[3]+4]",
			"  10: ld [args[4]+0]", "  11: ld [args[4]+4]",
			"  12: ld [args[5]+0]", "  13: ld [args[5]+4]",
			"  14: ret a",
		}},
	}
	for _, tt := range tests {
		got := lines(tt.got)
		if len(got) != len(tt.want) {
			t.Errorf("%s: %d lines, want %d:\n%s", tt.name, len(got), len(tt.want), tt.got)
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("%s: line %d = %q, want %q", tt.name, i, got[i], tt.want[i])
			}
		}
	}
}

func TestDisassembleInfersOrder(t *testing.T) {
	prog := func(tokens ...uint32) Program {
		p := Program{Stmt(LD|W|ABS, OffsetArch)}
		for _, tok := range tokens {
			p = append(p, Jump(JMP|JEQ|K, tok, 0, 0))
		}
		return append(p, Stmt(LD|W|ABS, 16), retA)
	}
	tests := []struct {
		name string
		p    Program
		want string
	}{
		{"x86_64", prog(0xc000003e), "ld [args[0].lo]"},
		{"x86_64 and i386", prog(0xc000003e, 0x40000003), "ld [args[0].lo]"},
		{"s390x", prog(0x80000016), "ld [args[0].hi]"},
		{"ppc and ppc64le", prog(0x00000014, 0xc0000015), "ld [args[0]+0]"},
		{"no arch check", Program{Stmt(LD|W|ABS, 16), retA}, "ld [args[0]+0]"},
		// A comparison after another load says nothing about the arch.
		{"nr compare", Program{Stmt(LD|W|ABS, OffsetNr), Jump(JMP|JEQ|K, 0x40000000, 0, 0), Stmt(LD|W|ABS, 16), retA}, "ld [args[0]+0]"},
	}
	for _, tt := range tests {
		listing := tt.p.Disassemble()
		want := fmt.Sprintf("%4d: %s\n", len(tt.p)-2, tt.want)
		if !strings.Contains(listing, want) {
			t.Errorf("%s: listing\n%s\nlacks %q", tt.name, listing, want)
		}
	}
}

func TestDisassembleJumpTargets(t *testing.T) {
	p := Program{
		Stmt(LD|W|ABS, 0),
		Jump(JMP|JEQ|K, 0x101, 3, 4),
		Stmt(JMP|JA, 2),
		retA, retA, retA, retA,
	}
	want := "   0: ld [nr]\n" +
		"   1: jeq #0x101 jt 5 jf 6\n" +
		"   2: ja 5\n" +
		"   3: ret a\n   4: ret a\n   5: ret a\n   6: ret a\n"
	if got := p.Disassemble(); got != want {
		t.Errorf("Disassemble() =\n%s\nwant\n%s", got, want)
	}
}
