package difftest

import (
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
	"unsafe"

	ours "github.com/seccomp-go/seccomp"
	"github.com/seccomp-go/seccomp/arch"
	"github.com/seccomp-go/seccomp/bpf"
	"github.com/seccomp-go/seccomp/internal/kernel"
	"golang.org/x/sys/unix"
)

// The weighted live benchmark replays a server's syscall mix in a child
// process with a filter loaded, in the manner of gVisor's secbench: the
// mix is a list of syscalls with weights, the child makes them in an
// order drawn at random by weight (the same order for every filter), and
// the cost of a filter is the child's time per syscall minus the time
// without a filter, measured in the same round.

var (
	liveRounds   = flag.Int("live.rounds", 41, "rounds of BenchmarkLiveWeighted: each runs every filter once, interleaved")
	liveMixCalls = flag.Int("live.calls", 1<<18, "syscalls each child of BenchmarkLiveWeighted makes per round")
)

// badFD is a descriptor no process has open: the calls on it fail with
// EBADF once past the filter, so that the mix measures seccomp and the
// syscall entry, not the work of the calls.
const badFD = 0x7fffffff

// futexWakePrivate is FUTEX_WAKE|FUTEX_PRIVATE_FLAG.
const futexWakePrivate = 1 | 128

// futexWord is the word the mix's futex wake-ups name; nobody waits on it.
var futexWord uint32

// weightedCall is one syscall of a weighted mix: its x86_64 name, its
// arguments, its relative weight, and whether Docker's default profile
// denies it (with EPERM).
type weightedCall struct {
	name   string
	args   [6]uintptr
	weight uint64
	denied bool
}

// serverMix is the syscall mix of a busy network server in a container (a
// Go HTTP server behind a proxy), in calls per second: the shape such
// services show under strace -c, illustrative rather than recorded.
// Arguments are chosen so that each call returns at once (a closed
// descriptor, an empty range, a NULL buffer) whatever it is. Most calls
// are allowed whatever their arguments, so the kernel's action cache
// answers them without running the filter; personality and socket are
// allowed after an argument check, and acct and socket(AF_VSOCK) are
// denied, so those always run it.
var serverMix = []weightedCall{
	{name: "futex", weight: 26000, args: [6]uintptr{uintptr(unsafe.Pointer(&futexWord)), futexWakePrivate, 1}},
	{name: "read", weight: 18000, args: [6]uintptr{badFD}},
	{name: "write", weight: 15000, args: [6]uintptr{badFD}},
	{name: "epoll_pwait", weight: 11000, args: [6]uintptr{badFD, 0, 1, 0, 0, 8}},
	{name: "epoll_wait", weight: 9000, args: [6]uintptr{badFD, 0, 1, 0}},
	{name: "recvfrom", weight: 7000, args: [6]uintptr{badFD}},
	{name: "sendto", weight: 6500, args: [6]uintptr{badFD}},
	{name: "close", weight: 4000, args: [6]uintptr{badFD}},
	{name: "openat", weight: 3500, args: [6]uintptr{0xffffff9c, 0, unix.O_RDONLY}}, // AT_FDCWD, NULL path: EFAULT
	{name: "mmap", weight: 2000, args: [6]uintptr{0, 4096, unix.PROT_READ, unix.MAP_PRIVATE, badFD, 0}},
	{name: "fstat", weight: 1500, args: [6]uintptr{badFD}},
	{name: "writev", weight: 1200, args: [6]uintptr{badFD}},
	{name: "rt_sigprocmask", weight: 1000, args: [6]uintptr{unix.SIG_BLOCK, 0, 0, 8}},
	{name: "munmap", weight: 800, args: [6]uintptr{0, 0}},
	{name: "accept4", weight: 800, args: [6]uintptr{badFD}},
	{name: "epoll_ctl", weight: 700, args: [6]uintptr{badFD, unix.EPOLL_CTL_DEL, badFD}},
	{name: "madvise", weight: 600, args: [6]uintptr{0, 0, unix.MADV_DONTNEED}},
	{name: "pread64", weight: 600, args: [6]uintptr{badFD}},
	{name: "getpid", weight: 500},
	{name: "lseek", weight: 400, args: [6]uintptr{badFD}},
	{name: "setsockopt", weight: 400, args: [6]uintptr{badFD}},
	{name: "brk", weight: 300},
	{name: "getsockopt", weight: 200, args: [6]uintptr{badFD}},
	{name: "clock_gettime", weight: 200, args: [6]uintptr{unix.CLOCK_MONOTONIC, 0}}, // NULL: EFAULT
	{name: "getrandom", weight: 200},
	{name: "mprotect", weight: 150},
	{name: "connect", weight: 100, args: [6]uintptr{badFD}},
	// Allowed after an argument check: AF_INET with an invalid type
	// (EINVAL, no socket created); personality's query.
	{name: "socket", weight: 300, args: [6]uintptr{unix.AF_INET, 0xffff}},
	{name: "personality", weight: 20, args: [6]uintptr{0xffffffff}},
	// Denied by the profile.
	{name: "socket", weight: 20, args: [6]uintptr{unix.AF_VSOCK, 0xffff}, denied: true},
	{name: "acct", weight: 10, denied: true},
}

