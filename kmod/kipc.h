/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _KIPC_KIPC_H
#define _KIPC_KIPC_H

#include <linux/fs.h>
#include <linux/bits.h>
#include <linux/hrtimer.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/llist.h>
#include <linux/mutex.h>
#include <linux/pid.h>
#include <linux/rbtree.h>
#include <linux/sched.h>
#include <linux/refcount.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/wait.h>
#include <linux/kipc.h>

struct ipc_namespace;
struct pid_namespace;
struct user_namespace;
struct kipc_user;
struct kipc_kcall;
struct kipc_handle;

/* Module parameters (main.c). */
extern unsigned int kipc_max_mailboxes;
extern unsigned int kipc_max_msg_size;
extern unsigned int kipc_default_capacity;
extern unsigned int kipc_default_capacity_bytes;
extern unsigned long kipc_max_total_bytes;
extern unsigned int kipc_max_user_mailboxes;
extern unsigned long kipc_max_user_bytes;
extern unsigned int kipc_event_rate;
extern unsigned int kipc_max_notify;

/* Mailbox ids cycle through 1..KIPC_ID_MAX (the 31-bit space). */
#define KIPC_ID_MAX		((u32)INT_MAX)

/*
 * A node of an index (index.c): a tree ordered by (key, rank) that finds
 * the best-ranked node in a range of keys in O(log n). Lower rank is
 * better, compared as (rank_hi, rank_lo).
 */
struct kipc_ixnode {
	struct rb_node		rb;
	struct kipc_ixnode	*best;		/* the best of this subtree */
	u64			key;
	u64			rank_lo;
	u32			rank_hi;
};

struct kipc_index {
	struct rb_root_cached	root;
};

#define KIPC_INDEX_INIT		((struct kipc_index){ .root = RB_ROOT_CACHED })

static inline bool kipc_ix_empty(const struct kipc_index *ix)
{
	return RB_EMPTY_ROOT(&ix->root.rb_root);
}

/*
 * A queued message: one allocation, header and payload together, unless the
 * header would push a large payload into the next kmalloc size class (see
 * kipc_kmsg_new()); then @data is an allocation of its own.
 */
struct kipc_kmsg {
	/* In mbox->msgs; key: type; rank: (KIPC_PRIO_MAX - prio, seq). */
	struct kipc_ixnode	ix;
	struct list_head	node;		/* off the index: a batch's list */
	u64			tstamp;
	struct pid		*sender;
	struct kipc_user	*user;		/* charged for it */
	kuid_t			sender_uid;	/* real uid, as kill(2) reports */
	u32			len;
	char			*data;		/* the payload: inline, or its own */
	struct kipc_kcall	*call;		/* a request: its call, referenced */
};

/*
 * A call (call.c): a request, sent by KIPC_IOC_CALL, and the state of its
 * reply. Under the mailbox's lock, it is
 *
 *   QUEUED	its request is queued (or handed to a receiver, or being
 *		copied to one), and it is on mbox->calls;
 *   OWNED	a handle received the request: on @owner's calls and on
 *		mbox->calls, until that handle replies or closes;
 *   DONE	answered: @result, and with 0 @reply, for the caller to take;
 *   GONE	its caller gave up: a REPLY finds nothing.
 *
 * Referenced by its caller until it returns, and by its request message.
 * A caller that a stop, a ptrace trap or the freezer interrupts parks its
 * call (@parker, on its handle's parked list) for the restarted CALL to
 * resume: the caller's reference stays with the parked call.
 */
enum kipc_call_state {
	KIPC_CALL_QUEUED,
	KIPC_CALL_OWNED,
	KIPC_CALL_DONE,
	KIPC_CALL_GONE,
};

struct kipc_kcall {
	refcount_t		ref;
	enum kipc_call_state	state;
	int			result;		/* DONE: 0 or -errno */
	u64			seq;		/* its request's */
	u64			start_ns;	/* CLOCK_MONOTONIC, when called */
	u32			reply_max;	/* the caller's buffer */
	u32			type;		/* its request's */
	struct list_head	node;		/* mbox->calls: QUEUED, OWNED */
	struct rb_node		owner_node;	/* owner->calls, by seq: OWNED */
	struct kipc_handle	*owner;
	struct task_struct	*task;		/* the caller, while it sleeps */
	struct pid		*parker;	/* the caller, while parked */
	struct list_head	park_node;	/* on the caller's handle */
	struct kipc_kmsg	*reply;		/* DONE with 0 */
};

static inline u32 kipc_kmsg_type(const struct kipc_kmsg *msg)
{
	return msg->ix.key;
}

static inline u32 kipc_kmsg_prio(const struct kipc_kmsg *msg)
{
	return KIPC_PRIO_MAX - msg->ix.rank_hi;
}

