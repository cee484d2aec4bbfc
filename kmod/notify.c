// SPDX-License-Identifier: GPL-2.0
/*
 * Signal notification: a handle registers its process for a signal when a
 * message is queued, as mq_notify() does, except that up to max_notify
 * handles may register on one mailbox. A registration holds the process by
 * struct pid, never by number.
 *
 * Registrations live on mbox->notifiers under mbox->notify_lock, a mutex
 * taken outside mbox->lock (see mailbox.c). A sender signals them after it
 * dropped mbox->lock, under notify_lock, so that no send does work
 * proportional to the registrations under the spinlock. Everything that
 * removes a registration (a one-shot firing, close, destroy, a SET that
 * revokes read permission) takes notify_lock too, so once it returns no
 * delivery still holds the registration, and no signal reaches a process
 * after its registration is gone. notify_count is changed under both locks:
 * mbox->lock for the snapshot STAT and netlink take, notify_lock for the
 * list; a send reads it without either, to skip the mutex when it is zero.
 */

#include <linux/cred.h>
#include <linux/pid_namespace.h>
#include <linux/rculist.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/signal.h>
#include <linux/user_namespace.h>

#include "kipc.h"
#include "trace.h"

static void kipc_notify_count_add(struct kipc_mbox *mb, int delta)
{
	lockdep_assert_held(&mb->notify_lock);

	spin_lock(&mb->lock);
	WRITE_ONCE(mb->notify_count, mb->notify_count + delta);
	spin_unlock(&mb->lock);
}

/* Takes @n off the list; the caller fixes notify_count. */
static void __kipc_notify_del(struct kipc_mbox *mb, struct kipc_notifier *n)
{
	lockdep_assert_held(&mb->notify_lock);

	list_del_init(&n->node);
	put_pid(n->pid);
	n->pid = NULL;
}

/* The first registration other than @self, or NULL. */
static struct kipc_notifier *kipc_notify_other(struct kipc_mbox *mb,
					       struct kipc_notifier *self)
{
	struct kipc_notifier *n;

	lockdep_assert_held(&mb->notify_lock);

	list_for_each_entry(n, &mb->notifiers, node)
		if (n != self)
			return n;
	return NULL;
}

/*
 * May @n (not yet or already registered) register as @kn asks? Under
 * notify_lock, which a SET that revokes read permission holds while it
 * changes the mode and drops the registrations: so this one is either
 * refused here or dropped by that SET. (kipc_mbox_gate() checked read
 * permission already; this is that check again, where it cannot race.)
 */
static int kipc_notify_may_add(struct kipc_mbox *mb, struct kipc_notifier *n,
			       const struct kipc_notify *kn)
{
	struct kipc_notifier *other;
	bool registered = !list_empty(&n->node);

	lockdep_assert_held(&mb->notify_lock);

	if (!kipc_mbox_may(mb, MAY_READ))
		return -EACCES;
	/* As mq_notify(): an exclusive registration is the only one. */
	other = kipc_notify_other(mb, n);
	if (other && ((other->flags | kn->flags) & KIPC_NOTIFY_EXCLUSIVE))
		return -EBUSY;
	if (mb->notify_count - registered >= READ_ONCE(kipc_max_notify))
		return -ENOSPC;
	return 0;
}

