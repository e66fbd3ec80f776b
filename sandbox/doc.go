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
// [Cmd.Program] replaces the filter's own program with another one built
// from it, such as the program of oci.ProgramFor, which answers ENOSYS
// in front of the filter; the filter's attributes still apply.
//
// # How the child ends
//
// The child never returns into the program, whatever the filter denies.
// Before it loads the filter it does everything that needs a system call
// (it puts back the RLIMIT_NOFILE soft limit the Go runtime raised,
// names itself, sets SIGSYS to its default action) and starts a watchdog
// thread, which has no filter. Between the load and execve the loaded
// thread makes no other system call and cannot be preempted; a failure
// is written to memory, and the watchdog reports it to the parent and
// ends the process with exit_group(2), which it may call since it is not
// filtered. So:
//
//   - ERRNO on execve: [Cmd.Start] returns an [*Error] with the errno and
//     the status a shell would use: 127 when the file does not exist and
//     126 when it cannot be executed (125 when the filter itself could not
//     be loaded).
//   - KILL_THREAD on execve: the watchdog sees the thread die (the kernel
//     clears its set_tid_address word) and reports it; Error.Action is
//     "KILL_THREAD" and the status 126.
//   - KILL_PROCESS or TRAP on execve: the process dies of SIGSYS (TRAP
//     too, with SIGSYS at its default action); the parent sees from the
//     process name that execve did not happen, and Error.Action is
//     "KILL_PROCESS or TRAP", Error.Signal SIGSYS, the status 126.
//
// The child has been waited for when Start returns such an error. Before
// starting the child, Start refuses a filter that is known to stop the
// native execve, that is whose action for it does not depend on the
// arguments (Error.Op "check filter"); a rule on execve's arguments is
// only found out when it applies.
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
//     the one system call the child makes under it; with SCMP_ACT_NOTIFY
//     rules the watchdog, which is not filtered, sends the listener.
//     Nothing else is needed from the filter: not exit_group, write,
//     futex, rt_sigreturn or the memory management calls.
//   - The child runs with GODEBUG=asyncpreemptoff=1 and at least two
//     processors (GOMAXPROCS), so that the Go runtime never signals or
//     deschedules the loaded thread.
//   - SysProcAttr.Chroot cannot be used: the child is started through
//     /proc/self/exe, which has to be reachable. Telling a child that
//     died before execve from a command that died is done through
//     /proc/PID/comm; without /proc such a death shows as the child's
//     wait status.
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
