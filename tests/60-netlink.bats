#!/usr/bin/env bats
# The generic netlink family "kipc": genl, kipcctl list/show/stats/monitor,
# a dump of 10,000 mailboxes, events in order, the rate limit, malformed
# requests, IPC namespaces, and kmod/kipc.yaml against the uapi header.
# Helpers: kipc-mkmany and kipc-nlprobe (tests/c, built into build/bin).

load lib

setup() {
	box="nl-$BATS_TEST_NUMBER-$$"
	mon_pid=
	sub_pid=
	mon0=$(monitors)	# subscriptions before the test's own
}

teardown() {
	local p

	for p in $mon_pid $sub_pid; do
		kill -9 "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	if [ -n "${KIPC_ROOT:-}" ] && [ ! -e /sys/module/kipc ]; then
		insmod "${KIPC_KO:-$KIPC_ROOT/kmod/kipc.ko}" || true
	fi
	kipcctl destroy "$box" 2>/dev/null || true
	restore_params
}

@test "genl sees family kipc, version 1, three commands and group monitor" {
	run genl ctrl list
	[ "$status" -eq 0 ]
	[[ "$output" == *"Name: kipc"* ]]
	run genl ctrl get name kipc
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Name: kipc"* ]]
	[[ "$output" == *"Version: 0x1"* ]]
	[[ "$output" == *"ID-0x1 "* ]]
	[[ "$output" == *"ID-0x2 "* ]]
	[[ "$output" == *"ID-0x4 "* ]]	# monitor; 0x3 (event) is no request
	[[ "$output" == *"name: monitor"* ]]
	[ -n "$(monitor_group)" ]
}

