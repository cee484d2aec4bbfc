#!/bin/bash
# tests/deb.sh (make check-deb; make check runs it too): make install and the
# Debian packages end to end, driven from the host, printing TAP. First, as
# anyone, `make install-user DESTDIR=...` (make install's user space) must
# install libkipc, its headers and kipc.pc so that a program builds against
# them with pkg-config. Then, as root, it
#   1. builds the packages (scripts/deb.sh: make deb, lintian included);
#   2. installs both on the host, where DKMS builds kipc.ko for the guest's
#      kernel (its headers are installed here), and builds tests/c/pkg-smoke.c
#      against the installed libkipc with pkg-config;
#   3. boots the guest WITHOUT the tree's module and there runs this script
#      with --guest: modprobe kipc, then /usr/bin/kipcctl and pkg-smoke;
#   4. purges both and checks that nothing of theirs is left: no file, no
#      module under /lib/modules/*/updates/dkms, no DKMS tree entry.
# Not root, or no dpkg: skips the packages, saying why.
#
# The guest sees the host's root, so while the packages are installed every
# guest booted here sees their kipc.ko. The other tests insmod kmod/kipc.ko
# by path and never modprobe it, and this script purges the packages as soon
# as the guest is done, on failure and on SIGINT/SIGTERM too (a trap); a run
# that was SIGKILLed leaves them installed, and the next run purges them
# first.
#
#   tests/deb.sh          the whole test, on the host
#   tests/deb.sh --guest  step 3 (scripts/vm runs it in the guest)
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$ROOT" || exit 1
PKGS=(kipc-dkms kipc-tools)
WORK=$ROOT/build/deb-test # in the repo: the guest must see pkg-smoke
BOX=deb-smoke

# ---------------------------------------------------------------- TAP

n=0 failed=0 skipped=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n - $1"
	shift
	local line
	for line in "$@"; do
		printf '%s\n' "$line" | sed 's/^/# /'
	done
}
# check DESCRIPTION COMMAND...: one test, passing when COMMAND succeeds; its
# output is shown only when it fails.
check() {
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then
		ok "$desc"
	else
		not_ok "$desc" "$out"
	fi
}
finish() {
	local summary="$((n - failed - skipped)) passed, $failed failed"
	((skipped)) && summary+=", $skipped skipped"
	echo "1..$n"
	echo "tests/deb.sh: $summary"
	((failed == 0))
	exit
}
skip_rest() {
	n=$((n + 1))
	skipped=$((skipped + 1))
	echo "ok $n - the Debian packages # SKIP $*"
	finish
}

# ---------------------------------------------------------------- guest

# Step 3, in the guest: the same TAP lines, without numbers (the host
# numbers them).
guest_main() {
	local out want
	g_check() {
		local desc=$1 out
		shift
		if out=$("$@" 2>&1); then
			echo "ok - $desc"
		else
			echo "not ok - $desc"
			printf '%s\n' "$out" | sed 's/^/# /'
		fi
	}
	# g_eq DESCRIPTION GOT WANT
	g_eq() {
		if [[ $2 == "$3" ]]; then
			echo "ok - $1"
		else
			echo "not ok - $1"
			printf 'got:  %s\nwant: %s\n' "$2" "$3" | sed 's/^/# /'
		fi
	}
	if grep -q '^kipc ' /proc/modules; then
		echo "not ok - the guest starts without kipc loaded"
		return 1
	fi
	g_check "modprobe kipc loads the module" modprobe kipc
	want=/lib/modules/$(uname -r)/updates/dkms/kipc.ko
	g_eq "modprobe took DKMS's kipc.ko, not another" "$(modinfo -n kipc 2>&1)" "$want"
	g_check "/dev/kipc exists" [ -c /dev/kipc ]
	out=$({
		/usr/bin/kipcctl create "$BOX" &&
			/usr/bin/kipcctl send "$BOX" "hello, package" &&
			/usr/bin/kipcctl recv "$BOX" &&
			/usr/bin/kipcctl destroy "$BOX"
	} 2>&1)
	g_eq "/usr/bin/kipcctl creates, sends to, receives from, destroys a mailbox" \
		"$out" "hello, package"
	out=$("$WORK/pkg-smoke" 2>&1)
	want="pkg-smoke: abi $(sed -n 's/^#define KIPC_ABI_VERSION[[:space:]]*\([0-9]*\).*/\1/p' \
		include/uapi/linux/kipc.h), type 7, priority 2: hello from libkipc"
	g_eq "a program built with pkg-config against the installed libkipc runs" "$out" "$want"
	g_check "modprobe -r kipc unloads it" modprobe -r kipc
}

