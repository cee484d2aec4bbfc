// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-bench's channels: a channel of any mechanism, opened, used and closed
 * through that mechanism's struct mech_ops (mech_*.c).
 */

#include <errno.h>
#include <unistd.h>

#include "bench.h"

/*
 * The futex floor and kipc's calls are measured, not channels: a name
 * only (latency.c and call.c measure them).
 */
static const struct mech_ops futex_ops = { .name = "futex (floor)" };
static const struct mech_ops call_ops = { .name = "kipc call" };

static const struct mech_ops *const mech_ops[NR_MECH] = {
	[M_KIPC] = &kipc_ops,
	[M_KIPCRW] = &kipcrw_ops,
	[M_KIPCV] = &kipcv_ops,
	[M_PIPE] = &pipe_ops,
	[M_SOCK] = &sock_ops,
	[M_MQ] = &mq_ops,
	[M_SYSV] = &sysv_ops,
	[M_FUTEX] = &futex_ops,
	[M_CALL] = &call_ops,
};

const char *mech_name(enum mech m)
{
	return mech_ops[m]->name;
}

void chan_name(char *buf, size_t size, const char *prefix)
{
	static unsigned name_seq;

	snprintf(buf, size, "%s-%d-%u", prefix, getpid(), name_seq++);
}

int chan_open(struct chan *c, enum mech m, unsigned size, unsigned depth)
{
	memset(c, 0, sizeof(*c));
	c->m = m;
	c->ops = mech_ops[m];
	c->fd[0] = c->fd[1] = -1;
	c->mq = (mqd_t)-1;
	c->msqid = -1;
	if (!c->ops->open)
		return -EINVAL;
	return c->ops->open(c, size, depth);
}

/* Also after a failed chan_open(), as mech_*.c's close functions allow. */
void chan_close(struct chan *c)
{
	if (c->ops && c->ops->close)
		c->ops->close(c);
}
