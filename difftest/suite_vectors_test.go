package difftest

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/seccomp-go/seccomp/arch"
	"github.com/seccomp-go/seccomp/bpf"
)

// simVector is one line of a "bpf-sim" section of a libseccomp
// tests/NN-*.tests file: a test program, the ABIs to simulate, a syscall
// (or a range), six arguments (N for none, a value, or a range) and the
// action scmp_bpf_sim must print.
type simVector struct {
	file    string
	line    int
	test    string
	arches  string
	syscall string
	args    [6]string
	result  string
}

func (v simVector) String() string {
	return fmt.Sprintf("%s:%d: %s %s %s %s %s", v.file, v.line, v.test, v.arches, v.syscall, strings.Join(v.args[:], " "), v.result)
}

// parseSimVectors reads the bpf-sim vectors of one .tests file. Other
// sections (bpf-sim-fuzz, bpf-valgrind, basic, live) are passed over.
func parseSimVectors(path string) ([]simVector, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []simVector
	section := ""
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if rest, ok := strings.CutPrefix(line, "test type:"); ok {
			section = strings.TrimSpace(rest)
			continue
		}
		if section != "bpf-sim" {
			continue
		}
		fs := strings.Fields(line)
		if len(fs) != 10 {
			return nil, fmt.Errorf("%s:%d: bpf-sim line has %d fields, want 10 (test, arch, syscall, 6 arguments, result)", path, n, len(fs))
		}
		v := simVector{file: path, line: n, test: fs[0], arches: fs[1], syscall: fs[2], result: fs[9]}
		copy(v.args[:], fs[3:9])
		out = append(out, v)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// archGroupVars are the variables of libseccomp's tests/regression
// script that list the ABIs of the groups a vector can name.
var archGroupVars = map[string]string{
	"all_le": "GLBL_ARCH_LE_SUPPORT",
	"all_be": "GLBL_ARCH_BE_SUPPORT",
	"all_32": "GLBL_ARCH_32B_SUPPORT",
	"all_64": "GLBL_ARCH_64B_SUPPORT",
}

// parseArchGroups reads the ABI groups from the regression script, where
// each is a shell variable holding a quoted, backslash-continued list.
func parseArchGroups(path string) (map[string][]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	text := string(b)
	groups := map[string][]string{}
	for group, name := range archGroupVars {
		_, rest, ok := strings.Cut(text, "\n"+name+"=\"")
		if !ok {
			return nil, fmt.Errorf("%s: no %s (the ABIs of %s)", path, name, group)
		}
		list, _, ok := strings.Cut(rest, "\"")
		if !ok {
			return nil, fmt.Errorf("%s: %s has no closing quote", path, name)
		}
		for _, w := range strings.Fields(strings.ReplaceAll(list, "\\", " ")) {
			if _, ok := arch.Lookup(w); !ok {
				return nil, fmt.Errorf("%s: %s lists %q, which package arch does not know", path, name, w)
			}
			groups[group] = append(groups[group], w)
		}
		if len(groups[group]) == 0 {
			return nil, fmt.Errorf("%s: %s is empty", path, name)
		}
	}
	return groups, nil
}

// expandArchSpec turns a vector's comma-separated ABI column into the
// ABIs the regression script simulates on the given native ABI:
//
//   - "all" is the native ABI; a group name ("all_le") is the native ABI
//     if it belongs to the group;
//   - "+name" adds an ABI and "+group" every ABI of the group;
//   - "-name" drops an ABI from the result, wherever it appears;
//   - a bare name is that ABI if it is the native one.
//
// An empty result means the vector does not apply on this native ABI.
func expandArchSpec(spec, native string, groups map[string][]string) []string {
	var picked []string
	dropped := map[string]bool{}
	for _, item := range strings.Split(spec, ",") {
		name, add := strings.CutPrefix(item, "+")
		switch {
		case item == "all":
			picked = append(picked, native)
		case strings.HasPrefix(item, "-"):
			dropped[item[1:]] = true
		case groups[name] != nil && add:
			picked = append(picked, groups[name]...)
		case groups[name] != nil:
			for _, g := range groups[name] {
				if g == native {
					picked = append(picked, native)
				}
			}
		case add || name == native:
			picked = append(picked, name)
		}
	}
	var out []string
	for _, a := range picked {
		if !dropped[a] {
			out = append(out, a)
		}
	}
	return out
}

// simRangeRE is what the regression script takes for a range "LOW-HIGH";
// anything else, negative numbers included, is a single value.
var simRangeRE = regexp.MustCompile(`^[0-9a-fA-Fx]+-[0-9a-fA-Fx]+$`)

func simBounds(s string) (lo, hi string) {
	if simRangeRE.MatchString(s) {
		lo, hi, _ = strings.Cut(s, "-")
		return lo, hi
	}
	return s, s
}

var simDecimalRE = regexp.MustCompile(`^-?[0-9]+$`)

// simSyscall resolves one end of a vector's syscall column on an ABI: a
// decimal number as it is (truncated to 32 bits when run), a name as "scmp_sys_resolver -a ABI -t NAME"
// does (socket and IPC calls rewritten where the ABI multiplexes them).
func simSyscall(a *arch.Arch, s string) (int64, error) {
	if simDecimalRE.MatchString(s) {
		// A number as strtol reads it; the simulator then stores it in
		// the 32-bit nr field, so 4294867295 is -100001.
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("syscall %q: %v", s, err)
		}
		return n, nil
	}
	nr, ok := a.SyscallNumberRewrite(s)
	if !ok {
		return 0, fmt.Errorf("syscall %q is unknown on %s", s, a.Name)
	}
	return int64(nr), nil
}

