// SPDX-License-Identifier: GPL-2.0
/*
 * Sending and receiving: the hot path. Only mbox->lock, a spinlock, is taken
 * here (see mailbox.c), and nothing that may sleep or fault runs under it.
 * A sender allocates its message and fills it from user space (kmsg.c)
 * before it takes the lock. A receiver unlinks the message under the lock
 * and copies it out after dropping it; should that copy fault, the message
 * goes back where it was (kipc_putback()), so a fault loses nothing.
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

/*
 * What a receiver selects. A blocked receiver's key in mb->rwaiters is
 * (kind << 32 | type), so that the receivers a message of type t satisfies
 * are four ranges of keys (kipc_wake_receiver()).
 */
enum kipc_sel {
	KIPC_SEL_ANY,		/* type 0: any message */
	KIPC_SEL_TYPE,		/* type T */
	KIPC_SEL_LE,		/* the lowest type <= T */
	KIPC_SEL_NOT,		/* any type but T */
};

static u64 kipc_sel_key(enum kipc_sel sel, u32 type)
{
	return (u64)sel << 32 | type;
}

/*
 * A blocked task, in mb->swaiters or mb->rwaiters while it sleeps; its
 * rank is its ticket, so the first in line is the best. A waker takes it
 * out of the index (so "chosen" is "no longer queued") before waking it.
 */
struct kipc_waiter {
	struct kipc_ixnode	ix;
	struct task_struct	*task;
	bool			chosen;		/* a waker took it out */
	bool			reserved;	/* sender: room held for it */
	bool			takes;		/* receiver: may be handed one */
	bool			truncate;	/* receiver: takes any length */
	u32			len;		/* sender: room it needs; */
						/* receiver: its buffer's size */
	u32			for_type;	/* receiver: woken for this type */
	struct kipc_kmsg	*msg;		/* receiver: handed to it */
};

/*
 * Tasks chosen under the lock, woken once it is dropped, so that a wakee
 * does not spin on the lock its waker still holds. Beyond KIPC_WAKE_MAX
 * (a destroy, a large batch) they are woken under the lock. This is the
 * kernel's wake_q (as ipc/mqueue.c uses it), which a module cannot use:
 * wake_q_add() and wake_up_q() are not exported.
 */
#define KIPC_WAKE_MAX	8

struct kipc_wakeq {
	unsigned int		n;
	struct task_struct	*task[KIPC_WAKE_MAX];
};

struct kipc_wait {
	enum kipc_dir	dir;
	enum kipc_sel	sel;		/* recv */
	bool		nonblock;
	bool		waited;		/* slept at least once */
	bool		chosen;		/* recv: last woken for a message */
	bool		takes;		/* recv: a message may be handed over */
	bool		truncate;	/* recv: KIPC_RECV_TRUNCATE */
	bool		handed;		/* recv: @msg was handed over */
	u32		for_type;	/* recv: of this type */
	u32		len;		/* send: the message's length; */
					/* recv: the buffer's size */
	u32		type;		/* recv: the type in the selection */
	u32		mode;		/* the mailbox's, when last allowed */
	ktime_t		expires;	/* absolute; KTIME_MAX = no timeout */
	u64		*timeout_ns;	/* what is left, on -ERESTARTNOHAND */
	u64		ticket;		/* place in line, kept across sleeps */
	struct kipc_kmsg *msg;		/* recv: what was found */
	struct kipc_wakeq *wq;		/* woken before this task sleeps */
	struct kipc_user *user;		/* the handle's: events, charges */
	struct kipc_handle *handle;	/* recv: owns the calls it takes */
};

static void __kipc_wakeq_run(struct kipc_wakeq *wq)
{
	unsigned int i;

	for (i = 0; i < wq->n; i++) {
		wake_up_process(wq->task[i]);
		put_task_struct(wq->task[i]);
	}
	wq->n = 0;
}

static void kipc_wakeq_run(struct kipc_wakeq *wq)
{
	if (wq->n)
		__kipc_wakeq_run(wq);
}

static struct kipc_kmsg *kipc_msg_of(struct kipc_ixnode *n)
{
	return n ? container_of(n, struct kipc_kmsg, ix) : NULL;
}

/* The first message (highest priority, then oldest) @sel and @t select. */
static struct kipc_kmsg *kipc_find(struct kipc_mbox *mb, enum kipc_sel sel,
				   u32 t)
{
	struct kipc_index *ix = &mb->msgs;
	struct kipc_ixnode *n;

	lockdep_assert_held(&mb->lock);

	switch (sel) {
	case KIPC_SEL_ANY:
		/* Every type is in range: the best of all, cached at the root. */
		return kipc_msg_of(kipc_ix_top(ix));
	case KIPC_SEL_TYPE:
		return kipc_msg_of(kipc_ix_best(ix, t, t));
	case KIPC_SEL_LE:
		/* The lowest key, best ranked: the first of the lowest type. */
		n = kipc_ix_first(ix);
		return n && n->key <= t ? kipc_msg_of(n) : NULL;
	case KIPC_SEL_NOT:
		return kipc_msg_of(kipc_ix_best_but(ix, 0, U32_MAX, t));
	}
	return NULL;
}

/*
 * The capacity rule, the one place it is written: whether @mb has room for
 * one more message while its queue holds @depth messages of @bytes bytes,
 * and if so, in *@room, how large it may be. An empty mailbox takes any
 * size (max_msg_size is checked apart); one over its capacity (a
 * put-back, a SET) takes not even 0 bytes.
 */
