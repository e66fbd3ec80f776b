package oci

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Format is the dialect a profile is written in.
type Format int

// Profile formats recognised by [Parse].
const (
	// FormatOCI is runtime-spec's LinuxSeccomp, as runc reads it, either
	// alone or as linux.seccomp inside a whole config.json.
	FormatOCI Format = iota + 1
	// FormatDocker is moby/profiles' format: an archMap and syscall
	// entries that apply only to some architectures, capability sets or
	// kernels.
	FormatDocker
	// FormatPodman is containers/common's format: Docker's, plus errno
	// values given by name (defaultErrno, errno).
	FormatPodman
)

// String returns "oci", "docker" or "podman".
func (f Format) String() string {
	switch f {
	case FormatOCI:
		return "oci"
	case FormatDocker:
		return "docker"
	case FormatPodman:
		return "podman"
	}
	return fmt.Sprintf("Format(%d)", int(f))
}

// Profile is a seccomp profile in any of the three formats. It is a
// superset of [specs.LinuxSeccomp]: the fields Docker and Podman add are
// empty in an OCI profile. [Profile.Resolve] turns it into the
// LinuxSeccomp a runtime would load.
type Profile struct {
	DefaultAction   specs.LinuxSeccompAction `json:"defaultAction"`
	DefaultErrnoRet *uint                    `json:"defaultErrnoRet,omitempty"`
	// DefaultErrno is Podman's name for DefaultErrnoRet's value, such
	// as "ENOSYS".
	DefaultErrno  string       `json:"defaultErrno,omitempty"`
	Architectures []specs.Arch `json:"architectures,omitempty"`
	// ArchMap lists, per main architecture, the architectures a filter
	// made on it also covers (Docker and Podman).
	ArchMap          []ArchMap                `json:"archMap,omitempty"`
	Flags            []specs.LinuxSeccompFlag `json:"flags,omitempty"`
	ListenerPath     string                   `json:"listenerPath,omitempty"`
	ListenerMetadata string                   `json:"listenerMetadata,omitempty"`
	Syscalls         []Syscall                `json:"syscalls,omitempty"`
}

// ArchMap is one entry of a Docker or Podman archMap.
type ArchMap struct {
	Arch      specs.Arch   `json:"architecture"`
	SubArches []specs.Arch `json:"subArchitectures"`
}

// Syscall is one syscall entry of a profile.
type Syscall struct {
	// Name is Docker's older single-name form of Names.
	Name     string                   `json:"name,omitempty"`
	Names    []string                 `json:"names,omitempty"`
	Action   specs.LinuxSeccompAction `json:"action"`
	Args     []specs.LinuxSeccompArg  `json:"args,omitempty"`
	Comment  string                   `json:"comment,omitempty"`
	Includes *Selector                `json:"includes,omitempty"`
	Excludes *Selector                `json:"excludes,omitempty"`
	ErrnoRet *uint                    `json:"errnoRet,omitempty"`
	// Errno is Podman's name for ErrnoRet's value, such as "EPERM".
	Errno string `json:"errno,omitempty"`
}

// Selector says when a Docker or Podman syscall entry applies. In
// Includes every given criterion must hold; in Excludes any one that
// holds drops the entry.
type Selector struct {
	// Caps are capability names such as "CAP_SYS_ADMIN": Includes needs
	// all of them, Excludes any one, in the capability set.
	Caps []string `json:"caps,omitempty"`
	// Arches are architecture names as libseccomp-golang's
	// ScmpArch.String returns them ("amd64", "x86", "arm64", "s390x",
	// ...); the Go names "386", "mipsle", "mips64le" and "loong64" are
	// accepted too.
	Arches []string `json:"arches,omitempty"`
	// MinKernel is a kernel version "major.minor": the running (or
	// chosen) kernel is at least that.
	MinKernel string `json:"minKernel,omitempty"`
}

// MaxProfileSize is the largest profile, in bytes, that [ParseProfile]
// and [Parse] accept: 4 MiB. Docker's default profile is about 25 KB; a
// profile near the limit already compiles to more BPF than the kernel
// loads. Read files through [ReadProfile], or an [io.LimitReader], so
// that longer input is refused before it is held in memory.
const MaxProfileSize = 4 << 20

// ErrProfileTooLarge is returned (wrapped) for a profile longer than
// [MaxProfileSize].
var ErrProfileTooLarge = errors.New("seccomp profile: larger than 4 MiB, the limit for a profile")

// ReadProfile reads a profile from r, up to [MaxProfileSize] bytes: longer
// input gives an error wrapping [ErrProfileTooLarge] once the limit is
// passed, without reading further.
func ReadProfile(r io.Reader) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxProfileSize+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxProfileSize {
		return nil, ErrProfileTooLarge
	}
	return b, nil
}

// ParseProfile decodes a profile and reports which format it is in. The
// format is OCI unless the profile uses a field only Docker or Podman
// have (archMap, name, includes, excludes, comment; defaultErrno, errno).
// A whole runtime-spec config.json is accepted too: its linux.seccomp is
// read. Data longer than [MaxProfileSize] is refused. Every entry is
// checked, whether or not it applies on this machine, and errors name the
// field at fault.
func ParseProfile(data []byte) (*Profile, Format, error) {
	return parseProfile(data, nil)
}

