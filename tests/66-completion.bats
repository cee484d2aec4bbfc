#!/usr/bin/env bats
# user/kipcctl.bash-completion: sourced here and driven as bash would
# (COMP_WORDS, COMP_CWORD, then the function `complete -p kipcctl` names).
# It reads commands and options from `kipcctl help`, so the last test holds
# it to every usage line the tool prints: a new option cannot go missing.

load lib

setup() {
	kipc_ensure_loaded
	box="comp-a-$BATS_TEST_NUMBER-$$"
	box2="comp-b-$BATS_TEST_NUMBER-$$"
	# shellcheck source=/dev/null
	source "$KIPC_ROOT/user/kipcctl.bash-completion"
	# The function that `complete -p kipcctl` names.
	local re='-F ([^ ]+) '
	[[ $(complete -p kipcctl) =~ $re ]]
	comp_fn=${BASH_REMATCH[1]}
}

teardown() {
	kipc_ensure_loaded
	kipcctl destroy "$box" 2>/dev/null || true
	kipcctl destroy "$box2" 2>/dev/null || true
}

# complete_words WORD...: completes the last WORD of `WORD...` and leaves
# the sorted candidates in $reply, one line each.
complete_words() {
	COMP_WORDS=("$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMP_LINE="$*"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	"$comp_fn" kipcctl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
	reply=
	((${#COMPREPLY[@]} == 0)) || reply=$(printf '%s\n' "${COMPREPLY[@]}" | sort)
}

@test "completion: commands, global options, options per command, option values" {
	complete_words kipcctl cr
	[ "$reply" = create ]

	complete_words kipcctl recv box --ti
	[ "$reply" = --timeout ]

	complete_words kipcctl -j li
	[ "$reply" = list ]

	complete_words kipcctl help to
	[ "$reply" = top ]

	complete_words kipcctl top --i
	[ "$reply" = "$(printf '%s\n' --interval --iterations)" ]

	complete_words kipcctl --pr
	[ "$reply" = --pretty ]

	# After an option that takes a value, nothing is offered.
	complete_words kipcctl recv box --timeout ""
	[ -z "$reply" ]
	complete_words kipcctl create box --capacity ""
	[ -z "$reply" ]
	# Nor for an unknown command.
	complete_words kipcctl frobnicate --
	[ -z "$reply" ]

	# Every command, for an empty word.
	complete_words kipcctl ""
	[ "$reply" = "$(kipcctl help | sed -n '/^Commands:/,/^$/s/^  \([a-z]*\) .*/\1/p' | sort)" ]
}

@test "completion: mailbox names from kipcctl -j list; silent when that fails" {
	kipcctl create "$box"
	kipcctl create "$box2"

	complete_words kipcctl show comp-
	[ "$reply" = "$(printf '%s\n' "$box" "$box2" | sort)" ]

	complete_words kipcctl recv "comp-a-$BATS_TEST_NUMBER"
	[ "$reply" = "$box" ]
	# Options before the name do not make it the second argument.
	complete_words kipcctl send --type 7 comp-b
	[ "$reply" = "$box2" ]
	complete_words kipcctl -j monitor comp-a
	[ "$reply" = "$box" ]
	# The second positional of send is TEXT: no names there.
	complete_words kipcctl send "$box" comp-
	[ -z "$reply" ]

	# No module: no names, no noise.
	rmmod kipc
	complete_words kipcctl show comp- 2>"$BATS_TEST_TMPDIR/err"
	[ -z "$reply" ]
	[ ! -s "$BATS_TEST_TMPDIR/err" ]
	# The commands do not need the module.
	complete_words kipcctl de
	[ "$reply" = destroy ]
}

@test "completion: with -A, before or after the command, ids of every namespace's mailboxes" {
	kipcctl create "$box"
	unshare --ipc sh -c "kipcctl create '$box2' && echo ready && exec sleep 60" \
		>"$BATS_TEST_TMPDIR/ns" 3>&- &
	pid=$!
	for _ in $(seq 200); do
		grep -q ready "$BATS_TEST_TMPDIR/ns" && break
		sleep 0.1
	done
	want=$(kipcctl -A -j list | grep -oE '\{"id":[0-9]+' | tr -dc '0-9\n' | sort)
	[ "$(wc -l <<<"$want")" -ge 2 ]

	complete_words kipcctl --al
	[ "$reply" = --all-namespaces ]
	complete_words kipcctl -A destroy ""
	[ "$reply" = "$want" ]
	complete_words kipcctl show -jA ""
	[ "$reply" = "$want" ]
	# Without -A: names, of this namespace only.
	complete_words kipcctl show comp-
	[ "$reply" = "$box" ]
	kill "$pid"
	wait "$pid" || true
}

@test "completion: every option of every 'kipcctl help COMMAND' completes" {
	local cmd want
	local -a cmds

	mapfile -t cmds < <(kipcctl help | sed -n '/^Commands:/,/^$/s/^  \([a-z]*\) .*/\1/p')
	[ "${#cmds[@]}" -ge 10 ]
	for cmd in "${cmds[@]}"; do
		want=$(kipcctl help "$cmd" | head -n 1 | grep -oE -- '--[a-z][a-z-]*' | sort -u)
		complete_words kipcctl "$cmd" NAME --
		[ "$reply" = "$want" ] || {
			echo "kipcctl $cmd --<TAB>: got '$reply', want '$want'" >&2
			false
		}
	done
}
