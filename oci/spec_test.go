package oci

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	seccomp "github.com/seccomp-go/seccomp"
)

func mustSpec(t *testing.T, js string) *specs.LinuxSeccomp {
	t.Helper()
	var s specs.LinuxSeccomp
	if err := json.Unmarshal([]byte(js), &s); err != nil {
		t.Fatal(err)
	}
	return &s
}

// ruleString renders a rule of p compactly for comparisons.
func ruleString(p *plan, r *rule) string {
	s := fmt.Sprintf("%s %#x", p.name(r), uint(p.action(r).value()))
	for _, c := range p.conditions(r) {
		s += fmt.Sprintf(" a%d%v%d/%d", c.Argument, c.Op, c.Operand1, c.Operand2)
	}
	return s
}

func TestPlanRuncSemantics(t *testing.T) {
	// libseccomp-golang's action encoding: the action in the low 16
	// bits, errno or trace data in the next 16.
	const (
		kill      = uint(seccomp.ActKillThread)
		killProc  = uint(seccomp.ActKillProcess)
		errno     = uint(seccomp.ActErrno)
		trace     = uint(seccomp.ActTrace)
		allow     = uint(seccomp.ActAllow)
		notify    = uint(seccomp.ActNotify)
		eq        = seccomp.CompareEqual
		ne        = seccomp.CompareNotEqual
		maskedEq  = seccomp.CompareMaskedEqual
		eperm     = 1 << 16
		enosys    = 38 << 16
		traceData = 7 << 16
	)
	tests := []struct {
		name    string
		spec    string
		def     uint
		rules   []string
		arches  []seccomp.ScmpArch
		flags   planFlags
		comment string
	}{
		{
			name:    "KILL is KILL_THREAD",
			spec:    `{"defaultAction": "SCMP_ACT_KILL", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_KILL_PROCESS"}]}`,
			def:     kill,
			rules:   []string{fmt.Sprintf("read %#x", killProc)},
			comment: "SCMP_ACT_KILL maps to the thread kill",
		},
		{
			name:  "errnoRet defaults to EPERM",
			spec:  `{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38}, {"names": ["write"], "action": "SCMP_ACT_TRACE"}]}`,
			def:   errno | eperm,
			rules: []string{fmt.Sprintf("read %#x", errno|enosys), fmt.Sprintf("write %#x", trace|eperm)},
		},
		{
			name:  "defaultErrnoRet",
			spec:  `{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 38, "syscalls": [{"names": ["read"], "action": "SCMP_ACT_TRACE", "errnoRet": 7}]}`,
			def:   errno | enosys,
			rules: []string{fmt.Sprintf("read %#x", trace|traceData)},
		},
		{
			name: "rules with the default action are skipped",
			spec: `{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
				{"names": ["a", "b"], "action": "SCMP_ACT_ERRNO"},
				{"names": ["c"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1},
				{"names": ["d"], "action": "SCMP_ACT_ERRNO", "errnoRet": 2},
				{"names": ["e"], "action": "SCMP_ACT_ALLOW"}]}`,
			def:   errno | eperm,
			rules: []string{fmt.Sprintf("d %#x", errno|2<<16), fmt.Sprintf("e %#x", allow)},
		},
		{
			name: "conditions on distinct arguments are ANDed in one rule",
			spec: `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["socket"], "action": "SCMP_ACT_ERRNO",
				"args": [{"index": 0, "value": 40, "op": "SCMP_CMP_EQ"}, {"index": 1, "value": 3, "valueTwo": 1, "op": "SCMP_CMP_MASKED_EQ"}]}]}`,
			def: allow,
			rules: []string{
				fmt.Sprintf("socket %#x a0%v40/0 a1%v3/1", errno|eperm, eq, maskedEq),
			},
		},
		{
			name: "a repeated argument becomes one rule per condition",
			spec: `{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["personality", "x"], "action": "SCMP_ACT_ALLOW",
				"args": [{"index": 0, "value": 0, "op": "SCMP_CMP_EQ"}, {"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}, {"index": 1, "value": 5, "op": "SCMP_CMP_NE"}]}]}`,
			def: errno | eperm,
			rules: []string{
				fmt.Sprintf("personality %#x a0%v0/0", allow, eq),
				fmt.Sprintf("personality %#x a0%v8/0", allow, eq),
				fmt.Sprintf("personality %#x a1%v5/0", allow, ne),
				fmt.Sprintf("x %#x a0%v0/0", allow, eq),
				fmt.Sprintf("x %#x a0%v8/0", allow, eq),
				fmt.Sprintf("x %#x a1%v5/0", allow, ne),
			},
		},
		{
			name:  "NOTIFY on other syscalls",
			spec:  `{"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "/run/a.sock", "listenerMetadata": "m", "syscalls": [{"names": ["mount"], "action": "SCMP_ACT_NOTIFY"}]}`,
			def:   allow,
			rules: []string{fmt.Sprintf("mount %#x", notify)},
		},
		{
			name:   "architectures in order without repeats",
			spec:   `{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86", "SCMP_ARCH_X32", "SCMP_ARCH_X86"]}`,
			def:    allow,
			arches: []seccomp.ScmpArch{seccomp.ArchX86, seccomp.ArchX32},
		},
		{
			name:  "no flags field: runc's default",
			spec:  `{"defaultAction": "SCMP_ACT_ALLOW"}`,
			def:   allow,
			flags: planFlags{},
		},
		{
			name:  "empty flags: none",
			spec:  `{"defaultAction": "SCMP_ACT_ALLOW", "flags": []}`,
			def:   allow,
			flags: planFlags{explicit: true},
		},
		{
			name:  "every flag",
			spec:  `{"defaultAction": "SCMP_ACT_ALLOW", "flags": ["SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"]}`,
			def:   allow,
			flags: planFlags{explicit: true, log: true, specAllow: true, waitKill: true},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := newPlan(mustSpec(t, tt.spec))
			if err != nil {
				t.Fatal(err)
			}
			if uint(p.def.value()) != tt.def {
				t.Errorf("default = %#x, want %#x", uint(p.def.value()), tt.def)
			}
			var got []string
			for i := range p.rules {
				got = append(got, ruleString(p, &p.rules[i]))
			}
			if !slices.Equal(got, tt.rules) {
				t.Errorf("rules:\n got %q\nwant %q", got, tt.rules)
			}
			if !slices.Equal(p.arches, tt.arches) {
				t.Errorf("arches = %v, want %v", p.arches, tt.arches)
			}
			if p.flags != tt.flags {
				t.Errorf("flags = %+v, want %+v", p.flags, tt.flags)
			}
		})
	}
}

