// Command mktables generates package arch's syscall tables from
// libseccomp's syscalls.csv.
//
// Usage:
//
//	mktables -csv syscalls.csv -s390 syscalls.s390.csv -pseudo pseudo.txt -kver kversion.csv -o zsyscalls.go
//	mktables -man /usr/share/man/man2/syscalls.2.gz
//
// syscalls.csv has a header line "#syscall (VERSION),ABI,ABI_kver,..." and
// then one line per syscall: its name and, for each ABI column, the number
// in the kernel's table (without the MIPS or x32 offsets) or PNR when the
// ABI lacks it, each followed by a kernel-version column that mktables
// ignores. A PNR becomes the name's pseudo-syscall number, which pseudo.txt
// lists. syscalls.s390.csv (libseccomp's frozen s390 table, "name,number"
// lines) is only checked against the s390 column of syscalls.csv: every
// syscall it lists must have the same number there, and no other syscall
// may have a number on s390.
//
// kversion.csv gives, for each syscall and ABI, the first Linux release
// that had it (see [ParseKverFile] and [AddKvers]); the CSV's own _kver
// columns are not filled in. With -man, mktables instead converts the
// table of the syscalls(2) manual page into lines of that file and
// prints them: that is where most of its lines come from.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"go/format"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
)

// columns maps the CSV's ABI column names to the Go constants of package
// arch that index the generated table.
var columns = []struct{ csv, ident string }{
	{"x86", "tabX86"},
	{"x86_64", "tabX86_64"},
	{"x32", "tabX32"},
	{"arm", "tabARM"},
	{"aarch64", "tabAArch64"},
	{"loongarch64", "tabLoongArch64"},
	{"m68k", "tabM68K"},
	{"mips", "tabMIPS"},
	{"mips64", "tabMIPS64"},
	{"mips64n32", "tabMIPS64N32"},
	{"parisc", "tabPARISC"},
	{"parisc64", "tabPARISC64"},
	{"ppc", "tabPPC"},
	{"ppc64", "tabPPC64"},
	{"riscv64", "tabRISCV64"},
	{"s390", "tabS390"},
	{"s390x", "tabS390X"},
	{"sh", "tabSH"},
}

// pnr marks a syscall an ABI lacks.
const pnr = "PNR"

// Table is the parsed syscall table.
type Table struct {
	Version string
	Names   []string  // sorted
	Nums    [][]int32 // Nums[i][c]: number of Names[i] in column c; pseudo number where the CSV says PNR
	Pseudo  []int32   // pseudo number of Names[i], 0 if none
	Shadow  []bool    // Names[i]'s pseudo number is shared with an earlier-listed name
	Since   [][]Kver  // Since[i][c]: first release with Names[i] in column c, 0 where the column lacks it
}

// Pseudo is the parsed pseudo-syscall list.
type Pseudo struct {
	Num   map[string]int32
	Order map[string]int // line order, for ties
}

func main() {
	csvPath := flag.String("csv", "", "libseccomp syscalls.csv")
	s390Path := flag.String("s390", "", "libseccomp syscalls.s390.csv (optional cross-check)")
	pseudoPath := flag.String("pseudo", "", "pseudo-syscall numbers")
	kverPath := flag.String("kver", "", "kernel version of each syscall (kversion.csv)")
	manPath := flag.String("man", "", "print the lines of kversion.csv that the syscalls(2) manual page `FILE` gives, and exit")
	out := flag.String("o", "", "output Go file (default standard output)")
	flag.Parse()
	if *manPath != "" {
		if err := convertMan(*manPath); err != nil {
			fmt.Fprintln(os.Stderr, "mktables:", err)
			os.Exit(1)
		}
		return
	}
	if *csvPath == "" || *pseudoPath == "" || *kverPath == "" {
		fmt.Fprintln(os.Stderr, "usage: mktables -csv FILE [-s390 FILE] -pseudo FILE -kver FILE [-o FILE]\n       mktables -man syscalls.2.gz")
		os.Exit(2)
	}
	if err := run(*csvPath, *s390Path, *pseudoPath, *kverPath, *out); err != nil {
		fmt.Fprintln(os.Stderr, "mktables:", err)
		os.Exit(1)
	}
}

