// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-fuzz: a seeded random ioctl fuzzer for /dev/kipc.
 *
 *   kipc-fuzz [-n IOCTLS] [-s SEED] [-p PROCS]
 *
 * PROCS fuzzer processes (default 4; half of them drop to uid 65534) share
 * IOCTLS ioctls (default 1,000,000). Each picks, from its own PRNG seeded
 * with (SEED, its index), a handle from a small pool (fresh, attached,
 * created, non-blocking; sometimes closed and reopened), a command (mostly
 * the real ones, sometimes a random one) and an argument: NULL, a small
 * integer, an unmapped or kernel address, a read-only page, a struct
 * straddling a guard page, or a buffer of random bytes, often shaped like the
 * real struct (valid payload pointers, names from a shared pool, small
 * lengths). Meanwhile a churn process creates, fills, drains and destroys
 * the pool's mailboxes and a sender process sends into them. A 10 ms
 * interval timer interrupts whatever blocks (EINTR paths).
 * Each process's call sequence is reproducible from the seed; the
 * interleaving is not. Prints the seed and counts; exits 0 unless a
 * process died or the module stopped working afterwards.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "libkipc.h"
#include "kipc-stress.h"

#define NNAMES		8
#define NHANDLES	6
#define NERR		160

static const unsigned long real_cmds[] = {
	KIPC_IOC_VERSION, KIPC_IOC_CREATE, KIPC_IOC_ATTACH, KIPC_IOC_DESTROY,
	KIPC_IOC_STAT, KIPC_IOC_SET, KIPC_IOC_SEND, KIPC_IOC_RECV,
	KIPC_IOC_SENDV, KIPC_IOC_RECVV, KIPC_IOC_NOTIFY, KIPC_IOC_CALL,
	KIPC_IOC_REPLY, KIPC_IOC_REPLY_RECV,
};
#define NCMDS (sizeof(real_cmds) / sizeof(real_cmds[0]))

/* Per-process counters, in shared memory so the parent can sum them. */
struct counts {
	uint64_t calls, ok, real, random;
	uint64_t err[NERR];
	uint64_t cmd_ok[NCMDS];
	int max_id;
};

static struct counts *shared;
static uint64_t opt_n = 1000000, opt_seed;
static int opt_procs = 4;
static volatile sig_atomic_t stop;
static long page;
static unsigned char *ro_page, *guard_edge;
static uint64_t run_tag;

static void on_alarm(int sig) { (void)sig; }
static void on_term(int sig) { (void)sig; stop = 1; }

static void pool_name(char *dst, struct rng *r)
{
	memset(dst, 0, KIPC_NAME_MAX);
	snprintf(dst, KIPC_NAME_MAX, "fz-%" PRIx64 "-%u", run_tag, rng_below(r, NNAMES));
}

