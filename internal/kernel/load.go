package kernel

import (
	"errors"
	"runtime"

	"github.com/seccomp-go/seccomp/bpf"
	"golang.org/x/sys/unix"
)

// Options are the filter attributes that decide how [LoadFilter] loads a
// program. The zero value loads on the calling thread only, without
// no_new_privs.
type Options struct {
	// NoNewPrivs sets no_new_privs first (SCMP_FLTATR_CTL_NNP).
	NoNewPrivs bool
	// TSync synchronises every thread (SCMP_FLTATR_CTL_TSYNC).
	TSync bool
	// Log logs every action but ALLOW (SCMP_FLTATR_CTL_LOG).
	Log bool
	// SpecAllow keeps speculative store bypass mitigation off
	// (SCMP_FLTATR_CTL_SSB).
	SpecAllow bool
	// WaitKillableRecv makes notified tasks wait killably once the
	// notification is received (SCMP_FLTATR_CTL_WAITKILL).
	WaitKillableRecv bool
	// NotifyUsed says the program can return SECCOMP_RET_USER_NOTIF, so a
	// listener is needed.
	NotifyUsed bool
	// RawRC passes system errors through instead of ECANCELED
	// (SCMP_FLTATR_API_SYSRAWRC).
	RawRC bool
}

// Flags returns the seccomp(2) flags [LoadFilter] would use for o in the
// current state:
//
//   - LOG and SPEC_ALLOW when o asks for them;
//   - NEW_LISTENER when the program notifies, user notification is known
//     to work and the process has no listener yet; WAIT_KILLABLE_RECV
//     with it when o asks for that;
//   - with o.TSync, TSYNC, and TSYNC_ESRCH beside it when that flag is
//     known to work and the process has no listener yet.
//
// Support counts as known once probed (the API level is detected first)
// or forced with [SetAPILevel]. A listener needs TSYNC_ESRCH next to
// TSYNC, for the kernel would otherwise return a thread id where the
// descriptor is expected; without it Flags fails with EFAULT, as
// seccomp_load(3) does (attribute checks normally refuse that
// combination earlier).
func (o Options) Flags() (uint, error) {
	mu.Lock()
	defer mu.Unlock()
	return o.flags()
}

// flags is [Options.Flags]; mu must be held.
func (o Options) flags() (uint, error) {
	state.level()
	firstListener := state.notifyFd == -1
	listener := o.NotifyUsed && firstListener && state.knownToHave(featUserNotif)

	var f uint
	for _, opt := range []struct {
		on   bool
		flag uint
	}{
		{o.Log, FlagLog},
		{o.SpecAllow, FlagSpecAllow},
		{listener, FlagNewListener},
		{listener && o.WaitKillableRecv, FlagWaitKillableRecv},
	} {
		if opt.on {
			f |= opt.flag
		}
	}
	if o.TSync {
		sync, err := threadSyncFlags(firstListener && state.knownToHave(featTSyncESRCH), listener)
		if err != nil {
			return 0, err
		}
		f |= sync
	}
	return f, nil
}

// threadSyncFlags returns the flags that put a filter on every thread,
// given whether TSYNC_ESRCH can be used and whether the load also asks
// for a listener.
func threadSyncFlags(esrch, listener bool) (uint, error) {
	switch {
	case esrch:
		return FlagTSync | FlagTSyncESRCH, nil
	case listener:
		// The kernel refuses TSYNC with NEW_LISTENER alone.
		return 0, unix.EFAULT
	}
	return FlagTSync, nil
}

