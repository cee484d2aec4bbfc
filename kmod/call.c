// SPDX-License-Identifier: GPL-2.0
/*
 * Request and reply (SPEC section 9): KIPC_IOC_CALL sends a request into a
 * mailbox as an ordinary message that holds its call (struct kipc_kcall),
 * and sleeps until the call is DONE. The handle that receives the request
 * owns the call (msg.c calls kipc_call_own() as it takes the message) and
 * answers it with KIPC_IOC_REPLY, which puts the reply in the call and
 * wakes the caller: the reply never enters a queue. A request handed to a
 * blocked receiver (kipc_hand_off()) skips the queue too.
 *
 * Every state change is under the mailbox's lock (see struct kipc_kcall);
 * the caller is woken under it, which is safe because the caller clears
 * @task under the same lock before it returns. So each of the ways a call
 * can end (reply, owner closing, destroy, the caller giving up) finds the
 * others' effects complete, in any order.
 *
 * A stop or a ptrace trap must not end a call (SPEC section 4), but the
 * caller has to return to user space to stop. So it parks the call on its
 * handle and returns -ERESTARTNOHAND, with the call's seq written back;
 * the kernel restarts the ioctl with that seq, which resumes the wait. A
 * signal that runs a handler, or kills, ends the call with EINTR instead:
 * kipc_signal_interrupts() tells the two apart before the caller returns.
 */

#include <linux/pid.h>
#include <linux/rbtree.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "kipc.h"
#include "trace.h"

void kipc_call_put(struct kipc_kcall *kc)
{
	if (!refcount_dec_and_test(&kc->ref))
		return;
	if (kc->reply)
		kipc_kmsg_free(kc->reply);
	kfree(kc);
}

static struct kipc_kcall *kipc_call_of(struct rb_node *rb)
{
	return rb_entry(rb, struct kipc_kcall, owner_node);
}

/* The call @h owns whose request was message @seq, or NULL. */
static struct kipc_kcall *kipc_owned_find(struct kipc_handle *h, u64 seq)
{
	struct rb_node *rb = h->calls.rb_node;
	struct kipc_kcall *kc;

	while (rb) {
		kc = kipc_call_of(rb);
		if (seq < kc->seq)
			rb = rb->rb_left;
		else if (seq > kc->seq)
			rb = rb->rb_right;
		else
			return kc;
	}
	return NULL;
}

/* Under mb->lock: @kc's request was queued as message @seq. */
void kipc_call_queued(struct kipc_mbox *mb, struct kipc_kcall *kc, u64 seq)
{
	lockdep_assert_held(&mb->lock);

	kc->seq = seq;
	kc->state = KIPC_CALL_QUEUED;
	list_add_tail(&kc->node, &mb->calls);
	mb->calls_pending++;
	mb->calls_sent++;
}

/*
 * Under mb->lock: @h took @kc's request, so @h owns the call, unless its
 * caller gave up (a REPLY then finds nothing: ENOENT).
 */
void kipc_call_own(struct kipc_mbox *mb, struct kipc_kcall *kc,
		   struct kipc_handle *h)
{
	struct rb_node **link = &h->calls.rb_node, *parent = NULL;

	lockdep_assert_held(&mb->lock);

	if (kc->state != KIPC_CALL_QUEUED)
		return;
	while (*link) {
		parent = *link;
		if (kc->seq < kipc_call_of(parent)->seq)
			link = &parent->rb_left;
		else
			link = &parent->rb_right;
	}
	rb_link_node(&kc->owner_node, parent, link);
	rb_insert_color(&kc->owner_node, &h->calls);
	kc->owner = h;
	kc->state = KIPC_CALL_OWNED;
}

/* Under mb->lock: the request went back into the queue (msg.c's putback). */
void kipc_call_disown(struct kipc_mbox *mb, struct kipc_kcall *kc)
{
	lockdep_assert_held(&mb->lock);

	if (kc->state != KIPC_CALL_OWNED)
		return;
	rb_erase(&kc->owner_node, &kc->owner->calls);
	kc->owner = NULL;
	kc->state = KIPC_CALL_QUEUED;
}

