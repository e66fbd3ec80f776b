package seccomp

// Helpers for the live tests: each test re-runs the test binary as a
// child process, because a loaded filter can never be removed, and the
// child reports what it saw as "key=value" lines on stdout.

import (
	"bufio"
	"bytes"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/seccomp-go/seccomp/arch"
	"github.com/seccomp-go/seccomp/bpf"
	"github.com/seccomp-go/seccomp/internal/kernel"
	"golang.org/x/sys/unix"
)

// liveEnv names the test a child process runs.
const liveEnv = "SECCOMP_GO_LIVE_TEST"

// liveTimeout bounds every child.
const liveTimeout = 60 * time.Second

// inLiveChild reports whether this process is the child of test t.
// Other tests skip themselves in a child.
func inLiveChild(t testing.TB) bool {
	name := os.Getenv(liveEnv)
	if name == "" {
		return false
	}
	if name != t.Name() {
		t.Skip("another live test's child")
	}
	return true
}

// requireLive skips the test when the kernel lacks seccomp filters, and
// restores the detected API level.
func requireLive(t testing.TB) {
	t.Helper()
	if _, err := os.Stat("/proc/sys/kernel/seccomp/actions_avail"); err != nil {
		t.Skipf("kernel without seccomp filter support: %v", err)
	}
	if !kernel.SyscallSupported() {
		t.Skip("kernel without seccomp(2)")
	}
	if arch.Native() == nil {
		t.Skipf("architecture %s is not supported", runtime.GOARCH)
	}
	// The API level is process-wide: undo a level that another test of
	// this process forced with SetAPI, so that the notification calls
	// made here see the kernel's real level.
	if detected := kernel.DetectAPILevel(); apiLevel() != detected {
		if err := SetAPI(detected); err != nil {
			t.Fatal(err)
		}
	}
}

// requireNotify skips the test when the kernel lacks user notification.
func requireNotify(tb testing.TB) {
	tb.Helper()
	if !kernel.ActionAvailable(kernel.RetUserNotif) {
		tb.Skip("kernel without user notification")
	}
}

// childResult is what a finished child left behind.
type childResult struct {
	status syscall.WaitStatus
	stdout string
	stderr string
	kv     map[string]string
}

func (r *childResult) String() string {
	return fmt.Sprintf("status %v\nstdout:\n%s\nstderr:\n%s", describeStatus(r.status), r.stdout, r.stderr)
}

func describeStatus(ws syscall.WaitStatus) string {
	switch {
	case ws.Exited():
		return fmt.Sprintf("exited %d", ws.ExitStatus())
	case ws.Signaled():
		return fmt.Sprintf("killed by %v", ws.Signal())
	}
	return fmt.Sprintf("%#x", uint32(ws))
}

// get returns the value the child reported for key, failing the test if
// it did not.
func (r *childResult) get(t *testing.T, key string) string {
	t.Helper()
	v, ok := r.kv[key]
	if !ok {
		t.Fatalf("child did not report %q\n%v", key, r)
	}
	return v
}

// liveCommand prepares the child process of test t.
func liveCommand(t testing.TB) *exec.Cmd {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"-test.run=^" + t.Name() + "$", "-test.count=1"}
	if _, ok := t.(*testing.B); ok {
		args = []string{"-test.run=^$", "-test.bench=^" + t.Name() + "$", "-test.benchtime=1x"}
	}
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), liveEnv+"="+t.Name())
	cmd.Dir = t.TempDir()
	return cmd
}

// finish waits for a started child and collects its output.
func finish(t *testing.T, cmd *exec.Cmd, stdout, stderr *bytes.Buffer) *childResult {
	t.Helper()
	timer := time.AfterFunc(liveTimeout, func() { cmd.Process.Kill() })
	defer timer.Stop()
	err := cmd.Wait()
	if err != nil {
		if _, ok := err.(*exec.ExitError); !ok {
			t.Fatalf("waiting for child: %v", err)
		}
	}
	return exitedChild(cmd, stdout, stderr)
}

// exitedChild collects what a child that was waited for left behind.
func exitedChild(cmd *exec.Cmd, stdout, stderr *bytes.Buffer) *childResult {
	return &childResult{
		status: cmd.ProcessState.Sys().(syscall.WaitStatus),
		stdout: stdout.String(),
		stderr: stderr.String(),
		kv:     parseReports(stdout.String()),
	}
}

