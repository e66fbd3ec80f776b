package main

import (
	"bytes"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/seccomp-go/seccomp/bpf"
)

// svgCounts decodes an SVG document and counts its node and edge
// groups, failing the test if it is not well-formed XML.
func svgCounts(t *testing.T, data string) (nodes, edges int, title string) {
	t.Helper()
	dec := xml.NewDecoder(strings.NewReader(data))
	inText, first := false, true
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("output is not well-formed XML: %v\n%.300s", err, data)
		}
		switch se := tok.(type) {
		case xml.StartElement:
			for _, a := range se.Attr {
				if a.Name.Local == "class" && a.Value == "node" {
					nodes++
				}
				if a.Name.Local == "class" && a.Value == "edge" {
					edges++
				}
			}
			inText = se.Name.Local == "text"
		case xml.CharData:
			if inText && first {
				title, first = string(se), false
			}
		case xml.EndElement:
			inText = false
		}
	}
	return nodes, edges, title
}

var (
	dotNode = regexp.MustCompile(`(?m)^\tn\d+ \[label=`)
	dotEdge = regexp.MustCompile(`(?m)^\tn\d+ -> n\d+ \[`)
)

// dotCounts counts the node and edge statements of DOT output.
func dotCounts(t *testing.T, data string) (nodes, edges int) {
	t.Helper()
	if !strings.HasPrefix(data, "digraph seccomp {\n") || !strings.HasSuffix(data, "}\n") {
		t.Fatalf("not a DOT digraph:\n%.300s", data)
	}
	return len(dotNode.FindAllString(data, -1)), len(dotEdge.FindAllString(data, -1))
}

// compiledDocker writes Docker's profile compiled for x86_64 to a file
// and returns its path and program.
func compiledDocker(t *testing.T) (string, bpf.Program) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "docker.bpf")
	if _, stderr, st := cli(t, "", "compile", "--arch", "x86_64", "--kernel", "6.8", "-o", path, "docker-default"); st != 0 {
		t.Fatalf("compile: %d %s", st, stderr)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	p, err := bpf.Unmarshal(raw, binary.LittleEndian)
	if err != nil {
		t.Fatal(err)
	}
	return path, p
}

// jumpCount counts the edges a program's graph must have: two per
// conditional jump, one per ja, and one for each fall-through into a
// jump target.
func jumpCount(p bpf.Program) int {
	target := map[int]bool{}
	for pc, ins := range p {
		if bpf.Class(ins.Op) == bpf.JMP {
			if ins.Op == bpf.JMP|bpf.JA {
				target[pc+1+int(ins.K)] = true
			} else {
				target[pc+1+int(ins.Jt)], target[pc+1+int(ins.Jf)] = true, true
			}
		}
	}
	n := 0
	for pc, ins := range p {
		switch {
		case ins.Op == bpf.JMP|bpf.JA:
			n++
		case bpf.Class(ins.Op) == bpf.JMP:
			n += 2
		case bpf.Class(ins.Op) != bpf.RET && target[pc+1]:
			n++
		}
	}
	return n
}

