package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
)

// A Kver is a Linux release, packed as major<<16 | minor<<8 | patch, the
// form package arch stores. Patch is only used for the 2.x series,
// where syscalls appeared in patch releases (2.6.16, 2.6.27, ...).
type Kver uint32

// ParseKver parses "major.minor" or "major.minor.patch" with numbers
// below 256; a fourth component (2.4.8.1) is ignored.
func ParseKver(s string) (Kver, error) {
	f := strings.Split(s, ".")
	if len(f) < 2 || len(f) > 4 {
		return 0, fmt.Errorf("%q is not a kernel version such as 5.4 or 2.6.32", s)
	}
	var v [3]uint64
	for i := 0; i < len(f) && i < 3; i++ {
		n, err := strconv.ParseUint(f[i], 10, 8)
		if err != nil {
			return 0, fmt.Errorf("%q is not a kernel version such as 5.4 or 2.6.32", s)
		}
		v[i] = n
	}
	if v[0] == 0 {
		return 0, fmt.Errorf("%q is not a kernel version such as 5.4 or 2.6.32", s)
	}
	return Kver(v[0]<<16 | v[1]<<8 | v[2]), nil
}

func (v Kver) String() string {
	if v&0xff != 0 {
		return fmt.Sprintf("%d.%d.%d", v>>16, v>>8&0xff, v&0xff)
	}
	return fmt.Sprintf("%d.%d", v>>16, v>>8&0xff)
}

// A KverRow is one line of the kernel-version data file: the release
// that added Name on ABI (every ABI when ABI is empty), and where that
// comes from. Name "*" with an ABI gives the release that added the
// port: no syscall of that ABI is older.
type KverRow struct {
	Name, ABI string
	Version   Kver
	Source    string
	Line      int
}

// kverHeader is the header line of the data file.
const kverHeader = "syscall,abi,version,source"

