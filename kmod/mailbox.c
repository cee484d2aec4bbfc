// SPDX-License-Identifier: GPL-2.0
/*
 * Mailboxes: creation, lookup, permissions, destruction.
 *
 * Locking, outermost first:
 *
 *   handle->lock		serialises create/attach on one handle
 *   kipc_registry_lock	the id xarray, the name table, the namespaces
 *			(struct kipc_ns) and their lists of mailboxes, the
 *			mailbox counts (module-wide and per user); taken to
 *			create, attach, destroy, detach and reap
 *   mbox->notify_lock	a mutex: the notifiers list (notify.c); a sender
 *			takes it after dropping mbox->lock to signal them
 *   mbox->lock		a spinlock: a mailbox's queue, counters, mode,
 *			and blocked senders and receivers; the
 *			only lock on the send/receive path. Nothing that
 *			sleeps or faults runs under it: no copy to or from
 *			user space, no allocation, no netlink event, no
 *			kill_fasync(), no notification signal; wake-ups do.
 *   mbox->pollq's lock	(inside the waitqueue) taken after mbox->lock is
 *			dropped, to wake poll and epoll
 *   kipc_users_lock	(user.c) a spinlock around the table of users only,
 *			taken by the last put of a user, under any of these
 *
 * A mailbox holds one reference for the registry, dropped at destroy, and
 * one for each attached handle. mbox->dead is set, under both the registry
 * lock and mbox->lock, when the mailbox leaves the registry. Its messages
 * are freed, and the registry's reference dropped, after the registry lock
 * (kipc_registry_unlock()): a destroyed queue may hold a million messages,
 * and every create and attach waits for that lock.
 *
 * Namespaces: a mailbox belongs to the IPC namespace of its creator. The
 * first mailbox of a namespace makes its struct kipc_ns, which holds one
 * reference to the namespace for all of them; a reaper (a delayed work,
 * every KIPC_REAP_INTERVAL, and synchronously before a create or a charge
 * would fail with ENOSPC) destroys the mailboxes of a namespace that only
 * that reference keeps alive, and lets go of it (docs/design.md,
 * "Namespaces").
 */

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/delay.h>
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/hashtable.h>
#include <linux/ipc_namespace.h>
#include <linux/llist.h>
#include <linux/nsproxy.h>
#include <linux/pid_namespace.h>
#include <linux/poll.h>
#include <linux/proc_fs.h>
#include <linux/proc_ns.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/user_namespace.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include "kipc.h"
#include "trace.h"

static DEFINE_MUTEX(kipc_registry_lock);
static DEFINE_XARRAY_ALLOC(kipc_ids);
static DEFINE_HASHTABLE(kipc_names, 12);
static DEFINE_HASHTABLE(kipc_nss, 6);	/* struct kipc_ns, by namespace */
static u32 kipc_next_id = 1;	/* where the cyclic id search starts */
static u32 kipc_nr_mailboxes;
static u32 kipc_nr_watched;	/* kipc_nss entries the reaper watches */
static u64 kipc_created;
static u64 kipc_destroyed;
static u32 kipc_generation;	/* bumped on every create and destroy */

/* Totals of destroyed mailboxes, so module-wide totals survive them. */
static u64 kipc_gone_sent;
static u64 kipc_gone_received;

/* The initial IPC namespace: it never dies, so the reaper ignores it. */
static struct ipc_namespace *kipc_init_ipc_ns;

#define KIPC_REAP_INTERVAL	HZ
static void kipc_reap_work(struct work_struct *work);
static DECLARE_DELAYED_WORK(kipc_reaper, kipc_reap_work);
static void kipc_ns_release_work(struct work_struct *work);
static DECLARE_DELAYED_WORK(kipc_releaser, kipc_ns_release_work);
static LLIST_HEAD(kipc_ns_free);	/* struct kipc_ns to release */

void __init kipc_mbox_init(void)
{
	kipc_init_ipc_ns = init_task.nsproxy->ipc_ns;
}

static u32 kipc_reap(bool all);

/* Destroyed mailboxes whose messages are still to be freed (ns_node). */
static LIST_HEAD(kipc_graveyard);

/*
 * Every section under kipc_registry_lock ends here: what the section
 * destroyed is freed after the mutex is dropped.
 */
