//go:build linux && amd64

package difftest

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/opencontainers/runc/libcontainer/configs"
	runcseccomp "github.com/opencontainers/runc/libcontainer/seccomp"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/seccomp-go/seccomp/bpf"
	"github.com/seccomp-go/seccomp/oci"
	"golang.org/x/sys/unix"
)

// runcConfig converts spec to runc's configuration as runc's
// specconv.SetupSeccomp does (that package does not build against this
// module's runtime-spec), through runc's own converters: SPEC_ALLOW by
// default where supported, one entry per syscall name.
func runcConfig(spec *specs.LinuxSeccomp) (*configs.Seccomp, error) {
	c := &configs.Seccomp{Syscalls: []*configs.Syscall{}}
	if spec.Flags == nil {
		if runcseccomp.FlagSupported(specs.LinuxSeccompFlagSpecAllow) == nil {
			c.Flags = []specs.LinuxSeccompFlag{specs.LinuxSeccompFlagSpecAllow}
		}
	} else {
		for _, f := range spec.Flags {
			if err := runcseccomp.FlagSupported(f); err != nil {
				return nil, err
			}
			c.Flags = append(c.Flags, f)
		}
	}
	for _, a := range spec.Architectures {
		ra, err := runcseccomp.ConvertStringToArch(string(a))
		if err != nil {
			return nil, err
		}
		c.Architectures = append(c.Architectures, ra)
	}
	def, err := runcseccomp.ConvertStringToAction(string(spec.DefaultAction))
	if err != nil {
		return nil, err
	}
	c.DefaultAction, c.DefaultErrnoRet = def, spec.DefaultErrnoRet
	c.ListenerPath, c.ListenerMetadata = spec.ListenerPath, spec.ListenerMetadata
	for _, s := range spec.Syscalls {
		act, err := runcseccomp.ConvertStringToAction(string(s.Action))
		if err != nil {
			return nil, err
		}
		for _, name := range s.Names {
			call := &configs.Syscall{Name: name, Action: act, ErrnoRet: s.ErrnoRet, Args: []*configs.Arg{}}
			for _, a := range s.Args {
				op, err := runcseccomp.ConvertStringToOperator(string(a.Op))
				if err != nil {
					return nil, err
				}
				call.Args = append(call.Args, &configs.Arg{Index: a.Index, Value: a.Value, ValueTwo: a.ValueTwo, Op: op})
			}
			c.Syscalls = append(c.Syscalls, call)
		}
	}
	return c, nil
}

// The child half of loadedProgram: print this thread's id, wait for a
// byte on stdin, load the
// profile in the file named by DIFFTEST_RUNC_SPEC on this thread with
// runc's InitSeccomp or with oci.InitSeccomp (DIFFTEST_LOADER is "runc"
// or "oci"), then spin without making a system call, which the profile
// may forbid, until the parent has read the filter and kills this
// process. The parent runs it with asynchronous preemption off, so that
// no signal handler returns through rt_sigreturn on this thread.
func init() {
	path := os.Getenv("DIFFTEST_RUNC_SPEC")
	if path == "" {
		return
	}
	runtime.LockOSThread()
	fail := func(err error) {
		fmt.Println("error:", err)
		os.Exit(3)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		fail(err)
	}
	var spec specs.LinuxSeccomp
	if err := json.Unmarshal(data, &spec); err != nil {
		fail(err)
	}
	var config *configs.Seccomp
	loader := os.Getenv("DIFFTEST_LOADER")
	switch loader {
	case "runc":
		if config, err = runcConfig(&spec); err != nil {
			fail(err)
		}
	case "oci":
	default:
		fail(errors.New("DIFFTEST_LOADER is neither runc nor oci"))
	}
	fmt.Println(unix.Gettid())
	// The parent attaches, then sends a byte.
	var b [1]byte
	if _, err := unix.Read(0, b[:]); err != nil {
		fail(err)
	}
	if loader == "runc" {
		_, err = runcseccomp.InitSeccomp(config)
	} else {
		_, err = oci.InitSeccomp(&spec, oci.InitOptions{})
	}
	if err != nil {
		fail(err) // nothing was loaded
	}
	for {
	}
}

