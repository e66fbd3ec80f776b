package main

import (
	"encoding/binary"
	"fmt"

	"github.com/seccomp-go/seccomp/bpf"
)

var disasmCommand = &command{
	name:    "disasm",
	summary: "list a raw BPF filter with action names and jump targets",
	usage: `disasm [--arch A] FILE.bpf

Prints a raw seccomp filter (an array of struct sock_filter, as written by
"scmp compile" or seccomp_export_bpf) one numbered instruction per line:
loads name the field of struct seccomp_data they read, jumps give absolute
targets, and returns name the action. The byte order is that of
architecture A, or detected from the file. FILE "-" is standard input.
A filter has at most 4096 instructions (32 KiB); longer input is refused.
A program the kernel would refuse is listed with a warning.`,
	run: runDisasm,
}

func runDisasm(e *env, args []string) int {
	fs := newFlagSet(e)
	archName := fs.String("arch", "", "read the file in the byte order of architecture `A` instead of detecting it")
	pos, st := parse(e, fs, args, false)
	if st >= 0 {
		return st
	}
	switch {
	case len(pos) == 0:
		return e.usageErrorf("no filter file given")
	case len(pos) > 1:
		return e.usageErrorf("give one filter file, not %d", len(pos))
	}
	t, err := parseArchFlag(*archName)
	if err != nil {
		return e.usageErrorf("--arch: %v", err)
	}
	data, err := readInput(e, pos[0], maxFilterSize, "BPF filter")
	if err != nil {
		return e.errorf("%v", err)
	}
	p, order, err := decodeProgram(e, pos[0], data, t)
	if err != nil {
		return e.errorf("%v", err)
	}
	fmt.Fprint(e.stdout, p.DisassembleOrder(order))
	return exitOK
}

// decodeProgram decodes a raw filter in the byte order of t, or the
// detected one. A program that fails verification is returned with a
// warning.
func decodeProgram(e *env, name string, data []byte, t *target) (bpf.Program, binary.ByteOrder, error) {
	if isJSON(data) {
		return nil, nil, fmt.Errorf("%s looks like a JSON profile, not raw BPF; compile it first with \"scmp compile -o FILE.bpf %s\"", name, name)
	}
	if len(data) == 0 {
		return nil, nil, fmt.Errorf("%s is empty; a filter has at least one instruction", name)
	}
	if len(data) > maxFilterSize {
		return nil, nil, fmt.Errorf("%s is %d bytes, longer than a filter of %d instructions, the most the kernel loads", name, len(data), bpf.MaxInstructions)
	}
	if len(data)%bpf.InstructionSize != 0 {
		return nil, nil, fmt.Errorf("%s is %d bytes, not a whole number of %d-byte instructions; is it a raw BPF filter?", name, len(data), bpf.InstructionSize)
	}
	var order binary.ByteOrder
	if t != nil {
		order = t.abi.ByteOrder()
	} else {
		var err error
		order, err = bpf.DetectByteOrder(data)
		if err != nil {
			order = binary.NativeEndian
			e.warnf("%s is not a valid seccomp filter in either byte order (%v); read in this machine's byte order", name, err)
		}
	}
	p, err := bpf.Unmarshal(data, order)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %v", name, err)
	}
	if t != nil {
		if err := p.Verify(); err != nil {
			e.warnf("the kernel would refuse %s: %v", name, err)
		}
	}
	return p, order, nil
}
