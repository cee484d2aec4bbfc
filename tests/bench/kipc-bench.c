// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-bench: kipc next to the IPC Linux already has, in one run.
 *
 *   kipc-bench [--quick] [--trials N] [--out DIR] [--profile MECH]
 *
 * Mechanisms: kipc (one message per ioctl), kipc batched (SENDV/RECVV, 32 per
 * call), pipe, socketpair(AF_UNIX, SOCK_SEQPACKET), POSIX mq, SysV msg; and
 * as floors a null ioctl on /dev/kipc (KIPC_IOC_VERSION), getppid(), and a
 * futex ping-pong between two processes over a shared anonymous mapping.
 *
 * Measurements (see run_all()): two-process round trip at 64 B, 1 KiB, 4 KiB;
 * one-way streaming at 64 B and 4 KiB; fan-in of 4 producers into 1
 * consumer; creating and listing 10,000 mailboxes next to 10,000 SysV
 * queues; memory per queued message; notification latency.
 *
 * Trials are interleaved: every trial runs every mechanism once, in an order
 * rotated from trial to trial, so that drift hits all of them alike. Every
 * run has a warm-up that is not timed. Every message carries its sequence
 * number and the receiver checks it: a run that lost, duplicated or
 * reordered a message fails, and then kipc-bench exits 1. Times are never
 * asserted: under emulation only the ratios mean something.
 *
 * Output: a Markdown table on stdout and in DIR/results.md, the same as JSON
 * in DIR/results.json, and DIR/latency.dat for scripts/bench.sh to plot.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <mqueue.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/futex.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include "libkipc.h"

#include "nl.h"

extern char **environ;

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define MAX_MSG		4096
#define DEPTH		64	/* queue depth given to every mechanism */
#define BATCH		32	/* kipc batched: messages per ioctl */
#define PRODUCERS	4	/* fan-in */
#define RUN_TIMEOUT	120	/* seconds: a run that hangs fails */

/* ------------------------------------------------------------ settings */

struct config {
	bool quick;
	int trials;
	const char *out;
	unsigned rt_warm, rt_n;		/* round trips */
	unsigned tp_warm, tp_n;		/* streaming */
	unsigned fan_n;			/* fan-in, all producers together */
	unsigned nt_warm, nt_n;		/* notification */
	unsigned null_n;		/* null ioctl calls per trial */
	unsigned scale_n;		/* mailboxes / SysV queues */
	unsigned list_reps;
	unsigned mem_n;			/* messages queued to weigh them */
};

static struct config cfg = {
	.trials = 5, .out = "build/bench",
	.rt_warm = 200, .rt_n = 2000,
	.tp_warm = 2000, .tp_n = 20000,
	.fan_n = 20000,
	.nt_warm = 20, .nt_n = 300,
	.null_n = 20000,
	.scale_n = 10000, .list_reps = 5,
	.mem_n = 2000,
};

static void quick_config(void)
{
	cfg.quick = true;
	cfg.trials = 1;
	cfg.rt_warm = 10, cfg.rt_n = 100;
	cfg.tp_warm = 50, cfg.tp_n = 500;
	cfg.fan_n = 400;
	cfg.nt_warm = 3, cfg.nt_n = 20;
	cfg.null_n = 1000;
	cfg.scale_n = 200, cfg.list_reps = 1;
	cfg.mem_n = 1000;
}

/* ------------------------------------------------------------ helpers */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static int failures;

static void fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "kipc-bench: FAIL: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	failures++;
}

static void note(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "kipc-bench: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (!p) {
		perror("calloc");
		exit(2);
	}
	return p;
}

/* A blocked syscall returns EINTR when the watchdog fires: the run fails. */
static void on_alarm(int sig)
{
	(void)sig;
}

static void watchdog(unsigned seconds)
{
	alarm(seconds);
}

static int read_file_str(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static int write_file_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	close(fd);
	return n < 0 ? -errno : 0;
}

static long read_param(const char *path)
{
	char buf[64];

	if (read_file_str(path, buf, sizeof(buf)))
		return -1;
	return strtol(buf, NULL, 10);
}

static void write_param(const char *path, long v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%ld", v);
	if (write_file_str(path, buf))
		note("cannot set %s to %ld: %s", path, v, strerror(errno));
}

static int futex(uint32_t *uaddr, int op, uint32_t val)
{
	return syscall(SYS_futex, uaddr, op, val, NULL, NULL, 0);
}

static void *shared_map(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("mmap");
		exit(2);
	}
	return p;
}

/* Waits for a child; returns 0 if it exited 0. Kills it on @kill_it. */
static int reap(pid_t pid, bool kill_it)
{
	int st;

	if (pid <= 0)
		return -1;
	if (kill_it)
		kill(pid, SIGKILL);
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

static pid_t fork_child(void)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		perror("fork");
		exit(2);
	}
	if (pid == 0)
		prctl(PR_SET_PDEATHSIG, SIGKILL);
	return pid;
}

/* Sequence numbers travel in the first 8 bytes of every payload. */
static void put_seq(char *buf, uint64_t seq)
{
	memcpy(buf, &seq, sizeof(seq));
}

static uint64_t get_seq(const char *buf)
{
	uint64_t seq;

	memcpy(&seq, buf, sizeof(seq));
	return seq;
}

/* ------------------------------------------------------------ results */

/*
 * A series: one figure (a group such as "round trip 64 B") of one mechanism,
 * with its samples gathered over all trials.
 */
struct series {
	char group[48];
	char mech[32];
	char unit[16];		/* "us", "msg/s", "B", ... */
	bool higher_better;
	unsigned msg_size;	/* throughput rows: for MB/s */
	double *v;
	size_t n, cap;
	uint64_t moved;		/* messages verified */
	bool ran, failed;
	char note[200];
	double med, p99, min, max;
};

static struct series *series;
static size_t nseries, series_cap;

static struct series *get_series(const char *group, const char *mech,
				 const char *unit, bool higher_better)
{
	struct series *s;
	size_t i;

	for (i = 0; i < nseries; i++)
		if (!strcmp(series[i].group, group) && !strcmp(series[i].mech, mech))
			return &series[i];
	if (nseries == series_cap) {
		series_cap = series_cap ? 2 * series_cap : 64;
		series = realloc(series, series_cap * sizeof(*series));
		if (!series) {
			perror("realloc");
			exit(2);
		}
	}
	s = &series[nseries++];
	memset(s, 0, sizeof(*s));
	snprintf(s->group, sizeof(s->group), "%s", group);
	snprintf(s->mech, sizeof(s->mech), "%s", mech);
	snprintf(s->unit, sizeof(s->unit), "%s", unit);
	s->higher_better = higher_better;
	return s;
}

static void add_sample(struct series *s, double v)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 256;
		s->v = realloc(s->v, s->cap * sizeof(*s->v));
		if (!s->v) {
			perror("realloc");
			exit(2);
		}
	}
	s->v[s->n++] = v;
}

static void series_fail(struct series *s, const char *fmt, ...)
{
	va_list ap;
	char msg[160];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fail("%s, %s: %s", s->group, s->mech, msg);
	if (!s->failed)
		snprintf(s->note, sizeof(s->note), "FAILED: %s", msg);
	s->failed = true;
}

