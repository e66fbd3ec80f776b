package main

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

const sample = `goos: linux
goarch: amd64
pkg: example.com/x
cpu: Some CPU @ 2.50GHz
BenchmarkCompile/x86_64/ours-2         	    1000	     50000 ns/op	   12000 B/op	     150 allocs/op
BenchmarkCompile/x86_64/ours-2         	    1000	     40000 ns/op	   12000 B/op	     150 allocs/op
BenchmarkCompile/x86_64/ours-2         	    1000	     70000 ns/op	   12000 B/op	     150 allocs/op
BenchmarkCompile/x86_64/libseccomp-O2-2	     100	   1700000 ns/op	     100 B/op	       3 allocs/op
BenchmarkSteps/x86_64/ours-2           	       1	         9.5 mean-steps	        52 insns
BenchmarkSteps/x86_64/libseccomp-O2-2  	       1	        15.4 mean-steps	       415 insns
BenchmarkPlain-2                       	      10	       123 ns/op
BenchmarkNoProcs                       	      10	       7 ns/op
BenchmarkWithOutput
    some log line
--- BENCH: BenchmarkWithOutput
PASS
ok  	example.com/x	1.0s
`

func TestParse(t *testing.T) {
	rs, err := Parse(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		name, group, series, unit string
		values                    []float64
	}
	want := []row{
		{"Compile/x86_64/ours", "Compile/x86_64", "ours", "ns/op", []float64{50000, 40000, 70000}},
		{"Compile/x86_64/ours", "Compile/x86_64", "ours", "B/op", []float64{12000, 12000, 12000}},
		{"Compile/x86_64/ours", "Compile/x86_64", "ours", "allocs/op", []float64{150, 150, 150}},
		{"Compile/x86_64/libseccomp-O2", "Compile/x86_64", "libseccomp-O2", "ns/op", []float64{1700000}},
		{"Compile/x86_64/libseccomp-O2", "Compile/x86_64", "libseccomp-O2", "B/op", []float64{100}},
		{"Compile/x86_64/libseccomp-O2", "Compile/x86_64", "libseccomp-O2", "allocs/op", []float64{3}},
		{"Steps/x86_64/ours", "Steps/x86_64", "ours", "mean-steps", []float64{9.5}},
		{"Steps/x86_64/ours", "Steps/x86_64", "ours", "insns", []float64{52}},
		{"Steps/x86_64/libseccomp-O2", "Steps/x86_64", "libseccomp-O2", "mean-steps", []float64{15.4}},
		{"Steps/x86_64/libseccomp-O2", "Steps/x86_64", "libseccomp-O2", "insns", []float64{415}},
		{"Plain", "Plain", "", "ns/op", []float64{123}},
		{"NoProcs", "NoProcs", "", "ns/op", []float64{7}},
	}
	var got []row
	for _, r := range rs {
		got = append(got, row{r.Name, r.Group, r.Series, r.Unit, r.Values})
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Parse:\ngot  %v\nwant %v", got, want)
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string
	}{
		{"", "no benchmark results"},
		{"PASS\nok x 1s\n", "no benchmark results"},
		{"BenchmarkX-2 10 abc ns/op\n", `line 1: value "abc" of ns/op`},
		{"Benchmark-2 10 5 ns/op\n", "line 1: benchmark without a name"},
	} {
		_, err := Parse(strings.NewReader(tc.in))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%q): error %v, want one containing %q", tc.in, err, tc.want)
		}
	}
}

func TestMedianRange(t *testing.T) {
	for _, tc := range []struct {
		values      []float64
		med, lo, hi float64
	}{
		{[]float64{3}, 3, 3, 3},
		{[]float64{5, 1, 3}, 3, 1, 5},
		{[]float64{4, 1, 3, 10}, 3.5, 1, 10},
	} {
		r := Result{Values: tc.values}
		if m := r.Median(); m != tc.med {
			t.Errorf("Median(%v) = %v, want %v", tc.values, m, tc.med)
		}
		if lo, hi := r.Range(); lo != tc.lo || hi != tc.hi {
			t.Errorf("Range(%v) = %v, %v, want %v, %v", tc.values, lo, hi, tc.lo, tc.hi)
		}
		if !reflect.DeepEqual(r.Values, tc.values) {
			t.Errorf("Median changed the values: %v", r.Values)
		}
	}
}

// texts returns the character data of every <text> element of an SVG
// document, failing if the document is not well-formed XML.
func texts(t *testing.T, svg []byte) []string {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(svg))
	var out []string
	inText := false
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("SVG is not well-formed: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			inText = tok.Name.Local == "text"
		case xml.EndElement:
			inText = false
		case xml.CharData:
			if inText {
				out = append(out, string(tok))
			}
		}
	}
	return out
}

func TestRender(t *testing.T) {
	rs, err := Parse(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	svg, err := Render(rs, Options{Title: "A <b> & c", Units: []string{"ns/op", "insns"}, Log: map[string]bool{"ns/op": true}})
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(texts(t, svg), "|")
	for _, want := range []string{
		"A <b> & c",                   // the title, escaped in the document
		"ns/op (logarithmic scale)",   // panel titles in the order asked
		"Compile/x86_64|ours|50k",     // median of three runs, with an SI suffix
		"libseccomp-O2|1.7M",          // a single run
		"insns|Steps/x86_64|ours|52|", // a linear panel
		"libseccomp-O2|415",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("chart text lacks %q:\n%s", want, got)
		}
	}
	for _, absent := range []string{"allocs/op", "mean-steps"} {
		if strings.Contains(got, absent) {
			t.Errorf("chart has a panel for %q, which was not asked for", absent)
		}
	}
	// Three runs of one benchmark give a whisker from 40000 to 70000.
	if !bytes.Contains(svg, []byte("<path d=\"M")) {
		t.Error("no whisker drawn for a benchmark run three times")
	}
}