/* NOTIFY, its argument checked (main.c), on a mailbox past the gate. */
int kipc_notify_set(struct kipc_handle *h, struct kipc_mbox *mb,
		    const struct kipc_notify *kn)
{
	struct kipc_notifier *n = &h->notify;
	struct pid *new = NULL, *old = NULL;
	bool registered;
	int ret = 0;

	mutex_lock(&mb->notify_lock);
	registered = !list_empty(&n->node);
	if (kn->signo) {
		ret = kipc_notify_may_add(mb, n, kn);
		if (ret)
			goto out_unlock;
		new = get_pid(task_tgid(current));
	}

	/*
	 * Under mb->lock as well: notify_count for STAT, and mb->dead, which
	 * destroy sets under it before it drops every registration under
	 * notify_lock. So a registration made here is seen by that drop.
	 */
	spin_lock(&mb->lock);
	if (mb->dead) {
		ret = -EIDRM;
	} else {
		if (registered) {
			list_del_init(&n->node);
			old = n->pid;
			n->pid = NULL;
		}
		if (new) {
			n->pid = new;
			n->self_exec_id = current->self_exec_id;
			n->signo = kn->signo;
			n->flags = kn->flags;
			list_add_tail(&n->node, &mb->notifiers);
			new = NULL;
		}
		WRITE_ONCE(mb->notify_count, mb->notify_count - registered +
			   !list_empty(&n->node));
	}
	spin_unlock(&mb->lock);
	put_pid(old);
	put_pid(new);
out_unlock:
	mutex_unlock(&mb->notify_lock);
	return ret;
}

/* Whether @t would take @sig now (complete_signal()'s wants_signal()). */
static bool kipc_notify_wants(struct task_struct *t, int sig)
{
	if (READ_ONCE(t->flags) & PF_EXITING)
		return false;
	/* Without the siglock: a hint, racy anyway (kipc_notify_target()). */
	return !data_race(sigismember(&t->blocked, sig));
}

/*
 * The thread of @leader's group to send @sig to. No exported function
 * sends our own siginfo to a thread group, so we make complete_signal()'s
 * choice ourselves and send to that thread: the leader if it does not block
 * @sig, else the first live thread that does not (a worker in sigwaitinfo()
 * has it unblocked while it waits), else, in a single-threaded process,
 * the leader. NULL if none: the caller then signals the group with the
 * kernel's siginfo. The masks are read without the siglock, which
 * send_sig_info() takes again anyway: a thread may block @sig just after
 * we looked, and the signal then waits for that thread (design.md).
 * Returns a referenced task, or NULL. Under rcu_read_lock().
 */
static struct task_struct *kipc_notify_target(struct task_struct *leader,
					      int sig)
{
	struct task_struct *t, *pick = NULL;

	if (kipc_notify_wants(leader, sig)) {
		pick = leader;
	} else {
		for_each_thread(leader, t) {
			if (kipc_notify_wants(t, sig)) {
				pick = t;
				break;
			}
		}
	}
	/*
	 * Nobody takes it now. A single thread will, when it unblocks it or
	 * waits for it; in a group, a signal left with one thread may be for
	 * another (a worker between two sigwaitinfo() calls): NULL, and the
	 * caller sends it to the group instead.
	 */
	if (!pick && get_nr_threads(leader) == 1 &&
	    !(READ_ONCE(leader->flags) & PF_EXITING))
		pick = leader;
	if (pick)
		get_task_struct(pick);
	return pick;
}

/* Signals @n's process; returns whether a signal was sent. */
static bool kipc_notify_one(struct kipc_mbox *mb, struct kipc_notifier *n)
{
	struct task_struct *task, *leader;
	struct kernel_siginfo info;
	int ret;

	rcu_read_lock();
	leader = pid_task(n->pid, PIDTYPE_TGID);
	/* As mqueue does: a program that exec'd did not ask for this. */
	if (!leader || READ_ONCE(leader->self_exec_id) != n->self_exec_id) {
		rcu_read_unlock();
		return false;
	}
	task = kipc_notify_target(leader, n->signo);
	rcu_read_unlock();
	if (!task) {
		/*
		 * Process-directed, as the kernel's own signals are, so that
		 * no thread can miss it; but the only exported way sends
		 * the kernel's siginfo (SI_KERNEL, no mailbox id): design.md.
		 */
		ret = kill_pid(n->pid, n->signo, 1);
		if (!ret)
			trace_kipc_notify(mb->id, pid_nr(n->pid), n->signo);
		return !ret;
	}

	clear_siginfo(&info);
	info.si_signo = n->signo;
	info.si_code = SI_MESGQ;
	info.si_int = mb->id;
	info.si_pid = task_tgid_nr_ns(current, ns_of_pid(n->pid));
	/*
	 * The real uid, as kill(2) reports it, as current's user namespace
	 * sees it: send_signal_locked() translates si_uid into the target's
	 * user namespace itself (translating it here too did it twice).
	 */
	info.si_uid = from_kuid_munged(current_user_ns(), current_uid());
	ret = send_sig_info(n->signo, &info, task);
	put_task_struct(task);
	if (ret)
		return false;
	trace_kipc_notify(mb->id, pid_nr(n->pid), n->signo);
	return true;
}

