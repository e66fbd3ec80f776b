package seccomp

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/seccomp-go/seccomp/arch"
	"github.com/seccomp-go/seccomp/bpf"
)

func newFilter(t *testing.T, def ScmpAction) *ScmpFilter {
	t.Helper()
	f, err := NewFilter(def)
	if err != nil {
		t.Fatalf("NewFilter: %v", err)
	}
	t.Cleanup(f.Release)
	return f
}

// sysNum returns the native number of a syscall.
func sysNum(t *testing.T, name string) ScmpSyscall {
	t.Helper()
	n, err := GetSyscallFromName(name)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return n
}

// run executes the exported program for one input.
func run(t *testing.T, f *ScmpFilter, a *arch.Arch, nr int32, args [6]uint64) uint32 {
	t.Helper()
	raw, err := f.ExportBPFMem()
	if err != nil {
		t.Fatalf("ExportBPFMem: %v", err)
	}
	p, err := bpf.Unmarshal(raw, a.ByteOrder())
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Verify(); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	ret, _, err := p.Run(bpf.Data{Nr: nr, Arch: a.Token, Args: args}, a.ByteOrder())
	if err != nil {
		t.Fatal(err)
	}
	return ret
}

func TestNewFilterErrors(t *testing.T) {
	tests := []struct {
		act  ScmpAction
		want string
	}{
		{ActInvalid, "unrecognized action 0x0"},
		{ScmpAction(9), "unrecognized action 0x9"},
		{ActKillThread | 1<<16, "highest 16 bits must be zeroed except for Trace and Errno"},
		{ActErrno.SetReturnCode(4095), "could not create filter"},
	}
	for _, tt := range tests {
		f, err := NewFilter(tt.act)
		if err == nil || err.Error() != tt.want || f != nil {
			t.Errorf("NewFilter(%#x) = %v, %v; want error %q", uint(tt.act), f, err, tt.want)
		}
	}
	f := newFilter(t, ActErrno.SetReturnCode(4094))
	if a, err := f.GetDefaultAction(); err != nil || a != ActErrno.SetReturnCode(4094) {
		t.Fatalf("GetDefaultAction = %v, %v", a, err)
	}
}

func TestAddRuleErrors(t *testing.T) {
	write := sysNum(t, "write")
	cond := func(arg uint, op ScmpCompareOp, v uint64) ScmpCondition {
		return ScmpCondition{Argument: arg, Op: op, Operand1: v}
	}
	tests := []struct {
		name  string
		setup func(f *ScmpFilter) error
		call  ScmpSyscall
		act   ScmpAction
		exact bool
		conds []ScmpCondition
		want  error  // compared with errors.Is, when set
		msg   string // the error's message, when set
	}{
		{name: "default action", call: write, act: ActKillThread, msg: errDefAction.Error()},
		{name: "invalid action", call: write, act: ActInvalid, msg: "unrecognized action 0x0"},
		{name: "same argument twice", call: write, act: ActAllow,
			conds: []ScmpCondition{cond(0, CompareEqual, 1), cond(0, CompareEqual, 2)},
			msg:   "two checks on same syscall argument"},
		{name: "errno too large", call: write, act: ActErrno.SetReturnCode(4095), msg: "two checks on same syscall argument"},
		{name: "invalid operator", call: write, act: ActAllow, conds: []ScmpCondition{cond(0, CompareInvalid, 1)},
			msg: "two checks on same syscall argument"},
		{name: "argument 6", call: write, act: ActAllow, conds: []ScmpCondition{cond(6, CompareEqual, 1)},
			msg: "two checks on same syscall argument"},
		{name: "reserved syscall", call: -5, act: ActAllow, msg: "two checks on same syscall argument"},
		{name: "unknown syscall on a second arch", setup: func(f *ScmpFilter) error { return f.AddArch(ArchX86) },
			call: 5000, act: ActAllow, msg: "unrecognized syscall 0x1388"},
		{name: "exact on two arches", setup: func(f *ScmpFilter) error { return f.AddArch(ArchX86) },
			call: write, act: ActAllow, exact: true, want: syscall.EOPNOTSUPP},
		{name: "conflict", setup: func(f *ScmpFilter) error {
			return f.AddRuleConditional(write, ActTrap, []ScmpCondition{cond(0, CompareEqual, 1)})
		}, call: write, act: ActAllow, conds: []ScmpCondition{cond(0, CompareEqual, 1)}, want: syscall.EEXIST},
		{name: "exact socket rule with a condition on x86", setup: func(f *ScmpFilter) error {
			if err := f.RemoveArch(ArchNative); err != nil {
				return err
			}
			return f.AddArch(ArchX86)
		}, call: 41, act: ActAllow, exact: true, conds: []ScmpCondition{cond(1, CompareEqual, 1)},
			msg: "two checks on same syscall argument"},
		{name: "missing syscall, exact", call: -10001, act: ActAllow, exact: true, want: syscall.EDOM},
		{name: "missing syscall", call: -10001, act: ActAllow},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if arch.Native() != arch.X86_64 && tt.setup != nil {
				t.Skip("multi-arch case written for x86_64")
			}
			f := newFilter(t, ActKillThread)
			if tt.setup != nil {
				if err := tt.setup(f); err != nil {
					t.Fatal(err)
				}
			}
			var err error
			switch {
			case tt.exact:
				err = f.AddRuleConditionalExact(tt.call, tt.act, tt.conds)
			default:
				err = f.AddRuleConditional(tt.call, tt.act, tt.conds)
			}
			switch {
			case tt.want != nil:
				if !errors.Is(err, tt.want) {
					t.Fatalf("got %v, want %v", err, tt.want)
				}
			case tt.msg != "":
				if err == nil || err.Error() != tt.msg {
					t.Fatalf("got %v, want %q", err, tt.msg)
				}
			default:
				if err != nil {
					t.Fatalf("got %v", err)
				}
			}
		})
	}
}

