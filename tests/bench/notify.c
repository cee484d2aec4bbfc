// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-bench's notification latency: from a send to the receiver's signal
 * handler (kipc_notify, mq_notify) or poll wake-up (poll, epoll).
 */

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/epoll.h>

#include "bench.h"

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

void notify_init(void)
{
	nshm = shared_map(4096);
}

static void on_notify(int sig)
{
	(void)sig;
	nshm->t_wake = now_ns();
	nshm->got = 1;
}

/* The receiving child's state. */
struct notify_rx {
	enum notify_kind k;
	struct chan *c;
	int sig, fd, ep;
	struct sigevent sev;
	sigset_t old;		/* the mask to wait for the signal in */
};

/* Registers for the notification @rx->k wants; exits the child if it cannot. */
static void notify_register(struct notify_rx *rx, const char *mbox)
{
	struct epoll_event ev = { .events = EPOLLIN };
	enum notify_kind k = rx->k;

	switch (k) {
	case N_KIPC_SIG:
	case N_KIPC_EPOLL:
		/* Its own handle: a registration belongs to a handle. */
		rx->fd = kipc_open_attach(mbox);
		if (rx->fd < 0)
			_exit(1);
		if (k == N_KIPC_SIG && kipc_notify(rx->fd, rx->sig, 0))
			_exit(1);
		break;
	case N_MQ_SIG:
		rx->sev.sigev_notify = SIGEV_SIGNAL;
		rx->sev.sigev_signo = rx->sig;
		if (mq_notify(rx->c->mq, &rx->sev))
			_exit(1);
		break;
	default:
		rx->fd = rx->c->fd[0];
		break;
	}
	if (k == N_KIPC_EPOLL || k == N_PIPE_EPOLL) {
		rx->ep = epoll_create1(0);
		ev.data.fd = rx->fd;
		if (rx->ep < 0 || epoll_ctl(rx->ep, EPOLL_CTL_ADD, rx->fd, &ev))
			_exit(1);
	}
}

/* Waits for the next notification and stamps nshm->t_wake. */
static void notify_wait(struct notify_rx *rx)
{
	struct pollfd pfd = { .fd = rx->fd, .events = POLLIN };
	struct epoll_event ev;

	switch (rx->k) {
	case N_KIPC_SIG:
	case N_MQ_SIG:
		while (!nshm->got)
			sigsuspend(&rx->old);
		nshm->got = 0;
		break;
	case N_PIPE_POLL:
		if (poll(&pfd, 1, -1) != 1)
			_exit(1);
		nshm->t_wake = now_ns();
		break;
	default:
		if (epoll_wait(rx->ep, &ev, 1, -1) != 1)
			_exit(1);
		nshm->t_wake = now_ns();
		break;
	}
}

/* The receiving child: waits for each message as @k says, then drains it. */
static void notify_child(enum notify_kind k, struct chan *c, const char *mbox,
			 int ready, unsigned total)
{
	struct notify_rx rx = { .k = k, .c = c, .sig = SIGRTMIN + 2,
				.fd = -1, .ep = -1 };
	sigset_t block;
	char buf[MAX_MSG];
	unsigned i;

	sigemptyset(&block);
	sigaddset(&block, rx.sig);
	sigprocmask(SIG_BLOCK, &block, &rx.old);
	signal(rx.sig, on_notify);
	notify_register(&rx, mbox);

	for (i = 0; i < total; i++) {
		ssize_t r;

		if (write(ready, "r", 1) != 1)
			_exit(1);
		notify_wait(&rx);
		if (k == N_KIPC_SIG || k == N_KIPC_EPOLL)
			r = kipc_recv(rx.fd, buf, sizeof(buf), 0, KIPC_NONBLOCK, 0);
		else
			r = chan_recv(c, buf, 64);
		if (r != 64 || get_seq(buf) != i)
			_exit(1);
		/* mq_notify is one-shot: register again while empty. */
		if (k == N_MQ_SIG && i + 1 < total && mq_notify(c->mq, &rx.sev))
			_exit(1);
	}
	if (write(ready, "r", 1) != 1)
		_exit(1);
	_exit(0);
}

/* The mailbox's name, for the child to attach its own handle; 0 or -1. */
static int mbox_name(struct chan *c, char *mbox, size_t size)
{
	struct kipc_stat st = { .size = sizeof(st) };

	if (kipc_stat(c->fd[0], &st))
		return -1;
	snprintf(mbox, size, "%s", st.name);
	return 0;
}

/* Sends one message each time the child is ready; how many rounds went. */
static unsigned notify_send(struct chan *c, int ready, unsigned total,
			    struct series *s)
{
	uint64_t t0 = 0;
	char buf[64], c1;
	unsigned i;

	memset(buf, 0, sizeof(buf));
	for (i = 0; i <= total; i++) {
		if (read(ready, &c1, 1) != 1)
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
	return i;
}

static void notification(enum notify_kind k, struct series *s)
{
	unsigned total = cfg.nt_warm + cfg.nt_n, i;
	int ready[2] = { -1, -1 };
	char mbox[64] = "";
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
	if (c->m == M_KIPC && mbox_name(c, mbox, sizeof(mbox))) {
		series_fail(s, "stat: %s", strerror(errno));
		goto out;
	}
	nshm->got = 0;
	pid = fork_child();
	if (!pid) {
		close(ready[0]);
		notify_child(k, c, mbox, ready[1], total);
	}
	close(ready[1]);
	ready[1] = -1;
	watchdog(RUN_TIMEOUT);
	i = notify_send(c, ready[0], total, s);
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

void notifications(int t)
{
	for (int j = 0; j < NR_NOTIFY; j++) {
		enum notify_kind n = (j + t) % NR_NOTIFY;

		notification(n, get_series(notify_desc[n].group,
					   notify_desc[n].mech, "us", false));
	}
}