static void series_note(struct series *s, const char *fmt, ...)
{
	va_list ap;

	if (s->note[0])
		return;
	va_start(ap, fmt);
	vsnprintf(s->note, sizeof(s->note), fmt, ap);
	va_end(ap);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Median, p99 (the worse tail: high for latency, low for throughput). */
static void series_stats(struct series *s)
{
	size_t k;

	if (!s->n)
		return;
	qsort(s->v, s->n, sizeof(*s->v), cmp_double);
	s->min = s->v[0];
	s->max = s->v[s->n - 1];
	s->med = s->n % 2 ? s->v[s->n / 2] :
		 (s->v[s->n / 2 - 1] + s->v[s->n / 2]) / 2;
	k = (size_t)ceil(0.99 * s->n) - 1;
	s->p99 = s->higher_better ? s->v[s->n - 1 - k] : s->v[k];
}

/* ------------------------------------------------------------ channels */

enum mech { M_KIPC, M_KIPCV, M_PIPE, M_SOCK, M_MQ, M_SYSV, M_FUTEX, NR_MECH };

static const char *const mech_name[NR_MECH] = {
	[M_KIPC] = "kipc",
	[M_KIPCV] = "kipc batched",
	[M_PIPE] = "pipe",
	[M_SOCK] = "unix seqpacket",
	[M_MQ] = "POSIX mq",
	[M_SYSV] = "SysV msg",
	[M_FUTEX] = "futex (floor)",
};

/* One direction of one mechanism: a mailbox, a pipe, a queue ... */
struct chan {
	enum mech m;
	int fd[2];		/* pipe, socket: read end, write end; kipc: handle */
	mqd_t mq;
	int msqid;
	struct kipc_msg v[BATCH];	/* kipc batched */
	char *vbuf;			/* BATCH buffers of MAX_MSG */
	struct { long mtype; char mtext[MAX_MSG]; } sysv;
};

static unsigned name_seq;

static int chan_open(struct chan *c, enum mech m, unsigned size, unsigned depth)
{
	char name[64];
	int ret;

	memset(c, 0, sizeof(*c));
	c->m = m;
	c->fd[0] = c->fd[1] = -1;
	c->mq = (mqd_t)-1;
	c->msqid = -1;
	switch (m) {
	case M_KIPC:
	case M_KIPCV: {
		struct kipc_create_opts o = {
			.flags = KIPC_CREATE_TEMP,
			.capacity = depth,
			.capacity_bytes = (uint64_t)depth * size,
			.max_msg_size = size,
		};

		snprintf(name, sizeof(name), "bench-%d-%u", getpid(), name_seq++);
		ret = kipc_open_create(name, &o);
		if (ret < 0)
			return ret;
		c->fd[0] = ret;
		if (m == M_KIPCV) {
			c->vbuf = xcalloc(BATCH, MAX_MSG);
			for (int i = 0; i < BATCH; i++)
				c->v[i].buf = (uintptr_t)(c->vbuf + i * MAX_MSG);
		}
		return 0;
	}
	case M_PIPE:
		if (pipe2(c->fd, 0))
			return -errno;
		/* The same depth as the others (rounded up to a page). */
		fcntl(c->fd[1], F_SETPIPE_SZ, depth * size);
		return 0;
	case M_SOCK: {
		int sz = depth * (size + 512);

		if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, c->fd))
			return -errno;
		setsockopt(c->fd[1], SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
		return 0;
	}
	case M_MQ: {
		struct mq_attr a = { .mq_maxmsg = depth, .mq_msgsize = size };

		snprintf(name, sizeof(name), "/kipc-bench-%d-%u", getpid(), name_seq++);
		c->mq = mq_open(name, O_RDWR | O_CREAT | O_EXCL, 0600, &a);
		if (c->mq == (mqd_t)-1)
			return -errno;
		mq_unlink(name);
		return 0;
	}
	case M_SYSV: {
		struct msqid_ds ds;

		c->msqid = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
		if (c->msqid < 0)
			return -errno;
		/* The same depth as the others: msgmnb is only 16 KiB. */
		if (!msgctl(c->msqid, IPC_STAT, &ds)) {
			ds.msg_qbytes = (msglen_t)depth * size;
			msgctl(c->msqid, IPC_SET, &ds);
		}
		return 0;
	}
	default:
		return -EINVAL;
	}
}

static void chan_close(struct chan *c)
{
	if (c->fd[0] >= 0)
		close(c->fd[0]);
	if (c->fd[1] >= 0)
		close(c->fd[1]);
	if (c->mq != (mqd_t)-1)
		mq_close(c->mq);
	if (c->msqid >= 0)
		msgctl(c->msqid, IPC_RMID, NULL);
	free(c->vbuf);
	c->vbuf = NULL;
}

/* Sends one message; 0 or -1 with errno. */
static int chan_send(struct chan *c, const char *buf, unsigned len)
{
	ssize_t n;
	int ret;

	switch (c->m) {
	case M_KIPC:
	case M_KIPCV:
		ret = kipc_send(c->fd[0], buf, len, 1, 0, 0, 0);
		return ret < 0 ? -1 : 0;
	case M_PIPE:
	case M_SOCK:
		n = write(c->fd[1], buf, len);
		if (n >= 0 && (unsigned)n != len)
			errno = EIO;
		return n == (ssize_t)len ? 0 : -1;
	case M_MQ:
		return mq_send(c->mq, buf, len, 0);
	case M_SYSV:
		c->sysv.mtype = 1;
		memcpy(c->sysv.mtext, buf, len);
		return msgsnd(c->msqid, &c->sysv, len, 0);
	default:
		errno = EINVAL;
		return -1;
	}
}

/* Receives one message into @buf (room for @len); its length or -1. */
static ssize_t chan_recv(struct chan *c, char *buf, unsigned len)
{
	ssize_t n, got;
	int ret;

	switch (c->m) {
	case M_KIPC:
	case M_KIPCV:
		ret = kipc_recv(c->fd[0], buf, len, 0, 0, 0);
		return ret < 0 ? -1 : ret;
	case M_PIPE:
		/* A byte stream: a message is @len bytes. */
		for (got = 0; got < (ssize_t)len; got += n) {
			n = read(c->fd[0], buf + got, len - got);
			if (n <= 0) {
				if (!n)
					errno = EPIPE;
				return -1;
			}
		}
		return got;
	case M_SOCK:
		return read(c->fd[0], buf, len);
	case M_MQ:
		return mq_receive(c->mq, buf, MAX_MSG, NULL);
	case M_SYSV:
		n = msgrcv(c->msqid, &c->sysv, MAX_MSG, 0, 0);
		if (n > 0)
			memcpy(buf, c->sysv.mtext, n);
		return n;
	default:
		errno = EINVAL;
		return -1;
	}
}

/* kipc batched: sends @count messages numbered from @seq; 0 or -1. */
static int chan_sendv(struct chan *c, uint64_t seq, unsigned count, unsigned len)
{
	unsigned done = 0, i;
	int ret;

	for (i = 0; i < count; i++) {
		struct kipc_msg *m = &c->v[i];
		uint64_t buf = m->buf;

		memset(m, 0, sizeof(*m));
		m->buf = buf;
		m->len = len;
		m->type = 1;
		put_seq((char *)(uintptr_t)buf, seq + i);
	}
	while (done < count) {
		ret = kipc_sendv(c->fd[0], c->v + done, count - done, 0, 0);
		if (ret < 0)
			return -1;
		done += ret;
	}
	return 0;
}

