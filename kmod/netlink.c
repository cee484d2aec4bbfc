// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "kipc": mailbox and module-wide queries, and
 * mailbox events for monitors.
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
 * Events reach two kinds of listener, and nobody else (docs/contract.md,
 * section 6):
 *
 *  - The "monitor" multicast group is the host-wide view of a tracer: the
 *    mailboxes of every IPC namespace, with uids, gids and pids as the
 *    initial namespaces see them, multicast in the initial network
 *    namespace only. Joining it needs CAP_SYS_ADMIN there
 *    (GENL_MCAST_CAP_SYS_ADMIN; genetlink checks it at join time).
 *
 *  - KIPC_CMD_MONITOR subscribes the socket that sends it, with no
 *    privilege, to the events of the sender's IPC namespace: what `list`
 *    shows it, and nothing else. Each event is unicast to each subscriber
 *    of the mailbox's namespace (found through a per-namespace list, never
 *    by scanning every subscriber), translated into the namespaces the
 *    subscriber had when it subscribed. A subscriber whose socket is full
 *    loses that event alone, and the loss is counted for it. The
 *    subscription ends when the socket is closed (NETLINK_URELEASE).
 *
 * Events are built only when someone listens. Per-message events (SEND,
 * RECV) and the ones a sender can cause once per attempt (FULL, NOTIFY) go
 * through a token bucket of event_rate per second per acting user (the
 * user of the handle that acted; 0 = no limit), so one user's flood costs
 * senders little and suppresses that user's events only. CREATE and
 * DESTROY are never dropped, nor the module's own actions. What the limit
 * drops is counted exactly, and every event carries the count its listener
 * needs: the host-wide total on the group, the events of its namespace
 * dropped since it subscribed for a subscriber. No event carries payload
 * bytes or kernel addresses.
 */

#include <linux/atomic.h>
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/hashtable.h>
#include <linux/ipc_namespace.h>
#include <linux/ktime.h>
#include <linux/minmax.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/netlink.h>
#include <linux/notifier.h>
#include <linux/nsproxy.h>
#include <linux/pid_namespace.h>
#include <linux/proc_ns.h>
#include <linux/rculist.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/srcu.h>
#include <linux/string.h>
#include <linux/user_namespace.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include <net/netlink.h>
#include <net/sock.h>

#include "kipc.h"

enum kipc_nl_mcgrp {
	KIPC_NL_MCGRP_MONITOR,
};

static struct genl_family kipc_nl_family;

/* Every event the rate limit dropped, of every namespace (STATS, group). */
static atomic64_t kipc_events_suppressed = ATOMIC64_INIT(0);

/* KIPC_CMD_MONITOR subscriptions now; written under kipc_nl_subs_lock. */
static unsigned int kipc_nl_nr_subs;

static const struct nla_policy kipc_mbox_get_policy[KIPC_A_ALL_NS + 1] = {
	[KIPC_A_MBOX_ID]	= NLA_POLICY_MIN(NLA_U32, 1),
	[KIPC_A_MBOX_NAME]	= { .type = NLA_NUL_STRING,
				    .len = KIPC_NAME_MAX - 1 },
	[KIPC_A_ALL_NS]		= { .type = NLA_FLAG },
};

/*
 * A mailbox's attributes, in the order they are put: one row per field of
 * its snapshot (struct kipc_mbox_snap), a u32, a u64 or the name.
 */
struct kipc_nl_field {
	u16	attr;
	u16	size;		/* 4 or 8; 0: the NUL-terminated name */
	u16	offset;		/* in struct kipc_mbox_snap */
};

/* A row of @size bytes: the build fails if that is not its field's size. */
#define KIPC_NL_ROW(attr, size, field)					\
	{ KIPC_A_MBOX_##attr,						\
	  (size) + BUILD_BUG_ON_ZERO(sizeof_field(struct kipc_mbox_snap, \
						  field) != (size)),	\
	  offsetof(struct kipc_mbox_snap, field) }
#define KIPC_NL_U32(attr, field)	KIPC_NL_ROW(attr, sizeof(u32), field)
#define KIPC_NL_U64(attr, field)	KIPC_NL_ROW(attr, sizeof(u64), field)