@test "show, list and stats report what the ioctls did" {
	run kipcctl -j stats
	[ "$status" -eq 0 ]
	stats0=$output
	run kipcctl -j create --capacity 5 --mode 0640 "$box"
	[ "$status" -eq 0 ]
	id=$(field "$output" id)
	[ "$id" -gt 0 ]
	kipcctl send --type 3 "$box" hello
	kipcctl send "$box" "world!"
	run kipcctl -j recv "$box"
	[ "$status" -eq 0 ]
	[ "$(field "$output" seq)" = 1 ]
	rpid=$(field "$output" sender_pid)

	run kipcctl -j show "$box"
	echo "$output"
	[ "$status" -eq 0 ]
	show=$output
	[ "$(field "$show" id)" = "$id" ]
	[ "$(field "$show" name)" = "\"$box\"" ]
	[ "$(field "$show" uid)" = "$(id -u)" ]
	[ "$(field "$show" gid)" = "$(id -g)" ]
	[ "$(field "$show" mode)" = '"0640"' ]
	[ "$(field "$show" temp)" = false ]
	[ "$(field "$show" depth)" = 1 ]
	[ "$(field "$show" capacity)" = 5 ]
	[ "$(field "$show" bytes)" = 6 ]
	[ "$(field "$show" sent)" = 2 ]
	[ "$(field "$show" received)" = 1 ]
	[ "$(field "$show" dropped)" = 0 ]
	[ "$(field "$show" handles)" = 0 ]
	[ "$(field "$show" blocked_senders)" = 0 ]
	[ "$(field "$show" blocked_receivers)" = 0 ]
	[ "$(field "$show" notify_count)" = 0 ]
	[ "$(field "$show" max_msg_size)" = "$(cat $params/max_msg_size)" ]
	# The second send's process; the first one sent what recv got.
	[ "$(field "$show" last_sender_pid)" -gt 0 ]
	[ "$(field "$show" last_sender_pid)" != "$rpid" ]
	[ "$(field "$show" last_receiver_pid)" -gt 0 ]
	# Created just now, by CLOCK_REALTIME.
	now=$(date +%s)
	ctime=$(($(field "$show" ctime_ns) / 1000000000))
	[ "$ctime" -le "$now" ]
	[ "$ctime" -ge $((now - 60)) ]

	# By id, the same; as text, one "key: value" per line.
	run kipcctl -j show --id "$id"
	[ "$output" = "$show" ]
	run kipcctl show "$box"
	[ "$status" -eq 0 ]
	for l in "id: $id" "name: $box" "mode: 0640" "depth: 1" "capacity: 5" \
		 "bytes: 6" "sent: 2" "received: 1" "temp: no"; do
		grep -qx "$l" <<<"$output" || { echo "no line '$l'"; false; }
	done

	# The list has the same mailbox, as a table row and as a JSON element.
	run kipcctl list
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ ^\ *ID\ +NAME\ +OWNER\ +MODE\ +DEPTH/CAP\ +BYTES\ +BLOCKED\(s/r\)\ +SENT\ +RECV$ ]]
	grep -Eq "^ *$id +$box +[a-z0-9_]+ +0640 +1/5 +6 +0/0 +2 +1$" <<<"$output"
	run kipcctl -j list
	[ "$status" -eq 0 ]
	[[ "$output" == "["*"]" ]]
	[[ "$output" == *"$show"* ]]

	# Module-wide: this mailbox and its messages are counted.
	run kipcctl -j stats
	echo "$output"
	[ "$status" -eq 0 ]
	stats=$output
	[ "$(field "$stats" mailboxes)" -ge 1 ]
	[ "$(field "$stats" messages)" -ge 1 ]
	[ "$(field "$stats" created)" -eq $(($(field "$stats0" created) + 1)) ]
	[ "$(field "$stats" sent)" -ge $(($(field "$stats0" sent) + 2)) ]
	[ "$(field "$stats" received)" -ge $(($(field "$stats0" received) + 1)) ]
	[ "$(field "$stats" charged_bytes)" -gt 0 ]
	for p in max_mailboxes max_msg_size max_total_bytes default_capacity \
		 default_capacity_bytes event_rate; do
		[ "$(field "$stats" $p)" = "$(cat $params/$p)" ] ||
			{ echo "stats $p != parameter"; false; }
	done
	run kipcctl stats
	grep -qx "mailboxes: $(field "$stats" mailboxes)" <<<"$output"

	# Errors are one clear line, with what the kernel said.
	run kipcctl show "nope-$$"
	[ "$status" -eq 1 ]
	[ "$output" = "kipcctl: show nope-$$: No such file or directory (ENOENT): no mailbox with this name (attribute mbox-name)" ]
	run kipcctl show --id 4294967295
	[ "$status" -eq 1 ]
	[[ "$output" == *"(ENOENT)"* ]]
	run kipcctl show
	[ "$status" -eq 2 ]
}

@test "a dump of 10,000 mailboxes returns exactly 10,000, in id order" {
	t=$BATS_TEST_TMPDIR
	n0=$(field "$(kipcctl -j stats)" mailboxes)
	save_param max_mailboxes
	echo $((n0 + 10000 + 16)) >$params/max_mailboxes
	pfx="many-$$"
	run kipc-mkmany "$pfx" 10000 -- sh -c "
		kipcctl list >'$t/list' &&
		kipcctl -j list >'$t/list.json' &&
		kipc-nlprobe --dump get >'$t/probe'"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(awk -v p="$pfx-" 'NR > 1 && index($2, p) == 1' "$t/list" | wc -l)" -eq 10000 ]
	[ "$(tail -n +2 "$t/list" | wc -l)" -eq $((n0 + 10000)) ]
	# Sorted by id, no id twice.
	awk 'NR > 2 && $1 <= prev { exit 1 } NR > 1 { prev = $1 }' "$t/list"
	[ "$(grep -o "\"name\":\"$pfx-[0-9]*\"" "$t/list.json" | sort -u | wc -l)" -eq 10000 ]
	# One reply message per mailbox, over many skbs.
	[ "$(cat "$t/probe")" = "ok $((n0 + 10000))" ]
	# They were temporary: gone with their handles.
	[ "$(field "$(kipcctl -j stats)" mailboxes)" -eq "$n0" ]
}

