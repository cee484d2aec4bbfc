// SPDX-License-Identifier: GPL-2.0
/* pipe and socketpair(AF_UNIX, SOCK_SEQPACKET): a read end, a write end. */

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/socket.h>

#include "bench.h"

static int pipe_open(struct chan *c, unsigned size, unsigned depth)
{
	if (pipe2(c->fd, 0))
		return -errno;
	/* The same depth as the others (rounded up to a page). */
	fcntl(c->fd[1], F_SETPIPE_SZ, depth * size);
	return 0;
}

static int sock_open(struct chan *c, unsigned size, unsigned depth)
{
	int sz = depth * (size + 512);

	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, c->fd))
		return -errno;
	setsockopt(c->fd[1], SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	return 0;
}

static int fd_send(struct chan *c, const char *buf, unsigned len)
{
	ssize_t n = write(c->fd[1], buf, len);

	if (n >= 0 && (unsigned)n != len)
		errno = EIO;
	return n == (ssize_t)len ? 0 : -1;
}

/* A byte stream: a message is @len bytes. */
static ssize_t pipe_recv(struct chan *c, char *buf, unsigned len)
{
	ssize_t n, got;

	for (got = 0; got < (ssize_t)len; got += n) {
		n = read(c->fd[0], buf + got, len - got);
		if (n <= 0) {
			if (!n)
				errno = EPIPE;
			return -1;
		}
	}
	return got;
}

static ssize_t sock_recv(struct chan *c, char *buf, unsigned len)
{
	return read(c->fd[0], buf, len);
}

static void fd_close(struct chan *c)
{
	if (c->fd[0] >= 0)
		close(c->fd[0]);
	if (c->fd[1] >= 0)
		close(c->fd[1]);
}

const struct mech_ops pipe_ops = {
	.name = "pipe",
	.open = pipe_open,
	.send = fd_send,
	.recv = pipe_recv,
	.close = fd_close,
};

const struct mech_ops sock_ops = {
	.name = "unix seqpacket",
	.open = sock_open,
	.send = fd_send,
	.recv = sock_recv,
	.close = fd_close,
};
