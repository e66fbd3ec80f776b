package main

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/seccomp-go/seccomp/arch"
	"github.com/seccomp-go/seccomp/bpf"
	"github.com/seccomp-go/seccomp/internal/verify"
)

var diffCommand = &command{
	name:    "diff",
	summary: "show exactly where two filters or profiles decide differently",
	usage: `diff [--arch A,...] [--caps C] [--json] A B

Compares two filters and prints, for every input on which they decide
differently, the architecture, the syscall numbers (grouped into ranges
named by their first and last syscall), the conditions on the arguments
and the instruction pointer, and both decisions:

	x86_64 personality: arg0 = 0x8: A ERRNO(EPERM), B ALLOW

The comparison is exact, not sampled: both programs are explored
symbolically, path against path, with the equivalence prover, so the
lines cover every input on which the two differ and only those. Inputs
from architectures neither filter names are summarised on one line.

A and B are each a profile (any format "scmp compile" reads, "-" or
docker-default) or a raw BPF file, told apart by their content. A
profile is compiled as "scmp compile" compiles it: for its own
architectures or those --arch gives, with the capability set --caps
(docker by default). --arch also sets the byte order raw files are read
in; otherwise it is detected.

Arguments are 64-bit values on 64-bit architectures: "arg0.lo" and
"arg0.hi" name their 32-bit halves where a condition is on one half
only; on 32-bit architectures "arg0" is the 32-bit argument.

Exit status: 0 when the two decide every input alike, 1 when they differ,
2 on error, as diff(1).`,
	run: runDiff,
}

// exitTrouble is diff's status for errors, as diff(1)'s.
const exitTrouble = 2

func runDiff(e *env, args []string) int {
	fs := newFlagSet(e)
	archList := fs.String("arch", "", "compile profiles for the comma-separated architectures `A,...`, and read raw files in their byte order")
	asJSON := fs.Bool("json", false, "print the differences as JSON")
	po := profileFlags(e, fs)
	pos, st := parse(e, fs, args, false)
	if st >= 0 {
		return st
	}
	if len(pos) != 2 {
		return e.usageErrorf("give two filters or profiles to compare, not %d", len(pos))
	}
	var arches []target
	if *archList != "" {
		var err error
		if arches, err = parseArchList(*archList); err != nil {
			return e.usageErrorf("--arch: %v", err)
		}
	}
	if err := po.check(); err != nil {
		return e.usageErrorf("%v", err)
	}
	if pos[0] == "-" && pos[1] == "-" {
		return e.usageErrorf("only one of A and B can be standard input")
	}
	var progs [2]bpf.Program
	for i, name := range pos {
		p, err := loadFilter(e, name, arches, *po)
		if err != nil {
			e.errorf("%v", err)
			return exitTrouble
		}
		progs[i] = p
	}
	regions, _, err := verify.Diff(progs[0], progs[1])
	if err != nil {
		if errors.Is(err, verify.ErrUnsupported) {
			err = fmt.Errorf("%v; scmp diff compares filters that only compare seccomp_data's words with constants, as seccomp compilers write them", err)
		}
		e.errorf("%v", err)
		return exitTrouble
	}
	lines := describeRegions(regions)
	if *asJSON {
		out := jsonDiff{Equal: len(lines) == 0, A: pos[0], B: pos[1], Differences: lines}
		if out.Differences == nil {
			out.Differences = []diffLine{}
		}
		enc := json.NewEncoder(e.stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			e.errorf("writing output: %v", err)
			return exitTrouble
		}
	} else {
		for _, l := range lines {
			fmt.Fprintln(e.stdout, l.String())
		}
	}
	if len(lines) > 0 {
		return exitFail
	}
	return exitOK
}