static const struct kipc_nl_field kipc_nl_mbox_attrs[] = {
	KIPC_NL_U32(ID, stat.id),
	{ KIPC_A_MBOX_NAME, 0, offsetof(struct kipc_mbox_snap, stat.name) },
	KIPC_NL_U32(UID, stat.uid),
	KIPC_NL_U32(GID, stat.gid),
	KIPC_NL_U32(MODE, stat.mode),
	KIPC_NL_U32(FLAGS, stat.flags),
	KIPC_NL_U32(DEPTH, stat.depth),
	KIPC_NL_U64(BYTES, stat.bytes),
	KIPC_NL_U32(CAPACITY, stat.capacity),
	KIPC_NL_U64(CAPACITY_BYTES, stat.capacity_bytes),
	KIPC_NL_U32(MAX_MSG_SIZE, stat.max_msg_size),
	KIPC_NL_U32(HANDLES, stat.handles),
	KIPC_NL_U32(BLOCKED_SENDERS, stat.blocked_senders),
	KIPC_NL_U32(BLOCKED_RECEIVERS, stat.blocked_receivers),
	KIPC_NL_U32(NOTIFY_COUNT, stat.notify_count),
	KIPC_NL_U64(SENT, stat.sent),
	KIPC_NL_U64(RECEIVED, stat.received),
	KIPC_NL_U64(DROPPED, stat.dropped),
	KIPC_NL_U32(LAST_SENDER_PID, stat.last_sender_pid),
	KIPC_NL_U32(LAST_RECEIVER_PID, stat.last_receiver_pid),
	KIPC_NL_U64(CTIME, stat.ctime_ns),
	KIPC_NL_U32(NS, ns_inum),
	KIPC_NL_U32(CALLS_PENDING, stat.calls_pending),
	KIPC_NL_U32(CALLERS_BLOCKED, stat.callers_blocked),
	KIPC_NL_U64(CALLS, stat.calls),
};

static size_t kipc_nl_field_size(const struct kipc_nl_field *f)
{
	switch (f->size) {
	case 0:
		return nla_total_size(KIPC_NAME_MAX);
	case sizeof(u32):
		return nla_total_size(sizeof(u32));
	default:
		return nla_total_size_64bit(sizeof(u64));
	}
}

/* Room for what kipc_nl_put_mbox() writes. */
static size_t kipc_nl_mbox_size(void)
{
	size_t size = 0;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(kipc_nl_mbox_attrs); i++)
		size += kipc_nl_field_size(&kipc_nl_mbox_attrs[i]);
	return size;
}

