// SPDX-License-Identifier: GPL-2.0
/*
 * Sending and receiving: the hot path. Only mbox->lock is taken here (see
 * mailbox.c). A message is allocated and filled from user space before the
 * lock is taken; a receiver copies it out under the lock and unlinks it only
 * once the copy succeeded, so a fault loses nothing.
 */

#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "kipc.h"
#include "trace.h"

enum kipc_dir { KIPC_DIR_SEND, KIPC_DIR_RECV };

/* A blocked receiver, woken only by a message of the type it waits for. */
struct kipc_rwaiter {
	struct wait_queue_entry	wq;
	u32			type;
};

static int kipc_recv_wake(struct wait_queue_entry *wq, unsigned int mode,
			  int sync, void *key)
{
	struct kipc_rwaiter *w = container_of(wq, struct kipc_rwaiter, wq);
	const u32 *type = key;

	/* No key (destroy): everyone wakes. */
	if (type && w->type && w->type != *type)
		return 0;
	return autoremove_wake_function(wq, mode, sync, key);
}

struct kipc_wait {
	enum kipc_dir	dir;
	bool		nonblock;
	ktime_t		expires;	/* absolute; KTIME_MAX = no timeout */
	u32		len;		/* send: the message's length */
	u32		type;		/* recv: the type wanted, 0 = any */
	struct kipc_kmsg *msg;		/* recv: what was found */
};

static struct kipc_kmsg *kipc_find(struct kipc_mbox *mb, u32 type)
{
	unsigned long map = mb->prio_map;
	struct kipc_kmsg *msg;
	int p;

	lockdep_assert_held(&mb->lock);

	for (p = fls_long(map) - 1; p >= 0; p--) {
		if (!(map & BIT(p)))
			continue;
		list_for_each_entry(msg, &mb->queue[p], node)
			if (!type || msg->type == type)
				return msg;
	}
	return NULL;
}

/* 0: go ahead; 1: must wait; < 0: fail with that error. */
static int kipc_ready(struct kipc_mbox *mb, struct kipc_wait *w)
{
	if (mb->dead)
		return -EIDRM;
	if (w->dir == KIPC_DIR_SEND) {
		if (w->len > mb->max_msg_size)
			return -EMSGSIZE;
		return kipc_mbox_full(mb, w->len);
	}
	w->msg = kipc_find(mb, w->type);
	return !w->msg;
}

/*
 * Waits until kipc_ready() says go, fails, or the wait is cut short by
 * NONBLOCK, the timeout or a signal. Called and returns with mb->lock held.
 */
