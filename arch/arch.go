// Package arch describes the syscall ABIs that seccomp filters can target
// and resolves syscall names and numbers on each of them.
package arch

// Arch is one syscall ABI, as libseccomp names it.
type Arch struct {
	// Name is libseccomp's name for the ABI, such as "x86_64" or
	// "mipsel64n32".
	Name string
	// Token is the AUDIT_ARCH_* value the kernel reports in
	// seccomp_data.arch.
	Token uint32
	// BigEndian is true for big-endian ABIs.
	BigEndian bool
	// Bits is the width of a syscall argument register: 32 or 64.
	Bits int
}
