package graph

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/seccomp-go/seccomp"
	"github.com/seccomp-go/seccomp/arch"
	"github.com/seccomp-go/seccomp/bpf"
	"github.com/seccomp-go/seccomp/oci"
)

// dockerProgram compiles Docker's default profile for arches, resolved
// for arches[0] and Docker's default capabilities, kernel 6.8.
func dockerProgram(t testing.TB, arches ...seccomp.ScmpArch) (bpf.Program, binary.ByteOrder) {
	t.Helper()
	opts := oci.Options{Arches: arches, Caps: oci.DockerDefaultCapabilities(), KernelVersion: "6.8"}
	spec, _, err := oci.Parse(oci.DefaultProfile, opts)
	if err != nil {
		t.Fatal(err)
	}
	spec.Architectures = nil
	f, err := oci.NewFilter(spec, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Release()
	raw, err := f.ExportBPFMem()
	if err != nil {
		t.Fatal(err)
	}
	order := binary.ByteOrder(binary.LittleEndian)
	if a, ok := arch.ByScmpToken(uint32(mustArchToken(t, arches[0]))); ok && a.BigEndian {
		order = binary.BigEndian
	}
	p, err := bpf.Unmarshal(raw, order)
	if err != nil {
		t.Fatal(err)
	}
	return p, order
}

func mustArchToken(t testing.TB, a seccomp.ScmpArch) uint32 {
	t.Helper()
	for _, ab := range arch.All() {
		if g, err := seccomp.GetArchFromString(ab.Name); err == nil && g == a {
			return ab.ScmpToken
		}
	}
	t.Fatalf("no arch for %v", a)
	return 0
}

// testPrograms are the filters the structural tests run on.
func testPrograms(t *testing.T) map[string]struct {
	p     bpf.Program
	order binary.ByteOrder
} {
	out := map[string]struct {
		p     bpf.Program
		order binary.ByteOrder
	}{}
	for name, arches := range map[string][]seccomp.ScmpArch{
		"x86_64":            {seccomp.ArchAMD64},
		"x86_64,x86,x32":    {seccomp.ArchAMD64, seccomp.ArchX86, seccomp.ArchX32},
		"aarch64,arm":       {seccomp.ArchARM64, seccomp.ArchARM},
		"s390x,s390":        {seccomp.ArchS390X, seccomp.ArchS390},
		"mips64n32,mips64":  {seccomp.ArchMIPS64N32, seccomp.ArchMIPS64},
		"ppc64le":           {seccomp.ArchPPC64LE},
		"riscv64,loongarch": {seccomp.ArchRISCV64, seccomp.ArchLOONGARCH64},
	} {
		p, order := dockerProgram(t, arches...)
		out["docker "+name] = struct {
			p     bpf.Program
			order binary.ByteOrder
		}{p, order}
	}
	return out
}

// expectedEdges lists, from the program alone, every way out of a block:
// "pc>target" for each jump target and fall-through.
func expectedEdges(p bpf.Program) (edges []string, leaders map[int]bool) {
	leaders = map[int]bool{0: true}
	for pc, ins := range p {
		switch bpf.Class(ins.Op) {
		case bpf.JMP:
			if ins.Op == bpf.JMP|bpf.JA {
				leaders[pc+1+int(ins.K)] = true
			} else {
				leaders[pc+1+int(ins.Jt)] = true
				leaders[pc+1+int(ins.Jf)] = true
			}
			leaders[pc+1] = true
		case bpf.RET:
			leaders[pc+1] = true
		}
	}
	for pc, ins := range p {
		switch {
		case ins.Op == bpf.JMP|bpf.JA:
			edges = append(edges, fmt.Sprintf("%d>%d", pc, pc+1+int(ins.K)))
		case bpf.Class(ins.Op) == bpf.JMP:
			edges = append(edges, fmt.Sprintf("%d>%d", pc, pc+1+int(ins.Jt)), fmt.Sprintf("%d>%d", pc, pc+1+int(ins.Jf)))
		case bpf.Class(ins.Op) != bpf.RET && leaders[pc+1]:
			edges = append(edges, fmt.Sprintf("%d>%d", pc, pc+1))
		}
	}
	slices.Sort(edges)
	return edges, leaders
}

// checkGraph checks g against p: every instruction in exactly one node,
// blocks that run straight from a leader, and one edge for each jump
// target and fall-through, into the node holding the target.
func checkGraph(t *testing.T, p bpf.Program, g *Graph) {
	t.Helper()
	owner := make([]int, len(p))
	for i := range owner {
		owner[i] = -1
	}
	for id, n := range g.Nodes {
		if n.ID != id {
			t.Fatalf("node %d has ID %d", id, n.ID)
		}
		if len(n.PCs) == 0 {
			t.Fatalf("node %d stands for no instruction", id)
		}
		merged := len(n.PCs) > 1 && bpf.Class(p[n.PCs[0]].Op) == bpf.RET
		for i, pc := range n.PCs {
			if owner[pc] >= 0 {
				t.Fatalf("instruction %d is in nodes %d and %d", pc, owner[pc], id)
			}
			owner[pc] = id
			switch {
			case merged:
				// a return's jt and jf are not used, and may hold anything
				if n.Kind != Return || !n.ActionKnown || p[pc].Op != bpf.RET|bpf.K || p[pc].K != n.Action {
					t.Fatalf("merged return %d (%s) holds instruction %d, %v", id, bpf.ActionString(n.Action), pc, p[pc])
				}
			case i > 0 && pc != n.PCs[i-1]+1:
				t.Fatalf("block %d is not consecutive: %v", id, n.PCs)
			}
		}
	}
	for pc, id := range owner {
		if id < 0 {
			t.Fatalf("instruction %d is in no node", pc)
		}
	}
	want, leaders := expectedEdges(p)
	var got []string
	for _, e := range g.Edges {
		got = append(got, fmt.Sprintf("%d>%d", e.PC, e.Target))
		if owner[e.PC] != e.From || owner[e.Target] != e.To {
			t.Fatalf("edge %d>%d joins nodes %d and %d, not %d and %d", e.PC, e.Target, e.From, e.To, owner[e.PC], owner[e.Target])
		}
		if !leaders[e.Target] {
			t.Fatalf("edge %d>%d leads into the middle of a block", e.PC, e.Target)
		}
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("edges:\n got %v\nwant %v", got, want)
	}
}

func TestBuildStructure(t *testing.T) {
	for name, tp := range testPrograms(t) {
		t.Run(name, func(t *testing.T) {
			g, err := Build(tp.p, tp.order)
			if err != nil {
				t.Fatal(err)
			}
			checkGraph(t, tp.p, g)
			kinds := map[Kind]int{}
			rets := map[uint32]int{}
			for _, n := range g.Nodes {
				kinds[n.Kind]++
				if n.Kind == Return && n.ActionKnown {
					rets[n.Action]++
				}
				if !n.Reachable {
					t.Errorf("node %d (%v) is unreachable in a compiled filter", n.ID, n.Lines)
				}
			}
			for _, k := range []Kind{ArchCheck, SyscallCheck, ArgCheck, Return} {
				if kinds[k] == 0 {
					t.Errorf("no node of kind %d", k)
				}
			}
			for ret, c := range rets {
				if c != 1 {
					t.Errorf("%d nodes return %s; identical returns are one node", c, bpf.ActionString(ret))
				}
			}
		})
	}
}

// reaches reports whether a run of p on d executes instruction pc:
// replacing it with a return of a value the program does not return
// changes the result exactly when the run reaches it.
func reaches(t *testing.T, p bpf.Program, order binary.ByteOrder, d bpf.Data, pc int) bool {
	t.Helper()
	const marker = 0x7ffe1234
	q := slices.Clone(p)
	q[pc] = bpf.Instruction{Op: bpf.RET | bpf.K, K: marker}
	r, _, err := q.Run(d, order)
	if err != nil {
		t.Fatal(err)
	}
	return r == marker
}

// holds evaluates the condition of the jump ins on a.
func holds(ins bpf.Instruction, a uint32) bool {
	switch bpf.Operation(ins.Op) {
	case bpf.JEQ:
		return a == ins.K
	case bpf.JGT:
		return a > ins.K
	case bpf.JGE:
		return a >= ins.K
	case bpf.JSET:
		return a&ins.K != 0
	}
	panic("not a conditional jump")
}

// tokens returns the AUDIT_ARCH values of abis, each once.
func tokens(abis []*arch.Arch) []uint32 {
	var out []uint32
	for _, a := range abis {
		if !slices.Contains(out, a.Token) {
			out = append(out, a.Token)
		}
	}
	return out
}

var syscallsLabel = regexp.MustCompile(`^(\S+) … (\S+) \((\d+) syscalls\)$`)

// TestSyscallLabels checks the syscalls named on the ways out of the
// number tree with the interpreter: exactly the syscalls of the
// architecture's table that reach the comparison and go that way.
func TestSyscallLabels(t *testing.T) {
	for _, tc := range []struct {
		name   string
		arches []seccomp.ScmpArch
		abis   []*arch.Arch
	}{
		{"x86_64", []seccomp.ScmpArch{seccomp.ArchAMD64}, []*arch.Arch{arch.X86_64}},
		{"x86_64,x86,x32", []seccomp.ScmpArch{seccomp.ArchAMD64, seccomp.ArchX86, seccomp.ArchX32}, []*arch.Arch{arch.X86_64, arch.X86, arch.X32}},
		{"aarch64", []seccomp.ScmpArch{seccomp.ArchARM64}, []*arch.Arch{arch.AArch64}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, order := dockerProgram(t, tc.arches...)
			g, err := Build(p, order)
			if err != nil {
				t.Fatal(err)
			}
			checked := 0
			for _, e := range g.Edges {
				if e.Syscalls == "" || strings.HasPrefix(e.Syscalls, "nr ") {
					continue
				}
				ins := p[e.PC]
				// The syscalls, in number order, that take the edge.
				var found []entry
				for _, token := range tokens(tc.abis) {
					for _, ent := range table(token) {
						d := bpf.Data{Arch: token, Nr: int32(ent.nr)}
						if reaches(t, p, order, d, e.PC) && holds(ins, ent.nr) == (e.Kind == Taken) {
							found = append(found, ent)
						}
					}
				}
				sort.SliceStable(found, func(i, j int) bool { return found[i].nr < found[j].nr })
				var names []string
				for _, ent := range found {
					if !slices.Contains(names, ent.name) {
						names = append(names, ent.name)
					}
				}
				if len(names) == 0 {
					t.Fatalf("edge %d>%d is labelled %q, but no syscall takes it", e.PC, e.Target, e.Syscalls)
				}
				if m := syscallsLabel.FindStringSubmatch(e.Syscalls); m != nil {
					n, _ := strconv.Atoi(m[3])
					if n != len(names) || m[1] != names[0] || m[2] != names[len(names)-1] {
						t.Errorf("edge %d>%d is labelled %q; %d syscalls take it, %s to %s", e.PC, e.Target, e.Syscalls, len(names), names[0], names[len(names)-1])
					}
				} else {
					got := strings.Split(e.Syscalls, ", ")
					slices.Sort(got)
					slices.Sort(names)
					if !slices.Equal(got, names) {
						t.Errorf("edge %d>%d is labelled %q; %q take it", e.PC, e.Target, e.Syscalls, names)
					}
				}
				checked++
			}
			if checked < 10 {
				t.Fatalf("only %d labelled edges checked", checked)
			}
		})
	}
}

