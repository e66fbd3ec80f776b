package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/seccomp-go/seccomp"
	"github.com/seccomp-go/seccomp/arch"
	"github.com/seccomp-go/seccomp/bpf"
	"github.com/seccomp-go/seccomp/oci"
)

// builtinProfile names Docker's default profile, built into scmp,
// wherever a profile file is expected. The name always means the built-in
// profile, whatever files the working directory has: a file of that name
// is given as a path, such as ./docker-default.
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
		if len(out) > 0 && t.abi.BigEndian != out[0].abi.BigEndian {
			return nil, fmt.Errorf("%s and %s have different byte orders, and one filter covers architectures of one byte order; compile one filter for each", out[0].abi.Name, t.abi.Name)
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

// Input size limits. Input past them is refused before it is held in
// memory.
const (
	// maxProfileSize is the largest profile read: oci.MaxProfileSize
	// (4 MiB; Docker's default profile is 25 KB).
	maxProfileSize = oci.MaxProfileSize
	// maxFilterSize is the largest raw BPF filter read: the kernel's
	// limit of 4096 instructions of 8 bytes.
	maxFilterSize = bpf.MaxInstructions * bpf.InstructionSize
)

// readInput reads a named file, or standard input for "-", refusing
// input longer than limit bytes; what names the kind of input for the
// message ("profile", "BPF filter").
func readInput(e *env, name string, limit int64, what string) ([]byte, error) {
	r := e.stdin
	label := "standard input"
	var b []byte
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		label = name
		if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
			if fi.Size() > limit {
				return nil, tooLarge(label, what, limit)
			}
			// One read of the known size, and one more to see the
			// end, rather than a buffer grown and copied as it fills.
			b = make([]byte, 0, fi.Size()+1)
		}
		r = f
	}
	b, err := readAll(b, io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", label, err)
	}
	if int64(len(b)) > limit {
		return nil, tooLarge(label, what, limit)
	}
	return b, nil
}

// readAll appends what r holds to b, as io.ReadAll does, growing b only
// when it is full.
func readAll(b []byte, r io.Reader) ([]byte, error) {
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
}

// tooLarge is the error for input past its limit.
func tooLarge(label, what string, limit int64) error {
	return fmt.Errorf("%s is larger than %s, the limit for a %s; is it the right file?", label, sizeString(limit), what)
}

