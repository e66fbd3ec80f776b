package main

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"
)

// row builds a CSV line with the same cell for every column.
func row(name, cell string) string {
	var b strings.Builder
	b.WriteString(name)
	for range columns {
		b.WriteString("," + cell + ",SCMP_KV_UNDEF")
	}
	return b.String()
}

func header() string {
	var b strings.Builder
	b.WriteString("#syscall (v9.9.9 2030-01-01)")
	for _, c := range columns {
		b.WriteString("," + c.csv + "," + c.csv + "_kver")
	}
	return b.String()
}

const testPseudo = `# comment
foo -10001
bar  -10002
baz -10002
sock -101
`

func TestParse(t *testing.T) {
	ps, err := ParsePseudo(strings.NewReader(testPseudo))
	if err != nil {
		t.Fatal(err)
	}
	csv := strings.Join([]string{header(), row("read", "0"), row("foo", "PNR"), row("baz", "PNR"), row("bar", "PNR")}, "\n")
	tab, err := ParseCSV(strings.NewReader(csv), ps)
	if err != nil {
		t.Fatal(err)
	}
	if tab.Version != "v9.9.9 2030-01-01" {
		t.Errorf("version %q", tab.Version)
	}
	wantNames := []string{"bar", "baz", "foo", "read"}
	if strings.Join(tab.Names, " ") != strings.Join(wantNames, " ") {
		t.Fatalf("names %v, want %v", tab.Names, wantNames)
	}
	wantNum := []int32{-10002, -10002, -10001, 0}
	wantShadow := []bool{false, true, false, false} // bar is listed first
	for i := range wantNames {
		for c := range columns {
			if tab.Nums[i][c] != wantNum[i] {
				t.Errorf("%s column %d = %d, want %d", wantNames[i], c, tab.Nums[i][c], wantNum[i])
			}
		}
		if tab.Shadow[i] != wantShadow[i] {
			t.Errorf("%s shadowed = %v", wantNames[i], tab.Shadow[i])
		}
	}
	src, err := Generate(tab)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`const TableVersion = "v9.9.9 2030-01-01"`, "const pseudoBase = -10001", "DO NOT EDIT"} {
		if !bytes.Contains(src, []byte(want)) {
			t.Errorf("generated source lacks %q", want)
		}
	}
}

// TestByNumber checks which name each number resolves to, where two names
// share a pseudo number and where one of them has a real number instead.
func TestByNumber(t *testing.T) {
	ps, err := ParsePseudo(strings.NewReader(testPseudo))
	if err != nil {
		t.Fatal(err)
	}
	// baz has number 7 in the first column and shares bar's pseudo
	// number elsewhere; read has the ARM-like private number 983041 in
	// the last.
	cells := func(name, first, rest, last string) string {
		var b strings.Builder
		b.WriteString(name)
		for c := range columns {
			cell := rest
			switch c {
			case 0:
				cell = first
			case len(columns) - 1:
				cell = last
			}
			b.WriteString("," + cell + ",SCMP_KV_UNDEF")
		}
		return b.String()
	}
	csv := strings.Join([]string{header(), cells("read", "0", "0", "983041"), row("foo", "PNR"),
		cells("baz", "7", "PNR", "PNR"), row("bar", "PNR"), row("sock", "PNR")}, "\n")
	tab, err := ParseCSV(strings.NewReader(csv), ps)
	if err != nil {
		t.Fatal(err)
	}
	// Names: bar 0, baz 1, foo 2, read 3, sock 4.
	tests := []struct {
		col    int
		dense  []uint16
		pseudo []uint16
		sparse []NumberName
	}{
		{0, []uint16{4, 0, 0, 0, 0, 0, 0, 2}, []uint16{3, 1}, []NumberName{{-101, 4}}},
		{1, []uint16{4}, []uint16{3, 1}, []NumberName{{-101, 4}}},
		{len(columns) - 1, nil, []uint16{3, 1}, []NumberName{{-101, 4}, {983041, 3}}},
	}
	for _, tt := range tests {
		x := ByNumber(tab, tt.col)
		if fmt.Sprint(x.Dense, x.Pseudo, x.Sparse) != fmt.Sprint(tt.dense, tt.pseudo, tt.sparse) {
			t.Errorf("column %d: ByNumber = %v, %v, %v; want %v, %v, %v", tt.col, x.Dense, x.Pseudo, x.Sparse, tt.dense, tt.pseudo, tt.sparse)
		}
	}
}

