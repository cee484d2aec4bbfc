#!/bin/bash
# The kipc demo, run inside the guest by `make demo`: processes that share
# no memory talk through mailboxes that the kernel keeps for them.
set -euo pipefail

say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
step() {
	local a line='$'
	for a in "$@"; do
		[[ $a == *' '* ]] && a="\"$a\""
		line+=" $a"
	done
	printf '    %s\n' "$line"
	"$@" 2>&1 | sed 's/^/    /'
}
pause() { sleep "${KIPC_DEMO_PAUSE:-0.5}"; }
# recv prints a message's exact bytes when stdout is not a terminal; the
# demo's messages are text, so end each with a newline.
take() { printf '    $ kipcctl recv %s\n    %s\n' "$1" "$(kipcctl recv "$1")"; }

# Waits until `kipcctl show` says FIELD is VALUE.
wait_field() {
	for _ in $(seq 200); do
		kipcctl show "$1" 2>/dev/null | grep -q "^$2: $3\$" && return 0
		sleep 0.05
	done
	echo "demo: $1 never reached $2=$3" >&2
	return 1
}

tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$tmp"' EXIT

say "kipc.ko is loaded into this guest's kernel, and /dev/kipc is open to all"
step grep -w kipc /proc/modules
step ls -l /dev/kipc

say "The monitor follows every mailbox event over generic netlink (lines marked 'monitor:')"
kipcctl monitor | sed -u 's/^/    monitor: /' &
sleep 1

say "Create a mailbox 'orders' that holds at most 3 messages"
step kipcctl create orders --capacity 3 --mode 0666
pause

say "The consumer sleeps (no busy-waiting) until the kernel signals that mail arrived"
kipcctl wait orders --signal USR1 --count 1 >"$tmp/wait" 2>/dev/null &
waiter=$!
wait_field orders notify_count 1
pause

say "Producer A (pid of its own, separate address space) sends an order"
step kipcctl send orders "order 1 from producer A"
wait "$waiter"
echo "    consumer woke up: $(cat "$tmp/wait")"
take orders
pause

say "Producers A and B fill the mailbox; the kernel buffers the messages"
step kipcctl send orders "order 2 from A"
step kipcctl send orders "order 3 from B, urgent" --priority 5
step kipcctl send orders "order 4 from B"
step kipcctl list
pause

say "The mailbox is full: producer A's next send blocks in the kernel"
kipcctl send orders "order 5 from A, after waiting" &
sender=$!
wait_field orders blocked_senders 1
step kipcctl show orders
pause

say "The consumer drains the queue: priority 5 first, then FIFO; the blocked producer gets in"
take orders
take orders
wait "$sender"
step kipcctl list
take orders
take orders
pause

say "A consumer blocks on the empty mailbox; then the mailbox is destroyed"
kipcctl recv orders 2>"$tmp/recv" &
receiver=$!
wait_field orders blocked_receivers 1
step kipcctl destroy orders
if wait "$receiver"; then
	echo "demo: the blocked receiver should have failed" >&2
	exit 1
fi
echo "    blocked consumer: $(cat "$tmp/recv")"
sleep 0.5

say "Done: every byte went user -> kernel -> user; nothing was shared but the kernel"