static int kipc_nl_put_mbox(struct sk_buff *skb,
			    const struct kipc_mbox_snap *snap)
{
	const struct kipc_nl_field *f;
	const void *p;
	int ret;

	for (f = kipc_nl_mbox_attrs;
	     f < kipc_nl_mbox_attrs + ARRAY_SIZE(kipc_nl_mbox_attrs); f++) {
		p = (const void *)snap + f->offset;
		if (!f->size)
			ret = nla_put_string(skb, f->attr, p);
		else if (f->size == sizeof(u32))
			ret = nla_put_u32(skb, f->attr, *(const u32 *)p);
		else
			ret = nla_put_u64_64bit(skb, f->attr, *(const u64 *)p,
						KIPC_A_PAD);
		if (ret)
			return ret;
	}
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
	struct kipc_mbox_snap snap;
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &kipc_nl_family, flags,
			  KIPC_CMD_MBOX_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (cb)
		genl_dump_check_consistent(cb, hdr);

	kipc_mbox_snap(mb, &snap, current_user_ns(), task_active_pid_ns(current));
	if (kipc_nl_put_mbox(skb, &snap)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/*
 * The mailbox a GET names, by one of two keys (as WireGuard's
 * lookup_interface()): referenced, or an ERR_PTR with the reason in extack.
 */
static struct kipc_mbox *kipc_nl_lookup(struct sk_buff *skb,
					struct genl_info *info)
{
	struct nlattr *id_attr = info->attrs[KIPC_A_MBOX_ID];
	struct nlattr *name_attr = info->attrs[KIPC_A_MBOX_NAME];
	struct nlattr *all_attr = info->attrs[KIPC_A_ALL_NS];
	struct kipc_mbox *mb;

	if (id_attr && name_attr) {
		NL_SET_ERR_MSG_ATTR(info->extack, name_attr,
				    "give a mailbox id or a name, not both");
		return ERR_PTR(-EINVAL);
	}
	if (all_attr && !id_attr) {
		NL_SET_ERR_MSG_ATTR(info->extack, all_attr,
				    "all namespaces: look up by mailbox id");
		return ERR_PTR(-EINVAL);
	}
	if (all_attr && !kipc_nl_all_ns_ok(skb, all_attr, info->extack))
		return ERR_PTR(-EPERM);
	if (id_attr) {
		mb = kipc_mbox_get_by_id(nla_get_u32(id_attr), !!all_attr);
		if (!mb)
			NL_SET_ERR_MSG_ATTR(info->extack, id_attr,
					    "no mailbox with this id");
	} else if (name_attr) {
		if (!kipc_name_ok(nla_data(name_attr))) {
			NL_SET_ERR_MSG_ATTR(info->extack, name_attr,
					    "invalid mailbox name");
			return ERR_PTR(-EINVAL);
		}
		mb = kipc_mbox_get_by_name(nla_data(name_attr));
		if (!mb)
			NL_SET_ERR_MSG_ATTR(info->extack, name_attr,
					    "no mailbox with this name");
	} else {
		NL_SET_ERR_MSG(info->extack, "mailbox id or name required");
		return ERR_PTR(-EINVAL);
	}
	return mb ?: ERR_PTR(-ENOENT);
}

static int kipc_nl_mbox_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct kipc_mbox *mb;
	struct sk_buff *msg;
	int ret;

	mb = kipc_nl_lookup(skb, info);
	if (IS_ERR(mb))
		return PTR_ERR(mb);

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
	    nla_put_u32(msg, KIPC_A_STATS_MAX_NOTIFY,
			READ_ONCE(kipc_max_notify)) ||
	    nla_put_u64_64bit(msg, KIPC_A_STATS_SENT, st.sent, KIPC_A_PAD) ||
	    nla_put_u64_64bit(msg, KIPC_A_STATS_RECEIVED, st.received,
			      KIPC_A_PAD) ||
	    nla_put_u64_64bit(msg, KIPC_A_STATS_CREATED, st.created,
			      KIPC_A_PAD) ||
	    nla_put_u64_64bit(msg, KIPC_A_STATS_DESTROYED, st.destroyed,
			      KIPC_A_PAD) ||
	    nla_put_u64_64bit(msg, KIPC_A_STATS_EVENTS_SUPPRESSED,
			      atomic64_read(&kipc_events_suppressed),
			      KIPC_A_PAD) ||
	    nla_put_u32(msg, KIPC_A_STATS_MONITORS,
			READ_ONCE(kipc_nl_nr_subs)))
		goto nla_put_failure;

	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

nla_put_failure:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

/* ---------------------------------------------------------- subscriptions */

static unsigned int kipc_max_user_monitors = 16;
module_param_named(max_user_monitors, kipc_max_user_monitors, uint, 0644);
MODULE_PARM_DESC(max_user_monitors,
		 "KIPC_CMD_MONITOR subscriptions per user, CAP_SYS_RESOURCE exempt (16)");

/*
 * The subscriptions of one IPC namespace; it exists while it has any. It
 * holds a reference to the namespace, so the address it is found by is not
 * reused by a new namespace while a subscriber could be sent its events.
 */
struct kipc_nl_ns {
	struct hlist_node	node;		/* kipc_nl_nss */
	struct ipc_namespace	*ns;
	struct list_head	subs;		/* kipc_nl_sub.node */
	atomic64_t		suppressed;	/* its events the limit dropped */
};

/* One socket's KIPC_CMD_MONITOR. */
struct kipc_nl_sub {
	struct list_head	node;		/* kipc_nl_ns.subs */
	struct hlist_node	port_node;	/* kipc_nl_ports */
	struct kipc_nl_ns	*nsw;
	struct sock		*sk;		/* held: events go to it */
	u32			portid;		/* in sock_net(sk), for URELEASE */
	struct user_namespace	*user_ns;	/* the subscriber's, for uids */
	struct pid_namespace	*pid_ns;	/* and for pids */
	struct kipc_user	*user;		/* charged against the limit */
	u64			suppressed_base;
	atomic64_t		lost;		/* events its full socket refused */
};

/*
 * Event senders walk kipc_nl_nss and each kipc_nl_ns's list under
 * kipc_nl_srcu (they allocate with GFP_KERNEL meanwhile); subscribing and
 * unsubscribing change them under kipc_nl_subs_lock, which is also the
 * lock of kipc_nl_ports (subscriptions by portid, for NETLINK_URELEASE).
 * No event takes the mutex: it is per socket, not per message.
 */
DEFINE_STATIC_SRCU(kipc_nl_srcu);
static DEFINE_MUTEX(kipc_nl_subs_lock);
static DEFINE_HASHTABLE(kipc_nl_nss, 6);
static DEFINE_HASHTABLE(kipc_nl_ports, 6);
static bool kipc_nl_up;		/* events may be sent (set once registered) */

/* The subscriptions of @ns, or NULL. Under kipc_nl_srcu or the mutex. */
static struct kipc_nl_ns *kipc_nl_ns_find(struct ipc_namespace *ns)
{
	struct kipc_nl_ns *nsw;

	hlist_for_each_entry_srcu(nsw,
				  &kipc_nl_nss[hash_min((unsigned long)ns,
						       HASH_BITS(kipc_nl_nss))],
				  node, srcu_read_lock_held(&kipc_nl_srcu) ||
					lockdep_is_held(&kipc_nl_subs_lock))
		if (nsw->ns == ns)
			return nsw;
	return NULL;
}

static u32 kipc_nl_port_key(const struct net *net, u32 portid)
{
	return hash_32(portid ^ hash_ptr(net, 32), 32);
}

/* Frees what kipc_nl_unlink() took out; no SRCU reader can see it now. */
static void kipc_nl_sub_free(struct kipc_nl_sub *sub)
{
	atomic_dec(&sub->user->monitors);
	kipc_user_put(sub->user);
	put_pid_ns(sub->pid_ns);
	put_user_ns(sub->user_ns);
	sock_put(sub->sk);
	kfree(sub);
}

static void kipc_nl_ns_free(struct kipc_nl_ns *nsw)
{
	/* put_ipc_ns() is not exported; this is what nsfs itself calls. */
	nsw->ns->ns.ops->put(&nsw->ns->ns);
	kfree(nsw);
}

/*
 * Takes @sub out of every list. Returns its namespace's entry if that was
 * the last subscription, to be freed with it after a grace period.
 */
static struct kipc_nl_ns *kipc_nl_unlink(struct kipc_nl_sub *sub)
{
	struct kipc_nl_ns *nsw = sub->nsw;

	lockdep_assert_held(&kipc_nl_subs_lock);

	hash_del(&sub->port_node);
	list_del_rcu(&sub->node);
	WRITE_ONCE(kipc_nl_nr_subs, kipc_nl_nr_subs - 1);
	if (!list_empty(&nsw->subs))
		return NULL;
	hash_del_rcu(&nsw->node);
	return nsw;
}

/*
 * Adds @sub, for the socket that sent @info's request, to the list of the
 * caller's IPC namespace; *@new_nsw becomes that list if it is the first.
 */
static int kipc_nl_subscribe(struct kipc_nl_sub *sub,
			     struct kipc_nl_ns **new_nsw,
			     struct sk_buff *skb, struct genl_info *info)
{
	struct ipc_namespace *ns = current->nsproxy->ipc_ns;
	struct sock *sk = NETLINK_CB(skb).sk;
	u32 key = kipc_nl_port_key(genl_info_net(info), info->snd_portid);
	struct kipc_nl_sub *old;
	struct kipc_nl_ns *nsw;

	lockdep_assert_held(&kipc_nl_subs_lock);

	hash_for_each_possible(kipc_nl_ports, old, port_node, key) {
		if (old->sk == sk) {
			NL_SET_ERR_MSG(info->extack,
				       "this socket is already subscribed");
			return -EALREADY;
		}
	}
	nsw = kipc_nl_ns_find(ns);
	if (!nsw) {
		nsw = *new_nsw;
		*new_nsw = NULL;
		nsw->ns = get_ipc_ns(ns);
		INIT_LIST_HEAD(&nsw->subs);
		atomic64_set(&nsw->suppressed, 0);
		hash_add_rcu(kipc_nl_nss, &nsw->node, (unsigned long)ns);
	}
	sock_hold(sk);
	sub->sk = sk;
	sub->portid = info->snd_portid;
	sub->nsw = nsw;
	sub->user_ns = get_user_ns(current_user_ns());
	sub->pid_ns = get_pid_ns(task_active_pid_ns(current));
	sub->suppressed_base = atomic64_read(&nsw->suppressed);
	atomic64_set(&sub->lost, 0);
	hash_add(kipc_nl_ports, &sub->port_node, key);
	list_add_tail_rcu(&sub->node, &nsw->subs);
	WRITE_ONCE(kipc_nl_nr_subs, kipc_nl_nr_subs + 1);
	return 0;
}

static int kipc_nl_monitor_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct kipc_nl_ns *new_nsw = NULL;
	struct kipc_nl_sub *sub = NULL;
	struct kipc_user *u;
	int ret;

	u = kipc_user_current();
	if (!u)
		return -ENOMEM;
	if (atomic_inc_return(&u->monitors) >
	    READ_ONCE(kipc_max_user_monitors) && !capable(CAP_SYS_RESOURCE)) {
		NL_SET_ERR_MSG(info->extack,
			       "this user has max_user_monitors subscriptions");
		ret = -ENOSPC;
		goto out_free;
	}
	sub = kzalloc(sizeof(*sub), GFP_KERNEL_ACCOUNT);
	new_nsw = kzalloc(sizeof(*new_nsw), GFP_KERNEL_ACCOUNT);
	if (!sub || !new_nsw) {
		ret = -ENOMEM;
		goto out_free;
	}
	sub->user = u;

	mutex_lock(&kipc_nl_subs_lock);
	ret = kipc_nl_subscribe(sub, &new_nsw, skb, info);
	mutex_unlock(&kipc_nl_subs_lock);
	if (!ret) {
		kfree(new_nsw);
		return 0;
	}

out_free:
	kfree(new_nsw);
	kfree(sub);
	atomic_dec(&u->monitors);
	kipc_user_put(u);
	return ret;
}

