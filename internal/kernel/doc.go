// Package kernel talks to the Linux seccomp interface: seccomp(2),
// prctl(PR_SET_NO_NEW_PRIVS) and the user-notification ioctls. It also
// detects which seccomp features the running kernel has and turns them
// into libseccomp's API levels.
//
// Everything here is plain system calls through golang.org/x/sys/unix; no
// cgo is involved.
//
// # Loading filters in a multi-threaded Go program
//
// A seccomp filter, and the no_new_privs bit that usually has to come with
// it, belong to a thread, not to a process. The kernel copies them into
// threads created later by that thread, but threads that already exist
// keep whatever they had. A Go program always runs several OS threads and
// the scheduler moves goroutines between them, so a filter loaded without
// care ends up on one arbitrary thread. The safe ways to load are:
//
//  1. Synchronise the whole process. Load with [FlagTSync]: the kernel puts
//     the new filter (and no_new_privs) on every thread of the process in
//     one step, or fails without changing anything when some thread has an
//     unrelated filter stack. This is what a program that wants to confine
//     itself should do. Combined with [FlagNewListener] the kernel needs
//     [FlagTSyncESRCH] as well, so that a failure is reported as ESRCH
//     rather than as a thread id that would be mistaken for the listener
//     descriptor.
//
//  2. Confine a process that is about to exec. Go cannot run code between
//     fork and exec, so the program starts a copy of itself (os/exec on
//     os.Executable, with an argument or environment variable telling it
//     to act as the child), the copy loads the filter with [FlagTSync] and
//     then calls syscall.Exec: the filter and no_new_privs survive exec.
//     The command run that way is confined from its first instruction,
//     and the parent is not confined at all.
//
//  3. Confine one thread only. Call runtime.LockOSThread, load without
//     [FlagTSync], and never call runtime.UnlockOSThread: when the
//     goroutine ends, the runtime destroys the thread instead of handing
//     its filter to other goroutines. The Go runtime creates new threads
//     on behalf of a locked goroutine through a clean template thread, so
//     the filter does not leak into threads started later. The filter
//     must still allow what the runtime itself does on that thread
//     (futex, mmap, signals, exit and the like) for as long as the
//     goroutine runs.
//
// [LoadFilter] locks the calling goroutine to its thread for the duration
// of the call, so that no_new_privs and the filter are always set on the
// same thread.
package kernel
