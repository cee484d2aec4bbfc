#!/usr/bin/env bats
# kipcctl without surprises (issue 14): messages kept apart in pipes, wait
# ending on destroy, global options anywhere, UTF-8 JSON, decimal numbers,
# create's checks with their ranges, signal names, no silent hangs, one
# name and one clock per thing, destroy/list/help.

load lib

setup() {
	kipc_ensure_loaded
	box="cli-$BATS_TEST_NUMBER-$$"
	bg_pid=
}

teardown() {
	if [ -n "$bg_pid" ]; then
		kill -9 "$bg_pid" 2>/dev/null || true
		wait "$bg_pid" 2>/dev/null || true
	fi
	kipc_loaded || insmod "$KIPC_KO" || true
	kipcctl destroy "$box" "$box-2" "$box-3" "$box-u" "grüße-$$" 2>/dev/null || true
}

# on_tty TRIGGER INPUT CMD...: runs CMD with a pseudo-terminal as stdin,
# stdout and stderr; once its output shows TRIGGER, types INPUT and ^D ^D
# (one ends the line, the next is end of file); kills CMD after 30 s.
# Prints what CMD wrote (CRLF as LF) and exits with its status.
on_tty() {
	python3 - "$@" <<'EOF'
import os, pty, select, sys, time
trigger, text, argv = sys.argv[1].encode(), sys.argv[2].encode(), sys.argv[3:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(argv[0], argv)
out, typed, deadline = b"", False, time.time() + 30
while time.time() < deadline:
    r, _, _ = select.select([fd], [], [], 0.1)
    if r:
        try:
            data = os.read(fd, 4096)
        except OSError:
            break
        if not data:
            break
        out += data
    if not typed and trigger and trigger in out:
        os.write(fd, text + b"\x04\x04")	# end the line, then EOF
        typed = True
if time.time() >= deadline:
    os.kill(pid, 9)
_, st = os.waitpid(pid, 0)
sys.stdout.write(out.decode(errors="replace").replace("\r\n", "\n"))
sys.exit(os.waitstatus_to_exitcode(st))
EOF
}

# wait_waiting FILE: until `kipcctl wait` said it is registered.
wait_waiting() {
	wait_for 20 grep -q "waiting for" "$1"
}

@test "recv --count into a pipe or file: one message per line, -0 for NUL, --raw for one message's bytes" {
	kipcctl create "$box"
	for m in m1 m2 m3; do kipcctl send "$box" "$m"; done
	kipcctl recv "$box" --count 3 >"$BATS_TEST_TMPDIR/out"
	[ "$(od -An -c "$BATS_TEST_TMPDIR/out" | tr -s ' ')" = " m 1 \n m 2 \n m 3 \n" ]

	for m in a b; do kipcctl send "$box" "$m"; done
	run bash -c "kipcctl recv '$box' --count 2 -0 | od -An -tx1"
	[ "$(echo $output)" = "61 00 62 00" ]

	# --raw: the bytes alone, binary-safe; not for more than one message.
	printf 'x\0y\377\n' | kipcctl send "$box" -
	run bash -c "kipcctl recv '$box' --raw | od -An -tx1"
	[ "$(echo $output)" = "78 00 79 ff 0a" ]
	run kipcctl recv "$box" --raw --count 2
	[ "$status" -eq 2 ]
	[[ ${lines[0]} == "kipcctl recv: --raw is for one message"* ]]
	run kipcctl recv "$box" --raw --follow
	[ "$status" -eq 2 ]

	# --follow into a pipe keeps them apart too.
	for m in f1 f2; do kipcctl send "$box" "$m"; done
	run bash -c "kipcctl recv '$box' --follow --timeout 300 2>/dev/null"
	[ "$status" -eq 3 ]
	[ "$output" = "$(printf 'f1\nf2')" ]
}

@test "wait ends with status 1 and EIDRM when the mailbox is destroyed; --persistent is accepted" {
	kipcctl create "$box"
	kipcctl wait "$box" --persistent --count 5 >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" &
	bg_pid=$!
	wait_waiting "$BATS_TEST_TMPDIR/err"
	kipcctl send "$box" one
	wait_for 20 grep -q "^signal=SIGUSR1 " "$BATS_TEST_TMPDIR/out"
	kipcctl destroy "$box"
	rc=0
	wait_exit "$bg_pid" 20 || rc=$?
	bg_pid=
	[ "$rc" -eq 1 ]
	[ "$(cat "$BATS_TEST_TMPDIR/err")" = "$(printf '%s\n' \
		"kipcctl: waiting for SIGUSR1 on $box" \
		"kipcctl: wait $box: Identifier removed (EIDRM)")" ]
	[ "$(wc -l <"$BATS_TEST_TMPDIR/out")" -eq 1 ]

	run kipcctl wait "$box" --oneshot --persistent
	[ "$status" -eq 2 ]
	[[ ${lines[0]} == *"--oneshot or --persistent, not both" ]]
}

@test "global options after the command work for every command" {
	run kipcctl create "$box" -j
	[ "$status" -eq 0 ]
	[[ $output == '{"name":"'"$box"'","id":'*'}' ]]
	run kipcctl send "$box" hi -j
	[[ $output == '{"name":"'"$box"'","sent":1,"last_seq":1}' ]]
	run kipcctl recv "$box" --peek -jp
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "{" ]
	[ "${lines[1]}" = "  \"name\": \"$box\"," ]
	run kipcctl recv "$box" --json
	[[ $output == '{"name":"'"$box"'",'*'"data":"hi"}' ]]
	run kipcctl show "$box" -j
	[[ $output == '{"id":'* ]]
	run kipcctl stats --json
	[[ $output == '{"mailboxes":'* ]]
	run kipcctl version -j
	[[ $output == '{"tool":'* ]]
	kipcctl wait "$box" -j >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" &
	bg_pid=$!
	wait_waiting "$BATS_TEST_TMPDIR/err"
	kipcctl send "$box" x
	wait_exit "$bg_pid" 20
	bg_pid=
	[[ $(cat "$BATS_TEST_TMPDIR/out") == '{"signal":"SIGUSR1","si_code":"SI_MESGQ","mailbox_id":'* ]]
	run kipcctl destroy "$box" -A
	[ "$status" -eq 2 ]
	[[ ${lines[0]} == "kipcctl destroy: with -A, give mailbox IDs, not '$box'" ]]
}