/* kipc batched: receives up to @count; how many, or -1. */
static int chan_recvv(struct chan *c, unsigned count, unsigned len)
{
	unsigned i;
	int ret;

	for (i = 0; i < count; i++) {
		uint64_t buf = c->v[i].buf;

		memset(&c->v[i], 0, sizeof(c->v[i]));
		c->v[i].buf = buf;
		c->v[i].len = len;
	}
	ret = kipc_recvv(c->fd[0], c->v, count, 0, 0);
	return ret < 0 ? -1 : ret;
}

/* ------------------------------------------------------------ round trip */

/* The futex floor: one shared word, odd = the child's turn. */
static int futex_pingpong(struct series *s, unsigned warm, unsigned n)
{
	uint32_t *w = shared_map(4096);
	unsigned total = warm + n, i;
	uint32_t v;
	pid_t pid;
	int ret = 0;

	pid = fork_child();
	if (!pid) {
		for (i = 0; i < total; i++) {
			while ((v = atomic_load((_Atomic uint32_t *)w)) != 2 * i + 1)
				futex(w, FUTEX_WAIT, v);
			atomic_store((_Atomic uint32_t *)w, 2 * i + 2);
			futex(w, FUTEX_WAKE, 1);
		}
		_exit(0);
	}
	watchdog(RUN_TIMEOUT);
	for (i = 0; i < total; i++) {
		uint64_t t0 = now_ns();

		atomic_store((_Atomic uint32_t *)w, 2 * i + 1);
		futex(w, FUTEX_WAKE, 1);
		while ((v = atomic_load((_Atomic uint32_t *)w)) != 2 * i + 2) {
			if (futex(w, FUTEX_WAIT, v) && errno == EINTR) {
				ret = -1;
				goto out;
			}
		}
		if (i >= warm)
			add_sample(s, (now_ns() - t0) / 1000.0);
	}
	s->moved += total;
out:
	watchdog(0);
	if (reap(pid, ret < 0) || ret < 0)
		series_fail(s, "futex ping-pong stalled after %u of %u", i, total);
	munmap(w, 4096);
	return ret;
}

/*
 * Parent sends a message of @size on one channel, the child echoes it back on
 * another; one sample per round trip.
 */
static void round_trip(enum mech m, unsigned size, struct series *s)
{
	unsigned total = cfg.rt_warm + cfg.rt_n, i;
	char buf[MAX_MSG], rbuf[MAX_MSG];
	struct chan *a, *b;
	pid_t pid;
	int ret;

	s->ran = true;
	if (m == M_FUTEX) {
		futex_pingpong(s, cfg.rt_warm, cfg.rt_n);
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
	memset(buf, 0xa5, sizeof(buf));

	pid = fork_child();
	if (!pid) {
		for (i = 0; i < total; i++) {
			ssize_t r = chan_recv(a, rbuf, size);

			if (r != size || chan_send(b, rbuf, size))
				_exit(1);
		}
		_exit(0);
	}
	watchdog(RUN_TIMEOUT);
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

/* ------------------------------------------------------------ streaming */

/* A producer: sends @count messages numbered (id << 32) + 0, 1, ... */
static void producer(struct chan *c, unsigned id, unsigned count, unsigned size)
{
	char buf[MAX_MSG];
	uint64_t base = (uint64_t)id << 32;
	unsigned i;

	memset(buf, 0x5a, sizeof(buf));
	if (c->m == M_KIPCV) {
		for (i = 0; i < count; i += BATCH) {
			unsigned k = count - i < BATCH ? count - i : BATCH;

			if (chan_sendv(c, base + i, k, size))
				_exit(1);
		}
		_exit(0);
	}
	for (i = 0; i < count; i++) {
		put_seq(buf, base + i);
		if (chan_send(c, buf, size))
			_exit(1);
	}
	_exit(0);
}

/*
 * @nprod producers stream into one consumer (this process), which takes
 * @warm messages untimed, then times @n more. Checks that each producer's
 * messages arrive complete and in order. Returns messages/s or -1.
 */
static double stream(enum mech m, unsigned size, unsigned nprod,
		     unsigned warm, unsigned n, struct series *s)
{
	unsigned total = warm + n, per = total / nprod, got = 0, i;
	uint64_t next[PRODUCERS] = { 0 }, t0 = 0, t1;
	pid_t pids[PRODUCERS] = { 0 };
	char buf[MAX_MSG];
	bool bad = false;
	struct chan *c;
	double rate = -1;
	int ret;

	total = per * nprod;
	c = xcalloc(1, sizeof(*c));
	ret = chan_open(c, m, size, DEPTH);
	if (ret) {
		series_fail(s, "setup: %s", strerror(-ret));
		free(c);
		return -1;
	}
	for (i = 0; i < nprod; i++) {
		pids[i] = fork_child();
		if (!pids[i])
			producer(c, i, per, size);
	}
	watchdog(RUN_TIMEOUT);
	while (got < total && !bad) {
		const char *msgs[BATCH];
		unsigned k = 1, j;

		if (got == warm)
			t0 = now_ns();
		if (m == M_KIPCV) {
			int r = chan_recvv(c, BATCH, size);

			if (r <= 0)
				break;
			k = r;
			for (j = 0; j < k; j++) {
				if (c->v[j].len != size)
					bad = true;
				msgs[j] = (const char *)(uintptr_t)c->v[j].buf;
			}
		} else {
			if (chan_recv(c, buf, size) != size)
				break;
			msgs[0] = buf;
		}
		for (j = 0; j < k; j++) {
			uint64_t seq = get_seq(msgs[j]);
			unsigned id = seq >> 32;

			if (id >= nprod || (seq & 0xffffffff) != next[id]) {
				bad = true;
				break;
			}
			next[id]++;
		}
		/* A batch may straddle the end of the warm-up: fine. */
		if (got < warm && got + k > warm)
			t0 = now_ns();
		got += k;
	}
	t1 = now_ns();
	watchdog(0);
	for (i = 0; i < nprod; i++)
		if (reap(pids[i], got < total || bad))
			bad = true;
	if (got < total || bad) {
		series_fail(s, "moved %u of %u messages%s", got, total,
			    bad ? " (lost, reordered or bad length)" : "");
	} else {
		rate = (double)(total - warm) / ((t1 - t0) / 1e9);
		s->moved += total;
	}
	chan_close(c);
	free(c);
	return rate;
}

static void throughput(enum mech m, unsigned size, struct series *s)
{
	double r;

	s->ran = true;
	s->msg_size = size;
	r = stream(m, size, 1, cfg.tp_warm, cfg.tp_n, s);
	if (r > 0)
		add_sample(s, r);
}

static void fan_in(enum mech m, struct series *s)
{
	double r;

	s->ran = true;
	s->msg_size = 64;
	r = stream(m, 64, PRODUCERS, cfg.fan_n / 10, cfg.fan_n, s);
	if (r > 0)
		add_sample(s, r);
}

/* ------------------------------------------------------------ floors */

static void null_ioctl(struct series *s)
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

static void null_syscall(struct series *s)
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

/* ------------------------------------------------------------ notification */

enum notify_kind { N_KIPC_SIG, N_MQ_SIG, N_KIPC_EPOLL, N_PIPE_POLL,
		   N_PIPE_EPOLL, NR_NOTIFY };

static const struct {
	const char *group, *mech;
	enum mech m;
} notify_desc[NR_NOTIFY] = {
	[N_KIPC_SIG] = { "notify: send -> signal handler", "kipc", M_KIPC },
	[N_MQ_SIG] = { "notify: send -> signal handler", "POSIX mq", M_MQ },
	[N_KIPC_EPOLL] = { "notify: send -> poll wake-up", "kipc", M_KIPC },
	[N_PIPE_POLL] = { "notify: send -> poll wake-up", "pipe", M_PIPE },
	[N_PIPE_EPOLL] = { "notify: send -> poll wake-up", "pipe (epoll)", M_PIPE },
};

struct notify_shm {
	volatile uint64_t t_wake;
	volatile int got;
};

static struct notify_shm *nshm;

static void on_notify(int sig)
{
	(void)sig;
	nshm->t_wake = now_ns();
	nshm->got = 1;
}

/* The receiving child: waits for each message as @k says, then drains it. */
static void notify_child(enum notify_kind k, struct chan *c, const char *mbox,
			 int ready, unsigned total)
{
	int sig = SIGRTMIN + 2, fd = -1, ep = -1;
	struct sigevent sev = { 0 };
	struct epoll_event ev = { .events = EPOLLIN };
	sigset_t block, old;
	char buf[MAX_MSG];
	unsigned i;

	sigemptyset(&block);
	sigaddset(&block, sig);
	sigprocmask(SIG_BLOCK, &block, &old);
	signal(sig, on_notify);

	switch (k) {
	case N_KIPC_SIG:
	case N_KIPC_EPOLL:
		/* Its own handle: a registration belongs to a handle. */
		fd = kipc_open_attach(mbox);
		if (fd < 0)
			_exit(1);
		if (k == N_KIPC_SIG && kipc_notify(fd, sig, 0))
			_exit(1);
		break;
	case N_MQ_SIG:
		sev.sigev_notify = SIGEV_SIGNAL;
		sev.sigev_signo = sig;
		if (mq_notify(c->mq, &sev))
			_exit(1);
		break;
	default:
		fd = c->fd[0];
		break;
	}
	if (k == N_KIPC_EPOLL || k == N_PIPE_EPOLL) {
		ep = epoll_create1(0);
		ev.data.fd = fd;
		if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev))
			_exit(1);
	}

	for (i = 0; i < total; i++) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t r;

		if (write(ready, "r", 1) != 1)
			_exit(1);
		switch (k) {
		case N_KIPC_SIG:
		case N_MQ_SIG:
			while (!nshm->got)
				sigsuspend(&old);
			nshm->got = 0;
			break;
		case N_PIPE_POLL:
			if (poll(&pfd, 1, -1) != 1)
				_exit(1);
			nshm->t_wake = now_ns();
			break;
		default:
			if (epoll_wait(ep, &ev, 1, -1) != 1)
				_exit(1);
			nshm->t_wake = now_ns();
			break;
		}
		if (k == N_KIPC_SIG || k == N_KIPC_EPOLL)
			r = kipc_recv(fd, buf, sizeof(buf), 0, KIPC_NONBLOCK, 0);
		else
			r = chan_recv(c, buf, 64);
		if (r != 64 || get_seq(buf) != i)
			_exit(1);
		/* mq_notify is one-shot: register again while empty. */
		if (k == N_MQ_SIG && i + 1 < total && mq_notify(c->mq, &sev))
			_exit(1);
	}
	if (write(ready, "r", 1) != 1)
		_exit(1);
	_exit(0);
}