if [[ ${1:-} == --guest ]]; then
	[[ ${KIPC_VM:-} == 1 ]] || { echo "tests/deb.sh --guest runs in the guest" >&2; exit 1; }
	guest_main
	exit 0
fi

# ---------------------------------------------------------------- host

rm -rf "$WORK"
mkdir -p "$WORK"

# make install's user-space half (install-user), into a DESTDIR; the other
# half would rebuild kmod/kipc.ko for the host's kernel, which need not be
# the guest's. pkg-config's sysroot prefixes its -I and -L.
dest=$WORK/destdir
if out=$(make --no-print-directory install-user DESTDIR="$dest" 2>&1); then
	ok "make install-user DESTDIR=... succeeds"
else
	not_ok "make install-user DESTDIR=... succeeds" "$(tail -n 20 <<<"$out")"
fi
check "make install installs libkipc.so.0, libkipc.h, linux/kipc.h, kipc.pc" ls \
	"$dest/usr/local/lib/libkipc.so.0" "$dest/usr/local/lib/libkipc.so" \
	"$dest/usr/local/include/kipc/libkipc.h" "$dest/usr/local/include/kipc/linux/kipc.h" \
	"$dest/usr/local/lib/pkgconfig/kipc.pc"
check "a program builds and links against make install's libkipc with pkg-config" \
	env PKG_CONFIG_SYSROOT_DIR="$dest" PKG_CONFIG_LIBDIR="$dest/usr/local/lib/pkgconfig" \
	bash -c "cc -std=gnu11 -Wall -Wextra -Werror -o '$WORK/pkg-smoke-local' tests/c/pkg-smoke.c \
		-Wl,--as-needed \$(pkg-config --cflags --libs kipc) &&
		readelf -d '$WORK/pkg-smoke-local' | grep -q 'NEEDED.*\[libkipc.so.0\]'"

((EUID == 0)) || skip_rest "not root: installing packages needs root"
if ! command -v dpkg >/dev/null || ! command -v apt-get >/dev/null; then
	skip_rest "no dpkg/apt-get: not a Debian system"
fi

APT=(apt-get -y -q -o DPkg::Lock::Timeout=300 --no-install-recommends)
export DEBIAN_FRONTEND=noninteractive
LOG=$WORK/apt.log

installed() { dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null | grep -q '^i'; }
any_installed() {
	local p
	for p in "${PKGS[@]}"; do installed "$p" && return 0; done
	return 1
}
# Set just before this script installs the packages, cleared once they are
# purged: only then are installed kipc packages this script's to remove
# (outside $WORK, which every run empties).
MARK=$ROOT/build/deb-test.installed
purge() {
	any_installed || { rm -f "$MARK"; return 0; }
	"${APT[@]}" purge "${PKGS[@]}" >>"$LOG" 2>&1 && rm -f "$MARK"
}
# shellcheck disable=SC2317 # run by the EXIT trap
on_exit() {
	if [[ -e $MARK ]] && any_installed; then
		echo "# purging ${PKGS[*]} (cleanup)"
		purge || echo "# purge failed: see $LOG"
	fi
}
trap on_exit EXIT
trap 'exit 130' INT TERM HUP

if any_installed; then
	# Installed by the user (README's real-machine section): not ours.
	[[ -e $MARK ]] || skip_rest "${PKGS[*]} installed, not by this test: left alone"
	echo "# ${PKGS[*]}: left installed by an earlier run; purging them first"
	purge || { echo "Bail out! cannot purge ${PKGS[*]}: see $LOG"; exit 1; }
fi
# What building and installing the packages takes (make check does not ask
# for it: without root this part is skipped).
scripts/deps.sh deb >>"$LOG" 2>&1 ||
	{ echo "Bail out! scripts/deps.sh deb failed: see $LOG"; exit 1; }
KVER=$(scripts/vm kver) || { echo "Bail out! no guest kernel"; exit 1; }
[[ -d /lib/modules/$KVER/build ]] ||
	{ echo "Bail out! no headers for the guest kernel $KVER (linux-headers-amd64)"; exit 1; }
VERSION=$(dpkg-parsechangelog -S Version)

# 1. Build.
if out=$(scripts/deb.sh 2>&1); then
	ok "make deb builds the packages and lintian reports nothing"
else
	not_ok "make deb builds the packages and lintian reports nothing" "$(tail -n 30 <<<"$out")"
fi
debs=("build/deb/kipc-dkms_${VERSION}_all.deb" "build/deb/kipc-tools_${VERSION}_$(dpkg --print-architecture).deb")
check "make deb leaves ${debs[*]} in build/deb" ls "${debs[@]}"
for f in "${debs[@]}"; do
	[[ -f $f ]] || { echo "Bail out! no $f"; exit 1; }
