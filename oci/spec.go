package oci

import (
	"fmt"
	"slices"
	"strconv"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	seccomp "github.com/seccomp-go/seccomp"
	"github.com/seccomp-go/seccomp/internal/kernel"
)

// FieldError reports a profile field whose value cannot be used.
type FieldError struct {
	// Field is the path of the field in the profile, such as
	// "syscalls[3].args[0].index"; empty when the whole input is at
	// fault (malformed JSON).
	Field string
	// Reason says what is wrong.
	Reason string
}

// Error returns "seccomp profile: FIELD: REASON".
func (e *FieldError) Error() string {
	if e.Field == "" {
		return "seccomp profile: " + e.Reason
	}
	return "seccomp profile: " + e.Field + ": " + e.Reason
}

// Flag names of runtime-spec, plus SECCOMP_FILTER_FLAG_TSYNC, which runc
// accepts and ignores.
const flagTSync specs.LinuxSeccompFlag = "SECCOMP_FILTER_FLAG_TSYNC"

// specArches holds runtime-spec's names of libseccomp's architectures,
// from ArchX86 to ArchSHEB.
var specArches = [...]specs.Arch{
	seccomp.ArchX86 - seccomp.ArchX86:         specs.ArchX86,
	seccomp.ArchAMD64 - seccomp.ArchX86:       specs.ArchX86_64,
	seccomp.ArchX32 - seccomp.ArchX86:         specs.ArchX32,
	seccomp.ArchARM - seccomp.ArchX86:         specs.ArchARM,
	seccomp.ArchARM64 - seccomp.ArchX86:       specs.ArchAARCH64,
	seccomp.ArchMIPS - seccomp.ArchX86:        specs.ArchMIPS,
	seccomp.ArchMIPS64 - seccomp.ArchX86:      specs.ArchMIPS64,
	seccomp.ArchMIPS64N32 - seccomp.ArchX86:   specs.ArchMIPS64N32,
	seccomp.ArchMIPSEL - seccomp.ArchX86:      specs.ArchMIPSEL,
	seccomp.ArchMIPSEL64 - seccomp.ArchX86:    specs.ArchMIPSEL64,
	seccomp.ArchMIPSEL64N32 - seccomp.ArchX86: specs.ArchMIPSEL64N32,
	seccomp.ArchPPC - seccomp.ArchX86:         specs.ArchPPC,
	seccomp.ArchPPC64 - seccomp.ArchX86:       specs.ArchPPC64,
	seccomp.ArchPPC64LE - seccomp.ArchX86:     specs.ArchPPC64LE,
	seccomp.ArchS390 - seccomp.ArchX86:        specs.ArchS390,
	seccomp.ArchS390X - seccomp.ArchX86:       specs.ArchS390X,
	seccomp.ArchPARISC - seccomp.ArchX86:      specs.ArchPARISC,
	seccomp.ArchPARISC64 - seccomp.ArchX86:    specs.ArchPARISC64,
	seccomp.ArchRISCV64 - seccomp.ArchX86:     specs.ArchRISCV64,
	seccomp.ArchLOONGARCH64 - seccomp.ArchX86: specs.ArchLOONGARCH64,
	seccomp.ArchM68K - seccomp.ArchX86:        specs.ArchM68K,
	seccomp.ArchSH - seccomp.ArchX86:          specs.ArchSH,
	seccomp.ArchSHEB - seccomp.ArchX86:        specs.ArchSHEB,
}

// archBySpec resolves a runtime-spec architecture name.
func archBySpec(a specs.Arch) (seccomp.ScmpArch, bool) {
	for i, name := range specArches {
		if name == a {
			return seccomp.ArchX86 + seccomp.ScmpArch(i), true
		}
	}
	return seccomp.ArchInvalid, false
}

