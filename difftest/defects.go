package difftest

// libseccomp (2.5.4 and 2.6.1 alike) sometimes emits a comparison while the
// accumulator holds a different word of seccomp_data than the one the
// comparison was generated for:
//
//   - the syscall number is not loaded after the architecture check when
//     the first syscall of an architecture block emits no code (a syscall
//     that only has a priority, or whose rules name a syscall the
//     architecture lacks); every syscall comparison of the block then
//     compares the AUDIT_ARCH token and the block's rules never apply;
//   - a chain of argument checks that falls through to a sibling testing
//     another argument word does not reload the word.
//
// Such a program does not decide what its rules say. staleCompares finds
// these comparisons by data flow over the program: a comparison against a
// constant where the accumulator can hold words from different offsets
// depending on the path, or holds the architecture token while compared
// against a value that is no architecture token. Probes whose path in the
// libseccomp program runs through one are reported separately from
// mismatches.

// accSrc is the set of places the accumulator may have been loaded from:
// bit i for seccomp_data offset 4*i, bit 16 for anything else.
type accSrc uint32

const accOther accSrc = 1 << 16

func staleCompares(p []insn, tokens map[uint32]bool) map[int]bool {
	in := make([]accSrc, len(p)+1)
	reached := make([]bool, len(p)+1)
	reached[0] = true
	in[0] = accOther
	flow := func(to int, s accSrc) {
		if to < len(in) {
			in[to] |= s
			reached[to] = true
		}
	}
	// Jumps only go forward, so one pass in order is a fixed point.
	for pc, x := range p {
		if !reached[pc] {
			continue
		}
		s := in[pc]
		switch {
		case x.op == 0x20 && x.k < 64:
			flow(pc+1, 1<<(x.k/4))
		case x.op == 0x54 || x.op == 0x44: // and, or with a constant
			flow(pc+1, s)
		case x.op&7 == 0x00 || x.op&7 == 0x04 || x.op == 0x87: // other loads, alu, txa
			flow(pc+1, accOther)
		case x.op == 0x05:
			flow(pc+1+int(x.k), s)
		case x.op&7 == 0x05:
			flow(pc+1+int(x.jt), s)
			flow(pc+1+int(x.jf), s)
		case x.op&7 == 0x06:
		default:
			flow(pc+1, s)
		}
	}
	bad := map[int]bool{}
	for pc, x := range p {
		isCmp := x.op&7 == 0x05 && x.op != 0x05 && x.op&0x08 == 0
		isMask := x.op == 0x54 || x.op == 0x44
		if !reached[pc] || !isCmp && !isMask {
			continue
		}
		s := in[pc]
		if s&(s-1) != 0 {
			bad[pc] = true
		} else if isCmp && s == 1<<1 && !tokens[x.k] {
			bad[pc] = true
		}
	}
	return bad
}

// pathHits reports whether running p on d executes one of the
// instructions in marked.
func pathHits(p []insn, d *Data, marked map[int]bool) bool {
	if len(marked) == 0 {
		return false
	}
	hit := false
	var a uint32
	for pc := 0; pc < len(p); pc++ {
		x := p[pc]
		if marked[pc] {
			hit = true
		}
		switch {
		case x.op == 0x20:
			w, _ := d.word(x.k)
			a = w
		case x.op == 0x05:
			pc += int(x.k)
		case x.op&7 == 0x05:
			if t, _ := jumpTaken(x.op, a, x.k); t {
				pc += int(x.jt)
			} else {
				pc += int(x.jf)
			}
		case x.op&7 == 0x06:
			return hit
		case x.op&7 == 0x04 && x.op&0x08 == 0:
			switch x.op & 0xf0 {
			case 0x50:
				a &= x.k
			case 0x40:
				a |= x.k
			default:
				return true // not libseccomp output; treat as suspect
			}
		}
	}
	return hit
}