// ParseKverFile reads the kernel-version data file: a header line
// "syscall,abi,version,source", then one KverRow a line; blank lines and
// lines starting with '#' are skipped.
func ParseKverFile(r io.Reader) ([]KverRow, error) {
	sc := bufio.NewScanner(r)
	line, header := 0, false
	var rows []KverRow
	for sc.Scan() {
		line++
		s := strings.TrimSpace(sc.Text())
		if s == "" || s[0] == '#' {
			continue
		}
		if !header {
			if s != kverHeader {
				return nil, fmt.Errorf("line %d: want the header %q, got %q", line, kverHeader, s)
			}
			header = true
			continue
		}
		f := strings.SplitN(s, ",", 4)
		if len(f) != 4 || f[3] == "" {
			return nil, fmt.Errorf("line %d: want \"syscall,abi,version,source\" with a source, got %q", line, s)
		}
		if f[0] != "*" && !validName(f[0]) {
			return nil, fmt.Errorf("line %d: bad syscall name %q", line, f[0])
		}
		if f[0] == "*" && f[1] == "" {
			return nil, fmt.Errorf("line %d: a port line (\"*\") needs an ABI", line)
		}
		if f[1] != "" && columnOf(f[1]) < 0 {
			return nil, fmt.Errorf("line %d: unknown ABI %q (want a column name of syscalls.csv such as x86_64 or aarch64)", line, f[1])
		}
		v, err := ParseKver(f[2])
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		rows = append(rows, KverRow{Name: f[0], ABI: f[1], Version: v, Source: f[3], Line: line})
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if !header {
		return nil, fmt.Errorf("no header line %q", kverHeader)
	}
	return rows, nil
}

// columnOf returns the index in columns of a CSV column name, or -1.
func columnOf(abi string) int {
	for c, col := range columns {
		if col.csv == abi {
			return c
		}
	}
	return -1
}

// AddKvers fills t.Since from rows: for each syscall and ABI that has it,
// the row for that ABI, else the row for every ABI, raised to the ABI's
// port line. Every syscall an ABI has must get a version; rows for
// syscalls the table lacks are an error unless they are generic
// (syscalls(2) lists calls of ports the tables do not cover).
func AddKvers(t *Table, rows []KverRow) error {
	idx := map[string]int{}
	for i, n := range t.Names {
		idx[n] = i
	}
	limit, err := tableKver(t.Version)
	if err != nil {
		return err
	}
	generic := make([]Kver, len(t.Names))
	override := make([][]Kver, len(t.Names))
	port := make([]Kver, len(columns))
	for _, r := range rows {
		if r.Version > limit {
			return fmt.Errorf("line %d: %s %s is newer than the tables (%s)", r.Line, r.Name, r.Version, t.Version)
		}
		c := columnOf(r.ABI)
		if r.Name == "*" {
			if port[c] != 0 {
				return fmt.Errorf("line %d: a second port line for %s", r.Line, r.ABI)
			}
			port[c] = r.Version
			continue
		}
		i, ok := idx[r.Name]
		switch {
		case !ok && c < 0:
			continue
		case !ok:
			return fmt.Errorf("line %d: %s is not in syscalls.csv", r.Line, r.Name)
		case c < 0:
			if generic[i] != 0 {
				return fmt.Errorf("line %d: a second line for %s on every ABI", r.Line, r.Name)
			}
			generic[i] = r.Version
		default:
			if t.Nums[i][c] < 0 {
				return fmt.Errorf("line %d: %s does not exist on %s", r.Line, r.Name, r.ABI)
			}
			if override[i] == nil {
				override[i] = make([]Kver, len(columns))
			}
			if override[i][c] != 0 {
				return fmt.Errorf("line %d: a second line for %s on %s", r.Line, r.Name, r.ABI)
			}
			override[i][c] = r.Version
		}
	}
	t.Since = make([][]Kver, len(t.Names))
	for i, name := range t.Names {
		t.Since[i] = make([]Kver, len(columns))
		for c := range columns {
			if t.Nums[i][c] < 0 {
				continue
			}
			v := generic[i]
			if override[i] != nil && override[i][c] != 0 {
				v = override[i][c]
			}
			if v == 0 {
				return fmt.Errorf("%s on %s has no kernel version; add a line \"%s,,VERSION,SOURCE\" (or \"%s,%s,VERSION,SOURCE\") to the kernel-version file", name, columns[c].csv, name, name, columns[c].csv)
			}
			t.Since[i][c] = max(v, port[c])
		}
	}
	return nil
}

// tableKver returns the release of the header version "v7.1.0-rc4 ...".
func tableKver(version string) (Kver, error) {
	s := strings.TrimPrefix(strings.Fields(version + " ")[0], "v")
	if i := strings.IndexByte(s, '-'); i >= 0 {
		s = s[:i]
	}
	v, err := ParseKver(s)
	if err != nil {
		return 0, fmt.Errorf("syscalls.csv header version %q: %w", version, err)
	}
	return v &^ 0xff, nil
}

// manRow matches a row of the syscall table of syscalls(2):
// "\fBname\fP(2)<TAB>version[<TAB>notes]", the version and notes optional.
var manRow = regexp.MustCompile(`^\\fB(\w+)\\fP\(2\)(?:\t([^\t]*)(?:\t(.*))?)?$`)

// manRenamed matches the note of a call whose version column is empty
// because it was renamed: `Added as "pread" in 2.2; ...`.
var manRenamed = regexp.MustCompile(`Added as "\w+" in ([0-9.]+)`)

// ConvertManPage reads the syscalls(2) manual page (gzip-compressed or
// not) and returns one generic row per entry of its table of system
// calls, with source "syscalls(2)". An entry without a version appeared
// in Linux 1.0 or earlier, as the page says, unless its note says when
// it was added under another name. Of versions such as "2.0.26; 2.2"
// (a call added to two stable series) the first is taken.
func ConvertManPage(r io.Reader) ([]KverRow, error) {
	br := bufio.NewReader(r)
	if magic, _ := br.Peek(2); bytes.Equal(magic, []byte{0x1f, 0x8b}) {
		z, err := gzip.NewReader(br)
		if err != nil {
			return nil, err
		}
		defer z.Close()
		br = bufio.NewReader(z)
	}
	sc := bufio.NewScanner(br)
	var rows []KverRow
	seen := map[string]bool{}
	line, inNote := 0, false
	last := -1
	for sc.Scan() {
		line++
		s := sc.Text()
		if inNote {
			if strings.HasPrefix(s, "T}") {
				inNote = false
				continue
			}
			if last >= 0 && rows[last].Version == 0 {
				if m := manRenamed.FindStringSubmatch(s); m != nil {
					v, err := ParseKver(m[1])
					if err != nil {
						return nil, fmt.Errorf("syscalls(2) line %d: %w", line, err)
					}
					rows[last].Version = v
				}
			}
			continue
		}
		m := manRow.FindStringSubmatch(s)
		if m == nil {
			continue
		}
		name, ver, note := m[1], strings.TrimSpace(m[2]), m[3]
		if seen[name] {
			return nil, fmt.Errorf("syscalls(2) line %d: %s listed twice", line, name)
		}
		seen[name] = true
		var v Kver
		if ver != "" {
			first, _, _ := strings.Cut(ver, ";")
			var err error
			if v, err = ParseKver(strings.TrimSpace(first)); err != nil {
				return nil, fmt.Errorf("syscalls(2) line %d: %s: %w", line, name, err)
			}
		}
		rows = append(rows, KverRow{Name: name, Version: v, Source: "syscalls(2)", Line: line})
		last = len(rows) - 1
		if note == "T{" {
			inNote = true
		} else if v == 0 {
			if mm := manRenamed.FindStringSubmatch(note); mm != nil {
				if rows[last].Version, _ = ParseKver(mm[1]); rows[last].Version == 0 {
					return nil, fmt.Errorf("syscalls(2) line %d: bad version in %q", line, note)
				}
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("no table of system calls found; is this syscalls(2)?")
	}
	for i := range rows {
		if rows[i].Version == 0 {
			rows[i].Version = 1 << 16 // 1.0
		}
	}
	return rows, nil
}

// WriteKverRows writes rows in the data file's line format.
func WriteKverRows(w io.Writer, rows []KverRow) error {
	for _, r := range rows {
		if _, err := fmt.Fprintf(w, "%s,%s,%s,%s\n", r.Name, r.ABI, r.Version, r.Source); err != nil {
			return err
		}
	}
	return nil
}
