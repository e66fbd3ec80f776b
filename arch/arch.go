// Package arch describes the syscall ABIs that seccomp filters can target
// and resolves syscall names and numbers on each of them, exactly as
// libseccomp 2.6.1 does.
//
// # Architectures
//
// Each of libseccomp's 23 ABIs is a package-level [*Arch] value (X86,
// X86_64, X32, ARM, ...). [Lookup] finds one by libseccomp's name for it,
// [ByToken] by the AUDIT_ARCH_* value the kernel reports in
// seccomp_data.arch, and [Native] returns the ABI of the running program.
//
// # Syscall numbers
//
// [Arch.SyscallNumber] and [Arch.SyscallName] behave like libseccomp's
// seccomp_syscall_resolve_name_arch and seccomp_syscall_resolve_num_arch.
// Numbers are the ones a process passes to the kernel: the MIPS o32, n64 and
// n32 ABIs add 4000, 5000 and 6000 to their table numbers, x32 sets
// __X32_SYSCALL_BIT (0x40000000), and ARM's private syscalls live at
// 0x0f0000 + n. A syscall that an ABI lacks resolves to libseccomp's
// negative pseudo-syscall number for it (for example -10001 and below, or
// -101 to -120 and -201 to -224 for the socket and IPC calls); filters match
// nothing for such numbers.
//
// # Socket and IPC multiplexing
//
// On x86, m68k, MIPS o32, PowerPC, s390 and SuperH, the socket syscalls
// (socket, bind, ..., sendmmsg) can be reached through socketcall(2) and the
// System V IPC syscalls (semop, ..., shmctl) through ipc(2); the first
// argument of the multiplexer selects the call. On these ABIs
// ([Arch.Multiplexes] is true) libseccomp resolves the name of every such
// syscall to its pseudo number (-101 to -120 for socket calls, -201 to -224
// for IPC calls), whether or not the ABI also has a direct syscall for it,
// and when it adds a rule for one of them it adds two rules:
//
//   - one on the multiplexer ([Arch.SocketCall] or [Arch.IPC]) whose first
//     argument must equal the call number ([MuxCall].Call, which is -pseudo mod
//     100 for socket calls and -pseudo mod 200 for IPC calls), and
//   - one on the direct syscall number ([Mux].Direct), or, when the ABI
//     lacks one, on the pseudo number itself, which never matches.
//
// [Arch.Multiplexed] returns this information for a syscall number, and
// [MuxCalls] lists the 32 multiplexed calls. [Arch.SyscallNumberRewrite]
// returns the number libseccomp's seccomp_syscall_resolve_name_rewrite
// gives, which is the multiplexer's number for these syscalls.
//
// # Resolving from the command line
//
// [ResolveArgs] implements "scmp resolve [-a ARCH] [-t] NAME|NUMBER...",
// printing what libseccomp's scmp_sys_resolver prints for each argument.
//
// # Kernel versions
//
// [Arch.SyscallSince] gives the first Linux release that had a syscall on
// the ABI, such as 5.6 for openat2 or 4.12 for arch_prctl on x86, and
// [Arch.MaxSyscall] the highest number of the ABI's table. Releases are
// [KernelVersion] values; [ParseKernelVersion] reads "5.4", "2.6.32" or a
// running kernel's "6.1.0-18-amd64".
//
// # Tables
//
// The syscall tables are generated from libseccomp's syscalls.csv by
// internal/mktables, with the release of each syscall from
// internal/mktables/kversion.csv; run "go generate" in this directory to
// refresh them.
package arch

//go:generate go run ../internal/mktables -csv ../../shared/data/syscalls.csv -s390 ../../shared/data/syscalls.s390.csv -pseudo ../internal/mktables/pseudo.txt -kver ../internal/mktables/kversion.csv -o zsyscalls.go

import (
	"encoding/binary"
	"runtime"
)

