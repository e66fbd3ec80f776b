package oci

import (
	"errors"
	"slices"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	seccomp "github.com/seccomp-go/seccomp"
)

func TestParseFormat(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Format
	}{
		{"oci", `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["kill"],"action":"SCMP_ACT_ERRNO"}]}`, FormatOCI},
		{"oci empty", `{"defaultAction":"SCMP_ACT_ALLOW"}`, FormatOCI},
		{"config.json", `{"ociVersion":"1.3.0","linux":{"seccomp":{"defaultAction":"SCMP_ACT_ALLOW"}}}`, FormatOCI},
		{"docker archMap", `{"defaultAction":"SCMP_ACT_ALLOW","archMap":[{"architecture":"SCMP_ARCH_X86_64","subArchitectures":null}]}`, FormatDocker},
		{"docker name", `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"name":"kill","action":"SCMP_ACT_ERRNO"}]}`, FormatDocker},
		{"docker includes", `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["kill"],"action":"SCMP_ACT_ERRNO","includes":{}}]}`, FormatDocker},
		{"docker comment", `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["kill"],"action":"SCMP_ACT_ERRNO","comment":"no"}]}`, FormatDocker},
		{"podman defaultErrno", `{"defaultAction":"SCMP_ACT_ERRNO","defaultErrno":"ENOSYS"}`, FormatPodman},
		{"podman errno", `{"defaultAction":"SCMP_ACT_ALLOW","archMap":[],"syscalls":[{"names":["kill"],"action":"SCMP_ACT_ERRNO","errno":"EPERM"}]}`, FormatPodman},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, f, err := ParseProfile([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if f != tt.want {
				t.Errorf("format = %v, want %v", f, tt.want)
			}
		})
	}
}

// amd64 resolves profiles for x86_64 with no capabilities on Linux 6.1.
var amd64 = Options{Arches: []seccomp.ScmpArch{seccomp.ArchAMD64}, Caps: []string{}, KernelVersion: "6.1.0-18-amd64"}

// names returns every syscall name of spec with its action, errnoRet and
// arg count, one string per name.
func entryOf(spec *specs.LinuxSeccomp, name string) []specs.LinuxSyscall {
	var out []specs.LinuxSyscall
	for _, s := range spec.Syscalls {
		if slices.Contains(s.Names, name) {
			out = append(out, s)
		}
	}
	return out
}

func TestDefaultProfile(t *testing.T) {
	p, f, err := ParseProfile(DefaultProfile)
	if err != nil {
		t.Fatal(err)
	}
	if f != FormatDocker {
		t.Errorf("format = %v, want docker", f)
	}
	if p.DefaultAction != specs.ActErrno || p.DefaultErrnoRet == nil || *p.DefaultErrnoRet != 1 {
		t.Errorf("default = %s %v, want SCMP_ACT_ERRNO 1", p.DefaultAction, p.DefaultErrnoRet)
	}
	if len(p.Syscalls) < 30 || len(p.Syscalls[0].Names) < 300 {
		t.Errorf("%d entries, first with %d names: not the whole profile", len(p.Syscalls), len(p.Syscalls[0].Names))
	}
}

