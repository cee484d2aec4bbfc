#!/usr/bin/env bats
# kipcctl top: the full-screen view, driven inside a detached tmux session
# (a terminal of known size that capture-pane can read back), run as on a
# serial console (TERM=vt100); q, --iterations, resizes, and a dumb terminal.
# tmux comes from the host's root file system; its socket lives in the
# test's own temporary directory.

load lib

setup() {
	kipc_ensure_loaded
	box="top-$BATS_TEST_NUMBER-$$"
	box2="top2-$BATS_TEST_NUMBER-$$"
	export TMUX_TMPDIR="$BATS_TEST_TMPDIR/tmux"
	mkdir -p "$TMUX_TMPDIR"
	status_file="$BATS_TEST_TMPDIR/top.status"
}

teardown() {
	tmux kill-server 2>/dev/null 3>&- || true
	kipcctl destroy "$box" 2>/dev/null || true
	kipcctl destroy "$box2" 2>/dev/null || true
}

# tmux without any configuration file; never with bats's fd 3 (the server
# stays in the background and would hold it open).
tm() {
	tmux -f /dev/null "$@" 3>&-
}

# top_start ARGS...: `kipcctl top ARGS` in a new 120x30 session "top", as
# on a serial console; its exit status goes to $status_file.
top_start() {
	tm new-session -d -s top -x 120 -y 30 \
		"env TERM=vt100 kipcctl top $*; echo \$? >$status_file"
}

# The pane's text as it is now.
screen() {
	tm capture-pane -p -t top
}

# screen_has REGEX: some line of the pane matches REGEX.
screen_has() {
	screen | grep -Eq -- "$1"
}

# top_status SECONDS: waits for top to exit and prints its exit status.
top_status() {
	wait_for "$1" test -s "$status_file" || {
		echo "top still running after $1 s; the pane:" >&2
		screen >&2 || true
		return 1
	}
	cat "$status_file"
}

@test "top: shows a mailbox's depth against its capacity, busiest first; q quits" {
	top_start --interval 200
	wait_for 10 screen_has 'mailboxes.*events suppressed'
	screen_has '^ *ID +NAME +DEPTH +DEPTH/CAP +BYTES +SEND/s +RECV/s +CALL/s +BLOCKED'

	kipcctl create "$box" --capacity 16
	kipcctl create "$box2" --capacity 16
	kipcctl send "$box" hello --count 5
	kipcctl send "$box2" hi --count 2
	wait_for 10 screen_has " $box +\[#+\.+\] +5/16 +25 " || {
		screen >&2
		false
	}
	screen_has " $box2 +\[#+\.+\] +2/16 +4 "
	# Once the rates are back to 0, the deeper mailbox comes first.
	sleep 1
	run screen
	[[ $output == *"$box "*"$box2 "* ]] || {
		echo "$output" >&2
		false
	}

	# A smaller window: redrawn to fit, still there.
	tm resize-window -t top -x 80 -y 12
	# (The bar goes first when the names are long: $$ varies in length.)
	wait_for 10 screen_has " $box +(\[#+\.+\] +)?5/16 " || {
		screen >&2
		false
	}
	run screen
	for line in "${lines[@]}"; do
		((${#line} <= 80))
	done

	tm send-keys -t top q
	run top_status 10
	[ "$status" -eq 0 ]
	[ "$output" = 0 ]
}

@test "top: --iterations N exits by itself; bad options are usage errors" {
	top_start --interval 100 --iterations 2
	run top_status 15
	[ "$status" -eq 0 ]
	[ "$output" = 0 ]

	run kipcctl top --interval 0
	[ "$status" -eq 2 ]
	run kipcctl top --iterations x
	[ "$status" -eq 2 ]
	run kipcctl top extra
	[ "$status" -eq 2 ]
	run kipcctl help top
	[ "$status" -eq 0 ]
	[[ $output == *"--interval MS"*"--iterations N"* ]]
}

@test "top: a dumb terminal gets one clear error line and exit status 1" {
	run env TERM=dumb kipcctl top
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ ${lines[0]} == *"terminal 'dumb'"*"full-screen terminal"* ]]

	# Even on a real terminal (a tmux pane).
	tm new-session -d -s top -x 120 -y 30 \
		"env TERM=dumb kipcctl top >$BATS_TEST_TMPDIR/dumb.out 2>&1; echo \$? >$status_file"
	run top_status 10
	[ "$output" = 1 ]
	run cat "$BATS_TEST_TMPDIR/dumb.out"
	[ "${#lines[@]}" -eq 1 ]
	[[ ${lines[0]} == *"terminal 'dumb'"* ]]
}

@test "top: CALL/s counts the requests a server answers" {
	kipcctl create "$box" --capacity 16
	kipcctl serve "$box" -- cat >/dev/null 2>&1 3>&- &
	server=$!
	(while kipcctl call "$box" ping --timeout 5000 >/dev/null; do :; done) 3>&- &
	caller=$!
	top_start --interval 500
	# The row: bar, depth, bytes, SEND/s, RECV/s, then a CALL/s above 0.
	wait_for 20 screen_has " $box +(\[[#.]+\] +)?[0-9]+/16 +[0-9]+ +[0-9.]+ +[0-9.]+ +([1-9][0-9.]*|0\.[1-9]) " || {
		screen >&2
		false
	}
	kill "$caller" "$server"
	wait "$caller" "$server" || true
	tm send-keys -t top q
	run top_status 10
	[ "$output" = 0 ]
}
