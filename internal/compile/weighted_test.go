package compile

import (
	"encoding/binary"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/seccomp-go/seccomp/arch"
	"github.com/seccomp-go/seccomp/bpf"
	"github.com/seccomp-go/seccomp/internal/db"
)

// randomMix returns weights for the filters of in: on some of their
// syscalls, on numbers without rules, on the other ABI's numbers of the
// x86_64 token, and now and then one very frequent number.
func randomMix(in Input, seed uint64) []map[uint32]uint64 {
	rng := rand.New(rand.NewPCG(seed, 7))
	out := make([]map[uint32]uint64, len(in.Filters))
	for i, f := range in.Filters {
		if rng.IntN(5) == 0 {
			continue // a filter without weights
		}
		m := map[uint32]uint64{}
		for _, s := range f.Syscalls {
			if rng.IntN(3) > 0 {
				m[s.Num] = uint64(rng.IntN(1000))
			}
		}
		for range rng.IntN(4) {
			m[uint32(rng.IntN(20))|uint32(rng.IntN(2))<<30] = uint64(rng.IntN(1000))
		}
		if rng.IntN(3) == 0 {
			m[uint32(rng.IntN(12))] = 1 << (20 + rng.IntN(44))
		}
		out[i] = m
	}
	return out
}

// TestWeightedRandom compiles random filters with random weights and
// checks the programs as TestRandomTrees does: every decision equal to
// the rules', every argument-independent ALLOW cacheable.
func TestWeightedRandom(t *testing.T) {
	iters := 300
	if testing.Short() {
		iters = 50
	}
	for it := range iters {
		in := randomInput(uint64(it))
		in.Weights = randomMix(in, uint64(it))
		t.Run("", func(t *testing.T) { check(t, in, 30) })
	}
}

// TestWeightsAbsent checks that weights that are all absent or zero give
// the program compiled without weights, byte for byte.
func TestWeightsAbsent(t *testing.T) {
	for it := range 100 {
		in := randomInput(uint64(it))
		plain, err := Compile(in)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range [][]map[uint32]uint64{
			{},
			make([]map[uint32]uint64, len(in.Filters)),
			{{}},
			{{1: 0, 2: 0}},
		} {
			in.Weights = w
			p, err := Compile(in)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(p, plain) {
				t.Fatalf("seed %d: weights %v change the program:\n%s\nwithout:\n%s", it, w, p.Disassemble(), plain.Disassemble())
			}
		}
	}
}

// TestWeightsTooMany checks that more weight maps than filters are an
// error.
func TestWeightsTooMany(t *testing.T) {
	in := Input{Filters: []*db.Filter{filter(arch.X86_64, sc(1, actAllow))}, Default: actKill, BadArch: actKill,
		Weights: []map[uint32]uint64{{1: 1}, {2: 1}}}
	if _, err := Compile(in); err == nil {
		t.Fatal("Compile accepted two weight maps for one filter")
	}
}

// mixCost returns the mean number of instructions p runs over the calls
// of mix, numbers of the architecture with token tok, weighted by count.
func mixCost(t *testing.T, p bpf.Program, tok uint32, mix map[uint32]uint64) float64 {
	t.Helper()
	vm, err := bpf.NewVM(p, binary.LittleEndian)
	if err != nil {
		t.Fatal(err)
	}
	var sum, total float64
	for nr, w := range mix {
		_, steps, err := vm.Run(bpf.Data{Nr: int32(nr), Arch: tok})
		if err != nil {
			t.Fatal(err)
		}
		sum += float64(w) * float64(steps)
		total += float64(w)
	}
	return sum / total
}

