package db

import (
	"fmt"
	"strings"
)

// Filters returns the rule trees of every architecture, in the order the
// architectures were added, in the form the compiler takes. The result is
// a copy: later changes to the collection do not affect it. Entries that
// libseccomp leaves out of the program are left out: placeholders created
// by priorities alone, pseudo-syscall numbers, and syscall -1 unless the
// TSKIP attribute is set now.
func (c *Collection) Filters() []*Filter {
	out := make([]*Filter, 0, len(c.filters))
	for _, f := range c.filters {
		out = append(out, c.exportFilter(f))
	}
	return out
}

// RecycleFilters hands the memory of fs, which Filters returned and
// which nothing will use any more, to the next calls of Filters.
func (c *Collection) RecycleFilters(fs []*Filter) {
	for _, f := range fs {
		if f.block != nil {
			c.st.putSyscalls(f.block, f.Syscalls)
		}
		f.Syscalls, f.block = nil, nil
	}
}

func (c *Collection) exportFilter(f *archDB) *Filter {
	ef := &Filter{Arch: f.arch}
	// One walk over the tables collects the entries to export.
	var scratch []*sysEntry
	if c.st != nil {
		scratch = c.st.exportList
	}
	if n := f.entryCount(); cap(scratch) < n {
		scratch = make([]*sysEntry, 0, n)
	}
	list := f.appendSorted(scratch[:0])
	kept := list[:0]
	for _, s := range list {
		if c.exported(s) {
			kept = append(kept, s)
		}
	}
	if c.st != nil {
		c.st.exportList = list[:0]
	}
	n := len(kept)
	if n == 0 {
		return ef
	}
	// one block for the entries and their pointers
	block, ptrs := c.st.takeSyscalls(n)
	if block == nil {
		block, ptrs = make([]Syscall, n), make([]*Syscall, n)
	}
	ef.Syscalls, ef.block = ptrs, block
	var trees treeExport
	for i, s := range kept {
		es := &block[i]
		*es = Syscall{
			Num:      s.num,
			Priority: (s.priority & priMaskUser) >> 16,
			Action:   s.action,
		}
		if s.chains != nil {
			if trees.memo == nil {
				trees = newTreeExport(kept[i:])
			}
			es.Chains = trees.level(s.chains)
			es.Action = 0
		}
		ptrs[i] = es
	}
	return ef
}

// treeExport converts the argument trees of one architecture's entries,
// keeping shared levels shared.
type treeExport struct {
	memo map[*cnode]*Node // the levels converted so far, by first node
	free []Node           // room for more nodes
}

// newTreeExport returns a treeExport with room for the nodes of the
// trees of entries, as far as their counts tell.
func newTreeExport(entries []*sysEntry) treeExport {
	n := 0
	for _, s := range entries {
		if s.chains != nil {
			n += max(s.nodeCnt, 0)
		}
	}
	return treeExport{memo: map[*cnode]*Node{}, free: make([]Node, n)}
}

// nodes returns cnt zero nodes.
func (x *treeExport) nodes(cnt int) []Node {
	if len(x.free) < cnt {
		// the counts fell short
		return make([]Node, cnt)
	}
	block := x.free[:cnt:cnt]
	x.free = x.free[cnt:]
	return block
}

// exported reports whether the entry goes into the program.
func (c *Collection) exported(s *sysEntry) bool {
	if !s.valid {
		return false
	}
	return int32(s.num) >= 0 || (c.attr.tskip != 0 && s.num == 0xffffffff)
}

// level converts the level of n and everything below it, keeping shared
// levels shared, and returns the level's first node.
func (x *treeExport) level(n *cnode) *Node {
	if n == nil {
		return nil
	}
	for n.prv != nil {
		n = n.prv
	}
	if e, ok := x.memo[n]; ok {
		return e
	}
	cnt := 0
	for c := n; c != nil; c = c.nxt {
		cnt++
	}
	block := x.nodes(cnt)
	var first, prev *Node
	i := 0
	for c := n; c != nil; c = c.nxt {
		e := &block[i]
		i++
		*e = Node{
			Arg:         c.arg,
			High:        c.hi,
			Mask:        c.mask,
			Datum:       c.datum,
			OrigOp:      c.opOrig,
			DatumFull:   c.full,
			TrueAct:     c.actT,
			FalseAct:    c.actF,
			HasTrueAct:  c.hasT,
			HasFalseAct: c.hasF,
		}
		switch c.op {
		case cmpEQ:
			e.Op = OpEQ
		case cmpGT:
			e.Op = OpGT
		case cmpGE:
			e.Op = OpGE
		case cmpMaskedEQ:
			e.Op = OpMaskedEQ
		}
		if c.op != cmpMaskedEQ {
			e.Mask = 0xffffffff
		}
		if prev != nil {
			prev.Next = e
			e.Prev = prev
		} else {
			first = e
		}
		prev = e
	}
	x.memo[n] = first
	// the branches, once every node of the level is known
	i = 0
	for c := n; c != nil; c = c.nxt {
		e := &block[i]
		i++
		e.TrueNext = x.level(c.t)
		e.FalseNext = x.level(c.f)
	}
	return first
}

// fingerprint describes a syscall's tree, to tell whether a rule changed
// it.
func fingerprint(s *sysEntry) string {
	if s == nil {
		return "-"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%v %d|", s.valid, s.action)
	ids := map[*cnode]int{}
	var walk func(n *cnode)
	walk = func(n *cnode) {
		if n == nil {
			b.WriteString("nil;")
			return
		}
		for n.prv != nil {
			n = n.prv
		}
		if id, ok := ids[n]; ok {
			fmt.Fprintf(&b, "@%d;", id)
			return
		}
		ids[n] = len(ids)
		b.WriteString("[")
		for c := n; c != nil; c = c.nxt {
			fmt.Fprintf(&b, "%d%v%d/%x/%x/%v%d/%v%d(", c.arg, c.hi, c.op, c.mask, c.datum,
				c.hasT, c.actT, c.hasF, c.actF)
			walk(c.t)
			walk(c.f)
			b.WriteString(")")
		}
		b.WriteString("]")
	}
	walk(s.chains)
	return b.String()
}