// Arch is one syscall ABI, as libseccomp names it.
type Arch struct {
	// Name is libseccomp's name for the ABI, such as "x86_64" or
	// "mipsel64n32".
	Name string
	// Token is the AUDIT_ARCH_* value the kernel reports in
	// seccomp_data.arch. x32 shares AUDIT_ARCH_X86_64 with x86_64.
	Token uint32
	// BigEndian is true for big-endian ABIs.
	BigEndian bool
	// Bits is the width of a syscall argument as libseccomp treats it: 32
	// or 64. It is 32 for x32 and MIPS n32, whose arguments libseccomp
	// compares as 32-bit values.
	Bits int

	// ScmpToken is libseccomp's SCMP_ARCH_* value for the ABI. It equals
	// Token except for x32, where libseccomp uses 0x4000003e.
	ScmpToken uint32
	// SyscallBase is what the ABI adds to its table numbers: 4000, 5000
	// and 6000 for MIPS o32, n64 and n32, and __X32_SYSCALL_BIT
	// (0x40000000, set with a bitwise or) for x32; 0 otherwise.
	SyscallBase int32
	// Multiplexes is true when libseccomp rewrites rules for the socket
	// and IPC syscalls onto socketcall(2) and ipc(2) on this ABI.
	Multiplexes bool
	// SocketCall is the number of socketcall(2) when Multiplexes is true.
	SocketCall int32
	// IPC is the number of ipc(2) when Multiplexes is true.
	IPC int32

	table int // column of the generated syscall table
}

// String returns the ABI's name.
func (a *Arch) String() string { return a.Name }

// ByteOrder returns the ABI's byte order.
func (a *Arch) ByteOrder() binary.ByteOrder {
	if a.BigEndian {
		return binary.BigEndian
	}
	return binary.LittleEndian
}

// AUDIT_ARCH_* building blocks (linux/audit.h and linux/elf-em.h).
const (
	audit64  = 0x80000000
	auditLE  = 0x40000000
	auditN32 = 0x20000000

	emI386      = 3
	emM68K      = 4
	emMIPS      = 8
	emPARISC    = 15
	emPPC       = 20
	emPPC64     = 21
	emS390      = 22
	emARM       = 40
	emSH        = 42
	emX86_64    = 62
	emAArch64   = 183
	emRISCV     = 243
	emLoongArch = 258
)

// x32SyscallBit is __X32_SYSCALL_BIT.
const x32SyscallBit = 0x40000000

// AUDIT_ARCH_* values of the ABIs.
const (
	tokenX86         = emI386 | auditLE
	tokenX86_64      = emX86_64 | audit64 | auditLE
	tokenX32         = emX86_64 | audit64 | auditLE
	tokenARM         = emARM | auditLE
	tokenAArch64     = emAArch64 | audit64 | auditLE
	tokenLoongArch64 = emLoongArch | audit64 | auditLE
	tokenM68K        = emM68K
	tokenMIPS        = emMIPS
	tokenMIPSEL      = emMIPS | auditLE
	tokenMIPS64      = emMIPS | audit64
	tokenMIPSEL64    = emMIPS | audit64 | auditLE
	tokenMIPS64N32   = emMIPS | audit64 | auditN32
	tokenMIPSEL64N32 = emMIPS | audit64 | auditLE | auditN32
	tokenPARISC      = emPARISC
	tokenPARISC64    = emPARISC | audit64
	tokenPPC         = emPPC
	tokenPPC64       = emPPC64 | audit64
	tokenPPC64LE     = emPPC64 | audit64 | auditLE
	tokenRISCV64     = emRISCV | audit64 | auditLE
	tokenS390        = emS390
	tokenS390X       = emS390 | audit64
	tokenSH          = emSH | auditLE
	tokenSHEB        = emSH
)

// scmpTokenX32 is libseccomp's SCMP_ARCH_X32, which unlike AUDIT_ARCH_* tells
// x32 from x86_64.
const scmpTokenX32 = emX86_64 | auditLE

