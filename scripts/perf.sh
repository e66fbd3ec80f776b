#!/usr/bin/env bash
# perf.sh runs the benchmarks and tests behind docs/PERFORMANCE.md once,
# writes their raw output under docs/bench/, draws docs/performance.svg
# from it and rewrites the generated tables of PERFORMANCE.md (the parts
# between "<!-- generated: NAME -->" and "<!-- end -->"; the prose around
# them is left alone). It needs root (live filters, the JIT setting),
# cgo and Debian's libseccomp-dev for difftest, and optionally valgrind
# for the instruction counts. On a shared, busy two-core machine the
# whole run takes 10 to 15 minutes; it prints the time of each step and
# the total.
#
# Usage: scripts/perf.sh [STEP...]
#   With no STEP, every step runs, in this order:
#     bench          side-by-side benchmarks of difftest, PriorityMix  -> bench.txt
#     live           longer LiveSyscall runs                          -> live.txt
#     live-weighted  BenchmarkLiveWeighted                            -> live-weighted.txt
#     startup        BenchmarkWholeProcess*, BenchmarkInit            -> startup.txt
#     frequency      BenchmarkWeightedSteps                           -> frequency.txt
#     notify         BenchmarkNotifyRoundTrip                         -> notify.txt
#     tests          the tests behind the cache and priority tables   -> tests.txt
#     callgrind      instructions per build + export (valgrind)       -> callgrind.txt
#     run            the machine, and the total time of a full run    -> run.txt
#                    (each step also notes there its commit, date and time)
#     plot           docs/performance.svg from bench.txt and live.txt
#     doc            the generated tables of docs/PERFORMANCE.md
#   Naming steps runs only those (for example "live-weighted doc"); the
#   other raw files stay as they are.
#
# Environment: GO (default go); OUT, the directory of the raw files
# (default docs/bench; the plot and the page are still docs'); COUNT, runs of each benchmark (default 3);
# LIVECOUNT, runs of the longer LiveSyscall step (default 7); ROUNDS,
# rounds of BenchmarkLiveWeighted (default 41).
set -euo pipefail

