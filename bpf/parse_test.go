package bpf

import (
	"encoding/binary"
	"strings"
	"testing"
)

// canonical clears the fields an instruction does not use, which the
// disassembler does not show.
func canonical(ins Instruction) Instruction {
	switch ins.Op {
	case MISC | TAX, MISC | TXA, ALU | NEG, RET | A, LD | W | LEN, LDX | W | LEN:
		return Instruction{Op: ins.Op}
	case JMP | JA:
		return Instruction{Op: ins.Op, K: ins.K}
	}
	if !strings.HasPrefix(formatInstruction(ins, 0, orderUnknown), ".insn") {
		switch Class(ins.Op) {
		case JMP:
			if Source(ins.Op) == X {
				ins.K = 0
			}
			return ins
		case ALU:
			if Source(ins.Op) == X {
				ins.K = 0
			}
		}
		ins.Jt, ins.Jf = 0, 0
	}
	return ins
}

func TestParseRoundTrip(t *testing.T) {
	p := Program{
		Stmt(LD|W|ABS, 0), Stmt(LD|W|ABS, 4), Stmt(LD|W|ABS, 8), Stmt(LD|W|ABS, 12),
		Stmt(LD|W|ABS, 16), Stmt(LD|W|ABS, 60), Stmt(LD|W|ABS, 2), Stmt(LD|W|ABS, 0xfffff000),
		Stmt(LD|H|ABS, 2), Stmt(LD|B|ABS, 3), Stmt(LD|W|IND, 1), Stmt(LD|H|IND, 2), Stmt(LD|B|IND, 3),
		Stmt(LD|W|LEN, 0), Stmt(LDX|W|LEN, 0), Stmt(LD|IMM, 0xffffffff), Stmt(LDX|IMM, 7),
		Stmt(LD|MEM, 1), Stmt(LDX|MEM, 15), Stmt(LDX|B|MSH, 14), Stmt(ST, 2), Stmt(STX, 3),
		Stmt(MISC|TAX, 0), Stmt(MISC|TXA, 0), Stmt(ALU|NEG, 0),
		Stmt(ALU|ADD|K, 1), Stmt(ALU|SUB|X, 0), Stmt(ALU|MUL|K, 2), Stmt(ALU|DIV|X, 0),
		Stmt(ALU|MOD|K, 3), Stmt(ALU|OR|X, 0), Stmt(ALU|AND|K, 0xff), Stmt(ALU|XOR|X, 0),
		Stmt(ALU|LSH|K, 5), Stmt(ALU|RSH|X, 0),
		Stmt(JMP|JA, 1), Jump(JMP|JEQ|K, 0x101, 0, 2), Jump(JMP|JGT|X, 0, 1, 0),
		Jump(JMP|JGE|K, 7, 2, 1), Jump(JMP|JSET|K, 0x40000000, 0, 0),
		{Op: 0xffff, Jt: 1, Jf: 2, K: 3},
		Stmt(RET|K, RetErrno|1), Stmt(RET|K, 0x12340000), Stmt(RET|K, RetAllow|1),
		Stmt(RET|K, RetKillThread), Stmt(RET|A, 0),
	}
	for _, order := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian, nil} {
		text := p.DisassembleOrder(order)
		q, err := Parse(text, order)
		if err != nil {
			t.Fatalf("%v: Parse: %v\n%s", order, err, text)
		}
		if len(q) != len(p) {
			t.Fatalf("%v: %d instructions, want %d", order, len(q), len(p))
		}
		for i := range p {
			if q[i] != p[i] {
				t.Errorf("%v: instruction %d = %+v, want %+v", order, i, q[i], p[i])
			}
		}
	}
}

func TestParse(t *testing.T) {
	src := `
; comments and blank lines are ignored
ld [arch]
jeq #0xc000003e jt +0 jf 6   ; relative and absolute targets
ld [args[1].hi]
jset #0x80000000 jt 5 jf 4
ret ERRNO(13)
ret allow
ret #0x7ff00005
`
	want := Program{
		Stmt(LD|W|ABS, 4),
		Jump(JMP|JEQ|K, 0xc000003e, 0, 4),
		Stmt(LD|W|ABS, 24), // high half first on big-endian
		Jump(JMP|JSET|K, 0x80000000, 1, 0),
		Stmt(RET|K, 0x0005000d),
		Stmt(RET|K, 0x7fff0000),
		Stmt(RET|K, 0x7ff00005),
	}
	got, err := Parse(src, binary.BigEndian)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("%d instructions, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("instruction %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ src, want string }{
		{"foo", "cannot parse"},
		{"ld", "cannot parse"},
		{"ld [args[1].lo]", "byte order"},
		{"ld [args[6]+0]", "argument index"},
		{"ld [args[1]+2]", "bad field"},
		{"ld #0x100000000", "bad number"},
		{"ldh #1", "cannot parse"},
		{"tax 1", "no operand"},
		{"ret BOGUS", "unknown action"},
		{"ret ERRNO(70000)", "action data"},
		{"jeq #1 jt 1", "jt and jf"},
		{"jeq y jt 1 jf 1", "bad operand"},
		{"jeq #1 jt 0 jf 1", "not after"},
		{"jeq #1 jt +256 jf 1", "too large"},
		{"jeq #1 jt 300 jf 1", "too large"},
		{"ja -1", "bad jump target"},
		{"1: ret a", "numbered 1"},
		{".insn 1, 2, 3", "needs op"},
		{".insn 0x10000, 0, 0, 0", "out of range"},
	}
	for _, tt := range tests {
		_, err := Parse(tt.src, nil)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Parse(%q) error = %v, want it to contain %q", tt.src, err, tt.want)
		}
	}
}

func TestParseAction(t *testing.T) {
	tests := []struct {
		s    string
		want uint32
	}{
		{"KILL_PROCESS", 0x80000000}, {"KILL_THREAD", 0}, {"KILL", 0}, {"TRAP", 0x30000},
		{"TRAP(7)", 0x30007}, {"ERRNO(1)", 0x50001}, {"errno(0x10)", 0x50010},
		{"USER_NOTIF", 0x7fc00000}, {"NOTIFY", 0x7fc00000}, {"TRACE(5)", 0x7ff00005},
		{"LOG", 0x7ffc0000}, {"ALLOW", 0x7fff0000}, {" ALLOW(1) ", 0x7fff0001},
		{"0x12340000", 0x12340000}, {"7", 7},
	}
	for _, tt := range tests {
		got, err := ParseAction(tt.s)
		if err != nil || got != tt.want {
			t.Errorf("ParseAction(%q) = %#x, %v; want %#x", tt.s, got, err, tt.want)
		}
	}
	for _, s := range []string{"", "DENY", "ERRNO(", "ERRNO(x)", "0x1(2)", "0x100000000"} {
		if _, err := ParseAction(s); err == nil {
			t.Errorf("ParseAction(%q): no error", s)
		}
	}
}
