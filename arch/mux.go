package arch

// MuxCall is one syscall that socketcall(2) or ipc(2) can stand in for.
type MuxCall struct {
	// Name is the syscall's name, such as "socket" or "shmat".
	Name string
	// Pseudo is libseccomp's pseudo-syscall number for it: -100 - Call
	// for socket calls, -200 - Call for IPC calls.
	Pseudo int32
	// Call is the value of the multiplexer's first argument that selects
	// the syscall (SYS_SOCKET and friends, or SEMOP and friends).
	Call uint32
	// IPC is true for ipc(2) calls, false for socketcall(2) calls.
	IPC bool
}

// muxCalls lists the multiplexed syscalls: the socketcall(2) calls of
// linux/net.h and the ipc(2) calls of linux/ipc.h.
var muxCalls = [...]MuxCall{
	{"socket", -101, 1, false},
	{"bind", -102, 2, false},
	{"connect", -103, 3, false},
	{"listen", -104, 4, false},
	{"accept", -105, 5, false},
	{"getsockname", -106, 6, false},
	{"getpeername", -107, 7, false},
	{"socketpair", -108, 8, false},
	{"send", -109, 9, false},
	{"recv", -110, 10, false},
	{"sendto", -111, 11, false},
	{"recvfrom", -112, 12, false},
	{"shutdown", -113, 13, false},
	{"setsockopt", -114, 14, false},
	{"getsockopt", -115, 15, false},
	{"sendmsg", -116, 16, false},
	{"recvmsg", -117, 17, false},
	{"accept4", -118, 18, false},
	{"recvmmsg", -119, 19, false},
	{"sendmmsg", -120, 20, false},
	{"semop", -201, 1, true},
	{"semget", -202, 2, true},
	{"semctl", -203, 3, true},
	{"semtimedop", -204, 4, true},
	{"msgsnd", -211, 11, true},
	{"msgrcv", -212, 12, true},
	{"msgget", -213, 13, true},
	{"msgctl", -214, 14, true},
	{"shmat", -221, 21, true},
	{"shmdt", -222, 22, true},
	{"shmget", -223, 23, true},
	{"shmctl", -224, 24, true},
}

// MuxCalls returns the 32 syscalls that socketcall(2) and ipc(2) multiplex.
func MuxCalls() []MuxCall {
	return append([]MuxCall(nil), muxCalls[:]...)
}

// isMuxPseudo tells whether a syscall's pseudo number nr is in the ranges
// of the socket and IPC calls. The calls of muxCalls are the syscalls whose
// pseudo numbers are (TestMuxPseudo checks).
func isMuxPseudo(nr int32) bool {
	return nr <= -101 && nr >= -120 || nr <= -201 && nr >= -224
}

func muxByName(name string) (MuxCall, bool) {
	i, ok := sysIndex(name)
	if !ok || !isMuxPseudo(sysPseudo[i]) {
		return MuxCall{}, false
	}
	return muxByPseudo(sysPseudo[i])
}

func muxByPseudo(nr int32) (MuxCall, bool) {
	switch {
	case nr <= -101 && nr >= -120:
		return muxCalls[-101-nr], true
	case nr <= -201 && nr >= -224:
		for _, m := range muxCalls[20:] {
			if m.Pseudo == nr {
				return m, true
			}
		}
	}
	return MuxCall{}, false
}

// Mux tells how libseccomp adds a rule for a socket or IPC syscall on an ABI
// that multiplexes them; see the package documentation.
type Mux struct {
	MuxCall
	// Nr is the multiplexer's syscall number: socketcall(2)'s or ipc(2)'s
	// on the ABI. libseccomp adds a rule on Nr whose first argument must
	// equal Call.
	Nr int32
	// Direct is the number libseccomp adds the second rule for: the
	// ABI's own syscall number when it has one (Direct >= 0), else the
	// syscall's pseudo number, which never matches.
	Direct int32
}

// Multiplexed tells whether libseccomp treats syscall number nr as a
// multiplexed socket or IPC call on the ABI when adding a rule for it, and
// how. nr is a number as [Arch.SyscallNumber] returns it: a pseudo number
// (-101 to -120, -201 to -224) or the ABI's direct syscall number for a
// socket or IPC call. ok is false on ABIs without multiplexing and for
// other syscalls.
//
// libseccomp treats every number from -100 to -120 and from -200 to -224 as
// multiplexed; for the ones that name no syscall (-100, -200, -205 and so
// on) ok is true and m.Name is empty, and libseccomp fails to add the rule.
func (a *Arch) Multiplexed(nr int32) (m Mux, ok bool) {
	if !a.Multiplexes {
		return Mux{}, false
	}
	if (nr <= -100 && nr >= -120) || (nr <= -200 && nr >= -224) {
		c, named := muxByPseudo(nr)
		if !named {
			return Mux{}, true
		}
		direct, _ := a.rawNumber(c.Name)
		return a.mux(c, a.addBase(direct)), true
	}
	if nr < 0 {
		return Mux{}, false
	}
	name, found := a.rawName(a.stripBase(nr))
	if !found {
		return Mux{}, false
	}
	c, isMux := muxByName(name)
	if !isMux {
		return Mux{}, false
	}
	return a.mux(c, nr), true
}

func (a *Arch) mux(c MuxCall, direct int32) Mux {
	m := Mux{MuxCall: c, Nr: a.SocketCall, Direct: direct}
	if c.IPC {
		m.Nr = a.IPC
	}
	return m
}
