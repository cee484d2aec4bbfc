// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "kipc": mailbox and module-wide queries, and
 * the "monitor" multicast group of events.
 *
 * Queries run in the context of the process that sends (or, for the later
 * parts of a dump, reads) the request: they see the mailboxes of its IPC
 * namespace only, with uids, gids and pids translated into its namespaces.
 * No privilege is needed, as for /proc/sysvipc/msg. With KIPC_A_ALL_NS, a
 * GET by id or a dump sees every IPC namespace's mailboxes; that needs
 * CAP_IPC_OWNER in the initial user namespace, as KIPC_ATTACH_ALL_NS does.
 * Every reply says which namespace (KIPC_A_MBOX_NS, its inode number, as
 * lsns and /proc/PID/ns/ipc show it). The family is usable in every
 * network namespace.
 *
 * Events are multicast to listeners in the initial network namespace only,
 * for the mailboxes of every IPC namespace, with uids, gids and pids as the
 * initial namespaces see them: the host-wide view of a tracer. They are
 * built only when someone listens. Per-message events (SEND, RECV) and the
 * ones a sender can cause once per attempt (FULL, NOTIFY) share a token
 * bucket of event_rate per second (module parameter; 0 = no limit), so a
 * flood costs senders little; what it drops is counted, and every event
 * carries the running total. CREATE and DESTROY are never dropped by the
 * limit. No event carries payload bytes or kernel addresses.
 */

#include <linux/atomic.h>
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/ktime.h>
#include <linux/minmax.h>
#include <linux/pid_namespace.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/user_namespace.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include <net/netlink.h>

#include "kipc.h"

enum kipc_nl_mcgrp {
	KIPC_NL_MCGRP_MONITOR,
};

static struct genl_family kipc_nl_family;

static atomic64_t kipc_events_suppressed = ATOMIC64_INIT(0);

/* The token bucket; credit is in event-nanoseconds: an event costs 1 s. */
static DEFINE_SPINLOCK(kipc_rl_lock);
static u64 kipc_rl_credit;
static u64 kipc_rl_stamp;

static const struct nla_policy kipc_mbox_get_policy[KIPC_A_ALL_NS + 1] = {
	[KIPC_A_MBOX_ID]	= NLA_POLICY_MIN(NLA_U32, 1),
	[KIPC_A_MBOX_NAME]	= { .type = NLA_NUL_STRING,
				    .len = KIPC_NAME_MAX - 1 },
	[KIPC_A_ALL_NS]		= { .type = NLA_FLAG },
};

/* Room for what kipc_nl_put_mbox() writes. */
static size_t kipc_nl_mbox_size(void)
{
	return nla_total_size(KIPC_NAME_MAX) +			/* NAME */
	       15 * nla_total_size(sizeof(u32)) +		/* u32s */
	       6 * nla_total_size_64bit(sizeof(u64));		/* u64s */
}

