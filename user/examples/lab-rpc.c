// SPDX-License-Identifier: GPL-2.0
/*
 * Lab 8: one service, reached two ways.
 *
 *   lab-rpc [ROUNDS] [CLIENTS]
 *
 * A server answers requests of 64 bytes by sending them back. CLIENTS
 * client processes (default 1) each make ROUNDS requests (default 2000)
 * and wait for every answer before the next request. The service is built
 * twice:
 *
 *   direct    request and reply through the kernel: each client calls
 *             KIPC_IOC_CALL on the mailbox "lab8-rpc" (one system call: send
 *             the request, sleep until the reply), and the server answers
 *             each request and takes the next with KIPC_IOC_REPLY_RECV
 *             (one system call). The reply goes straight to the client
 *             that waits for it, never through a queue.
 *
 *   indirect  the same with plain mailboxes: the requests go into
 *             "lab8-req", and each client has a mailbox of its own for its
 *             replies, "lab8-rep-K", whose number K travels in the request.
 *             A round trip is four system calls: the client sends and
 *             receives, the server receives and sends.
 *
 * Each way runs 5 times, alternately; the program prints the median time of
 * a round trip seen by a client, the fastest and slowest of the 5 runs, and
 * the requests the server answered per second.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "libkipc.h"

#define SIZE		64
#define RUNS		5
#define MAX_CLIENTS	64

static int rounds = 2000, nclients = 1;

static void die(const char *what, int err)
{
	fprintf(stderr, "lab-rpc: %s: %s\n", what, strerror(err));
	exit(1);
}

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int open_mailbox(const char *name)
{
	int fd = kipc_open_attach(name);

	if (fd < 0)
		die(name, -fd);
	return fd;
}

/* ---- direct: CALL and REPLY_RECV on one mailbox */

static void direct_server(int total)
{
	int fd = open_mailbox("lab8-rpc");
	char buf[SIZE];
	uint64_t seq = 0;	/* the request to answer; 0: none yet */
	struct kipc_msg m;
	int ret;

	for (int i = 0; i < total; i++) {
		m = (struct kipc_msg){ .buf = (uintptr_t)buf, .len = SIZE };
		ret = kipc_reply_recv(fd, seq, buf, seq ? SIZE : 0, &m);
		if (ret)
			die("REPLY_RECV", -ret);
		seq = m.seq;	/* KIPC_MSG_CALL is in m.flags */
	}
	ret = seq ? kipc_reply(fd, seq, buf, SIZE) : 0;
	if (ret)
		die("REPLY", -ret);
	exit(0);
}

static void direct_client(int k)
{
	int fd = open_mailbox("lab8-rpc");
	char req[SIZE] = { 0 }, rep[SIZE];
	int ret;

	for (int i = 0; i < rounds; i++) {
		req[0] = k;
		req[1] = i;
		ret = kipc_call(fd, req, SIZE, 0, rep, SIZE, 0);
		if (ret != SIZE || memcmp(req, rep, SIZE))
			die("CALL", ret < 0 ? -ret : EPROTO);
	}
	exit(0);
}

/* ---- indirect: a request mailbox and a reply mailbox per client */

static void indirect_server(int total)
{
	int req = open_mailbox("lab8-req"), rep[MAX_CLIENTS];
	char name[32], buf[SIZE];
	int ret;

	for (int k = 0; k < nclients; k++) {
		snprintf(name, sizeof(name), "lab8-rep-%d", k);
		rep[k] = open_mailbox(name);
	}
	for (int i = 0; i < total; i++) {
		ret = kipc_recv(req, buf, SIZE, 0, 0, 0);
		if (ret != SIZE || buf[0] < 0 || buf[0] >= nclients)
			die("recv", ret < 0 ? -ret : EPROTO);
		ret = kipc_send(rep[(int)buf[0]], buf, SIZE, 0, 0, 0, 0);
		if (ret)
			die("send", -ret);
	}
	exit(0);
}

static void indirect_client(int k)
{
	char name[32], req[SIZE] = { 0 }, rep[SIZE];
	int to = open_mailbox("lab8-req"), from, ret;

	snprintf(name, sizeof(name), "lab8-rep-%d", k);
	from = open_mailbox(name);
	for (int i = 0; i < rounds; i++) {
		req[0] = k;
		req[1] = i;
		ret = kipc_send(to, req, SIZE, 0, 0, 0, 0);
		if (ret)
			die("send", -ret);
		ret = kipc_recv(from, rep, SIZE, 0, 0, 0);
		if (ret < 0)
			die("recv", -ret);
		if (ret != SIZE || memcmp(req, rep, SIZE))
			die("reply", EPROTO);
	}
	exit(0);
}

/* ---- one run: the server and the clients, timed from start to end */

static pid_t spawn(void (*fn)(int), int arg)
{
	pid_t pid = fork();

	if (pid < 0)
		die("fork", errno);
	if (!pid)
		fn(arg);
	return pid;
}

static void reap(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		die("a child failed", EPROTO);
}

/* Microseconds per round trip, as one client sees it, in one run. */
static double run(void (*server)(int), void (*client)(int))
{
	pid_t srv = spawn(server, rounds * nclients), cli[MAX_CLIENTS];
	double t0 = now_us();

	for (int k = 0; k < nclients; k++)
		cli[k] = spawn(client, k);
	for (int k = 0; k < nclients; k++)
		reap(cli[k]);
	reap(srv);
	return (now_us() - t0) / rounds;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void report(const char *name, double *us, int syscalls)
{
	qsort(us, RUNS, sizeof(*us), cmp);
	printf("%-28s %9.1f %9.1f %9.1f %12.0f %9d\n", name, us[RUNS / 2],
	       us[0], us[RUNS - 1], nclients * 1e6 / us[RUNS / 2], syscalls);
}

/* Makes the mailboxes, temporary: gone when this process exits. */
static void setup(int *fds)
{
	struct kipc_create_opts o = { .flags = KIPC_CREATE_TEMP };
	char name[32];
	int n = 0;

	fds[n++] = kipc_open_create("lab8-rpc", &o);
	fds[n++] = kipc_open_create("lab8-req", &o);
	for (int k = 0; k < nclients; k++) {
		snprintf(name, sizeof(name), "lab8-rep-%d", k);
		fds[n++] = kipc_open_create(name, &o);
	}
	for (int i = 0; i < n; i++)
		if (fds[i] < 0)
			die("create", -fds[i]);
}

int main(int argc, char **argv)
{
	double direct[RUNS], indirect[RUNS];
	int fds[MAX_CLIENTS + 2];

	if (argc > 1)
		rounds = atoi(argv[1]);
	if (argc > 2)
		nclients = atoi(argv[2]);
	if (argc > 3 || rounds < 1 || nclients < 1 || nclients > MAX_CLIENTS) {
		fprintf(stderr, "usage: lab-rpc [ROUNDS] [CLIENTS (1..%d)]\n",
			MAX_CLIENTS);
		return 2;
	}
	setup(fds);
	for (int r = 0; r < RUNS; r++) {
		direct[r] = run(direct_server, direct_client);
		indirect[r] = run(indirect_server, indirect_client);
	}
	printf("%d round trips of %d bytes by each of %d client(s), %d runs of each service\n",
	       rounds, SIZE, nclients, RUNS);
	printf("%-28s %9s %9s %9s %12s %9s\n", "service", "us/round", "fastest",
	       "slowest", "requests/s", "syscalls");
	report("direct (CALL, REPLY_RECV)", direct, 2);
	report("indirect (two mailboxes)", indirect, 4);
	return 0;
}
