package sandbox_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/seccomp-go/seccomp"
	"github.com/seccomp-go/seccomp/sandbox"
)

// helperEnv makes the test binary act as a target command (see TestMain).
const helperEnv = "SANDBOX_TEST_HELPER"

func TestMain(m *testing.M) {
	// The child of a sandbox has only its own marker in the environment:
	// if it ever came back here, it would print too.
	_, inChild := os.LookupEnv("SECCOMP_GO_SANDBOX")
	if _, ok := os.LookupEnv(mainMarkerEnv); ok || inChild {
		fmt.Fprintln(os.Stderr, mainMarker)
	}
	if mode, ok := os.LookupEnv(helperEnv); ok {
		os.Exit(helper(mode))
	}
	os.Exit(m.Run())
}

// helper is the target command: it does what mode says and returns the
// exit status.
func helper(mode string) int {
	switch {
	case mode == "status":
		b, err := os.ReadFile("/proc/self/status")
		if err != nil {
			fmt.Println(err)
			return 1
		}
		os.Stdout.Write(b)
	case mode == "getpriority":
		// The Go runtime never calls getpriority, so only this call
		// meets the filter's rule.
		r, _, errno := syscall.RawSyscall(syscall.SYS_GETPRIORITY, 0, 0, 0)
		fmt.Printf("ret=%d errno=%d\n", int(r), int(errno))
	case strings.HasPrefix(mode, "exit="):
		n, _ := strconv.Atoi(strings.TrimPrefix(mode, "exit="))
		return n
	case strings.HasPrefix(mode, "signal="):
		n, _ := strconv.Atoi(strings.TrimPrefix(mode, "signal="))
		syscall.Kill(os.Getpid(), syscall.Signal(n))
		time.Sleep(10 * time.Second)
		return 99
	case mode == "sleep":
		time.Sleep(time.Minute)
	case mode == "both":
		fmt.Fprint(os.Stdout, "out ")
		os.Stdout.Sync()
		fmt.Fprint(os.Stderr, "err")
	case mode == "env":
		wd, _ := os.Getwd()
		fmt.Printf("cwd=%s\n", wd)
		for _, e := range os.Environ() {
			fmt.Println(e)
		}
		f := os.NewFile(3, "extra")
		b := make([]byte, 64)
		n, err := f.Read(b)
		fmt.Printf("fd3=%q %v\n", b[:n], err)
		fmt.Printf("args=%q\n", os.Args[1:])
	default:
		fmt.Fprintf(os.Stderr, "unknown helper mode %q\n", mode)
		return 2
	}
	return 0
}

// requireSeccomp skips the test where the kernel has no seccomp filters.
func requireSeccomp(t *testing.T) {
	t.Helper()
	if api, err := seccomp.GetAPI(); err != nil || api < 1 {
		t.Skipf("no seccomp filters here (API level %d, %v)", api, err)
	}
}

// newFilter returns a filter that allows everything except getpriority,
// which gets action.
func newFilter(t *testing.T, action seccomp.ScmpAction) *seccomp.ScmpFilter {
	t.Helper()
	f, err := seccomp.NewFilter(seccomp.ActAllow)
	if err != nil {
		t.Fatal(err)
	}
	nr, err := seccomp.GetSyscallFromName("getpriority")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.AddRule(nr, action); err != nil {
		t.Fatal(err)
	}
	return f
}

// testBinary returns the path of the test binary.
func testBinary(t *testing.T) string {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return self
}

// helperCmd returns a Cmd that runs the test binary as a helper in mode.
func helperCmd(t *testing.T, f *seccomp.ScmpFilter, mode string, args ...string) *sandbox.Cmd {
	t.Helper()
	c := sandbox.Command(f, testBinary(t), args...)
	c.Env = append(os.Environ(), helperEnv+"="+mode)
	return c
}

func TestSeccompModeInChild(t *testing.T) {
	requireSeccomp(t)
	confinedBefore := selfConfined(t)
	f := newFilter(t, seccomp.ActErrno.SetReturnCode(int16(syscall.EXDEV)))
	for _, name := range []string{"helper", "cat"} {
		t.Run(name, func(t *testing.T) {
			var c *sandbox.Cmd
			if name == "helper" {
				c = helperCmd(t, f, "status")
			} else {
				if _, err := exec.LookPath("cat"); err != nil {
					t.Skip("no cat")
				}
				c = sandbox.Command(f, "cat", "/proc/self/status")
			}
			out, err := c.Output()
			if err != nil {
				t.Fatalf("%v: %s", err, out)
			}
			for _, want := range []string{"Seccomp:\t2\n", "NoNewPrivs:\t1\n"} {
				if !bytes.Contains(out, []byte(want)) {
					t.Errorf("child status lacks %q:\n%s", want, out)
				}
			}
		})
	}
	// The parent is not confined.
	if confinedBefore {
		t.Skip("the test process itself runs under a filter; cannot tell")
	}
	if selfConfined(t) {
		t.Error("starting the children put the test process under a filter")
	}
}

