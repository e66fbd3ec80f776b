package bpf

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"
)

// randomProgram builds a program that Verify accepts, from the seccomp
// instructions whose semantics golang.org/x/net/bpf shares (see
// bigEndianRun).
func randomProgram(r *rand.Rand, n int) Program {
	var p Program
	// Write every scratch cell first, so loads from M[] are valid.
	for i := uint32(0); i < MemWords; i++ {
		p = append(p, Stmt(ST, i))
	}
	ops := []uint16{
		LD | W | ABS, LD | W | LEN, LD | IMM, LDX | IMM, LD | MEM, LDX | MEM, ST, STX,
		MISC | TAX, MISC | TXA,
		ALU | ADD | K, ALU | ADD | X, ALU | SUB | K, ALU | SUB | X, ALU | MUL | K, ALU | MUL | X,
		ALU | DIV | K, ALU | DIV | X, ALU | AND | K, ALU | AND | X, ALU | OR | K, ALU | OR | X,
		ALU | XOR | K, ALU | XOR | X, ALU | LSH | K, ALU | RSH | K,
		JMP | JA, JMP | JEQ | K, JMP | JEQ | X, JMP | JGT | K, JMP | JGT | X,
		JMP | JGE | K, JMP | JGE | X, JMP | JSET | K, JMP | JSET | X,
		RET | K, RET | A,
	}
	for len(p) < n-1 {
		op := ops[r.IntN(len(ops))]
		ins := Instruction{Op: op, K: r.Uint32()}
		left := n - 1 - len(p) // instructions after this one, the final ret included
		switch op {
		case LD | W | ABS:
			ins.K = uint32(r.IntN(SizeofData/4)) * 4
		case LD | MEM, LDX | MEM, ST, STX:
			ins.K = uint32(r.IntN(MemWords))
		case ALU | DIV | K:
			ins.K = 1 + uint32(r.IntN(100))
		case ALU | LSH | K, ALU | RSH | K:
			ins.K = uint32(r.IntN(32))
		case JMP | JA:
			ins.K = uint32(r.IntN(left))
		}
		if Class(op) == JMP && op != JMP|JA {
			if r.IntN(2) == 0 {
				ins.K = uint32(r.IntN(8)) // small constants compare equal more often
			}
			ins.Jt = uint8(r.IntN(min(left, 256)))
			ins.Jf = uint8(r.IntN(min(left, 256)))
		}
		p = append(p, ins)
	}
	return append(p, retA)
}

// TestRunAgainstXNet compares Run with the independent interpreter of
// golang.org/x/net/bpf on random valid programs and inputs.
func TestRunAgainstXNet(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	compared := 0
	for i := 0; i < 2000; i++ {
		p := randomProgram(r, 20+r.IntN(60))
		if err := p.Verify(); err != nil {
			t.Fatalf("random program does not verify: %v\n%s", err, p.Disassemble())
		}
		for j := 0; j < 4; j++ {
			d := Data{Nr: int32(r.IntN(8)), Arch: r.Uint32()}
			if j > 0 {
				d.Nr = int32(r.Uint32())
			}
			d.InstructionPointer = r.Uint64()
			for a := range d.Args {
				d.Args[a] = r.Uint64() >> r.IntN(64)
			}
			want, ok := runXNet(p, d)
			if !ok {
				t.Fatalf("x/net/bpf cannot run\n%s", p.Disassemble())
			}
			got, steps, err := p.Run(d, binary.BigEndian)
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Fatalf("Run = %#x, x/net/bpf = %#x for %+v\n%s", got, want, d, p.DisassembleOrder(binary.BigEndian))
			}
			if steps > len(p) {
				t.Fatalf("%d steps for %d instructions", steps, len(p))
			}
			compared++
		}
	}
	if compared == 0 {
		t.Fatal("nothing compared")
	}
}
