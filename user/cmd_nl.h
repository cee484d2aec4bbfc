/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the netlink commands (cmd_nl.c) share with the commands that read
 * the same data (cmd_top.c): a mailbox or stats reply as one record, and the
 * requests that fetch them.
 */
#ifndef KIPCCTL_CMD_NL_H
#define KIPCCTL_CMD_NL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/kipc.h>

#include "nl.h"

/* One reply or event, copied out of the receive buffer. */
struct rec {
	bool have[KIPC_A_MAX + 1];
	uint64_t v[KIPC_A_MAX + 1];	/* by attribute */
	char name[KIPC_NAME_MAX];
};

/* A growing array of records (free v). */
struct recs {
	struct rec *v;
	size_t n, cap;
};

/* Opens the "kipc" family; prints why not. Returns 0 or an exit status. */
int open_family(struct nl *nl, const char *op);
/* Prints "kipcctl: OP NAME: strerror (ENAME): what the kernel said". */
int nl_fail(struct nl *nl, const char *op, const char *name, int err);
/* KIPC_CMD_STATS_GET into @r. Returns 0 or -errno. */
int get_stats(struct nl *nl, struct rec *r);
/*
 * Every mailbox (KIPC_CMD_MBOX_GET dump) into @rs, in the kernel's order. A
 * dump that raced with a create or destroy is retried a few times; returns
 * -EINTR, with the records of the last try, if it kept racing. Else 0 or
 * -errno.
 */
int dump_mailboxes(struct nl *nl, struct recs *rs);

#endif /* KIPCCTL_CMD_NL_H */
