package oci

import (
	"slices"
	"strings"
	"testing"

	seccomp "github.com/seccomp-go/seccomp"
)

func TestCapabilityLists(t *testing.T) {
	all := AllCapabilities()
	if len(all) != 41 || all[0] != "CAP_CHOWN" || all[21] != "CAP_SYS_ADMIN" || all[40] != "CAP_CHECKPOINT_RESTORE" {
		t.Fatalf("AllCapabilities() = %v: want the kernel's 41 capabilities by number", all)
	}
	for _, c := range DockerDefaultCapabilities() {
		if !slices.Contains(all, c) {
			t.Errorf("Docker default capability %s is not a capability", c)
		}
	}
	// Docker's default set is CapBnd 0xa80425fb in a default container.
	want := capsFromMask(0xa80425fb)
	got := DockerDefaultCapabilities()
	if len(got) != len(want) {
		t.Errorf("DockerDefaultCapabilities() has %d capabilities, want %d", len(got), len(want))
	}
	for _, c := range got {
		if !want[c] {
			t.Errorf("Docker default capability %s is not in CapBnd 0xa80425fb", c)
		}
	}
	all[0] = "changed"
	if AllCapabilities()[0] != "CAP_CHOWN" {
		t.Error("AllCapabilities shares its slice with callers")
	}
}

func TestNearestCapability(t *testing.T) {
	for in, want := range map[string]string{
		"CAP_SYSADMIN":  "CAP_SYS_ADMIN",
		"sysadmin":      "CAP_SYS_ADMIN",
		"CAP_NET_ADMN":  "CAP_NET_ADMIN",
		"cap_chwon":     "CAP_CHOWN",
		"bogus":         "",
		"CAP_SYS_ADMIN": "CAP_SYS_ADMIN",
	} {
		if got := NearestCapability(in); got != want {
			t.Errorf("NearestCapability(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCapability(t *testing.T) {
	for _, tt := range []struct {
		in, want string
		ok       bool
	}{
		{"CAP_SYS_ADMIN", "CAP_SYS_ADMIN", true},
		{"sys_admin", "CAP_SYS_ADMIN", true},
		{" cap_bpf ", "CAP_BPF", true},
		{"CAP_SYSADMIN", "CAP_SYSADMIN", false},
		{"bogus", "CAP_BOGUS", false},
	} {
		if got, ok := Capability(tt.in); got != tt.want || ok != tt.ok {
			t.Errorf("Capability(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
	bnd, err := BoundingCapabilities()
	if err != nil {
		t.Skip(err)
	}
	for _, c := range bnd {
		if _, ok := Capability(c); !ok {
			t.Errorf("bounding set has %q", c)
		}
	}
}

// TestUnknownOptionsCaps checks that a capability Linux does not define
// is refused rather than taken as one the set lacks.
func TestUnknownOptionsCaps(t *testing.T) {
	_, _, err := Parse(DefaultProfile, Options{Arches: []seccomp.ScmpArch{seccomp.ArchAMD64}, Caps: []string{"CAP_KILL", "CAP_SYSADMIN"}, KernelVersion: "6.1"})
	if err == nil || !strings.Contains(err.Error(), `Options.Caps[1]: unknown capability "CAP_SYSADMIN"`) {
		t.Errorf("error %v, want one naming Options.Caps[1]", err)
	}
}

// TestUnknownOptionsCapsOCI checks that Options.Caps is checked even for
// a profile none of whose entries depends on capabilities.
func TestUnknownOptionsCapsOCI(t *testing.T) {
	_, _, err := Parse([]byte(`{"defaultAction": "SCMP_ACT_ALLOW"}`), Options{Caps: []string{"bogus"}})
	if err == nil || !strings.Contains(err.Error(), `Options.Caps[0]: unknown capability "bogus"`) {
		t.Errorf("error %v, want one naming Options.Caps[0]", err)
	}
}
