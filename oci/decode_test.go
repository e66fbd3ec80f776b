package oci

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"testing"
)

// checkClean checks what decodeClean promises for data: when it takes
// data, encoding/json decodes data to the same Profile without error,
// Lint finds nothing, and data is its own seccomp section. It returns
// whether decodeClean took data.
func checkClean(t *testing.T, data []byte) bool {
	t.Helper()
	var p Profile
	if !decodeClean(data, &p) {
		return false
	}
	var want Profile
	if err := json.Unmarshal(data, &want); err != nil {
		t.Fatalf("decodeClean took %q, which encoding/json refuses: %v", data, err)
	}
	if !reflect.DeepEqual(p, want) {
		t.Fatalf("decodeClean(%q) =\n%#v\nencoding/json gives\n%#v", data, p, want)
	}
	ws, err := Lint(data)
	if err != nil || len(ws) > 0 {
		t.Fatalf("decodeClean took %q, for which Lint reports %v, %v", data, ws, err)
	}
	if section, err := seccompSection(data); err != nil || !bytes.Equal(section, data) {
		t.Fatalf("decodeClean took %q, whose seccomp section is %q, %v", data, section, err)
	}
	return true
}

// TestDecodeCleanProfiles checks that the profiles runtimes ship take the
// fast path, and decode as encoding/json decodes them.
func TestDecodeCleanProfiles(t *testing.T) {
	profiles := map[string][]byte{"docker": DefaultProfile}
	// containers/common's profile, kept by the differential tests.
	if b, err := os.ReadFile("../difftest/testdata/containers-common-seccomp.json"); err == nil {
		profiles["podman"] = b
	}
	spec, _, err := Parse(DefaultProfile, Options{Caps: dockerCaps, KernelVersion: "6.8"})
	if err != nil {
		t.Fatal(err)
	}
	// What scmp learn writes, and json.Marshal.
	if profiles["indented"], err = json.MarshalIndent(spec, "", "\t"); err != nil {
		t.Fatal(err)
	}
	if profiles["marshalled"], err = json.Marshal(spec); err != nil {
		t.Fatal(err)
	}
	for name, data := range profiles {
		if !checkClean(t, data) {
			t.Errorf("%s profile: decodeClean refuses it", name)
		}
	}
}

func TestDecodeClean(t *testing.T) {
	for _, tc := range []struct {
		data  string
		clean bool
	}{
		{`{}`, true},
		{" \t\r\n{ } \n", true},
		{`{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": []}`, true},
		{`{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{}]}`, true},
		{`{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":1,"defaultErrno":"EPERM","architectures":["SCMP_ARCH_X86_64"],"flags":[],"listenerPath":"/a","listenerMetadata":"m"}`, true},
		{`{"archMap": [{"architecture": "SCMP_ARCH_AARCH64", "subArchitectures": []}, {}]}`, true},
		{`{"syscalls": [{"name": "a", "names": ["b", "c"], "action": "SCMP_ACT_ERRNO", "comment": "x ~", "errnoRet": 0, "errno": "EPERM",
			"includes": {"caps": ["CAP_SYS_ADMIN"], "arches": ["s390x"], "minKernel": "4.8"}, "excludes": {},
			"args": [{"index": 5, "value": 18446744073709551615, "valueTwo": 0, "op": "SCMP_CMP_MASKED_EQ"}, {}]}]}`, true},

		// What only encoding/json reads, or reads with Lint's warnings.
		{``, false},
		{`[]`, false},
		{`null`, false},
		{`{} {}`, false},
		{`{}x`, false},
		{`{"defaultAction": "SCMP_ACT_ALLOW",}`, false},
		{`{"defaultAction": "SCMP_ACT_ALLOW" "flags": []}`, false},
		{`{"syscalls": [{},]}`, false},
		{`{"defaultAction": null, "defaultErrnoRet": null, "syscalls": null, "archMap": [{"subArchitectures": null}]}`, true},
		{`{"syscalls": [{"includes": null, "args": [{"value": null}]}]}`, true},
		{`{"defaultAction": nul}`, false},
		{`{"defaultAction": nullx}`, false},
		{`{"defaultAction": null, "defaultAction": "SCMP_ACT_LOG"}`, false},
		{`{"syscalls": [null]}`, false},
		{`{"flags": [null]}`, false},
		{`{"defaultAction": true}`, false},
		{`{"defaultAction": 1}`, false},
		{`{"defaultErrnoRet": "1"}`, false},
		{`{"defaultAction": "SCMP_ACT_\u0041LLOW"}`, false},
		{`{"defaultAction": "SCMP_ACT_\nALLOW"}`, false},
		{"{\"defaultAction\": \"SCMP_ACT_\xffALLOW\"}", false},
		{"{\"comment\": \"café\"}", false},
		{`{"default\u0041ction": "SCMP_ACT_ALLOW"}`, false},
		{`{"DefaultAction": "SCMP_ACT_ALLOW"}`, false},
		{`{"defaultAction": "SCMP_ACT_ALLOW", "defaultAction": "SCMP_ACT_LOG"}`, false},
		{`{"syscalls": [{"names": [], "Names": []}]}`, false},
		{`{"syscalls": [{"args": [{"index": 0, "index": 1}]}]}`, false},
		{`{"linux": {"seccomp": {}}}`, false},
		{`{"ociVersion": "1.2.0"}`, false},
		{`{"syscalls": [{"includes": {"caps": [], "minkernel": "4.8"}}]}`, false},
		{`{"defaultErrnoRet": -1}`, false},
		{`{"defaultErrnoRet": -0}`, false},
		{`{"defaultErrnoRet": 01}`, false},
		{`{"defaultErrnoRet": 1.0}`, false},
		{`{"defaultErrnoRet": 1e2}`, false},
		{`{"defaultErrnoRet": 1E2}`, false},
		{`{"syscalls": [{"args": [{"value": 18446744073709551616}]}]}`, false},
		{`{"syscalls": [{"args": [{"value": 99999999999999999999}]}]}`, false},
		{`{"syscalls": [{"args": [{"index": 1x}]}]}`, false},
		{`{"syscalls": [{"includes": []}]}`, false},
		{`{"syscalls": {}}`, false},
		{`{"architectures": "SCMP_ARCH_X86"}`, false},
		{`{"architectures": ["SCMP_ARCH_X86"`, false},
		{`{"defaultAction": "SCMP_ACT_ALLOW"`, false},
		{`{"defaultAction": "SCMP_ACT_ALLOW`, false},
	} {
		if got := checkClean(t, []byte(tc.data)); got != tc.clean {
			t.Errorf("decodeClean(%q) = %v, want %v", tc.data, got, tc.clean)
		}
	}
}

