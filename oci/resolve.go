package oci

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	seccomp "github.com/seccomp-go/seccomp"
)

// Options tune how a profile is resolved and compiled. The zero value
// does what runc (and, for their formats, Docker and Podman) would do on
// this machine.
type Options struct {
	// Arches, when not empty, stand in for the native architecture: the
	// filter covers them plus the profile's own architectures, as runc's
	// covers the native one plus the profile's. Arches[0] is also the
	// architecture a Docker or Podman profile is resolved for: it picks
	// the archMap entry and decides includes/excludes by arch.
	Arches []seccomp.ScmpArch

	// Caps is the capability set Docker and Podman entries are resolved
	// against, as names such as "CAP_SYS_ADMIN" (the "CAP_" prefix and
	// case are optional). nil means the bounding set of this process
	// (CapBnd in /proc/self/status); an empty, non-nil slice means no
	// capabilities. A name Linux does not define is an error.
	Caps []string

	// KernelVersion is the kernel that minKernel is compared with, such
	// as "5.15" or "6.1.0-18-amd64". Empty means the running kernel.
	KernelVersion string

	// NoNewPrivs sets the filter's no_new_privs attribute. runc leaves it
	// off and sets no_new_privs itself when the container asks for it;
	// a caller without CAP_SYS_ADMIN must have one or the other set, or
	// the kernel refuses the filter.
	NoNewPrivs bool

	// ENOSYSAfter, when set to a kernel release such as "5.4" or
	// "2.6.32", makes the filter answer ENOSYS for each syscall that
	// release did not have, on each architecture of the filter, unless
	// the profile names it; every syscall the release had takes the
	// profile's decision. [ProgramFor] and [LoadFor] with these options
	// replace runc's ENOSYS stub with one for numbers above the syscall
	// tables. See [NewFilter].
	ENOSYSAfter string

	// Warn, if set, receives the text ([Warning.String]) of each
	// warning: keys read other than written ([Lint]), syscall names
	// libseccomp does not know, which runc skips as well, and rules
	// that never apply.
	Warn func(msg string)

	// OnWarning, if set, receives each warning Warn receives, as a
	// [Warning].
	OnWarning func(Warning)
}

// warnings reports whether anyone receives warnings.
func (o *Options) warnings() bool { return o.Warn != nil || o.OnWarning != nil }

// warn passes w on to OnWarning and Warn.
func (o *Options) warn(w Warning) {
	if o.OnWarning != nil {
		o.OnWarning(w)
	}
	if o.Warn != nil {
		o.Warn(w.String())
	}
}

// target returns the architecture a Docker or Podman profile is resolved
// for: Arches[0], or the native one.
func (o *Options) target() (seccomp.ScmpArch, error) {
	arches, err := o.arches()
	if err != nil {
		return seccomp.ArchInvalid, err
	}
	if len(arches) > 0 {
		return arches[0], nil
	}
	return nativeArch()
}

// nativeArch returns the architecture this program runs on.
func nativeArch() (seccomp.ScmpArch, error) {
	a, err := seccomp.GetNativeArch()
	if err != nil {
		return seccomp.ArchInvalid, fmt.Errorf("seccomp profile: %w; set Options.Arches", err)
	}
	return a, nil
}

// arches returns o.Arches with ArchNative replaced by the native
// architecture, and refuses values that name no architecture.
func (o *Options) arches() ([]seccomp.ScmpArch, error) {
	out := make([]seccomp.ScmpArch, 0, len(o.Arches))
	for i, a := range o.Arches {
		if a == seccomp.ArchNative {
			n, err := nativeArch()
			if err != nil {
				return nil, err
			}
			a = n
		}
		if !isArch(a) {
			return nil, fmt.Errorf("seccomp profile: Options.Arches[%d]: %d is not an architecture", i, uint(a))
		}
		out = append(out, a)
	}
	return out, nil
}

// isArch reports whether a names one architecture (not ArchNative).
func isArch(a seccomp.ScmpArch) bool { return a >= seccomp.ArchX86 && a <= seccomp.ArchSHEB }

