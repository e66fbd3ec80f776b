package oci

import (
	"errors"
	"fmt"
	"net"
	"os"
	"runtime"
	"slices"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	seccomp "github.com/seccomp-go/seccomp"
	"github.com/seccomp-go/seccomp/internal/kernel"
	"golang.org/x/sys/unix"
)

// InitOptions tune [InitSeccomp].
type InitOptions struct {
	// NoNewPrivs sets no_new_privs on the calling thread just before the
	// filter is loaded, as runc does when process.noNewPrivileges is
	// true. Without it the kernel accepts the filter only from a thread
	// with CAP_SYS_ADMIN: call InitSeccomp before dropping capabilities,
	// as runc does in that case.
	NoNewPrivs bool

	// AllThreads loads the filter on every thread of the process
	// (SECCOMP_FILTER_FLAG_TSYNC) instead of the calling thread only.
	// runc loads on the calling thread only and ignores the profile's
	// SECCOMP_FILTER_FLAG_TSYNC; so does InitSeccomp unless this is set.
	AllThreads bool

	// State, when not nil and the profile has SCMP_ACT_NOTIFY rules, is
	// sent with the notification descriptor to the agent listening on
	// the profile's listenerPath, in runc's ContainerProcessState (see
	// [ProcessState]). When nil, the descriptor is only returned.
	State *specs.State

	// Pid is the process named in that message; 0 means this process.
	Pid int

	// Arches and Warn are those of [Options].
	Arches []seccomp.ScmpArch
	Warn   func(msg string)
}

// ErrNeedsPrivilege is returned (wrapped) by [InitSeccomp] when the kernel
// refuses the filter because the thread has neither no_new_privs nor
// CAP_SYS_ADMIN.
var ErrNeedsPrivilege = errors.New("loading a seccomp filter needs no_new_privs or CAP_SYS_ADMIN: set InitOptions.NoNewPrivs (process.noNewPrivileges), or load before dropping capabilities")

// InitSeccomp confines the calling thread with spec, as runc's
// libcontainer/seccomp.InitSeccomp and patchbpf.PatchAndLoad do together,
// without libseccomp or cgo. It returns the user-notification descriptor
// when the profile has SCMP_ACT_NOTIFY rules, -1 otherwise. The steps,
// with runc's counterparts:
//
//  1. Build: spec becomes a filter as [NewFilter] builds it, with the
//     rules of runc's InitSeccomp and of specconv.SetupSeccomp before it
//     (KILL is KILL_THREAD, errnoRet defaults to EPERM, unknown syscall
//     names are skipped and reported to Warn, repeated argument
//     comparisons are ORed, SPEC_ALLOW is on by default where the kernel
//     has it, NOTIFY is refused as the default action and for write).
//     As in runc, the filter's own no_new_privs attribute is off.
//  2. Program: the filter's program goes behind runc's ENOSYS stub, as
//     [Program] returns it (patchbpf.enosysPatchFilter).
//  3. Flags: SECCOMP_FILTER_FLAG_LOG, _SPEC_ALLOW and
//     _WAIT_KILLABLE_RECV come from the profile's flags, _NEW_LISTENER is
//     set when any syscall entry has SCMP_ACT_NOTIFY (patchbpf.filterFlags;
//     WAIT_KILLABLE_RECV as runc 1.5 does). _TSYNC in the profile is
//     accepted and ignored, as runc does; [InitOptions.AllThreads] sets
//     it, with _TSYNC_ESRCH when there is a listener.
//  4. Agent: with InitOptions.State and a listener, the unix socket at
//     listenerPath is connected to now, so that a missing agent is
//     reported before anything is loaded.
//  5. no_new_privs: with InitOptions.NoNewPrivs, prctl(PR_SET_NO_NEW_PRIVS)
//     on the calling thread, as runc's init does right before loading
//     when process.noNewPrivileges is set.
//  6. Load: seccomp(SECCOMP_SET_MODE_FILTER) with those flags
//     (patchbpf.sysSeccompSetFilter). The calling goroutine is locked to
//     its thread first (runtime.LockOSThread) and stays locked: without
//     AllThreads only that thread, and the threads it starts, are
//     confined, so exec the container's process from this goroutine,
//     as runc's init does from its locked main thread.
//  7. Hand-off: the descriptor goes to the agent with the
//     ContainerProcessState of InitOptions.Pid and State, as runc's
//     parent does with listenerPath (sendContainerProcessState). It is
//     sent from another thread, which a filter on this thread alone does
//     not stop even when the profile notifies sendmsg.
//
// A profile with neither defaultAction nor syscalls loads nothing and
// returns -1, as runc takes it to mean no seccomp at all.
//
// Errors found in the profile are [*FieldError]s. Every error but a
// failed send to the agent comes before anything is loaded; after such a
// failure the filter stays loaded, and the descriptor is returned with
// the error. The descriptor is close-on-exec, so a process that execs
// right after does not pass it on; otherwise close it when done.
func InitSeccomp(spec *specs.LinuxSeccomp, opts InitOptions) (notifyFd int, err error) {
	if spec != nil && spec.DefaultAction == "" && len(spec.Syscalls) == 0 {
		// runc's specconv takes this for "no seccomp".
		return -1, nil
	}
	f, err := NewFilter(spec, Options{Arches: opts.Arches, Warn: opts.Warn})
	if err != nil {
		return -1, err
	}
	defer f.Release()
	prog, err := Program(f, spec)
	if err != nil {
		return -1, err
	}
	flags, err := initFlags(f, spec, opts)
	if err != nil {
		return -1, err
	}
	listener := flags&kernel.FlagNewListener != 0

	var agent *net.UnixConn
	if listener && opts.State != nil {
		if spec.ListenerPath == "" {
			return -1, &FieldError{Field: "listenerPath", Reason: "not set, but InitOptions.State asks for the notification descriptor to be sent to an agent"}
		}
		if opts.AllThreads {
			if field := notifyField(spec, "sendmsg"); field != "" {
				return -1, &FieldError{Field: field, Reason: "SCMP_ACT_NOTIFY for sendmsg with InitOptions.AllThreads: the descriptor could not be sent to the agent"}
			}
		}
		agent, err = dialAgent(spec.ListenerPath)
		if err != nil {
			return -1, err
		}
		defer agent.Close()
	}

	runtime.LockOSThread()
	if opts.NoNewPrivs {
		if err := kernel.SetNoNewPrivs(); err != nil {
			return -1, fmt.Errorf("seccomp: setting no_new_privs: %w", err)
		}
	}
	fd, err := kernel.Load(prog, flags)
	if err != nil {
		if errors.Is(err, unix.EACCES) {
			return -1, fmt.Errorf("seccomp: %w", ErrNeedsPrivilege)
		}
		return -1, fmt.Errorf("seccomp: loading the filter (flags %#x): %w", flags, err)
	}
	if !listener {
		return -1, nil
	}
	if agent != nil {
		pid := opts.Pid
		if pid == 0 {
			pid = os.Getpid()
		}
		state := ProcessState(spec, pid, *opts.State)
		done := make(chan error, 1)
		go func() {
			// A new goroutine never runs on the thread locked above.
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			done <- sendState(agent, spec.ListenerPath, fd, state)
		}()
		if err := <-done; err != nil {
			return fd, err
		}
	}
	return fd, nil
}