// mixCallName is the syscall name liveChild takes for a replay of
// serverMix rather than a single syscall.
const mixCallName = "mix"

// mixSequenceLen is the length of the replayed order; the child loops
// over it.
const mixSequenceLen = 1 << 14

// mixSyscall is a call of the replayed order: the syscall number and its
// arguments.
type mixSyscall struct {
	nr   uintptr
	args [6]uintptr
}

// mixNumber returns the x86_64 number of c's syscall.
func mixNumber(c weightedCall) (int32, error) {
	nr, ok := arch.X86_64.SyscallNumber(c.name)
	if !ok || nr < 0 {
		return 0, fmt.Errorf("no x86_64 number for %s", c.name)
	}
	return nr, nil
}

// mixSequence draws mixSequenceLen calls of mix, each with probability
// proportional to its weight, from a fixed seed: every child replays the
// same order.
func mixSequence(mix []weightedCall) ([]mixSyscall, error) {
	var total uint64
	cum := make([]uint64, len(mix))
	calls := make([]mixSyscall, len(mix))
	for i, c := range mix {
		nr, err := mixNumber(c)
		if err != nil {
			return nil, err
		}
		total += c.weight
		cum[i] = total
		calls[i] = mixSyscall{nr: uintptr(nr), args: c.args}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	seq := make([]mixSyscall, mixSequenceLen)
	for i := range seq {
		r := rng.Uint64N(total)
		j := sort.Search(len(cum), func(j int) bool { return cum[j] > r })
		seq[i] = calls[j]
	}
	return seq, nil
}

// checkMix makes each call of mix once under the loaded filter: the
// denied ones must fail with EPERM, the others must get past the filter
// (any result but EPERM).
func checkMix(mix []weightedCall) error {
	for _, c := range mix {
		nr, err := mixNumber(c)
		if err != nil {
			return err
		}
		a := c.args
		_, _, e := unix.RawSyscall6(uintptr(nr), a[0], a[1], a[2], a[3], a[4], a[5])
		if c.denied && e != unix.EPERM {
			return fmt.Errorf("%s%v under the filter: errno %d, want EPERM", c.name, a, e)
		}
		if !c.denied && e == unix.EPERM {
			return fmt.Errorf("%s%v under the filter: EPERM, want it allowed", c.name, a)
		}
	}
	return nil
}

// replayMix replays mix's drawn order on the calling thread, whole, n
// calls in all (rounded to whole passes, at least one), and returns the
// time per call of the median pass: a pass takes milliseconds, so the
// median leaves out the passes during which another process took the CPU.
func replayMix(mix []weightedCall, n int) (float64, error) {
	seq, err := mixSequence(mix)
	if err != nil {
		return 0, err
	}
	passes := make([]float64, max(1, n/len(seq)))
	for p := range passes {
		start := time.Now()
		for i := range seq {
			c := &seq[i]
			unix.RawSyscall6(c.nr, c.args[0], c.args[1], c.args[2], c.args[3], c.args[4], c.args[5])
		}
		passes[p] = float64(time.Since(start).Nanoseconds()) / float64(len(seq))
	}
	return median(passes), nil
}

// weighFilter gives f the syscall weights of mix (its calls per second,
// summed by name), so that the layout suits that mix.
func weighFilter(f *ours.ScmpFilter, mix []weightedCall) error {
	w := make(map[string]uint64)
	for _, c := range mix {
		w[c.name] += c.weight
	}
	if err := f.SetSyscallWeights(w); err != nil {
		return fmt.Errorf("SetSyscallWeights: %w", err)
	}
	return nil
}

// liveFilter is a filter a live benchmark child can load.
type liveFilter struct {
	// program returns the program the filter loads for rs.
	program func(rs *RuleSet) (bpf.Program, error)
	// load loads the filter for rs on the calling thread; nil loads
	// program's result with no_new_privs, as both libraries do.
	load func(rs *RuleSet) error
}

// oursWeighted builds rs with seccomp-go, weighted by serverMix.
func oursWeighted(rs *RuleSet) (*ours.ScmpFilter, error) {
	f, b := newOursFilter(rs, 0)
	if f == nil {
		return nil, fmt.Errorf("NewFilter: %s", b.NewFilter)
	}
	if err := weighFilter(f, serverMix); err != nil {
		f.Release()
		return nil, err
	}
	return f, nil
}

// exportedProgram decodes an exported program (host byte order).
func exportedProgram(raw []byte, err error) (bpf.Program, error) {
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	return bpf.Unmarshal(raw, binary.NativeEndian)
}

func oursProgram(rs *RuleSet) (bpf.Program, error) {
	f, b := newOursFilter(rs, 0)
	if f == nil {
		return nil, fmt.Errorf("NewFilter: %s", b.NewFilter)
	}
	defer f.Release()
	return exportedProgram(f.ExportBPFMem())
}

func oursWeightedProgram(rs *RuleSet) (bpf.Program, error) {
	f, err := oursWeighted(rs)
	if err != nil {
		return nil, err
	}
	defer f.Release()
	return exportedProgram(f.ExportBPFMem())
}

func libProgram(level int) func(rs *RuleSet) (bpf.Program, error) {
	return func(rs *RuleSet) (bpf.Program, error) {
		f, b := newLibFilter(rs, level)
		if f == nil {
			return nil, fmt.Errorf("NewFilter: %s", b.NewFilter)
		}
		defer f.Release()
		return exportedProgram(libExport(f))
	}
}

// uncached returns p behind one load of the first argument, which the
// program then overwrites with its own first load: the decisions and the
// cost stay those of p plus one instruction, but the kernel's action
// cache, which gives up at any load of an argument, records no syscall,
// so every call runs the filter (as on kernels before 5.11).
func uncached(program func(*RuleSet) (bpf.Program, error)) func(*RuleSet) (bpf.Program, error) {
	return func(rs *RuleSet) (bpf.Program, error) {
		p, err := program(rs)
		if err != nil {
			return nil, err
		}
		ld := bpf.Instruction{Op: bpf.LD | bpf.W | bpf.ABS, K: bpf.ArgOffset(0, false, binary.NativeEndian)}
		return append(bpf.Program{ld}, p...), nil
	}
}

// liveFilters are the filters the live benchmarks load, by name, all built
// from Docker's default profile.
var liveFilters = map[string]liveFilter{
	"ours": {program: oursProgram, load: func(rs *RuleSet) error { return LoadOurs(rs, 0) }},
	"ours-weighted": {program: oursWeightedProgram, load: func(rs *RuleSet) error {
		f, err := oursWeighted(rs)
		if err != nil {
			return err
		}
		defer f.Release()
		return f.Load()
	}},
	"libseccomp-O1":          {program: libProgram(1), load: func(rs *RuleSet) error { return LoadLib(rs, 1) }},
	"libseccomp-O2":          {program: libProgram(2), load: func(rs *RuleSet) error { return LoadLib(rs, 2) }},
	"ours-uncached":          {program: uncached(oursProgram)},
	"ours-weighted-uncached": {program: uncached(oursWeightedProgram)},
	"libseccomp-O1-uncached": {program: uncached(libProgram(1))},
	"libseccomp-O2-uncached": {program: uncached(libProgram(2))},
}

// loadLiveFilter loads the named filter of liveFilters ("none": nothing)
// with Docker's default profile for x86_64+x86+x32, as Docker loads it,
// on the calling thread.
func loadLiveFilter(name string) error {
	if name == "none" {
		return nil
	}
	lf, ok := liveFilters[name]
	if !ok {
		return fmt.Errorf("unknown filter %q", name)
	}
	rs := dockerRuleSets(nil)["x86_64+x86+x32"]
	if lf.load != nil {
		return lf.load(rs)
	}
	p, err := lf.program(rs)
	if err != nil {
		return err
	}
	return kernel.LoadFilter(p, kernel.Options{NoNewPrivs: true})
}

// filterCost is what a program costs over a mix, as the simulator and the
// emulation of the kernel's cache count it.
type filterCost struct {
	// Steps is the mean number of instructions the program executes per
	// call of the mix, weighted, if it runs for every call.
	Steps float64
	// Runs is the weighted fraction of the calls the kernel's cache does
	// not answer, so that the program runs.
	Runs float64
	// CachedSteps is Steps counting 0 for the calls the cache answers.
	CachedSteps float64
}

// costOverMix runs every call of mix through p, as made by an x86_64
// process.
func costOverMix(p bpf.Program, mix []weightedCall) (filterCost, error) {
	vm, err := bpf.NewVM(p, binary.NativeEndian)
	if err != nil {
		return filterCost{}, err
	}
	var c filterCost
	var total float64
	for _, call := range mix {
		nr, err := mixNumber(call)
		if err != nil {
			return filterCost{}, err
		}
		var args [6]uint64
		for i, a := range call.args {
			args[i] = uint64(a)
		}
		ret, steps, err := vm.Run(bpf.Data{Nr: nr, Arch: arch.X86_64.Token, Args: args})
		if err != nil {
			return filterCost{}, err
		}
		want := bpf.RetAllow
		if call.denied {
			want = bpf.RetErrno | uint32(unix.EPERM)
		}
		if ret != want {
			return filterCost{}, fmt.Errorf("%s%v: %s, want %s", call.name, call.args, bpf.ActionString(ret), bpf.ActionString(want))
		}
		w := float64(call.weight)
		total += w
		c.Steps += w * float64(steps)
		if !bpf.ConstAllow(p, arch.X86_64.Token, nr) {
			c.Runs += w
			c.CachedSteps += w * float64(steps)
		}
	}
	c.Steps /= total
	c.Runs /= total
	c.CachedSteps /= total
	return c, nil
}

// liveWeightedFilters are the filters of BenchmarkLiveWeighted, in the
// order each round runs them.
var liveWeightedFilters = []string{
	"none", "ours", "ours-weighted", "libseccomp-O1", "libseccomp-O2",
	"ours-uncached", "ours-weighted-uncached", "libseccomp-O1-uncached", "libseccomp-O2-uncached",
}

// TestLiveWeightedPrograms checks the programs of BenchmarkLiveWeighted
// on the mix with the simulator: every filter allows and denies the calls
// the mix says it does, the uncached variants decide like their base and
// are answered by the kernel's cache for no call, the cache answers the
// base programs for every call but the argument-checked and denied ones,
// and the weights make the mix no more expensive.
func TestLiveWeightedPrograms(t *testing.T) {
	rs := dockerRuleSets(t)["x86_64+x86+x32"]
	costs := map[string]filterCost{}
	for _, name := range liveWeightedFilters[1:] {
		p, err := liveFilters[name].program(rs)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		c, err := costOverMix(p, serverMix)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		costs[name] = c
		t.Logf("%s: %d instructions; over the mix %.2f instructions per call, %.4f of the calls run the filter (%.2f instructions per call with the cache)",
			name, len(p), c.Steps, c.Runs, c.CachedSteps)
	}
	var argChecked float64
	var total float64
	for _, c := range serverMix {
		total += float64(c.weight)
		if c.denied || c.name == "socket" || c.name == "personality" {
			argChecked += float64(c.weight)
		}
	}
	for _, name := range liveWeightedFilters[1:] {
		c := costs[name]
		if base, ok := strings.CutSuffix(name, "-uncached"); ok {
			if c.Runs != 1 {
				t.Errorf("%s: %.4f of the calls run the filter, want all", name, c.Runs)
			}
			if d := c.Steps - costs[base].Steps; math.Abs(d-1) > 1e-9 {
				t.Errorf("%s: %.3f instructions per call, %s %.3f: want exactly one more", name, c.Steps, base, costs[base].Steps)
			}
			continue
		}
		if math.Abs(c.Runs-argChecked/total) > 1e-9 {
			t.Errorf("%s: %.4f of the calls run the filter, want only the argument-checked and denied ones (%.4f)", name, c.Runs, argChecked/total)
		}
	}
	if w, p := costs["ours-weighted-uncached"].Steps, costs["ours-uncached"].Steps; w > p {
		t.Errorf("weighted program: %.3f instructions per call over the mix, above %.3f without weights", w, p)
	}
}

// TestLiveWeightedChildren loads each filter of BenchmarkLiveWeighted in
// a child, which makes every call of the mix once under it (the denied
// ones must fail with EPERM, the others must pass; see checkMix) and then
// one pass over the drawn order.
func TestLiveWeightedChildren(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		t.Skip("the mix is made of x86_64 syscalls")
	}
	cpu, err := liveCPU()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range liveWeightedFilters {
		ns, err := runLiveChild(fmt.Sprintf("%s,%s,%d,%d", name, mixCallName, mixSequenceLen, cpu))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if ns <= 0 {
			t.Errorf("%s: %v ns per call", name, ns)
		}
	}
}