/*
 * A netlink socket is closing (any protocol's, any namespace's): end its
 * subscription. Netlink has already unhashed it, so its portid may be
 * bound again meanwhile; the entry to drop is the one whose socket is dead.
 * Process context (a blocking notifier chain).
 */
static int kipc_nl_sock_released(struct notifier_block *nb,
				 unsigned long state, void *ptr)
{
	struct netlink_notify *n = ptr;
	struct kipc_nl_sub *sub, *found = NULL;
	struct kipc_nl_ns *nsw = NULL;

	if (state != NETLINK_URELEASE || n->protocol != NETLINK_GENERIC ||
	    !READ_ONCE(kipc_nl_nr_subs))
		return NOTIFY_DONE;

	mutex_lock(&kipc_nl_subs_lock);
	hash_for_each_possible(kipc_nl_ports, sub, port_node,
			       kipc_nl_port_key(n->net, n->portid)) {
		if (sub->portid == n->portid && net_eq(sock_net(sub->sk), n->net) &&
		    sock_flag(sub->sk, SOCK_DEAD)) {
			found = sub;
			nsw = kipc_nl_unlink(sub);
			break;
		}
	}
	mutex_unlock(&kipc_nl_subs_lock);
	if (!found)
		return NOTIFY_DONE;

	synchronize_srcu(&kipc_nl_srcu);
	kipc_nl_sub_free(found);
	if (nsw)
		kipc_nl_ns_free(nsw);
	return NOTIFY_DONE;
}

