package sandbox_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/seccomp-go/seccomp"
	"github.com/seccomp-go/seccomp/sandbox"
)

// faultEnv names the fault case TestFaultChild runs.
const faultEnv = "SANDBOX_TEST_FAULT"

// mainMarkerEnv makes TestMain print mainMarker, to count how many times
// the test binary's main runs.
const mainMarkerEnv = "SANDBOX_TEST_MAIN_MARKER"

const mainMarker = "main of the sandbox test binary runs"

// rule is one rule of a fault filter.
type rule struct {
	name   string
	action seccomp.ScmpAction
	cond   cond
}

// cond is the condition of a rule on the envp argument (argument 2) of
// execve, which the child never passes as NULL: with envpSet the action
// applies to every execve the child makes, with envpNull to none, but
// either way it depends on an argument, so the check before the start
// cannot know it.
type cond int

const (
	always cond = iota
	envpSet
	envpNull
)

// faultCase is a filter, a command and what running it must give.
type faultCase struct {
	def   seccomp.ScmpAction
	rules []rule
	args  []string // the command, /bin/true by default

	op     string // Error.Op; "" for no *sandbox.Error
	action string // Error.Action
	errno  syscall.Errno
	signal syscall.Signal
	status int // Error.Status, or the command's exit status
}

var (
	eperm   = seccomp.ActErrno.SetReturnCode(int16(syscall.EPERM))
	allowed = []rule{{"read", seccomp.ActAllow, always}, {"write", seccomp.ActAllow, always}, {"getpid", seccomp.ActAllow, always}, {"getppid", seccomp.ActAllow, always}}
)

// faultCases is the fault matrix: each action on execve, known before the
// start or only at run time, ERRNO on the calls a failing child would
// have needed, and the two extremes.
var faultCases = map[string]faultCase{
	"kill-thread-execve":          {def: seccomp.ActAllow, rules: []rule{{"execve", seccomp.ActKillThread, always}}, op: "check filter", action: "KILL_THREAD", status: 126},
	"kill-thread-execve-run":      {def: seccomp.ActAllow, rules: []rule{{"execve", seccomp.ActKillThread, envpSet}}, op: "exec", action: "KILL_THREAD", status: 126},
	"kill-process-execve":         {def: seccomp.ActAllow, rules: []rule{{"execve", seccomp.ActKillProcess, always}}, op: "check filter", action: "KILL_PROCESS", status: 126},
	"kill-process-execve-run":     {def: seccomp.ActAllow, rules: []rule{{"execve", seccomp.ActKillProcess, envpSet}}, op: "exec", action: "KILL_PROCESS or TRAP", signal: syscall.SIGSYS, status: 126},
	"trap-execve":                 {def: seccomp.ActAllow, rules: []rule{{"execve", seccomp.ActTrap, always}}, op: "check filter", action: "TRAP", status: 126},
	"trap-execve-run":             {def: seccomp.ActAllow, rules: []rule{{"execve", seccomp.ActTrap, envpSet}}, op: "exec", action: "KILL_PROCESS or TRAP", signal: syscall.SIGSYS, status: 126},
	"errno-execve":                {def: seccomp.ActAllow, rules: []rule{{"execve", eperm, always}}, op: "check filter", action: "ERRNO(1)", errno: syscall.EPERM, status: 126},
	"errno-execve-run":            {def: seccomp.ActAllow, rules: []rule{{"execve", eperm, envpSet}}, op: "exec", errno: syscall.EPERM, status: 126},
	"errno-exit-group":            {def: seccomp.ActAllow, rules: []rule{{"exit_group", eperm, always}}},
	"errno-exit-group-missing":    {def: seccomp.ActAllow, rules: []rule{{"exit_group", eperm, always}}, args: []string{"/no/such/program"}, op: "exec", errno: syscall.ENOENT, status: 127},
	"errno-write":                 {def: seccomp.ActAllow, rules: []rule{{"write", eperm, always}}},
	"errno-write-echo":            {def: seccomp.ActAllow, rules: []rule{{"write", eperm, always}}, args: []string{"/bin/echo", "hi"}, status: 1},
	"deny-all":                    {def: eperm, op: "check filter", action: "ERRNO(1)", errno: syscall.EPERM, status: 126},
	"deny-all-run":                {def: eperm, rules: []rule{{"execve", seccomp.ActAllow, envpNull}}, op: "exec", errno: syscall.EPERM, status: 126},
	"kill-all-run":                {def: seccomp.ActKillThread, rules: []rule{{"execve", seccomp.ActAllow, envpNull}}, op: "exec", action: "KILL_THREAD", status: 126},
	"allow-list-without-exit":     {def: eperm, rules: allowed, op: "check filter", action: "ERRNO(1)", errno: syscall.EPERM, status: 126},
	"allow-list-without-exit-run": {def: eperm, rules: append([]rule{{"execve", seccomp.ActAllow, envpNull}}, allowed...), op: "exec", errno: syscall.EPERM, status: 126},
	"allow-all":                   {def: seccomp.ActAllow},
}