static int kipc_nl_put_mbox(struct sk_buff *skb,
			    const struct kipc_mbox_info *info,
			    struct user_namespace *user_ns)
{
	if (nla_put_u32(skb, KIPC_A_MBOX_ID, info->id) ||
	    nla_put_string(skb, KIPC_A_MBOX_NAME, info->name) ||
	    nla_put_u32(skb, KIPC_A_MBOX_UID,
			from_kuid_munged(user_ns, info->uid)) ||
	    nla_put_u32(skb, KIPC_A_MBOX_GID,
			from_kgid_munged(user_ns, info->gid)) ||
	    nla_put_u32(skb, KIPC_A_MBOX_MODE, info->mode) ||
	    nla_put_u32(skb, KIPC_A_MBOX_FLAGS, info->flags) ||
	    nla_put_u32(skb, KIPC_A_MBOX_DEPTH, info->depth) ||
	    nla_put_u64_64bit(skb, KIPC_A_MBOX_BYTES, info->bytes,
			      KIPC_A_PAD) ||
	    nla_put_u32(skb, KIPC_A_MBOX_CAPACITY, info->capacity) ||
	    nla_put_u64_64bit(skb, KIPC_A_MBOX_CAPACITY_BYTES,
			      info->capacity_bytes, KIPC_A_PAD) ||
	    nla_put_u32(skb, KIPC_A_MBOX_MAX_MSG_SIZE, info->max_msg_size) ||
	    nla_put_u32(skb, KIPC_A_MBOX_HANDLES, info->handles) ||
	    nla_put_u32(skb, KIPC_A_MBOX_BLOCKED_SENDERS,
			info->blocked_senders) ||
	    nla_put_u32(skb, KIPC_A_MBOX_BLOCKED_RECEIVERS,
			info->blocked_receivers) ||
	    nla_put_u32(skb, KIPC_A_MBOX_NOTIFY_COUNT, info->notify_count) ||
	    nla_put_u64_64bit(skb, KIPC_A_MBOX_SENT, info->sent, KIPC_A_PAD) ||
	    nla_put_u64_64bit(skb, KIPC_A_MBOX_RECEIVED, info->received,
			      KIPC_A_PAD) ||
	    nla_put_u64_64bit(skb, KIPC_A_MBOX_DROPPED, info->dropped,
			      KIPC_A_PAD) ||
	    nla_put_u32(skb, KIPC_A_MBOX_LAST_SENDER_PID,
			info->last_sender_pid) ||
	    nla_put_u32(skb, KIPC_A_MBOX_LAST_RECEIVER_PID,
			info->last_receiver_pid) ||
	    nla_put_u64_64bit(skb, KIPC_A_MBOX_CTIME, info->ctime_ns,
			      KIPC_A_PAD) ||
	    nla_put_u32(skb, KIPC_A_MBOX_NS, info->ns_inum))
		return -EMSGSIZE;
	return 0;
}

/* May this request see every namespace's mailboxes? Else says why not. */
static bool kipc_nl_all_ns_ok(const struct sk_buff *skb,
			      const struct nlattr *attr,
			      struct netlink_ext_ack *extack)
{
	if (netlink_ns_capable(skb, &init_user_ns, CAP_IPC_OWNER))
		return true;
	NL_SET_ERR_MSG_ATTR(extack, attr,
			    "all namespaces: needs CAP_IPC_OWNER in the initial user namespace");
	return false;
}

/* One KIPC_CMD_MBOX_GET message for @mb, as the current task sees it. */
static int kipc_nl_fill_mbox(struct sk_buff *skb, struct kipc_mbox *mb,
			     u32 portid, u32 seq, int flags,
			     struct netlink_callback *cb)
{
	struct kipc_mbox_info info;
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &kipc_nl_family, flags,
			  KIPC_CMD_MBOX_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (cb)
		genl_dump_check_consistent(cb, hdr);

	kipc_mbox_info(mb, &info);
	if (kipc_nl_put_mbox(skb, &info, current_user_ns())) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

static int kipc_nl_mbox_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *id_attr = info->attrs[KIPC_A_MBOX_ID];
	struct nlattr *name_attr = info->attrs[KIPC_A_MBOX_NAME];
	struct nlattr *all_attr = info->attrs[KIPC_A_ALL_NS];
	struct kipc_mbox *mb;
	struct sk_buff *msg;
	const char *name;
	int ret;

