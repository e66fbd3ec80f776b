package sandbox

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"strconv"
	"syscall"

	"github.com/seccomp-go/seccomp"
	"github.com/seccomp-go/seccomp/arch"
	"github.com/seccomp-go/seccomp/bpf"
	"github.com/seccomp-go/seccomp/internal/kernel"
)

// processName returns a name for a child that no program is likely to
// have: the parent tells by it whether the child has executed the
// command. The name need not be secret, so math/rand's generator, seeded
// at random for each process, is enough; crypto/rand would bring its
// packages' initialisation into every program that imports this one.
func processName() string {
	return fmt.Sprintf("sbx-%010x", rand.Uint64()&(1<<40-1))
}

// selfExe is the path through which the child starts the running program.
const selfExe = "/proc/self/exe"

// Cmd is an external command that runs under a seccomp filter. Configure
// the embedded [exec.Cmd] as usual (Stdin, Stdout, Stderr, Env, Dir,
// ExtraFiles, SysProcAttr, ...), then call Start and Wait, or Run, on the
// Cmd itself: the methods of the embedded exec.Cmd would run the command
// without the filter.
type Cmd struct {
	*exec.Cmd

	// Filter is loaded in the child before it executes the command. It
	// is compiled when the command starts, unless Program is set; later
	// changes to it do not affect a running command. Its NO_NEW_PRIVS, LOG, SSB and WAITKILL
	// attributes apply; TSYNC does not, as the filter is loaded on the
	// single thread that then calls execve.
	Filter *seccomp.ScmpFilter

	// Program, when not nil, is the BPF program the child loads in place
	// of Filter's own: one built from Filter, such as the program of
	// oci.ProgramFor, which puts an ENOSYS stub in front of it. Filter
	// must still be set and cover the native architecture; its
	// attributes apply as they do to its own program. Program is read
	// when the command starts, checked as seccomp(2) would check it, and
	// refused like Filter's own program when it is known to stop the
	// child's execve.
	Program bpf.Program

	notifyFd int
	name     string        // the child's process name until execve
	done     chan struct{} // closed when the child's reports are read
	err      *Error        // failure the child reported, if any
	readErr  error         // failure to read the reports
}

// Command returns a Cmd that runs the named program with the given
// arguments under filter, looking the name up in PATH as [exec.Command]
// does.
func Command(filter *seccomp.ScmpFilter, name string, arg ...string) *Cmd {
	return Wrap(exec.Command(name, arg...), filter)
}

// CommandContext is like [Command] but includes a context, as
// [exec.CommandContext]: the command is killed when ctx is done before it
// exits.
func CommandContext(ctx context.Context, filter *seccomp.ScmpFilter, name string, arg ...string) *Cmd {
	return Wrap(exec.CommandContext(ctx, name, arg...), filter)
}

// Wrap returns a Cmd that runs cmd, which must not have been started,
// under filter.
func Wrap(cmd *exec.Cmd, filter *seccomp.ScmpFilter) *Cmd {
	return &Cmd{Cmd: cmd, Filter: filter, notifyFd: -1}
}

// Error is a failure of the child process between its start and the
// execution of the command: the filter could not be loaded, execve(2)
// failed, or the filter stopped the child's execve; or, before the child
// starts, a filter that is known to stop it (Op "check filter").
type Error struct {
	// Path is the program that was to be executed.
	Path string
	// Op is what failed: "exec", "load filter", "set no_new_privs",
	// "send listener", "set up" or "check filter".
	Op string
	// Err is the system error, a syscall.Errno; nil when the filter
	// killed the child instead of failing its call, or when the child was
	// killed by a signal.
	Err error
	// Action is the filter's action that stopped the call, when known:
	// "KILL_THREAD", "ERRNO(1)", ..., or "KILL_PROCESS or TRAP" when the
	// child died of SIGSYS (both end the same way).
	Action string
	// Signal is the signal that killed the child, if one did.
	Signal syscall.Signal
	// Status is the exit status a shell would report: StatusNotFound,
	// StatusCannotExecute (also when the filter stopped execve) or
	// StatusSetupFailed; 128 plus the signal number for a child killed by
	// another signal before it executed the command.
	Status int

	arch string // the architecture the filter was checked for
}