/* Registrations signalled between two chances to reschedule. */
#define KIPC_NOTIFY_RESCHED	64

/**
 * kipc_notify_deliver - signal the registrations for one queued message
 * @mb: the mailbox
 * @was_empty: the queue was empty before this message (KIPC_NOTIFY_EDGE)
 * @idle: no receiver was blocked on @mb when it was queued (KIPC_NOTIFY_IDLE)
 *
 * Called by the sender after it dropped mb->lock, in process context with
 * no kipc lock held, once per queued message; it sleeps on notify_lock
 * when @mb has registrations. Returns how many registrations were
 * signalled.
 */
unsigned int kipc_notify_deliver(struct kipc_mbox *mb, bool was_empty,
				 bool idle)
{
	struct kipc_notifier *n, *tmp;
	unsigned int sent = 0, seen = 0;
	int fired = 0;

	/*
	 * A registration made before this send began is counted by now.
	 * No might_sleep() before this: with none, a send does not offer to
	 * reschedule here (the receiver it just woke would run first).
	 */
	if (!READ_ONCE(mb->notify_count))
		return 0;

	mutex_lock(&mb->notify_lock);
	list_for_each_entry_safe(n, tmp, &mb->notifiers, node) {
		if ((n->flags & KIPC_NOTIFY_EDGE) && !was_empty)
			continue;
		if ((n->flags & KIPC_NOTIFY_IDLE) && !idle)
			continue;
		sent += kipc_notify_one(mb, n);
		if (n->flags & KIPC_NOTIFY_ONESHOT) {
			__kipc_notify_del(mb, n);
			fired++;
		}
		/*
		 * Not after each one: a woken registrant would preempt us
		 * once per signal. But max_notify is root's to raise.
		 */
		if (!(++seen % KIPC_NOTIFY_RESCHED))
			cond_resched();
	}
	if (fired)
		kipc_notify_count_add(mb, -fired);
	mutex_unlock(&mb->notify_lock);
	return sent;
}

/* Drops @n (a handle going away), waiting out a delivery that holds it. */
void kipc_notify_unregister(struct kipc_mbox *mb, struct kipc_notifier *n)
{
	mutex_lock(&mb->notify_lock);
	if (!list_empty(&n->node)) {
		__kipc_notify_del(mb, n);
		kipc_notify_count_add(mb, -1);
	}
	mutex_unlock(&mb->notify_lock);
}

/* close(): the registering process lets go of its registration. */
void kipc_notify_flush(struct kipc_handle *h)
{
	struct kipc_mbox *mb = kipc_attached(h);
	struct kipc_notifier *n = &h->notify;

	if (!mb)
		return;
	mutex_lock(&mb->notify_lock);
	if (!list_empty(&n->node) && n->pid == task_tgid(current)) {
		__kipc_notify_del(mb, n);
		kipc_notify_count_add(mb, -1);
	}
	mutex_unlock(&mb->notify_lock);
}

/* Destroy, or a SET that revokes read permission. */
void kipc_notify_drop_all(struct kipc_mbox *mb)
{
	struct kipc_notifier *n, *tmp;
	int dropped = 0;

	lockdep_assert_held(&mb->notify_lock);

	list_for_each_entry_safe(n, tmp, &mb->notifiers, node) {
		__kipc_notify_del(mb, n);
		dropped++;
	}
	if (dropped)
		kipc_notify_count_add(mb, -dropped);
}
