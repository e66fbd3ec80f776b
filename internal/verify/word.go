package verify

import (
	"errors"
	"math/bits"
	"slices"

	"github.com/seccomp-go/seccomp/internal/model"
)

const fullMask = 0xffffffff

// errComplex reports that a word's constraints needed more search than
// the solver's budget allows.
var errComplex = errors.New("word constraints too complex to solve")

// solveBudget bounds the nodes one satisfiability search may visit.
const solveBudget = 1 << 16

// atom is one constraint on a 32-bit word w: (w & mask) rel k, negated
// when neg is set.
type atom struct {
	mask, k uint32
	rel     model.Rel
	neg     bool
}

func (a atom) holds(v uint32) bool { return a.rel.Holds(v, a.mask, a.k) != a.neg }

func (a atom) not() atom { a.neg = !a.neg; return a }

// tri is a three-valued truth value.
type tri uint8

const (
	triUnknown tri = iota
	triTrue
	triFalse
)

// status tells whether a holds for every, no, or some words whose bits in
// fm equal those of fv (fv has no bits outside fm).
func (a atom) status(fm, fv uint32) tri {
	var t tri
	switch a.rel {
	case model.EQ:
		switch {
		case a.k&^a.mask != 0, (a.k^fv)&a.mask&fm != 0:
			t = triFalse
		case a.mask&^fm == 0:
			t = triTrue
		}
	case model.GT, model.GE:
		lo := fv & a.mask
		hi := lo | a.mask&^fm
		if a.rel == model.GT {
			switch {
			case lo > a.k:
				t = triTrue
			case hi <= a.k:
				t = triFalse
			}
		} else {
			switch {
			case lo >= a.k:
				t = triTrue
			case hi < a.k:
				t = triFalse
			}
		}
	}
	if a.neg && t != triUnknown {
		t ^= triTrue ^ triFalse
	}
	return t
}

// wordSet is a satisfiable conjunction of constraints on one word: an
// interval, a sorted list of excluded values inside it, and any other
// atoms (masked comparisons). The zero value is not valid; use anyWord.
// Slices are never modified in place once shared, so copies of a wordSet
// are independent.
type wordSet struct {
	lo, hi uint32
	ne     []uint32 // sorted, distinct, each in [lo, hi]
	atoms  []atom
}

var anyWord = wordSet{lo: 0, hi: fullMask}

func (s *wordSet) fixed() bool { return s.lo == s.hi }

// add returns s with a added, and whether the result is satisfiable.
func (s wordSet) add(a atom) (wordSet, bool, error) {
	if s.fixed() {
		return s, a.holds(s.lo), nil
	}
	if a.mask != fullMask {
		switch a.status(0, 0) {
		case triTrue:
			return s, true, nil
		case triFalse:
			return s, false, nil
		}
		s.atoms = append(slices.Clip(s.atoms), a)
		return s.settle()
	}
	k := a.k
	switch {
	case a.rel == model.EQ && !a.neg:
		if k < s.lo || k > s.hi {
			return s, false, nil
		}
		if _, found := slices.BinarySearch(s.ne, k); found {
			return s, false, nil
		}
		for _, b := range s.atoms {
			if !b.holds(k) {
				return s, false, nil
			}
		}
		return wordSet{lo: k, hi: k}, true, nil
	case a.rel == model.EQ:
		if k < s.lo || k > s.hi {
			return s, true, nil
		}
		i, found := slices.BinarySearch(s.ne, k)
		if found {
			return s, true, nil
		}
		s.ne = slices.Insert(slices.Clip(s.ne), i, k)
		return s.settle()
	case a.rel == model.GT && !a.neg: // w > k
		if k == fullMask {
			return s, false, nil
		}
		s.lo = max(s.lo, k+1)
	case a.rel == model.GT: // w <= k
		s.hi = min(s.hi, k)
	case a.rel == model.GE && !a.neg: // w >= k
		s.lo = max(s.lo, k)
	default: // w < k
		if k == 0 {
			return s, false, nil
		}
		s.hi = min(s.hi, k-1)
	}
	if s.lo > s.hi {
		return s, false, nil
	}
	i, _ := slices.BinarySearch(s.ne, s.lo)
	j, found := slices.BinarySearch(s.ne, s.hi)
	if found {
		j++
	}
	if i > 0 || j < len(s.ne) {
		s.ne = slices.Clip(s.ne[i:j])
	}
	return s.settle()
}

