// Package bpf implements the classic BPF dialect accepted by the Linux
// seccomp filter: the instruction type (struct sock_filter), encoding and
// decoding of raw programs in either byte order, a verifier that applies
// the kernel's load-time checks, an interpreter over struct seccomp_data,
// a disassembler and a parser for its notation, and an emulation of the kernel's constant-action cache
// (seccomp_is_const_allow).
//
// The package models the kernel's behaviour, not an abstract BPF machine:
// Verify accepts exactly the programs that seccomp(2) accepts, and Run
// computes exactly what the kernel computes for them, including the
// corner cases of the classic-to-eBPF translation (division by a zero X
// register returns 0, shift counts in X are taken modulo 32).
//
// Values of type Instruction can be converted to and from the
// instruction types of golang.org/x/net/bpf with FromRaw, Instruction.Raw,
// Assemble and Program.XNet.
package bpf
