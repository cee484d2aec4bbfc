// SPDX-License-Identifier: GPL-2.0
/*
 * Lab 5: the kernel's buffer is finite.
 *
 *   lab-fill NAME SIZE
 *
 * Attaches to the existing mailbox NAME and sends SIZE-byte messages without
 * blocking (KIPC_NONBLOCK) until the kernel answers EAGAIN: the mailbox is
 * full. Then prints how many messages and bytes fitted, and the limits that
 * stopped it (KIPC_IOC_STAT). Predict the numbers before you run it!
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libkipc.h"

static void die(const char *what, int err)
{
	fprintf(stderr, "lab-fill: %s: %s\n", what, strerror(err));
	exit(1);
}

int main(int argc, char **argv)
{
	struct kipc_stat st;
	unsigned long sent = 0;
	char *payload;
	int fd, size, ret;

	if (argc != 3) {
		fprintf(stderr, "usage: lab-fill NAME SIZE\n");
		return 2;
	}
	size = atoi(argv[2]);
	payload = calloc(1, size ? size : 1);
	fd = kipc_open_attach(argv[1]);
	if (fd < 0)
		die(argv[1], -fd);

	for (;;) {
		ret = kipc_send(fd, payload, size, 0, 0, KIPC_NONBLOCK, 0);
		if (ret < 0)
			break;
		sent++;
	}
	if (ret != -EAGAIN)	/* e.g. EMSGSIZE: SIZE > the mailbox's max */
		die("send", -ret);

	ret = kipc_stat(fd, &st);
	if (ret < 0)
		die("stat", -ret);
	printf("sent %lu messages of %d bytes, then EAGAIN: the mailbox is full\n",
	       sent, size);
	printf("depth %u of %u messages, %llu of %llu bytes\n", st.depth,
	       st.capacity, (unsigned long long)st.bytes,
	       (unsigned long long)st.capacity_bytes);
	return 0;
}
