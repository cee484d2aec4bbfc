#!/bin/bash
# scripts/deb.sh (make deb): builds the Debian packages kipc-dkms and
# kipc-tools from this tree, as it is (uncommitted changes included), into
# build/deb/, and holds them to lintian: any tag of the levels error,
# warning or info fails the build (debian/*.lintian-overrides says why each
# overridden tag does not apply). dpkg-buildpackage writes beside the source
# directory, so it runs in a copy under a temporary directory: the tree
# itself is left as it was.
#
#   scripts/deb.sh
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
OUT=$REPO/build/deb
cd "$REPO"

scripts/deps.sh deb

version=$(dpkg-parsechangelog -S Version)
work=$(mktemp -d "${TMPDIR:-/tmp}/kipc-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT
src=$work/kipc-$version
mkdir "$src"

# The files git knows or would add (build output and editor files are
# ignored); a copy of the whole tree where there is no git.
if git rev-parse --show-toplevel >/dev/null 2>&1; then
	git ls-files -z --cached --others --exclude-standard |
		while IFS= read -r -d '' f; do [[ -e $f ]] && printf '%s\0' "$f"; done |
		tar --null -T - -cf - | tar -xf - -C "$src"
else
	tar --exclude=./build -cf - . | tar -xf - -C "$src"
fi

echo "deb: building kipc $version in $src" >&2
(cd "$src" && dpkg-buildpackage --no-sign -j"$(nproc)") >"$work/build.log" 2>&1 || {
	tail -n 40 "$work/build.log" >&2
	echo "deb: dpkg-buildpackage failed (above: the end of its log)" >&2
	exit 1
}

rm -rf "$OUT"
mkdir -p "$OUT"
mv "$work"/*.deb "$work"/*.changes "$work"/*.buildinfo "$work"/*.dsc "$work"/*.tar.* "$OUT"/
cp "$work/build.log" "$OUT/build.log"
changes=$(echo "$OUT"/*.changes)

echo "deb: lintian" >&2
if ! lintian --info --display-info --fail-on error,warning,info "$changes"; then
	echo "deb: lintian found problems in $changes" >&2
	exit 1
fi
ls "$OUT"/*.deb