// loadFilter reads a profile, which it compiles for arches as "scmp
// compile" does, or a raw BPF file.
func loadFilter(e *env, name string, arches []target, po profileOptions) (bpf.Program, error) {
	data, err := readProfile(e, name)
	if err != nil {
		return nil, err
	}
	if !isJSON(data) {
		if int64(len(data)) > maxFilterSize {
			return nil, tooLarge(name, "BPF filter", maxFilterSize)
		}
		var t *target
		if len(arches) > 0 {
			t = &arches[0]
		}
		p, _, err := decodeProgram(e, name, data, t)
		return p, err
	}
	p, _, err := profileProgram(data, arches, true, po)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", name, explain(err))
	}
	return p, nil
}

// jsonDiff is the output of "scmp diff --json".
type jsonDiff struct {
	Equal       bool       `json:"equal"`
	A           string     `json:"a"`
	B           string     `json:"b"`
	Differences []diffLine `json:"differences"`
}

// diffLine is one line of the report: a set of inputs on which the two
// filters return A and B.
type diffLine struct {
	// Arch is the ABI's name; empty for inputs of other architectures,
	// whose arch word Fields then describes.
	Arch  string `json:"arch,omitempty"`
	Token uint32 `json:"token,omitempty"`
	// First and Last bound the syscall numbers, with the names of the
	// first and last syscall the range holds.
	First     uint32 `json:"first"`
	Last      uint32 `json:"last"`
	FirstName string `json:"firstName,omitempty"`
	LastName  string `json:"lastName,omitempty"`
	// Conditions say in words what Fields says exactly.
	Conditions []string `json:"conditions,omitempty"`
	// Fields are the sets of values of the other constrained 32-bit
	// words of seccomp_data ("arch", "ip.lo", "arg0.hi", ...), and masked
	// conditions on the syscall number ("nr").
	Fields map[string]verify.WordSet `json:"fields,omitempty"`
	A      diffAction                `json:"a"`
	B      diffAction                `json:"b"`
	// Example is an input of the set, at its first syscall number, for
	// "scmp sim"; lines of other architectures have none.
	Example *diffExample `json:"example,omitempty"`

	abi   *arch.Arch
	other string // description of the architectures, when abi is nil
}

// diffExample is one input, as struct seccomp_data holds it.
type diffExample struct {
	Nr   uint32    `json:"nr"`
	Arch uint32    `json:"arch"`
	IP   uint64    `json:"ip"`
	Args [6]uint64 `json:"args"`
}

// diffAction is a filter's decision.
type diffAction struct {
	Action string `json:"action"`
	Value  uint32 `json:"value"`
}

// String formats the line for a person.
func (l diffLine) String() string {
	var b strings.Builder
	if l.abi == nil {
		b.WriteString(l.other)
		if l.First != 0 || l.Last != 0xffffffff {
			b.WriteString(" nr ")
			b.WriteString(nrRange(l.First, l.Last, l.FirstName, l.LastName))
		}
	} else {
		b.WriteString(l.Arch)
		b.WriteString(" ")
		b.WriteString(nrRange(l.First, l.Last, l.FirstName, l.LastName))
	}
	if len(l.Conditions) > 0 {
		b.WriteString(": ")
		b.WriteString(strings.Join(l.Conditions, ", "))
	}
	fmt.Fprintf(&b, ": A %s, B %s", l.A.Action, l.B.Action)
	return b.String()
}

// nrRange writes a range of syscall numbers.
func nrRange(first, last uint32, firstName, lastName string) string {
	if first == last {
		if firstName != "" {
			return firstName
		}
		return nrString(first)
	}
	s := nrString(first) + "-" + nrString(last)
	switch {
	case firstName == "":
	case firstName == lastName:
		s += " (" + firstName + ")"
	default:
		s += " (" + firstName + ".." + lastName + ")"
	}
	return s
}

func nrString(n uint32) string {
	if n < 1<<16 {
		return strconv.FormatUint(uint64(n), 10)
	}
	return fmt.Sprintf("%#x", n)
}

// groupKey identifies the regions whose syscall ranges are merged into
// lines.
type groupKey struct {
	token uint32
	known bool       // token names an architecture
	abi   *arch.Arch // the ABI whose argument width the conditions assume
	conds string     // the conditions, and "other"'s arch description
	a, b  uint32
}

