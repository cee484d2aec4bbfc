#!/bin/bash
# scripts/check-contract.sh: keeps docs/contract.md honest. Fails, naming
# each offender, when the contract and the code disagree on a name:
#
#   1. module parameters (module_param*() in kmod/*.c) against the rows of
#      the contract's parameter table, with their defaults and modes;
#   2. the ABI's names (every #define and enum constant KIPC_* in
#      include/uapi/linux/kipc.h) against the KIPC_* names in the contract;
#   3. errnos: every one the module returns (-EXXX in kmod/*.c) or the uapi
#      header names must be in the contract, and every one in the contract
#      must be one of those, or one the kernel returns for kipc (KERNEL_ERRNOS);
#   4. kipcctl's commands (the table in user/kipcctl.c) against the rows of
#      the contract's command table;
#   5. README.md and docs/*.md name no .md file that is not in the tree
#      (design.md once called a SPEC.md "the contract");
#   6. the C program in README's "The C library" compiles and links with
#      the gcc line given there for the build tree (needs build/lib/libkipc.a,
#      which `make build` makes).
#
#   scripts/check-contract.sh [ROOT]    ROOT: the tree to check (default: this one)
#
# Host-side, no module needed. Run by scripts/lint.sh; tests/host/contract.bats
# checks that each kind of drift makes it fail.
set -euo pipefail

ROOT=$(cd "${1:-$(dirname "${BASH_SOURCE[0]}")/..}" && pwd -P)
cd "$ROOT"

DOC=docs/contract.md
UAPI=include/uapi/linux/kipc.h
CLI=user/kipcctl.c

# Errnos in kmod/*.c that never reach user space: E2BIG is
# copy_struct_from_user()'s, turned into EINVAL; ECONNREFUSED and ESRCH are
# what genlmsg_unicast() and genlmsg_multicast() say of a listener gone.
INTERNAL_ERRNOS=(E2BIG ECONNREFUSED ESRCH)
# Errnos the kernel itself returns for kipc's requests: genetlink for an
# unknown command or dump (EOPNOTSUPP), the netlink policy for a value out
# of range (ERANGE).
KERNEL_ERRNOS=(EOPNOTSUPP ERANGE)

failures=0
fail() {
	echo "check-contract: $*" >&2
	failures=$((failures + 1))
}

# Words of $2 (one per line) not among those of $1.
missing_from() {
	comm -13 <(sort -u <<<"$1") <(sort -u <<<"$2")
}

# Rows of the table that follows "<!-- check-contract: $1 -->" in the
# contract: the first cell of each row, its first backquoted word.
table_keys() {
	awk -v tag="<!-- check-contract: $1 -->" '
		$0 == tag { on = 1; next }
		on && /^\|/ { print; next }
		on && NF { exit }
	' "$DOC" | sed -n 's/^| `\([A-Za-z0-9_-]*\)[^|]*|.*/\1/p'
}

# The cells of the parameter table's row for $1: "default mode".
param_row() {
	awk -v tag="<!-- check-contract: parameters -->" -v name="$1" '
		$0 == tag { on = 1; next }
		on && !/^\|/ && NF { exit }
		on {
			n = split($0, c, "|")
			gsub(/[ `]/, "", c[2]); gsub(/ /, "", c[3]); gsub(/ /, "", c[4])
			if (c[2] == name) { print c[3], c[4]; exit }
		}
	' "$DOC"
}

[[ -f $DOC ]] || { echo "check-contract: $DOC is missing" >&2; exit 1; }

