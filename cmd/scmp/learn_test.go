package main

import (
	"bytes"
	"context"
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
	"sync"
	"syscall"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/seccomp-go/seccomp"
	"github.com/seccomp-go/seccomp/arch"
	"github.com/seccomp-go/seccomp/oci"
	"github.com/seccomp-go/seccomp/sandbox"
)

// learnHelperEnv makes the test binary a program to learn: "threads:N"
// starts N threads that each call sysinfo(2); "loop:N" calls getpid(2)
// N times.
const learnHelperEnv = "SCMP_TEST_LEARN"

func init() {
	if v, ok := os.LookupEnv(learnHelperEnv); ok {
		os.Exit(learnHelper(v))
	}
}

func learnHelper(spec string) int {
	mode, nText, _ := strings.Cut(spec, ":")
	n, err := strconv.Atoi(nText)
	if err != nil {
		fmt.Println(err)
		return 2
	}
	switch mode {
	case "threads":
		var wg sync.WaitGroup
		tids := make([]int, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				// A thread of its own, kept to the end so that
				// each goroutine runs on a different one.
				runtime.LockOSThread()
				var info syscall.Sysinfo_t
				if err := syscall.Sysinfo(&info); err != nil {
					fmt.Println(err)
					return
				}
				tids[i] = syscall.Gettid()
			}()
		}
		wg.Wait()
		slices.Sort(tids)
		distinct := len(slices.Compact(tids))
		fmt.Printf("%d threads\n", distinct)
	case "loop":
		for range n {
			syscall.RawSyscall(syscall.SYS_GETPID, 0, 0, 0)
		}
		fmt.Println("done")
	default:
		return 2
	}
	return 0
}

// scmpAt runs bin with args and env added to its environment, under
// credentials cred (nil: the test's own), with a deadline.
func scmpAt(t *testing.T, bin string, cred *syscall.Credential, env []string, args ...string) (stdout, stderr string, status int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.WaitDelay = time.Second
	cmd.Env = append(os.Environ(), env...)
	if cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case ctx.Err() != nil:
		t.Fatalf("scmp %q: no end within the deadline; stderr %q", args, errb.String())
	case err == nil:
	case errors.As(err, &ee):
		status = ee.ExitCode()
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			status = 128 + int(ws.Signal())
		}
	default:
		t.Fatal(err)
	}
	return out.String(), errb.String(), status
}

func requireNotify(t *testing.T) {
	t.Helper()
	requireSeccomp(t)
	if api, _ := seccomp.GetAPI(); api < 6 {
		t.Skipf("API level %d has no user notification", api)
	}
}

// learner runs "scmp learn" and "scmp run" as one user.
type learner struct {
	t    *testing.T
	bin  string // scmp
	self string // the test binary
	dir  string // where profiles go
	cred *syscall.Credential
	env  []string
}

// newLearner returns a learner for the test's own user or, with nobody
// set, for the user nobody, with copies of the binaries that user can
// run.
func newLearner(t *testing.T, nobody bool) *learner {
	t.Helper()
	requireNotify(t)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	l := &learner{t: t, bin: scmpBinary(t), self: self, dir: t.TempDir()}
	if !nobody {
		return l
	}
	if os.Geteuid() != 0 {
		t.Skip("running as nobody needs root to switch users")
	}
	dir, err := os.MkdirTemp("", "scmp-learn")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ from, to *string }{{&l.bin, new(string)}, {&l.self, new(string)}} {
		*c.to = filepath.Join(dir, filepath.Base(*c.from))
		data, err := os.ReadFile(*c.from)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(*c.to, data, 0o755); err != nil {
			t.Fatal(err)
		}
		*c.from = *c.to
	}
	l.dir = dir
	l.cred = &syscall.Credential{Uid: 65534, Gid: 65534}
	return l
}

