#!/bin/bash
# make bench: builds, runs kipc-bench in the QEMU guest (-smp 2), plots the
# round trips with gnuplot on the host and prints the table.
#
#   scripts/bench.sh [kipc-bench options: --quick, --trials N ...]
#
# Output in build/bench/: results.md (the table), results.json, latency.dat
# and latency.png. Figures from an emulated guest are ratios, not absolutes.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
OUT=build/bench
cd "$REPO"

# The top-level Makefile's `bench: all` has built everything; on its own,
# build what the run needs.
if [[ -z ${MAKELEVEL:-} ]]; then
	if [[ -f Makefile ]]; then
		make all
	else
		make -C user "$REPO/build/bin/kipc-bench"
	fi
fi
[[ -x build/bin/kipc-bench ]] || { echo "bench: build/bin/kipc-bench not built" >&2; exit 1; }
mkdir -p "$OUT"

st=0
scripts/vm run --timeout 1200 -- "build/bin/kipc-bench --out $OUT $*" >"$OUT/run.log" || st=$?
# The table is printed below; keep the guest's other output.
if ((st != 0)); then
	cat "$OUT/run.log"
	echo "bench: the guest run failed (status $st)" >&2
fi

if command -v gnuplot >/dev/null && [[ -s $OUT/latency.dat ]]; then
	gnuplot -e "dat='$OUT/latency.dat'; png='$OUT/latency.png'" tests/bench/latency.gp ||
		echo "bench: gnuplot failed; no chart" >&2
else
	echo "bench: gnuplot not found (apt-get install gnuplot-nox): no chart" >&2
fi

if [[ -s $OUT/results.md ]]; then
	cat "$OUT/results.md"
	echo
	echo "bench: $OUT/results.md, $OUT/results.json, $OUT/latency.png"
fi
exit "$st"
