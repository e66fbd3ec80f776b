package db

import (
	"github.com/seccomp-go/seccomp/arch"
)

// archDB is the rule state of one architecture (libseccomp's db_filter).
type archDB struct {
	arch     *arch.Arch
	syscalls []*sysEntry // sorted by num, compared as unsigned
	rules    []*rule     // every rule accepted, in order, for replay
}

// find returns the index of the first entry whose number is not below num.
func (db *archDB) find(num uint32) int {
	lo, hi := 0, len(db.syscalls)
	for lo < hi {
		m := (lo + hi) / 2
		if db.syscalls[m].num < num {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// entry returns the entry of syscall num, or nil.
func (db *archDB) entry(num uint32) *sysEntry {
	i := db.find(num)
	if i < len(db.syscalls) && db.syscalls[i].num == num {
		return db.syscalls[i]
	}
	return nil
}

func (db *archDB) insert(i int, s *sysEntry) {
	db.syscalls = append(db.syscalls, nil)
	copy(db.syscalls[i+1:], db.syscalls[i:])
	db.syscalls[i] = s
}

// addOutcome tells how a rule changed a syscall's tree.
type addOutcome int

const (
	outcomeAdded    addOutcome = iota // merged in (its effect may still be partial)
	outcomeIgnored                    // dropped: an existing rule covers it
	outcomeReplaced                   // unconditional: replaced existing conditional rules
)

// ruleAdd inserts one rule, already translated to this architecture's
// numbers, into the syscall trees (libseccomp's db_rule_add).
func (db *archDB) ruleAdd(r *rule) (addOutcome, error) {
	var sNew *sysEntry
	if db.arch.Bits == 64 {
		sNew = gen64(r)
	} else {
		sNew = gen32(r)
	}
	num := uint32(r.syscall)
	i := db.find(num)
	var sx *sysEntry
	if i < len(db.syscalls) && db.syscalls[i].num == num {
		sx = db.syscalls[i]
	}
	sNew.priority = priMaskChain - uint32(sNew.nodeCnt)
	rmFlag := false
	outcome := outcomeAdded
	var state iterState
	var rc int

reset:
	if sx == nil {
		db.insert(i, sNew)
		return outcome, nil
	}
	if sx.chains == nil {
		if rmFlag || !sx.valid {
			sx.chains = sNew.chains
			sx.action = sNew.action
			sx.nodeCnt = sNew.nodeCnt
			if sx.valid {
				sx.priority = sNew.priority
			}
			sx.valid = true
			goto priority
		}
		// an unconditional rule already decides this syscall
		treePut(&sNew.chains)
		outcome = outcomeIgnored
		goto priority
	}
	if sNew.chains == nil {
		treePut(&sx.chains)
		sx.chains = nil
		sx.nodeCnt = 0
		sx.action = r.action
		outcome = outcomeReplaced
		goto priority
	}

	state = iterState{sx: sx, action: r.action}
	rc = treePrune(&sx.chains, sNew.chains, &state)
	if rc > 0 {
		rmFlag = true
		sx.nodeCnt -= rc
		if sx.chains == nil {
			goto reset
		}
	} else if state.flags&istRedundant == istRedundant {
		treePut(&sNew.chains)
		outcome = outcomeIgnored
		goto priority
	}

	state = iterState{sx: sx}
	if err := treeAdd(&sx.chains, sNew.chains, &state); err != nil {
		treePut(&sNew.chains)
		return outcome, err
	}
	sx.nodeCnt += sNew.nodeCnt
	sx.nodeCnt -= treePut(&sNew.chains)

priority:
	sx.priority &^= priMaskChain
	sx.priority |= priMaskChain - uint32(sx.nodeCnt)&priMaskChain
	return outcome, nil
}

// setPriority raises the user part of a syscall's priority, creating a
// placeholder entry when the syscall has no rules yet.
func (db *archDB) setPriority(num uint32, p uint8) {
	sp := priUser(p)
	i := db.find(num)
	if i < len(db.syscalls) && db.syscalls[i].num == num {
		s := db.syscalls[i]
		if sp > s.priority&priMaskUser {
			s.priority = s.priority&^priMaskUser | sp
		}
		return
	}
	db.insert(i, &sysEntry{num: num, priority: sp})
}
