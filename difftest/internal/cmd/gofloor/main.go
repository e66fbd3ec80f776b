// Command gofloor is the floor of the whole-process benchmark of package
// difftest: a Go program that reads a profile and writes a one-instruction
// BPF program (RET ALLOW) without compiling anything. What it costs is
// what any Go command pays to start, read its input and write its output;
// no compiler written in Go can run as a process in less.
//
// Usage:
//
//	gofloor -o FILE PROFILE
package main

import (
	"encoding/binary"
	"flag"
	"fmt"
	"os"
)

func main() {
	out := flag.String("o", "", "write the BPF program to `FILE`")
	flag.Parse()
	if *out == "" || flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: gofloor -o FILE PROFILE")
		os.Exit(2)
	}
	if _, err := os.ReadFile(flag.Arg(0)); err != nil {
		fmt.Fprintln(os.Stderr, "gofloor:", err)
		os.Exit(1)
	}
	// BPF_RET|BPF_K with SECCOMP_RET_ALLOW, in the machine's byte order.
	prog := binary.NativeEndian.AppendUint16(nil, 0x06)
	prog = append(prog, 0, 0)
	prog = binary.NativeEndian.AppendUint32(prog, 0x7fff0000)
	if err := os.WriteFile(*out, prog, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "gofloor:", err)
		os.Exit(1)
	}
}