// The ABIs libseccomp supports.
var (
	X86         = &Arch{Name: "x86", Token: tokenX86, ScmpToken: tokenX86, Bits: 32, Multiplexes: true, SocketCall: 102, IPC: 117, table: tabX86}
	X86_64      = &Arch{Name: "x86_64", Token: tokenX86_64, ScmpToken: tokenX86_64, Bits: 64, table: tabX86_64}
	X32         = &Arch{Name: "x32", Token: tokenX32, ScmpToken: scmpTokenX32, Bits: 32, SyscallBase: x32SyscallBit, table: tabX32}
	ARM         = &Arch{Name: "arm", Token: tokenARM, ScmpToken: tokenARM, Bits: 32, table: tabARM}
	AArch64     = &Arch{Name: "aarch64", Token: tokenAArch64, ScmpToken: tokenAArch64, Bits: 64, table: tabAArch64}
	LoongArch64 = &Arch{Name: "loongarch64", Token: tokenLoongArch64, ScmpToken: tokenLoongArch64, Bits: 64, table: tabLoongArch64}
	M68K        = &Arch{Name: "m68k", Token: tokenM68K, ScmpToken: tokenM68K, BigEndian: true, Bits: 32, Multiplexes: true, SocketCall: 102, IPC: 117, table: tabM68K}
	MIPS        = &Arch{Name: "mips", Token: tokenMIPS, ScmpToken: tokenMIPS, BigEndian: true, Bits: 32, SyscallBase: 4000, Multiplexes: true, SocketCall: 4102, IPC: 4117, table: tabMIPS}
	MIPSEL      = &Arch{Name: "mipsel", Token: tokenMIPSEL, ScmpToken: tokenMIPSEL, Bits: 32, SyscallBase: 4000, Multiplexes: true, SocketCall: 4102, IPC: 4117, table: tabMIPS}
	MIPS64      = &Arch{Name: "mips64", Token: tokenMIPS64, ScmpToken: tokenMIPS64, BigEndian: true, Bits: 64, SyscallBase: 5000, table: tabMIPS64}
	MIPSEL64    = &Arch{Name: "mipsel64", Token: tokenMIPSEL64, ScmpToken: tokenMIPSEL64, Bits: 64, SyscallBase: 5000, table: tabMIPS64}
	MIPS64N32   = &Arch{Name: "mips64n32", Token: tokenMIPS64N32, ScmpToken: tokenMIPS64N32, BigEndian: true, Bits: 32, SyscallBase: 6000, table: tabMIPS64N32}
	MIPSEL64N32 = &Arch{Name: "mipsel64n32", Token: tokenMIPSEL64N32, ScmpToken: tokenMIPSEL64N32, Bits: 32, SyscallBase: 6000, table: tabMIPS64N32}
	PARISC      = &Arch{Name: "parisc", Token: tokenPARISC, ScmpToken: tokenPARISC, BigEndian: true, Bits: 32, table: tabPARISC}
	PARISC64    = &Arch{Name: "parisc64", Token: tokenPARISC64, ScmpToken: tokenPARISC64, BigEndian: true, Bits: 64, table: tabPARISC64}
	PPC         = &Arch{Name: "ppc", Token: tokenPPC, ScmpToken: tokenPPC, BigEndian: true, Bits: 32, Multiplexes: true, SocketCall: 102, IPC: 117, table: tabPPC}
	PPC64       = &Arch{Name: "ppc64", Token: tokenPPC64, ScmpToken: tokenPPC64, BigEndian: true, Bits: 64, Multiplexes: true, SocketCall: 102, IPC: 117, table: tabPPC64}
	PPC64LE     = &Arch{Name: "ppc64le", Token: tokenPPC64LE, ScmpToken: tokenPPC64LE, Bits: 64, Multiplexes: true, SocketCall: 102, IPC: 117, table: tabPPC64}
	RISCV64     = &Arch{Name: "riscv64", Token: tokenRISCV64, ScmpToken: tokenRISCV64, Bits: 64, table: tabRISCV64}
	S390        = &Arch{Name: "s390", Token: tokenS390, ScmpToken: tokenS390, BigEndian: true, Bits: 32, Multiplexes: true, SocketCall: 102, IPC: 117, table: tabS390}
	S390X       = &Arch{Name: "s390x", Token: tokenS390X, ScmpToken: tokenS390X, BigEndian: true, Bits: 64, Multiplexes: true, SocketCall: 102, IPC: 117, table: tabS390X}
	SH          = &Arch{Name: "sh", Token: tokenSH, ScmpToken: tokenSH, Bits: 32, Multiplexes: true, SocketCall: 102, IPC: 117, table: tabSH}
	SHEB        = &Arch{Name: "sheb", Token: tokenSHEB, ScmpToken: tokenSHEB, BigEndian: true, Bits: 32, Multiplexes: true, SocketCall: 102, IPC: 117, table: tabSH}
)

// all lists the ABIs in the order of libseccomp's SCMP_ARCH_* constants
// in libseccomp-golang (x86 first, sheb last).
var all = []*Arch{
	X86, X86_64, X32, ARM, AArch64, MIPS, MIPS64, MIPS64N32, MIPSEL,
	MIPSEL64, MIPSEL64N32, PPC, PPC64, PPC64LE, S390, S390X, PARISC,
	PARISC64, RISCV64, LoongArch64, M68K, SH, SHEB,
}