type group struct {
	abis    []*arch.Arch
	conds   []string
	fields  map[string]verify.WordSet
	other   string
	ranges  [][2]uint32
	witness [verify.NumWords]uint32 // an input of the first region
}

// describeRegions turns the prover's regions into report lines: regions
// of one architecture with the same conditions and decisions are merged,
// their syscall numbers grouped into ranges.
func describeRegions(regions []verify.Region) []diffLine {
	groups := map[groupKey]*group{}
	var keys []groupKey
	for i := range regions {
		r := &regions[i]
		k := groupKey{a: r.A, b: r.B}
		g := &group{fields: map[string]verify.WordSet{}, witness: r.Witness}
		archSet := r.Words[bpf.OffsetArch/4]
		tok, fixed := archSet.Fixed()
		var abis []*arch.Arch
		if fixed {
			abis = abisOf(tok)
		}
		big := false
		if len(abis) > 0 {
			k.token, k.known = tok, true
			g.abis = abis
			big = abis[0].BigEndian
		} else {
			g.other = otherArches(archSet)
			g.fields["arch"] = archSet
		}
		nr := r.Words[bpf.OffsetNr/4]
		bits := 64
		if len(abis) > 0 {
			k.abi = abiOfNumbers(abis, nr.Lo, nr.Hi)
			bits = k.abi.Bits
		}
		if len(nr.Masked) > 0 {
			g.conds = append(g.conds, wordTerms("nr", "nr", verify.WordSet{Lo: 0, Hi: 0xffffffff, Masked: nr.Masked}, 0, 0)...)
			g.fields["nr"] = verify.WordSet{Lo: 0, Hi: 0xffffffff, Masked: nr.Masked}
		}
		for f := 0; f < 7; f++ {
			name := "ip"
			if f > 0 {
				name = "arg" + strconv.Itoa(f-1)
			}
			lo, hi := r.Words[2+2*f], r.Words[3+2*f]
			if big {
				lo, hi = hi, lo
			}
			if len(abis) == 0 {
				// Without an architecture the halves cannot be told apart:
				// name the words by their offsets.
				for j, s := range []verify.WordSet{r.Words[2+2*f], r.Words[3+2*f]} {
					if !s.Any() {
						w := fmt.Sprintf("data[%d]", 4*(2+2*f+j))
						g.conds = append(g.conds, wordTerms(w, w, s, 0, 0)...)
						g.fields[w] = s
					}
				}
				continue
			}
			g.conds = append(g.conds, fieldTerms(name, hi, lo, bits)...)
			if !lo.Any() {
				g.fields[name+".lo"] = lo
			}
			if !hi.Any() {
				g.fields[name+".hi"] = hi
			}
		}
		if len(g.fields) == 0 {
			g.fields = nil
		}
		// The fields themselves, not only their description, tell groups
		// apart: on a 32-bit ABI "arg0 = 0x8" may have the high half
		// free or zero.
		k.conds = g.other + "\x00" + strings.Join(g.conds, "\x00") + "\x00" + fmt.Sprint(g.fields)
		old, ok := groups[k]
		if !ok {
			groups[k] = g
			keys = append(keys, k)
			old = g
		}
		old.ranges = append(old.ranges, intervals(nr)...)
	}
	var lines []diffLine
	for _, k := range keys {
		g := groups[k]
		for _, rg := range mergeRanges(g.ranges) {
			base := diffLine{
				Token: k.token, Conditions: g.conds, Fields: g.fields, other: g.other,
				A: diffAction{actionName(k.a, g.abis), k.a},
				B: diffAction{actionName(k.b, g.abis), k.b},
			}
			if !k.known {
				base.Token = 0
				base.First, base.Last = rg[0], rg[1]
				lines = append(lines, base)
				continue
			}
			for _, part := range splitByABI(g.abis, rg) {
				l := base
				l.abi, l.Arch = part.abi, part.abi.Name
				l.First, l.Last = part.first, part.last
				l.FirstName, l.LastName = syscallNamesIn(part.abi, part.first, part.last)
				w := g.witness
				w[bpf.OffsetNr/4] = part.first
				d := verify.DataOf(w, part.abi.ByteOrder())
				l.Example = &diffExample{Nr: uint32(d.Nr), Arch: d.Arch, IP: d.InstructionPointer, Args: d.Args}
				lines = append(lines, l)
			}
		}
	}
	slices.SortStableFunc(lines, func(x, y diffLine) int {
		if c := cmp.Compare(archRank(x.abi), archRank(y.abi)); c != 0 {
			return c
		}
		if c := cmp.Compare(x.First, y.First); c != 0 {
			return c
		}
		return cmp.Compare(strings.Join(x.Conditions, ","), strings.Join(y.Conditions, ","))
	})
	return lines
}

