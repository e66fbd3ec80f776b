package seccomp_test

import (
	"slices"
	"strings"
	"testing"

	seccomp "github.com/seccomp-go/seccomp"
	"github.com/seccomp-go/seccomp/arch"
	"github.com/seccomp-go/seccomp/bpf"
)

// mixWeights returns the counts of mix as weights by name.
func mixWeights(mix []mixCall) map[string]uint64 {
	out := map[string]uint64{}
	for _, c := range mix {
		out[c.name] = uint64(c.count)
	}
	return out
}

// weightedDocker builds Docker's default profile for set as dockerProgram
// does, calls setWeights on the filter, and returns its program.
func weightedDocker(tb testing.TB, set archSet, setWeights func(*seccomp.ScmpFilter) error) bpf.Program {
	tb.Helper()
	f, _, abis := dockerFilter(tb, set, dockerDefaultCaps)
	defer f.Release()
	if err := f.SetOptimize(2); err != nil {
		tb.Fatal(err)
	}
	if setWeights != nil {
		if err := setWeights(f); err != nil {
			tb.Fatal(err)
		}
	}
	return exported(tb, f, abis[0].ByteOrder())
}

// sameDecisions reports the first probe of targets, with the argument
// vectors of both programs, that a and b decide differently.
func sameDecisions(t *testing.T, a, b bpf.Program, set archSet) {
	t.Helper()
	_, _, abis := dockerFilter(t, set, dockerDefaultCaps)
	order := abis[0].ByteOrder()
	va, err := bpf.NewVM(a, order)
	if err != nil {
		t.Fatal(err)
	}
	vb, err := bpf.NewVM(b, order)
	if err != nil {
		t.Fatal(err)
	}
	vecs := append(argVectors(a), argVectors(b)...)
	for _, tg := range probeTargets(abis) {
		for _, nr := range tg.nrs {
			for _, args := range vecs {
				d := bpf.Data{Nr: nr, Arch: tg.token, Args: args}
				ra, _, _ := va.Run(d)
				rb, _, _ := vb.Run(d)
				if ra != rb {
					t.Fatalf("%s nr %#x args %x: %s with weights, %s without", tg.name, nr, args, bpf.ActionString(ra), bpf.ActionString(rb))
				}
			}
		}
	}
}

// TestSyscallWeightsGain compiles Docker's default profile with the
// server mix as weights and checks that the program decides every probe
// as the one without weights, keeps every argument-independent ALLOW
// cacheable, and runs fewer instructions over the mix than both the
// program without weights and the one with the mix as priorities.
func TestSyscallWeightsGain(t *testing.T) {
	w := mixWeights(serverMix)
	for _, set := range dockerArchSets[:2] {
		t.Run(set.name, func(t *testing.T) {
			plainProg, order := dockerProgram(t, set, nil)
			prioProg, _ := dockerProgram(t, set, mixPriorities(serverMix))
			wProg := weightedDocker(t, set, func(f *seccomp.ScmpFilter) error { return f.SetSyscallWeights(w) })
			sameDecisions(t, wProg, plainProg, set)
			_, _, abis := dockerFilter(t, set, dockerDefaultCaps)
			rep, bad, err := checkCache(wProg, order, probeTargets(abis))
			if err != nil {
				t.Fatal(err)
			}
			reportBad(t, "weighted", bad)
			if rep.allowConst < 250 {
				t.Errorf("only %d syscalls ALLOWed whatever the arguments", rep.allowConst)
			}
			plain := runMix(t, plainProg, order, serverMix)
			prio := runMix(t, prioProg, order, serverMix)
			weighted := runMix(t, wProg, order, serverMix)
			t.Logf("%s: mean instructions per syscall over the mix: %.3f without weights, %.3f with priorities, %.3f with weights; %d, %d, %d instructions; mean over allowed syscalls %.2f, %.2f, %.2f",
				set.name, plain.steps, prio.steps, weighted.steps, len(plainProg), len(prioProg), len(wProg),
				allowedMean(t, plainProg, order, arch.X86_64.Token), allowedMean(t, prioProg, order, arch.X86_64.Token),
				allowedMean(t, wProg, order, arch.X86_64.Token))
			if weighted.steps >= plain.steps || weighted.steps >= prio.steps {
				t.Errorf("weighted mean %.3f, want below %.3f (no weights) and %.3f (priorities)", weighted.steps, plain.steps, prio.steps)
			}
		})
	}
}