	if (id_attr && name_attr) {
		NL_SET_ERR_MSG_ATTR(info->extack, name_attr,
				    "give a mailbox id or a name, not both");
		return -EINVAL;
	}
	if (all_attr && !id_attr) {
		NL_SET_ERR_MSG_ATTR(info->extack, all_attr,
				    "all namespaces: look up by mailbox id");
		return -EINVAL;
	}
	if (all_attr && !kipc_nl_all_ns_ok(skb, all_attr, info->extack))
		return -EPERM;
	if (id_attr) {
		mb = kipc_mbox_get_by_id(nla_get_u32(id_attr), !!all_attr);
		if (!mb) {
			NL_SET_ERR_MSG_ATTR(info->extack, id_attr,
					    "no mailbox with this id");
			return -ENOENT;
		}
	} else if (name_attr) {
		name = nla_data(name_attr);
		if (!*name || strchr(name, '/')) {
			NL_SET_ERR_MSG_ATTR(info->extack, name_attr,
					    "invalid mailbox name");
			return -EINVAL;
		}
		mb = kipc_mbox_get_by_name(name);
		if (!mb) {
			NL_SET_ERR_MSG_ATTR(info->extack, name_attr,
					    "no mailbox with this name");
			return -ENOENT;
		}
	} else {
		NL_SET_ERR_MSG(info->extack, "mailbox id or name required");
		return -EINVAL;
	}

	msg = genlmsg_new(kipc_nl_mbox_size(), GFP_KERNEL);
	if (!msg) {
		ret = -ENOMEM;
		goto out_put;
	}
	ret = kipc_nl_fill_mbox(msg, mb, info->snd_portid, info->snd_seq, 0,
				NULL);
	if (ret) {
		nlmsg_free(msg);
		goto out_put;
	}
	ret = genlmsg_reply(msg, info);
out_put:
	kipc_mbox_put(mb);
	return ret;
}

struct kipc_nl_dump {
	struct sk_buff *skb;
	struct netlink_callback *cb;
};

static int kipc_nl_dump_one(struct kipc_mbox *mb, void *arg)
{
	struct kipc_nl_dump *d = arg;

	return kipc_nl_fill_mbox(d->skb, mb,
				 NETLINK_CB(d->cb->skb).portid,
				 d->cb->nlh->nlmsg_seq, NLM_F_MULTI, d->cb);
}

/*
 * cb->args[0] is the next id to dump. cb->seq follows the registry's
 * generation (never 0, which would disable the check), so a dump that
 * spans a create or destroy is flagged NLM_F_DUMP_INTR. KIPC_A_ALL_NS is
 * checked on every part of the dump (each runs for whoever reads it), and
 * here rather than in a .start, which has no extack on 6.1: the refusal
 * and its reason arrive in NLMSG_DONE.
 */
static int kipc_nl_mbox_get_dumpit(struct sk_buff *skb,
				   struct netlink_callback *cb)
{
	struct nlattr *all_attr = genl_dumpit_info(cb)->attrs[KIPC_A_ALL_NS];
	struct kipc_nl_dump d = { .skb = skb, .cb = cb };
	u32 next_id = cb->args[0];
	int ret;

	if (all_attr && !kipc_nl_all_ns_ok(cb->skb, all_attr, cb->extack))
		return -EPERM;
	cb->seq = (kipc_mbox_generation() << 1) | 1;
	ret = kipc_mbox_for_each(&next_id, !!all_attr, kipc_nl_dump_one, &d);
	cb->args[0] = next_id;
	/* A full skb is no error: the rest follows in the next one. */
	if (ret && ret != -EMSGSIZE)
		return ret;
	return skb->len;
}