@test "-j prints UTF-8 as is; other payloads in data_base64, or data_hex with --hex; list aligns UTF-8 names" {
	u="grüße-$$"
	kipcctl create "$u"
	echo grüße | kipcctl send "$u" -
	printf 'a\377b' | kipcctl send "$u" -
	printf 'a\377b' | kipcctl send "$u" -
	run kipcctl -j recv "$u"
	[[ $output == *',"data":"grüße\n"}' ]]
	run kipcctl -j recv "$u"
	[[ $output == *',"data_base64":"Yf9i"}' ]]
	run kipcctl -j recv "$u" --hex
	[[ $output == *',"data_hex":"61ff62"}' ]]
	# Names too, and the output is valid JSON that decodes to them.
	run bash -c "kipcctl -j list | python3 -c 'import json, sys; print(*[m[\"name\"] for m in json.load(sys.stdin)])'"
	[ "$status" -eq 0 ]
	[[ " $output " == *" $u "* ]]
	# The text table: columns line up on the screen, by display width.
	kipcctl create "$box"
	run kipcctl list
	head=${lines[0]}
	pre=${head%%OWNER*}
	for l in "${lines[@]:1}"; do
		[[ $l == *"$u"* || $l == *"$box"* ]] || continue
		w=$(python3 -c 'import sys; print(sys.argv[1].index(" root ") + 1)' "$l")
		[ "$w" -eq "${#pre}" ] || { echo "misaligned: '$l'"; false; }
	done
	kipcctl destroy "$u"
}

