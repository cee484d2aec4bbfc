# shellcheck shell=bash
# Kernel log lines that fail a run: sourced by scripts/vm (the guest's log
# after every run) and tests/run.sh (the guest's dmesg after the suite).
# shellcheck disable=SC2034 # used by those that source this
BUG_RE='BUG:|WARNING:|Oops|general protection|list_add corruption|list_del corruption'
BUG_RE+='|blocked for more than|INFO: task|possible circular locking|possible recursive locking'
BUG_RE+='|inconsistent lock state|lock inversion|suspicious RCU usage|bad unlock balance'
BUG_RE+='|held lock freed|lockdep is turned off|KASAN'
BUG_RE+='|kernel BUG|Call Trace|Kernel panic|UBSAN:|detected stalls'
# "BUG: soft lockup - CPU#N stuck for Ns!" and "BUG: KCSAN: data-race in
# f / g" are matched by "BUG:".

# kernel_log_filter: copies a kernel log from stdin to stdout, except
# that a KCSAN report that does not name kipc (no "[kipc]" frame, no kipc_
# function in its title) has its title rewritten to "KCSAN report outside
# kipc (not counted): ...", which BUG_RE does not match: a data race
# elsewhere in the kernel (in 9p, the scheduler, ...) is not kipc's to fix
# and must not fail a KCSAN run. A report cut off by the end of the log
# counts. Works on dmesg output and on the console log (timestamps and all).
kernel_log_filter() {
	awk '
		function flush(keep, i) {
			for (i = 1; i <= n; i++) {
				if (!keep && i == 1)
					sub(/BUG: KCSAN: /, "KCSAN report outside kipc (not counted): ", buf[i])
				print buf[i]
			}
			n = 0
			inblk = 0
			ours = 0
		}
		/BUG: KCSAN: / {
			if (inblk)
				flush(1)
			inblk = 1
		}
		inblk {
			buf[++n] = $0
			if (/\[kipc\]/ || /BUG: KCSAN: .*kipc_/)
				ours = 1
			if (n > 1 && /====================/)
				flush(ours)
			next
		}
		{ print }
		END {
			if (inblk)
				flush(1)
		}
	'
}

# kernel_problems: the lines of a kernel log (stdin) that fail a run.
kernel_problems() {
	kernel_log_filter | grep -E "$BUG_RE"
}
