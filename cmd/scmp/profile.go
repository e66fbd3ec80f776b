package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/seccomp-go/seccomp"
	"github.com/seccomp-go/seccomp/arch"
	"github.com/seccomp-go/seccomp/oci"
)

// builtinProfile names Docker's default profile, built into scmp, where a
// profile file is expected and no file of that name exists.
const builtinProfile = "docker-default"

// target is one architecture, as both the seccomp API and package arch
// know it.
type target struct {
	scmp seccomp.ScmpArch
	abi  *arch.Arch
}

// parseArch accepts libseccomp's names ("x86_64", "aarch64"), Go's and
// libseccomp-golang's ("amd64", "arm64", "386", "loong64") and
// runtime-spec's ("SCMP_ARCH_X86_64").
func parseArch(name string) (target, error) {
	s := strings.ToLower(strings.TrimSpace(name))
	s = strings.TrimPrefix(s, "scmp_arch_")
	switch s {
	case "386", "i386", "i686":
		s = "x86"
	case "mipsle":
		s = "mipsel"
	case "mips64le":
		s = "mipsel64"
	}
	sa, err := seccomp.GetArchFromString(s)
	if err != nil {
		return target{}, fmt.Errorf("unknown architecture %q (want a name such as x86_64, x86, x32, aarch64, arm, riscv64, s390x, ppc64le)", name)
	}
	for _, a := range arch.All() {
		if g, err := seccomp.GetArchFromString(a.Name); err == nil && g == sa {
			return target{scmp: sa, abi: a}, nil
		}
	}
	return target{}, fmt.Errorf("unknown architecture %q", name)
}

// parseArchFlag parses an optional --arch value: nil when it is empty.
func parseArchFlag(name string) (*target, error) {
	if name == "" {
		return nil, nil
	}
	t, err := parseArch(name)
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// parseArchList parses a comma-separated --arch value.
func parseArchList(list string) ([]target, error) {
	var out []target
	for _, name := range strings.Split(list, ",") {
		if strings.TrimSpace(name) == "" {
			continue
		}
		t, err := parseArch(name)
		if err != nil {
			return nil, err
		}
		for _, o := range out {
			if o.scmp == t.scmp {
				return nil, fmt.Errorf("architecture %s given twice", t.abi.Name)
			}
		}
		out = append(out, t)
	}
	if len(out) == 0 {
		return nil, errors.New("--arch needs at least one architecture name")
	}
	return out, nil
}

// nativeTarget returns the architecture of this machine.
func nativeTarget() (target, error) {
	a := arch.Native()
	if a == nil {
		return target{}, errors.New("this machine's architecture has no seccomp support; name one with --arch")
	}
	return parseArch(a.Name)
}

// readInput reads a named file, or standard input for "-".
func readInput(e *env, name string) ([]byte, error) {
	if name == "-" {
		return io.ReadAll(e.stdin)
	}
	return os.ReadFile(name)
}

// readProfile reads a profile file, "-" for standard input, or the
// built-in profile.
func readProfile(e *env, name string) ([]byte, error) {
	b, err := readInput(e, name)
	if errors.Is(err, os.ErrNotExist) && name == builtinProfile {
		return oci.DefaultProfile, nil
	}
	if err != nil {
		return nil, err
	}
	return b, nil
}

// isJSON reports whether b looks like a JSON document rather than raw BPF.
func isJSON(b []byte) bool {
	t := bytes.TrimLeft(b, " \t\r\n")
	return len(t) > 0 && t[0] == '{'
}

// profileOptions are the resolution settings a command takes from flags.
type profileOptions struct {
	caps       string // comma-separated, "" or "host" = this process's, "none" = no capabilities, "docker" = Docker's default set
	kernel     string
	noNewPrivs bool
	enosys     string // --enosys-after
	warn       func(string)
}

// enosysAfterFlag defines the --enosys-after flag.
func enosysAfterFlag(fs *flag.FlagSet, v *string) {
	fs.Func("enosys-after", "fail with ENOSYS the syscalls that Linux `VERSION` (such as 5.4) did not have and\nthe profile does not name; the others take the profile's decision", func(s string) error {
		if _, err := arch.ParseKernelVersion(s); err != nil {
			return err
		}
		*v = s
		return nil
	})
}

// inspectFlags defines the --caps, --kernel and --enosys-after flags of the commands that
// compile a profile to look at it, which resolve it for this process's
// capabilities by default, and returns their options, which warn on e.
func inspectFlags(e *env, fs *flag.FlagSet) *profileOptions {
	po := &profileOptions{warn: func(m string) { e.warnf("%s", m) }}
	fs.StringVar(&po.caps, "caps", "", "resolve Docker/Podman entries for the capability `LIST` (comma-separated, or none)\ninstead of this process's bounding set")
	fs.StringVar(&po.kernel, "kernel", "", "resolve Docker/Podman minKernel for kernel `VERSION` instead of the running one")
	enosysAfterFlag(fs, &po.enosys)
	return po
}

func (p profileOptions) oci(arches []target) oci.Options {
	o := oci.Options{KernelVersion: p.kernel, NoNewPrivs: p.noNewPrivs, ENOSYSAfter: p.enosys, Warn: p.warn}
	for _, t := range arches {
		o.Arches = append(o.Arches, t.scmp)
	}
	switch strings.TrimSpace(p.caps) {
	case "", "host":
	case "docker":
		o.Caps = oci.DockerDefaultCapabilities()
	case "none":
		o.Caps = []string{}
	default:
		for _, c := range strings.Split(p.caps, ",") {
			if c = strings.TrimSpace(c); c != "" {
				o.Caps = append(o.Caps, c)
			}
		}
	}
	return o
}

// compileProfile builds the filter for a profile. With exact set, the
// filter covers exactly arches, or when arches is empty exactly the
// profile's architectures (the native one when it lists none); this is
// what "scmp compile" produces. Otherwise it is what a runtime on
// arches[0] would load: arches[0] plus the profile's architectures.
// It returns the filter, its architectures and the resolved profile.
func compileProfile(data []byte, arches []target, exact bool, po profileOptions) (*seccomp.ScmpFilter, []target, *specs.LinuxSeccomp, error) {
	opts := po.oci(arches)
	spec, _, err := oci.Parse(data, opts)
	if err != nil {
		return nil, nil, nil, err
	}
	switch {
	case exact && len(arches) > 0:
		spec.Architectures = nil
	case exact:
		for _, name := range spec.Architectures {
			t, err := parseArch(string(name))
			if err != nil {
				return nil, nil, nil, fmt.Errorf("profile architectures: %w", err)
			}
			arches = appendTarget(arches, t)
		}
		if len(arches) == 0 {
			t, err := nativeTarget()
			if err != nil {
				return nil, nil, nil, err
			}
			arches = []target{t}
		}
		opts = po.oci(arches)
	default:
		for _, name := range spec.Architectures {
			if t, err := parseArch(string(name)); err == nil {
				arches = appendTarget(arches, t)
			}
		}
	}
	f, err := oci.NewFilter(spec, opts)
	if err != nil {
		return nil, nil, nil, err
	}
	return f, arches, spec, nil
}

func appendTarget(list []target, t target) []target {
	for _, o := range list {
		if o.scmp == t.scmp {
			return list
		}
	}
	return append(list, t)
}

// archNames joins the libseccomp names of arches.
func archNames(arches []target) string {
	names := make([]string, len(arches))
	for i, t := range arches {
		names[i] = t.abi.Name
	}
	return strings.Join(names, ",")
}
