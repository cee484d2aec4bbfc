// SPDX-License-Identifier: GPL-2.0
/* POSIX mq: a queue opened and unlinked at once, so that only we have it. */

#include <errno.h>
#include <fcntl.h>
#include <time.h>

#include "bench.h"

static int mq_open_chan(struct chan *c, unsigned size, unsigned depth)
{
	struct mq_attr a = { .mq_maxmsg = depth, .mq_msgsize = size };
	char name[64];

	chan_name(name, sizeof(name), "/kipc-bench");
	c->mq = mq_open(name, O_RDWR | O_CREAT | O_EXCL, 0600, &a);
	if (c->mq == (mqd_t)-1)
		return -errno;
	mq_unlink(name);
	return 0;
}

static int mq_send_one(struct chan *c, const char *buf, unsigned len)
{
	return mq_send(c->mq, buf, len, 0);
}

/* mq_receive() wants room for mq_msgsize: every buffer has MAX_MSG. */
static ssize_t mq_recv_one(struct chan *c, char *buf, unsigned len)
{
	(void)len;
	return mq_receive(c->mq, buf, MAX_MSG, NULL);
}

/* A deadline already past: a message queued, or ETIMEDOUT. */
static ssize_t mq_try_recv(struct chan *c, char *buf, unsigned len)
{
	struct timespec ts = { 0 };

	(void)len;
	return mq_timedreceive(c->mq, buf, MAX_MSG, NULL, &ts);
}

static void mq_close_chan(struct chan *c)
{
	if (c->mq != (mqd_t)-1)
		mq_close(c->mq);
}

const struct mech_ops mq_ops = {
	.name = "POSIX mq",
	.open = mq_open_chan,
	.send = mq_send_one,
	.recv = mq_recv_one,
	.try_recv = mq_try_recv,
	.close = mq_close_chan,
};
