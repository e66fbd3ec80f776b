package oci

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

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

// mayHaveKind tells whether the JSON object data holds may have a key that
// decoding matches with a field "kind": one that is "kind" in any letter
// case, one that is not plain ASCII (decoding folds some other letters to
// k), one with escapes, or data it cannot scan. A profile, which has no
// such key, is told from a resource without being decoded.
func mayHaveKind(data []byte) bool {
	kind := false
	ok := scanTopKeys(data, func(key []byte) bool {
		for _, c := range key {
			if c >= utf8.RuneSelf {
				kind = true
				return false
			}
		}
		kind = bytes.EqualFold(key, []byte("kind"))
		return !kind
	})
	return kind || !ok
}

// FromSeccompProfile reads a Security Profiles Operator SeccompProfile
// resource, in JSON or in YAML, and returns its spec as a profile that
// [Parse] reads; ok is false when data is not such a resource. The YAML
// read is the subset kubectl-ready manifests use: block mappings and
// sequences ("key: value", "- item"), plain, 'single' and "double"
// quoted scalars, [flow, sequences] of scalars, comments, and a leading
// "---". Anchors, aliases, tags, block scalars and flow mappings are
// refused with an error that says so; give the resource as JSON instead.
// A spec with baseProfileName (a profile the operator merges in) or
// disabled: true is refused, as its meaning lies outside the resource.
func FromSeccompProfile(data []byte) (profile []byte, ok bool, err error) {
	var doc any
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if len(trimmed) > 0 && trimmed[0] == '{' {
		if !mayHaveKind(trimmed) {
			return nil, false, nil
		}
		var head struct {
			Kind string `json:"kind"`
		}
		if json.Unmarshal(trimmed, &head) != nil || head.Kind != SeccompProfileKind {
			return nil, false, nil
		}
		if err := json.Unmarshal(trimmed, &doc); err != nil {
			return nil, true, fmt.Errorf("SeccompProfile: %w", err)
		}
	} else {
		if !utf8.Valid(data) || !isSeccompProfileYAML(data) {
			return nil, false, nil
		}
		if doc, err = parseYAML(data); err != nil {
			return nil, true, fmt.Errorf("SeccompProfile: %w", err)
		}
	}
	top, _ := doc.(map[string]any)
	if top == nil || top["kind"] != SeccompProfileKind {
		return nil, false, nil
	}
	if v, _ := top["apiVersion"].(string); !strings.HasPrefix(v, "security-profiles-operator.x-k8s.io/") {
		return nil, true, fmt.Errorf("SeccompProfile: apiVersion %q: want %s", v, SeccompProfileAPIVersion)
	}
	spec, _ := top["spec"].(map[string]any)
	if spec == nil {
		return nil, true, errors.New("SeccompProfile: no spec mapping")
	}
	if v, ok := spec["baseProfileName"]; ok && v != "" && v != nil {
		return nil, true, errors.New("SeccompProfile: spec.baseProfileName: the operator merges in a profile this resource does not hold; merge it into spec.syscalls first")
	}
	if v, ok := spec["disabled"]; ok {
		if v == true {
			return nil, true, errors.New("SeccompProfile: spec.disabled is true: the operator does not install this profile")
		}
		delete(spec, "disabled")
	}
	delete(spec, "baseProfileName")
	out, err := json.Marshal(spec)
	if err != nil {
		return nil, true, fmt.Errorf("SeccompProfile: %w", err)
	}
	return out, true, nil
}

// isSeccompProfileYAML reports whether data has a top-level
// "kind: SeccompProfile" line.
func isSeccompProfileYAML(data []byte) bool {
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimRight(line, " \t\r")
		if k, v, ok := strings.Cut(line, ":"); ok && k == "kind" {
			v = strings.Trim(strings.TrimSpace(v), `"'`)
			return v == SeccompProfileKind
		}
	}
	return false
}

// yamlLine is one line of YAML with content: its indentation and text
// without the comment.
type yamlLine struct {
	n      int // line number, from 1
	indent int
	text   string
}

// yamlParser reads the YAML subset of [FromSeccompProfile].
type yamlParser struct {
	lines []yamlLine
	pos   int
}

func parseYAML(data []byte) (any, error) {
	p := &yamlParser{}
	for i, raw := range strings.Split(string(data), "\n") {
		raw = strings.TrimRight(raw, " \t\r")
		text := strings.TrimLeft(raw, " ")
		if strings.HasPrefix(text, "\t") {
			return nil, fmt.Errorf("line %d: a tab in the indentation; YAML indents with spaces", i+1)
		}
		text = stripComment(text)
		if text == "" {
			continue
		}
		if text == "---" && len(p.lines) == 0 {
			continue
		}
		if text == "---" || text == "..." {
			break // the first document only
		}
		p.lines = append(p.lines, yamlLine{n: i + 1, indent: len(raw) - len(strings.TrimLeft(raw, " ")), text: text})
	}
	if len(p.lines) == 0 {
		return nil, errors.New("empty document")
	}
	v, err := p.node(p.lines[0].indent)
	if err == nil && p.pos < len(p.lines) {
		err = fmt.Errorf("line %d: unexpected indentation", p.lines[p.pos].n)
	}
	return v, err
}

// stripComment removes a " #" comment outside quotes.
func stripComment(s string) string {
	quote := byte(0)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == '\\' && quote == '"' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '#' && (i == 0 || s[i-1] == ' '):
			return strings.TrimRight(s[:i], " ")
		}
	}
	return s
}