/* Random bytes shaped like the struct @cmd takes, with some fields sane. */
static void shape(struct rng *r, unsigned long cmd, unsigned char *arg,
		  unsigned char *payload, struct kipc_msg *arr)
{
	bool sane = rng_below(r, 4) != 0;	/* 3 in 4: mostly valid */
	uint32_t pick = rng_below(r, 16);

	rng_fill(r, arg, 512);
	if (!sane)
		return;
	switch (cmd) {
	case KIPC_IOC_VERSION:
		memset(arg, 0, sizeof(struct kipc_version));
		break;
	case KIPC_IOC_CREATE: {
		struct kipc_create *c = (void *)arg;

		c->size = pick ? sizeof(*c) : rng_below(r, 200);
		c->flags = pick < 12 ? KIPC_CREATE_TEMP * rng_below(r, 2) : c->flags;
		pool_name(c->name, r);
		c->mode = pick < 14 ? 0666 : c->mode;
		c->capacity = rng_below(r, 3) ? rng_below(r, 80) : c->capacity;
		c->capacity_bytes = rng_below(r, 2) ? 0 : rng_below(r, 1 << 20);
		c->max_msg_size = rng_below(r, 2) ? 0 : rng_below(r, 9000);
		memset(arg + sizeof(*c), 0, 512 - sizeof(*c));
		break;
	}
	case KIPC_IOC_ATTACH: {
		struct kipc_attach *a = (void *)arg;

		a->flags = pick < 4 ? KIPC_ATTACH_BY_ID : (pick < 14 ? 0 : a->flags);
		if (a->flags == KIPC_ATTACH_BY_ID) {
			memset(a->name, 0, sizeof(a->name));
			a->id = 1 + rng_below(r, shared[0].max_id + 16);
		} else {
			a->id = 0;
			pool_name(a->name, r);
		}
		break;
	}
	case KIPC_IOC_STAT: {
		struct kipc_stat *s = (void *)arg;

		s->size = pick ? sizeof(*s) : rng_below(r, 300);
		s->flags = pick < 14 ? 0 : s->flags;
		memset(arg + sizeof(*s), 0, 512 - sizeof(*s));
		break;
	}
	case KIPC_IOC_SET: {
		struct kipc_set *s = (void *)arg;

		s->flags = rng_below(r, 16);
		s->mode = s->flags & KIPC_SET_MODE ? (rng_below(r, 2) ? 0666 : 0600) : 0;
		s->capacity = s->flags & KIPC_SET_CAPACITY ? rng_below(r, 100) : 0;
		s->capacity_bytes = s->flags & KIPC_SET_CAPACITY_BYTES ?
				    rng_below(r, 1 << 18) : 0;
		s->max_msg_size = s->flags & KIPC_SET_MAX_MSG_SIZE ? rng_below(r, 9000) : 0;
		break;
	}
	case KIPC_IOC_SEND:
	case KIPC_IOC_RECV: {
		struct kipc_msg *m = (void *)arg;

		m->buf = pick ? (uintptr_t)payload : m->buf;
		m->len = rng_below(r, 4) ? rng_below(r, 4096) : (uint32_t)rng_next(r);
		m->flags = pick < 12 ? (rng_next(r) & 7) : m->flags;
		m->type = rng_below(r, 4);
		m->priority = rng_below(r, 40);
		m->timeout_ns = rng_below(r, 2) ? 0 : rng_below(r, 3000000);
		m->__pad = pick < 15 ? 0 : m->__pad;
		break;
	}
	case KIPC_IOC_SENDV:
	case KIPC_IOC_RECVV: {
		struct kipc_msgv *v = (void *)arg;
		uint32_t n = rng_below(r, 70);

		for (uint32_t i = 0; i < 64; i++) {
			rng_fill(r, &arr[i], sizeof(arr[i]));
			if (rng_below(r, 8)) {
				arr[i].buf = (uintptr_t)payload;
				arr[i].len = rng_below(r, 4096);
				arr[i].flags = rng_below(r, 4) ? 0 : KIPC_RECV_TRUNCATE;
				arr[i].timeout_ns = 0;
				arr[i].__pad = 0;
				arr[i].priority = rng_below(r, 32);
				arr[i].type = rng_below(r, 3);
			}
		}
		v->msgs = pick ? (uintptr_t)arr : v->msgs;
		v->count = pick < 15 ? n : v->count;
		v->flags = pick < 14 ? KIPC_NONBLOCK * rng_below(r, 2) : v->flags;
		v->timeout_ns = rng_below(r, 2) ? 0 : rng_below(r, 2000000);
		break;
	}
	case KIPC_IOC_CALL: {
		struct kipc_call *c = (void *)arg;

		c->buf = pick ? (uintptr_t)payload : c->buf;
		c->len = rng_below(r, 4) ? rng_below(r, 4096) : c->len;
		c->flags = pick < 12 ? KIPC_NONBLOCK * rng_below(r, 2) : c->flags;
		c->type = rng_below(r, 4);
		c->priority = rng_below(r, 40);
		/* Mostly bounded: an unanswered call waits for its timeout. */
		c->timeout_ns = pick < 15 ? 1 + rng_below(r, 3000000) : 0;
		c->reply_buf = pick < 14 ? (uintptr_t)payload + 8192 : c->reply_buf;
		c->reply_len = rng_below(r, 4) ? rng_below(r, 8192) : c->reply_len;
		c->__pad = pick < 15 ? 0 : c->__pad;
		c->seq = pick < 15 ? 0 : rng_below(r, 64);
		break;
	}
	case KIPC_IOC_REPLY_RECV:
	case KIPC_IOC_REPLY: {
		struct kipc_reply_recv *rr = (void *)arg;
		struct kipc_msg *m = &rr->msg;

		rr->reply.seq = rng_below(r, 4) ? rng_below(r, 256) : rr->reply.seq;
		rr->reply.buf = pick ? (uintptr_t)payload : rr->reply.buf;
		rr->reply.len = rng_below(r, 4) ? rng_below(r, 4096) : rr->reply.len;
		rr->reply.flags = pick < 15 ? 0 : rr->reply.flags;
		m->buf = pick ? (uintptr_t)payload + 16384 : m->buf;
		m->len = rng_below(r, 4096);
		m->flags = pick < 12 ? (rng_next(r) & 7) : m->flags;
		m->type = rng_below(r, 4);
		m->timeout_ns = rng_below(r, 2) ? 1 + rng_below(r, 3000000) : 0;
		m->__pad = pick < 15 ? 0 : m->__pad;
		break;
	}
	case KIPC_IOC_NOTIFY: {
		struct kipc_notify *k = (void *)arg;

		k->signo = pick < 8 ? 0 : (pick < 15 ? SIGRTMIN + rng_below(r, 4) :
					    k->signo);
		k->flags = pick < 15 ? rng_below(r, 4) : k->flags;
		break;
	}
	}
}