// TestSyscallWeightAPI checks the weight methods: SetSyscallWeight and
// SetSyscallWeights give the same program, zero removes a weight, names
// are checked, a weight for one architecture takes precedence, and Reset
// drops the weights.
func TestSyscallWeightAPI(t *testing.T) {
	set := dockerArchSets[0]
	plain, _ := dockerProgram(t, set, nil)
	byName := weightedDocker(t, set, func(f *seccomp.ScmpFilter) error {
		return f.SetSyscallWeights(map[string]uint64{"futex": 1000, "read": 10})
	})
	byNumber := weightedDocker(t, set, func(f *seccomp.ScmpFilter) error {
		for name, w := range map[string]uint64{"futex": 1000, "read": 10} {
			nr, err := seccomp.GetSyscallFromName(name)
			if err != nil {
				return err
			}
			if err := f.SetSyscallWeight(nr, w); err != nil {
				return err
			}
		}
		return nil
	})
	if !slices.Equal(byName, byNumber) {
		t.Errorf("SetSyscallWeight and SetSyscallWeights give different programs")
	}
	if slices.Equal(byName, plain) {
		t.Errorf("weights do not change the program")
	}
	// futex (202) is tested first: ld arch, jeq, ld nr, jeq 202.
	if byName[3].K != 202 || byName[3].Op != bpf.JMP|bpf.JEQ|bpf.K {
		t.Errorf("futex is not tested first:\n%s", byName.Disassemble())
	}
	removed := weightedDocker(t, set, func(f *seccomp.ScmpFilter) error {
		if err := f.SetSyscallWeights(map[string]uint64{"futex": 1000}); err != nil {
			return err
		}
		if _, err := f.ExportBPFMem(); err != nil {
			return err
		}
		return f.SetSyscallWeights(map[string]uint64{"futex": 0})
	})
	if !slices.Equal(removed, plain) {
		t.Errorf("a weight set to 0 still changes the program")
	}
	// The x86_64 weight of read overrides the weight for every
	// architecture: read (0), not futex, is tested first.
	override := weightedDocker(t, set, func(f *seccomp.ScmpFilter) error {
		if err := f.SetSyscallWeights(map[string]uint64{"futex": 1000, "read": 10}); err != nil {
			return err
		}
		return f.SetArchSyscallWeights(seccomp.ArchAMD64, map[string]uint64{"read": 100000})
	})
	if override[3].K != 0 || override[3].Op != bpf.JMP|bpf.JEQ|bpf.K {
		t.Errorf("read is not tested first:\n%s", override.Disassemble())
	}
	// A weight for an architecture the filter lacks changes nothing.
	other := weightedDocker(t, set, func(f *seccomp.ScmpFilter) error {
		return f.SetArchSyscallWeights(seccomp.ArchARM64, map[string]uint64{"read": 100000})
	})
	if !slices.Equal(other, plain) {
		t.Errorf("a weight for aarch64 changes the x86_64 program")
	}

	f, err := seccomp.NewFilter(seccomp.ActAllow)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Release()
	for _, err := range []error{
		f.SetSyscallWeights(map[string]uint64{"read": 1, "no_such_call": 2}),
		f.SetArchSyscallWeights(seccomp.ArchAMD64, map[string]uint64{"socketcall": 1}),
		f.SetSyscallWeight(seccomp.ScmpSyscall(99999), 1),
		f.SetArchSyscallWeights(seccomp.ScmpArch(1234), map[string]uint64{"read": 1}),
	} {
		if err == nil {
			t.Errorf("a bad weight was accepted")
		}
	}
	err = f.SetSyscallWeights(map[string]uint64{"read": 1, "no_such_call": 2})
	if err == nil || !strings.Contains(err.Error(), `"no_such_call"`) {
		t.Errorf("error %v does not name the unknown syscall", err)
	}
	var nilFilter *seccomp.ScmpFilter
	if nilFilter.SetSyscallWeights(map[string]uint64{"read": 1}) == nil {
		t.Errorf("a nil filter took weights")
	}
}