static int kipc_nl_stats_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct kipc_stats st;
	struct sk_buff *msg;
	void *hdr;

	kipc_stats_get(&st);

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &kipc_nl_family, 0,
				KIPC_CMD_STATS_GET);
	if (!hdr)
		goto nla_put_failure;

	if (nla_put_u32(msg, KIPC_A_STATS_MAILBOXES, st.mailboxes) ||
	    nla_put_u64_64bit(msg, KIPC_A_STATS_MESSAGES, st.messages,
			      KIPC_A_PAD) ||
	    nla_put_u64_64bit(msg, KIPC_A_STATS_BYTES, st.bytes, KIPC_A_PAD) ||
	    nla_put_u64_64bit(msg, KIPC_A_STATS_CHARGED_BYTES, st.charged,
			      KIPC_A_PAD) ||
	    nla_put_u32(msg, KIPC_A_STATS_MAX_MAILBOXES,
			READ_ONCE(kipc_max_mailboxes)) ||
	    nla_put_u32(msg, KIPC_A_STATS_MAX_MSG_SIZE,
			READ_ONCE(kipc_max_msg_size)) ||
	    nla_put_u64_64bit(msg, KIPC_A_STATS_MAX_TOTAL_BYTES,
			      READ_ONCE(kipc_max_total_bytes), KIPC_A_PAD) ||
	    nla_put_u32(msg, KIPC_A_STATS_MAX_USER_MAILBOXES,
			READ_ONCE(kipc_max_user_mailboxes)) ||
	    nla_put_u64_64bit(msg, KIPC_A_STATS_MAX_USER_BYTES,
			      READ_ONCE(kipc_max_user_bytes), KIPC_A_PAD) ||
	    nla_put_u32(msg, KIPC_A_STATS_DEFAULT_CAPACITY,
			READ_ONCE(kipc_default_capacity)) ||
	    nla_put_u64_64bit(msg, KIPC_A_STATS_DEFAULT_CAPACITY_BYTES,
			      READ_ONCE(kipc_default_capacity_bytes),
			      KIPC_A_PAD) ||
	    nla_put_u32(msg, KIPC_A_STATS_EVENT_RATE,
			READ_ONCE(kipc_event_rate)) ||
	    nla_put_u64_64bit(msg, KIPC_A_STATS_SENT, st.sent, KIPC_A_PAD) ||
	    nla_put_u64_64bit(msg, KIPC_A_STATS_RECEIVED, st.received,
			      KIPC_A_PAD) ||
	    nla_put_u64_64bit(msg, KIPC_A_STATS_CREATED, st.created,
			      KIPC_A_PAD) ||
	    nla_put_u64_64bit(msg, KIPC_A_STATS_DESTROYED, st.destroyed,
			      KIPC_A_PAD) ||
	    nla_put_u64_64bit(msg, KIPC_A_STATS_EVENTS_SUPPRESSED,
			      atomic64_read(&kipc_events_suppressed),
			      KIPC_A_PAD))
		goto nla_put_failure;

	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

nla_put_failure:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static const struct genl_ops kipc_nl_ops[] = {
	{
		.cmd		= KIPC_CMD_MBOX_GET,
		.doit		= kipc_nl_mbox_get_doit,
		.dumpit		= kipc_nl_mbox_get_dumpit,
		.policy		= kipc_mbox_get_policy,
		.maxattr	= ARRAY_SIZE(kipc_mbox_get_policy) - 1,
	},
	{
		/* No policy: a request carrying any attribute is refused. */
		.cmd		= KIPC_CMD_STATS_GET,
		.doit		= kipc_nl_stats_get_doit,
	},
};

static const struct genl_multicast_group kipc_nl_mcgrps[] = {
	[KIPC_NL_MCGRP_MONITOR] = { .name = KIPC_GENL_MCGRP_MONITOR },
};

static struct genl_family kipc_nl_family __ro_after_init = {
	.name		= KIPC_GENL_NAME,
	.version	= KIPC_GENL_VERSION,
	.maxattr	= KIPC_A_MAX,
	.module		= THIS_MODULE,
	.netnsok	= true,
	.parallel_ops	= true,
	.ops		= kipc_nl_ops,
	.n_ops		= ARRAY_SIZE(kipc_nl_ops),
	/*
	 * 0, as the kernel asks of new families: every op gets strict
	 * checks of the genl header's reserved byte, an op without a policy
	 * refuses all attributes, and no op may set .validate.
	 */
	.resv_start_op	= 0,
	.mcgrps		= kipc_nl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(kipc_nl_mcgrps),
};

static bool kipc_nl_listening(void)
{
	return genl_has_listeners(&kipc_nl_family, &init_net,
				  KIPC_NL_MCGRP_MONITOR) > 0;
}

