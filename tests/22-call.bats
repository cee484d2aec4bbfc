#!/usr/bin/env bats
# kipcctl call and serve (SPEC sections 7 and 9): request and reply through
# the kernel, from the shell.

load lib

setup() {
	kipc_ensure_loaded
	box="call-$BATS_TEST_NUMBER-$$"
	bg_pid=
	kipcctl create "$box"
}

teardown() {
	if [ -n "$bg_pid" ]; then
		kill -9 "$bg_pid" 2>/dev/null || true
		wait "$bg_pid" 2>/dev/null || true
	fi
	kipcctl destroy "$box" 2>/dev/null || true
}

@test "serve answers each call with its command's output, --count of them" {
	kipcctl serve "$box" --count 3 -- tr a-z A-Z &
	bg_pid=$!
	run kipcctl call "$box" hello
	[ "$status" -eq 0 ]
	[ "$output" = "HELLO" ]
	run bash -c "printf 'two\nlines' | kipcctl call '$box' -"
	[ "$status" -eq 0 ]
	[ "$output" = "TWO
LINES" ]
	run kipcctl -j call "$box" json
	[ "$status" -eq 0 ]
	[[ "$output" == *'"data":"JSON"'* ]]
	# The third call was its last: serve exits 0 by itself.
	wait "$bg_pid"
	bg_pid=
	[ "$(kipcctl -j show "$box" | grep -o '"depth":[0-9]*')" = '"depth":0' ]
}

@test "a call nobody answers times out with status 3; one whose server dies gets ECONNRESET" {
	run kipcctl call "$box" q --timeout 100
	[ "$status" -eq 3 ]
	[[ "$output" == *ETIMEDOUT* ]]
	# That request is still queued: drain it.
	kipcctl recv "$box" --nonblock >/dev/null
	kipcctl serve "$box" -- sleep 30 &
	bg_pid=$!
	kipcctl call "$box" q >"$BATS_TEST_TMPDIR/out" 2>&1 &
	caller=$!
	for _ in $(seq 100); do
		[ -n "$(pgrep -P "$bg_pid" sleep)" ] && break
		sleep 0.1
	done
	kill -9 "$bg_pid"
	wait "$bg_pid" 2>/dev/null || true
	bg_pid=
	# Not `run wait`: a subshell cannot wait for this shell's child.
	st=0
	wait "$caller" || st=$?
	cat "$BATS_TEST_TMPDIR/out"
	[ "$st" -eq 1 ]
	grep -q ECONNRESET "$BATS_TEST_TMPDIR/out"
}

@test "serve leaves plain messages unanswered and says so; serve without a command is a usage error" {
	kipcctl send "$box" plain
	run kipcctl serve "$box" --count 1
	[ "$status" -eq 2 ]
	kipcctl serve "$box" --count 1 -- cat 2>"$BATS_TEST_TMPDIR/err" &
	bg_pid=$!
	run kipcctl call "$box" echo-me
	[ "$status" -eq 0 ]
	[ "$output" = "echo-me" ]
	wait "$bg_pid"
	bg_pid=
	grep -q "is not a call: not answered" "$BATS_TEST_TMPDIR/err"
}