static void kipc_registry_unlock(void)
{
	struct kipc_mbox *mb, *next;
	LIST_HEAD(gone);

	list_splice_init(&kipc_graveyard, &gone);
	mutex_unlock(&kipc_registry_lock);

	list_for_each_entry_safe(mb, next, &gone, ns_node) {
		kipc_kmsg_free_index(&mb->gone);
		kipc_mbox_put(mb);	/* the registry's */
	}
}

/* Reaps now; true if that destroyed any mailbox. */
bool kipc_reap_now(void)
{
	u32 n;

	mutex_lock(&kipc_registry_lock);
	n = kipc_reap(false);
	kipc_registry_unlock();
	return n;
}

static u32 kipc_name_hash(const struct ipc_namespace *ns, const char *name)
{
	return full_name_hash(ns, name, strlen(name));
}

static struct kipc_mbox *kipc_find_name(const struct ipc_namespace *ns,
					const char *name)
{
	struct kipc_mbox *mb;

	lockdep_assert_held(&kipc_registry_lock);

	hash_for_each_possible(kipc_names, mb, name_node,
			       kipc_name_hash(ns, name))
		if (mb->ns == ns && !strcmp(mb->name, name))
			return mb;
	return NULL;
}

/*
 * Namespaces. Mailboxes are keyed by their IPC namespace's address, so the
 * namespace must outlive them: else a new namespace at the same address
 * would see them. One struct kipc_ns per namespace holds a reference for
 * all its mailboxes, taken with get_ipc_ns() by the first creator (whose
 * nsproxy holds the namespace, so it cannot be dying), with no file and no
 * descriptor.
 *
 * put_ipc_ns() is not exported, but open_related_ns() is, and it consumes
 * the reference its get_ns callback returns: it gives it to the
 * namespace's nsfs inode, or puts it (with the kernel's own put) when that
 * inode exists already. So our reference is handed over once, and the file
 * closed at once: the nsfs file's release puts the namespace, and frees it
 * if that was the last reference. Only kipc_releaser does this, in a
 * kworker: the descriptor lives for a moment in the kernel threads' own
 * table (init_files), never in a user process's.
 */
static struct ns_common *kipc_handover;	/* kipc_releaser's only */

static struct ns_common *kipc_ns_hand_over(struct ns_common *ns)
{
	/*
	 * Once only: open_related_ns() calls again when another nsfs inode
	 * won a race, but it has consumed ours then (the loser's inode put it).
	 */
	if (ns != kipc_handover)
		return ERR_PTR(-EAGAIN);
	kipc_handover = NULL;
	return ns;
}

/* True if our reference to @ns is gone; false if it could not be given. */
static bool kipc_ns_drop_ref(struct ipc_namespace *ns)
{
	int fd;

	kipc_handover = &ns->ns;
	fd = open_related_ns(&ns->ns, kipc_ns_hand_over);
	if (fd >= 0)
		close_fd(fd);
	if (!kipc_handover)
		return true;
	/* No descriptor or no memory: the callback never ran. */
	kipc_handover = NULL;
	return false;
}

static void kipc_ns_release_work(struct work_struct *work)
{
	struct llist_node *list = llist_del_all(&kipc_ns_free);
	struct kipc_ns *kns, *tmp;

	llist_for_each_entry_safe(kns, tmp, list, free_node) {
		if (kipc_ns_drop_ref(kns->ns)) {
			kfree(kns);
			continue;
		}
		llist_add(&kns->free_node, &kipc_ns_free);
		queue_delayed_work(system_wq, &kipc_releaser, HZ);
	}
}

static void kipc_ns_put(struct kipc_ns *kns)
{
	if (!refcount_dec_and_test(&kns->ref))
		return;
	llist_add(&kns->free_node, &kipc_ns_free);
	mod_delayed_work(system_wq, &kipc_releaser, 0);
}

static struct kipc_ns *kipc_ns_find(const struct ipc_namespace *ns)
{
	struct kipc_ns *kns;

	lockdep_assert_held(&kipc_registry_lock);

	hash_for_each_possible(kipc_nss, kns, node, (unsigned long)ns)
		if (kns->ns == ns)
			return kns;
	return NULL;
}

/*
 * A reference (for a new mailbox) to the entry of @ns, the caller's own
 * namespace; made from *@new, which is then NULL, if there is none.
 */
static struct kipc_ns *kipc_ns_get(struct ipc_namespace *ns,
				   struct kipc_ns **new)
{
	struct kipc_ns *kns = kipc_ns_find(ns);