static inline u64 kipc_kmsg_seq(const struct kipc_kmsg *msg)
{
	return msg->ix.rank_lo;
}

/*
 * One user, by real uid, across namespaces (user.c): what it holds, for
 * max_user_mailboxes and max_user_bytes, and its share of the event rate.
 */
struct kipc_user {
	refcount_t		ref;
	kuid_t			uid;
	struct hlist_node	node;		/* under kipc_users_lock */
	atomic_t		mailboxes;	/* created, not yet destroyed */
	atomic_long_t		bytes;		/* charged for queued messages */
	atomic_t		monitors;	/* KIPC_CMD_MONITOR subscriptions */
	spinlock_t		rl_lock;	/* the event token bucket (netlink.c) */
	u64			rl_credit;	/* under rl_lock: event-nanoseconds */
	u64			rl_stamp;	/* under rl_lock: last refill */
};

/*
 * A signal registration; embedded in the handle that made it. On
 * mbox->notifiers, under mbox->notify_lock (notify.c).
 */
struct kipc_notifier {
	struct list_head	node;		/* mbox->notifiers */
	struct pid		*pid;		/* thread group to signal */
	u64			self_exec_id;
	u32			signo;
	u32			flags;
};

/*
 * One IPC namespace that has mailboxes (mailbox.c, "Namespaces" in
 * docs/design.md): it holds a reference to the namespace, so that the
 * namespace and its address outlive every mailbox keyed by it, and lists
 * the namespace's mailboxes, so that they can be freed together when no
 * process uses the namespace any more.
 */
struct kipc_ns {
	struct ipc_namespace	*ns;		/* referenced */
	refcount_t		ref;		/* the registry's, each mailbox's */
	struct hlist_node	node;		/* in the registry, under its lock */
	struct list_head	mailboxes;	/* live ones, under the registry lock */
	u32			nr_mailboxes;
	struct llist_node	free_node;	/* waiting for its release */
};

struct kipc_mbox {
	struct kref		ref;		/* the registry's and each handle's */
	u32			id;
	bool			temp;
	char			name[KIPC_NAME_MAX];
	struct ipc_namespace	*ns;		/* == kns->ns */
	struct kipc_ns		*kns;		/* referenced until the last put */
	struct kipc_user	*user;		/* the creator's: charged for it */
	kuid_t			uid;
	kgid_t			gid;
	u64			ctime_ns;
	struct hlist_node	name_node;	/* under kipc_registry_lock */
	struct list_head	ns_node;	/* kns->mailboxes, same lock; */
						/* then kipc_graveyard */

	/* The notifiers list; signals are sent under it (notify.c). */
	struct mutex		notify_lock;
	struct list_head	notifiers;

	spinlock_t		lock;		/* see mailbox.c */
	/* Everything below is protected by @lock. */
	bool			dead;
	u32			mode;
	u32			depth;
	u32			capacity;
	u32			max_msg_size;
	u32			handles;
	u32			blocked_senders;
	u32			blocked_receivers;
	u32			notify_count;	/* and notify_lock to write */
	u32			reserved;	/* room promised to woken senders: */
	u64			reserved_bytes;	/* messages and bytes */
	u64			bytes;
	u64			capacity_bytes;
	u64			next_seq;
	u64			next_ticket;	/* a blocked task's place in line */
	u64			sent;
	u64			received;
	u64			dropped;
	struct pid		*last_sender;
	struct pid		*last_receiver;
	struct kipc_index	msgs;		/* the queue */
	struct kipc_index	gone;		/* destroy's drained queue */
	struct fasync_struct	*fasync;

	struct list_head	calls;		/* QUEUED and OWNED calls */
	u32			calls_pending;	/* on @calls */
	u32			callers_blocked; /* waiting for a reply */
	u64			calls_sent;	/* requests ever queued */

	struct kipc_index	rwaiters;	/* receivers blocked in the ioctl */
	struct kipc_index	swaiters;	/* senders blocked in the ioctl */
	wait_queue_head_t	pollq;		/* poll, select, epoll */
};

/* What an open /dev/kipc is. */
struct kipc_handle {
	struct mutex		lock;		/* serialises create/attach */
	struct kipc_user	*user;		/* who opened it: charged for it */
	struct kipc_mbox	*mbox;		/* set once, then stable */
	struct kipc_notifier	notify;
	struct rb_root		calls;		/* owned, by seq; mbox->lock */
	struct list_head	parked;		/* calls to resume; mbox->lock */
};

/*
 * The name rule besides its length (SPEC section 2): not empty, no '/'.
 * The ioctls (main.c) and netlink (its policy) check the length each in
 * their own way, and then this.
 */
static inline bool kipc_name_ok(const char *name)
{
	return *name && !strchr(name, '/');
}