@test "numbers are decimal (010 is ten), --mode is octal; 0x and signs are refused" {
	kipcctl create "$box" --capacity 010 --max-size 0100 --mode 0640
	show=$(kipcctl -j show "$box")
	[ "$(field "$show" capacity)" = 10 ]
	[ "$(field "$show" max_msg_size)" = 100 ]
	[ "$(field "$show" mode)" = '"0640"' ]
	run kipcctl recv "$box" --timeout 0100
	[ "$status" -eq 3 ]
	for v in 0x10 -1 +5 " 5" 5x; do
		run kipcctl send "$box" hi --type "$v"
		[ "$status" -eq 2 ]
		[[ ${lines[0]} == "kipcctl send: bad value '$v' for --type (a decimal number)" ]]
	done
}

@test "create says what is wrong and the allowed range, before asking the module" {
	max=$(cat /sys/module/kipc/parameters/max_msg_size)
	total=$(cat /sys/module/kipc/parameters/max_total_bytes)
	check() {
		run kipcctl create "$@"
		[ "$status" -eq 1 ] || { echo "status $status: $output"; return 1; }
		[ "$output" = "$expect" ] || { echo "got: $output"; echo "not: $expect"; return 1; }
	}
	expect="kipcctl: create $box: Invalid argument (EINVAL): --capacity 0 is out of range: 1..1048576 messages (0 is not \"the default\": leave the option out)"
	check "$box" --capacity 0
	expect="kipcctl: create $box: Invalid argument (EINVAL): --capacity 1048577 is out of range: 1..1048576 messages"
	check "$box" --capacity 1048577
	expect="kipcctl: create $box: Invalid argument (EINVAL): --max-size 0 is out of range: 1..$max bytes (the max_msg_size parameter)"
	check "$box" --max-size 0
	expect="kipcctl: create $box: Invalid argument (EINVAL): --max-size $((max + 1)) is out of range: 1..$max bytes (the max_msg_size parameter)"
	check "$box" --max-size $((max + 1))
	expect="kipcctl: create $box: Invalid argument (EINVAL): --capacity-bytes 100 is out of range: $max..$total bytes (at least the largest message, --max-size $max; at most max_total_bytes)"
	check "$box" --capacity-bytes 100
	expect="kipcctl: create '': Invalid argument (EINVAL): a name is 1..63 bytes, without '/'"
	check ""
	expect="kipcctl: create sl/ash: Invalid argument (EINVAL): a name is 1..63 bytes, without '/'"
	check sl/ash
	long=$(printf 'n%.0s' {1..64})
	expect="kipcctl: create $long: File name too long (ENAMETOOLONG): a name is 1..63 bytes, this one 64"
	check "$long"
	# Nothing was created; the edges of each range are fine.
	run kipcctl show "$box"
	[ "$status" -eq 1 ]
	kipcctl create "$box" --capacity 1048576 --max-size 1 --capacity-bytes 1
	kipcctl create "$box-2" --max-size "$max" --capacity-bytes "$max" --capacity 1
}

@test "wait --signal: KILL and STOP are refused; names in any case, with or without SIG, RTMIN+n, RTMAX-n" {
	kipcctl create "$box"
	for s in 9 KILL sigkill Stop 19; do
		run kipcctl wait "$box" --signal "$s"
		[ "$status" -eq 2 ]
		[[ ${lines[0]} == "kipcctl wait: signal SIG"*" cannot be caught: choose another, such as USR1 or RTMIN+1" ]]
	done
	run kipcctl wait "$box" --signal 33
	[ "$status" -eq 2 ]
	[[ ${lines[0]} == *"signal 33 is reserved by the C library"* ]]
	run kipcctl wait "$box" --signal nosuch
	[ "$status" -eq 2 ]
	for s in usr2:SIGUSR2 SIGusr1:SIGUSR1 rtmin:SIGRTMIN sigrtmin+2:SIGRTMIN+2 \
		RTMAX-1:SIGRTMAX-1 rtmax:SIGRTMAX hup:SIGHUP 10:SIGUSR1; do
		kipcctl wait "$box" --signal "${s%%:*}" >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" &
		bg_pid=$!
		wait_waiting "$BATS_TEST_TMPDIR/err"
		kipcctl send "$box" x
		wait_exit "$bg_pid" 20
		bg_pid=
		[ "$(cat "$BATS_TEST_TMPDIR/err")" = "kipcctl: waiting for ${s#*:} on $box" ]
		[[ $(cat "$BATS_TEST_TMPDIR/out") == "signal=${s#*:} si_code=SI_MESGQ "* ]]
	done
}

