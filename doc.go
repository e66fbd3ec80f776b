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
package seccomp
