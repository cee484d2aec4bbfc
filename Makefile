# SPDX-License-Identifier: GPL-2.0
# kipc: the module (kbuild reads ./Kbuild and kmod/Kbuild), user space
# (user/Makefile, into build/), and the QEMU guest that runs them.
#
#   make                 check packages, build kmod/kipc.ko and user space
#   make build           the same without the package check (any distribution)
#   make check           + lint, then one guest boot running tests/run.sh
#   make demo            boot the guest and run scripts/demo.sh
#   make vm              interactive shell in the guest (kipc.ko loaded)
#   make vm-run CMD='..' run one command in the guest; exits with its status
#   make lint            checkpatch, sparse, W=1, -Werror, shellcheck
#   make bench           kipc-bench in the guest (build/bench/)
#   make stress          the long reliability run (scripts/stress.sh), with the
#                        longest mb->lock wait under typed receivers
#   make check-debug     suite + stress under a KASAN + lockdep kernel
#   make check-kcsan     suite + stress under a KCSAN kernel (data races)
#   make install         module, kipcctl, kipcctl.8, bash completion, libkipc
#                        with its headers and kipc.pc (DESTDIR, PREFIX honoured)
#   make deb             kipc-dkms and kipc-tools packages, into build/deb/
#
# The guest (scripts/vm) runs the command in the host's root over 9p, moved
# over / as switch_root does (not a chroot, so user namespaces work), with
# watchdog_thresh=5: a CPU stuck for 10 s is a soft lockup, which fails the
# run through the kernel-log check (KIPC_VM_WATCHDOG changes it). The debug
# and KCSAN kernels are built once per machine from linux-source into
# /var/cache/kipc/{debug,kcsan}-kernel (scripts/debug-kernel.sh).
#
# Each goal first has scripts/deps.sh check (as root: install) the package
# sets it needs (deps_GOAL below), then make runs again for the goals, so one
# run works on a fresh machine. make deps: every set but debug.
#
# KDIR: kernel build directory (default: the running kernel's, else that of
# the newest installed Debian kernel, which is also the guest's); KVER picks
# a kernel version instead. VM_TIMEOUT / CHECK_TIMEOUT: guest time limits (s).

PREFIX		?= /usr/local
DESTDIR		?=
VM_TIMEOUT	?= 600
CHECK_TIMEOUT	?= 1800
# What `make install` puts in $(PREFIX)/bin (build/bin also holds test helpers).
INSTALL_TOOLS	?= kipcctl
# Where bash-completion looks for kipcctl's completion, whatever the PREFIX.
BASH_COMPLETION_DIR ?= /usr/share/bash-completion/completions

# The package sets (scripts/deps.sh) each goal needs; goals not named here
# need none: `make build` builds with what is installed, and `make install`
# installs what was built (as packaging tools run it).
deps_all	:= build
deps_vm-build	:= build guest
deps_vm		:= build guest
deps_vm-run	:= build guest
deps_demo	:= build guest
deps_stress	:= build guest
deps_bench	:= build guest bench
deps_lint	:= build lint
deps_check	:= build guest test lint
deps_deb	:= build deb
deps_check-deb	:= build guest deb
deps_check-debug := build guest test debug
deps_check-kcsan := build guest test debug
deps_deps	:= build guest test lint bench

ifndef KIPC_MAKE_INNER
# The first pass: install (or name) the packages the goals need, then run
# make again for the goals themselves. Only that second make looks up the
# kernel version and its headers, which on a fresh machine the install has
# just provided.
GOALS		:= $(or $(MAKECMDGOALS),all)
DEPS_SETS	:= $(sort $(foreach g,$(GOALS),$(deps_$(g))))

.PHONY: $(GOALS)
$(firstword $(GOALS)):
	@$(if $(DEPS_SETS),scripts/deps.sh $(DEPS_SETS))
	@$(MAKE) --no-print-directory KIPC_MAKE_INNER=1 $(MAKECMDGOALS)
$(wordlist 2,$(words $(GOALS)),$(GOALS)):
	@:

else

HOST_KVER	:= $(shell uname -r)
GUEST_KVER	:= $(shell scripts/vm kver 2>/dev/null)

# The headers of kernel version $(1): Debian links /lib/modules/V/build.
kdir_of = $(firstword $(wildcard /lib/modules/$(1)/build /usr/src/linux-headers-$(1)))

ifdef KDIR
# UTS_RELEASE is what vermagic says (Debian's kernel.release is not).
KVER		?= $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"/\1/p' \
			$(KDIR)/include/generated/utsrelease.h 2>/dev/null)
else
ifndef KVER
KVER		:= $(if $(wildcard /lib/modules/$(HOST_KVER)/build),$(HOST_KVER),$(GUEST_KVER))
endif
KDIR		:= $(call kdir_of,$(KVER))
endif

