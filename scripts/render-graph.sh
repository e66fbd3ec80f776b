#!/usr/bin/env bash
# render-graph.sh draws a profile with "scmp graph", renders the SVG to
# a PNG in headless Chromium, so that a person can check that the drawing
# is readable in a real browser, and measures the text as the browser
# lays it out: it fails if a line overflows its box or an edge label
# overlaps a box or another label. It is not part of "make test" and
# needs Debian's chromium package (apt-get install chromium).
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

# Measure the text as the browser lays it out: every line of a box must
# end inside the box, and edge labels must be clear of the boxes and of
# each other.
html=$profile_dir/check.html
{
	echo '<!DOCTYPE html><html><body>'
	tail -n +2 "$svg"
	cat <<'SCRIPT'
<pre id="out"></pre><script>
const box = e => e.getBBox();
const meet = (a, b) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
let texts = 0, overflow = [], slack = Infinity;
for (const g of document.querySelectorAll('g.node')) {
	const r = box(g.querySelector('rect'));
	for (const t of g.querySelectorAll('text')) {
		texts++;
		const b = box(t), s = r.x + r.width - (b.x + b.width);
		slack = Math.min(slack, s);
		if (s < 0) overflow.push(g.id + ': ' + t.textContent);
	}
}
// The lines of one label touch; those of different labels must not.
const labels = [...document.querySelectorAll('text.label')].map(t => ({b: box(t), edge: t.parentNode}));
const rects = [...document.querySelectorAll('g.node rect')].map(box);
let onBox = 0, onLabel = 0;
labels.forEach((a, i) => {
	rects.forEach(r => { if (meet(a.b, r)) onBox++; });
	labels.slice(i + 1).forEach(c => { if (c.edge !== a.edge && meet(a.b, c.b)) onLabel++; });
});
document.getElementById('out').textContent = 'CHECK texts=' + texts + ' overflowing=' + overflow.length +
	' least-slack=' + slack.toFixed(1) + 'px labels=' + labels.length + ' on-boxes=' + onBox + ' on-labels=' + onLabel +
	(overflow.length ? ' ' + overflow.join('; ') : '');
</script></body></html>
SCRIPT
} > "$html"
result=$("$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-background-networking \
	--disable-component-update --disable-sync --no-first-run \
	--user-data-dir="$profile_dir" --dump-dom "file://$html" 2>/dev/null | grep -o 'CHECK texts=[0-9][^<]*')
echo "$result"
case $result in
*" overflowing=0 "*" on-boxes=0 on-labels=0"*) ;;
*)
	echo "render-graph.sh: text does not fit in the browser's layout" >&2
	exit 1
	;;
esac
