package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/seccomp-go/seccomp/arch"
	"github.com/seccomp-go/seccomp/bpf"
	"github.com/seccomp-go/seccomp/oci"
	"github.com/seccomp-go/seccomp/sandbox"
)

// Exit statuses of "scmp run" when it cannot run the command, as a shell
// and env(1) report them.
const (
	exitRunFailed = 125 // scmp itself failed: bad flags, profile, filter
)

var runCommand = &command{
	name:    "run",
	summary: "run a command under a profile",
	usage: `run [--profile P] [flags] [--] CMD [ARG...]

Runs CMD under the seccomp filter that runc would load for profile P:
Docker's default profile, built in, unless --profile names another file.
Docker and Podman profiles are resolved for Docker's default container
capabilities unless --caps says otherwise. Only CMD and its descendants are confined. no_new_privs is set for CMD
(unless --no-new-privs=false, which needs CAP_SYS_ADMIN).

The exit status is CMD's; when CMD is killed by a signal it is 128 plus
the signal number, as a shell reports it (a death by SIGSYS is reported on
standard error, with the system call when the kernel log names it). When
CMD cannot be run the status is 127 (not found) or 126 (not executable,
or execve stopped by the filter), and 125 when scmp itself fails (usage,
profile or filter errors). A profile with SCMP_ACT_NOTIFY rules needs a listenerPath: the
notification descriptor is sent to the agent listening there, as runc
does. SIGTERM, SIGHUP, SIGUSR1 and SIGUSR2 sent to scmp are passed to
CMD; SIGINT and SIGQUIT, which a terminal sends to both, are left to CMD.`,
	run: runRun,
}

func runRun(e *env, args []string) int {
	fs := newFlagSet(e)
	profile := fs.String("profile", builtinProfile, "the seccomp profile `P`: a file in OCI, Docker or Podman format (at most 4 MiB),\n\"-\" for standard input, or docker-default for the built-in one (a file of that\nname is ./docker-default)")
	nnp := fs.Bool("no-new-privs", true, "set no_new_privs for the command")
	po := profileFlags(e, fs)
	verbose := fs.Bool("v", false, "report skipped syscall names and the architectures covered on standard error")
	pos, st := parse(e, fs, args, true)
	if st >= 0 {
		if st == exitUsage {
			return exitRunFailed
		}
		return st
	}
	if len(pos) == 0 {
		e.usageErrorf("no command given; usage: scmp run [--profile P] -- CMD [ARG...]")
		return exitRunFailed
	}
	po.noNewPrivs, po.verbose = *nnp, *verbose
	if err := po.check(); err != nil {
		e.usageErrorf("%v", err)
		return exitRunFailed
	}
	data, err := readProfile(e, *profile)
	if err != nil {
		e.errorf("%v", err)
		return exitRunFailed
	}
	nat, err := nativeTarget()
	if err != nil {
		e.errorf("%v", err)
		return exitRunFailed
	}
	f, arches, spec, err := compileProfile(data, []target{nat}, false, *po)
	if err != nil {
		e.errorf("%s: %v", *profile, explain(err))
		return exitRunFailed
	}
	defer f.Release()
	if usesNotify(spec) && spec.ListenerPath == "" {
		e.errorf("%s has SCMP_ACT_NOTIFY rules but no listenerPath: no seccomp agent would answer the notifications", *profile)
		return exitRunFailed
	}
	if *verbose {
		fmt.Fprintf(e.stderr, "%s: filter for %s from %s\n", e.name, archNames(arches), *profile)
	}

	cmd := sandbox.Command(f, pos[0], pos[1:]...)
	if cmd.Program, err = loadedProgram(f, spec, []target{nat}, *po); err != nil {
		e.errorf("%s: %v", *profile, explain(err))
		return exitRunFailed
	}
	cmd.Stdin = e.stdin
	cmd.Stdout = e.stdout
	cmd.Stderr = e.stderr

	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGINT, syscall.SIGQUIT)
	defer signal.Stop(sigs)

	// Opened before the command starts: the records read later are the
	// ones logged after this point.
	klog := openKernelLog()
	defer klog.close()
	if err := cmd.Start(); err != nil {
		return e.startError(pos[0], err)
	}
	if fd := cmd.NotifyFd(); fd >= 0 {
		// As runc: the agent at listenerPath gets the descriptor.
		state := specs.State{ID: fmt.Sprintf("scmp-run-%d", os.Getpid()), Status: specs.StateRunning, Pid: cmd.Process.Pid}
		err := oci.Handoff(spec, int(fd), cmd.Process.Pid, state)
		syscall.Close(int(fd))
		if err != nil {
			cmd.Process.Kill()
			cmd.Wait()
			e.errorf("%v", err)
			return exitRunFailed
		}
	}
	done := make(chan struct{})
	go func() {
		for {
			select {
			case s := <-sigs:
				if s != syscall.SIGINT && s != syscall.SIGQUIT {
					cmd.Process.Signal(s)
				}
			case <-done:
				return
			}
		}
	}()
	err = cmd.Wait()
	close(done)
	return e.exitStatus(pos[0], err, cmd.Process.Pid, klog)
}

// usesNotify reports whether a resolved profile has SCMP_ACT_NOTIFY rules.
func usesNotify(spec *specs.LinuxSeccomp) bool {
	for _, s := range spec.Syscalls {
		if s.Action == specs.ActNotify {
			return true
		}
	}
	return false
}

