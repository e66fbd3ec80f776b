package difftest

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"testing"

	ours "github.com/seccomp-go/seccomp"
	"github.com/seccomp-go/seccomp/arch"
	"github.com/seccomp-go/seccomp/bpf"
	"github.com/seccomp-go/seccomp/frequency"
	lib "github.com/seccomp/libseccomp-golang"
)

// The weighted-layout report: Docker's default profile compiled for the
// syscall mixes recorded with strace -f -c in ../frequency/testdata, and
// the mean number of BPF instructions per syscall of each mix, weighted
// by its counts (every argument 0), in two models:
//
//   - steps/call: every syscall runs the filter;
//   - cached-steps/call: the kernel's action cache answers the syscalls
//     the program allows whatever their arguments (bpf.ConstAllow) at no
//     cost, and only the others run the filter.
//
// The programs: ours without weights (ours-plain), with the counts as
// 8-bit priorities (ours-priority, SetSyscallPriority), with the counts
// as weights (ours-weighted, SetArchSyscallWeights per strace table);
// libseccomp 2.5.4 in tree mode (libseccomp-O2, which ignores
// priorities) and in its default mode with the priorities
// (libseccomp-O1-priority, where priorities order the syscall checks).
//
// The bounds share a fixed part per call: the load of the architecture,
// its checks in the order of the mix's architectures, the load of the
// number and the return (or, for a syscall with argument checks, those
// checks as ours-weighted runs them); a call of an architecture the
// filter lacks costs the load, one test and the return. On top of it:
//
//   - bound-alphabetic: the optimal alphabetic tree over the ranges of
//     numbers that the profile decides alike (Knuth's dynamic
//     programming): the best any tree of range comparisons does;
//   - bound-entropy-ranges: the entropy of the mix over those ranges,
//     a lower bound for any tree of binary tests whose leaves lie within
//     the ranges, equality tests included;
//   - bound-entropy: the entropy of the mix over its syscalls, the lower
//     bound for any binary-test tree that tells the mix's syscalls apart.
//     A tree that keeps frequent syscalls of one range together can beat
//     it, which is why the range bounds are there.

// weightMix is a recorded mix.
type weightMix struct{ name, file string }

var weightMixes = []weightMix{
	{"python-http", "strace-f-c-python-http-server.txt"},
	{"redis", "strace-f-c-redis-server.txt"},
	// sh running a 64-bit and a 32-bit program: two personalities.
	{"sh-64-and-32-bit", "strace-f-c-32bit.txt"},
}

// mixCall is one syscall of a mix on one architecture.
type mixCall struct {
	token uint32
	nr    int32
	w     float64
}

// loadMix reads a mix recorded on an x86_64 machine; its tables go to
// the architectures of their personalities.
func loadMix(tb testing.TB, m weightMix) (*frequency.Mix, []*arch.Arch, []mixCall) {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join("..", "frequency", "testdata", m.file))
	if err != nil {
		tb.Fatal(err)
	}
	mix, err := frequency.Parse(data)
	if err != nil {
		tb.Fatal(err)
	}
	var abis []*arch.Arch
	var calls []mixCall
	for _, s := range mix.Sections {
		name, ok := frequency.Arch("x86_64", s.Mode)
		a, found := arch.Lookup(name)
		if !ok || !found {
			tb.Fatalf("%s: table for %q", m.file, s.Mode)
		}
		abis = append(abis, a)
		for _, n := range s.Names() {
			nr, ok := a.SyscallNumber(n)
			if !ok || nr < 0 {
				tb.Fatalf("%s: %s is no %s syscall", m.file, n, a.Name)
			}
			calls = append(calls, mixCall{token: a.Token, nr: nr, w: float64(s.Counts[n])})
		}
	}
	return mix, abis, calls
}

// priorities maps the counts of the first table to 1..255, in proportion
// to the largest.
func priorities(mix *frequency.Mix) map[string]uint8 {
	s := mix.Sections[0]
	var top uint64
	for _, n := range s.Counts {
		top = max(top, n)
	}
	out := map[string]uint8{}
	for name, n := range s.Counts {
		out[name] = uint8(max(1, math.Round(255*float64(n)/float64(top))))
	}
	return out
}