// TestLabelsAndKinds checks the text of a small hand-written filter.
func TestLabelsAndKinds(t *testing.T) {
	src := `
		ld [arch]
		jeq #0xc000003e jt 2 jf 10
		ld [nr]
		jeq #59 jt 4 jf 9
		ld [args[1].lo]
		and #0xff
		jeq #3 jt 8 jf 7
		ja 9
		ret ERRNO(1)
		ret ALLOW
		ret KILL_PROCESS
		ret ERRNO(1)
	`
	p, err := bpf.Parse(src, binary.LittleEndian)
	if err != nil {
		t.Fatal(err)
	}
	g, err := Build(p, binary.LittleEndian)
	if err != nil {
		t.Fatal(err)
	}
	checkGraph(t, p, g)
	// Without a byte order, the one of x86_64, which the program checks
	// for, is inferred.
	if inferred, err := Build(p, nil); err != nil || !slices.Equal(inferred.Nodes[2].Lines, g.Nodes[2].Lines) {
		t.Errorf("Build(p, nil): %v, lines %q, want %q", err, inferred.Nodes[2].Lines, g.Nodes[2].Lines)
	}
	byPC := map[int]*Node{}
	for _, n := range g.Nodes {
		for _, pc := range n.PCs {
			byPC[pc] = n
		}
	}
	if n := byPC[0]; n.Kind != ArchCheck || n.Lines[1] != "1: arch == x86_64" {
		t.Errorf("arch block: %v %q", n.Kind, n.Lines)
	}
	if n := byPC[3]; n.Kind != SyscallCheck || !slices.Equal(n.Lines, []string{"2: ld [nr]", "3: nr == 59", "  (execve)"}) {
		t.Errorf("number block: %v %q", n.Kind, n.Lines)
	}
	if n := byPC[4]; n.Kind != ArgCheck || n.Title != "execve" || n.Syscalls != "execve" || n.Lines[2] != "6: args[1].lo & 0xff == 0x3" {
		t.Errorf("argument block: %v %q %q %q", n.Kind, n.Title, n.Syscalls, n.Lines)
	}
	if n := byPC[2]; !strings.HasPrefix(n.Syscalls, "read … ") || byPC[0].Syscalls != "" {
		t.Errorf("syscalls reaching the number block: %q, the arch block: %q", n.Syscalls, byPC[0].Syscalls)
	}
	if byPC[8] != byPC[11] || len(byPC[8].PCs) != 2 || byPC[8].Lines[0] != "8, 11: ret ERRNO(1)" {
		t.Errorf("identical returns not merged: %v", byPC[8].Lines)
	}
	if !byPC[11].Reachable || byPC[10].Reachable == false {
		t.Errorf("reachability wrong")
	}
	for _, e := range g.Edges {
		switch e.PC {
		case 3:
			tab := table(arch.X86_64.Token)
			want := map[EdgeKind]string{Taken: "execve", NotTaken: fmt.Sprintf("read … %s (%d syscalls)", tab[len(tab)-1].name, len(tab)-1)}[e.Kind]
			if e.Syscalls != want {
				t.Errorf("edge 3>%d: %q, want %q", e.Target, e.Syscalls, want)
			}
		case 1, 6, 7:
			if e.Syscalls != "" {
				t.Errorf("edge %d>%d has syscalls %q", e.PC, e.Target, e.Syscalls)
			}
		}
	}
}

