package bpf

import "encoding/binary"

// Data is the input of a seccomp filter, laid out like the kernel's
// struct seccomp_data.
type Data struct {
	Nr                 int32     // system call number
	Arch               uint32    // AUDIT_ARCH_* value of the calling ABI
	InstructionPointer uint64    // address of the system call instruction
	Args               [6]uint64 // system call arguments
}

// Offsets and size of the fields of struct seccomp_data, the only memory
// a seccomp filter can load from.
const (
	OffsetNr                 = 0
	OffsetArch               = 4
	OffsetInstructionPointer = 8
	OffsetArgs               = 16
	SizeofData               = 64
)

// ArgOffset returns the offset in struct seccomp_data of the 32-bit word
// of argument i (0..5) holding its high (high=true) or low half, for data
// laid out in the given byte order (nil means the host's). On big-endian
// architectures the low half of an argument is at its offset plus 4.
func ArgOffset(i int, high bool, order binary.ByteOrder) uint32 {
	return OffsetArgs + 8*uint32(i) + halfOffset(high, order)
}

// InstructionPointerOffset is like ArgOffset for the instruction pointer.
func InstructionPointerOffset(high bool, order binary.ByteOrder) uint32 {
	return OffsetInstructionPointer + halfOffset(high, order)
}

func halfOffset(high bool, order binary.ByteOrder) uint32 {
	if high != isBigEndian(order) {
		return 4
	}
	return 0
}

// Bytes returns the 64-byte image of d as the kernel lays it out on an
// architecture with the given byte order (nil means the host's).
func (d Data) Bytes(order binary.ByteOrder) [SizeofData]byte {
	if order == nil {
		order = binary.NativeEndian
	}
	var b [SizeofData]byte
	order.PutUint32(b[OffsetNr:], uint32(d.Nr))
	order.PutUint32(b[OffsetArch:], d.Arch)
	order.PutUint64(b[OffsetInstructionPointer:], d.InstructionPointer)
	for i, a := range d.Args {
		order.PutUint64(b[OffsetArgs+8*i:], a)
	}
	return b
}
