package bpf

import (
	"encoding/binary"
	"errors"
	"testing"
)

func TestDataBytes(t *testing.T) {
	d := Data{
		Nr:                 -1,
		Arch:               0xc000003e,
		InstructionPointer: 0x1122334455667788,
		Args:               [6]uint64{0x0102030405060708, 0, 0, 0, 0, 0xa0a1a2a3a4a5a6a7},
	}
	le := d.Bytes(binary.LittleEndian)
	be := d.Bytes(binary.BigEndian)
	checks := []struct {
		name string
		got  []byte
		want []byte
	}{
		{"le nr", le[0:4], []byte{0xff, 0xff, 0xff, 0xff}},
		{"le arch", le[4:8], []byte{0x3e, 0x00, 0x00, 0xc0}},
		{"le ip", le[8:16], []byte{0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11}},
		{"le arg0", le[16:24], []byte{8, 7, 6, 5, 4, 3, 2, 1}},
		{"le arg5", le[56:64], []byte{0xa7, 0xa6, 0xa5, 0xa4, 0xa3, 0xa2, 0xa1, 0xa0}},
		{"be arch", be[4:8], []byte{0xc0, 0x00, 0x00, 0x3e}},
		{"be ip", be[8:16], []byte{0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88}},
		{"be arg0", be[16:24], []byte{1, 2, 3, 4, 5, 6, 7, 8}},
	}
	for _, c := range checks {
		if string(c.got) != string(c.want) {
			t.Errorf("%s = % x, want % x", c.name, c.got, c.want)
		}
	}
}

func TestArgOffset(t *testing.T) {
	tests := []struct {
		arg   int
		high  bool
		order binary.ByteOrder
		want  uint32
	}{
		{0, false, binary.LittleEndian, 16},
		{0, true, binary.LittleEndian, 20},
		{1, false, binary.LittleEndian, 24},
		{5, true, binary.LittleEndian, 60},
		{0, false, binary.BigEndian, 20},
		{0, true, binary.BigEndian, 16},
		{1, false, binary.BigEndian, 28},
		{5, false, binary.BigEndian, 60},
	}
	for _, tt := range tests {
		if got := ArgOffset(tt.arg, tt.high, tt.order); got != tt.want {
			t.Errorf("ArgOffset(%d, %v, %v) = %d, want %d", tt.arg, tt.high, tt.order, got, tt.want)
		}
	}
	if got := InstructionPointerOffset(false, binary.LittleEndian); got != 8 {
		t.Errorf("ip lo LE = %d, want 8", got)
	}
	if got := InstructionPointerOffset(false, binary.BigEndian); got != 12 {
		t.Errorf("ip lo BE = %d, want 12", got)
	}
}

// ret computes A with the given instructions and returns it.
func calc(insns ...Instruction) Program {
	return append(Program(insns), retA)
}