func TestNoArchCheck(t *testing.T) {
	p, err := bpf.Parse("ld [nr]\njge #400 jt 3 jf 2\nret ALLOW\nret ERRNO(38)\n", nil)
	if err != nil {
		t.Fatal(err)
	}
	g, err := Build(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkGraph(t, p, g)
	var labels []string
	for _, e := range g.Edges {
		labels = append(labels, e.Syscalls)
	}
	if want := []string{"nr 400–4294967295", "nr 0–399"}; !slices.Equal(labels, want) {
		t.Errorf("labels %q, want %q", labels, want)
	}
}

func TestBuildErrors(t *testing.T) {
	ret := bpf.Stmt(bpf.RET|bpf.K, bpf.RetAllow)
	long := make(bpf.Program, bpf.MaxInstructions+1)
	for i := range long {
		long[i] = ret
	}
	for _, tc := range []struct {
		p    bpf.Program
		want string
	}{
		{nil, "empty"},
		{long, "more than the 4096"},
		{bpf.Program{bpf.Jump(bpf.JMP|bpf.JEQ|bpf.K, 0, 0, 1), ret}, "past the last instruction"},
		{bpf.Program{bpf.Stmt(bpf.JMP|bpf.JA, 5), ret}, "past the last instruction"},
		{bpf.Program{ret, bpf.Stmt(bpf.LD|bpf.W|bpf.ABS, 0)}, "run past its end"},
	} {
		if _, err := Build(tc.p, nil); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Build(%d instructions) = %v, want an error with %q", len(tc.p), err, tc.want)
		}
	}
}

