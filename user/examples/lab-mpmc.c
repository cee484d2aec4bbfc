// SPDX-License-Identifier: GPL-2.0
/*
 * Lab 2: indirect communication. Many producers, many consumers, one
 * mailbox; no producer knows which consumer will get its message.
 *
 *   lab-mpmc NAME PRODUCERS CONSUMERS MESSAGES
 *
 * Attaches to the existing mailbox NAME, forks CONSUMERS consumers and
 * PRODUCERS producers; each producer sends MESSAGES messages. When every
 * producer is done, the parent sends one "stop" message (type 2) per
 * consumer. Each consumer prints what it got and from whom, and exits with
 * the number of messages it received (so keep that under 256).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "libkipc.h"

#define TYPE_DATA 1
#define TYPE_STOP 2

static void die(const char *what, int err)
{
	fprintf(stderr, "lab-mpmc: %s: %s\n", what, strerror(err));
	exit(255);
}

static int attach(const char *name)
{
	int fd = kipc_open_attach(name);	/* the mailbox is found by name */

	if (fd < 0)
		die(name, -fd);
	return fd;
}

static void producer(const char *name, int p, int messages)
{
	char text[64];
	int fd = attach(name), ret;

	for (int i = 1; i <= messages; i++) {
		snprintf(text, sizeof(text), "producer %d message %d", p, i);
		ret = kipc_send(fd, text, strlen(text), TYPE_DATA, 0, 0, 0);
		if (ret < 0)
			die("send", -ret);
	}
	exit(0);
}

static void consumer(const char *name, int c)
{
	char text[64];
	int fd = attach(name), got = 0, ret;

	for (;;) {
		struct kipc_msg m = { .buf = (uintptr_t)text, .len = sizeof(text) - 1 };

		ret = kipc_recv_msg(fd, &m);	/* blocks while the mailbox is empty */
		if (ret < 0)
			die("recv", -ret);
		if (m.type == TYPE_STOP)
			break;
		text[m.len] = '\0';
		printf("consumer %d (pid %d) got \"%s\" from pid %d\n",
		       c, getpid(), text, m.sender_pid);
		fflush(stdout);
		got++;
	}
	exit(got);
}

int main(int argc, char **argv)
{
	int producers, consumers, messages, fd, status, total = 0, ret;
	pid_t pid, prod[64];

	if (argc != 5) {
		fprintf(stderr, "usage: lab-mpmc NAME PRODUCERS CONSUMERS MESSAGES\n");
		return 2;
	}
	producers = atoi(argv[2]);
	consumers = atoi(argv[3]);
	messages = atoi(argv[4]);
	if (producers < 1 || producers > 64 || consumers < 1 || messages < 1) {
		fprintf(stderr, "lab-mpmc: 1..64 producers, at least 1 consumer and 1 message\n");
		return 2;
	}
	fd = attach(argv[1]);

	for (int c = 1; c <= consumers; c++)
		if (fork() == 0)
			consumer(argv[1], c);
	for (int p = 1; p <= producers; p++)
		if ((prod[p - 1] = fork()) == 0)
			producer(argv[1], p, messages);

	/* Wait for the producers only. */
	for (int p = 0; p < producers; p++)
		waitpid(prod[p], NULL, 0);
	/* Same priority, FIFO: the stops queue up behind every data message. */
	for (int c = 0; c < consumers; c++) {
		ret = kipc_send(fd, "stop", 4, TYPE_STOP, 0, 0, 0);
		if (ret < 0)
			die("send stop", -ret);
	}
	while ((pid = wait(&status)) > 0)
		total += WEXITSTATUS(status);
	printf("%d producers sent %d messages, %d consumers received %d\n",
	       producers, producers * messages, consumers, total);
	return total == producers * messages ? 0 : 1;
}
