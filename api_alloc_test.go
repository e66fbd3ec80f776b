package seccomp

import "testing"

// TestAPIAllocations checks that the descriptions of known actions and
// operators, the action and condition checks, and the attribute getters
// and setters on a valid filter allocate nothing.
func TestAPIAllocations(t *testing.T) {
	f, err := NewFilter(ActAllow)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Release()
	var sink int
	for name, fn := range map[string]func(){
		"ScmpAction.String":    func() { sink += len(ActKillProcess.String()) },
		"ScmpCompareOp.String": func() { sink += len(CompareMaskedEqual.String()) },
		"SetReturnCode":        func() { sink += int(ActErrno.SetReturnCode(1).GetReturnCode()) },
		"sanitizeAction": func() {
			if sanitizeAction(ActTrace.SetReturnCode(3)) != nil {
				sink++
			}
		},
		"MakeCondition": func() {
			c, err := MakeCondition(5, CompareMaskedEqual, 0xf0, 0x10)
			if err != nil {
				sink++
			}
			sink += int(c.Argument)
		},
		"GetLogBit": func() {
			if v, _ := f.GetLogBit(); v {
				sink++
			}
		},
		"SetOptimize": func() {
			if f.SetOptimize(2) != nil {
				sink++
			}
		},
		"GetDefaultAction": func() {
			a, _ := f.GetDefaultAction()
			sink += int(a)
		},
		"IsValid": func() {
			if f.IsValid() {
				sink++
			}
		},
	} {
		if n := testing.AllocsPerRun(100, fn); n != 0 {
			t.Errorf("%s: %v allocations, want 0", name, n)
		}
	}
}
