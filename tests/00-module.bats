#!/usr/bin/env bats
# The module itself: loaded, its device node, its metadata, and unloading.
# (The version ioctl and ENOTTY are C tests: build/tests/test_hostile.)

load lib

teardown() {
	# Leave kipc loaded for the tests that follow, whatever happened here.
	exec 9<&- || true
	kipc_ensure_loaded
}

@test "kipc is loaded and /dev/kipc is a character device with mode 0666" {
	kipc_loaded
	[ "$(grep -c '^kipc ' /proc/modules)" -eq 1 ]
	[ -c /dev/kipc ]
	[ "$(stat -c %A /dev/kipc)" = "crw-rw-rw-" ]
	# Opening it needs no privilege.
	as_user 1000 sh -c 'exec 3</dev/kipc'
}

@test "modinfo shows license GPL, a description, an author and a version" {
	[ "$(modinfo -F license "$KIPC_KO")" = "GPL" ]
	[ -n "$(modinfo -F description "$KIPC_KO")" ]
	[ -n "$(modinfo -F author "$KIPC_KO")" ]
	[ -n "$(modinfo -F version "$KIPC_KO")" ]
	# Built for the kernel it runs on.
	[ "$(modinfo -F vermagic "$KIPC_KO" | cut -d' ' -f1)" = "$(uname -r)" ]
}

@test "rmmod fails while a handle is open, then unload and reload log one line each" {
	# fd 9: bats itself uses fd 3.
	exec 9</dev/kipc
	run rmmod kipc
	[ "$status" -ne 0 ]
	[[ $output == *"in use"* ]]
	kipc_loaded
	exec 9<&-

	dmesg_mark
	rmmod kipc
	! kipc_loaded
	[ ! -e /dev/kipc ]
	run dmesg_since
	echo "$output"
	[ "$(grep -c kipc <<<"$output")" -eq 1 ]

	dmesg_mark
	insmod "$KIPC_KO"
	kipc_loaded
	[ -c /dev/kipc ]
	run dmesg_since
	echo "$output"
	# The kernel's own taint notices come only with the first load of a boot.
	[ "$(grep kipc <<<"$output" | grep -vc 'taint')" -eq 1 ]
}
