package seccomp_test

import (
	"testing"

	"github.com/seccomp-go/seccomp"
)

// TestScmpFilterComparable uses ScmpFilter values the way a client of
// libseccomp-golang can: with == and as map keys. It does not compile if
// ScmpFilter stops being comparable. The equality it expects is
// libseccomp-golang's, whose ScmpFilter holds the C context pointer, the
// valid flag and the mutex: a filter keeps its value while its rules,
// attributes and compiled program change, separate filters differ, and
// Release or Merge (for the source) change the value by invalidating it.
func TestScmpFilterComparable(t *testing.T) {
	var z1, z2 seccomp.ScmpFilter
	if z1 != z2 {
		t.Error("two zero ScmpFilters differ")
	}

	newFilter := func() *seccomp.ScmpFilter {
		f, err := seccomp.NewFilter(seccomp.ActAllow)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	a, b := newFilter(), newFilter()
	defer a.Release()
	defer b.Release()
	getpid, err := seccomp.GetSyscallFromName("getpid")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []*seccomp.ScmpFilter{a, b} {
		if err := f.AddRule(getpid, seccomp.ActErrno.SetReturnCode(1)); err != nil {
			t.Fatal(err)
		}
	}
	if *a != *a {
		t.Error("a filter differs from itself")
	}
	if *a == *b {
		t.Error("two filters from separate NewFilter calls compare equal")
	}
	if *a == z1 {
		t.Error("a valid filter equals the zero ScmpFilter")
	}

	keys := map[seccomp.ScmpFilter]string{}
	keys[*a] = "a"
	keys[*b] = "b"
	if len(keys) != 2 {
		t.Fatalf("map of two filters has %d keys", len(keys))
	}

	// Compiling caches a program, and rules, attributes and hooks change
	// the filter's contents: none of it changes the value.
	first, err := a.ExportBPFMem()
	if err != nil {
		t.Fatal(err)
	}
	getppid, err := seccomp.GetSyscallFromName("getppid")
	if err != nil {
		t.Fatal(err)
	}
	if err := a.AddRule(getppid, seccomp.ActErrno.SetReturnCode(2)); err != nil {
		t.Fatal(err)
	}
	if err := a.SetLogBit(true); err != nil {
		t.Fatal(err)
	}
	a.SetRuleWarning(func(seccomp.RuleWarning) {})
	a.SetStrictRules(true)
	second, err := a.ExportBPFMem()
	if err != nil {
		t.Fatal(err)
	}
	if string(first) == string(second) {
		t.Fatal("adding a rule left the exported program unchanged")
	}
	if keys[*a] != "a" || keys[*b] != "b" {
		t.Errorf("after changing filter a, the keys find %q and %q, want \"a\" and \"b\"", keys[*a], keys[*b])
	}

	// Merge invalidates its source, Release its filter.
	native, err := seccomp.GetNativeArch()
	if err != nil {
		t.Fatal(err)
	}
	src := newFilter()
	defer src.Release()
	added := false
	for _, other := range []seccomp.ScmpArch{seccomp.ArchX86, seccomp.ArchAMD64, seccomp.ArchS390X, seccomp.ArchPPC64} {
		if other != native && src.AddArch(other) == nil {
			added = true
			break
		}
	}
	if !added {
		t.Fatalf("no second architecture with the byte order of %v", native)
	}
	if err := src.RemoveArch(native); err != nil {
		t.Fatal(err)
	}
	keys[*src] = "src"
	if err := b.Merge(src); err != nil {
		t.Fatal(err)
	}
	if _, ok := keys[*src]; ok {
		t.Error("a merged source filter still finds its key")
	}
	if keys[*b] != "b" {
		t.Errorf("the filter merged into finds %q, want \"b\"", keys[*b])
	}
	a.Release()
	if _, ok := keys[*a]; ok {
		t.Error("a released filter still finds its key")
	}
}