// unknownArch is the error for field, an architecture name that
// archBySpec does not know.
func unknownArch(field string, a specs.Arch) error {
	return &FieldError{Field: field, Reason: fmt.Sprintf("unknown architecture %q (want a name such as %q)", a, specs.ArchX86_64)}
}

// action is an action as runc resolves it, with its errno or trace data.
type action struct {
	act  seccomp.ScmpAction // without data
	data uint16
}

// value returns the libseccomp-golang action, data included.
func (a action) value() seccomp.ScmpAction {
	if a.act == seccomp.ActErrno || a.act == seccomp.ActTrace {
		return a.act | seccomp.ScmpAction(a.data)<<16
	}
	return a.act
}

// actionBySpec maps a runtime-spec action name to libseccomp's action. KILL is
// KILL_THREAD, as in runc and libseccomp.
func actionBySpec(a specs.LinuxSeccompAction) (seccomp.ScmpAction, bool) {
	switch a {
	case specs.ActKill:
		return seccomp.ActKillThread, true
	case specs.ActKillThread:
		return seccomp.ActKillThread, true
	case specs.ActKillProcess:
		return seccomp.ActKillProcess, true
	case specs.ActTrap:
		return seccomp.ActTrap, true
	case specs.ActErrno:
		return seccomp.ActErrno, true
	case specs.ActTrace:
		return seccomp.ActTrace, true
	case specs.ActAllow:
		return seccomp.ActAllow, true
	case specs.ActLog:
		return seccomp.ActLog, true
	case specs.ActNotify:
		return seccomp.ActNotify, true
	}
	return 0, false
}

// opBySpec maps a runtime-spec operator name to libseccomp's.
func opBySpec(a specs.LinuxSeccompOperator) (seccomp.ScmpCompareOp, bool) {
	switch a {
	case specs.OpNotEqual:
		return seccomp.CompareNotEqual, true
	case specs.OpLessThan:
		return seccomp.CompareLess, true
	case specs.OpLessEqual:
		return seccomp.CompareLessOrEqual, true
	case specs.OpEqualTo:
		return seccomp.CompareEqual, true
	case specs.OpGreaterEqual:
		return seccomp.CompareGreaterEqual, true
	case specs.OpGreaterThan:
		return seccomp.CompareGreater, true
	case specs.OpMaskedEqual:
		return seccomp.CompareMaskedEqual, true
	}
	return 0, false
}

// resolveAction resolves an action and its errnoRet as runc does: ERRNO
// and TRACE take errnoRet, defaulting to EPERM; the others take none.
// field names the action, retField the errnoRet.
func resolveAction(field, retField string, a specs.LinuxSeccompAction, ret *uint) (action, error) {
	act, ok := actionBySpec(a)
	if !ok {
		reason := fmt.Sprintf("unknown action %q", a)
		if a == "" {
			reason = "no action given"
		}
		return action{}, &FieldError{Field: field, Reason: reason}
	}
	switch act {
	case seccomp.ActErrno, seccomp.ActTrace:
		if ret == nil {
			return action{act: act, data: errnoEPERM}, nil
		}
		if act == seccomp.ActErrno && *ret >= kernel.MaxErrno {
			// The kernel clamps larger values to MAX_ERRNO (4095);
			// libseccomp, and so runc, refuses 4095 and above.
			return action{}, &FieldError{Field: retField, Reason: fmt.Sprintf("%d is out of range: libseccomp, and so runc, takes errno values 0 to %d, below the kernel's MAX_ERRNO (%d); use an errno such as 1 (EPERM)", *ret, kernel.MaxErrno-1, kernel.MaxErrno)}
		}
		if *ret > 0xffff {
			return action{}, &FieldError{Field: retField, Reason: fmt.Sprintf("%d does not fit in the 16 bits of SECCOMP_RET_DATA", *ret)}
		}
		return action{act: act, data: uint16(*ret)}, nil
	}
	if ret != nil {
		return action{}, &FieldError{Field: retField, Reason: fmt.Sprintf("%s takes no errnoRet (only %s and %s do)", a, specs.ActErrno, specs.ActTrace)}
	}
	return action{act: act}, nil
}