static int open_handle(struct rng *r)
{
	return open(KIPC_DEVICE, O_RDWR | O_CLOEXEC | (rng_below(r, 4) ? 0 : O_NONBLOCK));
}

static void fuzzer(int idx, uint64_t iters)
{
	struct counts *c = &shared[1 + idx];
	struct rng r = { opt_seed * 0x100000001b3ull + idx };
	static unsigned char argbuf[8192] __attribute__((aligned(64)));
	static unsigned char payload[1 << 16];
	static struct kipc_msg arr[64];
	int fds[NHANDLES];

	/* Notification signals: ignore them (they still get delivered/queued). */
	for (int s = SIGRTMIN; s < SIGRTMIN + 4; s++)
		signal(s, SIG_IGN);
	if (idx & 1) {
		if (setgid(65534) || setuid(65534))
			perror("kipc-fuzz: setuid");
	}
	for (int i = 0; i < NHANDLES; i++)
		fds[i] = open_handle(&r);
	rng_fill(&r, payload, sizeof(payload));

	for (uint64_t it = 0; it < iters && !stop; it++) {
		int h = rng_below(&r, NHANDLES), ret;
		unsigned long cmd;
		void *arg;
		uint32_t sel = rng_below(&r, 100), ci = 0;

		/* Sometimes replace a handle (release, detach, temp destroy). */
		if (!rng_below(&r, 200)) {
			close(fds[h]);
			fds[h] = open_handle(&r);
		}
		if (sel < 88) {
			ci = rng_below(&r, NCMDS);
			cmd = real_cmds[ci];
			c->real++;
		} else if (sel < 94) {
			/* Real number, wrong size or direction. */
			cmd = _IOC(rng_below(&r, 4), KIPC_IOC_MAGIC, rng_below(&r, 16),
				   rng_below(&r, 1 << 14));
			c->random++;
			ci = NCMDS;
		} else {
			cmd = (uint32_t)rng_next(&r);
			c->random++;
			ci = NCMDS;
		}

		switch (rng_below(&r, 20)) {
		case 0: arg = NULL; break;
		case 1: arg = (void *)(uintptr_t)rng_below(&r, 65536); break;
		case 2: arg = (void *)0xffffffff81000000ul; break;
		case 3: arg = (void *)(uintptr_t)rng_next(&r); break;
		case 4: arg = ro_page + rng_below(&r, page); break;
		case 5: /* straddling the guard page */
			shape(&r, cmd, argbuf, payload, arr);
			arg = guard_edge + page - 1 - rng_below(&r, 64);
			memcpy(arg, argbuf, guard_edge + page - (unsigned char *)arg);
			break;
		default:
			shape(&r, cmd, argbuf, payload, arr);
			arg = argbuf + (rng_below(&r, 8) ? 0 : rng_below(&r, 8));
			if (arg != argbuf)
				memmove(arg, argbuf, 512);
			break;
		}
		ret = ioctl(fds[h], cmd, arg);
		c->calls++;
		if (ret >= 0) {
			c->ok++;
			if (ci < NCMDS)
				c->cmd_ok[ci]++;
			if (cmd == KIPC_IOC_CREATE && ((struct kipc_create *)arg)->id > (uint32_t)c->max_id)
				c->max_id = ((struct kipc_create *)arg)->id;
		} else {
			int e = errno;

			c->err[e < NERR ? e : 0]++;
			/* Dead or idle handles get few calls through: renew some. */
			if ((e == EIDRM || e == ENOTCONN) && rng_below(&r, 2)) {
				char name[KIPC_NAME_MAX];

				close(fds[h]);
				fds[h] = open_handle(&r);
				pool_name(name, &r);
				kipc_attach(fds[h], name);
			}
		}
	}
	for (int i = 0; i < NHANDLES; i++)
		close(fds[i]);
	_exit(0);
}

