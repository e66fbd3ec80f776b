// Package frequency reads how often a program makes each syscall, for the
// syscall weights of a filter (seccomp.ScmpFilter.SetSyscallWeights). It
// reads two formats, told apart by their content:
//
//   - the summary table of strace -c (also -C, -f, -w, -S and -U
//     variants), with one table per personality for a process that
//     changed ABI ("System call usage summary for 32 bit mode:"); the
//     lines around the tables, such as the trace of strace -C, are
//     skipped;
//   - Minijail's frequency files (the @frequency files of its policies):
//     one "name: count" a line, '#' starting a comment, blank lines
//     skipped, and the counts of a name given twice added.
//
// The names are kept as the file spells them; Mix.Check tells which of
// them are not syscalls.
package frequency

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Limits of the input. Parse refuses input past them before doing any
// work that grows with it.
const (
	// MaxSize is the largest input Parse reads: 4 MiB, far more than a
	// summary (a few KiB) or a frequency file needs, but enough for the
	// trace in front of the summary of a short strace -C.
	MaxSize = 4 << 20
	// MaxNames is the largest number of distinct names in a section;
	// every architecture has fewer than 1024 syscalls.
	MaxNames = 4096
	// MaxSections is the largest number of strace tables.
	MaxSections = 8
)

// Formats of the input.
const (
	FormatStrace   = "strace"
	FormatMinijail = "minijail"
)

// Mix is the content of a file of syscall counts.
type Mix struct {
	// Format is FormatStrace or FormatMinijail.
	Format string
	// Sections holds the counts, one section per strace table; a
	// Minijail file has one section.
	Sections []Section
}

// Section is the counts of one personality of the traced process.
type Section struct {
	// Mode is strace's name of the personality of the table, as in
	// "System call usage summary for 32 bit mode:": "64 bit", "32 bit"
	// or "x32". It is empty for a table without that line, which strace
	// prints for the tracer's own personality, and for a Minijail file.
	Mode string
	// Counts holds the number of calls of each syscall name.
	Counts map[string]uint64
	// Lines holds, for each name, the line of the input that first
	// gave it, counted from 1.
	Lines map[string]int
}

// Total returns the sum of the counts of s, saturated.
func (s *Section) Total() uint64 {
	var t uint64
	for _, n := range s.Counts {
		t = addSat(t, n)
	}
	return t
}

// Names returns the names of s, the most frequent first (by name on
// ties).
func (s *Section) Names() []string {
	names := make([]string, 0, len(s.Counts))
	for name := range s.Counts {
		names = append(names, name)
	}
	sort.Slice(names, func(i, j int) bool {
		a, b := s.Counts[names[i]], s.Counts[names[j]]
		if a != b {
			return a > b
		}
		return names[i] < names[j]
	})
	return names
}

func (s *Section) add(name string, n uint64, line int) error {
	if _, ok := s.Counts[name]; !ok {
		if len(s.Counts) >= MaxNames {
			return fmt.Errorf("line %d: more than %d syscall names in one table; is it the right file?", line, MaxNames)
		}
		s.Lines[name] = line
	}
	s.Counts[name] = addSat(s.Counts[name], n)
	return nil
}

func newSection(mode string) Section {
	return Section{Mode: mode, Counts: map[string]uint64{}, Lines: map[string]int{}}
}

// addSat returns a+b, or the largest uint64 when that overflows.
func addSat(a, b uint64) uint64 {
	if s := a + b; s >= a {
		return s
	}
	return ^uint64(0)
}

// ErrTooLarge is returned, wrapped, for input longer than MaxSize.
var ErrTooLarge = errors.New("frequency: input larger than 4 MiB")

// Parse reads a file of syscall counts in either format.
func Parse(data []byte) (*Mix, error) {
	if len(data) > MaxSize {
		return nil, fmt.Errorf("%w (%d bytes); give strace -c's summary (strace -c -o FILE) or a Minijail frequency file", ErrTooLarge, len(data))
	}
	lines := strings.Split(string(data), "\n")
	for i := range lines {
		if _, ok := tableAt(lines, i); ok {
			return parseStrace(lines)
		}
	}
	return parseMinijail(lines)
}

