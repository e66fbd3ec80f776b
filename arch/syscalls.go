package arch

import "math/bits"

// nameSlots is the number of slots of nameTable, a power of two about four
// times the number of names, so that most lookups hit on the first probe.
const nameSlots = 2048

// nameTable is an open-addressing hash table of the syscall names, probed
// linearly from nameHash: 1 + the index in sysNames, or 0 for an empty
// slot. A lookup hashes the name without allocating and compares it with
// one name most of the time, which costs less than a map[string] lookup.
var nameTable [nameSlots]uint16

// sysByNum[t] maps a number in table t (without ABI offsets, pseudo
// numbers included) to its index in sysNames.
var sysByNum [numTables]map[int32]uint16

// sysMux[i] is 1 + the index in muxCalls of sysNames[i], 0 if it is not
// multiplexed.
var sysMux [len(sysNames)]uint8

func init() {
	shadowed := make(map[string]bool, len(pseudoShadowed))
	for _, n := range pseudoShadowed {
		shadowed[n] = true
	}
	for i, n := range sysNames {
		h := nameHash(n)
		for nameTable[h%nameSlots] != 0 {
			h++
		}
		nameTable[h%nameSlots] = uint16(i + 1)
	}
	for j, m := range muxCalls {
		if i, ok := sysIndex(m.Name); ok {
			sysMux[i] = uint8(j + 1)
		}
	}
	for t := range sysByNum {
		m := make(map[int32]uint16, len(sysNames))
		for i := range sysNames {
			if !shadowed[sysNames[i]] || sysNums[i][t] >= 0 {
				m[sysNums[i][t]] = uint16(i)
			}
		}
		for i := range sysNames {
			if _, taken := m[sysNums[i][t]]; !taken {
				m[sysNums[i][t]] = uint16(i)
			}
		}
		sysByNum[t] = m
	}
}

// nameHash mixes the length and the first and last eight bytes of a name
// (all of it when shorter).
func nameHash(s string) uint32 {
	var a, b uint64
	n := len(s)
	if n >= 8 {
		a, b = le64(s), le64(s[n-8:])
	} else {
		for i := 0; i < n; i++ {
			a |= uint64(s[i]) << (8 * i)
		}
	}
	hi, lo := bits.Mul64(a^0x9e3779b97f4a7c15, b^uint64(n)^0xc2b2ae3d27d4eb4f)
	return uint32(hi ^ lo)
}

// le64 reads the first eight bytes of s as a little-endian number.
func le64(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// sysIndex returns the index in sysNames of a syscall name.
func sysIndex(name string) (uint16, bool) {
	h := nameHash(name)
	for {
		e := nameTable[h%nameSlots]
		if e == 0 {
			return 0, false
		}
		if sysNames[e-1] == name {
			return e - 1, true
		}
		h++
	}
}

// SyscallNames returns the names of every syscall the tables know, on any
// ABI, sorted.
func SyscallNames() []string {
	return append([]string(nil), sysNames[:]...)
}

// rawNumber resolves a name in the ABI's table, without offsets: libseccomp's
// per-ABI "raw" name resolver.
func (a *Arch) rawNumber(name string) (int32, bool) {
	i, ok := sysIndex(name)
	if !ok {
		return 0, false
	}
	return sysNums[i][a.table], true
}

// rawName resolves a table number, without offsets, to a name.
func (a *Arch) rawName(nr int32) (string, bool) {
	i, ok := sysByNum[a.table][nr]
	if !ok {
		return "", false
	}
	return sysNames[i], true
}

// addBase turns a table number into the number a process passes.
func (a *Arch) addBase(nr int32) int32 {
	switch {
	case nr < 0:
		return nr
	case a.SyscallBase == x32SyscallBit:
		return nr | x32SyscallBit
	default:
		return nr + a.SyscallBase
	}
}

// stripBase undoes addBase the way libseccomp does: x32 clears the x32 bit
// of any non-negative number, MIPS subtracts its base from numbers at or
// above it and looks smaller numbers up unchanged.
func (a *Arch) stripBase(nr int32) int32 {
	switch {
	case a.SyscallBase == x32SyscallBit:
		if nr >= 0 {
			nr &^= x32SyscallBit
		}
	case a.SyscallBase > 0:
		if nr >= a.SyscallBase {
			nr -= a.SyscallBase
		}
	}
	return nr
}

// SyscallNumber returns the number of the syscall name on the ABI, as
// libseccomp's seccomp_syscall_resolve_name_arch does: the number a process
// passes (MIPS offsets and the x32 bit included), or libseccomp's negative
// pseudo-syscall number when the ABI lacks the syscall. On ABIs that
// multiplex socket and IPC calls ([Arch.Multiplexes]), those calls always
// resolve to their pseudo number. ok is false if the name is unknown.
func (a *Arch) SyscallNumber(name string) (nr int32, ok bool) {
	i, ok := sysIndex(name)
	if !ok {
		return 0, false
	}
	if a.Multiplexes && sysMux[i] != 0 {
		return muxCalls[sysMux[i]-1].Pseudo, true
	}
	return a.addBase(sysNums[i][a.table]), true
}

// SyscallName returns the name of syscall number nr on the ABI, as
// libseccomp's seccomp_syscall_resolve_num_arch does; pseudo-syscall
// numbers resolve too. ok is false if no syscall has the number.
func (a *Arch) SyscallName(nr int32) (name string, ok bool) {
	if a.Multiplexes {
		if m, ok := muxByPseudo(nr); ok {
			return m.Name, true
		}
	}
	return a.rawName(a.stripBase(nr))
}

// SyscallNumberRewrite returns the number of the syscall name as
// libseccomp's seccomp_syscall_resolve_name_rewrite does (and
// scmp_sys_resolver -t prints): like [Arch.SyscallNumber], except that on
// ABIs that multiplex socket and IPC calls those calls give the number of
// socketcall(2) or ipc(2). ok is false if the name is unknown.
func (a *Arch) SyscallNumberRewrite(name string) (nr int32, ok bool) {
	nr, ok = a.SyscallNumber(name)
	if !ok {
		return 0, false
	}
	switch {
	case nr >= -1:
		return nr, true
	case nr > -100:
		// libseccomp reserves -2 to -99 and fails on them; no
		// syscall resolves to one.
		return 0, false
	}
	if a.Multiplexes {
		if nr <= -100 && nr >= -120 {
			return a.SocketCall, true
		}
		if nr <= -200 && nr >= -224 {
			return a.IPC, true
		}
	}
	return nr, true
}
