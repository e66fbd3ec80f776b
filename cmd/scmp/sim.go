package main

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"

	"github.com/seccomp-go/seccomp/arch"
	"github.com/seccomp-go/seccomp/bpf"
)

var simCommand = &command{
	name:    "sim",
	summary: "show what a filter or profile does with one syscall",
	usage: `sim [--arch A] [--ip ADDR] [-v] FILTER|PROFILE SYSCALL [ARG...]

Runs a filter on one system call, as the kernel would, and prints the
action it returns and the number of BPF instructions it executed.

FILTER is a raw BPF file (as written by "scmp compile"), PROFILE a JSON
profile in any format "scmp compile" reads; the two are told apart by
their content; a filter file has at most 4096 instructions (32 KiB), a
profile at most 4 MiB. "-" is standard input, and docker-default Docker's
default profile, built in (a file of that name is ./docker-default). A
profile is compiled as a runtime on architecture A would load it: for A
plus the profile's architectures, resolving Docker and Podman profiles
for Docker's default container capabilities (--caps docker), as "scmp
run" does. Problems in the profile are reported as "scmp compile"
reports them.

SYSCALL is a name, resolved on A, or a number. Up to six arguments
follow, as numbers: decimal, 0x hexadecimal, 0 octal, or negative (taken
as two's complement of the architecture's word size).

A is given with --arch; otherwise it is this machine's architecture for a
profile, and for a raw filter this machine's if the filter checks for it,
else the first architecture the filter checks for.`,
	run: runSim,
}

func runSim(e *env, args []string) int {
	fs := newFlagSet(e)
	archName := fs.String("arch", "", "simulate a call from architecture `A`")
	ipText := fs.String("ip", "0", "the instruction pointer of the call, `ADDR`")
	verbose := fs.Bool("v", false, "print the instructions executed, in order")
	po := profileFlags(e, fs)
	pos, st := parse(e, fs, args, false)
	if st >= 0 {
		return st
	}
	if st := checkCall(e, pos); st >= 0 {
		return st
	}
	t, err := parseArchFlag(*archName)
	if err != nil {
		return e.usageErrorf("--arch: %v", err)
	}
	ip, err := parseNumber(*ipText, 64)
	if err != nil {
		return e.usageErrorf("--ip: %v", err)
	}
	if err := po.check(); err != nil {
		return e.usageErrorf("%v", err)
	}
	data, err := readProfile(e, pos[0])
	if err != nil {
		return e.errorf("%v", err)
	}

	var (
		p     bpf.Program
		order binary.ByteOrder
	)
	if isJSON(data) {
		if t == nil {
			n, err := nativeTarget()
			if err != nil {
				return e.errorf("%v", err)
			}
			t = &n
		}
		if p, _, err = profileProgram(data, []target{*t}, false, *po); err != nil {
			return e.errorf("%s: %v", pos[0], explain(err))
		}
		order = t.abi.ByteOrder()
	} else {
		if p, order, err = decodeProgram(e, pos[0], data, t); err != nil {
			return e.errorf("%v", err)
		}
		if t == nil {
			a, err := programArch(p)
			if err != nil {
				return e.errorf("%v", err)
			}
			t = &a
		}
	}

	d := bpf.Data{Arch: t.abi.Token, InstructionPointer: ip}
	if d.Nr, err = parseSyscall(t.abi, pos[1]); err != nil {
		return e.usageErrorf("%v", err)
	}
	for i, a := range pos[2:] {
		if d.Args[i], err = parseNumber(a, t.abi.Bits); err != nil {
			return e.usageErrorf("argument %d: %v", i, err)
		}
	}
	ret, steps, err := p.Run(d, order)
	if err != nil {
		return e.errorf("%s cannot run: %v", pos[0], err)
	}
	if *verbose {
		lines := strings.Split(p.DisassembleOrder(order), "\n")
		path := tracePath(p, d, order, ret, steps)
		if path == nil {
			e.warnf("the path through the filter could not be traced")
		}
		for _, pc := range path {
			fmt.Fprintln(e.stdout, lines[pc])
		}
	}
	fmt.Fprintf(e.stdout, "action: %s\ninstructions: %d\n", bpf.ActionString(ret), steps)
	return exitOK
}