// parseMinijail reads Minijail's format.
func parseMinijail(lines []string) (*Mix, error) {
	s := newSection("")
	for i, l := range lines {
		n := i + 1
		if k := strings.IndexByte(l, '#'); k >= 0 {
			l = l[:k]
		}
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		name, count, ok := strings.Cut(l, ":")
		name, count = strings.TrimSpace(name), strings.TrimSpace(count)
		if !ok || !validName(name) {
			return nil, fmt.Errorf("line %d: %q is neither \"name: count\" (a Minijail frequency file) nor part of strace -c's summary table", n, clip(l))
		}
		c, err := strconv.ParseUint(count, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("line %d: the count of %s, %q, is not a whole number of calls", n, name, clip(count))
		}
		if err := s.add(name, c, n); err != nil {
			return nil, err
		}
	}
	if len(s.Counts) == 0 {
		return nil, errors.New("no syscall counts found: want strace -c's summary table or \"name: count\" lines")
	}
	return &Mix{Format: FormatMinijail, Sections: []Section{s}}, nil
}

// header is the layout of an strace summary table: the index of each
// column of interest among the fields of a row, and the number of
// columns.
type header struct {
	calls, name, errors int // errors is -1 without that column
	columns             int
}

// parseHeader reads the header line of an strace table: column names
// separated by spaces, "% time" counting as one, among them "calls" and
// "syscall".
func parseHeader(l string) (header, bool) {
	f := strings.Fields(l)
	if len(f) < 2 || len(f) > 16 {
		return header{}, false
	}
	var cols []string
	for i := 0; i < len(f); i++ {
		if f[i] == "%" && i+1 < len(f) {
			cols = append(cols, "%"+f[i+1])
			i++
			continue
		}
		cols = append(cols, f[i])
	}
	h := header{calls: -1, name: -1, errors: -1, columns: len(cols)}
	for i, c := range cols {
		switch c {
		case "calls":
			h.calls = i
		case "syscall", "syscalls":
			h.name = i
		case "errors":
			h.errors = i
		}
	}
	return h, h.calls >= 0 && h.name >= 0
}

// tableAt reports whether an strace table starts at lines[i]: a header
// followed by a line of dashes.
func tableAt(lines []string, i int) (header, bool) {
	h, ok := parseHeader(lines[i])
	return h, ok && i+1 < len(lines) && isRule(lines[i+1])
}

// isRule reports whether l is a line of dashes and spaces.
func isRule(l string) bool {
	t := strings.TrimSpace(l)
	return len(t) > 0 && strings.Trim(t, "- ") == "" && strings.Contains(t, "--")
}

// modePrefix and modeSuffix enclose the personality of a table.
const (
	modePrefix = "System call usage summary for "
	modeSuffix = " mode:"
)

// parseStrace reads strace's summary tables.
func parseStrace(lines []string) (*Mix, error) {
	m := &Mix{Format: FormatStrace}
	mode := ""
	for i := 0; i < len(lines); i++ {
		l := strings.TrimRight(lines[i], "\r")
		if t := strings.TrimSpace(l); strings.HasPrefix(t, modePrefix) && strings.HasSuffix(t, modeSuffix) {
			mode = strings.TrimSuffix(strings.TrimPrefix(t, modePrefix), modeSuffix)
			continue
		}
		h, ok := tableAt(lines, i)
		if !ok {
			continue
		}
		if len(m.Sections) == MaxSections {
			return nil, fmt.Errorf("line %d: more than %d summary tables", i+1, MaxSections)
		}
		s := newSection(mode)
		mode = ""
		i += 2
		for ; i < len(lines); i++ {
			row := strings.TrimRight(lines[i], "\r")
			if isRule(row) {
				// The total row, if any, follows; it is not a
				// syscall.
				if i+1 < len(lines) {
					if f := strings.Fields(lines[i+1]); len(f) > 0 && f[len(f)-1] == "total" {
						i++
					}
				}
				break
			}
			if strings.TrimSpace(row) == "" {
				break
			}
			name, calls, err := parseRow(row, h)
			if err != nil {
				return nil, fmt.Errorf("line %d: %v", i+1, err)
			}
			if err := s.add(name, calls, i+1); err != nil {
				return nil, err
			}
		}
		m.Sections = append(m.Sections, s)
	}
	return m, nil
}