/* Creates, fills, drains and destroys the pool's mailboxes, until told. */
static void churn(int sender)
{
	struct rng r = { opt_seed ^ (0xc0ffee + sender) };
	char name[KIPC_NAME_MAX], buf[2048];

	while (!stop) {
		int fd = kipc_open(0), id;

		if (fd < 0)
			_exit(2);
		pool_name(name, &r);
		if (sender) {
			if (kipc_attach(fd, name) > 0)
				for (int i = 0; i < 16 && !stop; i++)
					kipc_send(fd, buf, rng_below(&r, sizeof(buf)),
						  rng_below(&r, 3), rng_below(&r, 32),
						  KIPC_NONBLOCK, 0);
		} else {
			struct kipc_create_opts o = { .mode = 0666,
						      .capacity = 1 + rng_below(&r, 32),
						      .flags = rng_below(&r, 3) ? 0 : KIPC_CREATE_TEMP };

			id = kipc_create(fd, name, &o);
			if (id > shared[0].max_id)
				shared[0].max_id = id;
			if (id < 0 && kipc_attach(fd, name) < 0) {
				close(fd);
				continue;
			}
			usleep(rng_below(&r, 3000));
			for (int i = 0; i < 8; i++)
				kipc_recv(fd, buf, sizeof(buf), 0, KIPC_NONBLOCK, 0);
			if (rng_below(&r, 2))
				kipc_destroy(fd);
		}
		close(fd);
	}
	_exit(0);
}

/* After the storm: the module still does its job, exactly. */
static int sanity(void)
{
	char name[KIPC_NAME_MAX], buf[16];
	int fd = kipc_open(0), ret;

	snprintf(name, sizeof(name), "fz-%" PRIx64 "-sanity", run_tag);
	if (fd < 0 || kipc_create(fd, name, &(struct kipc_create_opts){ .flags = KIPC_CREATE_TEMP }) < 0)
		return -1;
	if (kipc_send(fd, "alive", 5, 1, 0, 0, 0) ||
	    (ret = kipc_recv(fd, buf, sizeof(buf), 0, KIPC_NONBLOCK, 0)) != 5 ||
	    memcmp(buf, "alive", 5))
		return -1;
	close(fd);
	return 0;
}

/* Destroys what the run left: every pool name. */
static void cleanup(void)
{
	struct rng r = { 0 };

	(void)r;
	for (int i = 0; i < NNAMES; i++) {
		char name[KIPC_NAME_MAX];
		int fd = kipc_open(0);

		snprintf(name, sizeof(name), "fz-%" PRIx64 "-%d", run_tag, i);
		if (fd >= 0 && kipc_attach(fd, name) > 0)
			kipc_destroy(fd);
		if (fd >= 0)
			close(fd);
	}
}

