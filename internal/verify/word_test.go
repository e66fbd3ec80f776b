package verify

import (
	"math/bits"
	"math/rand/v2"
	"testing"

	"github.com/seccomp-go/seccomp/internal/model"
)

// TestWordSetExhaustive checks satisfiability and witnesses against
// brute force, for atoms that only look at a few scattered bits so that
// every relevant value can be enumerated.
func TestWordSetExhaustive(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	rels := []model.Rel{model.EQ, model.GT, model.GE}
	for iter := range 3000 {
		// The universe: 8 random bit positions.
		var universe uint32
		for bits.OnesCount32(universe) < 8 {
			universe |= 1 << r.IntN(32)
		}
		randSub := func() uint32 { return universe & r.Uint32() }
		var atoms []atom
		for range 1 + r.IntN(6) {
			a := atom{mask: randSub(), rel: rels[r.IntN(3)], neg: r.IntN(2) == 0}
			if a.mask == 0 {
				a.mask = universe
			}
			a.k = randSub()
			if r.IntN(5) == 0 {
				a.k |= 1 << r.IntN(32) // may lie outside the mask
			}
			atoms = append(atoms, a)
		}
		s, ok := addAll(t, atoms)
		// Brute force over the universe's bits (other bits zero: no
		// atom looks at them).
		want := false
		for v := uint32(0); ; v = (v - universe) & universe {
			all := true
			for _, a := range atoms {
				if !a.holds(v) {
					all = false
					break
				}
			}
			if all {
				want = true
				break
			}
			if v == universe {
				break
			}
		}
		checkBruteForce(t, iter, atoms, s, ok, want)
	}
}

// TestWordSetIntervals checks full-word comparisons against brute force
// over a small range of values.
func TestWordSetIntervals(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	rels := []model.Rel{model.EQ, model.GT, model.GE}
	for iter := range 3000 {
		var atoms []atom
		for range 1 + r.IntN(8) {
			atoms = append(atoms, atom{mask: fullMask, rel: rels[r.IntN(3)], neg: r.IntN(2) == 0, k: uint32(r.IntN(12))})
		}
		if r.IntN(3) == 0 {
			atoms = append(atoms, atom{mask: 0x3, rel: model.EQ, k: uint32(r.IntN(4)), neg: r.IntN(2) == 0})
		}
		// Keep the values small so that brute force over [0, 16] is
		// exhaustive: every atom is false above 11 for "<"-like atoms,
		// so add one.
		atoms = append(atoms, atom{mask: fullMask, rel: model.GT, k: 16, neg: true})
		s, ok := addAll(t, atoms)
		want := false
		for v := uint32(0); v <= 16 && !want; v++ {
			all := true
			for _, a := range atoms {
				all = all && a.holds(v)
			}
			want = all
		}
		checkBruteForce(t, iter, atoms, s, ok, want)
	}
}

// addAll returns the conjunction of atoms, and whether it is satisfiable.
func addAll(t *testing.T, atoms []atom) (wordSet, bool) {
	t.Helper()
	s, ok := anyWord, true
	var err error
	for _, a := range atoms {
		if s, ok, err = s.add(a); err != nil {
			t.Fatal(err)
		}
		if !ok {
			break
		}
	}
	return s, ok
}

// checkBruteForce compares the satisfiability ok of the conjunction s of
// atoms with brute force's want, and checks the witness of s.
func checkBruteForce(t *testing.T, iter int, atoms []atom, s wordSet, ok, want bool) {
	t.Helper()
	if ok != want {
		t.Fatalf("case %d: atoms %+v: satisfiable %v, brute force %v", iter, atoms, ok, want)
	}
	if !ok {
		return
	}
	w, wok, err := s.witness()
	if err != nil || !wok {
		t.Fatalf("case %d: no witness (%v)", iter, err)
	}
	for _, a := range atoms {
		if !a.holds(w) {
			t.Fatalf("case %d: witness %#x violates %+v", iter, w, a)
		}
	}
}

func TestWordSetAddNE(t *testing.T) {
	s, ok, err := anyWord.add(atom{mask: fullMask, rel: model.GT, k: 2, neg: true}) // w <= 2
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	if _, ok, _ := s.addNE([]uint32{0, 1, 2, 7}); ok {
		t.Error("excluding every value of [0, 2] left the set satisfiable")
	}
	s2, ok, _ := s.addNE([]uint32{0, 2, 9})
	if !ok {
		t.Fatal("excluding 0 and 2 from [0, 2] made the set unsatisfiable")
	}
	if w, _, _ := s2.witness(); w != 1 {
		t.Errorf("witness %d, want 1", w)
	}
}
