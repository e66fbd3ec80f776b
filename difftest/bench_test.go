package difftest

import (
	"fmt"
	"testing"

	"github.com/seccomp-go/seccomp/oci"
)

// dockerRuleSets returns Docker's default profile with Docker's default
// capabilities, on x86_64 alone and on x86_64+x86+x32 (as Docker loads it
// on x86_64).
func dockerRuleSets(tb testing.TB) map[string]*RuleSet {
	fail := func(err error) {
		if tb == nil {
			panic(err)
		}
		tb.Fatal(err)
	}
	tp, err := Translate(Profile{Name: "docker-default", Data: oci.DefaultProfile, Arch: "x86_64", Caps: DockerCaps})
	if err != nil {
		fail(err)
	}
	three := tp.RuleSet
	if fmt.Sprint(three.Arches) != "[x86_64 x86 x32]" {
		fail(fmt.Errorf("Docker's profile on x86_64 covers %v", three.Arches))
	}
	alone := clone(three)
	alone.Arches = []string{"x86_64"}
	return map[string]*RuleSet{"x86_64": alone, "x86_64+x86+x32": three}
}

var benchArches = []string{"x86_64", "x86_64+x86+x32"}

type benchBuilder struct {
	name  string
	build func(*RuleSet) *Built
}

var benchBuilders = []benchBuilder{
	{"ours", BuildOurs},
	{"libseccomp-O1", func(rs *RuleSet) *Built { return BuildLibOpt(rs, 1) }},
	{"libseccomp-O2", func(rs *RuleSet) *Built { return BuildLibOpt(rs, 2) }},
}

// BenchmarkDockerCompile builds Docker's default profile through each
// library, from NewFilter to the exported program, and reports the
// program's size and the instructions it executes on the probes of
// StepProbes.
func BenchmarkDockerCompile(b *testing.B) {
	sets := dockerRuleSets(b)
	for _, an := range benchArches {
		rs := sets[an]
		for _, bb := range benchBuilders {
			b.Run(an+"/"+bb.name, func(b *testing.B) {
				first := bb.build(rs)
				if first.Export != "ok" {
					b.Fatalf("export: %s", first.Export)
				}
				probes, nrOnly := StepProbes(rs, first.Arches)
				m, err := Measure(first.Prog, probes, nrOnly)
				if err != nil {
					b.Fatal(err)
				}
				b.ReportAllocs()
				b.ResetTimer()
				for range b.N {
					bb.build(rs)
				}
				b.ReportMetric(float64(m.Insns), "insns")
				b.ReportMetric(m.AllowedMean, "steps-allowed-mean")
				b.ReportMetric(m.Mean, "steps-mean")
				b.ReportMetric(float64(m.Max), "steps-max")
			})
		}
	}
}

// TestDockerMetrics prints the side-by-side program metrics of the
// benchmark and checks that they were taken on programs that decide every
// probe alike.
func TestDockerMetrics(t *testing.T) {
	sets := dockerRuleSets(t)
	for _, an := range benchArches {
		rs := sets[an]
		var ref []uint32
		ex := newExclusions(rs, []string{"x86_64", "x86", "x32"})
		for _, bb := range benchBuilders {
			bt := bb.build(rs)
			if bt.Export != "ok" {
				t.Fatalf("%s %s: export %s", an, bb.name, bt.Export)
			}
			probes, nrOnly := StepProbes(rs, bt.Arches)
			m, err := Measure(bt.Prog, probes, nrOnly)
			if err != nil {
				t.Fatalf("%s %s: %v", an, bb.name, err)
			}
			run, _ := BPFRunner(bt.Prog)
			var rets []uint32
			for i := range probes {
				r, _, _ := run(&probes[i])
				rets = append(rets, r)
			}
			if ref == nil {
				ref = rets
			} else {
				for i := range rets {
					if rets[i] != ref[i] && ex.explain(&probes[i], rets[i], ref[i]) == "" {
						t.Errorf("%s %s decides %s as %s, ours as %s", an, bb.name, DescribeData(&probes[i]), RetString(rets[i]), RetString(ref[i]))
						break
					}
				}
			}
			t.Logf("docker-default %-15s %-14s %v (%d probes)", an, bb.name, m, len(probes))
		}
	}
}
