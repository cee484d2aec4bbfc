# shellcheck shell=bash
# Kernel log lines that fail a run: sourced by scripts/vm (the guest's log
# after every run) and tests/run.sh (the guest's dmesg after the suite).
# shellcheck disable=SC2034 # used by those that source this
BUG_RE='BUG:|WARNING:|Oops|general protection|list_add corruption|list_del corruption'
BUG_RE+='|blocked for more than|INFO: task|possible circular locking|possible recursive locking'
BUG_RE+='|inconsistent lock state|lock inversion|suspicious RCU usage|bad unlock balance'
BUG_RE+='|held lock freed|lockdep is turned off|KASAN'
BUG_RE+='|kernel BUG|Call Trace|Kernel panic|UBSAN:|detected stalls'