// checkEntry validates the action, errnoRet and args of syscalls[i].
func checkEntry(i int, a specs.LinuxSeccompAction, ret *uint, args []specs.LinuxSeccompArg) error {
	if _, err := entryAction(i, a, ret); err != nil {
		return err
	}
	for j, arg := range args {
		if _, err := entryCondition(i, j, arg); err != nil {
			return err
		}
	}
	return nil
}

// checkMinKernel validates the minKernel of sel, the selector called name
// of syscalls[i], if it has one.
func checkMinKernel(i int, name string, sel *Selector) error {
	if sel == nil || sel.MinKernel == "" {
		return nil
	}
	if _, err := parseMinKernel(sel.MinKernel); err != nil {
		return &FieldError{Field: syscallField(i) + "." + name + ".minKernel", Reason: err.Error()}
	}
	return nil
}

// syscallField returns "syscalls[i]", the field of entry i.
func syscallField(i int) string { return "syscalls[" + strconv.Itoa(i) + "]" }

// entryAction is resolveAction for syscalls[i]; the field names are only
// made for an error.
func entryAction(i int, a specs.LinuxSeccompAction, ret *uint) (action, error) {
	act, err := resolveAction("", "", a, ret)
	if err != nil {
		field := syscallField(i)
		_, err = resolveAction(field+".action", field+".errnoRet", a, ret)
	}
	return act, err
}

// entryCondition is condition for syscalls[i].args[j]; the field name is
// only made for an error.
func entryCondition(i, j int, arg specs.LinuxSeccompArg) (seccomp.ScmpCondition, error) {
	c, err := condition("", arg)
	if err != nil {
		_, err = condition(fmt.Sprintf("%s.args[%d]", syscallField(i), j), arg)
	}
	return c, err
}

// condition converts one argument comparison.
func condition(field string, arg specs.LinuxSeccompArg) (seccomp.ScmpCondition, error) {
	if arg.Index > 5 {
		return seccomp.ScmpCondition{}, &FieldError{Field: field + ".index", Reason: fmt.Sprintf("%d is above 5", arg.Index)}
	}
	op, ok := opBySpec(arg.Op)
	if !ok {
		reason := fmt.Sprintf("unknown operator %q", arg.Op)
		if arg.Op == "" {
			reason = "no operator given"
		}
		return seccomp.ScmpCondition{}, &FieldError{Field: field + ".op", Reason: reason}
	}
	return seccomp.ScmpCondition{Argument: arg.Index, Op: op, Operand1: arg.Value, Operand2: arg.ValueTwo}, nil
}

// plan is a validated profile, ready to be turned into libseccomp calls.
type plan struct {
	def    action
	arches []seccomp.ScmpArch // spec.Architectures, in order, without repeats
	flags  planFlags
	rules  []rule

	// The rules' parts: the profile's entries, their actions, and the
	// conditions of all entries, in order.
	syscalls []specs.LinuxSyscall
	acts     []action
	conds    []seccomp.ScmpCondition
}

// name returns the syscall name of r.
func (p *plan) name(r *rule) string { return p.syscalls[r.entry].Names[r.index] }

// action returns the action of r.
func (p *plan) action(r *rule) action { return p.acts[r.entry] }

// conditions returns the conditions of r, nil for an unconditional rule.
func (p *plan) conditions(r *rule) []seccomp.ScmpCondition {
	if r.nconds == 0 {
		return nil
	}
	end := r.conds + r.nconds
	return p.conds[r.conds:end:end]
}

// planFlags are the filter attributes the profile's flags set.
type planFlags struct {
	log, specAllow, waitKill bool
	// explicit is false when the profile has no flags field at all, in
	// which case runc turns SPEC_ALLOW on where the kernel has it.
	explicit bool
}

