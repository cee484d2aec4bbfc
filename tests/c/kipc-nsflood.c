// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-nsflood: the throw-away namespace attack of issue 13, item 2.
 *
 *   kipc-nsflood [-U] ROUNDS BOXES MSGS SIZE
 *
 * Each round, a child process enters a fresh IPC namespace (and, with -U,
 * first a fresh user namespace, so that an unprivileged user can), creates
 * BOXES mailboxes there, queues MSGS messages of SIZE bytes in each, and
 * exits, leaving its namespace with no process in it. Prints one line per
 * round; stops at the first round that fails, naming the call and errno,
 * and exits 1. At the end: "total: R rounds, B mailboxes, M messages".
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "libkipc.h"

static const char *errname(int err)
{
	switch (err) {
	case ENOSPC: return "ENOSPC";
	case ENOMEM: return "ENOMEM";
	case EPERM: return "EPERM";
	case EEXIST: return "EEXIST";
	case EAGAIN: return "EAGAIN";
	default: return strerror(err);
	}
}

/* One round, in the child: 0, or 1 after saying what failed. */
static int round_child(int r, int userns, long boxes, long msgs, long size)
{
	struct kipc_create_opts o = {
		.capacity = msgs ? msgs : 1,
		.capacity_bytes = (msgs ? msgs : 1) * size,
		.max_msg_size = size,
	};
	static char buf[1 << 20];
	char name[KIPC_NAME_MAX];

	memset(buf, 'n', size);
	if (unshare((userns ? CLONE_NEWUSER : 0) | CLONE_NEWIPC)) {
		printf("round %d: unshare: %s\n", r, errname(errno));
		return 1;
	}
	for (long b = 0; b < boxes; b++) {
		int fd = kipc_open(0), ret;

		if (fd < 0) {
			printf("round %d: open: %s\n", r, errname(-fd));
			return 1;
		}
		snprintf(name, sizeof(name), "nsflood-%ld", b);
		ret = kipc_create(fd, name, &o);
		if (ret < 0) {
			printf("round %d: create %ld: %s\n", r, b, errname(-ret));
			return 1;
		}
		for (long m = 0; m < msgs; m++) {
			ret = kipc_send(fd, buf, size, 0, 0, KIPC_NONBLOCK, 0);
			if (ret < 0) {
				printf("round %d: mailbox %ld: send %ld: %s\n",
				       r, b, m, errname(-ret));
				return 1;
			}
		}
		/* The mailbox outlives its handle, and the namespace its users. */
		close(fd);
	}
	printf("round %d: %ld mailboxes, %ld messages\n", r, boxes, boxes * msgs);
	return 0;
}

int main(int argc, char **argv)
{
	long rounds, boxes, msgs, size, r;
	int userns = 0, status;
	pid_t pid;

	if (argc > 1 && !strcmp(argv[1], "-U")) {
		userns = 1;
		argv++;
		argc--;
	}
	if (argc != 5) {
		fprintf(stderr, "usage: kipc-nsflood [-U] ROUNDS BOXES MSGS SIZE\n");
		return 2;
	}
	rounds = strtol(argv[1], NULL, 10);
	boxes = strtol(argv[2], NULL, 10);
	msgs = strtol(argv[3], NULL, 10);
	size = strtol(argv[4], NULL, 10);
	if (rounds < 1 || boxes < 1 || msgs < 0 || size < 1 || size > 1 << 20) {
		fprintf(stderr, "kipc-nsflood: bad arguments\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (r = 1; r <= rounds; r++) {
		pid = fork();
		if (pid < 0) {
			perror("kipc-nsflood: fork");
			return 1;
		}
		if (!pid)
			_exit(round_child(r, userns, boxes, msgs, size));
		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
		    WEXITSTATUS(status)) {
			printf("total: %ld rounds, %ld mailboxes, %ld messages\n",
			       r - 1, (r - 1) * boxes, (r - 1) * boxes * msgs);
			return 1;
		}
	}
	printf("total: %ld rounds, %ld mailboxes, %ld messages\n",
	       rounds, rounds * boxes, rounds * boxes * msgs);
	return 0;
}
