// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-notify-probe: how long one send keeps its mailbox's lock when it has
 * signal registrations to serve.
 *
 *   kipc-notify-probe [-n REGISTRATIONS] [-m MESSAGES]
 *
 * Forks REGISTRATIONS (default 64) processes, each registered for SIGUSR1
 * on one mailbox and waiting for it in sigwaitinfo(), so that every signal
 * wakes a process. The main thread sends MESSAGES (default 20000) messages
 * and receives each back; a probe thread calls KIPC_IOC_STAT in a loop,
 * which takes the mailbox's spinlock, and records how long each call took:
 * the longest is the longest the lock was held (plus one STAT, and whatever
 * preempted the probe: on a loaded host, the tail is mostly that). Prints
 * percentiles of STAT and send, in microseconds.
 *
 * For the time spent signalling (under mb->lock before issue 13, outside
 * it since), time kipc_notify_deliver() meanwhile:
 *
 *   cd /sys/kernel/tracing; echo kipc_notify_deliver > set_ftrace_filter
 *   echo function_graph > current_tracer; kipc-notify-probe -n 64 -m 5000
 *   grep -o '[0-9.]* us' trace | sort -n	# one line per send
 */
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "libkipc.h"
#include "kipc-stress.h"

#define MAX_SAMPLES	(1 << 22)

static volatile int stop;
static uint32_t stat_us[MAX_SAMPLES], send_us[MAX_SAMPLES];
static unsigned int nstat, nsend;

static void *probe(void *arg)
{
	int fd = *(int *)arg;
	struct kipc_stat st;
	uint64_t t;

	while (!stop && nstat < MAX_SAMPLES) {
		t = now_ns();
		if (kipc_stat(fd, &st) < 0) {
			perror("stat");
			exit(1);
		}
		stat_us[nstat++] = (now_ns() - t) / 1000;
	}
	return NULL;
}

static int cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static void report(const char *what, uint32_t *v, unsigned int n)
{
	if (!n)
		return;
	qsort(v, n, sizeof(*v), cmp);
	printf("%s: %u samples, median %u us, 99%% %u us, 99.9%% %u us, max %u us\n",
	       what, n, v[n / 2], v[(uint64_t)n * 99 / 100],
	       v[(uint64_t)n * 999 / 1000], v[n - 1]);
}

int main(int argc, char **argv)
{
	unsigned int regs = 64, msgs = 20000;
	char name[KIPC_NAME_MAX], buf[16];
	pid_t *pids;
	pthread_t thread;
	int fd, pfd, opt, ready[2];
	sigset_t set;
	uint64_t t;

	while ((opt = getopt(argc, argv, "n:m:")) != -1) {
		switch (opt) {
		case 'n':
			regs = strtoul(optarg, NULL, 0);
			break;
		case 'm':
			msgs = strtoul(optarg, NULL, 0);
			break;
		default:
			fprintf(stderr, "usage: %s [-n REGISTRATIONS] [-m MESSAGES]\n",
				argv[0]);
			return 2;
		}
	}
	if (msgs > MAX_SAMPLES)
		msgs = MAX_SAMPLES;

	snprintf(name, sizeof(name), "notify-probe-%d", getpid());
	fd = kipc_open_create(name, NULL);
	pfd = kipc_open_attach(name);
	if (fd < 0 || pfd < 0 || pipe(ready)) {
		perror("create");
		return 1;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);

	pids = calloc(regs, sizeof(*pids));
	for (unsigned int i = 0; i < regs; i++) {
		pids[i] = fork();
		if (!pids[i]) {
			int h = kipc_open_attach(name), ret;

			ret = h < 0 ? h : kipc_notify(h, SIGUSR1, 0);
			if (write(ready[1], &ret, sizeof(ret)) != sizeof(ret))
				_exit(1);
			while (sigwaitinfo(&set, NULL) == SIGUSR1)
				;
			_exit(0);
		}
	}
	for (unsigned int i = 0; i < regs; i++) {
		int ret;

		if (read(ready[0], &ret, sizeof(ret)) != sizeof(ret) || ret) {
			fprintf(stderr, "registration %u: %s\n", i,
				strerror(-ret));
			return 1;
		}
	}

	pthread_create(&thread, NULL, probe, &pfd);
	for (unsigned int i = 0; i < msgs; i++) {
		t = now_ns();
		if (kipc_send(fd, "m", 1, 0, 0, 0, 0) < 0) {
			perror("send");
			return 1;
		}
		send_us[nsend++] = (now_ns() - t) / 1000;
		if (kipc_recv(fd, buf, sizeof(buf), 0, 0, 0) < 0) {
			perror("recv");
			return 1;
		}
	}
	stop = 1;
	pthread_join(thread, NULL);

	for (unsigned int i = 0; i < regs; i++)
		kill(pids[i], SIGTERM);
	while (wait(NULL) > 0)
		;
	kipc_destroy(fd);

	printf("%u registrations, %u messages\n", regs, msgs);
	report("STAT (mailbox lock wait)", stat_us, nstat);
	report("send", send_us, nsend);
	return 0;
}
