#!/bin/bash
# scripts/deps.sh: make sure the Debian packages that a make target needs are
# installed. Silent when they all are. Otherwise, as root, installs the
# missing ones from the configured Debian archive with apt-get; as anyone
# else, says which packages each set lacks, prints the apt-get line to run
# and exits 1.
#
#   scripts/deps.sh [--check] [SET...]   SET: build guest test lint bench debug deb
#                                        (none: build guest test lint bench)
#   scripts/deps.sh --list SET...        print the packages of the sets
#
#   build  the module and user space (make build; make, make install)
#   guest  the QEMU guest (make vm, make demo, make vm-run, make stress)
#   test   the test suite in the guest (make check)
#   lint   checkpatch, sparse, shellcheck (make lint, make check)
#   bench  the chart of make bench
#   debug  building the KASAN and KCSAN kernels (make check-debug/-kcsan)
#   deb    building, linting and installing the packages (make deb,
#          make check-deb; make check runs tests/deb.sh too)
#
# --check: only check (never install), exit 1 if anything is missing.
# The Makefile asks for the sets of the goals it was given, before it looks
# up the kernel version (so that a fresh machine needs one run).
set -euo pipefail

# One place for what each set needs.
declare -A SET=(
	[build]="linux-headers-amd64 gcc make libc6-dev pkg-config libmnl-dev
		libncurses-dev gcc-multilib"
	[guest]="linux-image-amd64 qemu-system-x86 busybox-static cpio file xz-utils
		kmod util-linux procps iproute2 tmux"
	[test]="bats tmux"
	[lint]="sparse linux-source-6.1 shellcheck"
	[bench]="gnuplot-nox"
	[debug]="linux-source-6.1 bc bison flex libelf-dev libssl-dev"
	[deb]="build-essential dpkg-dev debhelper dh-dkms dkms lintian
		linux-headers-amd64 libmnl-dev libncurses-dev pkg-config"
)
SET_ORDER=(build guest test lint bench debug deb)
DEFAULT_SETS=(build guest test lint bench)

usage() {
	sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}" >&2
	exit 2
}

# The packages of set $1, one a line.
set_packages() {
	local p
	for p in ${SET[$1]}; do echo "$p"; done
}

# Prints those of the packages given that are not fully installed, with one
# dpkg-query call.
missing_packages() {
	local installed
	# dpkg-query complains on stderr about unknown packages and exits 1;
	# those simply don't show up as installed.
	installed=$(dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' "$@" 2>/dev/null |
		awk '$1 == "ii" { print $2 }') || true
	local p
	for p in "$@"; do
		grep -qx -- "$p" <<<"$installed" || echo "$p"
	done
}

main() {
	local check_only=0 list=0 sets=()
	while (($#)); do
		case $1 in
		--check) check_only=1 ;;
		--list) list=1 ;;
		-h | --help) usage ;;
		-*) echo "deps.sh: unknown option '$1'" >&2; usage ;;
		*)
			[[ -n ${SET[$1]+set} ]] || {
				echo "deps.sh: unknown set '$1' (sets: ${SET_ORDER[*]})" >&2
				exit 2
			}
			sets+=("$1")
			;;
		esac
		shift
	done
	((${#sets[@]})) || sets=("${DEFAULT_SETS[@]}")

	# The packages, each once, in the order of the sets.
	local packages=() s p
	for s in "${sets[@]}"; do
		while read -r p; do
			[[ " ${packages[*]} " == *" $p "* ]] || packages+=("$p")
		done < <(set_packages "$s")
	done
	if ((list)); then
		printf '%s\n' "${packages[@]}"
		exit 0
	fi

	if ! command -v dpkg-query >/dev/null; then
		echo "deps.sh: not a Debian system: not checked; ${sets[*]} need the" \
			"equivalents of: ${packages[*]} (see README.md, \"Other systems\")" >&2
		exit 0
	fi

	local missing
	mapfile -t missing < <(missing_packages "${packages[@]}")
	((${#missing[@]})) || exit 0

	local cmd=(apt-get install -y --no-install-recommends "${missing[@]}")
	if ((check_only)) || ((EUID != 0)); then
		local lacking
		for s in "${sets[@]}"; do
			mapfile -t lacking < <(set_packages "$s" | grep -Fxf <(printf '%s\n' "${missing[@]}"))
			((${#lacking[@]})) && echo "deps.sh: $s needs: ${lacking[*]}" >&2
		done
		echo "deps.sh: run as root:  apt-get update && ${cmd[*]}" >&2
		exit 1
	fi
	echo "deps.sh: installing ${missing[*]}" >&2
	export DEBIAN_FRONTEND=noninteractive
	# Another apt (a second make, unattended-upgrades) waits its turn.
	local lock=(-o DPkg::Lock::Timeout=600)
	apt-get "${lock[@]}" update -q
	"${cmd[0]}" "${lock[@]}" "${cmd[@]:1}"
	# Check again: a package that apt could not provide must not pass silently.
	mapfile -t missing < <(missing_packages "${packages[@]}")
	if ((${#missing[@]})); then
		echo "deps.sh: still missing after apt-get: ${missing[*]}" >&2
		exit 1
	fi
}

main "$@"
