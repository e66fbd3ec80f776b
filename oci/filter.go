package oci

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	seccomp "github.com/seccomp-go/seccomp"
	"github.com/seccomp-go/seccomp/bpf"
	"github.com/seccomp-go/seccomp/internal/compile"
	"github.com/seccomp-go/seccomp/internal/kernel"
)

// ErrTooLong is returned (wrapped) by [NewFilter] when a profile needs
// more BPF instructions than the kernel accepts.
var ErrTooLong = errors.New("the filter exceeds the kernel's limit of 4096 BPF instructions")

// NewFilter builds the filter runc would load for spec:
//
//   - the default action is defaultAction with defaultErrnoRet; ERRNO and
//     TRACE take errnoRet (EPERM when it is not given), other actions
//     none; SCMP_ACT_KILL is KILL_THREAD;
//   - the filter covers the native architecture (or opts.Arches) plus
//     spec.Architectures;
//   - SECCOMP_FILTER_FLAG_LOG, _SPEC_ALLOW and _WAIT_KILLABLE_RECV set
//     the log, SSB and wait-kill attributes; _TSYNC is accepted and
//     sets nothing (the filter's TSYNC attribute is on, as in every
//     filter; [InitSeccomp] ignores it, as runc does). With no flags
//     field at all,
//     SPEC_ALLOW is set where the kernel supports it;
//   - each name of each syscall entry becomes a rule, except names
//     libseccomp does not know (reported to opts.Warn) and rules whose
//     action is the default action; when an entry compares one argument
//     more than once, each comparison becomes a rule of its own, so they
//     are ORed, as runc does;
//   - NOTIFY is refused as the default action and for write, and
//     listenerMetadata needs listenerPath;
//   - a profile making more than [MaxRules] rules, [MaxConditionalRules]
//     with args or [MaxConditionalRulesPerSyscall] with args for one
//     syscall is refused.
//
// When opts.Warn or opts.OnWarning is set, rules that never apply
// because an earlier rule for the same syscall decides every call they
// match are reported, as [ShadowedRule] warnings, for the first 64
// rules of each syscall.
//
// Errors in the profile are [*FieldError]s naming the field. A filter
// that would exceed 4096 BPF instructions gives an error wrapping
// [ErrTooLong]. The filter's no_new_privs attribute is opts.NoNewPrivs.
//
// The filter's own program (ExportBPFMem, Load) lacks runc's ENOSYS stub;
// [Program] and [Load] add it. A profile with SCMP_ACT_NOTIFY rules
// compiles without a listenerPath, but [Handoff] needs one.
func NewFilter(spec *specs.LinuxSeccomp, opts Options) (*seccomp.ScmpFilter, error) {
	if opts.ENOSYSAfter != "" {
		return newFilterAfter(spec, opts)
	}
	p, err := newPlan(spec)
	if err != nil {
		return nil, err
	}
	return buildPlan(p, len(spec.Syscalls), opts)
}

// buildPlan builds the filter of p, made from a profile with entries
// syscall entries, as runc builds one: default action, architectures,
// attributes, rules, and the 4096-instruction check.
func buildPlan(p *plan, entries int, opts Options) (*seccomp.ScmpFilter, error) {
	f, err := seccomp.NewFilter(p.def.value())
	if err != nil {
		return nil, fmt.Errorf("seccomp profile: defaultAction: %w", err)
	}
	ok := false
	defer func() {
		if !ok {
			f.Release()
		}
	}()
	if err := setArches(f, p, opts); err != nil {
		return nil, err
	}
	if err := setAttrs(f, p, opts); err != nil {
		return nil, err
	}
	// runc asks libseccomp for a binary tree of syscalls in long
	// profiles; it changes the shape of the program, not its decisions.
	if entries > 32 {
		_ = f.SetOptimize(2)
	}
	if err := addRules(f, p, opts); err != nil {
		return nil, err
	}
	if err := checkSize(f); err != nil {
		return nil, err
	}
	ok = true
	return f, nil
}

// maxCheckedRules is the number of rules for one syscall that addRules
// checks for rules that never apply.
const maxCheckedRules = 64

