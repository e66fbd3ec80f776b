package seccomp

import (
	"fmt"
	"runtime"
	"strings"
	"sync"

	"github.com/seccomp-go/seccomp/arch"
)

// archInfo ties an architecture constant to its name.
type archInfo struct {
	a    ScmpArch
	name string // as String returns it
}

// archTable lists the architecture constants from ArchX86 to ArchSHEB, in
// order.
var archTable = [...]archInfo{
	{ArchX86, "x86"},
	{ArchAMD64, "amd64"},
	{ArchX32, "x32"},
	{ArchARM, "arm"},
	{ArchARM64, "arm64"},
	{ArchMIPS, "mips"},
	{ArchMIPS64, "mips64"},
	{ArchMIPS64N32, "mips64n32"},
	{ArchMIPSEL, "mipsel"},
	{ArchMIPSEL64, "mipsel64"},
	{ArchMIPSEL64N32, "mipsel64n32"},
	{ArchPPC, "ppc"},
	{ArchPPC64, "ppc64"},
	{ArchPPC64LE, "ppc64le"},
	{ArchS390, "s390"},
	{ArchS390X, "s390x"},
	{ArchPARISC, "parisc"},
	{ArchPARISC64, "parisc64"},
	{ArchRISCV64, "riscv64"},
	{ArchLOONGARCH64, "loong64"},
	{ArchM68K, "m68k"},
	{ArchSH, "sh"},
	{ArchSHEB, "sheb"},
}

// GetArchFromString returns the architecture constant for a name. It
// accepts, in any letter case, the names String returns as well as
// "x86-64", "x86_64", "x64" (ArchAMD64), "aarch64" (ArchARM64) and
// "loongarch64" (ArchLOONGARCH64).
func GetArchFromString(arch string) (ScmpArch, error) {
	switch s := strings.ToLower(arch); s {
	case "x86-64", "x86_64", "x64":
		return ArchAMD64, nil
	case "aarch64":
		return ArchARM64, nil
	case "loongarch64":
		return ArchLOONGARCH64, nil
	default:
		for _, e := range archTable {
			if e.name == s {
				return e.a, nil
			}
		}
	}
	return ArchInvalid, fmt.Errorf("cannot convert unrecognized string %q", arch)
}

// String returns the name of an architecture constant.
func (a ScmpArch) String() string {
	switch a {
	case ArchNative:
		return "native"
	case ArchInvalid:
		return "Invalid architecture"
	}
	if e, ok := archEntry(a); ok {
		return e.name
	}
	return fmt.Sprintf("Unknown architecture %#x", uint(a))
}

func archEntry(a ScmpArch) (archInfo, bool) {
	if a < ArchX86 || a > ArchSHEB {
		return archInfo{}, false
	}
	return archTable[a-ArchX86], true
}

// archABIs holds the ABI of each constant from ArchX86 to ArchSHEB, in
// the order of arch.All; archABI fills it at its first call, so that the
// package does nothing at start.
var (
	archABIs     [len(archTable)]*arch.Arch
	archABIsOnce sync.Once
)

// archABI returns the ABI of archTable[i].
func archABI(i int) *arch.Arch {
	archABIsOnce.Do(func() { copy(archABIs[:], arch.All()) })
	return archABIs[i]
}

// GetNativeArch returns the architecture this program runs on.
func GetNativeArch() (ScmpArch, error) {
	abi := arch.Native()
	if abi == nil {
		return ArchInvalid, fmt.Errorf("unrecognized architecture %q", runtime.GOARCH)
	}
	return fromArch(abi), nil
}

// toArch returns the ABI of an architecture constant, resolving
// ArchNative. It fails, with libseccomp-golang's message, for constants
// outside ArchNative..ArchSHEB.
func (a ScmpArch) toArch() (*arch.Arch, error) {
	if a == ArchNative {
		abi := arch.Native()
		if abi == nil {
			return nil, fmt.Errorf("architecture %v is not supported on this version of the library", a)
		}
		return abi, nil
	}
	if _, ok := archEntry(a); !ok {
		return nil, fmt.Errorf("unrecognized architecture %#x", uint(a))
	}
	return archABI(int(a - ArchX86)), nil
}

// fromArch returns the architecture constant of an ABI, or ArchInvalid for
// nil.
func fromArch(abi *arch.Arch) ScmpArch {
	for i, e := range archTable {
		if abi != nil && archABI(i) == abi {
			return e.a
		}
	}
	return ArchInvalid
}

// GetSyscallFromName returns the number of a syscall on the native
// architecture. Syscalls the architecture lacks get libseccomp's negative
// pseudo-syscall number. It returns ErrSyscallDoesNotExist for unknown
// names.
func GetSyscallFromName(name string) (ScmpSyscall, error) {
	return GetSyscallFromNameByArch(name, ArchNative)
}

// GetSyscallFromNameByArch returns the number of a syscall on an
// architecture, as libseccomp's seccomp_syscall_resolve_name_arch gives it.
// Syscalls the architecture lacks get libseccomp's negative pseudo-syscall
// number. It returns an error for an invalid architecture and
// ErrSyscallDoesNotExist for unknown names.
func GetSyscallFromNameByArch(name string, a ScmpArch) (ScmpSyscall, error) {
	// The native ABI is known at compile time: look it up without the
	// call to toArch, which the compiler does not inline.
	abi := arch.Native()
	if a != ArchNative || abi == nil {
		var err error
		abi, err = a.toArch()
		if err != nil {
			return 0, err
		}
	}
	nr, ok := abi.SyscallNumber(name)
	if !ok {
		return 0, ErrSyscallDoesNotExist
	}
	return ScmpSyscall(nr), nil
}

// GetName returns the name of a syscall number on the native architecture.
// It returns ErrSyscallDoesNotExist if no syscall has the number.
func (s ScmpSyscall) GetName() (string, error) {
	return s.GetNameByArch(ArchNative)
}

// GetNameByArch returns the name of a syscall number on an architecture,
// as libseccomp's seccomp_syscall_resolve_num_arch gives it; pseudo-syscall
// numbers resolve too. It returns an error for an invalid architecture and
// ErrSyscallDoesNotExist if no syscall has the number.
func (s ScmpSyscall) GetNameByArch(arch ScmpArch) (string, error) {
	abi, err := arch.toArch()
	if err != nil {
		return "", err
	}
	name, ok := abi.SyscallName(int32(s))
	if !ok {
		return "", ErrSyscallDoesNotExist
	}
	return name, nil
}