func TestReleasedFilter(t *testing.T) {
	f, err := NewFilter(ActAllow)
	if err != nil {
		t.Fatal(err)
	}
	f.Release()
	f.Release()
	if f.IsValid() {
		t.Fatal("released filter valid")
	}
	calls := map[string]error{
		"Reset":              f.Reset(ActAllow),
		"AddArch":            f.AddArch(ArchNative),
		"RemoveArch":         f.RemoveArch(ArchNative),
		"AddRule":            f.AddRule(1, ActTrap),
		"SetSyscallPriority": f.SetSyscallPriority(1, 1),
		"Precompute":         f.Precompute(),
		"Load":               f.Load(),
		"Verify":             f.Verify(),
		"TransactionStart":   f.TransactionStart(),
		"TransactionCommit":  f.TransactionCommit(),
		"SetNoNewPrivsBit":   f.SetNoNewPrivsBit(true),
		"SetBadArchAction":   f.SetBadArchAction(ActAllow),
	}
	_, calls["IsArchPresent"] = f.IsArchPresent(ArchNative)
	_, calls["GetDefaultAction"] = f.GetDefaultAction()
	_, calls["ExportBPFMem"] = f.ExportBPFMem()
	calls["ExportBPF"] = f.ExportBPF(os.Stdout)
	calls["ExportPFC"] = f.ExportPFC(os.Stdout)
	for name, err := range calls {
		if err != errBadFilter {
			t.Errorf("%s on a released filter: %v", name, err)
		}
	}
	f.TransactionReject() // must not panic
	g := newFilter(t, ActAllow)
	if err := g.Merge(f); err == nil || err.Error() != "one or more of the filter contexts is invalid or uninitialized" {
		t.Fatalf("Merge with a released filter: %v", err)
	}
}

