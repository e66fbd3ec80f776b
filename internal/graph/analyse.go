package graph

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/seccomp-go/seccomp/arch"
	"github.com/seccomp-go/seccomp/bpf"
)

// field is what the accumulator holds.
type field int

const (
	fieldOther field = iota // a value the analysis does not follow
	fieldArch               // seccomp_data.arch
	fieldNr                 // seccomp_data.nr
	fieldArg                // a word of an argument or of the instruction pointer, perhaps masked
)

// span is the interval [lo, hi] of syscall numbers, as the unsigned
// 32-bit words the filter compares.
type span struct{ lo, hi uint32 }

// spans is a set of syscall numbers: sorted, disjoint, non-adjacent
// intervals.
type spans []span

var allNumbers = spans{{0, 1<<32 - 1}}

// intersect returns the numbers of s in [lo, hi].
func (s spans) intersect(lo, hi uint32) spans {
	var out spans
	for _, sp := range s {
		l, h := max(sp.lo, lo), min(sp.hi, hi)
		if l <= h {
			out = append(out, span{l, h})
		}
	}
	return out
}

// remove returns s without v.
func (s spans) remove(v uint32) spans {
	var out spans
	for _, sp := range s {
		if v < sp.lo || v > sp.hi {
			out = append(out, sp)
			continue
		}
		if sp.lo < v {
			out = append(out, span{sp.lo, v - 1})
		}
		if v < sp.hi {
			out = append(out, span{v + 1, sp.hi})
		}
	}
	return out
}

// union returns the numbers in s or t.
func (s spans) union(t spans) spans {
	all := append(append(spans(nil), s...), t...)
	sort.Slice(all, func(i, j int) bool { return all[i].lo < all[j].lo })
	var out spans
	for _, sp := range all {
		if n := len(out); n > 0 && uint64(sp.lo) <= uint64(out[n-1].hi)+1 {
			out[n-1].hi = max(out[n-1].hi, sp.hi)
			continue
		}
		out = append(out, sp)
	}
	return out
}

// archNrs is the syscall numbers a path can carry for one architecture,
// or for architectures not told apart yet (known false).
type archNrs struct {
	token uint32
	known bool
	nrs   spans
}

// state is what the analysis knows when an instruction is reached: what
// the accumulator holds and which architectures and syscall numbers lead
// there.
type state struct {
	acc     field
	accText string // the accumulator as written in nodes: "nr", "args[0].lo & 0x7e020000"
	arches  []archNrs
}

// analyse returns the state at each instruction of p, nil for those that
// no path reaches; lines is p's disassembly. p jumps only forward, so one
// pass in program order sees every predecessor of an instruction before
// the instruction.
func analyse(p bpf.Program, lines []string) []*state {
	states := make([]*state, len(p))
	states[0] = &state{acc: fieldOther, accText: "A", arches: []archNrs{{nrs: allNumbers}}}
	for pc, ins := range p {
		s := states[pc]
		if s == nil {
			continue
		}
		switch bpf.Class(ins.Op) {
		case bpf.RET:
		case bpf.JMP:
			if ins.Op == bpf.JMP|bpf.JA {
				joinInto(states, pc+1+int(ins.K), s)
				continue
			}
			joinInto(states, pc+1+int(ins.Jt), s.branch(ins, true))
			joinInto(states, pc+1+int(ins.Jf), s.branch(ins, false))
		default:
			if pc+1 < len(p) {
				joinInto(states, pc+1, s.step(ins, lines[pc]))
			}
		}
	}
	return states
}

// joinInto merges s into the state at pc.
func joinInto(states []*state, pc int, s *state) {
	if s == nil || pc >= len(states) {
		return
	}
	d := states[pc]
	if d == nil {
		states[pc] = s
		return
	}
	m := &state{acc: d.acc, accText: d.accText, arches: slices.Clone(d.arches)}
	if d.acc != s.acc || d.accText != s.accText {
		m.acc, m.accText = fieldOther, "A"
	}
	for _, a := range s.arches {
		i := slices.IndexFunc(m.arches, func(b archNrs) bool { return b.known == a.known && b.token == a.token })
		if i < 0 {
			m.arches = append(m.arches, a)
			continue
		}
		m.arches[i].nrs = m.arches[i].nrs.union(a.nrs)
	}
	states[pc] = m
}

// step returns the state after the instruction ins, which neither jumps
// nor returns; line is its disassembly.
func (s *state) step(ins bpf.Instruction, line string) *state {
	n := &state{acc: s.acc, accText: s.accText, arches: s.arches}
	switch {
	case ins.Op == bpf.LD|bpf.W|bpf.ABS:
		_, text, _ := strings.Cut(line, "ld [")
		n.accText = strings.TrimSuffix(text, "]")
		switch {
		case ins.K == bpf.OffsetNr:
			n.acc = fieldNr
		case ins.K == bpf.OffsetArch:
			n.acc = fieldArch
		case ins.K < bpf.SizeofData:
			n.acc = fieldArg
		default:
			n.acc, n.accText = fieldOther, "A"
		}
	case bpf.Class(ins.Op) == bpf.ALU && s.acc == fieldArg && bpf.Operation(ins.Op) == bpf.AND && bpf.Source(ins.Op) == bpf.K:
		n.accText = fmt.Sprintf("%s & %#x", s.accText, ins.K)
	case bpf.Class(ins.Op) == bpf.LD, bpf.Class(ins.Op) == bpf.ALU, ins.Op == bpf.MISC|bpf.TXA:
		n.acc, n.accText = fieldOther, "A"
	}
	return n
}