// parseProfile is ParseProfile. Profiles that need encoding/json's
// leniency (see decodeClean) are decoded by encoding/json, after a call
// of lint, when it is not nil: a misspelt key may explain an error.
func parseProfile(data []byte, lint func()) (*Profile, Format, error) {
	if len(data) > MaxProfileSize {
		return nil, 0, ErrProfileTooLarge
	}
	p := new(Profile)
	if !decodeClean(data, p) {
		if lint != nil {
			lint()
		}
		*p = Profile{}
		section, err := seccompSection(data)
		if err != nil {
			return nil, 0, err
		}
		if err := json.Unmarshal(section, p); err != nil {
			return nil, 0, jsonError(section, err)
		}
	}
	f := p.format()
	if err := p.check(); err != nil {
		return nil, 0, err
	}
	return p, f, nil
}

// Parse decodes a profile in any of the three formats and resolves it
// for opts (see [Profile.Resolve]). The result is what runc would load;
// pass it to [NewFilter]. Keys that no format defines are ignored, as
// runc and Docker ignore them; they, and keys in another letter case or
// given twice, are reported to opts.Warn and opts.OnWarning (see
// [Lint]).
func Parse(data []byte, opts Options) (*specs.LinuxSeccomp, Format, error) {
	var lint func()
	if opts.warnings() {
		// A profile decodeClean takes has nothing for Lint to report.
		lint = func() {
			ws, _ := Lint(data)
			for _, w := range ws {
				opts.warn(w)
			}
		}
	}
	p, f, err := parseProfile(data, lint)
	if err != nil {
		return nil, 0, err
	}
	spec, err := p.Resolve(opts)
	if err != nil {
		return nil, 0, err
	}
	return spec, f, nil
}

// seccompSection returns the seccomp object of data: data itself, or
// linux.seccomp of a runtime-spec config.json.
func seccompSection(data []byte) ([]byte, error) {
	section, _, err := findSeccomp(data)
	return section, err
}

// findSeccomp is seccompSection, and also reports whether data is a
// config.json.
func findSeccomp(data []byte) (section []byte, config bool, err error) {
	if isProfileObject(data) {
		return data, false, nil
	}
	return decodeSeccomp(data)
}

// decodeSeccomp is findSeccomp, decoding data to find the section.
func decodeSeccomp(data []byte) (section []byte, config bool, err error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, false, jsonError(data, err)
	}
	if _, ok := top["linux"]; !ok || top["defaultAction"] != nil {
		return data, false, nil
	}
	var cfg struct {
		Linux *struct {
			Seccomp json.RawMessage `json:"seccomp"`
		} `json:"linux"`
	}
	if err := json.Unmarshal(data, &cfg); err != nil {
		return nil, true, jsonError(data, err)
	}
	if cfg.Linux == nil || len(cfg.Linux.Seccomp) == 0 || string(cfg.Linux.Seccomp) == "null" {
		return nil, true, &FieldError{Field: "linux.seccomp", Reason: "the config has no seccomp profile"}
	}
	return cfg.Linux.Seccomp, true, nil
}

// isProfileObject tells, without decoding it, whether data is a JSON object
// that findSeccomp takes for a profile: one that has a key defaultAction,
// or no key linux. It only looks at the top-level keys, and does not check
// that data is valid JSON: for invalid data it may answer either way, and
// the decoding of the profile reports the syntax error that findSeccomp
// would. When it cannot tell (a key with escapes, data that is not an
// object), it returns false, and findSeccomp decodes the data.
func isProfileObject(data []byte) bool {
	linux, action := false, false
	ok := scanTopKeys(data, func(key []byte) bool {
		switch string(key) {
		case "defaultAction":
			action = true
			return false
		case "linux":
			linux = true
		}
		return true
	})
	return ok && (action || !linux)
}

// scanTopKeys calls visit with each key of the JSON object that data
// holds, in order, until visit returns false, without decoding the values
// or checking that data is valid JSON. It returns true when it reached the
// end of the object or visit returned false, and false, having perhaps
// called visit for some keys, when data is not an object, a key has
// escapes, or data ends or is malformed where the scan looks.
func scanTopKeys(data []byte, visit func(key []byte) bool) bool {
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return false
	}
	for i++; ; {
		i = skipSpace(data, i)
		if i >= len(data) {
			return false
		}
		if data[i] == '}' {
			return true
		}
		end, ok := stringEnd(data, i)
		if !ok {
			return false
		}
		key := data[i+1 : end-1]
		if bytes.IndexByte(key, '\\') >= 0 {
			return false
		}
		if !visit(key) {
			return true
		}
		i = skipSpace(data, end)
		if i >= len(data) || data[i] != ':' {
			return false
		}
		if i, ok = valueEnd(data, skipSpace(data, i+1)); !ok {
			return false
		}
		i = skipSpace(data, i)
		if i < len(data) && data[i] == ',' {
			i++
		}
	}
}