// parseRow reads the syscall name and the number of calls of a row. Only
// the errors column may be blank; the columns after it then come one
// field earlier.
func parseRow(row string, h header) (string, uint64, error) {
	f := strings.Fields(row)
	at := func(col int) (string, bool) {
		if len(f) == h.columns-1 && h.errors >= 0 && col > h.errors {
			col--
		}
		if col < 0 || col >= len(f) || len(f) < h.columns-1 || len(f) > h.columns {
			return "", false
		}
		return f[col], true
	}
	bad := fmt.Errorf("%q is not a row of strace's summary table (%d columns); give the summary as strace wrote it", clip(row), h.columns)
	name, ok1 := at(h.name)
	calls, ok2 := at(h.calls)
	if !ok1 || !ok2 || !validName(name) {
		return "", 0, bad
	}
	n, err := strconv.ParseUint(calls, 10, 64)
	if err != nil {
		return "", 0, fmt.Errorf("the calls of %s, %q, are not a whole number", name, clip(calls))
	}
	return name, n, nil
}

// validName reports whether s can be a syscall name: letters, digits and
// underscores, as the kernel's tables spell them.
func validName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// clip shortens s for a message.
func clip(s string) string {
	if len(s) > 60 {
		return s[:57] + "..."
	}
	return s
}

// UnknownError lists the names of a Mix that are not syscalls.
type UnknownError struct {
	// Names holds the unknown names, each with the line that gave it,
	// in the order of the lines.
	Names []UnknownName
}

// UnknownName is a name that is not a syscall and the line giving it.
type UnknownName struct {
	Name string
	Mode string
	Line int
}

func (e *UnknownError) Error() string {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%d unknown syscall %s:", len(e.Names), plural(len(e.Names), "name"))
	for i, u := range e.Names {
		if i == 10 {
			fmt.Fprintf(&b, " and %d more", len(e.Names)-i)
			break
		}
		fmt.Fprintf(&b, " %s (line %d)", u.Name, u.Line)
	}
	b.WriteString("; delete those lines, or spell each name as the kernel's syscall table does (strace prints syscall_NNN for a number it has no name for)")
	return b.String()
}

func plural(n int, w string) string {
	if n == 1 {
		return w
	}
	return w + "s"
}

// Check returns an *UnknownError listing the names of m for which known
// returns false, with their lines, or nil if there are none. known gets
// the section's Mode with each name, so that each personality can be
// checked against its own syscall table.
func (m *Mix) Check(known func(mode, name string) bool) error {
	var bad []UnknownName
	for _, s := range m.Sections {
		for name, line := range s.Lines {
			if !known(s.Mode, name) {
				bad = append(bad, UnknownName{Name: name, Mode: s.Mode, Line: line})
			}
		}
	}
	if len(bad) == 0 {
		return nil
	}
	sort.Slice(bad, func(i, j int) bool { return bad[i].Line < bad[j].Line })
	return &UnknownError{Names: bad}
}

// Arch returns the libseccomp name of the architecture of the
// personality mode for a process of architecture native (a libseccomp
// name such as "x86_64" or "aarch64"): native itself for "" and for the
// 64-bit mode of a 64-bit architecture; the 32-bit compat architecture
// (x86, arm, ppc, s390, mips or mipsel) for "32 bit"; x32 for "x32". ok
// is false for a mode that native has no architecture for.
func Arch(native, mode string) (name string, ok bool) {
	switch mode {
	case "":
		return native, true
	case "64 bit":
		switch native {
		case "x86_64", "aarch64", "ppc64", "ppc64le", "s390x", "mips64", "mipsel64", "riscv64", "loongarch64", "parisc64":
			return native, true
		}
	case "32 bit":
		compat := map[string]string{
			"x86_64": "x86", "x86": "x86", "aarch64": "arm", "arm": "arm", "ppc64": "ppc", "ppc": "ppc",
			"s390x": "s390", "s390": "s390", "mips64": "mips", "mips": "mips", "mipsel64": "mipsel", "mipsel": "mipsel",
			"parisc64": "parisc", "parisc": "parisc",
		}
		if a, ok := compat[native]; ok {
			return a, true
		}
	case "x32":
		if native == "x86_64" || native == "x32" {
			return "x32", true
		}
	}
	return "", false
}