func TestGraphFormats(t *testing.T) {
	bpfPath, p := compiledDocker(t)
	wantEdges := jumpCount(p)

	out, stderr, st := cli(t, "", "graph", "--arch", "x86_64", "--kernel", "6.8", "docker-default")
	if st != 0 {
		t.Fatalf("graph: %d %s", st, stderr)
	}
	svgNodes, svgEdges, title := svgCounts(t, out)
	if svgEdges != wantEdges {
		t.Errorf("SVG has %d edges, the program %d jumps and fall-throughs", svgEdges, wantEdges)
	}
	if want := fmt.Sprintf("docker-default for x86_64: %d BPF instructions in %d nodes", len(p), svgNodes); title != want {
		t.Errorf("title %q", title)
	}

	out, _, st = cli(t, "", "graph", "--format", "dot", "--arch", "x86_64", "--kernel", "6.8", "docker-default")
	if st != 0 {
		t.Fatalf("graph --format dot: %d", st)
	}
	dotNodes, dotEdges := dotCounts(t, out)
	if dotNodes != svgNodes || dotEdges != svgEdges {
		t.Errorf("DOT has %d nodes and %d edges, SVG %d and %d", dotNodes, dotEdges, svgNodes, svgEdges)
	}

	// The compiled filter, read raw, draws the same graph.
	raw, _, st := cli(t, "", "graph", "--format", "dot", bpfPath)
	if st != 0 {
		t.Fatalf("graph FILE.bpf: %d", st)
	}
	body := func(s string) string { _, b, _ := strings.Cut(s, "\n\tnode ["); return b }
	if body(raw) != body(out) {
		t.Errorf("the raw filter draws differently from its profile")
	}
	if !strings.Contains(raw, `label="`+bpfPath+`: `) {
		t.Errorf("raw filter's title does not name the file:\n%.200s", raw)
	}
	fromStdin, _, st := cli(t, string(mustRead(t, bpfPath)), "graph", "--format", "dot", "-")
	if st != 0 || body(fromStdin) != body(raw) {
		t.Errorf("graph - (standard input): status %d, same graph %v", st, body(fromStdin) == body(raw))
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestGraphOutputFile(t *testing.T) {
	bpfPath, _ := compiledDocker(t)
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		file string
		dot  bool
	}{
		{nil, "g.svg", false},
		{nil, "g.dot", true},
		{nil, "g.GV", true},
		{nil, "g", false},
		{[]string{"--format", "svg"}, "forced.dot", false},
		{[]string{"--format=dot"}, "forced.svg", true},
	} {
		path := filepath.Join(dir, tc.file)
		args := append([]string{"graph", "-o", path}, tc.args...)
		out, stderr, st := cli(t, "", append(args, bpfPath)...)
		if st != 0 || out != "" {
			t.Fatalf("%q: status %d, stdout %q, stderr %s", args, st, out, stderr)
		}
		data := string(mustRead(t, path))
		if tc.dot {
			if n, e := dotCounts(t, data); n == 0 || e == 0 {
				t.Errorf("%s: DOT with %d nodes and %d edges", tc.file, n, e)
			}
		} else if n, e, _ := svgCounts(t, data); n == 0 || e == 0 {
			t.Errorf("%s: SVG with %d nodes and %d edges", tc.file, n, e)
		}
	}
}

func TestGraphMultiArch(t *testing.T) {
	out, stderr, st := cli(t, "", "graph", "--format", "dot", "--arch", "x86_64,x86,x32", "--kernel", "6.8", "docker-default")
	if st != 0 {
		t.Fatalf("status %d: %s", st, stderr)
	}
	for _, want := range []string{"arch == x86_64", "arch == x86", "for x86_64,x86,x32"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
}

func TestGraphErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	var outOfRange bytes.Buffer
	for _, ins := range []bpf.Instruction{bpf.Jump(bpf.JMP|bpf.JEQ|bpf.K, 0, 0, 9), bpf.Stmt(bpf.RET|bpf.K, bpf.RetAllow)} {
		b := make([]byte, 8)
		binary.LittleEndian.PutUint16(b, ins.Op)
		b[2], b[3] = ins.Jt, ins.Jf
		binary.LittleEndian.PutUint32(b[4:], ins.K)
		outOfRange.Write(b)
	}
	for _, tc := range []struct {
		args   []string
		status int
		want   string
	}{
		{[]string{"graph"}, exitUsage, "no profile or filter given"},
		{[]string{"graph", "a", "b"}, exitUsage, "give one profile or filter"},
		{[]string{"graph", "--format", "png", "docker-default"}, exitUsage, `unknown --format "png": want svg or dot`},
		{[]string{"graph", "--arch", "vax", "docker-default"}, exitUsage, "--arch: unknown architecture"},
		{[]string{"graph", "--caps", "CAP_NOPE", "docker-default"}, exitUsage, "unknown capability"},
		{[]string{"graph", filepath.Join(dir, "missing.bpf")}, exitFail, "no such file"},
		{[]string{"graph", write("bad.json", []byte(`{"defaultAction": "SCMP_ACT_NOPE"}`))}, exitFail, "defaultAction"},
		{[]string{"graph", write("short.bpf", []byte("1234567"))}, exitFail, "not a whole number of 8-byte instructions"},
		{[]string{"graph", write("empty.bpf", nil)}, exitFail, "empty"},
		{[]string{"graph", "--arch", "x86_64", write("range.bpf", outOfRange.Bytes())}, exitFail, "instruction 0 jumps to 10, past the last instruction"},
	} {
		out, stderr, st := cli(t, "", tc.args...)
		if st != tc.status || !strings.Contains(stderr, tc.want) {
			t.Errorf("%q: status %d, stderr %q; want status %d and %q", tc.args, st, stderr, tc.status, tc.want)
		}
		if out != "" {
			t.Errorf("%q wrote %q to standard output", tc.args, out)
		}
	}
}

func TestGraphHelp(t *testing.T) {
	out, _, st := cli(t, "", "graph", "--help")
	if st != 0 || !strings.Contains(out, "Usage: scmp graph [--arch A,...]") || !strings.Contains(out, "--format format") {
		t.Errorf("help: status %d\n%s", st, out)
	}
	out, _, _ = cli(t, "", "--help")
	if !strings.Contains(out, "graph     draw a filter's decision tree") {
		t.Errorf("the command list lacks graph:\n%s", out)
	}
}

// TestGraphBigEndianRaw checks that a big-endian raw filter is read in
// its detected byte order and draws as its profile does.
func TestGraphBigEndianRaw(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s390x.bpf")
	if _, stderr, st := cli(t, "", "compile", "--arch", "s390x", "--kernel", "6.8", "-o", path, "docker-default"); st != 0 {
		t.Fatalf("compile: %d %s", st, stderr)
	}
	fromProfile, _, st1 := cli(t, "", "graph", "--format", "dot", "--arch", "s390x", "--kernel", "6.8", "docker-default")
	fromRaw, stderr, st2 := cli(t, "", "graph", "--format", "dot", path)
	if st1 != 0 || st2 != 0 {
		t.Fatalf("status %d, %d: %s", st1, st2, stderr)
	}
	body := func(s string) string { _, b, _ := strings.Cut(s, "\n\tnode ["); return b }
	if body(fromRaw) != body(fromProfile) {
		t.Errorf("the raw s390x filter draws differently from its profile")
	}
	for _, want := range []string{"arch == s390x", "args[0].lo", "socketcall", "(socket)"} {
		if !strings.Contains(fromRaw, want) {
			t.Errorf("the s390x graph lacks %q", want)
		}
	}
}
