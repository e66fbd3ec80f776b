package seccomp

import (
	"fmt"
	"sort"
	"syscall"

	"github.com/seccomp-go/seccomp/arch"
)

// weightTable holds the weights of a filter: by syscall name, for every
// architecture (all) and for one (byArch).
type weightTable struct {
	all    map[string]uint64
	byArch map[*arch.Arch]map[string]uint64
}

// SetSyscallWeight sets the weight of the syscall call, a number in the
// native architecture's namespace, on every architecture of the filter
// that has a syscall of that name, as SetSyscallPriority applies a
// priority. See SetSyscallWeights for what weights do. It returns an
// error for an invalid filter or a number that names no native syscall.
func (f *ScmpFilter) SetSyscallWeight(call ScmpSyscall, weight uint64) error {
	name, err := call.GetName()
	if err != nil {
		return fmt.Errorf("seccomp: SetSyscallWeight: syscall %d: %w", int32(call), err)
	}
	return f.setWeights(nil, map[string]uint64{name: weight}, "SetSyscallWeight")
}

// SetSyscallWeights sets the weights of the syscalls named by the keys of
// weights on every architecture of the filter that has them. Every name
// must be a syscall of at least one architecture; nothing is set when one
// is not. For the counts of one process, SetArchSyscallWeights for its
// architecture describes the mix better: weights for every architecture
// also weigh, say, the x32 numbers that an x86_64 process never makes.
//
// A weight says how often a syscall is expected to be made, in any unit
// (calls counted by strace -c, calls per second), relative to the other
// weights of the filter; the syscalls without a weight are not expected.
// Weights only shape the layout of the compiled program, never its
// decisions: the program runs as few instructions as it can for the mix
// they describe. The most frequent architecture is checked first, the
// tree of syscall-number comparisons is the optimal one for the weights,
// and a very frequent syscall may be tested for before that tree.
// Every syscall that the filter allows whatever its arguments stays
// answered by the kernel's action cache. Package frequency reads weights
// from strace -c summaries and Minijail frequency files.
//
// Weights and priorities: once an architecture has a weight, its layout
// follows its weights alone, and SetSyscallPriority no longer changes it
// (priorities still order the rules of x86_64 and x32 for syscall -1, as
// in libseccomp). A filter without weights compiles exactly as before,
// priorities included.
//
// A weight given for one architecture with SetArchSyscallWeights takes
// precedence there over a weight given for every architecture with
// SetSyscallWeight or SetSyscallWeights. A weight of 0 removes the
// weight; Reset removes every weight, and Merge adds to the filter the
// weights of the filter merged into it that it lacks. On architectures
// that multiplex socket and IPC calls through socketcall(2) and ipc(2),
// the weights of those calls go to the multiplexer.
func (f *ScmpFilter) SetSyscallWeights(weights map[string]uint64) error {
	return f.setWeights(nil, weights, "SetSyscallWeights")
}

// SetArchSyscallWeights sets the weights of the syscalls named by the keys
// of weights on architecture a alone, whether or not the filter has it
// yet; they take precedence there over the weights for every
// architecture (see SetSyscallWeights). Every name must be a syscall of
// a; nothing is set when one is not.
func (f *ScmpFilter) SetArchSyscallWeights(a ScmpArch, weights map[string]uint64) error {
	abi, err := a.toArch()
	if err != nil {
		return err
	}
	return f.setWeights(abi, weights, "SetArchSyscallWeights")
}

// setWeights records weights for abi, or for every architecture when abi
// is nil; fn names the method for errors.
func (f *ScmpFilter) setWeights(abi *arch.Arch, weights map[string]uint64, fn string) error {
	if f == nil {
		return errBadFilter
	}
	f.lock.Lock()
	defer f.lock.Unlock()
	if !f.valid {
		return errBadFilter
	}
	names := make([]string, 0, len(weights))
	for name := range weights {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if abi != nil {
			if nr, ok := abi.SyscallNumberRewrite(name); !ok || nr < 0 {
				return fmt.Errorf("seccomp: %s: %q is not a syscall of %s: %w", fn, name, abi.Name, syscall.EINVAL)
			}
		} else if !knownSyscall(name) {
			return fmt.Errorf("seccomp: %s: %q is not the name of a syscall of any architecture: %w", fn, name, syscall.EINVAL)
		}
	}
	wt := f.weights
	m := wt.all
	if abi != nil {
		m = wt.byArch[abi]
	}
	if m == nil {
		m = map[string]uint64{}
	}
	for _, name := range names {
		if w := weights[name]; w > 0 {
			m[name] = w
		} else {
			delete(m, name)
		}
	}
	if abi == nil {
		wt.all = m
	} else {
		if wt.byArch == nil {
			wt.byArch = map[*arch.Arch]map[string]uint64{}
		}
		wt.byArch[abi] = m
	}
	// The program depends on the weights.
	f.compiled.prog = nil
	return nil
}

// knownSyscall reports whether name is a syscall of some architecture.
func knownSyscall(name string) bool {
	for _, a := range arch.All() {
		if _, ok := a.SyscallNumber(name); ok {
			return true
		}
	}
	return false
}

// numbers returns the weights of the architectures of abis, by syscall
// number, in the form compile.Input takes them, or nil without weights.
// A syscall that an architecture multiplexes through socketcall(2) or
// ipc(2) weighs on that syscall's number.
func (wt *weightTable) numbers(abis []*arch.Arch) []map[uint32]uint64 {
	if wt == nil || (len(wt.all) == 0 && len(wt.byArch) == 0) {
		return nil
	}
	out := make([]map[uint32]uint64, len(abis))
	for i, a := range abis {
		m := map[uint32]uint64{}
		own := map[uint32]bool{}
		for name, w := range wt.byArch[a] {
			if nr, ok := a.SyscallNumberRewrite(name); ok && nr >= -1 {
				m[uint32(nr)] += w
				own[uint32(nr)] = true
			}
		}
		for name, w := range wt.all {
			if nr, ok := a.SyscallNumberRewrite(name); ok && nr >= -1 && !own[uint32(nr)] {
				m[uint32(nr)] += w
			}
		}
		out[i] = m
	}
	return out
}

// reset removes every weight.
func (wt *weightTable) reset() {
	wt.all, wt.byArch = nil, nil
}

// merge adds the weights of src that wt lacks.
func (wt *weightTable) merge(src *weightTable) {
	if src == nil {
		return
	}
	if len(src.all) > 0 && wt.all == nil {
		wt.all = map[string]uint64{}
	}
	for name, w := range src.all {
		if _, ok := wt.all[name]; !ok {
			wt.all[name] = w
		}
	}
	for a, m := range src.byArch {
		if wt.byArch == nil {
			wt.byArch = map[*arch.Arch]map[string]uint64{}
		}
		if wt.byArch[a] == nil {
			wt.byArch[a] = map[string]uint64{}
		}
		for name, w := range m {
			if _, ok := wt.byArch[a][name]; !ok {
				wt.byArch[a][name] = w
			}
		}
	}
}
