package oci

import (
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	seccomp "github.com/seccomp-go/seccomp"
	"github.com/seccomp-go/seccomp/arch"
	"github.com/seccomp-go/seccomp/bpf"
)

// kverProfile denies by default with EPERM, allows a few calls (one of
// them, close_range, newer than 5.4, and personality and faccessat2,
// newer than 5.4 too, only for one argument) and refuses mount with
// EACCES.
const kverProfile = `{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86", "SCMP_ARCH_X32"], "syscalls": [
	{"names": ["read", "write", "exit_group", "openat", "close_range"], "action": "SCMP_ACT_ALLOW"},
	{"names": ["personality"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}]},
	{"names": ["faccessat2"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 5, "op": "SCMP_CMP_EQ"}]},
	{"names": ["mount"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}
]}`

func TestENOSYSAfter(t *testing.T) {
	amd := []seccomp.ScmpArch{seccomp.ArchAMD64}
	opts := Options{Arches: amd, ENOSYSAfter: "5.4"}
	spec, f := newTestFilter(t, []byte(kverProfile), opts)
	own := program(t, f)
	full, err := ProgramFor(f, spec, opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := full.Verify(); err != nil {
		t.Fatalf("the program does not pass the kernel's checks: %v", err)
	}
	const (
		enosys = retErrno | 38
		eperm  = retErrno | 1
		eacces = retErrno | 13
	)
	calls := []call{
		{tokenX86_64, 0, [6]uint64{}, retAllow, "x86_64 read"},
		{tokenX86_64, 436, [6]uint64{}, retAllow, "x86_64 close_range: 5.9, but the profile allows it"},
		{tokenX86_64, 437, [6]uint64{}, enosys, "x86_64 openat2: 5.6"},
		{tokenX86_64, 434, [6]uint64{}, eperm, "x86_64 pidfd_open: 5.3, the default action"},
		{tokenX86_64, 424, [6]uint64{}, eperm, "x86_64 pidfd_send_signal: 5.1"},
		{tokenX86_64, 165, [6]uint64{}, eacces, "x86_64 mount keeps its errno"},
		{tokenX86_64, 135, [6]uint64{8}, retAllow, "x86_64 personality(8)"},
		{tokenX86_64, 135, [6]uint64{9}, eperm, "x86_64 personality(9)"},
		{tokenX86_64, 461, [6]uint64{}, enosys, "x86_64 lsm_list_modules: 6.8"},
		{tokenX86_64, 439, [6]uint64{5}, retAllow, "x86_64 faccessat2(5): 5.8, allowed by the profile"},
		{tokenX86_64, 439, [6]uint64{6}, eperm, "x86_64 faccessat2(6): the profile's default, not ENOSYS"},
		{tokenX86_64, x32Bit | 437, [6]uint64{}, enosys, "x32 openat2"},
		{tokenX86_64, x32Bit | 165, [6]uint64{}, eacces, "x32 mount"},
		{tokenX86, 437, [6]uint64{}, enosys, "x86 openat2"},
		{tokenX86, 403, [6]uint64{}, eperm, "x86 clock_gettime64: 5.1"},
		{tokenX86, 359, [6]uint64{}, eperm, "x86 socket: multiplexed, left to the profile"},
		{tokenX86, 384, [6]uint64{}, eperm, "x86 arch_prctl: 4.12"},
	}
	decide(t, own, calls)
	decide(t, full, calls)
	// Above the tables: the default action in the filter's own program,
	// ENOSYS behind ProgramFor's stub.
	top := arch.X86_64.MaxSyscall()
	decide(t, own, []call{{tokenX86_64, top + 1, [6]uint64{}, eperm, "x86_64 above the table, own program"}})
	decide(t, full, []call{
		{tokenX86_64, top, [6]uint64{}, enosys, "x86_64 highest syscall of the table (newer than 5.4)"},
		{tokenX86_64, top + 1, [6]uint64{}, enosys, "x86_64 above the table"},
		{tokenX86_64, 1000, [6]uint64{}, enosys, "x86_64 1000"},
		{tokenX86_64, x32Bit | (arch.X32.MaxSyscall() &^ x32Bit) + 1, [6]uint64{}, enosys, "x32 above the table"},
		{tokenX86_64, x32Bit | 547, [6]uint64{}, eperm, "x32 pwritev2 (4.6)"},
		{tokenX86, arch.X86.MaxSyscall() + 1, [6]uint64{}, enosys, "x86 above the table"},
	})

	// An older release: arch_prctl on x86 (4.12) is missing too.
	_, old := newTestFilter(t, []byte(kverProfile), Options{Arches: amd, ENOSYSAfter: "4.4"})
	decide(t, program(t, old), []call{
		{tokenX86, 384, [6]uint64{}, enosys, "x86 arch_prctl on 4.4"},
		{tokenX86_64, 158, [6]uint64{}, eperm, "x86_64 arch_prctl on 4.4"},
		{tokenX86_64, 332, [6]uint64{}, enosys, "x86_64 statx (4.11) on 4.4"},
	})
}

// TestENOSYSAfterEveryDecision compares, for every syscall of every
// architecture of the filter, the decisions of the filter with and
// without ENOSYSAfter: a syscall the profile names, one the architecture
// multiplexes and one the release had decide the same for every
// argument vector tried (the values the profile compares with, their
// neighbours, 0 and all ones, in each argument); any other one fails
// with ENOSYS.
func TestENOSYSAfterEveryDecision(t *testing.T) {
	profiles := []struct {
		name   string
		data   []byte
		arches []seccomp.ScmpArch
	}{
		{"small", []byte(kverProfile), []seccomp.ScmpArch{seccomp.ArchAMD64}},
		{"docker amd64", DefaultProfile, []seccomp.ScmpArch{seccomp.ArchAMD64}},
		{"docker arm64", DefaultProfile, []seccomp.ScmpArch{seccomp.ArchARM64}},
		{"docker s390x", DefaultProfile, []seccomp.ScmpArch{seccomp.ArchS390X}},
		{"docker x86", DefaultProfile, []seccomp.ScmpArch{seccomp.ArchX86}},
	}
	for _, pr := range profiles {
		for _, after := range []string{"3.10", "4.14", "5.4", "6.1"} {
			t.Run(pr.name+" "+after, func(t *testing.T) {
				base := Options{Arches: pr.arches, Caps: dockerCaps, KernelVersion: "6.13"}
				spec, f0 := newTestFilter(t, pr.data, base)
				withOpt := base
				withOpt.ENOSYSAfter = after
				f1, err := NewFilter(spec, withOpt)
				if err != nil {
					t.Fatal(err)
				}
				defer f1.Release()
				compareDecisions(t, spec, f0, f1, after)
			})
		}
	}
}

func compareDecisions(t *testing.T, spec *specs.LinuxSeccomp, f0, f1 *seccomp.ScmpFilter, after string) {
	t.Helper()
	v, err := arch.ParseKernelVersion(after)
	if err != nil {
		t.Fatal(err)
	}
	arches, err := filterArches(f0)
	if err != nil {
		t.Fatal(err)
	}
	arches1, err := filterArches(f1)
	if err != nil || !slices.Equal(arches, arches1) {
		t.Fatalf("architectures %v with the option, %v without (%v)", arches1, arches, err)
	}
	order := abiOf(arches[0]).ByteOrder()
	p0, p1 := programIn(t, f0, order), programIn(t, f1, order)
	named := map[string][]specs.LinuxSeccompArg{}
	for _, s := range spec.Syscalls {
		for _, n := range s.Names {
			named[n] = append(named[n], s.Args...)
		}
	}
	enosys := map[bool]uint32{}
	same, changed, namedSeen := 0, 0, 0
	for _, a := range arches {
		abi := abiOf(a)
		e, err := errnoByName("ENOSYS", &a)
		if err != nil {
			t.Fatal(err)
		}
		enosys[true] = retErrno | uint32(e)
		run := func(p bpf.Program, nr int32, args [6]uint64) uint32 {
			ret, _, err := p.Run(bpf.Data{Arch: abi.Token, Nr: nr, Args: args}, order)
			if err != nil {
				t.Fatalf("%s nr %d: %v", abi.Name, nr, err)
			}
			return ret
		}
		check := func(what string, nr int32, vectors [][6]uint64) {
			for _, args := range vectors {
				if r0, r1 := run(p0, nr, args), run(p1, nr, args); r0 != r1 {
					t.Errorf("%s %s (%d) args %#x: %s with ENOSYSAfter %s, %s without", abi.Name, what, nr, args, bpf.ActionString(r1), after, bpf.ActionString(r0))
				}
			}
			same++
		}
		for _, name := range arch.SyscallNames() {
			since, ok := abi.SyscallSince(name)
			if !ok {
				continue
			}
			nr, _ := abi.SyscallNumber(name)
			if abi.Multiplexes && nr < 0 {
				if m, ok := abi.Multiplexed(nr); ok && m.Direct >= 0 {
					nr = m.Direct
				} else {
					continue
				}
			}
			_, isNamed := named[name]
			switch {
			case isNamed:
				namedSeen++
				check(name+" (named)", nr, argVectors(named[name]))
			case abi.Multiplexes && isMuxCall(name):
				check(name+" (multiplexed)", nr, argVectors(nil))
			case since.Compare(v) <= 0:
				check(name+" (since "+since.String()+")", nr, argVectors(nil))
			default:
				changed++
				for _, args := range argVectors(nil) {
					if got := run(p1, nr, args); got != enosys[true] {
						t.Errorf("%s %s (%d, since %v): %s with ENOSYSAfter %s, want ENOSYS", abi.Name, name, nr, since, bpf.ActionString(got), after)
					}
				}
			}
		}
		if abi.Multiplexes {
			var calls [][6]uint64
			for k := range uint64(26) {
				calls = append(calls, [6]uint64{k}, [6]uint64{k, ^uint64(0)})
			}
			check("socketcall", abi.SocketCall, calls)
			check("ipc", abi.IPC, calls)
		}
	}
	if namedSeen == 0 || same == 0 {
		t.Fatalf("compared %d syscalls, %d of them named", same, namedSeen)
	}
	t.Logf("%v: %d syscalls decide as without ENOSYSAfter %s (%d named), %d now ENOSYS", archNamesOf(arches), same, after, namedSeen, changed)
}

func archNamesOf(arches []seccomp.ScmpArch) string {
	var s []string
	for _, a := range arches {
		s = append(s, abiOf(a).Name)
	}
	return strings.Join(s, ",")
}

// argVectors returns argument vectors for a syscall whose rules compare
// args: all zero, all ones, and for each comparison the values it uses,
// their neighbours and the masked value in its argument.
func argVectors(args []specs.LinuxSeccompArg) [][6]uint64 {
	out := [][6]uint64{{}, {^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0)}}
	for _, a := range args {
		if a.Index >= 6 {
			continue
		}
		for _, x := range []uint64{a.Value, a.Value - 1, a.Value + 1, a.ValueTwo, a.ValueTwo - 1, a.ValueTwo + 1, a.Value & a.ValueTwo, ^a.Value, a.Value | 1<<63} {
			var v [6]uint64
			v[a.Index] = x
			out = append(out, v)
		}
	}
	return out
}

