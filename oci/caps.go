package oci

import (
	"slices"
	"strings"
)

// dockerDefaultCaps is the capability set Docker and containerd give a
// container unless told otherwise.
var dockerDefaultCaps = []string{
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD",
	"CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
	"CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
}

// AllCapabilities returns the name of every capability Linux defines, in
// the kernel's numbering order. Resolving a Docker or Podman profile for
// them (Options.Caps) keeps every entry a capability unlocks.
func AllCapabilities() []string { return slices.Clone(capNames) }

// DockerDefaultCapabilities returns the capability set Docker gives a
// container by default. Resolving Docker's default profile for it
// (Options.Caps) gives the filter a default Docker container gets.
func DockerDefaultCapabilities() []string { return slices.Clone(dockerDefaultCaps) }

// NearestCapability returns the capability whose name is closest to a
// misspelt one ("CAP_SYSADMIN" gives "CAP_SYS_ADMIN"), comparing names
// without their "CAP_" prefix and underscores, or "" when none is within
// two edits.
func NearestCapability(name string) string {
	squash := func(s string) string { return strings.ReplaceAll(strings.TrimPrefix(s, "CAP_"), "_", "") }
	want := squash(normalizeCap(name))
	best, bestDist := "", 3
	for _, c := range capNames {
		if d := editDistance(want, squash(c)); d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

// Capability returns the canonical name ("CAP_SYS_ADMIN") of a capability
// given in any letter case, with or without the "CAP_" prefix, and
// whether Linux defines it.
func Capability(name string) (string, bool) {
	c := normalizeCap(name)
	return c, slices.Contains(capNames, c)
}

// BoundingCapabilities returns the capabilities in this process's
// bounding set, which Options.Caps stands for when it is nil.
func BoundingCapabilities() ([]string, error) {
	set, err := (&Options{}).capSet()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, c := range capNames {
		if set[c] {
			out = append(out, c)
		}
	}
	return out, nil
}
