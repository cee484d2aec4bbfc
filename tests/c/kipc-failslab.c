// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-failslab: make every allocation of every kipc operation fail, one at
 * a time, and check that each failure is a clean errno with nothing
 * half-done. Needs a kernel with FAULT_INJECTION, FAILSLAB, FAIL_PAGE_ALLOC
 * and FAULT_INJECTION_DEBUG_FS (scripts/debug-kernel.sh builds one); on
 * other kernels it says so and exits 0 (or 77 with -r, "required").
 *
 *   kipc-failslab [-r] [-v]
 *
 * Method: /proc/thread-self/fail-nth (as syzkaller does). Writing N makes the
 * N-th fault-injection point this thread reaches fail, whatever it is, in
 * failslab or fail_page_alloc (with ignore-gfp-wait off, so GFP_KERNEL
 * allocations are candidates). For each operation, N = 1, 2, ... until the
 * operation completes without reaching the N-th point. Kernel problems
 * (KASAN, lockdep, WARN, leaks) show in dmesg, which scripts/vm checks.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "libkipc.h"

static int fail_fd = -1, verbose;
static bool reached;	/* some disarm() since the last reset found its failure used */
static unsigned long injections, ops_run, violations;

static void sysfs_write(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);

	if (fd < 0 || write(fd, val, strlen(val)) < 0)
		fprintf(stderr, "kipc-failslab: %s: %s\n", path, strerror(errno));
	if (fd >= 0)
		close(fd);
}

static void arm(unsigned int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", n);

	if (pwrite(fail_fd, buf, len, 0) != len) {
		perror("kipc-failslab: fail-nth");
		exit(2);
	}
}

/* Disarms; true if the armed failure was injected. */
static bool disarm(void)
{
	char buf[16] = "";
	bool hit;

	if (pread(fail_fd, buf, sizeof(buf) - 1, 0) < 0) {
		perror("kipc-failslab: fail-nth read");
		exit(2);
	}
	hit = atoi(buf) == 0;
	arm(0);
	reached |= hit;
	return hit;
}

