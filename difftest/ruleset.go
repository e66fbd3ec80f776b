package difftest

import (
	"fmt"
	"strings"
)

// Action is a filter action in a form neutral to both libraries. Kind uses
// the numbering of libseccomp-golang's ScmpAction (1 KillThread, 2 Trap,
// 3 Notify, 4 Errno, 5 Trace, 6 Allow, 7 Log, 8 KillProcess); other values
// are invalid on purpose. Data is the errno or trace value.
type Action struct {
	Kind uint
	Data int16
}

// Action kinds.
const (
	ActInvalid     uint = 0
	ActKillThread  uint = 1
	ActTrap        uint = 2
	ActNotify      uint = 3
	ActErrno       uint = 4
	ActTrace       uint = 5
	ActAllow       uint = 6
	ActLog         uint = 7
	ActKillProcess uint = 8
)

var actNames = map[uint]string{
	ActKillThread: "KILL_THREAD", ActTrap: "TRAP", ActNotify: "NOTIFY",
	ActErrno: "ERRNO", ActTrace: "TRACE", ActAllow: "ALLOW", ActLog: "LOG",
	ActKillProcess: "KILL_PROCESS",
}

func (a Action) String() string {
	n, ok := actNames[a.Kind]
	if !ok {
		n = fmt.Sprintf("ACT(%d)", a.Kind)
	}
	if a.Kind == ActErrno || a.Kind == ActTrace || a.Data != 0 {
		return fmt.Sprintf("%s(%d)", n, a.Data)
	}
	return n
}

// Cond is one argument comparison, with libseccomp-golang's operator
// numbering (1 NE, 2 LT, 3 LE, 4 EQ, 5 GE, 6 GT, 7 MASKED_EQ).
type Cond struct {
	Arg  uint
	Op   uint
	A, B uint64
}

var opNames = []string{"INVALID", "NE", "LT", "LE", "EQ", "GE", "GT", "MASKED_EQ"}

func (c Cond) String() string {
	op := fmt.Sprintf("OP(%d)", c.Op)
	if c.Op < uint(len(opNames)) {
		op = opNames[c.Op]
	}
	if c.Op == 7 {
		return fmt.Sprintf("a%d&%#x %s %#x", c.Arg, c.A, op, c.B)
	}
	return fmt.Sprintf("a%d %s %#x", c.Arg, op, c.A)
}

// CallKind names an API call of a rule set.
type CallKind string

// API calls a rule set can make, named after the libseccomp-golang methods.
const (
	CallAddRule                 CallKind = "AddRule"
	CallAddRuleExact            CallKind = "AddRuleExact"
	CallAddRuleConditional      CallKind = "AddRuleConditional"
	CallAddRuleConditionalExact CallKind = "AddRuleConditionalExact"
	CallSetSyscallPriority      CallKind = "SetSyscallPriority"
	CallAddArch                 CallKind = "AddArch"
	CallRemoveArch              CallKind = "RemoveArch"
	CallSetBadArchAction        CallKind = "SetBadArchAction"
	CallSetOptimize             CallKind = "SetOptimize"
	CallSetNoNewPrivsBit        CallKind = "SetNoNewPrivsBit"
	CallSetLogBit               CallKind = "SetLogBit"
	CallSetSSB                  CallKind = "SetSSB"
	CallSetRawRC                CallKind = "SetRawRC"
	CallMakeCondition           CallKind = "MakeCondition"
	CallGetSyscallFromName      CallKind = "GetSyscallFromName"
)

// Call is one API call. For rule calls the syscall is Name, resolved in the
// native namespace with GetSyscallFromName, or Num when Name is empty.
type Call struct {
	Kind     CallKind
	Name     string
	Num      int32
	Action   Action
	Conds    []Cond
	Priority uint8
	Arch     string // AddArch, RemoveArch
	Level    int    // SetOptimize
	Flag     bool   // boolean attributes
	NVals    int    // MakeCondition: how many operands to pass (1 or 2)
}

func (c Call) String() string {
	sc := c.Name
	if sc == "" {
		sc = fmt.Sprintf("#%d", c.Num)
	}
	switch c.Kind {
	case CallAddRule, CallAddRuleExact:
		return fmt.Sprintf("%s(%s, %v)", c.Kind, sc, c.Action)
	case CallAddRuleConditional, CallAddRuleConditionalExact:
		cs := make([]string, len(c.Conds))
		for i, x := range c.Conds {
			cs[i] = x.String()
		}
		return fmt.Sprintf("%s(%s, %v, [%s])", c.Kind, sc, c.Action, strings.Join(cs, ", "))
	case CallSetSyscallPriority:
		return fmt.Sprintf("%s(%s, %d)", c.Kind, sc, c.Priority)
	case CallAddArch, CallRemoveArch:
		return fmt.Sprintf("%s(%s)", c.Kind, c.Arch)
	case CallSetBadArchAction:
		return fmt.Sprintf("%s(%v)", c.Kind, c.Action)
	case CallSetOptimize:
		return fmt.Sprintf("%s(%d)", c.Kind, c.Level)
	case CallMakeCondition:
		if len(c.Conds) == 1 {
			return fmt.Sprintf("%s(%v, nvals=%d)", c.Kind, c.Conds[0], c.NVals)
		}
	case CallGetSyscallFromName:
		return fmt.Sprintf("%s(%q)", c.Kind, c.Name)
	}
	return fmt.Sprintf("%s(%v)", c.Kind, c.Flag)
}

// RuleSet is a filter described independently of either library: the
// filter is created with Default, then its architectures are set to Arches
// (the native architecture is removed when it is not listed), then Calls
// are made in order.
type RuleSet struct {
	Name    string
	Default Action
	Arches  []string
	Calls   []Call
}

func (rs *RuleSet) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "ruleset %s: default %v, arches %v\n", rs.Name, rs.Default, rs.Arches)
	for i, c := range rs.Calls {
		fmt.Fprintf(&b, "  %3d %v\n", i, c)
	}
	return b.String()
}

// isRule reports whether the call adds a rule.
func (c Call) isRule() bool {
	switch c.Kind {
	case CallAddRule, CallAddRuleExact, CallAddRuleConditional, CallAddRuleConditionalExact:
		return true
	}
	return false
}