static bool kipc_room(const struct kipc_mbox *mb, u32 depth, u64 bytes,
		      u64 *room)
{
	if (depth >= mb->capacity)
		return false;
	if (!depth) {
		*room = U64_MAX;
		return true;
	}
	if (bytes > mb->capacity_bytes)
		return false;
	*room = mb->capacity_bytes - bytes;
	return true;
}

/* Would a message of @len bytes have to wait? Under mb->lock. */
bool kipc_mbox_full(const struct kipc_mbox *mb, u32 len)
{
	u64 room;

	return !kipc_room(mb, mb->depth, mb->bytes, &room) || room < len;
}

/* 0: go ahead; 1: must wait; < 0: fail with that error. */
static int kipc_ready(struct kipc_mbox *mb, struct kipc_wait *w)
{
	/* Handed over while it slept: it is this receiver's, come what may. */
	if (w->handed)
		return 0;
	if (mb->dead)
		return -EIDRM;
	/*
	 * Permission again, under the lock, whenever a SET changed the mode
	 * since the gate (or this) last allowed the call (msgrcv() asks on
	 * each pass): so that a call begun before the owner took the
	 * permission away does not end with a message after.
	 */
	if (unlikely(mb->mode != w->mode)) {
		w->mode = mb->mode;
		if (!kipc_mode_may(mb, w->mode, w->dir == KIPC_DIR_SEND ?
				   MAY_WRITE : MAY_READ))
			return -EACCES;
	}
	if (w->dir == KIPC_DIR_SEND) {
		if (w->len > mb->max_msg_size)
			return -EMSGSIZE;
		return kipc_mbox_full(mb, w->len);
	}
	w->msg = kipc_find(mb, w->sel, w->type);
	return !w->msg;
}

/*
 * Takes @w out of its index and wakes it, now or, through @wq, once the
 * lock is dropped. It cannot leave kipc_wait() without the lock, so its
 * task is alive until then; @wq holds a reference for later.
 */
static void kipc_waiter_wake(struct kipc_index *ix, struct kipc_waiter *w,
			     struct kipc_wakeq *wq)
{
	kipc_ix_erase(ix, &w->ix);
	w->chosen = true;
	if (wq && wq->n < KIPC_WAKE_MAX) {
		get_task_struct(w->task);
		wq->task[wq->n++] = w->task;
	} else {
		wake_up_process(w->task);
	}
}

static struct kipc_waiter *kipc_waiter_of(struct kipc_ixnode *n)
{
	return n ? container_of(n, struct kipc_waiter, ix) : NULL;
}

static struct kipc_ixnode *kipc_earlier(struct kipc_ixnode *a,
					struct kipc_ixnode *b)
{
	if (!a || !b)
		return a ?: b;
	return kipc_ix_better(b, a) ? b : a;
}

/*
 * The blocked receiver first in line among those a message of type @t
 * satisfies, found in four O(log n) lookups whatever they wait for; or NULL.
 */
static struct kipc_waiter *kipc_receiver_for(struct kipc_mbox *mb, u32 t)
{
	struct kipc_index *ix = &mb->rwaiters;
	struct kipc_ixnode *n;

	lockdep_assert_held(&mb->lock);

	if (kipc_ix_empty(ix))
		return NULL;
	n = kipc_ix_best(ix, kipc_sel_key(KIPC_SEL_ANY, 0),
			 kipc_sel_key(KIPC_SEL_ANY, U32_MAX));
	n = kipc_earlier(n, kipc_ix_best(ix, kipc_sel_key(KIPC_SEL_TYPE, t),
					 kipc_sel_key(KIPC_SEL_TYPE, t)));
	n = kipc_earlier(n, kipc_ix_best(ix, kipc_sel_key(KIPC_SEL_LE, t),
					 kipc_sel_key(KIPC_SEL_LE, U32_MAX)));
	n = kipc_earlier(n, kipc_ix_best_but(ix, kipc_sel_key(KIPC_SEL_NOT, 0),
					     kipc_sel_key(KIPC_SEL_NOT, U32_MAX),
					     kipc_sel_key(KIPC_SEL_NOT, t)));
	return kipc_waiter_of(n);
}

/* Wakes @w, a receiver blocked on @mb, for a queued message of type @t. */
static void kipc_wake_for(struct kipc_mbox *mb, struct kipc_waiter *w, u32 t,
			  struct kipc_wakeq *wq)
{
	w->for_type = t;
	kipc_waiter_wake(&mb->rwaiters, w, wq);
}

/* A message of type @t is queued: wake the first receiver it satisfies. */
static void kipc_wake_receiver(struct kipc_mbox *mb, u32 t,
			       struct kipc_wakeq *wq)
{
	struct kipc_waiter *w = kipc_receiver_for(mb, t);

	if (w)
		kipc_wake_for(mb, w, t, wq);
}

/*
 * A receiver that a send woke is leaving. If a message of the type it was
 * woken for is still queued (it peeked, failed, gave up, or took another
 * message), the wake-up it consumed is passed on: one lookup, no scan.
 */
static void kipc_pass_on(struct kipc_mbox *mb, struct kipc_wait *w)
{
	lockdep_assert_held(&mb->lock);

	if (!w->chosen)
		return;
	w->chosen = false;
	if (kipc_ix_best(&mb->msgs, w->for_type, w->for_type))
		kipc_wake_receiver(mb, w->for_type, w->wq);
}

