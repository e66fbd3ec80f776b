package verify

import (
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/seccomp-go/seccomp/bpf"
	"github.com/seccomp-go/seccomp/internal/compile"
	"github.com/seccomp-go/seccomp/internal/db"
)

// members returns up to n members of s: its smallest and largest (when
// found within a bounded search) and others picked at random.
func members(r *rand.Rand, s WordSet, witness uint32, n int) []uint32 {
	out := []uint32{witness}
	for v, steps := s.Lo, 0; steps < 4096; v, steps = v+1, steps+1 {
		if s.Contains(v) {
			out = append(out, v)
			break
		}
		if v == s.Hi {
			break
		}
	}
	for v, steps := s.Hi, 0; steps < 4096; v, steps = v-1, steps+1 {
		if s.Contains(v) {
			out = append(out, v)
			break
		}
		if v == s.Lo {
			break
		}
	}
	for tries := 0; len(out) < n && tries < 64; tries++ {
		v := s.Lo + uint32(r.Uint64N(uint64(s.Hi-s.Lo)+1))
		if r.IntN(2) == 0 {
			v = witness ^ 1<<r.IntN(32)
		}
		if s.Contains(v) {
			out = append(out, v)
		}
	}
	return out
}

// checkRegions runs both programs on points of every region (its
// corners, its witness and random members) and on probes, and checks the
// results against the regions: inside a region the programs return its
// values, outside every region they agree.
func checkRegions(t *testing.T, r *rand.Rand, a, b bpf.Program, regions []Region, probes [][NumWords]uint32) (points int) {
	t.Helper()
	vmA, err := bpf.NewVM(a, binary.LittleEndian)
	if err != nil {
		t.Fatal(err)
	}
	vmB, err := bpf.NewVM(b, binary.LittleEndian)
	if err != nil {
		t.Fatal(err)
	}
	run := func(w [NumWords]uint32) (uint32, uint32) {
		d := DataOf(w, binary.LittleEndian)
		ra, _, err := vmA.Run(d)
		if err != nil {
			t.Fatal(err)
		}
		rb, _, err := vmB.Run(d)
		if err != nil {
			t.Fatal(err)
		}
		return ra, rb
	}
	for i := range regions {
		reg := &regions[i]
		if reg.A == reg.B {
			t.Fatalf("region %d reports equal decisions %#x", i, reg.A)
		}
		var vals [NumWords][]uint32
		for j, s := range reg.Words {
			vals[j] = members(r, s, reg.Witness[j], 5)
			if len(vals[j]) < 2 {
				t.Fatalf("region %d word %d: no member found in %+v", i, j, s)
			}
		}
		for k := range 12 {
			var w [NumWords]uint32
			for j := range w {
				switch k {
				case 0:
					w[j] = vals[j][0] // the witness
				case 1:
					w[j] = vals[j][1] // the smallest member
				case 2:
					w[j] = vals[j][len(vals[j])-1]
				default:
					w[j] = vals[j][r.IntN(len(vals[j]))]
				}
			}
			if !reg.Contains(w) {
				t.Fatalf("region %d does not contain its own point %#x", i, w)
			}
			points++
			if ra, rb := run(w); ra != reg.A || rb != reg.B {
				t.Fatalf("region %d (%#x vs %#x): point %#x gives %#x vs %#x", i, reg.A, reg.B, w, ra, rb)
			}
		}
	}
	for _, w := range probes {
		in := -1
		for i := range regions {
			if regions[i].Contains(w) {
				if in >= 0 {
					t.Fatalf("regions %d and %d overlap at %#x", in, i, w)
				}
				in = i
			}
		}
		points++
		ra, rb := run(w)
		switch {
		case in < 0 && ra != rb:
			t.Fatalf("input %#x outside every region: programs return %#x and %#x", w, ra, rb)
		case in >= 0 && (ra != regions[in].A || rb != regions[in].B):
			t.Fatalf("input %#x in region %d (%#x vs %#x) gives %#x vs %#x", w, in, regions[in].A, regions[in].B, ra, rb)
		}
	}
	return points
}

// probeWords returns probes around the constants of both rule sets, as
// words in little-endian layout.
func probeWords(r *rand.Rand, fa, fb []*db.Filter, n int) [][NumWords]uint32 {
	all := append(append([]*db.Filter(nil), fa...), fb...)
	var out [][NumWords]uint32
	for _, d := range probes(r, all, n) {
		out = append(out, Words(d, binary.LittleEndian))
	}
	return out
}