/* Under mb->lock: @kc, QUEUED or OWNED, leaves both lists as @state. */
static void kipc_call_unlink(struct kipc_mbox *mb, struct kipc_kcall *kc,
			     enum kipc_call_state state)
{
	if (kc->state == KIPC_CALL_OWNED)
		rb_erase(&kc->owner_node, &kc->owner->calls);
	kc->owner = NULL;
	list_del_init(&kc->node);
	mb->calls_pending--;
	kc->state = state;
}

/* Under mb->lock: @kc is answered, @result, with @reply if 0. */
static void kipc_call_end(struct kipc_mbox *mb, struct kipc_kcall *kc,
			  int result, struct kipc_kmsg *reply)
{
	kipc_call_unlink(mb, kc, KIPC_CALL_DONE);
	kc->result = result;
	kc->reply = reply;
	if (kc->task)
		wake_up_process(kc->task);
}

/* Destroy, under mb->lock: every call pending on @mb fails with @result. */
void kipc_calls_end(struct kipc_mbox *mb, int result)
{
	struct kipc_kcall *kc, *tmp;

	lockdep_assert_held(&mb->lock);

	list_for_each_entry_safe(kc, tmp, &mb->calls, node)
		kipc_call_end(mb, kc, result, NULL);
}

/* Has the task that parked @kc exited, or begun to? Under mb->lock. */
static bool kipc_parker_gone(const struct kipc_kcall *kc)
{
	struct task_struct *t;
	bool gone;

	rcu_read_lock();
	t = pid_task(kc->parker, PIDTYPE_PID);
	gone = !t || (t->flags & PF_EXITING);
	rcu_read_unlock();
	return gone;
}

/*
 * The calls parked on @h that will never be resumed: all of them if
 * @all (@h is closing), else @current's (it is making a new call) and
 * those whose caller exited. Each ends GONE, if it had not ended, and
 * loses its caller's reference.
 */
static void kipc_calls_unpark(struct kipc_mbox *mb, struct kipc_handle *h,
			      bool all)
{
	struct pid *me = task_pid(current);
	struct kipc_kcall *kc, *tmp;
	LIST_HEAD(gone);

	spin_lock(&mb->lock);
	list_for_each_entry_safe(kc, tmp, &h->parked, park_node) {
		if (!all && kc->parker != me && !kipc_parker_gone(kc))
			continue;
		if (kc->state == KIPC_CALL_QUEUED ||
		    kc->state == KIPC_CALL_OWNED)
			kipc_call_unlink(mb, kc, KIPC_CALL_GONE);
		list_move(&kc->park_node, &gone);
	}
	spin_unlock(&mb->lock);

	list_for_each_entry_safe(kc, tmp, &gone, park_node) {
		put_pid(kc->parker);
		kipc_call_put(kc);
	}
}

/*
 * @h is closing: the calls it owns and never answered fail, ECONNRESET,
 * and those its callers parked are given up.
 */
void kipc_call_release(struct kipc_handle *h)
{
	struct kipc_mbox *mb = h->mbox;
	struct rb_node *rb;

	if (!mb)
		return;
	spin_lock(&mb->lock);
	while ((rb = rb_first(&h->calls)))
		kipc_call_end(mb, kipc_call_of(rb), -ECONNRESET, NULL);
	spin_unlock(&mb->lock);
	kipc_calls_unpark(mb, h, true);
}

/*
 * Would the signals pending now end a wait as a signal does (SPEC section
 * 4): is one of them, unblocked, fatal or caught? A stop, a ptrace trap,
 * the freezer or a signal whose default is to be ignored does not: the
 * call waits on once its ioctl is restarted.
 */
static bool kipc_signal_interrupts(void)
{
	/* Ours: only our own exec could change it. */
	struct sighand_struct *sighand =
		rcu_dereference_protected(current->sighand, 1);
	__sighandler_t handler;
	sigset_t pending;
	bool ret = false;
	int sig;

	if (fatal_signal_pending(current))
		return true;
	spin_lock_irq(&sighand->siglock);
	sigorsets(&pending, &current->pending.signal,
		  &current->signal->shared_pending.signal);
	sigandnsets(&pending, &pending, &current->blocked);
	for (sig = 1; sig <= _NSIG && !ret; sig++) {
		if (!sigismember(&pending, sig))
			continue;
		handler = sighand->action[sig - 1].sa.sa_handler;
		ret = handler != SIG_IGN &&
		      (handler != SIG_DFL ||
		       !(sig_kernel_stop(sig) || sig_kernel_ignore(sig)));
	}
	spin_unlock_irq(&sighand->siglock);
	return ret;
}