/*
 * Room was freed (or the limits changed): wake, first in line first, the
 * senders whose messages fit in the room not yet promised to other woken
 * senders, and promise it to them (mb->reserved). A woken sender gives its
 * promise back when it runs; one that then finds the room taken calls
 * this again, so the room it leaves reaches whoever fits (kipc_wait()).
 */
static void __kipc_wake_senders(struct kipc_mbox *mb, struct kipc_wakeq *wq)
{
	struct kipc_index *ix = &mb->swaiters;
	struct kipc_waiter *w;
	u64 room;

	lockdep_assert_held(&mb->lock);

	while (!kipc_ix_empty(ix)) {
		/* Too big for the mailbox now: it wakes to fail (EMSGSIZE). */
		w = kipc_waiter_of(kipc_ix_best(ix, (u64)mb->max_msg_size + 1,
						U64_MAX));
		if (w) {
			kipc_waiter_wake(ix, w, wq);
			continue;
		}
		/* The room left once every woken sender has queued. */
		if (!kipc_room(mb, mb->depth + mb->reserved,
			       mb->bytes + mb->reserved_bytes, &room))
			break;
		w = kipc_waiter_of(kipc_ix_best(ix, 0, room));
		if (!w)
			break;
		w->reserved = true;
		mb->reserved++;
		mb->reserved_bytes += w->len;
		kipc_waiter_wake(ix, w, wq);
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
	 * No barrier: kipc_fop_poll() joins pollq before it takes mb->lock to
	 * look at the state, and we changed the state under that lock, so
	 * it saw our change or we see it here.
	 */
	if (waitqueue_active(&mb->pollq))
		wake_up_interruptible_poll(&mb->pollq, mask);
}

/*
 * Wakes every waiter of @ix to look again. @chosen: as if for a message
 * or room (destroy: they find the mailbox dead); else only to re-check,
 * keeping their place in line (their ticket) if they wait again.
 */
static void kipc_wake_index(struct kipc_index *ix, bool chosen)
{
	struct kipc_waiter *w, *tmp;

	rbtree_postorder_for_each_entry_safe(w, tmp, &ix->root.rb_root, ix.rb) {
		RB_CLEAR_NODE(&w->ix.rb);
		w->chosen = chosen;
		wake_up_process(w->task);
	}
	*ix = KIPC_INDEX_INIT;
}

/* Destroy: every sleeper re-checks and finds the mailbox dead. */
void kipc_wake_all(struct kipc_mbox *mb)
{
	lockdep_assert_held(&mb->lock);

	kipc_wake_index(&mb->rwaiters, true);
	kipc_wake_index(&mb->swaiters, true);
	/* Woken senders give their promised room back as they leave. */
}

/* A SET took permission away: every sleeper asks again (kipc_ready()). */
void kipc_wake_to_recheck(struct kipc_mbox *mb)
{
	lockdep_assert_held(&mb->lock);

	kipc_wake_index(&mb->rwaiters, false);
	kipc_wake_index(&mb->swaiters, false);
}

/*
 * Destroy: empties the queue into @msgs in O(1), so that the messages are
 * freed (kipc_kmsg_free_index()) after mb->lock is dropped, not under it.
 */
void kipc_drain(struct kipc_mbox *mb, struct kipc_index *msgs)
{
	lockdep_assert_held(&mb->lock);

	*msgs = mb->msgs;
	mb->msgs = KIPC_INDEX_INIT;
	mb->depth = 0;
	mb->bytes = 0;
}

/*
 * A signal: with a handler, the call fails with EINTR; a stop, a ptrace
 * trap, the freezer or a signal without a handler restarts it
 * (-ERESTARTNOHAND, as msgrcv), with what is left of its timeout written
 * back for the restart. Not TASK_FREEZABLE: a task frozen in place would
 * keep the wake-up (or the room) a waker chose it for until it thaws.
 */
static int kipc_interrupted(struct kipc_wait *w)
{
	s64 left;

	if (w->expires != KTIME_MAX) {
		left = ktime_to_ns(ktime_sub(w->expires, ktime_get()));
		if (left <= 0)
			return -ETIMEDOUT;
		*w->timeout_ns = left;
	}
	return -ERESTARTNOHAND;
}

/* A woken sender gives back the room promised to it. */
static void kipc_unreserve(struct kipc_mbox *mb, struct kipc_waiter *wait)
{
	if (!wait->reserved)
		return;
	wait->reserved = false;
	mb->reserved--;
	mb->reserved_bytes -= wait->len;
}

/* Tells the monitors that @mb is full, without sleeping under its lock. */
static void kipc_wait_report_full(struct kipc_mbox *mb, struct kipc_wait *w)
	__must_hold(&mb->lock)
{
	spin_unlock(&mb->lock);
	kipc_nl_mbox_event(mb, w->user, KIPC_EVENT_FULL);
	spin_lock(&mb->lock);
}

/* A signal or the timeout ends the wait: its error, else 0. */
static int kipc_wait_cut_short(struct kipc_wait *w)
{
	if (signal_pending(current))
		return kipc_interrupted(w);
	if (kipc_deadline_passed(w->expires))
		return -ETIMEDOUT;
	return 0;
}

/*
 * One sleep in line for @mb, the lock dropped while asleep: queue ourselves,
 * sleep, and finally unqueue.
 */
static void kipc_sleep(struct kipc_mbox *mb, struct kipc_wait *w,
		       struct kipc_waiter *wait)
	__must_hold(&mb->lock)
{
	bool send = w->dir == KIPC_DIR_SEND;
	struct kipc_index *ix = send ? &mb->swaiters : &mb->rwaiters;

	/* Woken for room another sender took: pass what is left on. */
	if (send && wait->chosen)
		__kipc_wake_senders(mb, w->wq);

	/* Queue ourselves: a first wait takes a ticket, a woken one keeps it. */
	if (!w->waited)
		w->ticket = mb->next_ticket++;
	wait->ix.rank_lo = w->ticket;
	wait->chosen = false;
	kipc_ix_insert(ix, &wait->ix);
	/* Under the lock: a waker cannot slip in before we sleep. */
	__set_current_state(TASK_INTERRUPTIBLE);
	spin_unlock(&mb->lock);

	/* Sleep; whom this task chose must not wait for it to wake. */
	kipc_wakeq_run(w->wq);
	w->waited = true;
	kipc_schedule_until(&w->expires);

	/* And finally, unqueue (a waker may have done it already). */
	spin_lock(&mb->lock);
	if (kipc_ix_queued(&wait->ix))
		kipc_ix_erase(ix, &wait->ix);
	kipc_unreserve(mb, wait);
	if (wait->msg) {
		w->msg = wait->msg;
		w->handed = true;
	} else if (wait->chosen && !send) {
		w->chosen = true;
		w->for_type = wait->for_type;
	}
}

/*
 * kipc_until_ready()'s slow path, when kipc_ready() said wait (@ret): sleeps
 * in line until kipc_ready() says go, fails, or the wait is cut short by
 * NONBLOCK, the timeout or a signal. The one sleeping loop.
 */
static int kipc_wait(struct kipc_mbox *mb, struct kipc_wait *w, int ret)
	__must_hold(&mb->lock)
{
	bool send = w->dir == KIPC_DIR_SEND;
	u32 *blocked = send ? &mb->blocked_senders : &mb->blocked_receivers;
	struct kipc_waiter wait = {
		.task = current,
		.len = w->len,
		.takes = w->takes,
		.truncate = w->truncate,
		.ix.key = send ? w->len : kipc_sel_key(w->sel, w->type),
	};
	bool counted = false;

	RB_CLEAR_NODE(&wait.ix.rb);
	for (; ret > 0; ret = kipc_ready(mb, w)) {
		if (w->nonblock) {
			ret = -EAGAIN;
			break;
		}
		if (!counted) {
			counted = true;
			(*blocked)++;
			trace_kipc_block(mb->id, send);
			if (send) {
				kipc_wait_report_full(mb, w);
				continue;
			}
		}
		ret = kipc_wait_cut_short(w);
		if (ret)
			break;
		kipc_sleep(mb, w, &wait);
	}
	/* Leaving without the room it was woken for: pass it on. */
	if (send && wait.chosen && ret)
		__kipc_wake_senders(mb, w->wq);

	if (counted) {
		(*blocked)--;
		trace_kipc_wake(mb->id, send, ret);
	}
	/* Space may have appeared meanwhile; EAGAIN is still honest. */
	if (ret == -EAGAIN && send)
		kipc_wait_report_full(mb, w);
	return ret;
}

/*
 * Returns once kipc_ready() says go (0) or fails, waiting if it must (see
 * kipc_wait()). Called and returns with mb->lock held.
 */
static int kipc_until_ready(struct kipc_mbox *mb, struct kipc_wait *w)
	__must_hold(&mb->lock)
{
	int ret;

	lockdep_assert_held(&mb->lock);

	ret = kipc_ready(mb, w);
	/* The common case, go or fail at once, sets nothing up for a sleep. */
	return ret > 0 ? kipc_wait(mb, w, ret) : ret;
}

static enum kipc_sel kipc_sel_of(u32 flags, u32 type)
{
	if (flags & KIPC_RECV_TYPE_LE)
		return KIPC_SEL_LE;
	if (flags & KIPC_RECV_TYPE_NOT)
		return KIPC_SEL_NOT;
	return type ? KIPC_SEL_TYPE : KIPC_SEL_ANY;
}

static void kipc_wait_init(struct kipc_wait *w, enum kipc_dir dir, u32 mode,
			   struct file *file, u32 flags, u64 *timeout_ns,
			   struct kipc_wakeq *wq)
{
	struct kipc_handle *h = file->private_data;

	w->dir = dir;
	w->user = h->user;
	w->handle = h;
	w->mode = mode;
	w->wq = wq;
	w->nonblock = (flags & KIPC_NONBLOCK) || (file->f_flags & O_NONBLOCK);
	w->waited = false;
	w->chosen = false;
	w->takes = false;
	w->truncate = false;
	w->handed = false;
	w->timeout_ns = timeout_ns;
	w->expires = kipc_deadline(*timeout_ns);
	w->len = 0;
	w->type = 0;
	w->sel = KIPC_SEL_ANY;
	w->msg = NULL;
}

/*
 * A receive's selection (its type and flags), and the buffer (@len bytes)
 * that a message may be handed into while it waits, unless it peeks.
 */
static void kipc_wait_select(struct kipc_wait *w, u32 flags, u32 type,
			     u32 len)
{
	w->type = type;
	w->sel = kipc_sel_of(flags, type);
	w->len = len;
	w->takes = !(flags & KIPC_RECV_PEEK);
	w->truncate = flags & KIPC_RECV_TRUNCATE;
}

static void kipc_set_pid(struct pid **slot, struct task_struct *task)
{
	struct pid *pid = task_tgid(task);

	if (*slot != pid) {
		put_pid(*slot);
		*slot = get_pid(pid);
	}
}

/* @task receives @msg, @n of whose bytes are read: the counters say so. */
static void kipc_count_received(struct kipc_mbox *mb,
				const struct kipc_kmsg *msg, u32 n,
				struct task_struct *task)
{
	mb->received++;
	if (n < msg->len)
		mb->dropped++;
	kipc_set_pid(&mb->last_receiver, task);
}

/* What a sender must do once the lock is dropped, per queued message. */
struct kipc_queued {
	bool was_empty;		/* the queue was empty before it */
	bool idle;		/* no receiver was blocked */
	bool handed;		/* handed to a receiver: nothing to poll for */
};

/*
 * Whether @r, the receiver first in line for @msg, takes it from the
 * sender's hand: it is not peeking, and the message fits its buffer (or it
 * truncates). Else the message is queued and @r woken to find it there
 * (and, if it is too long, to fail with EMSGSIZE, leaving it queued).
 */
static bool kipc_takes(const struct kipc_waiter *r, const struct kipc_kmsg *msg)
{
	return r->takes && (msg->len <= r->len || r->truncate);
}

/*
 * Hands @msg straight to @r, blocked on @mb, as ipc/mqueue.c's
 * pipelined_send() does: the message never enters the queue, so it is
 * received now, in @r's name (the counters say so), and @r finds it in its
 * waiter when it wakes, whatever else happened meanwhile.
 */
static void kipc_hand_off(struct kipc_mbox *mb, struct kipc_waiter *r,
			  struct kipc_kmsg *msg, struct kipc_wakeq *wq)
{
	r->msg = msg;
	kipc_count_received(mb, msg, min(r->len, msg->len), r->task);
	kipc_wake_for(mb, r, kipc_kmsg_type(msg), wq);
}

/*
 * Queues @msg; or, if @hand and the queue is empty, hands it to the
 * receiver first in line for it. A batch is queued whole, so that its
 * messages are received in priority order, whoever waits.
 */
static void kipc_enqueue(struct kipc_mbox *mb, struct kipc_kmsg *msg,
			 const struct kipc_wait *w, struct kipc_queued *q,
			 bool hand)
{
	u32 type = kipc_kmsg_type(msg);
	struct kipc_waiter *r;

	lockdep_assert_held(&mb->lock);

	q->was_empty = !mb->depth;
	q->idle = !mb->blocked_receivers;
	q->handed = false;
	msg->ix.rank_lo = ++mb->next_seq;
	if (msg->call)
		kipc_call_queued(mb, msg->call, msg->ix.rank_lo);
	/* The time stamp, read before the lock, is renewed after a wait. */
	if (w->waited)
		msg->tstamp = ktime_get_ns();
	mb->sent++;
	kipc_set_pid(&mb->last_sender, current);
	r = kipc_receiver_for(mb, type);
	/*
	 * Only into an empty queue: a receiver that is blocked may yet have
	 * an older message it selects queued for it (another was woken for
	 * that one and has not run), which it must get first.
	 */
	if (hand && !mb->depth && r && kipc_takes(r, msg)) {
		kipc_hand_off(mb, r, msg, w->wq);
		q->handed = true;
		return;
	}
	kipc_ix_insert(&mb->msgs, &msg->ix);
	mb->depth++;
	mb->bytes += msg->len;
	if (r)
		kipc_wake_for(mb, r, type, w->wq);
}

/* Unlinks @msg, @n of whose bytes are read, and wakes senders it made room for. */
static void kipc_dequeue(struct kipc_mbox *mb, struct kipc_kmsg *msg, u32 n,
			 struct kipc_wakeq *wq)
{
	lockdep_assert_held(&mb->lock);

	kipc_ix_erase(&mb->msgs, &msg->ix);
	mb->depth--;
	mb->bytes -= msg->len;
	kipc_count_received(mb, msg, n, current);
	if (!kipc_ix_empty(&mb->swaiters))
		__kipc_wake_senders(mb, wq);
}

/*
 * The copy of @msg (@n bytes of it) to user space faulted: undo
 * kipc_dequeue(). Its key puts it back exactly where it was. Senders let
 * in meanwhile may leave the mailbox over its capacity until receivers
 * drain it. A dead mailbox has freed its queue: the message goes with it.
 */
static void kipc_putback(struct kipc_mbox *mb, struct kipc_kmsg *msg, u32 n)
{
	struct kipc_wakeq wq = { 0 };

	spin_lock(&mb->lock);
	if (mb->dead) {
		/* Freed unread, as destroy frees what is queued. */
		mb->received--;
		if (n == msg->len)	/* else counted dropped already */
			mb->dropped++;
		spin_unlock(&mb->lock);
		kipc_kmsg_free(msg);
		return;
	}
	kipc_ix_insert(&mb->msgs, &msg->ix);
	mb->depth++;
	mb->bytes += msg->len;
	mb->received--;
	if (msg->call)
		kipc_call_disown(mb, msg->call);
	if (n < msg->len)
		mb->dropped--;
	kipc_wake_receiver(mb, kipc_kmsg_type(msg), &wq);
	spin_unlock(&mb->lock);
	kipc_wakeq_run(&wq);
	kipc_wake_pollers(mb, EPOLLIN | EPOLLRDNORM);
}

/* A message for @mb from @m, or an ERR_PTR; see kipc_kmsg_new(). */
struct kipc_kmsg *kipc_msg_new(struct kipc_mbox *mb, struct kipc_user *u,
			       const struct kipc_msg *m, u64 now)
{
	if (m->len > READ_ONCE(mb->max_msg_size))
		return ERR_PTR(-EMSGSIZE);
	return kipc_kmsg_new(u, m, now);
}

/*
 * What follows a send, once the lock is dropped. A message handed to a
 * receiver was never there to poll for; signal registrations hear of it
 * all the same (it came while a receiver was blocked: not for IDLE ones).
 */
static void kipc_after_send(struct kipc_mbox *mb, struct kipc_user *u,
			    const struct kipc_msg *m, const struct kipc_queued *q)
{
	if (!q->handed)
		kill_fasync(&mb->fasync, SIGIO, POLL_IN);
	trace_kipc_send(mb->id, m->seq, m->len, m->type, m->priority);
	kipc_nl_msg_event(mb, u, KIPC_EVENT_SEND, m->seq, m->len, m->type);
	if (kipc_notify_deliver(mb, q->was_empty, q->idle))
		kipc_nl_mbox_event(mb, u, KIPC_EVENT_NOTIFY);
}

/*
 * SEND: @m's message, into @mb, which the handle of @file may write to;
 * with @kc, as the request of that call, which its message then holds the
 * caller's reference to (dropped with it on failure).
 */
int kipc_msg_send_call(struct kipc_mbox *mb, u32 mode, struct file *file,
		       struct kipc_msg *m, struct kipc_kcall *kc)
{
	struct kipc_handle *h = file->private_data;
	struct kipc_wakeq wq = { 0 };
	struct kipc_queued q;
	struct kipc_kmsg *msg;
	struct kipc_wait w;
	int ret;

	msg = kipc_msg_new(mb, h->user, m, ktime_get_ns());
	if (IS_ERR(msg)) {
		if (kc)
			kipc_call_put(kc);
		return PTR_ERR(msg);
	}
	msg->call = kc;

	kipc_wait_init(&w, KIPC_DIR_SEND, mode, file, m->flags, &m->timeout_ns,
		       &wq);
	w.len = m->len;

	spin_lock(&mb->lock);
	ret = kipc_until_ready(mb, &w);
	if (ret) {
		spin_unlock(&mb->lock);
		kipc_wakeq_run(&wq);
		kipc_kmsg_free(msg);
		return ret;
	}
	kipc_enqueue(mb, msg, &w, &q, true);
	m->seq = kipc_kmsg_seq(msg);
	spin_unlock(&mb->lock);
	kipc_wakeq_run(&wq);

	if (!q.handed)
		kipc_wake_pollers(mb, EPOLLIN | EPOLLRDNORM);
	kipc_after_send(mb, h->user, m, &q);
	return 0;
}

int kipc_msg_send(struct kipc_mbox *mb, u32 mode, struct file *file,
		  struct kipc_msg *m)
{
	return kipc_msg_send_call(mb, mode, file, m, NULL);
}

/* SENDV fills about this many bytes of messages before queueing them. */
#define KIPC_SENDV_CHUNK	(64 << 10)

/* One SENDV call: what is filled, queued, and announced so far. */
struct kipc_sendv_call {
	struct kipc_mbox	*mb;
	struct kipc_user	*user;
	struct kipc_msg		*ms;
	u32			count;
	u32			filled;		/* @ms[0..filled) filled */
	u32			queued;		/* @ms[0..queued) queued */
	u32			done;		/* @ms[0..done) announced */
	struct list_head	chunk;		/* filled, not yet queued */
	struct kipc_wait	w;
	struct kipc_queued	q[KIPC_BATCH_MAX];
};

/*
 * Announces what was queued since the last time (kipc_after_send() for
 * each), after the lock is dropped.
 */
static void kipc_sendv_announce(struct kipc_sendv_call *sv)
{
	kipc_wakeq_run(sv->w.wq);
	if (sv->done == sv->queued)
		return;
	kipc_wake_pollers(sv->mb, EPOLLIN | EPOLLRDNORM);
	for (; sv->done < sv->queued; sv->done++)
		kipc_after_send(sv->mb, sv->user, &sv->ms[sv->done],
				&sv->q[sv->done]);
}

/*
 * First phase: fills the next chunk, up to KIPC_SENDV_CHUNK bytes of
 * messages (at least one), from user space; no lock held. Returns 0, or
 * the error that stopped the chunk before its end.
 */
static int kipc_sendv_fill(struct kipc_sendv_call *sv, u64 now)
{
	struct kipc_kmsg *msg;
	size_t bytes = 0;

	while (sv->filled < sv->count &&
	       (bytes < KIPC_SENDV_CHUNK || list_empty(&sv->chunk))) {
		msg = kipc_msg_new(sv->mb, sv->user, &sv->ms[sv->filled], now);
		if (IS_ERR(msg))
			return PTR_ERR(msg);
		list_add_tail(&msg->node, &sv->chunk);
		bytes += msg->len;
		sv->filled++;
	}
	return 0;
}

/*
 * Second phase: queues the chunk in order under one hold of the lock, each
 * message waiting for room as a SEND would. What is not queued is freed.
 */
static int kipc_sendv_queue(struct kipc_sendv_call *sv)
{
	struct kipc_mbox *mb = sv->mb;
	struct kipc_kmsg *msg, *tmp;
	int ret = 0;

	spin_lock(&mb->lock);
	list_for_each_entry_safe(msg, tmp, &sv->chunk, node) {
		/* Before waiting, let pollers and fasync see the queue. */
		if (sv->queued > sv->done && !mb->dead &&
		    kipc_mbox_full(mb, msg->len)) {
			spin_unlock(&mb->lock);
			kipc_sendv_announce(sv);
			spin_lock(&mb->lock);
		}
		sv->w.len = msg->len;
		sv->w.waited = false;
		ret = kipc_until_ready(mb, &sv->w);
		if (ret)
			break;
		list_del(&msg->node);
		kipc_enqueue(mb, msg, &sv->w, &sv->q[sv->queued], false);
		sv->ms[sv->queued++].seq = kipc_kmsg_seq(msg);
	}
	spin_unlock(&mb->lock);
	kipc_sendv_announce(sv);

	list_for_each_entry_safe(msg, tmp, &sv->chunk, node)
		kipc_kmsg_free(msg);
	INIT_LIST_HEAD(&sv->chunk);
	return ret;
}

/*
 * SENDV: queues @ms[0..@count) in order, each as a SEND would (each may
 * block), a chunk at a time: it fills up to KIPC_SENDV_CHUNK bytes of
 * messages from user space ahead (so that little memory is held while
 * waiting for room), then queues them under one hold of the lock, unless
 * one must wait. Returns how many were queued, or the error that stopped
 * the first.
 */
int kipc_msg_sendv(struct kipc_mbox *mb, u32 mode, struct file *file,
		   struct kipc_msg *ms, u32 count, u32 flags, u64 *timeout_ns)
{
	struct kipc_handle *h = file->private_data;
	struct kipc_wakeq wq = { 0 };
	struct kipc_sendv_call sv = {
		.mb = mb, .user = h->user, .ms = ms, .count = count,
		.chunk = LIST_HEAD_INIT(sv.chunk),
	};
	int ret = 0, err = 0;
	/* One call, one send time (a clock read is not free), one deadline. */
	u64 now = ktime_get_ns();

	kipc_wait_init(&sv.w, KIPC_DIR_SEND, mode, file, flags, timeout_ns,
		       &wq);
	while (sv.filled < count && !err && !ret) {
		err = kipc_sendv_fill(&sv, now);
		ret = kipc_sendv_queue(&sv);
	}
	return sv.queued ?: ret ?: err;
}

/* Fills in what a receiver learns of @msg besides its bytes. */
static void kipc_msg_header(struct kipc_msg *m, const struct kipc_kmsg *msg)
{
	m->type = kipc_kmsg_type(msg);
	m->priority = kipc_kmsg_prio(msg);
	m->seq = kipc_kmsg_seq(msg);
	m->timestamp_ns = msg->tstamp;
	m->sender_pid = pid_vnr(msg->sender);
	m->sender_uid = from_kuid_munged(current_user_ns(), msg->sender_uid);
}

/*
 * Writes back the kernel's part of a received header, @m's, to @um, all
 * else zeroed (no kernel bytes leak). 0 or -EFAULT.
 */
int kipc_msg_put(struct kipc_msg __user *um, const struct kipc_msg *m)
{
	struct kipc_msg out = {
		.buf = m->buf,
		.len = m->len,
		.flags = m->flags,
		.type = m->type,
		.priority = m->priority,
		.timeout_ns = m->timeout_ns,
		.seq = m->seq,
		.timestamp_ns = m->timestamp_ns,
		.msg_len = m->msg_len,
		.sender_pid = m->sender_pid,
		.sender_uid = m->sender_uid,
	};

	return copy_to_user(um, &out, sizeof(out)) ? -EFAULT : 0;
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
		ret = kipc_until_ready(mb, w);
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
		buf = kvmalloc(size, GFP_KERNEL_ACCOUNT);
		if (!buf) {
			ret = -ENOMEM;
			spin_lock(&mb->lock);
			goto out_unlock;
		}
	}
	if (n)
		memcpy(buf, msg->data, n);
	kipc_msg_header(m, msg);
	/* A peek sees a request for what it is, but owns nothing. */
	if (msg->call)
		m->flags |= KIPC_MSG_CALL;
	kipc_pass_on(mb, w);
	spin_unlock(&mb->lock);
	kipc_wakeq_run(w->wq);

	if (copy_to_user(u64_to_user_ptr(m->buf), buf, n))
		ret = -EFAULT;
	else
		m->len = n;
	kvfree(buf);
	return ret;

out_unlock:
	/* A peek takes nothing: a wake-up it was given goes on. */
	kipc_pass_on(mb, w);
	spin_unlock(&mb->lock);
	kipc_wakeq_run(w->wq);
	kvfree(buf);
	return ret;
}

