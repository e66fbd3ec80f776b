package bpf

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strings"
	"testing"

	xbpf "golang.org/x/net/bpf"
)

func orderOf(bigEndian bool) binary.ByteOrder {
	if bigEndian {
		return binary.BigEndian
	}
	return binary.LittleEndian
}

// FuzzUnmarshalRoundTrip checks that decoding and re-encoding a raw
// program gives back the same bytes, and that nothing that inspects a
// decoded program panics.
func FuzzUnmarshalRoundTrip(f *testing.F) {
	f.Add(exampleLE(), false)
	f.Add(exampleLE(), true)
	f.Add([]byte{1, 2, 3}, false)
	f.Fuzz(func(t *testing.T, b []byte, bigEndian bool) {
		order := orderOf(bigEndian)
		p, err := Unmarshal(b, order)
		if len(b)%InstructionSize != 0 {
			if err == nil {
				t.Fatalf("Unmarshal of %d bytes: no error", len(b))
			}
			return
		}
		if err != nil {
			t.Fatalf("Unmarshal: %v", err)
		}
		if len(p) != len(b)/InstructionSize {
			t.Fatalf("%d instructions from %d bytes", len(p), len(b))
		}
		if back := p.Marshal(order); !bytes.Equal(back, b) {
			t.Fatalf("round trip changed the program:\n% x\n% x", b, back)
		}
		if err := p.Verify(); err != nil && !errors.Is(err, ErrInvalid) {
			t.Fatalf("Verify error %v does not match ErrInvalid", err)
		}
		if n := strings.Count(p.Disassemble(), "\n"); n != len(p) {
			t.Fatalf("Disassemble gave %d lines for %d instructions", n, len(p))
		}
		ConstAllow(p, 0xc000003e, 1)
		text := p.DisassembleOrder(order)
		q, err := Parse(text, order)
		if err != nil {
			t.Fatalf("Parse of the listing: %v\n%s", err, text)
		}
		if len(q) != len(p) {
			t.Fatalf("Parse gave %d instructions for %d", len(q), len(p))
		}
		for i := range p {
			if q[i] != canonical(p[i]) {
				t.Fatalf("instruction %d: %+v came back as %+v", i, p[i], q[i])
			}
		}
		for _, ins := range p {
			if FromRaw(ins.Raw()) != ins {
				t.Fatalf("%+v does not survive Raw/FromRaw", ins)
			}
		}
	})
}

// FuzzRunNoPanic runs arbitrary programs on arbitrary input. A program
// that verifies must run to a return within len(p) steps; any program must
// leave the interpreter without a panic. Verified programs are also run on
// golang.org/x/net/bpf's independent interpreter, on the big-endian image
// of struct seccomp_data (its loads are big-endian), and the results
// compared where the two define the same semantics.
func FuzzRunNoPanic(f *testing.F) {
	f.Add(exampleLE(), false, int32(1), uint32(0xc000003e), uint64(0), uint64(0), uint64(0), uint64(0), uint64(0), uint64(0), uint64(0))
	f.Fuzz(func(t *testing.T, b []byte, bigEndian bool, nr int32, arch uint32, ip, a0, a1, a2, a3, a4, a5 uint64) {
		order := orderOf(bigEndian)
		b = b[:len(b)/InstructionSize*InstructionSize]
		p, err := Unmarshal(b, order)
		if err != nil {
			t.Fatal(err)
		}
		d := Data{Nr: nr, Arch: arch, InstructionPointer: ip, Args: [6]uint64{a0, a1, a2, a3, a4, a5}}

		// The raw interpreter copes with anything.
		run(p, d, bigEndian)

		verr := p.Verify()
		ret, steps, err := p.Run(d, order)
		if verr != nil {
			if err == nil {
				t.Fatalf("Run of a program that fails Verify (%v) gave no error", verr)
			}
			return
		}
		if err != nil {
			t.Fatalf("Run of a verified program: %v", err)
		}
		if steps < 1 || steps > len(p) {
			t.Fatalf("%d steps in a %d-instruction program", steps, len(p))
		}
		if ConstAllow(p, arch, nr) {
			if ret != RetAllow {
				t.Fatalf("ConstAllow is true but Run returned %#x", ret)
			}
		}

		if xret, ok := runXNet(p, d); ok {
			bret, _, err := p.Run(d, binary.BigEndian)
			if err != nil {
				t.Fatalf("Run on big-endian data: %v", err)
			}
			if xret != bret {
				t.Fatalf("x/net/bpf returned %#x, Run returned %#x\n%s", xret, bret, p.DisassembleOrder(binary.BigEndian))
			}
		}
	})
}

// runXNet runs p on golang.org/x/net/bpf's VM. It reports !ok when the
// program uses an instruction whose semantics differ there (NEG, which it
// lacks; shifts by X, where it does not reduce the count modulo 32; the
// X form of LEN, which it cannot decode).
func runXNet(p Program, d Data) (uint32, bool) {
	if !bigEndianRun(p) {
		return 0, false
	}
	insns, ok := p.XNet()
	if !ok {
		return 0, false
	}
	vm, err := xbpf.NewVM(insns)
	if err != nil {
		return 0, false
	}
	img := d.Bytes(binary.BigEndian)
	out, err := vm.Run(img[:])
	if err != nil {
		return 0, false
	}
	return uint32(out), true
}

// bigEndianRun reports whether p avoids the instructions runXNet cannot
// compare. The result is then compared with Run on big-endian data.
func bigEndianRun(p Program) bool {
	for _, ins := range p {
		switch ins.Op {
		case ALU | NEG, ALU | LSH | X, ALU | RSH | X, LDX | W | LEN:
			return false
		}
	}
	return true
}

func exampleLE() []byte {
	return Program{
		Stmt(LD|W|ABS, OffsetArch),
		Jump(JMP|JEQ|K, 0xc000003e, 1, 0),
		Stmt(RET|K, RetKillProcess),
		Stmt(LD|W|ABS, OffsetNr),
		Jump(JMP|JEQ|K, 1, 0, 1),
		Stmt(RET|K, RetErrno|1),
		Stmt(RET|K, RetAllow),
	}.Marshal(binary.LittleEndian)
}
