package oci

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestSeccompProfileRoundTrip(t *testing.T) {
	eacces := uint(13)
	spec := &specs.LinuxSeccomp{
		DefaultAction: specs.ActErrno,
		Architectures: []specs.Arch{specs.ArchX86_64, specs.ArchX86},
		Syscalls: []specs.LinuxSyscall{
			{Names: []string{"read", "write", "null", "on"}, Action: specs.ActAllow},
			{Names: []string{"personality"}, Action: specs.ActAllow, Args: []specs.LinuxSeccompArg{{Index: 0, Value: 0xffffffff, Op: specs.OpEqualTo}}},
			{Names: []string{"socket"}, Action: specs.ActErrno, ErrnoRet: &eacces, Args: []specs.LinuxSeccompArg{{Index: 1, Value: 0xff, ValueTwo: 2, Op: specs.OpMaskedEqual}}},
		},
	}
	data, err := MarshalSeccompProfile(spec, "my-app")
	if err != nil {
		t.Fatal(err)
	}
	back, ok, err := FromSeccompProfile(data)
	if err != nil || !ok {
		t.Fatalf("FromSeccompProfile: %v, %v\n%s", ok, err, data)
	}
	var got specs.LinuxSeccomp
	if err := json.Unmarshal(back, &got); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(&got, spec) {
		t.Errorf("read back\n%+v\nwant\n%+v\nfrom\n%s", got, *spec, data)
	}
}

func TestFromSeccompProfile(t *testing.T) {
	const yaml = `---
# a comment
apiVersion: security-profiles-operator.x-k8s.io/v1beta1
kind: SeccompProfile
metadata:
  name: 'demo'   # trailing comment
  namespace: default
spec:
  defaultAction: "SCMP_ACT_ERRNO"
  architectures: [SCMP_ARCH_X86_64, SCMP_ARCH_AARCH64]
  syscalls:
    - action: SCMP_ACT_ALLOW
      names:
        - read
        - "write"
    - action: SCMP_ACT_ERRNO
      errnoRet: 38
      names: [clone3]
      args:
      - index: 0
        value: 0x10
        op: SCMP_CMP_MASKED_EQ
        valueTwo: 0
`
	back, ok, err := FromSeccompProfile([]byte(yaml))
	if err != nil || !ok {
		t.Fatalf("%v, %v", ok, err)
	}
	var got specs.LinuxSeccomp
	if err := json.Unmarshal(back, &got); err != nil {
		t.Fatal(err)
	}
	enosys := uint(38)
	want := specs.LinuxSeccomp{
		DefaultAction: specs.ActErrno,
		Architectures: []specs.Arch{specs.ArchX86_64, specs.ArchAARCH64},
		Syscalls: []specs.LinuxSyscall{
			{Names: []string{"read", "write"}, Action: specs.ActAllow},
			{Names: []string{"clone3"}, Action: specs.ActErrno, ErrnoRet: &enosys, Args: []specs.LinuxSeccompArg{{Index: 0, Value: 0x10, Op: specs.OpMaskedEqual}}},
		},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
	// The same resource in JSON.
	js := `{"apiVersion": "security-profiles-operator.x-k8s.io/v1beta1", "kind": "SeccompProfile",
		"metadata": {"name": "demo"}, "spec": {"defaultAction": "SCMP_ACT_ALLOW", "disabled": false}}`
	back, ok, err = FromSeccompProfile([]byte(js))
	if err != nil || !ok || string(back) != `{"defaultAction":"SCMP_ACT_ALLOW"}` {
		t.Errorf("JSON resource: %q, %v, %v", back, ok, err)
	}
}

func TestFromSeccompProfileRefuses(t *testing.T) {
	head := "apiVersion: security-profiles-operator.x-k8s.io/v1beta1\nkind: SeccompProfile\nspec:\n"
	tests := []struct{ doc, want string }{
		{head + "  defaultAction: &a SCMP_ACT_ALLOW\n", "anchors"},
		{head + "  syscalls: {names: [read]}\n", "flow mappings"},
		{head + "  defaultAction: |\n    SCMP_ACT_ALLOW\n", "block scalars"},
		{head + "  baseProfileName: runc-v1.2.0\n", "baseProfileName"},
		{head + "  disabled: true\n", "disabled"},
		{head + "  defaultAction: SCMP_ACT_ALLOW\n  defaultAction: SCMP_ACT_LOG\n", "given twice"},
		{head + "\tdefaultAction: SCMP_ACT_ALLOW\n", "tab"},
		{"apiVersion: v1\nkind: SeccompProfile\nspec:\n  defaultAction: SCMP_ACT_ALLOW\n", "apiVersion"},
	}
	for _, tt := range tests {
		_, ok, err := FromSeccompProfile([]byte(tt.doc))
		if !ok || err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: %v, %v; want an error about %s", tt.doc, ok, err, tt.want)
		}
	}
	// Not resources: left to the other readers.
	for _, doc := range []string{`{"defaultAction": "SCMP_ACT_ALLOW"}`, "kind: Pod\n", "\x20\x00\x00\x00\x04\x00\x00\x00"} {
		if _, ok, err := FromSeccompProfile([]byte(doc)); ok || err != nil {
			t.Errorf("%q: %v, %v; want not a resource", doc, ok, err)
		}
	}
}

func TestMarshalSeccompProfileRefuses(t *testing.T) {
	eacces := uint(13)
	if _, err := MarshalSeccompProfile(&specs.LinuxSeccomp{DefaultAction: specs.ActErrno, DefaultErrnoRet: &eacces}, "x"); err == nil || !strings.Contains(err.Error(), "defaultErrnoRet") {
		t.Errorf("defaultErrnoRet 13: %v", err)
	}
	if _, err := MarshalSeccompProfile(&specs.LinuxSeccomp{DefaultAction: specs.ActAllow}, "Not_A_Name"); err == nil || !strings.Contains(err.Error(), "metadata.name") {
		t.Errorf("bad name: %v", err)
	}
}

// FuzzFromSeccompProfile checks that no input makes the reader panic or
// return a profile that is not JSON.
func FuzzFromSeccompProfile(f *testing.F) {
	spec := &specs.LinuxSeccomp{DefaultAction: specs.ActErrno, Architectures: []specs.Arch{specs.ArchX86_64},
		Syscalls: []specs.LinuxSyscall{{Names: []string{"read"}, Action: specs.ActAllow, Args: []specs.LinuxSeccompArg{{Index: 1, Value: 2, Op: specs.OpEqualTo}}}}}
	seed, _ := MarshalSeccompProfile(spec, "seed")
	f.Add(seed)
	f.Add([]byte("kind: SeccompProfile\nspec:\n  syscalls: [a,,b]\n"))
	f.Add([]byte("kind: SeccompProfile\n- \"a\": \n  - 'b''c'\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		out, ok, err := FromSeccompProfile(data)
		if ok && err == nil && !json.Valid(out) {
			t.Errorf("not JSON: %q", out)
		}
	})
}
