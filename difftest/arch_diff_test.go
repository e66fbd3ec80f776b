package difftest

import (
	"errors"
	"testing"

	ours "github.com/seccomp-go/seccomp"
	"github.com/seccomp-go/seccomp/arch"
	lib "github.com/seccomp/libseccomp-golang"
)

// lib254Arches are the 19 ABIs libseccomp 2.5.4 supports; it lacks
// loongarch64, m68k, sh and sheb, whose numbers the arch package's own
// tests check against syscalls.csv.
var lib254Arches = []string{
	"x86", "x86_64", "x32", "arm", "aarch64", "mips", "mipsel", "mips64",
	"mipsel64", "mips64n32", "mipsel64n32", "parisc", "parisc64", "ppc",
	"ppc64", "ppc64le", "riscv64", "s390", "s390x",
}

// tableChanges are the syscall numbers libseccomp's table changed after
// 2.5.4 (whose table is from Linux 5.17, plus Debian's backport of newer
// syscalls) because the kernel changed them.
var tableChanges = map[[2]string]string{
	{"x32", "map_shadow_stack"}: "libseccomp 2.6.1 lists 453 on x32; Debian's 2.5.4 backport has no x32 number",
	{"parisc", "cacheflush"}:    "cacheflush(2) added to parisc in Linux 6.5",
	{"parisc64", "cacheflush"}:  "cacheflush(2) added to parisc in Linux 6.5",
	{"parisc64", "_llseek"}:     "_llseek dropped from the parisc64 table",
	{"riscv64", "memfd_secret"}: "memfd_secret(2) wired up on riscv64 in Linux 6.1",
	{"s390", "memfd_secret"}:    "memfd_secret(2) wired up on s390 in Linux 6.0",
	{"s390x", "memfd_secret"}:   "memfd_secret(2) wired up on s390 in Linux 6.0",
}

// TestArchResolveNamesVsLibseccomp resolves every syscall name on each ABI
// of libseccomp 2.5.4, plain and in rewrite form, and compares the numbers,
// pseudo numbers included.
func TestArchResolveNamesVsLibseccomp(t *testing.T) {
	var compared, newer, excluded, mismatched int
	for _, an := range lib254Arches {
		a, ok := arch.Lookup(an)
		if !ok {
			t.Fatalf("arch.Lookup(%q) failed", an)
		}
		tok := libArchToken(an)
		if tok == 0 {
			t.Fatalf("libseccomp does not know arch %q", an)
		}
		if tok != a.ScmpToken {
			t.Errorf("%s: libseccomp token %#x, ours %#x", an, tok, a.ScmpToken)
		}
		for _, name := range arch.SyscallNames() {
			nr, ok := a.SyscallNumber(name)
			if !ok {
				t.Fatalf("%s: %q in SyscallNames but does not resolve", an, name)
			}
			libNr := libResolveName(tok, name)
			if libNr == -1 { // __NR_SCMP_ERROR: unknown to 2.5.4
				newer++
				continue
			}
			compared++
			rw, _ := a.SyscallNumberRewrite(name)
			libRw := libResolveRewrite(tok, name)
			if nr == libNr && rw == libRw {
				continue
			}
			if why, ok := tableChanges[[2]string{an, name}]; ok {
				excluded++
				t.Logf("%s %s: libseccomp 2.5.4 %d, ours %d (%s)", an, name, libNr, nr, why)
				continue
			}
			mismatched++
			t.Errorf("%s %s: libseccomp %d (rewrite %d), ours %d (rewrite %d)", an, name, libNr, libRw, nr, rw)
		}
		for _, bad := range []string{"", "nosuchsyscall", "READ", "socket "} {
			if _, ok := a.SyscallNumber(bad); ok || libResolveName(tok, bad) != -1 {
				t.Errorf("%s: %q resolves", an, bad)
			}
		}
	}
	t.Logf("names: %d (name, ABI) pairs compared, %d mismatches, %d known table changes, %d (name, ABI) pairs unknown to libseccomp 2.5.4",
		compared, mismatched, excluded, newer)
}