@test "no silent hangs: monitor of a missing mailbox, send reading a terminal, send into a full mailbox" {
	# A mailbox that does not exist yet: on a terminal (script(1) gives it
	# one), monitor says that it waits for its creation, then shows it.
	# The old kipcctl waited without a word.
	out=$BATS_TEST_TMPDIR/mon-tty
	script -qfec "kipcctl monitor --count 1 $box" /dev/null >"$out" 3>&- &
	bg_pid=$!
	wait_for 30 grep -q "no such mailbox yet" "$out"
	kipcctl create "$box" --capacity 1
	rc=0
	wait_exit "$bg_pid" 20 || rc=$?
	bg_pid=
	[ "$rc" -eq 0 ]
	tr -d '\r' <"$out" >"$out.txt"
	[ "$(sed -n 1p "$out.txt")" = "kipcctl: monitor $box: no such mailbox yet: waiting for it to be created (Ctrl-C stops)" ]
	grep -Eq " create +mailbox=$box id=[0-9]+ pid=[0-9]+$" "$out.txt"
	[ "$(wc -l <"$out.txt")" -eq 2 ]
	kipcctl destroy "$box"
	# A bad name is still an error at once.
	run kipcctl monitor "$(printf 'x%.0s' {1..64})"
	[ "$status" -eq 1 ]

	kipcctl create "$box" --capacity 1
	run on_tty "standard input" "typed in" kipcctl send "$box"
	[ "$status" -eq 0 ]
	[[ $output == "kipcctl: send $box: reading the message from standard input (end it with Ctrl-D)"* ]]
	[ "$(kipcctl recv "$box" --raw)" = "typed in" ]

	kipcctl send "$box" full
	run on_tty "" "" kipcctl send "$box" more --timeout 200
	[ "$status" -eq 3 ]
	[ "$output" = "$(printf '%s\n' \
		"kipcctl: send $box: the mailbox is full: waiting for room (Ctrl-C gives up)" \
		"kipcctl: send $box: Connection timed out (ETIMEDOUT)")" ]
	# Not on a terminal: nothing but the error.
	run kipcctl send "$box" more --timeout 100
	[ "$output" = "kipcctl: send $box: Connection timed out (ETIMEDOUT)" ]
}

@test "version and --version without the module; the hint names this tree's kipc.ko" {
	rmmod kipc || skip "kipc is in use"
	run kipcctl version
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "kipcctl 0.1.0 (ABI 1), module not loaded" ]
	run kipcctl --version
	[ "$status" -eq 0 ]
	[ "$output" = "kipcctl 0.1.0 (ABI 1)" ]
	ko=$(readlink -f "$(dirname "$(command -v kipcctl)")/../../kmod/kipc.ko")
	# shellcheck disable=SC2016 # literal backquotes
	if modinfo -n kipc >/dev/null 2>&1; then
		hint=': run `modprobe kipc` as root'	# installed (kipc-dkms)
	elif [ -f "$ko" ]; then
		hint=': run `insmod '"$ko"'` as root (or `make vm`)'
	else	# a debug kernel's run: its module is elsewhere
		hint=', nor installed for this kernel: build it (`make`) and run `insmod kmod/kipc.ko` as root, install the kipc-dkms package, or use `make vm`'
	fi
	for c in list "send x hi" version; do
		# shellcheck disable=SC2086 # words of the command
		run kipcctl $c
		[ "$status" -eq 1 ]
		[ "${lines[-1]}" = "kipcctl: kipc module not loaded$hint" ] ||
			{ echo "got: ${lines[-1]}"; false; }
	done
	insmod "$KIPC_KO"
}