func TestMergeErrors(t *testing.T) {
	if arch.Native() != arch.X86_64 {
		t.Skip("written for x86_64")
	}
	a := newFilter(t, ActAllow)
	b := newFilter(t, ActTrap)
	if err := b.RemoveArch(ArchNative); err != nil {
		t.Fatal(err)
	}
	if err := b.AddArch(ArchX86); err != nil {
		t.Fatal(err)
	}
	err := a.Merge(b)
	if !errors.Is(err, syscall.EINVAL) || !strings.HasPrefix(err.Error(), "filters could not be merged due to a mismatch in attributes or invalid filter") {
		t.Fatalf("Merge with another default: %v", err)
	}
	if err := a.Merge(a); err != syscall.EEXIST {
		t.Fatalf("Merge with itself: %v", err)
	}
	if err := b.Reset(ActAllow); err != nil {
		t.Fatal(err)
	}
	// Reset does not set TSYNC as NewFilter does; a NewFilter filter has
	// it when the kernel offers it.
	tsA, _ := a.GetTSync()
	if err := b.SetTSync(tsA); err != nil {
		t.Fatal(err)
	}
	if err := b.Merge(a); err != syscall.EEXIST {
		t.Fatalf("Merge of two native filters: %v", err)
	}
	if err := b.RemoveArch(ArchNative); err != nil {
		t.Fatal(err)
	}
	if err := b.AddArch(ArchPPC64); err != nil {
		t.Fatal(err)
	}
	if err := a.Merge(b); err != syscall.EDOM {
		t.Fatalf("Merge across byte orders: %v", err)
	}
	if err := b.RemoveArch(ArchPPC64); err != nil {
		t.Fatal(err)
	}
	if err := b.AddArch(ArchX86); err != nil {
		t.Fatal(err)
	}
	if err := b.AddRule(sysNum(t, "read"), ActTrap); err != nil {
		t.Fatal(err)
	}
	if err := a.Merge(b); err != nil {
		t.Fatalf("Merge: %v", err)
	}
	if b.IsValid() {
		t.Fatal("merged source still valid")
	}
	if ok, err := a.IsArchPresent(ArchX86); !ok || err != nil {
		t.Fatalf("x86 after merge: %v %v", ok, err)
	}
	if got := run(t, a, arch.X86, 3, [6]uint64{}); got != bpf.RetTrap {
		t.Fatalf("merged x86 read: %s", bpf.ActionString(got))
	}
}

func TestArchesAndZeroArchFilter(t *testing.T) {
	f := newFilter(t, ActAllow)
	if ok, err := f.IsArchPresent(ArchNative); !ok || err != nil {
		t.Fatalf("native present: %v %v", ok, err)
	}
	if err := f.AddArch(ArchNative); err != nil {
		t.Fatalf("adding a present arch: %v", err)
	}
	if _, err := f.IsArchPresent(ArchInvalid); err == nil || err.Error() != "unrecognized architecture 0x0" {
		t.Fatalf("IsArchPresent(ArchInvalid): %v", err)
	}
	if err := f.RemoveArch(ArchNative); err != nil {
		t.Fatal(err)
	}
	if err := f.RemoveArch(ArchNative); err != nil {
		t.Fatalf("removing an absent arch: %v", err)
	}
	if _, err := f.GetDefaultAction(); err != syscall.EINVAL {
		t.Fatalf("attribute of a filter without arch: %v", err)
	}
	if _, err := f.ExportBPFMem(); err != syscall.EINVAL {
		t.Fatalf("export of a filter without arch: %v", err)
	}
	if err := f.AddRule(1, ActTrap); err == nil || err.Error() != "two checks on same syscall argument" {
		t.Fatalf("rule on a filter without arch: %v", err)
	}
	if level, _ := GetAPI(); level >= 6 {
		if fd, err := f.GetNotifFd(); fd != -22 || err != nil {
			t.Fatalf("GetNotifFd on a filter without arch: %d, %v", fd, err)
		}
	}
}

func TestAttributes(t *testing.T) {
	f := newFilter(t, ActAllow)
	if v, err := f.GetBadArchAction(); v != ActKillThread || err != nil {
		t.Errorf("bad-arch default: %v %v", v, err)
	}
	if err := f.SetBadArchAction(ActTrap); err != nil {
		t.Fatal(err)
	}
	if v, _ := f.GetBadArchAction(); v != ActTrap {
		t.Errorf("bad-arch: %v", v)
	}
	if err := f.SetBadArchAction(ActInvalid); err == nil || err.Error() != "unrecognized action 0x0" {
		t.Errorf("SetBadArchAction(ActInvalid): %v", err)
	}
	bools := []struct {
		name string
		get  func() (bool, error)
		set  func(bool) error
		def  bool
	}{
		{"NoNewPrivs", f.GetNoNewPrivsBit, f.SetNoNewPrivsBit, true},
		{"RawRC", f.GetRawRC, f.SetRawRC, false},
		{"WaitKill", f.GetWaitKill, f.SetWaitKill, false},
		{"TSkip", f.GetTSkip, f.SetTSkip, false},
	}
	if level, _ := GetAPI(); level >= 3 {
		bools = append(bools, struct {
			name string
			get  func() (bool, error)
			set  func(bool) error
			def  bool
		}{"Log", f.GetLogBit, f.SetLogBit, false})
	}
	for _, b := range bools {
		if v, err := b.get(); v != b.def || err != nil {
			t.Errorf("%s default: %v %v", b.name, v, err)
		}
		if err := b.set(!b.def); err != nil {
			t.Errorf("%s set: %v", b.name, err)
		}
		if v, _ := b.get(); v != !b.def {
			t.Errorf("%s after set: %v", b.name, v)
		}
	}
	if v, err := f.GetOptimize(); v != 1 || err != nil {
		t.Errorf("optimize default: %d %v", v, err)
	}
	if err := f.SetOptimize(2); err != nil {
		t.Errorf("SetOptimize(2): %v", err)
	}
	err := f.SetOptimize(0)
	var ve *VersionError
	if !errors.Is(err, syscall.EOPNOTSUPP) && !errors.As(err, &ve) {
		t.Errorf("SetOptimize(0): %v", err)
	}
}

