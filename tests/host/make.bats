#!/usr/bin/env bats
# The top-level Makefile: each goal asks scripts/deps.sh for its package sets
# only, and a fresh machine needs one run (make looks up the kernel version
# after deps.sh has installed it). Runs make in a copy of the tree.

load lib

# The sets `make GOAL...` asks deps.sh for ("-" when it does not ask), with
# a deps.sh that records its arguments and fails, so the goal itself does
# not run. KDIR=/nonexistent stops the goals that need no package early.
sets_of() {
	local log=$BATS_TEST_TMPDIR/deps.log
	rm -f "$log"
	make -s -C "$tree" KDIR=/nonexistent "$@" </dev/null >/dev/null 2>&1 || true
	if [[ -f $log ]]; then cat "$log"; else echo -; fi
}

@test "each make goal asks deps.sh for its package sets, and only those" {
	tree=$(copy_tree)
	printf '%s\n' '#!/bin/sh' "echo \"\$*\" >>$BATS_TEST_TMPDIR/deps.log" 'exit 1' \
		>"$tree/scripts/deps.sh"
	local goal expect got bad=0
	while read -r goal expect; do
		# shellcheck disable=SC2086 # several goals in one
		got=$(sets_of ${goal//+/ })
		if [[ $got != "$expect" ]]; then
			echo "make ${goal//+/ }: asked for '$got', not '$expect'"
			bad=1
		fi
	done <<-'EOF'
		all		build
		vm		build guest
		vm-build	build guest
		vm-run		build guest
		demo		build guest
		stress		build guest
		bench		bench build guest
		lint		build lint
		check		build guest lint test
		check-debug	build debug guest test
		deb		build deb
		check-deb	build deb guest
		deps		bench build guest lint test
		lint+bench	bench build guest lint
		build		-
		modules		-
		install		-
		clean		-
	EOF
	# `make` alone is `make all`.
	got=$(sets_of)
	[[ $got == build ]] || { echo "make: asked for '$got'"; bad=1; }
	((bad == 0))
}

# A fresh machine, simulated: the guest kernel is "not installed" when make
# starts (KIPC_VM_BOOT is an empty directory, so `scripts/vm kver` finds
# nothing, as on a machine without linux-image-amd64), and the fake apt-get
# that deps.sh runs "installs" it (links the real image there). Before the
# fix, make had computed KVER and KDIR already and failed with "no kernel
# headers for ''"; now the second make finds the kernel and builds for it.
@test "a fresh machine: one make vm-build installs the guest kernel, then builds for it" {
	((EUID == 0)) || skip "deps.sh installs only as root"
	local kver
	kver=$("$REPO/scripts/vm" kver 2>/dev/null) || skip "no guest kernel on this host"
	tree=$(copy_tree)
	# Only the module matters here: skip the user-space build.
	printf 'all:\n\t@echo user: skipped\n' >"$tree/user/Makefile"
	fake_apt
	EXCEPT=linux-image-amd64 installed_but build guest
	mkdir "$BATS_TEST_TMPDIR/boot"
	export FAKE_BOOT=$BATS_TEST_TMPDIR/boot FAKE_KVER=$kver
	# The first parse sees no kernel.
	KIPC_VM_BOOT=$FAKE_BOOT run "$tree/scripts/vm" kver
	[ "$status" -eq 125 ]

	cd "$tree"
	KIPC_VM_BOOT=$FAKE_BOOT PATH=$FAKE/bin:$PATH run make vm-build
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "deps.sh: installing linux-image-amd64" ]
	grep -qx "install -y --no-install-recommends linux-image-amd64" "$FAKE/apt.log"
	[ "$(modinfo -F vermagic "$tree/kmod/kipc.ko" | cut -d' ' -f1)" = "$kver" ]
}
