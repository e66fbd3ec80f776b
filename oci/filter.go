package oci

import (
	"errors"
	"fmt"
	"slices"

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
//     the log, SSB and wait-kill attributes; _TSYNC is accepted (the
//     filter is always loaded with it). With no flags field at all,
//     SPEC_ALLOW is set where the kernel supports it;
//   - each name of each syscall entry becomes a rule, except names
//     libseccomp does not know (reported to opts.Warn) and rules whose
//     action is the default action; when an entry compares one argument
//     more than once, each comparison becomes a rule of its own, so they
//     are ORed, as runc does;
//   - NOTIFY is refused as the default action and for write, and
//     listenerMetadata needs listenerPath.
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
	if len(spec.Syscalls) > 32 {
		_ = f.SetOptimize(2)
	}
	unknown := map[string]bool{}
	for _, r := range p.rules {
		nr, err := seccomp.GetSyscallFromName(r.name)
		if err != nil {
			if !unknown[r.name] {
				unknown[r.name] = true
				opts.warnf("unknown syscall %q skipped", r.name)
			}
			continue
		}
		if r.conds == nil {
			err = f.AddRule(nr, r.act.value())
		} else {
			err = f.AddRuleConditional(nr, r.act.value(), r.conds)
		}
		if err != nil {
			return nil, fmt.Errorf("seccomp profile: syscalls[%d]: adding the rule for %s: %w", r.entry, r.name, err)
		}
	}
	if err := checkSize(f); err != nil {
		return nil, err
	}
	ok = true
	return f, nil
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
		for _, a := range want {
			if present, _ := f.IsArchPresent(a); present {
				continue
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
	set := []struct {
		field string
		on    bool
		set   func(bool) error
	}{
		{"flags: " + string(specs.LinuxSeccompFlagLog), p.flags.log, f.SetLogBit},
		{"flags: " + string(specs.LinuxSeccompFlagSpecAllow), specAllow, f.SetSSB},
		{"flags: " + string(specs.LinuxSeccompFlagWaitKillableRecv), p.flags.waitKill, f.SetWaitKill},
	}
	for _, s := range set {
		if !s.on {
			continue
		}
		if err := s.set(true); err != nil {
			return fmt.Errorf("seccomp profile: %s: %w", s.field, err)
		}
	}
	if err := f.SetNoNewPrivsBit(opts.NoNewPrivs); err != nil {
		return fmt.Errorf("seccomp profile: no_new_privs attribute: %w", err)
	}
	return nil
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