// node reads the mapping or sequence whose lines are indented by indent.
func (p *yamlParser) node(indent int) (any, error) {
	l := p.lines[p.pos]
	if l.text == "-" || strings.HasPrefix(l.text, "- ") {
		var seq []any
		for p.pos < len(p.lines) && p.lines[p.pos].indent == indent && (p.lines[p.pos].text == "-" || strings.HasPrefix(p.lines[p.pos].text, "- ")) {
			l := p.lines[p.pos]
			rest := strings.TrimLeft(strings.TrimPrefix(l.text, "-"), " ")
			if rest == "" {
				p.pos++
				v, err := p.child(indent, l)
				if err != nil {
					return nil, err
				}
				seq = append(seq, v)
				continue
			}
			if _, _, isMap := cutKey(rest); isMap {
				// "- key: value" opens a mapping indented past the dash.
				in := indent + len(l.text) - len(rest)
				p.lines[p.pos] = yamlLine{n: l.n, indent: in, text: rest}
				v, err := p.node(in)
				if err != nil {
					return nil, err
				}
				seq = append(seq, v)
				continue
			}
			v, err := scalar(l.n, rest)
			if err != nil {
				return nil, err
			}
			seq = append(seq, v)
			p.pos++
		}
		return seq, nil
	}
	m := map[string]any{}
	for p.pos < len(p.lines) && p.lines[p.pos].indent == indent {
		l := p.lines[p.pos]
		key, value, ok := cutKey(l.text)
		if !ok {
			return nil, fmt.Errorf("line %d: %q is neither \"key: value\" nor \"- item\" (only YAML's block style is read; give JSON for more)", l.n, l.text)
		}
		if _, dup := m[key]; dup {
			return nil, fmt.Errorf("line %d: %s given twice", l.n, key)
		}
		p.pos++
		var v any
		var err error
		if value == "" {
			v, err = p.child(indent, l)
		} else {
			v, err = scalar(l.n, value)
		}
		if err != nil {
			return nil, err
		}
		m[key] = v
	}
	if p.pos < len(p.lines) && p.lines[p.pos].indent > indent {
		return nil, fmt.Errorf("line %d: unexpected indentation", p.lines[p.pos].n)
	}
	return m, nil
}

// child reads the value of a key or dash with nothing after it on line l:
// the lines indented past it, or a sequence at the key's own indentation;
// null when there is none.
func (p *yamlParser) child(indent int, l yamlLine) (any, error) {
	if p.pos >= len(p.lines) {
		return nil, nil
	}
	next := p.lines[p.pos]
	isSeq := next.text == "-" || strings.HasPrefix(next.text, "- ")
	if next.indent > indent || next.indent == indent && isSeq && !strings.HasPrefix(l.text, "-") {
		return p.node(next.indent)
	}
	return nil, nil
}

// cutKey splits "key: value" (or "key:"); keys may be quoted.
func cutKey(s string) (key, value string, ok bool) {
	if strings.HasPrefix(s, `"`) || strings.HasPrefix(s, "'") {
		end := strings.IndexByte(s[1:], s[0])
		if end < 0 || !strings.HasPrefix(s[end+2:], ":") {
			return "", "", false
		}
		k, err := scalar(0, s[:end+2])
		ks, _ := k.(string)
		return ks, strings.TrimSpace(s[end+3:]), err == nil
	}
	i := strings.Index(s, ": ")
	if i < 0 {
		if strings.HasSuffix(s, ":") {
			return s[:len(s)-1], "", true
		}
		return "", "", false
	}
	return s[:i], strings.TrimSpace(s[i+2:]), true
}

// scalar reads a scalar or a flow sequence of scalars.
func scalar(n int, s string) (any, error) {
	switch {
	case s == "":
		return nil, fmt.Errorf("line %d: an empty item", n)
	case strings.HasPrefix(s, "["):
		if !strings.HasSuffix(s, "]") {
			return nil, fmt.Errorf("line %d: a flow sequence must end on its line", n)
		}
		inner := strings.TrimSpace(s[1 : len(s)-1])
		list := []any{}
		if inner == "" {
			return list, nil
		}
		for _, item := range strings.Split(inner, ",") {
			v, err := scalar(n, strings.TrimSpace(item))
			if err != nil {
				return nil, err
			}
			list = append(list, v)
		}
		return list, nil
	case strings.HasPrefix(s, `"`):
		v, err := strconv.Unquote(s)
		if err != nil {
			return nil, fmt.Errorf("line %d: bad double-quoted string %s", n, s)
		}
		return v, nil
	case strings.HasPrefix(s, "'"):
		if len(s) < 2 || !strings.HasSuffix(s, "'") {
			return nil, fmt.Errorf("line %d: bad single-quoted string %s", n, s)
		}
		return strings.ReplaceAll(s[1:len(s)-1], "''", "'"), nil
	case strings.ContainsAny(s[:1], "{&*!|>%@`"):
		return nil, fmt.Errorf("line %d: %q: flow mappings, anchors, aliases, tags and block scalars are not read; give the resource as JSON", n, s)
	}
	switch s {
	case "true", "True", "TRUE":
		return true, nil
	case "false", "False", "FALSE":
		return false, nil
	case "null", "Null", "NULL", "~":
		return nil, nil
	}
	if h, ok := strings.CutPrefix(s, "0x"); ok {
		if v, err := strconv.ParseUint(h, 16, 64); err == nil {
			return v, nil
		}
	}
	if v, err := strconv.ParseUint(s, 10, 64); err == nil {
		return v, nil
	}
	if v, err := strconv.ParseInt(s, 10, 64); err == nil {
		return v, nil
	}
	return s, nil
}