// selfConfined reports whether the test process runs under a filter.
func selfConfined(t *testing.T) bool {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Contains(b, []byte("Seccomp:\t2\n"))
}

func TestDeniedSyscall(t *testing.T) {
	requireSeccomp(t)
	for _, errno := range []syscall.Errno{syscall.EXDEV, syscall.ENOSYS, 1234} {
		f := newFilter(t, seccomp.ActErrno.SetReturnCode(int16(errno)))
		out, err := helperCmd(t, f, "getpriority").Output()
		if err != nil {
			t.Fatalf("errno %d: %v", errno, err)
		}
		want := fmt.Sprintf("ret=-1 errno=%d\n", int(errno))
		if string(out) != want {
			t.Errorf("errno %d: child printed %q, want %q", errno, out, want)
		}
	}
	// Without the filter the call succeeds.
	out, err := helperCmd(t, nil, "getpriority").Cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), "errno=0") {
		t.Errorf("unfiltered getpriority failed: %q", out)
	}
}

func TestExitStatusAndSignal(t *testing.T) {
	requireSeccomp(t)
	f := newFilter(t, seccomp.ActErrno)
	for _, code := range []int{0, 3, 42, 125, 126, 127} {
		err := helperCmd(t, f, "exit="+strconv.Itoa(code)).Run()
		got := 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			got = ee.ExitCode()
		} else if err != nil {
			t.Fatalf("exit %d: %v", code, err)
		}
		if got != code {
			t.Errorf("exit %d: got status %d (%v)", code, got, err)
		}
	}
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGKILL, syscall.SIGHUP, syscall.SIGINT} {
		err := helperCmd(t, f, "signal="+strconv.Itoa(int(sig))).Run()
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			t.Fatalf("signal %d: want an ExitError, got %v", sig, err)
		}
		ws := ee.Sys().(syscall.WaitStatus)
		if !ws.Signaled() || ws.Signal() != sig {
			t.Errorf("signal %d: wait status %v", sig, ws)
		}
	}
}

func TestKillAction(t *testing.T) {
	requireSeccomp(t)
	f := newFilter(t, seccomp.ActKillProcess)
	err := helperCmd(t, f, "getpriority").Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		t.Fatalf("want death by SIGSYS, got %v", err)
	}
	if ws := ee.Sys().(syscall.WaitStatus); !ws.Signaled() || ws.Signal() != syscall.SIGSYS {
		t.Errorf("wait status %v, want death by SIGSYS", ws)
	}
}