// addNE returns s with every key excluded, and whether the result is
// satisfiable. Keys are sorted.
func (s wordSet) addNE(keys []uint32) (wordSet, bool, error) {
	if s.fixed() {
		_, found := slices.BinarySearch(keys, s.lo)
		return s, !found, nil
	}
	i, _ := slices.BinarySearch(keys, s.lo)
	j, found := slices.BinarySearch(keys, s.hi)
	if found {
		j++
	}
	if i >= j {
		return s, true, nil
	}
	merged := make([]uint32, 0, len(s.ne)+j-i)
	a, b := s.ne, keys[i:j]
	for len(a) > 0 || len(b) > 0 {
		switch {
		case len(b) == 0 || (len(a) > 0 && a[0] < b[0]):
			merged = append(merged, a[0])
			a = a[1:]
		case len(a) == 0 || b[0] < a[0]:
			merged = append(merged, b[0])
			b = b[1:]
		default:
			merged = append(merged, a[0])
			a, b = a[1:], b[1:]
		}
	}
	s.ne = merged
	return s.settle()
}

// settle collapses a set with a single possible value and reports whether
// the set is satisfiable.
func (s wordSet) settle() (wordSet, bool, error) {
	if s.fixed() {
		v := s.lo
		if len(s.ne) > 0 && s.ne[0] == v {
			return s, false, nil
		}
		for _, a := range s.atoms {
			if !a.holds(v) {
				return s, false, nil
			}
		}
		return wordSet{lo: v, hi: v}, true, nil
	}
	_, ok, err := s.witness()
	return s, ok, err
}

// witness returns a value satisfying s.
func (s wordSet) witness() (uint32, bool, error) {
	if len(s.atoms) == 0 {
		v := s.lo
		for _, n := range s.ne {
			if n != v {
				break
			}
			if v == s.hi {
				return 0, false, nil
			}
			v++
		}
		return v, true, nil
	}
	all := make([]atom, 0, len(s.atoms)+len(s.ne)+2)
	all = append(all, s.atoms...)
	if s.lo > 0 {
		all = append(all, atom{mask: fullMask, rel: model.GE, k: s.lo})
	}
	if s.hi < fullMask {
		all = append(all, atom{mask: fullMask, rel: model.GT, k: s.hi, neg: true})
	}
	for _, n := range s.ne {
		all = append(all, atom{mask: fullMask, rel: model.EQ, k: n, neg: true})
	}
	budget := solveBudget
	return search(all, 0, 0, &budget)
}

// search looks for a word satisfying every atom among those that agree
// with fv on the bits of fm. It branches only on bits that an undecided
// atom looks at, highest first, so it visits at most a few nodes per atom
// in the usual cases and is exhaustive in all cases.
func search(atoms []atom, fm, fv uint32, budget *int) (uint32, bool, error) {
	*budget--
	if *budget < 0 {
		return 0, false, errComplex
	}
	pick := -1
	for i, a := range atoms {
		switch a.status(fm, fv) {
		case triFalse:
			return 0, false, nil
		case triUnknown:
			if pick < 0 {
				pick = i
			}
		}
	}
	if pick < 0 {
		return fv, true, nil
	}
	a := atoms[pick]
	bit := uint32(1) << (31 - bits.LeadingZeros32(a.mask&^fm))
	var first uint32 // the bit value most likely to satisfy a
	switch {
	case a.rel == model.EQ:
		first = a.k & bit
		if a.neg {
			first ^= bit
		}
	case !a.neg:
		first = bit
	}
	for _, b := range [2]uint32{first, first ^ bit} {
		v, ok, err := search(atoms, fm|bit, fv|b, budget)
		if ok || err != nil {
			return v, ok, err
		}
	}
	return 0, false, nil
}
