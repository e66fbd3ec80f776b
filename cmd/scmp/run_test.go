package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/seccomp-go/seccomp"
	"github.com/seccomp-go/seccomp/arch"
)

// helperEnv makes the test binary act as a command run by "scmp run": the
// value is "NAME:ARG,ARG...", a syscall to make, whose result it prints;
// NAME may be a number.
const helperEnv = "SCMP_TEST_SYSCALL"

func TestMain(m *testing.M) {
	if spec, ok := os.LookupEnv(helperEnv); ok {
		os.Exit(syscallHelper(spec))
	}
	code := m.Run()
	if scmpBin != "" {
		os.RemoveAll(filepath.Dir(scmpBin))
	}
	os.Exit(code)
}

func syscallHelper(spec string) int {
	name, argText, _ := strings.Cut(spec, ":")
	nr, ok := arch.Native().SyscallNumber(name)
	if n, err := strconv.ParseInt(name, 0, 32); err == nil {
		nr, ok = int32(n), true
	}
	if !ok || nr < 0 {
		fmt.Printf("no syscall %s\n", name)
		return 2
	}
	var args [6]uintptr
	if argText != "" {
		for i, a := range strings.Split(argText, ",") {
			v, err := strconv.ParseUint(a, 0, 64)
			if err != nil {
				fmt.Println(err)
				return 2
			}
			args[i] = uintptr(v)
		}
	}
	r, _, errno := syscall.RawSyscall6(uintptr(nr), args[0], args[1], args[2], args[3], args[4], args[5])
	fmt.Printf("ret=%d errno=%d\n", int(r), int(errno))
	return 0
}

func requireSeccomp(t *testing.T) {
	t.Helper()
	if api, err := seccomp.GetAPI(); err != nil || api < 1 {
		t.Skipf("no seccomp filters here (API level %d, %v)", api, err)
	}
}

// requireSh skips the test where there is no sh.
func requireSh(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
}

// goCommand returns the go command of the toolchain running the test, or
// skips the test.
func goCommand(t testing.TB) string {
	t.Helper()
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(goTool); err != nil {
		t.Skipf("no go tool: %v", err)
	}
	return goTool
}

func TestRunInProcess(t *testing.T) {
	requireSeccomp(t)
	requireSh(t)
	tests := []struct {
		args   []string
		stdin  string
		status int
		stdout string // substring
	}{
		{[]string{"run", "--", "cat", "/proc/self/status"}, "", 0, "Seccomp:\t2\n"},
		{[]string{"run", "cat", "/proc/self/status"}, "", 0, "NoNewPrivs:\t1\n"},
		{[]string{"run", "--", "echo", "hi"}, "", 0, "hi\n"},
		{[]string{"run", "--", "cat"}, "from stdin", 0, "from stdin"},
		{[]string{"run", "--", "sh", "-c", "exit 3"}, "", 3, ""},
		{[]string{"run", "--", "sh", "-c", "exit 255"}, "", 255, ""},
		{[]string{"run", "--", "sh", "-c", "kill -TERM $$"}, "", 128 + int(syscall.SIGTERM), ""},
		{[]string{"run", "--", "sh", "-c", "kill -KILL $$"}, "", 128 + int(syscall.SIGKILL), ""},
		{[]string{"run", "--profile", "docker-default", "--", "sh", "-c", "echo $0 $1", "a", "b"}, "", 0, "a b\n"},
	}
	for _, tt := range tests {
		out, errs, st := cli(t, tt.stdin, tt.args...)
		if st != tt.status || !strings.Contains(out, tt.stdout) {
			t.Errorf("%q: status %d, stdout %q, stderr %q; want %d and %q", tt.args, st, out, errs, tt.status, tt.stdout)
		}
	}
}