// TestArchResolveNumbersVsLibseccomp resolves syscall numbers back to
// names around every range the tables use.
func TestArchResolveNumbersVsLibseccomp(t *testing.T) {
	var compared, shared, newer, changed, mismatched int
	for _, an := range lib254Arches {
		a, _ := arch.Lookup(an)
		tok := libArchToken(an)
		var spans [][2]int32
		if a.SyscallBase != 0 {
			base := a.SyscallBase
			if a == arch.X32 {
				base = 0x40000000
			}
			spans = append(spans, [2]int32{base - 3, base + 1100})
		}
		for _, nr := range numbersToResolve(spans...) {
			name, ok := a.SyscallName(nr)
			libName, libOK := libResolveNum(tok, nr)
			compared++
			if ok == libOK && name == libName {
				continue
			}
			switch {
			case nr == -10191 && name == "sys_debug_setcontext" && libName == "switch_endian":
				// Both share the pseudo number; 2.6.1's hash table
				// lists sys_debug_setcontext first, 2.5.4's
				// switch_endian.
				shared++
				continue
			case ok && !libOK && libResolveName(tok, name) == -1:
				// A syscall newer than libseccomp 2.5.4.
				newer++
				continue
			case ok && tableChanges[[2]string{an, name}] != "",
				libOK && tableChanges[[2]string{an, libName}] != "":
				changed++
				continue
			}
			mismatched++
			t.Errorf("%s %d: libseccomp %q (%v), ours %q (%v)", an, nr, libName, libOK, name, ok)
		}
	}
	t.Logf("numbers: %d (number, ABI) pairs compared, %d mismatches; explained: %d shared pseudo number -10191, %d syscalls unknown to 2.5.4, %d known table changes",
		compared, mismatched, shared, newer, changed)
}

// numbersToResolve lists the syscall numbers the number tests resolve on
// an ABI: the pseudo numbers, the plain numbers with some slack, ARM's
// private ones, then every lo..hi of spans.
func numbersToResolve(spans ...[2]int32) []int32 {
	var nrs []int32
	spans = append([][2]int32{{-10400, -9990}, {-260, -90}, {-3, 1100}, {0x0f0000, 0x0f0010}}, spans...)
	for _, s := range spans {
		for n := s[0]; n <= s[1]; n++ {
			nrs = append(nrs, n)
		}
	}
	return nrs
}

// TestArchGoAPIVsLibseccompGolang compares the libseccomp-golang functions
// with the root package's.
func TestArchGoAPIVsLibseccompGolang(t *testing.T) {
	for _, an := range lib254Arches {
		la, err := lib.GetArchFromString(an)
		if err != nil {
			t.Fatal(err)
		}
		oa, err := ours.GetArchFromString(an)
		if err != nil {
			t.Fatal(err)
		}
		if la.String() != oa.String() || uint(la) != uint(oa) {
			t.Errorf("%s: libseccomp-golang %v (%d), ours %v (%d)", an, la, uint(la), oa, uint(oa))
		}
		for _, name := range append(arch.SyscallNames(), "nosuchsyscall") {
			lnr, lerr := lib.GetSyscallFromNameByArch(name, la)
			if lerr != nil && name != "nosuchsyscall" {
				continue // newer than 2.5.4
			}
			onr, oerr := ours.GetSyscallFromNameByArch(name, oa)
			if (lerr == nil) != (oerr == nil) || (oerr != nil && !errors.Is(oerr, ours.ErrSyscallDoesNotExist)) {
				t.Errorf("%s %s: errors %v / %v", an, name, lerr, oerr)
				continue
			}
			if lerr == nil && int32(lnr) != int32(onr) && tableChanges[[2]string{an, name}] == "" {
				t.Errorf("%s %s: libseccomp-golang %d, ours %d", an, name, lnr, onr)
			}
			if lerr == nil {
				lname, lerr := lnr.GetNameByArch(la)
				oname, oerr := onr.GetNameByArch(oa)
				if lname != oname && (lerr == nil) == (oerr == nil) && lnr != -10191 && tableChanges[[2]string{an, name}] == "" {
					t.Errorf("%s %d: GetNameByArch %q / %q", an, lnr, lname, oname)
				}
			}
		}
	}
	for _, bad := range []string{"", "i386", "native"} {
		_, lerr := lib.GetArchFromString(bad)
		_, oerr := ours.GetArchFromString(bad)
		if lerr == nil || oerr == nil || lerr.Error() != oerr.Error() {
			t.Errorf("GetArchFromString(%q): %v / %v", bad, lerr, oerr)
		}
	}
	for _, bad := range []lib.ScmpArch{lib.ArchInvalid, 99} {
		_, lerr := lib.GetSyscallFromNameByArch("read", bad)
		_, oerr := ours.GetSyscallFromNameByArch("read", ours.ScmpArch(bad))
		if lerr == nil || oerr == nil || lerr.Error() != oerr.Error() {
			t.Errorf("GetSyscallFromNameByArch(read, %d): %v / %v", uint(bad), lerr, oerr)
		}
	}
}