// addRules adds the rules of p to f, reporting to opts the names
// libseccomp does not know and the rules that never apply.
func addRules(f *seccomp.ScmpFilter, p *plan, opts Options) error {
	var got []seccomp.RuleWarning
	hook := func(w seccomp.RuleWarning) { got = append(got, w) }
	hooked := false
	// watch turns the warning hook on or off; with it on, adding a rule
	// takes time proportional to the rules the syscall already has.
	watch := func(on bool) {
		if on != hooked {
			hooked = on
			if on {
				f.SetRuleWarning(hook)
			} else {
				f.SetRuleWarning(nil)
			}
		}
	}
	defer watch(false)
	arches, err := filterArches(f)
	if err != nil {
		return err
	}
	unknown := map[string]bool{}
	// byName holds, for each syscall name, the number of rules added so
	// far (MaxRules at most), the index in p.rules of the first one, and
	// whether they have more than one action. Only warnings need it.
	type nameRules struct {
		first int32
		rules uint16
		mixed bool
	}
	var byName map[string]nameRules
	warnings := opts.warnings()
	if warnings {
		byName = make(map[string]nameRules, len(p.rules))
	}
	for i := range p.rules {
		r := &p.rules[i]
		name, act := p.name(r), p.action(r)
		// The field is only written out for a warning.
		field := func() string { return fmt.Sprintf("syscalls[%d].names[%d]", r.entry, r.index) }
		nr, err := seccomp.GetSyscallFromName(name)
		if err != nil {
			if !unknown[name] {
				unknown[name] = true
				opts.warn(Warning{Kind: UnknownSyscall, Field: field(), Reason: fmt.Sprintf("libseccomp does not know %q, so the rule is skipped, as runc skips it; check the spelling", name)})
			}
			continue
		}
		if !warnings {
			if err := addRule(f, p, nr, r); err != nil {
				return err
			}
			continue
		}
		got = got[:0]
		st := byName[name]
		seen := st.rules > 0
		first := &p.rules[st.first] // when seen
		// Earlier rules with this rule's action make it redundant,
		// which changes nothing; one with another action overrules it.
		// Only then can the rule be one that never applies, and only
		// then is the hook, which makes adding a rule slower, needed.
		conflict := seen && (st.mixed || p.action(first) != act)
		st.rules++
		watch(st.rules <= maxCheckedRules && conflict)
		if err := addRule(f, p, nr, r); err != nil {
			return err
		}
		if !seen {
			st.first = int32(i)
		} else if p.action(first) != act {
			st.mixed = true
		}
		byName[name] = st
		if !conflict || len(got) == 0 {
			continue
		}
		earlier := first.entry
		// A rule is reported where it is shadowed as the syscall
		// itself, not only through socketcall(2) or ipc(2), whose
		// rules can't test the arguments.
		var ignored, replaced []seccomp.ScmpArch
		for _, w := range got {
			if direct, err := seccomp.GetSyscallFromNameByArch(name, w.Arch); err != nil || direct != w.ArchSyscall {
				continue
			}
			switch w.Kind {
			case seccomp.RuleIgnored:
				ignored = appendArch(ignored, w.Arch)
			case seccomp.RuleReplacedConditional:
				replaced = appendArch(replaced, w.Arch)
			}
		}
		where := fmt.Sprintf("syscalls[%d]", earlier)
		if earlier == r.entry {
			where = "the same entry"
		}
		on := func(list []seccomp.ScmpArch) string {
			if len(list) == len(arches) {
				return ""
			}
			names := make([]string, len(list))
			for i, a := range list {
				names[i] = specName(a)
			}
			return " on " + strings.Join(names, ", ")
		}
		switch {
		case len(ignored) > 0:
			opts.warn(Warning{Kind: ShadowedRule, Field: field(), Reason: fmt.Sprintf("this rule for %s never applies%s: an earlier rule for %s (%s) already decides every call this one matches; remove this rule, or merge the two entries", name, on(ignored), name, where)})
		case len(replaced) > 0:
			opts.warn(Warning{Kind: ShadowedRule, Field: field(), Reason: fmt.Sprintf("this rule for %s, without args, replaces%s the earlier rules for %s with args (%s), which never apply; remove them, or give this rule args", name, on(replaced), name, where)})
		}
	}
	return nil
}

// addRule adds r, a rule of p for syscall nr, to f.
func addRule(f *seccomp.ScmpFilter, p *plan, nr seccomp.ScmpSyscall, r *rule) error {
	var err error
	if conds := p.conditions(r); conds == nil {
		err = f.AddRule(nr, p.action(r).value())
	} else {
		err = f.AddRuleConditional(nr, p.action(r).value(), conds)
	}
	if err != nil {
		return fmt.Errorf("seccomp profile: syscalls[%d]: adding the rule for %s: %w", r.entry, p.name(r), err)
	}
	return nil
}

func appendArch(list []seccomp.ScmpArch, a seccomp.ScmpArch) []seccomp.ScmpArch {
	if slices.Contains(list, a) {
		return list
	}
	return append(list, a)
}