// svgDoc is what the tests read back from an SVG document.
type svgDoc struct {
	width, height float64
	nodes         []svgNode
	edges         []string // "from>to@pc"
	labels        []box    // estimated boxes of the edge labels' lines
	paths         [][]point
}

// box is a rectangle of the drawing.
type box struct{ x, y, w, h float64 }

func (a box) overlaps(b box) bool {
	return a.x < b.x+b.w && b.x < a.x+a.w && a.y < b.y+b.h && b.y < a.y+a.h
}

// segmentCrosses reports whether the segment from a to b meets the
// inside of r, by clipping the segment to r (Liang and Barsky).
func segmentCrosses(a, b point, r box) bool {
	if r.w <= 0 || r.h <= 0 {
		return false
	}
	t0, t1 := 0.0, 1.0
	dx, dy := b.x-a.x, b.y-a.y
	for _, c := range [4][2]float64{{-dx, a.x - r.x}, {dx, r.x + r.w - a.x}, {-dy, a.y - r.y}, {dy, r.y + r.h - a.y}} {
		p, q := c[0], c[1]
		if p == 0 {
			if q <= 0 {
				return false
			}
			continue
		}
		t := q / p
		if p < 0 {
			t0 = max(t0, t)
		} else {
			t1 = min(t1, t)
		}
		if t0 >= t1 {
			return false
		}
	}
	return true
}

