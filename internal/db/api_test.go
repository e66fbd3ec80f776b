package db

import (
	"errors"
	"syscall"
	"testing"

	"github.com/seccomp-go/seccomp/arch"
)

// A sequence of API calls and the code libseccomp 2.6.1 returns for each
// (checked against the library).
func TestAPISequence(t *testing.T) {
	c := newCol(t, ActKillThread, arch.X86_64)
	steps := []struct {
		name string
		do   func() error
		want error
	}{
		{"rule -100 on a non-multiplexing ABI", func() error { return c.AddRule(ActAllow, -100, false, nil) }, nil},
		{"exact rule -100", func() error { return c.AddRule(ActAllow, -100, true, nil) }, syscall.EDOM},
		{"add x86", func() error { return c.AddArch(arch.X86) }, nil},
		{"add x86 again", func() error { return c.AddArch(arch.X86) }, syscall.EEXIST},
		{"add big-endian ppc64", func() error { return c.AddArch(arch.PPC64) }, syscall.EDOM},
		{"number unknown to the native ABI", func() error { return c.AddRule(ActAllow, 5000, false, nil) }, syscall.EFAULT},
		{"exact rule, two ABIs", func() error { return c.AddRule(ActAllow, 2, true, nil) }, syscall.EOPNOTSUPP},
		{"-100 can't be translated", func() error { return c.AddRule(ActAllow, -100, false, nil) }, syscall.EFAULT},
		{"remove x86", func() error { return c.RemoveArch(arch.X86) }, nil},
		{"remove x86 again", func() error { return c.RemoveArch(arch.X86) }, syscall.EEXIST},
		{"remove x86_64", func() error { return c.RemoveArch(arch.X86_64) }, nil},
		{"rule without ABI", func() error { return c.AddRule(ActAllow, 2, false, nil) }, syscall.EINVAL},
		{"attribute without ABI", func() error { _, err := c.AttrGet(AttrActDefault); return err }, syscall.EINVAL},
		{"transaction without ABI", c.TransactionStart, syscall.EINVAL},
		{"priority without ABI", func() error { return c.SetPriority(2, 1) }, syscall.EINVAL},
		{"ppc64 once empty", func() error { return c.AddArch(arch.PPC64) }, nil},
		{"then x86_64", func() error { return c.AddArch(arch.X86_64) }, syscall.EDOM},
		{"remove ppc64", func() error { return c.RemoveArch(arch.PPC64) }, nil},
		{"x86_64 back", func() error { return c.AddArch(arch.X86_64) }, nil},
		{"default action is read only", func() error { return c.AttrSet(AttrActDefault, 0) }, syscall.EACCES},
		{"optimize 3", func() error { return c.AttrSet(AttrOptimize, 3) }, syscall.EOPNOTSUPP},
		{"optimize 2", func() error { return c.AttrSet(AttrOptimize, 2) }, nil},
		{"unknown attribute", func() error { return c.AttrSet(99, 1) }, syscall.EINVAL},
		{"bad-arch action with data", func() error { return c.AttrSet(AttrActBadArch, uint32(ActAllow|1)) }, syscall.EINVAL},
		{"wait-kill any value", func() error { return c.AttrSet(AttrWaitKill, 5) }, nil},
	}
	for _, s := range steps {
		if err := s.do(); err != s.want {
			t.Fatalf("%s: got %v, want %v", s.name, err, s.want)
		}
	}
	attrs := []struct {
		a    Attr
		want uint32
	}{
		{AttrActDefault, uint32(ActKillThread)},
		{AttrActBadArch, uint32(ActKillThread)},
		{AttrNNP, 1},
		{AttrTSync, 0},
		{AttrTSkip, 0},
		{AttrLog, 0},
		{AttrSSB, 0},
		{AttrOptimize, 2},
		{AttrRawRC, 0},
		{AttrWaitKill, 1},
	}
	for _, a := range attrs {
		if v, err := c.AttrGet(a.a); err != nil || v != a.want {
			t.Errorf("attribute %d = %d, %v; want %d", a.a, v, err, a.want)
		}
	}
}