func TestTSkipRules(t *testing.T) {
	f := newFilter(t, ActAllow)
	if err := f.AddRule(-1, ActTrap); err == nil {
		t.Fatal("rule for -1 without TSKIP accepted")
	}
	if err := f.SetTSkip(true); err != nil {
		t.Fatal(err)
	}
	if err := f.AddRule(-1, ActTrap); err != nil {
		t.Fatal(err)
	}
	n := arch.Native()
	if got := run(t, f, n, -1, [6]uint64{}); got != bpf.RetTrap {
		t.Fatalf("syscall -1: %s", bpf.ActionString(got))
	}
}

func TestTransactionsAPI(t *testing.T) {
	f := newFilter(t, ActAllow)
	n := arch.Native()
	read, write := sysNum(t, "read"), sysNum(t, "write")
	if err := f.TransactionStart(); err != nil {
		t.Fatal(err)
	}
	if err := f.AddRule(read, ActTrap); err != nil {
		t.Fatal(err)
	}
	if err := f.TransactionStart(); err != nil {
		t.Fatal(err)
	}
	if err := f.AddRule(write, ActTrap); err != nil {
		t.Fatal(err)
	}
	f.TransactionReject()
	if err := f.TransactionCommit(); err != nil {
		t.Fatal(err)
	}
	if got := run(t, f, n, int32(read), [6]uint64{}); got != bpf.RetTrap {
		t.Errorf("read: %s", bpf.ActionString(got))
	}
	if got := run(t, f, n, int32(write), [6]uint64{}); got != bpf.RetAllow {
		t.Errorf("write after reject: %s", bpf.ActionString(got))
	}
}

func TestRuleWarnings(t *testing.T) {
	f := newFilter(t, ActAllow)
	var got []RuleWarning
	f.SetRuleWarning(func(w RuleWarning) { got = append(got, w) })
	write := sysNum(t, "write")
	c, _ := MakeCondition(0, CompareEqual, 1)
	d, _ := MakeCondition(1, CompareEqual, 1)
	if err := f.AddRuleConditional(write, ActTrap, []ScmpCondition{c}); err != nil {
		t.Fatal(err)
	}
	if err := f.AddRuleConditional(write, ActErrno.SetReturnCode(1), []ScmpCondition{c, d}); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Kind != RuleIgnored || got[0].Syscall != write || got[0].Arch != fromArch(arch.Native()) ||
		got[0].Action != ActErrno.SetReturnCode(1) || len(got[0].Conditions) != 2 {
		t.Fatalf("warnings %+v", got)
	}
	f.SetStrictRules(true)
	if err := f.AddRuleConditional(write, ActErrno.SetReturnCode(1), []ScmpCondition{c, d}); err != ErrRuleIgnored {
		t.Fatalf("strict: %v", err)
	}
	got = nil
	if err := f.AddRule(write, ActLog); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Kind != RuleReplacedConditional {
		t.Fatalf("warnings %+v", got)
	}
}

func TestExportBPFFile(t *testing.T) {
	f := newFilter(t, ActAllow)
	if err := f.AddRule(sysNum(t, "read"), ActTrap); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "f.bpf")
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.ExportBPF(out); err != nil {
		t.Fatal(err)
	}
	out.Close()
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	mem, err := f.ExportBPFMem()
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(mem) {
		t.Fatal("ExportBPF and ExportBPFMem differ")
	}
	// writing to a closed file fails with ECANCELED, or the raw error
	if err := f.ExportBPF(out); err != syscall.ECANCELED {
		t.Fatalf("closed file: %v", err)
	}
	if err := f.SetRawRC(true); err != nil {
		t.Fatal(err)
	}
	if err := f.ExportBPF(out); err == nil || err == syscall.ECANCELED {
		t.Fatalf("closed file with RawRC: %v", err)
	}
}