// archAlias returns the name, besides ScmpArch.String's, that an
// includes/excludes arches list may use for an architecture: Go's where
// it differs, and libseccomp's loongarch64; "" if there is none.
func archAlias(a seccomp.ScmpArch) string {
	switch a {
	case seccomp.ArchX86:
		return "386"
	case seccomp.ArchMIPSEL:
		return "mipsle"
	case seccomp.ArchMIPSEL64:
		return "mips64le"
	case seccomp.ArchLOONGARCH64:
		return "loongarch64"
	}
	return ""
}

// archIn reports whether list names a.
func archIn(list []string, a seccomp.ScmpArch) bool {
	if slices.Contains(list, a.String()) {
		return true
	}
	if alias := archAlias(a); alias != "" {
		return slices.Contains(list, alias)
	}
	return false
}

// specArch returns runtime-spec's name of a.
func specArch(a seccomp.ScmpArch) (specs.Arch, bool) {
	if !isArch(a) {
		return "", false
	}
	return specArches[a-seccomp.ArchX86], true
}

// Resolve returns the LinuxSeccomp that Docker (or Podman) would hand to
// the runtime for this profile, given the target architecture, the
// capability set and the kernel version of opts:
//
//   - the archMap entry of the target architecture gives the
//     architectures;
//   - an entry with includes applies only if the target is one of its
//     arches, every one of its caps is in the set and the kernel is at
//     least its minKernel;
//   - an entry with excludes is dropped if the target is one of its
//     arches, any one of its caps is in the set, or the kernel is at
//     least its minKernel;
//   - name becomes names, and errno names become errnoRet values.
//
// An OCI profile comes back unchanged.
func (p *Profile) Resolve(opts Options) (*specs.LinuxSeccomp, error) {
	if err := p.check(); err != nil {
		return nil, err
	}
	target, err := opts.target()
	if err != nil {
		return nil, err
	}
	out := &specs.LinuxSeccomp{
		DefaultAction:    p.DefaultAction,
		DefaultErrnoRet:  p.DefaultErrnoRet,
		Architectures:    slices.Clone(p.Architectures),
		Flags:            slices.Clone(p.Flags),
		ListenerPath:     p.ListenerPath,
		ListenerMetadata: p.ListenerMetadata,
	}
	if p.DefaultErrno != "" {
		v, err := errnoField("defaultErrno", "defaultErrnoRet", p.DefaultErrno, p.DefaultErrnoRet, target)
		if err != nil {
			return nil, err
		}
		out.DefaultErrnoRet = v
	}
	if name, ok := specArch(target); ok {
		for _, m := range p.ArchMap {
			if m.Arch == name {
				arches := make([]specs.Arch, 0, len(out.Architectures)+1+len(m.SubArches))
				arches = append(arches, out.Architectures...)
				arches = append(arches, m.Arch)
				out.Architectures = append(arches, m.SubArches...)
				break
			}
		}
	}

	var (
		caps     uint64 // read when haveCaps is set
		haveCaps bool
	)
	if opts.Caps != nil {
		// checked even when no entry needs them
		if caps, err = opts.capMask(); err != nil {
			return nil, err
		}
		haveCaps = true
	}
	var kernel *kernelVersion
	// holds evaluates sel for the target: with all, whether every
	// criterion it gives holds (includes); without, whether any one does
	// (excludes). Either way the first test that comes out !all decides.
	// Arches, caps and minKernel are tested in that order, so that the
	// capability set and the kernel version are read only when an entry
	// needs them.
	holds := func(sel *Selector, all bool) (bool, error) {
		if len(sel.Arches) > 0 && archIn(sel.Arches, target) != all {
			return !all, nil
		}
		if len(sel.Caps) > 0 {
			if !haveCaps {
				c, err := opts.capMask()
				if err != nil {
					return false, err
				}
				caps, haveCaps = c, true
			}
			for _, c := range sel.Caps {
				if hasCap(caps, c) != all {
					return !all, nil
				}
			}
		}
		if sel.MinKernel != "" {
			if kernel == nil {
				k, err := opts.kernel()
				if err != nil {
					return false, err
				}
				kernel = &k
			}
			min, _ := parseMinKernel(sel.MinKernel)
			if !kernel.less(min) != all {
				return !all, nil
			}
		}
		return all, nil
	}

	// The names and args of the entries that apply are copied into one
	// array of each, made for all entries; each entry's slices end
	// within them.
	names, args := 0, 0
	for i := range p.Syscalls {
		names += max(len(p.Syscalls[i].Names), 1)
		args += len(p.Syscalls[i].Args)
	}
	nameArray := make([]string, 0, names)
	argArray := make([]specs.LinuxSeccompArg, 0, args)
	if len(p.Syscalls) > 0 {
		out.Syscalls = make([]specs.LinuxSyscall, 0, len(p.Syscalls))
	}
	for i := range p.Syscalls {
		s := &p.Syscalls[i]
		if s.Excludes != nil {
			drop, err := holds(s.Excludes, false)
			if err != nil {
				return nil, err
			}
			if drop {
				continue
			}
		}
		if s.Includes != nil {
			keep, err := holds(s.Includes, true)
			if err != nil {
				return nil, err
			}
			if !keep {
				continue
			}
		}
		call := specs.LinuxSyscall{
			Action:   s.Action,
			ErrnoRet: s.ErrnoRet,
		}
		switch {
		case s.Name != "":
			call.Names, nameArray = appendCopy(nameArray, []string{s.Name})
		case s.Names != nil:
			call.Names, nameArray = appendCopy(nameArray, s.Names)
		}
		if s.Args != nil {
			call.Args, argArray = appendCopy(argArray, s.Args)
		}
		if s.Errno != "" {
			field := syscallField(i)
			v, err := errnoField(field+".errno", field+".errnoRet", s.Errno, s.ErrnoRet, target)
			if err != nil {
				return nil, err
			}
			call.ErrnoRet = v
		}
		out.Syscalls = append(out.Syscalls, call)
	}
	if len(out.Syscalls) == 0 {
		// as when no entry is appended
		out.Syscalls = nil
	}
	return out, nil
}