/*
 * Deadlines, for every sleep in kipc (msg.c's waits, call.c's wait for a
 * reply): the absolute time a relative @timeout_ns ends, KTIME_MAX for 0
 * (none); the clock is read only if there is one.
 */
static inline ktime_t kipc_deadline(u64 timeout_ns)
{
	if (!timeout_ns)
		return KTIME_MAX;
	return ktime_add_safe(ktime_get(),
			      ns_to_ktime(min_t(u64, timeout_ns, KTIME_MAX)));
}

static inline bool kipc_deadline_passed(ktime_t expires)
{
	return expires != KTIME_MAX && ktime_after(ktime_get(), expires);
}

/* Sleeps, in the state the caller set, until woken or @expires. */
static inline void kipc_schedule_until(ktime_t *expires)
{
	if (*expires == KTIME_MAX)
		schedule();
	else
		schedule_hrtimeout_range(expires, 0, HRTIMER_MODE_ABS);
}

/* The mailbox a handle is attached to, or NULL. */
static inline struct kipc_mbox *kipc_attached(struct kipc_handle *h)
{
	/* Pairs with smp_store_release() in create/attach. */
	return smp_load_acquire(&h->mbox);
}

/*
 * The one snapshot of a mailbox: every field it reports, taken at once
 * under mbox->lock by kipc_mbox_snap(), with uids and pids translated into
 * the namespaces of whoever it is for. KIPC_IOC_STAT copies out @stat;
 * netlink replies and events put its fields as attributes
 * (kipc_nl_mbox_attrs[], netlink.c). A new field goes in struct kipc_stat,
 * kipc_mbox_snap() and that table.
 */
struct kipc_mbox_snap {
	struct kipc_stat	stat;
	u32			ns_inum;	/* the IPC namespace's inode */
};

/* What an op needs of the caller besides an attached, live mailbox. */
enum kipc_need {
	KIPC_NEED_NOTHING,
	KIPC_NEED_READ,		/* the mode's r, or CAP_IPC_OWNER: EACCES */
	KIPC_NEED_WRITE,	/* the mode's w, or CAP_IPC_OWNER: EACCES */
	KIPC_NEED_OWNER,	/* its owner, or CAP_IPC_OWNER: EPERM */
};

/* Module-wide figures (mailbox.c). */
struct kipc_stats {
	u32 mailboxes;
	u64 messages;
	u64 bytes;
	u64 sent;
	u64 received;
	u64 created;
	u64 destroyed;
	u64 charged;	/* bytes against max_total_bytes, headers included */
};

/* mailbox.c */
void kipc_mbox_init(void);
void kipc_mbox_exit(void);
int kipc_mbox_create(struct kipc_handle *h, const struct kipc_create *kc,
		     u32 *id);
int kipc_mbox_attach(struct kipc_handle *h, const struct kipc_attach *ka,
		     u32 *id);
u32 kipc_ids_next(void);
int kipc_ids_set_next(u32 id);
int kipc_mbox_destroy(struct kipc_mbox *mb);
void kipc_mbox_detach(struct kipc_handle *h);
int kipc_mbox_set(struct kipc_mbox *mb, const struct kipc_set *ks);
void kipc_mbox_snap(struct kipc_mbox *mb, struct kipc_mbox_snap *snap,
		    struct user_namespace *user_ns,
		    struct pid_namespace *pid_ns);
void kipc_mbox_snap_uids(struct kipc_mbox *mb, struct kipc_mbox_snap *snap,
			 struct user_namespace *user_ns);
u32 kipc_mbox_generation(void);
struct kipc_mbox *kipc_mbox_gate(struct kipc_handle *h, enum kipc_need need,
				 u32 *mode);
bool kipc_mode_may(struct kipc_mbox *mb, u32 mode, int mask);
bool kipc_mbox_may(struct kipc_mbox *mb, int mask);
bool kipc_reap_now(void);
struct kipc_mbox *kipc_mbox_get_by_id(u32 id, bool all_ns);
struct kipc_mbox *kipc_mbox_get_by_name(const char *name);
void kipc_mbox_put(struct kipc_mbox *mb);
int kipc_mbox_for_each(u32 *next_id, bool all_ns,
		       int (*fn)(struct kipc_mbox *mb, void *arg), void *arg);
void kipc_stats_get(struct kipc_stats *st);
void kipc_mbox_destroy_all(void);

/* kmsg.c */
int kipc_kmsg_init(void);
void kipc_kmsg_exit(void);
struct kipc_kmsg *kipc_kmsg_new(struct kipc_user *u, const struct kipc_msg *m,
				u64 now);
void kipc_kmsg_free(struct kipc_kmsg *msg);
void kipc_kmsg_free_index(struct kipc_index *msgs);
u64 kipc_kmsg_charged(void);