// branch returns the state on one way out of the conditional jump ins,
// or nil if no input can take it.
func (s *state) branch(ins bpf.Instruction, taken bool) *state {
	n := &state{acc: s.acc, accText: s.accText}
	k := ins.K
	op := bpf.Operation(ins.Op)
	byK := bpf.Source(ins.Op) == bpf.K
	for _, a := range s.arches {
		switch {
		case byK && s.acc == fieldNr:
			switch {
			case op == bpf.JEQ && taken:
				a.nrs = a.nrs.intersect(k, k)
			case op == bpf.JEQ:
				a.nrs = a.nrs.remove(k)
			case op == bpf.JGE && taken:
				a.nrs = a.nrs.intersect(k, 1<<32-1)
			case op == bpf.JGE:
				if k == 0 {
					a.nrs = nil
				} else {
					a.nrs = a.nrs.intersect(0, k-1)
				}
			case op == bpf.JGT && taken:
				if k == 1<<32-1 {
					a.nrs = nil
				} else {
					a.nrs = a.nrs.intersect(k+1, 1<<32-1)
				}
			case op == bpf.JGT:
				a.nrs = a.nrs.intersect(0, k)
			}
		case byK && s.acc == fieldArch && op == bpf.JEQ:
			switch {
			case taken && !a.known:
				a.token, a.known = k, true
			case taken && a.token != k, !taken && a.known && a.token == k:
				a.nrs = nil
			}
		}
		if len(a.nrs) > 0 {
			n.arches = append(n.arches, a)
		}
	}
	if len(n.arches) == 0 {
		return nil
	}
	return n
}

// token returns the one architecture the state is known to be for.
func (s *state) token() (uint32, bool) {
	if len(s.arches) != 1 || !s.arches[0].known {
		return 0, false
	}
	return s.arches[0].token, true
}

// syscallName names syscall number nr when the state is for one known
// architecture, or returns "".
func (s *state) syscallName(nr uint32) string {
	t, ok := s.token()
	if !ok {
		return ""
	}
	for _, e := range table(t) {
		if e.nr == nr {
			return e.name
		}
	}
	return ""
}

// describe names the syscalls the state can be reached with: at most
// limit names, or the first and last by number and how many there are,
// or numbers when no syscall of the tables is among them. A name that
// several architectures of the state have counts once.
func (s *state) describe(limit int) string {
	if s == nil {
		return ""
	}
	var found []entry
	for _, a := range s.arches {
		if !a.known {
			continue
		}
		tab := table(a.token)
		for _, sp := range a.nrs {
			i := sort.Search(len(tab), func(i int) bool { return tab[i].nr >= sp.lo })
			for ; i < len(tab) && tab[i].nr <= sp.hi; i++ {
				found = append(found, tab[i])
			}
		}
	}
	sort.SliceStable(found, func(i, j int) bool { return found[i].nr < found[j].nr })
	seen := map[string]bool{}
	var names []string
	for _, e := range found {
		if !seen[e.name] {
			seen[e.name] = true
			names = append(names, e.name)
		}
	}
	switch {
	case len(names) == 0:
		return numbers(s.arches)
	case len(names) <= limit:
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s … %s (%d syscalls)", names[0], names[len(names)-1], len(names))
}

// numbers writes the syscall numbers of arches that no table names.
func numbers(arches []archNrs) string {
	var all spans
	for _, a := range arches {
		all = all.union(a.nrs)
	}
	var parts []string
	for i, sp := range all {
		if i == 2 {
			parts = append(parts, "…")
			break
		}
		if sp.lo == sp.hi {
			parts = append(parts, fmt.Sprint(sp.lo))
		} else {
			parts = append(parts, fmt.Sprintf("%d–%d", sp.lo, sp.hi))
		}
	}
	return "nr " + strings.Join(parts, ", ")
}

// entry is one syscall of a table.
type entry struct {
	nr   uint32
	name string
}

var (
	tablesMu sync.Mutex
	tables   map[uint32][]entry // by token, made at the first use
)

// table returns the syscalls of the architectures whose AUDIT_ARCH value
// is token, sorted by number. x86_64 and x32 share one; x32's names are
// written "x32:read".
func table(token uint32) []entry {
	tablesMu.Lock()
	defer tablesMu.Unlock()
	if t, ok := tables[token]; ok {
		return t
	}
	var t []entry
	names := arch.SyscallNames()
	for _, a := range arch.All() {
		if a.Token != token {
			continue
		}
		for _, name := range names {
			nr, ok := a.SyscallNumber(name)
			if !ok {
				continue
			}
			if m, ok := a.Multiplexed(nr); ok && nr < 0 {
				nr = m.Direct
			}
			if nr < 0 {
				continue
			}
			if a == arch.X32 {
				// x32 shares x86_64's AUDIT_ARCH value; its calls
				// are told apart by number.
				name = "x32:" + name
			}
			t = append(t, entry{uint32(nr), name})
		}
	}
	sort.Slice(t, func(i, j int) bool {
		if t[i].nr != t[j].nr {
			return t[i].nr < t[j].nr
		}
		return t[i].name < t[j].name
	})
	t = slices.CompactFunc(t, func(a, b entry) bool { return a.nr == b.nr })
	if tables == nil {
		tables = map[uint32][]entry{}
	}
	tables[token] = t
	return t
}
