package oci

import (
	"encoding/json"
	"fmt"
	"strings"
)

// WarningKind tells what a [Warning] is about.
type WarningKind int

// Kinds of warnings.
const (
	// UnknownKey: a key no profile format defines. encoding/json, and so
	// runc, Docker and Podman, ignore it; usually it is misspelt.
	UnknownKey WarningKind = iota + 1
	// CaseMismatchKey: a key that differs from a known one only in
	// letter case, such as "DefaultAction". encoding/json matches keys
	// without regard to case, so it sets the known field.
	CaseMismatchKey
	// DuplicateKey: a key given twice in one object (or twice in
	// different letter cases). encoding/json keeps the last value.
	DuplicateKey
	// UnknownSyscall: a syscall name libseccomp does not know; runc
	// skips it, and so does [NewFilter].
	UnknownSyscall
	// ShadowedRule: a rule that never applies, because an earlier rule
	// for the same syscall already decides every call it matches.
	ShadowedRule
)

// String names the kind.
func (k WarningKind) String() string {
	switch k {
	case UnknownKey:
		return "unknown key"
	case CaseMismatchKey:
		return "key in another letter case"
	case DuplicateKey:
		return "duplicate key"
	case UnknownSyscall:
		return "unknown syscall"
	case ShadowedRule:
		return "rule never applies"
	}
	return fmt.Sprintf("WarningKind(%d)", int(k))
}

// Warning is something in a profile that runc accepts but that probably
// does not do what its author meant.
type Warning struct {
	Kind WarningKind
	// Field is the path of the key or value in the profile, such as
	// "syscalls[3].names[0]"; keys that are not known are quoted.
	Field string
	// Line is the 1-based line of the key in the profile, or 0 when
	// it is not known.
	Line int
	// Reason says what happens and what to do.
	Reason string
}

// String returns "FIELD: REASON" or "FIELD (line N): REASON".
func (w Warning) String() string {
	if w.Line > 0 {
		return fmt.Sprintf("%s (line %d): %s", w.Field, w.Line, w.Reason)
	}
	return w.Field + ": " + w.Reason
}

// schema lists the keys of one kind of object and the kinds of their
// values that are objects, or arrays of objects.
type schema struct {
	keys []string
	// objects gives the schema of the object value of some keys, arrays
	// that of the elements of the array value of others.
	objects, arrays []keySchema
	// open objects may have keys that no format defines (the rest of a
	// config.json).
	open bool
}

// A keySchema is the schema of the value of one key, or of its elements.
type keySchema struct {
	key    string
	schema *schema
}

// schemaOf returns the schema that list gives key, or nil.
func schemaOf(list []keySchema, key string) *schema {
	for _, e := range list {
		if e.key == key {
			return e.schema
		}
	}
	return nil
}

var (
	argSchema      = &schema{keys: []string{"index", "value", "valueTwo", "op"}}
	selectorSchema = &schema{keys: []string{"caps", "arches", "minKernel"}}
	archMapSchema  = &schema{keys: []string{"architecture", "subArchitectures"}}
	syscallSchema  = &schema{
		keys:    []string{"name", "names", "action", "args", "comment", "includes", "excludes", "errnoRet", "errno"},
		objects: []keySchema{{"includes", selectorSchema}, {"excludes", selectorSchema}},
		arrays:  []keySchema{{"args", argSchema}},
	}
	profileSchema = &schema{
		keys:   []string{"defaultAction", "defaultErrnoRet", "defaultErrno", "architectures", "archMap", "flags", "listenerPath", "listenerMetadata", "syscalls"},
		arrays: []keySchema{{"archMap", archMapSchema}, {"syscalls", syscallSchema}},
	}
	configSchema = &schema{
		keys:    []string{"linux"},
		objects: []keySchema{{"linux", &schema{keys: []string{"seccomp"}, objects: []keySchema{{"seccomp", profileSchema}}, open: true}}},
		open:    true,
	}
)

// lookup returns the known key that key sets: itself, or one that
// differs only in letter case, as encoding/json matches them.
func (s *schema) lookup(key string) (string, bool) {
	for _, k := range s.keys {
		if k == key {
			return k, true
		}
	}
	for _, k := range s.keys {
		if strings.EqualFold(k, key) {
			return k, true
		}
	}
	return "", false
}

// Lint reports the keys of a profile that encoding/json, and so runc,
// Docker and Podman, read other than they are written: keys no format
// defines, which are ignored ([UnknownKey]); keys that differ from a
// known key only in letter case, which set that key ([CaseMismatchKey]);
// and keys given twice in one object, of which the last wins
// ([DuplicateKey]). data is a profile or a config.json, as [Parse] takes
// it; in a config.json, only linux.seccomp is checked. The error is that
// of [ParseProfile] for data that is not a profile.
//
// Lint takes time and memory proportional to the length of data.
func Lint(data []byte) ([]Warning, error) {
	if len(data) > MaxProfileSize {
		return nil, ErrProfileTooLarge
	}
	if !json.Valid(data) {
		// The linter walks valid JSON only.
		_, _, err := decodeSeccomp(data)
		return nil, err
	}
	_, config, err := findSeccomp(data)
	if err != nil {
		return nil, err
	}
	l := &linter{data: data, line: 1}
	l.space()
	root := profileSchema
	if config {
		root = configSchema
	}
	l.object("", root)
	return l.warnings, nil
}

