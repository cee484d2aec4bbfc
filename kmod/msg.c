// SPDX-License-Identifier: GPL-2.0
/*
 * Sending and receiving: the hot path. Only mbox->lock, a spinlock, is taken
 * here (see mailbox.c), and nothing that may sleep or fault runs under it.
 * A sender allocates its message and fills it from user space before it
 * takes the lock. A receiver unlinks the message under the lock and copies
 * it out after dropping it; should that copy fault, the message goes back
 * where it was (kipc_putback()), so a fault loses nothing.
 *
 * A blocked sender or receiver waits on a list of its own under the lock,
 * in arrival order, as ipc/mqueue.c does. Whoever makes a wait end (a send
 * for a receiver, a receive for a sender) takes the waiter off its list and
 * wakes it: one receiver per message, and only one that wants the message's
 * type; as many senders as the room freed lets in. A woken task re-checks
 * under the lock before it acts, so a lost race only costs it another wait.
 */

#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "kipc.h"
#include "trace.h"

enum kipc_dir { KIPC_DIR_SEND, KIPC_DIR_RECV };

/* A blocked task, on mb->swaiters or mb->rwaiters. */
struct kipc_waiter {
	struct list_head	node;	/* empty once a waker has chosen us */
	struct task_struct	*task;
	u32			type;	/* receiver: the type wanted, 0 = any */
	u32			len;	/* sender: the length to find room for */
};

/*
 * Tasks chosen under the lock, woken once it is dropped, so that a wakee
 * does not spin on the lock its waker still holds. Beyond KIPC_WAKE_MAX
 * (a destroy, a large batch) they are woken under the lock.
 */
#define KIPC_WAKE_MAX	8

struct kipc_wakeq {
	unsigned int		n;
	struct task_struct	*task[KIPC_WAKE_MAX];
};

struct kipc_wait {
	enum kipc_dir	dir;
	bool		nonblock;
	bool		waited;		/* slept at least once */
	bool		chosen;		/* took a wake-up meant for a message */
	ktime_t		expires;	/* absolute; KTIME_MAX = no timeout */
	u32		len;		/* send: the message's length */
	u32		type;		/* recv: the type wanted, 0 = any */
	struct kipc_kmsg *msg;		/* recv: what was found */
	struct kipc_wakeq *wq;		/* woken before this task sleeps */
	struct kipc_user *user;		/* the handle's: events, charges */
};

static void kipc_wakeq_run(struct kipc_wakeq *wq)
{
	unsigned int i;

	for (i = 0; i < wq->n; i++) {
		wake_up_process(wq->task[i]);
		put_task_struct(wq->task[i]);
	}
	wq->n = 0;
}

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
	__must_hold(&mb->lock)
{
	bool send = w->dir == KIPC_DIR_SEND;
	struct list_head *list = send ? &mb->swaiters : &mb->rwaiters;
	u32 *blocked = send ? &mb->blocked_senders : &mb->blocked_receivers;
	struct kipc_waiter wait = {
		.task = current,
		.type = w->type,
		.len = w->len,
	};
	bool counted = false;
	int ret;

	lockdep_assert_held(&mb->lock);

	INIT_LIST_HEAD(&wait.node);
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
				/* Tell the monitor, without sleeping under the lock. */
				spin_unlock(&mb->lock);
				kipc_nl_mbox_event(mb, w->user, KIPC_EVENT_FULL);
				spin_lock(&mb->lock);
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
		/*
		 * A waiter woken for nothing (another task took what it was
		 * woken for) goes back to the head, where it was chosen from.
		 */
		if (list_empty(&wait.node)) {
			if (w->waited)
				list_add(&wait.node, list);
			else
				list_add_tail(&wait.node, list);
		}
		/* Under the lock: a waker cannot slip in before we sleep. */
		__set_current_state(TASK_INTERRUPTIBLE);
		spin_unlock(&mb->lock);
		/* Whom this task chose must not wait for it to wake. */
		if (w->wq)
			kipc_wakeq_run(w->wq);
		w->waited = true;
		if (w->expires == KTIME_MAX)
			schedule();
		else
			schedule_hrtimeout_range(&w->expires, 0, HRTIMER_MODE_ABS);
		spin_lock(&mb->lock);
	}
	/* Off the list after sleeping: a waker chose it. */
	w->chosen = w->waited && list_empty(&wait.node);
	if (!list_empty(&wait.node))
		list_del(&wait.node);

	if (counted) {
		(*blocked)--;
		trace_kipc_wake(mb->id, send, ret);
	}
	if (ret == -EAGAIN && send) {
		spin_unlock(&mb->lock);
		kipc_nl_mbox_event(mb, w->user, KIPC_EVENT_FULL);
		spin_lock(&mb->lock);
		/* Space may have appeared meanwhile; EAGAIN is still honest. */
	}
	return ret;
}