type svgNode struct {
	id         string
	pcs        []int
	x, y, w, h float64
	texts      []string
}

// parseSVG decodes an SVG document with encoding/xml, failing on any
// error of well-formedness.
func parseSVG(t *testing.T, data []byte) svgDoc {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(data))
	var doc svgDoc
	var cur *svgNode
	inText, inLabel := false, false
	attr := func(se xml.StartElement, name string) string {
		for _, a := range se.Attr {
			if a.Name.Local == name {
				return a.Value
			}
		}
		return ""
	}
	f := func(s string) float64 {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatalf("bad number %q", s)
		}
		return v
	}
	depth := 0
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("the SVG is not well-formed XML: %v", err)
		}
		switch se := tok.(type) {
		case xml.StartElement:
			depth++
			switch {
			case se.Name.Local == "svg" && depth == 1:
				if se.Name.Space != "http://www.w3.org/2000/svg" {
					t.Fatalf("root namespace %q", se.Name.Space)
				}
				doc.width, doc.height = f(attr(se, "width")), f(attr(se, "height"))
			case se.Name.Local == "g" && attr(se, "class") == "node":
				doc.nodes = append(doc.nodes, svgNode{id: attr(se, "id")})
				cur = &doc.nodes[len(doc.nodes)-1]
				for _, s := range strings.Split(attr(se, "data-pcs"), ",") {
					pc, err := strconv.Atoi(s)
					if err != nil {
						t.Fatalf("bad data-pcs %q", attr(se, "data-pcs"))
					}
					cur.pcs = append(cur.pcs, pc)
				}
			case se.Name.Local == "g" && attr(se, "class") == "edge":
				doc.edges = append(doc.edges, attr(se, "data-from")+">"+attr(se, "data-to")+"@"+attr(se, "data-pc"))
			case se.Name.Local == "path" && len(doc.edges) > len(doc.paths):
				var pts []point
				for _, seg := range strings.FieldsFunc(attr(se, "d"), func(r rune) bool { return r == 'M' || r == 'L' }) {
					xy := strings.Fields(seg)
					if len(xy) != 2 {
						t.Fatalf("bad path %q", attr(se, "d"))
					}
					pts = append(pts, point{f(xy[0]), f(xy[1])})
				}
				doc.paths = append(doc.paths, pts)
			case se.Name.Local == "rect" && cur != nil:
				cur.x, cur.y, cur.w, cur.h = f(attr(se, "x")), f(attr(se, "y")), f(attr(se, "width")), f(attr(se, "height"))
			case se.Name.Local == "text" && attr(se, "class") == "label":
				// The line's box, from its baseline and the font size.
				size := f(attr(se, "font-size"))
				doc.labels = append(doc.labels, box{f(attr(se, "x")), f(attr(se, "y")) - size, 0, size + 2})
				inLabel = true
			case se.Name.Local == "text" && cur != nil:
				inText = true
				cur.texts = append(cur.texts, "")
			}
		case xml.CharData:
			if inLabel {
				doc.labels[len(doc.labels)-1].w = textWidth(string(se), labelCharW)
			}
			if inText {
				cur.texts[len(cur.texts)-1] += string(se)
			}
		case xml.EndElement:
			depth--
			if se.Name.Local == "text" {
				inText, inLabel = false, false
			}
			if se.Name.Local == "g" {
				cur = nil
			}
		}
	}
	return doc
}

