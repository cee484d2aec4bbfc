// SPDX-License-Identifier: GPL-2.0
/* SysV msg: a private queue, messages copied through c->sysv. */

#include <errno.h>
#include <sys/msg.h>

#include "bench.h"

static int sysv_open(struct chan *c, unsigned size, unsigned depth)
{
	struct msqid_ds ds;

	c->msqid = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	if (c->msqid < 0)
		return -errno;
	/* The same depth as the others: msgmnb is only 16 KiB. */
	if (!msgctl(c->msqid, IPC_STAT, &ds)) {
		ds.msg_qbytes = (msglen_t)depth * size;
		msgctl(c->msqid, IPC_SET, &ds);
	}
	return 0;
}

static int sysv_send(struct chan *c, const char *buf, unsigned len)
{
	c->sysv.mtype = 1;
	memcpy(c->sysv.mtext, buf, len);
	return msgsnd(c->msqid, &c->sysv, len, 0);
}

static ssize_t sysv_recv_flags(struct chan *c, char *buf, int flags)
{
	ssize_t n = msgrcv(c->msqid, &c->sysv, MAX_MSG, 0, flags);

	if (n > 0)
		memcpy(buf, c->sysv.mtext, n);
	return n;
}

static ssize_t sysv_recv(struct chan *c, char *buf, unsigned len)
{
	(void)len;
	return sysv_recv_flags(c, buf, 0);
}

static ssize_t sysv_try_recv(struct chan *c, char *buf, unsigned len)
{
	(void)len;
	return sysv_recv_flags(c, buf, IPC_NOWAIT);
}

static void sysv_close(struct chan *c)
{
	if (c->msqid >= 0)
		msgctl(c->msqid, IPC_RMID, NULL);
}

const struct mech_ops sysv_ops = {
	.name = "SysV msg",
	.open = sysv_open,
	.send = sysv_send,
	.recv = sysv_recv,
	.try_recv = sysv_try_recv,
	.close = sysv_close,
};