static struct notifier_block kipc_nl_notifier = {
	.notifier_call = kipc_nl_sock_released,
};

/* Module unload: no event is in flight and no request can come. */
static void kipc_nl_unsubscribe_all(void)
{
	struct kipc_nl_sub *sub;
	struct kipc_nl_ns *nsw;
	struct hlist_node *tmp;
	int bkt;

	mutex_lock(&kipc_nl_subs_lock);
	hash_for_each_safe(kipc_nl_ports, bkt, tmp, sub, port_node) {
		nsw = kipc_nl_unlink(sub);
		kipc_nl_sub_free(sub);
		if (nsw)
			kipc_nl_ns_free(nsw);
	}
	mutex_unlock(&kipc_nl_subs_lock);
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
	{
		/* No policy: no attribute yet; any is refused. */
		.cmd		= KIPC_CMD_MONITOR,
		.doit		= kipc_nl_monitor_doit,
	},
};

static const struct genl_multicast_group kipc_nl_mcgrps[] = {
	/* Every namespace's mailboxes: for CAP_SYS_ADMIN only. */
	[KIPC_NL_MCGRP_MONITOR] = { .name = KIPC_GENL_MCGRP_MONITOR,
				    .flags = GENL_MCAST_CAP_SYS_ADMIN },
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

/* ----------------------------------------------------------------- events */

/* What one event says besides the mailbox; the same for every listener. */
struct kipc_nl_ev {
	enum kipc_event	event;
	bool		is_msg;		/* SEND, RECV, CALL, REPLY */
	bool		is_call;	/* CALL, REPLY */
	u64		seq;
	u32		len;
	u32		type;
	u64		duration;	/* is_call */
	u32		error;		/* CALL */
	u64		time;		/* taken once somebody listens */
};

/*
 * True if an event @u caused may go out now, else false. A token bucket per
 * user, refilled at event_rate per second up to a second's worth; credit is
 * in event-nanoseconds (an event costs NSEC_PER_SEC). The lock is the
 * user's own: users never contend for it.
 */
static bool kipc_nl_ratelimit(struct kipc_user *u, u64 now)
{
	u32 rate = READ_ONCE(kipc_event_rate);
	u64 credit;
	bool ok;

	if (!rate || !u)
		return true;

	spin_lock(&u->rl_lock);
	/* @now was read before the lock: never count time backwards. */
	now = max(now, u->rl_stamp);
	credit = u->rl_credit +
		 min_t(u64, now - u->rl_stamp, NSEC_PER_SEC) * rate;
	credit = min_t(u64, credit, (u64)rate * NSEC_PER_SEC);
	u->rl_stamp = now;
	ok = credit >= NSEC_PER_SEC;
	if (ok)
		credit -= NSEC_PER_SEC;
	u->rl_credit = credit;
	spin_unlock(&u->rl_lock);
	return ok;
}

/* What an event carries besides its mailbox: see kipc_nl_ev_msg(). */
#define KIPC_NL_EV_SIZE	(5 * nla_total_size(sizeof(u32)) +	\
			 5 * nla_total_size_64bit(sizeof(u64)))

