// SPDX-License-Identifier: GPL-2.0
/*
 * Signal notification: a handle registers its process for a signal when a
 * message is queued, as mq_notify() does, except that any number of handles
 * may register on one mailbox. Registrations live on mbox->notifiers under
 * mbox->lock and hold the process by struct pid, never by number.
 */

#include <linux/cred.h>
#include <linux/pid_namespace.h>
#include <linux/sched/signal.h>
#include <linux/signal.h>
#include <linux/user_namespace.h>

#include "kipc.h"
#include "trace.h"

void kipc_notify_unregister(struct kipc_mbox *mb, struct kipc_notifier *n)
{
	lockdep_assert_held(&mb->lock);

	list_del_init(&n->node);
	mb->notify_count--;
	put_pid(n->pid);
	put_user_ns(n->user_ns);
	n->pid = NULL;
	n->user_ns = NULL;
}

int kipc_notify_set(struct kipc_handle *h, const struct kipc_notify *kn)
{
	struct kipc_mbox *mb = kipc_attached(h);
	struct kipc_notifier *n = &h->notify;
	int ret = 0;

	if (kn->flags & ~KIPC_NOTIFY_FLAGS)
		return -EINVAL;
	if (!valid_signal(kn->signo) || (!kn->signo && kn->flags))
		return -EINVAL;
	if (!mb)
		return -ENOTCONN;
	if (kn->signo && !kipc_mbox_may(mb, MAY_READ))
		return -EACCES;

	spin_lock(&mb->lock);
	if (mb->dead) {
		ret = -EIDRM;
		goto out_unlock;
	}
	if (!list_empty(&n->node))
		kipc_notify_unregister(mb, n);
	if (kn->signo) {
		n->pid = get_pid(task_tgid(current));
		n->user_ns = get_user_ns(current_user_ns());
		n->self_exec_id = current->self_exec_id;
		n->signo = kn->signo;
		n->flags = kn->flags;
		list_add_tail(&n->node, &mb->notifiers);
		mb->notify_count++;
	}
out_unlock:
	spin_unlock(&mb->lock);
	return ret;
}

static void kipc_notify_one(struct kipc_mbox *mb, struct kipc_notifier *n)
{
	struct kernel_siginfo info;
	struct task_struct *task;

	clear_siginfo(&info);
	info.si_signo = n->signo;
	info.si_code = SI_MESGQ;
	info.si_int = mb->id;
	info.si_pid = task_tgid_nr_ns(current, ns_of_pid(n->pid));
	info.si_uid = from_kuid_munged(n->user_ns, current_uid());

	rcu_read_lock();
	task = pid_task(n->pid, PIDTYPE_TGID);
	/* As mqueue does: a program that exec'd did not ask for this. */
	if (task && task->self_exec_id == n->self_exec_id) {
		send_sig_info(n->signo, &info, task);
		trace_kipc_notify(mb->id, pid_nr(n->pid), n->signo);
	}
	rcu_read_unlock();
}

/*
 * A message was just queued (mb->lock is not held). Returns how many
 * registrations were signalled.
 */
unsigned int kipc_notify_deliver(struct kipc_mbox *mb, bool was_empty,
				 bool idle)
{
	struct kipc_notifier *n, *tmp;
	unsigned int sent = 0;

	if (!READ_ONCE(mb->notify_count))
		return 0;
	spin_lock(&mb->lock);
	list_for_each_entry_safe(n, tmp, &mb->notifiers, node) {
		if ((n->flags & KIPC_NOTIFY_EDGE) && !was_empty)
			continue;
		kipc_notify_one(mb, n);
		sent++;
		if (n->flags & KIPC_NOTIFY_ONESHOT)
			kipc_notify_unregister(mb, n);
	}
	spin_unlock(&mb->lock);
	return sent;
}

/* close(): the registering process lets go of its registration. */
void kipc_notify_flush(struct kipc_handle *h)
{
	struct kipc_mbox *mb = kipc_attached(h);

	if (!mb)
		return;
	spin_lock(&mb->lock);
	if (!list_empty(&h->notify.node) && h->notify.pid == task_tgid(current))
		kipc_notify_unregister(mb, &h->notify);
	spin_unlock(&mb->lock);
}

void kipc_notify_drop_all(struct kipc_mbox *mb)
{
	struct kipc_notifier *n, *tmp;

	list_for_each_entry_safe(n, tmp, &mb->notifiers, node)
		kipc_notify_unregister(mb, n);
}
