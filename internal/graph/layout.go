package graph

import (
	"fmt"
	"math"
	"sort"
	"unicode/utf8"
)

// Geometry of the drawing, in pixels. Widths of text are estimated from
// the advance of DejaVu Sans Mono (0.602 em) with some room to spare,
// since the drawing uses a monospaced font.
const (
	nodeFont   = 11
	nodeCharW  = 6.7
	nodeLineH  = 14
	nodePadX   = 5
	nodePadY   = 4
	labelFont  = 10
	labelCharW = 6.1
	labelLineH = 12
	rankGap    = 12 // vertical space between layers, where edges change course
	nodeGap    = 12 // horizontal space between two nodes
	lineGap    = 5  // horizontal space next to an edge passing through a layer
	margin     = 16
	portMinGap = 6  // horizontal space between two edge ends on a node
	returnGap  = 70 // vertical space above the returns
)

// maxLayoutNodes bounds the nodes and edge bends the layout handles, and
// so its time (well under a second at the bound) and memory; a program
// of thousands of instructions whose jumps span the whole program would
// need tens of millions.
const maxLayoutNodes = 100000

// lnode is a node of the layered graph: a node of the graph, or a bend
// of an edge where it crosses a layer (a dummy), which may carry the
// edge's label.
type lnode struct {
	node  int // index in Graph.Nodes, or -1 for a dummy
	edge  int // for a dummy, the index of its edge in Graph.Edges
	label []string
	layer int
	w, h  float64
	// anchor is where an edge passes a dummy, relative to its centre
	// (the label is drawn right of it); 0 for nodes.
	anchor float64
	x, y   float64 // centre x, top y
	pos    int     // index in its layer
	preds  []int
	succs  []int
}

// layout is a drawing of a graph.
type layout struct {
	nodes  []lnode
	layers [][]int
	layerY []float64
	layerH []float64
	// paths are the points of each edge, in Graph.Edges order.
	paths [][]point
	// chains are the dummies of each edge, in order.
	chains        [][]int
	width, height float64
}

type point struct{ x, y float64 }

// textWidth is the estimated width of s drawn with characters charW wide.
func textWidth(s string, charW float64) float64 {
	return float64(utf8.RuneCountInString(s)) * charW
}

// nodeSize returns the size of the box of n.
func nodeSize(n *Node) (w, h float64) {
	lines := len(n.Lines)
	wide := 0.0
	if n.Title != "" {
		lines++
		wide = textWidth(n.Title, nodeCharW)
	}
	for _, l := range n.Lines {
		wide = max(wide, textWidth(l, nodeCharW))
	}
	return wide + 2*nodePadX, float64(lines)*nodeLineH + 2*nodePadY
}

