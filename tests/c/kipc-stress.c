// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-stress: many senders and receivers, every message checked.
 *
 *   kipc-stress [-n MESSAGES] [-s SEED] [-t STALL_SECS] [-N] [-v]
 *
 * Two loads run at once, each moving half of the messages:
 *   A: 4 senders x 4 receivers on one mailbox (small capacity: senders block);
 *   B: 16 sender/receiver pairs, each on its own mailbox.
 * Every message carries (magic, group, sender, counter, priority, type,
 * length, CRC-32 of a random payload of random length). Calls are a seeded
 * random mix of blocking, non-blocking, timed and batched sends and receives,
 * PEEKs, receives selecting a type and receives into a too-small buffer
 * (EMSGSIZE, the message must stay queued). Checked: nothing lost, nothing
 * duplicated, nothing corrupted, kernel header fields consistent with the
 * payload, sequence numbers increasing in each sender's order, and each
 * sender's order kept within a priority (per receiver, per type).
 * -N also runs `kipcctl list` dumps and a `kipcctl monitor` meanwhile.
 *
 * Prints one summary line; exits 0 if clean, 1 on any violation, 2 on a
 * stall (no message moved for STALL_SECS, default 60) or setup failure.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "libkipc.h"
#include "kipc-stress.h"

#define MAGIC		0x6b495043u	/* "kIPC" */
#define NTYPES		4		/* types 1..NTYPES */
#define MAX_LEN		4096		/* message length at most */
#define MAX_BATCH	8
#define A_SENDERS	4
#define A_RECEIVERS	4
#define B_PAIRS		16

struct hdr {
	uint32_t magic;
	uint16_t group;		/* 0 = A, 1 + i = pair i of B */
	uint16_t sender;
	uint32_t counter;
	uint32_t prio;
	uint32_t type;
	uint32_t len;		/* whole message */
	uint32_t crc;		/* of the bytes after the header */
	uint32_t pad;
};

/* One sender's messages, and what receivers saw of them. */
struct sender {
	int group;
	int idx;		/* within the group */
	uint32_t count;		/* messages to send */
	uint64_t seed;
	uint8_t *seen;		/* per counter: times received */
	uint64_t *seq;		/* per counter: the kernel's sequence number */
};

struct group {
	char name[KIPC_NAME_MAX];
	int id;
	int nsenders, nreceivers;
	struct sender *senders;
	atomic_uint_fast64_t received;	/* messages received, this group */
	uint64_t total;			/* messages to move, this group */
	atomic_int senders_left;
	int ctl_fd;			/* the creating handle (destroys it) */
};

struct receiver {
	struct group *g;
	int idx;
	uint64_t seed;
	/* last counter seen per (sender, prio, type), + 1 (0 = none) */
	uint32_t *last;
};

static uint64_t opt_total = 1000000, opt_seed;
static int opt_stall = 60, opt_verbose, opt_netlink;
static struct group groups[1 + B_PAIRS];
static int ngroups;

static atomic_uint_fast64_t st_sent, st_received, st_corrupt, st_dup,
	st_order, st_errors, st_peek, st_eagain, st_timedout, st_emsgsize,
	st_sendv, st_recvv, st_typed, st_eidrm;
static atomic_int stop_all;

