package compile

import (
	"slices"

	"github.com/seccomp-go/seccomp/bpf"
	"github.com/seccomp-go/seccomp/internal/db"
)

// The program is first built as a hash-consed directed acyclic graph of
// blocks. A block is either a return or one conditional jump preceded by
// at most a load and an AND of the accumulator. Blocks with the same
// instructions and the same successors are one block, so identical
// argument checks and returns are shared wherever they occur.

// id names a block; it indexes compiler.nodes.
type id int32

// block is one node of the graph. The zero value of every field means
// "absent", so that blocks can be compared and used as map keys.
type block struct {
	ret    bool   // a return of k; nothing else is set
	ld     uint32 // offset+1 of a word to load first; 0 for none
	hasAnd bool   // AND the accumulator with and before the jump
	and    uint32 // the mask
	op     uint16 // bpf.JEQ, bpf.JGT, bpf.JGE or bpf.JSET
	k      uint32 // the return value, or the jump's constant
	t, f   id     // successors when the comparison is true / false
}

// acc describes what the accumulator holds: the word at off masked with
// mask, or nothing known when off is negative.
type acc struct {
	off  int32
	mask uint32
}

var (
	unknownAcc = acc{off: -1}
	nrAcc      = acc{off: bpf.OffsetNr, mask: ^uint32(0)}
	archAcc    = acc{off: bpf.OffsetArch, mask: ^uint32(0)}
)

// word is a masked 32-bit word of struct seccomp_data.
type word struct {
	off  uint32
	mask uint32
}

func (w word) acc() acc { return acc{off: int32(w.off), mask: w.mask} }

// ret returns the block that returns k.
func (c *compiler) ret(k db.Action) id {
	if c.lastRet.id > 0 && c.lastRet.k == k {
		return c.lastRet.id - 1
	}
	if len(c.retIDs) > 32 {
		return c.intern(block{ret: true, k: uint32(k)})
	}
	for _, r := range c.retIDs {
		if r.k == k {
			c.lastRet = retID{k, r.id + 1}
			return r.id
		}
	}
	n := c.intern(block{ret: true, k: uint32(k)})
	c.retIDs = append(c.retIDs, retID{k, n})
	return n
}

// retID caches the block of a return; a filter has few distinct actions.
// In compiler.lastRet, the last one used, id is one more than the block.
type retID struct {
	k  db.Action
	id id
}

// intern returns the id of b, adding it to the graph if it is new. The
// blocks are indexed by an open-addressing hash table of ids.
func (c *compiler) intern(b block) id {
	if 2*len(c.nodes) >= len(c.table) {
		c.rehash()
	}
	mask := uint64(len(c.table) - 1)
	for i := b.hash() & mask; ; i = (i + 1) & mask {
		n := c.table[i]
		if n < 0 {
			n = id(len(c.nodes))
			c.nodes = append(c.nodes, b)
			c.table[i] = n
			return n
		}
		if c.nodes[n] == b {
			return n
		}
	}
}

// rehash doubles the hash table of blocks. The first table of a compiler
// taken from the pool is as large as the last one it had, up to
// reuseSlots, which saves the rehashes of the growing graph.
func (c *compiler) rehash() {
	size := max(64, 2*len(c.table))
	if len(c.table) == 0 {
		size = max(64, min(cap(c.table), reuseSlots))
	}
	if cap(c.table) >= size {
		c.table = c.table[:size]
	} else {
		c.table = make([]id, size)
	}
	for i := range c.table {
		c.table[i] = -1
	}
	mask := uint64(size - 1)
	for n, b := range c.nodes {
		i := b.hash() & mask
		for c.table[i] >= 0 {
			i = (i + 1) & mask
		}
		c.table[i] = id(n)
	}
}

// reuseSlots bounds the first hash table of a compiler, so that small
// programs compiled after a large one do not clear a large table.
const reuseSlots = 1024

// hash mixes the fields of b.
func (b *block) hash() uint64 {
	h := uint64(b.k)<<32 | uint64(b.ld)<<16 | uint64(b.op)
	if b.ret {
		h ^= 1 << 15
	}
	if b.hasAnd {
		h ^= 1<<14 | uint64(b.and)<<32
	}
	h ^= uint64(uint32(b.t))*0x9e3779b97f4a7c15 + uint64(uint32(b.f))*0xc2b2ae3d27d4eb4f
	h *= 0xff51afd7ed558ccd
	return h ^ h>>29
}

// needsAcc reports whether block n relies on the accumulator holding a
// particular value when it is entered.
func (c *compiler) needsAcc(n id) bool {
	b := &c.nodes[n]
	return !b.ret && b.ld == 0
}