// learn runs "scmp learn -o FILE flags -- cmd" and returns FILE, the
// command's output and status.
func (l *learner) learn(name string, flags []string, cmd ...string) (profile, stdout string, status int) {
	l.t.Helper()
	profile = filepath.Join(l.dir, name)
	args := append(append([]string{"learn", "-o", profile}, flags...), "--")
	out, errs, st := scmpAt(l.t, l.bin, l.cred, l.env, append(args, cmd...)...)
	if _, err := os.Stat(profile); err != nil {
		l.t.Fatalf("scmp learn %q wrote no profile (status %d, stderr %q)", cmd, st, errs)
	}
	return profile, out, st
}

// replay runs cmd under profile with "scmp run".
func (l *learner) replay(profile string, cmd ...string) (stdout, stderr string, status int) {
	l.t.Helper()
	return scmpAt(l.t, l.bin, l.cred, l.env, append([]string{"run", "--profile", profile, "--"}, cmd...)...)
}

// names returns the syscall names profile allows.
func names(t *testing.T, profile string) map[string][]oci.Syscall {
	t.Helper()
	data, err := os.ReadFile(profile)
	if err != nil {
		t.Fatal(err)
	}
	p, _, err := oci.ParseProfile(data)
	if err != nil {
		t.Fatalf("%s: %v\n%s", profile, err, data)
	}
	out := map[string][]oci.Syscall{}
	for _, s := range p.Syscalls {
		for _, n := range s.Names {
			out[n] = append(out[n], s)
		}
	}
	return out
}

// TestLearnReplays learns profiles of shell pipelines, a program that
// forks, and a multi-threaded Go program, as this user and as nobody,
// and runs each command again under its profile: same output, same
// status.
func TestLearnReplays(t *testing.T) {
	requireSh(t)
	for _, nobody := range []bool{false, true} {
		t.Run(fmt.Sprintf("nobody=%v", nobody), func(t *testing.T) {
			l := newLearner(t, nobody)
			tests := []struct {
				name  string
				env   []string
				cmd   []string
				want  string   // output
				calls []string // among the profile's names
			}{
				{"pipeline", nil, []string{"sh", "-c", "echo hello | tr a-z A-Z | cat; exit 3"}, "HELLO\n", []string{"pipe2", "wait4"}},
				{"fork", nil, []string{"sh", "-c", "(echo child; exit 4); echo $?; ls /usr >/dev/null & wait $!; echo $?"}, "child\n4\n0\n", []string{"wait4", "getdents64"}},
				{"signal", nil, []string{"sh", "-c", "echo dying; kill -TERM $$"}, "dying\n", []string{"kill"}},
				{"threads", []string{learnHelperEnv + "=threads:8", "GODEBUG=asyncpreemptoff=1"}, []string{l.self}, "8 threads\n", []string{"sysinfo", "clone|clone3", "gettid"}},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					l.t = t
					l.env = tt.env
					direct, _, wantStatus := scmpAt(t, tt.cmd[0], l.cred, tt.env, tt.cmd[1:]...)
					if direct != tt.want {
						t.Fatalf("%q prints %q, want %q", tt.cmd, direct, tt.want)
					}
					profile, out, st := l.learn(tt.name+".json", nil, tt.cmd...)
					if out != tt.want || st != wantStatus {
						t.Errorf("under scmp learn: output %q, status %d; want %q, %d", out, st, tt.want, wantStatus)
					}
					got := names(t, profile)
					for _, c := range tt.calls {
						// "a|b": either (clone3 where the runtime
						// creates threads through the C library).
						if !slices.ContainsFunc(strings.Split(c, "|"), func(n string) bool { return got[n] != nil }) {
							t.Errorf("the profile does not allow %s, which the command used", c)
						}
					}
					out, errs, st := l.replay(profile, tt.cmd...)
					if out != tt.want || st != wantStatus {
						t.Errorf("replayed: output %q, status %d, stderr %q; want %q, %d", out, st, errs, tt.want, wantStatus)
					}
				})
			}
		})
	}
}