func TestExecFailures(t *testing.T) {
	requireSeccomp(t)
	dir := t.TempDir()
	notExec := filepath.Join(dir, "data")
	if err := os.WriteFile(notExec, []byte("#!/bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	allow := newFilter(t, seccomp.ActErrno)
	noExec, err := seccomp.NewFilter(seccomp.ActAllow)
	if err != nil {
		t.Fatal(err)
	}
	// Refused when envp is not NULL: always, but the check before the
	// start cannot know it.
	envpSet, err := seccomp.MakeCondition(2, seccomp.CompareNotEqual, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"execve", "execveat"} {
		nr, _ := seccomp.GetSyscallFromName(name)
		if err := noExec.AddRuleConditional(nr, seccomp.ActErrno.SetReturnCode(int16(syscall.EPERM)), []seccomp.ScmpCondition{envpSet}); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name   string
		filter *seccomp.ScmpFilter
		path   string
		errno  syscall.Errno
		status int
		msg    string
	}{
		{"missing", allow, filepath.Join(dir, "missing"), syscall.ENOENT, 127, "exec " + filepath.Join(dir, "missing") + ": no such file or directory"},
		{"not executable", allow, notExec, syscall.EACCES, 126, "permission denied"},
		{"directory", allow, dir, syscall.EACCES, 126, "permission denied"},
		{"execve denied", noExec, "/bin/true", syscall.EPERM, 126, "does the filter allow execve?"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := sandbox.Command(tt.filter, tt.path)
			var stderr bytes.Buffer
			c.Stderr = &stderr
			err := c.Start()
			var se *sandbox.Error
			if !errors.As(err, &se) {
				t.Fatalf("Start: want *sandbox.Error, got %v", err)
			}
			if se.Op != "exec" || !errors.Is(err, tt.errno) || se.ExitCode() != tt.status || se.Path != tt.path {
				t.Errorf("got %+v, want exec %s errno %d status %d", se, tt.path, tt.errno, tt.status)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("message %q lacks %q", err, tt.msg)
			}
			if c.ProcessState == nil || c.ProcessState.ExitCode() != tt.status {
				t.Errorf("child state %v, want exit status %d", c.ProcessState, tt.status)
			}
			if stderr.Len() != 0 {
				t.Errorf("child wrote to stderr: %q", stderr.String())
			}
		})
	}
}

func TestStartErrors(t *testing.T) {
	allow := newFilter(t, seccomp.ActErrno)
	foreign, err := seccomp.NewFilter(seccomp.ActAllow)
	if err != nil {
		t.Fatal(err)
	}
	native, _ := seccomp.GetNativeArch()
	// Another architecture of the native byte order.
	other := seccomp.ArchARM64
	switch native {
	case seccomp.ArchARM64:
		other = seccomp.ArchAMD64
	case seccomp.ArchS390X, seccomp.ArchPPC64, seccomp.ArchMIPS64:
		other = seccomp.ArchPPC
	}
	if err := foreign.AddArch(other); err != nil {
		t.Fatal(err)
	}
	if err := foreign.RemoveArch(native); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		cmd  *sandbox.Cmd
		want string
	}{
		{"not in PATH", sandbox.Command(allow, "no-such-command-for-sandbox-test"), "executable file not found"},
		{"no filter", sandbox.Command(nil, "/bin/true"), "no filter"},
		{"no exec.Cmd", &sandbox.Cmd{Filter: allow}, "no exec.Cmd"},
		{"foreign filter", sandbox.Command(foreign, "/bin/true"), "does not cover the native architecture"},
		{"NUL in argument", sandbox.Command(allow, "/bin/true", "a\x00b"), "NUL"},
		{"chroot", func() *sandbox.Cmd {
			c := sandbox.Command(allow, "/bin/true")
			c.SysProcAttr = &syscall.SysProcAttr{Chroot: "/"}
			return c
		}(), "Chroot"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cmd.Start()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Start: got %v, want an error containing %q", err, tt.want)
			}
		})
	}
	if err := (&sandbox.Cmd{}).Wait(); err == nil {
		t.Error("Wait before Start succeeded")
	}
}

func TestEnvDirArgsExtraFiles(t *testing.T) {
	requireSeccomp(t)
	dir := t.TempDir()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	w.Write([]byte("extra"))
	w.Close()
	c := helperCmd(t, newFilter(t, seccomp.ActErrno), "env", "one", "two words")
	c.Env = []string{helperEnv + "=env", "FOO=bar"}
	c.Dir = dir
	c.ExtraFiles = []*os.File{r}
	out, err := c.Output()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	got := string(out)
	for _, want := range []string{"cwd=" + dir + "\n", "FOO=bar\n", `fd3="extra" <nil>`, `args=["one" "two words"]`} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "SECCOMP_GO_SANDBOX") {
		t.Errorf("the marker leaked into the command's environment:\n%s", got)
	}
	// The exec.Cmd is left as configured.
	if c.Path == "/proc/self/exe" || len(c.ExtraFiles) != 1 || len(c.Env) != 2 {
		t.Errorf("Cmd fields changed: Path %q, ExtraFiles %d, Env %q", c.Path, len(c.ExtraFiles), c.Env)
	}
}