@test "monitor -j --count: create, send, recv, full, destroy, in order" {
	out=$BATS_TEST_TMPDIR/mon
	kipcctl -j monitor --count 6 "$box" >"$out" 2>"$out.err" 3>&- &
	mon_pid=$!
	wait_subscribed $((mon0 + 1))
	id=$(field "$(kipcctl -j create --capacity 1 "$box")" id)
	kipcctl send --type 7 "$box" one
	kipcctl recv "$box" >/dev/null
	kipcctl send --type 8 "$box" four
	run kipcctl send --nonblock "$box" three
	[ "$status" -eq 3 ]
	kipcctl destroy "$box"
	monitor_done "$out" "$out.err"

	expect_events -n "$box" "$out" create:"$id" send:"$id" recv:"$id" \
		send:"$id" full:"$id" destroy:"$id"
	mapfile -t ev <"$out"
	[ "${#ev[@]}" -eq 6 ]
	prev=0
	for e in "${ev[@]}"; do
		[ "$(field "$e" capacity)" = 1 ]
		[ "$(field "$e" pid)" -gt 0 ]
		[ "$(field "$e" suppressed)" -ge 0 ]
		t=$(field "$e" time_ns)
		[ "$t" -ge "$prev" ]
		prev=$t
	done
	# Per-message events: seq, len and type, never the bytes.
	[ "$(field "${ev[1]}" seq)" = 1 ]
	[ "$(field "${ev[1]}" len)" = 3 ]
	[ "$(field "${ev[1]}" type)" = 7 ]
	[ "$(field "${ev[1]}" depth)" = 1 ]
	[ "$(field "${ev[1]}" last_sender_pid)" = "$(field "${ev[1]}" pid)" ]
	[ "$(field "${ev[2]}" seq)" = 1 ]
	[ "$(field "${ev[2]}" len)" = 3 ]
	[ "$(field "${ev[2]}" type)" = 7 ]
	[ "$(field "${ev[2]}" depth)" = 0 ]
	[ "$(field "${ev[2]}" last_receiver_pid)" = "$(field "${ev[2]}" pid)" ]
	[ "$(field "${ev[3]}" seq)" = 2 ]
	[ "$(field "${ev[3]}" len)" = 4 ]
	[ "$(field "${ev[3]}" type)" = 8 ]
	[ "$(field "${ev[4]}" depth)" = 1 ]
	[ -z "$(field "${ev[4]}" seq)" ]
	[ -z "$(field "${ev[0]}" seq)" ]
	[ -z "$(field "${ev[5]}" seq)" ]
	run grep -c -e one -e four -e three "$out"
	[ "$output" = 0 ]
}

@test "monitor text lines; SIGINT and SIGTERM end it with status 0" {
	out=$BATS_TEST_TMPDIR/mon
	kipcctl monitor --count 2 "$box" >"$out" 2>&1 3>&- &
	mon_pid=$!
	wait_subscribed $((mon0 + 1))
	id=$(field "$(kipcctl -j create "$box")" id)
	kipcctl send "$box" hi
	monitor_done "$out"
	[ "$(wc -l <"$out")" -eq 2 ]
	t='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{9}Z'
	grep -Eq "^$t create +mailbox=$box id=$id pid=[0-9]+$" "$out"
	grep -Eq "^$t send +mailbox=$box id=$id pid=[0-9]+ seq=1 len=2 type=0$" "$out"

	wait_subscribed "$mon0"
	for opt in "" -A; do
	for sig in INT TERM; do
		# shellcheck disable=SC2086 # no word for no option
		kipcctl $opt monitor >"$out" 2>&1 3>&- &
		mon_pid=$!
		if [ -n "$opt" ]; then
			wait_joined "$mon_pid"
		else
			wait_subscribed $((mon0 + 1))
		fi
		kill -s "$sig" "$mon_pid"
		rc=0
		wait_exit "$mon_pid" 20 || rc=$?
		mon_pid=
		[ "$rc" -eq 0 ] || { echo "$opt SIG$sig: status $rc"; cat "$out"; false; }
		# Its subscription ended with its socket.
		wait_subscribed "$mon0"
	done
	done
}