@test "one name per thing: BLOCKED(s/r) in list and top, blocked_senders in show; times are UTC wall-clock" {
	kipcctl create "$box" --capacity 1
	kipcctl send "$box" x
	run kipcctl list "$box"
	[[ ${lines[0]} == "ID  NAME"*"  BLOCKED(s/r)  SENT  RECV" ]]
	run kipcctl show "$box"
	[[ $output == *$'\nblocked_senders: 0\nblocked_receivers: 0\n'* ]]
	[[ $output =~ $'\n'ctime:\ 20[0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-9:]{8}\.[0-9]{9}Z ]]

	# recv and monitor: the same clock as ctime and date(1).
	now=$(date +%s)
	t=$(field "$(kipcctl -j recv "$box")" time_ns)
	[ $((t / 1000000000)) -ge $((now - 60)) ] && [ $((t / 1000000000)) -le $((now + 1)) ]
	c=$(field "$(kipcctl -j show "$box")" ctime_ns)
	[ "$t" -ge "$c" ]
	mon0=$(monitors)
	kipcctl monitor "$box" --count 1 >"$BATS_TEST_TMPDIR/mon" 2>&1 3>&- &
	bg_pid=$!
	wait_subscribed $((mon0 + 1))
	kipcctl send "$box" y
	wait_exit "$bg_pid" 20
	bg_pid=
	grep -Eq "^$(date -u +%Y-%m-%d)T[0-9:]{8}\.[0-9]{9}Z send +mailbox=$box " "$BATS_TEST_TMPDIR/mon"
}

@test "destroy takes several names and --id; list filters by glob and owner" {
	kipcctl create "$box"
	kipcctl create "$box-2"
	id3=$(field "$(kipcctl -j create "$box-3" --mode 0666)" id)
	as_user 1000 kipcctl create "$box-u"
	run kipcctl list "$box*"
	[ "${#lines[@]}" -eq 5 ]
	run kipcctl list "$box-?" --owner root
	[ "${#lines[@]}" -eq 3 ]
	[[ ${lines[1]} == *" $box-2 "* ]] && [[ ${lines[2]} == *" $box-3 "* ]]
	run kipcctl list --owner 1000
	[ "${#lines[@]}" -eq 2 ]
	[[ ${lines[1]} == *" $box-u "* ]]
	run kipcctl -j list "$box-u"
	[[ $output == '[{"id":'*'"name":"'"$box-u"'"'*'}]' ]]
	run kipcctl list --owner nosuchuser
	[ "$status" -eq 2 ]

	# Each name is tried; the status says whether any failed.
	run kipcctl destroy "$box" "nosuch-$$" "$box-2"
	[ "$status" -eq 1 ]
	[ "$output" = "kipcctl: destroy nosuch-$$: No such file or directory (ENOENT)" ]
	run kipcctl list "$box*"
	[ "${#lines[@]}" -eq 3 ]
	kipcctl destroy --id "$id3"
	run kipcctl destroy --id "$id3"
	[ "$status" -eq 1 ]
	[ "$output" = "kipcctl: destroy id $id3: No such file or directory (ENOENT)" ]
	run kipcctl destroy "$box" --id 5
	[ "$status" -eq 2 ]
	kipcctl destroy "$box-u"
}

@test "help COMMAND gives each option's unit, default and range" {
	run kipcctl help create
	[ "${lines[0]}" = "Usage: kipcctl create NAME [--capacity N] [--capacity-bytes B] [--max-size S] [--mode 0660] [--temp]" ]
	[[ $output == *"--capacity N  messages it holds: 1..1048576; default: the module's"* ]]
	[[ $output == *"NAME        1..63 bytes, any but '/' and NUL"* ]]
	run kipcctl help recv
	[[ $output == *"--timeout MS  give up after MS milliseconds (1..)"* ]]
	[[ $output == *"--count N   receive N messages (1..); default 1"* ]]
	run kipcctl help wait
	[[ $output == *"--count N   exit after N signals (1..); default 1"* ]]
	[[ $output == *"Ends with status 1 (EIDRM) if the mailbox is destroyed."* ]]
	run kipcctl help top
	[[ $output == *"refresh every MS milliseconds: 10..3600000; default 1000"* ]]
}

