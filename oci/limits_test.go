package oci

import (
	"fmt"
	"strings"
	"syscall"
	"testing"

	seccomp "github.com/seccomp-go/seccomp"
)

// worstProfiles are profiles at or past the limits, in the shapes that
// cost most: many entries, many names, many args, many rules with args
// for few syscalls.
func worstProfiles() map[string][]byte {
	names := []string{"read", "write", "ioctl", "fcntl", "prctl", "kill", "mmap", "mprotect"}
	profile := func(arches string, fill func(b *strings.Builder)) []byte {
		var b strings.Builder
		b.WriteString(`{"defaultAction":"SCMP_ACT_ALLOW","architectures":[` + arches + `],"syscalls":[`)
		fill(&b)
		b.WriteString("]}")
		return []byte(b.String())
	}
	three := `"SCMP_ARCH_X86_64","SCMP_ARCH_X86","SCMP_ARCH_X32"`
	out := map[string][]byte{
		// MaxRules entries of one name each, four actions
		"entries": profile(three, func(b *strings.Builder) {
			for i := range MaxRules {
				if i > 0 {
					b.WriteString(",")
				}
				fmt.Fprintf(b, `{"names":[%q],"action":%q}`, names[i%len(names)], []string{"SCMP_ACT_ERRNO", "SCMP_ACT_KILL", "SCMP_ACT_TRAP", "SCMP_ACT_LOG"}[i%4])
			}
		}),
		// MaxConditionalRules rules with two args, the most per
		// syscall
		"conditional": profile(three, func(b *strings.Builder) {
			for i := range MaxConditionalRules {
				if i > 0 {
					b.WriteString(",")
				}
				fmt.Fprintf(b, `{"names":[%q],"action":"SCMP_ACT_ERRNO","args":[{"index":%d,"value":%d,"op":"SCMP_CMP_EQ"},{"index":%d,"value":%d,"valueTwo":%d,"op":"SCMP_CMP_MASKED_EQ"}]}`,
					names[i/MaxConditionalRulesPerSyscall], i%6, i, (i+1)%6, i*7, i)
			}
		}),
	}
	// Past the limits, up to MaxProfileSize: one entry with 400000
	// names, and one whose names and repeated args would make 10^10
	// rules.
	many := strings.TrimSuffix(strings.Repeat(`"read",`, 400000), ",")
	out["names"] = profile(`"SCMP_ARCH_X86_64"`, func(b *strings.Builder) {
		b.WriteString(`{"names":[` + many + `],"action":"SCMP_ACT_ERRNO"}`)
	})
	out["names×args"] = profile(`"SCMP_ARCH_X86_64"`, func(b *strings.Builder) {
		b.WriteString(`{"names":[` + strings.TrimSuffix(strings.Repeat(`"read",`, 100000), ",") + `],"action":"SCMP_ACT_ERRNO","args":[`)
		for i := range 60000 {
			if i > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(b, `{"index":0,"value":%d,"op":"SCMP_CMP_EQ"}`, i)
		}
		b.WriteString("]}")
	})
	return out
}

// BenchmarkWorstProfiles parses and builds, with warnings on, profiles
// at or past the limits: the ones at the limits build, the others are
// refused.
func BenchmarkWorstProfiles(b *testing.B) {
	for name, data := range worstProfiles() {
		if len(data) > MaxProfileSize {
			b.Fatalf("%s: %d bytes, past the limit", name, len(data))
		}
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			opts := Options{Arches: []seccomp.ScmpArch{seccomp.ArchAMD64}, OnWarning: func(Warning) {}}
			// CPU time as well as wall time, which a loaded machine
			// stretches.
			start := cpuTime()
			defer func() { b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op") }()
			for i := 0; i < b.N; i++ {
				spec, _, err := Parse(data, opts)
				if err != nil {
					b.Fatal(err)
				}
				f, err := NewFilter(spec, opts)
				if err == nil {
					f.Release()
				}
			}
		})
	}
}

// cpuTime returns the user and system CPU time of this process so far,
// in nanoseconds.
func cpuTime() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// TestWorstProfiles checks what becomes of the profiles of
// BenchmarkWorstProfiles.
func TestWorstProfiles(t *testing.T) {
	if testing.Short() {
		t.Skip("builds large filters")
	}
	want := map[string]string{
		"entries":     "",
		"conditional": "",
		"names":       "more than 16384 rules",
		"names×args":  "more than 16384 rules",
	}
	for name, data := range worstProfiles() {
		opts := Options{Arches: []seccomp.ScmpArch{seccomp.ArchAMD64}, OnWarning: func(Warning) {}}
		spec, _, err := Parse(data, opts)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		f, err := NewFilter(spec, opts)
		switch {
		case want[name] == "" && err != nil && !strings.Contains(err.Error(), "4096"):
			t.Errorf("%s: %v", name, err)
		case want[name] != "" && (err == nil || !strings.Contains(err.Error(), want[name])):
			t.Errorf("%s: error %v, want %q", name, err, want[name])
		}
		if f != nil {
			f.Release()
		}
	}
}
