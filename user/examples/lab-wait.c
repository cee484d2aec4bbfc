// SPDX-License-Identifier: GPL-2.0
/*
 * Lab 3: what waiting costs. Blocking vs. non-blocking vs. busy waiting.
 *
 *   lab-wait STRATEGY [DELAY_MS]
 *
 * Creates a temporary mailbox and forks a child that sleeps DELAY_MS
 * (default 1000) and then sends one message. Meanwhile the parent waits for
 * that message with STRATEGY:
 *
 *   block  one receive that sleeps in the kernel until the message is there
 *   poll   poll(2) on the handle (also sleeps in the kernel), then receive
 *   nap    non-blocking receive; on EAGAIN sleep 1 ms and retry (polling)
 *   spin   non-blocking receive, retried at once (busy waiting)
 *   all    each of the above in turn
 *
 * and reports the CPU time the wait cost it, measured with getrusage(2).
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "libkipc.h"

static void die(const char *what, int err)
{
	fprintf(stderr, "lab-wait: %s: %s\n", what, strerror(err));
	exit(1);
}

static double secs(struct timeval tv)
{
	return tv.tv_sec + tv.tv_usec / 1e6;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Waits for one message on @fd as @strategy says; returns the calls made. */
static unsigned long wait_for_message(int fd, const char *strategy)
{
	char buf[64];
	unsigned long calls = 0;
	int ret;

	if (!strcmp(strategy, "block")) {
		calls++;
		ret = kipc_recv(fd, buf, sizeof(buf), 0, 0, 0);
	} else if (!strcmp(strategy, "poll")) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };

		calls++;
		if (poll(&pfd, 1, -1) < 0)	/* sleeps until POLLIN */
			die("poll", errno);
		calls++;
		ret = kipc_recv(fd, buf, sizeof(buf), 0, KIPC_NONBLOCK, 0);
	} else if (!strcmp(strategy, "nap") || !strcmp(strategy, "spin")) {
		int nap = !strcmp(strategy, "nap");

		do {
			calls++;
			ret = kipc_recv(fd, buf, sizeof(buf), 0, KIPC_NONBLOCK, 0);
			if (ret == -EAGAIN && nap)
				usleep(1000);	/* give the CPU away for 1 ms */
		} while (ret == -EAGAIN);
	} else {
		fprintf(stderr, "lab-wait: unknown strategy '%s'\n", strategy);
		exit(2);
	}
	if (ret < 0)
		die("recv", -ret);
	return calls;
}

static void run(const char *strategy, int delay_ms)
{
	struct kipc_create_opts opts = { .flags = KIPC_CREATE_TEMP };
	struct rusage before, after;
	unsigned long calls;
	char name[32];
	double t0, cpu_user, cpu_sys;
	pid_t child;
	int fd;

	snprintf(name, sizeof(name), "lab3-%d", getpid());
	fd = kipc_open_create(name, &opts);
	if (fd < 0)
		die(name, -fd);

	child = fork();
	if (child < 0)
		die("fork", errno);
	if (child == 0) {
		usleep(delay_ms * 1000);
		if (kipc_send(fd, "wake up", 7, 0, 0, 0, 0) < 0)
			_exit(1);
		_exit(0);
	}

	/* RUSAGE_SELF: this process only, not the child. */
	getrusage(RUSAGE_SELF, &before);
	t0 = now();
	calls = wait_for_message(fd, strategy);
	getrusage(RUSAGE_SELF, &after);

	cpu_user = secs(after.ru_utime) - secs(before.ru_utime);
	cpu_sys = secs(after.ru_stime) - secs(before.ru_stime);
	printf("%-5s waited %5.0f ms  calls %9lu  cpu %6.3f s (user %.3f + sys %.3f)"
	       "  switches: voluntary %ld, involuntary %ld\n",
	       strategy, (now() - t0) * 1000, calls, cpu_user + cpu_sys,
	       cpu_user, cpu_sys, after.ru_nvcsw - before.ru_nvcsw,
	       after.ru_nivcsw - before.ru_nivcsw);
	fflush(stdout);
	waitpid(child, NULL, 0);
	kipc_close(fd);
}

int main(int argc, char **argv)
{
	static const char *all[] = { "block", "poll", "nap", "spin" };
	int delay_ms = argc > 2 ? atoi(argv[2]) : 1000;

	if (argc < 2) {
		fprintf(stderr, "usage: lab-wait block|poll|nap|spin|all [DELAY_MS]\n");
		return 2;
	}
	if (strcmp(argv[1], "all")) {
		run(argv[1], delay_ms);
		return 0;
	}
	for (int i = 0; i < 4; i++)
		run(all[i], delay_ms);
	return 0;
}
