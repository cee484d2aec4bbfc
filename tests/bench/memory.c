// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-bench's memory: the slab bytes a queued message costs beyond its
 * payload, for kipc, POSIX mq and SysV msg; for kipc also the module's own
 * charged bytes and the kmalloc classes they imply.
 */

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>

#include "bench.h"

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
			write_file(path, "1");
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

/* One weighing: the series, and kipc's two beside the slab's (or NULL). */
struct weigh {
	struct series *s, *sc, *sk;
	unsigned n, size;
};

/* Queues @w->n messages and samples what they cost. */
static void fill(struct chan *c, const struct weigh *w, char *buf)
{
	int64_t slab0, slab1, ch0 = -1, ch1 = -1;
	unsigned i, n = w->n, size = w->size;

	if (w->sc)
		ch0 = kipc_charged();
	slab0 = slab_bytes();
	for (i = 0; i < n; i++) {
		put_seq(buf, i);
		if (chan_send(c, buf, size)) {
			series_fail(w->s, "send %u of %u: %s", i, n, strerror(errno));
			break;
		}
	}
	slab1 = slab_bytes();
	if (w->sc)
		ch1 = kipc_charged();
	if (slab0 >= 0 && slab1 >= 0 && i == n)
		add_sample(w->s, (double)(slab1 - slab0) / n - size);
	if (w->sc && ch0 >= 0 && ch1 >= 0 && i == n) {
		double per = (double)(ch1 - ch0) / n;

		add_sample(w->sc, per - size);
		add_sample(w->sk, (double)kipc_alloc_bytes((uint64_t)(per + 0.5),
							   size) - size);
	}
}

/* Takes the @w->n messages back, checking each. */
static void drain(struct chan *c, const struct weigh *w, char *buf)
{
	for (unsigned i = 0; i < w->n && !w->s->failed; i++) {
		ssize_t ret = c->ops->try_recv(c, buf, w->size);

		if (ret != (int)w->size || get_seq(buf) != i)
			series_fail(w->s, "drained %u of %u", i, w->n);
	}
}

static void weigh_notes(struct weigh *w)
{
	series_note(w->s, "/proc/slabinfo kmalloc-* delta over %u messages, x3", w->n);
	if (!w->sc)
		return;
	w->sc->moved = w->sk->moved = w->s->moved;
	if (!w->sc->n) {
		w->sc->ran = w->sk->ran = false;
		series_note(w->sc, "skipped: no KIPC_A_STATS_CHARGED_BYTES");
		series_note(w->sk, "skipped: no KIPC_A_STATS_CHARGED_BYTES");
	} else {
		series_note(w->sc, "the module's charged bytes (netlink stats)");
		series_note(w->sk, "what kmod/msg.c allocates, in kmalloc classes");
	}
}

/*
 * Queues cfg.mem_n messages of @size, three times; reports the slab bytes
 * per message beyond the payload. For kipc also the module's own figure
 * (charged bytes, headers included) and the size class that implies.
 */
void memory(enum mech m, unsigned size)
{
	struct weigh w = { .n = cfg.mem_n, .size = size };
	char group[48], buf[MAX_MSG];
	struct chan *c = xcalloc(1, sizeof(*c));
	int ret;

	snprintf(group, sizeof(group), "memory per queued msg, %u B", size);
	w.s = get_series(group, mech_name(m), "B", false);
	w.s->ran = true;
	if (m == M_KIPC) {
		w.sc = get_series(group, "kipc (charged)", "B", false);
		w.sk = get_series(group, "kipc (kmalloc class)", "B", false);
		w.sc->ran = w.sk->ran = true;
	}
	ret = chan_open(c, m, size, w.n);
	if (ret) {
		series_fail(w.s, "setup: %s", strerror(-ret));
		free(c);
		return;
	}
	memset(buf, 0x33, sizeof(buf));
	for (int rep = 0; rep < 3 && !w.s->failed; rep++) {
		fill(c, &w, buf);
		drain(c, &w, buf);
		if (!w.s->failed)
			w.s->moved += w.n;
	}
	weigh_notes(&w);
	chan_close(c);
	free(c);
}
