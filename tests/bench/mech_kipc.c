// SPDX-License-Identifier: GPL-2.0
/*
 * kipc, one message per ioctl; kipc read/write, one message per read(2)
 * or write(2); and kipc batched: SENDV/RECVV, BATCH messages per call.
 */

#include <stdlib.h>
#include <unistd.h>

#include "bench.h"

static int kipc_open_chan(struct chan *c, unsigned size, unsigned depth)
{
	struct kipc_create_opts o = {
		.flags = KIPC_CREATE_TEMP,
		.capacity = depth,
		.capacity_bytes = (uint64_t)depth * size,
		.max_msg_size = size,
	};
	char name[64];
	int ret;

	chan_name(name, sizeof(name), "bench");
	ret = kipc_open_create(name, &o);
	if (ret < 0)
		return ret;
	c->fd[0] = ret;
	return 0;
}

static int kipcv_open(struct chan *c, unsigned size, unsigned depth)
{
	int ret = kipc_open_chan(c, size, depth);

	if (ret)
		return ret;
	c->vbuf = xcalloc(BATCH, MAX_MSG);
	for (int i = 0; i < BATCH; i++)
		c->v[i].buf = (uintptr_t)(c->vbuf + i * MAX_MSG);
	return 0;
}

static int kipc_send_one(struct chan *c, const char *buf, unsigned len)
{
	int ret = kipc_send(c->fd[0], buf, len, 1, 0, 0, 0);

	return ret < 0 ? -1 : 0;
}

static ssize_t kipc_recv_one(struct chan *c, char *buf, unsigned len)
{
	int ret = kipc_recv(c->fd[0], buf, len, 0, 0, 0);

	return ret < 0 ? -1 : ret;
}

/* read(2) and write(2) on the handle: one message each, no header. */
static int kipcrw_send(struct chan *c, const char *buf, unsigned len)
{
	return write(c->fd[0], buf, len) == (ssize_t)len ? 0 : -1;
}

static ssize_t kipcrw_recv(struct chan *c, char *buf, unsigned len)
{
	return read(c->fd[0], buf, len);
}

/* As memory() has always drained kipc: the return value as is. */
static ssize_t kipc_try_recv(struct chan *c, char *buf, unsigned len)
{
	return kipc_recv(c->fd[0], buf, len, 0, KIPC_NONBLOCK, 0);
}

/* Clears c->v[0 .. @count) but for their buffers, and sets their length. */
static void kipcv_reset(struct chan *c, unsigned count, unsigned len)
{
	for (unsigned i = 0; i < count; i++) {
		struct kipc_msg *m = &c->v[i];
		uint64_t buf = m->buf;

		memset(m, 0, sizeof(*m));
		m->buf = buf;
		m->len = len;
	}
}

static int kipcv_send(struct chan *c, uint64_t seq, unsigned count, unsigned len)
{
	unsigned done = 0, i;
	int ret;

	kipcv_reset(c, count, len);
	for (i = 0; i < count; i++) {
		c->v[i].type = 1;
		put_seq((char *)(uintptr_t)c->v[i].buf, seq + i);
	}
	while (done < count) {
		ret = kipc_sendv(c->fd[0], c->v + done, count - done, 0, 0);
		if (ret < 0)
			return -1;
		done += ret;
	}
	return 0;
}

static int kipcv_recv(struct chan *c, unsigned count, unsigned len)
{
	int ret;

	kipcv_reset(c, count, len);
	ret = kipc_recvv(c->fd[0], c->v, count, 0, 0);
	return ret < 0 ? -1 : ret;
}

static void kipc_close_chan(struct chan *c)
{
	if (c->fd[0] >= 0)
		close(c->fd[0]);
	free(c->vbuf);
	c->vbuf = NULL;
}

const struct mech_ops kipc_ops = {
	.name = "kipc",
	.open = kipc_open_chan,
	.send = kipc_send_one,
	.recv = kipc_recv_one,
	.try_recv = kipc_try_recv,
	.close = kipc_close_chan,
};

const struct mech_ops kipcrw_ops = {
	.name = "kipc read/write",
	.open = kipc_open_chan,
	.send = kipcrw_send,
	.recv = kipcrw_recv,
	.close = kipc_close_chan,
};

const struct mech_ops kipcv_ops = {
	.name = "kipc batched",
	.open = kipcv_open,
	.send = kipc_send_one,
	.recv = kipc_recv_one,
	.try_recv = kipc_try_recv,
	.sendv = kipcv_send,
	.recvv = kipcv_recv,
	.close = kipc_close_chan,
};