static void notification(enum notify_kind k, struct series *s)
{
	unsigned total = cfg.nt_warm + cfg.nt_n, i;
	int ready[2] = { -1, -1 };
	uint64_t t0 = 0;
	char mbox[64] = "", buf[64], c1;
	struct chan *c;
	pid_t pid;
	int ret;

	s->ran = true;
	c = xcalloc(1, sizeof(*c));
	ret = chan_open(c, notify_desc[k].m, 64, DEPTH);
	if (ret || pipe(ready)) {
		series_fail(s, "setup: %s", strerror(ret ? -ret : errno));
		goto out;
	}
	if (c->m == M_KIPC) {
		struct kipc_stat st = { .size = sizeof(st) };

		if (kipc_stat(c->fd[0], &st)) {
			series_fail(s, "stat: %s", strerror(errno));
			goto out;
		}
		snprintf(mbox, sizeof(mbox), "%s", st.name);
	}
	nshm->got = 0;
	pid = fork_child();
	if (!pid) {
		close(ready[0]);
		notify_child(k, c, mbox, ready[1], total);
	}
	close(ready[1]);
	ready[1] = -1;
	memset(buf, 0, sizeof(buf));
	watchdog(RUN_TIMEOUT);
	for (i = 0; i <= total; i++) {
		if (read(ready[0], &c1, 1) != 1)
			break;
		if (i > cfg.nt_warm)
			add_sample(s, (nshm->t_wake - t0) / 1000.0);
		if (i == total)
			break;
		put_seq(buf, i);
		t0 = now_ns();
		if (chan_send(c, buf, 64))
			break;
	}
	watchdog(0);
	if (reap(pid, i < total) || i < total)
		series_fail(s, "notification %u of %u never arrived", i, total);
	else
		s->moved += total;
out:
	if (ready[0] >= 0)
		close(ready[0]);
	if (ready[1] >= 0)
		close(ready[1]);
	chan_close(c);
	free(c);
}

/* ------------------------------------------------------------ netlink */

static int count_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	++*(unsigned *)data;
	return MNL_CB_OK;
}

/* Dumps every mailbox; returns how many, or -errno. */
static int nl_list(struct nl *nl)
{
	unsigned count = 0;
	struct nlmsghdr *nlh = nl_request(nl, KIPC_CMD_MBOX_GET, NLM_F_DUMP);
	int ret = nl_talk(nl, nlh, count_cb, &count);

	return ret < 0 ? ret : (int)count;
}

static int charged_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr))
		if (mnl_attr_get_type(a) == KIPC_A_STATS_CHARGED_BYTES &&
		    mnl_attr_get_payload_len(a) == sizeof(uint64_t))
			*(int64_t *)data = mnl_attr_get_u64(a);
	return MNL_CB_OK;
}

/* kipc's charged bytes (KIPC_A_STATS_CHARGED_BYTES), or -1. */
static int64_t kipc_charged(void)
{
	struct nl nl;
	int64_t v = -1;

	if (nl_open(&nl, KIPC_GENL_NAME))
		return -1;
	if (nl_talk(&nl, nl_request(&nl, KIPC_CMD_STATS_GET, 0), charged_cb, &v))
		v = -1;
	nl_close(&nl);
	return v;
}

/* Runs @argv with stdout to /dev/null; its wall time in µs, or -1. */
static double time_command(char *const argv[])
{
	posix_spawn_file_actions_t fa;
	uint64_t t0;
	pid_t pid;
	int st;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	t0 = now_ns();
	if (posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ)) {
		posix_spawn_file_actions_destroy(&fa);
		return -1;
	}
	posix_spawn_file_actions_destroy(&fa);
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
		return -1;
	return (now_ns() - t0) / 1000.0;
}

