package oci

import (
	"slices"
	"testing"
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