func TestENOSYSAfterDefaultENOSYS(t *testing.T) {
	// With ENOSYS as the default action there are no rules to add: the
	// filter's own program is the one without the option. (The program
	// ProgramFor returns still has a stub in front, as runc adds one to
	// such a profile too.)
	profile := []byte(`{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 38, "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW"}]}`)
	amd := []seccomp.ScmpArch{seccomp.ArchAMD64}
	spec, f0 := newTestFilter(t, profile, Options{Arches: amd})
	opts := Options{Arches: amd, ENOSYSAfter: "4.0"}
	_, f1 := newTestFilter(t, profile, opts)
	p0, p1 := program(t, f0), program(t, f1)
	if _, err := ProgramFor(f1, spec, opts); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(p0, p1) {
		t.Errorf("program with ENOSYSAfter has %d instructions, %d without", len(p1), len(p0))
	}
}

func TestENOSYSAfterAllowDefault(t *testing.T) {
	// runc adds no stub to a profile that allows by default; the option
	// still makes the missing syscalls, and those above the table, fail.
	profile := []byte(`{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mount"], "action": "SCMP_ACT_ERRNO"}]}`)
	opts := Options{Arches: []seccomp.ScmpArch{seccomp.ArchAMD64}, ENOSYSAfter: "5.4"}
	spec, f := newTestFilter(t, profile, opts)
	p, err := ProgramFor(f, spec, opts)
	if err != nil {
		t.Fatal(err)
	}
	decide(t, p, []call{
		{tokenX86_64, 0, [6]uint64{}, retAllow, "read"},
		{tokenX86_64, 165, [6]uint64{}, retErrno | 1, "mount"},
		{tokenX86_64, 437, [6]uint64{}, retErrno | 38, "openat2"},
		{tokenX86_64, 2000, [6]uint64{}, retErrno | 38, "2000"},
	})
	q, err := Program(f, spec)
	if err != nil {
		t.Fatal(err)
	}
	decide(t, q, []call{{tokenX86_64, 2000, [6]uint64{}, retAllow, "2000 behind runc's stub, which is left out"}})
}