/* Reads /proc/sysvipc/msg whole; returns the number of queues listed. */
static int read_sysvipc(void)
{
	static char buf[1 << 16];
	int fd = open("/proc/sysvipc/msg", O_RDONLY), lines = 0;
	ssize_t n;

	if (fd < 0)
		return -errno;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		for (ssize_t i = 0; i < n; i++)
			lines += buf[i] == '\n';
	close(fd);
	return lines - 1;	/* the header */
}

/* ------------------------------------------------------------ scale */

#define P_MAX_MAILBOXES "/sys/module/kipc/parameters/max_mailboxes"
#define P_MSGMNI "/proc/sys/kernel/msgmni"

static void scale(void)
{
	unsigned n = cfg.scale_n, i, made = 0, qmade = 0;
	struct series *sk = get_series("create one queue", "kipc", "us", false);
	struct series *ss = get_series("create one queue", "SysV msg", "us", false);
	struct series *lk = get_series("list all queues (in-process)", "kipc", "us", false);
	struct series *ls = get_series("list all queues (in-process)", "SysV msg", "us", false);
	struct series *ck = get_series("list all queues (command)", "kipc", "us", false);
	struct series *cs = get_series("list all queues (command)", "SysV msg", "us", false);
	long old_max = read_param(P_MAX_MAILBOXES), old_mni = read_param(P_MSGMNI);
	struct rlimit old_rl, rl;
	int *fds = xcalloc(n, sizeof(*fds));
	int *ids = xcalloc(n, sizeof(*ids));
	char name[64];

	snprintf(sk->note, sizeof(sk->note), "%u mailboxes: open(/dev/kipc) + CREATE", n);
	snprintf(ss->note, sizeof(ss->note), "%u queues: msgget(IPC_PRIVATE)", n);
	sk->ran = ss->ran = lk->ran = ls->ran = ck->ran = cs->ran = true;

	getrlimit(RLIMIT_NOFILE, &old_rl);
	rl = old_rl;
	if (rl.rlim_cur < n + 256) {
		rl.rlim_cur = rl.rlim_max = n + 256 > old_rl.rlim_max ? n + 256 : old_rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl))
			note("cannot raise RLIMIT_NOFILE: %s", strerror(errno));
	}
	if (old_max >= 0 && old_max < (long)n + 1024)
		write_param(P_MAX_MAILBOXES, n + 1024);
	if (old_mni >= 0 && old_mni < (long)n + 1024)
		write_param(P_MSGMNI, n + 1024);

	for (i = 0; i < n; i++) {
		uint64_t t0 = now_ns();
		int fd = kipc_open(0), ret;

		if (fd < 0) {
			series_fail(sk, "open #%u: %s", i, strerror(-fd));
			break;
		}
		snprintf(name, sizeof(name), "scale-%d-%u", getpid(), i);
		ret = kipc_create(fd, name, NULL);
		if (ret < 0) {
			series_fail(sk, "create #%u: %s", i, strerror(-ret));
			close(fd);
			break;
		}
		add_sample(sk, (now_ns() - t0) / 1000.0);
		fds[made++] = fd;
	}
	sk->moved = made;
	for (i = 0; i < n; i++) {
		uint64_t t0 = now_ns();
		int id = msgget(IPC_PRIVATE, IPC_CREAT | 0600);

		if (id < 0) {
			series_fail(ss, "msgget #%u: %s", i, strerror(errno));
			break;
		}
		add_sample(ss, (now_ns() - t0) / 1000.0);
		ids[qmade++] = id;
	}
	ss->moved = qmade;

	/* Listing, in-process: a netlink dump against reading /proc. */
	{
		struct nl nl;
		int ret = nl_open(&nl, KIPC_GENL_NAME);

		if (ret) {
			series_fail(lk, "netlink family: %s", strerror(-ret));
		} else {
			for (i = 0; i < cfg.list_reps + 1; i++) {
				uint64_t t0 = now_ns();

				ret = nl_list(&nl);
				if (ret < (int)made) {
					series_fail(lk, "dump listed %d of %u: %s", ret,
						    made, ret < 0 ? strerror(-ret) : "short");
					break;
				}
				if (i)	/* the first is the warm-up */
					add_sample(lk, (now_ns() - t0) / 1000.0);
			}
			lk->moved = made;
			series_note(lk, "netlink dump (libmnl), %u mailboxes", made);
			nl_close(&nl);
		}
	}
	for (i = 0; i < cfg.list_reps + 1; i++) {
		uint64_t t0 = now_ns();
		int ret = read_sysvipc();

		if (ret < (int)qmade) {
			series_fail(ls, "/proc/sysvipc/msg listed %d of %u", ret, qmade);
			break;
		}
		if (i)
			add_sample(ls, (now_ns() - t0) / 1000.0);
	}
	ls->moved = qmade;
	series_note(ls, "read(/proc/sysvipc/msg), %u queues", qmade);

	/* Listing by the tools people run: kipcctl against cat. */
	{
		char *kargv[] = { "kipcctl", "-j", "list", NULL };
		char *cargv[] = { "cat", "/proc/sysvipc/msg", NULL };
		double t = -1;

		for (i = 0; i < cfg.list_reps + 1; i++) {
			t = time_command(kargv);
			if (t < 0)
				break;
			if (i)
				add_sample(ck, t);
		}
		if (t < 0) {
			ck->ran = false;
			ck->n = 0;
			series_note(ck, "skipped: `kipcctl -j list` failed or is missing");
		} else {
			series_note(ck, "`kipcctl -j list >/dev/null`");
			ck->moved = made;
		}
		for (i = 0; i < cfg.list_reps + 1; i++) {
			t = time_command(cargv);
			if (t < 0) {
				series_fail(cs, "`cat /proc/sysvipc/msg` failed");
				break;
			}
			if (i)
				add_sample(cs, t);
		}
		series_note(cs, "`cat /proc/sysvipc/msg >/dev/null`");
		if (!cs->failed)
			cs->moved = qmade;
	}

	for (i = 0; i < made; i++) {
		if (kipc_destroy(fds[i]))
			fail("scale: destroy: %s", strerror(errno));
		close(fds[i]);
	}
	for (i = 0; i < qmade; i++)
		msgctl(ids[i], IPC_RMID, NULL);
	if (old_max >= 0)
		write_param(P_MAX_MAILBOXES, old_max);
	if (old_mni >= 0)
		write_param(P_MSGMNI, old_mni);
	setrlimit(RLIMIT_NOFILE, &old_rl);
	free(fds);
	free(ids);
}

/* ------------------------------------------------------------ memory */

/* Flushes the per-CPU slabs of the kmalloc caches (SLUB's shrink). */
static void slab_shrink(void)
{
	char path[PATH_MAX];
	struct dirent *d;
	DIR *dir = opendir("/sys/kernel/slab");

	if (!dir)
		return;
	while ((d = readdir(dir)))
		if (!strncmp(d->d_name, "kmalloc-", 8)) {
			snprintf(path, sizeof(path), "/sys/kernel/slab/%s/shrink", d->d_name);
			write_file_str(path, "1");
		}
	closedir(dir);
}

/*
 * Bytes in use in the general-purpose slab caches (active_objs * objsize of
 * kmalloc-*, where kipc, SysV and POSIX messages live), or -1. Read after
 * slab_shrink(), so that no object sits uncounted in a per-CPU slab.
 */