// TestMixSequence checks that the replayed order follows the weights.
func TestMixSequence(t *testing.T) {
	seq, err := mixSequence(serverMix)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := mixSequence(serverMix)
	if !slices.Equal(seq, again) {
		t.Fatal("two draws of the order differ")
	}
	count := map[mixSyscall]int{}
	for _, c := range seq {
		count[c]++
	}
	var total uint64
	for _, c := range serverMix {
		total += c.weight
	}
	for _, c := range serverMix {
		nr, _ := mixNumber(c)
		got := float64(count[mixSyscall{nr: uintptr(nr), args: c.args}]) / mixSequenceLen
		want := float64(c.weight) / float64(total)
		// Four standard deviations of a binomial draw, and at least one call.
		tol := 4*math.Sqrt(want*(1-want)/mixSequenceLen) + 1.0/mixSequenceLen
		if math.Abs(got-want) > tol {
			t.Errorf("%s%v: %.4f of the order, want %.4f ± %.4f", c.name, c.args, got, want, tol)
		}
	}
}

// jitSysctl is the setting that decides whether the kernel compiles the
// filters loaded afterwards to machine code.
const jitSysctl = "/proc/sys/net/core/bpf_jit_enable"

// setJIT writes v to net.core.bpf_jit_enable and explains a refusal.
func setJIT(v string) error {
	err := os.WriteFile(jitSysctl, []byte(v+"\n"), 0)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, unix.EINVAL) && v == "0":
		return fmt.Errorf("writing 0 to net.core.bpf_jit_enable: %w (the kernel is built with CONFIG_BPF_JIT_ALWAYS_ON)", err)
	case errors.Is(err, unix.EROFS), errors.Is(err, unix.EACCES), errors.Is(err, unix.EPERM):
		return fmt.Errorf("writing %s to net.core.bpf_jit_enable: %w (no permission to change it here)", v, err)
	}
	return fmt.Errorf("writing %s to net.core.bpf_jit_enable: %w", v, err)
}