// loadedProgram returns the program loader ("runc" for runc's
// InitSeccomp, "oci" for oci.InitSeccomp) loads for spec on this machine,
// and the flags it loads it with. A child process loads it while this
// process traces the child's thread: at the exit of the seccomp(2) (or
// prctl(PR_SET_SECCOMP)) call that loaded a program, it reads the call's
// flags from the registers and the loaded filter back with
// PTRACE_SECCOMP_GET_FILTER.
func loadedProgram(t *testing.T, loader string, spec *specs.LinuxSeccomp) (bpf.Program, uint64) {
	t.Helper()
	data, err := json.Marshal(spec)
	if err != nil {
		t.Fatal(err)
	}
	if spec.Flags != nil && len(spec.Flags) == 0 {
		// An empty flags list (no SPEC_ALLOW) is not a missing one
		// (SPEC_ALLOW by default), but omitempty drops it.
		data = append([]byte(`{"flags": [], `), data[1:]...)
	}
	path := filepath.Join(t.TempDir(), "seccomp.json")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "DIFFTEST_RUNC_SPEC="+path, "DIFFTEST_LOADER="+loader, "GODEBUG=asyncpreemptoff=1")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}()
	out := bufio.NewReader(stdout)
	line, err := out.ReadString('\n')
	if err != nil {
		t.Fatalf("%s child: %v (%q)", loader, err, line)
	}
	tid, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil {
		t.Fatalf("%s child: %s", loader, line)
	}

	// ptrace requests come from the thread that attached.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	ptrace := func(req int, addr, data uintptr) (uintptr, error) {
		r, _, e := unix.Syscall6(unix.SYS_PTRACE, uintptr(req), uintptr(tid), addr, data, 0, 0)
		if e != 0 {
			return 0, e
		}
		return r, nil
	}
	if _, err := ptrace(unix.PTRACE_SEIZE, 0, unix.PTRACE_O_TRACESYSGOOD); err != nil {
		t.Fatalf("PTRACE_SEIZE %d: %v", tid, err)
	}
	defer unix.PtraceDetach(tid)
	if err := unix.PtraceInterrupt(tid); err != nil {
		t.Fatalf("PTRACE_INTERRUPT: %v", err)
	}
	if _, err := stdin.Write([]byte{1}); err != nil {
		t.Fatal(err)
	}
	const (
		sysStop     = unix.SIGTRAP | 0x80
		enosys      = ^uint64(unix.ENOSYS) + 1 // rax at a syscall-entry stop
		setModeFilt = 1                        // SECCOMP_SET_MODE_FILTER
	)
	flags, loading := uint64(0), false
	for {
		var ws unix.WaitStatus
		if _, err := unix.Wait4(tid, &ws, unix.WALL, nil); err != nil {
			t.Fatalf("waiting for the %s child: %v", loader, err)
		}
		if ws.Exited() || ws.Signaled() {
			rest, _ := io.ReadAll(out)
			if strings.Contains(string(rest), "seccomp not supported") {
				t.Fatal("runc's seccomp support is built only with -tags seccomp: go test -tags seccomp")
			}
			t.Fatalf("%s child ended before loading (%v): %s%s", loader, ws, rest, stderr.String())
		}
		if ctx.Err() != nil {
			t.Fatalf("%s child loaded nothing in time", loader)
		}
		var sig uintptr
		switch {
		case ws.Stopped() && ws.StopSignal() == sysStop:
			var regs unix.PtraceRegs
			if err := unix.PtraceGetRegs(tid, &regs); err != nil {
				t.Fatal(err)
			}
			entry := regs.Rax == enosys
			switch {
			case entry && regs.Orig_rax == unix.SYS_SECCOMP && regs.Rdi == setModeFilt && regs.Rdx != 0:
				flags, loading = regs.Rsi, true
			case entry && regs.Orig_rax == unix.SYS_PRCTL && regs.Rdi == unix.PR_SET_SECCOMP && regs.Rsi == unix.SECCOMP_MODE_FILTER:
				flags, loading = 0, true
			case !entry && loading && int64(regs.Rax) >= 0:
				return readFilter(t, loader, tid), flags
			case !entry:
				loading = false
			}
		case ws.Stopped() && ws.TrapCause() == -1 && ws.StopSignal() != unix.SIGTRAP:
			sig = uintptr(ws.StopSignal()) // a signal for the child
		}
		if _, err := ptrace(unix.PTRACE_SYSCALL, 0, sig); err != nil {
			t.Fatalf("PTRACE_SYSCALL: %v", err)
		}
	}
}