	if (!kns) {
		kns = *new;
		*new = NULL;
		kns->ns = get_ipc_ns(ns);
		refcount_set(&kns->ref, 1);	/* the registry's */
		INIT_LIST_HEAD(&kns->mailboxes);
		hash_add(kipc_nss, &kns->node, (unsigned long)ns);
		if (ns != kipc_init_ipc_ns && !kipc_nr_watched++)
			queue_delayed_work(system_wq, &kipc_reaper,
					   KIPC_REAP_INTERVAL);
	}
	refcount_inc(&kns->ref);
	return kns;
}

/* Takes @kns out of the registry and drops the registry's reference. */
static void kipc_ns_unhash(struct kipc_ns *kns)
{
	lockdep_assert_held(&kipc_registry_lock);

	hash_del(&kns->node);
	if (kns->ns != kipc_init_ipc_ns)
		kipc_nr_watched--;
	kipc_ns_put(kns);
}

/*
 * No process, no nsfs file or bind mount, no shm segment uses the
 * namespace: only our reference is left. Then no one can enter it again
 * (that takes an nsproxy or nsfs reference to it), so this stays true.
 */
static bool kipc_ns_unused(const struct kipc_ns *kns)
{
	return refcount_read(&kns->ns->ns.count) == 1;
}

static void kipc_mbox_release(struct kref *ref)
{
	struct kipc_mbox *mb = container_of(ref, struct kipc_mbox, ref);

	put_pid(mb->last_sender);
	put_pid(mb->last_receiver);
	kipc_user_put(mb->user);
	kipc_ns_put(mb->kns);
	kfree(mb);
}

void kipc_mbox_put(struct kipc_mbox *mb)
{
	kref_put(&mb->ref, kipc_mbox_release);
}

/*
 * Does @mode grant the caller @mask (MAY_READ or MAY_WRITE) on @mb?
 * CAP_IPC_OWNER overrides the mode.
 */
bool kipc_mode_may(struct kipc_mbox *mb, u32 mode, int mask)
{
	u32 granted = mode;

	if (uid_eq(current_euid(), mb->uid))
		granted >>= 6;
	else if (in_egroup_p(mb->gid))
		granted >>= 3;

	if ((granted & mask & 7) == mask)
		return true;
	return ns_capable(mb->ns->user_ns, CAP_IPC_OWNER);
}

bool kipc_mbox_may(struct kipc_mbox *mb, int mask)
{
	return kipc_mode_may(mb, READ_ONCE(mb->mode), mask);
}

static bool kipc_mbox_owner(struct kipc_mbox *mb)
{
	return uid_eq(current_euid(), mb->uid) ||
	       ns_capable(mb->ns->user_ns, CAP_IPC_OWNER);
}

/*
 * The gate of every op on a handle's mailbox, after the op's argument
 * passed its shape checks (main.c), in the order the uapi header gives:
 * ENOTCONN, then EIDRM, then EACCES or EPERM as @need says. Returns the
 * attached mailbox or an ERR_PTR. A destroy that comes after the gate is
 * found under the mailbox's lock by the op itself (EIDRM, the same answer).
 * *@mode, if not NULL, is the mode the gate judged by: a send or receive
 * asks again under the lock only if it changed since (kipc_ready()).
 */
struct kipc_mbox *kipc_mbox_gate(struct kipc_handle *h, enum kipc_need need,
				 u32 *mode)
{
	struct kipc_mbox *mb = kipc_attached(h);
	u32 seen;

	if (!mb)
		return ERR_PTR(-ENOTCONN);
	/* Read without the lock: destroy sets it once, under mb->lock. */
	if (READ_ONCE(mb->dead))
		return ERR_PTR(-EIDRM);
	seen = READ_ONCE(mb->mode);
	if (mode)
		*mode = seen;
	switch (need) {
	case KIPC_NEED_NOTHING:
		return mb;
	case KIPC_NEED_READ:
		return kipc_mode_may(mb, seen, MAY_READ) ? mb : ERR_PTR(-EACCES);
	case KIPC_NEED_WRITE:
		return kipc_mode_may(mb, seen, MAY_WRITE) ? mb : ERR_PTR(-EACCES);
	case KIPC_NEED_OWNER:
		return kipc_mbox_owner(mb) ? mb : ERR_PTR(-EPERM);
	}
	return ERR_PTR(-EINVAL);
}

