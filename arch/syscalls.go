package arch

// The lookup tables (nameTable, sysByNr, sysByPseudo and sysByNrSparse) are generated
// with the syscall tables in zsyscalls.go: the package does no work at
// start to resolve names and numbers.

// nameSlots is the number of slots of nameTable, a power of two about four
// times the number of names, so that most lookups hit on the first probe.
// A lookup hashes the name without allocating and compares its key with
// the key of one slot most of the time, which costs less than a
// map[string] lookup.
const nameSlots = 1 << nameBits

// A nameSlot is a slot of nameTable.
type nameSlot struct {
	lo, hi uint64 // the name's key (see probe)
	n      uint8  // the name's length, 0 for an empty slot
	i      uint16 // the name's index in sysNames
}

// An nrName is an entry of sysByNrSparse: a number of a table and the
// index in sysNames of the syscall it resolves to.
type nrName struct {
	nr int32
	i  uint16
}

// nameHash returns the slot of nameTable where probing for a name with key
// lo, hi and length n starts, in its low nameBits bits. The multipliers
// were chosen for few collisions among the syscall names. internal/mktables
// fills nameTable with the same function.
func nameHash(lo, hi uint64, n int) uint64 {
	return ((lo ^ hi*0x69072b7a539fa727 ^ uint64(n)) * 0x10f34a554147f4f1) >> (64 - nameBits)
}

// le64 reads the first eight bytes of s as a little-endian number.
func le64(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// le32 reads the first four bytes of s as a little-endian number.
func le32(s string) uint32 {
	_ = s[3]
	return uint32(s[0]) | uint32(s[1])<<8 | uint32(s[2])<<16 | uint32(s[3])<<24
}

// maxNameLen is the length of the longest name probe can find. No syscall
// name is longer (internal/mktables and TestNameTable check).
const maxNameLen = 32

// noSlot is the empty slot probe returns for names longer than maxNameLen.
var noSlot nameSlot

// probe looks a name up in nameTable. It returns the slot that holds the
// name or, if none does, an empty slot: the one where probing stopped,
// which is where the name belongs, or noSlot. It also returns the name's
// key: its first and last eight bytes if it has eight or more, else its
// first and last four if it has four or more, else its first, middle and
// last byte. The key and length tell apart names of up to 16 bytes; for
// longer ones probe also compares the middle.
func probe(name string) (e *nameSlot, lo, hi uint64) {
	switch n := len(name); {
	case n > maxNameLen:
		return &noSlot, 0, 0
	case n >= 8:
		lo, hi = le64(name), le64(name[n-8:])
	case n >= 4:
		lo = uint64(le32(name)) | uint64(le32(name[n-4:]))<<32
	case n > 0:
		lo = uint64(name[0]) | uint64(name[n/2])<<8 | uint64(name[n-1])<<16
	}
	n := len(name)
	for h := nameHash(lo, hi, n); ; h++ {
		e = &nameTable[h%nameSlots]
		if e.lo == lo && e.hi == hi && int(e.n) == n {
			if n <= 16 {
				return e, lo, hi
			}
			// Two overlapping eight-byte loads cover the middle of
			// names of up to maxNameLen bytes.
			s := sysNames[e.i]
			if le64(s[8:]) == le64(name[8:]) && le64(s[n-16:]) == le64(name[n-16:]) {
				return e, lo, hi
			}
		}
		if e.n == 0 {
			return e, lo, hi
		}
	}
}

// sysIndex returns the index in sysNames of a syscall name.
func sysIndex(name string) (uint16, bool) {
	e, _, _ := probe(name)
	return e.i, e.n != 0
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
	t := a.table
	var i uint16
	if dense := sysByNr[t]; uint32(nr) < uint32(len(dense)) {
		i = dense[nr]
	} else if pseudo := sysByPseudo[t]; nr <= pseudoBase && pseudoBase-nr < int32(len(pseudo)) {
		i = pseudo[pseudoBase-nr]
	} else {
		i = sparseName(sysByNrSparse[t], nr)
	}
	if i == 0 {
		return "", false
	}
	return sysNames[i-1], true
}

// sparseName returns 1 + the index in sysNames of the syscall that nr
// resolves to in a table's sparse numbers, 0 if none.
func sparseName(sparse []nrName, nr int32) uint16 {
	if len(sparse) == 0 || nr < sparse[0].nr || nr > sparse[len(sparse)-1].nr {
		return 0
	}
	lo, hi := 0, len(sparse)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if sparse[m].nr < nr {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(sparse) && sparse[lo].nr == nr {
		return sparse[lo].i + 1
	}
	return 0
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
	if p := sysPseudo[i]; a.Multiplexes && isMuxPseudo(p) {
		return p, true
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
