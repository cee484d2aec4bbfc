#!/bin/bash
# scripts/deps.sh: make sure the Debian packages that the build, the guest and
# the tests need are installed. Silent when they all are. Otherwise, as root,
# installs the missing ones from the configured Debian archive with apt-get;
# as anyone else, prints the apt-get line to run and exits 1.
#
#   scripts/deps.sh           check, and install as root
#   scripts/deps.sh --check   check only: list what is missing, exit 1 if any
#   scripts/deps.sh deb       what make deb / make check-deb need instead
set -euo pipefail

PACKAGES=(
	linux-image-amd64 linux-headers-amd64 # the guest kernel and its headers
	qemu-system-x86 busybox-static cpio   # the guest and its initramfs
	kmod util-linux procps iproute2       # insmod, setpriv, ps, genl (in the guest)
	libmnl-dev pkg-config gcc-multilib    # user space, the 32-bit ABI check
	sparse linux-source-6.1               # lint: sparse, checkpatch.pl
	bats tmux gnuplot-nox libncurses-dev  # tests, demo, plots, TUI
)

# ---- deb need (make deb, make check-deb): added by the `deb` helper as its
# own block, to be merged into the per-target needs.
DEB_PACKAGES=(
	build-essential dpkg-dev debhelper dh-dkms # dpkg-buildpackage, dh, dh_dkms
	dkms lintian linux-headers-amd64           # the install test, the check
	libmnl-dev libncurses-dev pkg-config       # kipc-tools' Build-Depends
)
# ---- end of the deb need

# Prints the packages that are not fully installed, with one dpkg-query call.
missing_packages() {
	local installed
	# dpkg-query complains on stderr about unknown packages and exits 1;
	# those simply don't show up as installed.
	installed=$(dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' "${PACKAGES[@]}" 2>/dev/null |
		awk '$1 == "ii" { print $2 }') || true
	local p
	for p in "${PACKAGES[@]}"; do
		grep -qx -- "$p" <<<"$installed" || echo "$p"
	done
}

main() {
	local check_only=0
	case ${1:-} in
	--check) check_only=1 ;;
	deb) PACKAGES=("${DEB_PACKAGES[@]}") ;; # the deb need's block, above
	"") ;;
	*) echo "usage: $0 [--check | deb]" >&2; exit 2 ;;
	esac

	if ! command -v dpkg-query >/dev/null; then
		echo "deps.sh: not a Debian system; install the equivalents of: ${PACKAGES[*]}" >&2
		exit 0
	fi

	local missing
	mapfile -t missing < <(missing_packages)
	((${#missing[@]})) || exit 0

	local cmd=(apt-get install -y --no-install-recommends "${missing[@]}")
	if ((check_only)) || ((EUID != 0)); then
		echo "deps.sh: missing packages: ${missing[*]}" >&2
		echo "deps.sh: run as root:  apt-get update && ${cmd[*]}" >&2
		exit 1
	fi
	echo "deps.sh: installing ${missing[*]}" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	"${cmd[@]}"
	# Check again: a package that apt could not provide must not pass silently.
	mapfile -t missing < <(missing_packages)
	if ((${#missing[@]})); then
		echo "deps.sh: still missing after apt-get: ${missing[*]}" >&2
		exit 1
	fi
}

main "$@"