// TestSyscallWeightsReset checks that Reset drops the weights.
func TestSyscallWeightsReset(t *testing.T) {
	build := func(f *seccomp.ScmpFilter) []byte {
		t.Helper()
		for _, name := range []string{"read", "write", "futex", "close", "openat"} {
			nr, err := seccomp.GetSyscallFromName(name)
			if err != nil {
				t.Fatal(err)
			}
			if err := f.AddRule(nr, seccomp.ActAllow); err != nil {
				t.Fatal(err)
			}
		}
		b, err := f.ExportBPFMem()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	f, err := seccomp.NewFilter(seccomp.ActErrno.SetReturnCode(1))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Release()
	plain := build(f)
	if err := f.SetSyscallWeights(map[string]uint64{"openat": 1 << 40}); err != nil {
		t.Fatal(err)
	}
	weighted, err := f.ExportBPFMem()
	if err != nil {
		t.Fatal(err)
	}
	if slices.Equal(weighted, plain) {
		t.Fatal("the weight of openat does not change the program")
	}
	if err := f.Reset(seccomp.ActErrno.SetReturnCode(1)); err != nil {
		t.Fatal(err)
	}
	if again := build(f); !slices.Equal(again, plain) {
		t.Errorf("Reset kept the weights")
	}
}

// TestSyscallWeightsCombine checks how weights combine with the rest of
// the API: priorities no longer change a weighted layout, Merge brings
// the merged filter's weights along, and on x86 the weight of socket goes
// to socketcall(2).
func TestSyscallWeightsCombine(t *testing.T) {
	set := dockerArchSets[0]
	w := mixWeights(serverMix)
	weighted := weightedDocker(t, set, func(f *seccomp.ScmpFilter) error { return f.SetSyscallWeights(w) })
	withPrio := weightedDocker(t, set, func(f *seccomp.ScmpFilter) error {
		if err := f.SetSyscallWeights(w); err != nil {
			return err
		}
		for name, p := range mixPriorities(serverMix) {
			nr, err := seccomp.GetSyscallFromName(name)
			if err != nil {
				return err
			}
			if err := f.SetSyscallPriority(nr, 255-p); err != nil {
				return err
			}
		}
		return nil
	})
	if !slices.Equal(weighted, withPrio) {
		t.Errorf("priorities change the layout of a weighted filter")
	}

	// filterFor returns a filter of one architecture that allows a few
	// syscalls and errs on the others.
	filterFor := func(a seccomp.ScmpArch) *seccomp.ScmpFilter {
		t.Helper()
		f, err := seccomp.NewFilter(seccomp.ActErrno.SetReturnCode(1))
		if err != nil {
			t.Fatal(err)
		}
		if a != seccomp.ArchAMD64 {
			if err := f.AddArch(a); err != nil {
				t.Fatal(err)
			}
			if err := f.RemoveArch(seccomp.ArchAMD64); err != nil {
				t.Fatal(err)
			}
		}
		for _, name := range []string{"read", "write", "close", "futex", "openat", "exit_group"} {
			nr, err := seccomp.GetSyscallFromName(name)
			if err != nil {
				t.Fatal(err)
			}
			if err := f.AddRule(nr, seccomp.ActAllow); err != nil {
				t.Fatal(err)
			}
		}
		return f
	}
	export := func(f *seccomp.ScmpFilter) []byte {
		t.Helper()
		b, err := f.ExportBPFMem()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	hot := map[string]uint64{"openat": 1 << 40, "read": 3}

	// Merge: the weights of src come along.
	dst, src := filterFor(seccomp.ArchAMD64), filterFor(seccomp.ArchX86)
	if err := src.SetArchSyscallWeights(seccomp.ArchX86, hot); err != nil {
		t.Fatal(err)
	}
	if err := dst.Merge(src); err != nil {
		t.Fatal(err)
	}
	merged := export(dst)
	dst.Release()
	dst, src = filterFor(seccomp.ArchAMD64), filterFor(seccomp.ArchX86)
	if err := dst.Merge(src); err != nil {
		t.Fatal(err)
	}
	unweighted := export(dst)
	if err := dst.SetArchSyscallWeights(seccomp.ArchX86, hot); err != nil {
		t.Fatal(err)
	}
	if after := export(dst); !slices.Equal(merged, after) || slices.Equal(merged, unweighted) {
		t.Errorf("Merge does not bring the weights of the merged filter")
	}
	dst.Release()

	// socket on x86 weighs on socketcall.
	build := func(weights map[string]uint64) []byte {
		f := filterFor(seccomp.ArchX86)
		defer f.Release()
		if err := f.SetArchSyscallWeights(seccomp.ArchX86, weights); err != nil {
			t.Fatal(err)
		}
		return export(f)
	}
	bySocket, bySocketcall := build(map[string]uint64{"socket": 1 << 40}), build(map[string]uint64{"socketcall": 1 << 40})
	if !slices.Equal(bySocket, bySocketcall) || slices.Equal(bySocket, build(nil)) {
		t.Errorf("the weight of socket on x86 is not the weight of socketcall")
	}
}
