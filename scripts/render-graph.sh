#!/usr/bin/env bash
# render-graph.sh draws a profile with "scmp graph" and renders the SVG
# to a PNG in headless Chromium, so that a person can check that the
# drawing is readable in a real browser. It is not part of "make test"
# and needs Debian's chromium package (apt-get install chromium).
#
# Usage: scripts/render-graph.sh [OUT.png [PROFILE [ARCH]]]
#   OUT.png  defaults to /tmp/graph.png (the SVG is written beside it)
#   PROFILE  defaults to docker-default, ARCH to x86_64
set -euo pipefail

out=${1:-/tmp/graph.png}
profile=${2:-docker-default}
arch=${3:-x86_64}
GO=${GO:-go}
CHROMIUM=${CHROMIUM:-chromium}

command -v "$CHROMIUM" >/dev/null || {
	echo "render-graph.sh: $CHROMIUM not found; install it (apt-get install chromium) or set CHROMIUM" >&2
	exit 1
}
root=$(cd "$(dirname "$0")/.." && pwd)
svg=${out%.png}.svg
profile_dir=$(mktemp -d)
trap 'rm -rf "$profile_dir"' EXIT

(cd "$root" && "$GO" run ./cmd/scmp graph --arch "$arch" -o "$svg" "$profile")

# The window is at least 2000x3000 and large enough for the whole
# drawing, which has its natural size (no scaling).
read -r w h < <(sed -n 's/.*<svg [^>]*width="\([0-9.]*\)" height="\([0-9.]*\)".*/\1 \2/p' "$svg" | head -n 1)
w=${w%.*}
h=${h%.*}
w=$(( w + 20 > 2000 ? w + 20 : 2000 ))
h=$(( h + 20 > 3000 ? h + 20 : 3000 ))

"$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-background-networking \
	--disable-component-update --disable-sync --no-first-run \
	--user-data-dir="$profile_dir" --screenshot="$out" --window-size="$w,$h" \
	"file://$(realpath "$svg")" 2>/dev/null
echo "$svg -> $out (${w}x${h})"