# The guest boots the kernel the module is built for when /boot (or
# KIPC_VM_BOOT, as for scripts/vm) has it (a Debian host on its stock
# kernel); otherwise the newest Debian kernel, and the guest targets build
# the module for that one.
VM_KVER		:= $(if $(wildcard $(or $(KIPC_VM_BOOT),/boot)/vmlinuz-$(KVER)),$(KVER),$(GUEST_KVER))
VM_KDIR		:= $(if $(filter $(VM_KVER),$(KVER)),$(KDIR),$(call kdir_of,$(VM_KVER)))
# An exported KIPC_VM_KVER (e.g. from scripts/debug-kernel.sh env) wins.
VM		:= KIPC_VM_KVER=$${KIPC_VM_KVER:-$(VM_KVER)} scripts/vm

.PHONY: all build deps modules user clean install vm vm-build vm-run check lint demo

all: build

build: modules user

# The first pass has installed the packages (scripts/deps.sh).
deps:
	@:

modules:
	@test -n "$(KDIR)" -a -d "$(KDIR)" || { echo "no kernel headers for '$(KVER)':" \
		"install linux-headers-amd64 (scripts/deps.sh) or set KDIR=" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

user:
	$(MAKE) -C user

clean:
	$(if $(KDIR),-$(MAKE) -C $(KDIR) M=$(CURDIR) clean)
	-$(MAKE) -C user clean
	rm -rf build

# ------------------------------------------------- install, DKMS, Debian packages
# make install: install-module (kipc.ko into /lib/modules/KVER/extra) and
# install-user: kipcctl, kipcctl.8, its bash completion, and libkipc for
# other programs: the shared library (soname libkipc.so.0) in $(LIBDIR), its
# headers in $(INCLUDEDIR)/kipc (libkipc.h and the linux/kipc.h it
# includes) and kipc.pc, so `cc prog.c $(pkg-config --cflags --libs kipc)`
# builds against it. The Debian package installs user space through
# install-user, so both put the same files in the same places.
# make install-dkms: the module's source and dkms.conf into
# /usr/src/kipc-VERSION, for `dkms install kipc/VERSION` (what kipc-dkms holds).
# make deb: build/deb/kipc-dkms_*.deb and kipc-tools_*.deb, lintian-checked
# (scripts/deb.sh). make check-deb: tests/deb.sh, as root: installs both,
# modprobes the DKMS-built module in the guest, purges both.
LIBDIR		?= $(PREFIX)/lib
INCLUDEDIR	?= $(PREFIX)/include
MANDIR		?= $(PREFIX)/share/man
KIPC_VERSION	:= $(shell sed -n 's/^\#define KIPC_VERSION "\(.*\)"/\1/p' kmod/main.c)
# What DKMS builds the module from (kmod/Kbuild lists the objects).
DKMS_SRC	:= dkms.conf Kbuild kmod/Kbuild $(filter-out %.mod.c,$(wildcard kmod/*.c)) $(wildcard kmod/*.h) \
		   include/uapi/linux/kipc.h

.PHONY: install-module install-user install-dkms deb check-deb
install: install-module install-user

# M=.../kmod installs extra/kipc.ko (as DKMS does) rather than
# extra/kmod/kipc.ko. No signing: that needs the distribution's private key
# (DKMS signs with the machine's MOK instead). Debian's headers have no
# System.map, so kbuild skips depmod: run it for a real install.
install-module: modules
	$(MAKE) -C $(KDIR) M=$(CURDIR)/kmod INSTALL_MOD_PATH=$(DESTDIR) INSTALL_MOD_DIR=extra \
		CONFIG_MODULE_SIG_ALL= modules_install
	$(if $(DESTDIR),,depmod -a $(KVER))

install-user:
	$(MAKE) -C user lib tools
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(LIBDIR)/pkgconfig \
		$(DESTDIR)$(INCLUDEDIR)/kipc/linux $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(BASH_COMPLETION_DIR)
	install -m 0755 $(addprefix build/bin/,$(INSTALL_TOOLS)) $(DESTDIR)$(PREFIX)/bin/
	install -m 0644 user/kipcctl.8 $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 user/kipcctl.bash-completion $(DESTDIR)$(BASH_COMPLETION_DIR)/kipcctl
	install -m 0644 build/lib/libkipc.so.0 $(DESTDIR)$(LIBDIR)/
	ln -sf libkipc.so.0 $(DESTDIR)$(LIBDIR)/libkipc.so
	install -m 0644 user/libkipc.h $(DESTDIR)$(INCLUDEDIR)/kipc/
	install -m 0644 include/uapi/linux/kipc.h $(DESTDIR)$(INCLUDEDIR)/kipc/linux/
	sed -e 's|@PREFIX@|$(PREFIX)|; s|@LIBDIR@|$(LIBDIR)|; s|@INCLUDEDIR@|$(INCLUDEDIR)|' \
		-e 's|@VERSION@|$(KIPC_VERSION)|' user/kipc.pc.in >$(DESTDIR)$(LIBDIR)/pkgconfig/kipc.pc
	$(if $(DESTDIR),,ldconfig)

install-dkms:
	install -d $(addprefix $(DESTDIR)/usr/src/kipc-$(KIPC_VERSION)/,$(sort $(dir $(DKMS_SRC))))
	for f in $(DKMS_SRC); do \
		install -m 0644 $$f $(DESTDIR)/usr/src/kipc-$(KIPC_VERSION)/$$f || exit 1; \
	done

deb:
	scripts/deb.sh

check-deb:
	tests/deb.sh

# Everything the guest needs, with the module built for the guest's kernel.
vm-build:
	@$(MAKE) --no-print-directory modules KDIR=$(VM_KDIR) KVER=$(VM_KVER)
	@$(MAKE) --no-print-directory user

vm: vm-build
	$(VM) shell

# CMD is passed as written, unexpanded by make: CMD='echo $$HOME' works.
quote = '$(subst ','\'',$(1))'
vm-run:
	@$(if $(value CMD),,echo "usage: make vm-run CMD='command line'" >&2; exit 2)
	@$(MAKE) --no-print-directory vm-build
	@$(VM) run --timeout $(VM_TIMEOUT) -- $(call quote,$(value CMD))

lint:
	KDIR=$(KDIR) scripts/lint.sh

# One boot for the whole suite; the guest's kernel log is checked too. The
# suite runs even when lint fails, so one `make check` reports everything.
# The host-side tests run make themselves, as a user would: not as a
# sub-make of this one (MAKEFLAGS carries KIPC_MAKE_INNER=1, which would
# skip their first pass), and with no terminal to wait on.
HOST_TEST	= env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u KIPC_MAKE_INNER </dev/null
# tests/host/*.bats (deps.sh, this Makefile, scripts/vm, the contract) and
# tests/deb.sh (the packages, installed on the host; its own boot) run on
# the host first; tests/run.sh prints and counts their results with the
# guest's, so its closing line covers everything.
check: vm-build
	@status=0; \
	KDIR=$(VM_KDIR) scripts/lint.sh || status=1; \
	echo "check: tests/host and tests/deb.sh on the host (results below, with the guest's)"; \
	$(HOST_TEST) bats --tap tests/host >build/host-tests.tap 2>&1; \
	echo $$? >build/host-tests.tap.status; \
	$(HOST_TEST) tests/deb.sh >build/deb-tests.tap 2>&1; \
	echo $$? >build/deb-tests.tap.status; \
	$(VM) run --timeout $(CHECK_TIMEOUT) -- \
		KIPC_HOST_TAP=build/host-tests.tap:build/deb-tests.tap tests/run.sh || status=1; \
	if [ $$status -ne 0 ]; then echo "make check: FAILED" >&2; fi; \
	exit $$status

demo: vm-build
	@$(VM) run --timeout $(VM_TIMEOUT) -- \
		'if [ -x scripts/demo.sh ]; then scripts/demo.sh; else \
		 lsmod | grep kipc && ls -l /dev/kipc && modinfo kmod/kipc.ko; fi'

# kipc-bench in the guest (-smp 2): prints the table, writes build/bench/
# (results.md, results.json, latency.png). BENCH_ARGS='--quick' for a smoke run.
.PHONY: bench
bench: vm-build
	KIPC_VM_KVER=$${KIPC_VM_KVER:-$(VM_KVER)} scripts/bench.sh $(BENCH_ARGS)

# make stress: the long reliability run in the guest (scripts/stress.sh):
# 1,000,000 checked messages, 1,000,000 fuzzed ioctls, kipc-locklat (typed
# receivers behind 100,000 queued messages; prints the longest STAT, i.e.
# mb->lock wait), test_faults, test_hostile, rmmod. make check-debug: the
# suite, the failslab pass, a kmemleak scan and stress under a KASAN +
# lockdep kernel, built once per machine into /var/cache/kipc/debug-kernel.
# make check-kcsan: the suite and stress under a KCSAN kernel
# (/var/cache/kipc/kcsan-kernel); a KCSAN report naming kipc fails it.
# Both: scripts/debug-kernel.sh [debug|kcsan] check.
.PHONY: stress check-debug check-kcsan
stress: vm-build
	KIPC_VM_KVER=$${KIPC_VM_KVER:-$(VM_KVER)} scripts/stress.sh --no-build

check-debug:
	scripts/debug-kernel.sh debug check

check-kcsan:
	scripts/debug-kernel.sh kcsan check

endif
