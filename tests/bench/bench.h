/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kipc-bench's pieces (main.c says what it measures):
 *
 *   main.c      settings, the plan (run_all), --profile, main()
 *   util.c      messages, memory, children
 *   series.c    results: one series of samples per mechanism and figure
 *   chan.c      a channel of any mechanism, through its struct mech_ops
 *   mech_*.c    the mechanisms: kipc (and batched), pipe and socketpair,
 *               POSIX mq, SysV msg
 *   latency.c   round trips and the floors (futex, null ioctl, getppid)
 *   call.c      request and reply: call round trips, 16 clients on a server
 *   stream.c    one-way streaming, fan-in, pairs side by side
 *   nonblock.c  per message, no blocking: one process fills and drains
 *   notify.c    notification latency
 *   scale.c     10,000 mailboxes against 10,000 SysV queues
 *   netlink.c   the mailbox dump and the charged bytes
 *   memory.c    bytes per queued message
 *   report.c    results.md, results.json, latency.dat
 */
#ifndef KIPC_BENCH_H
#define KIPC_BENCH_H

#include <mqueue.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

#include "common.h"	/* ARRAY_SIZE, now_ns(), the files */
#include "libkipc.h"

#define MAX_MSG		4096
#define DEPTH		64	/* queue depth given to every mechanism */
#define BATCH		32	/* kipc batched: messages per ioctl */
#define PRODUCERS	4	/* fan-in */
#define NPAIRS		16	/* pairs side by side, a channel each */
#define NCLIENTS	16	/* clients of one server */
#define RUN_TIMEOUT	120	/* seconds: a run that hangs fails */
#define RT_GROUP	"round trip %u B"	/* a round-trip series' group */
#define NB_GROUP	"per message, no blocking, 64 B"
#define PAIRS_GROUP	"16 pairs, 64 B, msg/s (all pairs)"
#define PAIR1_GROUP	"1 pair, 64 B, msg/s (as 16 pairs)"
#define CLIENTS_GROUP	"16 clients, 1 server, 64 B, requests/s"

/* ------------------------------------------------------------ settings */

struct config {
	bool quick;
	int trials;
	const char *out;
	unsigned rt_warm, rt_n;		/* round trips */
	unsigned tp_warm, tp_n;		/* streaming */
	unsigned fan_n;			/* fan-in, all producers together */
	unsigned nb_warm, nb_rounds;	/* no blocking: rounds of 256 */
	unsigned pairs_n;		/* pairs: messages per pair */
	unsigned clients_n;		/* 16 clients: requests per client */
	unsigned nt_warm, nt_n;		/* notification */
	unsigned null_n;		/* null ioctl calls per trial */
	unsigned scale_n;		/* mailboxes / SysV queues */
	unsigned list_reps;
	unsigned mem_n;			/* messages queued to weigh them */
};

extern struct config cfg;

/* ------------------------------------------------------------ util.c */

extern int failures;

void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void *xcalloc(size_t n, size_t size);
void watchdog(unsigned seconds);
void *shared_map(size_t size);
int reap(pid_t pid, bool kill_it);
pid_t fork_child(void);

/* Sequence numbers travel in the first 8 bytes of every payload. */
static inline void put_seq(char *buf, uint64_t seq)
{
	memcpy(buf, &seq, sizeof(seq));
}

static inline uint64_t get_seq(const char *buf)
{
	uint64_t seq;

	memcpy(&seq, buf, sizeof(seq));
	return seq;
}

/* ------------------------------------------------------------ series.c */

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

/*
 * Every series, in the order first asked for: the table's row order. A
 * series stays where it is: get_series()'s pointer holds for the run.
 */
extern struct series **series;
extern size_t nseries;

struct series *get_series(const char *group, const char *mech,
			  const char *unit, bool higher_better);
