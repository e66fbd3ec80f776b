package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeRaw writes the raw files of a synthetic run into a new directory.
func writeRaw(t *testing.T, files map[string]string) *Raw {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return &Raw{Dir: dir, Link: "bench"}
}

// benchLine is one result line as go test -bench prints it.
func benchLine(name string, metrics ...string) string {
	return "Benchmark" + name + "-2 \t 1000\t " + strings.Join(metrics, "\t ") + "\n"
}

const syntheticBench = `goos: linux
pkg: github.com/seccomp-go/seccomp/difftest
`

func syntheticFiles() map[string]string {
	var b strings.Builder
	b.WriteString(syntheticBench)
	for _, set := range []struct{ name string }{{"x86_64"}, {"x86_64+x86+x32"}} {
		for _, s := range []struct {
			series                    string
			insns, allowed, mean, max string
			compile, build, export    []string
		}{
			{"ours", "76.00", "9.007", "8.690", "15.00", []string{"365000", "355000", "364000"}, []string{"100000", "80000", "90000"}, []string{"30000", "31000", "29000"}},
			{"libseccomp-O1", "337.0", "156.1", "90.59", "316.0", []string{"3000000"}, []string{"3600000"}, []string{"1800000"}},
			{"libseccomp-O2", "415.0", "15.38", "8.508", "23.00", []string{"4000000"}, []string{"4500000"}, []string{"2700000"}},
		} {
			for _, ns := range s.compile {
				b.WriteString(benchLine("DockerCompile/"+set.name+"/"+s.series, ns+" ns/op", s.insns+" insns",
					s.allowed+" steps-allowed-mean", s.max+" steps-max", s.mean+" steps-mean", "900 allocs/op"))
			}
			for _, ns := range s.build {
				b.WriteString(benchLine("DockerBuild/"+set.name+"/"+s.series, ns+" ns/op", "48 allocs/op"))
			}
			for _, ns := range s.export {
				b.WriteString(benchLine("DockerExport/"+set.name+"/"+s.series, ns+" ns/op", "19 allocs/op"))
			}
		}
		b.WriteString(benchLine("DockerBuild/"+set.name+"/ours-unreleased", "140000 ns/op", "79 allocs/op"))
	}
	for _, f := range []string{"none", "ours", "libseccomp-O2"} {
		for i, call := range []string{"getppid", "personality", "acct"} {
			extra := []string{}
			if f != "none" {
				runs := "1.000"
				if call == "getppid" {
					runs = "0"
				}
				insns := map[string][]string{"ours": {"8", "14", "12"}, "libseccomp-O2": {"15", "20", "17"}}[f][i]
				extra = []string{insns + " insns/syscall", runs + " bpf-runs/syscall"}
			}
			for _, ns := range []string{"130", "101", "157"} {
				b.WriteString(benchLine("LiveSyscall/"+f+"/"+call, append([]string{ns + " ns/op", ns + " ns/syscall"}, extra...)...))
			}
		}
	}
	var lw strings.Builder
	lw.WriteString("LiveWeighted: jit-off not measured: writing 0 to net.core.bpf_jit_enable: invalid argument (the kernel is built with CONFIG_BPF_JIT_ALWAYS_ON)\n")
	lw.WriteString(syntheticBench)
	lw.WriteString(benchLine("LiveWeighted/jit-on/none", "0 ns-over-none", "300 ns/syscall", "250 ns/syscall-min", "500 ns/syscall-max", "41 rounds"))
	lw.WriteString(benchLine("LiveWeighted/jit-on/ours", "0.003125 bpf-runs/syscall", "9.435 insns/syscall", "26.59 ns-over-none",
		"39.27 ns-over-none-min", "307.8 ns/syscall", "287.3 ns/syscall-min", "592.6 ns/syscall-max", "41 rounds"))
	lw.WriteString(benchLine("LiveWeighted/jit-on/ours-uncached", "1.000 bpf-runs/syscall", "10.43 insns/syscall", "51.84 ns-over-none",
		"54.16 ns-over-none-min", "333.3 ns/syscall", "302.2 ns/syscall-min", "715.9 ns/syscall-max", "41 rounds"))
	lw.WriteString(benchLine("LiveWeighted/jit-on/ours-weighted-uncached", "1.000 bpf-runs/syscall", "9.338 insns/syscall", "50 ns-over-none",
		"52 ns-over-none-min", "320 ns/syscall", "300 ns/syscall-min", "700 ns/syscall-max", "41 rounds"))
	return map[string]string{
		"bench.txt":         b.String(),
		"live.txt":          syntheticBench + benchLine("LiveSyscall/ours/personality", "200 ns/op", "200 ns/syscall", "14 insns/syscall", "1 bpf-runs/syscall"),
		"live-weighted.txt": lw.String(),
		"tests.txt": `=== RUN   TestKernelCacheDockerDefault
=== RUN   TestKernelCacheDockerDefault/x86_64
    cache_test.go:297: filter program (52 instructions): 349 syscalls ALLOWed whatever the arguments, 349 of them cacheable; 2 ALLOWed depending on the arguments, 0 of them cacheable
    cache_test.go:297: runc program (59 instructions): 349 syscalls ALLOWed whatever the arguments, 349 of them cacheable; 2 ALLOWed depending on the arguments, 0 of them cacheable
=== RUN   TestKernelCacheDockerDefault/s390x+s390
    cache_test.go:297: filter program (148 instructions): 746 syscalls ALLOWed whatever the arguments, 746 of them cacheable; 4 ALLOWed depending on the arguments, 0 of them cacheable
    cache_test.go:297: runc program (159 instructions): 746 syscalls ALLOWed whatever the arguments, 745 of them cacheable; 4 ALLOWed depending on the arguments, 0 of them cacheable
=== RUN   TestDockerCacheCoverage
    perf_bench_test.go:278: docker-default x86_64          ours           301 probes allowed, 298 of them cacheable
    perf_bench_test.go:278: docker-default x86_64          libseccomp-O1  301 probes allowed, 297 of them cacheable
    perf_bench_test.go:278: docker-default x86_64          libseccomp-O2  301 probes allowed, 296 of them cacheable
=== RUN   TestPriorityGain/x86_64
    priority_test.go:184: x86_64: mean instructions per syscall over the mix: 8.45 without priorities, 7.37 with (12.8% fewer); program 78 -> 78 instructions; mean over allowed syscalls 9.07 -> 9.90
`,
		"notify.txt": syntheticBench +
			benchLine("NotifyRoundTrip/libseccomp", "20000 ns/op") + benchLine("NotifyRoundTrip/libseccomp", "22000 ns/op") +
			benchLine("NotifyRoundTrip/ours", "15000 ns/op") + benchLine("NotifyRoundTrip/ours-sync", "10000 ns/op"),
		"callgrind.txt": "DockerBuild/x86_64/ours 399000\nDockerBuild/x86_64/libseccomp-O1 6010000\nDockerBuild/x86_64+x86+x32/ours 1100000\n",
		"run.txt":       "raw bench.txt: abc1234 | 2026-12-02 01:00 UTC | 160 s\nraw live.txt: abc1234 | 2026-12-02 01:03 UTC | 90 s\ncpu: Some CPU\nkernel: Linux 6.8\ntotal: 12 min 3 s\n",
	}
}