/*
 * One event message: @snap's mailbox (translated for its listener), @pid
 * the acting process as the listener sees it. @lost is for a subscriber
 * only.
 */
static struct sk_buff *kipc_nl_ev_msg(const struct kipc_nl_ev *ev,
				      const struct kipc_mbox_snap *snap,
				      pid_t pid, u64 suppressed,
				      const atomic64_t *lost)
{
	struct sk_buff *skb;
	void *hdr;

	skb = genlmsg_new(kipc_nl_mbox_size() + KIPC_NL_EV_SIZE, GFP_KERNEL);
	if (!skb)
		return NULL;
	hdr = genlmsg_put(skb, 0, 0, &kipc_nl_family, 0, KIPC_CMD_EVENT);
	if (!hdr)
		goto out_free;
	if (nla_put_u32(skb, KIPC_A_EVENT, ev->event) ||
	    nla_put_u64_64bit(skb, KIPC_A_EVENT_TIME, ev->time, KIPC_A_PAD) ||
	    nla_put_u32(skb, KIPC_A_EVENT_PID, pid) ||
	    nla_put_u64_64bit(skb, KIPC_A_EVENT_SUPPRESSED, suppressed,
			      KIPC_A_PAD) ||
	    (lost &&
	     nla_put_u64_64bit(skb, KIPC_A_EVENT_LOST, atomic64_read(lost),
			       KIPC_A_PAD)) ||
	    kipc_nl_put_mbox(skb, snap))
		goto out_free;
	if (ev->is_msg &&
	    (nla_put_u64_64bit(skb, KIPC_A_MSG_SEQ, ev->seq, KIPC_A_PAD) ||
	     nla_put_u32(skb, KIPC_A_MSG_LEN, ev->len) ||
	     nla_put_u32(skb, KIPC_A_MSG_TYPE, ev->type)))
		goto out_free;
	if (ev->is_call &&
	    (nla_put_u64_64bit(skb, KIPC_A_CALL_DURATION, ev->duration,
			       KIPC_A_PAD) ||
	     (ev->event == KIPC_EVENT_CALL &&
	      nla_put_u32(skb, KIPC_A_CALL_ERROR, ev->error))))
		goto out_free;
	genlmsg_end(skb, hdr);
	return skb;

out_free:
	nlmsg_free(skb);
	return NULL;
}