// weightedBuilds are the programs of the report, each built from the
// rule set and the mix.
var weightedBuilds = []struct {
	name  string
	build func(*RuleSet, *frequency.Mix, []*arch.Arch) ([]byte, error)
}{
	{"ours-plain", func(rs *RuleSet, _ *frequency.Mix, _ []*arch.Arch) ([]byte, error) {
		return oursBuild(rs, func(*ours.ScmpFilter) error { return nil })
	}},
	{"ours-priority", func(rs *RuleSet, mix *frequency.Mix, _ []*arch.Arch) ([]byte, error) {
		return oursBuild(rs, func(f *ours.ScmpFilter) error {
			for name, p := range priorities(mix) {
				nr, err := ours.GetSyscallFromName(name)
				if err == nil {
					err = f.SetSyscallPriority(nr, p)
				}
				if err != nil {
					return fmt.Errorf("%s: %w", name, err)
				}
			}
			return nil
		})
	}},
	{"ours-weighted", func(rs *RuleSet, mix *frequency.Mix, abis []*arch.Arch) ([]byte, error) {
		return oursBuild(rs, func(f *ours.ScmpFilter) error {
			for i, s := range mix.Sections {
				a, err := ours.GetArchFromString(abis[i].Name)
				if err == nil {
					err = f.SetArchSyscallWeights(a, s.Counts)
				}
				if err != nil {
					return err
				}
			}
			return nil
		})
	}},
	{"libseccomp-O2", func(rs *RuleSet, _ *frequency.Mix, _ []*arch.Arch) ([]byte, error) {
		return libBuild(rs, 2, nil)
	}},
	{"libseccomp-O1-priority", func(rs *RuleSet, mix *frequency.Mix, _ []*arch.Arch) ([]byte, error) {
		return libBuild(rs, 1, priorities(mix))
	}},
}

// oursBuild builds rs with seccomp-go, calls set on the filter and
// exports the program.
func oursBuild(rs *RuleSet, set func(*ours.ScmpFilter) error) ([]byte, error) {
	f, err := leanOursFilter(rs)
	if err != nil {
		return nil, err
	}
	defer f.Release()
	if err := set(f); err != nil {
		return nil, err
	}
	return f.ExportBPFMem()
}

