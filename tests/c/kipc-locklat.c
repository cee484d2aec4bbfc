// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-locklat: typed receivers blocked behind a deep queue, woken one by
 * one, while a probe measures how long the mailbox lock is held.
 *
 *   kipc-locklat [-d DEPTH] [-b DEPTH_B] [-w EXACT] [-l LE] [-x NOT]
 *                [-p PRIO_MAX] [-u UID] [-s SEED] [-t SECS] [-T SECS] [-v]
 *
 * As an unprivileged user (-u, default 65534 when started as root; the
 * caller's own uid otherwise), on two new mailboxes:
 *   A: DEPTH zero-byte messages (default 50,000) of mixed types, 90% type
 *      1000 and the rest 1001..1009, priorities uniform in 0..PRIO_MAX
 *      (default 32767); then EXACT receivers (default 500) block on types
 *      2000 + i and LE receivers (default 8) with KIPC_RECV_TYPE_LE on
 *      types 100 + j, none of which is queued;
 *   B: DEPTH_B messages (default DEPTH / 5) all of type 1000; NOT receivers
 *      (default 8) block with KIPC_RECV_TYPE_NOT 1000.
 * Then one message at a time wakes them: type 2000 + i for each exact
 * receiver, 100 + j for the LE ones (highest j first, so that exactly one
 * waiting receiver matches), and types 3000 + k on B, each sent only when
 * the previous one was received. Meanwhile a probe thread loops
 * KIPC_IOC_STAT on A and B in turn and records how long each call took: the
 * STAT takes the mailbox's spinlock, so its latency includes any wait for
 * that lock (the review of issue 13 measured the lock wait this way) and,
 * as every CPU may be spinning on or holding it, any wait for a CPU at
 * all. The mailboxes are KIPC_CREATE_TEMP: nothing is left behind. If a
 * kipc limit (ENOSPC) stops the queueing early, the run goes on with what
 * was queued and says so. The probe runs
 * SCHED_FIFO when it may (as root, the program grants itself RLIMIT_RTPRIO
 * 1 before it drops privileges), so that other threads of this program do
 * not delay it; the host can still deschedule the guest's vCPUs, so a few
 * ms of noise remain.
 *
 * Checked (exit 1 on any violation): every receiver returned exactly the
 * message sent for it (type, priority, sequence number, length 0) and only
 * after it was sent; every NOT receiver got one of B's wake-up messages,
 * each exactly once; afterwards both queues still hold exactly what was
 * queued (counts by type and priority, drained in priority order, FIFO
 * within a priority). No timing is asserted: the latency figures are
 * printed, with a line "max_stat_us=N ..." for scripts.
 * Exit 2 on a setup failure or a receiver that is not woken within -t SECS
 * (default 60): a lost wake-up, or a kernel too slow to tell; also exit 2,
 * with the figures so far and "INCOMPLETE", when the wake-ups have not
 * ended within -T SECS (default: no limit), e.g. on a kernel that scans
 * the queue under the lock.
 */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "libkipc.h"
#include "kipc-stress.h"

#define PROG		"kipc-locklat"
#define TYPE_BULK	1000u	/* most of A, all of B */
#define TYPE_MIXED	9u	/* A also has 1001..1009 */
#define TYPE_EXACT	2000u
#define TYPE_LE		100u
#define TYPE_NOT_WAKE	3000u
#define MAX_TYPE	(TYPE_NOT_WAKE + 65536)

enum kind { EXACT, LE, NOT };
static const char *const kind_name[] = { "exact", "le", "not" };

struct receiver {
	pthread_t thread;
	enum kind kind;
	int idx;		/* within its kind */
	int fd;
	uint32_t want;		/* type asked for */
	uint32_t flags;
	/* results */
	int ret;
	struct kipc_msg m;
	uint64_t t_done;
	bool done;
	bool early;		/* returned before its wake-up was sent */
};

/* What was sent to wake a receiver (EXACT, LE by idx; NOT by order). */
struct waker {
	uint32_t type, prio;
	uint64_t seq;
	uint64_t t_send;	/* before the send */
	int taken;		/* NOT: times a receiver returned it */
};

/* A latency histogram: 64 octaves of 32 linear steps (~3% resolution). */
#define SUB_BITS	5
#define NBUCKETS	(64 << SUB_BITS)
struct hist {
	uint64_t n, max, sum;
	uint64_t b[NBUCKETS];
};

enum phase { PH_BLOCK, PH_WAKE_A, PH_WAKE_B, PH_DRAIN, NPHASES };
static const char *const phase_name[] = { "block", "wake-A", "wake-B", "drain" };

static unsigned int opt_depth = 50000, opt_depth_b = ~0u, opt_exact = 500,
	opt_le = 8, opt_not = 8, opt_prio_max = KIPC_PRIO_MAX, opt_secs = 60;
static long opt_uid = -1;
static unsigned int opt_budget;		/* -T: seconds for the wake-ups, 0 = no limit */
static uint64_t budget_end;
static unsigned int nwoken;		/* wake-ups sent */
static bool incomplete;
static uint64_t opt_seed;
static int opt_verbose;

static struct receiver *rcv;
static unsigned int nrcv;
static struct waker *wk_exact, *wk_le, *wk_not;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static unsigned int ndone;		/* under lock */

static atomic_int phase = PH_BLOCK;
static atomic_bool probe_stop;
static int probe_fd[2];
static struct hist hists[NPHASES];
static uint64_t probe_errors;
static int probe_errno;

static uint64_t violations;

static void violation(const char *fmt, ...)
{
	va_list ap;

	if (violations++ >= 30)
		return;
	va_start(ap, fmt);
	fprintf(stderr, PROG ": VIOLATION: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static void __attribute__((noreturn)) die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, PROG ": ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(2);
}

static unsigned int bucket(uint64_t v)
{
	unsigned int msb;

	if (v < (1u << SUB_BITS))
		return (unsigned int)v;
	msb = 63 - (unsigned int)__builtin_clzll(v);
	return ((msb - SUB_BITS + 1) << SUB_BITS) |
	       (unsigned int)((v >> (msb - SUB_BITS)) & ((1u << SUB_BITS) - 1));
}

/* The largest value that falls in bucket @i. */
static uint64_t bucket_top(unsigned int i)
{
	unsigned int oct = i >> SUB_BITS, sub = i & ((1u << SUB_BITS) - 1);
	unsigned int shift;

	if (!oct)
		return sub;
	shift = oct - 1;
	return ((((uint64_t)1 << SUB_BITS) | sub) << shift) +
	       (((uint64_t)1 << shift) - 1);
}

static void hist_add(struct hist *h, uint64_t v)
{
	h->n++;
	h->sum += v;
	if (v > h->max)
		h->max = v;
	h->b[bucket(v)]++;
}

static void hist_merge(struct hist *to, const struct hist *from)
{
	to->n += from->n;
	to->sum += from->sum;
	if (from->max > to->max)
		to->max = from->max;
	for (unsigned int i = 0; i < NBUCKETS; i++)
		to->b[i] += from->b[i];
}

/* The value below which a fraction @q of the samples fall (bucket top). */
static uint64_t hist_q(const struct hist *h, double q)
{
	uint64_t want = (uint64_t)(q * (double)h->n), seen = 0;

	if (want >= h->n)
		return h->max;
	for (unsigned int i = 0; i < NBUCKETS; i++) {
		seen += h->b[i];
		if (seen > want)
			return bucket_top(i) < h->max ? bucket_top(i) : h->max;
	}
	return h->max;
}

/*
 * The probe: STAT, note how long it took, pause 20 us (so that, running
 * SCHED_FIFO, it never hits the RT throttle), again.
 */
static void *probe(void *arg)
{
	const struct timespec pause = { .tv_nsec = 20000 };
	unsigned int turn = 0;

	(void)arg;
	while (!atomic_load(&probe_stop)) {
		int ph = atomic_load(&phase);
		struct kipc_stat st;
		uint64_t t0, t1;
		int ret;

		t0 = now_ns();
		ret = kipc_stat(probe_fd[turn++ & 1], &st);
		t1 = now_ns();
		if (ret < 0) {
			probe_errors++;
			probe_errno = -ret;
		} else {
			hist_add(&hists[ph], t1 - t0);
		}
		nanosleep(&pause, NULL);
	}
	return NULL;
}

static void *receive(void *arg)
{
	struct receiver *r = arg;

	/* No timeout: main gives up (and exits) if a wake-up goes missing. */
	r->m = (struct kipc_msg){
		.type = r->want,
		.flags = r->flags,
	};
	r->ret = kipc_recv_msg(r->fd, &r->m);
	pthread_mutex_lock(&lock);
	r->t_done = now_ns();
	r->done = true;
	ndone++;
	pthread_cond_broadcast(&cond);
	pthread_mutex_unlock(&lock);
	return NULL;
}

/* Waits until @n receivers are done; false after @secs seconds. */
static bool wait_done(unsigned int n, unsigned int secs)
{
	struct timespec dl;
	bool ok = true;

	clock_gettime(CLOCK_REALTIME, &dl);
	dl.tv_sec += secs;
	pthread_mutex_lock(&lock);
	while (ndone < n && ok)
		ok = pthread_cond_timedwait(&cond, &lock, &dl) != ETIMEDOUT ||
		     ndone >= n;
	pthread_mutex_unlock(&lock);
	return ok;
}

static unsigned int done_count(void)
{
	unsigned int n;

	pthread_mutex_lock(&lock);
	n = ndone;
	pthread_mutex_unlock(&lock);
	return n;
}

struct queue {
	const char *tag;
	int fd;
	unsigned int depth;		/* actually queued */
	uint32_t *by_type;		/* [MAX_TYPE] */
	uint32_t *by_prio;		/* [KIPC_PRIO_MAX + 1] */
};

static int open_mbox(struct queue *q, const char *name, unsigned int cap)
{
	/* TEMP: nothing is left behind, however this program ends. */
	struct kipc_create_opts o = {
		.flags = KIPC_CREATE_TEMP,
		.mode = 0600,
		.capacity = cap,
	};
	int fd = kipc_open(0), ret;

	if (fd < 0)
		die("open: %s", strerror(-fd));
	ret = kipc_create(fd, name, &o);
	if (ret <= 0)
		die("create %s (capacity %u): %s", name, cap, strerror(-ret));
	q->fd = fd;
	q->by_type = calloc(MAX_TYPE, sizeof(*q->by_type));
	q->by_prio = calloc(KIPC_PRIO_MAX + 1, sizeof(*q->by_prio));
	if (!q->by_type || !q->by_prio)
		die("out of memory");
	return ret;
}

/* Queues @n zero-byte messages; @mixed: A's type mix, else all TYPE_BULK. */
static void fill(struct queue *q, unsigned int n, bool mixed, struct rng *r)
{
	struct kipc_msg ms[KIPC_BATCH_MAX];

	while (q->depth < n) {
		unsigned int k = n - q->depth, i;
		int ret;

		if (k > KIPC_BATCH_MAX)
			k = KIPC_BATCH_MAX;
		for (i = 0; i < k; i++) {
			ms[i] = (struct kipc_msg){
				.type = TYPE_BULK,
				.priority = rng_below(r, opt_prio_max + 1),
			};
			if (mixed && rng_below(r, 10) == 0)
				ms[i].type = TYPE_BULK + 1 + rng_below(r, TYPE_MIXED);
		}
		ret = kipc_sendv(q->fd, ms, k, KIPC_NONBLOCK, 0);
		if (ret <= 0) {
			if (ret == -ENOSPC || ret == -EAGAIN) {
				fprintf(stderr, PROG ": %s: queueing stopped at %u of %u"
					" messages: %s (a kipc limit)\n", q->tag,
					q->depth, n, strerror(-ret));
				return;
			}
			die("%s: SENDV: %s", q->tag, strerror(-ret));
		}
		for (i = 0; i < (unsigned int)ret; i++) {
			q->by_type[ms[i].type]++;
			q->by_prio[ms[i].priority]++;
		}
		q->depth += ret;
	}
}

/*
 * Takes everything out of @q without blocking and checks it against what
 * was queued: counts by type and by priority, priorities never increasing,
 * sequence numbers increasing within a priority.
 */
static void drain(struct queue *q)
{
	struct kipc_msg ms[KIPC_BATCH_MAX];
	uint32_t last_prio = UINT32_MAX;
	uint64_t last_seq = 0, got = 0;
	uint64_t bad_order = 0;

	for (;;) {
		int ret, i;

		memset(ms, 0, sizeof(ms));
		ret = kipc_recvv(q->fd, ms, KIPC_BATCH_MAX, KIPC_NONBLOCK, 0);
		if (ret == -EAGAIN)
			break;
		if (ret <= 0) {
			violation("%s: drain: RECVV: %s", q->tag, strerror(-ret));
			return;
		}
		for (i = 0; i < ret; i++) {
			struct kipc_msg *m = &ms[i];

			got++;
			if (m->type >= MAX_TYPE || m->priority > KIPC_PRIO_MAX ||
			    !q->by_type[m->type] || !q->by_prio[m->priority]) {
				violation("%s: drained a message never queued or"
					  " already drained (type %u, priority"
					  " %u, seq %" PRIu64 ")", q->tag,
					  m->type, m->priority, m->seq);
				continue;
			}
			q->by_type[m->type]--;
			q->by_prio[m->priority]--;
			if (m->priority > last_prio ||
			    (m->priority == last_prio && m->seq <= last_seq))
				bad_order++;
			last_prio = m->priority;
			last_seq = m->seq;
		}
	}
	if (got != q->depth)
		violation("%s: drained %" PRIu64 " messages, %u were queued",
			  q->tag, got, q->depth);
	for (uint32_t t = 0; t < MAX_TYPE; t++)
		if (q->by_type[t])
			violation("%s: %u messages of type %u were not drained",
				  q->tag, q->by_type[t], t);
	if (bad_order)
		violation("%s: %" PRIu64 " messages out of priority/FIFO order",
			  q->tag, bad_order);
}

/*
 * Waits until every receiver on A and B is blocked, or returned (which it
 * should not have: nothing it may take is queued).
 */
static void wait_blocked(struct queue *a, unsigned int na, struct queue *b,
			 unsigned int nb)
{
	uint64_t deadline = now_ns() + (uint64_t)opt_secs * 1000000000ull;
	struct kipc_stat sa, sb;

	for (;;) {
		unsigned int done_a = 0, done_b = 0, i;

		if (kipc_stat(a->fd, &sa) < 0 || kipc_stat(b->fd, &sb) < 0)
			die("stat: %s", strerror(errno));
		pthread_mutex_lock(&lock);
		for (i = 0; i < nrcv; i++) {
			if (!rcv[i].done)
				continue;
			rcv[i].early = true;
			if (rcv[i].kind == NOT)
				done_b++;
			else
				done_a++;
		}
		pthread_mutex_unlock(&lock);
		if (sa.blocked_receivers + done_a == na &&
		    sb.blocked_receivers + done_b == nb)
			return;
		if (now_ns() > deadline) {
			fprintf(stderr, PROG ": only %u of %u receivers blocked"
				" on A and %u of %u on B after %u s\n",
				sa.blocked_receivers, na, sb.blocked_receivers,
				nb, opt_secs);
			exit(2);
		}
		usleep(2000);
	}
}

static void drop_privileges(void)
{
	struct rlimit rt = { 1, 1 };
	uid_t uid;

	if (opt_uid < 0)
		opt_uid = geteuid() == 0 ? 65534 : (long)geteuid();
	uid = (uid_t)opt_uid;
	if (uid == geteuid())
		return;
	/* For the SCHED_FIFO probe: priority 1, nothing more. */
	if (geteuid() == 0)
		setrlimit(RLIMIT_RTPRIO, &rt);
	if (setgroups(0, NULL) || setresgid(uid, uid, uid) ||
	    setresuid(uid, uid, uid))
		die("cannot become uid %u: %s", uid, strerror(errno));
}

/* One fd per receiver, plus a few: raise the soft limit if needed. */
static void enough_fds(unsigned int n)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return;
	if (rl.rlim_cur >= n)
		return;
	rl.rlim_cur = n;
	if (rl.rlim_max < n)
		rl.rlim_max = n;	/* only root may */
	if (setrlimit(RLIMIT_NOFILE, &rl))
		die("need %u file descriptors: %s", n, strerror(errno));
}

static void usage(void)
{
	fprintf(stderr, "usage: " PROG " [-d DEPTH] [-b DEPTH_B] [-w EXACT]"
		" [-l LE] [-x NOT] [-p PRIO_MAX] [-u UID] [-s SEED] [-t SECS]"
		" [-T SECS] [-v]\n");
	exit(2);
}

static unsigned int num(const char *s, unsigned int max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || *end || end == s || v > max)
		usage();
	return (unsigned int)v;
}

