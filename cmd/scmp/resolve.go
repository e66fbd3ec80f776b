package main

import (
	"fmt"

	"github.com/seccomp-go/seccomp/arch"
)

var resolveCommand = &command{
	name:    "resolve",
	summary: "map syscall names to numbers and back, as scmp_sys_resolver",
	usage: `resolve [-a ARCH] [-t] NAME|NUMBER...

Prints one line per argument, in order: the number of each syscall name
and the name of each number (UNKNOWN when no syscall has it), on the
native architecture or ARCH. Numbers are libseccomp's: the MIPS offsets
and the x32 bit are included, and a syscall the architecture lacks has
libseccomp's negative pseudo number. With -t, socket and IPC calls on the
architectures that multiplex them give the number of socketcall or ipc.
An unknown name or architecture is an error.`,
	run: runResolve,
}

func runResolve(e *env, args []string) int {
	fs := newFlagSet(e)
	archName := fs.String("a", "", "resolve on `ARCH` instead of the native architecture")
	rewrite := fs.Bool("t", false, "give the socketcall/ipc number for multiplexed syscalls")
	pos, st := parse(e, fs, args, false)
	if st >= 0 {
		return st
	}
	if len(pos) == 0 {
		return e.usageErrorf("no syscall name or number given")
	}
	name := *archName
	if name != "" {
		if _, ok := arch.Lookup(name); !ok {
			t, err := parseArch(name)
			if err != nil {
				return e.usageErrorf("%v", err)
			}
			name = t.abi.Name
		}
	}
	lines, err := arch.ResolveArgs(name, *rewrite, pos)
	if err != nil {
		return e.errorf("%v", err)
	}
	for _, l := range lines {
		fmt.Fprintln(e.stdout, l)
	}
	return exitOK
}