done

# 2. Install, and build against what was installed.
touch "$MARK"
if "${APT[@]}" install "${debs[@]/#/./}" >"$LOG" 2>&1; then
	ok "apt-get installs both packages"
else
	not_ok "apt-get installs both packages" "$(tail -n 30 "$LOG")"
	echo "Bail out! not installed"
	exit 1
fi
ko=/lib/modules/$KVER/updates/dkms/kipc.ko
check "DKMS built and installed kipc $VERSION for the guest's kernel $KVER" \
	bash -c "dkms status -m kipc -v '$VERSION' -k '$KVER' | grep -q ': installed'"
check "$ko is built for $KVER, version $VERSION" bash -c \
	"[ \"\$(modinfo -F vermagic '$ko' | cut -d' ' -f1)\" = '$KVER' ] &&
	 [ \"\$(modinfo -F version '$ko')\" = '$VERSION' ]"
check "pkg-config finds kipc $VERSION: -I/usr/include/kipc -lkipc" bash -c \
	"[ \"\$(pkg-config --modversion kipc)\" = '$VERSION' ] &&
	 [ \"\$(pkg-config --cflags --libs kipc | xargs)\" = '-I/usr/include/kipc -lkipc' ]"
# -Wl,--as-needed: a NEEDED libkipc.so.0 proves the shared library is used.
check "tests/c/pkg-smoke.c builds with \$(pkg-config --cflags --libs kipc) and links libkipc.so.0" \
	bash -c "cc -std=gnu11 -Wall -Wextra -Werror -o '$WORK/pkg-smoke' tests/c/pkg-smoke.c \
		-Wl,--as-needed \$(pkg-config --cflags --libs kipc) &&
		readelf -d '$WORK/pkg-smoke' | grep -q 'NEEDED.*\[libkipc.so.0\]'"
check "man kipcctl and the bash completion are installed" \
	bash -c "man -w kipcctl | grep -qx /usr/share/man/man8/kipcctl.8.gz &&
		[ -f /usr/share/bash-completion/completions/kipcctl ]"

# Everything the packages own, for step 4.
dpkg-query -L "${PKGS[@]}" | sort -u >"$WORK/files"

# 3. The guest, without the tree's module.
if out=$(scripts/vm run --no-module -- tests/deb.sh --guest 2>&1); then
	status=0
else
	status=$?
fi
while IFS= read -r line; do
	case $line in
	"ok - "*) ok "guest: ${line#ok - }" ;;
	"not ok - "*)
		n=$((n + 1))
		failed=$((failed + 1))
		echo "not ok $n - guest: ${line#not ok - }"
		;;
	"#"*) echo "$line" ;;
	*) echo "# $line" ;;
	esac
done <<<"$out"
if ((status != 0)); then
	not_ok "the guest run exits 0 (scripts/vm: $status)"
fi

# 4. Purge; nothing may be left.
if "${APT[@]}" purge "${PKGS[@]}" >>"$LOG" 2>&1; then
	ok "apt-get purges both packages"
else
	not_ok "apt-get purges both packages" "$(tail -n 30 "$LOG")"
fi
left=()
while IFS= read -r f; do
	# Directories that other packages share (/usr/bin ...) stay, as they must.
	[[ -e $f && ! -d $f ]] || [[ -d $f && $f == @(/usr/src/kipc-*|/usr/include/kipc*|/usr/share/doc/kipc-*) ]] &&
		left+=("$f")
done <"$WORK/files"
if ((${#left[@]} == 0)); then
	ok "none of the packages' $(wc -l <"$WORK/files") paths is left"
else
	not_ok "none of the packages' paths is left" "${left[@]}"
fi
shopt -s nullglob
mods=(/lib/modules/*/updates/dkms/kipc.ko*)
shopt -u nullglob
check "no kipc.ko is left in /lib/modules/*/updates/dkms (${mods[*]:-none})" [ ${#mods[@]} -eq 0 ]
check "modules.dep of $KVER does not name kipc" bash -c "! grep -q 'kipc\.ko' /lib/modules/'$KVER'/modules.dep"
check "no DKMS tree entry: /var/lib/dkms/kipc, dkms status" \
	bash -c "[ ! -e /var/lib/dkms/kipc ] && [ -z \"\$(dkms status -m kipc)\" ]"
check "pkg-config and ld.so no longer find kipc" \
	bash -c "! pkg-config --exists kipc && ! ldconfig -p | grep -q libkipc"

finish