static void kipc_wait_init(struct kipc_wait *w, enum kipc_dir dir,
			   struct file *file, u32 flags, u64 timeout_ns,
			   struct kipc_wakeq *wq)
{
	struct kipc_handle *h = file->private_data;

	w->dir = dir;
	w->user = h->user;
	w->wq = wq;
	w->nonblock = (flags & KIPC_NONBLOCK) || (file->f_flags & O_NONBLOCK);
	w->waited = false;
	w->chosen = false;
	w->expires = KTIME_MAX;
	if (timeout_ns)
		w->expires = ktime_add_safe(ktime_get(),
					    ns_to_ktime(min_t(u64, timeout_ns,
							      KTIME_MAX)));
	w->len = 0;
	w->type = 0;
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
 * Takes @w off its list and wakes it, now or, through @wq, once the lock
 * is dropped. It cannot leave kipc_wait() without the lock, so its task
 * is alive until then; @wq holds a reference for later.
 */
static void kipc_waiter_wake(struct kipc_mbox *mb, struct kipc_waiter *w,
			     struct kipc_wakeq *wq)
{
	lockdep_assert_held(&mb->lock);

	list_del_init(&w->node);
	if (wq && wq->n < KIPC_WAKE_MAX) {
		get_task_struct(w->task);
		wq->task[wq->n++] = w->task;
	} else {
		wake_up_process(w->task);
	}
}

/* A message of @type was queued: wake the first receiver that wants it. */
static void kipc_wake_receiver(struct kipc_mbox *mb, u32 type,
			       struct kipc_wakeq *wq)
{
	struct kipc_waiter *w;

	lockdep_assert_held(&mb->lock);

	list_for_each_entry(w, &mb->rwaiters, node) {
		if (!w->type || w->type == type) {
			kipc_waiter_wake(mb, w, wq);
			return;
		}
	}
}

/*
 * A receiver that a send woke is leaving with messages still queued. The
 * one it was woken for may be among them (it peeked, failed, or took a
 * message of higher priority), and a sleeper that wants it would not
 * otherwise hear of it: pass the wake-up on to the first sleeper a queued
 * message satisfies. A receiver that was not woken consumed no wake-up,
 * so it has nothing to pass on (and does not pay for the scan).
 */
static void kipc_pass_on(struct kipc_mbox *mb, struct kipc_wakeq *wq)
{
	struct kipc_waiter *w;

	lockdep_assert_held(&mb->lock);

	if (!mb->depth)
		return;
	list_for_each_entry(w, &mb->rwaiters, node) {
		if (kipc_find(mb, w->type)) {
			kipc_waiter_wake(mb, w, wq);
			return;
		}
	}
}

/*
 * Room was freed (or the limits changed): wake, in order, the senders whose
 * messages now fit, counting each one's message as if it were queued.
 */
static void __kipc_wake_senders(struct kipc_mbox *mb, struct kipc_wakeq *wq)
{
	struct kipc_waiter *w, *tmp;
	u32 depth = mb->depth;
	u64 bytes = mb->bytes;

	lockdep_assert_held(&mb->lock);

	list_for_each_entry_safe(w, tmp, &mb->swaiters, node) {
		/* Too big for the mailbox now: it wakes to fail (EMSGSIZE). */
		if (w->len > mb->max_msg_size) {
			kipc_waiter_wake(mb, w, wq);
			continue;
		}
		if (depth >= mb->capacity ||
		    (depth && bytes + w->len > mb->capacity_bytes))
			continue;
		depth++;
		bytes += w->len;
		kipc_waiter_wake(mb, w, wq);
	}
}

void kipc_wake_senders(struct kipc_mbox *mb)
{
	__kipc_wake_senders(mb, NULL);
}

/* After a change made under mb->lock, with the lock dropped. */
void kipc_wake_pollers(struct kipc_mbox *mb, __poll_t mask)
{
	/*
	 * No barrier: kipc_poll() joins pollq before it takes mb->lock to
	 * look at the state, and we changed the state under that lock, so
	 * it saw our change or we see it here.
	 */
	if (waitqueue_active(&mb->pollq))
		wake_up_interruptible_poll(&mb->pollq, mask);
}

/* Destroy: every sleeper re-checks and finds the mailbox dead. */
void kipc_wake_all(struct kipc_mbox *mb)
{
	struct kipc_waiter *w, *tmp;

	lockdep_assert_held(&mb->lock);

	list_for_each_entry_safe(w, tmp, &mb->rwaiters, node)
		kipc_waiter_wake(mb, w, NULL);
	list_for_each_entry_safe(w, tmp, &mb->swaiters, node)
		kipc_waiter_wake(mb, w, NULL);
}

/* What kipc_enqueue() saw, for kipc_notify_deliver() after the unlock. */
#define KIPC_ENQ_WAS_EMPTY	BIT(0)
#define KIPC_ENQ_IDLE		BIT(1)

/*
 * Queues @msg and wakes a receiver for it. Returns KIPC_ENQ_*. The time
 * stamp, taken before the lock (a clock read can be slow), is renewed if
 * the sender had to wait for room.
 */
static unsigned int kipc_enqueue(struct kipc_mbox *mb, struct kipc_kmsg *msg,
				 const struct kipc_wait *w)
{
	unsigned int seen = (mb->depth ? 0 : KIPC_ENQ_WAS_EMPTY) |
			    (list_empty(&mb->rwaiters) ? KIPC_ENQ_IDLE : 0);

	lockdep_assert_held(&mb->lock);

	msg->seq = ++mb->next_seq;
	if (w->waited)
		msg->tstamp = ktime_get_ns();
	list_add_tail(&msg->node, &mb->queue[msg->prio]);
	mb->prio_map |= BIT(msg->prio);
	mb->depth++;
	mb->bytes += msg->len;
	mb->sent++;
	kipc_set_pid(&mb->last_sender);
	kipc_wake_receiver(mb, msg->type, w->wq);
	return seen;
}

/* Unlinks @msg, @n of whose bytes are read, and wakes senders it made room for. */
static void kipc_dequeue(struct kipc_mbox *mb, struct kipc_kmsg *msg, u32 n,
			 struct kipc_wakeq *wq)
{
	lockdep_assert_held(&mb->lock);