// TestParseCleanAndLenient checks that Parse decides a profile and
// words its warnings and errors the same whichever decoder reads it.
func TestParseCleanAndLenient(t *testing.T) {
	for _, tc := range []struct{ clean, lenient string }{
		{
			`{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read", "nosuchcall"], "action": "SCMP_ACT_ALLOW"}]}`,
			`{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read", "nosuch\u0063all"], "action": "SCMP_ACT_ALLOW"}]}`,
		},
		{
			`{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALOW"}]}`,
			`{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_AL\u004fW"}]}`,
		},
		{
			`{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 6, "op": "SCMP_CMP_EQ"}]}]}`,
			`{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 6, "op": "SCMP_CMP_E\u0051"}]}]}`,
		},
	} {
		if !checkClean(t, []byte(tc.clean)) || checkClean(t, []byte(tc.lenient)) {
			t.Fatalf("%s: the case does not take the paths it is meant to", tc.clean)
		}
		parse := func(data string) (*Profile, string, []string) {
			var warnings []string
			opts := Options{KernelVersion: "6.8", Warn: func(s string) { warnings = append(warnings, s) }}
			spec, f, err := Parse([]byte(data), opts)
			p, _, _ := ParseProfile([]byte(data))
			return p, parseResult(spec, f, err), warnings
		}
		p1, r1, w1 := parse(tc.clean)
		p2, r2, w2 := parse(tc.lenient)
		if !reflect.DeepEqual(p1, p2) || r1 != r2 || !reflect.DeepEqual(w1, w2) {
			t.Errorf("%s:\nclean:   %v %s %q\nlenient: %v %s %q", tc.clean, p1, r1, w1, p2, r2, w2)
		}
	}
}

// parseResult renders Parse's results for comparison.
func parseResult(spec any, f Format, err error) string {
	b, _ := json.Marshal(spec)
	s := string(b) + " " + f.String()
	if err != nil {
		s += " error: " + err.Error()
	}
	return s
}

// FuzzDecodeClean checks decodeClean's promise on arbitrary input.
func FuzzDecodeClean(f *testing.F) {
	f.Add(DefaultProfile)
	f.Add([]byte(`{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 38, "syscalls": [{"names": ["kill"], "action": "SCMP_ACT_ERRNO", "errno": "EPERM", "args": [{"index": 1, "value": 2, "valueTwo": 3, "op": "SCMP_CMP_MASKED_EQ"}]}]}`))
	f.Add([]byte(`{"archMap": [{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86"]}], "syscalls": [{"name": "a", "includes": {"caps": ["CAP_SYS_ADMIN"], "arches": ["amd64"], "minKernel": "4.8"}, "excludes": {}}]}`))
	f.Add([]byte(`{"defaultAction": "SCMP_ACT_ALLOW", "defaultAction": "SCMP_ACT_LOG", "Flags": [], "syscalls": [{"args": [{"index": 18446744073709551615}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkClean(t, data)
	})
}