func TestRun(t *testing.T) {
	d := Data{
		Nr:                 257,
		Arch:               0xc000003e,
		InstructionPointer: 0x00007fff12345678,
		Args:               [6]uint64{0xffffffff00000001, 2, 0x100000000, 0, 0, 0xdeadbeefcafef00d},
	}
	le, be := binary.ByteOrder(binary.LittleEndian), binary.ByteOrder(binary.BigEndian)
	tests := []struct {
		name      string
		prog      Program
		order     binary.ByteOrder
		want      uint32
		wantSteps int
	}{
		{"ret k", Program{Stmt(RET|K, RetErrno|13)}, le, 0x0005000d, 1},
		{"ld nr", calc(Stmt(LD|W|ABS, 0)), le, 257, 2},
		{"ld nr be", calc(Stmt(LD|W|ABS, 0)), be, 257, 2},
		{"ld arch", calc(Stmt(LD|W|ABS, 4)), le, 0xc000003e, 2},
		{"ld ip lo le", calc(Stmt(LD|W|ABS, 8)), le, 0x12345678, 2},
		{"ld ip hi le", calc(Stmt(LD|W|ABS, 12)), le, 0x00007fff, 2},
		{"ld ip hi be", calc(Stmt(LD|W|ABS, 8)), be, 0x00007fff, 2},
		{"ld ip lo be", calc(Stmt(LD|W|ABS, 12)), be, 0x12345678, 2},
		{"arg0 lo le", calc(Stmt(LD|W|ABS, 16)), le, 1, 2},
		{"arg0 hi le", calc(Stmt(LD|W|ABS, 20)), le, 0xffffffff, 2},
		{"arg0 hi be", calc(Stmt(LD|W|ABS, 16)), be, 0xffffffff, 2},
		{"arg0 lo be", calc(Stmt(LD|W|ABS, 20)), be, 1, 2},
		{"arg2 hi le", calc(Stmt(LD|W|ABS, 36)), le, 1, 2},
		{"arg2 lo le", calc(Stmt(LD|W|ABS, 32)), le, 0, 2},
		{"arg5 lo be", calc(Stmt(LD|W|ABS, 60)), be, 0xcafef00d, 2},
		{"arg5 lo le", calc(Stmt(LD|W|ABS, 56)), le, 0xcafef00d, 2},
		{"ld len", calc(Stmt(LD|W|LEN, 0)), le, 64, 2},
		{"ldx len", calc(Stmt(LDX|W|LEN, 0), Stmt(MISC|TXA, 0)), le, 64, 3},
		{"ld imm", calc(Stmt(LD|IMM, 0xabcd)), le, 0xabcd, 2},
		{"ldx imm tax", calc(Stmt(LDX|IMM, 9), Stmt(MISC|TXA, 0)), le, 9, 3},
		{"tax", calc(Stmt(LD|IMM, 5), Stmt(MISC|TAX, 0), Stmt(LD|IMM, 0), Stmt(MISC|TXA, 0)), le, 5, 5},
		{"registers start at 0", calc(Stmt(ALU|ADD|X, 0)), le, 0, 2},
		{"add", calc(Stmt(LD|IMM, 0xfffffffe), Stmt(ALU|ADD|K, 3)), le, 1, 3},
		{"sub", calc(Stmt(LD|IMM, 1), Stmt(ALU|SUB|K, 2)), le, 0xffffffff, 3},
		{"mul", calc(Stmt(LD|IMM, 0x10000), Stmt(ALU|MUL|K, 0x10001)), le, 0x10000, 3},
		{"div", calc(Stmt(LD|IMM, 100), Stmt(ALU|DIV|K, 7)), le, 14, 3},
		{"div unsigned", calc(Stmt(LD|IMM, 0xfffffff0), Stmt(ALU|DIV|K, 2)), le, 0x7ffffff8, 3},
		{"and", calc(Stmt(LD|IMM, 0xf0f0), Stmt(ALU|AND|K, 0xff00)), le, 0xf000, 3},
		{"or", calc(Stmt(LD|IMM, 0xf0f0), Stmt(ALU|OR|K, 0xff00)), le, 0xfff0, 3},
		{"xor", calc(Stmt(LD|IMM, 0xf0f0), Stmt(ALU|XOR|K, 0xff00)), le, 0x0ff0, 3},
		{"lsh", calc(Stmt(LD|IMM, 0x80000001), Stmt(ALU|LSH|K, 4)), le, 0x10, 3},
		{"rsh", calc(Stmt(LD|IMM, 0x80000001), Stmt(ALU|RSH|K, 31)), le, 1, 3},
		{"neg", calc(Stmt(LD|IMM, 1), Stmt(ALU|NEG, 0)), le, 0xffffffff, 3},
		{"add x", calc(Stmt(LDX|IMM, 5), Stmt(LD|IMM, 6), Stmt(ALU|ADD|X, 0)), le, 11, 4},
		{"sub x", calc(Stmt(LDX|IMM, 5), Stmt(LD|IMM, 6), Stmt(ALU|SUB|X, 0)), le, 1, 4},
		{"mul x", calc(Stmt(LDX|IMM, 5), Stmt(LD|IMM, 6), Stmt(ALU|MUL|X, 0)), le, 30, 4},
		{"div x", calc(Stmt(LDX|IMM, 5), Stmt(LD|IMM, 16), Stmt(ALU|DIV|X, 0)), le, 3, 4},
		{"and x", calc(Stmt(LDX|IMM, 5), Stmt(LD|IMM, 6), Stmt(ALU|AND|X, 0)), le, 4, 4},
		{"or x", calc(Stmt(LDX|IMM, 5), Stmt(LD|IMM, 6), Stmt(ALU|OR|X, 0)), le, 7, 4},
		{"xor x", calc(Stmt(LDX|IMM, 5), Stmt(LD|IMM, 6), Stmt(ALU|XOR|X, 0)), le, 3, 4},
		{"lsh x", calc(Stmt(LDX|IMM, 5), Stmt(LD|IMM, 6), Stmt(ALU|LSH|X, 0)), le, 192, 4},
		{"rsh x", calc(Stmt(LDX|IMM, 1), Stmt(LD|IMM, 6), Stmt(ALU|RSH|X, 0)), le, 3, 4},
		// The kernel reduces shift counts from X modulo 32.
		{"lsh x 33", calc(Stmt(LDX|IMM, 33), Stmt(LD|IMM, 6), Stmt(ALU|LSH|X, 0)), le, 12, 4},
		{"rsh x 32", calc(Stmt(LDX|IMM, 32), Stmt(LD|IMM, 6), Stmt(ALU|RSH|X, 0)), le, 6, 4},
		// Division by X = 0 ends the program with 0 (KILL_THREAD).
		{"div x zero", calc(Stmt(LD|IMM, 6), Stmt(ALU|DIV|X, 0), Stmt(LD|IMM, 1)), le, 0, 2},
		{"scratch", calc(
			Stmt(LD|IMM, 11), Stmt(ST, 15), Stmt(LDX|IMM, 22), Stmt(STX, 0),
			Stmt(LD|MEM, 0), Stmt(LDX|MEM, 15), Stmt(ALU|SUB|X, 0)), le, 11, 8},
		{"ja", Program{Stmt(JMP|JA, 1), Stmt(RET|K, 1), Stmt(RET|K, 2)}, le, 2, 2},
		{"ja 0", Program{Stmt(JMP|JA, 0), Stmt(RET|K, 1)}, le, 1, 2},
		{"ret a after load", calc(Stmt(LD|W|ABS, 4), Stmt(ALU|AND|K, 0xff)), le, 0x3e, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, steps, err := tt.prog.Run(d, tt.order)
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if got != tt.want || steps != tt.wantSteps {
				t.Errorf("Run = %#x in %d steps, want %#x in %d", got, steps, tt.want, tt.wantSteps)
			}
		})
	}
}

