package db

// searchState is the state of the redundancy search, a set of flags.
type searchState uint8

const (
	// stMatched: the new chain matched at the current position.
	stMatched searchState = 1 << iota
	// stMet: a match was seen on this path.
	stMet
	// stExistEnded: a matched existing node has no successor.
	stExistEnded
	// stNewEnded: a matched new node has no successor.
	stNewEnded
	// stExistAhead: the search went down the existing tree alone, past
	// a test the new chain lacks.
	stExistAhead
	// stNewAhead: the search went down the new chain alone, past a test
	// the existing tree lacks.
	stNewAhead
)

// redundantState is the final state of a search that found the new rule
// unnecessary: an existing chain with the same action ends at a node of
// the new chain reached past tests only the new chain has.
const redundantState = stMatched | stExistEnded | stNewAhead

// search looks for the new chain n in the tree of entry e from the level
// h refers to, walking both together. Where the new rule, with action
// act, is a prefix of existing chains whose actions all are act, it
// removes those chains from e's tree; where the new chain, past tests
// that only it has, reaches the end of an existing chain with act, the
// final state says the new rule is redundant (redundantState). An
// existing chain that is a prefix of the new one in the same order of
// tests is not found redundant here: merging stops at its action.
//
// in is the state passed down. search returns the number of nodes
// released and the state for the caller: in with the flags of this
// level's search added if it ended matched, else in without stMatched.
// Without a level to search, or when a match was met above but not
// kept, it returns in as it is.
func (db *archDB) search(e *sysEntry, act Action, h, n *cnode, in searchState) (int, searchState) {
	if h == nil || n == nil {
		return 0, in
	}
	if in&stMet != 0 && in&stMatched == 0 {
		return 0, in
	}
	w := in
	released := 0
	x := levelHead(h)
	stopped := false
walk:
	for x != nil {
		next := x.nxt
		switch {
		case sameTest(x, n):
			w |= stMatched | stMet
			if !n.hasNext() {
				w |= stNewEnded
			}
			if !x.hasNext() {
				w |= stExistEnded
			}
			if (x.hasT || x.t != nil) && !(n.hasT || n.t != nil) {
				stopped = true
				break walk
			}
			if (x.hasF || x.f != nil) && !(n.hasF || n.f != nil) {
				stopped = true
				break walk
			}
			if w&(stNewEnded|stExistEnded) == stNewEnded|stExistEnded &&
				(x.hasT != n.hasT || x.actT != n.actT || x.hasF != n.hasF || x.actF != n.actF) {
				stopped = true
				break walk
			}
			if n.t != nil {
				x.refs++
				k, sub := db.search(e, act, x.t, n.t, in|stMatched|stMet)
				released += k
				released += db.drop(&x)
				if sub&stMatched != 0 {
					w |= sub
				}
				if x == nil {
					x = next
					continue
				}
			}
			if n.f != nil {
				x.refs++
				k, sub := db.search(e, act, x.f, n.f, in|stMatched|stMet)
				released += k
				released += db.drop(&x)
				if sub&stMatched != 0 {
					w |= sub
				}
				if x == nil {
					x = next
					continue
				}
			}
			if allActions(x, act) {
				if w&(stMatched|stNewEnded|stExistAhead) == stMatched|stNewEnded|stExistAhead {
					released += db.remove(&e.chains, x)
					if e.chains == nil {
						stopped = true
						break walk
					}
				} else if w&(stMatched|stExistEnded|stNewAhead) == stMatched|stExistEnded|stNewAhead {
					stopped = true
					break walk
				}
			}
		case sortsBefore(x, n):
			if in&stNewAhead != 0 {
				stopped = true
				break walk
			}
			k, sub := db.searchPast(e, act, &x, n, true, in&^stMatched|stExistAhead)
			released += k
			if sub&stMatched != 0 {
				w |= sub
				stopped = true
				break walk
			}
		default:
			if in&stExistAhead != 0 {
				stopped = true
				break walk
			}
			k, sub := db.searchPast(e, act, &x, n, false, in&^stMatched|stNewAhead)
			released += k
			if sub&stMatched != 0 {
				w |= sub
				stopped = true
				break walk
			}
		}
		x = next
	}
	if !stopped {
		w &^= stMatched
	}
	if w&stMatched != 0 {
		return released, in | w
	}
	return released, in &^ stMatched
}

// searchPast goes on with the search past a test that only one side has:
// past existing node *x into each of its successor levels with the new
// node n (existingAhead), or past new node n into each of its successors
// at *x. Each side is searched while holding an extra reference to *x,
// dropped afterwards, and the successors are read only when their turn
// comes, since the first search may change the tree. It returns the
// nodes released and the state of the first side whose search matched,
// or a state without stMatched.
func (db *archDB) searchPast(e *sysEntry, act Action, x **cnode, n *cnode, existingAhead bool, in searchState) (int, searchState) {
	released := 0
	for side := 0; side < 2; side++ {
		h, m := *x, n
		if existingAhead {
			h = successor(h, side)
		} else {
			m = successor(m, side)
		}
		if h == nil || m == nil {
			continue
		}
		(*x).refs++
		k, sub := db.search(e, act, h, m, in)
		released += k
		released += db.drop(x)
		if sub&stMatched != 0 {
			return released, sub
		}
		if *x == nil {
			break
		}
	}
	return released, 0
}

// successor is c's true successor level for side 0 and its false one for
// side 1.
func successor(c *cnode, side int) *cnode {
	if side == 0 {
		return c.t
	}
	return c.f
}