// archRank orders architectures as package arch lists them, other
// architectures last.
func archRank(a *arch.Arch) int {
	if a == nil {
		return len(arch.All())
	}
	return slices.Index(arch.All(), a)
}

// abisOf returns the ABIs with the token, the one with the lowest
// syscall base first.
func abisOf(token uint32) []*arch.Arch {
	var out []*arch.Arch
	for _, a := range arch.All() {
		if a.Token == token {
			out = append(out, a)
		}
	}
	slices.SortStableFunc(out, func(x, y *arch.Arch) int { return cmp.Compare(uint32(x.SyscallBase), uint32(y.SyscallBase)) })
	return out
}

// otherArches describes a set of architecture tokens none of the known
// ones is alone in.
func otherArches(s verify.WordSet) string {
	if tok, ok := s.Fixed(); ok {
		return fmt.Sprintf("arch %#x", tok)
	}
	if s.Lo == 0 && s.Hi == 0xffffffff && len(s.Masked) == 0 {
		if len(s.Except) == 0 {
			return "all architectures"
		}
		names := make([]string, len(s.Except))
		for i, t := range s.Except {
			names[i] = tokenName(t)
		}
		return "architectures other than " + strings.Join(names, ", ")
	}
	return "architectures where " + strings.Join(wordTerms("arch", "arch", s, 0, 0), ", ")
}

// tokenName names an architecture token by its ABIs.
func tokenName(t uint32) string {
	abis := abisOf(t)
	if len(abis) == 0 {
		return fmt.Sprintf("%#x", t)
	}
	names := make([]string, len(abis))
	for i, a := range abis {
		names[i] = a.Name
	}
	return strings.Join(names, "/")
}

// intervals returns the values of s's range minus its exceptions, as
// closed intervals; its masked conditions are stated separately.
func intervals(s verify.WordSet) [][2]uint32 {
	var out [][2]uint32
	lo := uint64(s.Lo)
	for _, x := range s.Except {
		if uint64(x) > lo {
			out = append(out, [2]uint32{uint32(lo), x - 1})
		}
		lo = uint64(x) + 1
	}
	if lo <= uint64(s.Hi) {
		out = append(out, [2]uint32{uint32(lo), s.Hi})
	}
	return out
}

// mergeRanges sorts closed intervals and joins those that overlap or
// touch.
func mergeRanges(rs [][2]uint32) [][2]uint32 {
	slices.SortFunc(rs, func(x, y [2]uint32) int { return cmp.Compare(x[0], y[0]) })
	var out [][2]uint32
	for _, r := range rs {
		if n := len(out); n > 0 && uint64(r[0]) <= uint64(out[n-1][1])+1 {
			out[n-1][1] = max(out[n-1][1], r[1])
			continue
		}
		out = append(out, r)
	}
	return out
}

type abiRange struct {
	abi         *arch.Arch
	first, last uint32
}

