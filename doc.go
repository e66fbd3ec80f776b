// Package seccomp builds, exports and loads Linux seccomp-BPF filters in pure
// Go, without cgo and without a system libseccomp.
//
// The API is that of github.com/seccomp/libseccomp-golang v0.11.1, with the
// same names, signatures and behaviour, so a program moves over by changing
// its import path. Filters decide every (arch, syscall, arguments) input the
// same way libseccomp 2.6.1 decides it, while the generated BPF is smaller
// and runs fewer instructions per syscall.
//
// The work is a one-way pipeline: the rules added through [ScmpFilter] are
// normalised per architecture into a rule database, compiled into a
// decision tree over syscall-number ranges and argument checks, emitted as
// BPF, and verified.
//
// # Loading in a multi-threaded program
//
// A seccomp filter belongs to a thread, and a Go program always runs
// several. There are three safe ways to load one:
//
//   - Confine the whole process: [NewFilter] sets the TSYNC attribute, as
//     libseccomp-golang does, so [ScmpFilter.Load] puts the filter on every
//     thread at once, or fails without changing anything.
//   - Confine a command: package sandbox (and `scmp run`) starts a copy of
//     the program, loads the filter on one locked OS thread without TSYNC
//     and execs the command, which keeps the filter; the parent stays
//     unconfined.
//   - Confine one goroutine: call runtime.LockOSThread, clear TSYNC with
//     [ScmpFilter.SetTSync], load, and never unlock the thread, so the
//     runtime discards the thread when the goroutine ends.
//
// # Proof
//
// [ScmpFilter.Verify] proves that the compiled program decides every
// input as the rules do. Setting SECCOMP_GO_PROVE=1 in the environment
// proves every program when it is compiled; the test suite runs that way.
package seccomp