func TestRunDenies(t *testing.T) {
	requireSeccomp(t)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	deny := writeFile(t, "deny.json", []byte(`{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[
		{"names":["getpriority"],"action":"SCMP_ACT_ERRNO","errnoRet":18},
		{"names":["setpriority"],"action":"SCMP_ACT_KILL_PROCESS"}]}`))
	type denyCase struct {
		profile []string
		call    string
		status  int
		stdout  string
	}
	tests := []denyCase{
		// Docker's default profile without capabilities refuses
		// personality(ADDR_NO_RANDOMIZE) and reboot with EPERM, and
		// allows personality(PER_LINUX).
		{[]string{"--caps", "none"}, "personality:0x40000", 0, "ret=-1 errno=1\n"},
		{[]string{"--caps", "none"}, "personality:0xffffffff", 0, "errno=0\n"},
		{[]string{"--caps", "none"}, "reboot:0,0,0", 0, "ret=-1 errno=1\n"},
		// By default the profile is resolved for Docker's default
		// capabilities, which lack CAP_SYS_BOOT.
		{nil, "reboot:0,0,0", 0, "ret=-1 errno=1\n"},
		{[]string{"--profile", deny}, "getpriority:0,0", 0, "ret=-1 errno=18\n"},
		{[]string{"--profile", deny}, "setpriority:0,0,0", 128 + int(syscall.SIGSYS), ""},
	}
	if os.Geteuid() == 0 {
		// The host's bounding set has CAP_SYS_BOOT: the filter lets
		// reboot through, and the kernel refuses its bad magic number.
		tests = append(tests, denyCase{[]string{"--caps", "host"}, "reboot:0,0,0", 0, "ret=-1 errno=22\n"})
	}
	for _, tt := range tests {
		t.Setenv(helperEnv, tt.call)
		args := append(append([]string{"run"}, tt.profile...), "--", self)
		out, errs, st := cli(t, "", args...)
		if st != tt.status || !strings.HasSuffix(out, tt.stdout) {
			t.Errorf("%q %s: status %d, stdout %q, stderr %q; want %d and %q", tt.profile, tt.call, st, out, errs, tt.status, tt.stdout)
		}
	}
}

var (
	buildOnce sync.Once
	scmpBin   string
	buildErr  error
)

// scmpBinary builds the command once for the end-to-end tests.
func scmpBinary(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the command; skipped in short mode")
	}
	goTool := goCommand(t)
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "scmp-e2e")
		if err != nil {
			buildErr = err
			return
		}
		scmpBin = filepath.Join(dir, "scmp")
		out, err := exec.Command(goTool, "build", "-o", scmpBin, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return scmpBin
}

// runBinary runs the built command and returns its output and status.
func runBinary(t *testing.T, args ...string) (stdout, stderr string, status int) {
	t.Helper()
	cmd := exec.Command(scmpBinary(t), args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		status = ee.ExitCode()
	default:
		t.Fatal(err)
	}
	return out.String(), errb.String(), status
}

func TestEndToEnd(t *testing.T) {
	requireSeccomp(t)
	requireSh(t)
	tests := []struct {
		args   []string
		status int
		stdout string
		stderr string
	}{
		{[]string{"run", "--", "cat", "/proc/self/status"}, 0, "Seccomp:\t2\n", ""},
		{[]string{"run", "--", "echo", "hi"}, 0, "hi\n", ""},
		{[]string{"run", "--", "sh", "-c", "exit 3"}, 3, "", ""},
		{[]string{"run", "--", "sh", "-c", "kill -HUP $$"}, 128 + int(syscall.SIGHUP), "", ""},
		{[]string{"run", "--", "sh", "-c", "kill -SEGV $$"}, 128 + int(syscall.SIGSEGV), "", ""},
		{[]string{"run", "--", "/no/such/program"}, 127, "", "scmp run: exec /no/such/program: no such file or directory\n"},
		{[]string{"resolve", "-a", "x86_64", "openat"}, 0, "257\n", ""},
		{[]string{"sim", "--arch", "x86_64", "docker-default", "ptrace"}, 0, "action: ", ""},
		{[]string{"compile"}, 2, "", "scmp compile: no profile given\n"},
	}
	for _, tt := range tests {
		out, errs, st := runBinary(t, tt.args...)
		if st != tt.status || !strings.Contains(out, tt.stdout) || (tt.stderr != "" && !strings.Contains(errs, tt.stderr)) {
			t.Errorf("scmp %q: status %d, stdout %q, stderr %q; want %d, %q, %q", tt.args, st, out, errs, tt.status, tt.stdout, tt.stderr)
		}
	}
}

func TestEndToEndCompileDisasmSim(t *testing.T) {
	dir := t.TempDir()
	profile := filepath.Join(dir, "p.json")
	if err := os.WriteFile(profile, []byte(testProfile), 0o644); err != nil {
		t.Fatal(err)
	}
	bpfFile := filepath.Join(dir, "p.bpf")
	if _, errs, st := runBinary(t, "compile", "--verify", "-o", bpfFile, profile); st != 0 {
		t.Fatalf("compile: %s", errs)
	}
	// Also through a pipe: standard output is the same raw filter.
	raw, _, st := runBinary(t, "compile", profile)
	file, err := os.ReadFile(bpfFile)
	if err != nil || st != 0 || raw != string(file) {
		t.Fatalf("compile to stdout differs from -o (status %d, %v)", st, err)
	}
	listing, _, st := runBinary(t, "disasm", bpfFile)
	if st != 0 || !strings.Contains(listing, "ret ERRNO(38)") || !strings.Contains(listing, "ret TRAP") {
		t.Errorf("disasm: status %d:\n%s", st, listing)
	}
	out, _, st := runBinary(t, "sim", "--arch", "x86", bpfFile, "kill", "1", "9")
	if st != 0 || !strings.HasPrefix(out, "action: TRAP\n") {
		t.Errorf("sim: status %d, %q", st, out)
	}
}

