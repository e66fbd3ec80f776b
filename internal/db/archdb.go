package db

import (
	"github.com/seccomp-go/seccomp/arch"
)

// archDB is the rule state of one architecture (libseccomp's db_filter).
//
// Syscall entries are in two tables indexed by number, each covering a
// window of tableSpan numbers: one for real syscall numbers (below
// 0x80000000), placed by the first one added, and one for libseccomp's
// negative pseudo-syscall numbers, placed by the first one added. The
// entries outside both windows are in a list sorted by number.
type archDB struct {
	arch   *arch.Arch
	low    window      // numbers below 0x80000000
	high   window      // numbers from 0x80000000 (negative as int32)
	sparse []*sysEntry // the others, sorted by num, compared as unsigned
	rules  []*rule     // every rule accepted, in order, for replay

	// native is the ABI whose numbering the rules are in: the database
	// is what adding rules, in order, to an empty database for arch
	// gives with that numbering.
	native *arch.Arch
	// lazy marks a snapshot database whose entries were not built: its
	// state is that of adding rules, which is known to succeed, and it
	// is built when it is needed (see materialize).
	lazy bool
	// src is the database a lazy one was copied from; its rules are the
	// first rules of src's.
	src *archDB

	alloc allocator

	// xtab caches the translation of syscall numbers of xnative to arch
	// (see resolve).
	xnative *arch.Arch
	xtab    *xlateTable
}

// tableSpan bounds the numbers the table of an archDB covers: every ABI's
// syscalls fit in a window of this size.
const tableSpan = 4096

// allocator hands out the syscall entries and tree nodes of a database.
type allocator struct {
	entries blocks[sysEntry]
	nodes   blocks[cnode]
	// st is the storage blocks come from first, nil for none.
	st *storage
}

// newAllocator returns an allocator drawing on st, which may be nil.
func newAllocator(st *storage) allocator {
	a := allocator{st: st}
	if st != nil {
		a.entries.pool, a.nodes.pool = &st.entryBlocks, &st.nodeBlocks
	}
	return a
}

// entry returns a zero sysEntry.
func (a *allocator) entry() *sysEntry { return a.entries.next() }

// node returns a zero cnode.
func (a *allocator) node() *cnode { return a.nodes.next() }

// blocks hands out elements from blocks, to spare the many small
// allocations of a long profile. A block is consumed by counting, not by
// reslicing, so that handing out an element writes no pointer (a pointer
// write costs a write barrier while the garbage collector marks).
type blocks[T any] struct {
	cur   []T
	used  int // elements of cur handed out
	total int // elements handed out
	// pool, when not nil, is the storage's list of released blocks,
	// drawn on first; own then lists every block, to go back there on
	// release.
	pool *[][]T
	own  [][]T
}

// next returns a zero element.
func (b *blocks[T]) next() *T {
	if b.used == len(b.cur) {
		b.start()
	}
	e := &b.cur[b.used]
	b.used++
	b.total++
	return e
}

// start begins a new block: the pool's last block, zeroed, if it has one
// (sparing the small first blocks), else a new block of the size after
// the last one's (see nextBlock).
func (b *blocks[T]) start() {
	var blk []T
	if b.pool != nil {
		if n := len(*b.pool) - 1; n >= 0 {
			blk = (*b.pool)[n]
			(*b.pool)[n] = nil
			*b.pool = (*b.pool)[:n]
			clear(blk)
		}
	}
	if blk == nil {
		blk = make([]T, nextBlock(len(b.cur)))
	}
	if b.pool != nil {
		b.own = append(b.own, blk)
	}
	b.cur, b.used = blk, 0
}

// release hands the blocks back to the pool, up to keepMax of them, and
// empties b.
func (b *blocks[T]) release() {
	if b.pool != nil {
		for _, blk := range b.own {
			if len(*b.pool) < keepMax {
				*b.pool = append(*b.pool, blk)
			}
		}
	}
	*b = blocks[T]{}
}

// nextBlock returns the size of the next block after one of size n:
// blocks double from 8 up to fullBlock elements, so that a small filter
// wastes little.
func nextBlock(n int) int {
	switch {
	case n == 0:
		return 8
	case n < fullBlock:
		return 2 * n
	}
	return n
}

// window is a table of the entries of tableSpan consecutive syscall
// numbers.
type window struct {
	base  uint32      // number of table[0]
	table []*sysEntry // entries base .. base+len(table)-1, nil if none
}

// slot returns the table slot of num, or nil when num is outside the
// table.
func (w *window) slot(num uint32) **sysEntry {
	if k := num - w.base; k < uint32(len(w.table)) {
		return &w.table[k]
	}
	return nil
}

