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
	if slices.Contains(DockerDefaultCapabilities(), "CAP_SYS_ADMIN") {
		t.Error("Docker's default set includes CAP_SYS_ADMIN")
	}
	all[0] = "changed"
	if AllCapabilities()[0] != "CAP_CHOWN" {
		t.Error("AllCapabilities shares its slice with callers")
	}
}