func TestRunJumps(t *testing.T) {
	// jump(op, k) returns 1 if the condition holds on A = a (and X = k for
	// the X forms), else 2.
	type jc struct {
		op   uint16
		a, k uint32
		want uint32
	}
	tests := []jc{
		{JEQ, 5, 5, 1}, {JEQ, 5, 6, 2}, {JEQ, 0xffffffff, 0xffffffff, 1},
		{JGT, 6, 5, 1}, {JGT, 5, 5, 2}, {JGT, 0x80000000, 1, 1}, {JGT, 1, 0xffffffff, 2},
		{JGE, 5, 5, 1}, {JGE, 4, 5, 2}, {JGE, 0xffffffff, 0x80000000, 1},
		{JSET, 6, 2, 1}, {JSET, 6, 1, 2}, {JSET, 0x80000000, 0x80000000, 1}, {JSET, 0, 0xffffffff, 2},
	}
	for _, tt := range tests {
		for _, src := range []uint16{K, X} {
			p := Program{
				Stmt(LD|IMM, tt.a),
				Stmt(LDX|IMM, tt.k),
				Jump(JMP|tt.op|src, tt.k, 1, 0),
				Stmt(JMP|JA, 1),
				Stmt(RET|K, 1),
				Stmt(RET|K, 2),
			}
			wantSteps := 4
			if tt.want == 2 {
				wantSteps = 5
			}
			// The false branch goes through the ja.
			got, steps, err := p.Run(Data{}, binary.LittleEndian)
			if err != nil {
				t.Fatal(err)
			}
			if tt.want == 2 {
				// jf 0 -> ja 1 -> ret 2
				if got != 2 || steps != wantSteps {
					t.Errorf("op %#x src %#x a=%#x k=%#x: got %d in %d steps, want 2 in %d", tt.op, src, tt.a, tt.k, got, steps, wantSteps)
				}
			} else if got != 1 || steps != wantSteps {
				t.Errorf("op %#x src %#x a=%#x k=%#x: got %d in %d steps, want 1 in %d", tt.op, src, tt.a, tt.k, got, steps, wantSteps)
			}
		}
	}
}