static int kipc_check_limits(u32 capacity, u64 capacity_bytes,
			     u32 max_msg_size)
{
	if (!capacity || capacity > KIPC_CAPACITY_MAX)
		return -EINVAL;
	if (max_msg_size > READ_ONCE(kipc_max_msg_size))
		return -EINVAL;
	if (capacity_bytes < max_msg_size ||
	    capacity_bytes > READ_ONCE(kipc_max_total_bytes))
		return -EINVAL;
	return 0;
}

/*
 * Room for one more mailbox of @u's, under max_mailboxes and (unless the
 * caller has CAP_SYS_RESOURCE) max_user_mailboxes. The mailboxes of unused
 * namespaces are reaped before the answer is no.
 */
static int kipc_mbox_room(struct kipc_user *u)
{
	bool reaped = false;

	lockdep_assert_held(&kipc_registry_lock);

	for (;;) {
		if (kipc_nr_mailboxes < READ_ONCE(kipc_max_mailboxes) &&
		    (atomic_read(&u->mailboxes) <
		     READ_ONCE(kipc_max_user_mailboxes) ||
		     !kipc_user_limited()))
			return 0;
		if (reaped || !kipc_reap(false))
			return -ENOSPC;
		reaped = true;
	}
}

/*
 * Create's first phase: a mailbox as @kc asks, its defaults filled in and
 * its limits checked, not yet anyone's to see; or an ERR_PTR.
 */
static struct kipc_mbox *kipc_mbox_alloc(const struct kipc_create *kc)
{
	u32 capacity = kc->capacity ?: READ_ONCE(kipc_default_capacity);
	u32 max_msg_size = kc->max_msg_size ?: READ_ONCE(kipc_max_msg_size);
	u64 cap_bytes = kc->capacity_bytes ?:
		max_t(u64, READ_ONCE(kipc_default_capacity_bytes), max_msg_size);
	struct kipc_mbox *mb;
	int ret;

	ret = kipc_check_limits(capacity, cap_bytes, max_msg_size);
	if (ret)
		return ERR_PTR(ret);
	mb = kzalloc(sizeof(*mb), GFP_KERNEL_ACCOUNT);
	if (!mb)
		return ERR_PTR(-ENOMEM);
	kref_init(&mb->ref);
	spin_lock_init(&mb->lock);
	mb->msgs = KIPC_INDEX_INIT;
	mb->gone = KIPC_INDEX_INIT;
	mb->rwaiters = KIPC_INDEX_INIT;
	mb->swaiters = KIPC_INDEX_INIT;
	init_waitqueue_head(&mb->pollq);
	mutex_init(&mb->notify_lock);
	INIT_LIST_HEAD(&mb->notifiers);
	INIT_LIST_HEAD(&mb->calls);
	strscpy(mb->name, kc->name, sizeof(mb->name));
	mb->temp = kc->flags & KIPC_CREATE_TEMP;
	mb->ns = current->nsproxy->ipc_ns;
	mb->uid = current_euid();
	mb->gid = current_egid();
	mb->mode = kc->mode ?: 0600;
	mb->capacity = capacity;
	mb->capacity_bytes = cap_bytes;
	mb->max_msg_size = max_msg_size;
	mb->ctime_ns = ktime_get_real_ns();
	mb->handles = 1;
	return mb;
}

/*
 * Create's second phase: @mb gets its id and name in the registry and
 * becomes @h's mailbox, or nothing happens. *@new_kns becomes the entry of
 * the namespace if it is the namespace's first mailbox; without one, it
 * returns 1: allocate one (not under the lock) and try again.
 */
static int kipc_mbox_register(struct kipc_handle *h, struct kipc_mbox *mb,
			      struct kipc_ns **new_kns)
{
	int ret;

	lockdep_assert_held(&h->lock);