// TestNameTableSlots checks that every name is in a slot at or after its
// hash, with no empty slot between, as linear probing finds it.
func TestNameTableSlots(t *testing.T) {
	names := strings.Fields("read write open openat close a ab abc abcd abcdefg abcdefgh abcdefghijklmnopq")
	slots, err := NameTable(&Table{Names: names})
	if err != nil {
		t.Fatal(err)
	}
	if len(slots) != len(names) {
		t.Fatalf("%d slots filled, want %d", len(slots), len(names))
	}
	for s, e := range slots {
		lo, hi := nameKey(names[e.Index])
		if e.Lo != lo || e.Hi != hi || e.Len != len(names[e.Index]) {
			t.Errorf("slot %d: %+v, want key %#x %#x", s, e, lo, hi)
		}
		for h := int(nameHash(lo, hi, e.Len)); h%(1<<nameBits) != s; h++ {
			if _, full := slots[h%(1<<nameBits)]; !full {
				t.Errorf("%s is in slot %d, past the empty slot %d", names[e.Index], s, h%(1<<nameBits))
			}
		}
	}
	if _, err := NameTable(&Table{Names: []string{strings.Repeat("x", maxNameLen+1)}}); err == nil {
		t.Error("NameTable accepted a name longer than maxNameLen")
	}
}

func TestParseErrors(t *testing.T) {
	ps, _ := ParsePseudo(strings.NewReader(testPseudo))
	tests := []struct {
		csv, err string
	}{
		{"", "empty"},
		{"name,x86", "does not start with #syscall"},
		{strings.Replace(header(), ",sh,", ",sx,", 1), "no sh column"},
		{header() + ",vax,vax_kver", "unknown ABI column"},
		{header() + "\n" + row("nopseudo", "PNR"), "no pseudo-syscall number"},
		{header() + "\n" + row("read", "0") + "\n" + row("read", "0"), "listed twice"},
		{header() + "\n" + row("read", "0") + "\n" + row("write", "0"), "both have number 0"},
		{header() + "\n" + row("read", "x"), "bad number"},
		{header() + "\n" + row("read", "-5"), "bad number"},
		{header() + "\n" + row("Read", "0"), "bad syscall name"},
		{header() + "\nread,0", "fields"},
	}
	for _, tt := range tests {
		_, err := ParseCSV(strings.NewReader(tt.csv), ps)
		if err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("ParseCSV(%.40q...) error %v, want %q", tt.csv, err, tt.err)
		}
	}
	for _, bad := range []string{"foo", "foo -5", "foo -150", "foo -9999", "foo x", "foo -10001\nfoo -10002"} {
		if _, err := ParsePseudo(strings.NewReader(bad)); err == nil {
			t.Errorf("ParsePseudo(%q) succeeded", bad)
		}
	}
}

func TestCheckS390(t *testing.T) {
	ps, _ := ParsePseudo(strings.NewReader(testPseudo))
	csv := strings.Join([]string{header(), row("read", "3"), row("foo", "PNR")}, "\n")
	tab, err := ParseCSV(strings.NewReader(csv), ps)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ s390, err string }{
		{"# syscall (v6.18.0),s390\nread,3\n", ""},
		{"read,4\n", "is 4 here but 3"},
		{"read,3\nwrite,4\n", "not in syscalls.csv"},
		{"", "not listed"},
		{"read\n", "want"},
	}
	for _, tt := range tests {
		err := CheckS390(strings.NewReader(tt.s390), tab)
		if (tt.err == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), tt.err) {
			t.Errorf("CheckS390(%q) = %v, want %q", tt.s390, err, tt.err)
		}
	}
}

// TestCommittedTablesCurrent regenerates the tables from the shared CSV and
// compares them with the committed arch/zsyscalls.go.
func TestCommittedTablesCurrent(t *testing.T) {
	const csv = "../../../shared/data/syscalls.csv"
	if _, err := os.Stat(csv); err != nil {
		t.Skipf("syscall CSV not available: %v", err)
	}
	out := t.TempDir() + "/z.go"
	if err := run(csv, "../../../shared/data/syscalls.s390.csv", "pseudo.txt", "kversion.csv", out); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	committed, err := os.ReadFile("../../arch/zsyscalls.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, committed) {
		t.Error("arch/zsyscalls.go is out of date: run go generate in arch/")
	}
}