/*
 * RECV: into @m and its header @um (NULL: read(2), no header, never a
 * peek), from @mb, which @file's handle may read.
 */
int kipc_msg_recv(struct kipc_mbox *mb, u32 mode, struct file *file,
		  struct kipc_msg *m, struct kipc_msg __user *um)
{
	struct kipc_wakeq wq = { 0 };
	struct kipc_wait w;
	int ret;

	if (m->flags & KIPC_RECV_PEEK) {
		kipc_wait_init(&w, KIPC_DIR_RECV, mode, file, m->flags,
			       &m->timeout_ns, &wq);
		kipc_wait_select(&w, m->flags, m->type, m->len);
		ret = kipc_peek(mb, m, &w, m->flags);
		return ret ?: kipc_msg_put(um, m);
	}
	/* A batch of one. */
	ret = kipc_msg_recvv(mb, mode, file, m, um, 1, m->flags,
			     &m->timeout_ns);
	return ret < 0 ? ret : 0;
}

/*
 * RECVV's first phase, under the lock: unlinks into @got, in order, the
 * messages @ms[0..@count) select; only the first may wait. Returns the
 * error that stopped the batch (for EMSGSIZE, with that entry's msg_len
 * set), or 0.
 */
static int kipc_recvv_take(struct kipc_mbox *mb, struct kipc_wait *w,
			   struct kipc_msg *ms, u32 count, u32 flags,
			   struct list_head *got)
	__must_hold(&mb->lock)
{
	struct kipc_kmsg *msg;
	struct kipc_msg *m;
	int ret = 0;
	u32 i;

	for (i = 0; i < count; i++) {
		m = &ms[i];
		/* recvmmsg(MSG_WAITFORONE): only the first may block. */
		if (i)
			w->nonblock = true;
		kipc_wait_select(w, flags | m->flags, m->type, m->len);
		ret = kipc_until_ready(mb, w);
		if (ret)
			break;
		msg = w->msg;
		m->msg_len = msg->len;
		if (msg->len > m->len && !w->truncate) {
			ret = -EMSGSIZE;
			break;
		}
		m->len = min(m->len, msg->len);
		if (msg->call) {
			m->flags |= KIPC_MSG_CALL;
			kipc_call_own(mb, msg->call, w->handle);
		}
		/* A message handed over was never queued. */
		if (!w->handed)
			kipc_dequeue(mb, msg, m->len, w->wq);
		w->handed = false;
		list_add_tail(&msg->node, got);
	}
	kipc_pass_on(mb, w);
	return ret;
}

