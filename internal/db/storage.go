package db

import "sync"

// storage is memory that a released collection hands back for the next
// collection to reuse: blocks of syscall entries, tree nodes and rules,
// entry tables and rule lists.
//
// A filter is built in a burst of small allocations (a few hundred rules,
// entries and list cells for a container profile) and dropped as soon as
// its program is out. C's allocator gives libseccomp the memory it has
// just freed; Go's heap gives each new filter cold memory and leaves the
// garbage collector to reclaim the last one. A process that builds many
// filters (a runtime starting containers, a test suite) reuses the memory
// of the filters it released instead: it stays in the cache, and the
// collector has little to do.
//
// Ownership: a storage belongs to one collection, from New to Release,
// and only that collection's databases allocate from it. On Release the
// collection hands back only memory that its own databases hold and
// nothing else can reach (see recycle); a collection whose databases were
// merged into another hands back nothing, and its storage is dropped.
type storage struct {
	entryBlocks [][]sysEntry
	nodeBlocks  [][]cnode
	tables      [][]*sysEntry
	ruleLists   [][]*rule
	ruleBlocks  [][]rule
	// the entries of exported filters and their pointers
	syscalls    [][]Syscall
	syscallPtrs [][]*Syscall
	// exportList is the scratch list of entries of Filters.
	exportList []*sysEntry
}

// storagePool holds the storages of released collections.
var storagePool = sync.Pool{New: func() any { return new(storage) }}

// keepMax bounds each list of a storage that goes back to the pool, so
// that one very large filter does not keep its memory alive for good.
const keepMax = 64

// fullBlock is the size of the entry, node and rule blocks once a
// collection has used a few (see nextBlock), and the capacity of a new
// rule list.
const fullBlock = 64

// takeTable returns a zeroed entry table of n entries, or nil when the
// storage has none at least that long.
func (st *storage) takeTable(n int) []*sysEntry {
	if st == nil || len(st.tables) == 0 {
		return nil
	}
	last := len(st.tables) - 1
	t := st.tables[last]
	if len(t) < n {
		return nil
	}
	st.tables[last] = nil
	st.tables = st.tables[:last]
	t = t[:n]
	clear(t)
	return t
}

// putTable keeps a table that nothing refers to any more.
func (st *storage) putTable(t []*sysEntry) {
	if st != nil && len(st.tables) < keepMax && cap(t) > 0 {
		st.tables = append(st.tables, t[:cap(t)])
	}
}

// takeRuleList returns an empty rule list with room for some rules, or
// nil.
func (st *storage) takeRuleList() []*rule {
	if st == nil || len(st.ruleLists) == 0 {
		return nil
	}
	n := len(st.ruleLists) - 1
	l := st.ruleLists[n]
	st.ruleLists[n] = nil
	st.ruleLists = st.ruleLists[:n]
	clear(l[:cap(l)])
	return l[:0]
}

// takeSyscalls returns n zeroed exported entries and a list of n
// pointers to fill, or nil.
func (st *storage) takeSyscalls(n int) ([]Syscall, []*Syscall) {
	if st == nil {
		return nil, nil
	}
	for i, b := range st.syscalls {
		p := st.syscallPtrs[i]
		if cap(b) < n || cap(p) < n {
			continue
		}
		last := len(st.syscalls) - 1
		st.syscalls[i], st.syscallPtrs[i] = st.syscalls[last], st.syscallPtrs[last]
		st.syscalls[last], st.syscallPtrs[last] = nil, nil
		st.syscalls, st.syscallPtrs = st.syscalls[:last], st.syscallPtrs[:last]
		b, p = b[:n], p[:n]
		clear(b)
		clear(p)
		return b, p
	}
	return nil, nil
}

// putSyscalls keeps the entries and pointers of an exported filter that
// nothing uses any more.
func (st *storage) putSyscalls(b []Syscall, p []*Syscall) {
	if st != nil && len(st.syscalls) < keepMax && cap(p) >= cap(b) {
		st.syscalls = append(st.syscalls, b[:0])
		st.syscallPtrs = append(st.syscallPtrs, p[:0])
	}
}

// recycle hands the memory of the released collection's databases and
// rules back to the pool. Only databases that are not lazy copies own
// their blocks, tables and rule list (a lazy copy shares its source's
// list); each is emptied as it is taken, so that nothing is handed back
// twice. The rule blocks are the collection's own, unless it gave its
// databases away in a merge.
func (c *Collection) recycle() {
	st := c.st
	c.st = nil
	if st == nil || c.gaveAway {
		return
	}
	take := func(f *archDB) {
		if f.lazy || f.alloc.st != st {
			return
		}
		f.alloc.entries.release()
		f.alloc.nodes.release()
		st.putTable(f.low.table)
		st.putTable(f.high.table)
		if cap(f.rules) >= fullBlock && len(st.ruleLists) < keepMax {
			st.ruleLists = append(st.ruleLists, f.rules[:0])
		}
		*f = archDB{arch: f.arch, native: f.native}
	}
	for _, f := range c.filters {
		take(f)
	}
	for _, s := range c.snaps {
		for _, f := range s.filters {
			take(f)
		}
	}
	c.rules.release()
	storagePool.Put(st)
}
