#!/usr/bin/env bats
# The short forms of `make stress` (scripts/stress.sh runs the long ones):
# kipc-stress moves 50,000 checked messages through 4x4 senders/receivers on
# one mailbox and 16 pairs on 16 mailboxes, with netlink dumps and a monitor
# running; kipc-fuzz issues 100,000 random ioctls from 4 processes while
# others create, send and destroy. Seeds are fixed so a failure reproduces
# (KIPC_STRESS_SEED / KIPC_FUZZ_SEED override them).

load lib

setup() {
	kipc_ensure_loaded
}

@test "kipc-stress (short): nothing lost, duplicated, corrupted or reordered" {
	run kipc-stress -n "${KIPC_STRESS_SHORT:-50000}" -s "${KIPC_STRESS_SEED:-9}" -N -t 30
	echo "$output"
	[ "$status" -eq 0 ]
	echo "$output" | grep -q ' lost=0 dup=0 corrupt=0 order=0 seq=0 errors=0 '
	echo "$output" | grep -qx 'kipc-stress: PASS'
}

@test "kipc-fuzz (short): 100,000 random ioctls, module intact afterwards" {
	run kipc-fuzz -n "${KIPC_FUZZ_SHORT:-100000}" -s "${KIPC_FUZZ_SEED:-9}"
	echo "$output"
	[ "$status" -eq 0 ]
	echo "$output" | grep -qx 'kipc-fuzz: PASS'
	# Nothing of the run is left behind but what other tests made.
	run kipcctl list
	! echo "$output" | grep -q 'fz-'
}