func TestResolveDocker(t *testing.T) {
	withCaps := func(o Options, caps ...string) Options { o.Caps = caps; return o }
	withKernel := func(o Options, k string) Options { o.KernelVersion = k; return o }
	arm64 := amd64
	arm64.Arches = []seccomp.ScmpArch{seccomp.ArchARM64}
	s390x := amd64
	s390x.Arches = []seccomp.ScmpArch{seccomp.ArchS390X}
	x86 := amd64
	x86.Arches = []seccomp.ScmpArch{seccomp.ArchX86}

	type check struct {
		name    string
		entries int    // entries naming it
		action  string // action of the first, if any
	}
	tests := []struct {
		name   string
		opts   Options
		arches []specs.Arch
		checks []check
	}{
		{"amd64 no caps", amd64,
			[]specs.Arch{specs.ArchX86_64, specs.ArchX86, specs.ArchX32},
			[]check{
				{"read", 1, "SCMP_ACT_ALLOW"},
				{"arch_prctl", 1, "SCMP_ACT_ALLOW"},
				{"modify_ldt", 1, "SCMP_ACT_ALLOW"},
				{"s390_runtime_instr", 0, ""},
				{"breakpoint", 0, ""},
				{"mount", 0, ""},
				{"clone", 1, "SCMP_ACT_ALLOW"}, // the masked one, index 0
				{"clone3", 1, "SCMP_ACT_ERRNO"},
				{"ptrace", 1, "SCMP_ACT_ALLOW"}, // minKernel 4.8
				{"reboot", 0, ""},
				{"personality", 5, "SCMP_ACT_ALLOW"},
			}},
		{"amd64 old kernel", withKernel(amd64, "4.4.0"),
			nil,
			[]check{{"ptrace", 0, ""}, {"process_vm_readv", 0, ""}}},
		{"amd64 kernel 4.8", withKernel(amd64, "4.8"),
			nil,
			[]check{{"ptrace", 1, "SCMP_ACT_ALLOW"}}},
		{"amd64 CAP_SYS_ADMIN", withCaps(amd64, "CAP_SYS_ADMIN"),
			nil,
			[]check{{"mount", 1, "SCMP_ACT_ALLOW"}, {"clone", 1, "SCMP_ACT_ALLOW"}, {"clone3", 1, "SCMP_ACT_ALLOW"}, {"syslog", 1, "SCMP_ACT_ALLOW"}}},
		{"amd64 caps without prefix", withCaps(amd64, "sys_boot", "sys_ptrace"),
			nil,
			[]check{{"reboot", 1, "SCMP_ACT_ALLOW"}, {"ptrace", 2, "SCMP_ACT_ALLOW"}, {"kcmp", 1, "SCMP_ACT_ALLOW"}}},
		{"arm64", arm64,
			[]specs.Arch{specs.ArchAARCH64, specs.ArchARM},
			[]check{{"arch_prctl", 0, ""}, {"breakpoint", 1, "SCMP_ACT_ALLOW"}, {"set_tls", 1, "SCMP_ACT_ALLOW"}}},
		{"s390x", s390x,
			[]specs.Arch{specs.ArchS390X, specs.ArchS390},
			[]check{{"s390_runtime_instr", 1, "SCMP_ACT_ALLOW"}, {"clone", 1, "SCMP_ACT_ALLOW"}}},
		{"x86 has no archMap entry", x86,
			nil,
			[]check{{"modify_ldt", 1, "SCMP_ACT_ALLOW"}, {"arch_prctl", 0, ""}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec, f, err := Parse(DefaultProfile, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if f != FormatDocker {
				t.Errorf("format = %v", f)
			}
			if tt.arches != nil && !slices.Equal(spec.Architectures, tt.arches) {
				t.Errorf("architectures = %v, want %v", spec.Architectures, tt.arches)
			}
			if tt.name == "x86 has no archMap entry" && len(spec.Architectures) != 0 {
				t.Errorf("architectures = %v, want none", spec.Architectures)
			}
			for _, c := range tt.checks {
				got := entryOf(spec, c.name)
				if len(got) != c.entries {
					t.Errorf("%s: %d entries, want %d", c.name, len(got), c.entries)
					continue
				}
				if len(got) > 0 && string(got[0].Action) != c.action {
					t.Errorf("%s: action %s, want %s", c.name, got[0].Action, c.action)
				}
			}
		})
	}

	// The s390 clone rule compares argument 1, the others argument 0.
	spec, _, err := Parse(DefaultProfile, s390x)
	if err != nil {
		t.Fatal(err)
	}
	if c := entryOf(spec, "clone"); len(c) != 1 || len(c[0].Args) != 1 || c[0].Args[0].Index != 1 || c[0].Args[0].Op != specs.OpMaskedEqual {
		t.Errorf("s390x clone = %+v, want one masked comparison of argument 1", c)
	}
	spec, _, err = Parse(DefaultProfile, amd64)
	if err != nil {
		t.Fatal(err)
	}
	if c := entryOf(spec, "clone3"); len(c) != 1 || c[0].ErrnoRet == nil || *c[0].ErrnoRet != 38 {
		t.Errorf("clone3 = %+v, want ERRNO 38 (ENOSYS)", c)
	}
}

// resolvedNames resolves profile for opts and lists the syscall names
// of the entries that remain.
func resolvedNames(t *testing.T, profile string, opts Options) []string {
	t.Helper()
	spec, _, err := Parse([]byte(profile), opts)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range spec.Syscalls {
		names = append(names, s.Names...)
	}
	return names
}

func TestResolveIncludesExcludes(t *testing.T) {
	profile := `{
		"defaultAction": "SCMP_ACT_ERRNO",
		"syscalls": [
			{"names": ["a"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_SYS_ADMIN", "CAP_NET_ADMIN"]}},
			{"names": ["b"], "action": "SCMP_ACT_ALLOW", "excludes": {"caps": ["CAP_SYS_ADMIN", "CAP_NET_ADMIN"]}},
			{"names": ["c"], "action": "SCMP_ACT_ALLOW", "includes": {"minKernel": "5.10"}},
			{"names": ["d"], "action": "SCMP_ACT_ALLOW", "excludes": {"minKernel": "5.10"}},
			{"names": ["e"], "action": "SCMP_ACT_ALLOW", "includes": {"arches": ["386"]}},
			{"name": "f", "action": "SCMP_ACT_ALLOW", "excludes": {"arches": ["amd64"]}},
			{"names": ["g"], "action": "SCMP_ACT_ALLOW", "args": [], "comment": "", "includes": {}, "excludes": {}}
		]
	}`
	tests := []struct {
		caps   []string
		kernel string
		arch   seccomp.ScmpArch
		want   []string
	}{
		{[]string{}, "5.9", seccomp.ArchAMD64, []string{"b", "d", "g"}},
		{[]string{"CAP_SYS_ADMIN"}, "5.10", seccomp.ArchAMD64, []string{"c", "g"}},
		{[]string{"CAP_SYS_ADMIN", "CAP_NET_ADMIN"}, "6.0", seccomp.ArchAMD64, []string{"a", "c", "g"}},
		{[]string{"CAP_NET_ADMIN"}, "5.4.0-150-generic", seccomp.ArchX86, []string{"d", "e", "f", "g"}},
		{[]string{}, "5.10", seccomp.ArchX86, []string{"b", "c", "e", "f", "g"}},
	}
	for _, tt := range tests {
		got := resolvedNames(t, profile, Options{Caps: tt.caps, KernelVersion: tt.kernel, Arches: []seccomp.ScmpArch{tt.arch}})
		if !slices.Equal(got, tt.want) {
			t.Errorf("caps %v, kernel %s, arch %v: got %v, want %v", tt.caps, tt.kernel, tt.arch, got, tt.want)
		}
	}
}

func TestResolveMixedSelectors(t *testing.T) {
	// includes needs all its criteria, excludes drops on any one.
	profile := `{
		"defaultAction": "SCMP_ACT_ERRNO",
		"syscalls": [
			{"names": ["a"], "action": "SCMP_ACT_ALLOW", "includes": {"arches": ["amd64"], "caps": ["CAP_SYS_ADMIN"], "minKernel": "5.10"}},
			{"names": ["b"], "action": "SCMP_ACT_ALLOW", "excludes": {"arches": ["x86"], "caps": ["CAP_SYS_ADMIN"], "minKernel": "5.10"}},
			{"names": ["c"], "action": "SCMP_ACT_ALLOW", "includes": {"arches": ["amd64"]}, "excludes": {"caps": ["CAP_NET_ADMIN"]}}
		]
	}`
	tests := []struct {
		caps   []string
		kernel string
		arch   seccomp.ScmpArch
		want   []string
	}{
		{[]string{"CAP_SYS_ADMIN"}, "5.10", seccomp.ArchAMD64, []string{"a", "c"}},
		{[]string{"CAP_SYS_ADMIN"}, "5.9", seccomp.ArchAMD64, []string{"c"}},
		{[]string{}, "5.10", seccomp.ArchAMD64, []string{"c"}},
		{[]string{"CAP_SYS_ADMIN"}, "5.10", seccomp.ArchX86, nil},
		{[]string{}, "5.9", seccomp.ArchAMD64, []string{"b", "c"}},
		{[]string{}, "5.9", seccomp.ArchX86, nil},
		{[]string{"CAP_NET_ADMIN"}, "5.9", seccomp.ArchAMD64, []string{"b"}},
	}
	for _, tt := range tests {
		got := resolvedNames(t, profile, Options{Caps: tt.caps, KernelVersion: tt.kernel, Arches: []seccomp.ScmpArch{tt.arch}})
		if !slices.Equal(got, tt.want) {
			t.Errorf("caps %v, kernel %s, arch %v: got %v, want %v", tt.caps, tt.kernel, tt.arch, got, tt.want)
		}
	}
}

func TestResolvePodman(t *testing.T) {
	profile := `{
		"defaultAction": "SCMP_ACT_ERRNO",
		"defaultErrno": "ENOSYS",
		"syscalls": [
			{"names": ["a"], "action": "SCMP_ACT_ERRNO", "errno": "EPERM"},
			{"names": ["b"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13, "errno": "eacces"},
			{"names": ["c"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}
		]
	}`
	tests := []struct {
		arch    seccomp.ScmpArch
		def     uint
		errnoes []uint
	}{
		{seccomp.ArchAMD64, 38, []uint{1, 13, 1}},
		{seccomp.ArchARM64, 38, []uint{1, 13, 1}},
		{seccomp.ArchMIPSEL64, 89, []uint{1, 13, 1}},
		{seccomp.ArchPARISC, 251, []uint{1, 13, 1}},
	}
	for _, tt := range tests {
		opts := amd64
		opts.Arches = []seccomp.ScmpArch{tt.arch}
		spec, f, err := Parse([]byte(profile), opts)
		if err != nil {
			t.Fatal(err)
		}
		if f != FormatPodman {
			t.Errorf("format = %v", f)
		}
		if spec.DefaultErrnoRet == nil || *spec.DefaultErrnoRet != tt.def {
			t.Errorf("%v: defaultErrnoRet = %v, want %d", tt.arch, spec.DefaultErrnoRet, tt.def)
		}
		for i, want := range tt.errnoes {
			if r := spec.Syscalls[i].ErrnoRet; r == nil || *r != want {
				t.Errorf("%v: syscalls[%d].errnoRet = %v, want %d", tt.arch, i, r, want)
			}
		}
	}
}

func TestBadProfiles(t *testing.T) {
	tests := []struct {
		name      string
		in        string
		wantField string // FieldError.Field
		wantText  string // in the message
	}{
		{"malformed JSON", `{"defaultAction": "SCMP_ACT_ALLOW",`, "", "malformed JSON"},
		{"syntax error position", "{\n\"defaultAction\": SCMP_ACT_ALLOW}", "", "line 2"},
		{"trailing data", `{"defaultAction": "SCMP_ACT_ALLOW"} {}`, "", "after top-level value"},
		{"not an object", `["SCMP_ACT_ALLOW"]`, "", "JSON object"},
		{"empty", ``, "", "malformed JSON"},
		{"wrong type", `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["kill"], "action": "SCMP_ACT_ERRNO", "args": [{"index": "one", "value": 1, "op": "SCMP_CMP_EQ"}]}]}`, "syscalls.args.index", "string"},
		{"negative index", `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["kill"], "action": "SCMP_ACT_ERRNO", "args": [{"index": -1, "value": 1, "op": "SCMP_CMP_EQ"}]}]}`, "syscalls.args.index", "-1"},
		{"unknown default action", `{"defaultAction": "SCMP_ACT_DENY"}`, "defaultAction", `unknown action "SCMP_ACT_DENY"`},
		{"missing default action", `{"syscalls": []}`, "defaultAction", "no action"},
		{"unknown action", `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["kill"], "action": "SCMP_ACT_ALLOW"}, {"names": ["kill"], "action": "ALLOW"}]}`, "syscalls[1].action", `unknown action "ALLOW"`},
		{"unknown operator", `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["kill"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}, {"index": 1, "value": 1, "op": "SCMP_CMP_LIKE"}]}]}`, "syscalls[0].args[1].op", `unknown operator "SCMP_CMP_LIKE"`},
		{"index above 5", `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["a"], "action": "SCMP_ACT_ERRNO"}, {"names": ["b"], "action": "SCMP_ACT_ERRNO"}, {"names": ["c"], "action": "SCMP_ACT_ERRNO"}, {"names": ["kill"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 7, "value": 1, "op": "SCMP_CMP_EQ"}]}]}`, "syscalls[3].args[0].index", "7 is above 5"},
		{"unknown arch", `{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_VAX"]}`, "architectures[1]", `unknown architecture "SCMP_ARCH_VAX"`},
		{"lower-case arch", `{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["x86_64"]}`, "architectures[0]", "unknown architecture"},
		{"unknown archMap arch", `{"defaultAction": "SCMP_ACT_ALLOW", "archMap": [{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_I386"]}]}`, "archMap[0].subArchitectures[0]", "unknown architecture"},
		{"errnoRet on allow", `{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["kill"], "action": "SCMP_ACT_ALLOW", "errnoRet": 1}]}`, "syscalls[0].errnoRet", "SCMP_ACT_ALLOW takes no errnoRet"},
		{"defaultErrnoRet on kill", `{"defaultAction": "SCMP_ACT_KILL", "defaultErrnoRet": 1}`, "defaultErrnoRet", "SCMP_ACT_KILL takes no errnoRet"},
		{"errnoRet too big", `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["kill"], "action": "SCMP_ACT_ERRNO", "errnoRet": 5000}]}`, "syscalls[0].errnoRet", "takes errno values 0 to 4094, below the kernel's MAX_ERRNO (4095)"},
		{"errnoRet at MAX_ERRNO", `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["kill"], "action": "SCMP_ACT_ERRNO", "errnoRet": 4095}]}`, "syscalls[0].errnoRet", "takes errno values 0 to 4094, below the kernel's MAX_ERRNO (4095)"},
		{"trace data just too big", `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["kill"], "action": "SCMP_ACT_TRACE", "errnoRet": 65536}]}`, "syscalls[0].errnoRet", "16 bits"},
		{"trace data too big", `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["kill"], "action": "SCMP_ACT_TRACE", "errnoRet": 70000}]}`, "syscalls[0].errnoRet", "16 bits"},
		{"metadata without path", `{"defaultAction": "SCMP_ACT_ALLOW", "listenerMetadata": "x"}`, "listenerMetadata", "without listenerPath"},
		{"notify default", `{"defaultAction": "SCMP_ACT_NOTIFY", "listenerPath": "/run/agent.sock"}`, "defaultAction", "SCMP_ACT_NOTIFY cannot be the default action"},
		{"notify write", `{"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "/run/agent.sock", "syscalls": [{"names": ["read", "write"], "action": "SCMP_ACT_NOTIFY"}]}`, "syscalls[0].names[1]", "cannot be used for write"},
		{"unknown flag", `{"defaultAction": "SCMP_ACT_ALLOW", "flags": ["SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_FAST"]}`, "flags[1]", `unknown flag "SECCOMP_FILTER_FLAG_FAST"`},
		{"no names", `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"action": "SCMP_ACT_ERRNO"}]}`, "syscalls[0].names", "no syscall names"},
		{"empty name", `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["kill", ""], "action": "SCMP_ACT_ERRNO"}]}`, "syscalls[0].names[1]", "empty syscall name"},
		{"name and names", `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"name": "kill", "names": ["kill"], "action": "SCMP_ACT_ERRNO"}]}`, "syscalls[0]", "both name and names"},
		{"architectures and archMap", `{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86"], "archMap": [{"architecture": "SCMP_ARCH_X86_64"}]}`, "archMap", "both architectures and archMap"},
		{"bad minKernel", `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["kill"], "action": "SCMP_ACT_ERRNO", "includes": {"minKernel": "four"}}]}`, "syscalls[0].includes.minKernel", "major.minor"},
		{"unknown errno name", `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["kill"], "action": "SCMP_ACT_ERRNO", "errno": "EWHATEVER"}]}`, "syscalls[0].errno", `unknown errno name "EWHATEVER"`},
		{"unknown default errno", `{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrno": "ENOPE"}`, "defaultErrno", "unknown errno name"},
		{"errno disagrees", `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["kill"], "action": "SCMP_ACT_ERRNO", "errno": "EPERM", "errnoRet": 2}]}`, "syscalls[0].errnoRet", "disagrees"},
		{"config without seccomp", `{"ociVersion": "1.3.0", "linux": {}}`, "linux.seccomp", "no seccomp profile"},
		{"error in excluded entry", `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["kill"], "action": "SCMP_ACT_BOGUS", "includes": {"arches": ["sheb"]}}]}`, "syscalls[0].action", "unknown action"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec, _, err := Parse([]byte(tt.in), amd64)
			if err == nil {
				// Some mistakes are only seen once the profile is
				// resolved; Validate must catch those.
				err = Validate(spec)
			}
			if err == nil {
				t.Fatal("no error")
			}
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("error %q (%T) is not a *FieldError", err, err)
			}
			if fe.Field != tt.wantField {
				t.Errorf("field = %q, want %q (error %q)", fe.Field, tt.wantField, err)
			}
			if !strings.Contains(err.Error(), tt.wantText) {
				t.Errorf("error %q does not say %q", err, tt.wantText)
			}
			if tt.wantField != "" && !strings.Contains(err.Error(), tt.wantField+": ") {
				t.Errorf("error %q does not name %s", err, tt.wantField)
			}
		})
	}
}

