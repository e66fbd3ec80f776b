package oci

import (
	"fmt"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	seccomp "github.com/seccomp-go/seccomp"
	"github.com/seccomp-go/seccomp/arch"
	"github.com/seccomp-go/seccomp/bpf"
)

// ENOSYS by kernel version
//
// runc's ENOSYS stub ([Program]) guesses which syscalls are newer than a
// profile from the highest syscall number the profile names: everything
// numbered above it fails with ENOSYS, everything below takes the
// default action. The guess is wrong both ways: a syscall older than the
// profile but numbered above its last entry gets ENOSYS, and one added
// after the profile was written but numbered below it gets the default
// action (EPERM, or a kill), so that programs do not fall back from it.
//
// Options.ENOSYSAfter replaces the guess with what package arch knows of
// each syscall ([arch.Arch.SyscallSince]): the filter that [NewFilter]
// builds gets an ERRNO(ENOSYS) rule for each syscall that the given
// release did not have on each of the filter's architectures, unless the
// profile names it. Rules go through the seccomp API like the profile's
// own, so the filter is compiled, checked and proved as usual. Syscalls
// the profile names keep their rules, and so their decisions, whatever
// their release; every other syscall the release had takes the default
// action. The socket and IPC calls that an architecture multiplexes
// through socketcall(2) and ipc(2) are left alone there: a rule for them
// would also match the multiplexer, which every release had.
//
// Syscall numbers above an architecture's table belong to no release the
// tables know; [ProgramFor] and [LoadFor] put a stub in front of the
// filter that answers ENOSYS for them, in place of runc's stub.

// enosysAfter parses o.ENOSYSAfter; nil when it is empty.
func (o *Options) enosysAfter() (*arch.KernelVersion, error) {
	if o.ENOSYSAfter == "" {
		return nil, nil
	}
	v, err := arch.ParseKernelVersion(o.ENOSYSAfter)
	if err != nil {
		return nil, fmt.Errorf("seccomp profile: Options.ENOSYSAfter: %w", err)
	}
	return &v, nil
}

// ProgramFor is [Program] for a filter that [NewFilter] built with opts.
// Without opts.ENOSYSAfter it is Program. With it, the stub in front of
// the filter's program makes every syscall numbered above the highest
// one of each architecture's table ([arch.Arch.MaxSyscall]) fail with
// ENOSYS, whatever the default action, instead of keying on the highest
// number the profile names. As with runc's stub, it is there even when
// the default action is ERRNO(ENOSYS): it then changes the decision only
// of numbers the filter would send to its bad-architecture action.
func ProgramFor(f *seccomp.ScmpFilter, spec *specs.LinuxSeccomp, opts Options) (bpf.Program, error) {
	after, err := opts.enosysAfter()
	if err != nil {
		return nil, err
	}
	return stubbedProgram(f, spec, after)
}

// LoadFor is [Load] with the program of [ProgramFor].
func LoadFor(f *seccomp.ScmpFilter, spec *specs.LinuxSeccomp, opts Options) (notifyFd int, err error) {
	after, err := opts.enosysAfter()
	if err != nil {
		return -1, err
	}
	return load(f, spec, after)
}

// tableStub builds the stub of [ProgramFor] with Options.ENOSYSAfter.
func tableStub(spec *specs.LinuxSeccomp, arches []seccomp.ScmpArch) (bpf.Program, error) {
	return stubAbove(spec, arches, func(a seccomp.ScmpArch) uint32 {
		return uint32(abiOf(a).MaxSyscall())
	})
}

