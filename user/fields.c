// SPDX-License-Identifier: GPL-2.0
/* The field tables of fields.h, and the parser and printers they drive. */
#include <errno.h>
#include <grp.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fields.h"
#include "json.h"
#include "kipcctl.h"
#include "nl.h"

#define U32	MNL_TYPE_U32
#define U64	MNL_TYPE_U64
#define STR	MNL_TYPE_NUL_STRING
#define TABLE(t) { t, sizeof(t) / sizeof(t[0]) }

static const struct field mbox[] = {
	{ KIPC_A_MBOX_ID,		U32, "id",		K_U },
	{ KIPC_A_MBOX_NAME,		STR, "name",		K_STR },
	{ KIPC_A_MBOX_NS,		U32, "ns",		K_U },
	{ KIPC_A_MBOX_UID,		U32, "uid",		K_UID },
	{ KIPC_A_MBOX_GID,		U32, "gid",		K_GID },
	{ KIPC_A_MBOX_MODE,		U32, "mode",		K_MODE },
	{ KIPC_A_MBOX_FLAGS,		U32, "temp",		K_TEMP },
	{ KIPC_A_MBOX_DEPTH,		U32, "depth",		K_U },
	{ KIPC_A_MBOX_CAPACITY,		U32, "capacity",	K_U },
	{ KIPC_A_MBOX_BYTES,		U64, "bytes",		K_U },
	{ KIPC_A_MBOX_CAPACITY_BYTES,	U64, "capacity_bytes",	K_U },
	{ KIPC_A_MBOX_MAX_MSG_SIZE,	U32, "max_msg_size",	K_U },
	{ KIPC_A_MBOX_HANDLES,		U32, "handles",		K_U },
	{ KIPC_A_MBOX_BLOCKED_SENDERS,	U32, "blocked_senders",	K_U },
	{ KIPC_A_MBOX_BLOCKED_RECEIVERS, U32, "blocked_receivers", K_U },
	{ KIPC_A_MBOX_NOTIFY_COUNT,	U32, "notify_count",	K_U },
	{ KIPC_A_MBOX_SENT,		U64, "sent",		K_U },
	{ KIPC_A_MBOX_RECEIVED,		U64, "received",	K_U },
	{ KIPC_A_MBOX_DROPPED,		U64, "dropped",		K_U },
	{ KIPC_A_MBOX_LAST_SENDER_PID,	U32, "last_sender_pid",	K_PID },
	{ KIPC_A_MBOX_LAST_RECEIVER_PID, U32, "last_receiver_pid", K_PID },
	{ KIPC_A_MBOX_CTIME,		U64, "ctime_ns",	K_TIME },
	{ KIPC_A_MBOX_CALLS_PENDING,	U32, "calls_pending",	K_U },
	{ KIPC_A_MBOX_CALLERS_BLOCKED,	U32, "callers_blocked",	K_U },
	{ KIPC_A_MBOX_CALLS,		U64, "calls",		K_U },
};

static const struct field stats[] = {
	{ KIPC_A_STATS_MAILBOXES,	U32, "mailboxes",	K_U },
	{ KIPC_A_STATS_MESSAGES,	U64, "messages",	K_U },
	{ KIPC_A_STATS_BYTES,		U64, "bytes",		K_U },
	{ KIPC_A_STATS_CHARGED_BYTES,	U64, "charged_bytes",	K_U },
	{ KIPC_A_STATS_SENT,		U64, "sent",		K_U },
	{ KIPC_A_STATS_RECEIVED,	U64, "received",	K_U },
	{ KIPC_A_STATS_CREATED,		U64, "created",		K_U },
	{ KIPC_A_STATS_DESTROYED,	U64, "destroyed",	K_U },
	{ KIPC_A_STATS_EVENTS_SUPPRESSED, U64, "events_suppressed", K_U },
	{ KIPC_A_STATS_MAX_MAILBOXES,	U32, "max_mailboxes",	K_U },
	{ KIPC_A_STATS_MAX_MSG_SIZE,	U32, "max_msg_size",	K_U },
	{ KIPC_A_STATS_MAX_TOTAL_BYTES,	U64, "max_total_bytes",	K_U },
	{ KIPC_A_STATS_MAX_USER_MAILBOXES, U32, "max_user_mailboxes", K_U },
	{ KIPC_A_STATS_MAX_USER_BYTES,	U64, "max_user_bytes",	K_U },
	{ KIPC_A_STATS_MAX_NOTIFY,	U32, "max_notify",	K_U },
	{ KIPC_A_STATS_DEFAULT_CAPACITY, U32, "default_capacity", K_U },
	{ KIPC_A_STATS_DEFAULT_CAPACITY_BYTES, U64, "default_capacity_bytes", K_U },
	{ KIPC_A_STATS_EVENT_RATE,	U32, "event_rate",	K_U },
	{ KIPC_A_STATS_MONITORS,	U32, "monitors",	K_U },
};

