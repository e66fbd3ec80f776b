package difftest

import (
	"fmt"
	"math/rand/v2"
)

// namePool are syscall names known to libseccomp 2.5.4 and 2.6.1. They
// include names missing on some architectures (open, socketcall, mmap2,
// arch_prctl, set_tls), the socket and ipc families that x86 multiplexes,
// and the names Docker's profile checks arguments of.
var namePool = []string{
	"read", "write", "open", "close", "fstat", "mmap", "mprotect", "ioctl",
	"socket", "connect", "accept", "accept4", "sendto", "recvfrom", "bind",
	"listen", "getsockopt", "setsockopt", "socketpair", "shutdown", "clone",
	"fork", "execve", "kill", "fcntl", "flock", "personality", "prctl",
	"futex", "epoll_wait", "openat", "mknodat", "renameat", "getppid", "acct",
	"chown32", "socketcall", "ipc", "shmget", "msgsnd", "semop", "mmap2",
	"arch_prctl", "time", "_llseek", "set_tls", "getpid", "exit_group",
	"clone3", "process_vm_readv", "memfd_create", "pidfd_open",
}

var defaultKinds = []uint{ActKillThread, ActKillProcess, ActTrap, ActErrno, ActErrno, ActTrace, ActAllow, ActAllow, ActLog}
var ruleKinds = []uint{ActKillThread, ActKillProcess, ActTrap, ActErrno, ActErrno, ActTrace, ActAllow, ActAllow, ActAllow, ActLog, ActNotify}
var dataPool = []int16{0, 1, 2, 13, 38, 95, 0x7fff, -1}

// randomConstants returns the constant pool of one rule set: small
// values, 32-bit edges, and 64-bit values, some sharing a high word.
func randomConstants(r *rand.Rand) []uint64 {
	fixed := []uint64{0, 1, 2, 8, 40, 0x20000, 0x7e020000, 0x7fffffff, 0x80000000,
		0xffffffff, 0x100000000, 0x100000005, 0xfffffffe, 0xffffffff00000000,
		^uint64(0), 0x8000000000000000, 0x1234567800000010}
	n := 3 + r.IntN(5)
	out := make([]uint64, 0, n)
	for range n {
		switch r.IntN(4) {
		case 0:
			out = append(out, r.Uint64())
		case 1:
			out = append(out, uint64(r.Uint32()))
		default:
			out = append(out, fixed[r.IntN(len(fixed))])
		}
	}
	if r.IntN(3) == 0 {
		hi := uint64(r.IntN(3)) << 32
		out = append(out, hi|uint64(r.IntN(5)), hi|uint64(0x10+r.IntN(5)))
	}
	return out
}

func randomAction(r *rand.Rand, kinds []uint) Action {
	a := Action{Kind: kinds[r.IntN(len(kinds))]}
	if a.Kind == ActErrno || a.Kind == ActTrace {
		a.Data = dataPool[r.IntN(len(dataPool))]
	}
	return a
}

// RandomArches picks the architectures of a random filter.
func RandomArches(r *rand.Rand) []string {
	switch r.IntN(6) {
	case 0:
		return []string{"x86_64", "x86", "x32"}
	case 1:
		return []string{"x86_64", "x32"}
	case 2:
		return []string{"x86_64"}
	}
	n := 1 + r.IntN(3)
	seen := map[string]bool{}
	var out []string
	for len(out) < n {
		a := LittleEndianArches[r.IntN(len(LittleEndianArches))]
		if !seen[a] {
			seen[a] = true
			out = append(out, a)
		}
	}
	return out
}