func TestGoRun(t *testing.T) {
	requireSeccomp(t)
	if testing.Short() {
		t.Skip("go run; skipped in short mode")
	}
	cmd := exec.Command(goCommand(t), "run", ".", "run", "--", "cat", "/proc/self/status")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go run: %v\n%s", err, stderr.Bytes())
	}
	if !bytes.Contains(out, []byte("Seccomp:\t2\n")) {
		t.Errorf("the command did not run under a filter:\n%s", out)
	}
}

func TestRunForwardsSignals(t *testing.T) {
	requireSeccomp(t)
	requireSh(t)
	cmd := exec.Command(scmpBinary(t), "run", "--", "sh", "-c", `trap 'exit 7' TERM; echo ready; while :; do sleep 0.05; done`)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 6)
	if _, err := stdout.Read(buf); err != nil || string(buf) != "ready\n" {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("read %q, %v", buf, err)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 7 {
			t.Errorf("scmp run exited with %v, want status 7 from the trap", err)
		}
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		t.Fatal("SIGTERM was not passed to the command")
	}
}

// TestRunNotify runs a profile with SCMP_ACT_NOTIFY rules: the descriptor
// goes to the agent at listenerPath with runc's process state, and the
// agent's answers reach the command.
func TestRunNotify(t *testing.T) {
	requireSeccomp(t)
	if api, _ := seccomp.GetAPI(); api < 6 {
		t.Skipf("API level %d has no user notification", api)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	sock := filepath.Join(dir, "agent.sock")
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: sock, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	profile := writeFile(t, "notify.json", []byte(fmt.Sprintf(`{"defaultAction":"SCMP_ACT_ALLOW",
		"listenerPath": %q, "listenerMetadata": "hello agent",
		"syscalls":[{"names":["getpriority"],"action":"SCMP_ACT_NOTIFY"}]}`, sock)))

	type agentResult struct {
		state specs.ContainerProcessState
		err   error
	}
	agent := make(chan agentResult, 1)
	go func() {
		var res agentResult
		defer func() { agent <- res }()
		conn, err := ln.AcceptUnix()
		if err != nil {
			res.err = err
			return
		}
		defer conn.Close()
		buf := make([]byte, 4096)
		oob := make([]byte, syscall.CmsgSpace(4))
		n, oobn, _, _, err := conn.ReadMsgUnix(buf, oob)
		if err != nil {
			res.err = err
			return
		}
		if res.err = json.Unmarshal(buf[:n], &res.state); res.err != nil {
			return
		}
		msgs, err := syscall.ParseSocketControlMessage(oob[:oobn])
		if err != nil || len(msgs) != 1 {
			res.err = fmt.Errorf("control messages: %v %v", msgs, err)
			return
		}
		fds, err := syscall.ParseUnixRights(&msgs[0])
		if err != nil || len(fds) != 1 {
			res.err = fmt.Errorf("descriptors: %v %v", fds, err)
			return
		}
		fd := seccomp.ScmpFd(fds[0])
		defer syscall.Close(fds[0])
		req, err := seccomp.NotifReceive(fd)
		if err != nil {
			res.err = err
			return
		}
		res.err = seccomp.NotifRespond(fd, &seccomp.ScmpNotifResp{ID: req.ID, Val: 7})
	}()

	t.Setenv(helperEnv, "getpriority:0,0")
	out, errs, st := cli(t, "", "run", "--profile", profile, "--", self)
	if st != 0 || out != "ret=7 errno=0\n" {
		t.Errorf("status %d, stdout %q, stderr %q; want the agent's answer 7", st, out, errs)
	}
	select {
	case res := <-agent:
		if res.err != nil {
			t.Fatal(res.err)
		}
		if res.state.Metadata != "hello agent" || len(res.state.Fds) != 1 || res.state.Fds[0] != specs.SeccompFdName || res.state.Pid <= 0 {
			t.Errorf("process state %+v", res.state)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the agent got nothing")
	}

	// Without listenerPath nobody would answer: refused before starting.
	noAgent := writeFile(t, "noagent.json", []byte(`{"defaultAction":"SCMP_ACT_ALLOW",
		"syscalls":[{"names":["getpriority"],"action":"SCMP_ACT_NOTIFY"}]}`))
	_, errs, st = cli(t, "", "run", "--profile", noAgent, "--", self)
	if st != 125 || !strings.Contains(errs, "no listenerPath") {
		t.Errorf("without listenerPath: status %d, stderr %q", st, errs)
	}
}

// runBinaryDeadline runs the built command like runBinary; the deadline
// only turns a hang into a failure.
func runBinaryDeadline(t *testing.T, args ...string) (stdout, stderr string, status int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, scmpBinary(t), args...)
	cmd.WaitDelay = time.Second
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("scmp %q hung: killed after 60s; stderr %q", args, errb.String())
	}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		status = ee.ExitCode()
	default:
		t.Fatal(err)
	}
	return out.String(), errb.String(), status
}