	mutex_lock(&kipc_registry_lock);
	ret = kipc_mbox_room(h->user);
	if (ret)
		goto out_unlock;
	if (!*new_kns && !kipc_ns_find(mb->ns)) {
		ret = 1;
		goto out_unlock;
	}
	if (kipc_find_name(mb->ns, mb->name)) {
		ret = -EEXIST;
		goto out_unlock;
	}
	/* Ids cycle: the lowest free one after the last given, wrapping. */
	ret = xa_alloc_cyclic(&kipc_ids, &mb->id, mb,
			      XA_LIMIT(1, KIPC_ID_MAX), &kipc_next_id,
			      GFP_KERNEL_ACCOUNT);
	if (ret < 0) {
		if (ret == -EBUSY)
			ret = -ENOSPC;
		goto out_unlock;
	}
	ret = 0;
	/* Nothing fails from here on. */
	mb->kns = kipc_ns_get(mb->ns, new_kns);
	list_add_tail(&mb->ns_node, &mb->kns->mailboxes);
	mb->kns->nr_mailboxes++;
	mb->user = kipc_user_hold(h->user);
	atomic_inc(&mb->user->mailboxes);
	hash_add(kipc_names, &mb->name_node, kipc_name_hash(mb->ns, mb->name));
	kipc_nr_mailboxes++;
	kipc_created++;
	WRITE_ONCE(kipc_generation, kipc_generation + 1);

	kref_get(&mb->ref);	/* the handle's */
	/* Publish only a fully set-up mailbox; see kipc_attached(). */
	smp_store_release(&h->mbox, mb);
out_unlock:
	kipc_registry_unlock();
	return ret;
}

/* CREATE, its argument checked (main.c): allocate, then register. */
int kipc_mbox_create(struct kipc_handle *h, const struct kipc_create *kc,
		     u32 *id)
{
	struct kipc_ns *new_kns = NULL;
	struct kipc_mbox *mb;
	int ret;

	mb = kipc_mbox_alloc(kc);
	if (IS_ERR(mb))
		return PTR_ERR(mb);

	mutex_lock(&h->lock);
	for (;;) {
		ret = h->mbox ? -EISCONN : kipc_mbox_register(h, mb, &new_kns);
		if (ret <= 0)
			break;
		/* The namespace's first mailbox: its entry, then again. */
		new_kns = kzalloc(sizeof(*new_kns), GFP_KERNEL_ACCOUNT);
		if (!new_kns) {
			ret = -ENOMEM;
			break;
		}
	}
	mutex_unlock(&h->lock);
	kfree(new_kns);
	if (ret) {
		kfree(mb);
		return ret;
	}
	*id = mb->id;
	kipc_nl_mbox_event(mb, h->user, KIPC_EVENT_CREATE);
	return 0;
}

/*
 * The id the next create tries first (the next_id test hook, main.c): past
 * the top, the search starts again at the bottom.
 */
u32 kipc_ids_next(void)
{
	u32 id;

	mutex_lock(&kipc_registry_lock);
	id = kipc_next_id > KIPC_ID_MAX ? 1 : kipc_next_id;
	kipc_registry_unlock();
	return id;
}

int kipc_ids_set_next(u32 id)
{
	if (!id || id > KIPC_ID_MAX)
		return -EINVAL;
	mutex_lock(&kipc_registry_lock);
	kipc_next_id = id;
	kipc_registry_unlock();
	return 0;
}

/*
 * Returns a referenced mailbox of the caller's IPC namespace (by @id, of
 * any namespace with @all_ns), or NULL.
 */
static struct kipc_mbox *kipc_lookup(u32 id, const char *name, bool all_ns)
{
	struct ipc_namespace *ns = current->nsproxy->ipc_ns;
	struct kipc_mbox *mb;

	lockdep_assert_held(&kipc_registry_lock);

	if (name)
		mb = kipc_find_name(ns, name);
	else
		mb = xa_load(&kipc_ids, id);
	if (!mb || (mb->ns != ns && !all_ns))
		return NULL;
	kref_get(&mb->ref);
	return mb;
}

/* @all_ns: of any namespace; the caller checked the capability. */
struct kipc_mbox *kipc_mbox_get_by_id(u32 id, bool all_ns)
{
	struct kipc_mbox *mb;

	mutex_lock(&kipc_registry_lock);
	mb = kipc_lookup(id, NULL, all_ns);
	kipc_registry_unlock();
	return mb;
}

struct kipc_mbox *kipc_mbox_get_by_name(const char *name)
{
	struct kipc_mbox *mb;

	mutex_lock(&kipc_registry_lock);
	mb = kipc_lookup(0, name, false);
	kipc_registry_unlock();
	return mb;
}

