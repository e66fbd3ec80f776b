#!/usr/bin/env bash
# Runs the seccomp tests of real libseccomp-golang clients (runc,
# containers/common, cri-o) with github.com/seccomp/libseccomp-golang
# replaced by this module.
#
# This module's path differs from libseccomp-golang's, so a replace
# directive can't point at it directly. rename.sh makes a renamed copy:
# this module's tracked files (without difftest/ and cmd/), with the module
# path github.com/seccomp-go/seccomp rewritten to
# github.com/seccomp/libseccomp-golang in go.mod and in every import. Each
# client is downloaded through the Go module proxy at the version pinned
# below, copied out of the read-only module cache, pointed at the copy with
# `go mod edit -replace`, and tested unchanged.
#
# Every suite also runs against the libseccomp-golang version the client
# pins (cgo, the real libseccomp). The script fails if any test fails or
# doesn't build, or if the two runs skip different tests or skip one for a
# different reason.
#
# Needs: the Go module proxy (or a module cache holding every module the
# suites need), a C compiler and libseccomp-dev (for the libseccomp-golang
# runs, and for runc's patchbpf, which reads libseccomp's header constants
# through cgo), and root (runc's tests load filters in child processes).
#
# Environment:
#   GO            the go command (default: go)
#   COMPAT_SRC    the module to test (default: this checkout)
#   COMPAT_KEEP=1 keep the work directory (it is always kept on failure)
#   COMPAT_ONLY   run only the suites whose name contains this string
set -euo pipefail

GO=${GO:-go}
SRC=$(cd "${COMPAT_SRC:-$(dirname "$0")/../..}" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)

OUR_MODULE=github.com/seccomp-go/seccomp
THEIR_MODULE=github.com/seccomp/libseccomp-golang

# The suites: name|module|version|CGO_ENABLED|build tags|packages|extra.
# The build tags are those the client's own Makefile tests with, minus
# the ones that need more C libraries (cri-o's btrfs and gpgme).
# extra is "ginkgo" for Ginkgo suites, whose specs are counted from the
# suite's JSON report. A suite with CGO_ENABLED=0 is compared with the
# libseccomp-golang run of the suite of the same name with cgo, since
# libseccomp-golang itself can't build without cgo.
SUITES=(
	"runc|github.com/opencontainers/runc|v1.3.7|1|seccomp|./libcontainer/seccomp/... ./libcontainer/specconv|"
	"runc|github.com/opencontainers/runc|v1.4.4|1|seccomp|./libcontainer/seccomp/... ./libcontainer/specconv|"
	"containers/common|github.com/containers/common|v0.64.2|1|seccomp|./pkg/seccomp|"
	"containers/common|github.com/containers/common|v0.64.2|0|seccomp|./pkg/seccomp|"
	"cri-o|github.com/cri-o/cri-o|v1.34.0|1|test seccomp containers_image_openpgp containers_image_ostree_stub exclude_graphdriver_btrfs|./internal/config/seccomp/...|ginkgo"
)

# The clients' builds must not wander: no workspace, no toolchain download
# (a client needing a newer Go than the local one is an error to see), and
# go.mod and go.sum may be updated to take in this module's requirements,
# which -mod=mod does for just the packages under test.
export GOWORK=off GOTOOLCHAIN=local GOFLAGS="-mod=mod -buildvcs=false"

start=$SECONDS
WORK=$(mktemp -d "${TMPDIR:-/tmp}/seccomp-compat.XXXXXX")
status=1
cleanup() {
	if [ "$status" = 0 ] && [ "${COMPAT_KEEP:-}" != 1 ]; then
		rm -rf "$WORK"
	else
		echo "compat: work directory and logs kept in $WORK" >&2
	fi
}
trap cleanup EXIT

die() {
	echo "compat: $*" >&2
	exit 1
}

# Preconditions that would otherwise surface as puzzling build errors.
if ! echo '#include <seccomp.h>' | "$($GO env CC)" -E - >/dev/null 2>&1; then
	die "seccomp.h not found: install libseccomp-dev (apt-get install -y libseccomp-dev gcc)"
