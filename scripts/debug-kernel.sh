#!/bin/bash
# scripts/debug-kernel.sh — build (once per machine) and use a debug kernel for kipc.
#
#   scripts/debug-kernel.sh [VARIANT] build   build the kernel if the cache is missing or stale
#   scripts/debug-kernel.sh [VARIANT] env     print the KIPC_VM_* exports that boot it (eval-able)
#   scripts/debug-kernel.sh [VARIANT] module  build kmod/kipc.ko against it into build/VARIANT/kipc.ko
#   scripts/debug-kernel.sh [VARIANT] check   build + module, then one boot of that kernel (q35)
#                                             running the variant's sequence (below)
#   scripts/debug-kernel.sh [VARIANT] guest   that guest-side sequence (run by `check` in the guest)
#
# VARIANT is one of (default: debug):
#   debug  `make check-debug`: KASAN (generic, inline) + PROVE_LOCKING + DEBUG_ATOMIC_SLEEP +
#          DEBUG_KMEMLEAK + FAULT_INJECTION/FAILSLAB/FAIL_PAGE_ALLOC (debugfs; fail-nth).
#          Guest: tests/run.sh, the failslab pass, a kmemleak scan, scripts/stress.sh.
#   kcsan  `make check-kcsan`: KCSAN, the data-race detector (it excludes KASAN), not strict,
#          but with KCSAN_ASSUME_PLAIN_WRITES_ATOMIC off, so that a lockless READ_ONCE()
#          racing with a plain write under the lock is reported: each lockless read must
#          pair with a marked write (or be annotated); each race reported once per 10 s;
#          + DEBUG_ATOMIC_SLEEP. Guest: tests/run.sh, scripts/stress.sh, then a count of
#          the KCSAN reports. Only a report that names kipc (a [kipc] frame, or a kipc_
#          function in its title) fails the run (scripts/kernel-problems.sh); races
#          elsewhere in the kernel are counted and listed, not failed.
#
# The kernel is Debian's linux-source 6.1 (/usr/src/linux-source-6.1.tar.xz), configured as
# x86_64_defconfig + kvm_guest.config + the variant's fragment below, with everything the
# guest needs built in (virtio, 9p, devtmpfs, tmpfs, cgroups, memcg, namespaces, tracing) and
# DEBUG_INFO off. It lives in $KIPC_DEBUG_CACHE (default /var/cache/kipc/VARIANT-kernel),
# outside the clone, and is rebuilt only when the source tarball or the fragment changes.
# A build takes ~26-45 min on 2 cores.
#
# Environment: KIPC_DEBUG_VARIANT (instead of the argument), KIPC_DEBUG_CACHE,
# KIPC_DEBUG_JOBS (default nproc), KIPC_DEBUG_NICE (19); for `check`:
# KIPC_DEBUG_STRESS_MESSAGES (200000), KIPC_DEBUG_FUZZ_IOCTLS (200000),
# KIPC_DEBUG_LOCKLAT_ARGS ('-d 50000 -b 10000 -w 200 -l 8 -x 8'),
# KIPC_DEBUG_TIMEOUT (guest seconds, 5400), KIPC_VM_WATCHDOG (10 here: a soft lockup
# is reported after 20 s, the kernel's default, as these kernels are several times slower).
# Any KASAN, KCSAN (naming kipc), lockdep, WARN (panic_on_warn), soft lockup or BUG in the
# guest log fails the run (scripts/vm), and so does a kmemleak report that names kipc.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
VARIANT=${KIPC_DEBUG_VARIANT:-debug}
case ${1:-} in
    debug | kcsan) VARIANT=$1; shift ;;
esac
case $VARIANT in
    debug | kcsan) ;;
    *) echo "debug-kernel: unknown variant '$VARIANT' (debug or kcsan)" >&2; exit 2 ;;
esac
CACHE=${KIPC_DEBUG_CACHE:-/var/cache/kipc/$VARIANT-kernel}
TARBALL=${KIPC_DEBUG_TARBALL:-$(ls /usr/src/linux-source-6.1.tar.xz 2>/dev/null || true)}
SRC=$CACHE/linux
JOBS=${KIPC_DEBUG_JOBS:-$(nproc)}
NICE=${KIPC_DEBUG_NICE:-19}