// checkSVG checks the drawing of g, from program p: one box per node
// holding all its instructions, each instruction in one box, boxes that
// do not overlap and lie inside the drawing, text that fits its box,
// and one edge element per edge.
func checkSVG(t *testing.T, p bpf.Program, g *Graph, data []byte) svgDoc {
	t.Helper()
	doc := parseSVG(t, data)
	if len(doc.nodes) != len(g.Nodes) {
		t.Fatalf("%d node boxes for %d nodes", len(doc.nodes), len(g.Nodes))
	}
	seen := make([]int, len(p))
	for _, n := range doc.nodes {
		for _, pc := range n.pcs {
			if pc < 0 || pc >= len(p) {
				t.Fatalf("box %s names instruction %d", n.id, pc)
			}
			seen[pc]++
		}
		if n.w <= 0 || n.h <= 0 || n.x < 0 || n.y < 0 || n.x+n.w > doc.width || n.y+n.h > doc.height {
			t.Fatalf("box %s (%v,%v %vx%v) is outside the %vx%v drawing", n.id, n.x, n.y, n.w, n.h, doc.width, doc.height)
		}
		for _, s := range n.texts {
			if w := textWidth(s, nodeCharW); w > n.w-nodePadX {
				t.Errorf("text %q (%.0f px) does not fit box %s (%.0f px)", s, w, n.id, n.w)
			}
		}
		if float64(len(n.texts))*nodeLineH > n.h {
			t.Errorf("%d lines do not fit box %s of height %.0f", len(n.texts), n.id, n.h)
		}
	}
	for pc, c := range seen {
		if c != 1 {
			t.Fatalf("instruction %d is drawn in %d boxes", pc, c)
		}
	}
	for i, a := range doc.nodes {
		for _, b := range doc.nodes[i+1:] {
			if a.x < b.x+b.w && b.x < a.x+a.w && a.y < b.y+b.h && b.y < a.y+a.h {
				t.Fatalf("boxes %s and %s overlap", a.id, b.id)
			}
		}
	}
	// Edges pass between the boxes, not through them.
	if len(doc.paths) != len(doc.edges) {
		t.Fatalf("%d paths for %d edges", len(doc.paths), len(doc.edges))
	}
	for i, pts := range doc.paths {
		for j := 1; j < len(pts); j++ {
			for _, n := range doc.nodes {
				inner := box{n.x + 1, n.y + 1, n.w - 2, n.h - 2}
				if segmentCrosses(pts[j-1], pts[j], inner) {
					t.Fatalf("edge %s runs through box %s (%v to %v)", doc.edges[i], n.id, pts[j-1], pts[j])
				}
			}
			for _, l := range doc.labels {
				if segmentCrosses(pts[j-1], pts[j], box{l.x + 1, l.y + 1, l.w - 2, l.h - 2}) {
					t.Fatalf("edge %s runs through a label at %v", doc.edges[i], l)
				}
			}
		}
	}
	// Labels are readable: clear of the boxes and of each other.
	for i, l := range doc.labels {
		for _, n := range doc.nodes {
			if l.overlaps(box{n.x, n.y, n.w, n.h}) {
				t.Fatalf("label line %d (%v) overlaps box %s", i, l, n.id)
			}
		}
		for j, m := range doc.labels[i+1:] {
			if l.overlaps(m) {
				t.Fatalf("label lines %d and %d overlap: %v %v", i, i+1+j, l, m)
			}
		}
	}
	var want []string
	for _, e := range g.Edges {
		want = append(want, fmt.Sprintf("n%d>n%d@%d", e.From, e.To, e.PC))
	}
	slices.Sort(want)
	slices.Sort(doc.edges)
	if !slices.Equal(doc.edges, want) {
		t.Fatalf("edges drawn:\n%v\nwant\n%v", doc.edges, want)
	}
	if exp, _ := expectedEdges(p); len(exp) != len(doc.edges) {
		t.Fatalf("%d edges drawn for %d jumps and fall-throughs", len(doc.edges), len(exp))
	}
	return doc
}

func TestSVG(t *testing.T) {
	for name, tp := range testPrograms(t) {
		t.Run(name, func(t *testing.T) {
			g, err := Build(tp.p, tp.order)
			if err != nil {
				t.Fatal(err)
			}
			var b bytes.Buffer
			if err := g.WriteSVG(&b, "Docker's <default> & \"more\""); err != nil {
				t.Fatal(err)
			}
			doc := checkSVG(t, tp.p, g, b.Bytes())
			if len(doc.labels) < 20 {
				t.Errorf("only %d label lines drawn", len(doc.labels))
			}
		})
	}
}

