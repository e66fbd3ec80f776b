package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"syscall"

	specs "github.com/opencontainers/runtime-spec/specs-go"

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
the signal number, as a shell reports it. When CMD cannot be run the
status is 127 (not found) or 126 (not executable, or execve refused by
the filter), and 125 when scmp itself fails (usage, profile or filter
errors). A profile with SCMP_ACT_NOTIFY rules needs a listenerPath: the
notification descriptor is sent to the agent listening there, as runc
does. SIGTERM, SIGHUP, SIGUSR1 and SIGUSR2 sent to scmp are passed to
CMD; SIGINT and SIGQUIT, which a terminal sends to both, are left to CMD.`,
	run: runRun,
}

func runRun(e *env, args []string) int {
	fs := newFlagSet(e)
	profile := fs.String("profile", builtinProfile, "the seccomp profile `P`: a file in OCI, Docker or Podman format, \"-\" for standard input,\nor docker-default for the built-in one")
	nnp := fs.Bool("no-new-privs", true, "set no_new_privs for the command")
	caps := fs.String("caps", "docker", "resolve Docker/Podman entries for the capability `LIST` (comma-separated, none,\ndocker for Docker's default container capabilities, or host for this process's bounding set)")
	kernel := fs.String("kernel", "", "resolve Docker/Podman minKernel for kernel `VERSION` instead of the running one")
	var enosys string
	enosysAfterFlag(fs, &enosys)
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
	data, err := readProfile(e, *profile)
	if err != nil {
		e.errorf("%v", err)
		return exitRunFailed
	}
	po := profileOptions{caps: *caps, kernel: *kernel, noNewPrivs: *nnp, enosys: enosys}
	if *verbose {
		po.warn = func(m string) { e.warnf("%s", m) }
	}
	nat, err := nativeTarget()
	if err != nil {
		e.errorf("%v", err)
		return exitRunFailed
	}
	f, arches, spec, err := compileProfile(data, []target{nat}, false, po)
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
	cmd.Stdin = e.stdin
	cmd.Stdout = e.stdout
	cmd.Stderr = e.stderr

	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGINT, syscall.SIGQUIT)
	defer signal.Stop(sigs)

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
	return e.exitStatus(pos[0], err)
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
func (e *env) exitStatus(name string, err error) int {
	if err == nil {
		return exitOK
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return 128 + int(ws.Signal())
		}
		return ee.ExitCode()
	}
	return e.startError(name, err)
}

func trimSandbox(s string) string {
	const p = "sandbox: "
	if len(s) > len(p) && s[:len(p)] == p {
		return s[len(p):]
	}
	return s
}