// abiOfNumbers returns the ABI among abis (of one token) whose table
// holds the syscall numbers [first, last]: one after the first if its
// table holds them all (x32's within x86_64's token), else the first.
func abiOfNumbers(abis []*arch.Arch, first, last uint32) *arch.Arch {
	for _, a := range abis[1:] {
		if first >= uint32(a.SyscallBase) && last <= uint32(a.MaxSyscall()) {
			return a
		}
	}
	return abis[0]
}

// splitByABI cuts a range of syscall numbers of a token at the tables of
// the token's ABIs after the first (x32's within x86_64's token), so
// that each part is named after one ABI.
func splitByABI(abis []*arch.Arch, r [2]uint32) []abiRange {
	out := []abiRange{{abis[0], r[0], r[1]}}
	for _, a := range abis[1:] {
		lo, hi := uint32(a.SyscallBase), uint32(a.MaxSyscall())
		var next []abiRange
		for _, p := range out {
			if p.abi != abis[0] || p.last < lo || p.first > hi {
				next = append(next, p)
				continue
			}
			if p.first < lo {
				next = append(next, abiRange{p.abi, p.first, lo - 1})
			}
			next = append(next, abiRange{a, max(p.first, lo), min(p.last, hi)})
			if p.last > hi {
				next = append(next, abiRange{p.abi, hi + 1, p.last})
			}
		}
		out = next
	}
	return out
}

// syscallTables caches each ABI's syscalls, sorted by number.
var (
	syscallTablesMu sync.Mutex
	syscallTables   map[*arch.Arch][]numberedSyscall // made at the first use
)

type numberedSyscall struct {
	nr   uint32
	name string
}

func syscallTable(a *arch.Arch) []numberedSyscall {
	syscallTablesMu.Lock()
	defer syscallTablesMu.Unlock()
	if t, ok := syscallTables[a]; ok {
		return t
	}
	seen := map[uint32]bool{}
	var t []numberedSyscall
	for _, name := range arch.SyscallNames() {
		nr, ok := a.SyscallNumber(name)
		if !ok {
			continue
		}
		if m, ok := a.Multiplexed(nr); ok && nr < 0 {
			nr = m.Direct
		}
		if nr < 0 || seen[uint32(nr)] {
			continue
		}
		if got, ok := a.SyscallName(nr); !ok || got != name {
			continue
		}
		seen[uint32(nr)] = true
		t = append(t, numberedSyscall{uint32(nr), name})
	}
	slices.SortFunc(t, func(x, y numberedSyscall) int { return cmp.Compare(x.nr, y.nr) })
	if syscallTables == nil {
		syscallTables = map[*arch.Arch][]numberedSyscall{}
	}
	syscallTables[a] = t
	return t
}

// syscallNamesIn returns the names of the first and last syscall of a
// with a number in [first, last], or "" when there is none.
func syscallNamesIn(a *arch.Arch, first, last uint32) (string, string) {
	t := syscallTable(a)
	i, _ := slices.BinarySearchFunc(t, first, func(s numberedSyscall, n uint32) int { return cmp.Compare(s.nr, n) })
	if i == len(t) || t[i].nr > last {
		return "", ""
	}
	j, found := slices.BinarySearchFunc(t, last, func(s numberedSyscall, n uint32) int { return cmp.Compare(s.nr, n) })
	if !found {
		j--
	}
	return t[i].name, t[j].name
}

// fieldTerms describes a 64-bit field (the instruction pointer or an
// argument) from the sets of its halves; on 32-bit ABIs, whose fields
// have only the low half, name alone is the low half when the high half
// is free.
func fieldTerms(name string, hi, lo verify.WordSet, bits int) []string {
	switch h, fixed := hi.Fixed(); {
	case hi.Any() && lo.Any():
		return nil
	case hi.Any() && bits == 32:
		return wordTerms(name, name, lo, 0, 0)
	case bits == 32:
		// A filter that tests the high half of a 32-bit ABI's argument:
		// name both halves.
	case fixed && h == 0 && lo.Any():
		return []string{name + " <= 0xffffffff"}
	case fixed:
		return wordTerms(name, name, lo, uint64(h)<<32, 0)
	case hi.Any():
		return wordTerms(name+".lo", name, lo, 0, 0)
	}
	terms := wordTerms(name+".hi", name, hi, 0, 32)
	if !lo.Any() {
		terms = append(terms, wordTerms(name+".lo", name, lo, 0, 0)...)
	}
	return terms
}

