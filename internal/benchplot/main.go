// Command benchplot turns the output of go test -bench into an SVG bar
// chart:
//
//	go test -run '^$' -bench . -count 3 > bench.txt
//	go run ./internal/benchplot < bench.txt > performance.svg
//
// Each unit reported by the benchmarks (ns/op, allocs/op, and any metric
// given to testing.B.ReportMetric) gets a panel of horizontal bars. A
// benchmark named Group/Series, such as BenchmarkCompile/x86_64/ours, is
// drawn as the bar of series "ours" in group "Compile/x86_64"; bars of one
// series share a colour across panels. When a benchmark was run several
// times (-count), the bar shows the median and a whisker the range.
//
// Flags:
//
//	-title string    title of the chart
//	-units list      comma-separated units to draw, in this order (default: all, in order of appearance)
//	-log list        comma-separated units to draw on a logarithmic scale, or "auto" (the default):
//	                 the units whose values span more than two decades
//	-series list     comma-separated series names: the element of a benchmark's name that is one of
//	                 them names its series, wherever it is, and the other elements its group
//	                 (default: the last element names the series)
//	-exclude regexp  leave out the results whose "name unit" matches, such as "Live.* ns/op"
//	-width n         width of the chart in pixels (default 960)
//
// With -doc, benchplot instead rewrites the tables of a Markdown page
// from the raw benchmark output in a directory:
//
//	go run ./internal/benchplot -doc docs/PERFORMANCE.md -raw docs/bench
//
// The page marks each generated part with a line
// "<!-- generated: NAME -->" before it and "<!-- end -->" after it; the
// text between is replaced, the rest of the page kept. NAME names what
// is generated (run, summary, size/ARCHES, compile/ARCHES, callgrind,
// live, live-weighted, cache/ours, cache/libseccomp, priority, startup,
// frequency, notify, machine) and the raw files it reads: bench.txt and
// live.txt (go test -bench output of difftest's side-by-side benchmarks
// and longer LiveSyscall runs), live-weighted.txt, startup.txt,
// frequency.txt, notify.txt, tests.txt (go test -v output of the tests
// behind the cache and priority tables), callgrind.txt (lines "NAME
// INSTRUCTIONS" per build + export) and run.txt ("key: value" lines
// about the run). A part whose raw file is missing says that it was not
// measured in this run.
//
//	-doc file        Markdown page to rewrite in place
//	-raw dir         directory of the raw files (default: bench beside the page)
//	-link path       how the page links to that directory (default: bench)
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

func main() {
	title := flag.String("title", "Benchmarks", "title of the chart")
	units := flag.String("units", "", "comma-separated units to draw, in this order (default: all)")
	logUnits := flag.String("log", "auto", `comma-separated units to draw on a logarithmic scale, or "auto"`)
	series := flag.String("series", "", "comma-separated series names, wherever they are in a benchmark's name")
	exclude := flag.String("exclude", "", `leave out the results whose "name unit" matches this regular expression`)
	width := flag.Int("width", 960, "width of the chart in pixels")
	doc := flag.String("doc", "", "Markdown page whose generated tables to rewrite in place from -raw")
	rawDir := flag.String("raw", "", "directory of the raw files for -doc (default: bench beside the page)")
	link := flag.String("link", "bench", "how the -doc page links to the -raw directory")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: benchplot [flags] < bench.txt > chart.svg\n       benchplot -doc PAGE.md [-raw DIR] [-link PATH]\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 0 {
		flag.Usage()
		os.Exit(2)
	}
	if *doc != "" {
		dir := *rawDir
		if dir == "" {
			dir = filepath.Join(filepath.Dir(*doc), "bench")
		}
		if err := rewriteFile(*doc, &Raw{Dir: dir, Link: *link}); err != nil {
			fmt.Fprintln(os.Stderr, "benchplot:", err)
			os.Exit(1)
		}
		return
	}
	results, err := Parse(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchplot:", err)
		os.Exit(1)
	}
	if *exclude != "" {
		re, err := regexp.Compile(*exclude)
		if err != nil {
			fmt.Fprintln(os.Stderr, "benchplot: -exclude:", err)
			os.Exit(2)
		}
		results = Exclude(results, re)
	}
	if *series != "" {
		results = Regroup(results, split(*series))
	}
	opts := Options{Title: *title, Width: *width, Units: split(*units), Log: map[string]bool{}}
	if *logUnits == "auto" {
		opts.AutoLog = true
	} else {
		for _, u := range split(*logUnits) {
			opts.Log[u] = true
		}
	}
	svg, err := Render(results, opts)
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchplot:", err)
		os.Exit(1)
	}
	if _, err := os.Stdout.Write(svg); err != nil {
		fmt.Fprintln(os.Stderr, "benchplot:", err)
		os.Exit(1)
	}
}

// rewriteFile rewrites the generated parts of the page at path.
func rewriteFile(path string, raw *Raw) error {
	old, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	doc, err := RewriteDoc(old, raw)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, doc, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// split splits a comma-separated list, dropping empty items.
func split(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