int main(int argc, char **argv)
{
	pid_t pids[64], churners[2];
	struct itimerval tv = { { 0, 10000 }, { 0, 10000 } };
	struct sigaction sa = { .sa_handler = on_alarm };
	struct counts tot = { 0 };
	int opt, failed = 0;
	uint64_t t0 = time(NULL);

	opt_seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 16);
	while ((opt = getopt(argc, argv, "n:s:p:")) != -1) {
		switch (opt) {
		case 'n': opt_n = strtoull(optarg, NULL, 0); break;
		case 's': opt_seed = strtoull(optarg, NULL, 0); break;
		case 'p': opt_procs = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: kipc-fuzz [-n IOCTLS] [-s SEED] [-p PROCS]\n");
			return 2;
		}
	}
	if (opt_procs < 1 || opt_procs > 64)
		opt_procs = 4;
	run_tag = opt_seed & 0xffffff;
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("kipc-fuzz: seed=%" PRIu64 " ioctls=%" PRIu64 " procs=%d\n", opt_seed,
	       opt_n, opt_procs);

	page = sysconf(_SC_PAGESIZE);
	shared = mmap(NULL, sizeof(*shared) * (1 + opt_procs), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ro_page = mmap(NULL, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	guard_edge = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED || ro_page == MAP_FAILED || guard_edge == MAP_FAILED ||
	    mprotect(guard_edge + page, page, PROT_NONE)) {
		perror("kipc-fuzz: mmap");
		return 2;
	}
	memset(shared, 0, sizeof(*shared) * (1 + opt_procs));

	sigaction(SIGALRM, &sa, NULL);	/* no SA_RESTART: blocked calls see EINTR */
	signal(SIGTERM, on_term);
	signal(SIGPIPE, SIG_IGN);

	for (int i = 0; i < 2; i++) {
		churners[i] = fork();
		if (!churners[i])
			churn(i);
	}
	for (int i = 0; i < opt_procs; i++) {
		pids[i] = fork();
		if (!pids[i]) {
			setitimer(ITIMER_REAL, &tv, NULL);
			fuzzer(i, opt_n / opt_procs + (i < (int)(opt_n % opt_procs)));
		}
	}
	for (int i = 0; i < opt_procs; i++) {
		int status;

		while (waitpid(pids[i], &status, 0) < 0 && errno == EINTR)
			;
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			fprintf(stderr, "kipc-fuzz: fuzzer %d died (status %#x)\n", i, status);
			failed = 1;
		}
	}
	for (int i = 0; i < 2; i++) {
		int status;

		kill(churners[i], SIGTERM);
		waitpid(churners[i], &status, 0);
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			fprintf(stderr, "kipc-fuzz: churner %d died (status %#x)\n", i, status);
			failed = 1;
		}
	}
	for (int i = 1; i <= opt_procs; i++) {
		tot.calls += shared[i].calls;
		tot.ok += shared[i].ok;
		tot.real += shared[i].real;
		tot.random += shared[i].random;
		for (int e = 0; e < NERR; e++)
			tot.err[e] += shared[i].err[e];
		for (size_t k = 0; k < NCMDS; k++)
			tot.cmd_ok[k] += shared[i].cmd_ok[k];
	}
	cleanup();
	if (sanity()) {
		fprintf(stderr, "kipc-fuzz: the module no longer works after the run\n");
		failed = 1;
	}
	printf("kipc-fuzz: seed=%" PRIu64 " ioctls=%" PRIu64 " ok=%" PRIu64
	       " real=%" PRIu64 " random=%" PRIu64 " time=%" PRIu64 "s\n",
	       opt_seed, tot.calls, tot.ok, tot.real, tot.random,
	       (uint64_t)time(NULL) - t0);
	printf("kipc-fuzz: successes per command:");
	for (size_t k = 0; k < NCMDS; k++)
		printf(" %" PRIu64, tot.cmd_ok[k]);
	printf("\nkipc-fuzz: errnos:");
	for (int e = 0; e < NERR; e++)
		if (tot.err[e])
			printf(" %s=%" PRIu64, e ? strerrorname_np(e) ?: "?" : "other", tot.err[e]);
	printf("\n");
	if (tot.calls < opt_n && !failed) {
		fprintf(stderr, "kipc-fuzz: only %" PRIu64 " of %" PRIu64 " ioctls ran\n",
			tot.calls, opt_n);
		failed = 1;
	}
	printf("kipc-fuzz: %s\n", failed ? "FAIL" : "PASS");
	return failed;
}