func convertMan(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	rows, err := ConvertManPage(f)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return WriteKverRows(os.Stdout, rows)
}

func run(csvPath, s390Path, pseudoPath, kverPath, out string) error {
	pf, err := os.Open(pseudoPath)
	if err != nil {
		return err
	}
	defer pf.Close()
	ps, err := ParsePseudo(pf)
	if err != nil {
		return fmt.Errorf("%s: %w", pseudoPath, err)
	}
	cf, err := os.Open(csvPath)
	if err != nil {
		return err
	}
	defer cf.Close()
	t, err := ParseCSV(cf, ps)
	if err != nil {
		return fmt.Errorf("%s: %w", csvPath, err)
	}
	if s390Path != "" {
		sf, err := os.Open(s390Path)
		if err != nil {
			return err
		}
		defer sf.Close()
		if err := CheckS390(sf, t); err != nil {
			return fmt.Errorf("%s: %w", s390Path, err)
		}
	}
	kf, err := os.Open(kverPath)
	if err != nil {
		return err
	}
	defer kf.Close()
	rows, err := ParseKverFile(kf)
	if err != nil {
		return fmt.Errorf("%s: %w", kverPath, err)
	}
	if err := AddKvers(t, rows); err != nil {
		return fmt.Errorf("%s: %w", kverPath, err)
	}
	src, err := Generate(t)
	if err != nil {
		return err
	}
	if out == "" {
		_, err = os.Stdout.Write(src)
		return err
	}
	return os.WriteFile(out, src, 0o644)
}

// ParsePseudo reads "name number" lines; blank lines and lines starting
// with '#' are skipped.
func ParsePseudo(r io.Reader) (*Pseudo, error) {
	p := &Pseudo{Num: map[string]int32{}, Order: map[string]int{}}
	sc := bufio.NewScanner(r)
	line := 0
	for sc.Scan() {
		line++
		s := strings.TrimSpace(sc.Text())
		if s == "" || s[0] == '#' {
			continue
		}
		f := strings.Fields(s)
		if len(f) != 2 {
			return nil, fmt.Errorf("line %d: want \"name number\", got %q", line, s)
		}
		n, err := strconv.ParseInt(f[1], 10, 32)
		if err != nil || n > -100 || (n < -120 && n > -200) || (n < -224 && n > -10001) {
			return nil, fmt.Errorf("line %d: %q is not a pseudo-syscall number", line, f[1])
		}
		if _, dup := p.Num[f[0]]; dup {
			return nil, fmt.Errorf("line %d: %s listed twice", line, f[0])
		}
		p.Num[f[0]] = int32(n)
		p.Order[f[0]] = line
	}
	return p, sc.Err()
}

