package bpf

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"

	xbpf "golang.org/x/net/bpf"
)

func TestMarshal(t *testing.T) {
	p := Program{
		{Op: 0x0020, Jt: 0x00, Jf: 0x00, K: 0x00000004},
		{Op: 0x0015, Jt: 0x01, Jf: 0x02, K: 0xc000003e},
		{Op: 0x0006, Jt: 0x00, Jf: 0x00, K: 0x7fff0000},
	}
	tests := []struct {
		name  string
		order binary.ByteOrder
		want  []byte
	}{
		{"little", binary.LittleEndian, []byte{
			0x20, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00,
			0x15, 0x00, 0x01, 0x02, 0x3e, 0x00, 0x00, 0xc0,
			0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0x7f,
		}},
		{"big", binary.BigEndian, []byte{
			0x00, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04,
			0x00, 0x15, 0x01, 0x02, 0xc0, 0x00, 0x00, 0x3e,
			0x00, 0x06, 0x00, 0x00, 0x7f, 0xff, 0x00, 0x00,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := p.Marshal(tt.order)
			if !bytes.Equal(got, tt.want) {
				t.Errorf("Marshal = % x, want % x", got, tt.want)
			}
			back, err := Unmarshal(tt.want, tt.order)
			if err != nil {
				t.Fatalf("Unmarshal: %v", err)
			}
			if len(back) != len(p) {
				t.Fatalf("Unmarshal gave %d instructions, want %d", len(back), len(p))
			}
			for i := range p {
				if back[i] != p[i] {
					t.Errorf("instruction %d = %+v, want %+v", i, back[i], p[i])
				}
			}
		})
	}
}

func TestMarshalNilOrderIsNative(t *testing.T) {
	p := Program{Stmt(RET|K, RetAllow)}
	if got, want := p.Marshal(nil), p.Marshal(binary.NativeEndian); !bytes.Equal(got, want) {
		t.Errorf("Marshal(nil) = % x, want % x", got, want)
	}
}

func TestUnmarshalErrors(t *testing.T) {
	for _, n := range []int{1, 7, 9, 15} {
		if _, err := Unmarshal(make([]byte, n), binary.LittleEndian); err == nil {
			t.Errorf("Unmarshal of %d bytes: no error", n)
		}
	}
	p, err := Unmarshal(nil, binary.BigEndian)
	if err != nil || len(p) != 0 {
		t.Errorf("Unmarshal(nil) = %v, %v; want empty program", p, err)
	}
}

func TestDetectByteOrder(t *testing.T) {
	p := Program{
		Stmt(LD|W|ABS, OffsetArch),
		Jump(JMP|JEQ|K, 0xc000003e, 0, 1),
		Stmt(RET|K, RetAllow),
		Stmt(RET|K, RetKillProcess),
	}
	for _, order := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
		got, err := DetectByteOrder(p.Marshal(order))
		if err != nil || got != order {
			t.Errorf("DetectByteOrder(%v encoding) = %v, %v", order, got, err)
		}
	}
	if _, err := DetectByteOrder([]byte{0xff, 0xff, 0, 0, 0, 0, 0, 0}); !errors.Is(err, ErrInvalid) {
		t.Errorf("DetectByteOrder(garbage) error = %v, want ErrInvalid", err)
	}
	if _, err := DetectByteOrder([]byte{1, 2, 3}); err == nil {
		t.Error("DetectByteOrder(3 bytes): no error")
	}
}

func TestXNetConversion(t *testing.T) {
	insns := []xbpf.Instruction{
		xbpf.LoadAbsolute{Off: 4, Size: 4},
		xbpf.JumpIf{Cond: xbpf.JumpEqual, Val: 0xc000003e, SkipTrue: 1},
		xbpf.RetConstant{Val: RetKillProcess},
		xbpf.LoadAbsolute{Off: 0, Size: 4},
		xbpf.ALUOpConstant{Op: xbpf.ALUOpAnd, Val: 0xff},
		xbpf.StoreScratch{Src: xbpf.RegA, N: 3},
		xbpf.LoadScratch{Dst: xbpf.RegX, N: 3},
		xbpf.TXA{},
		xbpf.RetA{},
	}
	want := Program{
		{Op: 0x20, K: 4},
		{Op: 0x15, Jt: 1, K: 0xc000003e},
		{Op: 0x06, K: 0x80000000},
		{Op: 0x20, K: 0},
		{Op: 0x54, K: 0xff},
		{Op: 0x02, K: 3},
		{Op: 0x61, K: 3},
		{Op: 0x87},
		{Op: 0x16},
	}
	p, err := Assemble(insns)
	if err != nil {
		t.Fatal(err)
	}
	if len(p) != len(want) {
		t.Fatalf("Assemble gave %d instructions, want %d", len(p), len(want))
	}
	for i := range want {
		if p[i] != want[i] {
			t.Errorf("instruction %d = %+v, want %+v", i, p[i], want[i])
		}
		if FromRaw(p[i].Raw()) != p[i] {
			t.Errorf("instruction %d does not survive Raw/FromRaw", i)
		}
	}
	back, ok := p.XNet()
	if !ok {
		t.Fatal("XNet: not all instructions decoded")
	}
	for i := range insns {
		if back[i] != insns[i] {
			t.Errorf("XNet()[%d] = %#v, want %#v", i, back[i], insns[i])
		}
	}
	if _, ok := (Program{{Op: 0xffff}}).XNet(); ok {
		t.Error("XNet of an unknown opcode reported ok")
	}
	if _, err := Assemble([]xbpf.Instruction{xbpf.LoadAbsolute{Off: 0, Size: 3}}); err == nil {
		t.Error("Assemble of a 3-byte load: no error")
	}
}

func TestOpcodeFields(t *testing.T) {
	op := uint16(JMP | JSET | X)
	if Class(op) != JMP || Operation(op) != JSET || Source(op) != X {
		t.Errorf("fields of %#x: class %#x op %#x src %#x", op, Class(op), Operation(op), Source(op))
	}
	op = LDX | B | MSH
	if Class(op) != LDX || Size(op) != B || Mode(op) != MSH {
		t.Errorf("fields of %#x: class %#x size %#x mode %#x", op, Class(op), Size(op), Mode(op))
	}
	// The values of linux/bpf_common.h.
	for _, c := range []struct {
		got, want uint16
	}{
		{LD | W | ABS, 0x20}, {LD | W | LEN, 0x80}, {LDX | W | LEN, 0x81},
		{LD | IMM, 0x00}, {LDX | IMM, 0x01}, {LD | MEM, 0x60}, {LDX | MEM, 0x61},
		{ST, 0x02}, {STX, 0x03}, {ALU | NEG, 0x84}, {ALU | XOR | X, 0xac},
		{JMP | JA, 0x05}, {JMP | JEQ | K, 0x15}, {JMP | JGT | K, 0x25},
		{JMP | JGE | K, 0x35}, {JMP | JSET | K, 0x45}, {RET | K, 0x06},
		{RET | A, 0x16}, {MISC | TAX, 0x07}, {MISC | TXA, 0x87},
		{LDX | B | MSH, 0xb1}, {ALU | MOD | K, 0x94},
	} {
		if c.got != c.want {
			t.Errorf("opcode %#x, want %#x", c.got, c.want)
		}
	}
}