// initFlags returns the seccomp(2) flags runc's PatchAndLoad uses for f,
// plus TSYNC for opts.AllThreads.
func initFlags(f *seccomp.ScmpFilter, spec *specs.LinuxSeccomp, opts InitOptions) (uint, error) {
	var flags uint
	for _, a := range []struct {
		get  func() (bool, error)
		flag uint
	}{
		{f.GetLogBit, kernel.FlagLog},
		{f.GetSSB, kernel.FlagSpecAllow},
		{f.GetWaitKill, kernel.FlagWaitKillableRecv},
	} {
		on, err := a.get()
		if err != nil {
			return 0, fmt.Errorf("seccomp profile: reading the filter's attributes: %w", err)
		}
		if on {
			flags |= a.flag
		}
	}
	if slices.ContainsFunc(spec.Syscalls, func(s specs.LinuxSyscall) bool { return s.Action == specs.ActNotify }) {
		flags |= kernel.FlagNewListener
	}
	listener := flags&kernel.FlagNewListener != 0
	if listener {
		if ok, err := kernel.FlagSupported(kernel.FlagNewListener); err != nil || !ok {
			return 0, fmt.Errorf("seccomp: SCMP_ACT_NOTIFY needs user notification (Linux 5.0), which this kernel lacks (%v)", err)
		}
	}
	if flags&kernel.FlagWaitKillableRecv != 0 && !listener {
		return 0, &FieldError{Field: "flags", Reason: string(specs.LinuxSeccompFlagWaitKillableRecv) + " needs SCMP_ACT_NOTIFY rules: the kernel refuses it without a listener"}
	}
	if opts.AllThreads {
		flags |= kernel.FlagTSync
		if listener {
			ok, err := kernel.FlagSupported(kernel.FlagTSyncESRCH)
			if err != nil || !ok {
				return 0, fmt.Errorf("seccomp: InitOptions.AllThreads with SCMP_ACT_NOTIFY rules needs SECCOMP_FILTER_FLAG_TSYNC_ESRCH (Linux 5.7), which this kernel lacks (%v)", err)
			}
			flags |= kernel.FlagTSyncESRCH
		}
	}
	return flags, nil
}

// notifyField returns the field of the first name of spec's entries with
// SCMP_ACT_NOTIFY that is name, or "".
func notifyField(spec *specs.LinuxSeccomp, name string) string {
	for i, s := range spec.Syscalls {
		if s.Action != specs.ActNotify {
			continue
		}
		if j := slices.Index(s.Names, name); j >= 0 {
			return fmt.Sprintf("syscalls[%d].names[%d]", i, j)
		}
	}
	return ""
}
