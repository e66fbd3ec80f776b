package oci_test

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"syscall"

	"github.com/seccomp-go/seccomp/oci"
)

func init() {
	if os.Getenv("OCI_EXAMPLE_CONTAINER_INIT") == "1" {
		containerInit()
		os.Exit(0)
	}
}

// containerInit is what a runtime's init process does in the container
// before it execs the container's process: confine itself with the
// profile of config.json (here Docker's default profile, resolved for a
// container without capabilities).
func containerInit() {
	// InitSeccomp confines this thread only, as runc does, and keeps
	// this goroutine on it: exec from here.
	runtime.LockOSThread()
	spec, _, err := oci.Parse(oci.DefaultProfile, oci.Options{Caps: []string{}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fd, err := oci.InitSeccomp(spec, oci.InitOptions{NoNewPrivs: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("notification descriptor:", fd)

	// A runtime would now call syscall.Exec. Instead, try a few calls.
	_, _, errno := syscall.RawSyscall(syscall.SYS_GETPID, 0, 0, 0)
	fmt.Println("getpid: errno", int(errno))
	_, _, errno = syscall.RawSyscall6(syscall.SYS_MOUNT, 0, 0, 0, 0, 0, 0)
	fmt.Println("mount:", errno)
	// A syscall number newer than every one the profile names: runc's
	// ENOSYS stub answers, so that programs fall back as on an older
	// kernel.
	_, _, errno = syscall.RawSyscall(1000, 0, 0, 0)
	fmt.Println("syscall 1000:", errno)
}

// A runtime's init process loads the container's seccomp profile with
// InitSeccomp, which does what runc's InitSeccomp does. A filter cannot
// be removed, so this example runs containerInit in a child process.
func ExampleInitSeccomp() {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "OCI_EXAMPLE_CONTAINER_INIT=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		fmt.Println(err)
	}
	fmt.Print(string(out))
	// Output:
	// notification descriptor: -1
	// getpid: errno 0
	// mount: operation not permitted
	// syscall 1000: function not implemented
}
