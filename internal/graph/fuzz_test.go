package graph

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/seccomp-go/seccomp"
	"github.com/seccomp-go/seccomp/bpf"
)

// FuzzBuild feeds raw programs to Build and both writers: any program
// Build accepts must give a graph that matches it, a well-formed SVG
// whose boxes do not overlap (or the error for layouts too large), and
// DOT; none may panic.
func FuzzBuild(f *testing.F) {
	p, _ := dockerProgram(f, seccomp.ArchAMD64)
	raw, err := marshal(p)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(raw)
	small, _ := bpf.Parse("ld [nr]\njeq #59 jt 2 jf 3\nret ALLOW\nret ERRNO(1)\n", nil)
	raw, _ = marshal(small)
	f.Add(raw)
	f.Fuzz(func(t *testing.T, b []byte) {
		b = b[:len(b)/bpf.InstructionSize*bpf.InstructionSize]
		if len(b) > 200*bpf.InstructionSize {
			b = b[:200*bpf.InstructionSize]
		}
		p, err := bpf.Unmarshal(b, binary.LittleEndian)
		if err != nil {
			return
		}
		g, err := Build(p, binary.LittleEndian)
		if err != nil {
			return
		}
		checkGraph(t, p, g)
		var svg, dot bytes.Buffer
		if err := g.WriteSVG(&svg, "fuzz"); err == nil {
			checkSVG(t, p, g, svg.Bytes())
		}
		if err := g.WriteDOT(&dot, "fuzz"); err != nil {
			t.Fatal(err)
		}
		if nodes, edges := parseDOT(t, dot.Bytes()); len(nodes) != len(g.Nodes) || len(edges) != len(g.Edges) {
			t.Fatalf("DOT has %d nodes and %d edges, the graph %d and %d", len(nodes), len(edges), len(g.Nodes), len(g.Edges))
		}
	})
}

// marshal encodes p as a little-endian raw filter.
func marshal(p bpf.Program) ([]byte, error) {
	var b bytes.Buffer
	for _, ins := range p {
		if err := binary.Write(&b, binary.LittleEndian, ins); err != nil {
			return nil, err
		}
	}
	return b.Bytes(), nil
}
