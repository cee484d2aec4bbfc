// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-bench's latencies: two-process round trips of every mechanism, the
 * futex ping-pong under them, and one syscall (a null ioctl, getppid()) as
 * the floor of all.
 */

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>
#include <linux/futex.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "bench.h"

/* ------------------------------------------------------------ round trip */

static int futex(uint32_t *uaddr, int op, uint32_t val)
{
	return syscall(SYS_futex, uaddr, op, val, NULL, NULL, 0);
}

/* Waits until *@w is @want; -1 if the watchdog fired. */
static int futex_await(uint32_t *w, uint32_t want)
{
	uint32_t v;

	while ((v = atomic_load((_Atomic uint32_t *)w)) != want)
		if (futex(w, FUTEX_WAIT, v) && errno == EINTR)
			return -1;
	return 0;
}

static void futex_set(uint32_t *w, uint32_t v)
{
	atomic_store((_Atomic uint32_t *)w, v);
	futex(w, FUTEX_WAKE, 1);
}

/* The futex floor: one shared word, odd = the child's turn. */
static int futex_pingpong(struct series *s, unsigned warm, unsigned n)
{
	uint32_t *w = shared_map(4096);
	unsigned total = warm + n, i;
	pid_t pid;
	int ret = 0;

	pid = fork_child();
	if (!pid) {
		for (i = 0; i < total; i++) {
			while (futex_await(w, 2 * i + 1))
				;
			futex_set(w, 2 * i + 2);
		}
		_exit(0);
	}
	watchdog(RUN_TIMEOUT);
	for (i = 0; i < total; i++) {
		uint64_t t0 = now_ns();

		futex_set(w, 2 * i + 1);
		if (futex_await(w, 2 * i + 2)) {
			ret = -1;
			break;
		}
		if (i >= warm)
			add_sample(s, (now_ns() - t0) / 1000.0);
	}
	if (!ret)
		s->moved += total;
	watchdog(0);
	if (reap(pid, ret < 0) || ret < 0)
		series_fail(s, "futex ping-pong stalled after %u of %u", i, total);
	munmap(w, 4096);
	return ret;
}

/* The child's side of a round trip: echoes @total messages from @a on @b. */
static void echo(struct chan *a, struct chan *b, unsigned size, unsigned total)
{
	char rbuf[MAX_MSG];

	for (unsigned i = 0; i < total; i++) {
		ssize_t r = chan_recv(a, rbuf, size);

		if (r != size || chan_send(b, rbuf, size))
			_exit(1);
	}
	_exit(0);
}

/* The parent's: how many of @total round trips went through. */
static unsigned ping(struct chan *a, struct chan *b, unsigned size,
		     unsigned total, struct series *s)
{
	char buf[MAX_MSG], rbuf[MAX_MSG];
	unsigned i;

	memset(buf, 0xa5, sizeof(buf));
	for (i = 0; i < total; i++) {
		uint64_t t0 = now_ns();
		ssize_t r;

		put_seq(buf, i);
		if (chan_send(a, buf, size))
			break;
		r = chan_recv(b, rbuf, size);
		if (r != size || get_seq(rbuf) != i)
			break;
		if (i >= cfg.rt_warm)
			add_sample(s, (now_ns() - t0) / 1000.0);
		s->moved += 2;
	}
	return i;
}

/*
 * Parent sends a message of @size on one channel, the child echoes it back on
 * another; one sample per round trip.
 */
void round_trip(enum mech m, unsigned size, struct series *s)
{
	unsigned total = cfg.rt_warm + cfg.rt_n, i;
	struct chan *a, *b;
	pid_t pid;
	int ret;

	s->ran = true;
	if (m == M_FUTEX) {
		futex_pingpong(s, cfg.rt_warm, cfg.rt_n);
		return;
	}
	if (m == M_CALL) {
		call_round_trip(size, s);
		return;
	}
	a = xcalloc(1, sizeof(*a));
	b = xcalloc(1, sizeof(*b));
	ret = chan_open(a, m, size, DEPTH);
	if (!ret)
		ret = chan_open(b, m, size, DEPTH);
	if (ret) {
		series_fail(s, "setup: %s", strerror(-ret));
		goto out;
	}
	pid = fork_child();
	if (!pid)
		echo(a, b, size, total);
	watchdog(RUN_TIMEOUT);
	i = ping(a, b, size, total, s);
	watchdog(0);
	if (reap(pid, i < total) || i < total)
		series_fail(s, "round trip %u of %u failed: %s", i, total,
			    strerror(errno));
out:
	chan_close(a);
	chan_close(b);
	free(a);
	free(b);
}

/* ------------------------------------------------------------ floors */

void null_ioctl(struct series *s)
{
	struct kipc_version v;
	unsigned i, j, per = 100;
	int fd = kipc_open(0);

	s->ran = true;
	if (fd < 0) {
		series_fail(s, "open /dev/kipc: %s", strerror(-fd));
		return;
	}
	for (i = 0; i < cfg.null_n / per; i++) {
		uint64_t t0 = now_ns();

		for (j = 0; j < per; j++) {
			memset(&v, 0, sizeof(v));
			if (ioctl(fd, KIPC_IOC_VERSION, &v) ||
			    v.abi_version != KIPC_ABI_VERSION) {
				series_fail(s, "KIPC_IOC_VERSION: %s", strerror(errno));
				close(fd);
				return;
			}
		}
		add_sample(s, (now_ns() - t0) / 1000.0 / per);
		s->moved += per;
	}
	close(fd);
}

void null_syscall(struct series *s)
{
	unsigned i, j, per = 100;

	s->ran = true;
	for (i = 0; i < cfg.null_n / per; i++) {
		uint64_t t0 = now_ns();

		for (j = 0; j < per; j++)
			syscall(SYS_getppid);
		add_sample(s, (now_ns() - t0) / 1000.0 / per);
		s->moved += per;
	}
}
