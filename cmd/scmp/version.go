package main

import (
	"fmt"
	"runtime"

	"github.com/seccomp-go/seccomp"
	"github.com/seccomp-go/seccomp/arch"
)

var versionCommand = &command{
	name:    "version",
	summary: "print version information",
	usage: `version

Prints the version of scmp, the kernel release its syscall tables come
from, the Go toolchain and platform, and the seccomp API level of the
running kernel.`,
	run: runVersion,
}

func runVersion(e *env, args []string) int {
	fs := newFlagSet(e)
	pos, st := parse(e, fs, args, false)
	if st >= 0 {
		return st
	}
	if len(pos) > 0 {
		return e.usageErrorf("unexpected argument %q", pos[0])
	}
	fmt.Fprintf(e.stdout, "scmp %s\n", seccomp.Version)
	fmt.Fprintf(e.stdout, "syscall tables: Linux %s\n", arch.TableVersion)
	fmt.Fprintf(e.stdout, "go: %s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	if api, err := seccomp.GetAPI(); err == nil {
		fmt.Fprintf(e.stdout, "kernel API level: %d\n", api)
	} else {
		fmt.Fprintf(e.stdout, "kernel API level: unavailable (%v)\n", err)
	}
	return exitOK
}

var helpCommand = &command{
	name:    "help",
	summary: "print help for a command",
	usage: `help [COMMAND]

Prints the list of commands, or the usage and flags of COMMAND.`,
}

func runHelp(e *env, args []string) int {
	fs := newFlagSet(e)
	pos, st := parse(e, fs, args, false)
	if st >= 0 {
		return st
	}
	switch len(pos) {
	case 0:
		mainUsage(e.stdout)
		return exitOK
	case 1:
		c := lookupCommand(pos[0])
		if c == nil {
			return e.usageErrorf("unknown command %q", pos[0])
		}
		// The command prints its own help, flags included.
		return c.run(&env{cmd: c, name: "scmp " + c.name, stdin: e.stdin, stdout: e.stdout, stderr: e.stderr}, []string{"--help"})
	default:
		return e.usageErrorf("give one command name, not %d", len(pos))
	}
}