func TestAttrSupport(t *testing.T) {
	tests := []struct {
		name string
		sup  support
		attr Attr
		want error
	}{
		{"tsync", support{noFlags: FlagTSync}, AttrTSync, syscall.EOPNOTSUPP},
		{"log", support{noFlags: FlagLog}, AttrLog, syscall.EOPNOTSUPP},
		{"ssb", support{noFlags: FlagSpecAllow}, AttrSSB, syscall.EOPNOTSUPP},
		{"wait-kill is not checked", support{noFlags: FlagWaitKillableRecv}, AttrWaitKill, nil},
		{"bad-arch log without LOG", support{noActions: map[Action]bool{ActLog: true}}, AttrActBadArch, syscall.EINVAL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := New(ActAllow, arch.X86_64, tt.sup)
			if err != nil {
				t.Fatal(err)
			}
			v := uint32(1)
			if tt.attr == AttrActBadArch {
				v = uint32(ActLog)
			}
			if err := c.AttrSet(tt.attr, v); err != tt.want {
				t.Fatalf("AttrSet = %v, want %v", err, tt.want)
			}
		})
	}
	// TSYNC can't be set on a filter that notifies unless TSYNC_ESRCH
	// exists.
	c, err := New(ActNotify, arch.X86_64, support{noFlags: FlagTSyncESRCH})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.AttrSet(AttrTSync, 1); err != syscall.EINVAL {
		t.Fatalf("TSYNC with a notifying default: %v, want EINVAL", err)
	}
	if err := c.AttrSet(AttrTSync, 0); err != nil {
		t.Fatalf("clearing TSYNC: %v", err)
	}
	if _, err := New(ActLog, arch.X86_64, support{noActions: map[Action]bool{ActLog: true}}); err != syscall.EINVAL {
		t.Fatalf("New with an unsupported default: %v", err)
	}
}

func entries(c *Collection, a *arch.Arch) map[uint32]bool {
	m := map[uint32]bool{}
	for _, f := range c.Filters() {
		if f.Arch == a {
			for _, s := range f.Syscalls {
				m[s.Num] = true
			}
		}
	}
	return m
}

func TestTransactions(t *testing.T) {
	c := newCol(t, ActKillThread, arch.X86_64)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(c.TransactionStart())
	must(c.AddRule(ActAllow, 1, false, nil))
	must(c.TransactionStart())
	must(c.AddRule(ActAllow, 2, false, nil))
	c.TransactionReject()
	must(c.TransactionCommit())
	got := entries(c, arch.X86_64)
	if !got[1] || got[2] {
		t.Fatalf("after nested reject and commit: %v, want only 1", got)
	}

	// a reject restores the rules but not the attributes
	must(c.TransactionStart())
	must(c.AddRule(ActAllow, 3, false, nil))
	must(c.AttrSet(AttrNNP, 0))
	c.TransactionReject()
	if got := entries(c, arch.X86_64); got[3] {
		t.Fatal("rejected rule kept")
	}
	if v, _ := c.AttrGet(AttrNNP); v != 0 {
		t.Fatal("attribute restored by a reject")
	}

	// a failed rule leaves nothing behind on any ABI
	must(c.AddArch(arch.X86))
	must(c.AddRule(ActTrap, 0, false, []Cond{c6(0, cmpEQ, 1)}))
	if err := c.AddRule(ActAllow, 0, false, []Cond{c6(0, cmpEQ, 1)}); err != syscall.EEXIST {
		t.Fatalf("conflicting rule: %v", err)
	}
	if got := decide(filterFor(t, c, arch.X86), 3, [6]uint64{1}, ActKillThread); got != ActTrap {
		t.Fatalf("x86 read after a failed rule: %#x", got)
	}

	// libseccomp keeps a copy of the rules made at the last successful
	// rule as the next rollback point, without checking it; a failed
	// rule then also rolls back an ABI added since.
	must(c.AddRule(ActAllow, 4, false, nil))
	must(c.AddArch(arch.AArch64))
	if err := c.AddRule(ActAllow, 0, false, []Cond{c6(0, cmpEQ, 1)}); err != syscall.EEXIST {
		t.Fatalf("conflicting rule: %v", err)
	}
	if c.HasArch(arch.AArch64) {
		t.Fatal("aarch64 survived the rollback; libseccomp 2.6.1 drops it")
	}
}