/*
 * The caller's wait for its reply, until @expires (KTIME_MAX: none): 0 or
 * the error the call ended with. A signal that interrupts (above) or the
 * timeout makes the caller give up (unless the answer came first): the
 * call is GONE, and a REPLY to it fails with ENOENT. Any other signal
 * parks the call on @h, for the restarted ioctl (-ERESTARTNOHAND) to
 * resume by its seq.
 */
static int kipc_call_wait(struct kipc_mbox *mb, struct kipc_handle *h,
			  struct kipc_kcall *kc, ktime_t expires)
{
	bool blocked = false;
	int ret = 0;

	spin_lock(&mb->lock);
	while (kc->state != KIPC_CALL_DONE) {
		if (signal_pending(current)) {
			ret = kipc_signal_interrupts() ? -EINTR :
							 -ERESTARTNOHAND;
			break;
		}
		if (kipc_deadline_passed(expires)) {
			ret = -ETIMEDOUT;
			break;
		}
		if (!blocked) {
			blocked = true;
			mb->callers_blocked++;
		}
		kc->task = current;
		/* Under the lock: the answer cannot slip in before we sleep. */
		__set_current_state(TASK_INTERRUPTIBLE);
		spin_unlock(&mb->lock);
		kipc_schedule_until(&expires);
		spin_lock(&mb->lock);
		kc->task = NULL;
	}
	if (blocked)
		mb->callers_blocked--;
	if (ret == -ERESTARTNOHAND) {
		kc->parker = get_pid(task_pid(current));
		list_add_tail(&kc->park_node, &h->parked);
	} else if (ret) {
		kipc_call_unlink(mb, kc, KIPC_CALL_GONE);
	} else {
		ret = kc->result;
	}
	spin_unlock(&mb->lock);
	return ret;
}

/* The call @current parked on @h as @seq, taken off the list, or NULL. */
static struct kipc_kcall *kipc_call_resume(struct kipc_mbox *mb,
					   struct kipc_handle *h, u64 seq)
{
	struct kipc_kcall *kc, *found = NULL;

	spin_lock(&mb->lock);
	list_for_each_entry(kc, &h->parked, park_node) {
		if (kc->seq == seq && kc->parker == task_pid(current)) {
			list_del_init(&kc->park_node);
			found = kc;
			break;
		}
	}
	spin_unlock(&mb->lock);
	if (found) {
		put_pid(found->parker);
		found->parker = NULL;
	}
	return found;
}

/* A new call, referenced by its caller and by its request-to-be. */
static struct kipc_kcall *kipc_call_new(const struct kipc_call *c, u64 now)
{
	struct kipc_kcall *kc = kzalloc(sizeof(*kc), GFP_KERNEL_ACCOUNT);

	if (!kc)
		return NULL;
	refcount_set(&kc->ref, 2);
	kc->reply_max = c->reply_len;
	kc->type = c->type;
	kc->start_ns = now;
	INIT_LIST_HEAD(&kc->node);
	INIT_LIST_HEAD(&kc->park_node);
	RB_CLEAR_NODE(&kc->owner_node);
	return kc;
}

/* @c's request, the message a SEND of it would take. */
struct kipc_msg kipc_call_request(const struct kipc_call *c)
{
	return (struct kipc_msg){
		.buf = c->buf, .len = c->len, .flags = c->flags,
		.type = c->type, .priority = c->priority,
		.timeout_ns = c->timeout_ns,
	};
}

/* A new call's request, sent; its seq in @c. */
static struct kipc_kcall *kipc_call_send(struct kipc_mbox *mb, u32 mode,
					 struct file *file, struct kipc_call *c)
{
	struct kipc_msg m = kipc_call_request(c);
	struct kipc_kcall *kc;
	int ret;

