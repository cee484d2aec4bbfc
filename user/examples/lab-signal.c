// SPDX-License-Identifier: GPL-2.0
/*
 * Lab 4: asynchronous notification. The kernel signals us when mail arrives.
 *
 *   lab-signal NAME [COUNT]
 *
 * Attaches to the existing mailbox NAME, installs a SIGUSR1 handler with
 * sigaction(SA_SIGINFO) and asks the kernel (KIPC_IOC_NOTIFY) to send
 * SIGUSR1 whenever a message is queued. Then it sleeps in sigsuspend(2),
 * using no CPU, until COUNT (default 1) messages have been received.
 *
 * The signal says *that* something arrived, *where* (si_int = the mailbox
 * id) and *from whom* (si_pid, si_uid). It does not carry the message: the
 * program must still receive it from the mailbox.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libkipc.h"

/* Written by the handler, read by main. */
static volatile sig_atomic_t got_signal;
static siginfo_t last_info;

/*
 * A handler may run between any two instructions of main, so it does as
 * little as possible: it only keeps a copy of the siginfo. (printf() is not
 * async-signal-safe; main prints.)
 */
static void on_mail(int signo, siginfo_t *info, void *context)
{
	(void)signo;
	(void)context;
	last_info = *info;
	got_signal = 1;
}

static void die(const char *what, int err)
{
	fprintf(stderr, "lab-signal: %s: %s\n", what, strerror(err));
	exit(1);
}

int main(int argc, char **argv)
{
	struct sigaction sa = { 0 };
	sigset_t block, old;
	int count = argc > 2 ? atoi(argv[2]) : 1;
	int fd, id, received = 0, ret;

	if (argc < 2) {
		fprintf(stderr, "usage: lab-signal NAME [COUNT]\n");
		return 2;
	}
	fd = kipc_open(0);
	if (fd < 0)
		die("/dev/kipc", -fd);
	id = kipc_attach(fd, argv[1]);
	if (id < 0)
		die(argv[1], -id);

	sa.sa_sigaction = on_mail;
	sa.sa_flags = SA_SIGINFO;	/* we want the siginfo_t, not just signo */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);

	/*
	 * Block SIGUSR1 except inside sigsuspend(): a signal arriving between
	 * our check of got_signal and going to sleep is then not lost.
	 */
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, &old);

	ret = kipc_notify(fd, SIGUSR1, 0);	/* persistent, on every message */
	if (ret < 0)
		die("notify", -ret);
	printf("pid %d: waiting for SIGUSR1 from mailbox %s (id %d)\n",
	       getpid(), argv[1], id);
	fflush(stdout);

	while (received < count) {
		char buf[256];
		struct kipc_msg m;

		while (!got_signal)
			sigsuspend(&old);	/* sleep until a signal is handled */
		got_signal = 0;
		printf("signal %s: si_code=%s si_int=%d (mailbox id) si_pid=%d si_uid=%d\n",
		       sigabbrev_np(last_info.si_signo),
		       last_info.si_code == SI_MESGQ ? "SI_MESGQ" : "other",
		       last_info.si_int, last_info.si_pid, last_info.si_uid);

		/* The signal did not bring the message: fetch what is queued. */
		for (;;) {
			m = (struct kipc_msg){ .buf = (uintptr_t)buf, .len = sizeof(buf),
					       .flags = KIPC_NONBLOCK };
			if (kipc_recv_msg(fd, &m) < 0)
				break;	/* EAGAIN: nothing more queued */
			printf("  received \"%.*s\" (seq %llu) from pid %d uid %u\n",
			       (int)m.len, buf, (unsigned long long)m.seq,
			       m.sender_pid, m.sender_uid);
			received++;
		}
		fflush(stdout);
	}
	return 0;
}