static const struct field event[] = {
	{ KIPC_A_EVENT,			U32, "event",		K_EVENT },
	{ KIPC_A_EVENT_TIME,		U64, "time_ns",		K_MONO },
	{ KIPC_A_EVENT_PID,		U32, "pid",		K_PID },
	{ KIPC_A_MSG_SEQ,		U64, "seq",		K_U },
	{ KIPC_A_MSG_LEN,		U32, "len",		K_U },
	{ KIPC_A_MSG_TYPE,		U32, "type",		K_U },
	{ KIPC_A_CALL_DURATION,		U64, "duration_ns",	K_U },
	{ KIPC_A_CALL_ERROR,		U32, "error",		K_U },
	{ KIPC_A_EVENT_SUPPRESSED,	U64, "suppressed",	K_U },
	{ KIPC_A_EVENT_LOST,		U64, "lost",		K_U },
};

const struct fields mbox_fields = TABLE(mbox);
const struct fields stats_fields = TABLE(stats);
const struct fields event_fields = TABLE(event);

static const char *const event_names[] = {
	[KIPC_EVENT_CREATE]	= "create",
	[KIPC_EVENT_DESTROY]	= "destroy",
	[KIPC_EVENT_FULL]	= "full",
	[KIPC_EVENT_NOTIFY]	= "notify",
	[KIPC_EVENT_SEND]	= "send",
	[KIPC_EVENT_RECV]	= "recv",
	[KIPC_EVENT_CALL]	= "call",
	[KIPC_EVENT_REPLY]	= "reply",
};

/*
 * What the tables say of each attribute, made once: its type on the wire,
 * for rec_parse(), and its key's length, for json_key_plain(): 0 if the key
 * is not a plain identifier (it then goes through json_key()'s scan).
 */
static struct {
	enum mnl_attr_data_type type[KIPC_A_MAX + 1];
	unsigned char key_len[KIPC_A_MAX + 1];
} by_attr;

static void by_attr_init(void)
{
	static const struct fields *const all[] = {
		&mbox_fields, &stats_fields, &event_fields,
	};
	static const char ident[] = "abcdefghijklmnopqrstuvwxyz0123456789_";
	static bool done;

	for (size_t t = 0; !done && t < sizeof(all) / sizeof(all[0]); t++) {
		for (size_t i = 0; i < all[t]->n; i++) {
			const struct field *f = &all[t]->v[i];
			size_t len = strlen(f->key);

			by_attr.type[f->attr] = f->type;
			if (len < 256 && strspn(f->key, ident) == len)
				by_attr.key_len[f->attr] = len;
		}
	}
	done = true;
}

/*
 * Does @a hold a @type as mnl_attr_validate() would have it? The types of
 * the tables only; anything else is left to nl_attr_check().
 */
static bool attr_fits(const struct nlattr *a, enum mnl_attr_data_type type)
{
	size_t len = a->nla_len - MNL_ATTR_HDRLEN;
	const char *p = (const char *)a + MNL_ATTR_HDRLEN;

	switch (type) {
	case MNL_TYPE_U32:
		return len == sizeof(uint32_t);
	case MNL_TYPE_U64:
		return len == sizeof(uint64_t);
	case MNL_TYPE_NUL_STRING:
		return len && !p[len - 1];
	default:
		return false;
	}
}

