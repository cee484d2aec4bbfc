// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-bench's netlink: the mailbox dump it times, and the charged bytes
 * it weighs messages by. kipcctl's dump_mailboxes() and get_stats()
 * (user/cmd_nl.c) parse every attribute, and link with kipcctl's commands:
 * the bench times the bare dump.
 */

#include "bench.h"
#include "nl.h"

static int count_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	++*(unsigned *)data;
	return MNL_CB_OK;
}

int nl_list(struct nl *nl)
{
	unsigned count = 0;
	struct nlmsghdr *nlh = nl_request(nl, KIPC_CMD_MBOX_GET, NLM_F_DUMP);
	int ret = nl_talk(nl, nlh, count_cb, &count);

	return ret < 0 ? ret : (int)count;
}

static int charged_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr))
		if (mnl_attr_get_type(a) == KIPC_A_STATS_CHARGED_BYTES &&
		    mnl_attr_get_payload_len(a) == sizeof(uint64_t))
			*(int64_t *)data = mnl_attr_get_u64(a);
	return MNL_CB_OK;
}

int64_t kipc_charged(void)
{
	struct nl nl;
	int64_t v = -1;

	if (nl_open(&nl, KIPC_GENL_NAME))
		return -1;
	if (nl_talk(&nl, nl_request(&nl, KIPC_CMD_STATS_GET, 0), charged_cb, &v))
		v = -1;
	nl_close(&nl);
	return v;
}