// checkReports checks the child's report of each key of want, in the
// order of the keys.
func checkReports(t *testing.T, r *childResult, want map[string]string) {
	t.Helper()
	for _, key := range slices.Sorted(maps.Keys(want)) {
		if got := r.get(t, key); got != want[key] {
			t.Errorf("%s = %q, want %q", key, got, want[key])
		}
	}
}

// parseReports collects the "key=value" lines of a child's output.
func parseReports(out string) map[string]string {
	kv := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok {
			kv[k] = v
		}
	}
	return kv
}

// runLiveChild runs test t's child and returns what it left.
func runLiveChild(t *testing.T) *childResult {
	t.Helper()
	cmd := liveCommand(t)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return finish(t, cmd, &stdout, &stderr)
}

// report writes one result line from a child. It uses a raw write(2) so
// that it needs nothing but that syscall.
func report(key string, value any) {
	line := fmt.Sprintf("%s=%v\n", key, value)
	unix.Write(1, []byte(line))
}

// childFail reports a setup failure in a child and exits.
func childFail(format string, args ...any) {
	report("fail", fmt.Sprintf(format, args...))
	os.Exit(3)
}

// childDone ends a child normally.
func childDone() {
	report("done", 1)
	os.Exit(0)
}

// noCoreDumps keeps children killed by SIGSYS from writing core files.
func noCoreDumps() {
	if err := unix.Setrlimit(unix.RLIMIT_CORE, &unix.Rlimit{}); err != nil {
		childFail("setrlimit: %v", err)
	}
}

// nativeToken is the AUDIT_ARCH value of this program's syscalls.
func nativeToken() uint32 { return arch.Native().Token }

// A small assembler for hand-written filters. Offsets are those of
// struct seccomp_data.
const (
	offNr   = 0
	offArch = 4
	offIP   = 8
	offArgs = 16
)

func ldAbs(off uint32) bpf.Instruction {
	return bpf.Instruction{Op: unix.BPF_LD | unix.BPF_W | unix.BPF_ABS, K: off}
}

func jeq(k uint32, jt, jf uint8) bpf.Instruction {
	return bpf.Instruction{Op: unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K, K: k, Jt: jt, Jf: jf}
}

func jgt(k uint32, jt, jf uint8) bpf.Instruction {
	return bpf.Instruction{Op: unix.BPF_JMP | unix.BPF_JGT | unix.BPF_K, K: k, Jt: jt, Jf: jf}
}

func jset(k uint32, jt, jf uint8) bpf.Instruction {
	return bpf.Instruction{Op: unix.BPF_JMP | unix.BPF_JSET | unix.BPF_K, K: k, Jt: jt, Jf: jf}
}

func andK(k uint32) bpf.Instruction {
	return bpf.Instruction{Op: unix.BPF_ALU | unix.BPF_AND | unix.BPF_K, K: k}
}

func ret(k uint32) bpf.Instruction {
	return bpf.Instruction{Op: unix.BPF_RET | unix.BPF_K, K: k}
}

// argLo and argHi are the offsets of the low and high 32-bit halves of
// argument i in this machine's byte order.
func argLo(i int) uint32 {
	if arch.Native().BigEndian {
		return offArgs + 8*uint32(i) + 4
	}
	return offArgs + 8*uint32(i)
}

func argHi(i int) uint32 {
	if arch.Native().BigEndian {
		return offArgs + 8*uint32(i)
	}
	return offArgs + 8*uint32(i) + 4
}

// oneSyscall is a filter giving action to syscall nr on the native
// architecture, ALLOW to the other syscalls and KILL_PROCESS to other
// architectures.
func oneSyscall(nr uintptr, action uint32) bpf.Program {
	return bpf.Program{
		ldAbs(offArch),
		jeq(nativeToken(), 1, 0),
		ret(kernel.RetKillProcess),
		ldAbs(offNr),
		jeq(uint32(nr), 0, 1),
		ret(action),
		ret(kernel.RetAllow),
	}
}

// loadThread loads p on the calling goroutine's OS thread only. The
// goroutine stays locked to the thread for good, so that when it ends the
// runtime destroys the filtered thread.
func loadThread(p bpf.Program) {
	runtime.LockOSThread()
	if err := kernel.SetNoNewPrivs(); err != nil {
		childFail("no_new_privs: %v", err)
	}
	if _, err := kernel.Load(p, 0); err != nil {
		childFail("load: %v", err)
	}
}

// onThread runs f on a new goroutine and waits for it; f usually starts
// with loadThread.
func onThread(f func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	<-done
}