/* index.c */
void kipc_ix_insert(struct kipc_index *ix, struct kipc_ixnode *n);
void kipc_ix_erase(struct kipc_index *ix, struct kipc_ixnode *n);
struct kipc_ixnode *kipc_ix_first(const struct kipc_index *ix);
struct kipc_ixnode *kipc_ix_top(const struct kipc_index *ix);
struct kipc_ixnode *kipc_ix_best(const struct kipc_index *ix, u64 lo, u64 hi);
struct kipc_ixnode *kipc_ix_best_but(const struct kipc_index *ix, u64 lo,
				     u64 hi, u64 but);
bool kipc_ix_better(const struct kipc_ixnode *a, const struct kipc_ixnode *b);
bool kipc_ix_queued(const struct kipc_ixnode *n);

/* user.c */
struct kipc_user *kipc_user_get(kuid_t uid);
struct kipc_user *kipc_user_current(void);
struct kipc_user *kipc_user_hold(struct kipc_user *u);
void kipc_user_put(struct kipc_user *u);
bool kipc_user_limited(void);

/* msg.c */
bool kipc_mbox_full(const struct kipc_mbox *mb, u32 len);
void kipc_wake_senders(struct kipc_mbox *mb);
void kipc_wake_all(struct kipc_mbox *mb);
void kipc_wake_to_recheck(struct kipc_mbox *mb);
void kipc_wake_pollers(struct kipc_mbox *mb, __poll_t mask);
void kipc_drain(struct kipc_mbox *mb, struct kipc_index *msgs);
/*
 * On a mailbox that passed kipc_mbox_gate() for the handle of @file under
 * @mode. The timeout is in, and out when the call returns -ERESTARTNOHAND
 * (a stop, ptrace or a signal with no handler): what is left of it, for
 * the restarted call.
 */
int kipc_msg_send(struct kipc_mbox *mb, u32 mode, struct file *file,
		  struct kipc_msg *m);
int kipc_msg_recv(struct kipc_mbox *mb, u32 mode, struct file *file,
		  struct kipc_msg *m, struct kipc_msg __user *um);
int kipc_msg_sendv(struct kipc_mbox *mb, u32 mode, struct file *file,
		   struct kipc_msg *ms, u32 count, u32 flags, u64 *timeout_ns);
int kipc_msg_recvv(struct kipc_mbox *mb, u32 mode, struct file *file,
		   struct kipc_msg *ms, struct kipc_msg __user *um, u32 count,
		   u32 flags, u64 *timeout_ns);
int kipc_msg_put(struct kipc_msg __user *um, const struct kipc_msg *m);
struct kipc_kmsg *kipc_msg_new(struct kipc_mbox *mb, struct kipc_user *u,
			       const struct kipc_msg *m, u64 now);

/* call.c */
void kipc_call_queued(struct kipc_mbox *mb, struct kipc_kcall *kc, u64 seq);
void kipc_call_own(struct kipc_mbox *mb, struct kipc_kcall *kc,
		   struct kipc_handle *h);
void kipc_call_disown(struct kipc_mbox *mb, struct kipc_kcall *kc);
void kipc_call_put(struct kipc_kcall *kc);
void kipc_calls_end(struct kipc_mbox *mb, int result);
void kipc_call_release(struct kipc_handle *h);
struct kipc_msg kipc_call_request(const struct kipc_call *c);
int kipc_call(struct kipc_mbox *mb, u32 mode, struct file *file,
	      struct kipc_call *c);
int kipc_call_reply(struct kipc_mbox *mb, struct kipc_handle *h,
		    const struct kipc_reply *r);
int kipc_msg_send_call(struct kipc_mbox *mb, u32 mode, struct file *file,
		       struct kipc_msg *m, struct kipc_kcall *kc);

/* notify.c */
int kipc_notify_set(struct kipc_handle *h, struct kipc_mbox *mb,
		    const struct kipc_notify *kn);
unsigned int kipc_notify_deliver(struct kipc_mbox *mb, bool was_empty,
				 bool idle);
void kipc_notify_unregister(struct kipc_mbox *mb, struct kipc_notifier *n);
void kipc_notify_flush(struct kipc_handle *h);
void kipc_notify_drop_all(struct kipc_mbox *mb);

/* netlink.c */
int kipc_netlink_init(void);
void kipc_netlink_exit(void);
void kipc_nl_mbox_event(struct kipc_mbox *mb, struct kipc_user *u,
			enum kipc_event event);
void kipc_nl_msg_event(struct kipc_mbox *mb, struct kipc_user *u,
		       enum kipc_event event, u64 seq, u32 len, u32 type);
void kipc_nl_call_event(struct kipc_mbox *mb, struct kipc_user *u,
			enum kipc_event event, u64 seq, u32 type, u32 len,
			u64 duration, int error);

#endif /* _KIPC_KIPC_H */
