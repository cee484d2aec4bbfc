// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-bench's request and reply (SPEC section 9): "kipc call", KIPC_IOC_CALL
 * against a server looping on KIPC_IOC_REPLY_RECV, one mailbox, as a round
 * trip beside the other mechanisms' send/recv pairs; and 16 clients calling
 * one server, against the same service over POSIX mq (one request queue,
 * a reply queue per client, the client's number in the request).
 */

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/mman.h>

#include "bench.h"

/* A temporary mailbox for calls; its handle, or -errno. */
static int call_mailbox(char *name, size_t len, unsigned size)
{
	struct kipc_create_opts o = {
		.flags = KIPC_CREATE_TEMP,
		.capacity = DEPTH,
		.capacity_bytes = (uint64_t)DEPTH * size,
		.max_msg_size = size,
	};

	chan_name(name, len, "bench-call");
	return kipc_open_create(name, &o);
}

/*
 * The server: answers @total requests on the mailbox @name, each with its
 * own bytes, REPLY_RECV for all but the first receive and the last reply.
 */
static void call_server(const char *name, unsigned size, unsigned total)
{
	char buf[MAX_MSG];
	struct kipc_msg m;
	uint64_t seq = 0;
	int fd = kipc_open_attach(name);

	if (fd < 0)
		_exit(1);
	for (unsigned i = 0; i < total; i++) {
		m = (struct kipc_msg){ .buf = (uintptr_t)buf, .len = size };
		if (kipc_reply_recv(fd, seq, buf, seq ? size : 0, &m) ||
		    m.len != size || !(m.flags & KIPC_MSG_CALL))
			_exit(1);
		seq = m.seq;
	}
	_exit(total && kipc_reply(fd, seq, buf, size) ? 1 : 0);
}

/* A client's @n calls of @size on @fd, numbered from @first; how many went. */
static unsigned call_client(int fd, unsigned size, uint64_t first, unsigned n,
			    unsigned warm, struct series *s)
{
	char buf[MAX_MSG], rbuf[MAX_MSG];
	unsigned i;

	memset(buf, 0xa5, sizeof(buf));
	for (i = 0; i < n; i++) {
		uint64_t t0 = now_ns();

		put_seq(buf, first + i);
		if (kipc_call(fd, buf, size, 1, rbuf, size, 0) != (int)size ||
		    get_seq(rbuf) != first + i)
			break;
		if (s && i >= warm)
			add_sample(s, (now_ns() - t0) / 1000.0);
		if (s)
			s->moved += 2;
	}
	return i;
}

void call_round_trip(unsigned size, struct series *s)
{
	unsigned total = cfg.rt_warm + cfg.rt_n, i;
	char name[64];
	int fd = call_mailbox(name, sizeof(name), size);
	pid_t pid;

	s->ran = true;
	if (fd < 0) {
		series_fail(s, "setup: %s", strerror(-fd));
		return;
	}
	pid = fork_child();
	if (!pid)
		call_server(name, size, total);
	watchdog(RUN_TIMEOUT);
	i = call_client(fd, size, 0, total, cfg.rt_warm, s);
	watchdog(0);
	if (reap(pid, i < total) || i < total)
		series_fail(s, "call %u of %u failed", i, total);
	close(fd);
}

/* ------------------------------------------------------------ 16 clients */

/* The mq service: requests on @req, client k's replies on @rep[k]. */
struct mq_service {
	struct chan req, rep[NCLIENTS];
};

static void mq_server(struct mq_service *sv, unsigned size, unsigned total)
{
	char buf[MAX_MSG];

	for (unsigned i = 0; i < total; i++) {
		ssize_t r = chan_recv(&sv->req, buf, size);

		if (r != size || (unsigned char)buf[8] >= NCLIENTS ||
		    chan_send(&sv->rep[(unsigned char)buf[8]], buf, size))
			_exit(1);
	}
	_exit(0);
}

static void mq_client(struct mq_service *sv, unsigned k, unsigned size,
		      unsigned n)
{
	char buf[MAX_MSG], rbuf[MAX_MSG];

	memset(buf, 0, sizeof(buf));
	buf[8] = k;
	for (unsigned i = 0; i < n; i++) {
		put_seq(buf, i);
		if (chan_send(&sv->req, buf, size) ||
		    chan_recv(&sv->rep[k], rbuf, size) != size ||
		    get_seq(rbuf) != i)
			_exit(1);
	}
	_exit(0);
}

/* A kipc client, in its own process with its own handle. */
static void call_client_child(const char *name, unsigned size, unsigned n)
{
	int fd = kipc_open_attach(name);

	_exit(fd < 0 || call_client(fd, size, 0, n, 0, NULL) != n);
}

/* Forks @NCLIENTS clients that start together; 0 or -1 if one failed. */
static int run_clients(enum mech m, struct mq_service *sv, const char *name,
		       unsigned size, unsigned n, struct series *s)
{
	volatile int *go = shared_map(sizeof(int));
	pid_t pid[NCLIENTS];
	uint64_t t0;
	int bad = 0;
	unsigned k;

	for (k = 0; k < NCLIENTS; k++) {
		pid[k] = fork_child();
		if (pid[k])
			continue;
		while (!*go)
			usleep(100);
		if (m == M_MQ)
			mq_client(sv, k, size, n);
		call_client_child(name, size, n);
	}
	t0 = now_ns();
	*go = 1;
	for (k = 0; k < NCLIENTS; k++)
		bad |= reap(pid[k], false);
	if (!bad) {
		add_sample(s, (double)NCLIENTS * n / ((now_ns() - t0) / 1e9));
		s->moved += 2ULL * NCLIENTS * n;
	}
	munmap((void *)go, sizeof(int));
	return bad ? -1 : 0;
}

/* @NCLIENTS clients, @cfg.clients_n requests each, one server, 64 B. */
void clients(enum mech m, struct series *s)
{
	unsigned size = 64, n = cfg.clients_n, total = NCLIENTS * n, k;
	struct mq_service *sv = xcalloc(1, sizeof(*sv));
	char name[64] = "";
	int fd = -1, ret = 0;
	pid_t server;

	s->ran = true;
	if (m == M_MQ) {
		ret = chan_open(&sv->req, M_MQ, size, DEPTH);
		for (k = 0; !ret && k < NCLIENTS; k++)
			ret = chan_open(&sv->rep[k], M_MQ, size, DEPTH);
	} else {
		fd = call_mailbox(name, sizeof(name), size);
		ret = fd < 0 ? fd : 0;
	}
	if (ret) {
		series_fail(s, "setup: %s", strerror(-ret));
		goto out;
	}
	server = fork_child();
	if (!server) {
		if (m == M_MQ)
			mq_server(sv, size, total);
		call_server(name, size, total);
	}
	watchdog(RUN_TIMEOUT);
	ret = run_clients(m, sv, name, size, n, s);
	watchdog(0);
	if (reap(server, ret < 0) || ret < 0)
		series_fail(s, "a client or the server failed");
out:
	if (fd >= 0)
		close(fd);
	chan_close(&sv->req);
	for (k = 0; k < NCLIENTS; k++)
		chan_close(&sv->rep[k]);
	free(sv);
}
