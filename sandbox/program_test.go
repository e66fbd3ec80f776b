package sandbox_test

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/seccomp-go/seccomp"
	"github.com/seccomp-go/seccomp/arch"
	"github.com/seccomp-go/seccomp/bpf"
	"github.com/seccomp-go/seccomp/sandbox"
)

// oneRule returns a program for the native architecture that returns ret
// for the syscall name and allows every other call; calls of other
// architectures kill the process.
func oneRule(t *testing.T, name string, ret uint32) bpf.Program {
	t.Helper()
	nat := arch.Native()
	if nat == nil {
		t.Skip("no seccomp architecture here")
	}
	nr, ok := nat.SyscallNumber(name)
	if !ok || nr < 0 {
		t.Skipf("no %s here", name)
	}
	return bpf.Program{
		bpf.Stmt(bpf.LD|bpf.W|bpf.ABS, bpf.OffsetArch),
		bpf.Jump(bpf.JMP|bpf.JEQ|bpf.K, nat.Token, 1, 0),
		bpf.Stmt(bpf.RET|bpf.K, bpf.RetKillProcess),
		bpf.Stmt(bpf.LD|bpf.W|bpf.ABS, bpf.OffsetNr),
		bpf.Jump(bpf.JMP|bpf.JEQ|bpf.K, uint32(nr), 0, 1),
		bpf.Stmt(bpf.RET|bpf.K, ret),
		bpf.Stmt(bpf.RET|bpf.K, bpf.RetAllow),
	}
}

// TestProgram checks that the child loads Cmd.Program, not the filter's
// own program.
func TestProgram(t *testing.T) {
	requireSeccomp(t)
	c := helperCmd(t, newFilter(t, seccomp.ActErrno.SetReturnCode(int16(syscall.EXDEV))), "getpriority")
	c.Program = oneRule(t, "getpriority", bpf.RetErrno|uint32(syscall.EROFS))
	out, err := c.Output()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if want := "ret=-1 errno=30\n"; string(out) != want {
		t.Errorf("child printed %q, want %q (EROFS from Program, not EXDEV from Filter)", out, want)
	}
}

// TestProgramAttributes checks that the filter's attributes apply to
// Program: with NO_NEW_PRIVS off, the command runs without no_new_privs.
func TestProgramAttributes(t *testing.T) {
	requireSeccomp(t)
	if os.Geteuid() != 0 {
		t.Skip("needs CAP_SYS_ADMIN to load a filter without no_new_privs")
	}
	self, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(self, []byte("NoNewPrivs:\t1\n")) {
		t.Skip("the test process runs with no_new_privs, which the child inherits")
	}
	f := newFilter(t, seccomp.ActErrno)
	for _, nnp := range []bool{false, true} {
		if err := f.SetNoNewPrivsBit(nnp); err != nil {
			t.Fatal(err)
		}
		c := helperCmd(t, f, "status")
		c.Program = oneRule(t, "getpriority", bpf.RetErrno|1)
		out, err := c.Output()
		if err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		want := "NoNewPrivs:\t0\n"
		if nnp {
			want = "NoNewPrivs:\t1\n"
		}
		for _, w := range []string{"Seccomp:\t2\n", want} {
			if !bytes.Contains(out, []byte(w)) {
				t.Errorf("NO_NEW_PRIVS %v: child status lacks %q:\n%s", nnp, w, out)
			}
		}
	}
}

// TestProgramPreflight checks that the execve check looks at Program,
// the program the child loads, and that an invalid Program is refused.
func TestProgramPreflight(t *testing.T) {
	requireSeccomp(t)
	allowAll, err := seccomp.NewFilter(seccomp.ActAllow)
	if err != nil {
		t.Fatal(err)
	}
	// Program stops execve although Filter allows it: refused.
	c := sandbox.Command(allowAll, "/bin/true")
	c.Program = oneRule(t, "execve", bpf.RetErrno|uint32(syscall.EACCES))
	err = c.Start()
	var se *sandbox.Error
	if !errors.As(err, &se) || se.Op != "check filter" || !errors.Is(err, syscall.EACCES) || c.Process != nil {
		t.Errorf("Program stopping execve: Start returned %v, want a check filter error before the child starts", err)
	}

	// Filter kills execve but Program allows it: the command runs.
	killExec := newFilter(t, seccomp.ActErrno)
	nr, err := seccomp.GetSyscallFromName("execve")
	if err != nil {
		t.Fatal(err)
	}
	if err := killExec.AddRule(nr, seccomp.ActKillProcess); err != nil {
		t.Fatal(err)
	}
	if err := sandbox.Command(killExec, "/bin/true").Start(); !errors.As(err, &se) || se.Op != "check filter" {
		t.Fatalf("Filter killing execve alone: Start returned %v, want a check filter error", err)
	}
	c = helperCmd(t, killExec, "exit=3")
	c.Program = oneRule(t, "getpriority", bpf.RetErrno|1)
	var ee interface{ ExitCode() int }
	if err := c.Run(); !errors.As(err, &ee) || ee.ExitCode() != 3 {
		t.Errorf("Program allowing execve: Run returned %v, want exit status 3", err)
	}

	// A program the kernel would refuse never reaches the child.
	for _, p := range []bpf.Program{{}, {bpf.Stmt(bpf.LD|bpf.W|bpf.ABS, bpf.OffsetNr)}} {
		c := sandbox.Command(allowAll, "/bin/true")
		c.Program = p
		err := c.Start()
		if err == nil || !strings.Contains(err.Error(), "Cmd.Program") || c.Process != nil {
			t.Errorf("Program %v: Start returned %v, want an error naming Cmd.Program", p, err)
		}
	}
}

// TestProgramNotify checks that a Program with USER_NOTIF returns gets a
// listener, though Filter has no SCMP_ACT_NOTIFY rule.
func TestProgramNotify(t *testing.T) {
	requireSeccomp(t)
	if api, _ := seccomp.GetAPI(); api < 6 {
		t.Skipf("API level %d has no user notification", api)
	}
	c := helperCmd(t, newFilter(t, seccomp.ActErrno), "getpriority")
	c.Program = oneRule(t, "getpriority", bpf.RetUserNotif)
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
	if err := seccomp.NotifRespond(fd, &seccomp.ScmpNotifResp{ID: req.ID, Val: 9}); err != nil {
		t.Fatal(err)
	}
	if err := c.Wait(); err != nil {
		t.Fatal(err)
	}
	if got, want := out.String(), "ret=9 errno=0\n"; got != want {
		t.Errorf("child printed %q, want %q", got, want)
	}
}
