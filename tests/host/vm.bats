#!/usr/bin/env bats
# scripts/vm on the host: the accelerator it picks, and make vm's terminal
# (its size, at start and after a resize), driven in a detached tmux.

load lib

accel() {
	run "$REPO/scripts/vm" accel
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "vm accel: KVM only when /dev/kvm opens, the CPU has vmx/svm and QEMU runs with it" {
	local d=$BATS_TEST_TMPDIR
	printf 'flags\t\t: fpu sse2 hypervisor\n' >"$d/cpuinfo-novmx"
	printf 'flags\t\t: fpu vmx sse2\n' >"$d/cpuinfo-vmx"
	: >"$d/kvm"
	mkdir -p "$d/bin"
	export KIPC_VM_KVM_DEV KIPC_VM_CPUINFO
	KIPC_VM_KVM_DEV=$d/none KIPC_VM_CPUINFO=$d/cpuinfo-vmx accel
	[ "$output" = "tcg (no $d/none)" ]
	# A directory cannot be opened read-write, whoever we are.
	KIPC_VM_KVM_DEV=$d accel
	[[ $output == "tcg (cannot open $d read-write: "* ]]
	KIPC_VM_KVM_DEV=$d/kvm KIPC_VM_CPUINFO=$d/cpuinfo-novmx accel
	[ "$output" = "tcg ($d/kvm, but no vmx or svm in $d/cpuinfo-novmx: no hardware virtualisation)" ]
	# QEMU decides last: a fake one that fails, then one that runs the
	# probe (exit status 3, as isa-debug-exit gives for 1).
	printf '%s\n' '#!/bin/sh' "echo \"\$*\" >$d/qemu.args" 'exit 1' >"$d/bin/qemu-system-x86_64"
	chmod +x "$d/bin/qemu-system-x86_64"
	KIPC_VM_KVM_DEV=$d/kvm KIPC_VM_CPUINFO=$d/cpuinfo-vmx PATH=$d/bin:$PATH accel
	[ "$output" = "tcg (qemu-system-x86_64 -accel kvm failed)" ]
	[[ " $(cat "$d/qemu.args") " == *" -accel kvm "* ]]
	sed -i 's/^exit 1$/exit 3/' "$d/bin/qemu-system-x86_64"
	KIPC_VM_KVM_DEV=$d/kvm KIPC_VM_CPUINFO=$d/cpuinfo-vmx PATH=$d/bin:$PATH accel
	[ "$output" = kvm ]
	# KIPC_VM_ACCEL wins.
	KIPC_VM_ACCEL=tcg KIPC_VM_KVM_DEV=$d/kvm KIPC_VM_CPUINFO=$d/cpuinfo-vmx \
		PATH=$d/bin:$PATH accel
	[ "$output" = "tcg (set by KIPC_VM_ACCEL)" ]
	# This machine, as it is.
	unset KIPC_VM_KVM_DEV KIPC_VM_CPUINFO
	accel
	[[ $output == kvm || $output == "tcg ("*")" ]]
}

t() { tmux -f /dev/null "$@"; }

# Waits (up to 150 s: the guest boots slowly under load) for pane text
# matching the extended regex $1; prints the pane.
wait_for() {
	local i
	for ((i = 0; i < 300; i++)); do
		pane=$(t capture-pane -p -J -t vmt)
		grep -qE -- "$1" <<<"$pane" && return 0
		sleep 0.5
	done
	echo "no '$1' in:"
	echo "$pane"
	return 1
}

teardown() {
	t kill-server 2>/dev/null || true
}

@test "make vm's shell: says its accelerator, has the terminal's size, follows a resize" {
	command -v tmux >/dev/null || skip "tmux not installed"
	"$REPO/scripts/vm" kver >/dev/null 2>&1 || skip "no guest kernel"
	export TMUX_TMPDIR=$BATS_TEST_TMPDIR/tmux
	mkdir -p "$TMUX_TMPDIR"
	local want
	want=$("$REPO/scripts/vm" accel)
	t new-session -d -s vmt -x 160 -y 30 \
		"cd $REPO && scripts/vm shell --no-module; echo VM-EXIT-\$?; sleep 600"
	t set -g window-size manual
	wait_for 'kipc-vm:.*# $'
	grep -qxF "scripts/vm: accelerator: $want" <<<"$pane"
	t send-keys -t vmt 'echo SIZE=$(stty size)' Enter
	wait_for '^SIZE=30 160$'
	# A resize reaches the guest's terminal, and the program in the
	# foreground gets SIGWINCH with the new size in place (a script in
	# the tree: the guest's /tmp is its own).
	mkdir -p "$REPO/build"
	cat >"$REPO/build/vm-winch.sh" <<-'EOF'
		trap 'echo "WINCHED $(stty size)"; exit' WINCH
		echo READY
		while :; do sleep 0.1; done
	EOF
	t send-keys -t vmt 'clear; bash build/vm-winch.sh' Enter
	wait_for '^READY$'
	t resize-window -t vmt -x 120 -y 40
	wait_for '^WINCHED 40 120$'
	# Each resize, not only the first.
	t resize-window -t vmt -x 100 -y 35
	t send-keys -t vmt 'clear; until [ "$(stty size)" = "35 100" ]; do sleep 0.2; done; echo RESIZED=$(stty size)' Enter
	wait_for '^RESIZED=35 100$'
	t send-keys -t vmt 'exit' Enter
	wait_for '^VM-EXIT-0$'
}
