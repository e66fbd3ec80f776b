package oci

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	seccomp "github.com/seccomp-go/seccomp"
	"github.com/seccomp-go/seccomp/bpf"
)

func buildProgram(t *testing.T, data []byte, opts Options) (bpf.Program, *seccomp.ScmpFilter) {
	t.Helper()
	spec, f := newTestFilter(t, data, opts)
	p, err := Program(f, spec)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Verify(); err != nil {
		t.Fatalf("the program does not pass the kernel's checks: %v", err)
	}
	return p, f
}

func TestProgramENOSYSStub(t *testing.T) {
	opts := Options{Arches: []seccomp.ScmpArch{seccomp.ArchAMD64}, Caps: dockerCaps, KernelVersion: "6.13"}
	p, _ := buildProgram(t, DefaultProfile, opts)
	const enosys = retErrno | 38
	eperm := uint32(retErrno | 1)
	// The highest syscall Docker's profile names is removexattrat, 466 on
	// x86_64 and x86; on x32 it is pwritev2, whose x32 entry is 547 (the
	// x32 ABI has its own entries at 512-547 for calls with
	// pointer-sized structures).
	decide(t, p, []call{
		{tokenX86_64, 0, [6]uint64{}, retAllow, "x86_64 read"},
		{tokenX86_64, 165, [6]uint64{}, eperm, "x86_64 mount: known to the profile"},
		{tokenX86_64, 466, [6]uint64{}, retAllow, "x86_64 removexattrat: the last one"},
		{tokenX86_64, 467, [6]uint64{}, enosys, "x86_64 467: newer than the profile"},
		{tokenX86_64, 1000, [6]uint64{}, enosys, "x86_64 1000"},
		{tokenX86_64, x32Bit | 466, [6]uint64{}, retAllow, "x32 removexattrat"},
		{tokenX86_64, x32Bit | 467, [6]uint64{}, eperm, "x32 467: below pwritev2"},
		{tokenX86_64, x32Bit | 547, [6]uint64{}, retAllow, "x32 pwritev2"},
		{tokenX86_64, x32Bit | 548, [6]uint64{}, enosys, "x32 548"},
		{tokenX86_64, x32Bit | 165, [6]uint64{}, eperm, "x32 mount"},
		{tokenX86, 466, [6]uint64{}, retAllow, "x86 removexattrat"},
		{tokenX86, 467, [6]uint64{}, enosys, "x86 467"},
		{tokenX86, 21, [6]uint64{}, eperm, "x86 mount"},
		{tokenAArch64, 1000, [6]uint64{}, retKillThread, "aarch64: not in the filter"},
	})
}

func TestProgramENOSYSStubX86_64Only(t *testing.T) {
	profile := []byte(`{"defaultAction": "SCMP_ACT_KILL_PROCESS", "syscalls": [{"names": ["read", "openat"], "action": "SCMP_ACT_ALLOW"}]}`)
	p, _ := buildProgram(t, profile, Options{Arches: []seccomp.ScmpArch{seccomp.ArchAMD64}})
	decide(t, p, []call{
		{tokenX86_64, 0, [6]uint64{}, retAllow, "read"},
		{tokenX86_64, 1, [6]uint64{}, retKillProcess, "write: below openat (257)"},
		{tokenX86_64, 258, [6]uint64{}, retErrno | 38, "258: above openat"},
		{tokenX86_64, x32Bit | 0, [6]uint64{}, retKillThread, "x32 call in an x86_64-only filter: bad arch"},
		{tokenX86_64, x32Bit | 300, [6]uint64{}, retKillThread, "x32 300 in an x86_64-only filter: bad arch"},
	})
}

// runc adds the stub when the default action is ERRNO(ENOSYS) too, and
// it decides what the filter would send to its bad-arch action.
func TestProgramENOSYSStubWithENOSYSDefault(t *testing.T) {
	profile := []byte(`{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 38, "syscalls": [{"names": ["read", "openat"], "action": "SCMP_ACT_ALLOW"}]}`)
	p, _ := buildProgram(t, profile, Options{Arches: []seccomp.ScmpArch{seccomp.ArchAMD64}})
	decide(t, p, []call{
		{tokenX86_64, 0, [6]uint64{}, retAllow, "read"},
		{tokenX86_64, 1, [6]uint64{}, retErrno | 38, "write: the default action"},
		{tokenX86_64, 258, [6]uint64{}, retErrno | 38, "258: the stub"},
		{tokenX86_64, -0x80000000, [6]uint64{}, retErrno | 38, "0x80000000: the stub, where the filter alone gives its bad-arch action"},
		{tokenX86_64, x32Bit | 0, [6]uint64{}, retKillThread, "x32 read in an x86_64-only filter: bad arch"},
	})
}