static int kipc_wait(struct kipc_mbox *mb, struct kipc_wait *w)
{
	bool send = w->dir == KIPC_DIR_SEND;
	wait_queue_head_t *wq = send ? &mb->swait : &mb->rwait;
	u32 *blocked = send ? &mb->blocked_senders : &mb->blocked_receivers;
	struct kipc_rwaiter wait = { .type = w->type };
	bool counted = false;
	int ret;

	lockdep_assert_held(&mb->lock);

	init_wait(&wait.wq);
	if (!send)
		wait.wq.func = kipc_recv_wake;

	while ((ret = kipc_ready(mb, w)) > 0) {
		if (w->nonblock) {
			ret = -EAGAIN;
			break;
		}
		if (!counted) {
			counted = true;
			(*blocked)++;
			trace_kipc_block(mb->id, send);
			if (send) {
				/* Tell the monitor, without sleeping while queued. */
				mutex_unlock(&mb->lock);
				kipc_nl_mbox_event(mb, KIPC_EVENT_FULL);
				mutex_lock(&mb->lock);
				continue;
			}
		}
		if (signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		if (w->expires != KTIME_MAX && ktime_after(ktime_get(), w->expires)) {
			ret = -ETIMEDOUT;
			break;
		}
		prepare_to_wait(wq, &wait.wq, TASK_INTERRUPTIBLE);
		mutex_unlock(&mb->lock);
		if (w->expires == KTIME_MAX)
			schedule();
		else
			schedule_hrtimeout_range(&w->expires, 0, HRTIMER_MODE_ABS);
		finish_wait(wq, &wait.wq);
		mutex_lock(&mb->lock);
	}

	if (counted) {
		(*blocked)--;
		trace_kipc_wake(mb->id, send, ret);
	}
	if (ret == -EAGAIN && send) {
		mutex_unlock(&mb->lock);
		kipc_nl_mbox_event(mb, KIPC_EVENT_FULL);
		mutex_lock(&mb->lock);
		/* Space may have appeared meanwhile; EAGAIN is still honest. */
	}
	return ret;
}

static void kipc_wait_init(struct kipc_wait *w, enum kipc_dir dir,
			   struct file *file, u32 flags, u64 timeout_ns)
{
	w->dir = dir;
	w->nonblock = (flags & KIPC_NONBLOCK) || (file->f_flags & O_NONBLOCK);
	w->expires = KTIME_MAX;
	if (timeout_ns)
		w->expires = ktime_add_safe(ktime_get(),
					    ns_to_ktime(min_t(u64, timeout_ns,
							      KTIME_MAX)));
	w->msg = NULL;
}

static void kipc_set_pid(struct pid **slot)
{
	struct pid *pid = task_tgid(current);

	if (*slot != pid) {
		put_pid(*slot);
		*slot = get_pid(pid);
	}
}

/*
 * Wake-ups are "sync", as for pipes: the waker is about to return or sleep,
 * so the scheduler need not preempt it for the wakee.
 */
void kipc_wake_senders(struct kipc_mbox *mb)
{
	if (wq_has_sleeper(&mb->swait))
		wake_up_interruptible_sync(&mb->swait);
	if (wq_has_sleeper(&mb->pollq))
		wake_up_interruptible_sync_poll(&mb->pollq,
						EPOLLOUT | EPOLLWRNORM);
}

static void kipc_wake_receivers(struct kipc_mbox *mb, u32 type)
{
	if (wq_has_sleeper(&mb->rwait))
		__wake_up_sync_key(&mb->rwait, TASK_INTERRUPTIBLE, &type);
	if (wq_has_sleeper(&mb->pollq))
		wake_up_interruptible_sync_poll(&mb->pollq,
						EPOLLIN | EPOLLRDNORM);
}

/* Destroy: every sleeper re-checks and finds the mailbox dead. */
void kipc_wake_all(struct kipc_mbox *mb)
{
	wake_up_all(&mb->rwait);
	wake_up_all(&mb->swait);
	wake_up_poll(&mb->pollq, EPOLLHUP | EPOLLERR);
}

int kipc_send(struct kipc_handle *h, struct file *file, struct kipc_msg *m,
	      u32 flags, u64 timeout_ns)
{
	struct kipc_mbox *mb = kipc_attached(h);
	struct kipc_kmsg *msg;
	struct kipc_wait w;
	unsigned int notified;
	bool was_empty;
	int ret;

	if (!mb)
		return -ENOTCONN;
	if (m->priority > KIPC_PRIO_MAX)
		return -EINVAL;
	if (READ_ONCE(mb->dead))
		return -EIDRM;
	if (!kipc_mbox_may(mb, MAY_WRITE))
		return -EACCES;
	if (m->len > READ_ONCE(mb->max_msg_size))
		return -EMSGSIZE;

	ret = kipc_charge(m->len);
	if (ret)
		return ret;
	msg = kvmalloc(struct_size(msg, data, m->len),
		       GFP_KERNEL_ACCOUNT | __GFP_RETRY_MAYFAIL | __GFP_NOWARN);
	if (!msg) {
		ret = -ENOMEM;
		goto out_uncharge;
	}
	msg->len = m->len;
	msg->sender = NULL;
	if (copy_from_user(msg->data, u64_to_user_ptr(m->buf), m->len)) {
		ret = -EFAULT;
		goto out_free_msg;
	}
	msg->type = m->type;
	msg->prio = m->priority;
	msg->sender = get_pid(task_tgid(current));
	msg->sender_uid = current_euid();

	kipc_wait_init(&w, KIPC_DIR_SEND, file, flags, timeout_ns);
	w.len = m->len;

	mutex_lock(&mb->lock);
	ret = kipc_wait(mb, &w);
	if (ret) {
		mutex_unlock(&mb->lock);
		goto out_free_msg;
	}
	was_empty = !mb->depth;
	msg->seq = ++mb->next_seq;
	msg->tstamp = ktime_get_ns();
	list_add_tail(&msg->node, &mb->queue[msg->prio]);
	mb->prio_map |= BIT(msg->prio);
	mb->depth++;
	mb->bytes += msg->len;
	mb->sent++;
	kipc_set_pid(&mb->last_sender);
	m->seq = msg->seq;
	notified = kipc_notify_deliver(mb, was_empty);
	mutex_unlock(&mb->lock);

	kipc_wake_receivers(mb, m->type);
	kill_fasync(&mb->fasync, SIGIO, POLL_IN);

	trace_kipc_send(mb->id, m->seq, m->len, m->type, m->priority);
	kipc_nl_msg_event(mb, KIPC_EVENT_SEND, m->seq, m->len, m->type);
	if (notified)
		kipc_nl_mbox_event(mb, KIPC_EVENT_NOTIFY);
	return 0;

out_free_msg:
	/* kipc_kmsg_free() also returns the charge. */
	kipc_kmsg_free(msg);
	return ret;
out_uncharge:
	kipc_uncharge(m->len);
	return ret;
}

int kipc_recv(struct kipc_handle *h, struct file *file, struct kipc_msg *m,
	      u32 flags, u64 timeout_ns)
{
	struct kipc_mbox *mb = kipc_attached(h);
	u32 want = m->len, n;
	struct kipc_kmsg *msg;
	struct kipc_wait w;
	int ret;

	if (!mb)
		return -ENOTCONN;
	if (READ_ONCE(mb->dead))
		return -EIDRM;
	if (!kipc_mbox_may(mb, MAY_READ))
		return -EACCES;

	kipc_wait_init(&w, KIPC_DIR_RECV, file, flags, timeout_ns);
	w.type = m->type;

	mutex_lock(&mb->lock);
	ret = kipc_wait(mb, &w);
	if (ret)
		goto out_unlock;
	msg = w.msg;

	m->msg_len = msg->len;
	if (msg->len > want && !(flags & KIPC_RECV_TRUNCATE)) {
		ret = -EMSGSIZE;
		goto out_unlock;
	}
	n = min(want, msg->len);
	if (copy_to_user(u64_to_user_ptr(m->buf), msg->data, n)) {
		ret = -EFAULT;
		goto out_unlock;
	}
	m->len = n;
	m->type = msg->type;
	m->priority = msg->prio;
	m->seq = msg->seq;
	m->timestamp_ns = msg->tstamp;
	m->sender_pid = pid_vnr(msg->sender);
	m->sender_uid = from_kuid_munged(current_user_ns(), msg->sender_uid);

	if (flags & KIPC_RECV_PEEK) {
		mutex_unlock(&mb->lock);
		return 0;
	}

	list_del(&msg->node);
	if (list_empty(&mb->queue[msg->prio]))
		mb->prio_map &= ~BIT(msg->prio);
	mb->depth--;
	mb->bytes -= msg->len;
	mb->received++;
	if (n < msg->len)
		mb->dropped++;
	kipc_set_pid(&mb->last_receiver);
	mutex_unlock(&mb->lock);

	kipc_wake_senders(mb);
	trace_kipc_recv(mb->id, m->seq, msg->len, m->type, m->priority);
	kipc_nl_msg_event(mb, KIPC_EVENT_RECV, m->seq, msg->len, m->type);
	kipc_kmsg_free(msg);
	return 0;

out_unlock:
	mutex_unlock(&mb->lock);
	return ret;
}
