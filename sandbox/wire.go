package sandbox

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
)

// envMarker names the environment variable that marks the child; its
// value is "<version>:<descriptor>".
const envMarker = "SECCOMP_GO_SANDBOX"

// wireVersion is the version of the messages exchanged with the child. The
// parent and the child are always the same binary, so a mismatch means
// the marker was set by something else.
const wireVersion = "2"

// configMagic starts the message the parent sends the child.
const configMagic = "scmp-sbx"

// Limits the child puts on the message, so that a corrupt message is
// refused instead of exhausting memory.
const (
	maxStrings   = 1 << 20
	maxStringLen = 1 << 24
)

// maxNameLen is the longest process name the kernel keeps (TASK_COMM_LEN
// less the NUL).
const maxNameLen = 15

// config is what the child needs to load the filter and run the command.
type config struct {
	noNewPrivs bool
	name       string // the child's process name until execve
	flags      uint32 // seccomp(2) SECCOMP_SET_MODE_FILTER flags
	program    []byte // struct sock_filter array in the host's byte order
	path       string
	argv       []string
	env        []string
}

// Report record types, sent from the child to the parent.
const (
	recNotify byte = 'N' // carries the listener descriptor (SCM_RIGHTS)
	recError  byte = 'E' // op, exit status, errno
	recKilled byte = 'K' // op, exit status, 0: the filter killed the thread
)

// recErrorLen is the size of a recError or recKilled record: type, op,
// status, errno.
const recErrorLen = 1 + 1 + 1 + 4

// Stages of the child at which it can fail, as sent in recError.
const (
	opSetup byte = iota + 1
	opNoNewPrivs
	opLoad
	opSendListener
	opExec
)

// opNames are the names [Error.Op] takes, by stage.
var opNames = [...]string{
	opSetup:        "set up",
	opNoNewPrivs:   "set no_new_privs",
	opLoad:         "load filter",
	opSendListener: "send listener",
	opExec:         "exec",
}

// opName returns the name of stage op; ok is false for a byte that names
// no stage.
func opName(op byte) (name string, ok bool) {
	if int(op) < len(opNames) && opNames[op] != "" {
		return opNames[op], true
	}
	return "", false
}

var order = binary.NativeEndian

func (c *config) marshal() []byte {
	b := []byte(configMagic)
	var nnp uint32
	if c.noNewPrivs {
		nnp = 1
	}
	b = order.AppendUint32(b, nnp)
	b = order.AppendUint32(b, c.flags)
	b = appendBytes(b, []byte(c.name))
	b = appendBytes(b, c.program)
	b = appendBytes(b, []byte(c.path))
	b = appendStrings(b, c.argv)
	b = appendStrings(b, c.env)
	return b
}

func appendBytes(b, s []byte) []byte {
	b = order.AppendUint32(b, uint32(len(s)))
	return append(b, s...)
}

func appendStrings(b []byte, ss []string) []byte {
	b = order.AppendUint32(b, uint32(len(ss)))
	for _, s := range ss {
		b = appendBytes(b, []byte(s))
	}
	return b
}

var errShort = errors.New("message is truncated")

// decoder reads a marshalled config.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) uint32() uint32 {
	if d.err != nil {
		return 0
	}
	if len(d.b) < 4 {
		d.err = errShort
		return 0
	}
	v := order.Uint32(d.b)
	d.b = d.b[4:]
	return v
}

func (d *decoder) bytes() []byte {
	n := d.uint32()
	if d.err != nil {
		return nil
	}
	if n > maxStringLen || uint64(n) > uint64(len(d.b)) {
		d.err = errShort
		return nil
	}
	s := d.b[:n:n]
	d.b = d.b[n:]
	return s
}

func (d *decoder) strings() []string {
	n := d.uint32()
	if d.err != nil {
		return nil
	}
	if n > maxStrings || uint64(n)*4 > uint64(len(d.b)) {
		d.err = errShort
		return nil
	}
	ss := make([]string, n)
	for i := range ss {
		ss[i] = string(d.bytes())
	}
	return ss
}

func unmarshalConfig(b []byte) (*config, error) {
	if len(b) < len(configMagic) || string(b[:len(configMagic)]) != configMagic {
		return nil, errors.New("message does not start with the expected header")
	}
	d := &decoder{b: b[len(configMagic):]}
	c := &config{}
	c.noNewPrivs = d.uint32() != 0
	c.flags = d.uint32()
	c.name = string(d.bytes())
	c.program = d.bytes()
	c.path = string(d.bytes())
	c.argv = d.strings()
	c.env = d.strings()
	if d.err != nil {
		return nil, d.err
	}
	if len(d.b) != 0 {
		return nil, fmt.Errorf("%d bytes after the end of the message", len(d.b))
	}
	if c.path == "" {
		return nil, errors.New("no program path")
	}
	if c.name == "" || len(c.name) > maxNameLen || strings.IndexByte(c.name, 0) >= 0 {
		return nil, fmt.Errorf("bad process name %q", c.name)
	}
	return c, nil
}

// check refuses strings execve cannot take.
func (c *config) check() error {
	if strings.IndexByte(c.path, 0) >= 0 {
		return fmt.Errorf("program path %q contains a NUL byte", c.path)
	}
	for i, a := range c.argv {
		if strings.IndexByte(a, 0) >= 0 {
			return fmt.Errorf("argument %d (%q) contains a NUL byte", i, a)
		}
	}
	for _, e := range c.env {
		if strings.IndexByte(e, 0) >= 0 {
			return fmt.Errorf("environment entry %q contains a NUL byte", e)
		}
	}
	return nil
}
