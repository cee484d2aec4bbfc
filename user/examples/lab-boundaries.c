// SPDX-License-Identifier: GPL-2.0
/*
 * Lab 2: a pipe is a byte stream, a mailbox holds messages.
 *
 *   lab-boundaries [NAME]
 *
 * Writes "one", "two", "three" into a pipe and then reads once with a
 * 100-byte buffer; then sends the same three messages into a temporary
 * mailbox NAME (default "lab2-bounds") and receives once with a 100-byte
 * buffer. The pipe hands back all the bytes it holds; the mailbox hands back
 * exactly one message, as it was sent.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libkipc.h"

static const char *words[] = { "one", "two", "three" };

static void die(const char *what, int err)
{
	fprintf(stderr, "lab-boundaries: %s: %s\n", what, strerror(err));
	exit(1);
}

int main(int argc, char **argv)
{
	const char *name = argc > 1 ? argv[1] : "lab2-bounds";
	struct kipc_create_opts opts = { .flags = KIPC_CREATE_TEMP };
	char buf[100];
	int p[2], fd;
	ssize_t n;

	/* The pipe: an anonymous byte stream, known only through its fds. */
	if (pipe(p))
		die("pipe", errno);
	for (int i = 0; i < 3; i++)
		if (write(p[1], words[i], strlen(words[i])) < 0)
			die("write", errno);
	n = read(p[0], buf, sizeof(buf));
	if (n < 0)
		die("read", errno);
	printf("pipe:    3 writes, then 1 read(100) returned %2zd bytes: \"%.*s\"\n",
	       n, (int)n, buf);

	/* The mailbox: named, and each send is one message. */
	fd = kipc_open_create(name, &opts);
	if (fd < 0)
		die(name, -fd);
	for (int i = 0; i < 3; i++) {
		int ret = kipc_send(fd, words[i], strlen(words[i]), 0, 0, 0, 0);

		if (ret < 0)
			die("send", -ret);
	}
	n = kipc_recv(fd, buf, sizeof(buf), 0, 0, 0);
	if (n < 0)
		die("recv", (int)-n);
	printf("mailbox: 3 sends,  then 1 recv(100) returned %2zd bytes: \"%.*s\"\n",
	       n, (int)n, buf);
	return 0;
}
