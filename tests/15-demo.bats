#!/usr/bin/env bats
# make demo's scenario (scripts/demo.sh), so the story it tells cannot rot.

load lib

teardown() {
	kipcctl destroy orders 2>/dev/null || true
}

@test "the demo tells its story and exits 0" {
	KIPC_DEMO_PAUSE=0 run "$KIPC_ROOT/scripts/demo.sh"
	echo "$output"
	[ "$status" -eq 0 ]

	# The signal woke the consumer, with the kernel's siginfo.
	[[ $output == *"consumer woke up: signal=SIGUSR1 si_code=SI_MESGQ mailbox_id="* ]]
	# Priority 5 came out first, then FIFO, then the sender that had blocked.
	got=$(awk '/\$ kipcctl recv orders$/ { take = 1; next }
		take && !/monitor:/ { sub(/^ +/, ""); print; take = 0 }' <<<"$output" |
		tr '\n' '|')
	[ "$got" = "order 1 from producer A|order 3 from B, urgent|order 2 from A|order 4 from B|order 5 from A, after waiting|" ]
	# The monitor saw each kind of event.
	for e in create send notify recv full destroy; do
		grep -q "monitor: [0-9TZ:.-]* $e " <<<"$output"
	done
	# The list showed the queue full, then draining.
	grep -q ' orders  root   0666        3/3 ' <<<"$output"
	grep -q ' orders  root   0666        2/3 ' <<<"$output"
	[[ $output == *"blocked consumer: kipcctl: recv orders: Identifier removed (EIDRM)"* ]]
	# Nothing is left behind.
	run kipcctl show orders
	[ "$status" -eq 1 ]
}
