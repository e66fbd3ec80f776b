package oci

import (
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"sync"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	seccomp "github.com/seccomp-go/seccomp"
	"github.com/seccomp-go/seccomp/arch"
	"github.com/seccomp-go/seccomp/bpf"
	"github.com/seccomp-go/seccomp/internal/kernel"
)

// abis lists package arch's ABIs in the order of libseccomp-golang's
// architectures, from ArchX86 to ArchSHEB, as arch.All gives them; abiOf
// fills it at its first call, so that the package does nothing at start.
var (
	abis     [seccomp.ArchSHEB - seccomp.ArchX86 + 1]*arch.Arch
	abisOnce sync.Once
)

// abiOf returns package arch's ABI for a, one of ArchX86..ArchSHEB.
func abiOf(a seccomp.ScmpArch) *arch.Arch {
	abisOnce.Do(func() { copy(abis[:], arch.All()) })
	return abis[a-seccomp.ArchX86]
}

// x32Bit is __X32_SYSCALL_BIT, set in the numbers of x32 syscalls.
const x32Bit = 0x40000000

// filterArches lists the architectures of f, in libseccomp-golang's order.
func filterArches(f *seccomp.ScmpFilter) ([]seccomp.ScmpArch, error) {
	var out []seccomp.ScmpArch
	for a := seccomp.ArchX86; isArch(a); a++ {
		ok, err := f.IsArchPresent(a)
		if err != nil {
			return nil, fmt.Errorf("seccomp profile: %w", err)
		}
		if ok {
			out = append(out, a)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("seccomp profile: the filter has no architecture")
	}
	return out, nil
}

// Program returns the BPF program runc loads for a filter built by
// [NewFilter] from spec: the filter's own program, preceded, when the
// default action refuses syscalls, by runc's ENOSYS stub. For each of the
// filter's architectures, the stub makes every syscall numbered above the
// highest one the profile names fail with ENOSYS instead of taking the
// default action, so that programs fall back from syscalls newer than the
// profile, as they do on older kernels. The stub is left out, as runc
// leaves it out, when the default action is ALLOW, LOG or TRACE. runc
// means to leave it out for ERRNO with ENOSYS too, but compares
// defaultErrnoRet with the whole SECCOMP_RET_ERRNO|ENOSYS value, so it
// never does; neither do we, as the stub decides numbers the filter
// would give its bad-arch action (x86_64 numbers from 0x80000000 without
// x32, for one).
//
// The program decides like the filter for every syscall the profile
// knows of; [seccomp.ScmpFilter.ExportBPFMem] gives the filter's program
// alone.
func Program(f *seccomp.ScmpFilter, spec *specs.LinuxSeccomp) (bpf.Program, error) {
	return ProgramFor(f, spec, Options{})
}

// stubbedProgram is [ProgramFor] once the ENOSYS version of its options is read:
// runc's stub when after is nil, the stub for numbers above the tables
// otherwise.
func stubbedProgram(f *seccomp.ScmpFilter, spec *specs.LinuxSeccomp, after *arch.KernelVersion) (bpf.Program, error) {
	if f == nil || spec == nil {
		return nil, errors.New("seccomp profile: Program needs a filter and its profile")
	}
	arches, err := filterArches(f)
	if err != nil {
		return nil, err
	}
	order := binary.ByteOrder(binary.LittleEndian)
	if abiOf(arches[0]).BigEndian {
		order = binary.BigEndian
	}
	raw, err := exportBPF(f)
	if err != nil {
		return nil, err
	}
	main, err := bpf.Unmarshal(raw, order)
	if err != nil {
		return nil, fmt.Errorf("seccomp profile: decoding the filter: %w", err)
	}
	var stub bpf.Program
	if after == nil {
		stub, err = enosysStub(spec, arches)
	} else {
		stub, err = tableStub(spec, arches)
	}
	if err != nil {
		return nil, err
	}
	if n := len(stub) + len(main); n > bpf.MaxInstructions {
		return nil, fmt.Errorf("seccomp profile: %w (with the ENOSYS stub it needs %d)", ErrTooLong, n)
	}
	return append(stub, main...), nil
}

// Load loads the program of [Program] the way f.Load would load f's own,
// with f's attributes (no_new_privs, TSYNC, LOG, SPEC_ALLOW,
// WAIT_KILLABLE_RECV) and libseccomp's choice of flags. It returns the
// user-notification descriptor when the program has SCMP_ACT_NOTIFY
// rules (pass it to [Handoff]), -1 otherwise. [InitSeccomp] loads the
// same program with runc's flags instead: on the calling thread only,
// without TSYNC.
func Load(f *seccomp.ScmpFilter, spec *specs.LinuxSeccomp) (notifyFd int, err error) {
	return LoadFor(f, spec, Options{})
}

// load is [LoadFor] once the ENOSYS version of its options is read.
func load(f *seccomp.ScmpFilter, spec *specs.LinuxSeccomp, after *arch.KernelVersion) (notifyFd int, err error) {
	p, err := stubbedProgram(f, spec, after)
	if err != nil {
		return -1, err
	}
	attr := func(get func() (bool, error)) bool {
		if err != nil {
			return false
		}
		var v bool
		v, err = get()
		return v
	}
	opts := kernel.Options{
		NoNewPrivs:       attr(f.GetNoNewPrivsBit),
		TSync:            attr(f.GetTSync),
		Log:              attr(f.GetLogBit),
		SpecAllow:        attr(f.GetSSB),
		WaitKillableRecv: attr(f.GetWaitKill),
		RawRC:            attr(f.GetRawRC),
		NotifyUsed:       slices.ContainsFunc(p, isNotifyReturn),
	}
	if err != nil {
		return -1, fmt.Errorf("seccomp profile: reading the filter's attributes: %w", err)
	}
	if err := kernel.LoadFilter(p, opts); err != nil {
		return -1, fmt.Errorf("seccomp profile: loading the filter: %w", err)
	}
	if !opts.NotifyUsed {
		return -1, nil
	}
	return kernel.NotifyFd(), nil
}

// isNotifyReturn reports whether ins returns SECCOMP_RET_USER_NOTIF.
func isNotifyReturn(ins bpf.Instruction) bool {
	return ins.Op == bpf.RET|bpf.K && ins.K&0xffff0000 == 0x7fc00000
}

// enosysStub builds runc's ENOSYS stub for arches, or nothing when runc
// would not add one.
func enosysStub(spec *specs.LinuxSeccomp, arches []seccomp.ScmpArch) (bpf.Program, error) {
	switch spec.DefaultAction {
	case specs.ActAllow, specs.ActLog, specs.ActTrace:
		// Permissive already; a tracer handles new syscalls itself.
		return nil, nil
	}
	return stubAbove(spec, arches, func(a seccomp.ScmpArch) uint32 {
		abi := abiOf(a)
		var last uint32
		for _, s := range spec.Syscalls {
			for _, name := range s.Names {
				nr, ok := abi.SyscallNumber(name)
				if ok && nr > 0 && uint32(nr) > last {
					last = uint32(nr)
				}
			}
		}
		return last
	})
}

// stubAbove builds a stub that makes every syscall numbered above
// last(a) fail with ENOSYS on each architecture a of arches (none where
// last is 0), and lets the others through to the program that follows.
func stubAbove(spec *specs.LinuxSeccomp, arches []seccomp.ScmpArch, lastOf func(seccomp.ScmpArch) uint32) (bpf.Program, error) {
	enosys, err := errnoByName("ENOSYS", &arches[0])
	if err != nil {
		return nil, err
	}

	// The highest syscall number let through, per architecture;
	// x86_64 and x32 share a token and are told apart by x32Bit.
	type section struct {
		token    uint32
		last     uint32 // x86_64 or any other architecture
		lastX32  uint32
		has, x32 bool
	}
	secs := make([]section, 0, len(arches))
	for _, a := range arches {
		abi := abiOf(a)
		last := lastOf(a)
		if last == 0 {
			// No rule for this architecture: nothing to compare with.
			continue
		}
		i := slices.IndexFunc(secs, func(s section) bool { return s.token == abi.Token })
		if i < 0 {
			i = len(secs)
			secs = append(secs, section{token: abi.Token})
		}
		sec := &secs[i]
		if a == seccomp.ArchX32 {
			sec.x32, sec.lastX32 = true, last
		} else {
			sec.has, sec.last = true, last
		}
	}
	if len(secs) == 0 {
		return nil, nil
	}
	slices.SortFunc(secs, func(a, b section) int { return cmp.Compare(a.token, b.token) })

	// Jumps name their targets; they are resolved once the layout is
	// known. The stub ends with "ja main; ret ENOSYS", and the filter's
	// own program (main) follows.
	const (
		next   = -1 // the next section
		toNos  = -2 // ret ENOSYS
		toMain = -3 // the filter's program
	)
	type jump struct {
		ins    bpf.Instruction
		jt, jf int // targets: >= 0 is relative within the section
	}
	// The sections' code, one after the other; section i starts at
	// starts[i], counting from the program's first instruction, "ld
	// arch", and the final "ja main" is at starts[len(secs)].
	code := make([]jump, 0, 5*len(secs))
	starts := make([]int, len(secs)+1)
	ld := func(off uint32) jump { return jump{ins: bpf.Stmt(bpf.LD|bpf.W|bpf.ABS, off)} }
	jgt := func(k uint32) jump { return jump{ins: bpf.Jump(bpf.JMP|bpf.JGT|bpf.K, k, 0, 0), jt: toNos, jf: toMain} }
	jset := func(jt, jf int) jump {
		return jump{ins: bpf.Jump(bpf.JMP|bpf.JSET|bpf.K, x32Bit, 0, 0), jt: jt, jf: jf}
	}
	for i, sec := range secs {
		t := sec.token
		starts[i] = 1 + len(code)
		code = append(code,
			jump{ins: bpf.Jump(bpf.JMP|bpf.JEQ|bpf.K, t, 0, 0), jt: 0, jf: next},
			ld(bpf.OffsetNr),
		)
		switch {
		case sec.has && sec.x32:
			code = append(code, jset(1, 0), jgt(sec.last), jgt(sec.lastX32))
		case sec.x32:
			code = append(code, jset(0, toMain), jgt(sec.lastX32))
		case t == arch.X86_64.Token:
			// x86_64 alone: x32 numbers are the filter's business.
			code = append(code, jset(toMain, 0), jgt(sec.last))
		case t == arch.S390.Token || t == arch.S390X.Token:
			// The kernel leaves a syscall it does not know as number 0
			// (the old setup(2), now the multiplexer of large numbers):
			// that one fails with ENOSYS too, as in runc.
			code = append(code, jump{ins: bpf.Jump(bpf.JMP|bpf.JEQ|bpf.K, 0, 0, 0), jt: toNos, jf: 0}, jgt(sec.last))
		default:
			code = append(code, jgt(sec.last))
		}
	}

	// Layout: ld arch; sections...; ja main; ret ENOSYS.
	pc := 1 + len(code)
	starts[len(secs)] = pc // the final "ja main"
	nosPC := pc + 1
	mainPC := pc + 2

	prog := make(bpf.Program, 0, pc+2)
	prog = append(prog, bpf.Stmt(bpf.LD|bpf.W|bpf.ABS, bpf.OffsetArch))
	for i := range secs {
		for j, in := range code[starts[i]-1 : starts[i+1]-1] {
			here := starts[i] + j
			target := func(l int) (uint8, error) {
				var to int
				switch l {
				case next:
					to = starts[i+1]
				case toNos:
					to = nosPC
				case toMain:
					to = mainPC
				default:
					to = here + 1 + l
				}
				off := to - here - 1
				if off < 0 || off > 255 {
					return 0, fmt.Errorf("seccomp profile: ENOSYS stub jump of %d instructions", off)
				}
				return uint8(off), nil
			}
			ins := in.ins
			if bpf.Class(ins.Op) == bpf.JMP {
				var err error
				if ins.Jt, err = target(in.jt); err != nil {
					return nil, err
				}
				if ins.Jf, err = target(in.jf); err != nil {
					return nil, err
				}
			}
			prog = append(prog, ins)
		}
	}
	prog = append(prog,
		bpf.Stmt(bpf.JMP|bpf.JA, 1),
		bpf.Stmt(bpf.RET|bpf.K, 0x00050000|uint32(enosys)),
	)
	return prog, nil
}
