#!/bin/bash
# scripts/check-fnlen.sh: no function in kmod/ or user/ is longer than 80
# lines (its body, between the braces at column 0, as kernel style writes
# them). A long function is where phases hide; split it at them.
#   scripts/check-fnlen.sh [MAX [FILE...]]
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$REPO"

max=${1:-80}
shift || true
if (($# == 0)); then
	set -- kmod/*.c user/*.c
fi

awk -v max="$max" '
	FNR == 1 { start = 0 }
	/^[A-Za-z_].*\(/ { name = $0 }
	/^\{/ { start = FNR; fname = name; next }
	/^\}/ && start {
		n = FNR - start - 1
		if (n > max) {
			printf "%s:%d: %d lines: %s\n", FILENAME, start, n, fname
			bad++
		}
		start = 0
	}
	END { exit bad ? 1 : 0 }
' "$@"