func TestProgramWithoutStub(t *testing.T) {
	amd := Options{Arches: []seccomp.ScmpArch{seccomp.ArchAMD64}}
	for _, profile := range []string{
		`{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mount"], "action": "SCMP_ACT_ERRNO"}]}`,
		`{"defaultAction": "SCMP_ACT_LOG", "syscalls": [{"names": ["mount"], "action": "SCMP_ACT_ERRNO"}]}`,
		`{"defaultAction": "SCMP_ACT_TRACE", "syscalls": [{"names": ["mount"], "action": "SCMP_ACT_ERRNO"}]}`,
		`{"defaultAction": "SCMP_ACT_ERRNO"}`,
	} {
		p, f := buildProgram(t, []byte(profile), amd)
		own := program(t, f)
		if !slices.Equal(p, own) {
			t.Errorf("%s: runc adds no stub, but the program has %d instructions instead of %d", profile, len(p), len(own))
		}
	}
}

func TestProgramBigEndian(t *testing.T) {
	const tokenS390X = 0x80000016
	opts := Options{Arches: []seccomp.ScmpArch{seccomp.ArchS390X}, Caps: dockerCaps, KernelVersion: "6.13"}
	p, _ := buildProgram(t, DefaultProfile, opts)
	decideIn(t, p, binary.BigEndian, []call{
		{tokenS390X, 3, [6]uint64{}, retAllow, "s390x read"},
		{tokenS390X, 467, [6]uint64{}, retErrno | 38, "s390x 467"},
		{tokenS390X, 0, [6]uint64{}, retErrno | 38, "s390x 0: what the kernel leaves of a syscall it does not know"},
		{tokenS390X, 21, [6]uint64{}, retErrno | 1, "s390x mount"},
	})
}

// The child half of TestLoad: load Docker's default profile with
// oci.Load, then report what a few syscalls return.
func init() {
	if os.Getenv("OCI_TEST_LOAD_CHILD") != "1" {
		return
	}
	runtime.LockOSThread()
	opts := Options{Caps: []string{}, NoNewPrivs: true}
	spec, _, err := Parse(DefaultProfile, opts)
	if err == nil {
		// Forget the syscalls above 430, so that the stub answers
		// ENOSYS for faccessat2 (439), which the kernel has.
		for i := range spec.Syscalls {
			spec.Syscalls[i].Names = slices.DeleteFunc(spec.Syscalls[i].Names, func(name string) bool {
				nr, err := seccomp.GetSyscallFromNameByArch(name, seccomp.ArchAMD64)
				return err == nil && nr > 430
			})
		}
		spec.Syscalls = slices.DeleteFunc(spec.Syscalls, func(s specs.LinuxSyscall) bool { return len(s.Names) == 0 })
		var f *seccomp.ScmpFilter
		if f, err = NewFilter(spec, opts); err == nil {
			_, err = Load(f, spec)
		}
	}
	if err != nil {
		fmt.Println("load:", err)
		os.Exit(3)
	}
	fmt.Println("getpid", errnoOf(syscall.SYS_GETPID))
	fmt.Println("mount", errnoOf(syscall.SYS_MOUNT))
	fmt.Println("faccessat2", errnoOf(439, ^uintptr(99), 0, 0)) // AT_FDCWD, NULL path
	os.Exit(0)
}

func TestLoad(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		t.Skip("syscall numbers below are x86_64's")
	}
	if testing.Short() {
		t.Skip("starts a process")
	}
	checkLoadChild(t, "OCI_TEST_LOAD_CHILD", "getpid 0\nmount 1\nfaccessat2 38\n")
}

// errnoOf makes system call nr with up to three arguments and returns
// the errno it failed with, as text ("0" when it succeeded).
func errnoOf(nr uintptr, args ...uintptr) string {
	var a [3]uintptr
	copy(a[:], args)
	_, _, e := syscall.RawSyscall(nr, a[0], a[1], a[2])
	return fmt.Sprint(int(e))
}

// checkLoadChild runs this test binary with env set to 1, for a child
// that loads a filter, reports errnos with errnoOf and exits 0 (or 3 with
// "load:" when the kernel refuses the filter), and compares its report
// with want.
func checkLoadChild(t *testing.T, env, want string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), env+"=1")
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if errors.As(err, &exit) && exit.ExitCode() == 3 && strings.Contains(string(out), "load:") {
		t.Skipf("this kernel refuses the filter: %s", out)
	}
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	if string(out) != want {
		t.Errorf("child reported:\n%s\nwant:\n%s", out, want)
	}
}
