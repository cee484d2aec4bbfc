#!/bin/bash
# Profiles kipc's send/receive path in the guest (run it there, as root):
#
#   scripts/vm run -- tests/bench/profile.sh [MECH] [MESSAGES]
#
# 1. perf record (cpu-clock: a TCG guest has no PMU) of 64 B streaming by
#    kipc-bench --profile MECH, flat kernel profile by symbol;
# 2. one send and one receive under the function_graph tracer: every kernel
#    function the ioctl calls, with its (emulated) duration.
# Output in build/bench/profile-MECH.txt and build/bench/graph-kipc.txt.
set -euo pipefail
mech=${1:-kipc}
n=${2:-100000}
out=build/bench
mkdir -p "$out"
tag=${mech// /-}

if command -v perf >/dev/null; then
	perf record -q -e cpu-clock -F 4000 -a -g -o /tmp/perf.data -- \
		build/bin/kipc-bench --profile "$mech" --messages "$n" >/dev/null 2>&1
	perf report -i /tmp/perf.data --stdio --no-children --sort sym \
		--percent-limit 0.7 -g none 2>/dev/null |
		grep -v '^#' | grep -v '^$' >"$out/profile-$tag.txt"
	echo "== perf: $mech, 64 B streaming, $n messages (both processes, all CPUs)"
	head -n 45 "$out/profile-$tag.txt"
else
	echo "perf not installed: install linux-perf" >&2
fi

[[ $mech == kipc ]] || exit 0
T=/sys/kernel/tracing
[[ -e $T/available_tracers ]] && grep -qw function_graph $T/available_tracers || {
	echo "no function_graph tracer" >&2
	exit 0
}
echo 0 >$T/tracing_on
echo function_graph >$T/current_tracer
echo kipc_ioctl >$T/set_graph_function
echo >$T/trace
echo 1 >$T/tracing_on
build/bin/kipc-bench --profile kipc --messages 3 >/dev/null
echo 0 >$T/tracing_on
cp $T/trace "$out/graph-kipc.txt"
echo nop >$T/current_tracer
echo >$T/set_graph_function
echo "== function_graph of kipc_ioctl: $out/graph-kipc.txt"
echo "kernel functions called by each of the last ioctls (send or recv):"
awk '/kipc_ioctl \[kipc\]\(\) \{/ { n++; kind[n] = "send" } /kipc_ioc_recv/ { kind[n] = "recv" }
     /\(\);$|\{$/ { c[n]++ }
     END { for (i = n - 3; i <= n; i++) if (i > 0) print "  ioctl", i, kind[i] ":", c[i] }' "$out/graph-kipc.txt"
