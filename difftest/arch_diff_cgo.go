package difftest

// Direct calls into the system libseccomp for the syscall resolvers that
// libseccomp-golang does not expose. cgo is not allowed in _test.go files,
// so these live here.

// #cgo pkg-config: libseccomp
// #include <stdlib.h>
// #include <seccomp.h>
import "C"

import "unsafe"

// libArchToken returns libseccomp's SCMP_ARCH_* token for an arch name, 0
// if the library does not know it.
func libArchToken(arch string) uint32 {
	cs := C.CString(arch)
	defer C.free(unsafe.Pointer(cs))
	return uint32(C.seccomp_arch_resolve_name(cs))
}

// libResolveName is seccomp_syscall_resolve_name_arch.
func libResolveName(token uint32, name string) int32 {
	cs := C.CString(name)
	defer C.free(unsafe.Pointer(cs))
	return int32(C.seccomp_syscall_resolve_name_arch(C.uint32_t(token), cs))
}

// libResolveRewrite is seccomp_syscall_resolve_name_rewrite.
func libResolveRewrite(token uint32, name string) int32 {
	cs := C.CString(name)
	defer C.free(unsafe.Pointer(cs))
	return int32(C.seccomp_syscall_resolve_name_rewrite(C.uint32_t(token), cs))
}

// libResolveNum is seccomp_syscall_resolve_num_arch.
func libResolveNum(token uint32, nr int32) (string, bool) {
	cs := C.seccomp_syscall_resolve_num_arch(C.uint32_t(token), C.int(nr))
	if cs == nil {
		return "", false
	}
	defer C.free(unsafe.Pointer(cs))
	return C.GoString(cs), true
}