// TestLearnRefusesUnused checks that a learned profile refuses what the
// learning run did not do.
func TestLearnRefusesUnused(t *testing.T) {
	l := newLearner(t, false)
	l.env = []string{helperEnv + "=getpid:"}
	profile, out, st := l.learn("getpid.json", nil, l.self)
	if st != 0 || !strings.HasPrefix(out, "ret=") || !strings.HasSuffix(out, " errno=0\n") {
		t.Fatalf("under scmp learn: %q, status %d", out, st)
	}
	if got := names(t, profile); got["getpid"] == nil || got["getppid"] != nil {
		t.Fatalf("the profile allows getpid: %v, getppid: %v; want true, false", got["getpid"] != nil, got["getppid"] != nil)
	}
	if out, errs, st := l.replay(profile, l.self); st != 0 || !strings.HasSuffix(out, " errno=0\n") {
		t.Errorf("getpid replayed: %q, status %d, stderr %q", out, st, errs)
	}
	l.env = []string{helperEnv + "=getppid:"}
	out, errs, st := l.replay(profile, l.self)
	if st != 0 || (out != "ret=-1 errno=1\n" && out != "ret=-1 errno=38\n") {
		t.Errorf("getppid under the profile of getpid: %q, status %d, stderr %q; want EPERM (or ENOSYS)", out, st, errs)
	}
}

// TestLearnNotFound checks that a command that cannot be run gives the
// status of "scmp run" and no profile.
func TestLearnNotFound(t *testing.T) {
	l := newLearner(t, false)
	profile := filepath.Join(l.dir, "none.json")
	_, errs, st := scmpAt(t, l.bin, nil, nil, "learn", "-o", profile, "--", "/no/such/program")
	if st != 127 || !strings.Contains(errs, "no such file or directory") {
		t.Errorf("status %d, stderr %q; want 127 and the error", st, errs)
	}
	if left, _ := os.ReadDir(l.dir); len(left) != 0 {
		t.Errorf("files left for a command that did not run: %v", left)
	}
	// An unwritable -o is found out before the command runs.
	out, errs, st := scmpAt(t, l.bin, nil, nil, "learn", "-o", filepath.Join(l.dir, "no", "p.json"), "--", "echo", "ran")
	if st != exitRunFailed || out != "" || !strings.Contains(errs, "cannot write there") {
		t.Errorf("unwritable -o: status %d, stdout %q, stderr %q; want %d, nothing run", st, out, errs, exitRunFailed)
	}
}

// TestLearnArgs checks that --args allows personality only with the
// value the learning run passed.
func TestLearnArgs(t *testing.T) {
	l := newLearner(t, false)
	const query = "0xffffffff" // personality(0xffffffff) returns the persona
	l.env = []string{helperEnv + "=personality:" + query}
	profile, out, st := l.learn("personality.json", []string{"--args"}, l.self)
	if st != 0 || !strings.HasSuffix(out, " errno=0\n") {
		t.Fatalf("under scmp learn: %q, status %d", out, st)
	}
	entries := names(t, profile)["personality"]
	if len(entries) != 1 || len(entries[0].Args) != 1 || entries[0].Args[0].Value != 0xffffffff || entries[0].Args[0].Op != "SCMP_CMP_EQ" {
		t.Fatalf("personality entries %+v; want one with arg0 == 0xffffffff", entries)
	}
	if out2, errs, st := l.replay(profile, l.self); st != 0 || out2 != out {
		t.Errorf("replayed: %q, status %d, stderr %q; want %q", out2, st, errs, out)
	}
	l.env = []string{helperEnv + "=personality:8"}
	if out, errs, st := l.replay(profile, l.self); st != 0 || out != "ret=-1 errno=1\n" {
		t.Errorf("personality(8) under a profile that saw 0xffffffff: %q, status %d, stderr %q; want EPERM", out, st, errs)
	}
}

