package bpf

import (
	"errors"
	"strings"
	"testing"
)

var (
	retAllow = Stmt(RET|K, RetAllow)
	retA     = Stmt(RET|A, 0)
)

func repeat(ins Instruction, n int) Program {
	p := make(Program, n)
	for i := range p {
		p[i] = ins
	}
	return p
}

func TestVerify(t *testing.T) {
	const whole = -1
	const ok = -2
	tests := []struct {
		name    string
		prog    Program
		wantIdx int    // index in the error, whole, or ok
		wantMsg string // substring of the error
	}{
		// Length.
		{"empty", Program{}, whole, "empty"},
		{"one ret", Program{retAllow}, ok, ""},
		{"max length", append(repeat(Stmt(LD|IMM, 0), MaxInstructions-1), retA), ok, ""},
		{"too long", append(repeat(Stmt(LD|IMM, 0), MaxInstructions), retA), whole, "limit"},

		// Opcodes seccomp accepts.
		{"ret a", Program{retA}, ok, ""},
		{"ld imm", Program{Stmt(LD|IMM, 7), retA}, ok, ""},
		{"ldx imm", Program{Stmt(LDX|IMM, 7), retA}, ok, ""},
		{"ld len", Program{Stmt(LD|W|LEN, 0), retA}, ok, ""},
		{"ldx len", Program{Stmt(LDX|W|LEN, 0), retA}, ok, ""},
		{"tax txa", Program{Stmt(MISC|TAX, 0), Stmt(MISC|TXA, 0), retA}, ok, ""},
		{"neg", Program{Stmt(ALU|NEG, 0), retA}, ok, ""},
		{"alu k", Program{
			Stmt(ALU|ADD|K, 1), Stmt(ALU|SUB|K, 1), Stmt(ALU|MUL|K, 3),
			Stmt(ALU|DIV|K, 3), Stmt(ALU|AND|K, 1), Stmt(ALU|OR|K, 1),
			Stmt(ALU|XOR|K, 1), Stmt(ALU|LSH|K, 31), Stmt(ALU|RSH|K, 0), retA}, ok, ""},
		{"alu x", Program{
			Stmt(ALU|ADD|X, 0), Stmt(ALU|SUB|X, 0), Stmt(ALU|MUL|X, 0),
			Stmt(ALU|DIV|X, 0), Stmt(ALU|AND|X, 0), Stmt(ALU|OR|X, 0),
			Stmt(ALU|XOR|X, 0), Stmt(ALU|LSH|X, 0), Stmt(ALU|RSH|X, 0), retA}, ok, ""},
		{"jumps", Program{
			Jump(JMP|JEQ|K, 1, 0, 0), Jump(JMP|JEQ|X, 0, 0, 0),
			Jump(JMP|JGT|K, 1, 0, 0), Jump(JMP|JGT|X, 0, 0, 0),
			Jump(JMP|JGE|K, 1, 0, 0), Jump(JMP|JGE|X, 0, 0, 0),
			Jump(JMP|JSET|K, 1, 0, 0), Jump(JMP|JSET|X, 0, 0, 0),
			Stmt(JMP|JA, 0), retA}, ok, ""},
		{"loads of every word", func() Program {
			var p Program
			for k := uint32(0); k < SizeofData; k += 4 {
				p = append(p, Stmt(LD|W|ABS, k))
			}
			return append(p, retA)
		}(), ok, ""},
		{"scratch", Program{Stmt(ST, 0), Stmt(STX, 15), Stmt(LD|MEM, 0), Stmt(LDX|MEM, 15), retA}, ok, ""},

		// Unknown opcodes.
		{"opcode above 0xff", Program{{Op: 0x0106}, retA}, 0, "unknown opcode"},
		{"opcode 0xffff", Program{{Op: 0xffff}, retA}, 0, "unknown opcode"},
		{"ret x", Program{{Op: RET | X}, retA}, 0, "unknown opcode"},
		{"neg x", Program{{Op: ALU | NEG | X}, retA}, 0, "unknown opcode"},
		{"ja x", Program{{Op: JMP | JA | X}, retA}, 0, "unknown opcode"},
		{"ld h imm", Program{{Op: LD | H | IMM}, retA}, 0, "unknown opcode"},
		{"st with mode bits", Program{{Op: ST | MEM}, retA}, 0, "unknown opcode"},
		{"alu op 0xb0", Program{{Op: ALU | 0xb0}, retA}, 0, "unknown opcode"},
		{"ret with mode bits", Program{{Op: RET | ABS}}, 0, "unknown opcode"},

		// Classic BPF opcodes that seccomp refuses.
		{"ld h abs", Program{Stmt(LD|H|ABS, 0), retA}, 0, "not allowed"},
		{"ld b abs", Program{Stmt(LD|B|ABS, 0), retA}, 0, "not allowed"},
		{"ld w ind", Program{Stmt(LD|W|IND, 0), retA}, 0, "not allowed"},
		{"ld h ind", Program{Stmt(LD|H|IND, 0), retA}, 0, "not allowed"},
		{"ld b ind", Program{Stmt(LD|B|IND, 0), retA}, 0, "not allowed"},
		{"ldx msh", Program{Stmt(LDX|B|MSH, 0), retA}, 0, "not allowed"},
		{"mod k", Program{Stmt(ALU|MOD|K, 3), retA}, 0, "not allowed"},
		{"mod x", Program{Stmt(ALU|MOD|X, 0), retA}, 0, "not allowed"},
		{"ancillary load", Program{Stmt(LD|W|ABS, 0xfffff000), retA}, 0, "seccomp_data"},
		{"ancillary vlan tpid", Program{Stmt(LD|B|ABS, 0xfffff03c), retA}, 0, "not allowed"},

		// Constant operands.
		{"div by 0", Program{Stmt(ALU|DIV|K, 0), retA}, 0, "division"},
		{"mod by 0", Program{Stmt(ALU|MOD|K, 0), retA}, 0, "division"},
		{"lsh 32", Program{Stmt(ALU|LSH|K, 32), retA}, 0, "shift"},
		{"rsh 0xffffffff", Program{Stmt(ALU|RSH|K, 0xffffffff), retA}, 0, "shift"},

		// Loads from seccomp_data.
		{"load offset 64", Program{Stmt(LD|W|ABS, 64), retA}, 0, "seccomp_data"},
		{"load offset 2", Program{Stmt(LD|W|ABS, 2), retA}, 0, "seccomp_data"},
		{"load offset 61", Program{Stmt(LD|W|ABS, 61), retA}, 0, "seccomp_data"},
		{"unknown ancillary offset", Program{Stmt(LD|W|ABS, 0xfffff040), retA}, 0, "ancillary"},
		{"unknown ancillary offset byte", Program{Stmt(LD|B|ABS, 0xffffffff), retA}, 0, "ancillary"},

		// Scratch memory indices.
		{"ld M[16]", Program{Stmt(ST, 0), Stmt(LD|MEM, 16), retA}, 1, "scratch memory index"},
		{"ldx M[16]", Program{Stmt(LDX|MEM, 16), retA}, 0, "scratch memory index"},
		{"st M[16]", Program{Stmt(ST, 16), retA}, 0, "scratch memory index"},
		{"stx M[0xffffffff]", Program{Stmt(STX, 0xffffffff), retA}, 0, "scratch memory index"},

		// Jumps.
		{"ja to last", Program{Stmt(JMP|JA, 1), retA, retA}, ok, ""},
		{"ja past end", Program{Stmt(JMP|JA, 2), retA, retA}, 0, "leaves"},
		{"ja huge", Program{Stmt(JMP|JA, 0xffffffff), retA}, 0, "leaves"},
		{"ja at end", Program{retA, Stmt(JMP|JA, 0)}, 1, "leaves"},
		{"jt to last", Program{Jump(JMP|JEQ|K, 0, 1, 0), retA, retA}, ok, ""},
		{"jt past end", Program{Jump(JMP|JEQ|K, 0, 2, 0), retA, retA}, 0, "true jump"},
		{"jf past end", Program{Jump(JMP|JGT|X, 0, 0, 2), retA, retA}, 0, "false jump"},
		{"jset 255", append(Program{Jump(JMP|JSET|K, 1, 255, 255)}, repeat(retA, 255)...), 0, "true jump"},
		{"jset 255 fits", append(Program{Jump(JMP|JSET|K, 1, 255, 255)}, repeat(retA, 256)...), ok, ""},

		// The last instruction.
		{"last not ret", Program{retA, Stmt(LD|IMM, 0)}, 1, "not a return"},
		{"only a load", Program{Stmt(LD|W|ABS, 0)}, 0, "not a return"},

		// Scratch memory read before write.
		{"read before write", Program{Stmt(LD|MEM, 0), retA}, 0, "before"},
		{"ldx before write", Program{Stmt(ST, 1), Stmt(LDX|MEM, 0), retA}, 1, "before"},
		{"written on one branch", Program{
			Jump(JMP|JEQ|K, 0, 0, 1), Stmt(ST, 3), Stmt(LD|MEM, 3), retA}, 2, "before"},
		{"written on both branches", Program{
			Jump(JMP|JEQ|K, 0, 0, 2), Stmt(ST, 3), Stmt(JMP|JA, 1), Stmt(STX, 3), Stmt(LD|MEM, 3), retA}, ok, ""},
		{"written before the branch", Program{
			Stmt(ST, 3), Jump(JMP|JEQ|K, 0, 0, 1), Stmt(LD|IMM, 1), Stmt(LD|MEM, 3), retA}, ok, ""},
		{"ja skips the store", Program{
			Stmt(JMP|JA, 1), Stmt(ST, 2), Stmt(LDX|MEM, 2), retA}, 2, "before"},
		// Like the kernel: the state is not reset after a return, so
		// unreachable code is judged by the instructions before it.
		{"dead code after store", Program{Stmt(ST, 0), retA, Stmt(LD|MEM, 0), retA}, ok, ""},
		{"dead code without store", Program{retA, Stmt(LD|MEM, 0), retA}, 1, "before"},
		// And code after a jump that nothing reaches counts as written.
		{"dead code after jump", Program{Jump(JMP|JEQ|K, 0, 1, 1), Stmt(LD|MEM, 0), retA}, ok, ""},

		// The classic checks run over the whole program before the
		// seccomp ones, so the classic error is reported.
		{"classic error first", Program{Stmt(LD|W|ABS, 1), Stmt(ALU|DIV|K, 0), retA}, 1, "division"},
		{"not-ret before seccomp", Program{Stmt(LD|H|ABS, 0)}, 0, "not a return"},
		{"scratch check before seccomp", Program{Stmt(LD|H|ABS, 0), Stmt(LD|MEM, 0), retA}, 1, "before"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.prog.Verify()
			if tt.wantIdx == ok {
				if err != nil {
					t.Fatalf("Verify() = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Verify() = nil, want an error at %d containing %q", tt.wantIdx, tt.wantMsg)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("errors.Is(%v, ErrInvalid) = false", err)
			}
			var ve *VerifyError
			if !errors.As(err, &ve) {
				t.Fatalf("error %v is not a *VerifyError", err)
			}
			if ve.Index != tt.wantIdx {
				t.Errorf("Verify() = %v, want index %d", err, tt.wantIdx)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("Verify() = %v, want it to contain %q", err, tt.wantMsg)
			}
		})
	}
}

