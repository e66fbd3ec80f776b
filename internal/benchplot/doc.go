package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// The -doc mode rewrites the tables of a Markdown page from the raw
// benchmark output of a directory. A generated part of the page lies
// between a line "<!-- generated: NAME -->" and the next line
// "<!-- end -->"; everything else on the page is left as it is. NAME is
// one of the keys of docSections.

const (
	markerStart = "<!-- generated: "
	markerEnd   = "<!-- end -->"
)

// Raw holds the raw files of one run, read from a directory on demand.
type Raw struct {
	// Dir is the directory of the raw files.
	Dir string
	// Link is how the page links to Dir, such as "bench".
	Link    string
	results map[string][]Result
	texts   map[string]string
}

// errMissing is returned for a raw file the run did not produce.
var errMissing = errors.New("not measured in this run")

// text returns the content of the raw file name, or errMissing.
func (r *Raw) text(name string) (string, error) {
	if t, ok := r.texts[name]; ok {
		return t, nil
	}
	b, err := os.ReadFile(filepath.Join(r.Dir, name))
	if errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("%w: %s/%s is missing", errMissing, r.Link, name)
	}
	if err != nil {
		return "", err
	}
	if r.texts == nil {
		r.texts = map[string]string{}
	}
	r.texts[name] = string(b)
	return string(b), nil
}

// bench returns the benchmark results of the raw files names, together;
// a missing file is errMissing, and so is a file without results.
func (r *Raw) bench(names ...string) ([]Result, error) {
	key := strings.Join(names, "+")
	if rs, ok := r.results[key]; ok {
		return rs, nil
	}
	var all strings.Builder
	for _, name := range names {
		t, err := r.text(name)
		if err != nil {
			return nil, err
		}
		all.WriteString(t)
		all.WriteString("\n")
	}
	rs, err := Parse(strings.NewReader(all.String()))
	if errors.Is(err, errNoBenchmarks) {
		return nil, fmt.Errorf("%w: no benchmark results in %s/%s", errMissing, r.Link, strings.Join(names, ", "))
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", strings.Join(names, ", "), err)
	}
	if r.results == nil {
		r.results = map[string][]Result{}
	}
	r.results[key] = rs
	return rs, nil
}

// find returns the result of name and unit in rs, or nil.
func find(rs []Result, name, unit string) *Result {
	for i := range rs {
		if rs[i].Name == name && rs[i].Unit == unit {
			return &rs[i]
		}
	}
	return nil
}

// median returns the median of the result of name and unit in rs.
func median(rs []Result, name, unit string) (float64, bool) {
	r := find(rs, name, unit)
	if r == nil {
		return 0, false
	}
	return r.Median(), true
}

// docSections generates each named part of the page.
var docSections = map[string]func(*Raw) (string, error){
	"run":                    sectionRun,
	"summary":                sectionSummary,
	"size/x86_64":            func(r *Raw) (string, error) { return sectionSize(r, "x86_64") },
	"size/x86_64+x86+x32":    func(r *Raw) (string, error) { return sectionSize(r, "x86_64+x86+x32") },
	"compile/x86_64":         func(r *Raw) (string, error) { return sectionCompile(r, "x86_64") },
	"compile/x86_64+x86+x32": func(r *Raw) (string, error) { return sectionCompile(r, "x86_64+x86+x32") },
	"callgrind":              sectionCallgrind,
	"live":                   sectionLive,
	"live-weighted":          sectionLiveWeighted,
	"cache/ours":             sectionCacheOurs,
	"cache/libseccomp":       sectionCacheLib,
	"priority":               sectionPriority,
	"startup":                func(r *Raw) (string, error) { return sectionGeneric(r, "startup.txt", "") },
	"frequency":              func(r *Raw) (string, error) { return sectionGeneric(r, "frequency.txt", "") },
	"notify":                 func(r *Raw) (string, error) { return sectionGeneric(r, "notify.txt", "libseccomp") },
	"machine":                sectionMachine,
}

