#!/usr/bin/env bats
# docs/contract.md against the code: scripts/check-contract.sh passes on
# this tree and fails, naming the name, on each kind of drift, made here in
# a copy of the files it reads. On the host, by scripts/lint.sh (tests/host/
# is not run in the guest: a script of many small processes is slow under
# TCG); alone: `bats tests/host/contract.bats`, after `make build`.

setup() {
	ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd -P)
	T=$BATS_TEST_TMPDIR/tree
	mkdir -p "$T/kmod" "$T/user"
	cp -a "$ROOT/README.md" "$ROOT/docs" "$ROOT/include" "$T/"
	cp "$ROOT"/kmod/*.[ch] "$T/kmod/"
	cp "$ROOT/user/kipcctl.c" "$ROOT/user/libkipc.h" "$T/user/"
	# For README's example: the library that `make build` made.
	ln -s "$ROOT/build" "$T/build"
	DOC=docs/contract.md
	UAPI=include/uapi/linux/kipc.h
}

check() {
	run "$ROOT/scripts/check-contract.sh" "$T"
	echo "$output"
}

# The output of a failed check with these problems, one line each.
failed_with() {
	local line expect=
	for line in "$@"; do
		expect+="check-contract: $line"$'\n'
	done
	expect+="check-contract: $# problem(s)"
	[ "$status" -eq 1 ]
	[ "$output" = "$expect" ]
}

@test "the contract agrees with the code of this tree" {
	check
	[ "$status" -eq 0 ]
	[ "$output" = "check-contract: $DOC agrees with the code" ]
}

@test "a module parameter missing from the contract, or gone from the code, fails the check" {
	printf 'module_param_named(max_widgets, kipc_max_widgets, uint, 0644);\n' >>"$T/kmod/main.c"
	sed -i 's/^module_param_named(max_notify, kipc_max_notify, uint, 0644);$//' "$T/kmod/main.c"
	check
	failed_with "$DOC: module parameter 'max_widgets' (kmod/) is not in the parameter table" \
		"$DOC: 'max_notify' in the parameter table is not a module parameter in kmod/"
}

@test "a module parameter's default or mode that the contract does not give fails the check" {
	sed -i 's/^unsigned int kipc_max_notify = 64;$/unsigned int kipc_max_notify = 32 << 1 << 1;/' "$T/kmod/main.c"
	sed -i 's/^module_param_named(event_rate, kipc_event_rate, uint, 0644);$/module_param_named(event_rate, kipc_event_rate, uint, 0600);/' \
		"$T/kmod/main.c"
	check
	failed_with "$DOC: module parameter 'event_rate' has mode 0600, the table says 0644" \
		"$DOC: module parameter 'max_notify' defaults to 128, the table says 64"
}

@test "an ioctl or netlink name missing from the contract, or gone from the header, fails the check" {
	sed -i 's/^#define KIPC_IOC_NOTIFY\(.*\)$/&\n#define KIPC_IOC_UNLINK\t\t_IO(KIPC_IOC_MAGIC, 0x0b)/' "$T/$UAPI"
	sed -i '/^#define KIPC_IOC_SENDV/d; s/^\tKIPC_CMD_MONITOR,.*$/&\n\tKIPC_CMD_CALL,/' "$T/$UAPI"
	check
	failed_with "$DOC: KIPC_CMD_CALL ($UAPI) is not described" \
		"$DOC: KIPC_IOC_UNLINK ($UAPI) is not described" \
		"$DOC: KIPC_IOC_SENDV is not in $UAPI"
}

@test "an errno the module returns and the contract lacks, or one it names in vain, fails the check" {
	printf 'static int f(void) { return -EXDEV; }\n' >>"$T/kmod/msg.c"
	printf '\n| `ENOLINK` | the link is gone |\n' >>"$T/$DOC"
	check
	failed_with "$DOC: EXDEV, which kmod/ returns, is not in the contract" \
		"$DOC: ENOLINK is named, but neither kmod/ nor the kernel returns it for kipc"
}

@test "a kipcctl command missing from the contract, or gone from kipcctl, fails the check" {
	sed -i 's/^\t{ "version", cmd_version,/\t{ "frob", cmd_frob, "NAME", "frob", false },\n&/' "$T/user/kipcctl.c"
	sed -i '/^\t{ "top", cmd_top,/d' "$T/user/kipcctl.c"
	check
	failed_with "$DOC: kipcctl command 'frob' (user/kipcctl.c) is not in the command table" \
		"$DOC: 'top' in the command table is not a kipcctl command"
}

@test "a doc that names a .md file not in the tree fails the check" {
	printf '\nThe contract (names, semantics, errnos) is SPEC.md.\n' >>"$T/docs/design.md"
	check
	failed_with "docs/design.md: names SPEC.md, which is not in the tree"
}

@test "README's C example that does not build as README says fails the check" {
	sed -i 's/n = kipc_recv(fd, buf, sizeof(buf), 0, 0, 0);/n = kipc_recv(fd, buf, sizeof(buf));/' "$T/README.md"
	check
	[ "$status" -eq 1 ]
	[[ $output == *"error: too few arguments to function 'kipc_recv'"* ]]
	[[ ${lines[-2]} == "check-contract: README.md: the C library's example does not build with: gcc "*" build/lib/libkipc.a" ]]
	[ "${lines[-1]}" = "check-contract: 1 problem(s)" ]
}
