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
