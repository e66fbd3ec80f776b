package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Result is one metric of one benchmark, over all the runs of it found in
// the input.
type Result struct {
	// Name is the benchmark's name without "Benchmark" and without the
	// -GOMAXPROCS suffix, such as "Compile/x86_64/ours".
	Name string
	// Group and Series split Name at its last slash; Series is empty
	// for a name without one.
	Group, Series string
	// Unit is the unit of the metric, such as "ns/op".
	Unit string
	// Values holds one value per run, in input order.
	Values []float64
}

// Median returns the median of r's values.
func (r *Result) Median() float64 {
	v := append([]float64(nil), r.Values...)
	sort.Float64s(v)
	n := len(v)
	if n%2 == 1 {
		return v[n/2]
	}
	return (v[n/2-1] + v[n/2]) / 2
}

// Range returns the smallest and largest of r's values.
func (r *Result) Range() (lo, hi float64) {
	lo, hi = r.Values[0], r.Values[0]
	for _, v := range r.Values[1:] {
		lo, hi = min(lo, v), max(hi, v)
	}
	return lo, hi
}

// errNoBenchmarks is returned for an input without benchmark results.
var errNoBenchmarks = errors.New("no benchmark results in the input")

// Parse reads the output of go test -bench and returns its results, in
// order of first appearance. Lines that are not benchmark results (test
// output, "goos:", "PASS", a benchmark's name printed alone by -v) are
// skipped; a result line with a malformed value is an error.
func Parse(r io.Reader) ([]Result, error) {
	var out []Result
	index := map[[2]string]int{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	line := 0
	for sc.Scan() {
		line++
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") || len(f)%2 != 0 {
			continue
		}
		if _, err := strconv.ParseUint(f[1], 10, 64); err != nil {
			continue // not a result line: the count of iterations is missing
		}
		name := trimProcs(strings.TrimPrefix(f[0], "Benchmark"))
		if name == "" {
			return nil, fmt.Errorf("line %d: benchmark without a name", line)
		}
		for i := 2; i < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				return nil, fmt.Errorf("line %d: value %q of %s: %v", line, f[i], f[i+1], err)
			}
			key := [2]string{name, f[i+1]}
			j, ok := index[key]
			if !ok {
				j = len(out)
				index[key] = j
				group, series := name, ""
				if k := strings.LastIndexByte(name, '/'); k >= 0 {
					group, series = name[:k], name[k+1:]
				}
				out = append(out, Result{Name: name, Group: group, Series: series, Unit: f[i+1]})
			}
			out[j].Values = append(out[j].Values, v)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, errNoBenchmarks
	}
	return out, nil
}

// trimProcs removes the -GOMAXPROCS suffix go test adds to a name.
func trimProcs(name string) string {
	i := strings.LastIndexByte(name, '-')
	if i < 0 {
		return name
	}
	if _, err := strconv.Atoi(name[i+1:]); err != nil {
		return name
	}
	return name[:i]
}

// Exclude returns the results whose "name unit" does not match re.
func Exclude(results []Result, re *regexp.Regexp) []Result {
	var out []Result
	for _, r := range results {
		if !re.MatchString(r.Name + " " + r.Unit) {
			out = append(out, r)
		}
	}
	return out
}

// Regroup picks the series of each result by name: the first element of
// its name (split at slashes) that is in series names the series, and
// the other elements, joined again, the group. Results with no such
// element keep their group and series.
func Regroup(results []Result, series []string) []Result {
	out := make([]Result, len(results))
	for i, r := range results {
		out[i] = r
		elems := strings.Split(r.Name, "/")
		for j, e := range elems {
			if slices.Contains(series, e) {
				out[i].Series = e
				out[i].Group = strings.Join(slices.Delete(slices.Clone(elems), j, j+1), "/")
				break
			}
		}
	}
	return out
}
