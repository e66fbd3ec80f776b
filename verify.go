package seccomp

import (
	"os"
	"sync"

	"github.com/seccomp-go/seccomp/bpf"
	"github.com/seccomp-go/seccomp/internal/verify"
)

// proveEnv names the environment variable that, set to 1, makes every
// compilation prove its program against the rules before the program is
// exported or loaded. The test suite runs with it, so that every filter
// any test builds is proved, not only the ones a test proves on purpose.
const proveEnv = "SECCOMP_GO_PROVE"

// proveEveryProgram reports whether proveEnv is set to 1. It reads the
// environment once, at the first compilation rather than at start.
func proveEveryProgram() bool {
	proveEnvOnce.Do(func() { proveEnvSet = os.Getenv(proveEnv) == "1" })
	return proveEnvSet
}

var (
	proveEnvOnce sync.Once
	proveEnvSet  bool
)

// Verify proves that the BPF program the filter compiles to decides every
// possible input (architecture, syscall number, instruction pointer and
// arguments) exactly as the filter's rules do. It returns nil once the
// proof is complete, and otherwise an error that describes a concrete
// input on which they differ, why the kernel would reject the program, or
// why the program could not be analysed.
//
// The proof walks every path of the compiled program and compares it with
// an independent evaluation of the rules, word by word, without sampling;
// it takes a few milliseconds for a container runtime's default profile.
func (f *ScmpFilter) Verify() error {
	if f == nil {
		return errBadFilter
	}
	f.lock.Lock()
	defer f.lock.Unlock()

	p, err := f.program()
	if err != nil {
		return err
	}
	return f.prove(p)
}

// prove checks p with the kernel's rules, then proves it equal to the
// filter's rules.
func (f *ScmpFilter) prove(p bpf.Program) error {
	if err := p.Verify(); err != nil {
		return err
	}
	_, err := verify.Check(f.col.Filters(), f.col.Default(), f.col.BadArch(), p)
	return err
}