func TestENOSYSAfterBadVersion(t *testing.T) {
	spec, _, err := Parse([]byte(kverProfile), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"five", "5", "0.1", "5.x"} {
		opts := Options{Arches: []seccomp.ScmpArch{seccomp.ArchAMD64}, ENOSYSAfter: v}
		f, err := NewFilter(spec, opts)
		if err == nil {
			f.Release()
			t.Errorf("ENOSYSAfter %q: no error", v)
			continue
		}
		if !strings.Contains(err.Error(), "Options.ENOSYSAfter") || !strings.Contains(err.Error(), "such as 5.4") {
			t.Errorf("ENOSYSAfter %q: error %q does not name the field and the form", v, err)
		}
		if _, err := ProgramFor(nil, spec, opts); err == nil || !strings.Contains(err.Error(), "Options.ENOSYSAfter") {
			t.Errorf("ProgramFor with ENOSYSAfter %q: %v", v, err)
		}
	}
}

// The child half of TestLiveENOSYSAfter: load Docker's default profile,
// without openat2, close_range and pidfd_open, with ENOSYSAfter 5.4, and
// report what a few syscalls return.
func init() {
	if os.Getenv("OCI_TEST_KVER_CHILD") != "1" {
		return
	}
	runtime.LockOSThread()
	opts := Options{Caps: []string{}, NoNewPrivs: true, ENOSYSAfter: "5.4"}
	spec, _, err := Parse(DefaultProfile, opts)
	if err == nil {
		drop := []string{"openat2", "close_range", "pidfd_open"}
		for i := range spec.Syscalls {
			spec.Syscalls[i].Names = slices.DeleteFunc(spec.Syscalls[i].Names, func(name string) bool { return slices.Contains(drop, name) })
		}
		spec.Syscalls = slices.DeleteFunc(spec.Syscalls, func(s specs.LinuxSyscall) bool { return len(s.Names) == 0 })
		var f *seccomp.ScmpFilter
		if f, err = NewFilter(spec, opts); err == nil {
			_, err = LoadFor(f, spec, opts)
		}
	}
	if err != nil {
		fmt.Println("load:", err)
		os.Exit(3)
	}
	fmt.Println("getpid", errnoOf(syscall.SYS_GETPID))
	fmt.Println("mount", errnoOf(syscall.SYS_MOUNT))
	fmt.Println("openat2", errnoOf(437, ^uintptr(99), 0, 0))      // AT_FDCWD, NULL path
	fmt.Println("close_range", errnoOf(436, 1000, 999, 0))        // an empty range
	fmt.Println("pidfd_open", errnoOf(434, uintptr(os.Getpid()))) // 5.3: the default action
	fmt.Println("1000", errnoOf(1000))
	os.Exit(0)
}

