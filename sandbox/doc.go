// Package sandbox runs external commands under a seccomp filter, from plain
// Go: no cgo and no helper binary.
//
// A [Cmd] is an [exec.Cmd] with a filter. When it starts, the package
// starts the running program again (through /proc/self/exe) as the child
// process, with a marker in its environment and the compiled filter, the
// command line and the environment of the command sent over an extra
// descriptor. The init function of this package recognises the marker in
// the child before main runs, locks itself to the main OS thread, sets
// no_new_privs when the filter's NO_NEW_PRIVS attribute asks for it (the
// default), loads the filter on that one thread (without TSYNC) and
// replaces the process with the command through execve(2). execve ends
// every other thread of the Go runtime, which never had the filter; the
// command inherits the filter of the thread that called execve.
//
// When execve fails, the child reports the error to the parent over a
// close-on-exec socket and exits with the status a shell would use: 127
// when the file does not exist and 126 when it cannot be executed (125
// when the filter itself could not be loaded). [Cmd.Start] then returns an
// [*Error] naming the program and the reason instead of a bare exit status.
//
// # Requirements
//
//   - The program must import this package, so that its init function runs
//     in the child: the child is the program itself until it calls execve.
//     A program that only uses the package through another package imports
//     it indirectly, which is enough.
//   - The init functions of the packages this package does not depend on
//     may run in the child before it takes over; they should not have side
//     effects outside the process (starting servers, writing files).
//   - The filter must cover the native architecture and allow execve(2),
//     and should not kill the few calls the child makes between loading
//     it and execve: prlimit64 (the Go runtime puts back the RLIMIT_NOFILE
//     soft limit it raised at start-up; an errno is harmless), sendmsg
//     when there is a listener to hand over, and, should execve fail,
//     write and exit_group. Memory management calls (mmap, madvise) are
//     unlikely but possible.
//   - SysProcAttr.Chroot cannot be used: the child is started through
//     /proc/self/exe, which has to be reachable.
//
// Only the command, and the processes it starts, run under the filter;
// the calling program is not confined. A program that wants to confine
// itself instead loads the filter with [seccomp.ScmpFilter.Load], which
// with the TSYNC attribute puts it on every thread of the process.
//
// # User notification
//
// When the filter has SCMP_ACT_NOTIFY rules, the child loads it with a new
// listener and sends the listener descriptor to the parent before it calls
// execve; [Cmd.NotifyFd] returns it once Start has returned. Start does not
// wait for execve in that case (execve itself may need an answer from the
// supervisor), so an exec failure is reported by [Cmd.Wait].
package sandbox
