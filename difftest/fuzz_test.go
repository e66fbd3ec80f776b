package difftest

import (
	"os"
	"sync"
	"testing"
	"time"

	ours "github.com/seccomp-go/seccomp"
	"github.com/seccomp-go/seccomp/bpf"
)

var (
	fuzzWorkerOnce sync.Once
	fuzzWorker     *Worker
	fuzzWorkerErr  error
)

func sharedWorker(t testing.TB) *Worker {
	fuzzWorkerOnce.Do(func() {
		fuzzWorker, fuzzWorkerErr = NewWorker()
		if fuzzWorker != nil {
			fuzzWorker.Timeout = 2 * time.Second
		}
	})
	if fuzzWorkerErr != nil {
		t.Fatal(fuzzWorkerErr)
	}
	return fuzzWorker
}

// FuzzRuleSet builds rule sets decoded from the input through libseccomp
// and seccomp-go: the verdicts of the API calls and the decisions on every
// probe must agree, and our program must pass bpf.Program.Verify.
func FuzzRuleSet(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("\x04\x01\x02\x00\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14\x15"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rs := RuleSetFromBytes(data)
		r := Compare(rs, sharedWorker(t).Build, BuildOurs, BPFRunner, RefRunner)
		if r.Failed() {
			t.Errorf("%v", rs)
			for _, m := range r.Mismatches {
				t.Errorf("  %s", m)
			}
		}
	})
}

// FuzzAPISequence drives seccomp-go's filter API with call sequences
// decoded from the input. Nothing may panic, and every exported program
// must pass bpf.Program.Verify.
func FuzzAPISequence(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19"))
	f.Fuzz(func(t *testing.T, data []byte) {
		start := time.Now()
		defer func() {
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("API sequence took %v", d)
			}
		}()
		s := &byteSource{data}
		act := func() ours.ScmpAction {
			a := ours.ScmpAction(s.intn(10))
			if s.intn(4) == 0 {
				a = a.SetReturnCode(int16(s.intn(1 << 16)))
			}
			return a
		}
		arch := func() ours.ScmpArch { return ours.ScmpArch(s.intn(27)) }
		syscall := func() ours.ScmpSyscall {
			if s.intn(4) == 0 {
				return ours.ScmpSyscall(int32(s.u64()))
			}
			n, err := ours.GetSyscallFromName(namePool[s.intn(len(namePool))])
			if err != nil {
				return -1
			}
			return n
		}
		conds := func() []ours.ScmpCondition {
			var cs []ours.ScmpCondition
			for range s.intn(5) {
				cs = append(cs, ours.ScmpCondition{Argument: uint(s.intn(8)), Op: ours.ScmpCompareOp(s.intn(9)), Operand1: s.u64(), Operand2: s.u64()})
			}
			return cs
		}
		f, err := ours.NewFilter(act())
		if err != nil {
			return
		}
		defer f.Release()
		other, _ := ours.NewFilter(ours.ActAllow)
		check := func() {
			b, err := f.ExportBPFMem()
			if err != nil {
				return
			}
			// A filter whose architectures are big-endian exports
			// big-endian instructions.
			order, err := bpf.DetectByteOrder(b)
			if err != nil {
				t.Fatalf("exported program: %v", err)
			}
			p, err := bpf.Unmarshal(b, order)
			if err != nil {
				t.Fatalf("exported program does not decode: %v", err)
			}
			if err := p.Verify(); err != nil {
				t.Fatalf("exported program fails Verify: %v\n%s", err, p.Disassemble())
			}
		}
		for i := 0; i < 64 && !s.done(); i++ {
			switch s.intn(26) {
			case 0:
				_ = f.AddArch(arch())
			case 1:
				_ = f.RemoveArch(arch())
			case 2:
				_, _ = f.IsArchPresent(arch())
			case 3:
				_ = f.AddRule(syscall(), act())
			case 4:
				_ = f.AddRuleExact(syscall(), act())
			case 5, 6:
				_ = f.AddRuleConditional(syscall(), act(), conds())
			case 7:
				_ = f.AddRuleConditionalExact(syscall(), act(), conds())
			case 8:
				_ = f.SetSyscallPriority(syscall(), uint8(s.intn(256)))
			case 9:
				_ = f.SetBadArchAction(act())
			case 10:
				_ = f.SetOptimize(s.intn(5) - 1)
			case 11:
				_ = f.SetLogBit(s.intn(2) == 0)
			case 12:
				_ = f.SetRawRC(s.intn(2) == 0)
			case 13:
				_ = f.SetNoNewPrivsBit(s.intn(2) == 0)
			case 14:
				check()
			case 15:
				_ = f.Reset(act())
			case 16:
				if other != nil {
					_ = other.AddArch(arch())
					_ = other.AddRule(syscall(), act())
					if f.Merge(other) == nil {
						other = nil // merged filters are released
					}
				}
			case 17:
				_ = f.TransactionStart()
			case 18:
				f.TransactionReject()
			case 19:
				_ = f.TransactionCommit()
			case 20:
				_ = f.Precompute()
			case 21:
				if null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0); err == nil {
					_ = f.ExportPFC(null)
					_ = f.ExportBPF(null)
					null.Close()
				}
			case 22:
				_, _ = f.GetDefaultAction()
				_, _ = f.GetBadArchAction()
				_, _ = f.GetOptimize()
				_, _ = f.GetLogBit()
				_, _ = f.GetRawRC()
				_, _ = f.GetNoNewPrivsBit()
			case 23:
				_, _ = ours.MakeCondition(uint(s.intn(8)), ours.ScmpCompareOp(s.intn(9)), make([]uint64, s.intn(4))...)
			case 24:
				_, _ = syscall().GetNameByArch(arch())
			case 25:
				_, _ = f.GetSSB()
				_ = f.SetSSB(s.intn(2) == 0)
			}
		}
		check()
		if other != nil {
			other.Release()
		}
	})
}