/*
 * RECVV's second phase, the lock dropped: copies @got out in order, each
 * message's bytes to its buffer, then its header @ms[i], filled in here
 * outside the lock, to @um[i], and frees what was copied. Should a copy
 * fault, that message and those after it go back where they were: so
 * nothing is lost that the caller was not told of. Returns how many were
 * copied.
 */
static u32 kipc_recvv_copy_out(struct kipc_mbox *mb, struct kipc_user *u,
			       struct kipc_msg *ms, struct kipc_msg __user *um,
			       struct list_head *got)
{
	struct kipc_kmsg *msg, *tmp;
	struct kipc_msg *m;
	u32 i, n = 0;

	list_for_each_entry_safe(msg, tmp, got, node) {
		m = &ms[n];
		if (copy_to_user(u64_to_user_ptr(m->buf), msg->data, m->len))
			break;
		/* read(2) has no header: nothing to translate for it. */
		if (um) {
			kipc_msg_header(m, msg);
			if (kipc_msg_put(&um[n], m))
				break;
		}
		list_del(&msg->node);
		trace_kipc_recv(mb->id, kipc_kmsg_seq(msg), msg->len,
				kipc_kmsg_type(msg), kipc_kmsg_prio(msg));
		kipc_nl_msg_event(mb, u, KIPC_EVENT_RECV, kipc_kmsg_seq(msg),
				  msg->len, kipc_kmsg_type(msg));
		kipc_kmsg_free(msg);
		n++;
	}
	i = n;
	list_for_each_entry_safe(msg, tmp, got, node) {
		list_del(&msg->node);
		kipc_putback(mb, msg, ms[i++].len);
	}
	return n;
}

