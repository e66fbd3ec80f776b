#!/usr/bin/env bash
# clientcheck.sh checks that a client module at the oldest Go and
# runtime-spec versions the module supports can take it as it is: in a
# temporary directory it creates a client at go 1.23 that requires
# runtime-spec v1.2.1 and imports the root package and oci through a
# replace to this checkout, runs go mod tidy, and fails if tidy raised the
# client's go directive or runtime-spec version, or if the client does
# not build with or without cgo.
#
# Usage: scripts/clientcheck.sh [GO]   (GO defaults to $GO, then go)
set -euo pipefail

GO=${1:-${GO:-go}}
CLIENT_GO=1.23
CLIENT_SPEC=v1.2.1

root=$(cd "$(dirname "$0")/.." && pwd)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

cat > "$dir/go.mod" <<EOF
module example.com/client

go $CLIENT_GO

require github.com/opencontainers/runtime-spec $CLIENT_SPEC

replace github.com/seccomp-go/seccomp => $root
EOF

cat > "$dir/main.go" <<'EOF'
package main

import (
	"fmt"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	seccomp "github.com/seccomp-go/seccomp"
	"github.com/seccomp-go/seccomp/oci"
)

func main() {
	spec := &specs.LinuxSeccomp{DefaultAction: specs.ActAllow}
	f, err := oci.NewFilter(spec, oci.Options{Arches: []seccomp.ScmpArch{seccomp.ArchAMD64}})
	if err != nil {
		panic(err)
	}
	defer f.Release()
	fmt.Println(f.IsValid())
}
EOF

cd "$dir"
# Unless told otherwise, the go command at hand does everything: it must
# not switch to another toolchain to satisfy a dependency.
export GOTOOLCHAIN=${GOTOOLCHAIN:-local}
# A replaced module needs a requirement line; tidy adds it with a
# placeholder version.
"$GO" mod edit -require=github.com/seccomp-go/seccomp@v0.0.0
"$GO" mod tidy

fail=0
gover=$("$GO" list -m -f '{{.GoVersion}}')
if [ "$gover" != "$CLIENT_GO" ]; then
	echo "clientcheck: go mod tidy changed the client's go directive from $CLIENT_GO to $gover" >&2
	fail=1
fi
spec=$("$GO" list -m -f '{{.Version}}' github.com/opencontainers/runtime-spec)
if [ "$spec" != "$CLIENT_SPEC" ]; then
	echo "clientcheck: go mod tidy raised runtime-spec from $CLIENT_SPEC to $spec" >&2
	fail=1
fi
if grep -q '^toolchain' go.mod; then
	echo "clientcheck: go mod tidy added a toolchain line: $(grep '^toolchain' go.mod)" >&2
	fail=1
fi
if [ $fail -ne 0 ]; then
	echo "--- client go.mod after go mod tidy:" >&2
	cat go.mod >&2
	exit 1
fi

CGO_ENABLED=1 "$GO" build -o /dev/null .
CGO_ENABLED=0 "$GO" build -o /dev/null .
CGO_ENABLED=0 "$GO" vet .
echo "clientcheck: a go $CLIENT_GO client with runtime-spec $CLIENT_SPEC builds ($("$GO" env GOVERSION))"