// TestRunFaults runs "scmp run" under profiles that stop the child's
// execve or the calls a failing child would have needed, each known from
// the profile (refused before the start) or only at run time (a condition
// on execve's envp, which is never NULL).
func TestRunFaults(t *testing.T) {
	requireSeccomp(t)
	const envpSet = `,"args":[{"index":2,"value":0,"op":"SCMP_CMP_NE"}]`
	const envpNull = `,"args":[{"index":2,"value":0,"op":"SCMP_CMP_EQ"}]`
	rule := func(def, name, action, args string) string {
		return fmt.Sprintf(`{"defaultAction":%q,"syscalls":[{"names":[%q],"action":%q%s}]}`, def, name, action, args)
	}
	refused := func(action string) string {
		return "scmp run: the filter stops execve on " + arch.Native().Name + " with " + action
	}
	tests := []struct {
		name    string
		profile string
		cmd     []string
		status  int
		stdout  string
		stderr  string // a substring of the one line on stderr; "" for none
	}{
		{"kill-thread", rule("SCMP_ACT_ALLOW", "execve", "SCMP_ACT_KILL_THREAD", ""), nil, 126, "", refused("KILL_THREAD")},
		{"kill", rule("SCMP_ACT_ALLOW", "execve", "SCMP_ACT_KILL", ""), nil, 126, "", refused("KILL_THREAD")},
		{"kill-thread-run", rule("SCMP_ACT_ALLOW", "execve", "SCMP_ACT_KILL_THREAD", envpSet), nil, 126, "", "the filter killed the command's execve (KILL_THREAD)"},
		{"kill-process", rule("SCMP_ACT_ALLOW", "execve", "SCMP_ACT_KILL_PROCESS", ""), nil, 126, "", refused("KILL_PROCESS")},
		{"kill-process-run", rule("SCMP_ACT_ALLOW", "execve", "SCMP_ACT_KILL_PROCESS", envpSet), nil, 126, "", "the filter killed the command's execve (SIGSYS: KILL_PROCESS or TRAP)"},
		{"trap", rule("SCMP_ACT_ALLOW", "execve", "SCMP_ACT_TRAP", ""), nil, 126, "", refused("TRAP")},
		{"trap-run", rule("SCMP_ACT_ALLOW", "execve", "SCMP_ACT_TRAP", envpSet), nil, 126, "", "the filter killed the command's execve (SIGSYS: KILL_PROCESS or TRAP)"},
		{"errno", rule("SCMP_ACT_ALLOW", "execve", "SCMP_ACT_ERRNO", ""), nil, 126, "", refused("ERRNO(1)")},
		{"errno-run", rule("SCMP_ACT_ALLOW", "execve", "SCMP_ACT_ERRNO", envpSet), nil, 126, "", "exec /bin/true: operation not permitted (does the filter allow execve?)"},
		{"errno-exit-group", rule("SCMP_ACT_ALLOW", "exit_group", "SCMP_ACT_ERRNO", ""), nil, 0, "", ""},
		{"errno-exit-group-missing", rule("SCMP_ACT_ALLOW", "exit_group", "SCMP_ACT_ERRNO", ""), []string{"/no/such/program"}, 127, "", "exec /no/such/program: no such file or directory"},
		{"errno-write", rule("SCMP_ACT_ALLOW", "write", "SCMP_ACT_ERRNO", ""), []string{"/bin/echo", "hi"}, 1, "", ""},
		{"deny-all", `{"defaultAction":"SCMP_ACT_ERRNO"}`, nil, 126, "", refused("ERRNO(1)")},
		{"deny-all-run", rule("SCMP_ACT_ERRNO", "execve", "SCMP_ACT_ALLOW", envpNull), nil, 126, "", "exec /bin/true: operation not permitted"},
		{"kill-all", `{"defaultAction":"SCMP_ACT_KILL"}`, nil, 126, "", refused("KILL_THREAD")},
		{"kill-all-run", rule("SCMP_ACT_KILL", "execve", "SCMP_ACT_ALLOW", envpNull), nil, 126, "", "the filter killed the command's execve (KILL_THREAD)"},
		{"allow-all", `{"defaultAction":"SCMP_ACT_ALLOW"}`, []string{"/bin/echo", "hi"}, 0, "hi\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			profile := writeFile(t, "p.json", []byte(tt.profile))
			cmd := tt.cmd
			if cmd == nil {
				cmd = []string{"/bin/true"}
			}
			out, errs, st := runBinaryDeadline(t, append([]string{"run", "--profile", profile, "--"}, cmd...)...)
			if st != tt.status || out != tt.stdout {
				t.Errorf("status %d, stdout %q, stderr %q; want %d, %q", st, out, errs, tt.status, tt.stdout)
			}
			checkOneLine(t, errs, tt.stderr)
		})
	}
}