// newFilterAfter is [NewFilter] with opts.ENOSYSAfter set.
func newFilterAfter(spec *specs.LinuxSeccomp, opts Options) (*seccomp.ScmpFilter, error) {
	after, err := opts.enosysAfter()
	if err != nil {
		return nil, err
	}
	base := opts
	base.ENOSYSAfter = ""
	f, err := NewFilter(spec, base)
	if err != nil {
		return nil, err
	}
	arches, err := filterArches(f)
	if err != nil {
		f.Release()
		return nil, err
	}
	named := map[string]bool{}
	for _, s := range spec.Syscalls {
		for _, name := range s.Names {
			named[name] = true
		}
	}
	missing := make([][]string, len(arches))
	total := 0
	for i, a := range arches {
		missing[i] = missingSyscalls(abiOf(a), *after, named)
		total += len(missing[i])
	}
	if total == 0 {
		return f, nil
	}
	if len(arches) == 1 {
		if err := addENOSYSRules(f, arches[0], missing[0], *after); err != nil {
			f.Release()
			return nil, err
		}
		return finish(f)
	}
	// The rules differ between architectures, and a rule applies to
	// every architecture of a filter: build one filter per
	// architecture, each with its own rules, and merge them. f becomes
	// the first one.
	var out *seccomp.ScmpFilter
	for i, a := range arches {
		var g *seccomp.ScmpFilter
		if i == 0 {
			g, err = keepArch(f, arches, a)
		} else {
			g, err = archFilter(spec, base, arches, a)
		}
		if err == nil {
			err = addENOSYSRules(g, a, missing[i], *after)
		}
		if err == nil && out != nil {
			if err = out.Merge(g); err != nil {
				err = fmt.Errorf("seccomp profile: merging the filter for %v: %w", a, err)
			}
		}
		if err != nil {
			if g != nil {
				g.Release()
			}
			if out != nil {
				out.Release()
			}
			return nil, err
		}
		if out == nil {
			out = g
		}
	}
	return finish(out)
}

// finish checks the size of f, releasing it if it is too long.
func finish(f *seccomp.ScmpFilter) (*seccomp.ScmpFilter, error) {
	if err := checkSize(f); err != nil {
		f.Release()
		return nil, err
	}
	return f, nil
}

// archFilter builds the profile's filter for a alone, one of arches,
// which the filter for spec and opts covers.
func archFilter(spec *specs.LinuxSeccomp, opts Options, arches []seccomp.ScmpArch, a seccomp.ScmpArch) (*seccomp.ScmpFilter, error) {
	g, err := NewFilter(spec, opts)
	if err != nil {
		return nil, err
	}
	return keepArch(g, arches, a)
}

// keepArch removes from g, which covers arches, every architecture but
// a; it releases g if that fails.
func keepArch(g *seccomp.ScmpFilter, arches []seccomp.ScmpArch, a seccomp.ScmpArch) (*seccomp.ScmpFilter, error) {
	for _, b := range arches {
		if b == a {
			continue
		}
		if err := g.RemoveArch(b); err != nil {
			g.Release()
			return nil, fmt.Errorf("seccomp profile: removing %v from the filter for %v: %w", b, a, err)
		}
	}
	return g, nil
}

// missingSyscalls lists the syscalls of abi that release after did not
// have, leaving out those named and those abi multiplexes.
func missingSyscalls(abi *arch.Arch, after arch.KernelVersion, named map[string]bool) []string {
	var out []string
	for _, name := range arch.SyscallNames() {
		if named[name] {
			continue
		}
		since, ok := abi.SyscallSince(name)
		if !ok || since.Compare(after) <= 0 {
			continue
		}
		if abi.Multiplexes && isMuxCall(name) {
			continue
		}
		out = append(out, name)
	}
	return out
}

// isMuxCall reports whether name is one of the calls socketcall(2) and
// ipc(2) multiplex.
func isMuxCall(name string) bool {
	for _, m := range arch.MuxCalls() {
		if m.Name == name {
			return true
		}
	}
	return false
}

// addENOSYSRules adds an ERRNO(ENOSYS) rule for each of names to f, whose
// architectures are a or share its rules. It adds none when the default
// action is that already.
func addENOSYSRules(f *seccomp.ScmpFilter, a seccomp.ScmpArch, names []string, after arch.KernelVersion) error {
	enosys, err := errnoByName("ENOSYS", &a)
	if err != nil {
		return err
	}
	act := seccomp.ActErrno.SetReturnCode(int16(enosys))
	if def, err := f.GetDefaultAction(); err == nil && def == act {
		return nil
	}
	for _, name := range names {
		nr, err := seccomp.GetSyscallFromName(name)
		if err == nil {
			var back string
			if back, err = nr.GetName(); err == nil && back != name {
				err = fmt.Errorf("its number on this machine stands for %s", back)
			}
		}
		if err == nil {
			err = f.AddRule(nr, act)
		}
		if err != nil {
			return fmt.Errorf("seccomp profile: ENOSYSAfter %v: adding the ENOSYS rule for %s on %v: %w", after, name, a, err)
		}
	}
	return nil
}
