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
 */

#include <linux/rbtree.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
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

/* @h is closing: the calls it owns and never answered fail, ECONNRESET. */
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
}

/*
 * The caller's wait for its reply, until @expires (KTIME_MAX: none): 0 or
 * the error the call ended with. A signal or the timeout makes the caller
 * give up (unless the answer came first): the call is GONE, and a REPLY to
 * it fails with ENOENT.
 */
static int kipc_call_wait(struct kipc_mbox *mb, struct kipc_kcall *kc,
			  ktime_t expires)
{
	bool blocked = false;
	int ret = 0;

	spin_lock(&mb->lock);
	while (kc->state != KIPC_CALL_DONE) {
		if (signal_pending(current)) {
			ret = -EINTR;
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
	if (ret)
		kipc_call_unlink(mb, kc, KIPC_CALL_GONE);
	else
		ret = kc->result;
	spin_unlock(&mb->lock);
	return ret;
}

/* A new call, referenced by its caller and by its request-to-be. */
static struct kipc_kcall *kipc_call_new(u32 reply_max, u64 now)
{
	struct kipc_kcall *kc = kzalloc(sizeof(*kc), GFP_KERNEL_ACCOUNT);

	if (!kc)
		return NULL;
	refcount_set(&kc->ref, 2);
	kc->reply_max = reply_max;
	kc->start_ns = now;
	INIT_LIST_HEAD(&kc->node);
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

/*
 * CALL on @mb, which the handle of @file may write to: @c's request, then
 * the wait for its reply, which is copied to @c's reply buffer. Sets
 * @c->seq once the request is sent, @c->reply_len once answered, and
 * @c->timeout_ns as kipc_msg_send() does if the send is to be restarted.
 */
int kipc_call(struct kipc_mbox *mb, u32 mode, struct file *file,
	      struct kipc_call *c)
{
	struct kipc_msg m = kipc_call_request(c);
	ktime_t expires = kipc_deadline(c->timeout_ns);
	u64 now = ktime_get_ns();
	struct kipc_kmsg *reply;
	struct kipc_kcall *kc;
	int ret;

	kc = kipc_call_new(c->reply_len, now);
	if (!kc)
		return -ENOMEM;
	/* The request holds its reference from here, even if it fails. */
	ret = kipc_msg_send_call(mb, mode, file, &m, kc);
	if (ret) {
		c->timeout_ns = m.timeout_ns;
		kipc_call_put(kc);
		return ret;
	}
	c->seq = kc->seq;
	ret = kipc_call_wait(mb, kc, expires);
	if (!ret) {
		reply = kc->reply;
		c->reply_len = reply->len;
		if (copy_to_user(u64_to_user_ptr(c->reply_buf), reply->data,
				 reply->len))
			ret = -EFAULT;
	}
	trace_kipc_call(mb->id, kc->seq, ret, ktime_get_ns() - now);
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
	} else if (reply->len > kc->reply_max) {
		ret = -EMSGSIZE;	/* the call stays pending */
	} else {
		took = now - kc->start_ns;
		kipc_call_end(mb, kc, 0, reply);
		reply = NULL;
	}
	spin_unlock(&mb->lock);

	if (reply)
		kipc_kmsg_free(reply);
	else
		trace_kipc_reply(mb->id, r->seq, r->len, took);
	return ret;
}