@test "another user's bytes and names cannot drive this terminal; --mode 0 and bad -A ids are refused first" {
	# A 0666 mailbox: anyone may send to it, and name a mailbox anything.
	kipcctl create "$box" --mode 0666
	printf 'a\302\233"31mb\033[2Jc' | as_user 1000 kipcctl send "$box" -
	run on_tty "" "" kipcctl recv "$box"
	[ "$status" -eq 0 ]
	[ "$output" = 'a\xc2\x9b"31mb\x1b[2Jc' ]
	esc=$(printf '%s\033]0;pwned\007' "$box-2")
	as_user 1000 kipcctl create "$esc"
	run kipcctl list "$box-2*"
	[[ ${lines[1]} == *" $box-2\\x1b]0;pwned\\x07 "* ]]
	[[ $output != *$'\033'* ]]
	run kipcctl show "$esc"
	[[ $output == *"name: $box-2\\x1b]0;pwned\\x07"* ]]
	[[ $output != *$'\033'* ]]
	as_user 1000 kipcctl destroy "$esc"

	# Mode 0 would be the module's default, 0600: refused, not changed.
	run kipcctl create "$box-3" --mode 0
	[ "$status" -eq 2 ]
	[ "${lines[0]}" = "kipcctl create: bad value '0' for --mode (an octal mode, 1..0777)" ]
	# -A destroy checks every id before it destroys any.
	id=$(field "$(kipcctl -j show "$box")" id)
	run kipcctl -A destroy "$id" foo
	[ "$status" -eq 2 ]
	kipcctl show "$box" >/dev/null
}

@test "create without the module says how to load it, not a range" {
	rmmod kipc || skip "kipc is in use"
	run kipcctl create "$box" --capacity-bytes 65536
	[ "$status" -eq 1 ]
	[[ ${lines[-1]} == "kipcctl: kipc module not loaded"* ]]
	insmod "$KIPC_KO"
}

@test "global options anywhere after the command, even before its arguments; -- ends the options" {
	kipcctl create -j "$box" >"$BATS_TEST_TMPDIR/out"
	[[ $(cat "$BATS_TEST_TMPDIR/out") == '{"name":"'"$box"'","id":'*'}' ]]
	run kipcctl send -j "$box" hi
	[ "$status" -eq 0 ]
	[ "$output" = '{"name":"'"$box"'","sent":1,"last_seq":1}' ]
	run kipcctl list -j "$box"
	[[ $output == '[{"id":'*'"name":"'"$box"'"'*'}]' ]]
	run kipcctl show -pj "$box"
	[ "${lines[0]}" = "{" ]
	run kipcctl recv --json --peek "$box"
	[[ $output == '{"name":"'"$box"'",'*'"data":"hi"}' ]]
	# After "--", -j is the message.
	kipcctl send "$box" -- -j
	kipcctl recv "$box" >/dev/null
	run kipcctl recv "$box"
	[ "$output" = "-j" ]
}

@test "--help after any command is its help; another command's option does not apply; bad values say what is wanted" {
	mapfile -t cmds < <(kipcctl help | sed -n '/^Commands:/,/^$/s/^  \([a-z]*\) .*/\1/p')
	[ "${#cmds[@]}" -gt 10 ]
	for cmd in "${cmds[@]}"; do
		run kipcctl "$cmd" --help
		[ "$status" -eq 0 ]
		[ "$output" = "$(kipcctl help "$cmd")" ] || { echo "$cmd --help: $output"; false; }
	done
	run kipcctl send "$box" -h
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "Usage: kipcctl send NAME "* ]]
	for c in "list --id 3:--id" "show --owner x:--owner" "stats --count 3:--count" \
		"create $box --peek:--peek" "send $box -0:-0"; do
		# shellcheck disable=SC2086 # words of the command
		run kipcctl ${c%%:*}
		[ "$status" -eq 2 ]
		[[ ${lines[0]} == "kipcctl "*": option '${c#*:}' does not apply" ]] ||
			{ echo "${c%%:*}: ${lines[0]}"; false; }
	done
	run kipcctl monitor --count 0
	[ "$status" -eq 2 ]
	[ "${lines[0]}" = "kipcctl monitor: bad value '0' for --count (a decimal number, 1 or more)" ]
	run kipcctl show --id x
	[ "${lines[0]}" = "kipcctl show: bad value 'x' for --id (a decimal number, 1 or more)" ]
	run kipcctl top --interval 5
	[ "${lines[0]}" = "kipcctl top: bad value '5' for --interval (10..3600000 ms)" ]
}