func TestPlanNil(t *testing.T) {
	if err := Validate(nil); err == nil {
		t.Error("Validate(nil) gave no error")
	}
}

func TestBoundingSet(t *testing.T) {
	status := "Name:\tcat\nCapInh:\t0000000000000000\nCapPrm:\t0000000000000000\nCapBnd:\t00000000a80425fb\nCapAmb:\t0000000000000000\n"
	mask, err := boundingSet([]byte(status))
	if err != nil {
		t.Fatal(err)
	}
	if mask != 0xa80425fb {
		t.Fatalf("mask = %#x", mask)
	}
	// 0xa80425fb is Docker's default capability set.
	want := []string{"CAP_AUDIT_WRITE", "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_MKNOD",
		"CAP_NET_BIND_SERVICE", "CAP_NET_RAW", "CAP_SETFCAP", "CAP_SETGID", "CAP_SETPCAP", "CAP_SETUID", "CAP_SYS_CHROOT"}
	var got []string
	for c := range capsFromMask(mask) {
		got = append(got, c)
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("caps = %v\nwant %v", got, want)
	}
	if _, err := boundingSet([]byte("Name:\tx\n")); err == nil {
		t.Error("no CapBnd line: no error")
	}
	if _, err := boundingSet([]byte("CapBnd:\tzz\n")); err == nil {
		t.Error("bad CapBnd: no error")
	}
}

