package arch

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ResolveArgs implements "scmp resolve [-a ARCH] [-t] NAME|NUMBER...", the
// counterpart of libseccomp's scmp_sys_resolver, and returns one output
// line per argument, in order.
//
// archName is a name [Lookup] accepts; empty means the native ABI. An
// argument that starts with a digit or '-' is a syscall number, read as C's
// atoi reads it, and gives the syscall's name, or "UNKNOWN" if none has the
// number (pseudo numbers resolve too). Any other argument is a syscall name
// and gives its number in decimal: the [Arch.SyscallNumber] form, or with
// rewrite (-t) the [Arch.SyscallNumberRewrite] form.
//
// It returns an error, and no lines, for an unknown arch name, for unknown
// syscall names (naming every one of them), and when args is empty.
func ResolveArgs(archName string, rewrite bool, args []string) ([]string, error) {
	a := Native()
	if archName != "" {
		var ok bool
		if a, ok = Lookup(archName); !ok {
			return nil, fmt.Errorf("unknown architecture %q", archName)
		}
	} else if a == nil {
		return nil, errors.New("the native architecture is not supported; name one")
	}
	if len(args) == 0 {
		return nil, errors.New("no syscall name or number given")
	}
	lines := make([]string, 0, len(args))
	var unknown []string
	for _, arg := range args {
		line, ok := a.resolveArg(arg, rewrite)
		if !ok {
			unknown = append(unknown, strconv.Quote(arg))
			continue
		}
		lines = append(lines, line)
	}
	switch len(unknown) {
	case 0:
		return lines, nil
	case 1:
		return nil, fmt.Errorf("unknown syscall %s on %s", unknown[0], a.Name)
	default:
		return nil, fmt.Errorf("unknown syscalls %s on %s", strings.Join(unknown, ", "), a.Name)
	}
}

// resolveArg resolves one scmp_sys_resolver argument; ok is false for an
// unknown syscall name.
func (a *Arch) resolveArg(arg string, rewrite bool) (line string, ok bool) {
	if arg != "" && (arg[0] == '-' || arg[0] >= '0' && arg[0] <= '9') {
		name, found := a.SyscallName(atoi(arg))
		if !found {
			return "UNKNOWN", true
		}
		return name, true
	}
	var nr int32
	if rewrite {
		nr, ok = a.SyscallNumberRewrite(arg)
	} else {
		nr, ok = a.SyscallNumber(arg)
	}
	if !ok {
		return "", false
	}
	return strconv.Itoa(int(nr)), true
}

// atoi reads a number as glibc's atoi does: optional leading white space
// and sign, then decimal digits up to the first other byte; strtol's
// saturation at the 64-bit limits, then truncation to a 32-bit int.
func atoi(s string) int32 {
	i := 0
	for i < len(s) && (s[i] == ' ' || s[i] >= '\t' && s[i] <= '\r') {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	const limit = uint64(1) << 63
	var v uint64
	saturated := false
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		if v > (limit-uint64(s[i]-'0'))/10 {
			saturated = true
			continue
		}
		v = v*10 + uint64(s[i]-'0')
	}
	var n int64
	switch {
	case neg && (saturated || v >= limit):
		n = -1 << 63
	case neg:
		n = -int64(v)
	case saturated || v >= limit:
		n = 1<<63 - 1
	default:
		n = int64(v)
	}
	return int32(n)
}