@test "per-message events are rate-limited and counted, for the group and a subscriber alike" {
	out=$BATS_TEST_TMPDIR/mon
	save_param event_rate
	kipcctl create --capacity 200 "$box"
	sup0=$(field "$(kipcctl -j stats)" events_suppressed)

	echo 5 >$params/event_rate
	# The group (every namespace) and a subscription (this one) at once.
	kipcctl -A -j monitor "$box" >"$out" 2>"$out.err" 3>&- &
	mon_pid=$!
	wait_joined "$mon_pid"
	kipcctl -j monitor "$box" >"$out.s" 2>"$out.s.err" 3>&- &
	sub_pid=$!
	wait_subscribed $((mon0 + 1))
	kipcctl send --count 60 "$box" x
	sleep 1.5	# the bucket refills
	kipcctl send "$box" last
	sup1=$(field "$(kipcctl -j stats)" events_suppressed)
	wait_for 20 grep -q '"len":4' "$out"
	wait_for 20 grep -q '"len":4' "$out.s"
	kill -TERM "$mon_pid" "$sub_pid"
	for p in "$mon_pid" "$sub_pid"; do
		rc=0
		wait_exit "$p" 20 || rc=$?
		[ "$rc" -eq 0 ]
	done
	mon_pid=
	sub_pid=
	cat "$out.err" "$out.s.err"
	n=$(wc -l <"$out")
	echo "events: $n, suppressed: $sup0 -> $sup1"
	[ "$n" -ge 2 ]
	[ "$n" -le 30 ]
	# Each event went out to both, or was suppressed once for both.
	[ "$(wc -l <"$out.s")" -eq "$n" ]
	[ $((n + sup1 - sup0)) -eq 61 ]
	# The group's last event carries the module's total; the
	# subscriber's, what its namespace lost since it subscribed.
	[ "$(field "$(tail -n 1 "$out")" suppressed)" -eq "$sup1" ]
	[ "$(field "$(tail -n 1 "$out.s")" suppressed)" -eq $((sup1 - sup0)) ]
	[ "$(field "$(tail -n 1 "$out.s")" lost)" -eq 0 ]
	for f in "$out.err" "$out.s.err"; do
		[ "$(grep -o '[0-9]* more events suppressed by the rate limit' "$f" |
			awk '{ s += $1 } END { print s + 0 }')" -eq $((sup1 - sup0)) ]
	done

	# 0 is no limit: every event goes out, none is suppressed.
	echo 0 >$params/event_rate
	kipcctl -j monitor --count 40 "$box" >"$out" 2>&1 3>&- &
	mon_pid=$!
	wait_subscribed $((mon0 + 1))
	kipcctl recv --count 40 "$box" >/dev/null
	rc=0
	wait_exit "$mon_pid" 20 || rc=$?
	mon_pid=
	[ "$rc" -eq 0 ]
	[ "$(grep -c '"event":"recv"' "$out")" -eq 40 ]
	[ "$(field "$(kipcctl -j stats)" events_suppressed)" -eq "$sup1" ]
}