// startError reports a command that could not be started and returns the
// status a shell would.
func (e *env) startError(name string, err error) int {
	var se *sandbox.Error
	if errors.As(err, &se) {
		fmt.Fprintf(e.stderr, "%s: %s\n", e.name, trimSandbox(se.Error()))
		return se.ExitCode()
	}
	if errors.Is(err, exec.ErrNotFound) {
		fmt.Fprintf(e.stderr, "%s: %s: command not found (not in $PATH)\n", e.name, name)
		return sandbox.StatusNotFound
	}
	var pe *exec.Error
	if errors.As(err, &pe) {
		fmt.Fprintf(e.stderr, "%s: %s: %v\n", e.name, name, pe.Err)
		return sandbox.StatusCannotExecute
	}
	fmt.Fprintf(e.stderr, "%s: %v\n", e.name, err)
	return exitRunFailed
}

// exitStatus turns the result of Wait into the status a shell reports.
// A command killed by SIGSYS, the signal of the filter's KILL and TRAP
// actions, is reported on standard error.
func (e *env) exitStatus(name string, err error, pid int, klog *kernelLog) int {
	if err == nil {
		return exitOK
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			if ws.Signal() == syscall.SIGSYS {
				fmt.Fprintf(e.stderr, "%s: %s\n", e.name, sigsysMessage(name, klog.seccompRecord(pid)))
			}
			return 128 + int(ws.Signal())
		}
		return ee.ExitCode()
	}
	return e.startError(name, err)
}

// sigsysMessage describes the death of name by SIGSYS, with what the
// kernel's audit record rec says when there is one.
func sigsysMessage(name string, rec *seccompRecord) string {
	if rec == nil {
		return fmt.Sprintf("%s was killed by SIGSYS, the signal of the filter's KILL and TRAP actions; "+
			"the kernel's audit log names the system call of a KILL (dmesg | grep type=1326)", name)
	}
	call := fmt.Sprintf("system call %d", rec.nr)
	if a, ok := arch.ByToken(rec.arch); ok {
		if n, ok := a.SyscallName(rec.nr); ok {
			call = fmt.Sprintf("%s (%s %d)", n, a.Name, rec.nr)
		}
	}
	return fmt.Sprintf("%s was killed by SIGSYS: the filter's %s action on %s", name, bpf.ActionString(rec.code), call)
}

// kernelLog reads the kernel's log through /dev/kmsg, from where it was
// opened on.
type kernelLog struct {
	f *os.File
}

// openKernelLog opens the kernel log at its end, or returns nil when it
// cannot be read (not root, or no /dev/kmsg).
func openKernelLog() *kernelLog {
	fd, err := syscall.Open("/dev/kmsg", syscall.O_RDONLY|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil
	}
	if _, err := syscall.Seek(fd, 0, io.SeekEnd); err != nil {
		syscall.Close(fd)
		return nil
	}
	return &kernelLog{f: os.NewFile(uintptr(fd), "/dev/kmsg")}
}

func (k *kernelLog) close() {
	if k != nil {
		k.f.Close()
	}
}

// seccompRecord is what an audit record of type 1326 (AUDIT_SECCOMP)
// says about a filter's action.
type seccompRecord struct {
	pid  int
	arch uint32
	nr   int32
	code uint32 // the filter's return value
}

// kernelLogWait is how long seccompRecord waits for the record, which the
// kernel's audit thread logs after the death.
const kernelLogWait = 500 * time.Millisecond

// seccompRecord returns the audit record of a seccomp action on process
// pid logged since k was opened, or nil.
func (k *kernelLog) seccompRecord(pid int) *seccompRecord {
	if k == nil {
		return nil
	}
	buf := make([]byte, 8192)
	deadline := time.Now().Add(kernelLogWait)
	for time.Now().Before(deadline) {
		n, err := syscall.Read(int(k.f.Fd()), buf)
		switch {
		case err == syscall.EPIPE:
			// Records were overwritten before they were read; go on.
			continue
		case err == syscall.EAGAIN:
			time.Sleep(10 * time.Millisecond)
			continue
		case err != nil || n == 0:
			return nil
		}
		if rec, ok := parseSeccompRecord(string(buf[:n])); ok && rec.pid == pid {
			return rec
		}
	}
	return nil
}

// parseSeccompRecord reads a /dev/kmsg record such as
// "5,344,678510948,-;audit: type=1326 audit(...): ... pid=24674 comm=... sig=31 arch=c000003e syscall=140 compat=0 ip=0x7f68 code=0x80000000".
func parseSeccompRecord(line string) (*seccompRecord, bool) {
	_, msg, ok := strings.Cut(line, ";")
	if !ok || !strings.Contains(msg, "type=1326 ") {
		return nil, false
	}
	fields := map[string]string{}
	for _, f := range strings.Fields(msg) {
		if k, v, ok := strings.Cut(f, "="); ok {
			if _, dup := fields[k]; !dup {
				fields[k] = v
			}
		}
	}
	pid, err1 := strconv.Atoi(fields["pid"])
	token, err2 := strconv.ParseUint(fields["arch"], 16, 32)
	nr, err3 := strconv.ParseInt(fields["syscall"], 10, 32)
	code, err4 := strconv.ParseUint(strings.TrimPrefix(fields["code"], "0x"), 16, 32)
	if err1 != nil || err2 != nil || err3 != nil || err4 != nil {
		return nil, false
	}
	return &seccompRecord{pid: pid, arch: uint32(token), nr: int32(nr), code: uint32(code)}, true
}

func trimSandbox(s string) string {
	const p = "sandbox: "
	if len(s) > len(p) && s[:len(p)] == p {
		return s[len(p):]
	}
	return s
}
