#!/usr/bin/env bats
# Security and cleanliness at the command line (docs/contract.md §2, §4, §6): other
# users are refused with the exact errno; nobody can list and monitor but
# never sees a payload byte; a 100,000-message flood under a monitor is
# accounted for exactly (events seen + suppressed + dropped) and never
# blocks a sender; throw-away namespaces strand nothing and per-user limits
# hold across namespaces; only root sees every namespace (-A); after heavy
# use every counter is back to zero and the module unloads and reloads. The
# ioctl-level and raw-netlink checks are in tests/c/test_security.c and
# test_limits.c. Never uses fd 3 (bats' own).

load lib

setup() {
	box="sec-$BATS_TEST_NUMBER-$$"
	mon_pid=
	bg_pids=()
	mon0=$(monitors)	# subscriptions before the test's own
}

teardown() {
	local p

	if [ -n "$mon_pid" ]; then
		kill -CONT "$mon_pid" 2>/dev/null || true
		kill -9 "$mon_pid" 2>/dev/null || true
		wait "$mon_pid" 2>/dev/null || true
	fi
	for p in "${bg_pids[@]}"; do
		kill -9 "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	kipc_ensure_loaded
	restore_params
	for p in "$box" "$box-2"; do
		kipcctl destroy "$p" 2>/dev/null || true
	done
	kipcctl list 2>/dev/null | awk -v p="$box-p" 'index($2, p) == 1 { print $2 }' |
		xargs -r -n 1 kipcctl destroy 2>/dev/null || true
}

# True when process $1's netlink socket has nothing left to read.
drained() {
	[ "$(nl_sock "$1" 5)" = 0 ]
}

notify_count_is() {
	[ "$(field "$(kipcctl -j show "$1")" notify_count)" = "$2" ]
}

stat_of() {
	field "$(kipcctl -j stats)" "$1"
}

stats_are() {
	[ "$(stat_of mailboxes)" = "$1" ] && [ "$(stat_of charged_bytes)" = "$2" ]
}