@test "malformed requests get an error, never a crash" {
	kipcctl create "$box"
	run kipc-nlprobe get "name:str:$box"
	[ "$output" = "ok 1" ]
	check() {
		local expect=$1
		shift
		run kipc-nlprobe "$@"
		echo "kipc-nlprobe $*: $output"
		[ "$status" -eq 1 ] || return 1
		[[ "$output" == "error $expect"* ]]
	}
	check "EINVAL: invalid attribute length" get id:u8:1
	check "EINVAL: invalid attribute length" get id:u64:1
	check "ERANGE" get id:u32:0
	check "ENOENT: no mailbox with this id" get id:u32:4000000000
	check "EINVAL" get "name:raw:$box"		# no NUL
	check "EINVAL" get name:empty
	check "EINVAL" get "name:str:$(printf 'x%.0s' $(seq 64))"
	check "EINVAL: invalid mailbox name" get name:str:a/b
	check "EINVAL: invalid mailbox name" get name:str:
	check "EINVAL: mailbox id or name required" get
	check "EINVAL: give a mailbox id or a name, not both" get id:u32:1 "name:str:$box"
	# Below the policy's last attribute: not in it; beyond: unknown.
	check "EINVAL: Unsupported attribute" get 3:u32:1
	check "EINVAL: Unknown attribute type" get 47:u32:1
	check "EINVAL: Unknown attribute type" get 999:u32:1
	# 46, KIPC_A_ALL_NS: a flag, and with a do only by id.
	check "EINVAL: all namespaces: look up by mailbox id" get 46:empty
	check "EINVAL: all namespaces: look up by mailbox id" get 46:empty "name:str:$box"
	check "ERANGE" get id:u32:1 46:u32:1		# a flag has no payload
	id=$(field "$(kipcctl -j show "$box")" id)
	run kipc-nlprobe get "id:u32:$id" 46:empty
	[ "$output" = "ok 1" ]
	run kipc-nlprobe --dump get 46:empty
	[[ $output == "ok "* ]]
	check "EINVAL" stats id:u32:1			# stats takes no attributes
	check "EINVAL" --reserved 1 stats
	check "EOPNOTSUPP" event			# events are not requests
	check "EOPNOTSUPP" 0
	check "EOPNOTSUPP" 200
	check "EOPNOTSUPP" --dump stats
	check "EINVAL" monitor id:u32:1			# monitor takes none either
	check "EOPNOTSUPP" --dump monitor
	check "EINVAL: Unknown attribute type" --dump get 999:u32:1
	# Still answering, and the mailbox is untouched.
	run kipcctl -j show "$box"
	[ "$status" -eq 0 ]
	[ "$(field "$output" depth)" = 0 ]
	run kipcctl stats
	[ "$status" -eq 0 ]
	run grep -cE 'BUG:|WARNING:|Oops|general protection' < <(dmesg)
	[ "$output" = 0 ]
}

@test "IPC namespaces: list and show see only their own; any netns works" {
	command -v unshare >/dev/null || skip "no unshare"
	kipcctl create "$box"
	run unshare --ipc sh -c "kipcctl create inner-$$ && kipcctl list &&
		kipcctl show '$box'; rc=\$?; kipcctl destroy inner-$$; exit \$rc"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"inner-$$"* ]]
	[[ "$output" != *" $box "* ]]
	[[ "$output" == *"show $box: No such file or directory (ENOENT)"* ]]
	run kipcctl show "inner-$$"
	[ "$status" -eq 1 ]
	# The family is usable from another network namespace too.
	run unshare --net kipcctl -j show "$box"
	[ "$status" -eq 0 ]
	[ "$(field "$output" name)" = "\"$box\"" ]
}

@test "without the module: list, show, stats and monitor say how to load it" {
	[ -n "${KIPC_ROOT:-}" ] && [ -f "${KIPC_KO:-$KIPC_ROOT/kmod/kipc.ko}" ] ||
		skip "needs the guest (KIPC_ROOT)"
	rmmod kipc || skip "kipc is in use"
	for c in list "show x" stats monitor; do
		# shellcheck disable=SC2086 # split "show x" into two words
		run kipcctl $c
		[ "$status" -eq 1 ]
		[[ $output == "kipcctl: kipc module not loaded"* ]]
	done
	insmod "${KIPC_KO:-$KIPC_ROOT/kmod/kipc.ko}"
	run kipcctl list
	[ "$status" -eq 0 ]
}