/* True if an event may go out now; else counts it as suppressed. */
static bool kipc_nl_ratelimit(void)
{
	u32 rate = READ_ONCE(kipc_event_rate);
	u64 now, credit;
	bool ok;

	if (!rate)
		return true;

	spin_lock(&kipc_rl_lock);
	now = ktime_get_ns();
	/* A second's worth fills the bucket: rate events of burst. */
	credit = kipc_rl_credit +
		 min_t(u64, now - kipc_rl_stamp, NSEC_PER_SEC) * rate;
	credit = min_t(u64, credit, (u64)rate * NSEC_PER_SEC);
	kipc_rl_stamp = now;
	ok = credit >= NSEC_PER_SEC;
	if (ok)
		credit -= NSEC_PER_SEC;
	kipc_rl_credit = credit;
	spin_unlock(&kipc_rl_lock);

	if (!ok)
		atomic64_inc(&kipc_events_suppressed);
	return ok;
}

static void kipc_nl_event(struct kipc_mbox *mb, enum kipc_event event,
			  bool is_msg, u64 seq, u32 len, u32 type)
{
	struct kipc_mbox_info info;
	struct sk_buff *skb;
	void *hdr;

	skb = genlmsg_new(kipc_nl_mbox_size() +
			  4 * nla_total_size(sizeof(u32)) +
			  3 * nla_total_size_64bit(sizeof(u64)), GFP_KERNEL);
	if (!skb)
		return;
	hdr = genlmsg_put(skb, 0, 0, &kipc_nl_family, 0, KIPC_CMD_EVENT);
	if (!hdr)
		goto out_free;

	kipc_mbox_info_ns(mb, &info, &init_pid_ns);
	if (nla_put_u32(skb, KIPC_A_EVENT, event) ||
	    nla_put_u64_64bit(skb, KIPC_A_EVENT_TIME, ktime_get_ns(),
			      KIPC_A_PAD) ||
	    nla_put_u32(skb, KIPC_A_EVENT_PID, task_tgid_nr(current)) ||
	    nla_put_u64_64bit(skb, KIPC_A_EVENT_SUPPRESSED,
			      atomic64_read(&kipc_events_suppressed),
			      KIPC_A_PAD) ||
	    kipc_nl_put_mbox(skb, &info, &init_user_ns))
		goto out_free;
	if (is_msg &&
	    (nla_put_u64_64bit(skb, KIPC_A_MSG_SEQ, seq, KIPC_A_PAD) ||
	     nla_put_u32(skb, KIPC_A_MSG_LEN, len) ||
	     nla_put_u32(skb, KIPC_A_MSG_TYPE, type)))
		goto out_free;
	genlmsg_end(skb, hdr);

	/* -ESRCH when the last listener just left: nothing to do then. */
	genlmsg_multicast(&kipc_nl_family, skb, 0, KIPC_NL_MCGRP_MONITOR,
			  GFP_KERNEL);
	return;

out_free:
	nlmsg_free(skb);
}

/*
 * CREATE, DESTROY, FULL, NOTIFY. Process context; mb->lock is not held (the
 * registry lock may be, for DESTROY).
 */
void kipc_nl_mbox_event(struct kipc_mbox *mb, struct kipc_user *u,
			enum kipc_event event)
{
	if (!kipc_nl_listening())
		return;
	if (event != KIPC_EVENT_CREATE && event != KIPC_EVENT_DESTROY &&
	    !kipc_nl_ratelimit())
		return;
	kipc_nl_event(mb, event, false, 0, 0, 0);
}

/* SEND, RECV. Process context, no kipc lock held. */
void kipc_nl_msg_event(struct kipc_mbox *mb, struct kipc_user *u,
		       enum kipc_event event, u64 seq, u32 len, u32 type)
{
	if (!kipc_nl_listening() || !kipc_nl_ratelimit())
		return;
	kipc_nl_event(mb, event, true, seq, len, type);
}

int __init kipc_netlink_init(void)
{
	return genl_register_family(&kipc_nl_family);
}

void kipc_netlink_exit(void)
{
	genl_unregister_family(&kipc_nl_family);
}
