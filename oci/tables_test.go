package oci

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	seccomp "github.com/seccomp-go/seccomp"
	"github.com/seccomp-go/seccomp/arch"
	"golang.org/x/sys/unix"
)

// TestErrnoTable checks that errnoGeneric is sorted, as genericErrno's
// binary search needs, and that every name in it resolves, in any case,
// to its number, which is the kernel's on this architecture when it has
// the generic numbering.
func TestErrnoTable(t *testing.T) {
	for i := 1; i < len(errnoGeneric); i++ {
		if errnoGeneric[i-1].name >= errnoGeneric[i].name {
			t.Errorf("errnoGeneric is not sorted: %s before %s", errnoGeneric[i-1].name, errnoGeneric[i].name)
		}
	}
	generic := !strings.HasPrefix(arch.Native().Name, "mips") && !strings.HasPrefix(arch.Native().Name, "parisc")
	for _, e := range errnoGeneric {
		for _, name := range []string{e.name, strings.ToLower(e.name)} {
			if nr, err := errnoByName(name, nil); err != nil || nr != e.nr {
				t.Errorf("errnoByName(%q) = %d, %v; want %d", name, nr, err, e.nr)
			}
		}
		if generic {
			if n := unix.ErrnoName(unix.Errno(e.nr)); n != "" && n != e.name {
				// Aliases (EWOULDBLOCK for EAGAIN, ...) have
				// another name; their numbers must be the same.
				if alias, err := errnoByName(n, nil); err != nil || alias != e.nr {
					t.Errorf("%s is %d, which the kernel calls %s (%d, %v here)", e.name, e.nr, n, alias, err)
				}
			}
		}
	}
	for _, name := range []string{"", "E", "EPERMX", "ZZZ", "AAA", "E2BI"} {
		if nr, err := errnoByName(name, nil); err == nil {
			t.Errorf("errnoByName(%q) = %d, want an error", name, nr)
		}
	}
	mips, parisc := seccomp.ArchMIPSEL64, seccomp.ArchPARISC
	for _, tt := range []struct {
		arch *seccomp.ScmpArch
		nr   uint
	}{{nil, 38}, {&mips, 89}, {&parisc, 251}} {
		if nr, err := errnoByName("enosys", tt.arch); err != nil || nr != tt.nr {
			t.Errorf("errnoByName(enosys, %v) = %d, %v; want %d", tt.arch, nr, err, tt.nr)
		}
	}
	if _, err := errnoByName("EOPNOTSUPP", &mips); err == nil {
		t.Error("EOPNOTSUPP resolved on MIPS, whose number this package does not know")
	}
}

// TestArchTables checks the architecture names against package arch and
// libseccomp-golang's constants.
func TestArchTables(t *testing.T) {
	all := arch.All()
	for a := seccomp.ArchX86; a <= seccomp.ArchSHEB; a++ {
		abi := abiOf(a)
		if abi != all[a-seccomp.ArchX86] {
			t.Errorf("abiOf(%v) = %v, want %v", a, abi, all[a-seccomp.ArchX86])
		}
		if named, err := seccomp.GetArchFromString(abi.Name); named != a {
			t.Errorf("abiOf(%v) = %s, which names %v, %v", a, abi.Name, named, err)
		}
		name, ok := specArch(a)
		if !ok || string(name) != "SCMP_ARCH_"+strings.ToUpper(abi.Name) {
			t.Errorf("specArch(%v) = %q, %v", a, name, ok)
		}
		if back, ok := archBySpec(name); !ok || back != a {
			t.Errorf("archBySpec(%q) = %v, %v; want %v", name, back, ok, a)
		}
	}
	for _, bad := range []specs.Arch{"", "SCMP_ARCH_AMD64", "scmp_arch_x86", "SCMP_ARCH_X86 "} {
		if a, ok := archBySpec(bad); ok {
			t.Errorf("archBySpec(%q) = %v, want none", bad, a)
		}
	}
	if _, ok := specArch(seccomp.ArchNative); ok {
		t.Error("specArch(ArchNative) gave a name")
	}
	if want := fmt.Sprintf("larger than %d MiB", MaxProfileSize>>20); !strings.Contains(ErrProfileTooLarge.Error(), want) {
		t.Errorf("ErrProfileTooLarge = %q, want it to say %q", ErrProfileTooLarge, want)
	}
}

