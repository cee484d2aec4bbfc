#!/bin/bash
# tests/run.sh: the whole suite, run INSIDE the guest (scripts/vm loads
# kipc.ko first): every tests/*.bats through `bats --tap`, then every test
# program in build/tests/ (they print TAP), then a check of the kernel log.
# Output streams as it comes; failures are repeated at the end, and the last
# line is exactly "N passed, N failed" (", N skipped" when some were).
# Exit status 1 if anything failed or nothing ran.
#
#   tests/run.sh [WORD...]   only the files whose name contains a WORD
#
# Environment: KIPC_TEST_TIMEOUT, seconds per file (default 900);
# KIPC_HOST_TAP, files (FILE:FILE...) with the TAP output of the tests that
# make check runs on the host before the boot (tests/host/*.bats,
# tests/deb.sh), and in FILE.status each one's exit status: each counted
# here as one more source.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$ROOT" || exit 1

if [[ ${KIPC_VM:-} != 1 ]]; then
	echo "tests/run.sh loads and unloads kernel modules: run it in the guest," \
		"with: scripts/vm run -- tests/run.sh (or make check)" >&2
	exit 1
fi

# Kernel reports that fail the suite (scripts/vm checks the same list).
# shellcheck source=scripts/kernel-problems.sh
source "$ROOT/scripts/kernel-problems.sh"

TIMEOUT=${KIPC_TEST_TIMEOUT:-900}
passed=0 failed=0 skipped=0 ran=0
failure_report=$(mktemp)
trap 'rm -f "$failure_report"' EXIT

selected() {
	local name=$1 word
	(($# == 1)) && return 0
	shift
	for word in "$@"; do
		[[ $name == *"$word"* ]] && return 0
	done
	return 1
}

# Reads one TAP stream on stdin, echoes it live, counts results, and appends
# each failure with its diagnostics to the report. Bats prints diagnostics
# ("# ...") after a "not ok"; the C harness prints them before it. Runs in a
# pipeline, so it leaves "results plan passed failed skipped" in file $3.
tally() {
	local source=$1 style=$2 counts_file=$3
	local line before=() block=() in_failure=0
	local results=0 plan=-1 p=0 f=0 s=0
	flush_failure() {
		if ((in_failure)); then
			{
				echo "--- $source"
				printf '%s\n' "${block[@]}"
			} >>"$failure_report"
		fi
		in_failure=0
		block=()
	}
	while IFS= read -r line; do
		printf '%s\n' "$line"
		if [[ $line =~ ^(not\ )?ok\ [0-9]+ ]]; then
			flush_failure
			results=$((results + 1))
			if [[ $line == ok* ]]; then
				if [[ ${line,,} =~ \#\ *skip ]]; then
					s=$((s + 1))
				else
					p=$((p + 1))
				fi
			elif [[ ${line,,} =~ \#\ *todo ]]; then
				s=$((s + 1))
			else
				f=$((f + 1))
				in_failure=1
				[[ $style == before ]] && block=("${before[@]}")
				block+=("$line")
			fi
			before=()
		elif [[ $line == "Bail out!"* ]]; then
			# The producer gave up: what it did not run is a failure.
			flush_failure
			f=$((f + 1))
			in_failure=1
			block=("$line")
		elif [[ $line =~ ^1\.\.([0-9]+) ]]; then
			plan=${BASH_REMATCH[1]}
		elif ((in_failure)) && [[ $style == after ]]; then
			block+=("$line")
		else
			before+=("$line")
		fi
	done
	flush_failure
	echo "$results $plan $p $f $s" >"$counts_file"
}

# Runs one TAP producer and adds a failure when it dies without saying so:
# a non-zero exit with no "not ok", or fewer results than its plan.
run_tap() {
	local source=$1 style=$2
	shift 2
	echo "# $source"
	local counts_file=$failure_report.counts status start=$SECONDS
	echo "0 -1 0 0 0" >"$counts_file"
	timeout -k 10 "$TIMEOUT" "$@" 2>&1 </dev/null | tally "$source" "$style" "$counts_file"
	status=${PIPESTATUS[0]}
	echo "# $source: $((SECONDS - start)) s"
	local results plan p f s
	read -r results plan p f s <"$counts_file"
	rm -f "$counts_file"
	passed=$((passed + p))
	failed=$((failed + f))
	skipped=$((skipped + s))
	ran=$((ran + results))

	local problem=
	if ((status == 124 || status == 137)); then
		problem="killed after $TIMEOUT s"
	elif ((plan >= 0 && results != plan)); then
		problem="planned $plan tests but $results reported (exit status $status)"
	elif ((status != 0 && f == 0)); then
		problem="exited with status $status but reported no failure"
	fi
	if [[ -n $problem ]]; then
		echo "not ok - $source: $problem"
		printf -- '--- %s\nnot ok - %s\n' "$source" "$problem" >>"$failure_report"
		failed=$((failed + 1))
	fi
}

main() {
	local f
	if [[ -n ${KIPC_HOST_TAP:-} ]]; then
		IFS=: read -ra host_taps <<<"$KIPC_HOST_TAP"
		# Replayed with the producer's exit status (FILE.status).
		# shellcheck disable=SC2016 # expanded by the inner bash
		for f in "${host_taps[@]}"; do
			run_tap "$f (run on the host)" after bash -c \
				'cat "$1"; exit "$(cat "$1.status" 2>/dev/null || echo 0)"' \
				replay "$f"
		done
	fi
	for f in tests/*.bats; do
		[[ -e $f ]] || continue
		selected "$(basename "$f")" "$@" || continue
		run_tap "$f" after bats --tap "$f"
	done
	for f in build/tests/*; do
		[[ -f $f && -x $f ]] || continue
		selected "$(basename "$f")" "$@" || continue
		run_tap "$f" before "$f"
	done

	# The kernel log, as one more test.
	local reports
	reports=$(dmesg 2>&1 | kernel_problems)
	if [[ -z $reports ]]; then
		echo "ok - kernel log: no BUG, WARNING, Oops, lockdep or KASAN report"
		passed=$((passed + 1))
	else
		echo "not ok - kernel log has reports"
		{
			echo "--- dmesg"
			printf '%s\n' "$reports" | head -n 40
		} >>"$failure_report"
		failed=$((failed + 1))
	fi

	if [[ -s $failure_report ]]; then
		echo
		echo "FAILURES:"
		cat "$failure_report"
		echo
	fi
	if ((ran == 0)); then
		echo "no test ran" >&2
		failed=$((failed + 1))
	fi
	local summary="$passed passed, $failed failed"
	((skipped)) && summary+=", $skipped skipped"
	echo "$summary"
	((failed == 0))
}

main "$@"
