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
#   test_faults, test_hostile   the fault and hostile-input TAP programs
#   rmmod kipc                  must succeed once everything is closed
# --short uses the `make check` sizes (50,000 messages, 100,000 ioctls).
# Environment: KIPC_STRESS_MESSAGES, KIPC_FUZZ_IOCTLS, KIPC_STRESS_SEED,
# KIPC_FUZZ_SEED (default: time-based, printed), STRESS_TIMEOUT (s, 3000),
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
	*) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
	esac
done

if ((short)); then
	messages=${KIPC_STRESS_MESSAGES:-50000} ioctls=${KIPC_FUZZ_IOCTLS:-100000}
else
	messages=${KIPC_STRESS_MESSAGES:-1000000} ioctls=${KIPC_FUZZ_IOCTLS:-1000000}
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
	step build/tests/test_faults
	step build/tests/test_hostile
	# Everything closed: the module must unload cleanly after heavy use.
	step rmmod kipc
	if ! grep -q '^kipc ' /proc/modules; then
		echo "stress: kipc unloaded"
	fi
	exit $fail
fi

# ---------------------------------------------------------------- the host
if ((build)); then
	make --no-print-directory vm-build >&2
fi
echo "stress: ${messages} messages (seed $sseed), ${ioctls} ioctls (seed $fseed)"
t0=$SECONDS
status=0
scripts/vm run --timeout "${STRESS_TIMEOUT:-3000}" -- \
	"KIPC_STRESS_MESSAGES=$messages KIPC_FUZZ_IOCTLS=$ioctls KIPC_STRESS_SEED=$sseed" \
	"KIPC_FUZZ_SEED=$fseed scripts/stress.sh --guest" || status=$?
echo "stress: guest run took $((SECONDS - t0)) s; status $status" \
	"($([[ $status == 0 ]] && echo PASS || echo FAIL))"
exit $status
