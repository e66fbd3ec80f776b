package difftest

import (
	"fmt"
	"io"
	"os"

	lib "github.com/seccomp/libseccomp-golang"
	"golang.org/x/sys/unix"
)

// Built is the outcome of building a RuleSet through one library.
type Built struct {
	// NewFilter is the error class of filter creation ("ok" on success).
	NewFilter string
	// Setup holds the verdicts of the calls that set the architectures.
	Setup []string
	// Verdicts holds one verdict per call of the rule set: "ok", or an
	// error class (see ErrClass), with the resolved syscall number for
	// calls that name a syscall.
	Verdicts []string
	// Arches are the architectures present after all calls, in the
	// order of LittleEndianArches.
	Arches []string
	// Prog is the exported BPF program, in host byte order; nil when
	// the export failed.
	Prog []byte
	// Export is the error class of the BPF export.
	Export string
	// Proof is, for our builds, the outcome of ScmpFilter.Verify, which
	// proves the program equal to the filter's rules on every input: "ok",
	// "too complex", or the error. It covers the inputs on which
	// libseccomp's program cannot serve as the reference.
	Proof string `json:",omitempty"`
}

// LittleEndianArches are the architectures both libraries are compared on:
// the little-endian ABIs that libseccomp 2.5.4 knows. loongarch64 and sh are
// missing from 2.5.4.
var LittleEndianArches = []string{
	"x86_64", "x86", "x32", "arm", "aarch64", "mipsel", "mipsel64",
	"mipsel64n32", "ppc64le", "riscv64",
}

// NativeArch is the architecture libseccomp puts in a new filter.
const NativeArch = "x86_64"

func libAction(a Action) lib.ScmpAction {
	act := lib.ScmpAction(a.Kind)
	if a.Kind == ActErrno || a.Kind == ActTrace {
		act = act.SetReturnCode(a.Data)
	}
	return act
}

func libConds(cs []Cond) []lib.ScmpCondition {
	out := make([]lib.ScmpCondition, len(cs))
	for i, c := range cs {
		out[i] = lib.ScmpCondition{Argument: c.Arg, Op: lib.ScmpCompareOp(c.Op), Operand1: c.A, Operand2: c.B}
	}
	return out
}

// LibResolve resolves a syscall name with libseccomp, in the native
// namespace.
func LibResolve(name string) (int32, error) {
	n, err := lib.GetSyscallFromName(name)
	return int32(n), err
}

// LibResolveArch resolves a syscall name with libseccomp on one
// architecture.
func LibResolveArch(name, arch string) (int32, error) {
	a, err := lib.GetArchFromString(arch)
	if err != nil {
		return 0, err
	}
	n, err := lib.GetSyscallFromNameByArch(name, a)
	return int32(n), err
}

// BuildLib builds rs with libseccomp and exports its BPF program.
func BuildLib(rs *RuleSet) *Built { return BuildLibOpt(rs, 0) }

// BuildLibOpt is BuildLib with libseccomp's optimisation level forced to
// level (1: linear list of syscalls, 2: binary tree) when level is not 0;
// the SetOptimize calls of rs then only record their verdicts.
func BuildLibOpt(rs *RuleSet, level int) *Built {
	f, b := newLibFilter(rs, level)
	if f == nil {
		return b
	}
	defer f.Release()
	var err error
	b.Prog, err = libExport(f)
	b.Export = ErrClass(err)
	return b
}

// LoadLib builds rs with libseccomp (level as for BuildLibOpt) and loads
// the filter into the kernel.
func LoadLib(rs *RuleSet, level int) error {
	f, b := newLibFilter(rs, level)
	if f == nil {
		return fmt.Errorf("NewFilter: %s", b.NewFilter)
	}
	defer f.Release()
	return f.Load()
}

