package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/seccomp-go/seccomp/bpf"
	"github.com/seccomp-go/seccomp/internal/graph"
)

var graphCommand = &command{
	name:    "graph",
	summary: "draw a filter's decision tree as SVG or Graphviz DOT",
	usage: `graph [--arch A,...] [--caps C] [--kernel V] [--format svg|dot] [-o FILE] PROFILE|FILTER.bpf

Draws a filter as the compiler built it: its control-flow graph, with the
instructions grouped into blocks, the architecture checks, the tree of
syscall number comparisons, the argument comparisons of each syscall, and
one node for each action the filter returns. Each comparison of the
syscall number names the syscall it compares with, and each way out of
the number tree names the syscalls that take it. A dashed edge is the way
a condition fails.

The SVG is laid out by scmp itself and needs no other program; DOT is for
Graphviz ("dot -Tpdf"). Without --format, -o FILE.dot or FILE.gv writes
DOT and anything else SVG.

A PROFILE is compiled as "scmp compile" compiles it, for the profile's
architectures or those --arch lists; a raw FILTER.bpf is read as
"scmp disasm" reads it, in the byte order of the first --arch, or
detected. "-" is standard input, and docker-default Docker's default
profile, built in.`,
	run: runGraph,
}

func runGraph(e *env, args []string) int {
	fs := newFlagSet(e)
	archList := fs.String("arch", "", "draw the filter for the comma-separated architectures `A,...`\n(for a raw filter, read it in the byte order of the first)")
	format := fs.String("format", "", "output `format`: svg or dot (default svg, or dot for -o FILE.dot)")
	output := fs.String("o", "", "write the drawing to `FILE` instead of standard output")
	po := profileFlags(e, fs)
	pos, st := parse(e, fs, args, false)
	if st >= 0 {
		return st
	}
	switch {
	case len(pos) == 0:
		return e.usageErrorf("no profile or filter given")
	case len(pos) > 1:
		return e.usageErrorf("give one profile or filter, not %d (%q ...)", len(pos), pos)
	}
	if *format == "" {
		switch strings.ToLower(filepath.Ext(*output)) {
		case ".dot", ".gv":
			*format = "dot"
		default:
			*format = "svg"
		}
	}
	if *format != "svg" && *format != "dot" {
		return e.usageErrorf("unknown --format %q: want svg or dot", *format)
	}
	var arches []target
	if *archList != "" {
		var err error
		if arches, err = parseArchList(*archList); err != nil {
			return e.usageErrorf("--arch: %v", err)
		}
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
		title string
	)
	if isJSON(data) {
		var used []target
		if p, used, err = profileProgram(data, arches, true, *po); err != nil {
			return e.errorf("%s: %v", pos[0], explain(err))
		}
		order = used[0].abi.ByteOrder()
		title = fmt.Sprintf("%s for %s", pos[0], archNames(used))
	} else {
		var t *target
		if len(arches) > 0 {
			t = &arches[0]
		}
		if p, order, err = decodeProgram(e, pos[0], data, t); err != nil {
			return e.errorf("%v", err)
		}
		title = pos[0]
	}
	g, err := graph.Build(p, order)
	if err != nil {
		return e.errorf("%s: %v", pos[0], err)
	}
	title += fmt.Sprintf(": %d BPF %s in %d %s", len(p), plural(len(p), "instruction"), len(g.Nodes), plural(len(g.Nodes), "node"))

	var out bytes.Buffer
	if *format == "dot" {
		err = g.WriteDOT(&out, title)
	} else {
		err = g.WriteSVG(&out, title)
	}
	if err != nil {
		return e.errorf("%s: %v", pos[0], err)
	}
	if *output != "" {
		if err := os.WriteFile(*output, out.Bytes(), 0o644); err != nil {
			return e.errorf("%v", err)
		}
		return exitOK
	}
	if _, err := e.stdout.Write(out.Bytes()); err != nil {
		return e.errorf("writing output: %v", err)
	}
	return exitOK
}