// TestLiveENOSYSAfter loads a filter built with ENOSYSAfter 5.4 in a
// child: syscalls newer than 5.4 that the profile does not name fail
// with ENOSYS, which the kernel has; a syscall 5.4 had that the profile
// does not name, and one it denies, keep the profile's EPERM.
func TestLiveENOSYSAfter(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		t.Skip("syscall numbers below are x86_64's")
	}
	if testing.Short() {
		t.Skip("starts a process")
	}
	checkLoadChild(t, "OCI_TEST_KVER_CHILD", "getpid 0\nmount 1\nopenat2 38\nclose_range 38\npidfd_open 1\n1000 38\n")
}

// BenchmarkNewFilterENOSYSAfter builds Docker's default profile for
// amd64 (x86_64, x86 and x32) without the option and with it, which
// builds the filter once per architecture and merges them.
func BenchmarkNewFilterENOSYSAfter(b *testing.B) {
	base := Options{Arches: []seccomp.ScmpArch{seccomp.ArchAMD64}, Caps: dockerCaps, KernelVersion: "6.13"}
	spec, _, err := Parse(DefaultProfile, base)
	if err != nil {
		b.Fatal(err)
	}
	for _, after := range []string{"", "5.4"} {
		name := "none"
		if after != "" {
			name = after
		}
		b.Run(name, func(b *testing.B) {
			opts := base
			opts.ENOSYSAfter = after
			for range b.N {
				f, err := NewFilter(spec, opts)
				if err != nil {
					b.Fatal(err)
				}
				f.Release()
			}
		})
	}
}

