/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What kipc reports of each object (a mailbox, the module's stats, an
 * event), one table per object and one row per netlink attribute: its type
 * on the wire (what nl_parse() checks) and its key and kind in the text and
 * JSON output. A new attribute is one row here.
 */
#ifndef KIPCCTL_FIELDS_H
#define KIPCCTL_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <libmnl/libmnl.h>
#include <linux/kipc.h>

/*
 * How a value prints. Times are all CLOCK_REALTIME: in JSON ns since the
 * Epoch under a key ending in _ns, in text an ISO 8601 UTC date under the
 * key without "_ns". K_MONO is a kernel CLOCK_MONOTONIC time, converted.
 */
enum kind {
	K_U, K_PID, K_STR, K_UID, K_GID, K_MODE, K_TEMP, K_TIME, K_MONO,
	K_EVENT,	/* enum kipc_event, by name */
};

struct field {
	int attr;			/* KIPC_A_* */
	enum mnl_attr_data_type type;	/* on the wire */
	const char *key;
	enum kind kind;
};

struct fields {
	const struct field *v;
	size_t n;
};

/* A mailbox (GET replies and events), in `show` order. */
extern const struct fields mbox_fields;
/* The module's figures (STATS_GET), in `stats` order. */
extern const struct fields stats_fields;
/* What an event adds to the mailbox, in `monitor -j` order. */
extern const struct fields event_fields;

/* One reply or event, copied out of the receive buffer. */
struct rec {
	bool have[KIPC_A_MAX + 1];
	uint64_t v[KIPC_A_MAX + 1];	/* by attribute */
	char name[KIPC_NAME_MAX];
};

/* A growing array of records (free v). */
struct recs {
	struct rec *v;
	size_t n, cap;
};

/* The attributes of @nlh that any table has, into @r. */
void rec_parse(const struct nlmsghdr *nlh, struct rec *r);
/* Appends a record to @rs; NULL (errno ENOMEM) if there is no room. */
struct rec *recs_add(struct recs *rs);

/* Text: "key: value" lines for the fields @r has. */
void print_fields_text(const struct rec *r, const struct fields *f);
/* JSON: members of the open object. */
void print_fields_json(const struct rec *r, const struct fields *f);
/* One record alone: text lines, or a JSON object (-j). */
void print_rec(const struct rec *r, const struct fields *f);

/* An event's name ("create"), or "eventN" for one this tool does not know. */
const char *event_name(uint64_t ev, char *buf, size_t len);
/* The owner's name, or the number; the last answer is kept (for list). */
const char *user_name(uint64_t uid);

#endif /* KIPCCTL_FIELDS_H */