// wordTerms describes the set of one 32-bit word: its range and
// exceptions as values of rangeName, offset by base (the high half of a
// 64-bit field when it is fixed), and its masked conditions on
// maskedName, shifted by shift bits (32 for a high half).
func wordTerms(rangeName, maskedName string, s verify.WordSet, base uint64, shift uint) []string {
	var terms []string
	lo, hi := base|uint64(s.Lo), base|uint64(s.Hi)
	if n := uint64(s.Hi) - uint64(s.Lo) + 1 - uint64(len(s.Except)); n > 1 && n <= maxListed {
		// A few values: list them.
		var vals []string
		for v := uint64(s.Lo); v <= uint64(s.Hi); v++ {
			if !slices.Contains(s.Except, uint32(v)) {
				vals = append(vals, fmt.Sprintf("%#x", base|v))
			}
		}
		terms = append(terms, fmt.Sprintf("%s in {%s}", rangeName, strings.Join(vals, ", ")))
		return append(terms, maskedTerms(maskedName, s, shift)...)
	}
	switch {
	case s.Lo == s.Hi:
		terms = append(terms, fmt.Sprintf("%s = %#x", rangeName, lo))
	case lo == 0 && s.Hi == 0xffffffff && base == 0:
	case s.Lo == 0 && base == 0:
		terms = append(terms, fmt.Sprintf("%s <= %#x", rangeName, hi))
	case s.Hi == 0xffffffff && base == 0:
		terms = append(terms, fmt.Sprintf("%s >= %#x", rangeName, lo))
	default:
		terms = append(terms, fmt.Sprintf("%#x <= %s <= %#x", lo, rangeName, hi))
	}
	if len(s.Except) == 1 {
		terms = append(terms, fmt.Sprintf("%s != %#x", rangeName, base|uint64(s.Except[0])))
	} else if len(s.Except) > 1 {
		vals := make([]string, len(s.Except))
		for i, x := range s.Except {
			vals[i] = fmt.Sprintf("%#x", base|uint64(x))
		}
		terms = append(terms, fmt.Sprintf("%s not in {%s}", rangeName, strings.Join(vals, ", ")))
	}
	return append(terms, maskedTerms(maskedName, s, shift)...)
}

// maxListed is the most values a condition lists.
const maxListed = 8

// maskedTerms describes the masked conditions of s on name, shifted by
// shift bits.
func maskedTerms(name string, s verify.WordSet, shift uint) []string {
	var terms []string
	for _, c := range s.Masked {
		op := c.Op
		if op == "==" {
			op = "="
		}
		terms = append(terms, fmt.Sprintf("%s & %#x %s %#x", name, uint64(c.Mask)<<shift, op, uint64(c.Value)<<shift))
	}
	return terms
}

// actionName is bpf.ActionString with errno names: those every
// architecture numbers alike, and the others on architectures that
// number them as this one does.
func actionName(ret uint32, abis []*arch.Arch) string {
	if ret&bpf.RetActionFull != bpf.RetErrno {
		return bpf.ActionString(ret)
	}
	n := ret & bpf.RetData
	name := unix.ErrnoName(syscall.Errno(n))
	generic := n <= 34
	if !generic && len(abis) > 0 {
		a := abis[0].Name
		generic = !strings.HasPrefix(a, "mips") && !strings.HasPrefix(a, "parisc") && arch.Native() != nil &&
			!strings.HasPrefix(arch.Native().Name, "mips") && !strings.HasPrefix(arch.Native().Name, "parisc")
	}
	if name == "" || !generic {
		return bpf.ActionString(ret)
	}
	return "ERRNO(" + name + ")"
}
