//go:build ignore

// Testcount summarises the output of `go test -json` for compat.sh.
//
// Usage:
//
//	go test -json ... | testcount -skips SKIPS.txt [GINKGO-REPORT.json...]
//
// It counts the pass, fail and skip events of tests and subtests (the
// `--- PASS`, `--- FAIL` and `--- SKIP` lines of `go test -v`) and prints
// them on one line:
//
//	134 passed, 0 failed, 2 skipped
//
// Given Ginkgo JSON reports (written by the test binaries'
// -ginkgo.json-report flag), it also counts their It specs and appends
// "; ginkgo specs: N passed, N failed, N skipped".
//
// The file named by -skips receives one sorted line per skipped test or
// spec, "package test: reason", where the reason is what the test logged.
// compat.sh compares these files between the two runs of a suite.
//
// For every failed test, and for every package that failed (a build error
// included), testcount prints the output it saw on standard error, so the
// log explains the failure.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"sort"
	"strings"
)

// event is one line of `go test -json` (see `go doc test2json`).
type event struct {
	Action     string
	Package    string
	ImportPath string // build-output and build-fail events
	Test       string
	Output     string
}

// counts tallies the outcomes of tests or specs.
type counts struct {
	passed, failed, skipped int
}

func (c counts) String() string {
	return fmt.Sprintf("%d passed, %d failed, %d skipped", c.passed, c.failed, c.skipped)
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("testcount: ")
	skipsFile := flag.String("skips", "", "`file` to write the skipped tests and their reasons to")
	flag.Parse()
	if *skipsFile == "" {
		log.Fatal("usage: go test -json ... | testcount -skips FILE [GINKGO-REPORT.json...]")
	}

	tests, skips, err := readEvents(os.Stdin, os.Stderr)
	if err != nil {
		log.Fatal(err)
	}
	line := tests.String()
	if flag.NArg() > 0 {
		var specs counts
		for _, report := range flag.Args() {
			c, specSkips, err := readGinkgo(report)
			if err != nil {
				log.Fatal(err)
			}
			specs.passed += c.passed
			specs.failed += c.failed
			specs.skipped += c.skipped
			skips = append(skips, specSkips...)
		}
		line += "; ginkgo specs: " + specs.String()
	}
	sort.Strings(skips)
	var b strings.Builder
	for _, s := range skips {
		b.WriteString(s)
		b.WriteByte('\n')
	}
	if err := os.WriteFile(*skipsFile, []byte(b.String()), 0o644); err != nil {
		log.Fatal(err)
	}
	fmt.Println(line)
}

// readEvents reads a `go test -json` stream. It returns the counts of test
// outcomes and one "package test: reason" line per skipped test, and writes
// the output of failed tests and packages to failures. Lines that are not
// JSON (go test prints some build errors that way) are copied to failures.
func readEvents(r io.Reader, failures io.Writer) (counts, []string, error) {
	var c counts
	var skips []string
	// output collects each test's lines until its outcome is known; the
	// key "" holds a package's lines outside any test.
	output := make(map[string]map[string][]string)
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		line := sc.Bytes()
		var e event
		if len(line) == 0 || line[0] != '{' || json.Unmarshal(line, &e) != nil {
			fmt.Fprintf(failures, "%s\n", line)
			continue
		}
		pkg := e.Package
		if pkg == "" {
			pkg = e.ImportPath
		}
		if output[pkg] == nil {
			output[pkg] = make(map[string][]string)
		}
		switch e.Action {
		case "output", "build-output":
			output[pkg][e.Test] = append(output[pkg][e.Test], e.Output)
			continue
		case "build-fail":
			fmt.Fprintf(failures, "--- build of %s failed:\n%s", pkg, strings.Join(output[pkg][""], ""))
			delete(output, pkg)
			continue
		case "pass", "fail", "skip":
		default:
			continue
		}
		lines := output[pkg][e.Test]
		delete(output[pkg], e.Test)
		if e.Test == "" {
			// A package's outcome; its tests were counted already.
			if e.Action == "fail" {
				fmt.Fprintf(failures, "--- package %s failed:\n%s", pkg, strings.Join(lines, ""))
			}
			continue
		}
		switch e.Action {
		case "pass":
			c.passed++
		case "fail":
			c.failed++
			fmt.Fprintf(failures, "--- %s %s failed:\n%s", pkg, e.Test, strings.Join(lines, ""))
		case "skip":
			c.skipped++
			skips = append(skips, fmt.Sprintf("%s %s: %s", pkg, e.Test, skipReason(lines)))
		}
	}
	return c, skips, sc.Err()
}

// skipReason returns what a skipped test logged, without go test's own
// framing lines, on one line.
func skipReason(lines []string) string {
	var parts []string
	for _, l := range lines {
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(t, "=== ") || strings.HasPrefix(t, "--- ") {
			continue
		}
		parts = append(parts, t)
	}
	return strings.Join(parts, " | ")
}

// ginkgoSpec is the part of a Ginkgo v2 SpecReport that testcount reads.
type ginkgoSpec struct {
	LeafNodeType            string
	LeafNodeText            string
	ContainerHierarchyTexts []string
	State                   string
	Failure                 struct{ Message string }
}

// readGinkgo counts the It specs of a Ginkgo JSON report by state and
// returns one "ginkgo SUITE spec: reason" line per skipped spec.
func readGinkgo(name string) (counts, []string, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return counts{}, nil, fmt.Errorf("reading the Ginkgo report: %v", err)
	}
	var suites []struct {
		SuiteDescription string
		SpecReports      []ginkgoSpec
	}
	if err := json.Unmarshal(data, &suites); err != nil {
		return counts{}, nil, fmt.Errorf("parsing the Ginkgo report %s: %v", name, err)
	}
	var c counts
	var skips []string
	for _, s := range suites {
		for _, spec := range s.SpecReports {
			if spec.LeafNodeType != "It" {
				continue
			}
			text := strings.Join(append(spec.ContainerHierarchyTexts, spec.LeafNodeText), " ")
			switch spec.State {
			case "passed":
				c.passed++
			case "skipped", "pending":
				c.skipped++
				skips = append(skips, fmt.Sprintf("ginkgo %s %s: %s", s.SuiteDescription, text, strings.TrimSpace(spec.Failure.Message)))
			default:
				c.failed++
				fmt.Fprintf(os.Stderr, "--- ginkgo spec %q %s: %s\n", text, spec.State, spec.Failure.Message)
			}
		}
	}
	return c, skips, nil
}
