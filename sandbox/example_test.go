package sandbox_test

import (
	"errors"
	"fmt"
	"os"
	"syscall"

	"github.com/seccomp-go/seccomp"
	"github.com/seccomp-go/seccomp/oci"
	"github.com/seccomp-go/seccomp/sandbox"
)

// A shell runs under a filter that refuses mkdir and mkdirat with EACCES.
// The program only needs to import package sandbox: its init function
// loads the filter in the child.
func Example() {
	filter, err := seccomp.NewFilter(seccomp.ActAllow)
	if err != nil {
		fmt.Println(err)
		return
	}
	deny := seccomp.ActErrno.SetReturnCode(int16(syscall.EACCES))
	for _, name := range []string{"mkdir", "mkdirat"} {
		nr, err := seccomp.GetSyscallFromName(name)
		if err == nil {
			err = filter.AddRule(nr, deny)
		}
		if err != nil {
			fmt.Println(err)
			return
		}
	}

	dir, err := os.MkdirTemp("", "sandbox-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	cmd := sandbox.Command(filter, "/bin/sh", "-c",
		`grep '^Seccomp:' /proc/self/status; mkdir new 2>/dev/null || echo "mkdir refused"`)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(string(out))
	// Output:
	// Seccomp:	2
	// mkdir refused
}

// A command that cannot be executed is reported by Start, with the exit
// status a shell would give.
func ExampleError() {
	filter, err := seccomp.NewFilter(seccomp.ActAllow)
	if err != nil {
		fmt.Println(err)
		return
	}
	err = sandbox.Command(filter, "/no/such/program").Run()
	var se *sandbox.Error
	if errors.As(err, &se) {
		fmt.Println(se)
		fmt.Println("status", se.ExitCode())
	}
	// Output:
	// sandbox: exec /no/such/program: no such file or directory
	// status 127
}

// A command runs under the program that package oci builds for a profile
// and a kernel release, with the ENOSYS stub in front of the filter; the
// filter's attributes (here no_new_privs) apply to it.
func ExampleCmd_Program() {
	profile := []byte(`{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
		{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]}`)
	opts := oci.Options{NoNewPrivs: true, ENOSYSAfter: "5.4"}
	spec, _, err := oci.Parse(profile, opts)
	if err != nil {
		fmt.Println(err)
		return
	}
	filter, err := oci.NewFilter(spec, opts)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer filter.Release()
	program, err := oci.ProgramFor(filter, spec, opts)
	if err != nil {
		fmt.Println(err)
		return
	}

	dir, err := os.MkdirTemp("", "sandbox-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	cmd := sandbox.Command(filter, "/bin/sh", "-c",
		`grep -E '^(Seccomp|NoNewPrivs):' /proc/self/status; mkdir new 2>/dev/null || echo "mkdir refused"`)
	cmd.Program = program
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(string(out))
	// Output:
	// NoNewPrivs:	1
	// Seccomp:	2
	// mkdir refused
}