	kc = kipc_call_new(c, ktime_get_ns());
	if (!kc)
		return ERR_PTR(-ENOMEM);
	/* The request holds its reference from here, even if it fails. */
	ret = kipc_msg_send_call(mb, mode, file, &m, kc);
	if (ret) {
		c->timeout_ns = m.timeout_ns;
		kipc_call_put(kc);
		return ERR_PTR(ret);
	}
	c->seq = kc->seq;
	return kc;
}

/*
 * CALL on @mb, which the handle of @file may write to: @c's request, then
 * the wait for its reply, which is copied to @c's reply buffer; or, if
 * @c->seq is set, the wait of the call this task parked as that seq (its
 * ioctl restarted). Sets @c->seq once the request is sent, @c->reply_len
 * once answered, and @c->timeout_ns to what is left if the ioctl is to be
 * restarted (-ERESTARTNOHAND).
 */
int kipc_call(struct kipc_mbox *mb, u32 mode, struct file *file,
	      struct kipc_call *c)
{
	ktime_t expires = kipc_deadline(c->timeout_ns);
	struct kipc_handle *h = file->private_data;
	struct kipc_kmsg *reply;
	struct kipc_kcall *kc;
	u64 took;
	s64 left;
	int ret;

	if (c->seq) {
		kc = kipc_call_resume(mb, h, c->seq);
		if (!kc)
			return -EINVAL;
	} else {
		kipc_calls_unpark(mb, h, false);
		kc = kipc_call_send(mb, mode, file, c);
		if (IS_ERR(kc))
			return PTR_ERR(kc);
	}
	ret = kipc_call_wait(mb, h, kc, expires);
	if (ret == -ERESTARTNOHAND) {
		/* At least 1 ns: 0 would be no timeout at all. */
		if (expires != KTIME_MAX) {
			left = ktime_to_ns(ktime_sub(expires, ktime_get()));
			c->timeout_ns = max_t(s64, left, 1);
		}
		return ret;
	}
	if (!ret) {
		reply = kc->reply;
		c->reply_len = reply->len;
		if (copy_to_user(u64_to_user_ptr(c->reply_buf), reply->data,
				 reply->len))
			ret = -EFAULT;
	}
	took = ktime_get_ns() - kc->start_ns;
	trace_kipc_call(mb->id, kc->seq, ret, took);
	kipc_nl_call_event(mb, h->user, KIPC_EVENT_CALL, kc->seq, kc->type,
			   ret ? 0 : c->reply_len, took, ret);
	kipc_call_put(kc);
	return ret;
}

/*
 * REPLY from @h, attached to @mb: @r's bytes to the caller of the call @h
 * owns as @r->seq. The reply is copied in before the lock is taken, and
 * freed again if there is nobody to give it to.
 */
int kipc_call_reply(struct kipc_mbox *mb, struct kipc_handle *h,
		    const struct kipc_reply *r)
{
	struct kipc_msg m = { .buf = r->buf, .len = r->len };
	u64 now = ktime_get_ns(), took = 0;
	struct kipc_kmsg *reply;
	struct kipc_kcall *kc;
	u32 type = 0;
	int ret = 0;

	reply = kipc_msg_new(mb, h->user, &m, now);
	if (IS_ERR(reply))
		return PTR_ERR(reply);

	spin_lock(&mb->lock);
	kc = kipc_owned_find(h, r->seq);
	if (mb->dead) {
		ret = -EIDRM;
	} else if (!kc) {
		ret = -ENOENT;
	} else if (kc->parker && kipc_parker_gone(kc)) {
		/* It exited while stopped: it gave up. */
		kipc_call_unlink(mb, kc, KIPC_CALL_GONE);
		ret = -ENOENT;
	} else if (reply->len > kc->reply_max) {
		ret = -EMSGSIZE;	/* the call stays pending */
	} else {
		took = now - kc->start_ns;
		type = kc->type;
		kipc_call_end(mb, kc, 0, reply);	/* @kc may go now */
		reply = NULL;
	}
	spin_unlock(&mb->lock);

	if (reply) {
		kipc_kmsg_free(reply);
		return ret;
	}
	trace_kipc_reply(mb->id, r->seq, r->len, took);
	kipc_nl_call_event(mb, h->user, KIPC_EVENT_REPLY, r->seq, type, r->len,
			   took, 0);
	return 0;
}