/*
 * RECVV (and RECV, a batch of one): receives into @ms[0..@count) in order,
 * each entry with its own type, selection and TRUNCATE flag; only the first
 * may block. The messages are unlinked under one hold of the lock
 * (kipc_recvv_take()) and copied out after (kipc_recvv_copy_out()), each
 * with its header, to @um[i]. Returns how many were received, or the error
 * that stopped the first (for EMSGSIZE, with @ms[0].msg_len set, not yet
 * written back).
 */
int kipc_msg_recvv(struct kipc_mbox *mb, u32 mode, struct file *file,
		   struct kipc_msg *ms, struct kipc_msg __user *um, u32 count,
		   u32 flags, u64 *timeout_ns)
{
	struct kipc_handle *h = file->private_data;
	struct kipc_wakeq wq = { 0 };
	struct kipc_wait w;
	LIST_HEAD(got);
	bool was_full;
	int ret;
	u32 n;

	kipc_wait_init(&w, KIPC_DIR_RECV, mode, file, flags, timeout_ns, &wq);
	spin_lock(&mb->lock);
	was_full = kipc_mbox_full(mb, 0);
	ret = kipc_recvv_take(mb, &w, ms, count, flags, &got);
	spin_unlock(&mb->lock);
	kipc_wakeq_run(&wq);
	if (list_empty(&got))
		return ret;

	kipc_wake_pollers(mb, EPOLLOUT | EPOLLWRNORM);
	/* As sockets do: room again for a writer that found none. */
	if (was_full)
		kill_fasync(&mb->fasync, SIGIO, POLL_OUT);
	n = kipc_recvv_copy_out(mb, h->user, ms, um, &got);
	return n ? n : -EFAULT;
}
