package bpf

import "testing"

const (
	tokX86_64 = 0xc000003e
	tokI386   = 0x40000003
)

var (
	retKill  = Stmt(RET|K, RetKillProcess)
	retErrno = Stmt(RET|K, RetErrno|1)
	ldNr     = Stmt(LD|W|ABS, OffsetNr)
	ldArch   = Stmt(LD|W|ABS, OffsetArch)
)

func TestConstAllow(t *testing.T) {
	// A libseccomp-style filter: x86_64 only, x32 numbers are a bad arch,
	// write (1) fails with EPERM, read (0) depends on arg0, the rest is
	// allowed.
	typical := Program{
		ldArch,
		Jump(JMP|JEQ|K, tokX86_64, 1, 0),
		retKill,
		ldNr,
		Jump(JMP|JGE|K, 0x40000000, 0, 1),
		Jump(JMP|JEQ|K, 0xffffffff, 0, 6),
		Jump(JMP|JEQ|K, 1, 4, 0),
		Jump(JMP|JEQ|K, 0, 0, 2),
		Stmt(LD|W|ABS, 16),
		Jump(JMP|JEQ|K, 0, 1, 0),
		retAllow,
		retErrno,
		retKill,
	}
	tests := []struct {
		name string
		p    Program
		arch uint32
		nr   int32
		want bool
	}{
		{"typical allowed", typical, tokX86_64, 2, true},
		{"typical errno", typical, tokX86_64, 1, false},
		{"typical arg check", typical, tokX86_64, 0, false},
		{"typical other arch", typical, tokI386, 2, false},
		{"typical x32 nr", typical, tokX86_64, 0x40000002, false},
		{"typical -1", typical, tokX86_64, -1, true},

		{"ret allow", Program{retAllow}, tokX86_64, 0, true},
		{"ret allow with data", Program{Stmt(RET|K, RetAllow|1)}, tokX86_64, 0, false},
		{"ret log", Program{Stmt(RET|K, RetLog)}, tokX86_64, 0, false},
		{"ret a holding allow", Program{Stmt(LD|IMM, RetAllow), retA}, tokX86_64, 0, false},
		{"ld imm", Program{Stmt(LD|IMM, 0), retAllow}, tokX86_64, 0, false},
		{"ld len", Program{Stmt(LD|W|LEN, 0), retAllow}, tokX86_64, 0, false},
		{"ld ip", Program{Stmt(LD|W|ABS, 8), retAllow}, tokX86_64, 0, false},
		{"ld arg5 hi", Program{Stmt(LD|W|ABS, 60), retAllow}, tokX86_64, 0, false},
		{"tax", Program{ldNr, Stmt(MISC|TAX, 0), retAllow}, tokX86_64, 0, false},
		{"st", Program{ldNr, Stmt(ST, 0), retAllow}, tokX86_64, 0, false},

		// Only the path taken matters.
		{"arg load on other path", Program{
			ldNr, Jump(JMP|JEQ|K, 2, 0, 2), Stmt(LD|W|ABS, 16), retAllow, retAllow}, tokX86_64, 3, true},
		{"arg load on this path", Program{
			ldNr, Jump(JMP|JEQ|K, 2, 0, 2), Stmt(LD|W|ABS, 16), retAllow, retAllow}, tokX86_64, 2, false},
		{"dead code after ret", Program{retAllow, Stmt(LD|W|ABS, 16), retA}, tokX86_64, 0, true},

		// and #k masks the loaded value.
		{"and masks", Program{
			ldNr, Stmt(ALU|AND|K, 0xff), Jump(JMP|JEQ|K, 1, 0, 1), retAllow, retErrno}, tokX86_64, 0x101, true},
		{"and masks miss", Program{
			ldNr, Stmt(ALU|AND|K, 0xff), Jump(JMP|JEQ|K, 1, 0, 1), retAllow, retErrno}, tokX86_64, 0x102, false},
		{"and on arch", Program{
			ldArch, Stmt(ALU|AND|K, 0x40000000), Jump(JMP|JEQ|K, 0x40000000, 0, 1), retAllow, retKill}, tokI386, 0, true},
		{"and before any load", Program{
			Stmt(ALU|AND|K, 0xff), Jump(JMP|JEQ|K, 0, 0, 1), retAllow, retKill}, tokX86_64, 7, true},
		{"load after and resets", Program{
			ldNr, Stmt(ALU|AND|K, 0), ldNr, Jump(JMP|JEQ|K, 0, 1, 0), retAllow, retKill}, tokX86_64, 5, true},
		{"and x", Program{ldNr, Stmt(ALU|AND|X, 0), retAllow}, tokX86_64, 0, false},
		{"or k", Program{ldNr, Stmt(ALU|OR|K, 0), retAllow}, tokX86_64, 0, false},
		{"add k", Program{ldNr, Stmt(ALU|ADD|K, 0), retAllow}, tokX86_64, 0, false},

		// Conditional jumps on K.
		{"jeq hit", Program{ldNr, Jump(JMP|JEQ|K, 7, 0, 1), retAllow, retKill}, tokX86_64, 7, true},
		{"jeq miss", Program{ldNr, Jump(JMP|JEQ|K, 7, 0, 1), retAllow, retKill}, tokX86_64, 8, false},
		{"jgt equal", Program{ldNr, Jump(JMP|JGT|K, 7, 0, 1), retAllow, retKill}, tokX86_64, 7, false},
		{"jgt above", Program{ldNr, Jump(JMP|JGT|K, 7, 0, 1), retAllow, retKill}, tokX86_64, 8, true},
		{"jge equal", Program{ldNr, Jump(JMP|JGE|K, 7, 0, 1), retAllow, retKill}, tokX86_64, 7, true},
		{"jge below", Program{ldNr, Jump(JMP|JGE|K, 7, 0, 1), retAllow, retKill}, tokX86_64, 6, false},
		{"jge unsigned", Program{ldNr, Jump(JMP|JGE|K, 7, 0, 1), retAllow, retKill}, tokX86_64, -1, true},
		{"jset hit", Program{ldNr, Jump(JMP|JSET|K, 1, 0, 1), retAllow, retKill}, tokX86_64, 3, true},
		{"jset miss", Program{ldNr, Jump(JMP|JSET|K, 1, 0, 1), retAllow, retKill}, tokX86_64, 2, false},
		{"jeq x", Program{ldNr, Jump(JMP|JEQ|X, 0, 0, 0), retAllow}, tokX86_64, 0, false},
		{"ja", Program{Stmt(JMP|JA, 1), retKill, retAllow}, tokX86_64, 0, true},

		// Programs the verifier rejects give false without panicking.
		{"fall off", Program{ldNr}, tokX86_64, 0, false},
		{"empty", Program{}, tokX86_64, 0, false},
		{"ja out", Program{Stmt(JMP|JA, 0xffffffff), retAllow}, tokX86_64, 0, false},
		{"jeq out", Program{Jump(JMP|JEQ|K, 0, 200, 200), retAllow}, tokX86_64, 0, false},
	}
	for _, tt := range tests {
		if got := ConstAllow(tt.p, tt.arch, tt.nr); got != tt.want {
			t.Errorf("%s: ConstAllow(arch %#x, nr %d) = %v, want %v", tt.name, tt.arch, tt.nr, got, tt.want)
		}
	}
}

func TestConstAllowBitmap(t *testing.T) {
	// Allow 0..2 and 5, everything else depends on arg0.
	p := Program{
		ldNr,
		Jump(JMP|JGE|K, 3, 0, 3),
		Jump(JMP|JEQ|K, 5, 2, 0),
		Stmt(LD|W|ABS, 16),
		retA,
		retAllow,
	}
	want := []bool{true, true, true, false, false, true, false}
	got := ConstAllowBitmap(p, tokX86_64, len(want))
	if len(got) != len(want) {
		t.Fatalf("len = %d, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("nr %d: %v, want %v", i, got[i], want[i])
		}
	}
	if got := ConstAllowBitmap(p, tokX86_64, -1); len(got) != 0 {
		t.Errorf("ConstAllowBitmap(-1) = %v, want empty", got)
	}
}