// RewriteDoc returns doc with every generated part replaced by what its
// section of docSections makes from raw. A section whose raw file is
// missing says so in place of its table.
func RewriteDoc(doc []byte, raw *Raw) ([]byte, error) {
	var out bytes.Buffer
	sc := bufio.NewScanner(bytes.NewReader(doc))
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	line := 0
	for sc.Scan() {
		line++
		text := sc.Text()
		out.WriteString(text)
		out.WriteByte('\n')
		name, ok := strings.CutPrefix(strings.TrimSpace(text), markerStart)
		if !ok {
			continue
		}
		name, ok = strings.CutSuffix(name, " -->")
		if !ok {
			return nil, fmt.Errorf("line %d: marker %q does not end with \" -->\"", line, text)
		}
		gen, ok := docSections[name]
		if !ok {
			return nil, fmt.Errorf("line %d: unknown generated section %q (known: %s)", line, name, strings.Join(sectionNames(), ", "))
		}
		start := line
		closed := false
		for sc.Scan() {
			line++
			if t := strings.TrimSpace(sc.Text()); t == markerEnd {
				closed = true
				break
			} else if strings.HasPrefix(t, markerStart) {
				return nil, fmt.Errorf("line %d: section %q of line %d is not closed by %q before the next one", line, name, start, markerEnd)
			}
		}
		if !closed {
			return nil, fmt.Errorf("line %d: section %q is not closed by %q", start, name, markerEnd)
		}
		body, err := gen(raw)
		if errors.Is(err, errMissing) {
			body = "*" + upperFirst(err.Error()) + ".*\n"
		} else if err != nil {
			return nil, fmt.Errorf("section %q: %w", name, err)
		}
		out.WriteString(body)
		if !strings.HasSuffix(body, "\n") {
			out.WriteByte('\n')
		}
		out.WriteString(markerEnd + "\n")
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

func sectionNames() []string {
	var names []string
	for n := range docSections {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// Number formatting.

// sig3 formats v with three significant digits (at least the units).
func sig3(v float64) string {
	switch a := math.Abs(v); {
	case a >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case a >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	default:
		return strconv.FormatFloat(v, 'f', 2, 64)
	}
}

// duration formats a time in nanoseconds, such as "88.2 µs".
func duration(ns float64) string {
	switch {
	case ns >= 1e9:
		return sig3(ns/1e9) + " s"
	case ns >= 1e6:
		return sig3(ns/1e6) + " ms"
	case ns >= 1e3:
		return sig3(ns/1e3) + " µs"
	}
	return sig3(ns) + " ns"
}

// ratio formats a / b, such as "40.4×".
func ratio(a, b float64) string {
	return strconv.FormatFloat(a/b, 'f', 1, 64) + "×"
}

// count formats a large count, such as "399 k" or "1.10 M".
func count(v float64) string {
	switch {
	case v >= 1e9:
		return sig3(v/1e9) + " G"
	case v >= 1e6:
		return sig3(v/1e6) + " M"
	case v >= 1e3:
		return sig3(v/1e3) + " k"
	}
	return sig3(v)
}

// integer formats v without decimals.
func integer(v float64) string { return strconv.FormatFloat(v, 'f', 0, 64) }

// fixed formats v with n decimals.
func fixed(v float64, n int) string { return strconv.FormatFloat(v, 'f', n, 64) }

// seriesLabel is how the tables name a benchmark series.
func seriesLabel(s string) string {
	switch s {
	case "ours-unreleased":
		return "ours, unreleased"
	case "libseccomp-O1":
		return "libseccomp -O1"
	case "libseccomp-O2":
		return "libseccomp -O2"
	case "none":
		return "no filter"
	}
	return s
}

// table writes a Markdown table; align has one of "l", "r" or "c" (left,
// right, centre) per column.
func table(header []string, align string, rows [][]string) string {
	var b strings.Builder
	b.WriteString("| " + strings.Join(header, " | ") + " |\n|")
	for _, a := range align {
		switch a {
		case 'r':
			b.WriteString("---:|")
		case 'c':
			b.WriteString(":---:|")
		default:
			b.WriteString("---|")
		}
	}
	b.WriteString("\n")
	for _, r := range rows {
		b.WriteString("| " + strings.Join(r, " | ") + " |\n")
	}
	return b.String()
}

var compilers = []string{"ours", "libseccomp-O1", "libseccomp-O2"}

// Sections.

// sectionRun lists the raw files with the commit, date and time of the
// step that wrote each, from the "raw FILE: COMMIT | DATE | TIME" lines of
// run.txt, and the total time of the last full run.
func sectionRun(r *Raw) (string, error) {
	kv, err := keyValues(r, "run.txt")
	if err != nil {
		return "", err
	}
	var rows [][]string
	for _, k := range slices.Sorted(maps.Keys(kv)) {
		file, ok := strings.CutPrefix(k, "raw ")
		if !ok {
			continue
		}
		f := strings.Split(kv[k], "|")
		for len(f) < 3 {
			f = append(f, "")
		}
		rows = append(rows, []string{fmt.Sprintf("[`%s`](%s/%s)", file, r.Link, file),
			"`" + strings.TrimSpace(f[0]) + "`", strings.TrimSpace(f[1]), strings.TrimSpace(f[2])})
	}
	if len(rows) == 0 {
		return "", fmt.Errorf("%w: no raw files listed in %s/run.txt", errMissing, r.Link)
	}
	s := "Raw output in [`" + r.Link + "/`](" + r.Link + "/), written by `scripts/perf.sh`"
	if t, ok := kv["total"]; ok {
		s += " (the last full run took " + t + ")"
	}
	s += ":\n\n"
	return s + table([]string{"raw file", "commit", "date", "time taken"}, "lllr", rows), nil
}

func sectionMachine(r *Raw) (string, error) {
	kv, err := keyValues(r, "run.txt")
	if err != nil {
		return "", err
	}
	var rows [][]string
	for _, k := range []string{"cpu", "cpus", "kernel", "bpf_jit_enable", "go", "libseccomp"} {
		if v, ok := kv[k]; ok {
			rows = append(rows, []string{k, "`" + v + "`"})
		}
	}
	return table([]string{"", "this run"}, "ll", rows), nil
}

// keyValues reads "key: value" lines.
func keyValues(r *Raw, name string) (map[string]string, error) {
	t, err := r.text(name)
	if err != nil {
		return nil, err
	}
	kv := map[string]string{}
	for _, line := range strings.Split(t, "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok {
			kv[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	return kv, nil
}

func sectionSize(r *Raw, arches string) (string, error) {
	rs, err := r.bench("bench.txt")
	if err != nil {
		return "", err
	}
	var rows [][]string
	for _, s := range compilers {
		name := "DockerCompile/" + arches + "/" + s
		cells := []string{seriesLabel(s)}
		for _, u := range []struct {
			unit string
			dec  int
		}{{"insns", 0}, {"steps-allowed-mean", 2}, {"steps-mean", 2}, {"steps-max", 0}} {
			v, ok := median(rs, name, u.unit)
			if !ok {
				return "", fmt.Errorf("%w: no %s %s in %s/bench.txt", errMissing, name, u.unit, r.Link)
			}
			cells = append(cells, fixed(v, u.dec))
		}
		rows = append(rows, cells)
	}
	return table([]string{"", "instructions", "mean steps, allowed", "mean steps, all", "max steps"}, "lrrrr", rows), nil
}

func sectionCompile(r *Raw, arches string) (string, error) {
	rs, err := r.bench("bench.txt")
	if err != nil {
		return "", err
	}
	get := func(bench, series, unit string) (float64, bool) {
		return median(rs, bench+"/"+arches+"/"+series, unit)
	}
	build, ok1 := get("DockerBuild", "ours", "ns/op")
	export, ok2 := get("DockerExport", "ours", "ns/op")
	if !ok1 || !ok2 {
		return "", fmt.Errorf("%w: no DockerBuild or DockerExport of %s in %s/bench.txt", errMissing, arches, r.Link)
	}
	unreleased, hasUnreleased := get("DockerBuild", "ours-unreleased", "ns/op")
	cell := func(bench, series, unit string, f func(float64) string) string {
		v, ok := get(bench, series, unit)
		if !ok {
			return ""
		}
		return f(v)
	}
	var rows [][]string
	for _, s := range []string{"ours", "ours-unreleased", "libseccomp-O1", "libseccomp-O2"} {
		if _, ok := get("DockerBuild", s, "ns/op"); !ok {
			continue
		}
		b := cell("DockerBuild", s, "ns/op", duration)
		e := cell("DockerExport", s, "ns/op", duration)
		if strings.HasPrefix(s, "libseccomp") {
			v, _ := get("DockerBuild", s, "ns/op")
			b += " (" + ratio(v, build)
			if hasUnreleased {
				b += "; " + ratio(v, unreleased) + " unreleased"
			}
			b += ")"
			if ve, ok := get("DockerExport", s, "ns/op"); ok {
				e += " (" + ratio(ve, export) + ")"
			}
		}
		rows = append(rows, []string{seriesLabel(s),
			b, cell("DockerBuild", s, "allocs/op", integer), e,
			cell("DockerCompile", s, "ns/op", duration), cell("DockerCompile", s, "allocs/op", integer)})
	}
	return table([]string{"", "build + export", "allocs/op", "export alone", "build + export (+ proof for ours)", "allocs/op"}, "lrrrrr", rows), nil
}

// sectionCallgrind reads callgrind.txt: lines "NAME INSTRUCTIONS", the
// instructions of one build + export of the benchmark NAME
// (DockerBuild/ARCHES/SERIES).
func sectionCallgrind(r *Raw) (string, error) {
	t, err := r.text("callgrind.txt")
	if err != nil {
		return "", err
	}
	insns := map[string]float64{}
	for _, line := range strings.Split(t, "\n") {
		f := strings.Fields(line)
		if len(f) != 2 {
			continue
		}
		v, err := strconv.ParseFloat(f[1], 64)
		if err != nil {
			return "", fmt.Errorf("%s/callgrind.txt: %q: %v", r.Link, line, err)
		}
		insns[f[0]] = v
	}
	if len(insns) == 0 {
		return "", fmt.Errorf("%w: no counts in %s/callgrind.txt", errMissing, r.Link)
	}
	sets := []string{"x86_64", "x86_64+x86+x32"}
	var rows [][]string
	for _, s := range []string{"ours", "ours-unreleased", "libseccomp-O1", "libseccomp-O2"} {
		row := []string{seriesLabel(s)}
		measured := false
		for _, set := range sets {
			v, ok := insns["DockerBuild/"+set+"/"+s]
			if !ok {
				row = append(row, "")
				continue
			}
			measured = true
			c := count(v)
			if base, ok := insns["DockerBuild/"+set+"/ours"]; ok && s != "ours" && strings.HasPrefix(s, "libseccomp") {
				c += " (" + ratio(v, base) + ")"
			}
			row = append(row, c)
		}
		if measured {
			rows = append(rows, row)
		}
	}
	return table(append([]string{""}, sets...), "lrr", rows), nil
}

var liveCalls = []string{"getppid", "personality", "acct"}

func sectionLive(r *Raw) (string, error) {
	rs, err := r.bench("bench.txt", "live.txt")
	if err != nil {
		return "", err
	}
	filters := []string{"none", "ours", "libseccomp-O2"}
	var rows [][]string
	runs := 0
	for _, call := range liveCalls {
		row := []string{call}
		for _, f := range filters {
			res := find(rs, "LiveSyscall/"+f+"/"+call, "ns/syscall")
			if res == nil {
				row = append(row, "")
				continue
			}
			runs = max(runs, len(res.Values))
			lo, hi := res.Range()
			row = append(row, fmt.Sprintf("%s / %s (%s)", integer(res.Median()), integer(lo), integer(hi)))
		}
		var insns []string
		cached := true
		for _, f := range filters[1:] {
			v, ok := median(rs, "LiveSyscall/"+f+"/"+call, "insns/syscall")
			if !ok {
				insns = nil
				break
			}
			insns = append(insns, integer(v))
			if runs, ok := median(rs, "LiveSyscall/"+f+"/"+call, "bpf-runs/syscall"); !ok || runs != 0 {
				cached = false
			}
		}
		switch {
		case insns == nil:
			row = append(row, "not in this output")
		case cached:
			row = append(row, "cached ("+strings.Join(insns, " / ")+")")
		default:
			row = append(row, strings.Join(insns, " / "))
		}
		rows = append(rows, row)
	}
	if runs == 0 {
		return "", fmt.Errorf("%w: no LiveSyscall results in %s/bench.txt or %s/live.txt", errMissing, r.Link, r.Link)
	}
	s := table([]string{"ns per syscall: median / fastest run (slowest)", "no filter", "ours", "libseccomp -O2", "instructions run, ours / libseccomp -O2"}, "lrrrr", rows)
	return s + fmt.Sprintf("\n*%d runs of each, from `%s/bench.txt` and `%s/live.txt`.*\n", runs, r.Link, r.Link), nil
}

var weightedFilters = []string{"none", "ours", "ours-weighted", "libseccomp-O1", "libseccomp-O2",
	"ours-uncached", "ours-weighted-uncached", "libseccomp-O1-uncached", "libseccomp-O2-uncached"}

func weightedLabel(f string) string {
	if base, ok := strings.CutSuffix(f, "-uncached"); ok {
		return weightedLabel(base) + ", uncached"
	}
	if f == "ours-weighted" {
		return "ours, weighted"
	}
	return seriesLabel(f)
}

func sectionLiveWeighted(r *Raw) (string, error) {
	rs, err := r.bench("live-weighted.txt")
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, mode := range []string{"jit-on", "jit-off"} {
		if find(rs, "LiveWeighted/"+mode+"/none", "ns/syscall") == nil {
			continue
		}
		var rows [][]string
		rounds := 0.0
		for _, f := range weightedFilters {
			name := "LiveWeighted/" + mode + "/" + f
			ns, ok := median(rs, name, "ns/syscall")
			if !ok {
				continue
			}
			lo, _ := median(rs, name, "ns/syscall-min")
			hi, _ := median(rs, name, "ns/syscall-max")
			n, _ := median(rs, name, "rounds")
			rounds = max(rounds, n)
			row := []string{weightedLabel(f), fmt.Sprintf("%s (%s–%s)", integer(ns), integer(lo), integer(hi))}
			if f == "none" {
				row = append(row, "", "", "")
			} else {
				over, _ := median(rs, name, "ns-over-none")
				overMin, _ := median(rs, name, "ns-over-none-min")
				insns, _ := median(rs, name, "insns/syscall")
				runs, _ := median(rs, name, "bpf-runs/syscall")
				row = append(row, fmt.Sprintf("%s / %s", sig3(over), sig3(overMin)), sig3(insns), sig3(100*runs)+"%")
			}
			rows = append(rows, row)
		}
		fmt.Fprintf(&b, "**JIT %s** (%s rounds)\n\n", strings.TrimPrefix(mode, "jit-"), integer(rounds))
		b.WriteString(table([]string{"filter", "ns per syscall: median (fastest–slowest round)", "over no filter: median of rounds / fastest rounds", "instructions per call if the filter runs", "calls that run the filter"}, "lrrrr", rows))
		b.WriteString("\n")
	}
	if b.Len() == 0 {
		return "", fmt.Errorf("%w: no LiveWeighted results in %s/live-weighted.txt", errMissing, r.Link)
	}
	notes, _ := sectionJITNotes(r)
	b.WriteString(notes)
	return strings.TrimRight(b.String(), "\n") + "\n", nil
}

// sectionJITNotes quotes the lines of live-weighted.txt that say why a JIT
// setting was not measured.
func sectionJITNotes(r *Raw) (string, error) {
	t, err := r.text("live-weighted.txt")
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, line := range strings.Split(t, "\n") {
		if rest, ok := strings.CutPrefix(line, "LiveWeighted: "); ok {
			rest = strings.TrimSpace(rest)
			for mode, label := range map[string]string{"jit-on ": "JIT on ", "jit-off ": "JIT off "} {
				if r, ok := strings.CutPrefix(rest, mode); ok {
					rest = label + r
				}
			}
			b.WriteString("*" + upperFirst(rest) + ".*\n")
		}
	}
	return b.String(), nil
}

// testRun matches a "=== RUN   Test/sub" line.
var testRun = regexp.MustCompile(`^=== RUN\s+(\S+)`)

var cacheLine = regexp.MustCompile(`(filter|runc) program \((\d+) instructions\): (\d+) syscalls ALLOWed whatever the arguments, (\d+) of them cacheable; (\d+) ALLOWed depending on the arguments, (\d+) of them cacheable`)

// cacheSet is what TestKernelCacheDockerDefault logs for one
// architecture set.
type cacheSet struct {
	name         string
	insns        map[string]string
	allowConst   string
	cached       string
	allowArgs    string
	cachedArgs   string
	allCacheable bool
	noArgsCached bool
}

func cacheSets(r *Raw) ([]*cacheSet, error) {
	t, err := r.text("tests.txt")
	if err != nil {
		return nil, err
	}
	var sets []*cacheSet
	var cur *cacheSet
	for _, line := range strings.Split(t, "\n") {
		if m := testRun.FindStringSubmatch(line); m != nil {
			cur = nil
			if set, ok := strings.CutPrefix(m[1], "TestKernelCacheDockerDefault/"); ok {
				cur = &cacheSet{name: set, insns: map[string]string{}, allCacheable: true, noArgsCached: true}
				sets = append(sets, cur)
			}
			continue
		}
		m := cacheLine.FindStringSubmatch(line)
		if m == nil || cur == nil {
			continue
		}
		cur.insns[m[1]] = m[2]
		cur.allowConst, cur.cached, cur.allowArgs, cur.cachedArgs = m[3], m[4], m[5], m[6]
		cur.allCacheable = cur.allCacheable && m[3] == m[4]
		cur.noArgsCached = cur.noArgsCached && m[6] == "0"
	}
	if len(sets) == 0 {
		return nil, fmt.Errorf("%w: no TestKernelCacheDockerDefault in %s/tests.txt", errMissing, r.Link)
	}
	return sets, nil
}

// bigEndian reports whether the architecture set is big-endian.
func bigEndian(set string) bool {
	return strings.HasPrefix(set, "s390") || (strings.HasPrefix(set, "mips") && !strings.HasPrefix(set, "mipsel"))
}

func sectionCacheOurs(r *Raw) (string, error) {
	sets, err := cacheSets(r)
	if err != nil {
		return "", err
	}
	var rows [][]string
	for _, s := range sets {
		name := s.name
		if bigEndian(name) {
			name += " (big-endian)"
		}
		rows = append(rows, []string{name, "filter / runc", s.insns["filter"] + " / " + s.insns["runc"],
			s.allowConst, s.cached, s.allowArgs, s.cachedArgs})
	}
	return table([]string{"architectures", "program", "instructions", "allowed whatever the arguments", "of them cacheable", "allowed depending on the arguments", "of them cacheable"}, "llrrrrr", rows), nil
}

var coverageLine = regexp.MustCompile(`docker-default\s+(\S+)\s+(\S+)\s+(\d+) probes allowed, (\d+) of them cacheable`)

func sectionCacheLib(r *Raw) (string, error) {
	t, err := r.text("tests.txt")
	if err != nil {
		return "", err
	}
	type cov struct{ allowed, cached map[string]string }
	var order []string
	sets := map[string]*cov{}
	for _, line := range strings.Split(t, "\n") {
		m := coverageLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		c := sets[m[1]]
		if c == nil {
			c = &cov{allowed: map[string]string{}, cached: map[string]string{}}
			sets[m[1]] = c
			order = append(order, m[1])
		}
		c.allowed[m[2]], c.cached[m[2]] = m[3], m[4]
	}
	if len(order) == 0 {
		return "", fmt.Errorf("%w: no TestDockerCacheCoverage in %s/tests.txt", errMissing, r.Link)
	}
	var rows [][]string
	for _, set := range order {
		c := sets[set]
		rows = append(rows, []string{set, c.allowed["ours"] + " / " + c.allowed["libseccomp-O2"],
			c.cached["ours"], c.cached["libseccomp-O1"], c.cached["libseccomp-O2"]})
	}
	return table([]string{"architectures", "allowed probes (ours / libseccomp)", "cacheable: ours", "libseccomp -O1", "libseccomp -O2"}, "lrrrr", rows), nil
}

var priorityLine = regexp.MustCompile(`(\S+): mean instructions per syscall over the mix: ([\d.]+) without priorities, ([\d.]+) with \(([-\d.]+)% fewer\); program (\d+) -> (\d+) instructions; mean over allowed syscalls ([\d.]+) -> ([\d.]+)`)

// priorities returns the lines TestPriorityGain logs, by architecture set.
func priorities(r *Raw) ([][]string, error) {
	t, err := r.text("tests.txt")
	if err != nil {
		return nil, err
	}
	var out [][]string
	for _, line := range strings.Split(t, "\n") {
		if m := priorityLine.FindStringSubmatch(line); m != nil {
			out = append(out, m[1:])
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: no TestPriorityGain in %s/tests.txt", errMissing, r.Link)
	}
	return out, nil
}

func sectionPriority(r *Raw) (string, error) {
	ps, err := priorities(r)
	if err != nil {
		return "", err
	}
	var rows [][]string
	for _, m := range ps {
		rows = append(rows, []string{m[0], m[1], m[2], m[3] + "%", m[6] + " → " + m[7], m[4] + " → " + m[5]})
	}
	return table([]string{"architectures", "instructions per syscall over the mix, without priorities", "with priorities", "gain", "mean over allowed syscalls (x86_64 token, −1..1023), without → with", "program length"}, "lrrrrr", rows), nil
}

// sectionGeneric tabulates every benchmark of a raw file: a row per
// benchmark, a column per unit, each cell the median and, over several
// runs, the range. With baseline set, a last column gives each row's
// ns/op as a ratio to the row whose last name element is baseline.
func sectionGeneric(r *Raw, file, baseline string) (string, error) {
	rs, err := r.bench(file)
	if err != nil {
		return "", err
	}
	var names, units []string
	cell := map[[2]string]*Result{}
	runs := 0
	for i := range rs {
		res := &rs[i]
		if !slices.Contains(names, res.Name) {
			names = append(names, res.Name)
		}
		if !slices.Contains(units, res.Unit) {
			units = append(units, res.Unit)
		}
		cell[[2]string{res.Name, res.Unit}] = res
		runs = max(runs, len(res.Values))
	}
	var base *Result
	if baseline != "" {
		for _, n := range names {
			if n == baseline || strings.HasSuffix(n, "/"+baseline) {
				base = cell[[2]string{n, "ns/op"}]
			}
		}
	}
	header := append([]string{"benchmark"}, units...)
	align := "l" + strings.Repeat("r", len(units))
	if base != nil {
		header = append(header, "ns/op / "+baseline+"'s")
		align += "r"
	}
	var rows [][]string
	for _, n := range names {
		row := []string{n}
		for _, u := range units {
			res := cell[[2]string{n, u}]
			if res == nil {
				row = append(row, "")
				continue
			}
			c := sig3(res.Median())
			if len(res.Values) > 1 {
				lo, hi := res.Range()
				if lo != hi {
					c += " (" + sig3(lo) + "–" + sig3(hi) + ")"
				}
			}
			row = append(row, c)
		}
		if base != nil {
			if res := cell[[2]string{n, "ns/op"}]; res != nil {
				row = append(row, fixed(res.Median()/base.Median(), 2))
			} else {
				row = append(row, "")
			}
		}
		rows = append(rows, row)
	}
	s := table(header, align, rows)
	return s + fmt.Sprintf("\n*Medians of %d runs (range in parentheses), from `%s/%s`.*\n", runs, r.Link, file), nil
}

// Summary targets.
type sizeTarget struct {
	arches                string
	insns, mean, maxSteps float64
}

var sizeTargets = []sizeTarget{
	{"x86_64", 110, 11.5, 16},
	{"x86_64+x86+x32", 330, 12.5, 18},
}

func yes(ok bool) string {
	if ok {
		return "yes"
	}
	return "**no**"
}

func sectionSummary(r *Raw) (string, error) {
	rs, err := r.bench("bench.txt")
	if err != nil {
		return "", err
	}
	var rows [][]string
	for _, t := range sizeTargets {
		get := func(series, unit string) (float64, bool) {
			return median(rs, "DockerCompile/"+t.arches+"/"+series, unit)
		}
		for _, m := range []struct {
			label, unit string
			limit       float64
			dec         int
			suffix      string
		}{
			{"program length", "insns", t.insns, 0, " instructions"},
			{"mean steps over allowed syscalls", "steps-allowed-mean", t.mean, 2, ""},
			{"max steps", "steps-max", t.maxSteps, 0, ""},
		} {
			o, ok1 := get("ours", m.unit)
			l, ok2 := get("libseccomp-O2", m.unit)
			if !ok1 || !ok2 {
				continue
			}
			rows = append(rows, []string{t.arches + ": " + m.label,
				fmt.Sprintf("%s%s (≤ %s)", fixed(o, m.dec), m.suffix, strconv.FormatFloat(m.limit, 'f', -1, 64)),
				fixed(l, m.dec), yes(o <= m.limit)})
		}
	}
	for _, arches := range []string{"x86_64", "x86_64+x86+x32"} {
		for _, c := range []struct{ bench, label string }{{"DockerExport", "code generation"}, {"DockerBuild", "rules + code generation"}} {
			o, ok := median(rs, c.bench+"/"+arches+"/ours", "ns/op")
			l1, ok1 := median(rs, c.bench+"/"+arches+"/libseccomp-O1", "ns/op")
			l2, ok2 := median(rs, c.bench+"/"+arches+"/libseccomp-O2", "ns/op")
			if !ok || !ok1 || !ok2 {
				continue
			}
			rows = append(rows, []string{"compile ≥ 30× faster, " + arches + ", " + c.label,
				fmt.Sprintf("%s: %s faster than -O1 (%s), %s than -O2 (%s)", duration(o), ratio(l1, o), duration(l1), ratio(l2, o), duration(l2)),
				"", yes(l1/o >= 30 && l2/o >= 30)})
		}
	}
	if live, err := r.bench("bench.txt", "live.txt"); err == nil {
		for _, c := range []struct{ call, label string }{{"personality", "`personality(0xffffffff)`"}, {"acct", "`acct(NULL)`"}} {
			o, ok1 := median(live, "LiveSyscall/ours/"+c.call, "ns/syscall")
			l, ok2 := median(live, "LiveSyscall/libseccomp-O2/"+c.call, "ns/syscall")
			if ok1 && ok2 {
				rows = append(rows, []string{"live: " + c.label + " no slower than -O2", integer(o) + " ns (median)", integer(l) + " ns", yes(o <= l)})
			}
		}
	}
	if sets, err := cacheSets(r); err == nil {
		ok := true
		for _, s := range sets {
			ok = ok && s.allCacheable && s.noArgsCached
		}
		v := "all of them, on every archMap set"
		if !ok {
			v = "not all: see *Kernel action cache*"
		}
		rows = append(rows, []string{"kernel cache: every argument-independent ALLOW cacheable", v, "", yes(ok)})
	}
	if ps, err := priorities(r); err == nil {
		gain, _ := strconv.ParseFloat(ps[0][3], 64)
		rows = append(rows, []string{"`SetSyscallPriority` honoured in tree mode",
			fmt.Sprintf("%s%% fewer instructions on a server mix (%s)", ps[0][3], ps[0][0]), "ignored", yes(gain > 0)})
	}
	rows = append(rows, startupTargets(r)...)
	rows = append(rows, frequencyTargets(r)...)
	rows = append(rows, notifyTargets(r)...)
	return table([]string{"target", "measured (seccomp-go)", "libseccomp -O2", "met?"}, "lrrc", rows), nil
}

// startupTargets are the summary rows of the start-up targets: the
// module's package inits (BenchmarkInit) and the whole-process compile
// (BenchmarkWholeProcess), from startup.txt.
func startupTargets(r *Raw) [][]string {
	rs, err := r.bench("startup.txt")
	if err != nil {
		return nil
	}
	var rows [][]string
	if us, ok := median(rs, "Init", "init-µs"); ok {
		rows = append(rows, []string{"import: the module's package inits ≤ 50 µs", fixed(us, 1) + " µs", "", yes(us <= 50)})
	}
	o, ok1 := median(rs, "WholeProcess/ours", "ns/op")
	l, ok2 := median(rs, "WholeProcess/libseccomp", "ns/op")
	if ok1 && ok2 {
		measured := fmt.Sprintf("%s: %s× (libseccomp-golang %s)", duration(o), fixed(o/l, 2), duration(l))
		if f, ok := median(rs, "WholeProcess/floor", "ns/op"); ok {
			measured += fmt.Sprintf("; a Go program that only reads and writes: %s, %s×", duration(f), fixed(f/l, 2))
		}
		rows = append(rows, []string{"whole process: `scmp compile`, x86_64+x86+x32, ≤ 0.12× a libseccomp-golang build",
			measured, "", yes(o/l <= 0.12)})
	}
	return rows
}

// frequencyTargets are the summary rows of the frequency-guided layout:
// for each recorded mix, the weighted program against the unweighted one
// and libseccomp -O2, in instructions per call (frequency.txt).
func frequencyTargets(r *Raw) [][]string {
	rs, err := r.bench("frequency.txt")
	if err != nil {
		return nil
	}
	var rows [][]string
	seen := map[string]bool{}
	for _, b := range rs {
		group, ok := strings.CutSuffix(b.Name, "/ours-weighted")
		if !ok || seen[group] {
			continue
		}
		seen[group] = true
		w, ok1 := median(rs, group+"/ours-weighted", "steps/call")
		p, ok2 := median(rs, group+"/ours-plain", "steps/call")
		l, ok3 := median(rs, group+"/libseccomp-O2", "steps/call")
		if !ok1 || !ok2 || !ok3 {
			continue
		}
		rows = append(rows, []string{"layout for a mix (" + strings.TrimPrefix(group, "WeightedSteps/") + "): fewer instructions per call than unweighted and -O2",
			fmt.Sprintf("%s weighted, %s unweighted", fixed(w, 2), fixed(p, 2)), fixed(l, 2), yes(w < p && w < l)})
	}
	return rows
}

// notifyTargets are the summary rows of the notification round trip
// (notify.txt): ours against libseccomp's, without allocations, and the
// synchronous wake-up against ours.
func notifyTargets(r *Raw) [][]string {
	rs, err := r.bench("notify.txt")
	if err != nil {
		return nil
	}
	var rows [][]string
	o, ok1 := median(rs, "NotifyRoundTrip/ours", "ns/op")
	l, ok2 := median(rs, "NotifyRoundTrip/libseccomp", "ns/op")
	a, ok3 := median(rs, "NotifyRoundTrip/ours", "allocs/op")
	if ok1 && ok2 && ok3 {
		rows = append(rows, []string{"notification round trip ≤ 1.0× libseccomp's, no allocation",
			fmt.Sprintf("%s: %s×, %s allocs", duration(o), fixed(o/l, 2), fixed(a, 0)), duration(l), yes(o <= l && a == 0)})
	}
	if s, ok := median(rs, "NotifyRoundTrip/ours-sync", "ns/op"); ok && ok1 {
		rows = append(rows, []string{"synchronous wake-up ≤ 0.6× ours",
			fmt.Sprintf("%s: %s×", duration(s), fixed(s/o, 2)), "", yes(s <= 0.6*o)})
	}
	return rows
}