log() { echo "debug-kernel ($VARIANT): $*" >&2; }
die() { log "$*"; exit 1; }

# The config fragments, applied with scripts/config on top of the defconfigs:
# the variant's part, then what the guest needs (built in: the guest's
# initramfs loads no modules from these kernels).
# y = built in; n = off; anything else = value.
FRAGMENT_DEBUG='
LOCALVERSION="-kipc-debug"
LOCALVERSION_AUTO=n
MODULES=y
MODULE_UNLOAD=y
MODULE_FORCE_UNLOAD=n
MODVERSIONS=n
MODULE_SIG=n
DEBUG_INFO=n
DEBUG_INFO_NONE=y
DEBUG_INFO_BTF=n
KASAN=y
KASAN_GENERIC=y
KASAN_INLINE=y
KASAN_OUTLINE=n
KASAN_STACK=y
KASAN_VMALLOC=y
PROVE_LOCKING=y
DEBUG_LOCKDEP=n
LOCKDEP_BITS=16
DEBUG_ATOMIC_SLEEP=y
DEBUG_LIST=y
DEBUG_KMEMLEAK=y
DEBUG_KMEMLEAK_DEFAULT_OFF=n
DEBUG_KMEMLEAK_AUTO_SCAN=n
DEBUG_KMEMLEAK_MEM_POOL_SIZE=32000
DEBUG_FS=y
DEBUG_FS_ALLOW_ALL=y
FAULT_INJECTION=y
FAILSLAB=y
FAIL_PAGE_ALLOC=y
FAULT_INJECTION_DEBUG_FS=y
FAULT_INJECTION_USERCOPY=n
'
FRAGMENT_KCSAN='
LOCALVERSION="-kipc-kcsan"
LOCALVERSION_AUTO=n
MODULES=y
MODULE_UNLOAD=y
MODULE_FORCE_UNLOAD=n
MODVERSIONS=n
MODULE_SIG=n
DEBUG_INFO=n
DEBUG_INFO_NONE=y
DEBUG_INFO_BTF=n
KASAN=n
KCSAN=y
KCSAN_STRICT=n
KCSAN_SELFTEST=y
KCSAN_KUNIT_TEST=n
KCSAN_EARLY_ENABLE=y
KCSAN_REPORT_ONCE_IN_MS=10000
KCSAN_REPORT_RACE_UNKNOWN_ORIGIN=y
KCSAN_REPORT_VALUE_CHANGE_ONLY=y
KCSAN_ASSUME_PLAIN_WRITES_ATOMIC=n
KCSAN_IGNORE_ATOMICS=n
KCSAN_PERMISSIVE=n
KCSAN_INTERRUPT_WATCHER=n
PROVE_LOCKING=n
DEBUG_ATOMIC_SLEEP=y
DEBUG_LIST=y
DEBUG_FS=y
DEBUG_FS_ALLOW_ALL=y
'
FRAGMENT_GUEST='SLUB_DEBUG=y
DETECT_HUNG_TASK=y
DEFAULT_HUNG_TASK_TIMEOUT=60
SOFTLOCKUP_DETECTOR=y
VIRTIO=y
VIRTIO_MENU=y
VIRTIO_PCI=y
VIRTIO_PCI_LEGACY=y
VIRTIO_CONSOLE=y
VIRTIO_BLK=y
VIRTIO_NET=y
NET_9P=y
NET_9P_VIRTIO=y
NET_9P_FD=y
9P_FS=y
9P_FS_POSIX_ACL=y
NETWORK_FILESYSTEMS=y
NETFS_SUPPORT=y
FSCACHE=y
DEVTMPFS=y
DEVTMPFS_MOUNT=n
TMPFS=y
TMPFS_POSIX_ACL=y
BLK_DEV_INITRD=y
RD_GZIP=y
CGROUPS=y
MEMCG=y
CGROUP_SCHED=y
CGROUP_PIDS=y
CGROUP_FREEZER=y
CGROUP_DEVICE=y
CGROUP_CPUACCT=y
NAMESPACES=y
IPC_NS=y
UTS_NS=y
PID_NS=y
NET_NS=y
USER_NS=y
SYSVIPC=y
POSIX_MQUEUE=y
FTRACE=y
ENABLE_DEFAULT_TRACERS=y
FUNCTION_TRACER=n
EVENT_TRACING=y
TRACEPOINTS=y
KPROBES=y
KPROBE_EVENTS=y
PERF_EVENTS=y
BPF_SYSCALL=y
IKCONFIG=y
IKCONFIG_PROC=y
PANIC_TIMEOUT=-1
'
case $VARIANT in
    debug) FRAGMENT=$FRAGMENT_DEBUG$FRAGMENT_GUEST ;;
    kcsan) FRAGMENT=$FRAGMENT_KCSAN$FRAGMENT_GUEST ;;
