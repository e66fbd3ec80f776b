package db

import "errors"

// Comparison operators of a rule, in libseccomp's numbering. Tree nodes
// use only cmpEQ, cmpGT, cmpGE and cmpMaskedEQ as their test; the others
// survive as a node's original operator, which orders the nodes of a
// level.
const (
	cmpNE       = 1
	cmpLT       = 2
	cmpLE       = 3
	cmpEQ       = 4
	cmpGE       = 5
	cmpGT       = 6
	cmpMaskedEQ = 7
)

// datumMax is the mask of every comparison but a masked one.
const datumMax = ^uint64(0)

// The two parts of an entry's priority: the user's (SetPriority) in bits
// 16..23, and the part derived from the size of the argument tree in bits
// 0..15 (0xffff minus the node count, so that small trees come first
// among syscalls of the same user priority).
const (
	priMaskChain = 0x0000ffff
	priMaskUser  = 0x00ff0000
)

// priUser returns the user part of a priority for the value p.
func priUser(p uint8) uint32 { return (uint32(p) << 16) & priMaskUser }

// ErrLoop reports a rule that libseccomp can't merge into the tree of its
// syscall: the merge would link one of the rule's nodes into two levels,
// which corrupts libseccomp's tree.
var ErrLoop = errors.New("rule can't be merged with the existing rules of the syscall (libseccomp would corrupt its rule tree)")

// apiArg is one comparison of a rule, for the argument of its index.
// For every operator but cmpMaskedEQ the mask is datumMax.
type apiArg struct {
	mask  uint64
	datum uint64
	op    int32
	valid bool
}

// rule is a rule as it was added, kept to replay it (snapshots, merges of
// collections): the syscall is in the numbering of the database's native
// ABI until the rule is translated for an ABI.
type rule struct {
	action  Action
	syscall int32
	strict  bool
	args    *[6]apiArg // nil for a rule without comparisons
}

// noArgs is the comparisons of a rule without any. Nothing writes it.
var noArgs [6]apiArg

// cmps returns the comparisons of r by argument index; for a rule
// without comparisons, an array of invalid ones that must not be
// written.
func (r *rule) cmps() *[6]apiArg {
	if r.args == nil {
		return &noArgs
	}
	return r.args
}

// cnode is a node of a syscall's argument tree: one test of one 32-bit
// word of one argument. Nodes of a level are linked through prv and nxt;
// each of the two branches either ends with an action (hasT/actT,
// hasF/actF), continues at another level (t, f), or is empty, which
// passes on to the next node of the level.
//
// Nodes are reference counted as libseccomp counts them: every link to a
// node (a level neighbour, a branch, a handle) holds a count, with the
// exceptions the tree procedures make. A node whose count drops to zero
// is released: it leaves its level but keeps its fields.
type cnode struct {
	arg    int  // argument index
	hi     bool // tests the high word
	op     int  // normalised operator: cmpEQ, cmpGT, cmpGE or cmpMaskedEQ
	opOrig int  // operator of the rule that made the node
	mask   uint32
	datum  uint32 // already ANDed with mask
	full   uint64 // the rule's full datum

	hasT, hasF bool
	actT, actF Action

	prv, nxt *cnode // neighbours on the level
	t, f     *cnode // levels reached on true and on false

	refs     int  // reference count; may go below zero
	released bool // the count reached zero
}

// sysEntry is the rule state of one syscall number of one ABI.
type sysEntry struct {
	num uint32
	// priority is the user part (priMaskUser) and the chain part
	// (priMaskChain).
	priority uint32
	// chains refers to a node of the top level of the argument tree, nil
	// when the decision does not depend on the arguments.
	chains *cnode
	// nodeCnt is the number of nodes as libseccomp counts them; it can
	// be higher than the number of nodes in the tree.
	nodeCnt int
	// action is the decision when chains is nil.
	action Action
	// valid is false for a placeholder that only holds a priority.
	valid bool
}

// addOutcome says what adding a rule did to its syscall's entry.
type addOutcome int

const (
	// outcomeAdded: the rule went in (it may have changed nothing).
	outcomeAdded addOutcome = iota
	// outcomeIgnored: rules already there cover the rule.
	outcomeIgnored
	// outcomeReplaced: a rule without conditions replaced the
	// syscall's argument tree.
	outcomeReplaced
)