func TestLegend(t *testing.T) {
	rs, err := Parse(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	svg, err := Render(rs, Options{Units: []string{"insns"}})
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(texts(t, svg), "|")
	if !strings.HasPrefix(got, "ours|libseccomp-O2|insns|") {
		t.Errorf("legend lacks the series drawn:\n%s", got)
	}
	// Plain and NoProcs have no series and report only ns/op, which is
	// not drawn.
	if strings.Contains(got, "(no series)") {
		t.Errorf("legend names a series of a panel not drawn:\n%s", got)
	}
}

func TestRenderErrors(t *testing.T) {
	rs := []Result{{Name: "X", Group: "X", Unit: "ns/op", Values: []float64{1}}}
	for _, tc := range []struct {
		rs   []Result
		opts Options
		want string
	}{
		{nil, Options{}, "no benchmark results"},
		{rs, Options{Units: []string{"B/op"}}, `unit "B/op" is not in the input`},
		{rs, Options{Width: 100}, "width 100 is too small"},
	} {
		_, err := Render(tc.rs, tc.opts)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Render: error %v, want one containing %q", err, tc.want)
		}
	}
}

func TestNumber(t *testing.T) {
	for _, tc := range []struct {
		v    float64
		want string
	}{
		{0, "0"}, {9.5, "9.5"}, {12.345678, "12.35"}, {415, "415"}, {9999, "9999"},
		{12000, "12k"}, {1700000, "1.7M"}, {17e6, "17M"}, {2.5e9, "2.5G"},
	} {
		if got := number(tc.v); got != tc.want {
			t.Errorf("number(%v) = %q, want %q", tc.v, got, tc.want)
		}
	}
}

func TestScale(t *testing.T) {
	lin := newScale([]Result{{Values: []float64{30}}, {Values: []float64{70, 90}}}, false, 100)
	if lin.hi != 100 || lin.x(50) != 50 || lin.x(-1) != 0 {
		t.Errorf("linear scale: top %v, x(50) = %v, x(-1) = %v; want 100, 50, 0", lin.hi, lin.x(50), lin.x(-1))
	}
	if got := lin.ticks(); !reflect.DeepEqual(got, []float64{50, 100}) {
		t.Errorf("linear ticks %v, want [50 100]", got)
	}
	lg := newScale([]Result{{Values: []float64{20}}, {Values: []float64{5000}}}, true, 300)
	if lg.lo != 0 || lg.hi != 4 || lg.x(100) != 150 || lg.x(0) != 0 {
		t.Errorf("log scale: decades %v..%v, x(100) = %v, x(0) = %v; want 0..4, 150, 0", lg.lo, lg.hi, lg.x(100), lg.x(0))
	}
	if got := lg.ticks(); !reflect.DeepEqual(got, []float64{10, 100, 1000, 10000}) {
		t.Errorf("log ticks %v, want [10 100 1000 10000]", got)
	}
}

func TestRegroup(t *testing.T) {
	in := []Result{
		{Name: "Live/ours/getppid", Group: "Live/ours", Series: "getppid", Unit: "ns/syscall"},
		{Name: "Compile/x86_64/libseccomp-O2", Group: "Compile/x86_64", Series: "libseccomp-O2", Unit: "ns/op"},
		{Name: "Other/thing", Group: "Other", Series: "thing", Unit: "ns/op"},
		{Name: "ours", Group: "ours", Unit: "ns/op"},
	}
	got := Regroup(in, []string{"ours", "libseccomp-O2"})
	want := [][2]string{{"Live/getppid", "ours"}, {"Compile/x86_64", "libseccomp-O2"}, {"Other", "thing"}, {"", "ours"}}
	for i, r := range got {
		if [2]string{r.Group, r.Series} != want[i] {
			t.Errorf("%s: group %q series %q, want %q %q", r.Name, r.Group, r.Series, want[i][0], want[i][1])
		}
		if r.Name != in[i].Name {
			t.Errorf("name changed: %q", r.Name)
		}
	}
	if in[0].Group != "Live/ours" {
		t.Errorf("Regroup changed its input: %+v", in[0])
	}
}

func TestExclude(t *testing.T) {
	in := []Result{{Name: "Live/ours/getppid", Unit: "ns/op"}, {Name: "Live/ours/getppid", Unit: "ns/syscall"}, {Name: "Compile/ours", Unit: "ns/op"}}
	got := Exclude(in, regexp.MustCompile(`^Live/.* ns/op$`))
	if len(got) != 2 || got[0].Unit != "ns/syscall" || got[1].Name != "Compile/ours" {
		t.Errorf("Exclude: %+v", got)
	}
}

func TestAutoLog(t *testing.T) {
	rs, err := Parse(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	svg, err := Render(rs, Options{AutoLog: true, Units: []string{"ns/op", "insns", "mean-steps"}})
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(texts(t, svg), "|")
	// ns/op spans 7..1.7M; insns 52..415 and mean-steps 9.5..15.4 do not
	// span two decades.
	for _, want := range []string{"ns/op (logarithmic scale)", "|insns|", "|mean-steps|"} {
		if !strings.Contains(got, want) {
			t.Errorf("chart text lacks %q:\n%s", want, got)
		}
	}
}