func TestDefaultCapsAndKernel(t *testing.T) {
	var o Options
	if _, err := o.capSet(); err != nil {
		t.Errorf("reading this process's bounding set: %v", err)
	}
	k, err := o.kernel()
	if err != nil {
		t.Fatal(err)
	}
	if k.major < 3 {
		t.Errorf("running kernel %+v: seccomp filters need 3.5 or later", k)
	}
}

func TestParseMinKernel(t *testing.T) {
	tests := []struct {
		in   string
		want kernelVersion
		ok   bool
	}{
		{"4.8", kernelVersion{4, 8}, true},
		{"5.15", kernelVersion{5, 15}, true},
		{"0.1", kernelVersion{0, 1}, true},
		{"0.0", kernelVersion{}, false},
		{"5.15.1", kernelVersion{}, false},
		{"4", kernelVersion{}, false},
		{"4.256", kernelVersion{}, false},
		{"4.-1", kernelVersion{}, false},
		{"", kernelVersion{}, false},
	}
	for _, tt := range tests {
		got, err := parseMinKernel(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("parseMinKernel(%q) = %v, %v; want %v, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestParseKernelVersion(t *testing.T) {
	tests := []struct {
		in   string
		want kernelVersion
		ok   bool
	}{
		{"4.8", kernelVersion{4, 8}, true},
		{"5.15.0", kernelVersion{5, 15}, true},
		{"6.1.0-18-amd64", kernelVersion{6, 1}, true},
		{"6.8.0+", kernelVersion{6, 8}, true},
		{"4", kernelVersion{}, false},
		{"four.eight", kernelVersion{}, false},
		{"4.8x", kernelVersion{}, false},
		{"", kernelVersion{}, false},
	}
	for _, tt := range tests {
		got, err := parseKernelVersion(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("parseKernelVersion(%q) = %v, %v; want %v, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestResolveActionLimits(t *testing.T) {
	// The largest data each action takes: ERRNO stops below MAX_ERRNO,
	// TRACE at the 16 bits of SECCOMP_RET_DATA.
	for _, tt := range []struct {
		act specs.LinuxSeccompAction
		ret uint
	}{
		{specs.ActErrno, 4094},
		{specs.ActTrace, 4095},
		{specs.ActTrace, 0xffff},
	} {
		got, err := resolveAction("action", "errnoRet", tt.act, &tt.ret)
		if err != nil || got.data != uint16(tt.ret) {
			t.Errorf("%s with errnoRet %d = %+v, %v; want data %d", tt.act, tt.ret, got, err, tt.ret)
		}
	}
}

func TestABIOf(t *testing.T) {
	for a := seccomp.ArchX86; isArch(a); a++ {
		abi := abiOf(a)
		if got, err := seccomp.GetArchFromString(abi.Name); err != nil || got != a {
			t.Errorf("abiOf(%v) = %s, which names %v (%v)", a, abi.Name, got, err)
		}
	}
	if isArch(seccomp.ArchNative) || isArch(seccomp.ArchInvalid) || isArch(seccomp.ArchSHEB+1) {
		t.Error("isArch accepts a value that names no architecture")
	}
}

func TestArchIn(t *testing.T) {
	for _, tt := range []struct {
		name string
		a    seccomp.ScmpArch
		want bool
	}{
		{"amd64", seccomp.ArchAMD64, true},
		{"x86_64", seccomp.ArchAMD64, false},
		{"x86", seccomp.ArchX86, true},
		{"386", seccomp.ArchX86, true},
		{"mipsel", seccomp.ArchMIPSEL, true},
		{"mipsle", seccomp.ArchMIPSEL, true},
		{"mipsel64", seccomp.ArchMIPSEL64, true},
		{"mips64le", seccomp.ArchMIPSEL64, true},
		{"loong64", seccomp.ArchLOONGARCH64, true},
		{"loongarch64", seccomp.ArchLOONGARCH64, true},
		{"386", seccomp.ArchAMD64, false},
		{"arm", seccomp.ArchARM64, false},
	} {
		if got := archIn([]string{"s390x", tt.name}, tt.a); got != tt.want {
			t.Errorf("archIn(%q, %v) = %v, want %v", tt.name, tt.a, got, tt.want)
		}
	}
}
