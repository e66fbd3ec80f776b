package oci_test

import (
	"fmt"

	seccomp "github.com/seccomp-go/seccomp"
	"github.com/seccomp-go/seccomp/arch"
	"github.com/seccomp-go/seccomp/bpf"
	"github.com/seccomp-go/seccomp/oci"
)

// A profile written for Linux 5.8 names faccessat2. With ENOSYSAfter
// "5.8", close_range (5.9), which runc's stub leaves to the default
// action because its number is below faccessat2's, fails with ENOSYS.
func ExampleProgramFor() {
	profile := []byte(`{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
		{"names": ["read", "write", "exit_group", "faccessat2"], "action": "SCMP_ACT_ALLOW"}]}`)
	for _, after := range []string{"", "5.8"} {
		opts := oci.Options{Arches: []seccomp.ScmpArch{seccomp.ArchAMD64}, ENOSYSAfter: after}
		spec, _, err := oci.Parse(profile, opts)
		if err != nil {
			fmt.Println(err)
			return
		}
		f, err := oci.NewFilter(spec, opts)
		if err != nil {
			fmt.Println(err)
			return
		}
		p, err := oci.ProgramFor(f, spec, opts)
		f.Release()
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("ENOSYSAfter %q:", after)
		for _, name := range []string{"clone3", "close_range", "faccessat2", "process_madvise"} {
			nr, _ := arch.X86_64.SyscallNumber(name)
			ret, _, _ := p.Run(bpf.Data{Arch: arch.X86_64.Token, Nr: nr}, nil)
			fmt.Printf(" %s %s", name, bpf.ActionString(ret))
		}
		fmt.Println()
	}
	// Output:
	// ENOSYSAfter "": clone3 ERRNO(1) close_range ERRNO(1) faccessat2 ALLOW process_madvise ERRNO(38)
	// ENOSYSAfter "5.8": clone3 ERRNO(1) close_range ERRNO(38) faccessat2 ALLOW process_madvise ERRNO(38)
}