// All returns every ABI, in the order of libseccomp-golang's ScmpArch
// constants. The caller may modify the returned slice but not the ABIs.
func All() []*Arch {
	return append([]*Arch(nil), all...)
}

// Lookup returns the ABI with libseccomp's name name, as
// seccomp_arch_resolve_name and scmp_sys_resolver -a accept it ("x86",
// "x86_64", "x32", "arm", "aarch64", "loongarch64", "m68k", "mips",
// "mipsel", "mips64", "mipsel64", "mips64n32", "mipsel64n32", "parisc",
// "parisc64", "ppc", "ppc64", "ppc64le", "riscv64", "s390", "s390x", "sh",
// "sheb"). Names are case-sensitive.
func Lookup(name string) (*Arch, bool) {
	switch name {
	case "x86":
		return X86, true
	case "x86_64":
		return X86_64, true
	case "x32":
		return X32, true
	case "arm":
		return ARM, true
	case "aarch64":
		return AArch64, true
	case "loongarch64":
		return LoongArch64, true
	case "m68k":
		return M68K, true
	case "mips":
		return MIPS, true
	case "mipsel":
		return MIPSEL, true
	case "mips64":
		return MIPS64, true
	case "mipsel64":
		return MIPSEL64, true
	case "mips64n32":
		return MIPS64N32, true
	case "mipsel64n32":
		return MIPSEL64N32, true
	case "parisc":
		return PARISC, true
	case "parisc64":
		return PARISC64, true
	case "ppc":
		return PPC, true
	case "ppc64":
		return PPC64, true
	case "ppc64le":
		return PPC64LE, true
	case "riscv64":
		return RISCV64, true
	case "s390":
		return S390, true
	case "s390x":
		return S390X, true
	case "sh":
		return SH, true
	case "sheb":
		return SHEB, true
	}
	return nil, false
}

// ByToken returns the ABI whose AUDIT_ARCH_* value is token. The value
// shared by x86_64 and x32 returns x86_64.
func ByToken(token uint32) (*Arch, bool) {
	switch token {
	case tokenX86:
		return X86, true
	case tokenX86_64:
		return X86_64, true
	case tokenARM:
		return ARM, true
	case tokenAArch64:
		return AArch64, true
	case tokenLoongArch64:
		return LoongArch64, true
	case tokenM68K:
		return M68K, true
	case tokenMIPS:
		return MIPS, true
	case tokenMIPSEL:
		return MIPSEL, true
	case tokenMIPS64:
		return MIPS64, true
	case tokenMIPSEL64:
		return MIPSEL64, true
	case tokenMIPS64N32:
		return MIPS64N32, true
	case tokenMIPSEL64N32:
		return MIPSEL64N32, true
	case tokenPARISC:
		return PARISC, true
	case tokenPARISC64:
		return PARISC64, true
	case tokenPPC:
		return PPC, true
	case tokenPPC64:
		return PPC64, true
	case tokenPPC64LE:
		return PPC64LE, true
	case tokenRISCV64:
		return RISCV64, true
	case tokenS390:
		return S390, true
	case tokenS390X:
		return S390X, true
	case tokenSH:
		return SH, true
	case tokenSHEB:
		return SHEB, true
	}
	return nil, false
}

// ByScmpToken returns the ABI whose libseccomp SCMP_ARCH_* value is token;
// unlike [ByToken] it tells x32 (0x4000003e) from x86_64.
func ByScmpToken(token uint32) (*Arch, bool) {
	if token == scmpTokenX32 {
		return X32, true
	}
	return ByToken(token)
}

// Native returns the ABI of the running program, from runtime.GOARCH, or
// nil if libseccomp does not support it.
func Native() *Arch {
	return nativeFor(runtime.GOARCH)
}

func nativeFor(goarch string) *Arch {
	switch goarch {
	case "386":
		return X86
	case "amd64":
		return X86_64
	case "arm":
		return ARM
	case "arm64":
		return AArch64
	case "loong64":
		return LoongArch64
	case "mips":
		return MIPS
	case "mipsle":
		return MIPSEL
	case "mips64":
		return MIPS64
	case "mips64le":
		return MIPSEL64
	case "ppc64":
		return PPC64
	case "ppc64le":
		return PPC64LE
	case "riscv64":
		return RISCV64
	case "s390x":
		return S390X
	}
	return nil
}
