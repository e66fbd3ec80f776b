package arch

// sysIndex maps a syscall name to its index in sysNames.
var sysIndex = make(map[string]uint16, len(sysNames))

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
		sysIndex[n] = uint16(i)
	}
	for j, m := range muxCalls {
		if i, ok := sysIndex[m.Name]; ok {
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

// SyscallNames returns the names of every syscall the tables know, on any
// ABI, sorted.
func SyscallNames() []string {
	return append([]string(nil), sysNames[:]...)
}

// rawNumber resolves a name in the ABI's table, without offsets: libseccomp's
// per-ABI "raw" name resolver.
func (a *Arch) rawNumber(name string) (int32, bool) {
	i, ok := sysIndex[name]
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
	i, ok := sysIndex[name]
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
