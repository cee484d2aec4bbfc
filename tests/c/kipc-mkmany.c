// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-mkmany: make many mailboxes at once, for tests of scale.
 *
 *   kipc-mkmany PREFIX N -- COMMAND [ARGS...]
 *
 * Creates N temporary mailboxes PREFIX-0 .. PREFIX-(N-1), each on its own
 * handle (RLIMIT_NOFILE is raised as needed; the handles are close-on-exec),
 * runs COMMAND while holding them, and exits with COMMAND's status. Closing
 * the handles at exit destroys the mailboxes. The module's max_mailboxes
 * parameter must allow N more. Exits 1 if a create fails.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "libkipc.h"

static int raise_nofile(rlim_t want)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return -errno;
	if (rl.rlim_cur >= want)
		return 0;
	rl.rlim_cur = want;
	if (rl.rlim_max < want)
		rl.rlim_max = want;	/* needs CAP_SYS_RESOURCE */
	if (setrlimit(RLIMIT_NOFILE, &rl))
		return -errno;
	return 0;
}

int main(int argc, char **argv)
{
	struct kipc_create_opts o = { .flags = KIPC_CREATE_TEMP, .capacity = 4,
				      .capacity_bytes = 4096,
				      .max_msg_size = 1024 };
	char name[KIPC_NAME_MAX];
	const char *prefix;
	long n, i;
	int status, ret;
	pid_t pid;

	if (argc < 5 || strcmp(argv[3], "--")) {
		fprintf(stderr, "usage: kipc-mkmany PREFIX N -- COMMAND [ARGS...]\n");
		return 2;
	}
	prefix = argv[1];
	n = strtol(argv[2], NULL, 10);
	if (n <= 0) {
		fprintf(stderr, "kipc-mkmany: bad count '%s'\n", argv[2]);
		return 2;
	}
	ret = raise_nofile(n + 64);
	if (ret) {
		fprintf(stderr, "kipc-mkmany: RLIMIT_NOFILE to %ld: %s\n",
			n + 64, strerror(-ret));
		return 1;
	}

	for (i = 0; i < n; i++) {
		int fd = kipc_open(O_CLOEXEC);

		if (fd < 0) {
			fprintf(stderr, "kipc-mkmany: open %s: %s\n",
				KIPC_DEVICE, strerror(-fd));
			return 1;
		}
		snprintf(name, sizeof(name), "%s-%ld", prefix, i);
		ret = kipc_create(fd, name, &o);
		if (ret < 0) {
			fprintf(stderr, "kipc-mkmany: create %s (#%ld): %s\n",
				name, i + 1, strerror(-ret));
			return 1;
		}
	}

	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		perror("kipc-mkmany: fork");
		return 1;
	}
	if (!pid) {
		execvp(argv[4], argv + 4);
		fprintf(stderr, "kipc-mkmany: %s: %s\n", argv[4], strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0) {
		perror("kipc-mkmany: waitpid");
		return 1;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