func page(sections ...string) string {
	var b strings.Builder
	b.WriteString("# Title\n\nHand-written prose.\n\n")
	for _, s := range sections {
		b.WriteString("Before " + s + ".\n<!-- generated: " + s + " -->\nstale table\n<!-- end -->\nAfter " + s + ".\n\n")
	}
	return b.String()
}

// generated returns the text of the section name in doc.
func generated(t *testing.T, doc, name string) string {
	t.Helper()
	_, rest, ok := strings.Cut(doc, "<!-- generated: "+name+" -->\n")
	if !ok {
		t.Fatalf("no section %s in\n%s", name, doc)
	}
	body, _, ok := strings.Cut(rest, "<!-- end -->")
	if !ok {
		t.Fatalf("section %s not closed", name)
	}
	return body
}

func TestRewriteDoc(t *testing.T) {
	raw := writeRaw(t, syntheticFiles())
	var names []string
	for n := range docSections {
		names = append(names, n)
	}
	out, err := RewriteDoc([]byte(page(names...)), raw)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(out)
	if strings.Contains(doc, "stale table") {
		t.Errorf("a stale table is left:\n%s", doc)
	}
	for _, n := range names {
		if !strings.Contains(doc, "Before "+n+".\n<!-- generated: "+n+" -->\n") || !strings.Contains(doc, "<!-- end -->\nAfter "+n+".\n") {
			t.Errorf("section %s: the prose around it is not kept", n)
		}
	}
	if !strings.HasPrefix(doc, "# Title\n\nHand-written prose.\n\n") {
		t.Errorf("the page's beginning changed:\n%s", doc)
	}
	for _, c := range []struct{ section, want string }{
		{"size/x86_64", "| ours | 76 | 9.01 | 8.69 | 15 |"},
		{"size/x86_64", "| libseccomp -O2 | 415 | 15.38 | 8.51 | 23 |"},
		// Medians: build 90 µs, export 30 µs; libseccomp's ratios to
		// them and to the unreleased build.
		{"compile/x86_64", "| ours | 90.0 µs | 48 | 30.0 µs | 364 µs | 900 |"},
		{"compile/x86_64", "| ours, unreleased | 140 µs | 79 |  |  |  |"},
		{"compile/x86_64", "| libseccomp -O1 | 3.60 ms (40.0×; 25.7× unreleased) | 48 | 1.80 ms (60.0×) | 3.00 ms | 900 |"},
		{"callgrind", "| ours | 399 k | 1.10 M |"},
		{"callgrind", "| libseccomp -O1 | 6.01 M (15.1×) |  |"},
		// bench.txt and live.txt together: four runs of ours/personality.
		{"live", "| getppid | 130 / 101 (157) | 130 / 101 (157) | 130 / 101 (157) | cached (8 / 15) |"},
		{"live", "| personality | 130 / 101 (157) | 144 / 101 (200) | 130 / 101 (157) | 14 / 20 |"},
		{"live", "*4 runs of each"},
		{"live-weighted", "**JIT on** (41 rounds)"},
		{"live-weighted", "| ours | 308 (287–593) | 26.6 / 39.3 | 9.44 | 0.31% |"},
		{"live-weighted", "| ours, uncached | 333 (302–716) | 51.8 / 54.2 | 10.4 | 100% |"},
		{"live-weighted", "| ours, weighted, uncached | 320 (300–700) | 50.0 / 52.0 | 9.34 | 100% |"},
		{"live-weighted", "*JIT off not measured: writing 0 to net.core.bpf_jit_enable: invalid argument (the kernel is built with CONFIG_BPF_JIT_ALWAYS_ON).*"},
		{"cache/ours", "| x86_64 | filter / runc | 52 / 59 | 349 | 349 | 2 | 0 |"},
		{"cache/ours", "| s390x+s390 (big-endian) | filter / runc | 148 / 159 | 746 | 745 | 4 | 0 |"},
		{"cache/libseccomp", "| x86_64 | 301 / 301 | 298 | 297 | 296 |"},
		{"priority", "| x86_64 | 8.45 | 7.37 | 12.8% | 9.07 → 9.90 | 78 → 78 |"},
		{"summary", "| x86_64: program length | 76 instructions (≤ 110) | 415 | yes |"},
		{"summary", "| compile ≥ 30× faster, x86_64, code generation | 30.0 µs: 60.0× faster than -O1 (1.80 ms), 90.0× than -O2 (2.70 ms) |  | yes |"},
		{"summary", "| live: `personality(0xffffffff)` no slower than -O2 | 144 ns (median) | 130 ns | **no** |"},
		// One runc program misses a cacheable syscall.
		{"summary", "| kernel cache: every argument-independent ALLOW cacheable | not all: see *Kernel action cache* |  | **no** |"},
		{"summary", "| `SetSyscallPriority` honoured in tree mode | 12.8% fewer instructions on a server mix (x86_64) | ignored | yes |"},
		{"notify", "| NotifyRoundTrip/libseccomp | 21000 (20000–22000) | 1.00 |"},
		{"notify", "| NotifyRoundTrip/ours-sync | 10000 | 0.48 |"},
		{"run", "| [`bench.txt`](bench/bench.txt) | `abc1234` | 2026-12-02 01:00 UTC | 160 s |"},
		{"run", "(the last full run took 12 min 3 s)"},
		{"machine", "| kernel | `Linux 6.8` |"},
		{"startup", "*Not measured in this run: bench/startup.txt is missing.*"},
		{"frequency", "*Not measured in this run: bench/frequency.txt is missing.*"},
	} {
		if body := generated(t, doc, c.section); !strings.Contains(body, c.want) {
			t.Errorf("section %s: no %q in\n%s", c.section, c.want, body)
		}
	}
}