static void violation(atomic_uint_fast64_t *ctr, const char *fmt, ...)
{
	static atomic_int printed;
	va_list ap;

	atomic_fetch_add(ctr, 1);
	if (atomic_fetch_add(&printed, 1) >= 50)
		return;
	va_start(ap, fmt);
	fprintf(stderr, "kipc-stress: VIOLATION: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* Message @c of sender @s into @buf; returns its length. Deterministic. */
static uint32_t make_msg(const struct sender *s, uint32_t c, unsigned char *buf,
			 uint32_t *prio, uint32_t *type)
{
	struct rng r = { s->seed ^ ((uint64_t)c * 0x9e3779b97f4a7c15ull) };
	struct hdr h;
	uint32_t len;

	/* Mostly small, some up to MAX_LEN. */
	len = sizeof(h) + (rng_below(&r, 8) ? rng_below(&r, 256) :
			   rng_below(&r, MAX_LEN - sizeof(h) + 1));
	h.magic = MAGIC;
	h.group = s->group;
	h.sender = s->idx;
	h.counter = c;
	/* A few priorities, so order within a priority is a real test. */
	h.prio = rng_below(&r, 4) ? 0 : (rng_below(&r, 2) ? 7 : KIPC_PRIO_MAX);
	h.type = 1 + rng_below(&r, NTYPES);
	h.len = len;
	h.pad = 0;
	rng_fill(&r, buf + sizeof(h), len - sizeof(h));
	h.crc = crc32_ieee(buf + sizeof(h), len - sizeof(h));
	memcpy(buf, &h, sizeof(h));
	*prio = h.prio;
	*type = h.type;
	return len;
}

static void *sender_main(void *arg)
{
	struct sender *s = arg;
	struct group *g = &groups[s->group];
	struct rng r = { s->seed };
	static __thread unsigned char bufs[MAX_BATCH][MAX_LEN];
	struct kipc_msg msgs[MAX_BATCH];
	uint32_t c = 0;
	int fd, ret;

	fd = kipc_open(0);
	if (fd < 0 || kipc_attach(fd, g->name) < 0) {
		violation(&st_errors, "sender %d/%d: attach %s: %s", s->group,
			  s->idx, g->name, strerror(errno));
		goto out;
	}
	while (c < s->count && !atomic_load(&stop_all)) {
		uint32_t n = 1, op = rng_below(&r, 100), flags = 0;
		uint64_t timeout = 0;

		if (op < 30) {
			n = 1 + rng_below(&r, MAX_BATCH);
			if (n > s->count - c)
				n = s->count - c;
		}
		switch (rng_below(&r, 4)) {
		case 0: flags = KIPC_NONBLOCK; break;
		case 1: timeout = 1000000ull * (1 + rng_below(&r, 5)); break;
		default: break;	/* blocking */
		}
		memset(msgs, 0, sizeof(msgs));
		for (uint32_t i = 0; i < n; i++) {
			msgs[i].buf = (uintptr_t)bufs[i];
			msgs[i].len = make_msg(s, c + i, bufs[i],
					       &msgs[i].priority, &msgs[i].type);
		}
		if (op < 30) {
			atomic_fetch_add(&st_sendv, 1);
			ret = kipc_sendv(fd, msgs, n, flags, timeout);
		} else {
			msgs[0].flags = flags;
			msgs[0].timeout_ns = timeout;
			ret = kipc_send_msg(fd, &msgs[0]);
			if (!ret)
				ret = 1;
		}
		if (ret < 0) {
			if (ret == -EAGAIN) {
				atomic_fetch_add(&st_eagain, 1);
				usleep(100);
			} else if (ret == -ETIMEDOUT) {
				atomic_fetch_add(&st_timedout, 1);
			} else if (ret != -EINTR) {
				violation(&st_errors, "sender %d/%d: send: %s",
					  s->group, s->idx, strerror(-ret));
				break;
			}
			continue;
		}
		if (ret > (int)n) {
			violation(&st_errors, "sendv moved %d of %u", ret, n);
			break;
		}
		for (int i = 0; i < ret; i++) {
			if (!msgs[i].seq)
				violation(&st_corrupt, "send: no seq returned");
			/* Receivers check seq against this. */
			__atomic_store_n(&s->seq[c + i], msgs[i].seq,
					 __ATOMIC_RELAXED);
		}
		c += ret;
		atomic_fetch_add(&st_sent, ret);
	}
out:
	atomic_fetch_sub(&g->senders_left, 1);
	if (fd >= 0)
		close(fd);
	return NULL;
}

/* Checks one received message; returns false if it cannot be accounted. */
static bool check_msg(struct receiver *rv, const struct kipc_msg *m,
		      const unsigned char *buf, bool peek)
{
	struct group *g = rv->g;
	struct sender *s;
	struct hdr h;
	uint32_t key;

	if (m->len < sizeof(h) || m->len != m->msg_len) {
		violation(&st_corrupt, "%s: length %u (msg_len %u)", g->name,
			  m->len, m->msg_len);
		return false;
	}
	memcpy(&h, buf, sizeof(h));
	if (h.magic != MAGIC || h.group != (uint16_t)(g - groups) ||
	    h.sender >= g->nsenders || h.len != m->len) {
		violation(&st_corrupt, "%s: bad header (magic %#x group %u sender %u len %u/%u)",
			  g->name, h.magic, h.group, h.sender, h.len, m->len);
		return false;
	}
	s = &g->senders[h.sender];
	if (h.counter >= s->count) {
		violation(&st_corrupt, "%s: counter %u out of range", g->name, h.counter);
		return false;
	}
	if (crc32_ieee(buf + sizeof(h), m->len - sizeof(h)) != h.crc) {
		violation(&st_corrupt, "%s: sender %u msg %u: CRC mismatch", g->name,
			  h.sender, h.counter);
		return false;
	}
	if (m->priority != h.prio || m->type != h.type) {
		violation(&st_corrupt, "%s: sender %u msg %u: prio/type %u/%u, expected %u/%u",
			  g->name, h.sender, h.counter, m->priority, m->type,
			  h.prio, h.type);
		return false;
	}
	if (m->sender_pid != getpid() || m->sender_uid != geteuid() ||
	    !m->seq || !m->timestamp_ns) {
		violation(&st_corrupt, "%s: msg %u: sender pid %d uid %u seq %llu ts %llu",
			  g->name, h.counter, m->sender_pid, m->sender_uid,
			  (unsigned long long)m->seq,
			  (unsigned long long)m->timestamp_ns);
		return false;
	}
	if (peek)
		return true;

	/* Exactly once. */
	if (__atomic_fetch_add(&s->seen[h.counter], 1, __ATOMIC_RELAXED)) {
		violation(&st_dup, "%s: sender %u msg %u received twice", g->name,
			  h.sender, h.counter);
		return false;
	}
	/*
	 * The sender may not have stored seq yet (it returns after queueing);
	 * remember ours and compare at the end.
	 */
	__atomic_store_n(&s->seq[h.counter], m->seq, __ATOMIC_RELAXED);

	/* Order within (sender, priority, type), as this receiver saw it. */
	key = (h.sender * (KIPC_PRIO_MAX + 1) + h.prio) * NTYPES + h.type - 1;
	if (rv->last[key] > h.counter)
		violation(&st_order, "%s: receiver %d: sender %u prio %u type %u: %u after %u",
			  g->name, rv->idx, h.sender, h.prio, h.type, h.counter,
			  rv->last[key] - 1);
	rv->last[key] = h.counter + 1;
	return true;
}

static bool group_done(struct group *g)
{
	return atomic_load(&g->received) >= g->total;
}

static void *receiver_main(void *arg)
{
	struct receiver *rv = arg;
	struct group *g = rv->g;
	struct rng r = { rv->seed };
	static __thread unsigned char bufs[MAX_BATCH][MAX_LEN];
	struct kipc_msg msgs[MAX_BATCH];
	int fd, ret;

	fd = kipc_open(0);
	if (fd < 0 || kipc_attach(fd, g->name) < 0) {
		violation(&st_errors, "receiver %s/%d: attach: %s", g->name,
			  rv->idx, strerror(errno));
		return NULL;
	}
	while (!group_done(g) && !atomic_load(&stop_all)) {
		uint32_t op = rng_below(&r, 100), n = 1, flags = 0;
		uint64_t timeout = 0;
		bool peek = false;

		memset(msgs, 0, sizeof(msgs));
		for (int i = 0; i < MAX_BATCH; i++) {
			msgs[i].buf = (uintptr_t)bufs[i];
			msgs[i].len = MAX_LEN;
		}
		switch (rng_below(&r, 4)) {
		case 0: flags = KIPC_NONBLOCK; break;
		case 1: timeout = 1000000ull * (1 + rng_below(&r, 5)); break;
		default: break;
		}
		if (op < 25) {				/* batch */
			n = 1 + rng_below(&r, MAX_BATCH);
			atomic_fetch_add(&st_recvv, 1);
			ret = kipc_recvv(fd, msgs, n, flags, timeout);
		} else if (op < 35) {			/* select a type */
			msgs[0].type = 1 + rng_below(&r, NTYPES);
			msgs[0].flags = KIPC_NONBLOCK;
			atomic_fetch_add(&st_typed, 1);
			ret = kipc_recv_msg(fd, &msgs[0]);
			ret = ret ? ret : 1;
		} else if (op < 40) {			/* peek */
			msgs[0].flags = KIPC_NONBLOCK | KIPC_RECV_PEEK;
			peek = true;
			ret = kipc_recv_msg(fd, &msgs[0]);
			ret = ret ? ret : 1;
		} else if (op < 43) {			/* too small: EMSGSIZE */
			msgs[0].len = sizeof(struct hdr) - 1;
			msgs[0].flags = KIPC_NONBLOCK;
			ret = kipc_recv_msg(fd, &msgs[0]);
			if (ret == -EMSGSIZE) {
				atomic_fetch_add(&st_emsgsize, 1);
				if (msgs[0].msg_len < sizeof(struct hdr) ||
				    msgs[0].msg_len > MAX_LEN)
					violation(&st_corrupt, "EMSGSIZE: msg_len %u",
						  msgs[0].msg_len);
				continue;
			}
			if (!ret) {
				violation(&st_corrupt, "%u-byte receive succeeded",
					  msgs[0].len);
				continue;
			}
		} else {
			msgs[0].flags = flags;
			msgs[0].timeout_ns = timeout;
			ret = kipc_recv_msg(fd, &msgs[0]);
			ret = ret ? ret : 1;
		}
		if (ret < 0) {
			switch (-ret) {
			case EAGAIN: atomic_fetch_add(&st_eagain, 1); usleep(100); break;
			case ETIMEDOUT: atomic_fetch_add(&st_timedout, 1); break;
			case EINTR: break;
			case EIDRM:
				/* Destroyed: only after everything arrived. */
				atomic_fetch_add(&st_eidrm, 1);
				if (!group_done(g))
					violation(&st_errors, "%s: EIDRM before the end",
						  g->name);
				goto out;
			default:
				violation(&st_errors, "receiver %s/%d: recv: %s",
					  g->name, rv->idx, strerror(-ret));
				goto out;
			}
			continue;
		}
		if (peek) {
			atomic_fetch_add(&st_peek, 1);
			check_msg(rv, &msgs[0], bufs[0], true);
			continue;
		}
		for (int i = 0; i < ret; i++) {
			check_msg(rv, &msgs[i], bufs[i], false);
			atomic_fetch_add(&g->received, 1);
			atomic_fetch_add(&st_received, 1);
		}
	}
out:
	close(fd);
	return NULL;
}

static int setup_group(int gi, const char *tag, int nsenders, int nreceivers,
		       uint64_t total, uint32_t capacity)
{
	struct kipc_create_opts o = { .flags = KIPC_CREATE_TEMP, .mode = 0600,
				      .capacity = capacity,
				      .capacity_bytes = 256 << 10,
				      .max_msg_size = MAX_LEN };
	struct group *g = &groups[gi];
	uint64_t left = total;

	snprintf(g->name, sizeof(g->name), "stress-%d-%s", getpid(), tag);
	g->ctl_fd = kipc_open(0);
	if (g->ctl_fd < 0)
		return g->ctl_fd;
	g->id = kipc_create(g->ctl_fd, g->name, &o);
	if (g->id < 0)
		return g->id;
	g->nsenders = nsenders;
	g->nreceivers = nreceivers;
	g->total = total;
	atomic_store(&g->senders_left, nsenders);
	g->senders = calloc(nsenders, sizeof(*g->senders));
	for (int i = 0; i < nsenders; i++) {
		struct sender *s = &g->senders[i];

		s->group = gi;
		s->idx = i;
		s->count = left / (nsenders - i);
		left -= s->count;
		s->seed = opt_seed * 1000003ull + gi * 131 + i + 1;
		s->seen = calloc(s->count + 1, 1);
		s->seq = calloc(s->count + 1, sizeof(uint64_t));
		if (!s->seen || !s->seq)
			return -ENOMEM;
	}
	return 0;
}

/* Sidecar: netlink dumps and a monitor, through kipcctl, if it has them. */
static pid_t monitor_pid;
static pthread_t dumper;

static void *dumper_main(void *arg)
{
	(void)arg;
	while (!atomic_load(&stop_all)) {
		if (system("kipcctl list >/dev/null 2>&1") == -1)
			break;
		usleep(200000);
	}
	return NULL;
}

static void netlink_start(void)
{
	if (system("kipcctl list >/dev/null 2>&1") != 0) {
		fprintf(stderr, "kipc-stress: no `kipcctl list`; netlink load skipped\n");
		opt_netlink = 0;
		return;
	}
	monitor_pid = fork();
	if (!monitor_pid) {
		execlp("sh", "sh", "-c", "exec kipcctl monitor >/dev/null 2>&1", NULL);
		_exit(127);
	}
	pthread_create(&dumper, NULL, dumper_main, NULL);
}

static void netlink_stop(void)
{
	if (!opt_netlink)
		return;
	pthread_join(dumper, NULL);
	if (monitor_pid > 0) {
		kill(monitor_pid, SIGTERM);
		waitpid(monitor_pid, NULL, 0);
	}
}

static void usage(void)
{
	fprintf(stderr, "usage: kipc-stress [-n MESSAGES] [-s SEED] [-t STALL_SECS] [-N] [-v]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	pthread_t threads[A_SENDERS + A_RECEIVERS + 2 * B_PAIRS];
	struct receiver rvs[A_RECEIVERS + B_PAIRS];
	uint64_t t0, last_moved = 0, last_progress, lost = 0, badseq = 0;
	int nthreads = 0, nrv = 0, opt, stalled = 0;

	opt_seed = (uint64_t)time(NULL) ^ getpid();
	while ((opt = getopt(argc, argv, "n:s:t:Nv")) != -1) {
		switch (opt) {
		case 'n': opt_total = strtoull(optarg, NULL, 0); break;
		case 's': opt_seed = strtoull(optarg, NULL, 0); break;
		case 't': opt_stall = atoi(optarg); break;
		case 'N': opt_netlink = 1; break;
		case 'v': opt_verbose = 1; break;
		default: usage();
		}
	}
	if (opt_total < 2 * (A_SENDERS + B_PAIRS))
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("kipc-stress: seed=%" PRIu64 " messages=%" PRIu64 "\n", opt_seed, opt_total);

	/* A: small capacity so that senders block and wake often. */
	if (setup_group(0, "A", A_SENDERS, A_RECEIVERS, opt_total / 2, 16) < 0) {
		perror("kipc-stress: setup A");
		return 2;
	}
	for (int i = 0; i < B_PAIRS; i++) {
		char tag[8];

		snprintf(tag, sizeof(tag), "B%d", i);
		if (setup_group(1 + i, tag, 1, 1,
				(opt_total - opt_total / 2) / B_PAIRS +
				(i < (int)((opt_total - opt_total / 2) % B_PAIRS)),
				1 + (i * 7) % 64) < 0) {
			perror("kipc-stress: setup B");
			return 2;
		}
	}
	ngroups = 1 + B_PAIRS;
	if (opt_netlink)
		netlink_start();

	t0 = now_ns();
	for (int gi = 0; gi < ngroups; gi++) {
		struct group *g = &groups[gi];

		for (int i = 0; i < g->nreceivers; i++) {
			struct receiver *rv = &rvs[nrv++];

			rv->g = g;
			rv->idx = i;
			rv->seed = opt_seed * 7919 + gi * 17 + i + 1000;
			rv->last = calloc((size_t)g->nsenders * (KIPC_PRIO_MAX + 1) * NTYPES,
					  sizeof(uint32_t));
			pthread_create(&threads[nthreads++], NULL, receiver_main, rv);
		}
		for (int i = 0; i < g->nsenders; i++)
			pthread_create(&threads[nthreads++], NULL, sender_main,
				       &g->senders[i]);
	}

	/* Watch: finish groups (destroy wakes their blocked receivers), detect stalls. */
	last_progress = now_ns();
	for (;;) {
		bool all = true;
		uint64_t moved = atomic_load(&st_sent) + atomic_load(&st_received);

		for (int gi = 0; gi < ngroups; gi++) {
			struct group *g = &groups[gi];

			if (g->ctl_fd >= 0 && group_done(g) &&
			    !atomic_load(&g->senders_left)) {
				/* Blocked receivers wake with EIDRM. */
				struct kipc_stat st;
				int ret = kipc_stat(g->ctl_fd, &st);

				if (ret || st.depth || st.blocked_senders)
					violation(&st_dup, "%s: all received but depth %u (stat %d)",
						  g->name, ret ? 0 : st.depth, ret);
				ret = kipc_destroy(g->ctl_fd);

				if (ret)
					violation(&st_errors, "destroy %s: %s", g->name,
						  strerror(-ret));
				close(g->ctl_fd);
				g->ctl_fd = -1;
			}
			if (g->ctl_fd >= 0)
				all = false;
		}
		if (all || atomic_load(&st_errors) > 100)
			break;
		if (moved != last_moved) {
			last_moved = moved;
			last_progress = now_ns();
		} else if (now_ns() - last_progress > (uint64_t)opt_stall * 1000000000ull) {
			fprintf(stderr, "kipc-stress: STALL: nothing moved for %d s\n",
				opt_stall);
			for (int gi = 0; gi < ngroups; gi++) {
				struct kipc_stat st;

				if (groups[gi].ctl_fd >= 0 &&
				    !kipc_stat(groups[gi].ctl_fd, &st))
					fprintf(stderr, "  %s: depth %u sent %llu received %llu/%llu "
						"blocked s/r %u/%u\n", groups[gi].name, st.depth,
						(unsigned long long)st.sent,
						(unsigned long long)st.received,
						(unsigned long long)groups[gi].total,
						st.blocked_senders, st.blocked_receivers);
			}
			stalled = 1;
			break;
		}
		if (opt_verbose)
			fprintf(stderr, "kipc-stress: sent %" PRIu64 " received %" PRIu64 "\n",
				(uint64_t)atomic_load(&st_sent),
				(uint64_t)atomic_load(&st_received));
		usleep(opt_verbose ? 1000000 : 20000);
	}
	if (stalled) {
		/* Threads may be blocked for good: report and leave. */
		atomic_store(&stop_all, 1);
		printf("kipc-stress: STALLED seed=%" PRIu64 " sent=%" PRIu64
		       " received=%" PRIu64 "\n", opt_seed, (uint64_t)atomic_load(&st_sent),
		       (uint64_t)atomic_load(&st_received));
		return 2;
	}
	atomic_store(&stop_all, 1);
	for (int i = 0; i < nthreads; i++)
		pthread_join(threads[i], NULL);
	netlink_stop();

	/* Lost messages, and sequence numbers in each sender's order. */
	for (int gi = 0; gi < ngroups; gi++) {
		struct group *g = &groups[gi];

		for (int i = 0; i < g->nsenders; i++) {
			struct sender *s = &g->senders[i];

			for (uint32_t c = 0; c < s->count; c++) {
				if (!s->seen[c]) {
					if (lost++ < 10)
						fprintf(stderr, "kipc-stress: LOST %s sender %d msg %u\n",
							g->name, i, c);
				} else if (c && s->seq[c] <= s->seq[c - 1]) {
					if (badseq++ < 10)
						fprintf(stderr, "kipc-stress: SEQ %s sender %d: msg %u seq %llu <= %llu\n",
							g->name, i, c,
							(unsigned long long)s->seq[c],
							(unsigned long long)s->seq[c - 1]);
				}
			}
		}
	}
	printf("kipc-stress: seed=%" PRIu64 " sent=%" PRIu64 " received=%" PRIu64
	       " lost=%" PRIu64 " dup=%" PRIu64 " corrupt=%" PRIu64 " order=%" PRIu64
	       " seq=%" PRIu64 " errors=%" PRIu64 " peek=%" PRIu64 " typed=%" PRIu64
	       " sendv=%" PRIu64 " recvv=%" PRIu64 " eagain=%" PRIu64
	       " etimedout=%" PRIu64 " emsgsize=%" PRIu64 " eidrm=%" PRIu64
	       " netlink=%d time=%.1fs\n",
	       opt_seed, (uint64_t)st_sent, (uint64_t)st_received, lost,
	       (uint64_t)st_dup, (uint64_t)st_corrupt, (uint64_t)st_order, badseq,
	       (uint64_t)st_errors, (uint64_t)st_peek, (uint64_t)st_typed,
	       (uint64_t)st_sendv, (uint64_t)st_recvv, (uint64_t)st_eagain,
	       (uint64_t)st_timedout, (uint64_t)st_emsgsize, (uint64_t)st_eidrm,
	       opt_netlink, (now_ns() - t0) / 1e9);
	if (lost || badseq || st_dup || st_corrupt || st_order || st_errors ||
	    st_sent != opt_total || st_received != opt_total) {
		printf("kipc-stress: FAIL (reproduce with -n %" PRIu64 " -s %" PRIu64 ")\n",
		       opt_total, opt_seed);
		return 1;
	}
	printf("kipc-stress: PASS\n");
	return 0;
}
