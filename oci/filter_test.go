package oci

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	seccomp "github.com/seccomp-go/seccomp"
	"github.com/seccomp-go/seccomp/bpf"
	"github.com/seccomp-go/seccomp/internal/kernel"
)

// Return values and architecture tokens, as the kernel defines them.
const (
	retKillThread  = 0x00000000
	retKillProcess = 0x80000000
	retTrap        = 0x00030000
	retErrno       = 0x00050000
	retTrace       = 0x7ff00000
	retLog         = 0x7ffc0000
	retNotify      = 0x7fc00000
	retAllow       = 0x7fff0000

	tokenX86_64  = 0xc000003e
	tokenX86     = 0x40000003
	tokenAArch64 = 0xc00000b7
	tokenARM     = 0x40000028
)

// call is one syscall a filter is asked about.
type call struct {
	arch uint32
	nr   int32
	args [6]uint64
	want uint32
	what string
}

// program compiles f, whose targets are little-endian, and decodes the
// raw BPF it exports.
func program(t *testing.T, f *seccomp.ScmpFilter) bpf.Program {
	t.Helper()
	return programIn(t, f, binary.LittleEndian)
}

// programIn compiles f and decodes the raw BPF it exports in order.
func programIn(t *testing.T, f *seccomp.ScmpFilter, order binary.ByteOrder) bpf.Program {
	t.Helper()
	raw, err := f.ExportBPFMem()
	if err != nil {
		t.Fatal(err)
	}
	p, err := bpf.Unmarshal(raw, order)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// decide checks the decision of the program for every call, on
// little-endian targets.
func decide(t *testing.T, p bpf.Program, calls []call) {
	t.Helper()
	decideIn(t, p, binary.LittleEndian, calls)
}

// decideIn checks the decision of the program for every call, with
// arguments in order.
func decideIn(t *testing.T, p bpf.Program, order binary.ByteOrder, calls []call) {
	t.Helper()
	for _, c := range calls {
		got, _, err := p.Run(bpf.Data{Nr: c.nr, Arch: c.arch, Args: c.args}, order)
		if err != nil {
			t.Errorf("%s: %v", c.what, err)
			continue
		}
		if got != c.want {
			t.Errorf("%s: %s (%#x), want %s (%#x)", c.what, bpf.ActionString(got), got, bpf.ActionString(c.want), c.want)
		}
	}
}

// newTestFilter parses and resolves a profile and builds its filter,
// released when the test ends.
func newTestFilter(t *testing.T, data []byte, opts Options) (*specs.LinuxSeccomp, *seccomp.ScmpFilter) {
	t.Helper()
	spec, _, err := Parse(data, opts)
	if err != nil {
		t.Fatal(err)
	}
	f, err := NewFilter(spec, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.Release)
	return spec, f
}

// compileProfile builds the filter of a profile for little-endian
// targets and decodes its program.
func compileProfile(t *testing.T, data []byte, opts Options) bpf.Program {
	t.Helper()
	_, f := newTestFilter(t, data, opts)
	return program(t, f)
}

// dockerCaps is Docker's default capability set.
var dockerCaps = DockerDefaultCapabilities()

func TestDockerDefaultAMD64(t *testing.T) {
	opts := Options{Arches: []seccomp.ScmpArch{seccomp.ArchAMD64}, Caps: dockerCaps, KernelVersion: "6.1.0", Warn: func(string) {}}
	p := compileProfile(t, DefaultProfile, opts)
	if len(p) > bpf.MaxInstructions {
		t.Fatalf("%d instructions", len(p))
	}
	eperm := uint32(retErrno | 1)
	decide(t, p, []call{
		{tokenX86_64, 0, [6]uint64{}, retAllow, "x86_64 read"},
		{tokenX86_64, 1, [6]uint64{}, retAllow, "x86_64 write"},
		{tokenX86_64, 165, [6]uint64{}, eperm, "x86_64 mount"},
		{tokenX86_64, 169, [6]uint64{}, eperm, "x86_64 reboot"},
		{tokenX86_64, 161, [6]uint64{}, retAllow, "x86_64 chroot (CAP_SYS_CHROOT)"},
		{tokenX86_64, 246, [6]uint64{}, eperm, "x86_64 kexec_load"},
		{tokenX86_64, 56, [6]uint64{17}, retAllow, "x86_64 clone(SIGCHLD)"},
		{tokenX86_64, 56, [6]uint64{0x20000 | 17}, eperm, "x86_64 clone(CLONE_NEWNS)"},
		{tokenX86_64, 56, [6]uint64{0x10000000}, eperm, "x86_64 clone(CLONE_NEWUSER)"},
		{tokenX86_64, 435, [6]uint64{}, retErrno | 38, "x86_64 clone3 (ENOSYS)"},
		{tokenX86_64, 41, [6]uint64{2, 1}, retAllow, "x86_64 socket(AF_INET)"},
		{tokenX86_64, 41, [6]uint64{40, 1}, eperm, "x86_64 socket(AF_VSOCK)"},
		{tokenX86_64, 135, [6]uint64{0}, retAllow, "x86_64 personality(PER_LINUX)"},
		{tokenX86_64, 135, [6]uint64{0xffffffff}, retAllow, "x86_64 personality(query)"},
		{tokenX86_64, 135, [6]uint64{1}, eperm, "x86_64 personality(1)"},
		{tokenX86_64, 158, [6]uint64{}, retAllow, "x86_64 arch_prctl"},
		{tokenX86_64, 101, [6]uint64{}, retAllow, "x86_64 ptrace (kernel >= 4.8)"},
		{tokenX86_64, 1000, [6]uint64{}, eperm, "x86_64 unknown number"},
		{tokenX86, 3, [6]uint64{}, retAllow, "x86 read"},
		{tokenX86, 102, [6]uint64{1}, retAllow, "x86 socketcall"},
		{tokenX86, 21, [6]uint64{}, eperm, "x86 mount"},
		{tokenX86_64, x32Bit | 0, [6]uint64{}, retAllow, "x32 read"},
		{tokenX86_64, x32Bit | 165, [6]uint64{}, eperm, "x32 mount"},
		{tokenAArch64, 63, [6]uint64{}, retKillThread, "aarch64 is not in the filter"},
	})
}

func TestDockerDefaultCapsAndKernel(t *testing.T) {
	admin := Options{Arches: []seccomp.ScmpArch{seccomp.ArchAMD64}, Caps: append([]string{"CAP_SYS_ADMIN"}, dockerCaps...), KernelVersion: "6.1.0"}
	decide(t, compileProfile(t, DefaultProfile, admin), []call{
		{tokenX86_64, 165, [6]uint64{}, retAllow, "mount with CAP_SYS_ADMIN"},
		{tokenX86_64, 56, [6]uint64{0x20000}, retAllow, "clone(CLONE_NEWNS) with CAP_SYS_ADMIN"},
		{tokenX86_64, 435, [6]uint64{}, retAllow, "clone3 with CAP_SYS_ADMIN"},
	})
	old := Options{Arches: []seccomp.ScmpArch{seccomp.ArchAMD64}, Caps: dockerCaps, KernelVersion: "4.4"}
	decide(t, compileProfile(t, DefaultProfile, old), []call{
		{tokenX86_64, 101, [6]uint64{}, retErrno | 1, "ptrace before 4.8"},
		{tokenX86_64, 0, [6]uint64{}, retAllow, "read before 4.8"},
	})
}

func TestDockerDefaultARM64(t *testing.T) {
	opts := Options{Arches: []seccomp.ScmpArch{seccomp.ArchARM64}, Caps: dockerCaps, KernelVersion: "6.1"}
	_, f := newTestFilter(t, DefaultProfile, opts)
	for _, a := range []seccomp.ScmpArch{seccomp.ArchARM64, seccomp.ArchARM} {
		if ok, err := f.IsArchPresent(a); err != nil || !ok {
			t.Errorf("arch %v present = %v, %v; want true", a, ok, err)
		}
	}
	if native, err := seccomp.GetNativeArch(); err == nil && native != seccomp.ArchARM64 && native != seccomp.ArchARM {
		if ok, _ := f.IsArchPresent(native); ok {
			t.Errorf("native arch %v is in a filter built for arm64", native)
		}
	}
	// arm64 and arm are little-endian.
	decide(t, program(t, f), []call{
		{tokenAArch64, 63, [6]uint64{}, retAllow, "aarch64 read"},
		{tokenAArch64, 40, [6]uint64{}, retErrno | 1, "aarch64 mount"},
		{tokenARM, 3, [6]uint64{}, retAllow, "arm read"},
		{tokenARM, 0x0f0002, [6]uint64{}, retAllow, "arm cacheflush"},
		{tokenX86_64, 0, [6]uint64{}, retKillThread, "x86_64 is not in the filter"},
	})
}

func TestNewFilterRuncSemantics(t *testing.T) {
	amd := []seccomp.ScmpArch{seccomp.ArchAMD64}
	var warnings []string
	opts := Options{Arches: amd, Warn: func(m string) { warnings = append(warnings, m) }}
	spec := mustSpec(t, `{
		"defaultAction": "SCMP_ACT_ERRNO",
		"syscalls": [
			{"names": ["read", "no_such_syscall"], "action": "SCMP_ACT_ALLOW"},
			{"names": ["write"], "action": "SCMP_ACT_ERRNO"},
			{"names": ["getpid"], "action": "SCMP_ACT_KILL"},
			{"names": ["getppid"], "action": "SCMP_ACT_KILL_PROCESS"},
			{"names": ["getuid"], "action": "SCMP_ACT_TRACE", "errnoRet": 7},
			{"names": ["getgid"], "action": "SCMP_ACT_TRAP"},
			{"names": ["geteuid"], "action": "SCMP_ACT_LOG"},
			{"names": ["getegid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38},
			{"names": ["dup"], "action": "SCMP_ACT_ALLOW", "args": [
				{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"},
				{"index": 0, "value": 2, "op": "SCMP_CMP_EQ"}]},
			{"names": ["dup2"], "action": "SCMP_ACT_ALLOW", "args": [
				{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"},
				{"index": 1, "value": 2, "op": "SCMP_CMP_EQ"}]},
			{"names": ["kill"], "action": "SCMP_ACT_ALLOW", "args": [
				{"index": 1, "value": 255, "valueTwo": 9, "op": "SCMP_CMP_MASKED_EQ"}]}
		]
	}`)
	f, err := NewFilter(spec, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Release()
	if len(warnings) != 1 || warnings[0] != `syscalls[0].names[1]: libseccomp does not know "no_such_syscall", so the rule is skipped, as runc skips it; check the spelling` {
		t.Errorf("warnings = %q, want one about no_such_syscall", warnings)
	}
	eperm := uint32(retErrno | 1)
	decide(t, program(t, f), []call{
		{tokenX86_64, 0, [6]uint64{}, retAllow, "read"},
		{tokenX86_64, 1, [6]uint64{}, eperm, "write: rule with the default action, skipped"},
		{tokenX86_64, 39, [6]uint64{}, retKillThread, "getpid: KILL is KILL_THREAD"},
		{tokenX86_64, 110, [6]uint64{}, retKillProcess, "getppid: KILL_PROCESS"},
		{tokenX86_64, 102, [6]uint64{}, retTrace | 7, "getuid: TRACE with errnoRet"},
		{tokenX86_64, 104, [6]uint64{}, retTrap, "getgid: TRAP"},
		{tokenX86_64, 107, [6]uint64{}, retLog, "geteuid: LOG"},
		{tokenX86_64, 108, [6]uint64{}, retErrno | 38, "getegid: errnoRet"},
		{tokenX86_64, 32, [6]uint64{1}, retAllow, "dup(1): first of ORed conditions"},
		{tokenX86_64, 32, [6]uint64{2}, retAllow, "dup(2): second of ORed conditions"},
		{tokenX86_64, 32, [6]uint64{3}, eperm, "dup(3): neither"},
		{tokenX86_64, 33, [6]uint64{1, 2}, retAllow, "dup2(1, 2): ANDed conditions"},
		{tokenX86_64, 33, [6]uint64{1, 3}, eperm, "dup2(1, 3): second fails"},
		{tokenX86_64, 33, [6]uint64{0, 2}, eperm, "dup2(0, 2): first fails"},
		{tokenX86_64, 62, [6]uint64{0, 0x109}, retAllow, "kill: masked equal"},
		{tokenX86_64, 62, [6]uint64{0, 0x10f}, eperm, "kill: masked not equal"},
		{tokenX86_64, 60, [6]uint64{}, eperm, "exit: default"},
	})
}

func TestNewFilterAttributes(t *testing.T) {
	amd := []seccomp.ScmpArch{seccomp.ArchAMD64}
	tests := []struct {
		name               string
		spec               string
		opts               Options
		log, ssbSet, nnp   bool
		ssbIsKernelDefault bool
	}{
		{name: "no flags field", spec: `{"defaultAction": "SCMP_ACT_ALLOW"}`, ssbIsKernelDefault: true},
		{name: "empty flags", spec: `{"defaultAction": "SCMP_ACT_ALLOW", "flags": []}`},
		{name: "log", spec: `{"defaultAction": "SCMP_ACT_ALLOW", "flags": ["SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_TSYNC"]}`, log: true},
		{name: "spec allow", spec: `{"defaultAction": "SCMP_ACT_ALLOW", "flags": ["SECCOMP_FILTER_FLAG_SPEC_ALLOW"]}`, ssbSet: true},
		{name: "no_new_privs", spec: `{"defaultAction": "SCMP_ACT_ALLOW", "flags": []}`, opts: Options{NoNewPrivs: true}, nnp: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.Arches = amd
			f, err := NewFilter(mustSpec(t, tt.spec), tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Release()
			if got, err := f.GetLogBit(); err != nil || got != tt.log {
				t.Errorf("log bit = %v, %v; want %v", got, err, tt.log)
			}
			if got, err := f.GetNoNewPrivsBit(); err != nil || got != tt.nnp {
				t.Errorf("no_new_privs bit = %v, %v; want %v", got, err, tt.nnp)
			}
			got, err := f.GetSSB()
			if err != nil {
				t.Fatal(err)
			}
			want := tt.ssbSet
			if tt.ssbIsKernelDefault {
				// runc: SPEC_ALLOW where the kernel has it.
				want, _ = kernel.FlagSupported(kernel.FlagSpecAllow)
			}
			if got != want {
				t.Errorf("SSB = %v, want %v", got, want)
			}
		})
	}
}

func TestNewFilterWaitKill(t *testing.T) {
	spec := mustSpec(t, `{"defaultAction": "SCMP_ACT_ALLOW", "flags": ["SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"]}`)
	f, err := NewFilter(spec, Options{Arches: []seccomp.ScmpArch{seccomp.ArchAMD64}})
	if err != nil {
		// libseccomp refuses the attribute below API level 7.
		if api, _ := seccomp.GetAPI(); api < 7 {
			t.Skipf("API level %d: %v", api, err)
		}
		t.Fatal(err)
	}
	defer f.Release()
	if got, err := f.GetWaitKill(); err != nil || !got {
		t.Errorf("wait-kill = %v, %v; want true", got, err)
	}
}

func TestNewFilterTooLong(t *testing.T) {
	// Scattered values, so that no range or mask test can cover two at
	// once: every one needs a comparison of its own.
	v := uint32(1)
	scattered := func() string {
		var args []string
		for i := range 6 {
			v = v*1664525 + 1013904223
			args = append(args, fmt.Sprintf(`{"index": %d, "value": %d, "op": "SCMP_CMP_EQ"}`, i, v))
		}
		return strings.Join(args, ",")
	}
	var entries []string
	for _, name := range []string{"ioctl", "fcntl", "prctl", "setsockopt", "getsockopt", "madvise", "mprotect", "kill"} {
		for range 200 {
			entries = append(entries, `{"names": ["`+name+`"], "action": "SCMP_ACT_ERRNO", "args": [`+scattered()+`]}`)
		}
	}
	spec := mustSpec(t, `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [`+strings.Join(entries, ",")+`]}`)
	_, err := NewFilter(spec, Options{Arches: []seccomp.ScmpArch{seccomp.ArchAMD64}})
	if err == nil {
		t.Fatal("1600 rules of 6 distinct comparisons compiled into one filter")
	}
	if !errors.Is(err, ErrTooLong) {
		t.Errorf("error %q does not wrap ErrTooLong", err)
	}
	if !strings.Contains(err.Error(), "4096") {
		t.Errorf("error %q does not say what the limit is", err)
	}
}

// TestRuleLimits checks that profiles making more rules than a filter
// could hold are refused, with the entry that passes the limit, before
// the rules are made.
func TestRuleLimits(t *testing.T) {
	names := func(n int) string { return strings.TrimSuffix(strings.Repeat(`"read",`, n), ",") }
	args := func(n int) string {
		var a []string
		for i := range n {
			a = append(a, fmt.Sprintf(`{"index": 0, "value": %d, "op": "SCMP_CMP_EQ"}`, i))
		}
		return strings.Join(a, ",")
	}
	tests := []struct {
		syscalls string
		field    string
		limit    int
	}{
		{`{"names": [` + names(MaxRules) + `], "action": "SCMP_ACT_ERRNO"}, {"names": ["write"], "action": "SCMP_ACT_ERRNO"}`, "syscalls[1]", MaxRules},
		// an argument compared twice: one rule per name and comparison,
		// here 10^10
		{`{"names": [` + names(100000) + `], "action": "SCMP_ACT_ERRNO", "args": [` + args(100000) + `]}`, "syscalls[0]", MaxRules},
		{`{"names": [` + names(MaxConditionalRules+1) + `], "action": "SCMP_ACT_ERRNO", "args": [` + args(1) + `]}`, "syscalls[0]", MaxConditionalRules},
		{`{"names": ["ioctl"], "action": "SCMP_ACT_ERRNO", "args": [` + args(MaxConditionalRulesPerSyscall) + `]}, {"names": ["ioctl"], "action": "SCMP_ACT_TRAP", "args": [` + args(1) + `]}`, "syscalls[1].names[0]", MaxConditionalRulesPerSyscall},
	}
	for _, tt := range tests {
		spec := mustSpec(t, `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [`+tt.syscalls+`]}`)
		_, err := NewFilter(spec, Options{Arches: []seccomp.ScmpArch{seccomp.ArchAMD64}})
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != tt.field || !strings.Contains(fe.Reason, fmt.Sprint(tt.limit)) {
			t.Errorf("error %v; want one for %s naming the limit %d", err, tt.field, tt.limit)
		}
	}
	// At the limits, the profile is accepted.
	spec := mustSpec(t, `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["ioctl"], "action": "SCMP_ACT_ERRNO", "args": [`+args(MaxConditionalRulesPerSyscall)+`]}]}`)
	f, err := NewFilter(spec, Options{Arches: []seccomp.ScmpArch{seccomp.ArchAMD64}})
	if err != nil {
		t.Fatalf("%d rules with args for one syscall: %v", MaxConditionalRulesPerSyscall, err)
	}
	f.Release()
}

func TestNewFilterBadSpec(t *testing.T) {
	spec := &specs.LinuxSeccomp{
		DefaultAction: specs.ActAllow,
		Syscalls:      []specs.LinuxSyscall{{Names: []string{"kill"}, Action: specs.ActErrno, Args: []specs.LinuxSeccompArg{{Index: 6, Op: specs.OpEqualTo}}}},
	}
	_, err := NewFilter(spec, Options{})
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Field != "syscalls[0].args[0].index" {
		t.Errorf("error %v, want a FieldError on syscalls[0].args[0].index", err)
	}
	mixed := &specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Architectures: []specs.Arch{specs.ArchX86, specs.ArchS390X}}
	_, err = NewFilter(mixed, Options{Arches: []seccomp.ScmpArch{seccomp.ArchAMD64}})
	if !errors.As(err, &fe) || fe.Field != "architectures[1]" || !strings.Contains(err.Error(), "byte order") {
		t.Errorf("mixed byte orders: error %v, want a FieldError on architectures[1] about byte order", err)
	}
	if _, err := NewFilter(nil, Options{}); err == nil {
		t.Error("nil spec: no error")
	}
}

func TestDockerDefaultS390X(t *testing.T) {
	const tokenS390X = 0x80000016
	opts := Options{Arches: []seccomp.ScmpArch{seccomp.ArchS390X}, Caps: dockerCaps, KernelVersion: "6.1"}
	_, f := newTestFilter(t, DefaultProfile, opts)
	// s390x is big-endian: the program comes out in its byte order.
	p := programIn(t, f, binary.BigEndian)
	eperm := uint32(retErrno | 1)
	decideIn(t, p, binary.BigEndian, []call{
		{tokenS390X, 3, [6]uint64{}, retAllow, "s390x read"},
		{tokenS390X, 21, [6]uint64{}, eperm, "s390x mount"},
		{tokenS390X, 120, [6]uint64{0x20000, 17}, retAllow, "s390x clone: flags are the second argument"},
		{tokenS390X, 120, [6]uint64{0, 0x20000}, eperm, "s390x clone(CLONE_NEWNS)"},
		{tokenS390X, 342, [6]uint64{}, retAllow, "s390x s390_runtime_instr"},
	})
}

func BenchmarkDockerDefault(b *testing.B) {
	benchmarkBuild(b, Options{Arches: []seccomp.ScmpArch{seccomp.ArchAMD64}, Caps: dockerCaps, KernelVersion: "6.1"})
}

// TestShadowedRules checks that rules an earlier rule for the same
// syscall makes useless are reported with their field, and only those.
func TestShadowedRules(t *testing.T) {
	spec := mustSpec(t, `{
		"defaultAction": "SCMP_ACT_ALLOW",
		"architectures": ["SCMP_ARCH_X86"],
		"syscalls": [
			{"names": ["mount"], "action": "SCMP_ACT_ERRNO"},
			{"names": ["umount2", "mount"], "action": "SCMP_ACT_KILL"},
			{"names": ["personality"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}]},
			{"names": ["personality"], "action": "SCMP_ACT_TRAP"},
			{"names": ["socket"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 38, "op": "SCMP_CMP_LT"}]},
			{"names": ["socket"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 40, "op": "SCMP_CMP_GT"}]},
			{"names": ["getpid"], "action": "SCMP_ACT_ERRNO"},
			{"names": ["getpid"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}]},
			{"names": ["getpid"], "action": "SCMP_ACT_ERRNO"}
		]
	}`)
	var got []Warning
	f, err := NewFilter(spec, Options{Arches: []seccomp.ScmpArch{seccomp.ArchAMD64}, OnWarning: func(w Warning) { got = append(got, w) }})
	if err != nil {
		t.Fatal(err)
	}
	f.Release()
	want := []struct{ field, text string }{
		{"syscalls[1].names[1]", "never applies: an earlier rule for mount (syscalls[0])"},
		{"syscalls[3].names[0]", "replaces the earlier rules for personality with args (syscalls[2])"},
	}
	if len(got) != len(want) {
		t.Fatalf("warnings %v, want %d", got, len(want))
	}
	for i, w := range got {
		if w.Kind != ShadowedRule || w.Field != want[i].field || !strings.Contains(w.Reason, want[i].text) {
			t.Errorf("warning %d: %+v, want %s: ...%s...", i, w, want[i].field, want[i].text)
		}
	}
}

// TestDefaultProfileNoWarnings checks that Docker's profile, for any
// capability set, has no rule that another rule overrules: those that
// repeat another's decision are not reported.
func TestDefaultProfileNoWarnings(t *testing.T) {
	for _, caps := range [][]string{{}, DockerDefaultCapabilities(), AllCapabilities()} {
		var got []Warning
		opts := Options{Arches: []seccomp.ScmpArch{seccomp.ArchAMD64}, Caps: caps, KernelVersion: "6.1", OnWarning: func(w Warning) { got = append(got, w) }}
		spec, _, err := Parse(DefaultProfile, opts)
		if err != nil {
			t.Fatal(err)
		}
		f, err := NewFilter(spec, opts)
		if err != nil {
			t.Fatal(err)
		}
		f.Release()
		if len(got) > 0 {
			t.Errorf("caps %q: warnings %v", caps, got)
		}
	}
}

// TestMixedByteOrders checks that architectures of two byte orders are
// refused with a message that says so.
func TestMixedByteOrders(t *testing.T) {
	spec := mustSpec(t, `{"defaultAction": "SCMP_ACT_ALLOW"}`)
	_, err := NewFilter(spec, Options{Arches: []seccomp.ScmpArch{seccomp.ArchAMD64, seccomp.ArchS390X}})
	if err == nil || !strings.Contains(err.Error(), "Options.Arches[1]: s390x and x86_64 have different byte orders") && !strings.Contains(err.Error(), "SCMP_ARCH_S390X and SCMP_ARCH_X86_64 have different byte orders") {
		t.Errorf("error %v, want one about byte orders", err)
	}
}