/* ATTACH, its argument checked (main.c). */
int kipc_mbox_attach(struct kipc_handle *h, const struct kipc_attach *ka,
		     u32 *id)
{
	bool by_id = ka->flags & KIPC_ATTACH_BY_ID;
	bool all_ns = ka->flags & KIPC_ATTACH_ALL_NS;
	struct kipc_mbox *mb;
	int ret;

	if (all_ns && !capable(CAP_IPC_OWNER))
		return -EPERM;

	mutex_lock(&h->lock);
	if (h->mbox) {
		ret = -EISCONN;
		goto out_unlock_handle;
	}

	mutex_lock(&kipc_registry_lock);
	mb = kipc_lookup(ka->id, by_id ? NULL : ka->name, all_ns);
	if (!mb) {
		ret = -ENOENT;
		goto out_unlock_registry;
	}
	if (!kipc_mbox_may(mb, MAY_READ) && !kipc_mbox_may(mb, MAY_WRITE)) {
		kipc_mbox_put(mb);
		ret = -EACCES;
		goto out_unlock_registry;
	}
	spin_lock(&mb->lock);
	mb->handles++;
	spin_unlock(&mb->lock);
	/* Pairs with kipc_attached(). */
	smp_store_release(&h->mbox, mb);
	*id = mb->id;
	ret = 0;

out_unlock_registry:
	kipc_registry_unlock();
out_unlock_handle:
	mutex_unlock(&h->lock);
	return ret;
}

/*
 * Takes @mb out of the registry and wakes every sleeper; its messages are
 * freed by kipc_registry_unlock().
 */
static void __kipc_mbox_destroy(struct kipc_mbox *mb, bool quiet)
{
	u32 dropped;

	lockdep_assert_held(&kipc_registry_lock);

	xa_erase(&kipc_ids, mb->id);
	hash_del(&mb->name_node);
	list_del(&mb->ns_node);
	mb->kns->nr_mailboxes--;
	atomic_dec(&mb->user->mailboxes);
	kipc_nr_mailboxes--;
	kipc_destroyed++;
	WRITE_ONCE(kipc_generation, kipc_generation + 1);

	spin_lock(&mb->lock);
	WRITE_ONCE(mb->dead, true);	/* read locklessly: kipc_mbox_gate() */
	dropped = mb->depth;
	mb->dropped += dropped;
	kipc_gone_sent += mb->sent;
	kipc_gone_received += mb->received;
	kipc_calls_end(mb, -EIDRM);
	kipc_drain(mb, &mb->gone);
	kipc_wake_all(mb);
	spin_unlock(&mb->lock);

	/* A registration made before @dead was set is on the list now. */
	mutex_lock(&mb->notify_lock);
	kipc_notify_drop_all(mb);
	mutex_unlock(&mb->notify_lock);

	wake_up_poll(&mb->pollq, EPOLLHUP | EPOLLERR);
	kill_fasync(&mb->fasync, SIGIO, POLL_HUP);

	trace_kipc_destroy(mb->id, dropped);
	/* Under the registry lock: in order with a CREATE of the same name. */
	if (!quiet)
		kipc_nl_mbox_event(mb, NULL, KIPC_EVENT_DESTROY);
	list_add_tail(&mb->ns_node, &kipc_graveyard);
}

/* DESTROY, past the gate: EIDRM only if another destroy won the race. */
int kipc_mbox_destroy(struct kipc_mbox *mb)
{
	int ret = 0;

	mutex_lock(&kipc_registry_lock);
	if (mb->dead)
		ret = -EIDRM;
	else
		__kipc_mbox_destroy(mb, false);
	kipc_registry_unlock();
	return ret;
}

/* The handle is closing: drop its registration, and a temp mailbox with it. */
void kipc_mbox_detach(struct kipc_handle *h)
{
	struct kipc_mbox *mb = h->mbox;
	bool last;

	if (!mb)
		return;

	kipc_notify_unregister(mb, &h->notify);
	mutex_lock(&kipc_registry_lock);
	spin_lock(&mb->lock);
	last = !--mb->handles;
	spin_unlock(&mb->lock);
	if (last && mb->temp && !mb->dead)
		__kipc_mbox_destroy(mb, false);
	kipc_registry_unlock();

	kipc_mbox_put(mb);
}

/*
 * Destroys the mailboxes of every namespace that no one uses any more, and
 * with @all, lets go of the namespaces that have no mailbox left (so that
 * kipc holds no namespace it has no use for). Returns how many mailboxes
 * it destroyed.
 */