// checkCall checks the arguments of a command that takes FILTER|PROFILE
// SYSCALL [ARG...], and returns the usage error's exit status, or -1
// when they are well formed.
func checkCall(e *env, pos []string) int {
	switch {
	case len(pos) == 0:
		return e.usageErrorf("no filter or profile given")
	case len(pos) == 1:
		return e.usageErrorf("no syscall given")
	case len(pos) > 8:
		return e.usageErrorf("%d syscall arguments given; a syscall has at most 6", len(pos)-2)
	}
	return -1
}

// parseSyscall reads a syscall name or number for a.
func parseSyscall(a *arch.Arch, s string) (int32, error) {
	if isNumber(s) {
		n, err := strconv.ParseInt(s, 0, 64)
		if err != nil || n < -1<<31 || n > 1<<32-1 {
			return 0, fmt.Errorf("syscall number %q is not a 32-bit number", s)
		}
		return int32(n), nil
	}
	nr, ok := a.SyscallNumber(s)
	if !ok {
		return 0, fmt.Errorf("unknown syscall %q (check the spelling, or give its number)", s)
	}
	if m, ok := a.Multiplexed(nr); ok && nr < 0 {
		if m.Direct >= 0 {
			return m.Direct, nil
		}
		mux, _ := a.SyscallName(m.Nr)
		return 0, fmt.Errorf("%s has no syscall of its own on %s; it is made through %s: simulate \"%s %d\"", s, a.Name, mux, mux, m.Call)
	}
	if nr < 0 {
		return 0, fmt.Errorf("%s has no number on %s (libseccomp's pseudo number is %d); give a number to simulate it anyway", s, a.Name, nr)
	}
	return nr, nil
}

// parseNumber reads an argument value; negative values are two's
// complement in bits.
func parseNumber(s string, bits int) (uint64, error) {
	if v, err := strconv.ParseUint(s, 0, 64); err == nil {
		return v, nil
	}
	v, err := strconv.ParseInt(s, 0, 64)
	if err != nil || v >= 0 {
		return 0, fmt.Errorf("%q is not a number (use decimal, 0x hexadecimal or 0 octal)", s)
	}
	if bits == 32 {
		if v < -1<<31 {
			return 0, fmt.Errorf("%q does not fit in 32 bits", s)
		}
		return uint64(uint32(v)), nil
	}
	return uint64(v), nil
}

// programArch picks the architecture to simulate a raw filter on: the
// native one if the filter checks for it, else the first one it checks
// for, else the native one.
func programArch(p bpf.Program) (target, error) {
	nat := arch.Native()
	var first *arch.Arch
	loaded := false
	for _, ins := range p {
		switch {
		case ins.Op == bpf.LD|bpf.W|bpf.ABS:
			loaded = ins.K == bpf.OffsetArch
		case ins.Op == bpf.JMP|bpf.JEQ|bpf.K && loaded:
			a, ok := arch.ByToken(ins.K)
			if !ok {
				continue
			}
			if nat != nil && a.Token == nat.Token {
				return parseArch(nat.Name)
			}
			if first == nil {
				first = a
			}
		case bpf.Class(ins.Op) == bpf.JMP:
		default:
			loaded = false
		}
	}
	if first != nil {
		return parseArch(first.Name)
	}
	return nativeTarget()
}

// tracePath returns the program counters of the instructions a run of p
// on d executes, in order, given the result of that run, or nil if they
// cannot be found. Replacing instruction i with a return of a value
// different from ret changes the result exactly when the run reaches i,
// and the new step count tells when it does.
func tracePath(p bpf.Program, d bpf.Data, order binary.ByteOrder, ret uint32, steps int) []int {
	path := make([]int, steps)
	found := 0
	marker := ret ^ 1
	q := append(bpf.Program(nil), p...)
	for i := range p {
		q[i] = bpf.Instruction{Op: bpf.RET | bpf.K, K: marker}
		r, s, err := q.Run(d, order)
		q[i] = p[i]
		if err == nil && r == marker && s >= 1 && s <= steps {
			path[s-1] = i
			found++
		}
	}
	if found != steps {
		return nil
	}
	return path
}