func TestFlagsPresence(t *testing.T) {
	// runc tells a missing flags field (SPEC_ALLOW by default) from an
	// empty one (no flags); resolving must keep the difference.
	for _, tt := range []struct {
		in      string
		wantNil bool
	}{
		{`{"defaultAction": "SCMP_ACT_ALLOW"}`, true},
		{`{"defaultAction": "SCMP_ACT_ALLOW", "flags": null}`, true},
		{`{"defaultAction": "SCMP_ACT_ALLOW", "flags": []}`, false},
		{`{"defaultAction": "SCMP_ACT_ALLOW", "archMap": [], "flags": []}`, false},
	} {
		spec, _, err := Parse([]byte(tt.in), amd64)
		if err != nil {
			t.Fatal(err)
		}
		if (spec.Flags == nil) != tt.wantNil {
			t.Errorf("%s: flags = %#v, want nil: %v", tt.in, spec.Flags, tt.wantNil)
		}
	}
}

func TestBadOptions(t *testing.T) {
	for _, a := range []seccomp.ScmpArch{seccomp.ArchInvalid, seccomp.ArchSHEB + 1} {
		_, _, err := Parse([]byte(`{"defaultAction": "SCMP_ACT_ALLOW"}`), Options{Arches: []seccomp.ScmpArch{a}})
		if err == nil || !strings.Contains(err.Error(), "Options.Arches[0]") {
			t.Errorf("Arches [%d]: error %v, want one naming Options.Arches[0]", uint(a), err)
		}
	}

	p := []byte(`{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["kill"], "action": "SCMP_ACT_ERRNO", "includes": {"minKernel": "4.8"}}]}`)
	_, _, err := Parse(p, Options{KernelVersion: "latest", Caps: []string{}, Arches: amd64.Arches})
	if err == nil || !strings.Contains(err.Error(), `"latest"`) {
		t.Errorf("bad KernelVersion: error %v, want one naming it", err)
	}
	mips := []byte(`{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrno": "ECONNREFUSED"}`)
	_, _, err = Parse(mips, Options{Arches: []seccomp.ScmpArch{seccomp.ArchMIPS}})
	if err == nil || !strings.Contains(err.Error(), "defaultErrno") {
		t.Errorf("errno without a known MIPS number: error %v, want one naming defaultErrno", err)
	}
}

