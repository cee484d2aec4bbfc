#!/bin/bash
# scripts/stress.sh — `make stress`: the long-form reliability run, in the guest.
#
#   scripts/stress.sh [--short] [--no-build]
#
# Builds the module and user space for the guest's kernel (make vm-build),
# boots the guest once (scripts/vm, which fails the run on any BUG, WARNING,
# lockdep or KASAN line in the guest's kernel log) and runs there:
#   kipc-stress -n 1000000 -N   4x4 on one mailbox + 16 pairs, netlink load
#   kipc-fuzz   -n 1000000      4 fuzzing processes + create/send/destroy churn
#   kipc-locklat -d 100000      as nobody: 100,000 + 20,000 queued messages of
#                               mixed types, 532 receivers blocked on types
#                               not queued (exact, TYPE_LE, TYPE_NOT), woken
#                               one by one; a STAT probe measures the
#                               longest mb->lock wait (printed, not asserted)
#   test_faults, test_hostile   the fault and hostile-input TAP programs
#   rmmod kipc                  must succeed once everything is closed
# --short uses the `make check` sizes (50,000 messages, 100,000 ioctls,
# locklat depth 5,000 with 58 receivers). The guest's soft-lockup detector
# runs with watchdog_thresh=5 (scripts/vm): a CPU stuck for 10 s fails the
# run. The output is also kept in build/stress/stress.log; the last lines
# repeat the lock-wait figure.
# Environment: KIPC_STRESS_MESSAGES, KIPC_FUZZ_IOCTLS, KIPC_STRESS_SEED,
# KIPC_FUZZ_SEED (default: time-based, printed), KIPC_LOCKLAT_ARGS (e.g.
# '-d 200000 -w 200'), KIPC_LOCKLAT_TIMEOUT (s, 600), STRESS_TIMEOUT (s, 3000),
# and every KIPC_VM_* variable of scripts/vm (e.g. from
# `eval "$(scripts/debug-kernel.sh env)"` to run it all under the debug kernel).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd -P)
cd "$ROOT"

short=0 build=1 guest=0
for a in "$@"; do
	case $a in
	--short) short=1 ;;
	--no-build) build=0 ;;
	--guest) guest=1 ;;
	*) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 2 ;;
	esac
done

if ((short)); then
	messages=${KIPC_STRESS_MESSAGES:-50000} ioctls=${KIPC_FUZZ_IOCTLS:-100000}
	locklat=${KIPC_LOCKLAT_ARGS:--d 5000 -w 50 -l 4 -x 4}
else
	messages=${KIPC_STRESS_MESSAGES:-1000000} ioctls=${KIPC_FUZZ_IOCTLS:-1000000}
	locklat=${KIPC_LOCKLAT_ARGS:--d 100000 -b 20000 -w 500 -l 16 -x 16}
fi
sseed=${KIPC_STRESS_SEED:-$(date +%s)}
fseed=${KIPC_FUZZ_SEED:-$((sseed + 1))}

# ------------------------------------------------------------- in the guest
if ((guest)); then
	export PATH=$ROOT/build/bin:$PATH
	fail=0
	step() {
		local t0=$SECONDS
		echo "stress: == $*"
		if "$@"; then
			echo "stress: ok ($((SECONDS - t0)) s): $1"
		else
			echo "stress: FAILED ($((SECONDS - t0)) s, status $?): $*"
			fail=1
		fi
	}
	echo "stress: kernel $(uname -r), $(nproc) CPUs"
	step kipc-stress -n "$messages" -s "$sseed" -N -t 120
	step kipc-fuzz -n "$ioctls" -s "$fseed"
	# A receive that scans under the lock shows as a long STAT here, or
	# as a soft lockup in the kernel log; the timeout ends a run that
	# would take hours.
	locklat_out=$(mktemp)
	# shellcheck disable=SC2317 # called through step
	kipc_locklat() {
		# shellcheck disable=SC2086 # KIPC_LOCKLAT_ARGS is a list of words
		timeout -k 10 "${KIPC_LOCKLAT_TIMEOUT:-600}" \
			kipc-locklat $locklat -s "$sseed" -t 120 | tee "$locklat_out"
		return "${PIPESTATUS[0]}"
	}
	step kipc_locklat
	step build/tests/test_faults
	step build/tests/test_hostile
	# Everything closed: the module must unload cleanly after heavy use.
	step rmmod kipc
	if ! grep -q '^kipc ' /proc/modules; then
		echo "stress: kipc unloaded"
	fi
	if figure=$(grep -o 'max_stat_us=.*' "$locklat_out"); then
		echo "stress: FIGURE locklat ($locklat): $figure"
	else
		echo "stress: FIGURE locklat ($locklat): none (the run did not finish)"
	fi
	rm -f "$locklat_out"
	exit $fail
fi

# ---------------------------------------------------------------- the host
if ((build)); then
	make --no-print-directory vm-build >&2
fi
echo "stress: ${messages} messages (seed $sseed), ${ioctls} ioctls (seed $fseed)," \
	"locklat $locklat"
mkdir -p build/stress
log=build/stress/stress.log
t0=$SECONDS
status=0
scripts/vm run --timeout "${STRESS_TIMEOUT:-3000}" -- \
	"KIPC_STRESS_MESSAGES=$messages KIPC_FUZZ_IOCTLS=$ioctls KIPC_STRESS_SEED=$sseed" \
	"KIPC_FUZZ_SEED=$fseed KIPC_LOCKLAT_ARGS='$locklat'" \
	"${KIPC_LOCKLAT_TIMEOUT:+KIPC_LOCKLAT_TIMEOUT=$KIPC_LOCKLAT_TIMEOUT}" \
	"scripts/stress.sh --guest $( ((short)) && echo --short)" 2>&1 | tee "$log" ||
	status=${PIPESTATUS[0]}
grep -E '^kipc-locklat: (all:|[0-9]+ of [0-9]+ receivers|INCOMPLETE)|^stress: (FIGURE|FAILED)' "$log" || true
echo "stress: guest run took $((SECONDS - t0)) s; status $status" \
	"($([[ $status == 0 ]] && echo PASS || echo FAIL)); log: $log"
exit "$status"
