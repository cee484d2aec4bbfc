// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-bench's streaming: one-way throughput, fan-in, and many pairs each
 * on its own channel at once; and the numbered sending and checked
 * receiving that nonblock.c shares.
 */

#include <stdlib.h>
#include <unistd.h>
#include <sys/mman.h>

#include "bench.h"

/* @count numbered messages, batched where they can be (bench.h). */
int send_run(struct chan *c, uint64_t seq, unsigned count, unsigned size)
{
	char buf[MAX_MSG];
	unsigned i;

	if (c->ops->sendv) {
		for (i = 0; i < count; i += BATCH) {
			unsigned k = count - i < BATCH ? count - i : BATCH;

			if (c->ops->sendv(c, seq + i, k, size))
				return -1;
		}
		return 0;
	}
	memset(buf, 0x5a, size);
	for (i = 0; i < count; i++) {
		put_seq(buf, seq + i);
		if (chan_send(c, buf, size))
			return -1;
	}
	return 0;
}

/* A producer: sends @count messages numbered (id << 32) + 0, 1, ... */
static void __attribute__((noreturn))
producer(struct chan *c, unsigned id, unsigned count, unsigned size)
{
	_exit(send_run(c, (uint64_t)id << 32, count, size) ? 1 : 0);
}

/* What comes next, a batch or one message (bench.h). */
unsigned take(struct chan *c, unsigned size, char *buf, const char **msgs,
	      bool *bad)
{
	int r;

	if (!c->ops->recvv) {
		if (chan_recv(c, buf, size) != size)
			return 0;
		msgs[0] = buf;
		return 1;
	}
	r = c->ops->recvv(c, BATCH, size);
	if (r <= 0)
		return 0;
	for (int j = 0; j < r; j++) {
		if (c->v[j].len != size)
			*bad = true;
		msgs[j] = (const char *)(uintptr_t)c->v[j].buf;
	}
	return r;
}

/* Each of @msgs next from its producer? (bench.h) */
bool in_order(const char **msgs, unsigned k, uint64_t *next, unsigned nprod)
{
	for (unsigned j = 0; j < k; j++) {
		uint64_t seq = get_seq(msgs[j]);
		unsigned id = seq >> 32;

		if (id >= nprod || (seq & 0xffffffff) != next[id])
			return false;
		next[id]++;
	}
	return true;
}

/*
 * Takes @total messages from @nprod producers; times all after the first
 * @warm into *@t0 .. *@t1. Returns how many came; @bad if one was lost,
 * reordered or of a bad length.
 */
static unsigned consume(struct chan *c, unsigned size, unsigned nprod,
			unsigned warm, unsigned total, uint64_t *t0,
			uint64_t *t1, bool *bad)
{
	uint64_t next[PRODUCERS] = { 0 };
	char buf[MAX_MSG];
	unsigned got = 0;

	while (got < total && !*bad) {
		const char *msgs[BATCH];
		unsigned k;

		if (got == warm)
			*t0 = now_ns();
		k = take(c, size, buf, msgs, bad);
		if (!k)
			break;
		if (!in_order(msgs, k, next, nprod))
			*bad = true;
		/* A batch may straddle the end of the warm-up: fine. */
		if (got < warm && got + k > warm)
			*t0 = now_ns();
		got += k;
	}
	*t1 = now_ns();
	return got;
}

/*
 * @nprod producers stream into one consumer (this process), which takes
 * @warm messages untimed, then times @n more. Checks that each producer's
 * messages arrive complete and in order. Returns messages/s or -1.
 */