# The inode number of process $1's IPC namespace, as lsns shows it.
ipc_ns_of() {
	local ns

	ns=$(readlink "/proc/$1/ns/ipc")
	ns=${ns#ipc:[}
	echo "${ns%]}"
}

# mbox_in JSON NAME KEY: KEY of mailbox NAME in a `kipcctl -j list` array.
mbox_in() {
	local re='\{"id":[0-9]+,"name":"'"$2"'",[^}]*\}'

	[[ $1 =~ $re ]] && field "${BASH_REMATCH[0]}" "$3"
	return 0
}

not_listed_anywhere() {
	[[ $(kipcctl -A -j list) != *"\"name\":\"$1\""* ]]
}

@test "another user gets EACCES from a 0600 mailbox, EPERM on destroy of a 0602 one" {
	as_user 1000 kipcctl create --mode 0600 "$box"
	as_user 1000 kipcctl send "$box" "owner-secret-ZQXJ"
	as_user 1000 kipcctl create --mode 0602 "$box-2"

	# 0600: no handle at all, so every operation stops at EACCES.
	for op in "recv $box" "recv $box --peek" "recv $box --nonblock" \
		  "send $box intruder" "destroy $box" "wait $box --count 1"; do
		# shellcheck disable=SC2086 # split the operation into words
		run as_user 1001 kipcctl $op
		echo "$op: $status $output"
		[ "$status" -eq 1 ]
		[ "$output" = "kipcctl: ${op%% *} $box: Permission denied (EACCES)" ]
	done
	# Its metadata is public, as in ipcs; its bytes are not.
	run as_user 1001 kipcctl -j show "$box"
	[ "$status" -eq 0 ]
	[ "$(field "$output" depth)" = 1 ]
	[ "$(field "$output" uid)" = 1000 ]
	[[ $output != *ZQXJ* ]]

	# 0602: others may send, and nothing else.
	as_user 1001 kipcctl send "$box-2" "from-1001"
	for op in "recv $box-2 --nonblock" "recv $box-2 --peek" "wait $box-2 --count 1"; do
		# shellcheck disable=SC2086
		run as_user 1001 kipcctl $op
		echo "$op: $status $output"
		[ "$status" -eq 1 ]
		[ "$output" = "kipcctl: ${op%% *} $box-2: Permission denied (EACCES)" ]
	done
	run as_user 1001 kipcctl destroy "$box-2"
	[ "$status" -eq 1 ]
	[ "$output" = "kipcctl: destroy $box-2: Operation not permitted (EPERM)" ]

	# Nothing was taken, added or changed; the owner still has it all.
	run kipcctl -j show "$box"
	[ "$(field "$output" sent)" = 1 ]
	[ "$(field "$output" received)" = 0 ]
	[ "$(field "$output" notify_count)" = 0 ]
	[ "$(field "$output" mode)" = '"0600"' ]
	run as_user 1000 kipcctl recv --nonblock "$box"
	[ "$status" -eq 0 ]
	[ "$output" = "owner-secret-ZQXJ" ]
	run as_user 1000 kipcctl recv --nonblock "$box-2"
	[ "$output" = "from-1001" ]
	as_user 1000 kipcctl destroy "$box"
	as_user 1000 kipcctl destroy "$box-2"
}

@test "nobody can list, show and monitor its namespace: sees every event, never a payload byte" {
	out=$BATS_TEST_TMPDIR/mon
	payload="ZQXJ-payload-$$-never-on-netlink"
	# Not as_user: a function in the background would be a subshell, and
	# we need kipcctl's own pid.
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		kipcctl -j monitor --count 5 "$box" >"$out" 2>"$out.err" 3>&- &
	mon_pid=$!
	wait_subscribed $((mon0 + 1))

	id=$(field "$(kipcctl -j create --mode 0600 "$box")" id)
	kipcctl send --type 5 "$box" "$payload"
	printf '%s\0%s' "$payload" "$payload" | kipcctl send --type 6 "$box" -
	kipcctl recv "$box" >/dev/null

	run as_user 65534 kipcctl -j list
	[ "$status" -eq 0 ]
	list=$output
	[[ $list == *"\"name\":\"$box\""* ]]
	run as_user 65534 kipcctl list
	[ "$status" -eq 0 ]
	grep -Eq "^ *$id +$box +[a-z0-9_]+ +0600 +1/64 " <<<"$output"
	run as_user 65534 kipcctl -j show "$box"
	[ "$status" -eq 0 ]
	show=$output
	[ "$(field "$show" depth)" = 1 ]
	[ "$(field "$show" bytes)" = $((2 * ${#payload} + 1)) ]
	kipcctl destroy "$box"

	monitor_done "$out" "$out.err"
	expect_events "$out" create:"$id" send:"$id" send:"$id" recv:"$id" destroy:"$id"
	mapfile -t ev <"$out"
	for e in "${ev[@]}"; do
		[ "$(field "$e" uid)" = 0 ]
	done
	[ "$(field "${ev[1]}" len)" = "${#payload}" ]
	[ "$(field "${ev[1]}" type)" = 5 ]
	[ "$(field "${ev[2]}" len)" = $((2 * ${#payload} + 1)) ]
	[ "$(field "${ev[2]}" type)" = 6 ]
	[ "$(field "${ev[3]}" len)" = "${#payload}" ]
	# Not in the events, the list or the show output: not even its start.
	for f in "$out" "$out.err"; do
		run grep -c -e ZQXJ -e "never-on" "$f"
		[ "$output" = 0 ]
	done
	[[ $list != *ZQXJ* && $show != *ZQXJ* ]]
}

@test "nobody's monitor learns nothing of root's 0600 mailbox in another IPC namespace; root's -A monitor sees it" {
	out=$BATS_TEST_TMPDIR/mon
	inner="$box-inner-ZQXJ"
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		kipcctl -j monitor --count 2 >"$out" 2>"$out.err" 3>&- &
	mon_pid=$!
	wait_subscribed $((mon0 + 1))
	kipcctl -A -j monitor >"$out.all" 2>"$out.all.err" 3>&- &
	bg_pids+=($!)
	wait_joined "${bg_pids[0]}"

	# Root, in a new IPC namespace (no user namespace): a 0600 mailbox,
	# used and destroyed.
	unshare --ipc sh -c "kipcctl create --mode 0600 '$inner' &&
		kipcctl send --type 9 '$inner' ZQXJ-secret &&
		kipcctl recv '$inner' >/dev/null && kipcctl destroy '$inner'"
	# Then one in nobody's namespace: the first events it may see.
	id=$(field "$(kipcctl -j create "$box")" id)
	kipcctl destroy "$box"
	monitor_done "$out" "$out.err"
	# Nobody got exactly those two: nothing of the inner one came first.
	expect_events -n "$box" "$out" create:"$id" destroy:"$id"
	[ "$(wc -l <"$out")" -eq 2 ]
	run grep -c -e ZQXJ -e "\"id\":$((id - 1))," "$out" "$out.err"
	[ "$output" = "$(printf '%s:0\n' "$out" "$out.err")" ]

	# The host-wide view had all of it, in order, and the marker after.
	wait_for 20 grep -q "\"event\":\"destroy\",.*\"id\":$id," "$out.all"
	iid=$((id - 1))
	expect_events -n "$inner" "$out.all" create:"$iid" send:"$iid" recv:"$iid" \
		destroy:"$iid"
	send=$(grep '"event":"send"' "$out.all" | grep -F "\"name\":\"$inner\"")
	[ "$(field "$send" len)" = 11 ]
	[ "$(field "$send" type)" = 9 ]
	[ "$(field "$send" mode)" = '"0600"' ]
	expect_events -n "$box" "$out.all" create:"$id" destroy:"$id"
}

@test "a monitor in a new IPC namespace sees that namespace's events, not the host's" {
	out=$BATS_TEST_TMPDIR/mon
	hid=$(field "$(kipcctl -j create --mode 0666 "$box")" id)
	# The same name inside; the host's mailbox busy meanwhile, through
	# nsenter into the initial IPC namespace.
	run unshare --ipc bash -c '
		setpriv --reuid=65534 --regid=65534 --clear-groups \
			kipcctl -j monitor --count 3 >"$1" 2>&1 3>&- &
		m=$!
		for i in $(seq 400); do
			[ "$(kipcctl -j stats | grep -o "\"monitors\":[0-9]*")" = "\"monitors\":$3" ] &&
				break
			[ "$i" -lt 400 ] || exit 1
			sleep 0.05
		done
		nsenter -t 1 -i kipcctl send "$2" host-mail || exit 1
		nsenter -t 1 -i kipcctl recv "$2" >/dev/null || exit 1
		kipcctl create "$2" && kipcctl send --type 3 "$2" inner &&
			kipcctl destroy "$2" || exit 1
		wait "$m"' _ "$out" "$box" $((mon0 + 1))
	echo "$output"
	cat "$out"
	[ "$status" -eq 0 ]
	mapfile -t ev <"$out"
	[ "${#ev[@]}" -eq 3 ]
	iid=$(field "${ev[0]}" id)
	[ "$iid" != "$hid" ]
	expect_events -n "$box" "$out" create:"$iid" send:"$iid" destroy:"$iid"
	[ "$(field "${ev[1]}" len)" = 5 ]
	[ "$(field "${ev[1]}" type)" = 3 ]
	# The host's mailbox had the message and its receive, unseen.
	[ "$(field "$(kipcctl -j show "$box")" received)" = 1 ]
}

@test "in its own user and IPC namespaces, an unprivileged user monitors its mailboxes and nothing of the host's" {
	# Files nobody can write; a FIFO to order host and inner actions.
	out=/tmp/kipc-userns-$$.out
	fifo=/tmp/kipc-userns-$$.go
	install -m 0666 /dev/null "$out"
	mkfifo -m 0666 "$fifo"
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		unshare --user --ipc --map-root-user bash -c '
		kipcctl -j monitor --count 3 >"$1" 2>&1 3>&- &
		m=$!
		read -r _ <"$2"
		kipcctl create --mode 0600 "$3" &&
			kipcctl send --type 4 "$3" inner-mail &&
			kipcctl destroy "$3" || exit 1
		wait "$m"' _ "$out" "$fifo" "$box" 3>&- &
	bg_pids+=($!)
	wait_subscribed $((mon0 + 1))
	# Root's mailbox of the same name on the host, used while it watches.
	hid=$(field "$(kipcctl -j create "$box")" id)
	kipcctl send "$box" ZQXJ-host
	kipcctl destroy "$box"
	echo go >"$fifo"
	rc=0
	wait_exit "${bg_pids[0]}" 30 || rc=$?
	bg_pids=()
	cat "$out"
	rm -f "$fifo"
	[ "$rc" -eq 0 ]
	# Out of /tmp, where nobody could write it, into the test's own.
	mv "$out" "$BATS_TEST_TMPDIR/mon"
	out=$BATS_TEST_TMPDIR/mon
	mapfile -t ev <"$out"
	[ "${#ev[@]}" -eq 3 ]
	iid=$(field "${ev[0]}" id)
	[ "$iid" -gt "$hid" ]
	expect_events "$out" create:"$iid" send:"$iid" destroy:"$iid"
	for e in "${ev[@]}"; do
		# Nobody is root in there, and sees itself so.
		[ "$(field "$e" uid)" = 0 ]
		[ "$(field "$e" gid)" = 0 ]
	done
	[ "$(field "${ev[1]}" len)" = 10 ]
	[[ "${ev[*]}" != *ZQXJ* ]]
}

@test "nobody cannot join the monitor group (EPERM), even as root of its own user namespace" {
	run as_user 65534 kipcctl -A monitor
	[ "$status" -eq 1 ]
	[ "$output" = "kipcctl: monitor join monitor: Operation not permitted (EPERM)" ]
	run as_user 65534 unshare --user --map-root-user kipcctl -j -A monitor --count 1
	[ "$status" -eq 1 ]
	[ "$output" = "kipcctl: monitor join monitor: Operation not permitted (EPERM)" ]
	run as_user 65534 kipcctl monitor -A
	[ "$status" -eq 1 ]
	[[ "$output" == *"(EPERM)" ]]
}

depth_at_least() {
	[ "$(field "$(kipcctl -j show "$1")" depth)" -ge "$2" ]
}

@test "one user's flood does not suppress another user's events; both are counted exactly" {
	out=$BATS_TEST_TMPDIR/mon
	save_param event_rate
	echo 5 >$params/event_rate
	kipcctl create --mode 0666 --capacity 5000 --capacity-bytes $((1 << 20)) "$box"
	kipcctl create --mode 0666 "$box-2"
	# Both views: the host-wide group, and nobody's subscription.
	kipcctl -A -j monitor >"$out" 2>"$out.err" 3>&- &
	mon_pid=$!
	wait_joined "$mon_pid"
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		kipcctl -j monitor >"$out.s" 2>"$out.s.err" 3>&- &
	bg_pids+=($!)
	wait_subscribed $((mon0 + 1))
	sup0=$(stat_of events_suppressed)

	# uid 4001 floods (2,000 against a bucket of 5 a second) ...
	as_user 4001 kipcctl send --count 2000 "$box" flood 3>&- &
	flood=$!
	wait_for 60 depth_at_least "$box" 100
	# ... while uid 4002 sends 5, its own bucket's worth: none is lost.
	as_user 4002 kipcctl send --count 5 "$box-2" other
	wait "$flood"
	# Root's event, once both are done, marks the end for both monitors.
	kipcctl send "$box-2" end!
	sup1=$(stat_of events_suppressed)
	wait_for 20 grep -q '"len":4' "$out"
	wait_for 20 grep -q '"len":4' "$out.s"
	cat "$out.err" "$out.s.err"
	for f in "$out" "$out.s"; do
		flooded=$(grep '"event":"send"' "$f" | grep -cF "\"name\":\"$box\"")
		other=$(grep '"event":"send"' "$f" | grep -F "\"name\":\"$box-2\"" | grep -c '"len":5,')
		echo "$f: flood events seen $flooded, suppressed $((sup1 - sup0)); other user's $other"
		[ "$other" -eq 5 ]
		[ "$flooded" -ge 1 ]
		[ $((flooded + sup1 - sup0)) -eq 2000 ]
	done
	[ "$(nl_sock "$mon_pid" 9)" = 0 ]
	[ "$(nl_sock "${bg_pids[0]}" 9)" = 0 ]
	[ "$(field "$(tail -n 1 "$out")" suppressed)" = "$sup1" ]
	[ "$(field "$(tail -n 1 "$out.s")" suppressed)" = $((sup1 - sup0)) ]
}

@test "subscriptions end with their socket; max_user_monitors caps each user (ENOSPC)" {
	[ "$(cat $params/max_user_monitors)" = 16 ]
	save_param max_user_monitors
	echo 2 >$params/max_user_monitors
	# Subscribe and close, many times over the cap: none is left behind.
	for i in $(seq 25); do
		run as_user 65534 kipc-nlprobe monitor
		[ "$output" = "ok 0" ] || { echo "cycle $i: $output"; false; }
	done
	[ "$(monitors)" = "$mon0" ]

	# Two held open: a third is refused, for this user only.
	for i in 1 2; do
		setpriv --reuid=65534 --regid=65534 --clear-groups \
			kipcctl monitor >/dev/null 2>&1 3>&- &
		bg_pids+=($!)
		wait_subscribed $((mon0 + i))
	done
	run as_user 65534 kipc-nlprobe monitor
	[ "$output" = "error ENOSPC: this user has max_user_monitors subscriptions" ]
	run as_user 65534 kipcctl monitor
	[ "$status" -eq 1 ]
	[ "$output" = "kipcctl: monitor: No space left on device (ENOSPC): this user has max_user_monitors subscriptions" ]
	run as_user 1000 kipc-nlprobe monitor
	[ "$output" = "ok 0" ]
	run kipc-nlprobe monitor	# root: CAP_SYS_RESOURCE
	[ "$output" = "ok 0" ]
	[ "$(monitors)" = $((mon0 + 2)) ]

	# One closes: room for one again.
	kill "${bg_pids[0]}"
	wait "${bg_pids[0]}" || true
	wait_subscribed $((mon0 + 1))
	run as_user 65534 kipc-nlprobe monitor
	[ "$output" = "ok 0" ]
	kill "${bg_pids[1]}"
	wait "${bg_pids[1]}" || true
	bg_pids=()
	wait_subscribed "$mon0"
}

@test "a 100,000-message flood: sent = send events seen + suppressed, senders never blocked" {
	out=$BATS_TEST_TMPDIR/mon
	# The default rate limit, as a fresh module has it.
	[ "$(cat $params/event_rate)" = 1000 ]
	kipcctl create --capacity 130000 --capacity-bytes $((16 << 20)) "$box"
	sup0=$(stat_of events_suppressed)
	# The host-wide view: its events carry the module's total.
	kipcctl -A -j monitor "$box" >"$out" 2>"$out.err" 3>&- &
	mon_pid=$!
	wait_joined "$mon_pid"

	# Four senders at once, 25,000 each; none may fail or hang. They are
	# niced so that the monitor, which must see every event that passed
	# the limit, is never starved of CPU by them on a slow (debug) kernel.
	pids=()
	for i in 1 2 3 4; do
		timeout 600 nice -n 10 kipcctl send --count 25000 "$box" x 3>&- &
		pids+=($!)
	done
	for p in "${pids[@]}"; do
		rc=0
		wait "$p" || rc=$?
		[ "$rc" -eq 0 ] || { echo "sender $p: status $rc"; false; }
	done
	# One more once the bucket has refilled: its event carries the total.
	sleep 1.5
	kipcctl send "$box" last
	sup1=$(stat_of events_suppressed)
	wait_for 60 grep -q '"len":4' "$out"
	drops=$(nl_sock "$mon_pid" 9)
	seen=$(grep -c '"event":"send"' "$out")
	cat "$out.err"
	echo "send events seen: $seen, suppressed: $((sup1 - sup0)), dropped: $drops"
	[ "$(field "$(kipcctl -j show "$box")" sent)" = 100001 ]
	[ "$(field "$(kipcctl -j show "$box")" depth)" = 100001 ]
	[ "$drops" = 0 ]
	[ "$seen" -ge 1 ]
	[ $((sup1 - sup0)) -gt 0 ]
	[ $((seen + sup1 - sup0)) -eq 100001 ]
	# The last event has the running total; the monitor reported the rest.
	[ "$(field "$(tail -n 1 "$out")" suppressed)" = "$sup1" ]
	[ "$(grep -o '[0-9]* more events suppressed' "$out.err" |
		awk '{ s += $1 } END { print s + 0 }')" -eq $((sup1 - sup0)) ]
	[ "$(grep -c 'events lost' "$out.err")" = 0 ]

	# A monitor that stops reading (nobody's subscription: its buffer is
	# capped at rmem_max): senders go on, and what its full socket cannot
	# take is dropped and counted, never waited for. The live one still
	# sees all.
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		kipcctl -j monitor "$box" >"$out.2" 2>"$out.2.err" 3>&- &
	bg_pids+=($!)
	wait_subscribed $((mon0 + 1))
	kill -STOP "${bg_pids[0]}"
	timeout 600 nice -n 10 kipcctl send --count 20000 "$box" y
	kill -CONT "${bg_pids[0]}"
	wait_for 60 drained "${bg_pids[0]}"
	# Again one more once the bucket has refilled: when both have
	# printed its event, they have printed all before it.
	sleep 1.5
	kipcctl send "$box" end
	sup2=$(stat_of events_suppressed)
	wait_for 60 grep -q '"len":3' "$out"
	wait_for 60 grep -q '"len":3' "$out.2"
	seen2=$(($(grep -c '"event":"send"' "$out") - seen))
	drops=$(nl_sock "$mon_pid" 9)
	seen3=$(grep -c '"event":"send"' "$out.2")
	stopped_drops=$(nl_sock "${bg_pids[0]}" 9)
	echo "live monitor: seen $seen2, suppressed $((sup2 - sup1)), dropped $drops"
	echo "stopped monitor: seen $seen3, dropped $stopped_drops"
	[ "$drops" = 0 ]
	[ $((seen2 + sup2 - sup1)) -eq 20001 ]
	[ "$stopped_drops" -gt 0 ]
	[ $((seen3 + sup2 - sup1 + stopped_drops)) -eq 20001 ]
	# The subscriber's events said as much: what its namespace had
	# suppressed since it subscribed, and what its own socket lost.
	[ "$(field "$(tail -n 1 "$out.2")" suppressed)" = $((sup2 - sup1)) ]
	[ "$(field "$(tail -n 1 "$out.2")" lost)" = "$stopped_drops" ]
	[ "$(field "$(kipcctl -j show "$box")" depth)" = 120002 ]
	for p in "$mon_pid" "${bg_pids[0]}"; do
		kill -TERM "$p"
		rc=0
		wait_exit "$p" 20 || rc=$?
		[ "$rc" -eq 0 ]
	done
	mon_pid=
	bg_pids=()
	grep -q 'events lost' "$out.2.err"
	[ "$(grep -o '[0-9]* more events lost' "$out.2.err" |
		awk '{ s += $1 } END { print s + 0 }')" -eq "$stopped_drops" ]
	[ "$(grep -c 'events lost' "$out.err")" = 0 ]
}

@test "-A: root lists, shows and destroys every namespace's mailboxes by id; nobody gets EPERM" {
	ready=$BATS_TEST_TMPDIR/ready
	kipcctl create "$box"
	# unshare and sh exec: the background pid is the namespace's process.
	unshare --ipc sh -c "kipcctl create '$box-2' && kipcctl send '$box-2' hidden &&
		echo ready && exec sleep 60" >"$ready" 3>&- &
	bg_pids+=($!)
	wait_for 20 grep -q ready "$ready"
	ns1=$(ipc_ns_of $$)
	ns2=$(ipc_ns_of "${bg_pids[0]}")
	[ "$ns1" != "$ns2" ]

	# Without -A: our namespace's only.
	run kipcctl -j list
	[ "$status" -eq 0 ]
	[[ $output == *"\"name\":\"$box\""* && $output != *"$box-2"* ]]
	# With -A, before or after the command: both, and which namespace.
	run kipcctl -A -j list
	[ "$status" -eq 0 ]
	all=$output
	run kipcctl list -j -A
	[ "$output" = "$all" ]
	[ "$(mbox_in "$all" "$box" ns)" = "$ns1" ]
	[ "$(mbox_in "$all" "$box-2" ns)" = "$ns2" ]
	id2=$(mbox_in "$all" "$box-2" id)
	[ -n "$id2" ]
	run kipcctl -A list
	[ "$status" -eq 0 ]
	[[ ${lines[0]} =~ ^\ *NS\ +ID\ +NAME\  ]]
	grep -Eq "^ *$ns2 +$id2 +$box-2 +root +0600 +1/64 " <<<"$output"
	run kipcctl -A show "$id2"
	[ "$status" -eq 0 ]
	[[ $output == *"name: $box-2"$'\n'"ns: $ns2"$'\n'* ]]
	[ "$(field "$(kipcctl -j show -A "$id2")" depth)" = 1 ]
	# An id of another namespace is nothing without -A; -A takes only ids.
	run kipcctl show --id "$id2"
	[ "$status" -eq 1 ]
	[[ $output == "kipcctl: show id $id2: No such file or directory (ENOENT)"* ]]
	run kipcctl -A show "$box-2"
	[ "$status" -eq 2 ]
	run kipcctl -A create "$box-3"
	[ "$status" -eq 2 ]
	[[ $output == "kipcctl create: -A does not apply"* ]]

	# nobody, and nobody as root of its own user namespace: EPERM.
	for who in "" "unshare -U -r"; do
		# shellcheck disable=SC2086 # $who is words or nothing
		run as_user 65534 $who kipcctl -A list
		[ "$status" -eq 1 ]
		[ "$output" = "kipcctl: list: Operation not permitted (EPERM): all namespaces: needs CAP_IPC_OWNER in the initial user namespace" ]
		# shellcheck disable=SC2086
		run as_user 65534 $who kipcctl -A show "$id2"
		[ "$status" -eq 1 ]
		[[ $output == "kipcctl: show id $id2: Operation not permitted (EPERM)"* ]]
		# shellcheck disable=SC2086
		run as_user 65534 $who kipcctl -A destroy "$id2"
		[ "$status" -eq 1 ]
		[ "$output" = "kipcctl: destroy id $id2: Operation not permitted (EPERM)" ]
	done
	[ "$(field "$(kipcctl -A -j show "$id2")" depth)" = 1 ]

	# Root destroys it by id, across namespaces, once.
	kipcctl -A destroy "$id2"
	not_listed_anywhere "$box-2"
	run kipcctl -A destroy "$id2"
	[ "$status" -eq 1 ]
	[ "$output" = "kipcctl: destroy id $id2: No such file or directory (ENOENT)" ]
	run kipcctl -j list
	[[ $output == *"\"name\":\"$box\""* ]]
}

@test "an unprivileged user's throw-away namespaces strand nothing: 20 rounds past the global limits" {
	base=$(stat_of mailboxes)
	charged0=$(stat_of charged_bytes)
	save_param max_mailboxes
	save_param max_total_bytes
	echo $((base + 16)) >"$params/max_mailboxes"
	echo $((4 << 20)) >"$params/max_total_bytes"

	# As nobody, each round in fresh user and IPC namespaces: 8 mailboxes
	# of 4 x 8 KiB, then exit. 160 mailboxes and 5 MiB in all, 10 and 1.25
	# times what the module holds at once: every round must succeed.
	run as_user 65534 kipc-nsflood -U 20 8 4 8192
	printf '%s\n' "${lines[@]: -3}"
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = "total: 20 rounds, 160 mailboxes, 640 messages" ]

	# Root and another user still create and send 8 KiB.
	for u in 0 1000; do
		as_user $u kipcctl create "$box-u$u"
		head -c 8192 /dev/zero | as_user $u kipcctl send "$box-u$u" -
		[ "$(field "$(kipcctl -j show "$box-u$u")" bytes)" = 8192 ]
		kipcctl destroy "$box-u$u"
	done
	# kipcctl stats: what the attacker left is freed (bounded wait).
	wait_for 30 stats_are "$base" "$charged0"
	run kipcctl stats
	echo "$output"
	# The per-user limits that stopped nobody meanwhile: the defaults.
	grep -qx "max_user_mailboxes: 256" <<<"$output"
	grep -qx "max_user_bytes: $((16 << 20))" <<<"$output"
	grep -qx "max_notify: 64" <<<"$output"
}

@test "max_user_mailboxes counts a user's mailboxes in all its namespaces; its namespace's root is not exempt" {
	save_param max_user_mailboxes
	echo 2 >"$params/max_user_mailboxes"
	[ "$(stat_of max_user_mailboxes)" = 2 ]
	for i in 1 2; do
		setpriv --reuid=65534 --regid=65534 --clear-groups \
			unshare -U -i -r sh -c "kipcctl create '$box-$i' && echo ready &&
			exec sleep 60" >"$BATS_TEST_TMPDIR/ns$i" 3>&- &
		bg_pids+=($!)
	done
	wait_for 20 grep -q ready "$BATS_TEST_TMPDIR/ns1"
	wait_for 20 grep -q ready "$BATS_TEST_TMPDIR/ns2"
	[ "$(ipc_ns_of "${bg_pids[0]}")" != "$(ipc_ns_of "${bg_pids[1]}")" ]

	# A third namespace: the same user, the same two.
	run as_user 65534 unshare -U -i -r kipcctl create "$box-3"
	[ "$status" -eq 1 ]
	[ "$output" = "kipcctl: create $box-3: No space left on device (ENOSPC)" ]
	# Another user is not affected.
	as_user 1000 kipcctl create "$box-4"
	kipcctl destroy "$box-4"
	# Once a namespace is left, its mailbox stops counting at once.
	kill -9 "${bg_pids[0]}"
	wait "${bg_pids[0]}" || true
	run as_user 65534 unshare -U -i -r kipcctl create "$box-3"
	echo "$output"
	[ "$status" -eq 0 ]
	not_listed_anywhere "$box-1"
	kill -9 "${bg_pids[1]}"
	wait "${bg_pids[1]}" || true
	bg_pids=()
	wait_for 30 not_listed_anywhere "$box-2"
	wait_for 30 not_listed_anywhere "$box-3"
}

@test "root's unshare --ipc: its mailbox goes with the namespace's last process, with a destroy event" {
	out=$BATS_TEST_TMPDIR/mon
	kipcctl -A -j monitor --count 3 "$box" >"$out" 2>"$out.err" 3>&- &
	mon_pid=$!
	wait_joined "$mon_pid"

	unshare --ipc sh -c "kipcctl create '$box' && kipcctl send '$box' bye"
	wait_for 30 not_listed_anywhere "$box"
	monitor_done "$out" "$out.err"
	mapfile -t ev <"$out"
	id=$(field "${ev[0]}" id)
	expect_events "$out" create:"$id" send:"$id" destroy:"$id"
	[ "$(field "${ev[2]}" depth)" = 0 ]
	[ "$(field "${ev[2]}" dropped)" = 1 ]
}

@test "rmmod refused while in use; after heavy use all is back to zero, unload and reload work" {
	# The module's own slab caches, if it has any.
	mapfile -t caches < <(cat "$KIPC_ROOT"/kmod/*.c | tr -d '\n' |
		grep -oE 'kmem_cache_create(_usercopy)?\( *"[^"]+"|KMEM_CACHE(_USERCOPY)?\( *[a-z_0-9]+' |
		sed -E 's/.*\( *"?//; s/"$//' | sort -u)
	echo "kipc's kmem caches: ${caches[*]:-none (kmalloc only)}"
	kipc_reload	# counters start at zero

	run kipc-stress -n 10000 -s 62 -N -t 60
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *'kipc-stress: PASS'* ]]

	# Many temporary mailboxes (kipc-mkmany makes them with capacity 4),
	# with messages still queued when they go.
	pfx="heavy-$$"
	run kipc-mkmany "$pfx" 300 -- sh -c "
		for i in \$(seq 0 7 299); do
			kipcctl send --nonblock --count 4 '$pfx-'\$i m || exit 1
		done
		kipcctl recv --count 2 '$pfx-0' >/dev/null"
	echo "$output"
	[ "$status" -eq 0 ]

	# Persistent ones, queued messages and signal registrations, held open.
	for i in $(seq 20); do
		kipcctl create --capacity 200 "$box-p$i"
		kipcctl send --count 100 "$box-p$i" "persistent $i"
	done
	for i in 1 2 3 4 5; do
		kipcctl wait --signal USR1 --count 1000 "$box-p$i" >/dev/null 2>&1 3>&- &
		bg_pids+=($!)
	done
	wait_for 20 notify_count_is "$box-p5" 1
	kipcctl send --count 10 "$box-p1" ping
	[ "$(stat_of mailboxes)" = 20 ]
	[ "$(stat_of messages)" = 2010 ]

	# In use: refused, and nothing is lost.
	[ "$(cat /sys/module/kipc/refcnt)" -ge 5 ]
	run rmmod kipc
	[ "$status" -ne 0 ]
	[[ $output == *"in use"* ]]
	kipc_loaded
	[ "$(stat_of messages)" = 2010 ]

	for p in "${bg_pids[@]}"; do
		kill -9 "$p"
		wait "$p" || true
	done
	bg_pids=()
	for i in $(seq 20); do
		kipcctl destroy "$box-p$i"
	done

	stats=$(kipcctl -j stats)
	echo "$stats"
	for k in mailboxes messages bytes charged_bytes; do
		[ "$(field "$stats" $k)" = 0 ] || { echo "$k not 0"; false; }
	done
	[ "$(field "$stats" created)" = "$(field "$stats" destroyed)" ]
	[ "$(field "$stats" created)" -ge 320 ]
	[ "$(cat /sys/module/kipc/refcnt)" = 0 ]
	for c in "${caches[@]}"; do
		active=$(awk -v c="$c" '$1 == c { print $2 }' /proc/slabinfo)
		echo "cache $c: ${active:-merged or absent} active"
		[ -z "$active" ] || [ "$active" = 0 ]
	done

	# Unload with mailboxes and messages but no handle: it frees them,
	# and gives back the namespaces it held, one still in use.
	kipcctl create "$box"
	kipcctl send --count 30 "$box" "left for rmmod"
	unshare --ipc sh -c "kipcctl create '$box-ns' && echo ready &&
		exec sleep 60" >"$BATS_TEST_TMPDIR/ns" 3>&- &
	bg_pids+=($!)
	wait_for 20 grep -q ready "$BATS_TEST_TMPDIR/ns"
	dmesg_mark
	rmmod kipc
	run kipc_loaded
	[ "$status" -ne 0 ]
	[ ! -e /dev/kipc ]
	for c in "${caches[@]}"; do
		[ "$(grep -c "^$c " /proc/slabinfo)" = 0 ]
	done
	run dmesg_since
	echo "$output"
	[ -z "$(grep -Ei 'still has objects|BUG|WARNING|leak' <<<"$output")" ]
	[ "$(grep -c 'kipc: unloaded' <<<"$output")" -eq 1 ]

	insmod "$KIPC_KO"
	kipc_loaded
	# The namespace kipc held survives it, usable and empty.
	nsenter --ipc -t "${bg_pids[0]}" kipcctl create "$box-ns"
	[ "$(stat_of mailboxes)" = 1 ]
	kipcctl -A destroy "$(field "$(kipcctl -A -j list)" id)"
	[ "$(stat_of mailboxes)" = 0 ]
	[ "$(stat_of charged_bytes)" = 0 ]
	kipcctl create "$box"
	kipcctl send "$box" "after reload"
	run kipcctl recv "$box"
	[ "$output" = "after reload" ]
}