func TestNotify(t *testing.T) {
	requireSeccomp(t)
	if api, _ := seccomp.GetAPI(); api < 6 {
		t.Skipf("API level %d has no user notification", api)
	}
	f := newFilter(t, seccomp.ActNotify)
	c := helperCmd(t, f, "getpriority")
	var out bytes.Buffer
	c.Stdout = &out
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	fd := c.NotifyFd()
	if fd < 0 {
		c.Wait()
		t.Fatal("no listener descriptor")
	}
	defer syscall.Close(int(fd))
	req, err := seccomp.NotifReceive(fd)
	if err != nil {
		c.Process.Kill()
		c.Wait()
		t.Fatal(err)
	}
	if req.Pid != uint32(c.Process.Pid) {
		t.Errorf("notification from pid %d, want %d", req.Pid, c.Process.Pid)
	}
	if err := seccomp.NotifRespond(fd, &seccomp.ScmpNotifResp{ID: req.ID, Val: 7}); err != nil {
		t.Fatal(err)
	}
	if err := c.Wait(); err != nil {
		t.Fatal(err)
	}
	if got, want := out.String(), "ret=7 errno=0\n"; got != want {
		t.Errorf("child printed %q, want %q", got, want)
	}
}

func TestContextWrapCombinedOutput(t *testing.T) {
	requireSeccomp(t)
	f := newFilter(t, seccomp.ActErrno)
	self := testBinary(t)

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	c := sandbox.CommandContext(ctx, f, self)
	c.Env = []string{helperEnv + "=sleep"}
	start := time.Now()
	err := c.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Errorf("cancelled command: %v, want death by SIGKILL", err)
	}
	if d := time.Since(start); d > 30*time.Second {
		t.Errorf("cancelled command ran %v", d)
	}

	cmd := exec.Command(self)
	cmd.Env = []string{helperEnv + "=both"}
	out, err := sandbox.Wrap(cmd, f).CombinedOutput()
	if err != nil || string(out) != "out err" {
		t.Errorf("CombinedOutput: %q, %v", out, err)
	}
	if _, err := sandbox.Wrap(cmd, f).CombinedOutput(); err == nil {
		t.Error("CombinedOutput with Stdout set succeeded")
	}

	// Output reports the exit status.
	c = helperCmd(t, f, "exit=4")
	if _, err := c.Output(); !errors.As(err, &ee) || ee.ExitCode() != 4 {
		t.Errorf("Output: %v, want exit status 4", err)
	}
}

// TestLoadFailure runs the child as an unprivileged user with the
// filter's NO_NEW_PRIVS attribute off: the kernel refuses the filter, and
// Start says so.
func TestLoadFailure(t *testing.T) {
	requireSeccomp(t)
	if os.Geteuid() != 0 {
		t.Skip("needs root to start the child as another user")
	}
	f := newFilter(t, seccomp.ActErrno)
	if err := f.SetNoNewPrivsBit(false); err != nil {
		t.Fatal(err)
	}
	c := sandbox.Command(f, "/bin/true")
	c.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	err := c.Start()
	var se *sandbox.Error
	if !errors.As(err, &se) {
		if err != nil && errors.Is(err, os.ErrPermission) {
			t.Skipf("the test binary is not executable by uid 65534: %v", err)
		}
		t.Fatalf("Start: %v, want a *sandbox.Error", err)
	}
	if se.Op != "load filter" || !errors.Is(err, syscall.EACCES) || se.ExitCode() != sandbox.StatusSetupFailed ||
		!strings.Contains(err.Error(), "NO_NEW_PRIVS") {
		t.Errorf("got %v (%+v)", err, se)
	}
}

// TestOpenFileLimit checks that the command starts with the soft
// RLIMIT_NOFILE that commands started by os/exec get, not the one the Go
// runtime raised in the child.
func TestOpenFileLimit(t *testing.T) {
	requireSeccomp(t)
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	const script = "ulimit -Sn; ulimit -Hn"
	want, err := exec.Command("sh", "-c", script).Output()
	if err != nil {
		t.Fatal(err)
	}
	if soft, hard, _ := strings.Cut(string(want), "\n"); soft+"\n" == hard {
		t.Skipf("the soft limit is the hard limit (%s); nothing to restore", soft)
	}
	got, err := sandbox.Command(newFilter(t, seccomp.ActErrno), "sh", "-c", script).Output()
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("limits under the sandbox %q, with os/exec %q", got, want)
	}
}

// BenchmarkRunTrue measures starting /bin/true under a filter and waiting
// for it: the child's start, set-up, load and execve.
func BenchmarkRunTrue(b *testing.B) {
	if api, err := seccomp.GetAPI(); err != nil || api < 1 {
		b.Skip("no seccomp filters here")
	}
	f, err := seccomp.NewFilter(seccomp.ActAllow)
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < b.N; i++ {
		if err := sandbox.Command(f, "/bin/true").Run(); err != nil {
			b.Fatal(err)
		}
	}
}