func TestMerge(t *testing.T) {
	mk := func(def Action, a *arch.Arch) *Collection {
		c := newCol(t, def, arch.X86_64)
		if a != arch.X86_64 {
			if err := c.RemoveArch(arch.X86_64); err != nil {
				t.Fatal(err)
			}
			if err := c.AddArch(a); err != nil {
				t.Fatal(err)
			}
		}
		return c
	}
	tests := []struct {
		name     string
		dst, src *Collection
		prep     func(dst, src *Collection)
		want     error
	}{
		{name: "ok", dst: mk(ActAllow, arch.X86_64), src: mk(ActAllow, arch.X86)},
		{name: "default differs", dst: mk(ActAllow, arch.X86_64), src: mk(ActTrap, arch.X86), want: syscall.EINVAL},
		{name: "nnp differs", dst: mk(ActAllow, arch.X86_64), src: mk(ActAllow, arch.X86),
			prep: func(d, s *Collection) { s.AttrSet(AttrNNP, 0) }, want: syscall.EINVAL},
		{name: "tsync differs", dst: mk(ActAllow, arch.X86_64), src: mk(ActAllow, arch.X86),
			prep: func(d, s *Collection) { s.AttrSet(AttrTSync, 1) }, want: syscall.EINVAL},
		{name: "log may differ", dst: mk(ActAllow, arch.X86_64), src: mk(ActAllow, arch.X86),
			prep: func(d, s *Collection) { s.AttrSet(AttrLog, 1) }},
		{name: "same ABI", dst: mk(ActAllow, arch.X86_64), src: mk(ActAllow, arch.X86_64), want: syscall.EEXIST},
		{name: "byte order", dst: mk(ActAllow, arch.X86_64), src: mk(ActAllow, arch.PPC64), want: syscall.EDOM},
		{name: "source without ABI", dst: mk(ActAllow, arch.X86_64), src: mk(ActAllow, arch.X86),
			prep: func(d, s *Collection) { s.RemoveArch(arch.X86) }, want: syscall.EINVAL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.prep != nil {
				tt.prep(tt.dst, tt.src)
			}
			err := tt.dst.Merge(tt.src)
			if err != tt.want {
				t.Fatalf("Merge = %v, want %v", err, tt.want)
			}
			if err == nil {
				if tt.src.Valid() == nil {
					t.Fatal("source still valid")
				}
				if len(tt.dst.Arches()) != 2 {
					t.Fatalf("arches %v", tt.dst.Arches())
				}
			}
		})
	}
	// merged rules keep deciding on the moved ABI
	dst, src := mk(ActAllow, arch.X86_64), mk(ActAllow, arch.X86)
	if err := src.AddRule(ActTrap, 0, false, nil); err != nil { // native read: x86 read
		t.Fatal(err)
	}
	if err := dst.Merge(src); err != nil {
		t.Fatal(err)
	}
	if got := decide(filterFor(t, dst, arch.X86), 3, [6]uint64{}, ActAllow); got != ActTrap {
		t.Fatalf("merged rule: %#x", got)
	}
	if err := dst.Merge(dst); err != syscall.EEXIST {
		t.Fatalf("merge with itself: %v", err)
	}
}

func TestWarningsAndStrict(t *testing.T) {
	c := newCol(t, ActKillThread, arch.X86_64)
	if err := c.AddArch(arch.AArch64); err != nil {
		t.Fatal(err)
	}
	var got []WarningKind
	c.Warn = func(w Warning) { got = append(got, w.Kind) }
	steps := []struct {
		name  string
		act   Action
		nr    int32
		conds []Cond
		want  []WarningKind
	}{
		{"conditional", ActTrap, 1, []Cond{c6(0, cmpEQ, 1)}, nil},
		{"longer chain, other action", ActAllow, 1, []Cond{c6(0, cmpEQ, 1), c6(1, cmpEQ, 1)}, []WarningKind{WarnIgnored, WarnIgnored}},
		{"unconditional", ActAllow, 1, nil, []WarningKind{WarnReplaced, WarnReplaced}},
		{"under unconditional", ActTrap, 1, []Cond{c6(0, cmpEQ, 1)}, []WarningKind{WarnIgnored, WarnIgnored}},
		{"missing on aarch64", ActAllow, 158, nil, []WarningKind{WarnSkipped}},
	}
	for _, s := range steps {
		got = nil
		if err := c.AddRule(s.act, s.nr, false, s.conds); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if len(got) != len(s.want) {
			t.Fatalf("%s: warnings %v, want %v", s.name, got, s.want)
		}
		for i := range got {
			if got[i] != s.want[i] {
				t.Fatalf("%s: warnings %v, want %v", s.name, got, s.want)
			}
		}
	}
	c.Strict = true
	before := len(c.filters[0].rules)
	if err := c.AddRule(ActTrap, 1, false, []Cond{c6(2, cmpEQ, 1)}); !errors.Is(err, ErrIgnored) {
		t.Fatalf("strict: %v", err)
	}
	if len(c.filters[0].rules) != before {
		t.Fatal("strict: ignored rule recorded")
	}
	if err := c.AddRule(ActTrap, 2, false, nil); err != nil {
		t.Fatalf("strict, effective rule: %v", err)
	}
}

