#!/usr/bin/env bash
# Usage: rename.sh DIR
#
# Writes to DIR (which must not exist) a copy of this module that calls
# itself github.com/seccomp/libseccomp-golang: the tracked files without
# difftest/ and cmd/, with the module path github.com/seccomp-go/seccomp
# rewritten in go.mod and in every import. A libseccomp-golang client can
# then build against it with
#
#	go mod edit -replace github.com/seccomp/libseccomp-golang=DIR
#
# The module to copy is this checkout, or COMPAT_SRC if set.
set -euo pipefail

OUR_MODULE=github.com/seccomp-go/seccomp
THEIR_MODULE=github.com/seccomp/libseccomp-golang

if [ $# -ne 1 ]; then
	echo "usage: $0 DIR" >&2
	exit 2
fi
if [ -e "$1" ]; then
	echo "rename.sh: $1 already exists; give a new directory" >&2
	exit 1
fi
SRC=$(cd "${COMPAT_SRC:-$(dirname "$0")/../..}" && pwd)
mkdir -p "$1"
DEST=$(cd "$1" && pwd)

(
	cd "$SRC"
	git ls-files -z | grep -zv -e '^difftest/' -e '^cmd/' |
		while IFS= read -r -d '' f; do
			# A tracked file deleted in the work tree is not part of it.
			[ -e "$f" ] && printf '%s\0' "$f"
		done | xargs -0 cp --parents -t "$DEST"
)
find "$DEST" -type f \( -name '*.go' -o -name go.mod \) -print0 |
	xargs -0 sed -i "s#${OUR_MODULE//./\\.}#$THEIR_MODULE#g"
if grep -rlq --include='*.go' --include=go.mod "$OUR_MODULE" "$DEST"; then
	echo "rename.sh: the copy in $DEST still mentions $OUR_MODULE" >&2
	exit 1
fi
if ! (cd "$DEST" && CGO_ENABLED=0 GOWORK=off ${GO:-go} build ./...); then
	echo "rename.sh: the renamed copy in $DEST does not build" >&2
	exit 1
fi