// parseDOT is a small reader of the DOT that WriteDOT writes: it
// returns the node statements and the edges, and fails on lines it does
// not know or unbalanced quotes.
func parseDOT(t *testing.T, data []byte) (nodes []string, edges [][2]string) {
	t.Helper()
	nodeRe := regexp.MustCompile(`^\t(n\d+) \[label="((?:[^"\\]|\\.)*)", fillcolor="#[0-9a-f]{6}", color="#[0-9a-f]{6}"\];$`)
	edgeRe := regexp.MustCompile(`^\t(n\d+) -> (n\d+) \[color="#[0-9a-f]{6}"(?:, label="(?:[^"\\]|\\.)*")?(?:, style=dashed)?\];$`)
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	line := 0
	closed := false
	for sc.Scan() {
		l := sc.Text()
		line++
		switch {
		case line == 1:
			if l != "digraph seccomp {" {
				t.Fatalf("DOT starts with %q", l)
			}
		case l == "}":
			closed = true
		case closed:
			t.Fatalf("text after the closing brace: %q", l)
		case strings.HasPrefix(l, "\tgraph ["), strings.HasPrefix(l, "\tnode ["), strings.HasPrefix(l, "\tedge ["), strings.HasPrefix(l, "\t{ rank=sink;"):
		default:
			if m := nodeRe.FindStringSubmatch(l); m != nil {
				nodes = append(nodes, m[1])
				continue
			}
			if m := edgeRe.FindStringSubmatch(l); m != nil {
				edges = append(edges, [2]string{m[1], m[2]})
				continue
			}
			t.Fatalf("DOT line %d not understood: %q", line, l)
		}
	}
	if !closed {
		t.Fatal("DOT graph not closed")
	}
	return nodes, edges
}

func TestDOT(t *testing.T) {
	for name, tp := range testPrograms(t) {
		t.Run(name, func(t *testing.T) {
			g, err := Build(tp.p, tp.order)
			if err != nil {
				t.Fatal(err)
			}
			var b bytes.Buffer
			if err := g.WriteDOT(&b, `title with "quotes" and \ backslash`); err != nil {
				t.Fatal(err)
			}
			nodes, edges := parseDOT(t, b.Bytes())
			_, leaders := expectedEdges(tp.p)
			// One node per block, identical constant returns counted once.
			blocks := 0
			rets := map[uint32]bool{}
			for pc := range leaders {
				if pc >= len(tp.p) {
					continue
				}
				ins := tp.p[pc]
				if ins.Op == bpf.RET|bpf.K && (pc+1 == len(tp.p) || leaders[pc+1]) {
					if rets[ins.K] {
						continue
					}
					rets[ins.K] = true
				}
				blocks++
			}
			if len(nodes) != blocks {
				t.Errorf("DOT has %d nodes, the program %d blocks", len(nodes), blocks)
			}
			exp, _ := expectedEdges(tp.p)
			if len(edges) != len(exp) {
				t.Errorf("DOT has %d edges, the program %d jumps and fall-throughs", len(edges), len(exp))
			}
			known := map[string]bool{}
			for _, n := range nodes {
				known[n] = true
			}
			for _, e := range edges {
				if !known[e[0]] || !known[e[1]] {
					t.Fatalf("edge %v names an undeclared node", e)
				}
			}
		})
	}
}

// randomProgram returns a program of n instructions that jumps only
// forward and ends in returns: loads, ALU, tax, jumps of every kind,
// and returns of A and of a few values.
func randomProgram(r *rand.Rand, n int) bpf.Program {
	p := make(bpf.Program, n)
	rets := []uint32{bpf.RetAllow, bpf.RetErrno | 1, bpf.RetKillProcess, bpf.RetLog}
	fields := []uint32{bpf.OffsetNr, bpf.OffsetArch, bpf.OffsetArgs, bpf.OffsetArgs + 4, bpf.OffsetArgs + 8}
	ops := []uint16{bpf.JEQ, bpf.JGE, bpf.JGT, bpf.JSET}
	for pc := range p {
		left := n - pc - 1
		switch c := r.Intn(10); {
		case (left == 0 || c < 2) && r.Intn(8) == 0:
			p[pc] = bpf.Stmt(bpf.RET|bpf.A, 0)
		case left == 0 || c < 2:
			p[pc] = bpf.Stmt(bpf.RET|bpf.K, rets[r.Intn(len(rets))])
		case c < 4:
			p[pc] = bpf.Stmt(bpf.LD|bpf.W|bpf.ABS, fields[r.Intn(len(fields))])
		case c == 4 && r.Intn(3) == 0:
			p[pc] = bpf.Stmt(bpf.MISC|bpf.TAX, 0)
		case c == 4:
			p[pc] = bpf.Stmt(bpf.ALU|bpf.AND|bpf.K, uint32(r.Intn(256)))
		case c == 5:
			p[pc] = bpf.Stmt(bpf.JMP|bpf.JA, uint32(r.Intn(left)))
		default:
			jt, jf := r.Intn(min(left, 256)), r.Intn(min(left, 256))
			p[pc] = bpf.Jump(bpf.JMP|ops[r.Intn(len(ops))]|bpf.K, uint32(r.Intn(500)), uint8(jt), uint8(jf))
		}
	}
	return p
}

