#!/usr/bin/env bats
# scripts/deps.sh: one package set per need, and what it says without root.
# dpkg-query and apt-get are fakes (lib.bash): nothing is installed.

load lib

@test "deps.sh --list: each set's packages, each once; a wrong set is a usage error" {
	run "$REPO/scripts/deps.sh" --list test
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' bats tmux)" ]
	# tmux is in guest and test: listed once.
	run "$REPO/scripts/deps.sh" --list guest test
	[ "$status" -eq 0 ]
	[ "$(grep -cx tmux <<<"$output")" = 1 ]
	grep -qx qemu-system-x86 <<<"$output"
	grep -qx bats <<<"$output"
	! grep -qx sparse <<<"$output"
	# The guest and the build never need lint's or bench's packages.
	run "$REPO/scripts/deps.sh" --list build guest
	for p in sparse linux-source-6.1 gnuplot-nox bats shellcheck; do
		! grep -qx "$p" <<<"$output"
	done
	run "$REPO/scripts/deps.sh" --list nosuch
	[ "$status" -eq 2 ]
	[ "${lines[0]}" = "deps.sh: unknown set 'nosuch' (sets: build guest test lint bench debug deb)" ]
}

@test "deps.sh --check names what each set lacks, and only for the sets asked" {
	fake_apt
	EXCEPT="qemu-system-x86 sparse libmnl-dev" installed_but build guest test lint bench
	PATH=$FAKE/bin:$PATH run "$REPO/scripts/deps.sh" --check build guest
	echo "$output"
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "deps.sh: build needs: libmnl-dev" ]
	[ "${lines[1]}" = "deps.sh: guest needs: qemu-system-x86" ]
	[ "${lines[2]}" = "deps.sh: run as root:  apt-get update && apt-get install -y --no-install-recommends libmnl-dev qemu-system-x86" ]
	[ "${#lines[@]}" -eq 3 ]
	[ ! -e "$FAKE/apt.log" ]
	# What lint lacks is not asked for by build and guest; asked for lint, it is.
	PATH=$FAKE/bin:$PATH run "$REPO/scripts/deps.sh" --check lint
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "deps.sh: lint needs: sparse" ]
	# Nothing missing: silent, status 0.
	PATH=$FAKE/bin:$PATH run "$REPO/scripts/deps.sh" --check test
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "deps.sh without root says the same and installs nothing" {
	((EUID == 0)) || skip "needs root to become nobody"
	# nobody cannot enter bats's temporary directory.
	FAKE=$(mktemp -d /tmp/kipc-deps.XXXXXX)
	chmod 755 "$FAKE"
	fake_apt
	EXCEPT="bats" installed_but build guest test
	chmod 644 "$FAKE/installed"
	PATH=$FAKE/bin:$PATH run setpriv --reuid 65534 --regid 65534 --clear-groups \
		"$REPO/scripts/deps.sh" build guest test
	echo "$output"
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "deps.sh: test needs: bats" ]
	[ "${lines[1]}" = "deps.sh: run as root:  apt-get update && apt-get install -y --no-install-recommends bats" ]
	[ ! -e "$FAKE/apt.log" ]
	rm -rf "$FAKE"
}

@test "deps.sh as root installs just the missing packages of the sets asked" {
	((EUID == 0)) || skip "needs root"
	fake_apt
	EXCEPT="qemu-system-x86 gnuplot-nox" installed_but build guest bench
	PATH=$FAKE/bin:$PATH run "$REPO/scripts/deps.sh" build guest
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "deps.sh: installing qemu-system-x86" ]
	[ "$(cat "$FAKE/apt.log")" = "$(printf '%s\n' "update -q" \
		"install -y --no-install-recommends qemu-system-x86")" ]
}