// rawErrno makes syscall nr with the given arguments and returns its
// result and errno (0 on success). It decodes the result as the C
// library does: -4095 is an error too, where the Go runtime's syscall
// functions only treat -4094..-1 as errors.
func rawErrno(nr uintptr, args ...uintptr) (uintptr, syscall.Errno) {
	var a [6]uintptr
	copy(a[:], args)
	r, _, e := unix.Syscall6(nr, a[0], a[1], a[2], a[3], a[4], a[5])
	if e == 0 && r == ^uintptr(4094) { // -4095
		return ^uintptr(0), 4095
	}
	return r, e
}

// threadStatus returns the fields of /proc/<pid>/task/<tid>/status.
func threadStatus(path string) (map[string]string, error) {
	b, err := os.ReadFile(filepath.Join(path, "status"))
	if err != nil {
		return nil, err
	}
	m := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok {
			m[k] = strings.TrimSpace(v)
		}
	}
	return m, nil
}

// atoi parses a child's report, failing the test on garbage.
func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("bad number %q: %v", s, err)
	}
	return n
}

// argCase is one call of the filtered syscall: its arguments, and the
// errno the filter must give (0: the call is allowed).
type argCase struct {
	name string
	args [6]uint64
	want int
}

// reportArgCases makes each case's call in the child and reports the
// errno it got as "caseN".
func reportArgCases(cases []argCase) {
	for i, c := range cases {
		var a [6]uintptr
		for j, v := range c.args {
			a[j] = uintptr(v)
		}
		_, errno := rawErrno(testNr, a[:]...)
		report("case"+strconv.Itoa(i), int(errno))
	}
}

// checkArgCases checks what the child reported for each case. The filter
// gives errnos filterLo..filterHi; an allowed call may fail, but not with
// one of those.
func checkArgCases(t *testing.T, r *childResult, cases []argCase, filterLo, filterHi int) {
	t.Helper()
	for i, c := range cases {
		got := atoi(t, r.get(t, "case"+strconv.Itoa(i)))
		if c.want == 0 {
			if got >= filterLo && got <= filterHi {
				t.Errorf("%s: errno %d from the filter, want the call allowed", c.name, got)
			}
			continue
		}
		if got != c.want {
			t.Errorf("%s: errno %d, want %d", c.name, got, c.want)
		}
	}
}

// listenerChild is a child started by startListenerChild: it sends its
// notification listener over fd 3 before it makes notified calls.
type listenerChild struct {
	cmd            *exec.Cmd
	fd             ScmpFd
	sock           int // the parent's end of the socket
	stdout, stderr bytes.Buffer
}

// startListenerChild starts the child of tb with extra environment env and
// receives its listener. Everything it opens is closed, and the child
// killed, when tb ends.
func startListenerChild(tb testing.TB, env ...string) *listenerChild {
	tb.Helper()
	pair, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { unix.Close(pair[0]) })
	childSock := os.NewFile(uintptr(pair[1]), "child")
	c := &listenerChild{cmd: liveCommand(tb), sock: pair[0]}
	c.cmd.Env = append(c.cmd.Env, env...)
	c.cmd.Stdout, c.cmd.Stderr = &c.stdout, &c.stderr
	c.cmd.ExtraFiles = []*os.File{childSock}
	if err := c.cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	childSock.Close()
	watchdog := time.AfterFunc(liveTimeout, func() { c.cmd.Process.Kill() })
	tb.Cleanup(func() {
		watchdog.Stop()
		c.cmd.Process.Kill()
	})
	nfd, err := recvFd(pair[0])
	if err != nil {
		c.cmd.Process.Kill()
		c.cmd.Wait()
		tb.Fatalf("receiving the listener: %v\nstdout:\n%s\nstderr:\n%s", err, c.stdout.String(), c.stderr.String())
	}
	tb.Cleanup(func() { unix.Close(nfd) })
	c.fd = ScmpFd(nfd)
	return c
}

// checkKilledBySIGSYS checks that the child died of SIGSYS after it
// reported "loading" and before it could report "survived".
func checkKilledBySIGSYS(t *testing.T, r *childResult, survived string) {
	t.Helper()
	r.get(t, "loading")
	if !r.status.Signaled() || r.status.Signal() != unix.SIGSYS {
		t.Fatalf("child not killed by SIGSYS\n%v", r)
	}
	if _, ok := r.kv["survived"]; ok {
		t.Errorf("%s\n%v", survived, r)
	}
}
