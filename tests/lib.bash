# tests/lib.bash: helpers for the bats tests. In a .bats file: `load lib`.
# The tests run as root in the guest that scripts/vm boots, with kipc.ko
# loaded; it exports KIPC_VM=1, KIPC_ROOT (the repo) and KIPC_KO (the module
# it loaded).
# shellcheck shell=bash

if [[ ${KIPC_VM:-} != 1 ]]; then
	echo "these tests load and unload kernel modules: run them in the guest" \
		"(scripts/vm run -- tests/run.sh, or make check)" >&2
	return 1
fi

KIPC_ROOT=${KIPC_ROOT:-$(cd "$BATS_TEST_DIRNAME/.." && pwd)}
KIPC_KO=${KIPC_KO:-$KIPC_ROOT/kmod/kipc.ko}

# True when kipc is in the kernel.
kipc_loaded() {
	grep -q '^kipc ' /proc/modules
}

# Loads kipc.ko (with module parameters, if given) unless it is loaded.
kipc_ensure_loaded() {
	kipc_loaded || insmod "$KIPC_KO" "$@"
}

# Unloads kipc and loads it again, e.g. with other parameters.
kipc_reload() {
	if kipc_loaded; then
		rmmod kipc
	fi
	insmod "$KIPC_KO" "$@"
}

# dmesg_mark; <do something>; dmesg_since | grep ...
# The mark is a debug-level line (off the console) unique to this call.
dmesg_mark() {
	DMESG_MARK="bats-mark-${BATS_TEST_NUMBER:-0}-$$-$RANDOM$RANDOM"
	echo "<7>$DMESG_MARK" >/dev/kmsg
}

# Kernel log lines after the last dmesg_mark, without their timestamps.
dmesg_since() {
	[[ -n ${DMESG_MARK:-} ]] || { echo "dmesg_since: no dmesg_mark" >&2; return 1; }
	dmesg | awk -v mark="$DMESG_MARK" '
		seen { sub(/^\[ *[0-9]+\.[0-9]+\] /, ""); print }
		index($0, mark) { seen = 1 }'
}

# Module parameters. save_param NAME (in a test) saves NAME's value;
# restore_params (in teardown) puts back every value saved.
params=/sys/module/kipc/parameters
saved_params=()

save_param() {
	saved_params+=("$1=$(cat "$params/$1")")
}

restore_params() {
	local p

	for p in "${saved_params[@]}"; do
		echo "${p#*=}" >"$params/${p%%=*}"
	done
	saved_params=()
}

# as_user UID CMD...: runs CMD as uid UID, gid UID, with no supplementary
# groups and no capabilities (uids 1000 and 1001 need no passwd entry).
as_user() {
	local uid=$1
	shift
	setpriv --reuid="$uid" --regid="$uid" --clear-groups \
		env HOME=/tmp USER="user$uid" LOGNAME="user$uid" "$@"
}

# wait_for SECONDS CMD...: retries CMD every 0.1 s until it succeeds.
wait_for() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@"; do
		((SECONDS < deadline)) || return 1
		sleep 0.1
	done
}

# --- netlink: the monitor group and JSON output (60-netlink, 62-security)

# field JSON KEY: the value of KEY in a one-line JSON object (quotes kept).
# Pure bash: under TCG every exec costs.
field() {
	local re='"'"$2"'":(-?[0-9]+|"[^"]*"|[a-z]+)'

	[[ $1 =~ $re ]] && echo "${BASH_REMATCH[1]}"
	return 0
}

# expect_events [-n NAME] FILE EVENT...: the events in FILE, the JSON lines
# of a kipcctl -j monitor (only those of mailbox NAME with -n), are exactly
# EVENT..., in order. An EVENT is an event's name ("send"), or its name and
# the mailbox's id ("send:12"). On a mismatch both lists go to stderr.
expect_events() {
	local name='' file l e got=() want

	if [[ $1 == -n ]]; then
		name=$2
		shift 2
	fi
	file=$1
	shift
	want=("$@")
	while IFS= read -r l; do
		if [[ -n $name && $(field "$l" name) != "\"$name\"" ]]; then
			continue
		fi
		e=$(field "$l" event)
		e=${e//\"/}
		[[ ${want[${#got[@]}]:-} != *:* ]] || e+=":$(field "$l" id)"
		got+=("$e")
	done <"$file"
	[[ ${#got[@]} -eq ${#want[@]} && "${got[*]}" == "${want[*]}" ]] && return 0
	echo "events in $file${name:+ of $name}: ${got[*]}" >&2
	echo "expected: ${want[*]}" >&2
	return 1
}

# The id of the "monitor" multicast group.
monitor_group() {
	genl ctrl get name kipc | sed -n 's/.*ID-\(0x[0-9a-f]*\) *name: monitor.*/\1/p'
}

# nl_sock PID COLUMN: a column of /proc/net/netlink for PID's generic
# netlink socket (5 Rmem, 9 Drops, 4 Groups).
nl_sock() {
	awk -v pid="$1" -v col="$2" '$2 == 16 && $3 == pid { print $col; exit }' \
		/proc/net/netlink
}

# The number of KIPC_CMD_MONITOR subscriptions (`kipcctl monitor` without
# -A), module-wide.
monitors() {
	field "$(kipcctl -j stats)" monitors
}

monitors_are() {
	[ "$(monitors)" = "$1" ]
}

# wait_subscribed N: waits until there are N subscriptions (start each
# monitor after the previous one is counted, to know which is which).
wait_subscribed() {
	wait_for 20 monitors_are "$1" || {
		echo "subscriptions: $(monitors), not $1" >&2
		return 1
	}
}

# Waits until process $1 has joined the monitor group (`kipcctl -A monitor`).
wait_joined() {
	local pid=$1 grp groups

	grp=$(($(monitor_group)))
	if [ "$grp" -lt 1 ] || [ "$grp" -gt 32 ]; then
		sleep 1
		return 0
	fi
	for _ in $(seq 200); do
		groups=$(nl_sock "$pid" 4)
		if [ -n "$groups" ] && (( 16#$groups & (1 << (grp - 1)) )); then
			return 0
		fi
		kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.05
	done
	echo "monitor $pid never joined group $grp" >&2
	return 1
}

# The background monitor $mon_pid (run with --count) ends by itself within
# 20 s with status 0; FILEs, its output, are shown for a failure's report.
monitor_done() {
	local rc=0
	wait_exit "$mon_pid" 20 || rc=$?
	mon_pid=
	cat "$@"
	[ "$rc" -eq 0 ]
}

# Waits up to $2 seconds for background process $1; returns its status.
wait_exit() {
	for _ in $(seq $(($2 * 20))); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.05
	done
	if kill -0 "$1" 2>/dev/null; then
		kill -9 "$1"
		wait "$1" 2>/dev/null || true
		echo "process $1 still running after $2 s" >&2
		return 124
	fi
	wait "$1"
}
