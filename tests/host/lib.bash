# tests/host/lib.bash: helpers for the tests that run on the host (make
# check runs them before the guest boots; tests/run.sh counts their
# results). They never load a module and never install anything.
# shellcheck shell=bash

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd -P)

# A copy of the working tree (the files git knows or would add, as they are
# now; no build/) in $BATS_TEST_TMPDIR/tree, for tests that run make.
copy_tree() {
	local tree=$BATS_TEST_TMPDIR/tree
	mkdir -p "$tree"
	(cd "$REPO" && git ls-files -co --exclude-standard |
		while IFS= read -r f; do [[ -e $f ]] && echo "$f"; done |
		cpio -pdm --quiet "$tree")
	echo "$tree"
}

# A fake dpkg-query and apt-get in $FAKE/bin (put it first in PATH); $FAKE
# is $BATS_TEST_TMPDIR unless set (to a directory another user can enter).
# dpkg-query reports as installed the packages listed in $FAKE/installed;
# apt-get logs its arguments in $FAKE/apt.log and "installs" by adding to
# that list, and for linux-image-amd64 by linking the real guest kernel
# ($FAKE_KVER) into $FAKE_BOOT.
# shellcheck disable=SC2016 # the fakes' own code, expanded when they run
fake_apt() {
	FAKE=${FAKE:-$BATS_TEST_TMPDIR}
	[[ -n $FAKE ]] || return 1
	mkdir -p "$FAKE/bin"
	touch "$FAKE/installed"
	printf '%s\n' '#!/bin/bash' \
		"state=$(printf %q "$FAKE")" \
		'st=0' \
		'for p in "$@"; do' \
		'	[[ $p == -* ]] && continue' \
		'	if grep -qx -- "$p" "$state/installed"; then' \
		'		echo "ii  $p"' \
		'	else' \
		'		echo "dpkg-query: no packages found matching $p" >&2' \
		'		st=1' \
		'	fi' \
		'done' \
		'exit $st' >"$FAKE/bin/dpkg-query"
	printf '%s\n' '#!/bin/bash' \
		"state=$(printf %q "$FAKE")" \
		'while [[ $1 == -o ]]; do shift 2; done' \
		'echo "$*" >>"$state/apt.log"' \
		'[[ $1 == install ]] || exit 0' \
		'for p in "$@"; do' \
		'	[[ $p == -* || $p == install ]] && continue' \
		'	echo "$p" >>"$state/installed"' \
		'	if [[ $p == linux-image-amd64 && -n ${FAKE_BOOT:-} ]]; then' \
		'		ln -s "/boot/vmlinuz-$FAKE_KVER" "$FAKE_BOOT/"' \
		'	fi' \
		'done' >"$FAKE/bin/apt-get"
	chmod +x "$FAKE/bin/dpkg-query" "$FAKE/bin/apt-get"
}

# Marks every package of the given deps.sh sets installed, but those in
# $EXCEPT.
installed_but() {
	local p
	"$REPO/scripts/deps.sh" --list "$@" | while read -r p; do
		[[ " ${EXCEPT:-} " == *" $p "* ]] || echo "$p"
	done >"$FAKE/installed"
}

# Not a sub-make of a `make check` that runs these tests: each make here is
# a user's first (KIPC_MAKE_INNER would skip the pass under test).
unset MAKEFLAGS MFLAGS MAKELEVEL KIPC_MAKE_INNER