// TestRunArgCheck runs a typical libseccomp-style 64-bit argument check
// (arg1 == 0x1_0000_0002) in both byte orders.
func TestRunArgCheck(t *testing.T) {
	for _, order := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
		p := Program{
			Stmt(LD|W|ABS, ArgOffset(1, true, order)),
			Jump(JMP|JEQ|K, 1, 0, 3),
			Stmt(LD|W|ABS, ArgOffset(1, false, order)),
			Jump(JMP|JEQ|K, 2, 0, 1),
			Stmt(RET|K, RetErrno|1),
			Stmt(RET|K, RetAllow),
		}
		tests := []struct {
			arg       uint64
			want      uint32
			wantSteps int
		}{
			{0x100000002, RetErrno | 1, 5},
			{0x000000002, RetAllow, 3},
			{0x100000003, RetAllow, 5},
			{0x200000002, RetAllow, 3},
		}
		for _, tt := range tests {
			got, steps, err := p.Run(Data{Args: [6]uint64{0, tt.arg}}, order)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want || steps != tt.wantSteps {
				t.Errorf("%v arg %#x: %s in %d steps, want %s in %d", order, tt.arg, ActionString(got), steps, ActionString(tt.want), tt.wantSteps)
			}
		}
	}
}

func TestRunRejectsInvalid(t *testing.T) {
	for _, p := range []Program{
		nil,
		{Stmt(LD|W|ABS, 64), retA},
		{Stmt(LD|H|ABS, 0), retA},
		{Stmt(LD|IMM, 0)},
		{Stmt(LD|MEM, 0), retA},
	} {
		if _, _, err := p.Run(Data{}, binary.LittleEndian); !errors.Is(err, ErrInvalid) {
			t.Errorf("Run(%v) error = %v, want ErrInvalid", p, err)
		}
	}
}

// TestRunUnverified drives the interpreter directly on programs the
// verifier would refuse: it must report an error, not panic.
func TestRunUnverified(t *testing.T) {
	tests := []struct {
		name string
		prog Program
		idx  int
	}{
		{"empty", Program{}, -1},
		{"fall off", Program{Stmt(LD|IMM, 0)}, 0},
		{"load past end", Program{Stmt(LD|W|ABS, 64), retA}, 0},
		{"unaligned load", Program{Stmt(LD|W|ABS, 1), retA}, 0},
		{"ld M[16]", Program{Stmt(LD|MEM, 16), retA}, 0},
		{"ldx M[16]", Program{Stmt(LDX|MEM, 16), retA}, 0},
		{"st M[16]", Program{Stmt(ST, 16), retA}, 0},
		{"stx M[16]", Program{Stmt(STX, 16), retA}, 0},
		{"ja out", Program{Stmt(JMP|JA, 5), retA}, 0},
		{"jeq out", Program{Jump(JMP|JEQ|K, 0, 5, 5), retA}, 0},
		{"bad alu", Program{{Op: ALU | 0xf0}, retA}, 0},
		{"bad jump", Program{{Op: JMP | 0x70}, retA}, 0},
		{"ld h", Program{Stmt(LD|H|ABS, 0), retA}, 0},
		{"alu with high bits", Program{{Op: 0x0104}, retA}, 0},
		{"jump with high bits", Program{{Op: 0x0115}, retA}, 0},
		{"shift k 32", Program{Stmt(ALU|LSH|K, 32), retA}, 0},
		{"mod k 0", Program{Stmt(ALU|MOD|K, 0), retA}, 0},
	}
	for _, tt := range tests {
		_, _, err := run(tt.prog, Data{}, false)
		var re *RunError
		if !errors.As(err, &re) || !errors.Is(err, ErrRun) {
			t.Errorf("%s: error %v, want a *RunError", tt.name, err)
			continue
		}
		if re.Index != tt.idx {
			t.Errorf("%s: error at %d, want %d", tt.name, re.Index, tt.idx)
		}
	}
}

