#!/usr/bin/env bats
# make bench, as a smoke test: kipc-bench --quick runs every mechanism and
# every measurement once and checks that every message arrived, in order.
# It never asserts a time (the guest is emulated).

setup() {
	out="$BATS_TEST_TMPDIR/bench"
}

@test "kipc-bench --quick: every mechanism ran and moved every message" {
	run kipc-bench --quick --out "$out"
	echo "$output"
	[ "$status" -eq 0 ]
	for m in "kipc" "kipc call" "kipc batched" "pipe" "unix seqpacket" "POSIX mq" \
		 "SysV msg" "futex (floor)" "null ioctl (kipc)" \
		 "kipc (open + CREATE)"; do
		echo "$output" | grep -qF "| $m |" || { echo "no row for $m"; false; }
	done
	# One row per measurement, none of them failed or empty.
	for g in "round trip 64 B" "round trip 1024 B" "round trip 4096 B" \
		 "throughput 64 B" "throughput 4096 B" "fan-in 4 -> 1, 64 B" \
		 "notify: send -> signal handler" "notify: send -> poll wake-up" \
		 "create one queue" "list all queues (in-process)" \
		 "memory per queued msg, 64 B" "per message, no blocking, 64 B" \
		 "1 pair, 64 B, msg/s (as 16 pairs)" \
		 "16 pairs, 64 B, msg/s (all pairs)" \
		 "16 clients, 1 server, 64 B, requests/s"; do
		echo "$output" | grep -qF "| $g |" || { echo "no rows for $g"; false; }
	done
	! echo "$output" | grep -q "FAILED"
}

@test "kipc-bench --quick writes the table, JSON and plot data" {
	run kipc-bench --quick --out "$out"
	[ "$status" -eq 0 ]
	[ -s "$out/results.md" ]
	[ -s "$out/latency.dat" ]
	grep -q '"failures": 0' "$out/results.json"
	if command -v python3 >/dev/null; then
		python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert all(r["failed"] is False for r in d["results"])' "$out/results.json"
	fi
}

@test "kipc-bench rejects unknown options" {
	run kipc-bench --no-such-option
	[ "$status" -eq 2 ]
}
