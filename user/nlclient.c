// SPDX-License-Identifier: GPL-2.0
/* The requests of the "kipc" family that kipcctl makes; see nlclient.h. */
#include <errno.h>
#include <string.h>
#include <linux/kipc.h>

#include "kipcctl.h"
#include "nlclient.h"

/* The request attributes the kernel's extended ack may point at. */
static const char *attr_name(int type)
{
	static const char *const names[KIPC_A_MAX + 1] = {
		[KIPC_A_MBOX_ID] = "mbox-id",
		[KIPC_A_MBOX_NAME] = "mbox-name",
		[KIPC_A_ALL_NS] = "all-ns",
	};

	if (type < 0 || type > KIPC_A_MAX)
		return NULL;
	return names[type];
}

int nlc_fail(struct nl *nl, const char *op, const char *name, int err)
{
	return kipcctl_failf(op, name, err < 0 ? -err : err, "%s",
			     nl ? nl_err_detail(nl, attr_name) : "");
}

int nlc_open(struct nl *nl, const char *op)
{
	int ret = nl_open(nl, KIPC_GENL_NAME);

	if (ret == -ENOENT) {
		kipcctl_not_loaded();
		return KIPCCTL_ERROR;
	}
	if (ret)
		return nlc_fail(NULL, op, "netlink", ret);
	return 0;
}

static int one_cb(const struct nlmsghdr *nlh, void *data)
{
	rec_parse(nlh, data);
	return MNL_CB_OK;
}

int nlc_stats(struct nl *nl, struct rec *r)
{
	memset(r, 0, sizeof(*r));
	return nl_talk(nl, nl_request(nl, KIPC_CMD_STATS_GET, 0), one_cb, r);
}

int nlc_mailbox(struct nl *nl, const char *name, uint64_t id, struct rec *r)
{
	struct nlmsghdr *nlh = nl_request(nl, KIPC_CMD_MBOX_GET, 0);

	if (name)
		mnl_attr_put_strz(nlh, KIPC_A_MBOX_NAME, name);
	else
		mnl_attr_put_u32(nlh, KIPC_A_MBOX_ID, id);
	if (opt_all_ns)
		mnl_attr_put(nlh, KIPC_A_ALL_NS, 0, NULL);
	memset(r, 0, sizeof(*r));
	return nl_talk(nl, nlh, one_cb, r);
}

static int dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct rec *r = recs_add(data);

	if (!r)
		return MNL_CB_ERROR;
	rec_parse(nlh, r);
	return MNL_CB_OK;
}

int nlc_dump(struct nl *nl, struct recs *rs)
{
	struct nlmsghdr *nlh;
	int ret, tries = 0;

	do {
		rs->n = 0;
		nlh = nl_request(nl, KIPC_CMD_MBOX_GET, NLM_F_DUMP);
		if (opt_all_ns)
			mnl_attr_put(nlh, KIPC_A_ALL_NS, 0, NULL);
		ret = nl_talk(nl, nlh, dump_cb, rs);
	} while (ret == -EINTR && ++tries < 5);
	return ret;
}

int nlc_monitor(struct nl *nl, const char *op)
{
	int ret;

	if (opt_all_ns) {
		/* Every namespace: the "monitor" group (CAP_SYS_ADMIN). */
		ret = nl_join(nl, KIPC_GENL_MCGRP_MONITOR);
		return ret ? nlc_fail(nl, op, "join " KIPC_GENL_MCGRP_MONITOR,
				      ret) : 0;
	}
	/* Our namespace: a subscription, counted from zero. */
	ret = nl_talk(nl, nl_request(nl, KIPC_CMD_MONITOR, 0), NULL, NULL);
	return ret ? nlc_fail(nl, op, NULL, ret) : 0;
}
