package oci

import (
	"bytes"
	"fmt"
	"strconv"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// The Kubernetes resource of the Security Profiles Operator that holds a
// seccomp profile.
const (
	SeccompProfileAPIVersion = "security-profiles-operator.x-k8s.io/v1beta1"
	SeccompProfileKind       = "SeccompProfile"
)

// MarshalSeccompProfile returns spec as a Security Profiles Operator
// SeccompProfile resource named name, in YAML as kubectl apply takes it.
// The resource's spec has runtime-spec's fields but no defaultErrnoRet:
// a profile whose default action is ERRNO with another errno than EPERM
// (the errno runc gives ERRNO without one) is refused.
func MarshalSeccompProfile(spec *specs.LinuxSeccomp, name string) ([]byte, error) {
	if err := Validate(spec); err != nil {
		return nil, err
	}
	if spec.DefaultErrnoRet != nil && *spec.DefaultErrnoRet != errnoEPERM {
		return nil, &FieldError{Field: "defaultErrnoRet", Reason: fmt.Sprintf("a SeccompProfile has no defaultErrnoRet, so its ERRNO default is EPERM; %d cannot be written", *spec.DefaultErrnoRet)}
	}
	if !isName(name) {
		return nil, fmt.Errorf("seccomp profile: metadata.name %q: a Kubernetes name is lower-case letters, digits, '-' and '.', at most 253 of them, starting and ending with a letter or digit", name)
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "apiVersion: %s\nkind: %s\nmetadata:\n  name: %q\nspec:\n", SeccompProfileAPIVersion, SeccompProfileKind, name)
	fmt.Fprintf(&b, "  defaultAction: %s\n", spec.DefaultAction)
	list := func(indent, key string, values []string) {
		if len(values) == 0 {
			return
		}
		fmt.Fprintf(&b, "%s%s:\n", indent, key)
		for _, v := range values {
			fmt.Fprintf(&b, "%s- %s\n", indent, v)
		}
	}
	var arches, flags []string
	for _, a := range spec.Architectures {
		arches = append(arches, string(a))
	}
	for _, f := range spec.Flags {
		flags = append(flags, string(f))
	}
	list("  ", "architectures", arches)
	list("  ", "flags", flags)
	if spec.ListenerPath != "" {
		fmt.Fprintf(&b, "  listenerPath: %s\n", strconv.Quote(spec.ListenerPath))
	}
	if spec.ListenerMetadata != "" {
		fmt.Fprintf(&b, "  listenerMetadata: %s\n", strconv.Quote(spec.ListenerMetadata))
	}
	if len(spec.Syscalls) > 0 {
		b.WriteString("  syscalls:\n")
	}
	for _, s := range spec.Syscalls {
		fmt.Fprintf(&b, "  - action: %s\n", s.Action)
		if s.ErrnoRet != nil {
			fmt.Fprintf(&b, "    errnoRet: %d\n", *s.ErrnoRet)
		}
		names := make([]string, len(s.Names))
		for i, n := range s.Names {
			names[i] = strconv.Quote(n)
			if isPlain(n) {
				names[i] = n
			}
		}
		list("    ", "names", names)
		if len(s.Args) > 0 {
			b.WriteString("    args:\n")
		}
		for _, a := range s.Args {
			fmt.Fprintf(&b, "    - index: %d\n      value: %d\n", a.Index, a.Value)
			if a.ValueTwo != 0 {
				fmt.Fprintf(&b, "      valueTwo: %d\n", a.ValueTwo)
			}
			fmt.Fprintf(&b, "      op: %s\n", a.Op)
		}
	}
	return b.Bytes(), nil
}

// isPlain reports whether s can be written as a YAML plain scalar that
// reads back as the same string: a syscall name such as "rt_sigaction".
func isPlain(s string) bool {
	if s == "" || s[0] >= '0' && s[0] <= '9' {
		return false
	}
	switch s {
	case "true", "false", "null", "yes", "no", "on", "off", "y", "n", "True", "False", "Null", "Yes", "No", "On", "Off":
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

// isName reports whether s is a Kubernetes object name (a DNS subdomain).
func isName(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		alnum := c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
		if !alnum && (c != '-' && c != '.' || i == 0 || i == len(s)-1) {
			return false
		}
	}
	return true
}