@test "kmod/kipc.yaml agrees with the uapi header and the kernel" {
	root=${KIPC_ROOT:-$BATS_TEST_DIRNAME/..}
	python3 -c 'import yaml' 2>/dev/null || skip "no python3 yaml"
	maxattr=$(genl ctrl get name kipc | sed -n 's/.*max attribs: \([0-9]*\).*/\1/p')
	run python3 - "$root/kmod/kipc.yaml" "$root/include/uapi/linux/kipc.h" "$maxattr" <<'EOF'
import re, sys, yaml

spec = yaml.safe_load(open(sys.argv[1]))
hdr = open(sys.argv[2]).read()
kmax = int(sys.argv[3])
bad = []

def c_enum(first):
    """Names and values of the header's enum that starts with @first."""
    body = hdr[hdr.index(first):]
    body = body[:body.index("};")]
    vals, v = {}, -1
    for name, val in re.findall(r"^\s*(\w+)\s*(?:=\s*(\w+))?\s*,", body, re.M):
        v = int(val, 0) if val else v + 1
        vals[name] = v
    return vals

def cname(prefix, name):
    return (prefix + name).upper().replace("-", "_")

def check(kind, yaml_items, prefix, cvals, skip):
    seen = set()
    for it in yaml_items:
        n = cname(prefix, it["name"])
        seen.add(n)
        if n not in cvals:
            bad.append(f"{kind} {it['name']}: no {n} in the header")
        elif it.get("value") != cvals[n]:
            bad.append(f"{kind} {n}: yaml {it.get('value')} != header {cvals[n]}")
    for n in cvals:
        if n not in seen and n not in skip and not n.startswith("__"):
            bad.append(f"{kind} {n}: missing from the yaml")

if spec["name"] != re.search(r'KIPC_GENL_NAME\s+"(\w+)"', hdr).group(1):
    bad.append("family name")
if spec.get("protocol") != "genetlink":
    bad.append("protocol is not genetlink")

aset = {s["name"]: s for s in spec["attribute-sets"]}["kipc"]
attrs = c_enum("KIPC_A_UNSPEC")
check("attribute", aset["attributes"], aset["name-prefix"], attrs, {"KIPC_A_UNSPEC"})
if max(a["value"] for a in aset["attributes"]) != kmax:
    bad.append(f"kernel max attribs {kmax} != yaml")
for a in aset["attributes"]:
    m = re.search(r"^\s*%s,\s*/\*\s*(\w+)" % cname(aset["name-prefix"], a["name"]), hdr, re.M)
    if m and m.group(1) in ("u32", "u64") and m.group(1) != a["type"]:
        bad.append(f"attribute {a['name']}: type {a['type']} != header {m.group(1)}")

ops = spec["operations"]
check("command", ops["list"], ops["name-prefix"], c_enum("KIPC_CMD_UNSPEC"), {"KIPC_CMD_UNSPEC"})
names = {a["name"] for a in aset["attributes"]}
for op in ops["list"]:
    for part in ("do", "dump"):
        for msg in ("request", "reply"):
            for a in op.get(part, {}).get(msg, {}).get("attributes", []):
                if a not in names:
                    bad.append(f"{op['name']} {part} {msg}: unknown attribute {a}")
    for a in op.get("event", {}).get("attributes", []):
        if a not in names:
            bad.append(f"{op['name']} event: unknown attribute {a}")

ev = {d["name"]: d for d in spec["definitions"]}["event"]
check("event", ev["entries"], "kipc-event-", c_enum("KIPC_EVENT_UNSPEC"), set())

groups = [g["name"] for g in spec["mcast-groups"]["list"]]
if groups != [re.search(r'KIPC_GENL_MCGRP_MONITOR\s+"(\w+)"', hdr).group(1)]:
    bad.append(f"multicast groups {groups}")

print("\n".join(bad) or "ok")
sys.exit(1 if bad else 0)
EOF
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = ok ]
}
