package bpf

// ConstAllow reports whether the kernel's seccomp action cache (Linux
// 5.11 and later, seccomp_cache_prepare) would record the syscall nr of
// the architecture archToken as always allowed by p, so that the filter
// is not run for it at all.
//
// It emulates the kernel's seccomp_is_const_allow: the program is walked
// from its first instruction with a single register that starts at 0.
// Only these instructions are understood: "ld [nr]" and "ld [arch]"
// (LD|W|ABS at offsets 0 and 4), which load the fixed nr or archToken;
// "and #k", which masks the register; "jeq", "jge", "jgt" and "jset" with
// a constant operand, decided on the register; "ja"; and "ret #k". The
// result is true only if a "ret #k" with k exactly RetAllow (no data bits)
// is reached. Any other instruction, among them loads of arguments or of
// the instruction pointer, ALU operations other than "and #k", jumps on
// X and "ret a", makes the answer false.
//
// ConstAllow does not verify p; for a program that Verify rejects the
// answer is meaningless (but ConstAllow does not panic).
//
// Only the walk over the filter is modelled. Recent kernels (6.14, and
// stable releases that took the fix) also treat the uretprobe and uprobe
// syscalls of the native ABI as always allowed, whatever the filter says;
// that exception depends on the kernel and is not part of ConstAllow.
func ConstAllow(p Program, archToken uint32, nr int32) bool {
	var reg uint32
	for pc := 0; pc < len(p); pc++ {
		ins := p[pc]
		switch ins.Op {
		case LD | W | ABS:
			switch ins.K {
			case OffsetNr:
				reg = uint32(nr)
			case OffsetArch:
				reg = archToken
			default:
				return false
			}
		case RET | K:
			return ins.K == RetAllow
		case JMP | JA:
			if uint64(ins.K) >= uint64(len(p)-pc-1) {
				return false
			}
			pc += int(ins.K)
		case JMP | JEQ | K, JMP | JGE | K, JMP | JGT | K, JMP | JSET | K:
			var cond bool
			switch Operation(ins.Op) {
			case JEQ:
				cond = reg == ins.K
			case JGE:
				cond = reg >= ins.K
			case JGT:
				cond = reg > ins.K
			case JSET:
				cond = reg&ins.K != 0
			}
			if cond {
				pc += int(ins.Jt)
			} else {
				pc += int(ins.Jf)
			}
		case ALU | AND | K:
			reg &= ins.K
		default:
			return false
		}
	}
	// Ran off the end: the kernel warns and does not cache.
	return false
}

// ConstAllowBitmap returns, for each syscall number 0..n-1, whether
// ConstAllow(p, archToken, nr) holds: the kernel's cache bitmap for one
// filter and one architecture.
func ConstAllowBitmap(p Program, archToken uint32, n int) []bool {
	if n < 0 {
		n = 0
	}
	bm := make([]bool, n)
	for nr := range bm {
		bm[nr] = ConstAllow(p, archToken, int32(nr))
	}
	return bm
}