// appendCopy appends src to array, which has room for it, and returns
// the copy, a slice of array that ends where src does, and the longer
// array. An empty src gives an empty, non-nil copy, as [slices.Clone]
// does.
func appendCopy[T any](array, src []T) (copied, longer []T) {
	start := len(array)
	array = append(array, src...)
	return array[start:len(array):len(array)], array
}

// errnoField resolves a Podman errno name, checking it against the
// numeric value if both are given.
func errnoField(field, retField, name string, ret *uint, target seccomp.ScmpArch) (*uint, error) {
	v, err := errnoByName(name, &target)
	if err != nil {
		return nil, &FieldError{Field: field, Reason: err.Error()}
	}
	// Profiles give the number in the generic (x86, arm, …) numbering;
	// the name is what holds on MIPS and PA-RISC, whose numbers differ.
	if generic, err := errnoByName(name, nil); err == nil && ret != nil && *ret != generic {
		return nil, &FieldError{Field: retField, Reason: fmt.Sprintf("%d disagrees with %s %s (%d)", *ret, field, name, generic)}
	}
	return &v, nil
}

// normalizeCap returns the canonical form "CAP_XXX" of a capability name.
func normalizeCap(c string) string {
	c = strings.ToUpper(strings.TrimSpace(c))
	if !strings.HasPrefix(c, "CAP_") {
		c = "CAP_" + c
	}
	return c
}

// capNames lists the capabilities by number, as linux/capability.h does.
var capNames = []string{
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER",
	"CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP",
	"CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST",
	"CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER",
	"CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE",
	"CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
	"CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD",
	"CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP",
	"CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM",
	"CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF",
	"CAP_CHECKPOINT_RESTORE",
}

// capSet returns the capability set to resolve against.
func (o *Options) capSet() (map[string]bool, error) {
	mask, err := o.capMask()
	if err != nil {
		return nil, err
	}
	return capsFromMask(mask), nil
}

// capMask returns the capability set to resolve against as a bit mask,
// bit i standing for capNames[i].
func (o *Options) capMask() (uint64, error) {
	if o.Caps != nil {
		var mask uint64
		for i, c := range o.Caps {
			n := capNumber(c)
			if n < 0 {
				return 0, fmt.Errorf("seccomp profile: Options.Caps[%d]: unknown capability %q (want a name such as CAP_SYS_ADMIN)", i, c)
			}
			mask |= 1 << n
		}
		return mask, nil
	}
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, fmt.Errorf("seccomp profile: reading the capability bounding set (set Options.Caps instead): %w", err)
	}
	return boundingSet(status)
}

