package bpf_test

import (
	"encoding/binary"
	"fmt"

	"github.com/seccomp-go/seccomp/bpf"
)

// auditArchX86_64 is AUDIT_ARCH_X86_64.
const auditArchX86_64 = 0xc000003e

// exampleProgram fails openat (257) with EPERM on x86_64, kills the
// process on any other architecture and allows everything else.
var exampleProgram = bpf.Program{
	bpf.Stmt(bpf.LD|bpf.W|bpf.ABS, bpf.OffsetArch),
	bpf.Jump(bpf.JMP|bpf.JEQ|bpf.K, auditArchX86_64, 0, 4),
	bpf.Stmt(bpf.LD|bpf.W|bpf.ABS, bpf.OffsetNr),
	bpf.Jump(bpf.JMP|bpf.JEQ|bpf.K, 257, 0, 1),
	bpf.Stmt(bpf.RET|bpf.K, bpf.RetErrno|1),
	bpf.Stmt(bpf.RET|bpf.K, bpf.RetAllow),
	bpf.Stmt(bpf.RET|bpf.K, bpf.RetKillProcess),
}

func ExampleProgram_Run() {
	if err := exampleProgram.Verify(); err != nil {
		fmt.Println(err)
		return
	}
	for _, nr := range []int32{257, 0} {
		ret, steps, err := exampleProgram.Run(bpf.Data{Nr: nr, Arch: auditArchX86_64}, binary.LittleEndian)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("nr %d: %s after %d instructions\n", nr, bpf.ActionString(ret), steps)
	}
	// Output:
	// nr 257: ERRNO(1) after 5 instructions
	// nr 0: ALLOW after 5 instructions
}

func ExampleProgram_Disassemble() {
	fmt.Print(exampleProgram.Disassemble())
	// Output:
	//    0: ld [arch]
	//    1: jeq #0xc000003e jt 2 jf 6
	//    2: ld [nr]
	//    3: jeq #0x101 jt 4 jf 5
	//    4: ret ERRNO(1)
	//    5: ret ALLOW
	//    6: ret KILL_PROCESS
}

func ExampleUnmarshal() {
	raw := exampleProgram.Marshal(binary.BigEndian)
	fmt.Printf("% x\n", raw[:8])
	p, err := bpf.Unmarshal(raw, binary.BigEndian)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(p), p[0] == exampleProgram[0])
	// Output:
	// 00 20 00 00 00 00 00 04
	// 7 true
}

func ExampleConstAllow() {
	fmt.Println(bpf.ConstAllow(exampleProgram, auditArchX86_64, 0))
	fmt.Println(bpf.ConstAllow(exampleProgram, auditArchX86_64, 257))
	// Output:
	// true
	// false
}

func ExampleActionString() {
	for _, ret := range []uint32{bpf.RetKillProcess, bpf.RetErrno | 1, bpf.RetTrace | 5, bpf.RetAllow} {
		fmt.Println(bpf.ActionString(ret))
	}
	// Output:
	// KILL_PROCESS
	// ERRNO(1)
	// TRACE(5)
	// ALLOW
}

func ExampleProgram_Verify() {
	p := bpf.Program{
		bpf.Stmt(bpf.LD|bpf.W|bpf.ABS, 2), // not a whole word of seccomp_data
		bpf.Stmt(bpf.RET|bpf.A, 0),
	}
	fmt.Println(p.Verify())
	// Output:
	// bpf: instruction 0 (op 0x0020): load offset 0x2 is not an aligned word inside seccomp_data
}

func ExampleProgram_DisassembleOrder() {
	// arg0 == 42, on a big-endian architecture.
	p := bpf.Program{
		bpf.Stmt(bpf.LD|bpf.W|bpf.ABS, bpf.ArgOffset(0, true, binary.BigEndian)),
		bpf.Jump(bpf.JMP|bpf.JEQ|bpf.K, 0, 0, 3),
		bpf.Stmt(bpf.LD|bpf.W|bpf.ABS, bpf.ArgOffset(0, false, binary.BigEndian)),
		bpf.Jump(bpf.JMP|bpf.JEQ|bpf.K, 42, 0, 1),
		bpf.Stmt(bpf.RET|bpf.K, bpf.RetTrace|5),
		bpf.Stmt(bpf.RET|bpf.K, bpf.RetAllow),
	}
	fmt.Print(p.DisassembleOrder(binary.BigEndian))
	// Output:
	//    0: ld [args[0].hi]
	//    1: jeq #0x0 jt 2 jf 5
	//    2: ld [args[0].lo]
	//    3: jeq #0x2a jt 4 jf 5
	//    4: ret TRACE(5)
	//    5: ret ALLOW
}

func ExampleNewVM() {
	vm, err := bpf.NewVM(exampleProgram, binary.LittleEndian)
	if err != nil {
		fmt.Println(err)
		return
	}
	ret, _, _ := vm.Run(bpf.Data{Nr: 257, Arch: 0x40000003}) // i386
	fmt.Println(bpf.ActionString(ret))
	// Output:
	// KILL_PROCESS
}

func ExampleDetectByteOrder() {
	raw := exampleProgram.Marshal(binary.BigEndian)
	order, err := bpf.DetectByteOrder(raw)
	fmt.Println(order, err)
	// Output:
	// BigEndian <nil>
}

func ExampleParse() {
	p, err := bpf.Parse(`
		ld [nr]
		jge #0x40000000 jt 3 jf 2
		ret ALLOW
		ret ERRNO(38)
	`, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.Verify())
	ret, _, _ := p.Run(bpf.Data{Nr: 0x40000001}, binary.LittleEndian)
	fmt.Println(bpf.ActionString(ret))
	// Output:
	// <nil>
	// ERRNO(38)
}