	list_del(&msg->node);
	if (list_empty(&mb->queue[msg->prio]))
		mb->prio_map &= ~BIT(msg->prio);
	mb->depth--;
	mb->bytes -= msg->len;
	mb->received++;
	if (n < msg->len)
		mb->dropped++;
	kipc_set_pid(&mb->last_receiver);
	if (!list_empty(&mb->swaiters))
		__kipc_wake_senders(mb, wq);
}

/*
 * The copy of @msg (@n bytes of it) to user space faulted: undo
 * kipc_dequeue(), putting @msg back in sequence order among its priority.
 * Senders let in meanwhile may leave the mailbox over its capacity, by
 * at most one batch, until receivers drain it. A dead mailbox has freed its queue: the
 * message goes with it.
 */
static void kipc_putback(struct kipc_mbox *mb, struct kipc_kmsg *msg, u32 n)
{
	struct list_head *pos = &mb->queue[msg->prio];
	struct kipc_wakeq wq = { 0 };
	struct kipc_kmsg *cur;

	spin_lock(&mb->lock);
	if (mb->dead) {
		spin_unlock(&mb->lock);
		kipc_kmsg_free(msg);
		return;
	}
	list_for_each_entry(cur, &mb->queue[msg->prio], node) {
		if (cur->seq > msg->seq) {
			pos = &cur->node;
			break;
		}
	}
	list_add_tail(&msg->node, pos);
	mb->prio_map |= BIT(msg->prio);
	mb->depth++;
	mb->bytes += msg->len;
	mb->received--;
	if (n < msg->len)
		mb->dropped--;
	kipc_wake_receiver(mb, msg->type, &wq);
	spin_unlock(&mb->lock);
	kipc_wakeq_run(&wq);
	kipc_wake_pollers(mb, EPOLLIN | EPOLLRDNORM);
}

/* Below this, a message is always one allocation. */
#define KIPC_SPLIT_MIN		(PAGE_SIZE / 4)

/*
 * A message filled from @m, charged, stamped @now, not yet queued; or an
 * ERR_PTR.
 */
static struct kipc_kmsg *kipc_kmsg_new(struct kipc_mbox *mb,
				       struct kipc_user *u,
				       const struct kipc_msg *m, u64 now)
{
	const gfp_t gfp = GFP_KERNEL_ACCOUNT | __GFP_RETRY_MAYFAIL |
			  __GFP_NOWARN;
	struct kipc_kmsg *msg;
	size_t whole;
	bool split;
	int ret;

	if (m->priority > KIPC_PRIO_MAX)
		return ERR_PTR(-EINVAL);
	if (m->len > READ_ONCE(mb->max_msg_size))
		return ERR_PTR(-EMSGSIZE);

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
	msg->user = kipc_user_hold(u);
	if (copy_from_user(msg->data, u64_to_user_ptr(m->buf), m->len)) {
		/* kipc_kmsg_free() also returns the charge. */
		kipc_kmsg_free(msg);
		return ERR_PTR(-EFAULT);
	}
	msg->type = m->type;
	msg->prio = m->priority;
	msg->sender = get_pid(task_tgid(current));
	msg->sender_uid = current_euid();
	msg->tstamp = now;
	return msg;

out_free_msg:
	kvfree(msg);
out_uncharge:
	kipc_uncharge(u, m->len);
	return ERR_PTR(-ENOMEM);
}

/* What follows a send, once the lock is dropped. */
static void kipc_sent(struct kipc_mbox *mb, struct kipc_user *u,
		      const struct kipc_msg *m, unsigned int notified)
{
	kill_fasync(&mb->fasync, SIGIO, POLL_IN);
	trace_kipc_send(mb->id, m->seq, m->len, m->type, m->priority);
	kipc_nl_msg_event(mb, u, KIPC_EVENT_SEND, m->seq, m->len, m->type);
	if (notified)
		kipc_nl_mbox_event(mb, u, KIPC_EVENT_NOTIFY);
}

/* Whether this handle may send (MAY_WRITE) or receive (MAY_READ) at all. */
static int kipc_may_use(struct kipc_mbox *mb, int mask)
{
	if (!mb)
		return -ENOTCONN;
	if (READ_ONCE(mb->dead))
		return -EIDRM;
	if (!kipc_mbox_may(mb, mask))
		return -EACCES;
	return 0;
}

int kipc_send(struct kipc_handle *h, struct file *file, struct kipc_msg *m,
	      u32 flags, u64 timeout_ns)
{
	struct kipc_mbox *mb = kipc_attached(h);
	struct kipc_wakeq wq = { 0 };
	struct kipc_kmsg *msg;
	struct kipc_wait w;
	unsigned int notified, seen;
	int ret;

	if (mb && m->priority > KIPC_PRIO_MAX)
		return -EINVAL;
	ret = kipc_may_use(mb, MAY_WRITE);
	if (ret)
		return ret;
	msg = kipc_kmsg_new(mb, h->user, m, ktime_get_ns());
	if (IS_ERR(msg))
		return PTR_ERR(msg);

	kipc_wait_init(&w, KIPC_DIR_SEND, file, flags, timeout_ns, &wq);
	w.len = m->len;

	spin_lock(&mb->lock);
	ret = kipc_wait(mb, &w);
	if (ret) {
		spin_unlock(&mb->lock);
		kipc_kmsg_free(msg);
		return ret;
	}
	seen = kipc_enqueue(mb, msg, &w);
	m->seq = msg->seq;
	spin_unlock(&mb->lock);
	kipc_wakeq_run(&wq);

	kipc_wake_pollers(mb, EPOLLIN | EPOLLRDNORM);
	notified = kipc_notify_deliver(mb, seen & KIPC_ENQ_WAS_EMPTY,
				       seen & KIPC_ENQ_IDLE);
	kipc_sent(mb, h->user, m, notified);
	return 0;
}

/*
 * Signals and kipc_sent() for @ms[@from..@to), after the lock is dropped;
 * bit i of @empty and @idle is KIPC_ENQ_* of @ms[i].
 */
static void kipc_sent_batch(struct kipc_mbox *mb, struct kipc_user *u,
			    const struct kipc_msg *ms, u32 from, u32 to,
			    u64 empty, u64 idle)
{
	unsigned int notified;
	u32 i;

	if (from == to)
		return;
	kipc_wake_pollers(mb, EPOLLIN | EPOLLRDNORM);
	for (i = from; i < to; i++) {
		notified = kipc_notify_deliver(mb, empty & BIT_ULL(i),
					       idle & BIT_ULL(i));
		kipc_sent(mb, u, &ms[i], notified);
	}
}

/* SENDV fills about this many bytes of messages before queueing them. */
#define KIPC_SENDV_CHUNK	(64 << 10)

/*
 * SENDV: queues @ms[0..@count) in order, each as kipc_send() would (each
 * may block), but fills them from user space ahead, a chunk of up to
 * KIPC_SENDV_CHUNK bytes at a time (so that little memory is held while
 * waiting for room), and takes the lock once per chunk, unless it must
 * wait. Returns how many were queued, or the error that stopped the first.
 */
int kipc_sendv(struct kipc_handle *h, struct file *file, struct kipc_msg *ms,
	       u32 count, u32 flags, u64 timeout_ns)
{
	struct kipc_mbox *mb = kipc_attached(h);
	struct kipc_wakeq wq = { 0 };
	struct kipc_kmsg *msg, *tmp;
	u32 i = 0, n = 0, done = 0;
	struct kipc_wait w;
	u64 empty = 0, idle = 0, now;
	unsigned int seen;
	LIST_HEAD(batch);
	int ret, err = 0;
	size_t bytes;

	BUILD_BUG_ON(KIPC_BATCH_MAX > 64);
	ret = kipc_may_use(mb, MAY_WRITE);
	if (ret)
		return ret;
	/* One call, one send time (a clock read is not free), one deadline. */
	now = ktime_get_ns();
	kipc_wait_init(&w, KIPC_DIR_SEND, file, flags, timeout_ns, &wq);
	while (i < count && !err && !ret) {
		for (bytes = 0; i < count &&
		     (bytes < KIPC_SENDV_CHUNK || list_empty(&batch)); i++) {
			msg = kipc_kmsg_new(mb, h->user, &ms[i], now);
			if (IS_ERR(msg)) {
				err = PTR_ERR(msg);
				break;
			}
			list_add_tail(&msg->node, &batch);
			bytes += msg->len;
		}

		spin_lock(&mb->lock);
		list_for_each_entry_safe(msg, tmp, &batch, node) {
			/* Before waiting, let pollers and fasync see the queue. */
			if (n > done && !mb->dead &&
			    kipc_mbox_full(mb, msg->len)) {
				spin_unlock(&mb->lock);
				kipc_wakeq_run(&wq);
				kipc_sent_batch(mb, h->user, ms, done, n,
						empty, idle);
				done = n;
				spin_lock(&mb->lock);
			}
			w.len = msg->len;
			w.waited = false;
			ret = kipc_wait(mb, &w);
			if (ret)
				break;
			list_del(&msg->node);
			seen = kipc_enqueue(mb, msg, &w);
			if (seen & KIPC_ENQ_WAS_EMPTY)
				empty |= BIT_ULL(n);
			if (seen & KIPC_ENQ_IDLE)
				idle |= BIT_ULL(n);
			ms[n++].seq = msg->seq;
		}
		spin_unlock(&mb->lock);
		kipc_wakeq_run(&wq);
		kipc_sent_batch(mb, h->user, ms, done, n, empty, idle);
		done = n;
		/* What was not queued goes back. */
		list_for_each_entry_safe(msg, tmp, &batch, node)
			kipc_kmsg_free(msg);
		INIT_LIST_HEAD(&batch);
	}
	return n ? n : ret ?: err;
}

/* Fills in what a receiver learns of @msg besides its bytes. */
static void kipc_msg_header(struct kipc_msg *m, const struct kipc_kmsg *msg)
{
	m->type = msg->type;
	m->priority = msg->prio;
	m->seq = msg->seq;
	m->timestamp_ns = msg->tstamp;
	m->sender_pid = pid_vnr(msg->sender);
	m->sender_uid = from_kuid_munged(current_user_ns(), msg->sender_uid);
}

/*
 * PEEK: the message stays queued, so its bytes are copied to a bounce
 * buffer under the lock, and from there to user space. Not the hot path.
 */
static int kipc_peek(struct kipc_mbox *mb, struct kipc_msg *m,
		     struct kipc_wait *w, u32 flags)
{
	u32 want = m->len, size = 0, n;
	struct kipc_kmsg *msg;
	void *buf = NULL;
	int ret;

