package difftest

import (
	"sort"

	lib "github.com/seccomp/libseccomp-golang"
)

// archInfo is what the probes need to know about an architecture.
type archInfo struct {
	token uint32 // AUDIT_ARCH_*
	base  int32  // first syscall number of the ABI
	// muxes are the socketcall and ipc multiplexers of the ABI.
	muxes []int32
}

var archInfos = map[string]archInfo{
	"x86_64":      {token: 0xc000003e},
	"x86":         {token: 0x40000003, muxes: []int32{102, 117}},
	"x32":         {token: 0xc000003e, base: 0x40000000},
	"arm":         {token: 0x40000028},
	"aarch64":     {token: 0xc00000b7},
	"mipsel":      {token: 0x40000008, base: 4000, muxes: []int32{4102, 4117}},
	"mipsel64":    {token: 0xc0000008, base: 5000},
	"mipsel64n32": {token: 0xe0000008, base: 6000},
	"ppc64le":     {token: 0xc0000015, muxes: []int32{102, 117}},
	"riscv64":     {token: 0xc00000f3},
}

// foreignTokens are architectures that are never in the filter under test
// (aarch64 is replaced by x86 when the filter has aarch64), plus a value
// that is no architecture at all.
func foreignTokens(arches []string) []uint32 {
	has := map[uint32]bool{}
	for _, a := range arches {
		has[archInfos[a].token] = true
	}
	out := []uint32{0x12345678}
	for _, t := range []uint32{0xc00000b7, 0x40000003, 0xc000003e} {
		if !has[t] {
			out = append(out, t)
			break
		}
	}
	return out
}

// ProbeSet is the list of inputs on which two programs are compared.
type ProbeSet struct {
	Data []Data
	// NrOnly is the number of leading probes that have all arguments 0.
	NrOnly int
}

// valueVariants returns the values an argument takes around the constant
// c: c, c±1, c with the high word set, its low and high words alone, and
// the edges.
func valueVariants(c uint64) []uint64 {
	return []uint64{
		c, c + 1, c - 1, c | 0xffffffff00000000, c & 0xffffffff,
		c &^ 0xffffffff, c >> 32, (c & 0xffffffff) | 0x100000000,
		(c & 0xffffffff) + 1, (c & 0xffffffff) - 1,
	}
}

var edgeValues = []uint64{0, 1, 0xffffffff, 0x100000000, ^uint64(0), 0x7fffffff, 0x80000000}

// condSatisfying returns a value that satisfies c, used as the base value
// of its argument.
func condSatisfying(c Cond) uint64 {
	switch c.Op {
	case 1:
		return c.A + 1
	case 2:
		return c.A - 1
	case 7:
		return c.B
	}
	return c.A
}

// argVectors builds argument vectors from a group of conditional rules
// on one syscall.
func argVectors(rules [][]Cond) [][6]uint64 {
	seen := map[[6]uint64]bool{}
	var out [][6]uint64
	add := func(v [6]uint64) {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	perArg := map[uint][]uint64{}
	for _, conds := range rules {
		var base [6]uint64
		for _, c := range conds {
			if c.Arg < 6 {
				base[c.Arg] = condSatisfying(c)
				perArg[c.Arg] = append(perArg[c.Arg], c.A, c.B)
			}
		}
		add(base)
		for _, c := range conds {
			if c.Arg >= 6 {
				continue
			}
			vals := append(valueVariants(c.A), edgeValues...)
			if c.Op == 7 {
				vals = append(vals, valueVariants(c.B)...)
				vals = append(vals, c.B|^c.A, c.B&^1, c.A|c.B)
			}
			for _, v := range vals {
				w := base
				w[c.Arg] = v
				add(w)
			}
		}
	}
	for arg, consts := range perArg {
		for _, c := range consts {
			for _, v := range valueVariants(c) {
				var w [6]uint64
				w[arg] = v
				add(w)
				for i := range w {
					w[i] = v
				}
				add(w)
			}
		}
	}
	for _, v := range edgeValues {
		var w [6]uint64
		for i := range w {
			w[i] = v
		}
		add(w)
	}
	return out
}

// nameOf maps a rule's syscall to a name for per-arch resolution.
func nameOf(c Call) string {
	if c.Name != "" {
		return c.Name
	}
	n, err := lib.ScmpSyscall(c.Num).GetName()
	if err != nil {
		return ""
	}
	return n
}

// BuildProbes returns the probes for a rule set whose filter has the given
// architectures.
func BuildProbes(rs *RuleSet, arches []string) *ProbeSet {
	ps := &ProbeSet{}
	tokens := map[uint32][]int32{} // token -> bases
	var order []uint32
	for _, a := range arches {
		info := archInfos[a]
		if _, ok := tokens[info.token]; !ok {
			order = append(order, info.token)
		}
		tokens[info.token] = append(tokens[info.token], info.base)
	}
	for _, t := range order {
		bases := map[int32]bool{0: true}
		for _, b := range tokens[t] {
			bases[b] = true
		}
		if t == 0xc000003e {
			bases[0x40000000] = true
		}
		var bl []int32
		for b := range bases {
			bl = append(bl, b)
		}
		sort.Slice(bl, func(i, j int) bool { return bl[i] < bl[j] })
		ps.Data = append(ps.Data, Data{Nr: -1, Arch: t})
		for _, b := range bl {
			for nr := int32(0); nr < 1024; nr++ {
				ps.Data = append(ps.Data, Data{Nr: b + nr, Arch: t})
			}
		}
	}
	for _, t := range foreignTokens(arches) {
		for _, nr := range []int32{-1, 0, 1, 59, 1023, 0x40000000} {
			ps.Data = append(ps.Data, Data{Nr: nr, Arch: t})
		}
	}
	ps.NrOnly = len(ps.Data)

	// Argument vectors, per syscall, from that syscall's conditions.
	byName := map[string][][]Cond{}
	var names []string
	var nums []int32
	var all [][]Cond
	for _, c := range rs.Calls {
		if !c.isRule() {
			continue
		}
		n := nameOf(c)
		if c.Name == "" {
			nums = append(nums, c.Num)
		}
		if n == "" {
			continue
		}
		if _, ok := byName[n]; !ok {
			names = append(names, n)
		}
		byName[n] = append(byName[n], c.Conds)
		if len(c.Conds) > 0 {
			all = append(all, c.Conds)
		}
	}
	seen := map[[2]int64]bool{}
	probe := func(t uint32, nr int32, vecs [][6]uint64) {
		if seen[[2]int64{int64(t), int64(nr)}] {
			return
		}
		seen[[2]int64{int64(t), int64(nr)}] = true
		for _, v := range vecs {
			ps.Data = append(ps.Data, Data{Nr: nr, Arch: t, Args: v, IP: v[0] ^ v[5]})
		}
	}
	allVecs := argVectors(all)
	for _, a := range arches {
		info := archInfos[a]
		for _, n := range names {
			nr, err := LibResolveArch(n, a)
			if err != nil || nr < 0 {
				continue
			}
			probe(info.token, nr, argVectors(byName[n]))
		}
		for _, nr := range nums {
			probe(info.token, nr, allVecs)
		}
		for _, m := range info.muxes {
			var mux [][6]uint64
			for _, v := range allVecs {
				for sub := uint64(0); sub <= 24; sub++ {
					w := v
					w[0] = sub
					mux = append(mux, w)
				}
			}
			probe(info.token, m, mux)
		}
		probe(info.token, -1, allVecs)
	}
	return ps
}
