#!/usr/bin/env bats
# The guest itself (scripts/vm): what the other tests rely on.

load lib

# scripts/vm gives the command the mount namespace's root, not a chroot (in
# which the kernel refuses CLONE_NEWUSER with EPERM), so tests can run as an
# unprivileged user in fresh user and IPC namespaces.
@test "an unprivileged user can create user and IPC namespaces in the guest" {
	[ "$(cat /proc/sys/kernel/unprivileged_userns_clone 2>/dev/null || echo 1)" = 1 ]
	local ipc
	ipc=$(readlink /proc/self/ns/ipc)
	run as_user 65534 unshare -U -i -r sh -c \
		'id -u; id -g; cat /proc/self/uid_map; readlink /proc/self/ns/ipc
		 exec 3</dev/kipc && echo opened /dev/kipc'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 0 ]
	[ "${lines[1]}" = 0 ]
	read -r -a map <<<"${lines[2]}"
	[ "${map[*]}" = "0 65534 1" ]
	[[ ${lines[3]} == ipc:* ]]
	[ "${lines[3]}" != "$ipc" ]
	[ "${lines[4]}" = "opened /dev/kipc" ]
	# Nested: a namespace's root can make another one.
	run as_user 65534 unshare -U -r unshare -U -i -r id -u
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = 0 ]
}