static int64_t slab_bytes(void)
{
	FILE *f;

	slab_shrink();
	f = fopen("/proc/slabinfo", "r");
	char line[512], name[64];
	unsigned long active, num, objsize;
	int64_t total = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %lu %lu %lu", name, &active, &num, &objsize) == 4 &&
		    !strncmp(name, "kmalloc-", 8))
			total += (int64_t)active * objsize;
	fclose(f);
	return total;
}

/* The kmalloc size class an allocation of @n bytes lands in (x86-64). */
static uint64_t kmalloc_class(uint64_t n)
{
	uint64_t c = 8;

	if (n > 64 && n <= 96)
		return 96;
	if (n > 128 && n <= 192)
		return 192;
	while (c < n)
		c <<= 1;
	return c;
}

/*
 * What kmod/msg.c allocates for a message of @size whose header (and
 * payload) is charged as @charged bytes: one object, or, for a payload of
 * 1 KiB or more that the header would push into the next class, two.
 */
static uint64_t kipc_alloc_bytes(uint64_t charged, uint64_t size)
{
	uint64_t hdr = charged - size;

	if (size >= 1024 && kmalloc_class(charged) > kmalloc_class(size))
		return kmalloc_class(hdr) + kmalloc_class(size);
	return kmalloc_class(charged);
}

/*
 * Queues cfg.mem_n messages of @size, three times; reports the slab bytes
 * per message beyond the payload. For kipc also the module's own figure
 * (charged bytes, headers included) and the size class that implies.
 */
static void memory(enum mech m, unsigned size)
{
	char group[48], buf[MAX_MSG];
	unsigned n = cfg.mem_n, i, rep;
	struct series *s, *sc = NULL, *sk = NULL;
	int64_t slab0, slab1, ch0 = -1, ch1 = -1;
	struct chan *c = xcalloc(1, sizeof(*c));
	int ret;

	snprintf(group, sizeof(group), "memory per queued msg, %u B", size);
	s = get_series(group, mech_name[m], "B", false);
	s->ran = true;
	if (m == M_KIPC) {
		sc = get_series(group, "kipc (charged)", "B", false);
		sk = get_series(group, "kipc (kmalloc class)", "B", false);
		sc->ran = sk->ran = true;
	}
	ret = chan_open(c, m, size, n);
	if (ret) {
		series_fail(s, "setup: %s", strerror(-ret));
		free(c);
		return;
	}
	memset(buf, 0x33, sizeof(buf));
	for (rep = 0; rep < 3 && !s->failed; rep++) {
		if (m == M_KIPC)
			ch0 = kipc_charged();
		slab0 = slab_bytes();
		for (i = 0; i < n; i++) {
			put_seq(buf, i);
			if (chan_send(c, buf, size)) {
				series_fail(s, "send %u of %u: %s", i, n, strerror(errno));
				break;
			}
		}
		slab1 = slab_bytes();
		if (m == M_KIPC)
			ch1 = kipc_charged();
		if (slab0 >= 0 && slab1 >= 0 && i == n)
			add_sample(s, (double)(slab1 - slab0) / n - size);
		if (sc && ch0 >= 0 && ch1 >= 0 && i == n) {
			double per = (double)(ch1 - ch0) / n;

			add_sample(sc, per - size);
			add_sample(sk, (double)kipc_alloc_bytes((uint64_t)(per + 0.5),
							       size) - size);
		}
		for (i = 0; i < n && !s->failed; i++) {
			if (c->m == M_KIPC) {
				ret = kipc_recv(c->fd[0], buf, size, 0, KIPC_NONBLOCK, 0);
			} else if (c->m == M_MQ) {
				struct timespec ts = { 0 };

				ret = mq_timedreceive(c->mq, buf, MAX_MSG, NULL, &ts);
			} else {
				ret = msgrcv(c->msqid, &c->sysv, MAX_MSG, 0, IPC_NOWAIT);
				memcpy(buf, c->sysv.mtext, sizeof(uint64_t));
			}
			if (ret != (int)size || get_seq(buf) != i)
				series_fail(s, "drained %u of %u", i, n);
		}
		if (!s->failed)
			s->moved += n;
	}
	series_note(s, "/proc/slabinfo kmalloc-* delta over %u messages, x3", n);
	if (sc) {
		sc->moved = sk->moved = s->moved;
		if (!sc->n) {
			sc->ran = sk->ran = false;
			series_note(sc, "skipped: no KIPC_A_STATS_CHARGED_BYTES");
			series_note(sk, "skipped: no KIPC_A_STATS_CHARGED_BYTES");
		} else {
			series_note(sc, "the module's charged bytes (netlink stats)");
			series_note(sk, "what kmod/msg.c allocates, in kmalloc classes");
		}
	}
	chan_close(c);
	free(c);
}

/* ------------------------------------------------------------ the plan */

static const enum mech rt_mechs[] = { M_KIPC, M_PIPE, M_SOCK, M_MQ, M_SYSV, M_FUTEX };
static const enum mech tp_mechs[] = { M_KIPC, M_KIPCV, M_PIPE, M_SOCK, M_MQ, M_SYSV };
static const enum mech fan_mechs[] = { M_KIPC, M_MQ, M_SYSV };
static const unsigned rt_sizes[] = { 64, 1024, 4096 };
static const unsigned tp_sizes[] = { 64, 4096 };

static void run_all(void)
{
	char group[48];
	int t;
	size_t j, k;

	nshm = shared_map(4096);
	/* First, while the slab caches are quiet. */
	note("memory per queued message");
	for (k = 0; k < ARRAY_SIZE(tp_sizes); k++) {
		memory(M_KIPC, tp_sizes[k]);
		memory(M_MQ, tp_sizes[k]);
		memory(M_SYSV, tp_sizes[k]);
	}
	for (t = 0; t < cfg.trials; t++) {
		note("trial %d of %d", t + 1, cfg.trials);
		null_ioctl(get_series("floor: one syscall", "null ioctl (kipc)", "us", false));
		null_syscall(get_series("floor: one syscall", "getppid", "us", false));
		for (k = 0; k < ARRAY_SIZE(rt_sizes); k++) {
			snprintf(group, sizeof(group), "round trip %u B", rt_sizes[k]);
			for (j = 0; j < ARRAY_SIZE(rt_mechs); j++) {
				enum mech m = rt_mechs[(j + t) % ARRAY_SIZE(rt_mechs)];

				round_trip(m, rt_sizes[k],
					   get_series(group, mech_name[m], "us", false));
			}
		}
		for (k = 0; k < ARRAY_SIZE(tp_sizes); k++) {
			snprintf(group, sizeof(group), "throughput %u B", tp_sizes[k]);
			for (j = 0; j < ARRAY_SIZE(tp_mechs); j++) {
				enum mech m = tp_mechs[(j + t) % ARRAY_SIZE(tp_mechs)];

				throughput(m, tp_sizes[k],
					   get_series(group, mech_name[m], "msg/s", true));
			}
		}
		for (j = 0; j < ARRAY_SIZE(fan_mechs); j++) {
			enum mech m = fan_mechs[(j + t) % ARRAY_SIZE(fan_mechs)];

			fan_in(m, get_series("fan-in 4 -> 1, 64 B", mech_name[m],
					     "msg/s", true));
		}
		for (j = 0; j < NR_NOTIFY; j++) {
			enum notify_kind n = (j + t) % NR_NOTIFY;

			notification(n, get_series(notify_desc[n].group,
						   notify_desc[n].mech, "us", false));
		}
	}
	note("scale: %u mailboxes and %u SysV queues", cfg.scale_n, cfg.scale_n);
	scale();
}

