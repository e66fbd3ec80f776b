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

// uint reads an unsigned integer of at most size bits, written as JSON
// writes integers (no sign, fraction, exponent or leading zero).
func (d *cleanDecoder) uint(size int) (uint64, bool) {
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

// number reads a number into *dst, as encoding/json fills an unsigned
// integer of dst's size.
func number[N uint | uint64](d *cleanDecoder, dst *N) bool {
	n, ok := d.uint(bits.Len64(uint64(^N(0))))
	*dst = N(n)
	return ok
}

// uintPtr reads a number into a new uint at *dst, as encoding/json fills
// a *uint.
func uintPtr(d *cleanDecoder, dst **uint) bool {
	*dst = new(uint)
	return number(d, *dst)
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

// strList reads an array of strings into *dst. An empty array gives an
// empty, non-nil slice, as encoding/json does.
func strList[S ~string](d *cleanDecoder, dst *[]S) bool {
	*dst = make([]S, 0, d.countStrings())
	return d.array(func() bool {
		s, ok := d.str()
		*dst = append(*dst, S(s))
		return ok
	})
}

// objects reads an array of objects into *dst, each with read, with room
// for n of them. An empty array gives an empty, non-nil slice, as
// encoding/json does.
func objects[T any](d *cleanDecoder, dst *[]T, n int, read func(*T) bool) bool {
	*dst = make([]T, 0, n)
	return d.array(func() bool {
		*dst = append(*dst, *new(T))
		return read(&(*dst)[len(*dst)-1])
	})
}

// strField reads a string into *dst.
func strField[S ~string](d *cleanDecoder, dst *S) bool {
	s, ok := d.str()
	*dst = S(s)
	return ok
}

// profile reads the top-level object.
func (d *cleanDecoder) profile(p *Profile) bool {
	return d.object(profileSchema, func(key string) bool {
		switch key {
		case "defaultAction":
			return strField(d, &p.DefaultAction)
		case "defaultErrnoRet":
			return uintPtr(d, &p.DefaultErrnoRet)
		case "defaultErrno":
			return strField(d, &p.DefaultErrno)
		case "architectures":
			return strList(d, &p.Architectures)
		case "archMap":
			return objects(d, &p.ArchMap, 0, d.archMap)
		case "flags":
			return strList(d, &p.Flags)
		case "listenerPath":
			return strField(d, &p.ListenerPath)
		case "listenerMetadata":
			return strField(d, &p.ListenerMetadata)
		case "syscalls":
			return objects(d, &p.Syscalls, d.countEntries(), d.syscall)
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
	return d.object(archMapSchema, func(key string) bool {
		switch key {
		case "architecture":
			return strField(d, &m.Arch)
		case "subArchitectures":
			return strList(d, &m.SubArches)
		}
		return false
	})
}

// syscall reads one entry of syscalls.
func (d *cleanDecoder) syscall(s *Syscall) bool {
	return d.object(syscallSchema, func(key string) bool {
		switch key {
		case "name":
			return strField(d, &s.Name)
		case "names":
			return strList(d, &s.Names)
		case "action":
			return strField(d, &s.Action)
		case "args":
			return objects(d, &s.Args, 0, d.arg)
		case "comment":
			return strField(d, &s.Comment)
		case "includes":
			return d.selector(&s.Includes)
		case "excludes":
			return d.selector(&s.Excludes)
		case "errnoRet":
			return uintPtr(d, &s.ErrnoRet)
		case "errno":
			return strField(d, &s.Errno)
		}
		return false
	})
}

// selector reads includes or excludes into a new Selector at *dst.
func (d *cleanDecoder) selector(dst **Selector) bool {
	s := new(Selector)
	*dst = s
	return d.object(selectorSchema, func(key string) bool {
		switch key {
		case "caps":
			return strList(d, &s.Caps)
		case "arches":
			return strList(d, &s.Arches)
		case "minKernel":
			return strField(d, &s.MinKernel)
		}
		return false
	})
}

// arg reads one argument condition.
func (d *cleanDecoder) arg(a *specs.LinuxSeccompArg) bool {
	return d.object(argSchema, func(key string) bool {
		switch key {
		case "index":
			return number(d, &a.Index)
		case "value":
			return number(d, &a.Value)
		case "valueTwo":
			return number(d, &a.ValueTwo)
		case "op":
			return strField(d, &a.Op)
		}
		return false
	})
}