fi

# download MODULE VERSION prints the module's directory in the module cache.
download() {
	local out dir
	# Outside any module, so that nothing's go.mod or go.sum changes.
	out=$(cd "$WORK" && $GO mod download -json "$1@$2" 2>&1) || true
	dir=$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p' <<<"$out")
	if [ -z "$dir" ] || [ ! -d "$dir" ]; then
		echo "$out" >&2
		die "cannot download $1@$2 through GOPROXY=$($GO env GOPROXY)." \
			"These suites need the Go module proxy (or a module cache that has every module they use)."
	fi
	echo "$dir"
}

# Every client first, so that a missing module proxy shows up as such
# rather than as a build error.
for spec in "${SUITES[@]}"; do
	IFS='|' read -r name module version _ <<<"$spec"
	if [ -z "${COMPAT_ONLY:-}" ] || [[ $name == *"$COMPAT_ONLY"* ]]; then
		download "$module" "$version" >/dev/null
	fi
done

# The renamed copy of this module.
LIB=$WORK/libseccomp-golang
COMPAT_SRC=$SRC GO=$GO "$HERE/rename.sh" "$LIB" || die "cannot make the renamed copy of $OUR_MODULE"

$GO build -o "$WORK/testcount" "$HERE/testcount.go"

# raised BEFORE AFTER prints the go directive and requirements that differ
# between two go.mod files, as "path old -> new".
raised() {
	awk '
		FNR == 1 { file++ }
		/^go / { v[file, "go"] = $2; mods["go"] = 1 }
		/^require \(/ { inreq = 1; next }
		inreq && /^\)/ { inreq = 0 }
		(inreq && NF >= 2) || (/^require / && NF >= 3) {
			path = inreq ? $1 : $2; ver = inreq ? $2 : $3
			v[file, path] = ver; mods[path] = 1
		}
		END {
			for (m in mods) if (v[1, m] != v[2, m])
				printf "%s %s -> %s\n", m, (v[1, m] == "" ? "none" : v[1, m]), v[2, m]
		}' "$1" "$2" | sort
}