// Error describes the failure, as in
// "sandbox: exec /no/such/file: no such file or directory" or
// "sandbox: exec /bin/true: the filter killed the command's execve (KILL_THREAD)".
func (e *Error) Error() string {
	if e.Op == "check filter" {
		return fmt.Sprintf("sandbox: the filter stops execve on %s with %s, and the child needs execve to run %s: allow execve in the filter",
			e.arch, e.Action, e.Path)
	}
	var what string
	switch {
	case e.Err == nil && e.Signal == syscall.SIGSYS:
		what = fmt.Sprintf("the filter killed the command's %s (SIGSYS: %s)", opCall(e.Op), e.Action)
	case e.Err == nil && e.Signal != 0:
		what = fmt.Sprintf("the child was killed by signal %d (%v) before it executed the command", int(e.Signal), e.Signal)
	case e.Err == nil && e.Action != "":
		what = fmt.Sprintf("the filter killed the command's %s (%s)", opCall(e.Op), e.Action)
	case e.Err == nil:
		what = fmt.Sprintf("the child exited with status %d before it executed the command", e.Status)
	default:
		what = e.Err.Error()
		switch {
		case e.Op == "exec" && errors.Is(e.Err, syscall.EPERM):
			what += " (does the filter allow execve?)"
		case e.Op == "load filter" && errors.Is(e.Err, syscall.EACCES):
			what += " (the filter's NO_NEW_PRIVS attribute is off and the process lacks CAP_SYS_ADMIN)"
		case e.Op == "load filter" && errors.Is(e.Err, syscall.EINVAL):
			what += " (the kernel refused the program or one of its flags)"
		}
	}
	if e.Op == "exec" {
		return fmt.Sprintf("sandbox: exec %s: %s", e.Path, what)
	}
	return fmt.Sprintf("sandbox: %s for %s: %s", e.Op, e.Path, what)
}

// opCall names the system call of an Op.
func opCall(op string) string {
	switch op {
	case "exec":
		return "execve"
	case "load filter":
		return "seccomp"
	case "send listener":
		return "sendmsg"
	}
	return op
}

// Unwrap returns Err.
func (e *Error) Unwrap() error { return e.Err }

// ExitCode returns Status: the status a shell reports for a command it
// could not run: 127 (not found), 126 (not executable, or execve stopped
// by the filter) or 125 (filter not loaded).
func (e *Error) ExitCode() int { return e.Status }

