// Command lscompile builds the seccomp filter of a Docker profile through
// libseccomp-golang, as runc builds it, and writes its BPF program. It is
// the libseccomp side of the whole-process benchmark of package difftest.
//
// Usage:
//
//	lscompile -o FILE PROFILE
//
// The profile is resolved with Docker's default capabilities for x86_64
// (its archMap gives x86_64, x86 and x32) and a 6.8 kernel, turned into
// the calls runc makes, and built at libseccomp's default optimisation
// level; the program is written to FILE as seccomp_export_bpf writes it.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/seccomp-go/seccomp/difftest"
)

func main() {
	out := flag.String("o", "", "write the BPF program to `FILE`")
	flag.Parse()
	if *out == "" || flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: lscompile -o FILE PROFILE")
		os.Exit(2)
	}
	if err := run(flag.Arg(0), *out); err != nil {
		fmt.Fprintln(os.Stderr, "lscompile:", err)
		os.Exit(1)
	}
}

// defaultOptimize is libseccomp's default optimisation level, which runc
// leaves as it is.
const defaultOptimize = 1

func run(profile, out string) error {
	data, err := os.ReadFile(profile)
	if err != nil {
		return err
	}
	tp, err := difftest.Translate(difftest.Profile{Name: profile, Data: data, Arch: "x86_64", Caps: difftest.DockerCaps})
	if err != nil {
		return err
	}
	f, err := difftest.LeanLibFilter(tp.RuleSet, defaultOptimize)
	if err != nil {
		return err
	}
	defer f.Release()
	w, err := os.Create(out)
	if err != nil {
		return err
	}
	if err := f.ExportBPF(w); err != nil {
		w.Close()
		return err
	}
	return w.Close()
}