// TestRewriteDocEmpty rewrites every section from an empty directory:
// each says it was not measured.
func TestRewriteDocEmpty(t *testing.T) {
	raw := writeRaw(t, nil)
	var names []string
	for n := range docSections {
		names = append(names, n)
	}
	out, err := RewriteDoc([]byte(page(names...)), raw)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		if body := generated(t, string(out), n); !strings.HasPrefix(body, "*Not measured in this run: bench/") {
			t.Errorf("section %s from no raw files: %q", n, body)
		}
	}
}

func TestRewriteDocErrors(t *testing.T) {
	raw := writeRaw(t, syntheticFiles())
	for _, c := range []struct{ doc, want string }{
		{"<!-- generated: nosuch -->\n<!-- end -->\n", `unknown generated section "nosuch"`},
		{"x\n<!-- generated: live -->\ntable\n", `line 2: section "live" is not closed`},
		{"<!-- generated: live -->\n<!-- generated: run -->\n<!-- end -->\n", `line 2: section "live" of line 1 is not closed`},
		{"<!-- generated: live\n", `does not end with " -->"`},
	} {
		_, err := RewriteDoc([]byte(c.doc), raw)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want %q", c.doc, err, c.want)
		}
	}
	// A malformed value in a raw file is an error, not a table.
	bad := writeRaw(t, map[string]string{"bench.txt": "BenchmarkX-2 \t 10\t abc ns/op\n"})
	if _, err := RewriteDoc([]byte("<!-- generated: size/x86_64 -->\n<!-- end -->\n"), bad); err == nil || !strings.Contains(err.Error(), `value "abc"`) {
		t.Errorf("malformed bench.txt: error %v", err)
	}
}

// TestRewriteDocIdempotent checks that a second rewrite changes nothing.
func TestRewriteDocIdempotent(t *testing.T) {
	raw := writeRaw(t, syntheticFiles())
	once, err := RewriteDoc([]byte(page("summary", "live", "startup")), raw)
	if err != nil {
		t.Fatal(err)
	}
	twice, err := RewriteDoc(once, raw)
	if err != nil {
		t.Fatal(err)
	}
	if string(once) != string(twice) {
		t.Errorf("second rewrite differs:\n%s\n---\n%s", once, twice)
	}
}
