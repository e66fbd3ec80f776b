package difftest

import (
	"fmt"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	ours "github.com/seccomp-go/seccomp"
	"github.com/seccomp-go/seccomp/oci"
)

// AllCaps are the Linux capabilities up to CAP_CHECKPOINT_RESTORE.
var AllCaps = oci.AllCapabilities()

// DockerCaps is the capability set Docker gives a container by default.
var DockerCaps = oci.DockerDefaultCapabilities()

// ProfileKernel is the kernel version profiles are resolved for.
const ProfileKernel = "6.8"

// Profile describes a Docker or Podman profile resolved for one
// architecture and capability set.
type Profile struct {
	Name string
	Data []byte
	Arch string // libseccomp name of the target architecture
	Caps []string
}

// TranslatedProfile is a profile turned into a rule set, with the syscall
// names dropped because libseccomp 2.5.4 does not know them.
type TranslatedProfile struct {
	RuleSet *RuleSet
	Dropped []string
	// Spec is the profile as the oci package resolved it.
	Spec *specs.LinuxSeccomp
	// Options are the options it was resolved with.
	Options oci.Options
}

// Translate resolves p with the oci package (archMap, includes and
// excludes, for a 6.x kernel) and turns the result into the API calls runc
// makes: one rule per syscall name and entry, skipping rules whose action
// is the default; conditions in one rule unless two compare the same
// argument, in which case one rule per condition. Names libseccomp 2.5.4
// cannot resolve are dropped (runc skips them as well); all of them must
// be syscalls that are newer than 2.5.4's table.
func Translate(p Profile) (*TranslatedProfile, error) {
	a, err := ours.GetArchFromString(p.Arch)
	if err != nil {
		return nil, err
	}
	opts := oci.Options{Arches: []ours.ScmpArch{a}, Caps: p.Caps, KernelVersion: ProfileKernel}
	spec, _, err := oci.Parse(p.Data, opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p.Name, err)
	}
	errnoDefault := uint(1)
	def, err := specAction(spec.DefaultAction, spec.DefaultErrnoRet, errnoDefault)
	if err != nil {
		return nil, err
	}
	rs := &RuleSet{Name: p.Name, Default: def, Arches: []string{p.Arch}}
	for _, sa := range spec.Architectures {
		n := strings.ToLower(strings.TrimPrefix(string(sa), "SCMP_ARCH_"))
		if n == "x86_64" || n == "amd64" {
			n = "x86_64"
		}
		if n != p.Arch {
			rs.Arches = append(rs.Arches, n)
		}
	}
	tp := &TranslatedProfile{RuleSet: rs, Spec: spec, Options: opts}
	for _, sc := range spec.Syscalls {
		act, err := specAction(sc.Action, sc.ErrnoRet, errnoDefault)
		if err != nil {
			return nil, err
		}
		if act == def {
			continue
		}
		var conds []Cond
		count := map[uint]int{}
		split := false // two conditions compare one argument
		for _, x := range sc.Args {
			op, ok := specOps[x.Op]
			if !ok {
				return nil, fmt.Errorf("%s: unknown operator %q", p.Name, x.Op)
			}
			conds = append(conds, Cond{Arg: x.Index, Op: op, A: x.Value, B: x.ValueTwo})
			count[x.Index]++
			split = split || count[x.Index] > 1
		}
		for _, name := range sc.Names {
			if _, err := LibResolve(name); err != nil {
				if !newSyscalls[name] {
					return nil, fmt.Errorf("%s: libseccomp 2.5.4 does not know %q, which is not a syscall newer than its table", p.Name, name)
				}
				tp.Dropped = append(tp.Dropped, name)
				continue
			}
			switch {
			case len(conds) == 0:
				rs.Calls = append(rs.Calls, Call{Kind: CallAddRule, Name: name, Action: act})
			case split:
				for _, c := range conds {
					rs.Calls = append(rs.Calls, Call{Kind: CallAddRuleConditional, Name: name, Action: act, Conds: []Cond{c}})
				}
			default:
				rs.Calls = append(rs.Calls, Call{Kind: CallAddRuleConditional, Name: name, Action: act, Conds: conds})
			}
		}
	}
	return tp, nil
}

var specOps = map[specs.LinuxSeccompOperator]uint{
	specs.OpNotEqual: 1, specs.OpLessThan: 2, specs.OpLessEqual: 3, specs.OpEqualTo: 4,
	specs.OpGreaterEqual: 5, specs.OpGreaterThan: 6, specs.OpMaskedEqual: 7,
}

func specAction(a specs.LinuxSeccompAction, ret *uint, errnoDefault uint) (Action, error) {
	switch a {
	case specs.ActKill, specs.ActKillThread:
		return Action{Kind: ActKillThread}, nil
	case specs.ActKillProcess:
		return Action{Kind: ActKillProcess}, nil
	case specs.ActTrap:
		return Action{Kind: ActTrap}, nil
	case specs.ActAllow:
		return Action{Kind: ActAllow}, nil
	case specs.ActLog:
		return Action{Kind: ActLog}, nil
	case specs.ActNotify:
		return Action{Kind: ActNotify}, nil
	case specs.ActErrno, specs.ActTrace:
		v := errnoDefault
		if ret != nil {
			v = *ret
		}
		k := ActErrno
		if a == specs.ActTrace {
			k = ActTrace
		}
		return Action{Kind: k, Data: int16(v)}, nil
	}
	return Action{}, fmt.Errorf("unknown action %q", a)
}
