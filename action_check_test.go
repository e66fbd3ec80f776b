package seccomp

import (
	"bytes"
	"testing"
)

// undefinedActions are action values no Act* constant gives.
var undefinedActions = []ScmpAction{
	ActInvalid,
	ActKillProcess + 1,
	0xffff,
	ActAllow | 1<<16,      // a return code on an action that has none
	ActKillThread | 5<<16, // the same on the action 0 stands for
	ActInvalid | 1<<16,
}

// TestAddRuleUndefinedAction checks that every Add* method refuses an
// undefined action and leaves the filter as it was, where
// libseccomp-golang would install SECCOMP_RET_KILL_THREAD.
func TestAddRuleUndefinedAction(t *testing.T) {
	cond, err := MakeCondition(0, CompareEqual, 1)
	if err != nil {
		t.Fatal(err)
	}
	conds := []ScmpCondition{cond}
	adds := map[string]func(*ScmpFilter, ScmpSyscall, ScmpAction) error{
		"AddRule":      (*ScmpFilter).AddRule,
		"AddRuleExact": (*ScmpFilter).AddRuleExact,
		"AddRuleConditional": func(f *ScmpFilter, s ScmpSyscall, a ScmpAction) error {
			return f.AddRuleConditional(s, a, conds)
		},
		"AddRuleConditionalExact": func(f *ScmpFilter, s ScmpSyscall, a ScmpAction) error {
			return f.AddRuleConditionalExact(s, a, conds)
		},
	}
	read := sysNum(t, "read")
	for name, add := range adds {
		f := newFilter(t, ActAllow)
		before, err := f.ExportBPFMem()
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range undefinedActions {
			if err := add(f, read, a); err == nil {
				t.Errorf("%s(read, %#x): no error", name, uint(a))
			}
		}
		after, err := f.ExportBPFMem()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(before, after) {
			t.Errorf("%s: refused rules changed the program", name)
		}
		// A defined action still goes in.
		if err := add(f, read, ActErrno.SetReturnCode(5)); err != nil {
			t.Errorf("%s(read, ERRNO(5)): %v", name, err)
		}
		f.Release()
	}
}

// TestUndefinedActionElsewhere checks the other functions that take an
// action.
func TestUndefinedActionElsewhere(t *testing.T) {
	f := newFilter(t, ActAllow)
	defer f.Release()
	for _, a := range undefinedActions {
		if g, err := NewFilter(a); err == nil || g != nil {
			t.Errorf("NewFilter(%#x): %v, %v", uint(a), g, err)
		}
		if err := f.Reset(a); err == nil {
			t.Errorf("Reset(%#x): no error", uint(a))
		}
		if err := f.SetBadArchAction(a); err == nil {
			t.Errorf("SetBadArchAction(%#x): no error", uint(a))
		}
	}
	if def, err := f.GetDefaultAction(); err != nil || def != ActAllow {
		t.Errorf("default action after refused Resets: %v, %v", def, err)
	}
	if bad, err := f.GetBadArchAction(); err != nil || bad != ActKillThread {
		t.Errorf("bad-arch action after refused SetBadArchAction: %v, %v", bad, err)
	}
}