esac

fragment_hash() {
    { printf '%s' "$FRAGMENT"; stat -c '%s %Y' "$TARBALL"; } | sha256sum | cut -c1-16
}

kernel_release() { cat "$SRC/include/config/kernel.release"; }

is_built() {
    [[ -f $CACHE/.stamp && $(cat "$CACHE/.stamp") == "$(fragment_hash)" \
       && -f $SRC/arch/x86/boot/bzImage && -f $SRC/Module.symvers ]]
}

apply_fragment() {
    local line key val
    while IFS= read -r line; do
        [[ -z $line ]] && continue
        key=${line%%=*}; val=${line#*=}
        case $val in
            y) "$SRC/scripts/config" --file "$SRC/.config" --enable "$key" ;;
            n) "$SRC/scripts/config" --file "$SRC/.config" --disable "$key" ;;
            \"*) "$SRC/scripts/config" --file "$SRC/.config" --set-str "$key" "${val//\"/}" ;;
            *) "$SRC/scripts/config" --file "$SRC/.config" --set-val "$key" "$val" ;;
        esac
    done <<<"$FRAGMENT"
}

check_config() {
    # Fail loudly if olddefconfig dropped something we rely on.
    local k bad=0 want=(DEBUG_ATOMIC_SLEEP VIRTIO_PCI NET_9P_VIRTIO 9P_FS DEVTMPFS TMPFS
                        MEMCG IPC_NS USER_NS EVENT_TRACING MODULE_UNLOAD)
    case $VARIANT in
        debug) want+=(KASAN KASAN_GENERIC KASAN_INLINE PROVE_LOCKING DEBUG_KMEMLEAK
                      FAULT_INJECTION FAILSLAB FAULT_INJECTION_DEBUG_FS) ;;
        kcsan) want+=(KCSAN KCSAN_SELFTEST KCSAN_REPORT_VALUE_CHANGE_ONLY DEBUG_FS) ;;
    esac
    for k in "${want[@]}"; do
        grep -q "^CONFIG_$k=y" "$SRC/.config" || { log "config: CONFIG_$k is not =y"; bad=1; }
    done
    grep -q '^CONFIG_DEBUG_INFO=y' "$SRC/.config" && { log "config: DEBUG_INFO is on"; bad=1; }
    if [[ $VARIANT == kcsan ]]; then
        grep -q '^CONFIG_KASAN=y' "$SRC/.config" && { log "config: KASAN is on"; bad=1; }
        for k in KCSAN_STRICT KCSAN_ASSUME_PLAIN_WRITES_ATOMIC; do
            grep -q "^CONFIG_$k=y" "$SRC/.config" && { log "config: CONFIG_$k is on"; bad=1; }
        done
        grep -q '^CONFIG_KCSAN_REPORT_ONCE_IN_MS=10000$' "$SRC/.config" ||
            { log "config: KCSAN_REPORT_ONCE_IN_MS is not 10000"; bad=1; }
    fi
    return $bad
}

