package difftest

import (
	"errors"
	"fmt"

	ours "github.com/seccomp-go/seccomp"
	"github.com/seccomp-go/seccomp/internal/verify"
)

func oursAction(a Action) ours.ScmpAction {
	act := ours.ScmpAction(a.Kind)
	if a.Kind == ActErrno || a.Kind == ActTrace {
		act = act.SetReturnCode(a.Data)
	}
	return act
}

func oursConds(cs []Cond) []ours.ScmpCondition {
	out := make([]ours.ScmpCondition, len(cs))
	for i, c := range cs {
		out[i] = ours.ScmpCondition{Argument: c.Arg, Op: ours.ScmpCompareOp(c.Op), Operand1: c.A, Operand2: c.B}
	}
	return out
}

// BuildOurs builds rs with seccomp-go and exports its BPF program.
func BuildOurs(rs *RuleSet) *Built {
	f, b := newOursFilter(rs, 0)
	if f == nil {
		return b
	}
	defer f.Release()
	var err error
	b.Prog, err = f.ExportBPFMem()
	b.Export = ErrClass(err)
	if err == nil {
		b.Proof = "ok"
		if err := f.Verify(); errors.Is(err, verify.ErrTooComplex) {
			b.Proof = "too complex"
		} else if err != nil {
			b.Proof = err.Error()
		}
	}
	return b
}

// LoadOurs builds rs with seccomp-go (level as for BuildLibOpt) and loads
// the filter into the kernel.
func LoadOurs(rs *RuleSet, level int) error {
	f, b := newOursFilter(rs, level)
	if f == nil {
		return fmt.Errorf("NewFilter: %s", b.NewFilter)
	}
	defer f.Release()
	return f.Load()
}

func newOursFilter(rs *RuleSet, level int) (*ours.ScmpFilter, *Built) {
	b := &Built{}
	f, err := ours.NewFilter(oursAction(rs.Default))
	b.NewFilter = ErrClass(err)
	if err != nil {
		return nil, b
	}
	nativeWanted := false
	for _, name := range rs.Arches {
		if name == NativeArch {
			nativeWanted = true
		}
		a, err := ours.GetArchFromString(name)
		if err == nil {
			err = f.AddArch(a)
		}
		b.Setup = append(b.Setup, "AddArch "+name+": "+ErrClass(err))
	}
	if !nativeWanted {
		err := f.RemoveArch(ours.ArchAMD64)
		b.Setup = append(b.Setup, "RemoveArch native: "+ErrClass(err))
	}
	if level != 0 {
		if err := f.SetOptimize(level); err != nil {
			b.Setup = append(b.Setup, "SetOptimize: "+ErrClass(err))
		}
	}
	for _, c := range rs.Calls {
		v := oursCall(f, c)
		if level != 0 && c.Kind == CallSetOptimize && v == "ok" {
			_ = f.SetOptimize(level)
		}
		b.Verdicts = append(b.Verdicts, v)
	}
	for _, name := range LittleEndianArches {
		a, _ := ours.GetArchFromString(name)
		if ok, err := f.IsArchPresent(a); err == nil && ok {
			b.Arches = append(b.Arches, name)
		}
	}
	return f, b
}

func oursSyscall(c Call) (ours.ScmpSyscall, string, bool) {
	if c.Name == "" {
		return ours.ScmpSyscall(c.Num), "", true
	}
	n, err := ours.GetSyscallFromName(c.Name)
	if err != nil {
		return 0, "resolve " + ErrClass(err), false
	}
	return n, fmt.Sprintf("nr=%d ", int32(n)), true
}

func oursCall(f *ours.ScmpFilter, c Call) string {
	switch c.Kind {
	case CallGetSyscallFromName:
		n, err := ours.GetSyscallFromName(c.Name)
		if err != nil {
			return ErrClass(err)
		}
		return fmt.Sprintf("nr=%d", int32(n))
	case CallMakeCondition:
		cd := c.Conds[0]
		vals := []uint64{cd.A, cd.B, cd.A}[:c.NVals]
		got, err := ours.MakeCondition(cd.Arg, ours.ScmpCompareOp(cd.Op), vals...)
		if err != nil {
			return ErrClass(err)
		}
		return fmt.Sprintf("%d %d %#x %#x", got.Argument, got.Op, got.Operand1, got.Operand2)
	case CallAddArch, CallRemoveArch:
		a, err := ours.GetArchFromString(c.Arch)
		if err != nil {
			return ErrClass(err)
		}
		if c.Kind == CallAddArch {
			return ErrClass(f.AddArch(a))
		}
		return ErrClass(f.RemoveArch(a))
	case CallSetBadArchAction:
		return ErrClass(f.SetBadArchAction(oursAction(c.Action)))
	case CallSetOptimize:
		return ErrClass(f.SetOptimize(c.Level))
	case CallSetNoNewPrivsBit:
		return ErrClass(f.SetNoNewPrivsBit(c.Flag))
	case CallSetLogBit:
		return ErrClass(f.SetLogBit(c.Flag))
	case CallSetSSB:
		return ErrClass(f.SetSSB(c.Flag))
	case CallSetRawRC:
		return ErrClass(f.SetRawRC(c.Flag))
	}
	nr, prefix, ok := oursSyscall(c)
	if !ok {
		return prefix
	}
	var err error
	switch c.Kind {
	case CallSetSyscallPriority:
		err = f.SetSyscallPriority(nr, c.Priority)
	case CallAddRule:
		err = f.AddRule(nr, oursAction(c.Action))
	case CallAddRuleExact:
		err = f.AddRuleExact(nr, oursAction(c.Action))
	case CallAddRuleConditional:
		err = f.AddRuleConditional(nr, oursAction(c.Action), oursConds(c.Conds))
	case CallAddRuleConditionalExact:
		err = f.AddRuleConditionalExact(nr, oursAction(c.Action), oursConds(c.Conds))
	default:
		return "unknown call " + string(c.Kind)
	}
	return prefix + ErrClass(err)
}