	for (;;) {
		spin_lock(&mb->lock);
		ret = kipc_wait(mb, w);
		if (ret)
			goto out_unlock;
		msg = w->msg;
		m->msg_len = msg->len;
		if (msg->len > want && !(flags & KIPC_RECV_TRUNCATE)) {
			ret = -EMSGSIZE;
			goto out_unlock;
		}
		n = min(want, msg->len);
		if (n <= size)
			break;
		/* Grow the buffer, then look again: the queue may change. */
		spin_unlock(&mb->lock);
		kvfree(buf);
		size = n;
		buf = kvmalloc(size, GFP_KERNEL);
		if (!buf)
			return -ENOMEM;
	}
	if (n)
		memcpy(buf, msg->data, n);
	kipc_msg_header(m, msg);
	if (w->chosen)
		kipc_pass_on(mb, w->wq);
	spin_unlock(&mb->lock);
	kipc_wakeq_run(w->wq);

	if (copy_to_user(u64_to_user_ptr(m->buf), buf, n))
		ret = -EFAULT;
	else
		m->len = n;
	kvfree(buf);
	return ret;

out_unlock:
	if (w->chosen)
		kipc_pass_on(mb, w->wq);
	spin_unlock(&mb->lock);
	kipc_wakeq_run(w->wq);
	kvfree(buf);
	return ret;
}

int kipc_recv(struct kipc_handle *h, struct file *file, struct kipc_msg *m,
	      u32 flags, u64 timeout_ns)
{
	struct kipc_mbox *mb = kipc_attached(h);
	struct kipc_wakeq wq = { 0 };
	struct kipc_wait w;
	int ret;

	if (flags & KIPC_RECV_PEEK) {
		ret = kipc_may_use(mb, MAY_READ);
		if (ret)
			return ret;
		kipc_wait_init(&w, KIPC_DIR_RECV, file, flags, timeout_ns,
			       &wq);
		w.type = m->type;
		return kipc_peek(mb, m, &w, flags);
	}
	/* A batch of one. */
	ret = kipc_recvv(h, file, m, 1, flags, timeout_ns);
	return ret < 0 ? ret : 0;
}

/*
 * RECVV (and RECV, a batch of one): receives into @ms[0..@count) in order,
 * each entry with its own type and TRUNCATE flag; only the first may block.
 * The messages are unlinked under one hold of the lock and copied out after.
 * Returns how many were received, or the error that stopped the first
 * (for EMSGSIZE, with @ms[0].msg_len set).
 */
int kipc_recvv(struct kipc_handle *h, struct file *file, struct kipc_msg *ms,
	       u32 count, u32 flags, u64 timeout_ns)
{
	struct kipc_mbox *mb = kipc_attached(h);
	struct kipc_wakeq wq = { 0 };
	struct kipc_kmsg *msg, *tmp;
	struct kipc_msg *m;
	struct kipc_wait w;
	LIST_HEAD(got);
	bool chosen = false;
	u32 i, n = 0;
	int ret = 0;

	ret = kipc_may_use(mb, MAY_READ);
	if (ret)
		return ret;

	spin_lock(&mb->lock);
	for (i = 0; i < count; i++) {
		m = &ms[i];
		/* recvmmsg(MSG_WAITFORONE): only the first may block. */
		kipc_wait_init(&w, KIPC_DIR_RECV, file,
			       flags | m->flags | (i ? KIPC_NONBLOCK : 0),
			       timeout_ns, &wq);
		w.type = m->type;
		ret = kipc_wait(mb, &w);
		chosen |= w.chosen;
		if (ret)
			break;
		msg = w.msg;
		m->msg_len = msg->len;
		if (msg->len > m->len &&
		    !((flags | m->flags) & KIPC_RECV_TRUNCATE)) {
			ret = -EMSGSIZE;
			break;
		}
		m->len = min(m->len, msg->len);
		kipc_msg_header(m, msg);
		kipc_dequeue(mb, msg, m->len, &wq);
		list_add_tail(&msg->node, &got);
	}
	if (chosen)
		kipc_pass_on(mb, &wq);
	spin_unlock(&mb->lock);
	kipc_wakeq_run(&wq);
	if (list_empty(&got))
		return ret;

	kipc_wake_pollers(mb, EPOLLOUT | EPOLLWRNORM);
	list_for_each_entry_safe(msg, tmp, &got, node) {
		m = &ms[n];
		if (copy_to_user(u64_to_user_ptr(m->buf), msg->data, m->len))
			break;
		list_del(&msg->node);
		trace_kipc_recv(mb->id, m->seq, msg->len, m->type, m->priority);
		kipc_nl_msg_event(mb, h->user, KIPC_EVENT_RECV, m->seq,
				  msg->len, m->type);
		kipc_kmsg_free(msg);
		n++;
	}
	/* A fault: what was not copied goes back, in order. */
	i = n;
	list_for_each_entry_safe(msg, tmp, &got, node) {
		list_del(&msg->node);
		kipc_putback(mb, msg, ms[i++].len);
	}
	return n ? n : -EFAULT;
}