static void print_hist(const char *what, const struct hist *h)
{
	printf(PROG ": %s: %" PRIu64 " STATs, latency us: mean %.1f p50 %.1f"
	       " p90 %.1f p99 %.1f p99.9 %.1f max %.1f\n", what, h->n,
	       h->n ? (double)h->sum / (double)h->n / 1e3 : 0.0,
	       hist_q(h, 0.50) / 1e3, hist_q(h, 0.90) / 1e3,
	       hist_q(h, 0.99) / 1e3, hist_q(h, 0.999) / 1e3, h->max / 1e3);
}

static void print_figures(unsigned int depth, uint64_t block, uint64_t wake_a,
			  uint64_t wake_b, uint64_t max_send, uint64_t max_wake,
			  bool probe_rt)
{
	struct hist all = { 0 };
	unsigned int i;

	printf(PROG ": %u receivers blocked in %.0f ms; woken one by one: A in"
	       " %.0f ms, B in %.0f ms; slowest send %.0f us, slowest"
	       " send-to-return %.0f us\n", nrcv, block / 1e6, wake_a / 1e6,
	       wake_b / 1e6, max_send / 1e3, max_wake / 1e3);
	for (i = 0; i < NPHASES; i++) {
		if (opt_verbose || hists[i].n)
			print_hist(phase_name[i], &hists[i]);
		hist_merge(&all, &hists[i]);
	}
	print_hist("all", &all);
	if (!probe_rt)
		printf(PROG ": (the probe ran SCHED_OTHER: no RLIMIT_RTPRIO)\n");
	printf(PROG ": max_stat_us=%.0f p99_stat_us=%.0f depth=%u receivers=%u\n",
	       all.max / 1e3, hist_q(&all, 0.99) / 1e3, depth, nrcv);
}

