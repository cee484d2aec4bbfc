// SPDX-License-Identifier: GPL-2.0
/*
 * The index: what lets a mailbox find, without scanning, the message a
 * receiver asked for and the blocked task a change can let go.
 *
 * An index is a red-black tree of nodes ordered by (key, rank), augmented
 * with the best-ranked node of every subtree, so that "the best node whose
 * key lies in [lo, hi]" costs O(log n) whatever the tree holds. A lower
 * rank is better: a rank is a pair (hi, lo) compared in that order.
 *
 *   messages	key: type; rank: (KIPC_PRIO_MAX - priority, seq), so the
 *		best is the highest priority, then the oldest
 *   receivers	key: what they select (kind << 32 | type); rank: arrival
 *   senders	key: the length they need room for; rank: arrival
 *
 * Every selection is one or two ranges of keys (msg.c), so every lookup
 * under mbox->lock is O(log n) in queued messages or blocked tasks.
 */

#include <linux/rbtree_augmented.h>

#include "kipc.h"

/* Whether @a ranks before @b. */
bool kipc_ix_better(const struct kipc_ixnode *a, const struct kipc_ixnode *b)
{
	if (a->rank_hi != b->rank_hi)
		return a->rank_hi < b->rank_hi;
	return a->rank_lo < b->rank_lo;
}

static bool kipc_ix_before(const struct kipc_ixnode *a,
			   const struct kipc_ixnode *b)
{
	if (a->key != b->key)
		return a->key < b->key;
	return kipc_ix_better(a, b);
}

static struct kipc_ixnode *kipc_ix_node(struct rb_node *rb)
{
	return rb_entry(rb, struct kipc_ixnode, rb);
}

static struct kipc_ixnode *kipc_ix_pick(struct kipc_ixnode *best,
					struct kipc_ixnode *n)
{
	return !best || kipc_ix_better(n, best) ? n : best;
}

/* The best of @rb's subtree, if there is one. */
static struct kipc_ixnode *kipc_ix_sub(struct kipc_ixnode *best,
				       struct rb_node *rb)
{
	return rb ? kipc_ix_pick(best, kipc_ix_node(rb)->best) : best;
}

static inline bool kipc_ix_compute(struct kipc_ixnode *n, bool exit)
{
	struct kipc_ixnode *best = n;

	best = kipc_ix_sub(best, n->rb.rb_left);
	best = kipc_ix_sub(best, n->rb.rb_right);
	if (exit && n->best == best)
		return true;
	n->best = best;
	return false;
}

RB_DECLARE_CALLBACKS(static, kipc_ix_cb, struct kipc_ixnode, rb, best,
		     kipc_ix_compute);

void kipc_ix_insert(struct kipc_index *ix, struct kipc_ixnode *n)
{
	struct rb_node **link = &ix->root.rb_root.rb_node, *parent = NULL;
	bool leftmost = true;
	struct kipc_ixnode *p;

	while (*link) {
		parent = *link;
		p = kipc_ix_node(parent);
		/* Every subtree on the way down gains @n. */
		if (kipc_ix_better(n, p->best))
			p->best = n;
		if (kipc_ix_before(n, p)) {
			link = &parent->rb_left;
		} else {
			link = &parent->rb_right;
			leftmost = false;
		}
	}
	n->best = n;
	rb_link_node(&n->rb, parent, link);
	rb_insert_augmented_cached(&n->rb, &ix->root, leftmost, &kipc_ix_cb);
}

void kipc_ix_erase(struct kipc_index *ix, struct kipc_ixnode *n)
{
	rb_erase_augmented_cached(&n->rb, &ix->root, &kipc_ix_cb);
	RB_CLEAR_NODE(&n->rb);
}

/* The node with the lowest key (then the best rank), or NULL. */
struct kipc_ixnode *kipc_ix_first(const struct kipc_index *ix)
{
	struct rb_node *rb = rb_first_cached(&ix->root);

	return rb ? kipc_ix_node(rb) : NULL;
}

/* The best node of all, or NULL: the root's cached best. O(1). */
struct kipc_ixnode *kipc_ix_top(const struct kipc_index *ix)
{
	struct rb_node *rb = ix->root.rb_root.rb_node;

	return rb ? kipc_ix_node(rb)->best : NULL;
}

/*
 * The best node with @lo <= key <= @hi, or NULL: down to the first node in
 * the range, then along the two edges of the range below it, taking whole
 * subtrees that lie inside from their cached best. O(log n).
 */
struct kipc_ixnode *kipc_ix_best(const struct kipc_index *ix, u64 lo, u64 hi)
{
	struct rb_node *rb = ix->root.rb_root.rb_node, *x;
	struct kipc_ixnode *n = NULL, *best;

	while (rb) {
		n = kipc_ix_node(rb);
		if (n->key < lo)
			rb = rb->rb_right;
		else if (n->key > hi)
			rb = rb->rb_left;
		else
			break;
	}
	if (!rb)
		return NULL;
	best = n;

	/* Left edge: nodes at or above @lo, and all to their right. */
	for (x = rb->rb_left; x; ) {
		n = kipc_ix_node(x);
		if (n->key >= lo) {
			best = kipc_ix_pick(best, n);
			best = kipc_ix_sub(best, x->rb_right);
			x = x->rb_left;
		} else {
			x = x->rb_right;
		}
	}
	/* Right edge: nodes at or below @hi, and all to their left. */
	for (x = rb->rb_right; x; ) {
		n = kipc_ix_node(x);
		if (n->key <= hi) {
			best = kipc_ix_pick(best, n);
			best = kipc_ix_sub(best, x->rb_left);
			x = x->rb_right;
		} else {
			x = x->rb_left;
		}
	}
	return best;
}

/* The best node with @lo <= key <= @hi and key != @but, or NULL. */
struct kipc_ixnode *kipc_ix_best_but(const struct kipc_index *ix, u64 lo,
				     u64 hi, u64 but)
{
	struct kipc_ixnode *a = NULL, *b = NULL;

	if (but > lo)
		a = kipc_ix_best(ix, lo, min(but - 1, hi));
	if (but < hi)
		b = kipc_ix_best(ix, max(but + 1, lo), hi);
	if (!a || !b)
		return a ?: b;
	return kipc_ix_better(b, a) ? b : a;
}

/* Whether @n is in an index: a node is cleared when it leaves one. */
bool kipc_ix_queued(const struct kipc_ixnode *n)
{
	return !RB_EMPTY_NODE(&n->rb);
}