// ruleAdd adds r, whose syscall number is in this ABI's numbering, to the
// tree of its syscall. It fails with EEXIST when r conflicts with the
// rules there, and with ErrLoop when libseccomp could not merge it; the
// entry may then be partly changed, and the caller restores the database.
//
// The new rule's chain is first searched for in the existing tree: the
// search removes existing chains that the new rule makes unnecessary, and
// tells whether an existing chain makes the new rule unnecessary. What
// is left of the new chain is then merged into the tree. An entry whose
// tree the search removed entirely takes the new chain as it is.
func (db *archDB) ruleAdd(r *rule) (addOutcome, error) {
	var ne sysEntry
	db.buildChain(r, &ne)
	if ne.chains == nil {
		return db.addPlain(ne.num, r.action), nil
	}
	ne.priority = 0xffff - uint32(ne.nodeCnt)
	e := db.entry(ne.num)
	if e == nil {
		e = db.alloc.entry()
		*e = ne
		db.insert(e)
		return outcomeAdded, nil
	}
	out := outcomeAdded
	switch {
	case e.chains == nil && !e.valid:
		e.takeChain(&ne, false)
	case e.chains == nil:
		// an unconditional decision covers every rule
		db.dropChain(&ne)
		out = outcomeIgnored
	default:
		released, st := db.search(e, r.action, e.chains, ne.chains, 0)
		switch {
		case released > 0:
			e.nodeCnt -= released
			if e.chains == nil {
				e.takeChain(&ne, true)
				break
			}
			if err := db.mergeChain(e, &ne); err != nil {
				return outcomeAdded, err
			}
		case st&redundantState == redundantState:
			db.dropChain(&ne)
			out = outcomeIgnored
		default:
			if err := db.mergeChain(e, &ne); err != nil {
				return outcomeAdded, err
			}
		}
	}
	e.updatePriority()
	return out, nil
}

// takeChain gives e, which has no tree, the tree of ne. An entry whose
// tree pruning removed (pruned) also takes ne's priority, losing its user
// part, as libseccomp does; a placeholder keeps its user priority.
func (e *sysEntry) takeChain(ne *sysEntry, pruned bool) {
	e.chains, e.action, e.nodeCnt = ne.chains, ne.action, ne.nodeCnt
	if pruned {
		e.priority = ne.priority
	}
	e.valid = true
}

// dropChain releases the new chain of ne, which was not linked anywhere.
func (db *archDB) dropChain(ne *sysEntry) int {
	top := ne.chains
	return db.dropTree(&top)
}

// mergeChain merges the new chain of ne into e's tree and counts the
// nodes it added: the new chain's nodes less those that dropping its top
// reference releases (the ones that matched existing nodes and were not
// linked). On error the new chain is dropped.
func (db *archDB) mergeChain(e *sysEntry, ne *sysEntry) error {
	if err := db.merge(e, &e.chains, ne.chains); err != nil {
		db.dropChain(ne)
		return err
	}
	e.nodeCnt += ne.nodeCnt
	e.nodeCnt -= db.dropChain(ne)
	return nil
}

// updatePriority sets the chain part of e's priority from its node count.
func (e *sysEntry) updatePriority() {
	e.priority = e.priority&^priMaskChain | (0xffff - uint32(e.nodeCnt)&0xffff)
}

// addPlain adds a rule without conditions for syscall num: it replaces an
// argument tree, fills a placeholder, and is ignored when the syscall
// already has an unconditional decision (the first one stays).
func (db *archDB) addPlain(num uint32, action Action) addOutcome {
	w := db.window(num)
	p := w.slot(num)
	if p == nil {
		p = w.grow(num, db.alloc.st)
	}
	var e *sysEntry
	if p != nil {
		e = *p
	} else {
		e = db.sparseEntry(num)
	}
	if e == nil {
		if p != nil {
			e = db.alloc.entry()
			e.num = num
			*p = e
		} else {
			e = db.newEntry(num)
		}
		e.priority, e.action, e.valid = 0xffff, action, true
		return outcomeAdded
	}
	out := outcomeAdded
	switch {
	case e.chains != nil:
		top := e.chains
		db.dropTree(&top)
		e.chains, e.nodeCnt, e.action = nil, 0, action
		out = outcomeReplaced
	case e.valid:
		out = outcomeIgnored
	default:
		e.action, e.nodeCnt, e.valid = action, 0, true
	}
	e.updatePriority()
	return out
}

// setPriority raises the user priority of syscall num to p; priorities
// never go down. A syscall without rules gets a placeholder entry that
// keeps the priority for its first rule.
func (db *archDB) setPriority(num uint32, p uint8) {
	u := priUser(p)
	if e := db.entry(num); e != nil {
		if u > e.priority&priMaskUser {
			e.priority = e.priority&^priMaskUser | u
		}
		return
	}
	e := db.alloc.entry()
	e.num, e.priority = num, u
	db.insert(e)
}