// libseccomp 2.6.1 links the new chain into a level shared by the two
// branches of a 64-bit GT test twice here, and then loops forever.
func TestLoopingMerge(t *testing.T) {
	c := newCol(t, errno1, arch.X86_64)
	if err := c.AddRule(ActTrap, 29, false, []Cond{c6(0, cmpGT, 0x100000001), c6(1, cmpLT, 0x100000001)}); err != nil {
		t.Fatal(err)
	}
	if err := c.AddRule(ActAllow, 29, false, []Cond{c6(0, cmpGT, 0x100000001), c6(2, cmpNE, 2)}); !errors.Is(err, ErrLoop) {
		t.Fatalf("AddRule = %v, want ErrLoop", err)
	}
	// the filter is as before the failed rule
	if got := decide(filterFor(t, c, arch.X86_64), 29, [6]uint64{0x200000000, 0, 3}, errno1); got != ActTrap {
		t.Fatalf("decision after the refused rule: %#x", got)
	}
}

func TestPriorityAndTSkipExport(t *testing.T) {
	c := newCol(t, ActKillThread, arch.X86_64)
	if err := c.AddArch(arch.X86); err != nil {
		t.Fatal(err)
	}
	if err := c.SetPriority(1, 200); err != nil { // write
		t.Fatal(err)
	}
	if err := c.SetPriority(41, 10); err != nil { // socket: socketcall on x86
		t.Fatal(err)
	}
	if err := c.SetPriority(-1, 1); err != syscall.EINVAL {
		t.Fatalf("priority of -1 without TSKIP: %v", err)
	}
	if got := entries(c, arch.X86_64); len(got) != 0 {
		t.Fatalf("placeholders exported: %v", got)
	}
	if err := c.AddRule(ActAllow, 1, false, nil); err != nil {
		t.Fatal(err)
	}
	for _, f := range c.Filters() {
		for _, s := range f.Syscalls {
			if s.Priority != 200 {
				t.Errorf("%s %d: priority %d, want 200", f.Arch.Name, s.Num, s.Priority)
			}
		}
	}
	if err := c.AttrSet(AttrTSkip, 1); err != nil {
		t.Fatal(err)
	}
	if err := c.AddRule(ActAllow, -1, false, nil); err != nil {
		t.Fatal(err)
	}
	if !entries(c, arch.X86)[0xffffffff] {
		t.Fatal("syscall -1 not exported with TSKIP")
	}
	if err := c.AttrSet(AttrTSkip, 0); err != nil {
		t.Fatal(err)
	}
	if entries(c, arch.X86)[0xffffffff] {
		t.Fatal("syscall -1 exported without TSKIP")
	}
}

func TestExactMultiplexed(t *testing.T) {
	c := newCol(t, ActKillThread, arch.X86)
	// socket on x86 is the pseudo number -101
	if err := c.AddRule(ActAllow, -101, true, []Cond{c6(0, cmpEQ, 2)}); err != syscall.EINVAL {
		t.Fatalf("exact socket rule with a condition: %v", err)
	}
	if err := c.AddRule(ActAllow, -101, true, nil); err != nil {
		t.Fatalf("exact socket rule: %v", err)
	}
	got := entries(c, arch.X86)
	if !got[102] || !got[359] {
		t.Fatalf("entries %v, want socketcall (102) and socket (359)", got)
	}
}

func TestArchNumbering(t *testing.T) {
	c := newCol(t, ActKillThread, arch.X86_64)
	if err := c.AddArch(arch.X32); err != nil {
		t.Fatal(err)
	}
	if err := c.AddRule(ActAllow, 0, false, nil); err != nil { // read
		t.Fatal(err)
	}
	if got := entries(c, arch.X32); !got[0x40000000] || len(got) != 1 {
		t.Fatalf("x32 entries %v, want read with the x32 bit", got)
	}
	// an ABI added later does not get the earlier rules
	if err := c.AddArch(arch.AArch64); err != nil {
		t.Fatal(err)
	}
	if got := entries(c, arch.AArch64); len(got) != 0 {
		t.Fatalf("aarch64 got earlier rules: %v", got)
	}
	if err := c.AddRule(ActAllow, 1, false, nil); err != nil { // write
		t.Fatal(err)
	}
	if got := entries(c, arch.AArch64); !got[64] || len(got) != 1 {
		t.Fatalf("aarch64 entries %v, want write (64)", got)
	}
	// MIPS numbers carry the ABI offset
	m := newCol(t, ActKillThread, arch.X86_64)
	if err := m.RemoveArch(arch.X86_64); err != nil {
		t.Fatal(err)
	}
	if err := m.AddArch(arch.MIPSEL64N32); err != nil {
		t.Fatal(err)
	}
	if err := m.AddRule(ActAllow, 1, false, nil); err != nil { // write
		t.Fatal(err)
	}
	if got := entries(m, arch.MIPSEL64N32); !got[6001] {
		t.Fatalf("mipsel64n32 entries %v, want write (6001)", got)
	}
}
