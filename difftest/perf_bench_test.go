package difftest

import (
	"encoding/binary"
	"fmt"
	"os"
	"testing"

	ours "github.com/seccomp-go/seccomp"
	"github.com/seccomp-go/seccomp/bpf"
	lib "github.com/seccomp/libseccomp-golang"
)

// leanOursFilter makes rs's calls through seccomp-go as LeanLibFilter
// makes them through libseccomp, without recording anything, so that the
// build benchmarks compare the libraries alone. seccomp-go has one code
// generator, which SetOptimize does not change.
func leanOursFilter(rs *RuleSet) (*ours.ScmpFilter, error) {
	f, err := ours.NewFilter(oursAction(rs.Default))
	if err != nil {
		return nil, err
	}
	native := false
	for _, name := range rs.Arches {
		native = native || name == NativeArch
		a, err := ours.GetArchFromString(name)
		if err == nil {
			err = f.AddArch(a)
		}
		if err != nil {
			f.Release()
			return nil, fmt.Errorf("AddArch %s: %w", name, err)
		}
	}
	if !native {
		if err := f.RemoveArch(ours.ArchAMD64); err != nil {
			f.Release()
			return nil, err
		}
	}
	for _, c := range rs.Calls {
		nr, err := ours.GetSyscallFromName(c.Name)
		if err == nil {
			switch c.Kind {
			case CallAddRule:
				err = f.AddRule(nr, oursAction(c.Action))
			case CallAddRuleConditional:
				err = f.AddRuleConditional(nr, oursAction(c.Action), oursConds(c.Conds))
			default:
				err = fmt.Errorf("unsupported call")
			}
		}
		if err != nil {
			f.Release()
			return nil, fmt.Errorf("%v: %w", c, err)
		}
	}
	return f, nil
}

// leanBench builds and exports filters of one library for the Docker
// build and export benchmarks.
type leanBench[F any] struct {
	build  func() (F, error)
	export func(F) error
	// release frees a filter; nil leaves every filter to the garbage
	// collector.
	release func(F)
}

// oursLean builds rs with leanOursFilter and exports the program to memory.
func oursLean(rs *RuleSet) leanBench[*ours.ScmpFilter] {
	return leanBench[*ours.ScmpFilter]{
		build: func() (*ours.ScmpFilter, error) { return leanOursFilter(rs) },
		export: func(f *ours.ScmpFilter) error {
			_, err := f.ExportBPFMem()
			return err
		},
		release: (*ours.ScmpFilter).Release,
	}
}

// libLean builds rs with LeanLibFilter at level and exports the program
// to null.
func libLean(rs *RuleSet, level int, null *os.File) leanBench[*lib.ScmpFilter] {
	return leanBench[*lib.ScmpFilter]{
		build:   func() (*lib.ScmpFilter, error) { return LeanLibFilter(rs, level) },
		export:  func(f *lib.ScmpFilter) error { return f.ExportBPF(null) },
		release: (*lib.ScmpFilter).Release,
	}
}

// buildExport times building, exporting and releasing a filter.
func (l leanBench[F]) buildExport(b *testing.B) {
	b.ReportAllocs()
	for range b.N {
		f, err := l.build()
		if err != nil {
			b.Fatal(err)
		}
		err = l.export(f)
		if l.release != nil {
			l.release(f)
		}
		if err != nil {
			b.Fatal(err)
		}
	}
}

// exportOnly times the export of a freshly built filter alone.
func (l leanBench[F]) exportOnly(b *testing.B) {
	b.ReportAllocs()
	for range b.N {
		b.StopTimer()
		f, err := l.build()
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		err = l.export(f)
		b.StopTimer()
		l.release(f)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}

// BenchmarkDockerBuild measures what a runtime pays to turn Docker's
// default profile into a program, through each library: creating the
// filter, adding its rules, and exporting the BPF program. Each build
// releases its filter, so that the next one reuses its memory (malloc's
// free lists for libseccomp, the released filter's storage for
// seccomp-go); ours-unreleased shows seccomp-go without that reuse. Unlike
// BenchmarkDockerCompile, whose seccomp-go builds also prove the program
// equal to the rules (ScmpFilter.Verify), it does nothing libseccomp does
// not do. seccomp-go writes the program to memory, libseccomp to
// /dev/null. libseccomp's allocations are made in C and do not show in
// allocs/op.
func BenchmarkDockerBuild(b *testing.B) {
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer null.Close()
	sets := dockerRuleSets(b)
	for _, an := range benchArches {
		rs := sets[an]
		b.Run(an+"/ours", oursLean(rs).buildExport)
		// Without Release, no filter hands its memory to the next:
		// every build starts from fresh memory, as a process that
		// builds one filter does.
		unreleased := oursLean(rs)
		unreleased.release = nil
		b.Run(an+"/ours-unreleased", unreleased.buildExport)
		for _, level := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/libseccomp-O%d", an, level), libLean(rs, level, null).buildExport)
		}
	}
}

// BenchmarkDockerExport measures code generation alone: the export of the
// BPF program of Docker's default profile from a filter whose rules are
// already in place, through each library. Each iteration exports a freshly
// built filter (seccomp-go keeps the program it compiled until the rules
// change, and libseccomp 2.5.4 slows down on repeated exports of one
// filter); building the filter is left out of the time. seccomp-go writes
// the program to memory, libseccomp to /dev/null. libseccomp's allocations
// are made in C and do not show in allocs/op.
func BenchmarkDockerExport(b *testing.B) {
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer null.Close()
	sets := dockerRuleSets(b)
	for _, an := range benchArches {
		rs := sets[an]
		b.Run(an+"/ours", oursLean(rs).exportOnly)
		for _, level := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/libseccomp-O%d", an, level), libLean(rs, level, null).exportOnly)
		}
	}
}

// TestDockerCacheCoverage counts, for each library's program of Docker's
// default profile, the syscall-number probes (all arguments 0) it allows
// and how many of those the kernel's action cache answers without running
// the filter (bpf.ConstAllow). seccomp-go must cache at least as many as
// libseccomp at either level.
func TestDockerCacheCoverage(t *testing.T) {
	sets := dockerRuleSets(t)
	for _, an := range benchArches {
		rs := sets[an]
		cached := map[string]int{}
		for _, bb := range benchBuilders {
			bt := bb.build(rs)
			if bt.Export != "ok" {
				t.Fatalf("%s %s: export %s", an, bb.name, bt.Export)
			}
			p, err := bpf.Unmarshal(bt.Prog, binary.LittleEndian)
			if err != nil {
				t.Fatal(err)
			}
			run, err := BPFRunner(bt.Prog)
			if err != nil {
				t.Fatal(err)
			}
			probes, nrOnly := StepProbes(rs, bt.Arches)
			allowed := 0
			for i := range probes[:nrOnly] {
				d := &probes[i]
				ret, _, err := run(d)
				if err != nil {
					t.Fatal(err)
				}
				if ret != bpf.RetAllow {
					continue
				}
				allowed++
				if bpf.ConstAllow(p, d.Arch, d.Nr) {
					cached[bb.name]++
				}
			}
			t.Logf("docker-default %-15s %-14s %d probes allowed, %d of them cacheable", an, bb.name, allowed, cached[bb.name])
		}
		for _, bb := range benchBuilders[1:] {
			if cached["ours"] < cached[bb.name] {
				t.Errorf("%s: ours caches %d allowed probes, %s %d", an, cached["ours"], bb.name, cached[bb.name])
			}
		}
	}
}
