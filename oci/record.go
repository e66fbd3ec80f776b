package oci

import (
	"fmt"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	seccomp "github.com/seccomp-go/seccomp"
)

// RecordingFilter builds the filter of [NewFilter] for spec with every
// decision that lets a syscall run (ALLOW, and LOG, which also lets it
// run) replaced by SCMP_ACT_NOTIFY, the default action included. Loaded
// in a process whose notifications a supervisor answers with
// [seccomp.NotifRespFlagContinue], it lets that process do what spec
// allows while the supervisor sees each call it lets through; what spec
// refuses is refused by the kernel, as under spec, without a
// notification. A spec of {"defaultAction": "SCMP_ACT_ALLOW"} records
// every syscall.
//
// Unlike NewFilter it accepts write among the notified syscalls (the
// supervisor is another process) but refuses a spec that has NOTIFY
// decisions of its own, which could not be told from the recorded ones.
// The filter has no runc ENOSYS stub: syscalls newer than spec take the
// recording default, NOTIFY, when spec's default lets them run.
func RecordingFilter(spec *specs.LinuxSeccomp, opts Options) (*seccomp.ScmpFilter, error) {
	if spec == nil {
		return nil, &FieldError{Reason: "no profile"}
	}
	for i, s := range spec.Syscalls {
		if s.Action == specs.ActNotify {
			return nil, &FieldError{Field: fmt.Sprintf("syscalls[%d].action", i), Reason: "a profile to record under cannot have SCMP_ACT_NOTIFY rules of its own: replace them with SCMP_ACT_ALLOW, whose calls are recorded"}
		}
	}
	p, err := newPlan(spec)
	if err != nil {
		return nil, err
	}
	notify := action{act: seccomp.ActNotify}
	lets := func(a action) bool { return a.act == seccomp.ActAllow || a.act == seccomp.ActLog }
	if lets(p.def) {
		p.def = notify
	}
	for i, a := range p.acts {
		if lets(a) {
			p.acts[i] = notify
		}
	}
	rules := p.rules[:0]
	for _, r := range p.rules {
		if p.action(&r) == p.def {
			continue
		}
		rules = append(rules, r)
	}
	p.rules = rules

	return buildPlan(p, len(spec.Syscalls), opts)
}