// capNumber returns the number of a capability given as [Capability]
// takes it, or -1 if Linux does not define it.
func capNumber(name string) int { return slices.Index(capNames, normalizeCap(name)) }

// hasCap reports whether mask, made by capMask, has the capability name,
// given as [Capability] takes it.
func hasCap(mask uint64, name string) bool {
	n := capNumber(name)
	return n >= 0 && mask&(1<<n) != 0
}

// boundingSet extracts CapBnd from the text of /proc/PID/status.
func boundingSet(status []byte) (uint64, error) {
	sc := bufio.NewScanner(bytes.NewReader(status))
	for sc.Scan() {
		v, ok := strings.CutPrefix(sc.Text(), "CapBnd:")
		if !ok {
			continue
		}
		mask, err := strconv.ParseUint(strings.TrimSpace(v), 16, 64)
		if err != nil {
			return 0, fmt.Errorf("seccomp profile: bad CapBnd line in /proc/self/status: %w", err)
		}
		return mask, nil
	}
	return 0, fmt.Errorf("seccomp profile: no CapBnd line in /proc/self/status; set Options.Caps")
}

// capsFromMask names the capabilities of a bit mask.
func capsFromMask(mask uint64) map[string]bool {
	set := map[string]bool{}
	for i, name := range capNames {
		if mask&(1<<i) != 0 {
			set[name] = true
		}
	}
	return set
}

// kernelVersion is a kernel's "major.minor", which is all Docker compares.
type kernelVersion struct{ major, minor int }

func (k kernelVersion) less(o kernelVersion) bool {
	return k.major < o.major || k.major == o.major && k.minor < o.minor
}

// parseKernelVersion reads "major.minor" from the start of a version
// such as "4.8", "5.15.0" or "6.1.0-18-amd64".
func parseKernelVersion(s string) (kernelVersion, error) {
	bad := func() error { return fmt.Errorf("kernel version %q is not of the form major.minor, such as 4.8", s) }
	majorStr, rest, ok := strings.Cut(s, ".")
	if !ok {
		return kernelVersion{}, bad()
	}
	end := 0
	for end < len(rest) && rest[end] >= '0' && rest[end] <= '9' {
		end++
	}
	if end < len(rest) && rest[end] != '.' && rest[end] != '-' && rest[end] != '+' && rest[end] != '_' {
		return kernelVersion{}, bad()
	}
	major, err1 := strconv.Atoi(majorStr)
	minor, err2 := strconv.Atoi(rest[:end])
	if err1 != nil || err2 != nil || major < 0 || minor < 0 {
		return kernelVersion{}, bad()
	}
	return kernelVersion{major, minor}, nil
}

// parseMinKernel reads a minKernel value, which Docker wants to be exactly
// "major.minor" with numbers below 256, and not "0.0".
func parseMinKernel(s string) (kernelVersion, error) {
	bad := func() error { return fmt.Errorf("%q is not a kernel version of the form major.minor, such as 4.8", s) }
	a, b, ok := strings.Cut(s, ".")
	if !ok {
		return kernelVersion{}, bad()
	}
	major, err1 := strconv.ParseUint(a, 10, 8)
	minor, err2 := strconv.ParseUint(b, 10, 8)
	if err1 != nil || err2 != nil || major == 0 && minor == 0 {
		return kernelVersion{}, bad()
	}
	return kernelVersion{int(major), int(minor)}, nil
}

// kernel returns the kernel version to resolve against.
func (o *Options) kernel() (kernelVersion, error) {
	v := o.KernelVersion
	if v == "" {
		b, err := os.ReadFile("/proc/sys/kernel/osrelease")
		if err != nil {
			return kernelVersion{}, fmt.Errorf("seccomp profile: reading the kernel version (set Options.KernelVersion instead): %w", err)
		}
		v = strings.TrimSpace(string(b))
	}
	k, err := parseKernelVersion(v)
	if err != nil {
		return kernelVersion{}, fmt.Errorf("seccomp profile: %w", err)
	}
	return k, nil
}