// TestDiffRandomRuleSets diffs programs of random rule sets, of a rule
// set with its reference compilation, and of mutated programs, and checks
// the regions with the interpreter.
func TestDiffRandomRuleSets(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	var regions, points, pairs int
	for i := range 300 {
		fa, defA, badA := randRuleSet(r)
		a, err := compile.Compile(compile.Input{Filters: fa, Default: defA, BadArch: badA})
		if err != nil {
			t.Fatal(err)
		}
		var b bpf.Program
		fb := fa
		kind := i % 3
		switch kind {
		case 0: // another rule set
			var defB, badB db.Action
			fb, defB, badB = randRuleSet(r)
			b, err = compile.Compile(compile.Input{Filters: fb, Default: defB, BadArch: badB})
		case 1: // the same rule set, compiled differently
			b, err = refCompile(fa, defA, badA)
		default:
			b, _ = mutate(r, a)
		}
		if err != nil {
			t.Fatal(err)
		}
		got, st, err := Diff(a, b)
		if err != nil {
			t.Fatalf("pair %d: %v", i, err)
		}
		if kind == 1 && len(got) != 0 {
			t.Fatalf("pair %d: a program and its reference compilation differ in %d regions, first %+v", i, len(got), got[0])
		}
		regions += len(got)
		pairs += st.Pairs
		points += checkRegions(t, r, a, b, got, probeWords(r, fa, fb, 200))
		// Diffing the other way round swaps the decisions.
		back, _, err := Diff(b, a)
		if err != nil {
			t.Fatal(err)
		}
		if len(back) == 0 != (len(got) == 0) {
			t.Fatalf("pair %d: %d regions one way, %d the other", i, len(got), len(back))
		}
		checkRegions(t, r, b, a, back, probeWords(r, fa, fb, 50))
	}
	t.Logf("300 pairs: %d regions, %d path pairs, %d points checked", regions, pairs, points)
}

// TestDiffEqualPrograms checks that a program equals itself.
func TestDiffEqualPrograms(t *testing.T) {
	filters, def, bad := bigRuleSet()
	p, err := compile.Compile(compile.Input{Filters: filters, Default: def, BadArch: bad})
	if err != nil {
		t.Fatal(err)
	}
	got, st, err := Diff(p, p)
	if err != nil || len(got) != 0 {
		t.Fatalf("Diff(p, p) = %d regions, %v", len(got), err)
	}
	if st.PathsA == 0 || st.Pairs != st.PathsA {
		t.Errorf("stats %+v: each path of a program pairs with itself only", st)
	}
}

// TestDiffUnsupported checks that programs outside the provable subset
// are refused, not compared.
func TestDiffUnsupported(t *testing.T) {
	ok := bpf.Program{bpf.Stmt(bpf.RET|bpf.K, bpf.RetAllow)}
	bad := bpf.Program{
		bpf.Stmt(bpf.LD|bpf.W|bpf.ABS, bpf.OffsetNr),
		bpf.Stmt(bpf.ALU|bpf.ADD|bpf.K, 1),
		bpf.Stmt(bpf.RET|bpf.A, 0),
	}
	for _, pair := range [][2]bpf.Program{{ok, bad}, {bad, ok}, {ok, nil}} {
		if _, _, err := Diff(pair[0], pair[1]); err == nil {
			t.Errorf("Diff accepted %v", pair)
		}
	}
}

// TestDiffMaskedWords checks a difference that only a masked comparison
// draws: the regions must carry the mask.
func TestDiffMaskedWords(t *testing.T) {
	a := bpf.Program{
		bpf.Stmt(bpf.LD|bpf.W|bpf.ABS, bpf.OffsetArgs),
		bpf.Jump(bpf.JMP|bpf.JSET|bpf.K, 0x4, 0, 1),
		bpf.Stmt(bpf.RET|bpf.K, bpf.RetErrno|1),
		bpf.Stmt(bpf.RET|bpf.K, bpf.RetAllow),
	}
	b := bpf.Program{bpf.Stmt(bpf.RET|bpf.K, bpf.RetAllow)}
	got, _, err := Diff(a, b)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || len(got[0].Words[4].Masked) != 1 {
		t.Fatalf("regions %+v, want one with a masked condition on arg0", got)
	}
	c := got[0].Words[4].Masked[0]
	if c != (Cond{Mask: 4, Op: "!=", Value: 0}) {
		t.Errorf("condition %+v, want arg0&4 != 0", c)
	}
	r := rand.New(rand.NewPCG(1, 1))
	var probes [][NumWords]uint32
	for v := range uint32(64) {
		var w [NumWords]uint32
		w[4] = v
		w[5] = r.Uint32()
		probes = append(probes, w)
	}
	checkRegions(t, r, a, b, got, probes)
}

func BenchmarkDiffLarge(b *testing.B) {
	filters, def, bad := bigRuleSet()
	p, err := compile.Compile(compile.Input{Filters: filters, Default: def, BadArch: bad})
	if err != nil {
		b.Fatal(err)
	}
	q, _ := mutate(rand.New(rand.NewPCG(1, 2)), p)
	b.ResetTimer()
	for range b.N {
		if _, _, err := Diff(p, q); err != nil {
			b.Fatal(err)
		}
	}
}

// TestDiffLimits checks that programs whose paths multiply are refused
// once Diff has explored MaxPairs pairs of paths, not explored for ever.
func TestDiffLimits(t *testing.T) {
	var p bpf.Program
	for i := range 40 {
		p = append(p,
			bpf.Stmt(bpf.LD|bpf.W|bpf.ABS, bpf.OffsetArgs+uint32(4*(i%12))),
			bpf.Jump(bpf.JMP|bpf.JEQ|bpf.K, uint32(i), 0, 1),
			bpf.Stmt(bpf.LD|bpf.IMM, 0)) // the two branches differ
	}
	p = append(p, bpf.Stmt(bpf.RET|bpf.K, bpf.RetAllow))
	_, st, err := Diff(p, p)
	if !errors.Is(err, ErrTooComplex) || st.Pairs > MaxPairs+1 || st.PathsA > MaxPairs+1 {
		t.Fatalf("Diff of a program with 2^40 paths: %+v, %v", st, err)
	}
}
