//go:build libseccomp261

// This test needs libseccomp 2.6.1 itself rather than Debian's 2.5.4. Build
// it from the v2.6.1 source (./autogen.sh && ./configure --prefix=$P
// --disable-python && make install) and run
//
//	PKG_CONFIG_PATH=$P/lib/pkgconfig LD_LIBRARY_PATH=$P/lib go test -tags libseccomp261 -run Exact261
//
// It compares every name (plain and rewrite form) and every number around
// the tables' ranges on all 23 ABIs, with no exceptions.

package difftest

import (
	"testing"

	"github.com/seccomp-go/seccomp/arch"
)

func TestExact261(t *testing.T) {
	var names, nums, bad int
	for _, a := range arch.All() {
		tok := libArchToken(a.Name)
		if tok != a.ScmpToken {
			t.Fatalf("%s token %#x vs %#x", a.Name, tok, a.ScmpToken)
		}
		for _, name := range append(arch.SyscallNames(), "nosuch", "") {
			nr, ok := a.SyscallNumber(name)
			if !ok {
				nr = -1
			}
			rw, ok := a.SyscallNumberRewrite(name)
			if !ok {
				rw = -1
			}
			l, lrw := libResolveName(tok, name), libResolveRewrite(tok, name)
			names++
			if l != nr || lrw != rw {
				bad++
				t.Errorf("%s %s: lib %d/%d ours %d/%d", a.Name, name, l, lrw, nr, rw)
			}
		}
		for _, n := range numbersToResolve([2]int32{3997, 7100}, [2]int32{0x40000000 - 3, 0x40000000 + 1100}) {
			name, ok := a.SyscallName(n)
			ln, lok := libResolveNum(tok, n)
			nums++
			if name != ln || ok != lok {
				bad++
				t.Errorf("%s %d: lib %q %v ours %q %v", a.Name, n, ln, lok, name, ok)
			}
		}
	}
	t.Logf("2.6.1: %d names, %d numbers, %d mismatches", names, nums, bad)
}