static u32 kipc_reap(bool all)
{
	struct kipc_mbox *mb, *next;
	struct hlist_node *tmp;
	struct kipc_ns *kns;
	u32 n = 0;
	int bkt;

	lockdep_assert_held(&kipc_registry_lock);

	hash_for_each_safe(kipc_nss, bkt, tmp, kns, node) {
		bool unused = kipc_ns_unused(kns);

		if (unused) {
			/* As KIPC_IOC_DESTROY would: EIDRM, events and all. */
			list_for_each_entry_safe(mb, next, &kns->mailboxes,
						 ns_node) {
				__kipc_mbox_destroy(mb, false);
				n++;
			}
		}
		if (!kns->nr_mailboxes && (all || unused))
			kipc_ns_unhash(kns);
	}
	return n;
}

static void kipc_reap_work(struct work_struct *work)
{
	bool again;

	mutex_lock(&kipc_registry_lock);
	kipc_reap(true);
	again = kipc_nr_watched;
	kipc_registry_unlock();
	if (again)
		queue_delayed_work(system_wq, &kipc_reaper, KIPC_REAP_INTERVAL);
}

/* rmmod: no handle is open, so only the registry's references are left. */
void kipc_mbox_destroy_all(void)
{
	struct hlist_node *tmp;
	struct kipc_mbox *mb;
	struct kipc_ns *kns;
	unsigned long id;
	int bkt;

	cancel_delayed_work_sync(&kipc_reaper);
	mutex_lock(&kipc_registry_lock);
	xa_for_each(&kipc_ids, id, mb)
		__kipc_mbox_destroy(mb, true);
	hash_for_each_safe(kipc_nss, bkt, tmp, kns, node)
		kipc_ns_unhash(kns);
	kipc_registry_unlock();
	xa_destroy(&kipc_ids);
}

void kipc_mbox_exit(void)
{
	int tries;

	/* Every namespace reference goes back before our code goes away. */
	for (tries = 0; !llist_empty(&kipc_ns_free) && tries < 10; tries++) {
		if (tries)
			msleep(100);
		flush_delayed_work(&kipc_releaser);
	}
	WARN_ON(!llist_empty(&kipc_ns_free));
	cancel_delayed_work_sync(&kipc_releaser);
}

/* SET, its argument checked (main.c), past the gate. */
int kipc_mbox_set(struct kipc_mbox *mb, const struct kipc_set *ks)
{
	u32 capacity, max_msg_size;
	u64 capacity_bytes;
	bool revoke = false;
	int ret = 0;

	/* kipc_notify_set() checks read permission under it. */
	mutex_lock(&mb->notify_lock);
	spin_lock(&mb->lock);
	if (mb->dead) {
		ret = -EIDRM;
		goto out_unlock;
	}
	capacity = ks->flags & KIPC_SET_CAPACITY ? ks->capacity : mb->capacity;
	capacity_bytes = ks->flags & KIPC_SET_CAPACITY_BYTES ?
			 ks->capacity_bytes : mb->capacity_bytes;
	max_msg_size = ks->flags & KIPC_SET_MAX_MSG_SIZE ?
		       ks->max_msg_size : mb->max_msg_size;
	ret = kipc_check_limits(capacity, capacity_bytes, max_msg_size);
	if (ret)
		goto out_unlock;

	if (ks->flags & KIPC_SET_MODE) {
		/*
		 * Registrations were allowed by the old mode; one that takes
		 * read permission away cancels them all rather than keep
		 * signalling (with the sender's pid) whom it now excludes.
		 */
		revoke = mb->mode & 0444 & ~ks->mode;
		/* And blocked senders and receivers ask again. */
		if (mb->mode & ~ks->mode)
			kipc_wake_to_recheck(mb);
		WRITE_ONCE(mb->mode, ks->mode);
	}
	mb->capacity = capacity;
	mb->capacity_bytes = capacity_bytes;
	WRITE_ONCE(mb->max_msg_size, max_msg_size);
	/* A larger capacity may let blocked senders in. */
	kipc_wake_senders(mb);
out_unlock:
	spin_unlock(&mb->lock);
	if (revoke)
		kipc_notify_drop_all(mb);
	mutex_unlock(&mb->notify_lock);
	if (!ret)
		kipc_wake_pollers(mb, EPOLLOUT | EPOLLWRNORM);
	return ret;
}

