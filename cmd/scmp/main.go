// Command scmp compiles, inspects and applies seccomp filters without cgo
// or a system libseccomp.
//
// Usage:
//
//	scmp <command> [flags] [arguments]
//
// The commands are:
//
//	resolve   map syscall names to numbers and back, as scmp_sys_resolver
//	compile   compile an OCI, Docker or Podman profile to BPF or PFC
//	disasm    list a raw BPF filter with action names and jump targets
//	sim       show what a filter or profile does with one syscall
//	explain   say which profile entry decides a syscall, and why
//	diff      show exactly where two filters or profiles decide differently
//	graph     draw a filter's decision tree as SVG or Graphviz DOT
//	run       run a command under a profile
//	learn     run a command and write the profile it needs
//	version   print version information
//	help      print help for a command
//
// Run "scmp help <command>" for the flags of each command; docs/CLI.md
// in the source tree has the full reference with examples.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	_ "github.com/seccomp-go/seccomp/sandbox" // loads the filter in "scmp run"'s child
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// Exit statuses of scmp itself; "scmp run" passes the command's through.
const (
	exitOK    = 0
	exitFail  = 1 // the operation failed
	exitUsage = 2 // the command line is wrong
)

// command is one subcommand.
type command struct {
	name    string
	summary string
	usage   string // synopsis after "scmp NAME", and what follows
	run     func(e *env, args []string) int
}

// env is what a command runs with.
type env struct {
	cmd    *command
	name   string // "scmp compile", for messages
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// errorf prints a message prefixed with the command's name to stderr and
// returns exitFail.
func (e *env) errorf(format string, args ...any) int {
	fmt.Fprintf(e.stderr, "%s: %s\n", e.name, fmt.Sprintf(format, args...))
	return exitFail
}

// usageErrorf reports a command line mistake and returns exitUsage.
func (e *env) usageErrorf(format string, args ...any) int {
	fmt.Fprintf(e.stderr, "%s: %s\nRun '%s --help' for usage.\n", e.name, fmt.Sprintf(format, args...), e.name)
	return exitUsage
}

// warnf prints a warning to stderr.
func (e *env) warnf(format string, args ...any) {
	fmt.Fprintf(e.stderr, "%s: warning: %s\n", e.name, fmt.Sprintf(format, args...))
}

// commands lists the commands, in the order help gives them. It is set by
// init, as help's run refers to it.
var commands [11]*command

func init() {
	helpCommand.run = runHelp
	commands = [...]*command{
		resolveCommand,
		compileCommand,
		disasmCommand,
		simCommand,
		explainCommand,
		diffCommand,
		graphCommand,
		runCommand,
		learnCommand,
		versionCommand,
		helpCommand,
	}
}

func lookupCommand(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return nil
}

// run runs scmp with the given arguments (without the program name) and
// returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	return runWithInput(args, os.Stdin, stdout, stderr)
}

func runWithInput(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		mainUsage(stderr)
		return exitUsage
	}
	switch args[0] {
	case "-h", "-help", "--help":
		mainUsage(stdout)
		return exitOK
	case "-version", "--version":
		args = []string{"version"}
	}
	c := lookupCommand(args[0])
	if c == nil {
		fmt.Fprintf(stderr, "scmp: unknown command %q\nRun 'scmp help' for the list of commands.\n", args[0])
		return exitUsage
	}
	return c.run(&env{cmd: c, name: "scmp " + c.name, stdin: stdin, stdout: stdout, stderr: stderr}, args[1:])
}

func mainUsage(w io.Writer) {
	fmt.Fprint(w, `scmp compiles, inspects and applies seccomp filters, without cgo or libseccomp.

Usage:

	scmp <command> [flags] [arguments]

Commands:

`)
	for _, c := range commands {
		fmt.Fprintf(w, "\t%-9s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `
Run 'scmp help <command>' or 'scmp <command> --help' for a command's flags.
`)
}

// commandUsage prints the help text of c.
func commandUsage(w io.Writer, c *command, fs *flag.FlagSet) {
	fmt.Fprintf(w, "Usage: scmp %s\n", strings.TrimSpace(c.usage))
	if fs == nil {
		return
	}
	var any bool
	fs.VisitAll(func(*flag.Flag) { any = true })
	if !any {
		return
	}
	fmt.Fprint(w, "\nFlags:\n")
	fs.VisitAll(func(f *flag.Flag) {
		dash := "--"
		if len(f.Name) == 1 {
			dash = "-"
		}
		name, usage := flag.UnquoteUsage(f)
		line := "  " + dash + f.Name
		if name != "" {
			line += " " + name
		}
		fmt.Fprintf(w, "%s\n    \t%s", line, strings.ReplaceAll(usage, "\n", "\n    \t"))
		if f.DefValue != "" && f.DefValue != "false" {
			fmt.Fprintf(w, " (default %s)", f.DefValue)
		}
		fmt.Fprintln(w)
	})
}

// newFlagSet returns a flag set for c whose errors and help are handled
// by parse.
func newFlagSet(e *env) *flag.FlagSet {
	c := e.cmd
	fs := flag.NewFlagSet("scmp "+c.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// parse parses args with fs. Flags may come after positional arguments
// (before the first one with stopAtArg, so that a command's own flags
// stay its own), arguments that look like negative numbers are
// positional, and everything after "--" is positional. It returns the
// positional arguments, or a non-negative exit status when the command
// is done (help shown, or a usage error reported).
func parse(e *env, fs *flag.FlagSet, args []string, stopAtArg bool) ([]string, int) {
	var flags, pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			pos = append(pos, args[i+1:]...)
			break
		}
		if !strings.HasPrefix(a, "-") || a == "-" || isNumber(a) {
			if stopAtArg {
				pos = append(pos, args[i:]...)
				break
			}
			pos = append(pos, a)
			continue
		}
		flags = append(flags, a)
		name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if f := fs.Lookup(name); f != nil && !hasValue && !isBoolFlag(f) && i+1 < len(args) {
			i++
			flags = append(flags, args[i])
		}
	}
	err := fs.Parse(flags)
	if errors.Is(err, flag.ErrHelp) {
		commandUsage(e.stdout, e.cmd, fs)
		return nil, exitOK
	}
	if err != nil {
		return nil, e.usageErrorf("%v", err)
	}
	return pos, -1
}

func isBoolFlag(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// isNumber reports whether s looks like a (possibly negative) number.
func isNumber(s string) bool {
	s = strings.TrimPrefix(s, "-")
	return s != "" && s[0] >= '0' && s[0] <= '9'
}
