// SPDX-License-Identifier: GPL-2.0
/*
 * Lab 4: are signals counted? Standard vs. real-time signals.
 *
 *   lab-sigqueue SIGNAL [N]
 *
 * SIGNAL is USR1 (a standard signal) or RTMIN (a real-time one). The
 * program creates a temporary mailbox, registers SIGNAL for it, and blocks
 * SIGNAL. A child then sends N (default 5) messages, so the kernel raises
 * SIGNAL N times while it is blocked. Then the program unblocks it and counts
 * how often its handler runs: a standard signal is only a "pending" bit, a
 * real-time signal is queued once per raise.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "libkipc.h"

static volatile sig_atomic_t deliveries;

static void handler(int signo, siginfo_t *info, void *context)
{
	(void)signo;
	(void)info;
	(void)context;
	deliveries++;
}

static void die(const char *what, int err)
{
	fprintf(stderr, "lab-sigqueue: %s: %s\n", what, strerror(err));
	exit(1);
}

int main(int argc, char **argv)
{
	struct kipc_create_opts opts = { .flags = KIPC_CREATE_TEMP };
	struct sigaction sa = { .sa_sigaction = handler, .sa_flags = SA_SIGINFO };
	struct kipc_stat st;
	sigset_t set;
	char name[32];
	int signo, n = argc > 2 ? atoi(argv[2]) : 5, fd, ret;
	pid_t child;

	if (argc < 2 || (strcmp(argv[1], "USR1") && strcmp(argv[1], "RTMIN"))) {
		fprintf(stderr, "usage: lab-sigqueue USR1|RTMIN [N]\n");
		return 2;
	}
	signo = !strcmp(argv[1], "USR1") ? SIGUSR1 : SIGRTMIN;

	snprintf(name, sizeof(name), "lab4-queue-%d", getpid());
	fd = kipc_open_create(name, &opts);
	if (fd < 0)
		die(name, -fd);
	sigemptyset(&sa.sa_mask);
	sigaction(signo, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, signo);
	sigprocmask(SIG_BLOCK, &set, NULL);	/* hold deliveries back */
	ret = kipc_notify(fd, signo, 0);
	if (ret < 0)
		die("notify", -ret);

	child = fork();
	if (child == 0) {
		for (int i = 0; i < n; i++)
			if (kipc_send(fd, "tick", 4, 0, 0, 0, 0) < 0)
				_exit(1);
		_exit(0);
	}
	waitpid(child, NULL, 0);	/* all N sent, N signals raised */

	kipc_stat(fd, &st);
	printf("SIG%s: %d messages queued (depth %u) while the signal was blocked\n",
	       argv[1], n, st.depth);
	sigprocmask(SIG_UNBLOCK, &set, NULL);	/* pending signals run now */
	printf("SIG%s: the handler ran %d time(s)\n", argv[1], (int)deliveries);
	return 0;
}