// TestVerifyAllOpcodes checks the opcode whitelist byte by byte against the
// list of seccomp_check_filter, written out here by value.
func TestVerifyAllOpcodes(t *testing.T) {
	allowed := map[uint16]bool{
		0x06: true, 0x16: true, // ret k, ret a
		0x04: true, 0x0c: true, 0x14: true, 0x1c: true, 0x24: true, 0x2c: true, // add sub mul
		0x34: true, 0x3c: true, 0x44: true, 0x4c: true, 0x54: true, 0x5c: true, // div or and
		0x64: true, 0x6c: true, 0x74: true, 0x7c: true, 0x84: true, // lsh rsh neg
		0xa4: true, 0xac: true, // xor
		0x00: true, 0x01: true, 0x07: true, 0x87: true, // ld imm, ldx imm, tax, txa
		0x60: true, 0x61: true, 0x02: true, 0x03: true, // ld mem, ldx mem, st, stx
		0x05: true, 0x15: true, 0x1d: true, 0x25: true, 0x2d: true, // ja jeq jgt
		0x35: true, 0x3d: true, 0x45: true, 0x4d: true, // jge jset
		0x20: true, 0x80: true, 0x81: true, // ld [k], ld len, ldx len
	}
	for op := 0; op <= 0xffff; op++ {
		// K = 4 is a valid load offset, a valid divisor and shift and a
		// valid scratch index (written first); jumps go to the next
		// instruction.
		p := Program{Stmt(ST, 4), Stmt(STX, 4), {Op: uint16(op), K: 4}, retA}
		if uint16(op) == JMP|JA {
			p[2].K = 0
		}
		err := p.Verify()
		if allowed[uint16(op)] != (err == nil) {
			t.Errorf("opcode %#04x: Verify() = %v, allowed %v", op, err, allowed[uint16(op)])
		}
	}
}