// readFilter reads the one filter of the stopped, traced thread tid.
func readFilter(t *testing.T, loader string, tid int) bpf.Program {
	t.Helper()
	getFilter := func(index uintptr, buf []unix.SockFilter) (int, error) {
		var p unsafe.Pointer
		if len(buf) > 0 {
			p = unsafe.Pointer(&buf[0])
		}
		n, _, e := unix.Syscall6(unix.SYS_PTRACE, unix.PTRACE_SECCOMP_GET_FILTER, uintptr(tid), index, uintptr(p), 0, 0)
		if e != 0 {
			return 0, e
		}
		return int(n), nil
	}
	n, err := getFilter(0, nil)
	if err != nil {
		t.Fatalf("PTRACE_SECCOMP_GET_FILTER: %v", err)
	}
	if _, err := getFilter(1, nil); !errors.Is(err, unix.ENOENT) {
		t.Fatalf("the %s child has more than one filter (%v)", loader, err)
	}
	raw := make([]unix.SockFilter, n)
	if _, err := getFilter(0, raw); err != nil {
		t.Fatalf("PTRACE_SECCOMP_GET_FILTER: %v", err)
	}
	p := make(bpf.Program, n)
	for i, r := range raw {
		p[i] = bpf.Instruction{Op: r.Code, Jt: r.Jt, Jf: r.Jf, K: r.K}
	}
	return p
}

// runcTargets are the targets Docker's and Podman's profiles are
// resolved for that runc can build on x86_64: each adds its archMap
// entry's architectures to the native one. Big-endian ones cannot share
// a filter with x86_64, and runc 1.3 has no loongarch64.
var runcTargets = []string{"x86_64", "aarch64", "mipsel64", "mipsel64n32", "riscv64"}

// runcProfiles are runtime-spec profiles for the rules of runc's
// InitSeccomp and PatchAndLoad beyond what Docker's profile uses.
var runcProfiles = []struct{ name, profile string }{
	{"kill-default", `{"defaultAction": "SCMP_ACT_KILL", "architectures": ["SCMP_ARCH_X86", "SCMP_ARCH_X32"], "syscalls": [
		{"names": ["read", "write", "exit_group", "futex", "mmap", "rt_sigreturn"], "action": "SCMP_ACT_ALLOW"},
		{"names": ["kill"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13, "args": [{"index": 1, "value": 9, "op": "SCMP_CMP_EQ"}, {"index": 1, "value": 15, "op": "SCMP_CMP_EQ"}]},
		{"names": ["personality"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 4294967295, "op": "SCMP_CMP_EQ"}]},
		{"names": ["clone"], "action": "SCMP_ACT_TRAP", "args": [{"index": 0, "value": 2114060288, "valueTwo": 0, "op": "SCMP_CMP_MASKED_EQ"}, {"index": 2, "value": 7, "op": "SCMP_CMP_GT"}]},
		{"names": ["ptrace"], "action": "SCMP_ACT_TRACE", "errnoRet": 7},
		{"names": ["getcwd"], "action": "SCMP_ACT_LOG"},
		{"names": ["chmod"], "action": "SCMP_ACT_KILL"}
	]}`},
	{"errno-enosys-default", `{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 38, "syscalls": [
		{"names": ["read", "openat", "close"], "action": "SCMP_ACT_ALLOW"}]}`},
	{"errno-default-no-rules", `{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": []}`},
	{"kill-process-aarch64", `{"defaultAction": "SCMP_ACT_KILL_PROCESS", "architectures": ["SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"], "flags": ["SECCOMP_FILTER_FLAG_LOG"], "syscalls": [
		{"names": ["read", "write", "cacheflush", "set_tls"], "action": "SCMP_ACT_ALLOW"},
		{"names": ["socket"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 16, "op": "SCMP_CMP_NE"}]}]}`},
	{"allow-default-notify", `{"defaultAction": "SCMP_ACT_ALLOW", "flags": [], "syscalls": [
		{"names": ["getppid", "mknodat"], "action": "SCMP_ACT_NOTIFY"},
		{"names": ["mount", "umount2"], "action": "SCMP_ACT_ERRNO"},
		{"names": ["getpid"], "action": "SCMP_ACT_ALLOW"}]}`},
	{"tsync-spec-allow-flags", `{"defaultAction": "SCMP_ACT_ERRNO", "flags": ["SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_LOG"], "syscalls": [
		{"names": ["read", "write"], "action": "SCMP_ACT_ALLOW"}]}`},
	{"trace-default", `{"defaultAction": "SCMP_ACT_TRACE", "syscalls": [{"names": ["mount"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}`},
	{"log-default", `{"defaultAction": "SCMP_ACT_LOG", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"], "syscalls": [{"names": ["mount", "socketcall", "socket"], "action": "SCMP_ACT_ERRNO"}]}`},
}

