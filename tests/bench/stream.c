// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-bench's streaming: one-way throughput and fan-in; and the numbered
 * sending and checked receiving that nonblock.c shares.
 */

#include <stdlib.h>
#include <unistd.h>

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
static void producer(struct chan *c, unsigned id, unsigned count, unsigned size)
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