// libBuild builds rs with libseccomp at level, with the priorities prio,
// and exports the program.
func libBuild(rs *RuleSet, level int, prio map[string]uint8) ([]byte, error) {
	f, err := LeanLibFilter(rs, level)
	if err != nil {
		return nil, err
	}
	defer f.Release()
	for name, p := range prio {
		nr, err := lib.GetSyscallFromName(name)
		if err == nil {
			err = f.SetSyscallPriority(nr, p)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	return libExport(f)
}

// mixCost returns the weighted mean instructions per call of prog over
// calls, in the plain model and in the kernel-cache model.
func mixCost(prog []byte, calls []mixCall) (steps, cached float64, err error) {
	run, err := BPFRunner(prog)
	if err != nil {
		return 0, 0, err
	}
	p, err := bpf.Unmarshal(prog, binary.LittleEndian)
	if err != nil {
		return 0, 0, err
	}
	var sum, csum, total float64
	for _, c := range calls {
		_, n, err := run(&Data{Nr: c.nr, Arch: c.token})
		if err != nil {
			return 0, 0, err
		}
		sum += c.w * float64(n)
		if !bpf.ConstAllow(p, c.token, c.nr) {
			csum += c.w * float64(n)
		}
		total += c.w
	}
	return sum / total, csum / total, nil
}

// argMarker is returned in place of the first argument load by
// argSteps's copy of a program.
const argMarker = 0x7ffe5a5a

// argSteps returns the instructions p runs for a call from its first
// load of an argument word to its return, 0 if it loads none.
func argSteps(p bpf.Program, c mixCall) (int, error) {
	q := slices.Clone(p)
	for i, ins := range q {
		if ins.Op == bpf.LD|bpf.W|bpf.ABS && ins.K >= bpf.OffsetArgs {
			q[i] = bpf.Stmt(bpf.RET|bpf.K, argMarker)
		}
	}
	full, err := bpf.NewVM(p, binary.LittleEndian)
	if err != nil {
		return 0, err
	}
	cut, err := bpf.NewVM(q, binary.LittleEndian)
	if err != nil {
		return 0, err
	}
	d := bpf.Data{Nr: c.nr, Arch: c.token}
	_, n, err := full.Run(d)
	if err != nil {
		return 0, err
	}
	ret, m, err := cut.Run(d)
	if err != nil || ret != argMarker {
		return 0, err
	}
	return n - (m - 1), nil
}

// rangeKey is what decides a number alike: the result for zero
// arguments and whether arguments are checked at all.
type rangeKey struct {
	ret  uint32
	args bool
}

// leafRanges returns the ranges of numbers of token that p decides
// alike, as the first number of each, probing every number of the
// windows -1..1023 (and 0x40000000..0x400003ff on the x86_64 token) and
// one number of each gap between them, whose numbers no rule names.
func leafRanges(p bpf.Program, token uint32) ([]uint32, error) {
	vm, err := bpf.NewVM(p, binary.LittleEndian)
	if err != nil {
		return nil, err
	}
	key := func(nr uint32) (rangeKey, error) {
		ret, _, err := vm.Run(bpf.Data{Nr: int32(nr), Arch: token})
		if err != nil {
			return rangeKey{}, err
		}
		n, err := argSteps(p, mixCall{token: token, nr: int32(nr)})
		return rangeKey{ret, n > 0}, err
	}
	var points []uint32
	for nr := uint32(0); nr < 1024; nr++ {
		points = append(points, nr)
	}
	points = append(points, 1024)
	if token == arch.X86_64.Token {
		for nr := uint32(0x40000000); nr < 0x40000400; nr++ {
			points = append(points, nr)
		}
		points = append(points, 0x40000400)
	}
	points = append(points, 0xffffffff)
	var starts []uint32
	var last rangeKey
	for i, nr := range points {
		k, err := key(nr)
		if err != nil {
			return nil, err
		}
		if i == 0 || k != last {
			starts = append(starts, nr)
		}
		last = k
	}
	return starts, nil
}

// alphabeticCost returns the least weighted sum of depths of an
// alphabetic tree over leaves of weights w (the cubic dynamic
// programming, enough for a few hundred leaves).
func alphabeticCost(w []float64) float64 {
	n := len(w)
	if n <= 1 {
		return 0
	}
	prefix := make([]float64, n+1)
	for i, x := range w {
		prefix[i+1] = prefix[i] + x
	}
	cost := make([]float64, n*n)
	for d := 1; d < n; d++ {
		for i := 0; i+d < n; i++ {
			j := i + d
			best := math.Inf(1)
			for r := i + 1; r <= j; r++ {
				best = min(best, cost[i*n+r-1]+cost[r*n+j])
			}
			cost[i*n+j] = best + prefix[j+1] - prefix[i]
		}
	}
	return cost[n-1]
}

// entropy returns the entropy, in bits, of weights w, times their sum.
func entropy(w []float64) float64 {
	var total, h float64
	for _, x := range w {
		total += x
	}
	for _, x := range w {
		if x > 0 {
			h += x * math.Log2(total/x)
		}
	}
	return h
}

// mixBounds returns the bounds of the report for calls, in both models.
// p is the ours-weighted program (for the cost of the argument checks),
// plain the program the ranges are read from, cacheable whether the
// kernel's cache answers a call.
func mixBounds(p, plain bpf.Program, calls []mixCall, cacheable func(mixCall) bool) (bounds map[string][2]float64, err error) {
	bounds = map[string][2]float64{}
	for model := range 2 {
		weight := func(c mixCall) float64 {
			if model == 1 && cacheable(c) {
				return 0
			}
			return c.w
		}
		// The architectures the program checks, in the order of their
		// weight; a call of another one needs at least the load of the
		// architecture, one test and the return.
		leavesOf := map[uint32][]uint32{}
		tokenW := map[uint32]float64{}
		var total float64
		for _, c := range calls {
			if _, ok := leavesOf[c.token]; !ok {
				starts, err := leafRanges(plain, c.token)
				if err != nil {
					return nil, err
				}
				leavesOf[c.token] = starts
			}
			tokenW[c.token] += weight(c)
			total += c.w
		}
		var tokens []uint32
		var fixed float64
		for t := range tokenW {
			if len(leavesOf[t]) > 1 {
				tokens = append(tokens, t)
				continue
			}
			for _, c := range calls {
				if c.token == t {
					fixed += 3 * weight(c)
				}
			}
		}
		sort.Slice(tokens, func(i, j int) bool {
			if tokenW[tokens[i]] != tokenW[tokens[j]] {
				return tokenW[tokens[i]] > tokenW[tokens[j]]
			}
			return tokens[i] < tokens[j]
		})
		for rank, t := range tokens {
			for _, c := range calls {
				if c.token != t {
					continue
				}
				a, err := argSteps(p, c)
				if err != nil {
					return nil, err
				}
				// ld arch, the checks up to this one, ld nr, and the
				// return or the argument checks.
				fixed += weight(c) * float64(3+rank+max(a, 1))
			}
		}
		var alpha, hRanges, hCalls float64
		for _, t := range tokens {
			starts := leavesOf[t]
			leaves := make([]float64, len(starts))
			var per []float64
			for _, c := range calls {
				if c.token != t {
					continue
				}
				i := sort.Search(len(starts), func(i int) bool { return starts[i] > uint32(c.nr) }) - 1
				leaves[i] += weight(c)
				per = append(per, weight(c))
			}
			alpha += alphabeticCost(leaves)
			hRanges += entropy(leaves)
			hCalls += entropy(per)
		}
		set := func(name string, v float64) {
			b := bounds[name]
			b[model] = v / total
			bounds[name] = b
		}
		set("bound-alphabetic", fixed+alpha)
		set("bound-entropy-ranges", fixed+hRanges)
		set("bound-entropy", fixed+hCalls)
	}
	return bounds, nil
}

// weightedReport is the figures of one profile and mix.
type weightedReport struct {
	progs  map[string][]byte
	steps  map[string][2]float64 // steps/call, cached-steps/call
	bounds map[string][2]float64
}

// weightedFigures builds every program of the report for rs and m and
// measures them.
func weightedFigures(tb testing.TB, rs *RuleSet, m weightMix) *weightedReport {
	tb.Helper()
	mix, abis, calls := loadMix(tb, m)
	r := &weightedReport{progs: map[string][]byte{}, steps: map[string][2]float64{}}
	for _, wb := range weightedBuilds {
		prog, err := wb.build(rs, mix, abis)
		if err != nil {
			tb.Fatalf("%s: %v", wb.name, err)
		}
		s, c, err := mixCost(prog, calls)
		if err != nil {
			tb.Fatalf("%s: %v", wb.name, err)
		}
		r.progs[wb.name] = prog
		r.steps[wb.name] = [2]float64{s, c}
	}
	weighted, err := bpf.Unmarshal(r.progs["ours-weighted"], binary.LittleEndian)
	if err != nil {
		tb.Fatal(err)
	}
	plain, err := bpf.Unmarshal(r.progs["ours-plain"], binary.LittleEndian)
	if err != nil {
		tb.Fatal(err)
	}
	cacheable := func(c mixCall) bool { return bpf.ConstAllow(plain, c.token, c.nr) }
	if r.bounds, err = mixBounds(weighted, plain, calls, cacheable); err != nil {
		tb.Fatal(err)
	}
	return r
}

// BenchmarkWeightedSteps reports, for Docker's default profile on x86_64
// and on x86_64+x86+x32 and each recorded mix, the mean instructions per
// syscall of the mix of each program, and the bounds (see the top of
// this file). One op runs the mix through the interpreter once; the
// bounds run nothing.
func BenchmarkWeightedSteps(b *testing.B) {
	sets := dockerRuleSets(b)
	for _, an := range benchArches {
		for _, m := range weightMixes {
			r := weightedFigures(b, sets[an], m)
			_, _, calls := loadMix(b, m)
			for _, wb := range weightedBuilds {
				b.Run("docker-"+an+"/"+m.name+"/"+wb.name, func(b *testing.B) {
					prog := r.progs[wb.name]
					for range b.N {
						if _, _, err := mixCost(prog, calls); err != nil {
							b.Fatal(err)
						}
					}
					b.ReportMetric(r.steps[wb.name][0], "steps/call")
					b.ReportMetric(r.steps[wb.name][1], "cached-steps/call")
					b.ReportMetric(float64(len(prog)/8), "insns")
				})
			}
			for _, name := range []string{"bound-alphabetic", "bound-entropy-ranges", "bound-entropy"} {
				b.Run("docker-"+an+"/"+m.name+"/"+name, func(b *testing.B) {
					b.ReportMetric(r.bounds[name][0], "steps/call")
					b.ReportMetric(r.bounds[name][1], "cached-steps/call")
				})
			}
		}
	}
}

// TestWeightedSteps checks the report's claims on every profile and mix:
// the weighted program runs fewer instructions per call of the mix than
// ours without weights, ours with priorities and libseccomp -O2, and no
// more than them in the kernel-cache model; it decides every probe as
// the unweighted one; ours-plain is the program BuildOurs makes (weights
// absent change nothing); and the bounds are ordered as they must be.
func TestWeightedSteps(t *testing.T) {
	sets := dockerRuleSets(t)
	for _, an := range benchArches {
		rs := sets[an]
		for _, m := range weightMixes {
			r := weightedFigures(t, rs, m)
			name := "docker-" + an + "/" + m.name
			if built := BuildOurs(rs); !bytes.Equal(built.Prog, r.progs["ours-plain"]) {
				t.Errorf("%s: ours-plain differs from BuildOurs", name)
			}
			w := r.steps["ours-weighted"]
			for _, other := range []string{"ours-plain", "ours-priority", "libseccomp-O2"} {
				o := r.steps[other]
				if w[0] >= o[0] {
					t.Errorf("%s: ours-weighted %.3f steps/call, not below %s's %.3f", name, w[0], other, o[0])
				}
				if w[1] > o[1]+1e-9 {
					t.Errorf("%s: ours-weighted %.3f cached-steps/call, above %s's %.3f", name, w[1], other, o[1])
				}
			}
			b := r.bounds
			for model := range 2 {
				if b["bound-entropy-ranges"][model] > b["bound-alphabetic"][model] || b["bound-entropy-ranges"][model] > b["bound-entropy"][model] {
					t.Errorf("%s: bounds out of order: %v", name, b)
				}
				if b["bound-entropy-ranges"][model] > w[model] {
					t.Errorf("%s: ours-weighted %.3f below the range entropy bound %.3f", name, w[model], b["bound-entropy-ranges"][model])
				}
			}
			probes, _ := StepProbes(rs, rs.Arches)
			plainRun, _ := BPFRunner(r.progs["ours-plain"])
			weightedRun, _ := BPFRunner(r.progs["ours-weighted"])
			for i := range probes {
				a, _, err1 := plainRun(&probes[i])
				c, _, err2 := weightedRun(&probes[i])
				if err1 != nil || err2 != nil || a != c {
					t.Fatalf("%s: %s: %s without weights, %s with (%v %v)", name, DescribeData(&probes[i]), RetString(a), RetString(c), err1, err2)
				}
			}
			nrProbes, nrOnly := StepProbes(rs, rs.Arches)
			for _, wb := range weightedBuilds {
				s := r.steps[wb.name]
				m, err := Measure(r.progs[wb.name], nrProbes, nrOnly)
				if err != nil {
					t.Fatal(err)
				}
				t.Logf("%s %-24s %7.3f steps/call %7.3f cached-steps/call; %v", name, wb.name, s[0], s[1], m)
			}
			for _, bn := range []string{"bound-alphabetic", "bound-entropy-ranges", "bound-entropy"} {
				t.Logf("%s %-24s %7.3f steps/call %7.3f cached-steps/call", name, bn, b[bn][0], b[bn][1])
			}
		}
	}
}