// TestRunc compares the program oci.InitSeccomp loads with
// the one runc's InitSeccomp loads, both read back from child processes,
// for Docker's default profile, Podman's and the runcProfiles: on every
// syscall number of every architecture in the filter (and past their
// tables), with argument vectors around each constant of the profile. It
// also checks that oci.InitSeccomp loads exactly what oci.Program gives.
func TestRunc(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	if runtime.GOARCH != "amd64" {
		t.Skip("the targets are those runc can build on x86_64")
	}
	podman, err := os.ReadFile("testdata/containers-common-seccomp.json")
	if err != nil {
		t.Fatal(err)
	}
	var profiles []Profile
	for _, p := range []struct {
		name string
		data []byte
	}{{"docker-default", oci.DefaultProfile}, {"containers-common", podman}} {
		for _, target := range runcTargets {
			profiles = append(profiles, Profile{Name: p.name, Data: p.data, Arch: target, Caps: DockerCaps})
		}
	}
	for _, p := range runcProfiles {
		profiles = append(profiles, Profile{Name: p.name, Data: []byte(p.profile), Arch: "x86_64"})
	}
	for _, p := range profiles {
		t.Run(p.Name+"/"+p.Arch, func(t *testing.T) {
			tp, err := Translate(p)
			if err != nil {
				t.Fatal(err)
			}
			// Both sides see the names libseccomp 2.5.4 knows, which
			// runc would skip otherwise.
			spec := *tp.Spec
			spec.Syscalls = nil
			for _, s := range tp.Spec.Syscalls {
				s.Names = slices.DeleteFunc(slices.Clone(s.Names), func(n string) bool { return slices.Contains(tp.Dropped, n) })
				if len(s.Names) > 0 {
					spec.Syscalls = append(spec.Syscalls, s)
				}
			}

			f, err := oci.NewFilter(&spec, oci.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer f.Release()
			built, err := oci.Program(f, &spec)
			if err != nil {
				t.Fatal(err)
			}
			ours, oursFlags := loadedProgram(t, "oci", &spec)
			if !slices.Equal(ours, built) {
				t.Errorf("oci.InitSeccomp loaded %d instructions, not the %d of oci.Program", len(ours), len(built))
			}
			theirs, theirFlags := loadedProgram(t, "runc", &spec)
			if oursFlags != theirFlags {
				t.Errorf("seccomp(2) flags: runc %#x, ours %#x", theirFlags, oursFlags)
			}

			arches := []string{"x86_64"}
			for _, a := range tp.RuleSet.Arches {
				if !slices.Contains(arches, a) {
					arches = append(arches, a)
				}
			}
			r := &Report{}
			oursRaw, theirsRaw := ours.Marshal(binary.LittleEndian), theirs.Marshal(binary.LittleEndian)
			CompareDecisions(tp.RuleSet, arches, theirsRaw, oursRaw, BPFRunner, RefRunner, nil, r)
			extra := compareFar(t, arches, theirsRaw, oursRaw)
			// Excluded probes are syscall numbers that changed between
			// libseccomp 2.5.4's tables and ours (exclusions.go).
			t.Logf("runc %s %v: flags %#x; %d probes and %d far numbers, %d mismatches, %d excluded, %d stale; runc %d instructions, ours %d",
				p.Name, arches, theirFlags, r.Probes, extra, len(r.Mismatches), r.Excluded, r.LibDefects, len(theirs), len(ours))
			for _, m := range r.Mismatches {
				t.Error(m)
			}
		})
	}
}

// compareFar compares the two programs on syscall numbers far past every
// table, on each architecture token, and returns how many it tried.
func compareFar(t *testing.T, arches []string, theirs, ours []byte) int {
	t.Helper()
	trun, err := BPFRunner(theirs)
	if err != nil {
		t.Fatal(err)
	}
	orun, err := BPFRunner(ours)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, a := range arches {
		info := archInfos[a]
		for _, nr := range []int32{1024, 4095, 0xffff, 1 << 20, 0x3fffffff, 0x7fffffff, -2, -0x80000000} {
			if info.base != 0 && (nr < 0 || nr > 0x3fffffff) {
				continue
			}
			d := Data{Nr: info.base + nr, Arch: info.token}
			tr, _, terr := trun(&d)
			or, _, oerr := orun(&d)
			n++
			if terr != nil || oerr != nil || tr != or {
				t.Errorf("%s: runc %s (%v), ours %s (%v)", DescribeData(&d), RetString(tr), terr, RetString(or), oerr)
			}
		}
	}
	return n
}
