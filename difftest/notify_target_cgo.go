package difftest

// The target loop of BenchmarkNotifyRoundTrip, in C: cgo is not allowed
// in _test.go files, so it lives here.

/*
#include <errno.h>
#include <unistd.h>
#include <sys/syscall.h>

// getppid_loop makes n getppid calls and returns the index of the first
// that does not return want, with its errno in *err, or n.
static long getppid_loop(long n, long want, int *err) {
	for (long i = 0; i < n; i++) {
		errno = 0;
		long r = syscall(SYS_getppid);
		if (r != want) {
			*err = errno;
			return i;
		}
	}
	return n;
}
*/
import "C"

import "fmt"

// notifiedCalls makes n getppid calls on the calling thread, without
// returning to the Go runtime between them, and checks that each returns
// ppid. Each call is one notification round trip when the filter
// notifies getppid, and the Go scheduler plays no part in the loop: the
// thread stays in one cgo call throughout.
func notifiedCalls(n int, ppid int) error {
	var errno C.int
	if i := C.getppid_loop(C.long(n), C.long(ppid), &errno); i != C.long(n) {
		return fmt.Errorf("call %d: getppid did not return %d (errno %d)", i, ppid, errno)
	}
	return nil
}