// setArches gives f the native architecture, or opts.Arches instead, plus
// the profile's.
func setArches(f *seccomp.ScmpFilter, p *plan, opts Options) error {
	want, err := opts.arches()
	if err != nil {
		return err
	}
	if len(want) > 0 {
		native, err := seccomp.GetNativeArch()
		if err != nil {
			return fmt.Errorf("seccomp profile: %w", err)
		}
		keep := slices.Contains(want, native) || slices.Contains(p.arches, native)
		if !keep {
			// First, as libseccomp only mixes architectures of one
			// byte order: without the native one, the filter can
			// take a big-endian target on a little-endian host.
			if err := f.RemoveArch(native); err != nil {
				return fmt.Errorf("seccomp profile: removing the native architecture %v: %w", native, err)
			}
		}
		for i, a := range want {
			if present, _ := f.IsArchPresent(a); present {
				continue
			}
			if abiOf(a).BigEndian != abiOf(want[0]).BigEndian {
				return fmt.Errorf("seccomp profile: Options.Arches[%d]: %s and %s have different byte orders; one filter covers architectures of one byte order: make one filter for each", i, specName(a), specName(want[0]))
			}
			if err := f.AddArch(a); err != nil {
				return fmt.Errorf("seccomp profile: architecture %v: %w", a, err)
			}
		}
	}
	first, err := filterArches(f)
	if err != nil {
		return err
	}
	for i, a := range p.arches {
		if present, _ := f.IsArchPresent(a); present {
			continue
		}
		if abiOf(a).BigEndian != abiOf(first[0]).BigEndian {
			return &FieldError{
				Field:  fmt.Sprintf("architectures[%d]", i),
				Reason: fmt.Sprintf("%s and %s have different byte orders; one filter covers architectures of one byte order", specName(a), specName(first[0])),
			}
		}
		if err := f.AddArch(a); err != nil {
			return fmt.Errorf("seccomp profile: architectures[%d]: adding %v: %w", i, a, err)
		}
	}
	return nil
}

// specName returns runtime-spec's name of a, for messages.
func specName(a seccomp.ScmpArch) string {
	if name, ok := specArch(a); ok {
		return string(name)
	}
	return fmt.Sprint(a)
}

// setAttrs sets the attributes the flags ask for.
func setAttrs(f *seccomp.ScmpFilter, p *plan, opts Options) error {
	specAllow := p.flags.specAllow
	if !p.flags.explicit {
		// runc's default: SPEC_ALLOW where the kernel has it.
		specAllow, _ = kernel.FlagSupported(kernel.FlagSpecAllow)
	}
	if p.flags.log {
		if err := f.SetLogBit(true); err != nil {
			return flagError(specs.LinuxSeccompFlagLog, err)
		}
	}
	if specAllow {
		if err := f.SetSSB(true); err != nil {
			return flagError(specs.LinuxSeccompFlagSpecAllow, err)
		}
	}
	if p.flags.waitKill {
		if err := f.SetWaitKill(true); err != nil {
			return flagError(specs.LinuxSeccompFlagWaitKillableRecv, err)
		}
	}
	if err := f.SetNoNewPrivsBit(opts.NoNewPrivs); err != nil {
		return fmt.Errorf("seccomp profile: no_new_privs attribute: %w", err)
	}
	return nil
}

// flagError is the error of setting the attribute of flag.
func flagError(flag specs.LinuxSeccompFlag, err error) error {
	return fmt.Errorf("seccomp profile: flags: %s: %w", flag, err)
}

// checkSize compiles f once, to report a program the kernel would refuse
// before anyone tries to load it.
func checkSize(f *seccomp.ScmpFilter) error {
	raw, err := exportBPF(f)
	if err != nil {
		return err
	}
	if n := len(raw) / 8; n > bpf.MaxInstructions {
		return fmt.Errorf("seccomp profile: %w (it needs %d)", ErrTooLong, n)
	}
	return nil
}

// exportBPF compiles f; a program too long to compile gives an error
// wrapping ErrTooLong.
func exportBPF(f *seccomp.ScmpFilter) ([]byte, error) {
	raw, err := f.ExportBPFMem()
	if err != nil {
		if errors.Is(err, compile.ErrTooLong) {
			return nil, fmt.Errorf("seccomp profile: %w: %w", ErrTooLong, err)
		}
		return nil, fmt.Errorf("seccomp profile: compiling the filter: %w", err)
	}
	return raw, nil
}