func TestVM(t *testing.T) {
	p := Program{Stmt(LD|W|ABS, 0), Jump(JMP|JGE|K, 100, 0, 1), Stmt(RET|K, RetTrap), retAllow}
	vm, err := NewVM(p, binary.BigEndian)
	if err != nil {
		t.Fatal(err)
	}
	p[3] = Stmt(RET|K, RetLog) // the VM keeps its own copy
	for _, c := range []struct {
		nr   int32
		want uint32
	}{{99, RetAllow}, {100, RetTrap}, {-1, RetTrap}} {
		got, _, err := vm.Run(Data{Nr: c.nr})
		if err != nil || got != c.want {
			t.Errorf("nr %d: %s, %v; want %s", c.nr, ActionString(got), err, ActionString(c.want))
		}
	}
	if _, err := NewVM(Program{}, nil); err == nil {
		t.Error("NewVM(empty): no error")
	}
}

func TestNilVM(t *testing.T) {
	var vm *VM
	ret, steps, err := vm.Run(Data{})
	if err == nil || ret != 0 || steps != 0 {
		t.Errorf("nil VM: %#x, %d steps, %v; want an error", ret, steps, err)
	}
}

// TestLoadMatchesImage checks that every load reads the word the kernel's
// memory image of struct seccomp_data holds at that offset.
func TestLoadMatchesImage(t *testing.T) {
	d := Data{Nr: -5, Arch: 0x80000016, InstructionPointer: 0x0102030405060708}
	for i := range d.Args {
		d.Args[i] = uint64(i+1)<<56 | uint64(i+1)<<32 | uint64(0xa0+i)
	}
	for _, order := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
		img := d.Bytes(order)
		for k := uint32(0); k < SizeofData; k += 4 {
			got, _, err := Program{Stmt(LD|W|ABS, k), retA}.Run(d, order)
			if err != nil {
				t.Fatal(err)
			}
			if want := order.Uint32(img[k:]); got != want {
				t.Errorf("%v: ld [%d] = %#x, image holds %#x", order, k, got, want)
			}
		}
	}
}

// TestVMOrder checks that a VM reads struct seccomp_data in the byte order
// it was made for, as Program.Run does, and that Run does not allocate.
func TestVMOrder(t *testing.T) {
	d := Data{Args: [6]uint64{0x0000000100000002}}
	p := Program{Stmt(LD|W|ABS, OffsetArgs), retA}
	for _, c := range []struct {
		order binary.ByteOrder
		want  uint32
	}{{binary.LittleEndian, 2}, {binary.BigEndian, 1}} {
		vm, err := NewVM(p, c.order)
		if err != nil {
			t.Fatal(err)
		}
		got, _, err := vm.Run(d)
		if err != nil || got != c.want {
			t.Errorf("%v: VM ld [%d] = %#x, %v; want %#x", c.order, OffsetArgs, got, err, c.want)
		}
		if got, _, err := p.Run(d, c.order); err != nil || got != c.want {
			t.Errorf("%v: Program.Run ld [%d] = %#x, %v; want %#x", c.order, OffsetArgs, got, err, c.want)
		}
		if n := testing.AllocsPerRun(100, func() { vm.Run(d) }); n != 0 {
			t.Errorf("%v: VM.Run allocates %v times per run", c.order, n)
		}
	}
}