// linter walks valid JSON once, keeping track of the line.
type linter struct {
	data     []byte
	pos      int
	line     int
	warnings []Warning
}

func (l *linter) warn(kind WarningKind, field string, line int, format string, args ...any) {
	l.warnings = append(l.warnings, Warning{Kind: kind, Field: field, Line: line, Reason: fmt.Sprintf(format, args...)})
}

// space skips white space, counting lines.
func (l *linter) space() {
	for l.pos < len(l.data) {
		switch l.data[l.pos] {
		case '\n':
			l.line++
		case ' ', '\t', '\r':
		default:
			return
		}
		l.pos++
	}
}

// str reads the string at l.pos.
func (l *linter) str() string {
	start := l.pos
	escaped := false
	l.pos++
	for l.pos < len(l.data) {
		c := l.data[l.pos]
		l.pos++
		if c == '\\' {
			escaped = true
			l.pos++
		} else if c == '"' {
			break
		}
	}
	raw := l.data[start:min(l.pos, len(l.data))]
	if !escaped {
		return string(raw[1 : len(raw)-1])
	}
	var s string
	_ = json.Unmarshal(raw, &s)
	return s
}

// skip skips the value at l.pos.
func (l *linter) skip() {
	if l.pos >= len(l.data) {
		return
	}
	switch l.data[l.pos] {
	case '"':
		l.str()
	case '{', '[':
		depth := 0
		for l.pos < len(l.data) {
			switch l.data[l.pos] {
			case '"':
				l.str()
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
			case '\n':
				l.line++
			}
			l.pos++
			if depth == 0 {
				return
			}
		}
	default:
		for l.pos < len(l.data) && !strings.ContainsRune(",}] \t\r\n", rune(l.data[l.pos])) {
			l.pos++
		}
	}
}

// value reads the value at l.pos, an object of kind obj or an array of
// objects of kind elems when it is one.
func (l *linter) value(path string, obj, elems *schema) {
	switch {
	case obj != nil && l.pos < len(l.data) && l.data[l.pos] == '{':
		l.object(path, obj)
	case elems != nil && l.pos < len(l.data) && l.data[l.pos] == '[':
		l.pos++
		for i := 0; ; i++ {
			l.space()
			if l.pos >= len(l.data) || l.data[l.pos] == ']' {
				l.pos++
				return
			}
			l.value(fmt.Sprintf("%s[%d]", path, i), elems, nil)
			l.space()
			if l.pos < len(l.data) && l.data[l.pos] == ',' {
				l.pos++
			}
		}
	default:
		l.skip()
	}
}

// object reads the object at l.pos, of kind s.
func (l *linter) object(path string, s *schema) {
	if l.pos >= len(l.data) || l.data[l.pos] != '{' {
		l.skip()
		return
	}
	l.pos++
	type seenKey struct {
		key  string
		line int
	}
	var seen map[string]seenKey
	for {
		l.space()
		if l.pos >= len(l.data) || l.data[l.pos] == '}' {
			l.pos++
			return
		}
		line := l.line
		key := l.str()
		l.space()
		l.pos++ // ':'
		l.space()
		field := key
		if path != "" {
			field = path + "." + key
		}
		known, ok := s.lookup(key)
		switch {
		case !ok && !s.open:
			quoted := fmt.Sprintf("%q", key)
			if path != "" {
				quoted = path + "." + quoted
			}
			reason := "no profile format has this key, so it is ignored (runc ignores it too)"
			if near := nearest(key, s.keys); near != "" {
				reason += fmt.Sprintf("; did you mean %q?", near)
			} else {
				reason += "; remove it"
			}
			l.warn(UnknownKey, quoted, line, "%s", reason)
			l.skip()
		case !ok:
			l.skip()
		default:
			if known != key {
				l.warn(CaseMismatchKey, field, line, "differs from %q only in letter case; encoding/json, and so runc, reads it as %s: write %q", known, known, known)
			}
			if prev, dup := seen[known]; dup {
				l.warn(DuplicateKey, field, line, "%s is given again (first as %q on line %d); only the last value counts: remove one", known, prev.key, prev.line)
			}
			if seen == nil {
				seen = map[string]seenKey{}
			}
			seen[known] = seenKey{key, line}
			l.value(field, schemaOf(s.objects, known), schemaOf(s.arrays, known))
		}
		l.space()
		if l.pos < len(l.data) && l.data[l.pos] == ',' {
			l.pos++
		}
	}
}

// nearest returns the name of names closest to s when it is close
// enough to be a likely misspelling, or "".
func nearest(s string, names []string) string {
	best, bestDist := "", 3
	if len(s) <= 4 {
		bestDist = 2
	}
	for _, n := range names {
		if d := editDistance(strings.ToLower(s), strings.ToLower(n)); d < bestDist {
			best, bestDist = n, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance of a and b, with a
// transposition of neighbours counted as one edit.
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 64
	}
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}