// newLayout lays out g top-down in layers: a node's layer is twice the
// longest path to it from the first block, returns share the bottom
// layer, and every edge crosses the odd layers between its ends as a
// chain of dummies, the first of which holds its label. The order
// within layers comes from barycentre sweeps that keep the order with
// the fewest crossings; x positions come from alternating passes that
// move each node as close to the mean of its neighbours as the order
// and spacing allow.
func newLayout(g *Graph, topY float64) (*layout, error) {
	n := len(g.Nodes)
	rank := make([]int, n)
	// Edges go from lower to higher instructions, and nodes are sorted
	// by first instruction, so index order is a topological order,
	// except for merged returns, which have no successors.
	out := make([][]int, n)
	for i, e := range g.Edges {
		out[e.From] = append(out[e.From], i)
	}
	for id := range g.Nodes {
		for _, ei := range out[id] {
			e := g.Edges[ei]
			if e.To <= id && g.Nodes[e.To].Kind != Return {
				return nil, fmt.Errorf("edge from node %d back to node %d", id, e.To)
			}
		}
	}
	// Longest paths, in an order where every edge goes forward: the
	// non-return nodes by index, then the returns.
	var topo []int
	for id, nd := range g.Nodes {
		if nd.Kind != Return {
			topo = append(topo, id)
		}
	}
	for id, nd := range g.Nodes {
		if nd.Kind == Return {
			topo = append(topo, id)
		}
	}
	for _, id := range topo {
		for _, ei := range out[id] {
			to := g.Edges[ei].To
			rank[to] = max(rank[to], rank[id]+1)
		}
	}
	bottom := 0
	for id, nd := range g.Nodes {
		if nd.Kind != Return {
			bottom = max(bottom, rank[id]+1)
		}
	}
	for id, nd := range g.Nodes {
		if nd.Kind == Return && len(out[id]) == 0 {
			rank[id] = bottom
		}
	}

	ly := &layout{}
	total := n
	for _, e := range g.Edges {
		total += 2*(rank[e.To]-rank[e.From]) - 1
		if total > maxLayoutNodes {
			return nil, fmt.Errorf("the graph is too large to lay out (more than %d nodes and edge bends); write it as DOT and lay it out with Graphviz", maxLayoutNodes)
		}
	}
	for id, nd := range g.Nodes {
		w, h := nodeSize(nd)
		// Room for the ends of all edges that meet at the node.
		w = max(w, float64(len(out[id])+1)*portMinGap)
		ly.nodes = append(ly.nodes, lnode{node: id, edge: -1, layer: 2 * rank[id], w: w, h: h})
	}
	ins := make([]int, n)
	for _, e := range g.Edges {
		ins[e.To]++
	}
	for id := range g.Nodes {
		ly.nodes[id].w = max(ly.nodes[id].w, float64(ins[id]+1)*portMinGap)
	}
	ly.chains = make([][]int, len(g.Edges))
	for ei, e := range g.Edges {
		prev := e.From
		label := e.Label()
		for l := 2*rank[e.From] + 1; l < 2*rank[e.To]; l++ {
			d := lnode{node: -1, edge: ei, layer: l, w: 1}
			if l == 2*rank[e.From]+1 && len(label) > 0 {
				d.label = label
				wide := 0.0
				for _, s := range label {
					wide = max(wide, textWidth(s, labelCharW))
				}
				d.w = wide + 6
				d.h = float64(len(label))*labelLineH + 2
				d.anchor = -d.w / 2
			}
			id := len(ly.nodes)
			ly.nodes = append(ly.nodes, d)
			ly.chains[ei] = append(ly.chains[ei], id)
			ly.nodes[prev].succs = append(ly.nodes[prev].succs, id)
			ly.nodes[id].preds = append(ly.nodes[id].preds, prev)
			prev = id
		}
		ly.nodes[prev].succs = append(ly.nodes[prev].succs, e.To)
		ly.nodes[e.To].preds = append(ly.nodes[e.To].preds, prev)
	}
	layers := 2*bottom + 1
	ly.layers = make([][]int, layers)

	// Initial order: depth first from the first block, the "no" way
	// (smaller syscall numbers) left of the "yes" way.
	seen := make([]bool, len(ly.nodes))
	var visit func(v int)
	visit = func(v int) {
		if seen[v] {
			return
		}
		seen[v] = true
		ly.layers[ly.nodes[v].layer] = append(ly.layers[ly.nodes[v].layer], v)
		succs := append([]int(nil), ly.nodes[v].succs...)
		// Succs of a node are in edge order: taken, then not taken.
		for i := len(succs) - 1; i >= 0; i-- {
			visit(succs[i])
		}
	}
	for v := range ly.nodes {
		if ly.nodes[v].node >= 0 && len(ly.nodes[v].preds) == 0 {
			visit(v)
		}
	}
	for v := range ly.nodes {
		visit(v)
	}
	ly.order()
	ly.place(topY)
	ly.route(g)
	return ly, nil
}

// order reduces crossings with barycentre sweeps down and up, keeping
// the best order seen.
func (ly *layout) order() {
	ly.numberPositions()
	best := ly.crossings()
	saved := ly.saveOrder()
	for iter := 0; iter < 8 && best > 0; iter++ {
		if iter%2 == 0 {
			for l := 1; l < len(ly.layers); l++ {
				ly.sortLayer(l, true)
			}
		} else {
			for l := len(ly.layers) - 2; l >= 0; l-- {
				ly.sortLayer(l, false)
			}
		}
		if c := ly.crossings(); c < best {
			best, saved = c, ly.saveOrder()
		}
	}
	ly.layers = saved
	ly.numberPositions()
	ly.transpose()
}

// transpose swaps neighbours in a layer while that removes crossings
// with the layers above and below, a few rounds at most.
func (ly *layout) transpose() {
	for round := 0; round < 6; round++ {
		improved := false
		for _, layer := range ly.layers {
			for i := 0; i+1 < len(layer); i++ {
				u, v := layer[i], layer[i+1]
				if ly.pairCrossings(v, u) < ly.pairCrossings(u, v) {
					layer[i], layer[i+1] = v, u
					ly.nodes[u].pos, ly.nodes[v].pos = i+1, i
					improved = true
				}
			}
		}
		if !improved {
			return
		}
	}
}

// pairCrossings counts the crossings between the edges of u and of v,
// with u left of v, to the layers above and below.
func (ly *layout) pairCrossings(u, v int) int {
	count := func(a, b []int) int {
		c := 0
		for _, x := range a {
			for _, y := range b {
				if ly.nodes[x].pos > ly.nodes[y].pos {
					c++
				}
			}
		}
		return c
	}
	return count(ly.nodes[u].preds, ly.nodes[v].preds) + count(ly.nodes[u].succs, ly.nodes[v].succs)
}