/* The value of @a, a valid @type, into @r. */
static void rec_store(struct rec *r, int type, enum mnl_attr_data_type t,
		      const struct nlattr *a)
{
	const char *p = (const char *)a + MNL_ATTR_HDRLEN;
	uint32_t u32;
	size_t len = 0;

	r->have[type] = true;
	if (t == MNL_TYPE_U32) {
		memcpy(&u32, p, sizeof(u32));
		r->v[type] = u32;
	} else if (t == MNL_TYPE_U64) {
		memcpy(&r->v[type], p, sizeof(r->v[type]));
	} else {
		/* Inline, not strnlen() and memcpy(): names are short. */
		while (len < sizeof(r->name) - 1 && p[len]) {
			r->name[len] = p[len];
			len++;
		}
		r->name[len] = '\0';
	}
}

/*
 * The attributes walked here by hand, in one pass, as mnl_attr_for_each()
 * and nl_parse() would (the last of a type wins; a malformed one is
 * skipped, with nl_parse()'s warning): list parses 10,000 of these, and a
 * libmnl call or callback for each attribute, then a pass over every type,
 * cost it more than the kernel's dump.
 */
void rec_parse(const struct nlmsghdr *nlh, struct rec *r)
{
	const enum mnl_attr_data_type *types = by_attr.type;
	const char *end = (const char *)nlh + MNL_ALIGN(nlh->nlmsg_len);
	const struct nlattr *a;

	by_attr_init();
	memset(r, 0, sizeof(*r));
	if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(struct genlmsghdr))
		return;
	a = (const struct nlattr *)((const char *)nlh + MNL_NLMSG_HDRLEN +
				    MNL_ALIGN(sizeof(struct genlmsghdr)));
	while (end - (const char *)a >= (ptrdiff_t)sizeof(*a) &&
	       a->nla_len >= sizeof(*a) && a->nla_len <= end - (const char *)a) {
		int type = a->nla_type & NLA_TYPE_MASK;
		enum mnl_attr_data_type t = type <= KIPC_A_MAX ? types[type] :
					    MNL_TYPE_UNSPEC;

		if (t != MNL_TYPE_UNSPEC &&
		    (attr_fits(a, t) || nl_attr_check(a, t)))
			rec_store(r, type, t, a);
		a = (const struct nlattr *)((const char *)a + MNL_ALIGN(a->nla_len));
	}
}

struct rec *recs_add(struct recs *rs)
{
	if (rs->n == rs->cap) {
		size_t cap = rs->cap ? rs->cap * 2 : 64;
		struct rec *v = realloc(rs->v, cap * sizeof(*v));

		if (!v) {
			errno = ENOMEM;
			return NULL;
		}
		rs->v = v;
		rs->cap = cap;
	}
	return &rs->v[rs->n++];
}

const char *event_name(uint64_t ev, char *buf, size_t len)
{
	if (ev < sizeof(event_names) / sizeof(event_names[0]) && event_names[ev])
		return event_names[ev];
	snprintf(buf, len, "event%" PRIu64, ev);
	return buf;
}

const char *user_name(uint64_t uid)
{
	static char last_name[64];
	static uint64_t last_uid = UINT64_MAX;
	struct passwd *pw;

	if (uid != last_uid) {
		pw = getpwuid(uid);
		if (pw)
			snprintf(last_name, sizeof(last_name), "%s", pw->pw_name);
		else
			snprintf(last_name, sizeof(last_name), "%" PRIu64, uid);
		last_uid = uid;
	}
	return last_name;
}

static const char *group_name(uint64_t gid, char *buf, size_t len)
{
	struct group *gr = getgrgid(gid);

	if (gr)
		return gr->gr_name;
	snprintf(buf, len, "%" PRIu64, gid);
	return buf;
}