func TestActionAndOpStrings(t *testing.T) {
	tests := []struct {
		got, want string
	}{
		{ActKillThread.String(), "Action: Kill thread"},
		{ActKillProcess.String(), "Action: Kill process"},
		{ActTrap.String(), "Action: Send SIGSYS"},
		{ActErrno.SetReturnCode(13).String(), "Action: Return error code 13"},
		{ActTrace.SetReturnCode(7).String(), "Action: Notify tracing processes with code 7"},
		{ActNotify.String(), "Action: Notify userspace"},
		{ActLog.String(), "Action: Log system call"},
		{ActAllow.String(), "Action: Allow system call"},
		{ActInvalid.String(), "Unrecognized Action 0x0"},
		{CompareNotEqual.String(), "Not equal"},
		{CompareMaskedEqual.String(), "Masked equality"},
		{CompareInvalid.String(), "Invalid comparison operator"},
		{ScmpCompareOp(99).String(), "Unrecognized comparison operator 0x63"},
		{fmt.Sprint(ActAllow.SetReturnCode(5) == ActAllow), "true"},
		{fmt.Sprint(ActErrno.SetReturnCode(-1).GetReturnCode()), "-1"},
		{fmt.Sprint(ActErrno.SetReturnCode(5).SetReturnCode(6).GetReturnCode()), "6"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

func TestMakeCondition(t *testing.T) {
	tests := []struct {
		arg  uint
		op   ScmpCompareOp
		vals []uint64
		want string
	}{
		{0, CompareInvalid, []uint64{1}, "unrecognized comparison operator 0x0"},
		{6, CompareEqual, []uint64{1}, "syscalls only have up to 6 arguments (6 given)"},
		{0, CompareEqual, []uint64{1, 2, 3}, "conditions can have at most 2 arguments (3 given)"},
		{0, CompareEqual, nil, "must provide at least one value to compare against"},
	}
	for _, tt := range tests {
		if _, err := MakeCondition(tt.arg, tt.op, tt.vals...); err == nil || err.Error() != tt.want {
			t.Errorf("MakeCondition(%d, %v, %v) = %v, want %q", tt.arg, tt.op, tt.vals, err, tt.want)
		}
	}
	c, err := MakeCondition(5, CompareMaskedEqual, 0xf0, 0x10)
	if err != nil || c != (ScmpCondition{Argument: 5, Op: CompareMaskedEqual, Operand1: 0xf0, Operand2: 0x10}) {
		t.Fatalf("MakeCondition: %+v %v", c, err)
	}
}

func TestVersion(t *testing.T) {
	if ma, mi, mc := GetLibraryVersion(); ma != 2 || mi != 6 || mc != 1 {
		t.Fatalf("version %d.%d.%d", ma, mi, mc)
	}
	if err := checkVersion("x", 2, 5, 0); err != nil {
		t.Fatal(err)
	}
	e := VersionError{op: "op", major: 2, minor: 7, micro: 0}
	if e.Error() != "op requires libseccomp >= 2.7.0 (current version: 2.6.1)" {
		t.Fatal(e.Error())
	}
	e = VersionError{op: "op", major: 2, minor: 5, micro: 0, curAPI: 2, minAPI: 3}
	if e.Error() != "op requires libseccomp >= 2.5.0 and API level >= 3 (current version: 2.6.1, API level: 2)" {
		t.Fatal(e.Error())
	}
}

func TestExportPFC(t *testing.T) {
	f := newFilter(t, ActAllow)
	if err := f.AddRuleConditional(sysNum(t, "write"), ActErrno.SetReturnCode(1),
		[]ScmpCondition{{Argument: 0, Op: CompareEqual, Operand1: 2}}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "f.pfc")
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.ExportPFC(out); err != nil {
		t.Fatal(err)
	}
	out.Close()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"write", "ERRNO(1)", "ALLOW"} {
		if !strings.Contains(string(b), s) {
			t.Errorf("PFC lacks %q:\n%s", s, b)
		}
	}
	if err := f.ExportPFC(out); err != syscall.ECANCELED {
		t.Fatalf("closed file: %v", err)
	}
}