static void bad(const char *op, unsigned int n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void bad(const char *op, unsigned int n, const char *fmt, ...)
{
	va_list ap;

	violations++;
	fprintf(stderr, "kipc-failslab: VIOLATION: %s, allocation %u failed: ", op, n);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* ------------------------------------------------------- the operations */

struct env {
	char name[KIPC_NAME_MAX];
	int fd;		/* owner handle on @name */
	int fd2;	/* second handle, free */
};

static unsigned int seq;

static void env_setup(struct env *e, int queued)
{
	snprintf(e->name, sizeof(e->name), "fs-%d-%u", getpid(), seq++);
	e->fd = kipc_open(0);
	if (e->fd < 0 || kipc_create(e->fd, e->name, &(struct kipc_create_opts){
				     .mode = 0666, .flags = KIPC_CREATE_TEMP }) < 0) {
		perror("kipc-failslab: setup");
		exit(2);
	}
	for (int i = 0; i < queued; i++)
		kipc_send(e->fd, "queued", 6, 0, 0, 0, 0);
	e->fd2 = kipc_open(0);
}

static void env_teardown(struct env *e)
{
	close(e->fd);
	if (e->fd2 >= 0)
		close(e->fd2);
}

static uint32_t depth(int fd)
{
	struct kipc_stat st;

	return kipc_stat(fd, &st) ? 0xffffffff : st.depth;
}

/* Each op runs armed; returns its result (0 or -errno). */
typedef int (*op_fn)(struct env *e, unsigned int n, bool armed);

static bool clean(int ret)
{
	return ret == 0 || ret == -ENOMEM;
}

static int op_open(struct env *e, unsigned int n, bool armed)
{
	int fd;

	(void)e;
	if (armed)
		arm(n);
	fd = open(KIPC_DEVICE, O_RDWR);
	if (armed)
		disarm();
	if (fd < 0 && errno != ENOMEM)
		bad("open", n, "errno %d", errno);
	if (fd >= 0)
		close(fd);
	return fd < 0 ? -errno : 0;
}

static int op_create(struct env *e, unsigned int n, bool armed)
{
	char name[KIPC_NAME_MAX];
	int fd = kipc_open(0), ret, probe;

	snprintf(name, sizeof(name), "fs-c-%d-%u", getpid(), seq++);
	if (armed)
		arm(n);
	ret = kipc_create(fd, name, &(struct kipc_create_opts){ .mode = 0600 });
	(void)e;
	if (armed)
		disarm();
	if (ret < 0) {
		if (!clean(ret))
			bad("create", n, "%s", strerror(-ret));
		/* Nothing half-done: name free, handle free. */
		probe = kipc_open(0);
		if (kipc_attach(probe, name) != -ENOENT)
			bad("create", n, "name taken after a failed create");
		close(probe);
		if (kipc_stat(fd, &(struct kipc_stat){ 0 }) != -ENOTCONN)
			bad("create", n, "handle attached after a failed create");
		close(fd);
		return ret;
	}
	kipc_destroy(fd);
	close(fd);
	return 0;
}

static int op_attach(struct env *e, unsigned int n, bool armed)
{
	int ret;

	if (armed)
		arm(n);
	ret = kipc_attach(e->fd2, e->name);
	if (armed)
		disarm();
	if (ret < 0) {
		struct kipc_stat st;

		if (!clean(ret))
			bad("attach", n, "%s", strerror(-ret));
		kipc_stat(e->fd, &st);
		if (st.handles != 1)
			bad("attach", n, "handles %u after a failed attach", st.handles);
		return ret;
	}
	return 0;
}

static int op_send(struct env *e, unsigned int n, bool armed)
{
	uint32_t before = depth(e->fd);
	int ret;

	if (armed)
		arm(n);
	ret = kipc_send(e->fd, "hello", 5, 1, 2, KIPC_NONBLOCK, 0);
	if (armed)
		disarm();
	if (ret && !clean(ret))
		bad("send", n, "%s", strerror(-ret));
	if (depth(e->fd) != before + !ret)
		bad("send", n, "depth %u -> %u with result %d", before, depth(e->fd), ret);
	return ret;
}

static int op_send_big(struct env *e, unsigned int n, bool armed)
{
	static char big[8192];
	uint32_t before = depth(e->fd);
	int ret;

	if (armed)
		arm(n);
	ret = kipc_send(e->fd, big, sizeof(big), 1, 2, KIPC_NONBLOCK, 0);
	if (armed)
		disarm();
	if (ret && !clean(ret))
		bad("send 8 KiB", n, "%s", strerror(-ret));
	if (depth(e->fd) != before + !ret)
		bad("send 8 KiB", n, "depth %u -> %u with result %d", before, depth(e->fd), ret);
	return ret;
}

static int op_recv(struct env *e, unsigned int n, bool armed)
{
	uint32_t before = depth(e->fd);
	char buf[16];
	int ret;

	if (armed)
		arm(n);
	ret = kipc_recv(e->fd, buf, sizeof(buf), 0, KIPC_NONBLOCK, 0);
	if (armed)
		disarm();
	if (ret < 0 && !clean(ret))
		bad("recv", n, "%s", strerror(-ret));
	if (depth(e->fd) != before - (ret >= 0))
		bad("recv", n, "depth %u -> %u with result %d", before, depth(e->fd), ret);
	return ret < 0 ? ret : 0;
}

static int op_batch(struct env *e, unsigned int n, bool armed)
{
	struct kipc_msg m[4];
	char buf[4][16];
	uint32_t before = depth(e->fd);
	int ret, ret2;

	memset(m, 0, sizeof(m));
	for (int i = 0; i < 4; i++) {
		m[i].buf = (uintptr_t)buf[i];
		m[i].len = sizeof(buf[i]);
	}
	if (armed)
		arm(n);
	ret = kipc_sendv(e->fd, m, 4, KIPC_NONBLOCK, 0);
	if (armed)
		disarm();
	if (ret < 0 && !clean(ret))
		bad("sendv", n, "%s", strerror(-ret));
	if (depth(e->fd) != before + (ret > 0 ? ret : 0))
		bad("sendv", n, "depth %u -> %u with result %d", before, depth(e->fd), ret);
	before = depth(e->fd);
	if (armed)
		arm(n);
	ret2 = kipc_recvv(e->fd, m, 4, KIPC_NONBLOCK, 0);
	if (armed)
		disarm();
	if (ret2 < 0 && !clean(ret2) && ret2 != -EAGAIN)
		bad("recvv", n, "%s", strerror(-ret2));
	if (depth(e->fd) != before - (ret2 > 0 ? ret2 : 0))
		bad("recvv", n, "depth %u -> %u with result %d", before, depth(e->fd), ret2);
	return ret < 0 ? ret : (ret2 < 0 && ret2 != -EAGAIN ? ret2 : 0);
}

static int op_notify_send(struct env *e, unsigned int n, bool armed)
{
	int ret;

	signal(SIGRTMIN, SIG_IGN);
	if (armed)
		arm(n);
	ret = kipc_notify(e->fd, SIGRTMIN, 0);
	if (armed)
		disarm();
	if (ret && !clean(ret))
		bad("notify", n, "%s", strerror(-ret));
	/* A send that signals: a failed signal allocation must not fail it. */
	if (armed)
		arm(n);
	ret = kipc_send(e->fd, "sig", 3, 0, 0, KIPC_NONBLOCK, 0);
	if (armed)
		disarm();
	if (ret && !clean(ret))
		bad("send+notify", n, "%s", strerror(-ret));
	kipc_notify(e->fd, 0, 0);
	return ret;
}

static int op_stat(struct env *e, unsigned int n, bool armed)
{
	struct kipc_stat st;
	int ret;

	if (armed)
		arm(n);
	ret = kipc_stat(e->fd, &st);
	if (armed)
		disarm();
	if (ret && !clean(ret))
		bad("stat", n, "%s", strerror(-ret));
	return ret;
}

static int op_destroy(struct env *e, unsigned int n, bool armed)
{
	int ret, probe;

	if (armed)
		arm(n);
	ret = kipc_destroy(e->fd);
	if (armed)
		disarm();
	if (ret && !clean(ret))
		bad("destroy", n, "%s", strerror(-ret));
	probe = kipc_open(0);
	if (!ret && kipc_attach(probe, e->name) != -ENOENT)
		bad("destroy", n, "name still there");
	close(probe);
	return ret;
}

static int op_close(struct env *e, unsigned int n, bool armed)
{
	int fd = kipc_open(0), ret;

	kipc_attach(fd, e->name);
	if (armed)
		arm(n);
	ret = close(fd) ? -errno : 0;
	if (armed)
		disarm();
	if (ret)
		bad("close", n, "%s", strerror(-ret));
	if (kipc_stat(e->fd, &(struct kipc_stat){ 0 }) ||
	    ({ struct kipc_stat st; kipc_stat(e->fd, &st); st.handles; }) != 1)
		bad("close", n, "handle count wrong");
	return ret;
}

static const struct {
	const char *name;
	op_fn fn;
	int queued;
} ops[] = {
	{ "open", op_open, 0 },
	{ "create", op_create, 0 },
	{ "attach", op_attach, 0 },
	{ "send", op_send, 0 },
	{ "send 8 KiB", op_send_big, 0 },
	{ "recv", op_recv, 2 },
	{ "sendv+recvv", op_batch, 1 },
	{ "notify+send", op_notify_send, 0 },
	{ "stat", op_stat, 1 },
	{ "destroy", op_destroy, 3 },
	{ "close", op_close, 0 },
};

int main(int argc, char **argv)
{
	bool required = false;
	int opt;

	while ((opt = getopt(argc, argv, "rv")) != -1) {
		if (opt == 'r')
			required = true;
		else if (opt == 'v')
			verbose = 1;
		else
			return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	fail_fd = open("/proc/thread-self/fail-nth", O_RDWR);
	if (fail_fd < 0 || access("/sys/kernel/debug/failslab", F_OK)) {
		printf("kipc-failslab: this kernel has no fault injection (fail-nth/failslab): skipped\n");
		return required ? 77 : 0;
	}
	/* GFP_KERNEL allocations are candidates; no stack dumps in the log. */
	sysfs_write("/sys/kernel/debug/failslab/ignore-gfp-wait", "N");
	sysfs_write("/sys/kernel/debug/failslab/verbose", "0");
	sysfs_write("/sys/kernel/debug/fail_page_alloc/ignore-gfp-wait", "N");
	sysfs_write("/sys/kernel/debug/fail_page_alloc/ignore-gfp-highmem", "N");
	sysfs_write("/sys/kernel/debug/fail_page_alloc/min-order", "0");
	sysfs_write("/sys/kernel/debug/fail_page_alloc/verbose", "0");

	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		unsigned long hit = 0, enomem = 0;

		/* n = 1, 2, ...: until the operation no longer reaches an n-th point. */
		for (unsigned int n = 1; n < 1000; n++) {
			struct env e;
			int ret;

			env_setup(&e, ops[i].queued);
			reached = false;
			ret = ops[i].fn(&e, n, true);
			ops_run++;
			env_teardown(&e);
			if (!reached)
				break;
			hit++;
			if (ret == -ENOMEM)
				enomem++;
			if (verbose)
				printf("kipc-failslab: %s: point %u failed: %s\n", ops[i].name,
				       n, ret ? strerror(-ret) : "success anyway");
		}
		injections += hit;
		printf("kipc-failslab: %-12s %3lu allocation points failed, %3lu gave ENOMEM\n",
		       ops[i].name, hit, enomem);
	}
	printf("kipc-failslab: injections=%lu runs=%lu violations=%lu\n", injections,
	       ops_run, violations);
	printf("kipc-failslab: %s\n", violations ? "FAIL" : "PASS");
	return violations ? 1 : 0;
}