// TestIsProfileObject checks the shortcut findSeccomp takes for profiles
// against the decoding it avoids. On valid JSON it may leave data to the
// decoding, but where it answers, the decoding must agree, and it must
// answer for every object the decoding takes for a profile. On invalid
// JSON, ParseProfile and Lint must fail as the decoding does, and every
// prefix of a profile is tried so that no input makes the scan misbehave.
func TestIsProfileObject(t *testing.T) {
	slow := func(data []byte) bool {
		var top map[string]json.RawMessage
		if err := json.Unmarshal(data, &top); err != nil {
			return false
		}
		_, linux := top["linux"]
		return !linux || top["defaultAction"] != nil
	}
	inputs := []string{
		`{}`, ` { "defaultAction" : "SCMP_ACT_ALLOW" } `, `{"linux": {}}`, `{"linux": {}, "defaultAction": null}`,
		`{"Linux": {"seccomp": {}}}`, `{"li\u006eux": {"seccomp": {}}}`, `{"defaultAction\u0000": 1, "linux": 2}`,
		`{"a": [1, {"linux": 2}, "x\"y"], "linux": "}", "b": {"c": [[]]}}`, `{"linux": 1, "linux": 2}`,
		`{"a":1,"linux":true}`, `{"a":-1.5e3}`, `{"a":"\\"}`,
		`[]`, `"x"`, `null`, `{"linux": }`, `{"a": 1,}`, `{"a": 1} {}`, ``, `  `, `{"syscalls": [{"names": ["read"]}]}`,
		`{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [}`, `{"a": "`, `{"a`, `{"a": [1, 2`, `{"a": 1 "b": 2}`,
		string(DefaultProfile),
	}
	for n := 0; n < len(DefaultProfile); n += 97 {
		inputs = append(inputs, string(DefaultProfile[:n]))
	}
	for _, s := range inputs {
		data := []byte(s)
		got := isProfileObject(data)
		if json.Valid(data) {
			want := slow(data)
			object := strings.HasPrefix(strings.TrimSpace(s), "{")
			if got && !want || object && got != want {
				t.Errorf("isProfileObject(%.40q) = %v, want %v", s, got, want)
			}
			continue
		}
		_, _, want := decodeSeccomp(data)
		if want == nil {
			t.Fatalf("decoding %.40q succeeded", s)
		}
		if _, _, err := ParseProfile(data); err == nil || err.Error() != want.Error() {
			t.Errorf("ParseProfile(%.40q) = %v, want %v", s, err, want)
		}
		if _, err := Lint(data); err == nil || err.Error() != want.Error() {
			t.Errorf("Lint(%.40q) = %v, want %v", s, err, want)
		}
	}
}

// TestMayHaveKind checks that FromSeccompProfile only skips the decoding of
// its kind for objects where the decoding would not find the resource's.
func TestMayHaveKind(t *testing.T) {
	decoded := func(data []byte) bool {
		var head struct {
			Kind string `json:"kind"`
		}
		return json.Unmarshal(data, &head) == nil && head.Kind == SeccompProfileKind
	}
	k := `"` + SeccompProfileKind + `"`
	for _, s := range []string{
		`{"kind": ` + k + `}`, `{"Kind": ` + k + `}`, `{"KIND": ` + k + `}`, `{"\u212aind": ` + k + `}`,
		`{"\\u006bind": ` + k + `}`, `{"a": {"kind": 1}, "kind": ` + k + `}`, `{"a": "kind", "kind": ` + k + `, "b": [}`,
		`{"kinds": ` + k + `}`, `{"a": 1}`, `{}`, `{"a": "x\"kind\": 1"}`, string(DefaultProfile), `{"a": `,
	} {
		data := []byte(s)
		if !mayHaveKind(data) && decoded(data) {
			t.Errorf("mayHaveKind(%.50q) = false, but decoding finds the kind", s)
		}
	}
	if mayHaveKind(DefaultProfile) {
		t.Error("mayHaveKind(DefaultProfile) = true; Docker's profile has no key kind")
	}
}