// LoadFilter loads the program the way seccomp_load(3) does and returns
// its error codes, as a unix.Errno:
//
//   - no_new_privs is set first when o.NoNewPrivs is true;
//   - the flags are those of [Options.Flags]; without seccomp(2) (API
//     level 1) the program is loaded with prctl(PR_SET_SECCOMP);
//   - a listener descriptor is kept for the process, see [NotifyFd];
//   - a failure to synchronise threads is ESRCH when the kernel reports
//     it as a thread id (no TSYNC_ESRCH); reported by the kernel as the
//     ESRCH errno it is a system failure like the others, exactly as in
//     libseccomp;
//   - a system failure is ECANCELED, or with o.RawRC the errno
//     itself when it is one libseccomp passes (EACCES, ECANCELED, EDOM,
//     EEXIST, EINVAL, ENOENT, ENOMEM, EOPNOTSUPP, ERANGE, ESRCH) and
//     EFAULT for any other, as libseccomp 2.6.1 filters its return codes.
//
// The calling goroutine stays on one OS thread for the whole call. Unless
// o.TSync is set, only that thread (and threads it creates later) gets the
// filter; see the package documentation.
func LoadFilter(p bpf.Program, o Options) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	mu.Lock()
	defer mu.Unlock()
	return filterRC(loadLocked(sockFilter(p), o), o.RawRC)
}

// Load loads p with seccomp(SECCOMP_SET_MODE_FILTER, flags) on the calling
// thread (every thread with [FlagTSync]) and nothing else: no
// no_new_privs (see [SetNoNewPrivs]), no libseccomp flag logic and no
// error mapping. It returns the listener descriptor when flags has
// [FlagNewListener] and -1 otherwise. Errors are the kernel's errno
// (EINVAL for an empty or too long program or unknown flags, EACCES
// without no_new_privs or CAP_SYS_ADMIN, ESRCH for a TSYNC failure with
// [FlagTSyncESRCH]), or a *[ThreadSyncError] for a TSYNC failure without
// it. The caller chooses the thread, see the package documentation; a
// descriptor returned here is not recorded for [NotifyFd].
func Load(p bpf.Program, flags uint) (notifyFd int, err error) {
	return loadSockFilter(sockFilter(p), flags)
}

// sockFilter converts p to the kernel's layout.
func sockFilter(p bpf.Program) []unix.SockFilter {
	out := make([]unix.SockFilter, len(p))
	for i, ins := range p {
		out[i] = unix.SockFilter{Code: ins.Op, Jt: ins.Jt, Jf: ins.Jf, K: ins.K}
	}
	return out
}

// loadLocked sets no_new_privs if asked, chooses the flags and loads p
// with seccomp(2), or with prctl on a kernel without it, keeping a new
// listener for the process. The error is the raw errno or a
// *ThreadSyncError. mu must be held.
func loadLocked(p []unix.SockFilter, o Options) error {
	if o.NoNewPrivs {
		if err := SetNoNewPrivs(); err != nil {
			return err
		}
	}
	flags, err := o.flags()
	if err != nil {
		return err
	}
	if !state.has(featSeccomp) {
		return loadPrctl(p)
	}
	fd, err := loadSockFilter(p, flags)
	if err != nil {
		// A *ThreadSyncError (TSYNC without TSYNC_ESRCH) stays as it is:
		// filterRC turns it into ESRCH whatever RawRC says, while a
		// kernel ESRCH errno is treated like any other system error.
		return err
	}
	if flags&FlagNewListener != 0 {
		state.notifyFd = fd
	}
	return nil
}

// filterRC maps a raw load error to the code seccomp_load(3) returns.
func filterRC(err error, raw bool) error {
	if err == nil {
		return nil
	}
	var tse *ThreadSyncError
	if errors.As(err, &tse) {
		return unix.ESRCH
	}
	var errno unix.Errno
	if !errors.As(err, &errno) {
		errno = unix.EINVAL
	}
	if !raw {
		return unix.ECANCELED
	}
	switch errno {
	case unix.EACCES, unix.ECANCELED, unix.EDOM, unix.EEXIST, unix.EINVAL,
		unix.ENOENT, unix.ENOMEM, unix.EOPNOTSUPP, unix.ERANGE, unix.ESRCH:
		return errno
	}
	return unix.EFAULT
}

// NotifyFd returns the user-notification descriptor that [LoadFilter]
// obtained for this process, or -1 if none was created yet. libseccomp
// creates at most one per process; later loads of notifying filters reuse
// it.
func NotifyFd() int {
	mu.Lock()
	defer mu.Unlock()
	return state.notifyFd
}