// grow returns the table slot of num, placing a window without a table
// around num and growing the table to cover it, or nil when num is
// outside the window. New tables come from st when it has one.
func (w *window) grow(num uint32, st *storage) **sysEntry {
	if p := w.slot(num); p != nil {
		return p
	}
	if w.table == nil {
		w.base = num &^ (tableSpan/4 - 1)
	}
	if num < w.base || num-w.base >= tableSpan {
		return nil
	}
	k := int(num - w.base)
	// real syscall numbers are dense; pseudo numbers (high) are few
	first := 512
	if w.base >= 0x80000000 {
		first = 32
	}
	n := min(max(2*len(w.table), k+1, first), tableSpan)
	t := st.takeTable(n)
	if t == nil {
		t = make([]*sysEntry, n)
	}
	copy(t, w.table)
	st.putTable(w.table)
	w.table = t
	return &w.table[k]
}

// window returns the window num belongs to.
func (db *archDB) window(num uint32) *window {
	if num < 0x80000000 {
		return &db.low
	}
	return &db.high
}

// sparseFind returns the position of the first sparse entry whose number
// is not below num.
func (db *archDB) sparseFind(num uint32) int {
	lo, hi := 0, len(db.sparse)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if db.sparse[m].num < num {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// entry returns the entry of syscall num, or nil.
func (db *archDB) entry(num uint32) *sysEntry {
	if p := db.window(num).slot(num); p != nil {
		return *p
	}
	return db.sparseEntry(num)
}

// sparseEntry returns the entry of num in the sparse list, or nil. It is
// the only place an entry outside both tables can be.
func (db *archDB) sparseEntry(num uint32) *sysEntry {
	if i := db.sparseFind(num); i < len(db.sparse) && db.sparse[i].num == num {
		return db.sparse[i]
	}
	return nil
}

// insert adds the entry s, whose number has no entry yet.
func (db *archDB) insert(s *sysEntry) {
	if p := db.window(s.num).grow(s.num, db.alloc.st); p != nil {
		*p = s
		return
	}
	i := db.sparseFind(s.num)
	db.sparse = append(db.sparse, nil)
	copy(db.sparse[i+1:], db.sparse[i:])
	db.sparse[i] = s
}

// newEntry returns a new entry for num, which has none yet, in its place.
func (db *archDB) newEntry(num uint32) *sysEntry {
	e := db.alloc.entry()
	e.num = num
	db.insert(e)
	return e
}

// entryCount returns about the number of entries, which appendSorted
// appends: the number of entries made, which is as many or a few more.
func (db *archDB) entryCount() int { return db.alloc.entries.total }

// appendSorted appends the entries to dst in order of syscall number.
func (db *archDB) appendSorted(dst []*sysEntry) []*sysEntry {
	i := 0
	for _, w := range [2]*window{&db.low, &db.high} {
		if w.table == nil {
			continue
		}
		for ; i < len(db.sparse) && db.sparse[i].num < w.base; i++ {
			dst = append(dst, db.sparse[i])
		}
		for _, s := range w.table {
			if s != nil {
				dst = append(dst, s)
			}
		}
	}
	return append(dst, db.sparse[i:]...)
}

// lazyCopy returns a lazy database in the state of db, which must have
// been built in the numbering of native.
func (db *archDB) lazyCopy() *archDB {
	n := len(db.rules)
	// the capacity is clipped so that an append never writes into db's
	// array
	return &archDB{arch: db.arch, rules: db.rules[:n:n], native: db.native, lazy: true, src: db}
}

// prefixOf reports whether db's rules are the first rules of o: db is
// empty or a lazy copy of o, whose rules are only ever appended to.
func (db *archDB) prefixOf(o *archDB) bool {
	if len(db.rules) == 0 {
		return true
	}
	return db.lazy && db.src == o && len(db.rules) <= len(o.rules)
}

// materialize builds the entries of a lazy database by adding its rules
// again, as libseccomp builds its snapshots. A database is only made lazy
// when adding its rules is known to succeed: adding the same rules in the
// same order to an empty database for the same ABI, in the same
// numbering, always gives the same result.
func (db *archDB) materialize() {
	if !db.lazy {
		return
	}
	rules := db.rules
	db.rules, db.lazy, db.src = nil, false, nil
	for _, r := range rules {
		if err := db.filterRuleAdd(db.native, r, nil); err != nil {
			// unreachable: the rules were added with success
			// before; keep the ones that were added
			continue
		}
	}
}