// RandomRuleSet returns the rule set for a seed. The same seed always gives
// the same rule set.
func RandomRuleSet(seed uint64) *RuleSet {
	r := rand.New(rand.NewPCG(seed, 0x5ecc0a11))
	rs := &RuleSet{Name: fmt.Sprintf("random-%d", seed)}
	rs.Default = randomAction(r, defaultKinds)
	if r.IntN(50) == 0 {
		rs.Default = Action{Kind: uint(r.IntN(2) * 9)} // invalid
	}
	rs.Arches = RandomArches(r)
	consts := randomConstants(r)
	names := make([]string, 3+r.IntN(8))
	for i := range names {
		names[i] = namePool[r.IntN(len(namePool))]
	}
	konst := func() uint64 {
		c := consts[r.IntN(len(consts))]
		if r.IntN(8) == 0 {
			c += uint64(r.IntN(3)) - 1
		}
		return c
	}
	if r.IntN(2) == 0 {
		rs.Calls = append(rs.Calls, Call{Kind: CallSetOptimize, Level: 1 + r.IntN(2)})
	}
	if r.IntN(3) == 0 {
		rs.Calls = append(rs.Calls, Call{Kind: CallSetBadArchAction, Action: randomAction(r, defaultKinds)})
	}
	n := 1 + r.IntN(24)
	if r.IntN(30) == 0 {
		// Large rule sets, whose programs may exceed libseccomp's or the
		// kernel's size limits.
		names = namePool
		n = 100 + r.IntN(400)
	}
	for range n {
		c := Call{Name: names[r.IntN(len(names))]}
		switch p := r.IntN(100); {
		case p < 4:
			c.Name = ""
			c.Num = []int32{int32(r.IntN(450)), -1, -101, -10001, 1 << 20, 0x40000003}[r.IntN(6)]
		case p < 6:
			c.Kind = CallGetSyscallFromName
			if r.IntN(2) == 0 {
				c.Name = "no_such_syscall"
			}
			rs.Calls = append(rs.Calls, c)
			continue
		case p < 8:
			c.Kind = CallMakeCondition
			c.Conds = []Cond{{Arg: uint(r.IntN(8)), Op: uint(r.IntN(9)), A: konst(), B: konst()}}
			c.NVals = r.IntN(4) // 0..3 operands
			rs.Calls = append(rs.Calls, c)
			continue
		case p < 10:
			c.Kind = CallSetSyscallPriority
			c.Priority = uint8(r.IntN(256))
			rs.Calls = append(rs.Calls, c)
			continue
		case p < 11:
			// libseccomp 2.5.4 can crash when an architecture is removed
			// after rules were added (fixed in 2.6.0 by "db: properly
			// handle a reduction in arch filters on transaction
			// commits"); the worker process reports those rule sets.
			c.Kind = []CallKind{CallAddArch, CallRemoveArch}[r.IntN(2)]
			c.Arch = LittleEndianArches[r.IntN(len(LittleEndianArches))]
			rs.Calls = append(rs.Calls, c)
			continue
		case p < 12:
			c.Kind = CallSetBadArchAction
			c.Action = randomAction(r, defaultKinds)
			rs.Calls = append(rs.Calls, c)
			continue
		case p < 13:
			c.Kind = []CallKind{CallSetNoNewPrivsBit, CallSetLogBit, CallSetRawRC, CallSetOptimize}[r.IntN(4)]
			c.Flag = r.IntN(2) == 0
			c.Level = r.IntN(4)
			rs.Calls = append(rs.Calls, c)
			continue
		}
		c.Action = randomAction(r, ruleKinds)
		switch r.IntN(10) {
		case 0:
			c.Action = rs.Default
		case 1:
			c.Action.Kind = uint(r.IntN(10)) // sometimes invalid
		}
		nc := 0
		if r.IntN(3) > 0 {
			nc = 1 + r.IntN(3)
		}
		for range nc {
			cd := Cond{Arg: uint(r.IntN(6)), Op: 1 + uint(r.IntN(7)), A: konst()}
			if cd.Op == 7 {
				cd.B = konst()
				if r.IntN(2) == 0 {
					cd.B &= cd.A
				}
			}
			switch r.IntN(40) {
			case 0:
				cd.Arg = 6
			case 1:
				cd.Op = uint(r.IntN(2) * 8)
			}
			c.Conds = append(c.Conds, cd)
		}
		exact := r.IntN(5) == 0
		switch {
		case nc == 0 && exact:
			c.Kind = CallAddRuleExact
		case nc == 0:
			c.Kind = CallAddRule
			if r.IntN(10) == 0 {
				c.Kind = CallAddRuleConditional
			}
		case exact:
			c.Kind = CallAddRuleConditionalExact
		default:
			c.Kind = CallAddRuleConditional
		}
		rs.Calls = append(rs.Calls, c)
	}
	return rs
}