/* ------------------------------------------------------------ output */

static const struct series *kipc_of(const struct series *s)
{
	for (size_t i = 0; i < nseries; i++)
		if (!strcmp(series[i].group, s->group) &&
		    !strcmp(series[i].mech, "kipc") && series[i].n)
			return &series[i];
	return NULL;
}

static const struct series *find(const char *group, const char *mech)
{
	for (size_t i = 0; i < nseries; i++)
		if (!strcmp(series[i].group, group) && !strcmp(series[i].mech, mech))
			return series[i].n ? &series[i] : NULL;
	return NULL;
}

static void fmt_num(char *buf, size_t size, double v, const char *unit)
{
	if (!strcmp(unit, "msg/s"))
		snprintf(buf, size, "%.0f", v);
	else if (!strcmp(unit, "B"))
		snprintf(buf, size, "%.0f", v);
	else if (v >= 1000)
		snprintf(buf, size, "%.0f", v);
	else if (v >= 10)
		snprintf(buf, size, "%.1f", v);
	else
		snprintf(buf, size, "%.2f", v);
}

static const char *unit_md(const char *unit)
{
	return !strcmp(unit, "us") ? "µs" : unit;
}

struct target {
	const char *what;
	double value, limit;	/* holds when value <= limit */
	bool known;
};

static int targets(struct target *tg)
{
	const struct series *a, *b;
	int n = 0;

#define TARGET(text, num, den, lim) do {					\
	a = (num); b = (den);							\
	tg[n].what = (text);							\
	tg[n].known = a && b && b->med > 0;					\
	tg[n].value = tg[n].known ? a->med / b->med : 0;			\
	tg[n].limit = (lim);							\
	n++;									\
} while (0)
	TARGET("64 B round trip: kipc / POSIX mq <= 1.0",
	       find("round trip 64 B", "kipc"), find("round trip 64 B", "POSIX mq"), 1.0);
	TARGET("64 B round trip: kipc / pipe <= 1.0",
	       find("round trip 64 B", "kipc"), find("round trip 64 B", "pipe"), 1.0);
	TARGET("64 B round trip: kipc / futex floor <= 1.10",
	       find("round trip 64 B", "kipc"), find("round trip 64 B", "futex (floor)"), 1.10);
	/* Throughput: the ratio is inverted so that "<=" reads the same. */
	TARGET("64 B throughput: POSIX mq / kipc <= 1.0 (kipc >= 1.0 x mq)",
	       find("throughput 64 B", "POSIX mq"), find("throughput 64 B", "kipc"), 1.0);
	TARGET("64 B throughput: SysV / kipc batched <= 0.333 (batched >= 3 x SysV)",
	       find("throughput 64 B", "SysV msg"), find("throughput 64 B", "kipc batched"),
	       1.0 / 3);
	TARGET("list: kipc netlink / /proc/sysvipc/msg <= 1.0 (in-process)",
	       find("list all queues (in-process)", "kipc"),
	       find("list all queues (in-process)", "SysV msg"), 1.0);
	TARGET("list: kipcctl -j list / cat /proc/sysvipc/msg <= 1.0",
	       find("list all queues (command)", "kipc"),
	       find("list all queues (command)", "SysV msg"), 1.0);
#undef TARGET
	a = find("memory per queued msg, 64 B", "kipc (charged)");
	tg[n] = (struct target){ "per-message overhead, charged, 64 B: <= 64 B",
				 a ? a->med : 0, 64, a != NULL };
	n++;
	a = find("memory per queued msg, 64 B", "kipc");
	tg[n] = (struct target){ "per-message overhead, slab, 64 B: <= 64 B",
				 a ? a->med : 0, 64, a != NULL };
	n++;
	a = find("memory per queued msg, 64 B", "kipc (kmalloc class)");
	tg[n] = (struct target){ "per-message overhead, kmalloc class, 64 B: <= 64 B",
				 a ? a->med : 0, 64, a != NULL };
	n++;
	a = find("memory per queued msg, 4096 B", "kipc (kmalloc class)");
	tg[n] = (struct target){ "per-message overhead, kmalloc class, 4 KiB: <= 64 B",
				 a ? a->med : 0, 64, a != NULL };
	n++;
	a = find("memory per queued msg, 4096 B", "kipc");
	tg[n] = (struct target){ "per-message overhead, slab, 4 KiB: <= 64 B",
				 a ? a->med : 0, 64, a != NULL };
	n++;
	return n;
}

static void write_md(FILE *f, const char *env)
{
	struct target tg[16];
	const char *last = "";
	int nt, i;

	fprintf(f, "### kipc-bench%s\n\n%s\n\n", cfg.quick ? " --quick" : "", env);
	fprintf(f, "Median, p99, min and max over all samples of %d interleaved trial%s "
		"(latency: one sample per operation; throughput: one per trial, "
		"and its p99 is the low tail). `× kipc` is the median divided by "
		"kipc's: below 1 is faster for times and bytes, slower for rates. "
		"Under emulation only the ratios mean something.\n\n",
		cfg.trials, cfg.trials > 1 ? "s" : "");
	fprintf(f, "| measurement | mechanism | median | p99 | min | max | unit | × kipc | notes |\n");
	fprintf(f, "|---|---|---:|---:|---:|---:|---|---:|---|\n");
	for (size_t k = 0; k < nseries; k++) {
		const struct series *s = &series[k], *kp = kipc_of(s);
		char med[32], p99[32], mn[32], mx[32], ratio[32], extra[96];

		if (!s->n) {
			fprintf(f, "| %s | %s | — | — | — | — | %s | — | %s |\n",
				strcmp(last, s->group) ? s->group : "", s->mech,
				unit_md(s->unit), s->note[0] ? s->note : "no samples");
			last = s->group;
			continue;
		}
		fmt_num(med, sizeof(med), s->med, s->unit);
		fmt_num(p99, sizeof(p99), s->p99, s->unit);
		fmt_num(mn, sizeof(mn), s->min, s->unit);
		fmt_num(mx, sizeof(mx), s->max, s->unit);
		if (kp && kp->med != 0)
			snprintf(ratio, sizeof(ratio), "%.2f", s->med / kp->med);
		else
			snprintf(ratio, sizeof(ratio), "—");
		extra[0] = '\0';
		if (s->msg_size)
			snprintf(extra, sizeof(extra), "%.1f MB/s%s", s->med * s->msg_size / 1e6,
				 s->note[0] ? "; " : "");
		fprintf(f, "| %s | %s | %s | %s | %s | %s | %s | %s | %s%s |\n",
			strcmp(last, s->group) ? s->group : "", s->mech, med, p99, mn, mx,
			unit_md(s->unit), ratio, extra, s->note);
		last = s->group;
	}
	nt = targets(tg);
	fprintf(f, "\n#### Targets of issue 8 (medians)\n\n| target | value | holds |\n|---|---:|---|\n");
	for (i = 0; i < nt; i++)
		if (tg[i].known)
			fprintf(f, "| %s | %.3f | %s |\n", tg[i].what, tg[i].value,
				tg[i].value <= tg[i].limit ? "yes" : "**no**");
		else
			fprintf(f, "| %s | — | not measured |\n", tg[i].what);
}

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static void write_json(FILE *f, const char *kernel, const char *clocksource)
{
	struct target tg[16];
	int nt = targets(tg), i;

	fprintf(f, "{\n  \"tool\": \"kipc-bench\",\n  \"quick\": %s,\n  \"trials\": %d,\n",
		cfg.quick ? "true" : "false", cfg.trials);
	fprintf(f, "  \"kernel\": ");
	json_str(f, kernel);
	fprintf(f, ",\n  \"cpus\": %ld,\n  \"clocksource\": ", sysconf(_SC_NPROCESSORS_ONLN));
	json_str(f, clocksource);
	fprintf(f, ",\n  \"failures\": %d,\n  \"results\": [\n", failures);
	for (size_t k = 0; k < nseries; k++) {
		const struct series *s = &series[k], *kp = kipc_of(s);

		fprintf(f, "    {\"measurement\": ");
		json_str(f, s->group);
		fprintf(f, ", \"mechanism\": ");
		json_str(f, s->mech);
		fprintf(f, ", \"unit\": ");
		json_str(f, s->unit);
		fprintf(f, ", \"samples\": %zu, \"messages\": %" PRIu64 ", \"ran\": %s, \"failed\": %s",
			s->n, s->moved, s->ran ? "true" : "false", s->failed ? "true" : "false");
		if (s->n) {
			fprintf(f, ", \"median\": %.6g, \"p99\": %.6g, \"min\": %.6g, \"max\": %.6g",
				s->med, s->p99, s->min, s->max);
			if (s->msg_size)
				fprintf(f, ", \"mb_per_s\": %.6g", s->med * s->msg_size / 1e6);
			if (kp && kp->med != 0)
				fprintf(f, ", \"ratio_to_kipc\": %.4f", s->med / kp->med);
		}
		fprintf(f, ", \"note\": ");
		json_str(f, s->note);
		fprintf(f, "}%s\n", k + 1 < nseries ? "," : "");
	}
	fprintf(f, "  ],\n  \"targets\": [\n");
	for (i = 0; i < nt; i++) {
		fprintf(f, "    {\"target\": ");
		json_str(f, tg[i].what);
		if (tg[i].known)
			fprintf(f, ", \"value\": %.4f, \"limit\": %.4f, \"holds\": %s}",
				tg[i].value, tg[i].limit,
				tg[i].value <= tg[i].limit ? "true" : "false");
		else
			fprintf(f, ", \"value\": null, \"holds\": null}");
		fprintf(f, "%s\n", i + 1 < nt ? "," : "");
	}
	fprintf(f, "  ]\n}\n");
}

