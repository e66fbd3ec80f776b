// Package bpf implements the classic BPF dialect accepted by the Linux
// seccomp filter: the instruction type (struct sock_filter), encoding and
// decoding of raw programs in either byte order, a verifier that applies
// the kernel's load-time checks, an interpreter over struct seccomp_data,
// a disassembler and a parser for its notation, and an emulation of the
// kernel's constant-action cache (seccomp_is_const_allow).
//
// The package models the kernel's behaviour, not an abstract BPF machine:
// Verify accepts exactly the programs that seccomp(2) accepts, and Run
// computes what the kernel computes for them, including the corner cases
// of the classic-to-eBPF translation: A and X start at 0, and division by
// a zero X register ends the program with return value 0. Shift counts
// taken from X are reduced modulo 32, as the kernel's interpreter and the
// x86-64 and arm64 JITs do; the kernel leaves counts of 32 or more to the
// machine, and some JITs (powerpc, s390) give 0 for them instead.
//
// Values of type Instruction can be converted to and from the
// instruction types of golang.org/x/net/bpf with FromRaw, Instruction.Raw,
// Assemble and Program.XNet.
package bpf