void add_sample(struct series *s, double v);
void series_fail(struct series *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void series_note(struct series *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void series_stats(struct series *s);
/* The series of @group and @mech if it has samples, else NULL. */
const struct series *find(const char *group, const char *mech);
/* kipc's series of the same group, if it has samples. */
const struct series *kipc_of(const struct series *s);

/* ------------------------------------------------------------ chan.c */

enum mech { M_KIPC, M_KIPCRW, M_KIPCV, M_PIPE, M_SOCK, M_MQ, M_SYSV, M_FUTEX, M_CALL,
	NR_MECH };

/* One direction of one mechanism: a mailbox, a pipe, a queue ... */
struct chan {
	enum mech m;
	const struct mech_ops *ops;
	int fd[2];		/* pipe, socket: read end, write end; kipc: handle */
	mqd_t mq;
	int msqid;
	struct kipc_msg v[BATCH];	/* kipc batched */
	char *vbuf;			/* BATCH buffers of MAX_MSG */
	struct { long mtype; char mtext[MAX_MSG]; } sysv;
};

/*
 * What a mechanism does. open, send, recv and close are there for every
 * channel mechanism (the futex floor has none: it is not a channel);
 * try_recv (memory), sendv and recvv (batched streaming) where it has them.
 */
struct mech_ops {
	const char *name;
	/* 0 or -errno; @c is cleared, its descriptors -1. */
	int (*open)(struct chan *c, unsigned size, unsigned depth);
	/* Sends one message; 0 or -1 with errno. */
	int (*send)(struct chan *c, const char *buf, unsigned len);
	/* Receives one message into @buf (room for @len); its length or -1. */
	ssize_t (*recv)(struct chan *c, char *buf, unsigned len);
	/* The same without waiting. */
	ssize_t (*try_recv)(struct chan *c, char *buf, unsigned len);
	/* Sends @count messages numbered from @seq; 0 or -1. */
	int (*sendv)(struct chan *c, uint64_t seq, unsigned count, unsigned len);
	/* Receives up to @count into c->v; how many, or -1. */
	int (*recvv)(struct chan *c, unsigned count, unsigned len);
	void (*close)(struct chan *c);
};

extern const struct mech_ops kipc_ops, kipcrw_ops, kipcv_ops, pipe_ops, sock_ops,
	mq_ops, sysv_ops;

const char *mech_name(enum mech m);
/* A name no other channel of this process has: @prefix-PID-N. */
void chan_name(char *buf, size_t size, const char *prefix);
int chan_open(struct chan *c, enum mech m, unsigned size, unsigned depth);
void chan_close(struct chan *c);

static inline int chan_send(struct chan *c, const char *buf, unsigned len)
{
	return c->ops->send(c, buf, len);
}

static inline ssize_t chan_recv(struct chan *c, char *buf, unsigned len)
{
	return c->ops->recv(c, buf, len);
}

/* ------------------------------------------------------------ stream.c */

/*
 * Sends @count messages of @size numbered @seq, @seq + 1, ... (in batches
 * where the mechanism has them); 0, or -1 with errno.
 */
int send_run(struct chan *c, uint64_t seq, unsigned count, unsigned size);
/*
 * Receives what comes next: a batch where the mechanism has them, else one
 * message into @buf (MAX_MSG bytes). Points @msgs (room for BATCH) at the
 * messages; how many, or 0 on an error. A batched message of another
 * length than @size sets @bad.
 */
unsigned take(struct chan *c, unsigned size, char *buf, const char **msgs,
	      bool *bad);
/*
 * Does every one of @msgs come next from its producer (the high 32 bits of
 * its sequence number, below @nprod)? Counts it in @next[producer].
 */
bool in_order(const char **msgs, unsigned k, uint64_t *next, unsigned nprod);

/* ------------------------------------------------------------ measurements */

void round_trip(enum mech m, unsigned size, struct series *s);
/* call.c: M_CALL's round trip; @NCLIENTS clients of M_CALL or M_MQ. */
void call_round_trip(unsigned size, struct series *s);
void clients(enum mech m, struct series *s);
void null_ioctl(struct series *s);
void null_syscall(struct series *s);
double stream(enum mech m, unsigned size, unsigned nprod,
	      unsigned warm, unsigned n, struct series *s);
void throughput(enum mech m, unsigned size, struct series *s);
void fan_in(enum mech m, struct series *s);
void nonblock(enum mech m, struct series *s);
/* @npairs producer -> consumer pairs at once, a channel each. */
void pairs(enum mech m, unsigned npairs, struct series *s);
void notify_init(void);
/* Every notification kind of trial @t, in an order rotated by @t. */
void notifications(int t);
void scale(void);
void memory(enum mech m, unsigned size);

/* ------------------------------------------------------------ netlink.c */

struct nl;

/* Dumps every mailbox; returns how many, or -errno. */
int nl_list(struct nl *nl);
/* kipc's charged bytes (KIPC_A_STATS_CHARGED_BYTES), or -1. */
int64_t kipc_charged(void);

/* ------------------------------------------------------------ report.c */

void write_md(FILE *f, const char *env);
void write_json(FILE *f, const char *kernel, const char *clocksource);
void write_dat(FILE *f, const enum mech *mechs, size_t nmechs,
	       const unsigned *sizes, size_t nsizes);
FILE *open_out(const char *name);
void mkdir_p(const char *dir);
void check_all_ran(void);

#endif /* KIPC_BENCH_H */
