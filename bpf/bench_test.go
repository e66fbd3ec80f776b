package bpf

import (
	"encoding/binary"
	"testing"
)

func BenchmarkVMRun(b *testing.B) {
	p := Program{
		ldArch,
		Jump(JMP|JEQ|K, tokX86_64, 1, 0),
		retKill,
		ldNr,
		Jump(JMP|JGE|K, 100, 0, 2),
		Stmt(LD|W|ABS, 16),
		Jump(JMP|JEQ|K, 0, 0, 1),
		retErrno,
		retAllow,
	}
	vm, err := NewVM(p, binary.LittleEndian)
	if err != nil {
		b.Fatal(err)
	}
	d := Data{Nr: 200, Arch: tokX86_64, Args: [6]uint64{1}}
	var ret uint32
	b.ResetTimer()
	for range b.N {
		ret, _, _ = vm.Run(d)
	}
	benchRet = ret
}

// benchRet keeps BenchmarkVMRun's result alive so that the compiler cannot
// drop the calls it times.
var benchRet uint32

func BenchmarkVerify(b *testing.B) {
	p := append(repeat(Jump(JMP|JEQ|K, 1, 0, 0), MaxInstructions-1), retA)
	b.ResetTimer()
	for range b.N {
		if err := p.Verify(); err != nil {
			b.Fatal(err)
		}
	}
}