/* Sends one wake-up on @fd and waits for @n receivers to be done. */
static void wake_one(struct queue *q, struct waker *w, unsigned int n,
		     uint64_t *max_send)
{
	struct kipc_msg m = { .type = w->type, .priority = w->prio };
	uint64_t t1;
	int ret;

	w->t_send = now_ns();
	ret = kipc_send_msg(q->fd, &m);
	t1 = now_ns();
	if (ret < 0)
		die("%s: send of type %u: %s", q->tag, w->type, strerror(-ret));
	w->seq = m.seq;
	if (t1 - w->t_send > *max_send)
		*max_send = t1 - w->t_send;
	if (!wait_done(n, opt_secs)) {
		fprintf(stderr, PROG ": %s: no receiver returned within %u s of"
			" the send of type %u, priority %u: a lost message or"
			" wake-up\n", q->tag, opt_secs, w->type, w->prio);
		exit(2);
	}
}

/* False once the -T budget is spent: send no more wake-ups. */
static bool budget_left(void)
{
	if (!incomplete && budget_end && now_ns() > budget_end)
		incomplete = true;
	if (!incomplete)
		nwoken++;
	return !incomplete;
}

/* True if @r got exactly @w's message, after it was sent. */
static bool check_receiver(const struct receiver *r, const struct waker *w)
{
	const struct kipc_msg *m = &r->m;

	if (r->early) {
		violation("%s receiver %d (type %u) returned before anything was"
			  " sent for it: %s, type %u priority %u",
			  kind_name[r->kind], r->idx, r->want,
			  r->ret < 0 ? strerror(-r->ret) : "success", m->type,
			  m->priority);
		return false;
	}
	if (r->ret < 0) {
		violation("%s receiver %d (type %u): %s", kind_name[r->kind],
			  r->idx, r->want, strerror(-r->ret));
		return false;
	}
	if (!w) {
		violation("%s receiver %d got type %u priority %u seq %" PRIu64
			  ", which nobody sent for it", kind_name[r->kind],
			  r->idx, m->type, m->priority, m->seq);
		return false;
	}
	if (m->type != w->type || m->priority != w->prio || m->seq != w->seq ||
	    m->len || m->msg_len) {
		violation("%s receiver %d (type %u%s) got type %u priority %u"
			  " seq %" PRIu64 " len %u, expected type %u priority"
			  " %u seq %" PRIu64 " len 0", kind_name[r->kind],
			  r->idx, r->want, r->flags ? ", selection" : "",
			  m->type, m->priority, m->seq, m->len, w->type,
			  w->prio, w->seq);
		return false;
	}
	if (r->t_done < w->t_send) {
		violation("%s receiver %d returned before its message was sent",
			  kind_name[r->kind], r->idx);
		return false;
	}
	return true;
}

