package arch

import (
	"fmt"
	"strconv"
	"strings"
)

// A KernelVersion is a Linux release, such as 5.4 or 2.6.32. Patch is
// only meaningful for the 2.x series, whose syscalls appeared in patch
// releases; it is 0 for later series, where they appear in x.y releases.
type KernelVersion struct {
	Major, Minor, Patch int
}

// ParseKernelVersion parses a release such as "5.4", "2.6.32" or
// "v6.1", or a running kernel's osrelease such as "6.1.0-18-amd64"
// (everything from the first character that is neither a digit nor a
// dot is ignored). For series after 2.x the patch level is dropped:
// 5.4.120 is 5.4, as syscalls are only added in x.y releases.
func ParseKernelVersion(s string) (KernelVersion, error) {
	bad := fmt.Errorf("%q is not a kernel version such as 5.4, 6.8 or 2.6.32", s)
	t := strings.TrimPrefix(strings.TrimSpace(s), "v")
	if i := strings.IndexFunc(t, func(r rune) bool { return r != '.' && (r < '0' || r > '9') }); i >= 0 {
		t = t[:i]
	}
	f := strings.Split(t, ".")
	if len(f) < 2 {
		return KernelVersion{}, bad
	}
	var n [3]int
	for i := 0; i < len(f) && i < 3; i++ {
		v, err := strconv.ParseUint(f[i], 10, 8)
		if err != nil {
			return KernelVersion{}, bad
		}
		n[i] = int(v)
	}
	if n[0] == 0 {
		return KernelVersion{}, bad
	}
	v := KernelVersion{n[0], n[1], n[2]}
	if v.Major > 2 {
		v.Patch = 0
	}
	return v, nil
}

// String returns the release as "5.4" or, with a patch level, "2.6.32".
func (v KernelVersion) String() string {
	if v.Patch != 0 {
		return fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch)
	}
	return fmt.Sprintf("%d.%d", v.Major, v.Minor)
}

// Compare returns -1, 0 or +1 as v is older than, the same as or newer
// than w.
func (v KernelVersion) Compare(w KernelVersion) int {
	a, b := v.packed(), w.packed()
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func (v KernelVersion) packed() uint32 {
	clamp := func(n int) uint32 { return uint32(min(max(n, 0), 255)) }
	return clamp(v.Major)<<16 | clamp(v.Minor)<<8 | clamp(v.Patch)
}

func unpackKernelVersion(p uint32) KernelVersion {
	return KernelVersion{int(p >> 16), int(p >> 8 & 0xff), int(p & 0xff)}
}

// SyscallSince returns the first Linux release that had the syscall name
// on the ABI. ok is false when the name is unknown or the ABI lacks it.
//
// The values come from the syscalls(2) manual page and, for calls added
// since, the kernel's releases (internal/mktables/kversion.csv says which
// for each); where an ABI gained a call later than the others, as x86
// gained direct socket calls in 4.3, the ABI's own release is given. No
// call of a port is older than the port: 3.4 for x32, 3.7 for aarch64,
// 4.15 for riscv64 and 5.19 for loongarch64. The socket and IPC calls
// that an ABI multiplexes ([Arch.Multiplexes]) are looked up as direct
// syscalls; through socketcall(2) and ipc(2) they may be older.
func (a *Arch) SyscallSince(name string) (v KernelVersion, ok bool) {
	i, ok := sysIndex(name)
	if !ok || sysNums[i][a.table] < 0 {
		return KernelVersion{}, false
	}
	return unpackKernelVersion(sysSince[i][a.table]), true
}

// MaxSyscall returns the highest syscall number the ABI's table has, as
// a process passes it (MIPS offsets and the x32 bit included; on ARM a
// private syscall at 0x0f0000 + n). A kernel of any release the tables
// cover has no syscall above it.
func (a *Arch) MaxSyscall() int32 {
	hi := int32(-1)
	for i := range sysNames {
		hi = max(hi, sysNums[i][a.table])
	}
	return a.addBase(hi)
}
