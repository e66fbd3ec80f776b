package oci

import (
	"bytes"
	"math/bits"
	"slices"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// decodeClean decodes data into p when data is a profile that needs
// none of encoding/json's leniency, and reports whether it did. Such a
// profile is a JSON object whose keys are all known, written in their
// own letter case and given once per object, whose strings are printable
// ASCII without escapes, whose numbers are unsigned integers that fit
// their fields, and which has no null. For it, decodeClean gives the
// Profile that encoding/json gives, and [Lint] finds nothing to report,
// so [Parse] can skip both.
//
// For any other data decodeClean returns false, leaving p in any state;
// the caller then decodes with encoding/json, which accepts the rest and
// words the errors. decodeClean allocates the text of data once and
// slices every string from it.
func decodeClean(data []byte, p *Profile) bool {
	d := cleanDecoder{data: data, text: string(data)}
	d.space()
	if !d.profile(p) {
		return false
	}
	d.space()
	return d.pos == len(d.data)
}

// cleanDecoder reads the JSON subset decodeClean takes. Each method
// reads one value at pos, leaves pos after it and reports whether it
// was of the subset.
type cleanDecoder struct {
	data []byte
	text string // data as a string, from which strings are sliced
	pos  int
}

// space skips white space.
func (d *cleanDecoder) space() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

// peek skips white space and reports whether the next byte is c,
// consuming it if so.
func (d *cleanDecoder) peek(c byte) bool {
	d.space()
	if d.pos < len(d.data) && d.data[d.pos] == c {
		d.pos++
		return true
	}
	return false
}

// str reads a string of printable ASCII without escapes.
func (d *cleanDecoder) str() (string, bool) {
	d.space()
	if d.pos >= len(d.data) || d.data[d.pos] != '"' {
		return "", false
	}
	start := d.pos + 1
	for i := start; i < len(d.data); i++ {
		switch c := d.data[i]; {
		case c == '"':
			d.pos = i + 1
			return d.text[start:i], true
		case c == '\\' || c < 0x20 || c >= 0x80:
			return "", false
		}
	}
	return "", false
}

// number reads an unsigned integer of at most size bits, written as
// JSON writes integers (no sign, fraction, exponent or leading zero).
func (d *cleanDecoder) number(size int) (uint64, bool) {
	d.space()
	start := d.pos
	var n uint64
	for d.pos < len(d.data) {
		c := d.data[d.pos]
		if c < '0' || c > '9' {
			break
		}
		hi, lo := bits.Mul64(n, 10)
		lo, carry := bits.Add64(lo, uint64(c-'0'), 0)
		if hi != 0 || carry != 0 {
			return 0, false
		}
		n = lo
		d.pos++
	}
	switch {
	case d.pos == start:
		return 0, false
	case d.data[start] == '0' && d.pos-start > 1:
		return 0, false
	case d.pos < len(d.data) && (d.data[d.pos] == '.' || d.data[d.pos] == 'e' || d.data[d.pos] == 'E'):
		return 0, false
	case size < 64 && n>>size != 0:
		return 0, false
	}
	return n, true
}

// uintPtr reads a number into a new uint, as encoding/json fills a
// *uint.
func (d *cleanDecoder) uintPtr() (*uint, bool) {
	n, ok := d.number(bits.UintSize)
	if !ok {
		return nil, false
	}
	u := uint(n)
	return &u, true
}

// object reads an object of kind s, calling field with each key and pos
// at its value; field reads the value and reports whether it could. A
// null value, which encoding/json reads as the zero value of any field,
// is skipped. Keys that s does not have, or that are given twice, are
// refused.
func (d *cleanDecoder) object(s *schema, field func(key string) bool) bool {
	if !d.peek('{') {
		return false
	}
	if d.peek('}') {
		return true
	}
	var seen uint64
	for {
		key, ok := d.str()
		if !ok || !d.peek(':') {
			return false
		}
		n := slices.Index(s.keys, key)
		if n < 0 || seen&(1<<n) != 0 {
			return false
		}
		seen |= 1 << n
		if !d.null() && !field(key) {
			return false
		}
		if d.peek('}') {
			return true
		}
		if !d.peek(',') {
			return false
		}
	}
}

// null reads the literal null, if it is next.
func (d *cleanDecoder) null() bool {
	d.space()
	if !bytes.HasPrefix(d.data[d.pos:], []byte("null")) {
		return false
	}
	d.pos += len("null")
	return true
}

// array reads an array, calling elem for each element. elem reads the
// element and reports whether it could.
func (d *cleanDecoder) array(elem func() bool) bool {
	if !d.peek('[') {
		return false
	}
	if d.peek(']') {
		return true
	}
	for {
		if !elem() {
			return false
		}
		if d.peek(']') {
			return true
		}
		if !d.peek(',') {
			return false
		}
	}
}

// cleanStrings reads an array of strings. An empty array gives an empty,
// non-nil slice, as encoding/json does.
func cleanStrings[S ~string](d *cleanDecoder) ([]S, bool) {
	list := make([]S, 0, d.countStrings())
	ok := d.array(func() bool {
		s, ok := d.str()
		list = append(list, S(s))
		return ok
	})
	return list, ok
}

// strField reads a string into *dst.
func strField[S ~string](d *cleanDecoder, dst *S) bool {
	s, ok := d.str()
	*dst = S(s)
	return ok
}

// profile reads the top-level object.
func (d *cleanDecoder) profile(p *Profile) bool {
	ok := true
	return d.object(profileSchema, func(key string) bool {
		switch key {
		case "defaultAction":
			ok = strField(d, &p.DefaultAction)
			return ok
		case "defaultErrnoRet":
			p.DefaultErrnoRet, ok = d.uintPtr()
			return ok
		case "defaultErrno":
			ok = strField(d, &p.DefaultErrno)
			return ok
		case "architectures":
			p.Architectures, ok = cleanStrings[specs.Arch](d)
			return ok
		case "archMap":
			p.ArchMap = []ArchMap{}
			ok = d.array(func() bool {
				p.ArchMap = append(p.ArchMap, ArchMap{})
				return d.archMap(&p.ArchMap[len(p.ArchMap)-1])
			})
			return ok
		case "flags":
			p.Flags, ok = cleanStrings[specs.LinuxSeccompFlag](d)
			return ok
		case "listenerPath":
			ok = strField(d, &p.ListenerPath)
			return ok
		case "listenerMetadata":
			ok = strField(d, &p.ListenerMetadata)
			return ok
		case "syscalls":
			p.Syscalls = make([]Syscall, 0, d.countEntries())
			ok = d.array(func() bool {
				p.Syscalls = append(p.Syscalls, Syscall{})
				return d.syscall(&p.Syscalls[len(p.Syscalls)-1])
			})
			return ok
		}
		return false
	})
}

// countEntries estimates the number of syscall entries from pos on by
// the keys "action" there, which every entry has. It is only a capacity:
// a wrong count costs an allocation.
func (d *cleanDecoder) countEntries() int {
	return bytes.Count(d.data[d.pos:], []byte(`"action"`))
}

// countStrings estimates the number of strings in the array at pos by
// the quotes before the first ']'. It is only a capacity: a wrong count
// costs an allocation.
func (d *cleanDecoder) countStrings() int {
	rest := d.data[d.pos:]
	if end := bytes.IndexByte(rest, ']'); end >= 0 {
		rest = rest[:end]
	}
	return bytes.Count(rest, []byte{'"'}) / 2
}

// archMap reads one entry of archMap.
func (d *cleanDecoder) archMap(m *ArchMap) bool {
	ok := true
	return d.object(archMapSchema, func(key string) bool {
		switch key {
		case "architecture":
			ok = strField(d, &m.Arch)
			return ok
		case "subArchitectures":
			m.SubArches, ok = cleanStrings[specs.Arch](d)
			return ok
		}
		return false
	})
}

// syscall reads one entry of syscalls.
func (d *cleanDecoder) syscall(s *Syscall) bool {
	ok := true
	return d.object(syscallSchema, func(key string) bool {
		switch key {
		case "name":
			ok = strField(d, &s.Name)
			return ok
		case "names":
			s.Names, ok = cleanStrings[string](d)
			return ok
		case "action":
			ok = strField(d, &s.Action)
			return ok
		case "args":
			s.Args = []specs.LinuxSeccompArg{}
			ok = d.array(func() bool {
				s.Args = append(s.Args, specs.LinuxSeccompArg{})
				return d.arg(&s.Args[len(s.Args)-1])
			})
			return ok
		case "comment":
			ok = strField(d, &s.Comment)
			return ok
		case "includes":
			s.Includes = new(Selector)
			ok = d.selector(s.Includes)
			return ok
		case "excludes":
			s.Excludes = new(Selector)
			ok = d.selector(s.Excludes)
			return ok
		case "errnoRet":
			s.ErrnoRet, ok = d.uintPtr()
			return ok
		case "errno":
			ok = strField(d, &s.Errno)
			return ok
		}
		return false
	})
}

// selector reads includes or excludes.
func (d *cleanDecoder) selector(s *Selector) bool {
	ok := true
	return d.object(selectorSchema, func(key string) bool {
		switch key {
		case "caps":
			s.Caps, ok = cleanStrings[string](d)
			return ok
		case "arches":
			s.Arches, ok = cleanStrings[string](d)
			return ok
		case "minKernel":
			ok = strField(d, &s.MinKernel)
			return ok
		}
		return false
	})
}

// arg reads one argument condition.
func (d *cleanDecoder) arg(a *specs.LinuxSeccompArg) bool {
	ok := true
	return d.object(argSchema, func(key string) bool {
		switch key {
		case "index":
			var n uint64
			n, ok = d.number(bits.UintSize)
			a.Index = uint(n)
			return ok
		case "value":
			a.Value, ok = d.number(64)
			return ok
		case "valueTwo":
			a.ValueTwo, ok = d.number(64)
			return ok
		case "op":
			ok = strField(d, &a.Op)
			return ok
		}
		return false
	})
}