func TestUnknownFieldWarnings(t *testing.T) {
	profile := `{
		"defaultAction": "SCMP_ACT_ERRNO",
		"DefaultErrnoRet": 1,
		"defaultActoin": "SCMP_ACT_ALLOW",
		"archMap": [{"architecture": "SCMP_ARCH_X86_64", "subArches": []}],
		"syscalls": [
			{"names": ["kill"], "action": "SCMP_ACT_ERRNO", "errnoret": 3,
			 "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ", "valueThree": 4}],
			 "includes": {"caps": [], "kernel": "4.8"}}
		]
	}`
	var got []string
	opts := amd64
	opts.Warn = func(m string) { got = append(got, m) }
	if _, _, err := Parse([]byte(profile), opts); err != nil {
		t.Fatal(err)
	}
	want := []string{
		`DefaultErrnoRet (line 3): differs from "defaultErrnoRet" only in letter case; encoding/json, and so runc, reads it as defaultErrnoRet: write "defaultErrnoRet"`,
		`"defaultActoin" (line 4): no profile format has this key, so it is ignored (runc ignores it too); did you mean "defaultAction"?`,
		`archMap[0]."subArches" (line 5): no profile format has this key, so it is ignored (runc ignores it too); remove it`,
		`syscalls[0].errnoret (line 7): differs from "errnoRet" only in letter case; encoding/json, and so runc, reads it as errnoRet: write "errnoRet"`,
		`syscalls[0].args[0]."valueThree" (line 8): no profile format has this key, so it is ignored (runc ignores it too); remove it`,
		`syscalls[0].includes."kernel" (line 9): no profile format has this key, so it is ignored (runc ignores it too); remove it`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("warnings:\n got %q\nwant %q", got, want)
	}
}