func (ly *layout) saveOrder() [][]int {
	s := make([][]int, len(ly.layers))
	for i, l := range ly.layers {
		s[i] = append([]int(nil), l...)
	}
	return s
}

func (ly *layout) numberPositions() {
	for _, l := range ly.layers {
		for i, v := range l {
			ly.nodes[v].pos = i
		}
	}
}

// sortLayer orders layer l by the mean position of each node's
// neighbours in the layer above (down) or below.
func (ly *layout) sortLayer(l int, down bool) {
	layer := ly.layers[l]
	key := make(map[int]float64, len(layer))
	for _, v := range layer {
		nb := ly.nodes[v].succs
		if down {
			nb = ly.nodes[v].preds
		}
		if len(nb) == 0 {
			key[v] = float64(ly.nodes[v].pos)
			continue
		}
		sum := 0.0
		for _, u := range nb {
			sum += float64(ly.nodes[u].pos)
		}
		key[v] = sum / float64(len(nb))
	}
	sort.SliceStable(layer, func(i, j int) bool { return key[layer[i]] < key[layer[j]] })
	for i, v := range layer {
		ly.nodes[v].pos = i
	}
}

// crossings counts the pairs of edges that cross between adjacent
// layers, as inversions of the lower ends when the edges are sorted by
// their upper ends.
func (ly *layout) crossings() int {
	total := 0
	for l := 0; l+1 < len(ly.layers); l++ {
		type pair struct{ a, b int }
		var ps []pair
		for _, v := range ly.layers[l] {
			for _, s := range ly.nodes[v].succs {
				ps = append(ps, pair{ly.nodes[v].pos, ly.nodes[s].pos})
			}
		}
		sort.Slice(ps, func(i, j int) bool {
			if ps[i].a != ps[j].a {
				return ps[i].a < ps[j].a
			}
			return ps[i].b < ps[j].b
		})
		// Count inversions of b with a Fenwick tree.
		tree := make([]int, len(ly.layers[l+1])+1)
		seen := 0
		for _, p := range ps {
			le := 0
			for i := p.b + 1; i > 0; i -= i & -i {
				le += tree[i]
			}
			total += seen - le
			for i := p.b + 1; i < len(tree); i += i & -i {
				tree[i]++
			}
			seen++
		}
	}
	return total
}

// gap is the space between neighbours a and b of a layer.
func (ly *layout) gap(a, b int) float64 {
	if ly.nodes[a].node >= 0 && ly.nodes[b].node >= 0 {
		return nodeGap
	}
	return lineGap
}

// place assigns coordinates: y by layer, x by alternating passes that
// pull each node towards its neighbours in the layer above, then below.
func (ly *layout) place(topY float64) {
	// Start packed from the left.
	for _, layer := range ly.layers {
		x := 0.0
		for i, v := range layer {
			if i > 0 {
				x += ly.gap(layer[i-1], v)
			}
			ly.nodes[v].x = x + ly.nodes[v].w/2
			x += ly.nodes[v].w
		}
	}
	for pass := 0; pass < 8; pass++ {
		down := pass%2 == 0
		if down {
			for l := 1; l < len(ly.layers); l++ {
				ly.placeLayer(l, true)
			}
		} else {
			for l := len(ly.layers) - 2; l >= 0; l-- {
				ly.placeLayer(l, false)
			}
		}
	}
	// A last pass down keeps edge chains straight below their source.
	for l := 1; l < len(ly.layers); l++ {
		ly.placeLayer(l, true)
	}
	left := math.Inf(1)
	right := math.Inf(-1)
	for _, nd := range ly.nodes {
		left = min(left, nd.x-nd.w/2)
		right = max(right, nd.x+nd.w/2)
	}
	for i := range ly.nodes {
		ly.nodes[i].x += margin - left
	}
	ly.width = right - left + 2*margin

	y := topY
	ly.layerY = make([]float64, len(ly.layers))
	ly.layerH = make([]float64, len(ly.layers))
	for l, layer := range ly.layers {
		h := 0.0
		for _, v := range layer {
			h = max(h, ly.nodes[v].h)
		}
		if l == len(ly.layers)-1 && l > 0 {
			// Edges converge on the returns: give them room to.
			y += returnGap - rankGap
		}
		ly.layerY[l], ly.layerH[l] = y, h
		for _, v := range layer {
			ly.nodes[v].y = y
		}
		y += h + rankGap
	}
	ly.height = y - rankGap + margin
}

