package oci

import _ "embed"

// DefaultProfile is Docker's default seccomp profile, default.json as
// moby/profiles v0.2.3 distributes it. It is in Docker's format: pass it to
// [Parse] to resolve it for an architecture, capability set and kernel.
//
//go:embed testdata/default.json
var DefaultProfile []byte
