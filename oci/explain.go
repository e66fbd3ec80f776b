package oci

import (
	"fmt"
	"slices"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	seccomp "github.com/seccomp-go/seccomp"
)

// Origin tells what [Profile.Resolve] made of one syscall entry of a
// profile: whether the entry is in the resolved profile, where, and if
// not, which of its includes or excludes criteria left it out.
type Origin struct {
	// Index is the entry's index in the profile's syscalls.
	Index int
	// Resolved is its index in the Syscalls of the resolved profile, or
	// -1 when it was left out.
	Resolved int
	// LeftOut says, when the entry was left out, why: one line for each
	// criterion that left it out, such as "includes.caps:
	// CAP_SYS_ADMIN is not in the capability set".
	LeftOut []string
}

// Origins resolves p for opts as [Profile.Resolve] does and returns the
// origin of each of its syscall entries, in order. An OCI profile has
// no includes or excludes: each entry is at its own index.
func (p *Profile) Origins(opts Options) ([]Origin, error) {
	if _, err := p.Resolve(opts); err != nil {
		return nil, err
	}
	target, err := opts.target()
	if err != nil {
		return nil, err
	}
	// The capability set and the kernel are read once, not in each
	// Resolve below; where reading them fails, no entry needs them.
	if opts.Caps == nil {
		if set, err := opts.capSet(); err == nil {
			opts.Caps = make([]string, 0, len(set))
			for c := range set {
				opts.Caps = append(opts.Caps, c)
			}
		}
	}
	if opts.KernelVersion == "" {
		if k, err := opts.kernel(); err == nil {
			opts.KernelVersion = fmt.Sprintf("%d.%d", k.major, k.minor)
		}
	}
	// Each entry, and each of its criteria, is put alone through
	// Resolve, so that the answer is Resolve's own.
	kept := func(s Syscall) (bool, error) {
		one := *p
		one.Syscalls = []Syscall{s}
		r, err := one.Resolve(opts)
		if err != nil {
			return false, err
		}
		return len(r.Syscalls) == 1, nil
	}
	out := make([]Origin, len(p.Syscalls))
	next := 0
	for i, s := range p.Syscalls {
		out[i] = Origin{Index: i, Resolved: -1}
		ok, err := kept(s)
		if err != nil {
			return nil, err
		}
		if ok {
			out[i].Resolved = next
			next++
			continue
		}
		out[i].LeftOut, err = leftOut(s, target, kept)
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// leftOut lists the criteria of s that leave it out, each tested alone
// with kept.
func leftOut(s Syscall, target seccomp.ScmpArch, kept func(Syscall) (bool, error)) ([]string, error) {
	var why []string
	try := func(inc, exc *Selector, reason string) error {
		t := s
		t.Includes, t.Excludes = inc, exc
		ok, err := kept(t)
		if err == nil && !ok {
			why = append(why, reason)
		}
		return err
	}
	arch := target.String()
	if sel := s.Includes; sel != nil {
		if len(sel.Arches) > 0 {
			if err := try(&Selector{Arches: sel.Arches}, nil, fmt.Sprintf("includes.arches: %s is not one of %s", arch, strings.Join(sel.Arches, ", "))); err != nil {
				return nil, err
			}
		}
		for _, c := range sel.Caps {
			if err := try(&Selector{Caps: []string{c}}, nil, fmt.Sprintf("includes.caps: %s is not in the capability set", c)); err != nil {
				return nil, err
			}
		}
		if sel.MinKernel != "" {
			if err := try(&Selector{MinKernel: sel.MinKernel}, nil, fmt.Sprintf("includes.minKernel: the kernel is older than %s", sel.MinKernel)); err != nil {
				return nil, err
			}
		}
	}
	if sel := s.Excludes; sel != nil {
		if len(sel.Arches) > 0 {
			if err := try(nil, &Selector{Arches: sel.Arches}, fmt.Sprintf("excludes.arches: %s is one of %s", arch, strings.Join(sel.Arches, ", "))); err != nil {
				return nil, err
			}
		}
		for _, c := range sel.Caps {
			if err := try(nil, &Selector{Caps: []string{c}}, fmt.Sprintf("excludes.caps: %s is in the capability set", c)); err != nil {
				return nil, err
			}
		}
		if sel.MinKernel != "" {
			if err := try(nil, &Selector{MinKernel: sel.MinKernel}, fmt.Sprintf("excludes.minKernel: the kernel is %s or newer", sel.MinKernel)); err != nil {
				return nil, err
			}
		}
	}
	return why, nil
}

// Rule is one rule [NewFilter] adds to a filter, and the entry it comes
// from.
type Rule struct {
	// Entry is the index of the entry in the profile's Syscalls, and
	// NameIndex that of Name in the entry's Names.
	Entry, NameIndex int
	// Name is the syscall's name.
	Name string
	// Action is the rule's action, its errno or trace value included.
	Action seccomp.ScmpAction
	// Conditions are the argument comparisons, all of which must hold
	// for the rule to apply; nil for a rule without any.
	Conditions []seccomp.ScmpCondition
}

// Rules returns the default action of the filter [NewFilter] builds for
// spec, and the rules it adds, in the order it adds them, as runc makes
// them: entries whose action is the default action make none, and an
// entry that compares one argument more than once makes one rule for
// each comparison. Names that libseccomp does not know, which NewFilter
// skips, are included. The rules Options.ENOSYSAfter adds are not.
func Rules(spec *specs.LinuxSeccomp) (def seccomp.ScmpAction, rules []Rule, err error) {
	p, err := newPlan(spec)
	if err != nil {
		return 0, nil, err
	}
	rules = make([]Rule, len(p.rules))
	for i := range p.rules {
		r := &p.rules[i]
		rules[i] = Rule{Entry: int(r.entry), NameIndex: int(r.index), Name: p.name(r), Action: p.action(r).value(), Conditions: slices.Clone(p.conditions(r))}
	}
	return p.def.value(), rules, nil
}