// Start starts the command under the filter. It returns once the child has
// executed the command, or with an [*Error] when the child could not load
// the filter or execute the command, or the filter stopped its execve
// (the child has then exited and been waited for). A filter whose action
// on the native execve is known, independently of the arguments, to stop
// it is refused before the child starts, with an [*Error] whose Op is
// "check filter". When the filter has SCMP_ACT_NOTIFY rules it returns as soon
// as the listener descriptor has arrived; see [Cmd.NotifyFd].
func (c *Cmd) Start() error {
	if c.Cmd == nil {
		return errors.New("sandbox: Cmd has no exec.Cmd; create it with Command or Wrap")
	}
	if c.Process != nil {
		return errors.New("sandbox: already started")
	}
	if c.Err != nil {
		return c.Err
	}
	if c.Filter == nil {
		return errors.New("sandbox: Cmd has no filter")
	}
	if c.Path == "" {
		return errors.New("sandbox: Cmd has no program path")
	}
	if c.SysProcAttr != nil && c.SysProcAttr.Chroot != "" {
		return errors.New("sandbox: SysProcAttr.Chroot is not supported: the child starts through " + selfExe)
	}
	cfg, notify, err := c.config()
	if err != nil {
		return err
	}

	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("sandbox: socketpair: %w", err)
	}
	parentFile := os.NewFile(uintptr(fds[0]), "sandbox-parent")
	childFile := os.NewFile(uintptr(fds[1]), "sandbox-child")
	conn, err := net.FileConn(parentFile)
	parentFile.Close()
	if err != nil {
		childFile.Close()
		return fmt.Errorf("sandbox: %w", err)
	}
	uc := conn.(*net.UnixConn)

	path, args, env, extra := c.Path, c.Args, c.Env, c.ExtraFiles
	c.Path = selfExe
	if len(args) == 0 {
		c.Args = []string{path}
	}
	// No asynchronous preemption in the child: its signal would reach the
	// thread that loaded the filter, whose return from the handler
	// (rt_sigreturn) the filter may refuse.
	c.Env = []string{envMarker + "=" + wireVersion + ":" + strconv.Itoa(3+len(extra)), "GODEBUG=asyncpreemptoff=1"}
	c.ExtraFiles = append(extra[:len(extra):len(extra)], childFile)
	err = c.Cmd.Start()
	c.Path, c.Args, c.Env, c.ExtraFiles = path, args, env, extra
	childFile.Close()
	if err != nil {
		uc.Close()
		return fmt.Errorf("sandbox: starting %s: %w", path, err)
	}

	if _, err := uc.Write(cfg.marshal()); err != nil {
		uc.Close()
		werr := c.Cmd.Wait()
		return fmt.Errorf("sandbox: the child exited before reading its command (%v): %w", werr, err)
	}
	uc.CloseWrite()

	c.done = make(chan struct{})
	if notify {
		if err := c.readListener(uc); err != nil {
			uc.Close()
			c.Cmd.Wait()
			return err
		}
		go func() {
			c.readReports(uc)
			uc.Close()
			c.checkExec()
			close(c.done)
		}()
		return nil
	}
	c.readReports(uc)
	uc.Close()
	c.checkExec()
	close(c.done)
	if c.err != nil {
		if c.ProcessState == nil {
			c.Cmd.Wait()
		}
		return c.err
	}
	return nil
}

// checkExec runs once the child's end of the socket is closed, by
// execve or by the child's death. Without a report, it tells the two
// apart by the child's name: execve sets it to the program's. A child
// that died before execve is waited for, and c.err says how it ended.
func (c *Cmd) checkExec() {
	if c.err != nil {
		return
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(c.Process.Pid) + "/comm")
	if err != nil || string(b) != c.name+"\n" {
		// Replaced by the command (or no /proc to tell; then a death
		// before execve shows as the child's wait status).
		return
	}
	c.Cmd.Wait()
	c.err = deathError(c.Path, c.ProcessState)
}

// deathError describes a child that ended before executing the command
// without a report.
func deathError(path string, ps *os.ProcessState) *Error {
	e := &Error{Path: path, Op: "exec", Status: StatusCannotExecute}
	ws, ok := ps.Sys().(syscall.WaitStatus)
	switch {
	case ok && ws.Signaled() && ws.Signal() == syscall.SIGSYS:
		// Only execve runs under the filter: the child sets SIGSYS to
		// its default action, so that KILL_PROCESS and TRAP both kill it.
		e.Signal, e.Action = syscall.SIGSYS, "KILL_PROCESS or TRAP"
	case ok && ws.Signaled():
		e.Signal = ws.Signal()
		e.Status = 128 + int(ws.Signal())
	default:
		e.Op = "set up"
		e.Status = ps.ExitCode()
	}
	return e
}