# 1. Module parameters: "name var-or-NULL perm" per module_param*() call.
params=$(cat kmod/*.c | tr '\n\t' '  ' |
	grep -oE 'module_param(_named|_cb)? *\([^)]*\)' |
	sed -E 's/^module_param_named *\( *([a-z0-9_]+) *, *([a-z0-9_]+) *,[^,]*, *([0-7]+) *\)$/\1 \2 \3/
		s/^module_param_cb *\( *([a-z0-9_]+) *,[^,]*, *&?([A-Za-z0-9_]+) *, *([0-7]+) *\)$/\1 \2 \3/
		s/^module_param *\( *([a-z0-9_]+) *,[^,]*, *([0-7]+) *\)$/\1 \1 \2/')
code_params=$(cut -d' ' -f1 <<<"$params")
doc_params=$(table_keys parameters)
[[ -n $doc_params ]] || fail "$DOC: no parameter table (<!-- check-contract: parameters -->)"
for p in $(missing_from "$doc_params" "$code_params"); do
	fail "$DOC: module parameter '$p' (kmod/) is not in the parameter table"
done
for p in $(missing_from "$code_params" "$doc_params"); do
	fail "$DOC: '$p' in the parameter table is not a module parameter in kmod/"
done
number_re='^[0-9 <>*+()-]+$' # a constant expression of integers
while read -r name var perm; do
	[[ -n $name ]] || continue
	read -r doc_default doc_perm < <(param_row "$name") || continue
	[[ $doc_perm == "$perm" ]] ||
		fail "$DOC: module parameter '$name' has mode $perm, the table says ${doc_perm:-nothing}"
	[[ $var == NULL ]] && continue
	init=$(cat kmod/*.c | grep -E "^[a-z ]*[ *]$var *= *[^;]+;" | head -n 1 |
		sed -E 's/.*= *([^;]+);.*/\1/; s/([0-9])[UL]+/\1/g') || true
	if [[ ! $init =~ $number_re ]]; then
		fail "kmod/: cannot find the default of module parameter '$name' ($var)"
		continue
	fi
	value=$((init))
	[[ $doc_default == "$value" ]] ||
		fail "$DOC: module parameter '$name' defaults to $value, the table says ${doc_default:-nothing}"
done <<<"$params"

# 2. The ABI's names: all of them may be named; all but the *_UNSPEC
# placeholders and the KIPC_*_MAX counts must be.
uapi_all=$(grep -oE '^(#define[[:space:]]+KIPC_[A-Z0-9_]+|[[:space:]]+KIPC_[A-Z0-9_]+[[:space:]]*(=[^,]*)?,)' "$UAPI" |
	grep -oE 'KIPC_[A-Z0-9_]+' | sort -u)
uapi_required=$(grep -vE '_UNSPEC$|^KIPC_(CMD|A)_MAX$' <<<"$uapi_all" || true)
doc_names=$(grep -oE '\bKIPC_[A-Z0-9_]+' "$DOC" | sort -u || true)
for n in $(missing_from "$doc_names" "$uapi_required"); do
	fail "$DOC: $n ($UAPI) is not described"
done
for n in $(missing_from "$uapi_all" "$(grep -v '_$' <<<"$doc_names" || true)"); do
	fail "$DOC: $n is not in $UAPI"
done
for n in $(grep '_$' <<<"$doc_names" || true); do # a prefix, as in KIPC_A_MBOX_*
	[[ $'\n'$uapi_all == *$'\n'$n* ]] || fail "$DOC: no name in $UAPI starts with $n"
done

# 3. Errnos: the names errno.h defines, as the module, the header and the
# contract use them.
errnos=$(cat /usr/include/asm-generic/errno-base.h /usr/include/asm-generic/errno.h |
	sed -nE 's/^#define[[:space:]]+(E[A-Z0-9]+)[[:space:]].*/\1/p' | sort -u)
only_errnos() { grep -xF -f <(printf '%s\n' "$errnos") || true; }
code_errnos=$(cat kmod/*.c kmod/*.h | grep -oE -- '-E[A-Z0-9]+\b' | tr -d - | only_errnos |
	grep -vxF -f <(printf '%s\n' "${INTERNAL_ERRNOS[@]}") || true)
uapi_errnos=$(grep -oE '\bE[A-Z0-9]+\b' "$UAPI" | only_errnos)
doc_errnos=$(grep -oE '\bE[A-Z0-9]+\b' "$DOC" | only_errnos)
for e in $(missing_from "$doc_errnos" "$code_errnos"); do
	fail "$DOC: $e, which kmod/ returns, is not in the contract"
done
for e in $(missing_from "$doc_errnos" "$uapi_errnos"); do
	fail "$DOC: $e, which $UAPI names, is not in the contract"
done
known_errnos=$(printf '%s\n' "$code_errnos" "$uapi_errnos" "${KERNEL_ERRNOS[@]}")
for e in $(missing_from "$known_errnos" "$doc_errnos"); do
	fail "$DOC: $e is named, but neither kmod/ nor the kernel returns it for kipc"
done

# 4. kipcctl's commands.
code_cmds=$(sed -nE 's/^[[:space:]]*\{ "([a-z]+)", cmd_[a-z]+,.*/\1/p' "$CLI")
[[ -n $code_cmds ]] || fail "$CLI: no command table found"
doc_cmds=$(table_keys commands)
[[ -n $doc_cmds ]] || fail "$DOC: no command table (<!-- check-contract: commands -->)"
for c in $(missing_from "$doc_cmds" "$code_cmds"); do
	fail "$DOC: kipcctl command '$c' ($CLI) is not in the command table"
done
for c in $(missing_from "$code_cmds" "$doc_cmds"); do
	fail "$DOC: '$c' in the command table is not a kipcctl command"
done

# 5. Markdown files the docs name must exist (beside the doc, or from the
# top of the tree); build/ holds generated ones.
for f in README.md docs/*.md; do
	[[ -f $f ]] || continue
	dir=$(dirname "$f")
	while read -r ref; do
		[[ -z $ref || $ref == build/* ]] && continue
		[[ -f $dir/$ref || -f $ref ]] || fail "$f: names $ref, which is not in the tree"
	done < <(grep -oE '[A-Za-z0-9_./-]*[A-Za-z0-9_-]\.md\b' "$f" | sort -u)
done

# 6. README's C example, built as README says.
readme_c=$(awk '/^## The C library/ { on = 1; next } on && /^## / { exit }
	on && /^```c$/ { c = 1; next } c && /^```$/ { exit } c { print }' README.md)
gcc_line=$(awk '/^## The C library/ { on = 1; next } on && /^## / { exit }
	on && /^gcc .*build\/lib\/libkipc\.a/ { print; exit }' README.md)
src=$(sed -nE 's/.* ([a-z0-9_-]+\.c)( .*|$)/\1/p' <<<"$gcc_line")
if [[ -z $readme_c || -z $gcc_line || -z $src ]]; then
	fail "README.md: \"The C library\" needs a \`\`\`c program and its gcc line for build/lib/libkipc.a"
elif [[ ! -f build/lib/libkipc.a ]]; then
	fail "build/lib/libkipc.a is missing: run make build before $0"
else
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	printf '%s\n' "$readme_c" >"$tmp/$src"
	# The line as README gives it, run from the top of the tree, its
	# source and output in $tmp.
	cmd=${gcc_line//" $src"/" $tmp/$src"}
	cmd=$(sed -E "s| -o ([a-z0-9_-]+)| -o $tmp/\1|" <<<"$cmd")
	if ! out=$(LC_ALL=C bash -c "$cmd -Werror" 2>&1); then
		printf '%s\n' "$out" >&2
		fail "README.md: the C library's example does not build with: $gcc_line"
	fi
fi

if ((failures)); then
	echo "check-contract: $failures problem(s)" >&2
	exit 1
fi
echo "check-contract: $DOC agrees with the code" >&2