// checkOneLine checks that stderr is empty when want is, and otherwise
// one line that contains want and no Go trace.
func checkOneLine(t *testing.T, stderr, want string) {
	t.Helper()
	if want == "" {
		if stderr != "" {
			t.Errorf("stderr %q, want nothing", stderr)
		}
		return
	}
	if !strings.Contains(stderr, want) || strings.Count(stderr, "\n") != 1 || !strings.HasSuffix(stderr, "\n") {
		t.Errorf("stderr %q, want one line with %q", stderr, want)
	}
	if strings.Contains(stderr, "goroutine") || strings.Contains(stderr, "bad system call") {
		t.Errorf("stderr has a Go trace: %q", stderr)
	}
}

// TestRunSIGSYS runs a command that a KILL_PROCESS action kills: scmp run
// says so in one line, naming the system call when the kernel's audit
// log has the record. (KILL_THREAD would only end one thread of the Go
// helper, whose others go on.)
func TestRunSIGSYS(t *testing.T) {
	requireSeccomp(t)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	profile := writeFile(t, "kill.json", []byte(`{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[
		{"names":["getpriority"],"action":"SCMP_ACT_KILL_PROCESS"}]}`))
	for _, call := range []string{"getpriority:0,0"} {
		name, _, _ := strings.Cut(call, ":")
		t.Setenv(helperEnv, call)
		_, errs, st := runBinaryDeadline(t, "run", "--profile", profile, "--", self)
		if st != 128+int(syscall.SIGSYS) {
			t.Errorf("%s: status %d, want %d; stderr %q", call, st, 128+int(syscall.SIGSYS), errs)
		}
		checkOneLine(t, errs, filepath.Base(self)+" was killed by SIGSYS")
		if strings.Contains(errs, "action on ") && !strings.Contains(errs, " action on "+name+" (") {
			t.Errorf("%s: stderr %q names another call", call, errs)
		}
		t.Logf("%s", errs)
	}
}

func TestParseSeccompRecord(t *testing.T) {
	line := `5,344,678510948,-;audit: type=1326 audit(1796163889.006:2): auid=4294967295 uid=0 gid=0 ses=4294967295 pid=24674 comm="python3" exe="/usr/bin/python3.11" sig=31 arch=c000003e syscall=140 compat=0 ip=0x7f680ed1bb67 code=0x80000000`
	rec, ok := parseSeccompRecord(line)
	if !ok || *rec != (seccompRecord{pid: 24674, arch: 0xc000003e, nr: 140, code: 0x80000000}) {
		t.Errorf("got %+v, %v", rec, ok)
	}
	if got, want := sigsysMessage("python3", rec), "python3 was killed by SIGSYS: the filter's KILL_PROCESS action on getpriority (x86_64 140)"; got != want {
		t.Errorf("message %q, want %q", got, want)
	}
	// Without the record, the message says where to look.
	if got := sigsysMessage("python3", nil); !strings.HasPrefix(got, "python3 was killed by SIGSYS") || !strings.Contains(got, "dmesg") {
		t.Errorf("message without a record: %q", got)
	}
	for _, bad := range []string{
		"6,1,2,-;EXT4-fs (vda): mounted filesystem",
		strings.Replace(line, "syscall=140", "syscall=x", 1),
		strings.Replace(line, "type=1326", "type=1300", 1),
		"no semicolon type=1326 pid=1",
	} {
		if rec, ok := parseSeccompRecord(bad); ok {
			t.Errorf("%q parsed as %+v", bad, rec)
		}
	}
}