// placeLayer moves the nodes of layer l as near the mean anchor of
// their neighbours above (down) or below as the order allows: the
// weighted least-squares placement under the spacing constraints, found
// by pooling adjacent violators. Dummies weigh more, so that edges run
// straight.
func (ly *layout) placeLayer(l int, down bool) {
	layer := ly.layers[l]
	n := len(layer)
	if n == 0 {
		return
	}
	target := make([]float64, n)
	weight := make([]float64, n)
	off := make([]float64, n)
	for i, v := range layer {
		nd := &ly.nodes[v]
		nb := nd.succs
		if down {
			nb = nd.preds
		}
		if i > 0 {
			u := layer[i-1]
			off[i] = off[i-1] + ly.nodes[u].w/2 + ly.gap(u, v) + nd.w/2
		}
		want := nd.x
		if len(nb) > 0 {
			sum := 0.0
			for _, u := range nb {
				sum += ly.nodes[u].x + ly.nodes[u].anchor
			}
			want = sum/float64(len(nb)) - nd.anchor
		}
		target[i] = want - off[i]
		weight[i] = 1
		if nd.node < 0 {
			weight[i] = 4
		}
	}
	// Pool adjacent violators: blocks of consecutive nodes that share
	// one offset value, whose means must not decrease.
	type block struct {
		start, end  int
		sumW, sumWT float64
	}
	var blocks []block
	for i := 0; i < n; i++ {
		blocks = append(blocks, block{i, i + 1, weight[i], weight[i] * target[i]})
		for len(blocks) > 1 {
			b, a := blocks[len(blocks)-1], blocks[len(blocks)-2]
			if a.sumWT/a.sumW <= b.sumWT/b.sumW {
				break
			}
			blocks = blocks[:len(blocks)-2]
			blocks = append(blocks, block{a.start, b.end, a.sumW + b.sumW, a.sumWT + b.sumWT})
		}
	}
	for _, b := range blocks {
		m := b.sumWT / b.sumW
		for i := b.start; i < b.end; i++ {
			ly.nodes[layer[i]].x = m + off[i]
		}
	}
}

// route computes the points of every edge: down from its source's
// bottom, through each dummy of its chain, to its target's top; the ends
// of the edges of a node are spread along its side in the order of the
// points they come from or go to.
func (ly *layout) route(g *Graph) {
	ly.paths = make([][]point, len(g.Edges))
	next := make([]float64, len(g.Edges)) // x of the point after the source
	prev := make([]float64, len(g.Edges)) // x of the point before the target
	for ei, e := range g.Edges {
		if c := ly.chains[ei]; len(c) > 0 {
			next[ei] = ly.anchorX(c[0])
			prev[ei] = ly.anchorX(c[len(c)-1])
		} else {
			next[ei], prev[ei] = ly.nodes[e.To].x, ly.nodes[e.From].x
		}
	}
	startX := make([]float64, len(g.Edges))
	endX := make([]float64, len(g.Edges))
	spread := func(id int, edges []int, key []float64, xs []float64) {
		sort.SliceStable(edges, func(i, j int) bool { return key[edges[i]] < key[edges[j]] })
		nd := &ly.nodes[id]
		for k, ei := range edges {
			xs[ei] = nd.x - nd.w/2 + nd.w*float64(k+1)/float64(len(edges)+1)
		}
	}
	outs := make([][]int, len(g.Nodes))
	ins := make([][]int, len(g.Nodes))
	for ei, e := range g.Edges {
		outs[e.From] = append(outs[e.From], ei)
		ins[e.To] = append(ins[e.To], ei)
	}
	for id := range g.Nodes {
		spread(id, outs[id], next, startX)
		spread(id, ins[id], prev, endX)
	}
	for ei, e := range g.Edges {
		src := &ly.nodes[e.From]
		l := src.layer
		pts := []point{{startX[ei], src.y + src.h}}
		if src.h < ly.layerH[l] {
			pts = append(pts, point{startX[ei], ly.layerY[l] + ly.layerH[l]})
		}
		for _, d := range ly.chains[ei] {
			dl := ly.nodes[d].layer
			x := ly.anchorX(d)
			pts = append(pts, point{x, ly.layerY[dl]}, point{x, ly.layerY[dl] + ly.layerH[dl]})
		}
		pts = append(pts, point{endX[ei], ly.nodes[e.To].y})
		ly.paths[ei] = pts
	}
}

// anchorX is the x where edges pass the layered node v.
func (ly *layout) anchorX(v int) float64 { return ly.nodes[v].x + ly.nodes[v].anchor }