// config gathers what the child needs, and whether a listener descriptor
// will come back.
func (c *Cmd) config() (*config, bool, error) {
	nat := arch.Native()
	if nat == nil {
		return nil, false, errors.New("sandbox: this architecture has no seccomp support")
	}
	natScmp, err := seccomp.GetNativeArch()
	if err != nil {
		return nil, false, fmt.Errorf("sandbox: %w", err)
	}
	if ok, err := c.Filter.IsArchPresent(natScmp); err != nil {
		return nil, false, fmt.Errorf("sandbox: %w", err)
	} else if !ok {
		return nil, false, fmt.Errorf("sandbox: the filter does not cover the native architecture %s; add it with AddArch", natScmp)
	}
	prog, raw, err := c.program(nat)
	if err != nil {
		return nil, false, err
	}
	attr := func(get func() (bool, error)) bool {
		v, err := get()
		return err == nil && v
	}
	if err := preflight(prog, nat, c.Path); err != nil {
		return nil, false, err
	}
	c.name = processName()
	cfg := &config{
		name:       c.name,
		noNewPrivs: attr(c.Filter.GetNoNewPrivsBit),
		program:    raw,
		path:       c.Path,
		argv:       c.Args,
		env:        c.Cmd.Environ(),
	}
	if len(cfg.argv) == 0 {
		cfg.argv = []string{c.Path}
	}
	if err := cfg.check(); err != nil {
		return nil, false, fmt.Errorf("sandbox: %w", err)
	}
	var flags uint
	if attr(c.Filter.GetLogBit) {
		flags |= kernel.FlagLog
	}
	if attr(c.Filter.GetSSB) {
		flags |= kernel.FlagSpecAllow
	}
	notify := usesNotify(prog)
	if notify {
		flags |= kernel.FlagNewListener
		if attr(c.Filter.GetWaitKill) {
			flags |= kernel.FlagWaitKillableRecv
		}
	}
	cfg.flags = uint32(flags)
	return cfg, notify, nil
}

// program returns the program the child loads, decoded and as the bytes
// sent to the child: Program when it is set, else Filter's own.
func (c *Cmd) program(nat *arch.Arch) (bpf.Program, []byte, error) {
	if c.Program != nil {
		if err := c.Program.Verify(); err != nil {
			return nil, nil, fmt.Errorf("sandbox: Cmd.Program is not a valid seccomp filter: %w", err)
		}
		return c.Program, c.Program.Marshal(nat.ByteOrder()), nil
	}
	raw, err := c.Filter.ExportBPFMem()
	if err != nil {
		return nil, nil, fmt.Errorf("sandbox: compiling the filter: %w", err)
	}
	prog, err := bpf.Unmarshal(raw, nat.ByteOrder())
	if err != nil {
		return nil, nil, fmt.Errorf("sandbox: compiling the filter: %w", err)
	}
	return prog, raw, nil
}

// usesNotify reports whether p can return SECCOMP_RET_USER_NOTIF.
func usesNotify(p bpf.Program) bool {
	for _, ins := range p {
		if ins.Op == bpf.RET|bpf.K && ins.K&bpf.RetActionFull == bpf.RetUserNotif {
			return true
		}
	}
	return false
}

// readListener reads the listener descriptor the child sends after loading
// a filter with notifications, or the report of its failure.
func (c *Cmd) readListener(uc *net.UnixConn) error {
	buf := make([]byte, 1)
	oob := make([]byte, syscall.CmsgSpace(4))
	n, oobn, _, _, err := uc.ReadMsgUnix(buf, oob)
	if n == 1 && buf[0] == recNotify {
		if fd, ok := parseRights(oob[:oobn]); ok {
			c.notifyFd = fd
			return nil
		}
		return errors.New("sandbox: the child sent no listener descriptor")
	}
	if n == 1 && (buf[0] == recError || buf[0] == recKilled) {
		rest := make([]byte, recErrorLen-1)
		if _, err := io.ReadFull(uc, rest); err == nil {
			return c.errorFrom(append(buf, rest...))
		}
	}
	if err == nil {
		err = io.ErrUnexpectedEOF
	}
	return fmt.Errorf("sandbox: the child failed before loading the filter: %w", err)
}

// parseRights returns the first descriptor of an SCM_RIGHTS message and
// closes any others.
func parseRights(oob []byte) (int, bool) {
	msgs, err := syscall.ParseSocketControlMessage(oob)
	if err != nil {
		return -1, false
	}
	fd := -1
	for _, m := range msgs {
		fds, err := syscall.ParseUnixRights(&m)
		if err != nil {
			continue
		}
		for _, f := range fds {
			if fd < 0 {
				fd = f
				syscall.CloseOnExec(f)
			} else {
				syscall.Close(f)
			}
		}
	}
	return fd, fd >= 0
}