// skipSpace returns the index of the first byte of data from i on that is
// not JSON white space.
func skipSpace(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r') {
		i++
	}
	return i
}

// stringEnd returns the index just past the JSON string that starts at
// data[i], a quote.
func stringEnd(data []byte, i int) (int, bool) {
	if i >= len(data) || data[i] != '"' {
		return 0, false
	}
	for i++; i < len(data); i++ {
		switch data[i] {
		case '\\':
			i++
		case '"':
			return i + 1, true
		}
	}
	return 0, false
}

// valueEnd returns the index just past the JSON value that starts at
// data[i], counting brackets and skipping strings.
func valueEnd(data []byte, i int) (int, bool) {
	depth := 0
	for i < len(data) {
		switch data[i] {
		case '"':
			end, ok := stringEnd(data, i)
			if !ok {
				return 0, false
			}
			i = end
			if depth == 0 {
				return i, true
			}
			continue
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				return i, true
			}
			depth--
			if depth == 0 {
				return i + 1, true
			}
		case ',', ' ', '\t', '\n', '\r':
			if depth == 0 {
				return i, true
			}
		}
		i++
	}
	return i, depth == 0
}

// jsonError turns a decoding error into a FieldError that says where the
// problem is.
func jsonError(data []byte, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		line, col := position(data, syn.Offset)
		return &FieldError{Reason: fmt.Sprintf("malformed JSON at line %d, column %d: %v", line, col, syn)}
	case errors.As(err, &typ):
		line, col := position(data, typ.Offset)
		if typ.Field == "" {
			return &FieldError{Reason: fmt.Sprintf("a profile is a JSON object, not a JSON %s (line %d, column %d)", typ.Value, line, col)}
		}
		return &FieldError{Field: typ.Field, Reason: fmt.Sprintf("JSON %s cannot be stored in a %v (line %d, column %d)", typ.Value, typ.Type, line, col)}
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return &FieldError{Reason: "malformed JSON: unexpected end of input"}
	}
	return &FieldError{Reason: "malformed JSON: " + err.Error()}
}

// position converts a byte offset of data into a 1-based line and column.
func position(data []byte, off int64) (line, col int) {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	line, col = 1, 1
	for _, c := range data[:off] {
		if c == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return line, col
}

// format decides the dialect from the fields in use.
func (p *Profile) format() Format {
	podman := p.DefaultErrno != ""
	docker := len(p.ArchMap) > 0
	for _, s := range p.Syscalls {
		if s.Errno != "" {
			podman = true
		}
		if s.Name != "" || s.Comment != "" || s.Includes != nil || s.Excludes != nil {
			docker = true
		}
	}
	switch {
	case podman:
		return FormatPodman
	case docker:
		return FormatDocker
	}
	return FormatOCI
}

// check validates every field that does not depend on the machine, with
// the profile's own indexes in error messages.
func (p *Profile) check() error {
	if len(p.Architectures) > 0 && len(p.ArchMap) > 0 {
		return &FieldError{Field: "archMap", Reason: "both architectures and archMap are given; use one of them"}
	}
	// The field names are only made for an error.
	for i, m := range p.ArchMap {
		if _, ok := archBySpec(m.Arch); !ok {
			return unknownArch(fmt.Sprintf("archMap[%d].architecture", i), m.Arch)
		}
		for j, a := range m.SubArches {
			if _, ok := archBySpec(a); !ok {
				return unknownArch(fmt.Sprintf("archMap[%d].subArchitectures[%d]", i, j), a)
			}
		}
	}
	if p.DefaultErrno != "" {
		if _, err := errnoByName(p.DefaultErrno, nil); err != nil {
			return &FieldError{Field: "defaultErrno", Reason: err.Error()}
		}
	}
	for i := range p.Syscalls {
		s := &p.Syscalls[i]
		if s.Name != "" && len(s.Names) > 0 {
			return &FieldError{Field: syscallField(i), Reason: "both name and names are given; use one of them"}
		}
		if s.Name == "" && len(s.Names) == 0 {
			return &FieldError{Field: syscallField(i) + ".names", Reason: "no syscall names"}
		}
		if s.Errno != "" {
			if _, err := errnoByName(s.Errno, nil); err != nil {
				return &FieldError{Field: syscallField(i) + ".errno", Reason: err.Error()}
			}
		}
		if err := checkMinKernel(i, "includes", s.Includes); err != nil {
			return err
		}
		if err := checkMinKernel(i, "excludes", s.Excludes); err != nil {
			return err
		}
		if err := checkEntry(i, s.Action, s.ErrnoRet, s.Args); err != nil {
			return err
		}
	}
	spec := specs.LinuxSeccomp{
		DefaultAction:    p.DefaultAction,
		DefaultErrnoRet:  p.DefaultErrnoRet,
		Architectures:    p.Architectures,
		Flags:            p.Flags,
		ListenerPath:     p.ListenerPath,
		ListenerMetadata: p.ListenerMetadata,
	}
	var top plan
	return checkTop(&spec, &top)
}
