package graph

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/seccomp-go/seccomp/bpf"
)

// WriteDOT writes the graph in Graphviz's DOT language, titled title:
// one box per node, with its instructions as left-aligned lines, one
// arrow per edge, and the returns on the bottom rank.
func (g *Graph) WriteDOT(w io.Writer, title string) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, "digraph seccomp {")
	fmt.Fprintf(bw, "\tgraph [label=%s, labelloc=t, fontname=\"DejaVu Sans\", nodesep=0.25, ranksep=0.35];\n", dotQuote(title))
	fmt.Fprintln(bw, "\tnode [shape=box, style=\"rounded,filled\", fontname=\"DejaVu Sans Mono\", fontsize=10];")
	fmt.Fprintln(bw, "\tedge [fontname=\"DejaVu Sans\", fontsize=9];")
	var returns []string
	for _, n := range g.Nodes {
		var label strings.Builder
		if n.Title != "" {
			label.WriteString(dotEscape(n.Title) + `\n`)
		}
		for _, l := range n.Lines {
			label.WriteString(dotEscape(l) + `\l`)
		}
		st := styleOf(n)
		fmt.Fprintf(bw, "\tn%d [label=\"%s\", fillcolor=%q, color=%q];\n", n.ID, label.String(), st.fill, st.stroke)
		if n.Kind == Return {
			returns = append(returns, fmt.Sprintf("n%d", n.ID))
		}
	}
	for _, e := range g.Edges {
		attrs := []string{fmt.Sprintf("color=%q", edgeColor(g, e))}
		if l := e.Label(); len(l) > 0 {
			attrs = append(attrs, "label="+dotQuote(strings.Join(l, "\n")))
		}
		if e.Kind == NotTaken {
			attrs = append(attrs, "style=dashed")
		}
		fmt.Fprintf(bw, "\tn%d -> n%d [%s];\n", e.From, e.To, strings.Join(attrs, ", "))
	}
	if len(returns) > 0 {
		fmt.Fprintf(bw, "\t{ rank=sink; %s; }\n", strings.Join(returns, "; "))
	}
	fmt.Fprintln(bw, "}")
	return bw.Flush()
}

// dotEscape escapes s for a DOT string, writing newlines as centred
// line breaks.
func dotEscape(s string) string {
	if !strings.ContainsAny(s, "\\\"\n") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\', '"':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\n':
			b.WriteString(`\n`)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// dotQuote returns s as a quoted DOT string.
func dotQuote(s string) string { return `"` + dotEscape(s) + `"` }

// style is how a node is coloured.
type style struct{ fill, stroke string }

// styleOf colours nodes by kind, and returns by how they decide.
func styleOf(n *Node) style {
	switch n.Kind {
	case ArchCheck:
		return style{"#e3ecf7", "#4a6f9c"}
	case SyscallCheck:
		return style{"#f4f4f4", "#777777"}
	case ArgCheck:
		return style{"#fbefd5", "#b07d1f"}
	case Return:
		if !n.ActionKnown {
			return style{"#eeeeee", "#555555"}
		}
		return actionStyle(n.Action)
	}
	return style{"#ffffff", "#777777"}
}

// actionStyle colours a return value: green lets the call run, amber
// fails or hands it on, red kills.
func actionStyle(ret uint32) style {
	switch ret & bpf.RetActionFull {
	case bpf.RetAllow, bpf.RetLog:
		return style{"#d9f2d9", "#2e7d32"}
	case bpf.RetKillProcess, bpf.RetKillThread:
		return style{"#f8d7da", "#b71c1c"}
	}
	return style{"#fff1c9", "#b07d1f"}
}

// edgeColor draws edges into returns in the return's colour.
func edgeColor(g *Graph, e Edge) string {
	if to := g.Nodes[e.To]; to.Kind == Return {
		return styleOf(to).stroke
	}
	return "#555555"
}
