package oci

import (
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	seccomp "github.com/seccomp-go/seccomp"
)

// threeArchOptions are the options of "scmp compile --arch
// x86_64,x86,x32 --kernel 6.8" with Docker's default capabilities.
var threeArchOptions = Options{
	Arches:        []seccomp.ScmpArch{seccomp.ArchAMD64, seccomp.ArchX86, seccomp.ArchX32},
	Caps:          dockerCaps,
	KernelVersion: "6.8",
}

// BenchmarkDockerThreeArches parses, resolves and compiles Docker's
// default profile for x86_64, x86 and x32, the whole path from the
// profile's bytes to the program.
func BenchmarkDockerThreeArches(b *testing.B) {
	benchmarkBuild(b, threeArchOptions)
}

// BenchmarkDockerThreeArchesWarn is BenchmarkDockerThreeArches with a
// receiver of warnings, as "scmp compile" has: the profile is linted,
// and rules that never apply are looked for.
func BenchmarkDockerThreeArchesWarn(b *testing.B) {
	opts := threeArchOptions
	opts.OnWarning = func(Warning) {}
	benchmarkBuild(b, opts)
}

// benchmarkBuild parses, resolves and compiles Docker's default profile
// with opts.
func benchmarkBuild(b *testing.B, opts Options) {
	b.ReportAllocs()
	for range b.N {
		spec, _, err := Parse(DefaultProfile, opts)
		if err != nil {
			b.Fatal(err)
		}
		compileSpec(b, spec, opts)
	}
}

// compileSpec builds the filter of spec with opts, compiles its program
// and releases it.
func compileSpec(b *testing.B, spec *specs.LinuxSeccomp, opts Options) {
	f, err := NewFilter(spec, opts)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := Program(f, spec); err != nil {
		b.Fatal(err)
	}
	f.Release()
}

// BenchmarkDockerThreeArchesResolve is BenchmarkDockerThreeArches from
// the decoded profile on: checking and resolving it, building the filter
// and compiling it, without the JSON decoding.
func BenchmarkDockerThreeArchesResolve(b *testing.B) {
	p, _, err := ParseProfile(DefaultProfile)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		spec, err := p.Resolve(threeArchOptions)
		if err != nil {
			b.Fatal(err)
		}
		compileSpec(b, spec, threeArchOptions)
	}
}