// jump returns a block that compares word w, given that the accumulator
// holds st on entry, and continues at t or f. The successors must have
// been built for an accumulator holding w.
func (c *compiler) jump(w word, st acc, op uint16, k uint32, t, f id) id {
	b := block{op: op, k: k, t: t, f: f}
	switch {
	case st.off != int32(w.off) || st.mask&w.mask != w.mask:
		b.ld = w.off + 1
		if w.mask != ^uint32(0) {
			b.hasAnd, b.and = true, w.mask
		}
	case st.mask != w.mask:
		b.hasAnd, b.and = true, w.mask
	}
	if t == f {
		if (b.ld == 0 && !b.hasAnd) || !c.needsAcc(t) {
			return t
		}
		// t relies on the accumulator this block would set up: give
		// it the load and mask instead. An AND of t's own keeps fewer
		// bits than this block's mask, so it is enough.
		nb := c.nodes[t]
		nb.ld = b.ld
		if !nb.hasAnd {
			nb.hasAnd, nb.and = b.hasAnd, b.and
		}
		return c.intern(nb)
	}
	return c.intern(b)
}

// enter returns a block equivalent to n, which was built for an
// accumulator holding w, for an accumulator holding st.
func (c *compiler) enter(n id, w word, st acc) id {
	if st == w.acc() || !c.needsAcc(n) {
		return n
	}
	// Load w in front of n.
	return c.jump(w, unknownAcc, bpf.JEQ, 0, n, n)
}

// emit lays the graph out from root and encodes it. Blocks are placed in
// reverse post-order, so every jump goes forward, and encoded from the
// last to the first: when a block is encoded the positions of all its
// successors are known, and a successor farther than a conditional jump
// can reach gets a copy of its return, or an unconditional jump, placed
// right after the block.
func (c *compiler) emit(root id) bpf.Program {
	order := c.layout(root)

	// rev holds the program backwards: rev[0] is the last instruction.
	// entry[n] is the position in rev of the first instruction of block
	// n, or of the copy of return n closest to the front; tramp[n] is
	// that of the latest jump to block n.
	rev := c.rev[:0]
	entry := resize(c.entry, len(c.nodes))
	tramp := resize(c.tramp, len(c.nodes))
	c.entry, c.tramp = entry, tramp
	// The returns go at the end, in the order they are first reached.
	for i := len(c.rets) - 1; i >= 0; i-- {
		rev = append(rev, bpf.Stmt(bpf.RET|bpf.K, c.nodes[c.rets[i]].k))
		entry[c.rets[i]] = len(rev) - 1
	}

	// near returns the position of the closest copy of the entry of
	// block n.
	near := func(n id) int { return max(entry[n], tramp[n]) }
	// bounce places a copy of the return n, or a jump to block n, right
	// after what is already placed, and returns its position.
	bounce := func(n id) int {
		b := &c.nodes[n]
		if b.ret {
			rev = append(rev, bpf.Stmt(bpf.RET|bpf.K, b.k))
			entry[n] = len(rev) - 1
			return len(rev) - 1
		}
		q := near(n)
		rev = append(rev, bpf.Stmt(bpf.JMP|bpf.JA, uint32(len(rev)-q-1)))
		tramp[n] = len(rev) - 1
		return len(rev) - 1
	}

	for i := len(order) - 1; i >= 0; i-- {
		n := order[i]
		b := c.nodes[n]
		qt, qf := near(b.t), near(b.f)
		for {
			if len(rev)-qt-1 > 255 {
				qt = bounce(b.t)
				continue
			}
			if len(rev)-qf-1 > 255 {
				qf = bounce(b.f)
				continue
			}
			break
		}
		rev = append(rev, bpf.Jump(bpf.JMP|b.op|bpf.K, b.k, uint8(len(rev)-qt-1), uint8(len(rev)-qf-1)))
		if b.hasAnd {
			rev = append(rev, bpf.Stmt(bpf.ALU|bpf.AND|bpf.K, b.and))
		}
		if b.ld != 0 {
			rev = append(rev, bpf.Stmt(bpf.LD|bpf.W|bpf.ABS, b.ld-1))
		}
		entry[n] = len(rev) - 1
	}
	c.rev = rev

	prog := make(bpf.Program, len(rev))
	for i, ins := range rev {
		prog[len(rev)-1-i] = ins
	}
	return prog
}

// resize returns s with length n, all -1.
func resize(s []int, n int) []int {
	if cap(s) < n {
		s = make([]int, n)
	}
	s = s[:n]
	for i := range s {
		s[i] = -1
	}
	return s
}

// layout returns the jump blocks reachable from root in reverse
// post-order, and records the returns reachable from it in c.rets in the
// order they are first reached.
func (c *compiler) layout(root id) []id {
	seen := c.seen[:0]
	for len(seen) < len(c.nodes) {
		seen = append(seen, false)
	}
	c.seen = seen
	post := c.post[:0]
	c.rets = c.rets[:0]
	var visit func(n id)
	visit = func(n id) {
		if seen[n] {
			return
		}
		seen[n] = true
		b := &c.nodes[n]
		if b.ret {
			c.rets = append(c.rets, n)
			return
		}
		// The successor visited last is placed right after the block.
		if slices.Contains(c.trueFirst, n) {
			visit(b.f)
			visit(b.t)
		} else {
			visit(b.t)
			visit(b.f)
		}
		post = append(post, n)
	}
	visit(root)
	for i, j := 0, len(post)-1; i < j; i, j = i+1, j-1 {
		post[i], post[j] = post[j], post[i]
	}
	c.post = post
	return post
}