// allowEvery returns an x86_64-like filter that allows numbers 0..n-1
// except every seventh, which fails with EPERM, and checks the arguments
// of number 5.
func allowEvery(a *arch.Arch, base uint32, n int) *db.Filter {
	var ss []*db.Syscall
	for i := range uint32(n) {
		switch {
		case i == 5:
			ss = append(ss, scArgs(base+i, lvl(tAct(cmp(db.OpEQ, 0, false, 3), actAllow))))
		case i%7 == 0:
			ss = append(ss, sc(base+i, actErrno(1)))
		default:
			ss = append(ss, sc(base+i, actAllow))
		}
	}
	return filter(a, ss...)
}

// TestWeightedCost checks the weighted layout on a mix: no worse than the
// layout without weights, and better when a few numbers dominate; a very
// frequent number is tested for first; the most frequent architecture is
// checked first.
func TestWeightedCost(t *testing.T) {
	in := Input{
		Filters: []*db.Filter{allowEvery(arch.X86, 0, 300), allowEvery(arch.X86_64, 0, 300)},
		Default: actErrno(38), BadArch: actKill,
	}
	plain, err := Compile(in)
	if err != nil {
		t.Fatal(err)
	}
	mix := map[uint32]uint64{202: 50000, 0: 9000, 1: 8000, 7: 3000, 232: 2000, 5: 100, 299: 5, 400: 40}
	in.Weights = []map[uint32]uint64{nil, mix}
	p := check(t, in, 20)
	before, after := mixCost(t, plain, arch.X86_64.Token, mix), mixCost(t, p, arch.X86_64.Token, mix)
	t.Logf("mean instructions over the mix: %.3f without weights, %.3f with; %d -> %d instructions", before, after, len(plain), len(p))
	if after >= before-1 {
		t.Errorf("weighted mean %.3f, want at least one instruction below %.3f", after, before)
	}
	// ld arch; jeq x86_64 (checked first now); ld nr; jeq 202.
	if p[1].K != arch.X86_64.Token || p[3].Op != bpf.JMP|bpf.JEQ|bpf.K || p[3].K != 202 {
		t.Errorf("want the x86_64 check, then a test for number 202, first:\n%s", p.Disassemble())
	}
	if steps := mixCost(t, p, arch.X86_64.Token, map[uint32]uint64{202: 1}); steps != 5 {
		t.Errorf("number 202 takes %v instructions, want 5", steps)
	}
}

// TestWeightedX32 checks that, for x86_64 and x32 on one token, the test
// that tells their numbers apart is no longer forced to the root: a mix of
// x86_64 calls pays less than with the split at the root.
func TestWeightedX32(t *testing.T) {
	in := Input{
		Filters: []*db.Filter{allowEvery(arch.X86_64, 0, 100), allowEvery(arch.X32, 0x40000000, 100)},
		Default: actErrno(38), BadArch: actKill,
	}
	plain, err := Compile(in)
	if err != nil {
		t.Fatal(err)
	}
	mix := map[uint32]uint64{}
	for i := range uint32(100) {
		mix[i] = 100 + uint64(i%7)
	}
	in.Weights = []map[uint32]uint64{mix, {0x40000001: 1}}
	p := check(t, in, 10)
	before, after := mixCost(t, plain, arch.X86_64.Token, mix), mixCost(t, p, arch.X86_64.Token, mix)
	t.Logf("x86_64 calls: %.3f instructions without weights, %.3f with", before, after)
	if after >= before {
		t.Errorf("weighted mean %.3f, want below %.3f", after, before)
	}
}

// TestWeightsExtreme compiles with weights at the ends of their range:
// sums that saturate, and single calls.
func TestWeightsExtreme(t *testing.T) {
	for _, m := range []map[uint32]uint64{
		{0: ^uint64(0), 1: ^uint64(0), 5: ^uint64(0) - 1, 202: 1 << 63},
		{0: 1},
		{7: 1, 0x40000001: 1},
		{202: ^uint64(0)},
	} {
		in := Input{
			Filters: []*db.Filter{allowEvery(arch.X86_64, 0, 300)},
			Default: actErrno(38), BadArch: actKill,
			Weights: []map[uint32]uint64{m},
		}
		check(t, in, 10)
	}
}
