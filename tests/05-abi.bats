#!/usr/bin/env bats
# The ABI has one layout for 32- and 64-bit user space, and compat works.

@test "ABI structs have the same layout with -m32 and -m64" {
	run diff <(kipc-layout32) <(kipc-layout64)
	[ "$status" -eq 0 ]
	# Not vacuous: every struct and ioctl made it into the listing.
	[ "$(kipc-layout64 | grep -c ' size ')" -eq 11 ]
	kipc-layout64 | grep -q '^kipc_msg size 64$'
	kipc-layout64 | grep -q '^kipc_stat size 192$'
	kipc-layout64 | grep -q '^kipc_call size 56$'
}

@test "a 32-bit process moves messages through compat_ioctl" {
	run kipc-layout32 roundtrip
	[ "$status" -eq 0 ]
	[ "$output" = "roundtrip ok (32-bit)" ]
	run kipc-layout64 roundtrip
	[ "$output" = "roundtrip ok (64-bit)" ]
}
