package difftest

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
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

// The child half of runcProgram: load the profile in the file named by
// DIFFTEST_RUNC_SPEC with runc's InitSeccomp on this thread, print the
// thread id, and wait on stdin for the parent to read the filter.
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
	config, err := runcConfig(&spec)
	if err != nil {
		fail(err)
	}
	if _, err := runcseccomp.InitSeccomp(config); err != nil {
		fail(err)
	}
	fmt.Println(unix.Gettid())
	var b [1]byte
	_, _ = unix.Read(0, b[:])
	os.Exit(0)
}

// runcProgram returns the program runc loads for spec on this machine:
// a child process loads it with runc's InitSeccomp and stops, and this
// process reads the loaded filter back with PTRACE_SECCOMP_GET_FILTER.
func runcProgram(t *testing.T, spec *specs.LinuxSeccomp) bpf.Program {
	t.Helper()
	data, err := json.Marshal(spec)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "seccomp.json")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "DIFFTEST_RUNC_SPEC="+path)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		stdin.Close()
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("runc child: %v (%q)", err, line)
	}
	if strings.Contains(line, "seccomp not supported") {
		t.Fatal("runc's seccomp support is built only with -tags seccomp: go test -tags seccomp")
	}
	tid, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil {
		t.Fatalf("runc child: %s", line)
	}

	// ptrace requests come from the thread that attached.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if err := unix.PtraceSeize(tid); err != nil {
		t.Fatalf("PTRACE_SEIZE %d: %v", tid, err)
	}
	defer unix.PtraceDetach(tid)
	if err := unix.PtraceInterrupt(tid); err != nil {
		t.Fatalf("PTRACE_INTERRUPT: %v", err)
	}
	var ws unix.WaitStatus
	if _, err := unix.Wait4(tid, &ws, unix.WALL, nil); err != nil || !ws.Stopped() {
		t.Fatalf("waiting for the child to stop: %v (%v)", err, ws)
	}
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
		t.Fatalf("the child has more than runc's filter (%v)", err)
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

// runcTargets are the targets Docker's profile is resolved for and runc
// can build on x86_64: each adds its archMap entry's architectures to the
// native one. Big-endian ones cannot share a filter with x86_64, and
// runc 1.3 has no loongarch64.
var runcTargets = []string{"x86_64", "aarch64", "mipsel64", "mipsel64n32", "riscv64"}

// TestRuncDockerDefault compares the program oci.NewFilter and
// oci.Program give for Docker's default profile with the one runc's
// InitSeccomp loads, on every syscall number of every architecture in
// the filter (and past their tables), with argument vectors around each
// constant of the profile.
func TestRuncDockerDefault(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	if runtime.GOARCH != "amd64" {
		t.Skip("the targets are those runc can build on x86_64")
	}
	for _, target := range runcTargets {
		t.Run(target, func(t *testing.T) {
			tp, err := Translate(Profile{Name: "docker-default", Data: oci.DefaultProfile, Arch: target, Caps: DockerCaps})
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
			ours, err := oci.Program(f, &spec)
			if err != nil {
				t.Fatal(err)
			}
			theirs := runcProgram(t, &spec)

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
			t.Logf("runc docker-default %s %v: %d probes and %d far numbers, %d mismatches, %d excluded, %d stale; runc %d instructions, ours %d",
				target, arches, r.Probes, extra, len(r.Mismatches), r.Excluded, r.LibDefects, len(theirs), len(ours))
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