// ParseCSV reads libseccomp's syscalls.csv.
func ParseCSV(r io.Reader, ps *Pseudo) (*Table, error) {
	sc := bufio.NewScanner(r)
	if !sc.Scan() {
		if err := sc.Err(); err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("empty file")
	}
	hdr := strings.Split(strings.TrimSpace(sc.Text()), ",")
	version, err := headerVersion(hdr[0])
	if err != nil {
		return nil, err
	}
	// colIdx[c] is the CSV field holding columns[c].
	colIdx := make([]int, len(columns))
	for c, col := range columns {
		colIdx[c] = -1
		for i := 1; i < len(hdr); i++ {
			if hdr[i] == col.csv {
				colIdx[c] = i
			}
		}
		if colIdx[c] < 0 {
			return nil, fmt.Errorf("header has no %s column", col.csv)
		}
	}
	for i := 1; i < len(hdr); i += 2 {
		known := false
		for _, col := range columns {
			known = known || hdr[i] == col.csv
		}
		if !known {
			return nil, fmt.Errorf("header: unknown ABI column %q", hdr[i])
		}
	}
	t := &Table{Version: version}
	rows := map[string][]int32{}
	line := 1
	for sc.Scan() {
		line++
		s := strings.TrimSpace(sc.Text())
		if s == "" || s[0] == '#' {
			continue
		}
		f := strings.Split(s, ",")
		if len(f) != len(hdr) {
			return nil, fmt.Errorf("line %d: %d fields, header has %d", line, len(f), len(hdr))
		}
		name := f[0]
		if !validName(name) {
			return nil, fmt.Errorf("line %d: bad syscall name %q", line, name)
		}
		if _, dup := rows[name]; dup {
			return nil, fmt.Errorf("line %d: %s listed twice", line, name)
		}
		nums := make([]int32, len(columns))
		for c, i := range colIdx {
			if f[i] == pnr {
				p, ok := ps.Num[name]
				if !ok {
					return nil, fmt.Errorf("line %d: %s is PNR on %s but has no pseudo-syscall number; add one to the pseudo list", line, name, columns[c].csv)
				}
				nums[c] = p
				continue
			}
			n, err := strconv.ParseInt(f[i], 10, 32)
			if err != nil || n < 0 {
				return nil, fmt.Errorf("line %d: %s on %s: bad number %q", line, name, columns[c].csv, f[i])
			}
			nums[c] = int32(n)
		}
		rows[name] = nums
		t.Names = append(t.Names, name)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	sort.Strings(t.Names)
	for _, name := range t.Names {
		t.Nums = append(t.Nums, rows[name])
		t.Pseudo = append(t.Pseudo, ps.Num[name])
	}
	// No two syscalls may share a real number on one ABI; a shared
	// pseudo number goes to the name listed first in the pseudo list.
	t.Shadow = make([]bool, len(t.Names))
	for c := range columns {
		seen := map[int32]int{}
		for i, name := range t.Names {
			n := t.Nums[i][c]
			j, dup := seen[n]
			if !dup {
				seen[n] = i
				continue
			}
			if n >= 0 {
				return nil, fmt.Errorf("%s and %s both have number %d on %s", t.Names[j], name, n, columns[c].csv)
			}
			if ps.Order[name] < ps.Order[t.Names[j]] {
				t.Shadow[j] = true
				seen[n] = i
			} else {
				t.Shadow[i] = true
			}
		}
	}
	return t, nil
}

func headerVersion(h string) (string, error) {
	if !strings.HasPrefix(h, "#syscall") {
		return "", fmt.Errorf("header does not start with #syscall: %q", h)
	}
	open, end := strings.Index(h, "("), strings.LastIndex(h, ")")
	if open < 0 || end < open {
		return "", nil
	}
	return h[open+1 : end], nil
}

func validName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// CheckS390 checks libseccomp's frozen s390 list against the s390 column.
func CheckS390(r io.Reader, t *Table) error {
	col := -1
	for c := range columns {
		if columns[c].csv == "s390" {
			col = c
		}
	}
	idx := map[string]int{}
	for i, n := range t.Names {
		idx[n] = i
	}
	listed := map[string]bool{}
	sc := bufio.NewScanner(r)
	line := 0
	for sc.Scan() {
		line++
		s := strings.TrimSpace(sc.Text())
		if s == "" || s[0] == '#' {
			continue
		}
		f := strings.Split(s, ",")
		if len(f) < 2 {
			return fmt.Errorf("line %d: want \"name,number\", got %q", line, s)
		}
		n, err := strconv.ParseInt(f[1], 10, 32)
		if err != nil {
			return fmt.Errorf("line %d: bad number %q", line, f[1])
		}
		i, ok := idx[f[0]]
		if !ok {
			return fmt.Errorf("line %d: %s is not in syscalls.csv", line, f[0])
		}
		if got := t.Nums[i][col]; got != int32(n) {
			return fmt.Errorf("line %d: %s is %d here but %d in syscalls.csv", line, f[0], n, got)
		}
		listed[f[0]] = true
	}
	if err := sc.Err(); err != nil {
		return err
	}
	for i, n := range t.Names {
		if t.Nums[i][col] >= 0 && !listed[n] {
			return fmt.Errorf("%s has number %d on s390 in syscalls.csv but is not listed", n, t.Nums[i][col])
		}
	}
	return nil
}

// Generate writes the Go source of the tables.
func Generate(t *Table) ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "// Code generated by mktables from libseccomp's syscalls.csv; DO NOT EDIT.\n\n")
	fmt.Fprintf(&b, "package arch\n\n")
	fmt.Fprintf(&b, "// TableVersion is the kernel version the syscall tables were taken from.\n")
	fmt.Fprintf(&b, "const TableVersion = %q\n\n", t.Version)
	fmt.Fprintf(&b, "// Columns of sysNums.\nconst (\n")
	for c, col := range columns {
		fmt.Fprintf(&b, "\t%s = %d\n", col.ident, c)
	}
	fmt.Fprintf(&b, "\tnumTables = %d\n)\n\n", len(columns))
	fmt.Fprintf(&b, "// tableNames are the CSV's names of the columns.\nvar tableNames = [numTables]string{")
	for _, col := range columns {
		fmt.Fprintf(&b, "%q, ", col.csv)
	}
	fmt.Fprintf(&b, "}\n\n")
	fmt.Fprintf(&b, "// sysNames lists every syscall name, sorted.\nvar sysNames = [...]string{\n")
	for _, n := range t.Names {
		fmt.Fprintf(&b, "\t%q,\n", n)
	}
	fmt.Fprintf(&b, "}\n\n")
	fmt.Fprintf(&b, "// sysNums[i][t] is the number of sysNames[i] in table t, without ABI\n")
	fmt.Fprintf(&b, "// offsets, or its pseudo-syscall number where the ABI lacks it.\n")
	fmt.Fprintf(&b, "var sysNums = [len(sysNames)][numTables]int32{\n")
	for i, n := range t.Names {
		fmt.Fprintf(&b, "\t/* %s */ {", n)
		for c, v := range t.Nums[i] {
			if c > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%d", v)
		}
		b.WriteString("},\n")
	}
	fmt.Fprintf(&b, "}\n\n")
	fmt.Fprintf(&b, "// sysPseudo[i] is the pseudo-syscall number of sysNames[i], 0 if none.\n")
	fmt.Fprintf(&b, "var sysPseudo = [len(sysNames)]int32{\n")
	for i, n := range t.Names {
		if t.Pseudo[i] != 0 {
			fmt.Fprintf(&b, "\t%d: %d, // %s\n", i, t.Pseudo[i], n)
		}
	}
	fmt.Fprintf(&b, "}\n\n")
	if t.Since != nil {
		fmt.Fprintf(&b, "// sysSince[i][t] is the first Linux release that had sysNames[i] in\n")
		fmt.Fprintf(&b, "// table t, as major<<16 | minor<<8 | patch; 0 where the table lacks it.\n")
		fmt.Fprintf(&b, "var sysSince = [len(sysNames)][numTables]uint32{\n")
		for i, n := range t.Names {
			fmt.Fprintf(&b, "\t/* %s */ {", n)
			for c, v := range t.Since[i] {
				if c > 0 {
					b.WriteString(", ")
				}
				fmt.Fprintf(&b, "%#x", uint32(v))
			}
			b.WriteString("},\n")
		}
		fmt.Fprintf(&b, "}\n\n")
	}
	if err := writeLookups(&b, t); err != nil {
		return nil, err
	}
	return format.Source(b.Bytes())
}
