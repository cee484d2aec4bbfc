// SPDX-License-Identifier: GPL-2.0
/*
 * Message memory: a queued message's allocation, and what it is charged
 * to. Every message is charged, header included, to the user of the handle
 * that sent it (max_user_bytes) and to the module-wide total
 * (max_total_bytes), from its allocation until it is freed; its pages go
 * to the sender's memory cgroup (GFP_KERNEL_ACCOUNT).
 */

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/mm.h>
#include <linux/percpu_counter.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "kipc.h"

/*
 * Memory held by queued messages, headers included, against max_total_bytes.
 * The one module-wide variable on the send/receive path: a per-CPU counter,
 * so that a sender on one CPU and a receiver on another do not bounce a
 * cache line per message. It is summed exactly when near the limit.
 */
static struct percpu_counter kipc_charged;
#define KIPC_CHARGE_BATCH	(256 << 10)

int __init kipc_kmsg_init(void)
{
	return percpu_counter_init(&kipc_charged, 0, GFP_KERNEL);
}

void kipc_kmsg_exit(void)
{
	percpu_counter_destroy(&kipc_charged);
}

/* What every queued message is charged now, for STATS. */
u64 kipc_kmsg_charged(void)
{
	return percpu_counter_sum_positive(&kipc_charged);
}

static u64 kipc_msg_cost(u32 len)
{
	return sizeof(struct kipc_kmsg) + len;
}

static int kipc_try_charge(struct kipc_user *u, s64 cost)
{
	long max_user = min_t(unsigned long, READ_ONCE(kipc_max_user_bytes),
			      LONG_MAX);
	s64 max = min_t(u64, READ_ONCE(kipc_max_total_bytes), S64_MAX);
	long cur = atomic_long_read(&u->bytes);
	int limited = -1;

	do {
		/* capable() only when the limit would be exceeded, once. */
		if (cur + cost > max_user) {
			if (limited < 0)
				limited = kipc_user_limited();
			if (limited)
				return -ENOSPC;
		}
	} while (!atomic_long_try_cmpxchg(&u->bytes, &cur, cur + cost));

	percpu_counter_add_batch(&kipc_charged, cost, KIPC_CHARGE_BATCH);
	if (__percpu_counter_compare(&kipc_charged, max, KIPC_CHARGE_BATCH) > 0) {
		percpu_counter_add_batch(&kipc_charged, -cost, KIPC_CHARGE_BATCH);
		atomic_long_sub(cost, &u->bytes);
		return -ENOSPC;
	}
	return 0;
}

/*
 * Charges @u for a message of @len bytes, against max_user_bytes and
 * max_total_bytes, the same cost (header included) for both. Before it
 * fails with ENOSPC it reaps the mailboxes of unused namespaces, so it may
 * sleep.
 */
static int kipc_charge(struct kipc_user *u, u32 len)
{
	s64 cost = kipc_msg_cost(len);
	int ret;

	might_sleep();
	ret = kipc_try_charge(u, cost);
	if (ret == -ENOSPC && kipc_reap_now())
		ret = kipc_try_charge(u, cost);
	return ret;
}

static void kipc_uncharge(struct kipc_user *u, u32 len)
{
	s64 cost = kipc_msg_cost(len);

	atomic_long_sub(cost, &u->bytes);
	percpu_counter_add_batch(&kipc_charged, -cost, KIPC_CHARGE_BATCH);
}

void kipc_kmsg_free(struct kipc_kmsg *msg)
{
	kipc_uncharge(msg->user, msg->len);
	kipc_user_put(msg->user);
	put_pid(msg->sender);
	if (msg->call)
		kipc_call_put(msg->call);
	if (msg->data != (char *)(msg + 1))
		kvfree(msg->data);
	kvfree(msg);
}

/* Below this, a message is always one allocation. */
#define KIPC_SPLIT_MIN		(PAGE_SIZE / 4)

/*
 * A message of @m's type, priority and bytes from user space, charged to
 * @u, stamped @now, not yet queued; or an ERR_PTR. The caller checked the
 * priority (main.c) and the size against the mailbox (msg.c).
 */
struct kipc_kmsg *kipc_kmsg_new(struct kipc_user *u, const struct kipc_msg *m,
				u64 now)
{
	const gfp_t gfp = GFP_KERNEL_ACCOUNT | __GFP_RETRY_MAYFAIL |
			  __GFP_NOWARN;
	struct kipc_kmsg *msg;
	size_t whole;
	bool split;
	int ret;

	if (WARN_ON_ONCE(m->priority > KIPC_PRIO_MAX))
		return ERR_PTR(-EINVAL);
	ret = kipc_charge(u, m->len);
	if (ret)
		return ERR_PTR(ret);
	/*
	 * One allocation; but header and a 4 KiB payload would take 8 KiB,
	 * so a large payload whose size class the header would overflow
	 * gets an allocation of its own.
	 */
	whole = sizeof(*msg) + m->len;
	split = m->len >= KIPC_SPLIT_MIN &&
		kmalloc_size_roundup(whole) > kmalloc_size_roundup(m->len);
	msg = kvmalloc(split ? sizeof(*msg) : whole, gfp);
	if (!msg)
		goto out_uncharge;
	msg->data = (char *)(msg + 1);
	if (split) {
		msg->data = kvmalloc(m->len, gfp);
		if (!msg->data)
			goto out_free_msg;
	}
	msg->len = m->len;
	msg->sender = NULL;
	msg->call = NULL;
	msg->user = kipc_user_hold(u);
	if (copy_from_user(msg->data, u64_to_user_ptr(m->buf), m->len)) {
		/* kipc_kmsg_free() also returns the charge. */
		kipc_kmsg_free(msg);
		return ERR_PTR(-EFAULT);
	}
	msg->ix.key = m->type;
	msg->ix.rank_hi = KIPC_PRIO_MAX - m->priority;
	msg->sender = get_pid(task_tgid(current));
	msg->sender_uid = current_uid();
	msg->tstamp = now;
	return msg;

out_free_msg:
	kvfree(msg);
out_uncharge:
	kipc_uncharge(u, m->len);
	return ERR_PTR(-ENOMEM);
}

/* Frees every message of an index that no mailbox holds any more. */
void kipc_kmsg_free_index(struct kipc_index *msgs)
{
	struct kipc_kmsg *msg, *tmp;

	rbtree_postorder_for_each_entry_safe(msg, tmp, &msgs->root.rb_root,
					     ix.rb) {
		kipc_kmsg_free(msg);
		cond_resched();
	}
	*msgs = KIPC_INDEX_INIT;
}