/* The host-wide view, to the "monitor" group. */
static void kipc_nl_multicast(struct kipc_mbox *mb, const struct kipc_nl_ev *ev)
{
	struct kipc_mbox_snap snap;
	struct sk_buff *skb;

	kipc_mbox_snap(mb, &snap, &init_user_ns, &init_pid_ns);
	skb = kipc_nl_ev_msg(ev, &snap, task_tgid_nr(current),
			     atomic64_read(&kipc_events_suppressed), NULL);
	/* -ESRCH when the last listener just left: nothing to do then. */
	if (skb)
		genlmsg_multicast(&kipc_nl_family, skb, 0,
				  KIPC_NL_MCGRP_MONITOR, GFP_KERNEL);
}

/* To each subscriber of @mb's namespace, as its namespaces see it. */
static void kipc_nl_unicast(struct kipc_mbox *mb, struct kipc_nl_ns *nsw,
			    const struct kipc_nl_ev *ev)
{
	struct user_namespace *snap_user_ns = NULL;
	struct pid_namespace *snap_pid_ns = NULL;
	struct kipc_mbox_snap snap;
	struct kipc_nl_sub *sub;
	struct sk_buff *skb;

	list_for_each_entry_srcu(sub, &nsw->subs, node,
				 srcu_read_lock_held(&kipc_nl_srcu)) {
		/* Closing: its portid may already be another socket's. */
		if (sock_flag(sub->sk, SOCK_DEAD))
			continue;
		/*
		 * Usually they all share one pid namespace: one snapshot, its
		 * uids translated again for each user namespace.
		 */
		if (sub->pid_ns != snap_pid_ns) {
			kipc_mbox_snap(mb, &snap, sub->user_ns, sub->pid_ns);
			snap_pid_ns = sub->pid_ns;
			snap_user_ns = sub->user_ns;
		} else if (sub->user_ns != snap_user_ns) {
			kipc_mbox_snap_uids(mb, &snap, sub->user_ns);
			snap_user_ns = sub->user_ns;
		}
		skb = kipc_nl_ev_msg(ev, &snap,
				     task_tgid_nr_ns(current, sub->pid_ns),
				     atomic64_read(&nsw->suppressed) -
				     sub->suppressed_base, &sub->lost);
		if (!skb) {
			atomic64_inc(&sub->lost);
			continue;
		}
		/*
		 * To the socket that subscribed, never by portid: a closing
		 * socket gives up its portid before it is marked dead (and
		 * before NETLINK_URELEASE), and another socket may bind that
		 * portid meanwhile. Never waits: a full socket refuses the
		 * event, which this subscriber alone loses. Its socket counts
		 * the drop too; unlike genlmsg_unicast(), no ENOBUFS is set:
		 * KIPC_A_EVENT_LOST says how many, in the next event.
		 */
		if (sock_queue_rcv_skb(sub->sk, skb)) {
			kfree_skb(skb);
			atomic64_inc(&sub->lost);
		}
	}
}