// rule is one libseccomp rule to add, for one name of an entry, with
// the entry's action and some of its conditions (see plan's methods).
type rule struct {
	// entry is the index in spec.Syscalls, index the index in its
	// names; both are below MaxRules, as every entry up to this one
	// has names and countRules bounds their number.
	entry, index int32
	// The rule's conditions are the nconds of p.conds from conds on.
	conds, nconds int32
}

// checkTop validates the fields outside syscalls[] and sets the default
// action, architectures and flags of p from them.
func checkTop(spec *specs.LinuxSeccomp, p *plan) error {
	def, err := resolveAction("defaultAction", "defaultErrnoRet", spec.DefaultAction, spec.DefaultErrnoRet)
	if err != nil {
		return err
	}
	if def.act == seccomp.ActNotify {
		return &FieldError{Field: "defaultAction", Reason: "SCMP_ACT_NOTIFY cannot be the default action: the listener could not even write"}
	}
	p.def = def
	if len(spec.Architectures) > 0 {
		p.arches = make([]seccomp.ScmpArch, 0, min(len(spec.Architectures), len(specArches)))
	}
	for i, a := range spec.Architectures {
		s, ok := archBySpec(a)
		if !ok {
			return unknownArch(fmt.Sprintf("architectures[%d]", i), a)
		}
		if !slices.Contains(p.arches, s) {
			p.arches = append(p.arches, s)
		}
	}
	p.flags.explicit = spec.Flags != nil
	for i, f := range spec.Flags {
		switch f {
		case flagTSync:
			// runc loads with TSYNC anyway.
		case specs.LinuxSeccompFlagLog:
			p.flags.log = true
		case specs.LinuxSeccompFlagSpecAllow:
			p.flags.specAllow = true
		case specs.LinuxSeccompFlagWaitKillableRecv:
			p.flags.waitKill = true
		default:
			return &FieldError{Field: fmt.Sprintf("flags[%d]", i), Reason: fmt.Sprintf("unknown flag %q", f)}
		}
	}
	if spec.ListenerMetadata != "" && spec.ListenerPath == "" {
		return &FieldError{Field: "listenerMetadata", Reason: "set without listenerPath"}
	}
	return nil
}

// Limits on the rules of one profile. Building a filter takes time that
// grows with the square of the number of conditional rules of one
// syscall, and a filter the kernel loads (4096 instructions) needs at
// least one instruction for each rule that has an effect; profiles past
// these limits are refused with a [*FieldError] before any rule is
// added. Docker's default profile makes about 400 rules, 10 of them
// with args.
const (
	// MaxRules is the most rules a profile may make: one for each name
	// of each syscall entry, or, in an entry that compares one argument
	// more than once, one for each name and comparison.
	MaxRules = 16384
	// MaxConditionalRules is the most of them that may have args.
	MaxConditionalRules = 2048
	// MaxConditionalRulesPerSyscall is the most rules with args that
	// may be made for one syscall name.
	MaxConditionalRulesPerSyscall = 256
)

// countRules returns the number of rules spec makes, at most MaxRules
// (more is an error), without making them.
func countRules(spec *specs.LinuxSeccomp) (int, error) {
	total, conditional := 0, 0
	for i, s := range spec.Syscalls {
		k := 1
		if len(s.Args) > 0 {
			var count [6]int
			for _, a := range s.Args {
				if a.Index < 6 {
					count[a.Index]++
				}
				if a.Index >= 6 || count[a.Index] > 1 {
					k = len(s.Args)
				}
			}
		}
		// len(s.Names)*k may overflow only past the limits.
		if k > MaxRules || len(s.Names) > MaxRules || len(s.Names)*k > MaxRules-total {
			return 0, &FieldError{Field: fmt.Sprintf("syscalls[%d]", i), Reason: fmt.Sprintf("the profile makes more than %d rules (one per name, and per comparison when an argument is compared twice); remove repeated names or entries", MaxRules)}
		}
		total += len(s.Names) * k
		if len(s.Args) > 0 {
			conditional += len(s.Names) * k
			if conditional > MaxConditionalRules {
				return 0, &FieldError{Field: fmt.Sprintf("syscalls[%d]", i), Reason: fmt.Sprintf("the profile makes more than %d rules with args (one per name, and per comparison when an argument is compared twice); remove repeated names or entries", MaxConditionalRules)}
			}
		}
	}
	return total, nil
}