// sizeString writes a byte count the way the limits are documented.
func sizeString(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// readProfile reads a profile file, "-" for standard input, or the
// built-in profile.
func readProfile(e *env, name string) ([]byte, error) {
	if name == builtinProfile {
		if _, err := os.Lstat(name); err == nil {
			e.warnf("%s is the built-in profile; for the file of that name in this directory, give ./%s", name, name)
		}
		return oci.DefaultProfile, nil
	}
	return seccompProfileSpec(readInput(e, name, maxProfileSize, "profile"))
}

// isJSON reports whether b looks like a JSON document rather than raw BPF.
func isJSON(b []byte) bool {
	t := bytes.TrimLeft(b, " \t\r\n")
	return len(t) > 0 && t[0] == '{'
}

// profileOptions are the resolution settings a command takes from flags.
type profileOptions struct {
	caps       string // --caps, see parseCaps
	kernel     string
	noNewPrivs bool
	strict     bool         // warnings about the profile are errors
	enosys     string       // --enosys-after
	verbose    bool         // also report unknown syscall names
	stderr     func(string) // prints a warning
	frequency  string       // --frequency, a file of syscall counts
}

// Help texts of the flags that several commands share.
const (
	capsUsage = "resolve Docker/Podman entries for the capability `LIST`: comma-separated capability\n" +
		"names (CAP_SYS_ADMIN, or sys_admin) and sets: docker (Docker's default container\n" +
		"capabilities), host (this process's bounding set), all, none"
	kernelUsage = "resolve Docker/Podman minKernel for kernel `VERSION` instead of the running one"
	strictUsage = "refuse the profile, instead of warning, for unknown keys, keys in another letter case\n" +
		"or given twice, and rules that never apply"
)

// defaultCaps is the capability set Docker and Podman profiles are
// resolved for unless --caps says otherwise, in every command.
const defaultCaps = "docker"

// profileFlags defines the --caps, --kernel, --strict, --enosys-after and
// --frequency flags of the commands that compile a profile, and returns
// their options, which warn on e.
func profileFlags(e *env, fs *flag.FlagSet) *profileOptions {
	po := &profileOptions{verbose: true, stderr: func(m string) { e.warnf("%s", m) }}
	fs.StringVar(&po.caps, "caps", defaultCaps, capsUsage)
	fs.StringVar(&po.kernel, "kernel", "", kernelUsage)
	fs.BoolVar(&po.strict, "strict", false, strictUsage)
	enosysAfterFlag(fs, &po.enosys)
	fs.StringVar(&po.frequency, "frequency", "", frequencyUsage)
	return po
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

// capSet returns the set of capabilities a name --caps takes for one
// stands for, in lower case.
func capSet(name string) (func() ([]string, error), bool) {
	switch name {
	case "docker":
		return func() ([]string, error) { return oci.DockerDefaultCapabilities(), nil }, true
	case "host":
		return oci.BoundingCapabilities, true
	case "all":
		return func() ([]string, error) { return oci.AllCapabilities(), nil }, true
	case "none":
		return func() ([]string, error) { return nil, nil }, true
	}
	return nil, false
}

// parseCaps reads a --caps value: capability names and set names,
// comma-separated, whose union it returns (never nil).
func parseCaps(list string) ([]string, error) {
	out := []string{}
	seen := map[string]bool{}
	add := func(c string) {
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	entries := strings.Split(list, ",")
	for _, entry := range entries {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			return nil, fmt.Errorf("empty entry in %q; give capability names or sets (docker, host, all, none) separated by commas", list)
		}
		if set, ok := capSet(strings.ToLower(entry)); ok {
			if strings.ToLower(entry) == "none" && len(entries) > 1 {
				return nil, errors.New("none cannot be combined with other entries")
			}
			caps, err := set()
			if err != nil {
				return nil, fmt.Errorf("%s: %v", entry, err)
			}
			for _, c := range caps {
				add(c)
			}
			continue
		}
		name, ok := oci.Capability(entry)
		if !ok {
			msg := fmt.Sprintf("unknown capability %q", entry)
			if near := oci.NearestCapability(entry); near != "" {
				msg += fmt.Sprintf(" (did you mean %s?)", near)
			} else {
				msg += " (want a name such as CAP_SYS_ADMIN, or a set: docker, host, all, none)"
			}
			return nil, errors.New(msg)
		}
		add(name)
	}
	return out, nil
}

// check validates the flags, before any input is read.
func (p *profileOptions) check() error {
	if _, err := parseCaps(p.caps); err != nil {
		return fmt.Errorf("--caps: %v", err)
	}
	return nil
}

// maxShownWarnings bounds the unknown syscall names reported one by one.
const maxShownWarnings = 20

// options returns the oci options for arches, and a function that
// returns the error --strict makes of the warnings seen so far.
func (p *profileOptions) options(arches []target) (oci.Options, func() error, error) {
	caps, err := parseCaps(p.caps)
	if err != nil {
		return oci.Options{}, nil, fmt.Errorf("--caps: %v", err)
	}
	o := oci.Options{KernelVersion: p.kernel, NoNewPrivs: p.noNewPrivs, ENOSYSAfter: p.enosys, Caps: caps}
	for _, t := range arches {
		o.Arches = append(o.Arches, t.scmp)
	}
	var bad []oci.Warning
	unknown := 0
	o.OnWarning = func(w oci.Warning) {
		if w.Kind == oci.UnknownSyscall {
			unknown++
			if p.verbose && unknown <= maxShownWarnings && p.stderr != nil {
				p.stderr(w.String())
			}
			return
		}
		bad = append(bad, w)
		if !p.strict && p.stderr != nil {
			p.stderr(w.String())
		}
	}
	done := func() error {
		if p.verbose && unknown > maxShownWarnings && p.stderr != nil {
			p.stderr(fmt.Sprintf("%d more unknown syscall names skipped", unknown-maxShownWarnings))
			unknown = 0
		}
		if !p.strict || len(bad) == 0 {
			return nil
		}
		var b strings.Builder
		for _, w := range bad {
			fmt.Fprintf(&b, "\n\t%s", w)
		}
		return fmt.Errorf("--strict: the profile has %d %s:%s", len(bad), plural(len(bad), "problem"), b.String())
	}
	return o, done, nil
}

// compileProfile builds the filter for a profile. With exact set, the
// filter covers exactly arches, or when arches is empty exactly the
// profile's architectures (the native one when it lists none); this is
// what "scmp compile" produces. Otherwise it is what a runtime on
// arches[0] would load: arches[0] plus the profile's architectures.
// It returns the filter, its architectures and the resolved profile.
func compileProfile(data []byte, arches []target, exact bool, po profileOptions) (*seccomp.ScmpFilter, []target, *specs.LinuxSeccomp, error) {
	opts, strictErr, err := po.options(arches)
	if err != nil {
		return nil, nil, nil, err
	}
	resolved := opts
	resolved.Arches = slices.Clone(opts.Arches)
	spec, _, err := oci.Parse(data, opts)
	if err == nil {
		err = strictErr()
	}
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
			if len(arches) > 0 && t.abi.BigEndian != arches[0].abi.BigEndian {
				return nil, nil, nil, fmt.Errorf("the profile's architectures mix byte orders (%s and %s); one filter covers architectures of one byte order: choose them with --arch", arches[0].abi.Name, t.abi.Name)
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
		opts.Arches = opts.Arches[:0]
		for _, t := range arches {
			opts.Arches = append(opts.Arches, t.scmp)
		}
	default:
		for _, name := range spec.Architectures {
			if t, err := parseArch(string(name)); err == nil {
				arches = appendTarget(arches, t)
			}
		}
	}
	if report := opts.OnWarning; report != nil {
		renumber := fileEntries(data, resolved)
		opts.OnWarning = func(w oci.Warning) { report(renumber(w)) }
	}
	f, err := oci.NewFilter(spec, opts)
	if err == nil {
		if err = strictErr(); err != nil {
			f.Release()
		}
	}
	if err == nil && po.frequency != "" {
		if err = applyFrequency(f, po.frequency, arches[0].abi); err != nil {
			f.Release()
		}
	}
	if err != nil {
		return nil, nil, nil, err
	}
	return f, arches, spec, nil
}

// renumberEntries rewrites each "syscalls[N]" in s as renumber(N)
// gives it, and reports whether s has any.
func renumberEntries(s string, renumber func(int) int) (string, bool) {
	const prefix = "syscalls["
	var b strings.Builder
	found, last := false, 0
	for i := 0; ; {
		j := strings.Index(s[i:], prefix)
		if j < 0 {
			break
		}
		start := i + j + len(prefix)
		end := start
		for end < len(s) && s[end] >= '0' && s[end] <= '9' {
			end++
		}
		i = start
		if end == start || end == len(s) || s[end] != ']' {
			continue
		}
		n, err := strconv.Atoi(s[start:end])
		if err != nil {
			continue
		}
		found = true
		if m := renumber(n); m != n {
			b.WriteString(s[last:start])
			b.WriteString(strconv.Itoa(m))
			last = end
		}
		i = end
	}
	if !found {
		return s, false
	}
	b.WriteString(s[last:])
	return b.String(), true
}

// fileEntries returns a function that renumbers the syscalls[N] a
// warning of oci.NewFilter names, which count the entries of the resolved
// profile, as the entries of data they came from: in a Docker or Podman
// profile, includes and excludes may have left earlier entries out. The
// entries' origins are worked out at the first warning that needs them.
func fileEntries(data []byte, opts oci.Options) func(oci.Warning) oci.Warning {
	var fileIndex map[int]int
	return func(w oci.Warning) oci.Warning {
		if _, ok := renumberEntries(w.Field+w.Reason, func(n int) int { return n }); !ok {
			return w
		}
		if fileIndex == nil {
			fileIndex = map[int]int{}
			if p, _, err := oci.ParseProfile(data); err == nil {
				if origins, err := p.Origins(opts); err == nil {
					for _, o := range origins {
						if o.Resolved >= 0 {
							fileIndex[o.Resolved] = o.Index
						}
					}
				}
			}
		}
		fix := func(s string) string {
			s, _ = renumberEntries(s, func(n int) int {
				if i, ok := fileIndex[n]; ok {
					return i
				}
				return n
			})
			return s
		}
		w.Field, w.Reason = fix(w.Field), fix(w.Reason)
		return w
	}
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

// plural returns word, with an s unless n is 1.
func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