/* One field as a "key: value" line. */
static void print_field_text(const struct rec *r, const struct field *f)
{
	uint64_t v = r->v[f->attr];
	char buf[4 * KIPC_NAME_MAX];

	switch (f->kind) {
	case K_STR:
		text_name(buf, sizeof(buf), r->name);
		printf("%s: %s\n", f->key, buf);
		break;
	case K_PID:
		printf("%s: %" PRId32 "\n", f->key, (int32_t)v);
		break;
	case K_UID:
		printf("%s: %" PRIu64 " (%s)\n", f->key, v, user_name(v));
		break;
	case K_GID:
		printf("%s: %" PRIu64 " (%s)\n", f->key, v,
		       group_name(v, buf, sizeof(buf)));
		break;
	case K_MODE:
		printf("%s: %04" PRIo64 "\n", f->key, v);
		break;
	case K_TEMP:
		printf("%s: %s\n", f->key, v & KIPC_STAT_TEMP ? "yes" : "no");
		break;
	case K_TIME:
	case K_MONO:
		/* "ctime_ns" -> "ctime: 2026-01-02T03:04:05.000000000Z" */
		printf("%.*s: ", (int)(strlen(f->key) - 3), f->key);
		print_time(f->kind == K_MONO ? mono_to_real_ns(v) : v);
		putchar('\n');
		break;
	case K_EVENT:
		printf("%s: %s\n", f->key, event_name(v, buf, sizeof(buf)));
		break;
	default:
		printf("%s: %" PRIu64 "\n", f->key, v);
		break;
	}
}

void print_fields_text(const struct rec *r, const struct fields *f)
{
	for (size_t i = 0; i < f->n; i++)
		if (r->have[f->v[i].attr])
			print_field_text(r, &f->v[i]);
}

/* As "%04o" would have it, without printf: list -j has one a mailbox. */
static void json_mode(uint64_t mode)
{
	char buf[24], *p = buf + sizeof(buf);

	do {
		*--p = '0' + (mode & 7);
		mode >>= 3;
	} while (mode || p > buf + sizeof(buf) - 4);
	json_strn(NULL, p, buf + sizeof(buf) - p);
}

/* One field's key and value, but for the plain numbers of the loop below. */
static void print_field_json(const struct rec *r, const struct field *f)
{
	uint64_t v = r->v[f->attr];
	char buf[32];

	if (by_attr.key_len[f->attr])
		json_key_plain(f->key, by_attr.key_len[f->attr]);
	else
		json_key(f->key);
	switch (f->kind) {
	case K_STR:
		json_str(NULL, r->name);
		break;
	case K_PID:
		json_i64(NULL, (int32_t)v);
		break;
	case K_MODE:
		json_mode(v);
		break;
	case K_TEMP:
		json_bool(NULL, v & KIPC_STAT_TEMP);
		break;
	case K_MONO:
		json_u64(NULL, mono_to_real_ns(v));
		break;
	case K_EVENT:
		json_str(NULL, event_name(v, buf, sizeof(buf)));
		break;
	default:
		json_u64(NULL, v);
		break;
	}
}

/*
 * Keys with no scan, and the numbers (17 of a mailbox's 22 fields) each in
 * one call: list -j writes 220,000 members.
 */
void print_fields_json(const struct rec *r, const struct fields *fs)
{
	by_attr_init();
	for (const struct field *f = fs->v; f < fs->v + fs->n; f++) {
		size_t len = by_attr.key_len[f->attr];

		if (!r->have[f->attr])
			continue;
		if (len && (f->kind == K_U || f->kind == K_UID ||
			    f->kind == K_GID || f->kind == K_TIME))
			json_plain_u64(f->key, len, r->v[f->attr]);
		else
			print_field_json(r, f);
	}
}

void print_rec(const struct rec *r, const struct fields *f)
{
	if (opt_json) {
		json_open('{');
		print_fields_json(r, f);
		json_close('}');
		json_end();
	} else {
		print_fields_text(r, f);
		fflush(stdout);
	}
}