// newPlan validates spec and lists the rules runc would add for it.
func newPlan(spec *specs.LinuxSeccomp) (*plan, error) {
	if spec == nil {
		return nil, &FieldError{Reason: "no profile"}
	}
	p := &plan{}
	if err := checkTop(spec, p); err != nil {
		return nil, err
	}
	n, err := countRules(spec)
	if err != nil {
		return nil, err
	}
	p.rules = make([]rule, 0, n)
	p.syscalls = spec.Syscalls
	if len(spec.Syscalls) > 0 {
		p.acts = make([]action, len(spec.Syscalls))
	}
	args := 0
	for _, s := range spec.Syscalls {
		args += len(s.Args)
	}
	if args > 0 {
		p.conds = make([]seccomp.ScmpCondition, 0, args)
	}
	conditional := map[string]int{} // conditional rules by syscall name
	for i, s := range spec.Syscalls {
		// the field names are only made for an error
		field := func() string { return syscallField(i) }
		act, err := entryAction(i, s.Action, s.ErrnoRet)
		if err != nil {
			return nil, err
		}
		p.acts[i] = act
		if len(s.Names) == 0 {
			return nil, &FieldError{Field: field() + ".names", Reason: "no syscall names"}
		}
		var count [6]int
		repeated := false
		start := int32(len(p.conds))
		for j, arg := range s.Args {
			c, err := entryCondition(i, j, arg)
			if err != nil {
				return nil, err
			}
			count[c.Argument]++
			repeated = repeated || count[c.Argument] > 1
			p.conds = append(p.conds, c)
		}
		nconds := int32(len(p.conds)) - start
		for j, name := range s.Names {
			if name == "" {
				return nil, &FieldError{Field: fmt.Sprintf("%s.names[%d]", field(), j), Reason: "empty syscall name"}
			}
			if act.act == seccomp.ActNotify && name == "write" {
				return nil, &FieldError{Field: fmt.Sprintf("%s.names[%d]", field(), j), Reason: "SCMP_ACT_NOTIFY cannot be used for write: the listener could not report back"}
			}
			if act == p.def {
				// Same as the default: runc skips it.
				continue
			}
			if nconds > 0 {
				k := 1
				if repeated {
					k = int(nconds)
				}
				conditional[name] += k
				if conditional[name] > MaxConditionalRulesPerSyscall {
					return nil, &FieldError{Field: fmt.Sprintf("%s.names[%d]", field(), j), Reason: fmt.Sprintf("%s has more than %d rules with args; a filter that could load needs fewer: merge them or use fewer values (the limit keeps building the filter fast)", name, MaxConditionalRulesPerSyscall)}
				}
			}
			r := rule{entry: int32(i), index: int32(j), conds: start, nconds: nconds}
			if repeated {
				// libseccomp cannot AND two conditions on one
				// argument; runc adds one rule per condition,
				// which ORs them.
				r.nconds = 1
				for k := range nconds {
					r.conds = start + k
					p.rules = append(p.rules, r)
				}
				continue
			}
			p.rules = append(p.rules, r)
		}
	}
	return p, nil
}

// Validate checks spec without building a filter: every action,
// errnoRet, operator, argument index, architecture and flag, and the
// combinations runc refuses (NOTIFY as the default action or for write,
// listenerMetadata without listenerPath). Errors are [*FieldError]s.
func Validate(spec *specs.LinuxSeccomp) error {
	_, err := newPlan(spec)
	return err
}
