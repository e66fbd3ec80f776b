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
package main

import (
	"flag"
	"fmt"
	"os"
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
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: benchplot [flags] < bench.txt > chart.svg\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 0 {
		flag.Usage()
		os.Exit(2)
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