// TestLint checks the keys that encoding/json reads other than written:
// in another letter case, twice, or unknown, in a profile and in a
// config.json, with their paths and lines.
func TestLint(t *testing.T) {
	tests := []struct {
		profile string
		want    []Warning
	}{
		{`{"defaultAction": "SCMP_ACT_ALLOW", "DEFAULTACTION": "SCMP_ACT_ERRNO"}`, []Warning{
			{Kind: CaseMismatchKey, Field: "DEFAULTACTION", Line: 1},
			{Kind: DuplicateKey, Field: "DEFAULTACTION", Line: 1},
		}},
		{"{\"defaultAction\": \"SCMP_ACT_ALLOW\",\n \"syscalls\": [{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ERRNO\",\n \"action\": \"SCMP_ACT_KILL\"}]}", []Warning{
			{Kind: DuplicateKey, Field: "syscalls[0].action", Line: 3},
		}},
		{`{"ociVersion": "1.0.2", "linux": {"namespaces": [], "seccomp": {"defaultAction": "SCMP_ACT_ALLOW", "sycalls": []}}}`, []Warning{
			{Kind: UnknownKey, Field: `linux.seccomp."sycalls"`, Line: 1},
		}},
		// escapes in keys are read as encoding/json reads them
		{`{"default\u0041ction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ", "Op": "SCMP_CMP_NE"}]}]}`, []Warning{
			{Kind: CaseMismatchKey, Field: "syscalls[0].args[0].Op", Line: 1},
			{Kind: DuplicateKey, Field: "syscalls[0].args[0].Op", Line: 1},
		}},
		{string(DefaultProfile), nil},
	}
	for _, tt := range tests {
		got, err := Lint([]byte(tt.profile))
		if err != nil {
			t.Errorf("%s: %v", tt.profile, err)
			continue
		}
		if len(got) != len(tt.want) {
			t.Errorf("%.80s: warnings %v, want %v", tt.profile, got, tt.want)
			continue
		}
		for i, w := range got {
			if w.Kind != tt.want[i].Kind || w.Field != tt.want[i].Field || w.Line != tt.want[i].Line || w.Reason == "" {
				t.Errorf("%.80s: warning %d is %+v, want %+v", tt.profile, i, w, tt.want[i])
			}
		}
	}
	if _, err := Lint([]byte(`{"defaultAction": `)); err == nil {
		t.Error("Lint accepted malformed JSON")
	}
}

// A Podman profile gives errno values both as generic numbers and as
// names; on MIPS the name decides, as the numbers differ there.
func TestErrnoNameWinsOnMIPS(t *testing.T) {
	data := []byte(`{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 38, "defaultErrno": "ENOSYS",
		"syscalls": [{"names": ["kill"], "action": "SCMP_ACT_ERRNO", "errno": "EPERM", "errnoRet": 1}]}`)
	for _, tc := range []struct {
		arch seccomp.ScmpArch
		want uint
	}{{seccomp.ArchAMD64, 38}, {seccomp.ArchMIPSEL64, 89}} {
		spec, _, err := Parse(data, Options{Arches: []seccomp.ScmpArch{tc.arch}, Caps: []string{}, KernelVersion: "6.1"})
		if err != nil {
			t.Fatalf("%v: %v", tc.arch, err)
		}
		if spec.DefaultErrnoRet == nil || *spec.DefaultErrnoRet != tc.want {
			t.Errorf("%v: defaultErrnoRet = %v, want %d", tc.arch, spec.DefaultErrnoRet, tc.want)
		}
	}
}