// simArg parses an argument value as strtoull(s, NULL, 0) does,
// negative numbers wrapping around.
func simArg(s string) (uint64, error) {
	if u, err := strconv.ParseUint(s, 0, 64); err == nil {
		return u, nil
	}
	n, err := strconv.ParseInt(s, 0, 64)
	if err != nil {
		return 0, fmt.Errorf("argument %q is not a number", s)
	}
	return uint64(n), nil
}

// simResult names a filter return value as scmp_bpf_sim prints it.
func simResult(ret uint32) string {
	data := ret & bpf.RetData
	switch ret & bpf.RetActionFull {
	case bpf.RetKillProcess:
		return "KILL_PROCESS"
	case bpf.RetKillThread:
		return "KILL"
	case bpf.RetTrap:
		return "TRAP"
	case bpf.RetErrno:
		return fmt.Sprintf("ERRNO(%d)", data)
	case bpf.RetTrace:
		return fmt.Sprintf("TRACE(%d)", data)
	case bpf.RetLog:
		return "LOG"
	case bpf.RetAllow:
		return "ALLOW"
	}
	return fmt.Sprintf("%#x (scmp_bpf_sim rejects it)", ret)
}

// maxSimInputs bounds the inputs one vector may expand to on one ABI.
const maxSimInputs = 1 << 20

// simProgram runs an exported filter for the vectors of one program,
// decoding it once per byte order.
type simProgram struct {
	raw []byte
	vms map[binary.ByteOrder]*bpf.VM
}

func newSimProgram(raw []byte) *simProgram {
	return &simProgram{raw: raw, vms: map[binary.ByteOrder]*bpf.VM{}}
}

// vm returns the interpreter for the filter as an ABI of the given byte
// order reads it, the way scmp_bpf_sim -a ABI loads the file.
func (p *simProgram) vm(order binary.ByteOrder) (*bpf.VM, error) {
	if vm := p.vms[order]; vm != nil {
		return vm, nil
	}
	prog, err := bpf.Unmarshal(p.raw, order)
	if err != nil {
		return nil, err
	}
	vm, err := bpf.NewVM(prog, order)
	if err != nil {
		return nil, err
	}
	p.vms[order] = vm
	return vm, nil
}

// spanSize is the number of values from lo to hi, at most
// maxSimInputs+1.
func spanSize(lo, hi uint64) uint64 {
	return min(hi-lo, maxSimInputs) + 1
}

// check runs every input the vector denotes on ABI a, and returns the
// number of inputs run and the first mismatch.
func (p *simProgram) check(a *arch.Arch, v simVector) (int, error) {
	vm, err := p.vm(a.ByteOrder())
	if err != nil {
		return 0, err
	}
	var lo, hi [7]uint64 // the six arguments, then the syscall
	var count uint64 = 1
	for i, s := range v.args {
		if s != "N" {
			l, h := simBounds(s)
			if lo[i], err = simArg(l); err == nil {
				hi[i], err = simArg(h)
			}
			if err != nil {
				return 0, fmt.Errorf("arg%d: %v", i, err)
			}
		}
		if lo[i] > hi[i] {
			return 0, fmt.Errorf("arg%d: empty range %s", i, s)
		}
		count = min(count*spanSize(lo[i], hi[i]), maxSimInputs+1)
	}
	l, h := simBounds(v.syscall)
	nlo, err := simSyscall(a, l)
	if err != nil {
		return 0, err
	}
	nhi, err := simSyscall(a, h)
	if err != nil {
		return 0, err
	}
	if nlo > nhi {
		return 0, fmt.Errorf("syscall: empty range %s", v.syscall)
	}
	count *= spanSize(uint64(nlo), uint64(nhi))
	if count > maxSimInputs {
		return 0, fmt.Errorf("the vector expands to more than %d inputs", maxSimInputs)
	}
	n := 0
	for nr := nlo; nr <= nhi; nr++ {
		idx := lo
		for {
			d := bpf.Data{Arch: a.Token, Nr: int32(nr)}
			copy(d.Args[:], idx[:6])
			ret, _, err := vm.Run(d)
			n++
			if err != nil {
				return n, fmt.Errorf("%s nr %d args %#x: %v", a.Name, d.Nr, d.Args, err)
			}
			if got := simResult(ret); got != v.result {
				return n, fmt.Errorf("%s nr %d args %#x: filter returns %s, want %s", a.Name, d.Nr, d.Args, got, v.result)
			}
			// Step the arguments like an odometer, arg5 fastest.
			k := 5
			for ; k >= 0; k-- {
				if idx[k] < hi[k] {
					idx[k]++
					break
				}
				idx[k] = lo[k]
			}
			if k < 0 {
				break
			}
		}
	}
	return n, nil
}