// TestRandomPrograms checks the graph, the SVG and the DOT of random
// programs, unreachable code and fall-throughs included.
func TestRandomPrograms(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	for i := 0; i < 150; i++ {
		p := randomProgram(r, 2+r.Intn(120))
		g, err := Build(p, binary.LittleEndian)
		if err != nil {
			t.Fatalf("program %d: %v\n%s", i, err, p.Disassemble())
		}
		checkGraph(t, p, g)
		var svg, dot bytes.Buffer
		if err := g.WriteSVG(&svg, fmt.Sprint("random ", i)); err != nil {
			t.Fatalf("program %d: %v", i, err)
		}
		checkSVG(t, p, g, svg.Bytes())
		if err := g.WriteDOT(&dot, "random"); err != nil {
			t.Fatal(err)
		}
		if nodes, edges := parseDOT(t, dot.Bytes()); len(nodes) != len(g.Nodes) || len(edges) != len(g.Edges) {
			t.Fatalf("program %d: DOT has %d nodes and %d edges, the graph %d and %d", i, len(nodes), len(edges), len(g.Nodes), len(g.Edges))
		}
	}
}

// TestTooLargeToLayOut checks that a program whose jumps span the whole
// program is refused by the layout, with advice, instead of using
// memory without bound, while DOT still works.
func TestTooLargeToLayOut(t *testing.T) {
	n := bpf.MaxInstructions
	p := make(bpf.Program, n)
	p[0] = bpf.Stmt(bpf.LD|bpf.W|bpf.ABS, bpf.OffsetNr)
	for pc := 1; pc < n-2; pc++ {
		// Each comparison leads to the next one or 255 instructions
		// further, so that most edges cross hundreds of layers.
		p[pc] = bpf.Jump(bpf.JMP|bpf.JEQ|bpf.K, uint32(pc), 0, uint8(min(255, n-2-pc-1)))
	}
	p[n-2] = bpf.Stmt(bpf.RET|bpf.K, bpf.RetAllow)
	p[n-1] = bpf.Stmt(bpf.RET|bpf.K, bpf.RetKillProcess)
	g, err := Build(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := g.WriteSVG(&b, "long"); err == nil || !strings.Contains(err.Error(), "Graphviz") {
		t.Fatalf("WriteSVG = %v, want an error that points to DOT", err)
	}
	b.Reset()
	if err := g.WriteDOT(&b, "long"); err != nil {
		t.Fatal(err)
	}
	if nodes, edges := parseDOT(t, b.Bytes()); len(nodes) != len(g.Nodes) || len(edges) != len(g.Edges) {
		t.Fatalf("DOT has %d nodes and %d edges, the graph %d and %d", len(nodes), len(edges), len(g.Nodes), len(g.Edges))
	}
}

// BenchmarkDocker measures building, laying out and writing the graph
// of Docker's profile for its three x86 architectures.
func BenchmarkDocker(b *testing.B) {
	p, order := dockerProgram(b, seccomp.ArchAMD64, seccomp.ArchX86, seccomp.ArchX32)
	b.Run("build", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := Build(p, order); err != nil {
				b.Fatal(err)
			}
		}
	})
	g, err := Build(p, order)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("svg", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if err := g.WriteSVG(io.Discard, "docker"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("dot", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if err := g.WriteDOT(io.Discard, "docker"); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func TestSegmentCrosses(t *testing.T) {
	r := box{10, 10, 20, 10}
	for _, tc := range []struct {
		a, b point
		want bool
	}{
		{point{0, 15}, point{40, 15}, true},  // straight across
		{point{20, 0}, point{20, 12}, true},  // into it from above
		{point{0, 0}, point{40, 40}, true},   // diagonal through
		{point{0, 0}, point{40, 0}, false},   // above
		{point{5, 0}, point{5, 40}, false},   // left of it
		{point{20, 0}, point{20, 10}, false}, // ends on its top side
		{point{0, 40}, point{40, 25}, false}, // diagonal that misses
	} {
		if got := segmentCrosses(tc.a, tc.b, r); got != tc.want {
			t.Errorf("segmentCrosses(%v, %v) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}
