// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-bench's cost per message without blocking: one process, no children,
 * fills a channel NB_DEPTH deep and drains it, round after round. No call
 * ever waits and no process is ever woken, so what a round costs, divided
 * by NB_DEPTH, is one send and one receive.
 */

#include <stdlib.h>

#include "bench.h"

#define NB_DEPTH	256	/* messages per round: the channel's depth */
#define NB_SIZE		64

_Static_assert(NB_DEPTH % BATCH == 0, "kipc batched fills in whole batches");

/*
 * One round: NB_DEPTH messages numbered from *@next sent, then received
 * and checked. False if one failed, was lost or came out of order.
 */
static bool nb_round(struct chan *c, uint64_t *next)
{
	char buf[MAX_MSG];
	const char *msgs[BATCH];
	unsigned got = 0, k;
	bool bad = false;

	if (send_run(c, *next, NB_DEPTH, NB_SIZE))
		return false;
	while (got < NB_DEPTH) {
		k = take(c, NB_SIZE, buf, msgs, &bad);
		if (!k || bad || got + k > NB_DEPTH ||
		    !in_order(msgs, k, next, 1))
			return false;
		got += k;
	}
	return true;
}

void nonblock(enum mech m, struct series *s)
{
	unsigned total = cfg.nb_warm + cfg.nb_rounds, r;
	struct chan *c = xcalloc(1, sizeof(*c));
	uint64_t next = 0;
	int ret;

	s->ran = true;
	ret = chan_open(c, m, NB_SIZE, NB_DEPTH);
	if (ret) {
		series_fail(s, "setup: %s", strerror(-ret));
		goto out;
	}
	/* A call that blocked here would block for good: the watchdog. */
	watchdog(RUN_TIMEOUT);
	for (r = 0; r < total; r++) {
		uint64_t t0 = now_ns();

		if (!nb_round(c, &next))
			break;
		if (r >= cfg.nb_warm)
			add_sample(s, (double)(now_ns() - t0) / NB_DEPTH);
		s->moved += NB_DEPTH;
	}
	watchdog(0);
	if (r < total)
		series_fail(s, "round %u of %u: failed, lost or reordered "
			    "at #%llu", r + 1, total, (unsigned long long)next);
	else
		series_note(s, "%u sent, then %u received, per round", NB_DEPTH,
			    NB_DEPTH);
out:
	chan_close(c);
	free(c);
}
