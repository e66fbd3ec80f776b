package seccomp_test

import (
	"fmt"
	"log"

	seccomp "github.com/seccomp-go/seccomp"
	"github.com/seccomp-go/seccomp/arch"
	"github.com/seccomp-go/seccomp/bpf"
)

// Build a filter that allows everything but makes openat with a write
// access mode fail with EPERM, export it as raw BPF, and run the exported
// program on two inputs.
func Example() {
	filter, err := seccomp.NewFilter(seccomp.ActAllow)
	if err != nil {
		log.Fatal(err)
	}
	defer filter.Release()

	// Rules take syscall numbers of the native architecture.
	openat, err := seccomp.GetSyscallFromName("openat")
	if err != nil {
		log.Fatal(err)
	}
	const oWronly, oRdwr = 1, 2
	eperm := seccomp.ActErrno.SetReturnCode(1)
	// The conditions of one rule must all hold; separate rules are
	// alternatives.
	for _, mode := range []uint64{oWronly, oRdwr} {
		c, err := seccomp.MakeCondition(2, seccomp.CompareMaskedEqual, mode, mode)
		if err != nil {
			log.Fatal(err)
		}
		if err := filter.AddRuleConditional(openat, eperm, []seccomp.ScmpCondition{c}); err != nil {
			log.Fatal(err)
		}
	}

	raw, err := filter.ExportBPFMem()
	if err != nil {
		log.Fatal(err)
	}

	native := arch.Native()
	prog, err := bpf.Unmarshal(raw, native.ByteOrder())
	if err != nil {
		log.Fatal(err)
	}
	for _, flags := range []uint64{0 /* O_RDONLY */, oWronly} {
		in := bpf.Data{Nr: int32(openat), Arch: native.Token, Args: [6]uint64{0, 0, flags}}
		ret, _, err := prog.Run(in, native.ByteOrder())
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("flags %d: %s\n", flags, bpf.ActionString(ret))
	}
	// Output:
	// flags 0: ALLOW
	// flags 1: ERRNO(1)
}

// libseccomp accepts some rules without effect; a warning hook shows them.
func ExampleScmpFilter_SetRuleWarning() {
	filter, err := seccomp.NewFilter(seccomp.ActAllow)
	if err != nil {
		log.Fatal(err)
	}
	defer filter.Release()
	filter.SetRuleWarning(func(w seccomp.RuleWarning) {
		fmt.Println(w.Kind)
	})

	write, err := seccomp.GetSyscallFromName("write")
	if err != nil {
		log.Fatal(err)
	}
	stderr, err := seccomp.MakeCondition(0, seccomp.CompareEqual, 2)
	if err != nil {
		log.Fatal(err)
	}
	// every write fails with EPERM ...
	if err := filter.AddRule(write, seccomp.ActErrno.SetReturnCode(1)); err != nil {
		log.Fatal(err)
	}
	// ... so this rule changes nothing, and is reported
	if err := filter.AddRuleConditional(write, seccomp.ActTrap, []seccomp.ScmpCondition{stderr}); err != nil {
		log.Fatal(err)
	}
	// Output: rule has no effect: existing rules already decide it
}