double stream(enum mech m, unsigned size, unsigned nprod,
	      unsigned warm, unsigned n, struct series *s)
{
	unsigned per = (warm + n) / nprod, total = per * nprod, got, i;
	pid_t pids[PRODUCERS] = { 0 };
	uint64_t t0 = 0, t1;
	bool bad = false;
	struct chan *c;
	double rate = -1;
	int ret;

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
	got = consume(c, size, nprod, warm, total, &t0, &t1, &bad);
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

void throughput(enum mech m, unsigned size, struct series *s)
{
	double r;

	s->ran = true;
	s->msg_size = size;
	r = stream(m, size, 1, cfg.tp_warm, cfg.tp_n, s);
	if (r > 0)
		add_sample(s, r);
}

void fan_in(enum mech m, struct series *s)
{
	double r;

	s->ran = true;
	s->msg_size = 64;
	r = stream(m, 64, PRODUCERS, cfg.fan_n / 10, cfg.fan_n, s);
	if (r > 0)
		add_sample(s, r);
}

/* ------------------------------------------------------------ pairs */

/* What a pair's consumer tells the parent, in a shared map. */
struct pair_end {
	uint64_t t1;		/* when its last message came */
	unsigned got;
	bool bad;
};

/*
 * A child of pairs(): waits at @gate (for the parent to close its write
 * end), then consumes @n messages on @c into @e, or produces them if @e is
 * NULL. Under its own watchdog: alarms do not pass to a child.
 */
static void pair_child(struct chan *c, int gate[2], unsigned n,
		       struct pair_end *e)
{
	uint64_t t0;
	char ch;

	watchdog(RUN_TIMEOUT);
	close(gate[1]);
	if (read(gate[0], &ch, 1) != 0)
		_exit(1);
	if (!e)
		producer(c, 0, n, 64);
	e->got = consume(c, 64, 1, 0, n, &t0, &e->t1, &e->bad);
	_exit(e->got == n && !e->bad ? 0 : 1);
}

/* Opens @n channels of @m; 0, or -errno and none left open. */
static int open_chans(struct chan *c, unsigned n, enum mech m)
{
	for (unsigned i = 0; i < n; i++) {
		int ret = chan_open(&c[i], m, 64, DEPTH);

		if (ret) {
			for (unsigned j = 0; j <= i; j++)
				chan_close(&c[j]);
			return ret;
		}
	}
	return 0;
}

/*
 * A consumer and a producer for each of @npairs channels, into @pids
 * (consumer first), all held at one gate; opens it and says when in *@t0.
 */
static void pairs_fork(struct chan *c, unsigned npairs, unsigned n,
		       struct pair_end *e, pid_t *pids, uint64_t *t0)
{
	int gate[2];

	if (pipe(gate)) {
		perror("pipe");
		exit(2);
	}
	for (unsigned i = 0; i < npairs; i++) {
		pids[2 * i] = fork_child();
		if (!pids[2 * i])
			pair_child(&c[i], gate, n, &e[i]);
		pids[2 * i + 1] = fork_child();
		if (!pids[2 * i + 1])
			pair_child(&c[i], gate, n, NULL);
	}
	close(gate[0]);
	*t0 = now_ns();
	close(gate[1]);
}

/*
 * @npairs producer -> consumer pairs, each pair on a channel of its own,
 * all started at once, @n messages each; every consumer checks its
 * messages' order. Returns messages/s of all pairs together, from the
 * start to the last consumer's last message, or -1.
 */
static double pairs_run(enum mech m, unsigned npairs, unsigned n,
			struct series *s)
{
	struct chan *c = xcalloc(npairs, sizeof(*c));
	pid_t *pids = xcalloc(2 * npairs, sizeof(*pids));
	size_t map = npairs * sizeof(struct pair_end);
	struct pair_end *e = shared_map(map);
	uint64_t t0, t1 = 0, got = 0, total = (uint64_t)npairs * n;
	double rate = -1;
	bool bad = false;
	unsigned i;
	int ret;

	ret = open_chans(c, npairs, m);
	if (ret) {
		series_fail(s, "setup: %s", strerror(-ret));
		goto out;
	}
	pairs_fork(c, npairs, n, e, pids, &t0);
	/* After the first child that failed, the others are killed. */
	for (i = 0; i < 2 * npairs; i++)
		if (reap(pids[i], bad))
			bad = true;
	for (i = 0; i < npairs; i++) {
		got += e[i].got;
		if (e[i].t1 > t1)
			t1 = e[i].t1;
	}
	if (bad || got < total || t1 <= t0) {
		series_fail(s, "moved %llu of %llu messages%s",
			    (unsigned long long)got, (unsigned long long)total,
			    bad ? " (lost, reordered, bad length or error)" : "");
	} else {
		rate = (double)got / ((t1 - t0) / 1e9);
		s->moved += got;
	}
	for (i = 0; i < npairs; i++)
		chan_close(&c[i]);
out:
	munmap(e, map);
	free(pids);
	free(c);
	return rate;
}

void pairs(enum mech m, unsigned npairs, struct series *s)
{
	double r;

	s->ran = true;
	s->msg_size = 64;
	r = pairs_run(m, npairs, cfg.pairs_n, s);
	if (r > 0)
		add_sample(s, r);
	series_note(s, "%u per pair, from one start to the last one received",
		    cfg.pairs_n);
}
