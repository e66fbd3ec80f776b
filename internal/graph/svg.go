package graph

import (
	"bufio"
	"fmt"
	"html"
	"io"
	"strconv"
	"strings"
)

// titleH is the height of the title and legend above the graph.
const titleH = 52

// WriteSVG lays the graph out and writes it as an SVG document titled
// title. Each node is a group of class "node" with the instructions it
// stands for in data-pcs and, for number and argument blocks, the
// syscalls that reach it in a title (a browser shows it on hovering);
// each edge a group of class "edge" with its
// ends in data-from and data-to and its instruction in data-pc.
func (g *Graph) WriteSVG(w io.Writer, title string) error {
	ly, err := newLayout(g, margin+titleH)
	if err != nil {
		return err
	}
	width := max(ly.width, textWidth(title, 8.5)+2*margin, 620)
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, `<?xml version="1.0" encoding="UTF-8"?>`)
	fmt.Fprintf(bw, `<svg xmlns="http://www.w3.org/2000/svg" width="%s" height="%s" viewBox="0 0 %s %s" font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" font-size="%d">`+"\n",
		num(width), num(ly.height), num(width), num(ly.height), nodeFont)
	fmt.Fprintln(bw, `<defs>`)
	for _, c := range arrowColors(g) {
		fmt.Fprintf(bw, `<marker id="arrow-%s" viewBox="0 0 8 8" refX="8" refY="4" markerWidth="7" markerHeight="7" orient="auto"><path d="M0 0L8 4L0 8z" fill="#%s"/></marker>`+"\n", c, c)
	}
	fmt.Fprintln(bw, `</defs>`)
	fmt.Fprintln(bw, `<rect width="100%" height="100%" fill="#fff"/>`)
	fmt.Fprintf(bw, `<text x="%d" y="%d" font-family="DejaVu Sans, sans-serif" font-size="15" font-weight="bold">%s</text>`+"\n", margin, margin+14, esc(title))
	legend(bw, margin, margin+38)

	for ei, e := range g.Edges {
		pts := ly.paths[ei]
		col := strings.TrimPrefix(edgeColor(g, e), "#")
		var d strings.Builder
		for i, p := range pts {
			if i == 0 {
				d.WriteString("M")
			} else {
				d.WriteString("L")
			}
			d.WriteString(num(p.x) + " " + num(p.y))
		}
		dash := ""
		if e.Kind == NotTaken {
			dash = ` stroke-dasharray="5,3"`
		}
		fmt.Fprintf(bw, `<g class="edge" data-from="n%d" data-to="n%d" data-pc="%d"><path d="%s" fill="none" stroke="#%s" stroke-width="1.2"%s marker-end="url(#arrow-%s)"/>`,
			e.From, e.To, e.PC, d.String(), col, dash, col)
		if c := ly.chains[ei]; len(c) > 0 && len(ly.nodes[c[0]].label) > 0 {
			dn := ly.nodes[c[0]]
			x := ly.anchorX(c[0]) + 4
			for i, l := range dn.label {
				fill := "#333"
				if i > 0 {
					fill = "#1b4f8a"
				}
				fmt.Fprintf(bw, `<text class="label" x="%s" y="%s" font-size="%d" fill="%s">%s</text>`, num(x), num(dn.y+float64(i+1)*labelLineH-2), labelFont, fill, esc(l))
			}
		}
		fmt.Fprintln(bw, `</g>`)
	}

	for id, n := range g.Nodes {
		ln := ly.nodes[id]
		st := styleOf(n)
		x, y := ln.x-ln.w/2, ln.y
		pcs := make([]string, len(n.PCs))
		for i, pc := range n.PCs {
			pcs[i] = strconv.Itoa(pc)
		}
		fmt.Fprintf(bw, `<g class="node" id="n%d" data-pcs="%s">`, id, strings.Join(pcs, ","))
		if n.Syscalls != "" {
			fmt.Fprintf(bw, `<title>reached for %s</title>`, esc(n.Syscalls))
		}
		dash := ""
		if !n.Reachable {
			dash = ` stroke-dasharray="3,3"`
		}
		fmt.Fprintf(bw, `<rect x="%s" y="%s" width="%s" height="%s" rx="4" fill="%s" stroke="%s"%s/>`,
			num(x), num(y), num(ln.w), num(ln.h), st.fill, st.stroke, dash)
		ty := y + nodePadY + nodeLineH - 3
		if n.Title != "" {
			fmt.Fprintf(bw, `<text x="%s" y="%s" font-weight="bold">%s</text>`, num(x+nodePadX), num(ty), esc(n.Title))
			ty += nodeLineH
		}
		for _, l := range n.Lines {
			fmt.Fprintf(bw, `<text x="%s" y="%s" xml:space="preserve">%s</text>`, num(x+nodePadX), num(ty), esc(l))
			ty += nodeLineH
		}
		fmt.Fprintln(bw, `</g>`)
	}
	fmt.Fprintln(bw, `</svg>`)
	return bw.Flush()
}

// legend draws the meaning of the colours in one line at (x, y).
func legend(w io.Writer, x, y int) {
	items := []struct {
		st   style
		text string
	}{
		{styleOf(&Node{Kind: ArchCheck}), "architecture"},
		{styleOf(&Node{Kind: SyscallCheck}), "syscall number"},
		{styleOf(&Node{Kind: ArgCheck}), "arguments"},
		{actionStyle(0x7fff0000), "allow, log"},
		{actionStyle(0x00050000), "errno, trap, trace, notify"},
		{actionStyle(0), "kill"},
	}
	fmt.Fprintf(w, `<g font-family="DejaVu Sans, sans-serif" font-size="%d">`, labelFont)
	for _, it := range items {
		fmt.Fprintf(w, `<rect x="%d" y="%d" width="12" height="12" rx="2" fill="%s" stroke="%s"/>`, x, y-10, it.st.fill, it.st.stroke)
		fmt.Fprintf(w, `<text x="%d" y="%d">%s</text>`, x+16, y, esc(it.text))
		x += 16 + int(textWidth(it.text, 6.6)) + 18
	}
	fmt.Fprintf(w, `<text x="%d" y="%d" fill="#555">dashed: condition false</text>`, x, y)
	fmt.Fprintln(w, `</g>`)
}

// arrowColors lists the edge colours, without "#", for their markers.
func arrowColors(g *Graph) []string {
	var cs []string
	seen := map[string]bool{}
	for _, e := range g.Edges {
		c := strings.TrimPrefix(edgeColor(g, e), "#")
		if !seen[c] {
			seen[c] = true
			cs = append(cs, c)
		}
	}
	return cs
}

// num writes a coordinate with at most one decimal.
func num(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

// esc escapes text for SVG.
func esc(s string) string { return html.EscapeString(s) }