/*
 * Process context, no kipc spinlock held; may sleep. The event's time is
 * read here, once somebody listens: a clock read is not free (an MMIO exit
 * on an emulated HPET), and nobody listening is the common case.
 */
static void kipc_nl_event(struct kipc_mbox *mb, struct kipc_user *u,
			  struct kipc_nl_ev *ev)
{
	bool limited = ev->event != KIPC_EVENT_CREATE &&
		       ev->event != KIPC_EVENT_DESTROY;
	struct kipc_nl_ns *nsw = NULL;
	bool group;
	int idx;

	/* The common case, nobody listening, costs two reads. */
	group = READ_ONCE(kipc_nl_up) &&
		genl_has_listeners(&kipc_nl_family, &init_net,
				   KIPC_NL_MCGRP_MONITOR) > 0;
	if (!group && !READ_ONCE(kipc_nl_nr_subs))
		return;

	idx = srcu_read_lock(&kipc_nl_srcu);
	if (!READ_ONCE(kipc_nl_up))
		goto out;
	nsw = kipc_nl_ns_find(mb->ns);
	if (!group && !nsw)
		goto out;
	ev->time = ktime_get_ns();
	if (limited && !kipc_nl_ratelimit(u, ev->time)) {
		atomic64_inc(&kipc_events_suppressed);
		if (nsw)
			atomic64_inc(&nsw->suppressed);
		goto out;
	}
	if (group)
		kipc_nl_multicast(mb, ev);
	if (nsw)
		kipc_nl_unicast(mb, nsw, ev);
out:
	srcu_read_unlock(&kipc_nl_srcu, idx);
}

/*
 * CREATE, DESTROY, FULL, NOTIFY. Process context; mb->lock is not held (the
 * registry lock may be, for DESTROY). @u acted; NULL for the module itself.
 */
void kipc_nl_mbox_event(struct kipc_mbox *mb, struct kipc_user *u,
			enum kipc_event event)
{
	struct kipc_nl_ev ev = { .event = event };

	kipc_nl_event(mb, u, &ev);
}

/* SEND, RECV. Process context, no kipc lock held. */
void kipc_nl_msg_event(struct kipc_mbox *mb, struct kipc_user *u,
		       enum kipc_event event, u64 seq, u32 len, u32 type)
{
	struct kipc_nl_ev ev = {
		.event = event, .is_msg = true, .seq = seq, .len = len,
		.type = type,
	};

	kipc_nl_event(mb, u, &ev);
}

/*
 * CALL (@error: 0 or the errno the caller got), REPLY (@error 0): call
 * @seq, its request of @type, its reply of @len bytes, @duration ns since
 * the request. Process context, no kipc lock held.
 */
void kipc_nl_call_event(struct kipc_mbox *mb, struct kipc_user *u,
			enum kipc_event event, u64 seq, u32 type, u32 len,
			u64 duration, int error)
{
	struct kipc_nl_ev ev = {
		.event = event, .is_msg = true, .is_call = true, .seq = seq,
		.len = len, .type = type, .duration = duration, .error = -error,
	};

	kipc_nl_event(mb, u, &ev);
}

int __init kipc_netlink_init(void)
{
	int ret;

	/* The notifier first: a subscriber's socket may close at once. */
	ret = netlink_register_notifier(&kipc_nl_notifier);
	if (ret)
		return ret;
	ret = genl_register_family(&kipc_nl_family);
	if (ret) {
		netlink_unregister_notifier(&kipc_nl_notifier);
		return ret;
	}
	WRITE_ONCE(kipc_nl_up, true);
	return 0;
}

void kipc_netlink_exit(void)
{
	/* No event after this; none in flight once the grace period ends. */
	WRITE_ONCE(kipc_nl_up, false);
	synchronize_srcu(&kipc_nl_srcu);
	/* Waits for requests in flight; then no subscription can be added. */
	genl_unregister_family(&kipc_nl_family);
	netlink_unregister_notifier(&kipc_nl_notifier);
	kipc_nl_unsubscribe_all();
}