// faultFilter builds the filter of a fault case.
func faultFilter(fc faultCase) (*seccomp.ScmpFilter, error) {
	f, err := seccomp.NewFilter(fc.def)
	if err != nil {
		return nil, err
	}
	for _, r := range fc.rules {
		nr, err := seccomp.GetSyscallFromName(r.name)
		if err != nil {
			return nil, err
		}
		switch r.cond {
		case always:
			err = f.AddRule(nr, r.action)
		default:
			op := seccomp.CompareNotEqual
			if r.cond == envpNull {
				op = seccomp.CompareEqual
			}
			var c seccomp.ScmpCondition
			c, err = seccomp.MakeCondition(2, op, 0)
			if err == nil {
				err = f.AddRuleConditional(nr, r.action, []seccomp.ScmpCondition{c})
			}
		}
		if err != nil {
			return nil, err
		}
	}
	return f, nil
}

// faultResult is what TestFaultChild reports.
type faultResult struct {
	Err      string
	Op       string
	Action   string
	Errno    int
	Signal   int
	Status   int
	IsError  bool // a *sandbox.Error
	Exit     int  // the command's exit status when Run returned an *exec.ExitError
	Output   string
	Children bool // a child process was left (running or a zombie)
	Duration time.Duration
}

// TestFaultChild runs one fault case for TestFaults and prints the result.
func TestFaultChild(t *testing.T) {
	name, ok := os.LookupEnv(faultEnv)
	if !ok {
		t.Skip("run by TestFaults")
	}
	fc := faultCases[name]
	f, err := faultFilter(fc)
	if err != nil {
		t.Fatal(err)
	}
	args := fc.args
	if args == nil {
		args = []string{"/bin/true"}
	}
	c := sandbox.Command(f, args[0], args[1:]...)
	var out bytes.Buffer
	c.Stdout, c.Stderr = &out, &out
	start := time.Now()
	err = c.Run()
	res := faultResult{Duration: time.Since(start), Output: out.String()}
	if err != nil {
		res.Err = err.Error()
	}
	var se *sandbox.Error
	var ee *exec.ExitError
	switch {
	case errors.As(err, &se):
		res.IsError = true
		res.Op, res.Action, res.Signal, res.Status = se.Op, se.Action, int(se.Signal), se.Status
		var errno syscall.Errno
		if errors.As(se.Err, &errno) {
			res.Errno = int(errno)
		}
	case errors.As(err, &ee):
		res.Exit = ee.ExitCode()
	}
	_, werr := syscall.Wait4(-1, nil, syscall.WNOHANG, nil)
	res.Children = werr != syscall.ECHILD
	b, _ := json.Marshal(res)
	fmt.Printf("\nRESULT %s\n", b)
}

// runInSubprocess runs the test binary with env set and the given test,
// and returns its standard output and error; deadline only turns a hang
// into a failure.
func runInSubprocess(t *testing.T, test string, env ...string) (stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, testBinary(t), "-test.run=^"+test+"$", "-test.v")
	cmd.Env = append(os.Environ(), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("hung: killed after 60s\nstdout: %s\nstderr: %s", out.String(), errb.String())
	}
	if err != nil {
		t.Fatalf("%v\nstdout: %s\nstderr: %s", err, out.String(), errb.String())
	}
	return out.String(), errb.String()
}

func TestFaults(t *testing.T) {
	requireSeccomp(t)
	for name, fc := range faultCases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			out, errs := runInSubprocess(t, "TestFaultChild", faultEnv+"="+name)
			_, js, ok := strings.Cut(out, "\nRESULT ")
			var res faultResult
			if !ok || json.Unmarshal([]byte(strings.TrimSpace(strings.SplitN(js, "\n", 2)[0])), &res) != nil {
				t.Fatalf("no result:\n%s\n%s", out, errs)
			}
			t.Logf("%v: %s", res.Duration, res.Err)
			if res.Children {
				t.Error("a child process was left behind")
			}
			if strings.Contains(res.Output, "goroutine") || strings.Contains(res.Output, "SIGSYS") {
				t.Errorf("the child printed a Go trace:\n%s", res.Output)
			}
			if fc.op == "" {
				if res.IsError || res.Exit != fc.status {
					t.Errorf("got %q (exit %d), want the command's exit status %d", res.Err, res.Exit, fc.status)
				}
				return
			}
			if !res.IsError || res.Op != fc.op || res.Action != fc.action || res.Errno != int(fc.errno) ||
				res.Signal != int(fc.signal) || res.Status != fc.status {
				t.Errorf("got %+v\nwant op %q action %q errno %d signal %d status %d", res, fc.op, fc.action, fc.errno, fc.signal, fc.status)
			}
			if fc.action != "" && !strings.Contains(res.Err, fc.action) {
				t.Errorf("message %q does not name %s", res.Err, fc.action)
			}
			if fc.op == "check filter" && !strings.Contains(res.Err, "allow execve") {
				t.Errorf("message %q does not say what to fix", res.Err)
			}
		})
	}
}

// TestMainRunsOnce runs, in a process whose TestMain prints a marker, a
// command under filters that refuse everything the child might need,
// exit_group included: the child must never return into the program.
func TestMainRunsOnce(t *testing.T) {
	requireSeccomp(t)
	for _, name := range []string{"allow-list-without-exit", "allow-list-without-exit-run", "kill-all-run", "trap-execve-run"} {
		out, errs := runInSubprocess(t, "TestFaultChild", faultEnv+"="+name, mainMarkerEnv+"=1")
		all := out + errs
		if n := strings.Count(all, mainMarker); n != 1 {
			t.Errorf("%s: the marker appears %d times, want 1:\n%s", name, n, all)
		}
	}
}
