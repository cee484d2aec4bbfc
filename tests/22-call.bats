#!/usr/bin/env bats
# kipcctl call and serve (SPEC sections 7 and 9): request and reply through
# the kernel, from the shell.

load lib

setup() {
	kipc_ensure_loaded
	box="call-$BATS_TEST_NUMBER-$$"
	bg_pid=
	mon_pid=
	kipcctl create "$box"
}

teardown() {
	local p

	for p in "$bg_pid" "$mon_pid"; do
		[ -n "$p" ] || continue
		kill -9 "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
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

show_field_is() {
	[ "$(field "$(kipcctl -j show "$1")" "$2")" = "$3" ]
}

@test "show and monitor see calls: pending, blocked callers, call and reply events with the time taken" {
	mon0=$(monitors)
	out=$BATS_TEST_TMPDIR/mon
	kipcctl -j monitor --count 4 "$box" >"$out" 2>"$out.err" 3>&- &
	mon_pid=$!
	wait_subscribed $((mon0 + 1))
	kipcctl call "$box" hello --type 9 >"$BATS_TEST_TMPDIR/reply" 3>&- &
	bg_pid=$!
	wait_for 20 show_field_is "$box" callers_blocked 1
	s=$(kipcctl -j show "$box")
	[ "$(field "$s" calls_pending)" = 1 ]
	[ "$(field "$s" calls)" = 1 ]
	[ "$(field "$s" depth)" = 1 ]
	run kipcctl show "$box"
	[[ "$output" == *"calls_pending: 1"*"callers_blocked: 1"*"calls: 1"* ]]

	kipcctl serve "$box" --count 1 -- tr a-z A-Z
	st=0
	wait "$bg_pid" || st=$?
	bg_pid=
	[ "$st" -eq 0 ]
	[ "$(cat "$BATS_TEST_TMPDIR/reply")" = HELLO ]
	s=$(kipcctl -j show "$box")
	[ "$(field "$s" calls_pending)" = 0 ]
	[ "$(field "$s" callers_blocked)" = 0 ]
	[ "$(field "$s" calls)" = 1 ]

	monitor_done "$out" "$out.err"
	mapfile -t ev <"$out"
	[ "${#ev[@]}" -eq 4 ]
	# The request as a message, then the reply and the call's end, which
	# two processes report: in either order.
	[ "$(field "${ev[0]}" event)" = '"send"' ]
	[ "$(field "${ev[1]}" event)" = '"recv"' ]
	seq=$(field "${ev[0]}" seq)
	for e in "${ev[2]}" "${ev[3]}"; do
		case $(field "$e" event) in
		'"reply"') reply=$e ;;
		'"call"') call=$e ;;
		esac
	done
	for e in "$reply" "$call"; do
		[ "$(field "$e" seq)" = "$seq" ]
		[ "$(field "$e" type)" = 9 ]
		[ "$(field "$e" len)" = 5 ]	# "HELLO", tr's output
		[ "$(field "$e" duration_ns)" -gt 0 ]
	done
	[ "$(field "$call" error)" = 0 ]
	[ -z "$(field "$reply" error)" ]
	[ "$(field "$call" pid)" = "$(field "${ev[0]}" pid)" ]
	[ "$(field "$reply" pid)" = "$(field "${ev[1]}" pid)" ]
	# The caller's time includes the replier's.
	[ "$(field "$call" duration_ns)" -ge "$(field "$reply" duration_ns)" ]
}

@test "the monitor's text line for a call that timed out names its error" {
	mon0=$(monitors)
	out=$BATS_TEST_TMPDIR/mon
	kipcctl monitor --count 2 "$box" >"$out" 2>&1 3>&- &
	mon_pid=$!
	wait_subscribed $((mon0 + 1))
	run kipcctl call "$box" q --timeout 50
	[ "$status" -eq 3 ]
	monitor_done "$out"
	mapfile -t ev <"$out"
	[[ "${ev[0]}" == *" send "*"seq=1 len=1 type=0"* ]]
	[[ "${ev[1]}" =~ \ call\ +mailbox=$box\ .*seq=1\ len=0\ type=0\ took=[0-9]+us\ error=ETIMEDOUT$ ]]
}