/* Round-trip medians, one line per mechanism, for gnuplot. */
static void write_dat(FILE *f)
{
	fprintf(f, "# mechanism rt64_us rt1k_us rt4k_us (medians)\n");
	for (size_t j = 0; j < ARRAY_SIZE(rt_mechs); j++) {
		const char *m = mech_name[rt_mechs[j]];

		fprintf(f, "\"%s\"", m);
		for (size_t k = 0; k < ARRAY_SIZE(rt_sizes); k++) {
			char group[48];
			const struct series *s;

			snprintf(group, sizeof(group), "round trip %u B", rt_sizes[k]);
			s = find(group, m);
			fprintf(f, " %.3f", s ? s->med : NAN);
		}
		fputc('\n', f);
	}
}

static FILE *open_out(const char *name)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", cfg.out, name);
	f = fopen(path, "w");
	if (!f)
		fail("cannot write %s: %s", path, strerror(errno));
	return f;
}

static void mkdir_p(const char *dir)
{
	char path[PATH_MAX], *p;

	snprintf(path, sizeof(path), "%s", dir);
	for (p = path + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			mkdir(path, 0755);
			*p = '/';
		}
	mkdir(path, 0755);
}

/* Every mechanism must have run and moved every message. */
static void check_all_ran(void)
{
	for (size_t k = 0; k < nseries; k++) {
		const struct series *s = &series[k];

		if (s->ran && !s->failed && !s->n)
			fail("%s, %s: no samples", s->group, s->mech);
		if (s->ran && !s->failed && !s->moved)
			fail("%s, %s: moved no messages", s->group, s->mech);
	}
}

/* ------------------------------------------------------------ profiling */

/* Streams 64 B messages of one mechanism for `perf record`; no output. */
static int profile(const char *what)
{
	for (int m = 0; m < NR_MECH; m++) {
		if (strcmp(what, mech_name[m]))
			continue;
		struct series *s = get_series("profile", what, "msg/s", true);
		double r = stream(m, 64, 1, cfg.tp_n / 10, cfg.tp_n, s);

		printf("%s: %.0f msg/s over %u messages\n", what, r, cfg.tp_n);
		return r > 0 ? 0 : 1;
	}
	fprintf(stderr, "kipc-bench: --profile: unknown mechanism '%s'\n", what);
	return 2;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: kipc-bench [--quick] [--trials N] [--out DIR] [--profile MECH [--messages N]]\n"
		"  --quick     a smoke test: few messages, one trial (well under a minute)\n"
		"  --trials N  interleaved trials (default 5)\n"
		"  --out DIR   results.md, results.json, latency.dat (default build/bench)\n"
		"  --profile M only stream 64 B messages of mechanism M (\"kipc\", \"pipe\", ...)\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART */
	const char *prof = NULL;
	char env[512], clocksource[64] = "?", kernel[256];
	struct utsname u;
	FILE *f;
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--quick"))
			quick_config();
		else if (!strcmp(argv[i], "--trials") && i + 1 < argc)
			cfg.trials = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--out") && i + 1 < argc)
			cfg.out = argv[++i];
		else if (!strcmp(argv[i], "--profile") && i + 1 < argc)
			prof = argv[++i];
		else if (!strcmp(argv[i], "--messages") && i + 1 < argc)
			cfg.tp_n = atoi(argv[++i]);
		else
			usage();
	}
	if (cfg.trials < 1)
		usage();
	sigaction(SIGALRM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* POSIX queues count against RLIMIT_MSGQUEUE, even root's. */
	{
		struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };

		if (setrlimit(RLIMIT_MSGQUEUE, &rl))
			note("cannot raise RLIMIT_MSGQUEUE: %s", strerror(errno));
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (prof)
		return profile(prof);

	uname(&u);
	snprintf(kernel, sizeof(kernel), "%s %s %s", u.sysname, u.release, u.machine);
	read_file_str("/sys/devices/system/clocksource/clocksource0/current_clocksource",
		      clocksource, sizeof(clocksource));
	snprintf(env, sizeof(env), "Kernel %s, %ld CPUs, clocksource %s, pid %d.",
		 kernel, sysconf(_SC_NPROCESSORS_ONLN), clocksource, getpid());

	run_all();
	for (size_t k = 0; k < nseries; k++)
		series_stats(&series[k]);
	check_all_ran();

	mkdir_p(cfg.out);
	write_md(stdout, env);
	if ((f = open_out("results.md"))) {
		write_md(f, env);
		fclose(f);
	}
	if ((f = open_out("results.json"))) {
		write_json(f, kernel, clocksource);
		fclose(f);
	}
	if ((f = open_out("latency.dat"))) {
		write_dat(f);
		fclose(f);
	}
	if (failures) {
		fprintf(stderr, "kipc-bench: %d failure%s\n", failures, failures > 1 ? "s" : "");
		return 1;
	}
	return 0;
}