// liveCPU is the CPU the children of BenchmarkLiveWeighted run on: the
// last one the benchmark may use, away from CPU 0 where interrupts tend
// to land.
func liveCPU() (int, error) {
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err != nil {
		return 0, err
	}
	for cpu := 8*int(unsafe.Sizeof(set)) - 1; cpu >= 0; cpu-- {
		if set.IsSet(cpu) {
			return cpu, nil
		}
	}
	return 0, errors.New("no CPU in the affinity mask")
}

// median returns the median of v, which it sorts.
func median[T float64 | time.Duration](v []T) T {
	sort.Slice(v, func(i, j int) bool { return v[i] < v[j] })
	n := len(v)
	if n%2 == 1 {
		return v[n/2]
	}
	return (v[n/2-1] + v[n/2]) / 2
}

// BenchmarkLiveWeighted replays serverMix in a child process under each
// filter of liveWeightedFilters, with the BPF JIT on and, if the kernel
// lets it be turned off, off (the setting at load time is what counts:
// the kernel compiles a filter when it is loaded; the original setting is
// restored afterwards). Every child runs pinned to one CPU and makes
// -live.calls calls; each round runs every filter once, in an order drawn
// anew, under each JIT setting, and the rounds repeat -live.rounds times. The sub-benchmarks, named jit-on|jit-off / filter,
// report the medians over the rounds:
//
//   - ns/syscall: the child's time per call of the mix (the median of
//     its passes over the drawn order, see replayMix), the median over
//     the rounds, and the fastest and slowest round as ns/syscall-min
//     and ns/syscall-max;
//   - ns-over-none: the median over the rounds of the difference with
//     the unfiltered child of the same round, and ns-over-none-min the
//     difference of the fastest rounds;
//   - insns/syscall: instructions the program executes per call of the
//     mix, weighted, counted by the simulator as if it ran for every call;
//   - bpf-runs/syscall: the weighted fraction of the calls the kernel's
//     action cache does not answer (bpf.ConstAllow), which run the filter.
//
// The -uncached filters are their base filter behind one load of an
// argument, which makes the kernel cache no syscall: every call runs the
// filter, as on kernels without the cache or for a profile whose every
// rule checks arguments.
func BenchmarkLiveWeighted(b *testing.B) {
	if runtime.GOARCH != "amd64" {
		b.Skip("the mix is made of x86_64 syscalls")
	}
	cpu, err := liveCPU()
	if err != nil {
		b.Fatal(err)
	}
	rs := dockerRuleSets(b)["x86_64+x86+x32"]
	costs := map[string]filterCost{}
	for _, name := range liveWeightedFilters[1:] {
		p, err := liveFilters[name].program(rs)
		if err != nil {
			b.Fatalf("%s: %v", name, err)
		}
		if costs[name], err = costOverMix(p, serverMix); err != nil {
			b.Fatalf("%s: %v", name, err)
		}
	}
	orig, err := os.ReadFile(jitSysctl)
	if err != nil {
		b.Fatalf("reading net.core.bpf_jit_enable: %v", err)
	}
	original := strings.TrimSpace(string(orig))
	defer func() {
		if err := setJIT(original); err != nil {
			b.Errorf("restoring net.core.bpf_jit_enable to %s: %v", original, err)
		}
	}()
	modes := []struct{ name, value string }{{"jit-on", "1"}, {"jit-off", "0"}}
	var usable []int
	for i, m := range modes {
		if err := setJIT(m.value); err != nil {
			// On stdout, so that it stays in the raw output beside
			// the results.
			fmt.Printf("LiveWeighted: %s not measured: %v\n", m.name, err)
			continue
		}
		usable = append(usable, i)
	}
	// times[mode][filter] holds one time per round.
	times := make([]map[string][]float64, len(modes))
	for i := range times {
		times[i] = map[string][]float64{}
	}
	// Each round runs the filters in a new order, so that no filter
	// always follows the same one.
	rng := rand.New(rand.NewPCG(3, 4))
	order := slices.Clone(liveWeightedFilters)
	for range *liveRounds {
		for _, i := range usable {
			if err := setJIT(modes[i].value); err != nil {
				b.Fatal(err)
			}
			rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
			for _, name := range order {
				ns, err := runLiveChild(fmt.Sprintf("%s,%s,%d,%d", name, mixCallName, *liveMixCalls, cpu))
				if err != nil {
					b.Fatalf("%s %s: %v", modes[i].name, name, err)
				}
				times[i][name] = append(times[i][name], ns)
			}
		}
	}
	for _, i := range usable {
		t := times[i]
		for _, name := range liveWeightedFilters {
			b.Run(modes[i].name+"/"+name, func(b *testing.B) {
				over := make([]float64, len(t[name]))
				for r, ns := range t[name] {
					over[r] = ns - t["none"][r]
				}
				runs := slices.Clone(t[name])
				b.ReportMetric(0, "ns/op")
				b.ReportMetric(median(runs), "ns/syscall") // sorts runs
				b.ReportMetric(runs[0], "ns/syscall-min")
				b.ReportMetric(runs[len(runs)-1], "ns/syscall-max")
				b.ReportMetric(float64(len(runs)), "rounds")
				b.ReportMetric(median(over), "ns-over-none")
				b.ReportMetric(runs[0]-slices.Min(t["none"]), "ns-over-none-min")
				if c, ok := costs[name]; ok {
					b.ReportMetric(c.Steps, "insns/syscall")
					b.ReportMetric(c.Runs, "bpf-runs/syscall")
				}
			})
		}
	}
}