int main(int argc, char **argv)
{
	struct queue qa = { .tag = "A" }, qb = { .tag = "B" };
	char name_a[KIPC_NAME_MAX], name_b[KIPC_NAME_MAX];
	uint64_t t_block, t_blocked, t_wake_a, t_wake_b, t_end;
	uint64_t max_send = 0, max_wake = 0;
	pthread_t probe_thread;
	pthread_attr_t attr;
	unsigned int i, ndone_want, nsent_not = 0, nok = 0;
	struct rng rng;
	int opt, a_id, b_id;
	bool probe_rt;

	opt_seed = (uint64_t)time(NULL);
	while ((opt = getopt(argc, argv, "d:b:w:l:x:p:u:s:t:T:v")) != -1) {
		switch (opt) {
		case 'd': opt_depth = num(optarg, 1u << 20); break;
		case 'b': opt_depth_b = num(optarg, 1u << 20); break;
		case 'w': opt_exact = num(optarg, 60000); break;
		case 'l': opt_le = num(optarg, TYPE_BULK - TYPE_LE); break;
		case 'x': opt_not = num(optarg, 60000); break;
		case 'p': opt_prio_max = num(optarg, KIPC_PRIO_MAX); break;
		case 'u': opt_uid = num(optarg, 0x7fffffff); break;
		case 's': opt_seed = strtoull(optarg, NULL, 0); break;
		case 't': opt_secs = num(optarg, 86400); break;
		case 'T': opt_budget = num(optarg, 86400); break;
		case 'v': opt_verbose = 1; break;
		default: usage();
		}
	}
	if (optind != argc)
		usage();
	if (opt_depth_b == ~0u)
		opt_depth_b = opt_depth / 5;
	if (!opt_secs)
		opt_secs = 1;
	rng.s = opt_seed;
	setvbuf(stdout, NULL, _IOLBF, 0);

	nrcv = opt_exact + opt_le + opt_not;
	enough_fds(nrcv + 64);
	drop_privileges();

	snprintf(name_a, sizeof(name_a), "locklat-A-%d", getpid());
	snprintf(name_b, sizeof(name_b), "locklat-B-%d", getpid());
	a_id = open_mbox(&qa, name_a, opt_depth + opt_exact + opt_le + 64);
	b_id = open_mbox(&qb, name_b, opt_depth_b + opt_not + 64);
	fill(&qa, opt_depth, true, &rng);
	fill(&qb, opt_depth_b, false, &rng);
	printf(PROG ": uid %ld, seed %" PRIu64 ": A (id %d) %u messages queued"
	       " (types %u..%u, %u of type %u; priorities 0..%u), B (id %d) %u"
	       " of type %u; receivers: %u exact and %u LE on A, %u NOT on B\n",
	       opt_uid, opt_seed, a_id, qa.depth, TYPE_BULK,
	       TYPE_BULK + TYPE_MIXED, qa.by_type[TYPE_BULK], TYPE_BULK,
	       opt_prio_max, b_id, qb.depth, TYPE_BULK, opt_exact, opt_le,
	       opt_not);

	wk_exact = calloc(opt_exact + 1, sizeof(*wk_exact));
	wk_le = calloc(opt_le + 1, sizeof(*wk_le));
	wk_not = calloc(opt_not + 1, sizeof(*wk_not));
	rcv = calloc(nrcv, sizeof(*rcv));
	if (!wk_exact || !wk_le || !wk_not || !rcv)
		die("out of memory");

	/* The probe runs from before the first receiver blocks. */
	for (i = 0; i < 2; i++) {
		probe_fd[i] = kipc_open(0);
		if (probe_fd[i] < 0 ||
		    kipc_attach(probe_fd[i], i ? name_b : name_a) <= 0)
			die("probe: cannot attach: %s", strerror(errno));
	}
	{
		struct sched_param sp = { .sched_priority = 1 };
		pthread_attr_t pa;

		pthread_attr_init(&pa);
		pthread_attr_setinheritsched(&pa, PTHREAD_EXPLICIT_SCHED);
		pthread_attr_setschedpolicy(&pa, SCHED_FIFO);
		pthread_attr_setschedparam(&pa, &sp);
		probe_rt = !pthread_create(&probe_thread, &pa, probe, NULL);
		if (!probe_rt && pthread_create(&probe_thread, NULL, probe, NULL))
			die("cannot start the probe thread");
		pthread_attr_destroy(&pa);
	}

	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 << 10);
	t_block = now_ns();
	for (i = 0; i < nrcv; i++) {
		struct receiver *r = &rcv[i];
		const char *name = name_a;

		if (i < opt_exact) {
			r->kind = EXACT;
			r->idx = (int)i;
			r->want = TYPE_EXACT + i;
		} else if (i < opt_exact + opt_le) {
			r->kind = LE;
			r->idx = (int)(i - opt_exact);
			r->want = TYPE_LE + r->idx;
			r->flags = KIPC_RECV_TYPE_LE;
		} else {
			r->kind = NOT;
			r->idx = (int)(i - opt_exact - opt_le);
			r->want = TYPE_BULK;
			r->flags = KIPC_RECV_TYPE_NOT;
			name = name_b;
		}
		r->fd = kipc_open(0);
		if (r->fd < 0 || kipc_attach(r->fd, name) <= 0)
			die("receiver %u: cannot attach: %s", i, strerror(errno));
		if (pthread_create(&r->thread, &attr, receive, r))
			die("cannot start receiver thread %u", i);
	}
	wait_blocked(&qa, opt_exact + opt_le, &qb, opt_not);
	t_blocked = now_ns();

	/*
	 * Wake them one by one: each send matches exactly one blocked
	 * receiver (any one of B's). One that returned early (a violation,
	 * reported below) gets no wake-up.
	 */
	atomic_store(&phase, PH_WAKE_A);
	t_wake_a = now_ns();
	if (opt_budget)
		budget_end = t_wake_a + (uint64_t)opt_budget * 1000000000ull;
	ndone_want = done_count();
	for (i = 0; i < opt_exact; i++) {
		wk_exact[i] = (struct waker){ .type = TYPE_EXACT + i,
			.prio = rng_below(&rng, opt_prio_max + 1) };
		if (!rcv[i].early && budget_left())
			wake_one(&qa, &wk_exact[i], ++ndone_want, &max_send);
	}
	for (i = opt_le; i-- > 0;) {
		wk_le[i] = (struct waker){ .type = TYPE_LE + i,
			.prio = rng_below(&rng, opt_prio_max + 1) };
		if (!rcv[opt_exact + i].early && budget_left())
			wake_one(&qa, &wk_le[i], ++ndone_want, &max_send);
	}
	atomic_store(&phase, PH_WAKE_B);
	t_wake_b = now_ns();
	for (i = 0; i < opt_not; i++)
		if (!rcv[opt_exact + opt_le + i].early)
			nsent_not++;
	for (i = 0; i < nsent_not && budget_left(); i++) {
		wk_not[i] = (struct waker){ .type = TYPE_NOT_WAKE + i,
			.prio = rng_below(&rng, opt_prio_max + 1) };
		wake_one(&qb, &wk_not[i], ++ndone_want, &max_send);
	}
	t_end = now_ns();
	if (incomplete) {
		/* Out of time: EIDRM for those still waiting, figures so far. */
		kipc_destroy(qa.fd);
		kipc_destroy(qb.fd);
	}
	for (i = 0; i < nrcv; i++)
		pthread_join(rcv[i].thread, NULL);
	if (incomplete) {
		atomic_store(&probe_stop, true);
		pthread_join(probe_thread, NULL);
		print_figures(qa.depth, t_blocked - t_block, t_wake_b - t_wake_a,
			      t_end - t_wake_b, max_send, 0, probe_rt);
		printf(PROG ": INCOMPLETE: the %u s budget (-T) ran out after %u"
		       " of %u wake-ups; nothing checked\n", opt_budget,
		       nwoken, nrcv);
		return 2;
	}

	/* Who got what. */
	for (i = 0; i < nrcv; i++) {
		struct receiver *r = &rcv[i];
		struct waker *w = NULL;

		if (r->kind == EXACT) {
			w = &wk_exact[r->idx];
		} else if (r->kind == LE) {
			w = &wk_le[r->idx];
		} else if (!r->early && r->ret == 0) {
			uint32_t k = r->m.type - TYPE_NOT_WAKE;

			if (r->m.type >= TYPE_NOT_WAKE && k < nsent_not &&
			    wk_not[k].seq == r->m.seq)
				w = &wk_not[k];
		}
		if (!check_receiver(r, w))
			continue;
		nok++;
		w->taken++;
		if (r->t_done - w->t_send > max_wake)
			max_wake = r->t_done - w->t_send;
	}
	for (i = 0; i < nsent_not; i++)
		if (wk_not[i].taken != 1)
			violation("B: the wake-up of type %u was received %d"
				  " times", wk_not[i].type, wk_not[i].taken);

	/* The queues must be untouched. */
	atomic_store(&phase, PH_DRAIN);
	{
		struct kipc_stat sa, sb;

		if (kipc_stat(qa.fd, &sa) < 0 || kipc_stat(qb.fd, &sb) < 0)
			die("stat: %s", strerror(errno));
		if (sa.depth != qa.depth || sb.depth != qb.depth)
			violation("after the wake-ups A holds %u messages (queued"
				  " %u), B %u (queued %u)", sa.depth, qa.depth,
				  sb.depth, qb.depth);
		if (sa.blocked_receivers || sb.blocked_receivers)
			violation("%u receivers still blocked",
				  sa.blocked_receivers + sb.blocked_receivers);
		if (sa.received != opt_exact + opt_le || sb.received != opt_not)
			violation("A counts %" PRIu64 " messages received"
				  " (expected %u), B %" PRIu64 " (expected %u)",
				  sa.received, opt_exact + opt_le, sb.received,
				  opt_not);
	}
	drain(&qa);
	drain(&qb);
	atomic_store(&probe_stop, true);
	pthread_join(probe_thread, NULL);
	kipc_destroy(qa.fd);
	kipc_destroy(qb.fd);

	print_figures(qa.depth, t_blocked - t_block, t_wake_b - t_wake_a,
		      t_end - t_wake_b, max_send, max_wake, probe_rt);
	if (probe_errors)
		violation("%" PRIu64 " probe STATs failed (last: %s)",
			  probe_errors, strerror(probe_errno));
	printf(PROG ": %u of %u receivers got exactly their message; %"
	       PRIu64 " violations\n", nok, nrcv, violations);
	printf(PROG ": %s\n", violations ? "FAIL" : "PASS");
	return violations ? 1 : 0;
}