# runsuite LABEL DIR CGO TAGS PKGS EXTRA prints the counts of one run and
# writes the skipped tests to DIR.skips. It fails if a test fails or a
# package doesn't build, after printing their output.
runsuite() {
	local label=$1 dir=$2 cgo=$3 tags=$4 pkgs=$5 extra=$6
	local args=() reports=() rc=0 line
	if [ "$extra" = ginkgo ]; then
		# A relative path: each test binary writes its report into its
		# own package directory.
		args=(-args -ginkgo.no-color -ginkgo.json-report=compat-ginkgo-report.json)
	fi
	# shellcheck disable=SC2086 # pkgs is a list of patterns
	(cd "$dir" && CGO_ENABLED=$cgo $GO test -count=1 -json -tags "$tags" $pkgs "${args[@]}") \
		>"$dir.json" 2>"$dir.stderr" || rc=$?
	if [ "$extra" = ginkgo ]; then
		mapfile -t reports < <(find "$dir" -name compat-ginkgo-report.json | sort)
		if [ ${#reports[@]} -eq 0 ]; then
			echo "compat: $label: no Ginkgo report was written" >>"$dir.stderr"
			[ "$rc" != 0 ] || rc=1
		fi
	fi
	line=$("$WORK/testcount" -skips "$dir.skips" "${reports[@]}" <"$dir.json" 2>"$dir.failures") ||
		die "$label: cannot read the test output $dir.json"
	echo "compat: $label: $line"
	if [ "$rc" != 0 ] || grep -q ' [1-9][0-9]* failed' <<<"$line"; then
		cat "$dir.stderr" "$dir.failures" >&2
		echo "compat: $label: go test failed (exit status $rc); full output in $dir.json" >&2
		return 1
	fi
}

# suite NAME MODULE VERSION CGO TAGS PKGS EXTRA runs one suite twice, with
# libseccomp-golang as the client pins it and with the renamed copy, and
# compares the runs. It fails if either run fails or the skips differ.
suite() {
	local name=$1 module=$2 version=$3 cgo=$4 tags=$5 pkgs=$6 extra=$7
	local suite_start=$SECONDS short label cache base ours pinned deps
	short=$(sed -e 's#\./##g' -e 's# \(libcontainer\|pkg\|internal\)/# #g' <<<"$pkgs")
	label="$name $version $short"
	if [ "$cgo" = 0 ]; then
		label+=" (CGO_ENABLED=0)"
	fi
	cache=$(download "$module" "$version")
	base=$WORK/$(tr '/' '_' <<<"$name")-$version-theirs
	ours=$WORK/$(tr '/' '_' <<<"$name")-$version-ours-cgo$cgo

	# libseccomp-golang as the client pins it, once per client version.
	if [ ! -d "$base" ]; then
		cp -r "$cache" "$base" && chmod -R u+w "$base" || return 1
		pinned=$(cd "$base" && $GO list -m -f '{{.Version}}' "$THEIR_MODULE") || return 1
		runsuite "$label with $THEIR_MODULE $pinned" "$base" 1 "$tags" "$pkgs" "$extra" || return 1
	fi
	if [ ! -f "$base.skips" ]; then
		echo "compat: $label: no run with $THEIR_MODULE to compare with" >&2
		return 1
	fi

	cp -r "$cache" "$ours" && chmod -R u+w "$ours" || return 1
	(cd "$ours" && $GO mod edit -replace "$THEIR_MODULE=$LIB") || return 1
	# The tests must exercise this module: internal/compile exists only
	# in the renamed copy, never in libseccomp-golang.
	# shellcheck disable=SC2086 # pkgs is a list of patterns
	if ! deps=$(cd "$ours" && CGO_ENABLED=$cgo $GO list -deps -test -tags "$tags" $pkgs 2>&1); then
		echo "compat: $label: cannot list the packages under test: $deps" >&2
		return 1
	fi
	if ! grep -qx "$THEIR_MODULE/internal/compile" <<<"$deps"; then
		echo "compat: $label: the packages under test do not use the renamed copy of $OUR_MODULE" >&2
		return 1
	fi
	if ! runsuite "$label" "$ours" "$cgo" "$tags" "$pkgs" "$extra"; then
		echo "compat: $label: the go.mod changes this module's requirements brought:" >&2
		raised "$cache/go.mod" "$ours/go.mod" | sed 's/^/compat:   /' >&2
		return 1
	fi

	if ! diff -u "$base.skips" "$ours.skips" >"$ours.skipdiff"; then
		echo "compat: $label: the skipped tests differ from the run with $THEIR_MODULE" \
			"(- only with $THEIR_MODULE, + only with this module):" >&2
		cat "$ours.skipdiff" >&2
		return 1
	fi
	if [ -s "$ours.skips" ]; then
		sed 's/^/compat:   skipped in both runs: /' "$ours.skips"
	fi
	raised "$cache/go.mod" "$ours/go.mod" | sed 's/^/compat:   this module raised the requirement /'
	echo "compat: $label: done in $((SECONDS - suite_start))s"
}

failed=()
for spec in "${SUITES[@]}"; do
	IFS='|' read -r name module version cgo tags pkgs extra <<<"$spec"
	if [ -n "${COMPAT_ONLY:-}" ] && [[ $name != *"$COMPAT_ONLY"* ]]; then
		continue
	fi
	if ! suite "$name" "$module" "$version" "$cgo" "$tags" "$pkgs" "$extra"; then
		failed+=("$name $version (CGO_ENABLED=$cgo)")
	fi
done

if [ ${#failed[@]} -ne 0 ]; then
	echo "compat: FAIL after $((SECONDS - start))s:" >&2
	printf 'compat:   %s\n' "${failed[@]}" >&2
	exit 1
fi
echo "compat: all suites passed in $((SECONDS - start))s"
status=0