// readReports reads the child's reports until it executes the command
// (which closes its end) or exits.
func (c *Cmd) readReports(uc *net.UnixConn) {
	b, err := io.ReadAll(uc)
	if err != nil {
		c.readErr = err
	}
	for len(b) > 0 {
		switch {
		case b[0] == recNotify:
			b = b[1:]
		case (b[0] == recError || b[0] == recKilled) && len(b) >= recErrorLen:
			c.err = c.errorFrom(b[:recErrorLen])
			b = b[recErrorLen:]
		default:
			c.readErr = fmt.Errorf("sandbox: unexpected report %q from the child", b)
			return
		}
	}
}

// errorFrom decodes a recError record.
func (c *Cmd) errorFrom(rec []byte) *Error {
	op, ok := opName(rec[1])
	if !ok {
		op = "set up"
	}
	e := &Error{Path: c.Path, Op: op, Status: int(rec[2])}
	if rec[0] == recKilled {
		// The watchdog saw the thread that loaded the filter die: only
		// KILL_THREAD ends it and not the process.
		e.Action = "KILL_THREAD"
	} else {
		e.Err = syscall.Errno(order.Uint32(rec[3:]))
	}
	return e
}

// Wait waits for the command to exit, as [exec.Cmd.Wait]. When the child
// could not execute the command after Start returned (filters with
// notifications), the error is the child's [*Error].
func (c *Cmd) Wait() error {
	if c.Cmd == nil || c.done == nil {
		return errors.New("sandbox: not started")
	}
	// The reports are read first: the child may have to be looked at
	// before it is reaped.
	<-c.done
	if c.err != nil {
		if c.ProcessState == nil {
			c.Cmd.Wait()
		}
		return c.err
	}
	return c.Cmd.Wait()
}

// Run starts the command and waits for it to exit.
func (c *Cmd) Run() error {
	if err := c.Start(); err != nil {
		return err
	}
	return c.Wait()
}

// Output runs the command and returns its standard output, as
// [exec.Cmd.Output].
func (c *Cmd) Output() ([]byte, error) {
	if c.Cmd == nil {
		return nil, errors.New("sandbox: Cmd has no exec.Cmd; create it with Command or Wrap")
	}
	if c.Stdout != nil {
		return nil, errors.New("sandbox: Stdout already set")
	}
	var stdout, stderr bytes.Buffer
	c.Stdout = &stdout
	captureErr := c.Stderr == nil
	if captureErr {
		c.Stderr = &stderr
	}
	err := c.Run()
	var ee *exec.ExitError
	if captureErr && errors.As(err, &ee) {
		ee.Stderr = stderr.Bytes()
	}
	return stdout.Bytes(), err
}

// CombinedOutput runs the command and returns its standard output and
// standard error together, as [exec.Cmd.CombinedOutput].
func (c *Cmd) CombinedOutput() ([]byte, error) {
	if c.Cmd == nil {
		return nil, errors.New("sandbox: Cmd has no exec.Cmd; create it with Command or Wrap")
	}
	if c.Stdout != nil || c.Stderr != nil {
		return nil, errors.New("sandbox: Stdout or Stderr already set")
	}
	var b bytes.Buffer
	c.Stdout = &b
	c.Stderr = &b
	err := c.Run()
	return b.Bytes(), err
}

// NotifyFd returns the user-notification descriptor of the command's
// filter, or -1 when the filter has no SCMP_ACT_NOTIFY rules or the command
// has not started. Serve it with [seccomp.NotifReceive] and
// [seccomp.NotifRespond]; the caller owns it and closes it when done.
func (c *Cmd) NotifyFd() seccomp.ScmpFd {
	return seccomp.ScmpFd(c.notifyFd)
}