func newLibFilter(rs *RuleSet, level int) (*lib.ScmpFilter, *Built) {
	b := &Built{}
	f, err := lib.NewFilter(libAction(rs.Default))
	b.NewFilter = ErrClass(err)
	if err != nil {
		return nil, b
	}
	nativeWanted := false
	for _, name := range rs.Arches {
		if name == NativeArch {
			nativeWanted = true
		}
		a, err := lib.GetArchFromString(name)
		if err == nil {
			err = f.AddArch(a)
		}
		b.Setup = append(b.Setup, "AddArch "+name+": "+ErrClass(err))
	}
	if !nativeWanted {
		err := f.RemoveArch(lib.ArchAMD64)
		b.Setup = append(b.Setup, "RemoveArch native: "+ErrClass(err))
	}
	if level != 0 {
		if err := f.SetOptimize(level); err != nil {
			b.Setup = append(b.Setup, "SetOptimize: "+ErrClass(err))
		}
	}
	for _, c := range rs.Calls {
		v := libCall(f, c)
		if level != 0 && c.Kind == CallSetOptimize && v == "ok" {
			_ = f.SetOptimize(level)
		}
		b.Verdicts = append(b.Verdicts, v)
	}
	for _, name := range LittleEndianArches {
		a, _ := lib.GetArchFromString(name)
		if ok, err := f.IsArchPresent(a); err == nil && ok {
			b.Arches = append(b.Arches, name)
		}
	}
	return f, b
}

func libSyscall(c Call) (lib.ScmpSyscall, string, bool) {
	if c.Name == "" {
		return lib.ScmpSyscall(c.Num), "", true
	}
	n, err := lib.GetSyscallFromName(c.Name)
	if err != nil {
		return 0, "resolve " + ErrClass(err), false
	}
	return n, fmt.Sprintf("nr=%d ", int32(n)), true
}

func libCall(f *lib.ScmpFilter, c Call) string {
	switch c.Kind {
	case CallGetSyscallFromName:
		n, err := lib.GetSyscallFromName(c.Name)
		if err != nil {
			return ErrClass(err)
		}
		return fmt.Sprintf("nr=%d", int32(n))
	case CallMakeCondition:
		cd := c.Conds[0]
		vals := []uint64{cd.A, cd.B, cd.A}[:c.NVals]
		got, err := lib.MakeCondition(cd.Arg, lib.ScmpCompareOp(cd.Op), vals...)
		if err != nil {
			return ErrClass(err)
		}
		return fmt.Sprintf("%d %d %#x %#x", got.Argument, got.Op, got.Operand1, got.Operand2)
	case CallAddArch, CallRemoveArch:
		a, err := lib.GetArchFromString(c.Arch)
		if err != nil {
			return ErrClass(err)
		}
		if c.Kind == CallAddArch {
			return ErrClass(f.AddArch(a))
		}
		return ErrClass(f.RemoveArch(a))
	case CallSetBadArchAction:
		return ErrClass(f.SetBadArchAction(libAction(c.Action)))
	case CallSetOptimize:
		return ErrClass(f.SetOptimize(c.Level))
	case CallSetNoNewPrivsBit:
		return ErrClass(f.SetNoNewPrivsBit(c.Flag))
	case CallSetLogBit:
		return ErrClass(f.SetLogBit(c.Flag))
	case CallSetSSB:
		return ErrClass(f.SetSSB(c.Flag))
	case CallSetRawRC:
		return ErrClass(f.SetRawRC(c.Flag))
	}
	nr, prefix, ok := libSyscall(c)
	if !ok {
		return prefix
	}
	if c.isRule() && (c.Action.Kind < ActKillThread || c.Action.Kind > ActKillProcess) {
		// libseccomp-golang adds the rule as KILL_THREAD; seccomp-go
		// refuses it (see exclusions.go).
		return prefix + "invalid-action"
	}
	var err error
	switch c.Kind {
	case CallSetSyscallPriority:
		err = f.SetSyscallPriority(nr, c.Priority)
	case CallAddRule:
		err = f.AddRule(nr, libAction(c.Action))
	case CallAddRuleExact:
		err = f.AddRuleExact(nr, libAction(c.Action))
	case CallAddRuleConditional:
		err = f.AddRuleConditional(nr, libAction(c.Action), libConds(c.Conds))
	case CallAddRuleConditionalExact:
		err = f.AddRuleConditionalExact(nr, libAction(c.Action), libConds(c.Conds))
	default:
		return "unknown call " + string(c.Kind)
	}
	return prefix + ErrClass(err)
}

// libExport writes the filter's BPF into a memory file and reads it back:
// ExportBPFMem needs libseccomp 2.6.
func libExport(f *lib.ScmpFilter) ([]byte, error) {
	fd, err := unix.MemfdCreate("difftest-bpf", unix.MFD_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("memfd_create: %w", err)
	}
	file := os.NewFile(uintptr(fd), "difftest-bpf")
	defer file.Close()
	if err := f.ExportBPF(file); err != nil {
		return nil, err
	}
	if _, err := file.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	return io.ReadAll(file)
}
