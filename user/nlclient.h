/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kipcctl's client of the generic netlink family "kipc", over nl.c: what
 * list, show, stats, monitor and top ask the kernel, each request once.
 * Replies come back as records (fields.h).
 */
#ifndef KIPCCTL_NLCLIENT_H
#define KIPCCTL_NLCLIENT_H

#include <stdbool.h>
#include <stdint.h>

#include "fields.h"
#include "nl.h"

/* Opens the "kipc" family; prints why not. Returns 0 or an exit status. */
int nlc_open(struct nl *nl, const char *op);
/*
 * Prints "kipcctl: OP NAME: strerror (ENAME): what the kernel said" (@err
 * positive or negative; @nl may be NULL) and returns the exit status.
 */
int nlc_fail(struct nl *nl, const char *op, const char *name, int err);
/* KIPC_CMD_STATS_GET into @r. Returns 0 or -errno. */
int nlc_stats(struct nl *nl, struct rec *r);
/*
 * KIPC_CMD_MBOX_GET of one mailbox, by @name or else by @id (with -A, of
 * any namespace), into @r. Returns 0 or -errno.
 */
int nlc_mailbox(struct nl *nl, const char *name, uint64_t id, struct rec *r);
/*
 * Every mailbox (KIPC_CMD_MBOX_GET dump; with -A, of every namespace) into
 * @rs, in the kernel's order. A dump that raced with a create or destroy is
 * retried a few times; returns -EINTR, with the records of the last try, if
 * it kept racing. Else 0 or -errno.
 */
int nlc_dump(struct nl *nl, struct recs *rs);
/*
 * Starts the events: with -A the "monitor" group of every namespace, else a
 * KIPC_CMD_MONITOR subscription to ours. Returns 0 or an exit status (said).
 */
int nlc_monitor(struct nl *nl, const char *op);

#endif /* KIPCCTL_NLCLIENT_H */