// TestLearnBase learns under base profiles: what they refuse stays
// refused, during the run and in the profile, and what they allow with
// conditions keeps them.
func TestLearnBase(t *testing.T) {
	l := newLearner(t, false)
	base := filepath.Join(l.dir, "base.json")
	if err := os.WriteFile(base, []byte(`{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
		{"names": ["sysinfo", "getppid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	l.env = []string{helperEnv + "=sysinfo:0"}
	profile, out, st := l.learn("sysinfo.json", []string{"--base", base}, l.self)
	if st != 0 || out != "ret=-1 errno=13\n" {
		t.Fatalf("under scmp learn --base: %q, status %d; want the base's EACCES", out, st)
	}
	got := names(t, profile)
	if e := got["getppid"]; len(e) != 1 || e[0].Action != "SCMP_ACT_ERRNO" || e[0].ErrnoRet == nil || *e[0].ErrnoRet != 13 {
		t.Errorf("getppid entries %+v; want the base's ERRNO(13)", e)
	}
	if out2, errs, st := l.replay(profile, l.self); st != 0 || out2 != out {
		t.Errorf("replayed: %q, status %d, stderr %q; want %q", out2, st, errs, out)
	}

	// Docker's profile allows personality only with some values; the
	// entry is kept with its conditions.
	l.env = []string{helperEnv + "=personality:0xffffffff"}
	profile, out, st = l.learn("docker.json", []string{"--base", "docker-default"}, l.self)
	if st != 0 || !strings.HasSuffix(out, " errno=0\n") {
		t.Fatalf("under scmp learn --base docker-default: %q, status %d", out, st)
	}
	got = names(t, profile)
	if e := got["personality"]; len(e) == 0 || slices.ContainsFunc(e, func(s oci.Syscall) bool { return len(s.Args) == 0 }) {
		t.Errorf("personality entries %+v; want Docker's, with args", e)
	}
	if got["ptrace"] != nil || got["sysinfo"] != nil {
		t.Errorf("the profile allows ptrace or sysinfo, which the command did not use")
	}
	if out2, errs, st := l.replay(profile, l.self); st != 0 || out2 != out {
		t.Errorf("replayed: %q, status %d, stderr %q; want %q", out2, st, errs, out)
	}
}

// TestLearnFormats checks the Docker and SeccompProfile outputs: both
// are read back by scmp run, and replay the command.
func TestLearnFormats(t *testing.T) {
	requireSh(t)
	l := newLearner(t, false)
	cmd := []string{"sh", "-c", "echo formats"}
	for _, format := range []string{"docker", "spo"} {
		profile, out, st := l.learn("p."+format, []string{"--format", format}, cmd...)
		if st != 0 || out != "formats\n" {
			t.Fatalf("--format %s: %q, status %d", format, out, st)
		}
		data, _ := os.ReadFile(profile)
		switch format {
		case "docker":
			var p oci.Profile
			if err := json.Unmarshal(data, &p); err != nil || len(p.ArchMap) != 1 {
				t.Errorf("--format docker: %v, archMap %+v", err, p.ArchMap)
			}
		case "spo":
			if !bytes.HasPrefix(data, []byte("apiVersion: security-profiles-operator.x-k8s.io/v1beta1\nkind: SeccompProfile\nmetadata:\n  name: \"sh\"\n")) {
				t.Errorf("--format spo:\n%s", data)
			}
			// sim and compile read the resource too.
			if out, errs, st := scmpAt(t, l.bin, nil, nil, "sim", profile, "ptrace"); st != 0 || !strings.HasPrefix(out, "action: ERRNO(1)\n") {
				t.Errorf("sim ptrace: %q, status %d, stderr %q", out, st, errs)
			}
			if out, errs, st := scmpAt(t, l.bin, nil, nil, "sim", profile, "execve"); st != 0 || !strings.HasPrefix(out, "action: ALLOW\n") {
				t.Errorf("sim execve: %q, status %d, stderr %q", out, st, errs)
			}
			if out, errs, st := scmpAt(t, l.bin, nil, nil, "compile", "--format", "pfc", profile); st != 0 || !strings.Contains(out, "execve") {
				t.Errorf("compile: status %d, stderr %q", st, errs)
			}
		}
		if out, errs, st := l.replay(profile, cmd...); st != 0 || out != "formats\n" {
			t.Errorf("--format %s replayed: %q, status %d, stderr %q", format, out, st, errs)
		}
	}
}

// BenchmarkLearnSyscall measures the cost of a system call under "scmp
// learn": each is a round trip to scmp, even when already recorded.
// BenchmarkRunSyscall is the same loop under "scmp run" with Docker's
// profile, for comparison.
func BenchmarkLearnSyscall(b *testing.B) { benchmarkLoop(b, "learn", "-o", os.DevNull) }

func BenchmarkRunSyscall(b *testing.B) { benchmarkLoop(b, "run") }

func benchmarkLoop(b *testing.B, args ...string) {
	if api, _ := seccomp.GetAPI(); api < 6 {
		b.Skipf("API level %d has no user notification", api)
	}
	self, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	os.Setenv(learnHelperEnv, "loop:"+strconv.Itoa(b.N))
	defer os.Unsetenv(learnHelperEnv)
	b.ResetTimer()
	if st := runWithInput(append(args, "--", self), strings.NewReader(""), io.Discard, os.Stderr); st != 0 {
		b.Fatalf("status %d", st)
	}
}

// TestLearnCompatArch learns a 32-bit x86 program on x86_64: its calls
// are recorded on their own architecture, and the profile, in each
// format, lists x86 and runs it again.
func TestLearnCompatArch(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		t.Skip("x86 programs run on x86_64 machines")
	}
	l := newLearner(t, false)
	dir := t.TempDir()
	src := filepath.Join(dir, "main.go")
	if err := os.WriteFile(src, []byte("package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hello from x86\") }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	prog := filepath.Join(dir, "hello386")
	build := exec.Command(goCommand(t), "build", "-o", prog, src)
	build.Env = append(os.Environ(), "GOARCH=386", "CGO_ENABLED=0", "GOFLAGS=")
	if out, err := build.CombinedOutput(); err != nil {
		t.Skipf("cannot build for 386: %v\n%s", err, out)
	}
	if out, err := exec.Command(prog).Output(); err != nil || string(out) != "hello from x86\n" {
		t.Skipf("this kernel does not run x86 programs (%v)", err)
	}
	for _, format := range []string{"oci", "docker"} {
		profile, out, st := l.learn("x86."+format, []string{"--format", format}, prog)
		if st != 0 || out != "hello from x86\n" {
			t.Fatalf("--format %s: %q, status %d", format, out, st)
		}
		data, _ := os.ReadFile(profile)
		if !bytes.Contains(data, []byte(`"SCMP_ARCH_X86"`)) {
			t.Errorf("--format %s: the profile does not list x86:\n%s", format, data)
		}
		// mmap2 exists on x86, not on x86_64.
		if names(t, profile)["mmap2"] == nil {
			t.Errorf("--format %s: the profile lacks x86's mmap2:\n%s", format, data)
		}
		if out, errs, st := l.replay(profile, prog); st != 0 || out != "hello from x86\n" {
			t.Errorf("--format %s replayed: %q, status %d, stderr %q", format, out, st, errs)
		}
	}
}

// TestLearnForwardsSignals checks that SIGTERM sent to scmp learn reaches
// the command, as under scmp run, and that the profile is still written.
func TestLearnForwardsSignals(t *testing.T) {
	requireSh(t)
	l := newLearner(t, false)
	profile := filepath.Join(l.dir, "trap.json")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, l.bin, "learn", "-o", profile, "--", "sh", "-c", `trap 'exit 7' TERM; sleep 0.01; echo ready; while :; do sleep 0.05; done`)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 6)
	if _, err := io.ReadFull(stdout, buf); err != nil || string(buf) != "ready\n" {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("read %q, %v", buf, err)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	err = cmd.Wait()
	var ee *exec.ExitError
	if ctx.Err() != nil || !errors.As(err, &ee) || ee.ExitCode() != 7 {
		t.Fatalf("scmp learn exited with %v, want status 7 from the trap", err)
	}
	// sleep ran (and was recorded) before "ready".
	if got := names(t, profile); got["nanosleep"] == nil && got["clock_nanosleep"] == nil {
		data, _ := os.ReadFile(profile)
		t.Errorf("the profile lacks sleep's nanosleep:\n%s", data)
	}
}

// TestLearnedProfile checks how recorded calls become entries, without
// a kernel: the sandbox's execve, --args values and their limit, and
// the two kinds of base profile.
func TestLearnedProfile(t *testing.T) {
	nr := func(name string, a seccomp.ScmpArch) seccomp.ScmpSyscall {
		n, err := seccomp.GetSyscallFromNameByArch(name, a)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	amd64 := seccomp.ArchAMD64
	call := func(r *recorder, name string, a seccomp.ScmpArch, args ...uint64) {
		r.note(&seccomp.ScmpNotifReq{Data: seccomp.ScmpNotifData{Syscall: nr(name, a), Arch: a, Args: append(args, make([]uint64, 6-len(args))...)}})
	}
	entries := func(p *learned) string {
		var b strings.Builder
		for _, e := range p.entries {
			fmt.Fprintf(&b, "%s %v", e.Action, e.Names)
			for _, a := range e.Args {
				fmt.Fprintf(&b, " arg%d==%#x", a.Index, a.Value)
			}
			if e.ErrnoRet != nil {
				fmt.Fprintf(&b, " errno %d", *e.ErrnoRet)
			}
			b.WriteString("; ")
		}
		return b.String()
	}

	r := newRecorder(true)
	call(r, "execve", amd64) // the sandbox's
	call(r, "read", amd64)
	call(r, "personality", amd64, 0xffffffff)
	call(r, "personality", amd64, 8)
	call(r, "mmap2", seccomp.ArchX86)
	for i := range maxArgValues + 1 {
		call(r, "prctl", amd64, uint64(i))
	}
	p := r.profile(amd64, nil)
	want := "SCMP_ACT_ALLOW [execve mmap2 prctl read]; SCMP_ACT_ALLOW [personality] arg0==0x8; SCMP_ACT_ALLOW [personality] arg0==0xffffffff; "
	if got := entries(p); got != want {
		t.Errorf("no base:\n got %s\nwant %s", got, want)
	}
	if !slices.Equal(p.arches, []seccomp.ScmpArch{amd64, seccomp.ArchX86}) || p.defaultAction != "SCMP_ACT_ERRNO" || *p.defaultErrno != 1 {
		t.Errorf("arches %v, default %s %v", p.arches, p.defaultAction, p.defaultErrno)
	}

	eacces := uint(13)
	deny := specs.LinuxSyscall{Names: []string{"ptrace"}, Action: "SCMP_ACT_ERRNO", ErrnoRet: &eacces}
	cond := specs.LinuxSyscall{Names: []string{"personality", "read", "uname"}, Action: "SCMP_ACT_ALLOW", Args: []specs.LinuxSeccompArg{{Index: 0, Value: 8, Op: "SCMP_CMP_EQ"}}}
	r = newRecorder(false)
	call(r, "execve", amd64)
	call(r, "read", amd64)
	call(r, "personality", amd64, 8)
	refusing := &specs.LinuxSeccomp{DefaultAction: "SCMP_ACT_KILL_PROCESS", Syscalls: []specs.LinuxSyscall{
		deny, cond, {Names: []string{"execve", "write"}, Action: "SCMP_ACT_ALLOW"}}}
	p = r.profile(amd64, refusing)
	want = "SCMP_ACT_ERRNO [ptrace] errno 13; SCMP_ACT_ALLOW [personality read] arg0==0x8; SCMP_ACT_ALLOW [execve]; "
	if got := entries(p); got != want || p.defaultAction != "SCMP_ACT_KILL_PROCESS" {
		t.Errorf("refusing base:\n got %s (default %s)\nwant %s", got, p.defaultAction, want)
	}
	allowing := &specs.LinuxSeccomp{DefaultAction: "SCMP_ACT_LOG", Syscalls: []specs.LinuxSyscall{deny, cond}}
	p = r.profile(amd64, allowing)
	want = "SCMP_ACT_ERRNO [ptrace] errno 13; SCMP_ACT_LOG [execve personality read]; "
	if got := entries(p); got != want || p.defaultAction != "SCMP_ACT_ERRNO" {
		t.Errorf("allowing base:\n got %s (default %s)\nwant %s", got, p.defaultAction, want)
	}
}

// TestLearnWaitsForDescendants checks that scmp learn waits for the
// processes CMD leaves behind, and that a signal ends that wait with a
// profile.
func TestLearnWaitsForDescendants(t *testing.T) {
	requireSh(t)
	l := newLearner(t, false)
	profile := filepath.Join(l.dir, "left.json")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, l.bin, "learn", "-o", profile, "--", "sh", "-c", "sleep 5 >/dev/null 2>&1 & echo started")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 8)
	if _, err := io.ReadFull(stdout, buf); err != nil || string(buf) != "started\n" {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("read %q, %v", buf, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		t.Fatalf("scmp learn exited (%v) while sleep, started by the command, still ran", err)
	case <-time.After(500 * time.Millisecond):
	}
	cmd.Process.Signal(syscall.SIGTERM)
	if err := <-exited; err != nil || ctx.Err() != nil {
		t.Fatalf("scmp learn: %v; stderr %q", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "ends the recording of the processes it left") {
		t.Errorf("stderr %q; want the warning", stderr.String())
	}
	if got := names(t, profile); got["execve"] == nil {
		t.Errorf("no profile with execve: %v", got)
	}
}

// TestLearnOutputInPlace checks that -o naming something other than a
// regular file (here a symbolic link; a device such as /dev/null takes
// the same path) is written through, not replaced.
func TestLearnOutputInPlace(t *testing.T) {
	l := newLearner(t, false)
	target := filepath.Join(l.dir, "target.json")
	if err := os.WriteFile(target, []byte("old contents, longer than nothing"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(l.dir, "link.json")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if _, errs, st := scmpAt(t, l.bin, nil, nil, "learn", "-o", link, "--", "true"); st != 0 {
		t.Fatalf("status %d, stderr %q", st, errs)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("%s is no longer a symbolic link (%v)", link, err)
	}
	if got := names(t, target); got["execve"] == nil {
		t.Errorf("the link's target has no profile")
	}
	if left, _ := os.ReadDir(l.dir); len(left) != 2 {
		t.Errorf("files left: %v", left)
	}
}

// TestLearnSyncWakeUp records a command with the listener in synchronous
// wake-up mode where the kernel has it (Linux 6.6 or later); a listener
// that refuses the mode is given up silently.
func TestLearnSyncWakeUp(t *testing.T) {
	requireNotify(t)
	null, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	if setSyncWakeUp(seccomp.ScmpFd(null.Fd())) {
		t.Error("setSyncWakeUp on /dev/null reports success")
	}

	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	f, err := oci.RecordingFilter(&specs.LinuxSeccomp{DefaultAction: specs.ActAllow}, oci.Options{NoNewPrivs: true, Caps: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Release()
	cmd := sandbox.Command(f, self)
	cmd.Env = append(os.Environ(), learnHelperEnv+"=loop:100")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	e := &env{name: "scmp learn", stdin: strings.NewReader(""), stdout: &out, stderr: &errb}
	r := newRecorder(false)
	st, err := r.run(e, cmd, "helper")
	if st != 0 || err != nil || out.String() != "done\n" || errb.Len() != 0 || r.failure() != nil {
		t.Fatalf("status %d, %v, serving: %v; stdout %q, stderr %q", st, err, r.failure(), out.String(), errb.String())
	}
	var u syscall.Utsname
	if err := syscall.Uname(&u); err != nil {
		t.Fatal(err)
	}
	var release []byte
	for _, c := range u.Release {
		if c == 0 {
			break
		}
		release = append(release, byte(c))
	}
	v, err := arch.ParseKernelVersion(string(release))
	if err != nil {
		t.Fatal(err)
	}
	if want := v.Compare(arch.KernelVersion{Major: 6, Minor: 6}) >= 0; r.syncWakeUp != want {
		t.Errorf("synchronous wake-up %v on Linux %s, want %v", r.syncWakeUp, v, want)
	}
	nat, err := seccomp.GetNativeArch()
	if err != nil {
		t.Fatal(err)
	}
	nr, _ := arch.Native().SyscallNumber("getpid")
	if r.calls[callKey{arch: nat, nr: nr}] == nil {
		t.Errorf("getpid was not recorded: %v", r.calls)
	}
}
