package seccomp_test

import (
	"fmt"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	seccomp "github.com/seccomp-go/seccomp"
	"github.com/seccomp-go/seccomp/oci"
)

// dockerCaps is the capability set Docker gives a container by default.
var dockerCaps = []string{
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD",
	"CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
	"CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
}

// benchOps maps runtime-spec operators to libseccomp-golang's.
var benchOps = map[specs.LinuxSeccompOperator]seccomp.ScmpCompareOp{
	specs.OpNotEqual:     seccomp.CompareNotEqual,
	specs.OpLessThan:     seccomp.CompareLess,
	specs.OpLessEqual:    seccomp.CompareLessOrEqual,
	specs.OpEqualTo:      seccomp.CompareEqual,
	specs.OpGreaterEqual: seccomp.CompareGreaterEqual,
	specs.OpGreaterThan:  seccomp.CompareGreater,
	specs.OpMaskedEqual:  seccomp.CompareMaskedEqual,
}

// benchAction turns a runtime-spec action into a libseccomp-golang one,
// for the actions Docker's default profile uses.
func benchAction(a specs.LinuxSeccompAction, errno *uint) (seccomp.ScmpAction, error) {
	switch a {
	case specs.ActAllow:
		return seccomp.ActAllow, nil
	case specs.ActErrno:
		ret := uint(1)
		if errno != nil {
			ret = *errno
		}
		return seccomp.ActErrno.SetReturnCode(int16(ret)), nil
	}
	return seccomp.ActInvalid, fmt.Errorf("action %s not handled by the benchmark", a)
}

// benchRule is one AddRule call as runc makes it.
type benchRule struct {
	name  string
	act   seccomp.ScmpAction
	conds []seccomp.ScmpCondition
}

// benchProfile is Docker's default profile resolved for x86_64, a 6.8
// kernel and Docker's default capabilities, both as a runtime-spec
// section and as the API calls runc makes for it.
type benchProfile struct {
	spec   *specs.LinuxSeccomp
	opts   oci.Options
	def    seccomp.ScmpAction
	arches []seccomp.ScmpArch
	rules  []benchRule
}

func dockerBenchProfile(b *testing.B, threeArches bool) *benchProfile {
	b.Helper()
	opts := oci.Options{
		Arches:        []seccomp.ScmpArch{seccomp.ArchAMD64},
		Caps:          dockerCaps,
		KernelVersion: "6.8",
	}
	spec, _, err := oci.Parse(oci.DefaultProfile, opts)
	if err != nil {
		b.Fatal(err)
	}
	if !threeArches {
		spec.Architectures = nil
	}
	p := &benchProfile{spec: spec, opts: opts}
	p.def, err = benchAction(spec.DefaultAction, spec.DefaultErrnoRet)
	if err != nil {
		b.Fatal(err)
	}
	for _, sa := range spec.Architectures {
		switch sa {
		case specs.ArchX86_64:
		case specs.ArchX86:
			p.arches = append(p.arches, seccomp.ArchX86)
		case specs.ArchX32:
			p.arches = append(p.arches, seccomp.ArchX32)
		default:
			b.Fatalf("architecture %s not handled by the benchmark", sa)
		}
	}
	if threeArches && len(p.arches) != 2 {
		b.Fatalf("Docker's profile on x86_64 covers %v", spec.Architectures)
	}
	for _, sc := range spec.Syscalls {
		act, err := benchAction(sc.Action, sc.ErrnoRet)
		if err != nil {
			b.Fatal(err)
		}
		if act == p.def {
			continue
		}
		var conds []seccomp.ScmpCondition
		seen := map[uint]bool{}
		split := false
		for _, a := range sc.Args {
			op, ok := benchOps[a.Op]
			if !ok {
				b.Fatalf("operator %s", a.Op)
			}
			split = split || seen[a.Index]
			seen[a.Index] = true
			conds = append(conds, seccomp.ScmpCondition{Argument: a.Index, Op: op, Operand1: a.Value, Operand2: a.ValueTwo})
		}
		for _, name := range sc.Names {
			if split {
				// runc ORs comparisons of one argument: a rule each
				for _, c := range conds {
					p.rules = append(p.rules, benchRule{name, act, []seccomp.ScmpCondition{c}})
				}
				continue
			}
			p.rules = append(p.rules, benchRule{name, act, conds})
		}
	}
	return p
}

// buildAPI makes the calls runc makes for the profile, through the
// libseccomp-golang API, and exports the program.
func (p *benchProfile) buildAPI() ([]byte, error) {
	f, err := seccomp.NewFilter(p.def)
	if err != nil {
		return nil, err
	}
	defer f.Release()
	for _, a := range p.arches {
		if err := f.AddArch(a); err != nil {
			return nil, err
		}
	}
	if err := f.SetOptimize(2); err != nil {
		return nil, err
	}
	for _, r := range p.rules {
		nr, err := seccomp.GetSyscallFromName(r.name)
		if err != nil {
			continue // newer than the tables, as runc skips it
		}
		if r.conds == nil {
			err = f.AddRule(nr, r.act)
		} else {
			err = f.AddRuleConditional(nr, r.act, r.conds)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", r.name, err)
		}
	}
	return f.ExportBPFMem()
}

// buildOCI builds the filter with oci.NewFilter and exports the program.
func (p *benchProfile) buildOCI() ([]byte, error) {
	f, err := oci.NewFilter(p.spec, p.opts)
	if err != nil {
		return nil, err
	}
	defer f.Release()
	return f.ExportBPFMem()
}

// BenchmarkBuildDocker measures the whole build path for Docker's default
// profile on x86_64 alone and on x86_64+x86+x32: creating the filter,
// adding the architectures and every rule, and exporting the BPF program,
// through oci.NewFilter and through the API calls runc makes.
func BenchmarkBuildDocker(b *testing.B) {
	for _, tc := range []struct {
		name  string
		three bool
	}{{"x86_64", false}, {"x86_64+x86+x32", true}} {
		b.Run(tc.name, func(b *testing.B) {
			p := dockerBenchProfile(b, tc.three)
			want, err := p.buildAPI()
			if err != nil {
				b.Fatal(err)
			}
			if got, err := p.buildOCI(); err != nil || string(got) != string(want) {
				b.Fatalf("oci.NewFilter's program differs from the API calls' (%v)", err)
			}
			for _, m := range []struct {
				name  string
				build func() ([]byte, error)
			}{{"oci", p.buildOCI}, {"api", p.buildAPI}} {
				b.Run(m.name, func(b *testing.B) {
					b.ReportAllocs()
					for range b.N {
						if _, err := m.build(); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		})
	}
}