GO=${GO:-go}
COUNT=${COUNT:-3}
LIVECOUNT=${LIVECOUNT:-7}
ROUNDS=${ROUNDS:-41}
root=$(cd "$(dirname "$0")/.." && pwd)
out=${OUT:-$root/docs/bench}
all_steps=(bench live live-weighted startup frequency notify tests callgrind run plot doc)
steps=("$@")
[ ${#steps[@]} -eq 0 ] && steps=("${all_steps[@]}")
for s in "${steps[@]}"; do
	[[ " ${all_steps[*]} " == *" $s "* ]] || { echo "perf.sh: unknown step $s (steps: ${all_steps[*]})" >&2; exit 2; }
done
mkdir -p "$out"
cd "$root"
begin=$SECONDS

# emit FILE CMD...: runs CMD with its output into docs/bench/FILE, which
# is replaced only when CMD succeeds.
emit() {
	local file=$1
	shift
	if "$@" > "$out/$file.tmp"; then
		mv "$out/$file.tmp" "$out/$file"
	else
		cat "$out/$file.tmp" >&2
		rm -f "$out/$file.tmp"
		echo "perf.sh: $file: failed" >&2
		return 1
	fi
}

# bench_dirs NAME: the package directories, relative to the root, whose
# tests define a benchmark whose name starts with NAME.
bench_dirs() {
	git ls-files -co --exclude-standard '*_test.go' | xargs grep -l "^func $1" 2>/dev/null |
		xargs -r -n1 dirname | sort -u
}

# bench_any NAME REGEXP: runs the benchmarks matching REGEXP in every
# package that defines one starting with NAME (difftest with cgo).
bench_any() {
	local name=$1 re=$2 dir found=
	for dir in $(bench_dirs "$name"); do
		found=1
		if [[ $dir == difftest* ]]; then
			(cd "$dir" && CGO_ENABLED=1 "$GO" test -run '^$' -bench "$re" -benchmem -count "$COUNT" .)
		else
			"$GO" test -run '^$' -bench "$re" -benchmem -count "$COUNT" "./$dir"
		fi
	done
	[ -n "$found" ] || { echo "perf.sh: no package defines $name" >&2; return 3; }
}

# optional FILE NAME REGEXP: bench_any into FILE; without any such
# benchmark in the tree, FILE is removed, so that the page says it was
# not measured.
optional() {
	if [ -z "$(bench_dirs "$2")" ]; then
		rm -f "$out/$1"
		echo "perf.sh: $1: no $2 benchmark in this tree, not measured" >&2
		return 0
	fi
	emit "$1" bench_any "$2" "$3"
}

step_bench() {
	emit bench.txt bash -c "
		(cd difftest && CGO_ENABLED=1 '$GO' test -run '^\$' -bench '^Benchmark(DockerCompile|LiveSyscall|DockerBuild|DockerExport)\$' -benchmem -count $COUNT .) &&
		'$GO' test -run '^\$' -bench '^BenchmarkPriorityMix\$' -benchmem -count $COUNT ."
}

step_live() {
	emit live.txt bash -c "cd difftest && CGO_ENABLED=1 '$GO' test -run '^\$' -bench '^BenchmarkLiveSyscall\$' -count $LIVECOUNT ."
}

step_live-weighted() {
	emit live-weighted.txt bash -c "cd difftest && CGO_ENABLED=1 '$GO' test -run '^\$' -bench '^BenchmarkLiveWeighted\$' -count 1 -live.rounds $ROUNDS ."
}

step_startup() {
	optional startup.txt BenchmarkWholeProcess '^BenchmarkWholeProcess'
	if [ -f "$out/startup.txt" ]; then
		bench_any BenchmarkInit '^BenchmarkInit$' >> "$out/startup.txt"
	fi
}
step_frequency() { optional frequency.txt BenchmarkWeightedSteps '^BenchmarkWeightedSteps$'; }
step_notify() { optional notify.txt BenchmarkNotifyRoundTrip '^BenchmarkNotifyRoundTrip$'; }

step_tests() {
	emit tests.txt bash -c "
		(cd difftest && CGO_ENABLED=1 '$GO' test -count=1 -run '^(TestDockerMetrics|TestDockerCacheCoverage)\$' -v .) &&
		'$GO' test -count=1 -run '^(TestKernelCacheDockerDefault|TestPriorityGain)\$' -v ."
}

# callgrind_counts: for each build + export, the instructions valgrind
# counts for -benchtime 31x less those for 11x, divided by 20 (GOGC=off,
# so that they do not depend on when the collector runs). Both run the
# benchmark function twice (once for one iteration, then for the count),
# so that the difference is 20 iterations and nothing else.
callgrind_counts() {
	local bin refs11 refs31 bench n
	bin=$(mktemp -d)/difftest.test
	(cd difftest && CGO_ENABLED=1 "$GO" test -c -o "$bin" .)
	for bench in 'x86_64/ours' 'x86_64/ours-unreleased' 'x86_64/libseccomp-O1' 'x86_64/libseccomp-O2' \
		'x86_64+x86+x32/ours' 'x86_64+x86+x32/libseccomp-O1' 'x86_64+x86+x32/libseccomp-O2'; do
		local set=${bench%/*} series=${bench#*/}
		local re="DockerBuild/^${set//+/\\+}\$/^${series}\$"
		for n in 11 31; do
			local refs
			refs=$(GOGC=off GODEBUG=asyncpreemptoff=1 GOMAXPROCS=1 valgrind --tool=callgrind \
				--callgrind-out-file=/dev/null "$bin" -test.run '^$' -test.bench "$re" -test.benchtime ${n}x 2>&1 |
				sed -n 's/.*refs: *//p' | tr -d ,)
			[ -n "$refs" ] || { echo "perf.sh: callgrind gave no count for $bench" >&2; return 1; }
			if [ $n = 11 ]; then refs11=$refs; else refs31=$refs; fi
		done
		echo "DockerBuild/$bench $(( (refs31 - refs11) / 20 ))"
	done
	rm -rf "$(dirname "$bin")"
}

step_callgrind() {
	if ! command -v valgrind >/dev/null; then
		rm -f "$out/callgrind.txt"
		echo "perf.sh: valgrind not found: instruction counts not measured" >&2
		return 0
	fi
	emit callgrind.txt callgrind_counts
}

# record FILE SECONDS: notes in run.txt which commit produced FILE, when,
# and how long it took (or, when the step left no FILE, nothing).
record() {
	local commit line=
	commit=$(git rev-parse --short HEAD)
	git diff --quiet HEAD -- . ':!docs' || commit="$commit (with local changes)"
	[ -f "$out/$1" ] && line="raw $1: $commit | $(date -u '+%Y-%m-%d %H:%M UTC') | $2 s"
	touch "$out/run.txt"
	{ grep -v "^raw $1:" "$out/run.txt" || true; [ -z "$line" ] || echo "$line"; } > "$out/run.txt.tmp"
	mv "$out/run.txt.tmp" "$out/run.txt"
}

# step_run writes the machine's description into run.txt and, after a run
# of every step that writes a raw file, the total time so far.
step_run() {
	touch "$out/run.txt"
	{
		grep '^raw ' "$out/run.txt" || true
		echo "cpu: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
		echo "cpus: $(nproc)"
		echo "kernel: $(uname -sr)"
		echo "bpf_jit_enable: $(cat /proc/sys/net/core/bpf_jit_enable 2>/dev/null || echo unknown)"
		echo "go: $("$GO" version | sed 's/^go version //')"
		echo "libseccomp: $(dpkg-query -W -f '${Version}' libseccomp-dev 2>/dev/null || echo unknown)"
		# The total, when every step that writes a raw file ran.
		local s full=1
		for s in "${all_steps[@]}"; do
			case $s in run | plot | doc) continue ;; esac
			[[ " ${steps[*]} " == *" $s "* ]] || full=
		done
		if [ -n "$full" ]; then
			echo "total: $(( (SECONDS - begin) / 60 )) min $(( (SECONDS - begin) % 60 )) s"
		fi
	} > "$out/run.txt.tmp"
	mv "$out/run.txt.tmp" "$out/run.txt"
}

step_plot() {
	cat "$out/bench.txt" "$out/live.txt" | "$GO" run ./internal/benchplot \
		-title "seccomp-go and libseccomp 2.5.4 on Docker's default profile" \
		-series none,ours,ours-unreleased,libseccomp-O1,libseccomp-O2 \
		-units ns/op,insns,steps-allowed-mean,steps-max,ns/syscall \
		-exclude '^(DockerCompile|LiveSyscall|PriorityMix)/.* ns/op$' > "$root/docs/performance.svg.tmp"
	mv "$root/docs/performance.svg.tmp" "$root/docs/performance.svg"
}

step_doc() {
	"$GO" run ./internal/benchplot -doc docs/PERFORMANCE.md -raw "$out" -link bench
}

for s in "${steps[@]}"; do
	t=$SECONDS
	echo "perf.sh: $s..." >&2
	"step_$s"
	case $s in
	run | plot | doc) ;;
	*) record "$s.txt" $((SECONDS - t)) ;;
	esac
	echo "perf.sh: $s: $((SECONDS - t)) s" >&2
done
echo "perf.sh: done in $(( (SECONDS - begin) / 60 )) min $(( (SECONDS - begin) % 60 )) s" >&2