/* Changes whenever a mailbox is created or destroyed (netlink dumps). */
u32 kipc_mbox_generation(void)
{
	return READ_ONCE(kipc_generation);
}

/*
 * Translates @snap's uid and gid for @user_ns. They never change once the
 * mailbox is made, so this needs no lock: a snapshot taken for one user
 * namespace serves another, with the same counters.
 */
void kipc_mbox_snap_uids(struct kipc_mbox *mb, struct kipc_mbox_snap *snap,
			 struct user_namespace *user_ns)
{
	snap->stat.uid = from_kuid_munged(user_ns, mb->uid);
	snap->stat.gid = from_kgid_munged(user_ns, mb->gid);
}

/*
 * The one snapshot of @mb (struct kipc_mbox_snap): every field it reports,
 * its uids as @user_ns and its pids as @pid_ns see them.
 */
void kipc_mbox_snap(struct kipc_mbox *mb, struct kipc_mbox_snap *snap,
		    struct user_namespace *user_ns,
		    struct pid_namespace *pid_ns)
{
	struct kipc_stat *st = &snap->stat;

	memset(snap, 0, sizeof(*snap));
	snap->ns_inum = mb->ns->ns.inum;
	st->flags = mb->temp ? KIPC_STAT_TEMP : 0;
	st->id = mb->id;
	kipc_mbox_snap_uids(mb, snap, user_ns);
	memcpy(st->name, mb->name, sizeof(st->name));
	st->ctime_ns = mb->ctime_ns;

	spin_lock(&mb->lock);
	st->mode = mb->mode;
	st->depth = mb->depth;
	st->capacity = mb->capacity;
	st->bytes = mb->bytes;
	st->capacity_bytes = mb->capacity_bytes;
	st->max_msg_size = mb->max_msg_size;
	st->handles = mb->handles;
	st->blocked_senders = mb->blocked_senders;
	st->blocked_receivers = mb->blocked_receivers;
	st->notify_count = mb->notify_count;
	st->last_sender_pid = pid_nr_ns(mb->last_sender, pid_ns);
	st->last_receiver_pid = pid_nr_ns(mb->last_receiver, pid_ns);
	st->sent = mb->sent;
	st->received = mb->received;
	st->dropped = mb->dropped;
	st->calls_pending = mb->calls_pending;
	st->callers_blocked = mb->callers_blocked;
	st->calls = mb->calls_sent;
	spin_unlock(&mb->lock);
}

/*
 * Calls @fn for each mailbox of the caller's IPC namespace (of every
 * namespace with @all_ns; the caller checked the capability) with an id of
 * at least *@next_id, in id order, until @fn returns nonzero. *@next_id is
 * left at the mailbox @fn refused, or past every id there can be.
 */
int kipc_mbox_for_each(u32 *next_id, bool all_ns,
		       int (*fn)(struct kipc_mbox *mb, void *arg), void *arg)
{
	struct ipc_namespace *ns = current->nsproxy->ipc_ns;
	unsigned long id = *next_id;
	struct kipc_mbox *mb;
	int ret = 0;

	mutex_lock(&kipc_registry_lock);
	xa_for_each_start(&kipc_ids, id, mb, id) {
		if (mb->ns != ns && !all_ns)
			continue;
		ret = fn(mb, arg);
		if (ret)
			break;
	}
	*next_id = ret ? id : KIPC_ID_MAX + 1;
	kipc_registry_unlock();
	return ret;
}

/* Module-wide, all namespaces: summed here to keep the hot path free of it. */
void kipc_stats_get(struct kipc_stats *st)
{
	struct kipc_mbox *mb;
	unsigned long id;

	memset(st, 0, sizeof(*st));
	mutex_lock(&kipc_registry_lock);
	st->mailboxes = kipc_nr_mailboxes;
	st->created = kipc_created;
	st->destroyed = kipc_destroyed;
	st->sent = kipc_gone_sent;
	st->received = kipc_gone_received;
	xa_for_each(&kipc_ids, id, mb) {
		spin_lock(&mb->lock);
		st->messages += mb->depth;
		st->bytes += mb->bytes;
		st->sent += mb->sent;
		st->received += mb->received;
		spin_unlock(&mb->lock);
	}
	kipc_registry_unlock();
	st->charged = kipc_kmsg_charged();
}
