#!/usr/bin/env bats
# kipcctl over the mailbox ioctls: create, destroy, send, recv, wait, version.

setup() {
	box="bats-$BATS_TEST_NUMBER-$$"
}

teardown() {
	kipcctl destroy "$box" 2>/dev/null || true
}

@test "create, send, recv: the exact bytes come back" {
	kipcctl create "$box"
	kipcctl send "$box" "hello, kernel"
	run kipcctl recv "$box"
	[ "$status" -eq 0 ]
	[ "$output" = "hello, kernel" ]
}

@test "send - reads standard input, binary-safe" {
	kipcctl create "$box"
	printf 'a\0b\377c' | kipcctl send "$box" -
	run bash -c "kipcctl recv '$box' --raw | od -An -tx1"
	[ "$status" -eq 0 ]
	[ "$(echo $output)" = "61 00 62 ff 63" ]
}

@test "recv --hex and -j show the message" {
	kipcctl create "$box"
	kipcctl send "$box" "hi" --type 7 --priority 3
	kipcctl send "$box" "yo"
	run kipcctl recv "$box" --hex --peek
	[ "$output" = "68 69" ]
	run kipcctl -j recv "$box"
	[ "$status" -eq 0 ]
	[[ "$output" == '{"name":"'$box'","seq":1,"type":7,"priority":3,"len":2,"msg_len":2,"sender_pid":'*',"sender_uid":0,"time_ns":'*',"data":"hi"}' ]]
}

@test "send --count and recv --count move N messages" {
	kipcctl create "$box" --capacity 10
	kipcctl send "$box" x --count 10
	run kipcctl send "$box" x --nonblock
	[ "$status" -eq 3 ]
	[[ "$output" == *"send $box: Resource temporarily unavailable (EAGAIN)"* ]]
	run kipcctl recv "$box" --count 10
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'x\n%.0s' {1..10})" ]
}

@test "recv --timeout on an empty mailbox exits 3 with ETIMEDOUT" {
	kipcctl create "$box"
	run kipcctl recv "$box" --timeout 100
	[ "$status" -eq 3 ]
	[[ "$output" == *"(ETIMEDOUT)"* ]]
	run kipcctl recv "$box" --nonblock
	[ "$status" -eq 3 ]
	[[ "$output" == *"(EAGAIN)"* ]]
}

@test "errors name the operation, the mailbox and the errno" {
	run kipcctl recv "no-such-box-$$"
	[ "$status" -eq 1 ]
	[ "$output" = "kipcctl: recv no-such-box-$$: No such file or directory (ENOENT)" ]
	kipcctl create "$box"
	run kipcctl create "$box"
	[ "$status" -eq 1 ]
	[ "$output" = "kipcctl: create $box: File exists (EEXIST)" ]
	run kipcctl create "a/b"
	[ "$status" -eq 1 ]
	[[ "$output" == "kipcctl: create a/b: Invalid argument (EINVAL): "* ]]
	run kipcctl create "$(printf 'n%.0s' {1..64})"
	[ "$status" -eq 1 ]
	[[ "$output" == *" (ENAMETOOLONG): "* ]]
}

@test "usage errors exit 2" {
	run kipcctl
	[ "$status" -eq 2 ]
	run kipcctl frobnicate
	[ "$status" -eq 2 ]
	run kipcctl send
	[ "$status" -eq 2 ]
	[[ "$output" == *"missing mailbox NAME"* ]]
	run kipcctl send "$box" x --priority nope
	[ "$status" -eq 2 ]
	run kipcctl create "$box" --peek
	[ "$status" -eq 2 ]
	[[ "$output" == *"does not apply"* ]]
}

@test "help lists every command and help COMMAND shows its usage" {
	run kipcctl help
	[ "$status" -eq 0 ]
	for c in create destroy send recv list show stats monitor wait version; do
		[[ "$output" == *"  $c "* ]]
	done
	run kipcctl help send
	[[ "$output" == "Usage: kipcctl send NAME [TEXT | -]"* ]]
}

@test "version shows tool and module ABI" {
	run kipcctl version
	[ "$status" -eq 0 ]
	[[ "$output" == "kipcctl "*"(ABI 1), module ABI 1" ]]
	run kipcctl -j version
	[[ "$output" == *'"module_abi":1'* ]]
}

@test "destroy wakes a blocked receiver with EIDRM" {
	kipcctl create "$box"
	kipcctl recv "$box" 2>"$BATS_TEST_TMPDIR/err" &
	pid=$!
	# Wait until the receiver sleeps in the kernel.
	for _ in $(seq 100); do
		grep -q 'blocked_receivers: 1' <(kipcctl show "$box" 2>/dev/null) && break
		[ -e "/proc/$pid" ] || break
		sleep 0.1
	done
	kipcctl destroy "$box"
	# Not `run wait`: run's subshell may not see the job's status.
	status=0
	wait "$pid" || status=$?
	[ "$status" -eq 1 ]
	grep -q "(EIDRM)" "$BATS_TEST_TMPDIR/err"
}

@test "mode bits: another user cannot recv from 0620, owner can destroy" {
	kipcctl create "$box" --mode 0622
	run setpriv --reuid 1001 --regid 1001 --clear-groups kipcctl send "$box" hi
	[ "$status" -eq 0 ]
	run setpriv --reuid 1001 --regid 1001 --clear-groups kipcctl recv "$box" --nonblock
	[ "$status" -eq 1 ]
	[[ "$output" == *"(EACCES)" ]]
	run setpriv --reuid 1001 --regid 1001 --clear-groups kipcctl destroy "$box"
	[ "$status" -eq 1 ]
	[[ "$output" == *"(EPERM)" ]]
	run kipcctl recv "$box"
	[ "$output" = "hi" ]
}

@test "wait prints each signal with its siginfo" {
	kipcctl create "$box" --mode 0666
	kipcctl wait "$box" --signal RTMIN --count 2 >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" &
	pid=$!
	for _ in $(seq 100); do
		grep -q waiting "$BATS_TEST_TMPDIR/err" && break
		sleep 0.1
	done
	kipcctl send "$box" one
	setpriv --reuid 1000 --regid 1000 --clear-groups kipcctl send "$box" two
	wait "$pid"
	id=$(kipcctl -j show "$box" | sed 's/.*"id":\([0-9]*\).*/\1/')
	run cat "$BATS_TEST_TMPDIR/out"
	[ "${#lines[@]}" -eq 2 ]
	[[ "${lines[0]}" == "signal=SIGRTMIN si_code=SI_MESGQ mailbox_id=$id sender_pid="*" sender_uid=0" ]]
	[[ "${lines[1]}" == *" sender_uid=1000" ]]
}

@test "unshare --ipc sees none of our mailboxes" {
	kipcctl create "$box"
	run unshare --ipc kipcctl send "$box" hi
	[ "$status" -eq 1 ]
	[[ "$output" == *"(ENOENT)" ]]
	unshare --ipc bash -c "kipcctl create '$box' && kipcctl destroy '$box'"
}

@test "a message survives its sender, a temp mailbox does not survive its handles" {
	kipcctl create "$box"
	bash -c "kipcctl send '$box' persisted"
	run kipcctl recv "$box"
	[ "$output" = "persisted" ]
	kipcctl create "$box-t" --temp 2>/dev/null &
	pid=$!
	for _ in $(seq 100); do
		kipcctl send "$box-t" hi 2>/dev/null && break
		sleep 0.1
	done
	kill "$pid"
	wait "$pid" || true
	run kipcctl send "$box-t" hi
	[ "$status" -eq 1 ]
	[[ "$output" == *"(ENOENT)" ]]
}