install_deps() {
    local need=()
    command -v flex >/dev/null || need+=(flex)
    command -v bison >/dev/null || need+=(bison)
    command -v bc >/dev/null || need+=(bc)
    [[ -f /usr/include/libelf.h || -f /usr/include/elfutils/libelf.h ]] || need+=(libelf-dev)
    [[ -f /usr/include/openssl/ssl.h ]] || need+=(libssl-dev)
    [[ -n $TARBALL ]] || need+=(linux-source-6.1)
    if ((${#need[@]})); then
        log "installing ${need[*]}"
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need[@]}" >&2 \
            || { apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y \
                 --no-install-recommends "${need[@]}" >&2; }
        TARBALL=${TARBALL:-/usr/src/linux-source-6.1.tar.xz}
    fi
}

do_build() {
    install_deps
    [[ -f $TARBALL ]] || die "no kernel source tarball ($TARBALL)"
    if is_built; then log "cached: $SRC ($(kernel_release))"; return 0; fi
    mkdir -p "$CACHE"
    local t0=$SECONDS
    if [[ ! -f $SRC/Makefile ]]; then
        log "extracting $TARBALL into $SRC"
        rm -rf "$SRC.tmp"; mkdir -p "$SRC.tmp"
        tar -xJf "$TARBALL" -C "$SRC.tmp" --strip-components=1
        mv "$SRC.tmp" "$SRC"
    fi
    log "configuring"
    make -C "$SRC" -s x86_64_defconfig kvm_guest.config >&2
    apply_fragment
    make -C "$SRC" -s olddefconfig >&2
    apply_fragment          # second pass: options whose dependencies appeared in pass one
    make -C "$SRC" -s olddefconfig >&2
    check_config || die "config check failed"
    log "building with -j$JOBS under nice $NICE (26-45 min on 2 cores)"
    nice -n "$NICE" make -C "$SRC" -j"$JOBS" bzImage modules >&2
    nice -n "$NICE" make -C "$SRC" -j"$JOBS" modules_prepare >&2
    rm -rf "$CACHE/modroot"
    make -C "$SRC" -s INSTALL_MOD_PATH="$CACHE/modroot" modules_install >&2
    fragment_hash >"$CACHE/.stamp"
    echo $((SECONDS - t0)) >"$CACHE/.build-seconds"
    log "built $(kernel_release) in $((SECONDS - t0)) s"
}

print_env() {
    is_built || die "$VARIANT kernel not built: run $0 $VARIANT build"
    local rel; rel=$(kernel_release)
    echo "export KIPC_VM_KERNEL=$SRC/arch/x86/boot/bzImage"
    echo "export KIPC_VM_KVER=$rel"
    echo "export KIPC_VM_MODDIR=$CACHE/modroot/lib/modules/$rel"
    echo "export KIPC_VM_MACHINE=q35"
    echo "export KIPC_VM_KO=$ROOT/build/$VARIANT/kipc.ko"
}

do_module() {
    is_built || die "$VARIANT kernel not built: run $0 $VARIANT build"
    # Build out of the source tree's way: copy the module sources to build/VARIANT/kmod.
    # A copy of kmod/ (kmod/Kbuild finds the uapi header at ../include), so
    # that the stock build's objects in kmod/ are left alone.
    local out=$ROOT/build/$VARIANT
    rm -rf "$out/kmod"; mkdir -p "$out/kmod"
    cp "$ROOT"/kmod/*.c "$ROOT"/kmod/*.h "$ROOT/kmod/Kbuild" "$out/kmod/"
    ln -sfn "$ROOT/include" "$out/include"
    make -C "$SRC" M="$out/kmod" modules >&2
    cp "$out/kmod/kipc.ko" "$out/kipc.ko"
    log "module: $out/kipc.ko ($(modinfo -F vermagic "$out/kipc.ko"))"
}

guest_stress() {
    KIPC_STRESS_MESSAGES=${KIPC_DEBUG_STRESS_MESSAGES:-200000} \
        KIPC_FUZZ_IOCTLS=${KIPC_DEBUG_FUZZ_IOCTLS:-200000} \
        KIPC_LOCKLAT_ARGS=${KIPC_DEBUG_LOCKLAT_ARGS:--d 50000 -b 10000 -w 200 -l 8 -x 8} \
        "$ROOT/scripts/stress.sh" --guest
}

# In the guest, debug: the suite, the failslab pass, kmemleak, then stress
# (which ends with rmmod). Every step runs; the status says whether all passed.
guest_debug() {
    local fail=0 leaks
    tests/run.sh || { echo "check-debug: FAILED: tests/run.sh"; fail=1; }
    grep -q '^kipc ' /proc/modules || insmod "${KIPC_KO:-$ROOT/build/debug/kipc.ko}"
    kipc-failslab -r || { echo "check-debug: FAILED: failslab pass"; fail=1; }
    if [[ -w /sys/kernel/debug/kmemleak ]]; then
        echo scan >/sys/kernel/debug/kmemleak; sleep 6; echo scan >/sys/kernel/debug/kmemleak
        leaks=$(cat /sys/kernel/debug/kmemleak)
        if grep -q kipc <<<"$leaks"; then
            echo "check-debug: FAILED: kmemleak reports kipc allocations:"
            grep -B4 -A16 kipc <<<"$leaks" | head -n 80
            fail=1
        else
            echo "check-debug: kmemleak: no leak from kipc" \
                "($(grep -c '^unreferenced object' <<<"$leaks") elsewhere)"
        fi
    else
        echo "check-debug: FAILED: no kmemleak in this kernel"; fail=1
    fi
    guest_stress || { echo "check-debug: FAILED: stress"; fail=1; }
    return $fail
}

# In the guest, kcsan: the suite and stress, then the KCSAN reports: those
# naming kipc fail (scripts/kernel-problems.sh), the others are listed.
guest_kcsan() {
    local fail=0 all ours
    [[ -d /sys/kernel/debug/kcsan || -f /sys/kernel/debug/kcsan ]] ||
        { echo "check-kcsan: FAILED: no KCSAN in this kernel"; return 1; }
    tests/run.sh || { echo "check-kcsan: FAILED: tests/run.sh"; fail=1; }
    guest_stress || { echo "check-kcsan: FAILED: stress"; fail=1; }
    # shellcheck source=scripts/kernel-problems.sh
    source "$ROOT/scripts/kernel-problems.sh"
    all=$(dmesg | grep -c 'BUG: KCSAN:' || true)
    ours=$(dmesg | kernel_problems | grep -c 'BUG: KCSAN:' || true)
    echo "check-kcsan: KCSAN: $ours reports naming kipc, $((all - ours)) elsewhere (not counted):"
    dmesg | kernel_log_filter | grep -E 'BUG: KCSAN:|KCSAN report outside kipc' |
        sed 's/^\[ *[0-9.]*\] //' | sort | uniq -c | sort -rn | head -n 40
    echo "check-kcsan: KCSAN counters: $(tr '\n' ' ' </sys/kernel/debug/kcsan 2>/dev/null)"
    ((ours == 0)) || { echo "check-kcsan: FAILED: KCSAN reports naming kipc"; fail=1; }
    return $fail
}

do_guest() {
    local fail=0
    export PATH=$ROOT/build/bin:$PATH
    echo "check-$VARIANT: guest kernel $(uname -r)"
    "guest_$VARIANT" || fail=1
    ((fail == 0)) && echo "check-$VARIANT: PASS"
    return $fail
}

do_check() {
    local t0=$SECONDS status=0
    do_build
    make -C "$ROOT/user" >&2
    do_module
    eval "$(print_env)"
    # These kernels run several times slower: the kernel's default
    # watchdog_thresh (a soft lockup after 20 s) rather than scripts/vm's 5.
    export KIPC_VM_WATCHDOG=${KIPC_VM_WATCHDOG:-10}
    log "booting $KIPC_VM_KVER"
    "$ROOT/scripts/vm" run --timeout "${KIPC_DEBUG_TIMEOUT:-5400}" -- \
        "KIPC_DEBUG_STRESS_MESSAGES=${KIPC_DEBUG_STRESS_MESSAGES:-200000}" \
        "KIPC_DEBUG_FUZZ_IOCTLS=${KIPC_DEBUG_FUZZ_IOCTLS:-200000}" \
        "KIPC_DEBUG_LOCKLAT_ARGS='${KIPC_DEBUG_LOCKLAT_ARGS:--d 50000 -b 10000 -w 200 -l 8 -x 8}'" \
        "scripts/debug-kernel.sh $VARIANT guest" || status=$?
    log "check-$VARIANT: $((SECONDS - t0)) s, status $status ($([[ $status == 0 ]] && echo PASS || echo FAIL))"
    return $status
}

case ${1:-} in
    build) do_build ;;
    env) print_env ;;
    module) do_module ;;
    check) do_check ;;
    guest) do_guest ;;
    *) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 2 ;;
esac
