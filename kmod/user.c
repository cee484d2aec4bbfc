// SPDX-License-Identifier: GPL-2.0
/*
 * Users: what one user (a real uid, counted across namespaces, as
 * RLIMIT_MSGQUEUE is) holds of kipc, so that per-user limits and the
 * per-user event rate limit have one place to live.
 *
 * A handle holds a reference to the user that opened it (as a pipe holds
 * its creator's user_struct); what the handle creates or sends is charged
 * to that user. Entries live in a small hash table under a spinlock and go
 * away with their last reference.
 *
 * Inside a user namespace, "the user" is whoever created the outermost one
 * (kipc_user_current()): every uid mapped into one's own namespaces (a
 * subordinate-uid range, as rootless containers have) is that user's, so
 * a range of uids does not multiply one user's limits.
 */

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/hashtable.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/user_namespace.h>

#include "kipc.h"

static DEFINE_SPINLOCK(kipc_users_lock);
static DEFINE_HASHTABLE(kipc_users, 7);

/* A referenced entry for @uid, created if need be; NULL on ENOMEM. */
struct kipc_user *kipc_user_get(kuid_t uid)
{
	u32 key = __kuid_val(uid);
	struct kipc_user *u, *new;

	new = kzalloc(sizeof(*new), GFP_KERNEL_ACCOUNT);
	if (!new)
		return NULL;

	spin_lock(&kipc_users_lock);
	hash_for_each_possible(kipc_users, u, node, key) {
		if (uid_eq(u->uid, uid)) {
			refcount_inc(&u->ref);
			spin_unlock(&kipc_users_lock);
			kfree(new);
			return u;
		}
	}
	refcount_set(&new->ref, 1);
	new->uid = uid;
	spin_lock_init(&new->rl_lock);
	hash_add(kipc_users, &new->node, key);
	spin_unlock(&kipc_users_lock);
	return new;
}

/*
 * The user the current task is charged as: its real uid in the initial
 * user namespace; in any other, the owner of the outermost one below the
 * initial namespace, as the initial namespace sees it.
 */
struct kipc_user *kipc_user_current(void)
{
	const struct user_namespace *ns = current_user_ns();

	if (ns == &init_user_ns)
		return kipc_user_get(current_uid());
	while (ns->parent != &init_user_ns)
		ns = ns->parent;
	return kipc_user_get(ns->owner);
}

struct kipc_user *kipc_user_hold(struct kipc_user *u)
{
	refcount_inc(&u->ref);
	return u;
}

/*
 * What refcount_dec_and_lock() does, spelled out so that sparse can follow
 * the lock: the table lock only for what may be the last put.
 */
void kipc_user_put(struct kipc_user *u)
{
	if (!u || refcount_dec_not_one(&u->ref))
		return;
	spin_lock(&kipc_users_lock);
	if (!refcount_dec_and_test(&u->ref)) {
		spin_unlock(&kipc_users_lock);
		return;
	}
	hash_del(&u->node);
	spin_unlock(&kipc_users_lock);
	/* Mailboxes and messages hold references: none can be charged. */
	WARN_ON_ONCE(atomic_read(&u->mailboxes) || atomic_long_read(&u->bytes));
	kfree(u);
}

/* Do the per-user limits apply? CAP_SYS_RESOURCE lifts them (as rlimits). */
bool kipc_user_limited(void)
{
	return !capable(CAP_SYS_RESOURCE);
}
