package seccomp

import "errors"

// ScmpArch represents a CPU architecture (more precisely, a syscall ABI).
type ScmpArch uint

// ScmpAction represents an action taken when a rule matches. Actions that
// carry data (ActErrno, ActTrace) keep it in the upper 16 bits; see
// [ScmpAction.SetReturnCode].
type ScmpAction uint

// ScmpCompareOp represents the comparison operator of a rule condition.
type ScmpCompareOp uint

// ScmpCondition is one argument comparison of a conditional rule. Build it
// with [MakeCondition].
type ScmpCondition struct {
	Argument uint          `json:"argument,omitempty"`
	Op       ScmpCompareOp `json:"operator,omitempty"`
	Operand1 uint64        `json:"operand_one,omitempty"`
	Operand2 uint64        `json:"operand_two,omitempty"`
}

// ScmpSyscall is a syscall number. Numbers are given in the native
// architecture's namespace unless a function says otherwise; negative
// values are libseccomp's pseudo-syscall numbers.
type ScmpSyscall int32

// ScmpFd is a file descriptor of the user-notification API.
type ScmpFd int32

// ScmpNotifData describes the syscall of a user notification.
type ScmpNotifData struct {
	Syscall      ScmpSyscall `json:"syscall,omitempty"`
	Arch         ScmpArch    `json:"arch,omitempty"`
	InstrPointer uint64      `json:"instr_pointer,omitempty"`
	Args         []uint64    `json:"args,omitempty"`
}

// ScmpNotifReq is a user-notification request received with
// [NotifReceive].
type ScmpNotifReq struct {
	ID    uint64        `json:"id,omitempty"`
	Pid   uint32        `json:"pid,omitempty"`
	Flags uint32        `json:"flags,omitempty"`
	Data  ScmpNotifData `json:"data,omitempty"`
}

// ScmpNotifResp is the answer to a user notification, sent with
// [NotifRespond].
type ScmpNotifResp struct {
	ID    uint64 `json:"id,omitempty"`
	Error int32  `json:"error,omitempty"`
	Val   uint64 `json:"val,omitempty"`
	Flags uint32 `json:"flags,omitempty"`
}

// Architectures. ArchNative stands for the architecture this program runs
// on.
const (
	ArchInvalid ScmpArch = iota
	ArchNative
	ArchX86
	ArchAMD64
	ArchX32
	ArchARM
	ArchARM64
	ArchMIPS
	ArchMIPS64
	ArchMIPS64N32
	ArchMIPSEL
	ArchMIPSEL64
	ArchMIPSEL64N32
	ArchPPC
	ArchPPC64
	ArchPPC64LE
	ArchS390
	ArchS390X
	ArchPARISC
	ArchPARISC64
	ArchRISCV64
	ArchLOONGARCH64
	ArchM68K
	ArchSH
	ArchSHEB
)

// Comparison operators.
const (
	// CompareInvalid is not a valid operator.
	CompareInvalid ScmpCompareOp = iota
	// CompareNotEqual matches arg != Operand1.
	CompareNotEqual
	// CompareLess matches arg < Operand1.
	CompareLess
	// CompareLessOrEqual matches arg <= Operand1.
	CompareLessOrEqual
	// CompareEqual matches arg == Operand1.
	CompareEqual
	// CompareGreaterEqual matches arg >= Operand1.
	CompareGreaterEqual
	// CompareGreater matches arg > Operand1.
	CompareGreater
	// CompareMaskedEqual matches (arg & Operand1) == Operand2.
	CompareMaskedEqual
)

// ErrSyscallDoesNotExist is returned when a syscall name can't be resolved.
var ErrSyscallDoesNotExist = errors.New("could not resolve syscall name")

// NotifRespFlagContinue, set in ScmpNotifResp.Flags, lets the notified
// syscall run as if the filter had allowed it.
const NotifRespFlagContinue uint32 = 1