// TestENOSYSAfterRules compares the rules of the filters with and without
// ENOSYSAfter, as their pseudo filter code shows them per architecture
// and syscall: every block of rules without the option is in the filter
// with it, unchanged, and the only other blocks are unconditional
// ERRNO(ENOSYS) for syscalls the profile does not name. With every
// program proved equal to its rules (SECCOMP_GO_PROVE=1, as make test
// runs), the syscalls the profile names decide alike for every input.
func TestENOSYSAfterRules(t *testing.T) {
	for _, tt := range []struct {
		data   []byte
		arches []seccomp.ScmpArch
	}{
		{[]byte(kverProfile), []seccomp.ScmpArch{seccomp.ArchAMD64}},
		{DefaultProfile, []seccomp.ScmpArch{seccomp.ArchAMD64}},
		{DefaultProfile, []seccomp.ScmpArch{seccomp.ArchARM64}},
		{DefaultProfile, []seccomp.ScmpArch{seccomp.ArchS390X}},
		{DefaultProfile, []seccomp.ScmpArch{seccomp.ArchMIPSEL64}},
	} {
		for _, after := range []string{"3.10", "5.4"} {
			base := Options{Arches: tt.arches, Caps: dockerCaps, KernelVersion: "6.13"}
			spec, f0 := newTestFilter(t, tt.data, base)
			withOpt := base
			withOpt.ENOSYSAfter = after
			f1, err := NewFilter(spec, withOpt)
			if err != nil {
				t.Fatal(err)
			}
			named := map[string]bool{}
			for _, s := range spec.Syscalls {
				for _, n := range s.Names {
					named[n] = true
				}
			}
			r0, r1 := pfcBlocks(t, f0), pfcBlocks(t, f1)
			f1.Release()
			for k, b := range r0 {
				if r1[k] != b {
					t.Errorf("%v %s: %s\nwith ENOSYSAfter %s:\n%s\nwithout:\n%s", tt.arches, after, k, after, r1[k], b)
				}
			}
			added := 0
			for k, b := range r1 {
				if _, ok := r0[k]; ok {
					continue
				}
				added++
				name := k[strings.Index(k, `"`)+1 : strings.LastIndex(k, `"`)]
				lines := strings.Split(strings.TrimSpace(b), "\n")
				if named[name] || len(lines) != 3 || !strings.Contains(lines[1], "if ($syscall == ") ||
					!(strings.TrimSpace(lines[2]) == "action ERRNO(38);" || strings.TrimSpace(lines[2]) == "action ERRNO(89);") {
					t.Errorf("%v %s: a block that is not an ENOSYS rule for an unnamed syscall: %s\n%s", tt.arches, after, k, b)
				}
			}
			if added == 0 {
				t.Errorf("%v %s: no ENOSYS rule added", tt.arches, after)
			}
		}
	}
}

// pfcBlocks splits the pseudo filter code of f into its blocks of rules,
// keyed by architecture and syscall.
func pfcBlocks(t *testing.T, f *seccomp.ScmpFilter) map[string]string {
	t.Helper()
	file, err := os.CreateTemp(t.TempDir(), "pfc")
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	if err := f.ExportPFC(file); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(file.Name())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	var archLine, key string
	var block strings.Builder
	flush := func() {
		if key != "" {
			out[key] = block.String()
		}
		key = ""
		block.Reset()
	}
	for _, line := range strings.Split(string(data), "\n") {
		switch {
		case strings.HasPrefix(line, "# filter for arch"):
			flush()
			archLine = line
		case strings.HasPrefix(line, "  # filter for syscall "):
			flush()
			head, _, _ := strings.Cut(line, " [priority")
			key = archLine + " /" + strings.TrimSpace(head)
			block.WriteString(line + "\n")
		case strings.HasPrefix(line, "  # default action"), strings.HasPrefix(line, "# invalid architecture"):
			flush()
		case key != "":
			block.WriteString(line + "\n")
		}
	}
	flush()
	if len(out) == 0 {
		t.Fatalf("no rules in the pseudo filter code:\n%s", data)
	}
	return out
}
