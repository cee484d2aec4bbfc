// SPDX-License-Identifier: GPL-2.0
/* kipcctl commands that work through the generic netlink family "kipc". */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <pwd.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>
#include <linux/kipc.h>

#include "kipcctl.h"
#include "cmd_nl.h"

/* What each attribute holds, for nl_parse(). */
static const enum mnl_attr_data_type attr_types[KIPC_A_MAX + 1] = {
	[KIPC_A_MBOX_ID]			= MNL_TYPE_U32,
	[KIPC_A_MBOX_NAME]			= MNL_TYPE_NUL_STRING,
	[KIPC_A_MBOX_UID]			= MNL_TYPE_U32,
	[KIPC_A_MBOX_GID]			= MNL_TYPE_U32,
	[KIPC_A_MBOX_MODE]			= MNL_TYPE_U32,
	[KIPC_A_MBOX_DEPTH]			= MNL_TYPE_U32,
	[KIPC_A_MBOX_BYTES]			= MNL_TYPE_U64,
	[KIPC_A_MBOX_CAPACITY]			= MNL_TYPE_U32,
	[KIPC_A_MBOX_CAPACITY_BYTES]		= MNL_TYPE_U64,
	[KIPC_A_MBOX_MAX_MSG_SIZE]		= MNL_TYPE_U32,
	[KIPC_A_MBOX_HANDLES]			= MNL_TYPE_U32,
	[KIPC_A_MBOX_BLOCKED_SENDERS]		= MNL_TYPE_U32,
	[KIPC_A_MBOX_BLOCKED_RECEIVERS]		= MNL_TYPE_U32,
	[KIPC_A_MBOX_NOTIFY_COUNT]		= MNL_TYPE_U32,
	[KIPC_A_MBOX_SENT]			= MNL_TYPE_U64,
	[KIPC_A_MBOX_RECEIVED]			= MNL_TYPE_U64,
	[KIPC_A_MBOX_DROPPED]			= MNL_TYPE_U64,
	[KIPC_A_MBOX_LAST_SENDER_PID]		= MNL_TYPE_U32,
	[KIPC_A_MBOX_LAST_RECEIVER_PID]		= MNL_TYPE_U32,
	[KIPC_A_MBOX_CTIME]			= MNL_TYPE_U64,
	[KIPC_A_MBOX_FLAGS]			= MNL_TYPE_U32,
	[KIPC_A_EVENT]				= MNL_TYPE_U32,
	[KIPC_A_EVENT_TIME]			= MNL_TYPE_U64,
	[KIPC_A_EVENT_PID]			= MNL_TYPE_U32,
	[KIPC_A_MSG_SEQ]			= MNL_TYPE_U64,
	[KIPC_A_MSG_LEN]			= MNL_TYPE_U32,
	[KIPC_A_MSG_TYPE]			= MNL_TYPE_U32,
	[KIPC_A_EVENT_SUPPRESSED]		= MNL_TYPE_U64,
	[KIPC_A_STATS_MAILBOXES]		= MNL_TYPE_U32,
	[KIPC_A_STATS_MESSAGES]			= MNL_TYPE_U64,
	[KIPC_A_STATS_BYTES]			= MNL_TYPE_U64,
	[KIPC_A_STATS_MAX_MAILBOXES]		= MNL_TYPE_U32,
	[KIPC_A_STATS_MAX_MSG_SIZE]		= MNL_TYPE_U32,
	[KIPC_A_STATS_MAX_TOTAL_BYTES]		= MNL_TYPE_U64,
	[KIPC_A_STATS_DEFAULT_CAPACITY]		= MNL_TYPE_U32,
	[KIPC_A_STATS_DEFAULT_CAPACITY_BYTES]	= MNL_TYPE_U64,
	[KIPC_A_STATS_SENT]			= MNL_TYPE_U64,
	[KIPC_A_STATS_RECEIVED]			= MNL_TYPE_U64,
	[KIPC_A_STATS_CREATED]			= MNL_TYPE_U64,
	[KIPC_A_STATS_DESTROYED]		= MNL_TYPE_U64,
	[KIPC_A_STATS_EVENTS_SUPPRESSED]	= MNL_TYPE_U64,
	[KIPC_A_STATS_EVENT_RATE]		= MNL_TYPE_U32,
	[KIPC_A_STATS_CHARGED_BYTES]		= MNL_TYPE_U64,
	[KIPC_A_MBOX_NS]			= MNL_TYPE_U32,
	[KIPC_A_STATS_MAX_USER_MAILBOXES]	= MNL_TYPE_U32,
	[KIPC_A_STATS_MAX_USER_BYTES]		= MNL_TYPE_U64,
	[KIPC_A_STATS_MAX_NOTIFY]		= MNL_TYPE_U32,
	[KIPC_A_EVENT_LOST]			= MNL_TYPE_U64,
	[KIPC_A_STATS_MONITORS]			= MNL_TYPE_U32,
};

/*
 * How a value prints. Times are all CLOCK_REALTIME: in JSON ns since the
 * Epoch under a key ending in _ns, in text an ISO 8601 UTC date under the
 * key without "_ns". K_MONO is a kernel CLOCK_MONOTONIC time, converted.
 */
enum kind { K_U, K_PID, K_STR, K_UID, K_GID, K_MODE, K_TEMP, K_TIME, K_MONO };

struct field {
	int attr;
	const char *key;
	enum kind kind;
};

/* A mailbox as GET replies and events carry it, in `show` order. */
static const struct field mbox_fields[] = {
	{ KIPC_A_MBOX_ID, "id", K_U },
	{ KIPC_A_MBOX_NAME, "name", K_STR },
	{ KIPC_A_MBOX_NS, "ns", K_U },
	{ KIPC_A_MBOX_UID, "uid", K_UID },
	{ KIPC_A_MBOX_GID, "gid", K_GID },
	{ KIPC_A_MBOX_MODE, "mode", K_MODE },
	{ KIPC_A_MBOX_FLAGS, "temp", K_TEMP },
	{ KIPC_A_MBOX_DEPTH, "depth", K_U },
	{ KIPC_A_MBOX_CAPACITY, "capacity", K_U },
	{ KIPC_A_MBOX_BYTES, "bytes", K_U },
	{ KIPC_A_MBOX_CAPACITY_BYTES, "capacity_bytes", K_U },
	{ KIPC_A_MBOX_MAX_MSG_SIZE, "max_msg_size", K_U },
	{ KIPC_A_MBOX_HANDLES, "handles", K_U },
	{ KIPC_A_MBOX_BLOCKED_SENDERS, "blocked_senders", K_U },
	{ KIPC_A_MBOX_BLOCKED_RECEIVERS, "blocked_receivers", K_U },
	{ KIPC_A_MBOX_NOTIFY_COUNT, "notify_count", K_U },
	{ KIPC_A_MBOX_SENT, "sent", K_U },
	{ KIPC_A_MBOX_RECEIVED, "received", K_U },
	{ KIPC_A_MBOX_DROPPED, "dropped", K_U },
	{ KIPC_A_MBOX_LAST_SENDER_PID, "last_sender_pid", K_PID },
	{ KIPC_A_MBOX_LAST_RECEIVER_PID, "last_receiver_pid", K_PID },
	{ KIPC_A_MBOX_CTIME, "ctime_ns", K_TIME },
};

static const struct field stats_fields[] = {
	{ KIPC_A_STATS_MAILBOXES, "mailboxes", K_U },
	{ KIPC_A_STATS_MESSAGES, "messages", K_U },
	{ KIPC_A_STATS_BYTES, "bytes", K_U },
	{ KIPC_A_STATS_CHARGED_BYTES, "charged_bytes", K_U },
	{ KIPC_A_STATS_SENT, "sent", K_U },
	{ KIPC_A_STATS_RECEIVED, "received", K_U },
	{ KIPC_A_STATS_CREATED, "created", K_U },
	{ KIPC_A_STATS_DESTROYED, "destroyed", K_U },
	{ KIPC_A_STATS_EVENTS_SUPPRESSED, "events_suppressed", K_U },
	{ KIPC_A_STATS_MAX_MAILBOXES, "max_mailboxes", K_U },
	{ KIPC_A_STATS_MAX_MSG_SIZE, "max_msg_size", K_U },
	{ KIPC_A_STATS_MAX_TOTAL_BYTES, "max_total_bytes", K_U },
	{ KIPC_A_STATS_MAX_USER_MAILBOXES, "max_user_mailboxes", K_U },
	{ KIPC_A_STATS_MAX_USER_BYTES, "max_user_bytes", K_U },
	{ KIPC_A_STATS_MAX_NOTIFY, "max_notify", K_U },
	{ KIPC_A_STATS_DEFAULT_CAPACITY, "default_capacity", K_U },
	{ KIPC_A_STATS_DEFAULT_CAPACITY_BYTES, "default_capacity_bytes", K_U },
	{ KIPC_A_STATS_EVENT_RATE, "event_rate", K_U },
	{ KIPC_A_STATS_MONITORS, "monitors", K_U },
};

/* What an event adds to the mailbox. */
static const struct field event_fields[] = {
	{ KIPC_A_EVENT_TIME, "time_ns", K_MONO },
	{ KIPC_A_EVENT_PID, "pid", K_PID },
	{ KIPC_A_MSG_SEQ, "seq", K_U },
	{ KIPC_A_MSG_LEN, "len", K_U },
	{ KIPC_A_MSG_TYPE, "type", K_U },
	{ KIPC_A_EVENT_SUPPRESSED, "suppressed", K_U },
	{ KIPC_A_EVENT_LOST, "lost", K_U },
};

static const char *const event_names[] = {
	[KIPC_EVENT_CREATE]	= "create",
	[KIPC_EVENT_DESTROY]	= "destroy",
	[KIPC_EVENT_FULL]	= "full",
	[KIPC_EVENT_NOTIFY]	= "notify",
	[KIPC_EVENT_SEND]	= "send",
	[KIPC_EVENT_RECV]	= "recv",
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char *attr_name(int type)
{
	static const char *const names[KIPC_A_MAX + 1] = {
		[KIPC_A_MBOX_ID] = "mbox-id",
		[KIPC_A_MBOX_NAME] = "mbox-name",
		[KIPC_A_ALL_NS] = "all-ns",
	};

	if (type < 0 || type > KIPC_A_MAX)
		return NULL;
	return names[type];
}

static void rec_parse(const struct nlmsghdr *nlh, struct rec *r)
{
	const struct nlattr *tb[KIPC_A_MAX + 1];

	memset(r, 0, sizeof(*r));
	nl_parse(nlh, attr_types, KIPC_A_MAX, tb);
	for (int i = 1; i <= KIPC_A_MAX; i++) {
		if (!tb[i])
			continue;
		r->have[i] = true;
		switch (attr_types[i]) {
		case MNL_TYPE_U32:
			r->v[i] = mnl_attr_get_u32(tb[i]);
			break;
		case MNL_TYPE_U64:
			r->v[i] = mnl_attr_get_u64(tb[i]);
			break;
		case MNL_TYPE_NUL_STRING:
			snprintf(r->name, sizeof(r->name), "%s",
				 mnl_attr_get_str(tb[i]));
			break;
		default:
			break;
		}
	}
}

/* The owner's name, or the number; the last answer is kept (for list). */
static const char *user_name(uint64_t uid)
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

/* Text: "key: value" lines. */
static void print_fields_text(const struct rec *r, const struct field *f,
			      size_t n)
{
	char buf[32];

	for (size_t i = 0; i < n; i++, f++) {
		uint64_t v = r->v[f->attr];

		if (!r->have[f->attr])
			continue;
		switch (f->kind) {
		case K_STR: {
			char name[4 * KIPC_NAME_MAX];

			text_name(name, sizeof(name), r->name);
			printf("%s: %s\n", f->key, name);
			break;
		}
		case K_PID:
			printf("%s: %" PRId32 "\n", f->key, (int32_t)v);
			break;
		case K_UID:
			printf("%s: %" PRIu64 " (%s)\n", f->key, v,
			       user_name(v));
			break;
		case K_GID:
			printf("%s: %" PRIu64 " (%s)\n", f->key, v,
			       group_name(v, buf, sizeof(buf)));
			break;
		case K_MODE:
			printf("%s: %04" PRIo64 "\n", f->key, v);
			break;
		case K_TEMP:
			printf("%s: %s\n", f->key,
			       v & KIPC_STAT_TEMP ? "yes" : "no");
			break;
		case K_TIME:
		case K_MONO:
			/* "ctime_ns" -> "ctime: 2026-01-02T03:04:05.000000000Z" */
			printf("%.*s: ", (int)(strlen(f->key) - 3), f->key);
			print_time(f->kind == K_MONO ? mono_to_real_ns(v) : v);
			putchar('\n');
			break;
		default:
			printf("%s: %" PRIu64 "\n", f->key, v);
			break;
		}
	}
}

/* JSON: members of the open object. */
static void print_fields_json(const struct rec *r, const struct field *f,
			      size_t n)
{
	char buf[16];

	for (size_t i = 0; i < n; i++, f++) {
		uint64_t v = r->v[f->attr];

		if (!r->have[f->attr])
			continue;
		switch (f->kind) {
		case K_STR:
			json_str(f->key, r->name);
			break;
		case K_PID:
			json_i64(f->key, (int32_t)v);
			break;
		case K_MODE:
			snprintf(buf, sizeof(buf), "%04" PRIo64, v);
			json_str(f->key, buf);
			break;
		case K_TEMP:
			json_bool(f->key, v & KIPC_STAT_TEMP);
			break;
		case K_MONO:
			json_u64(f->key, mono_to_real_ns(v));
			break;
		default:
			json_u64(f->key, v);
			break;
		}
	}
}

/* Prints "kipcctl: OP NAME: strerror (ENAME): what the kernel said". */
int nl_fail(struct nl *nl, const char *op, const char *name, int err)
{
	if (err < 0)
		err = -err;
	fprintf(stderr, "%s: %s%s%s: %s (%s)%s\n", prog, op, name ? " " : "",
		name ? name : "", strerror(err), errno_name(err),
		nl ? nl_err_detail(nl, attr_name) : "");
	return err == EAGAIN || err == ETIMEDOUT ? KIPCCTL_AGAIN : KIPCCTL_ERROR;
}

int open_family(struct nl *nl, const char *op)
{
	int ret = nl_open(nl, KIPC_GENL_NAME);

	if (ret == -ENOENT) {
		kipcctl_not_loaded();
		return KIPCCTL_ERROR;
	}
	if (ret)
		return nl_fail(NULL, op, "netlink", ret);
	return 0;
}

enum { OPT_COUNT = 256, OPT_ID, OPT_OWNER };

/*
 * Parses options for @cmd: -j/-p as after the command name, and @long_opts.
 * Sets *@count and *@id when given. Returns 0 or an exit status; the
 * positional arguments start at optind.
 */
static int parse_opts(int argc, char **argv, bool want_count, bool want_id,
		      uint64_t *count, uint64_t *id, const char **owner,
		      int min_pos, int max_pos)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "all-namespaces", no_argument, NULL, 'A' },
		{ "count", required_argument, NULL, OPT_COUNT },
		{ "id", required_argument, NULL, OPT_ID },
		{ "owner", required_argument, NULL, OPT_OWNER },
		{ NULL, 0, NULL, 0 },
	};
	const char *cmd = argv[0];
	int c;

	optind = 0;	/* full reset: another command may have run getopt */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":jpA", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			opt_json = true;
			break;
		case 'A':
			opt_all_ns = true;
			break;
		case 'p':
			opt_pretty = true;
			break;
		case OPT_COUNT:
			if (!want_count)
				goto not_here;
			if (!parse_u64(optarg, UINT64_MAX, count) || !*count)
				return kipcctl_usage(cmd, "bad value '%s' for --count",
						     optarg);
			break;
		case OPT_ID:
			if (!want_id)
				goto not_here;
			if (!parse_u64(optarg, UINT32_MAX, id) || !*id)
				return kipcctl_usage(cmd, "bad value '%s' for --id",
						     optarg);
			break;
		case OPT_OWNER:
			if (!owner)
				goto not_here;
			*owner = optarg;
			break;
		default:
			return kipcctl_usage(cmd, "bad or incomplete option '%s'",
					     argv[optind - 1]);
		}
		continue;
not_here:
		return kipcctl_usage(cmd, "option '%s' does not apply",
				     argv[optind - 1]);
	}
	if (argc - optind < min_pos)
		return kipcctl_usage(cmd, "missing mailbox NAME");
	if (argc - optind > max_pos)
		return kipcctl_usage(cmd, "unexpected argument '%s'",
				     argv[optind + max_pos]);
	return 0;
}

/* ------------------------------------------------------------------ list */

static int list_cb(const struct nlmsghdr *nlh, void *data)
{
	struct recs *rs = data;

	if (rs->n == rs->cap) {
		size_t cap = rs->cap ? rs->cap * 2 : 64;
		struct rec *v = realloc(rs->v, cap * sizeof(*v));

		if (!v) {
			errno = ENOMEM;
			return MNL_CB_ERROR;
		}
		rs->v = v;
		rs->cap = cap;
	}
	rec_parse(nlh, &rs->v[rs->n++]);
	return MNL_CB_OK;
}

int dump_mailboxes(struct nl *nl, struct recs *rs)
{
	struct nlmsghdr *nlh;
	int ret, tries = 0;

	/* A dump that raced with a create or destroy is retried. */
	do {
		rs->n = 0;
		nlh = nl_request(nl, KIPC_CMD_MBOX_GET, NLM_F_DUMP);
		if (opt_all_ns)
			mnl_attr_put(nlh, KIPC_A_ALL_NS, 0, NULL);
		ret = nl_talk(nl, nlh, list_cb, rs);
	} while (ret == -EINTR && ++tries < 5);
	return ret;
}

/* By id; with -A by namespace first, so that each one's stay together. */
static int rec_cmp(const void *a, const void *b)
{
	const uint64_t *x = ((const struct rec *)a)->v;
	const uint64_t *y = ((const struct rec *)b)->v;

	if (opt_all_ns && x[KIPC_A_MBOX_NS] != y[KIPC_A_MBOX_NS])
		return x[KIPC_A_MBOX_NS] < y[KIPC_A_MBOX_NS] ? -1 : 1;
	return x[KIPC_A_MBOX_ID] < y[KIPC_A_MBOX_ID] ? -1 :
	       x[KIPC_A_MBOX_ID] > y[KIPC_A_MBOX_ID];
}

enum { COL_NS, COL_ID, COL_NAME, COL_OWNER, COL_MODE, COL_DEPTH, COL_BYTES,
	COL_BLOCKED, COL_SENT, COL_RECV, NR_COLS };

static const char *const col_head[NR_COLS] = {
	"NS", "ID", "NAME", "OWNER", "MODE", "DEPTH/CAP", "BYTES", "BLOCKED(s/r)",
	"SENT", "RECV",
};

/* Left-aligned columns; the rest are numbers, right-aligned. */
static const bool col_left[NR_COLS] = {
	[COL_NAME] = true, [COL_OWNER] = true, [COL_MODE] = true,
};

static void list_cells(const struct rec *r, char cell[NR_COLS][80])
{
	const uint64_t *v = r->v;

	snprintf(cell[COL_NS], 80, "%" PRIu64, v[KIPC_A_MBOX_NS]);
	snprintf(cell[COL_ID], 80, "%" PRIu64, v[KIPC_A_MBOX_ID]);
	text_name(cell[COL_NAME], 80, r->name);
	snprintf(cell[COL_OWNER], 80, "%s", user_name(v[KIPC_A_MBOX_UID]));
	snprintf(cell[COL_MODE], 80, "%04" PRIo64, v[KIPC_A_MBOX_MODE]);
	snprintf(cell[COL_DEPTH], 80, "%" PRIu64 "/%" PRIu64,
		 v[KIPC_A_MBOX_DEPTH], v[KIPC_A_MBOX_CAPACITY]);
	snprintf(cell[COL_BYTES], 80, "%" PRIu64, v[KIPC_A_MBOX_BYTES]);
	snprintf(cell[COL_BLOCKED], 80, "%" PRIu64 "/%" PRIu64,
		 v[KIPC_A_MBOX_BLOCKED_SENDERS], v[KIPC_A_MBOX_BLOCKED_RECEIVERS]);
	snprintf(cell[COL_SENT], 80, "%" PRIu64, v[KIPC_A_MBOX_SENT]);
	snprintf(cell[COL_RECV], 80, "%" PRIu64, v[KIPC_A_MBOX_RECEIVED]);
}

/*
 * The NS column only with -A: without, every row would say the same.
 * Padded by display width, so that names in UTF-8 line up.
 */
static void list_print_row(char cell[NR_COLS][80], const int *width)
{
	int first = opt_all_ns ? COL_NS : COL_ID;

	for (int c = first; c < NR_COLS; c++) {
		int pad = width[c] - display_width(cell[c]);

		if (c > first)
			fputs("  ", stdout);
		if (!col_left[c])
			printf("%*s", pad, "");
		fputs(cell[c], stdout);
		if (col_left[c] && c < NR_COLS - 1)
			printf("%*s", pad, "");
	}
	putchar('\n');
}

static void list_print(const struct recs *rs)
{
	char cell[NR_COLS][80];
	int width[NR_COLS];

	if (opt_json) {
		json_open('[');
		for (size_t i = 0; i < rs->n; i++) {
			json_open('{');
			print_fields_json(&rs->v[i], mbox_fields,
					  ARRAY_SIZE(mbox_fields));
			json_close('}');
		}
		json_close(']');
		json_end();
		return;
	}

	for (int c = 0; c < NR_COLS; c++)
		width[c] = strlen(col_head[c]);
	for (size_t i = 0; i < rs->n; i++) {
		list_cells(&rs->v[i], cell);
		for (int c = 0; c < NR_COLS; c++)
			if (display_width(cell[c]) > width[c])
				width[c] = display_width(cell[c]);
	}
	for (int c = 0; c < NR_COLS; c++)
		snprintf(cell[c], 80, "%s", col_head[c]);
	list_print_row(cell, width);
	for (size_t i = 0; i < rs->n; i++) {
		list_cells(&rs->v[i], cell);
		list_print_row(cell, width);
	}
	fflush(stdout);
}

/* A user name or a decimal uid. */
static bool parse_owner(const char *s, uint64_t *uid)
{
	struct passwd *pw = getpwnam(s);

	if (pw) {
		*uid = pw->pw_uid;
		return true;
	}
	return parse_u64(s, UINT32_MAX, uid);
}

/* Keeps the records whose name matches @pattern and whose owner is @uid. */
static void list_filter(struct recs *rs, const char *pattern, bool by_uid,
			uint64_t uid)
{
	size_t n = 0;

	for (size_t i = 0; i < rs->n; i++) {
		const struct rec *r = &rs->v[i];

		if (pattern && fnmatch(pattern, r->name, 0))
			continue;
		if (by_uid && r->v[KIPC_A_MBOX_UID] != uid)
			continue;
		rs->v[n++] = *r;
	}
	rs->n = n;
}

int cmd_list(int argc, char **argv)
{
	struct recs rs = { NULL, 0, 0 };
	const char *pattern = NULL, *owner = NULL;
	uint64_t uid = 0;
	struct nl nl;
	int ret;

	ret = parse_opts(argc, argv, false, false, NULL, NULL, &owner, 0, 1);
	if (ret)
		return ret;
	if (optind < argc)
		pattern = argv[optind];
	if (owner && !parse_owner(owner, &uid))
		return kipcctl_usage("list", "no such user '%s'", owner);
	ret = open_family(&nl, "list");
	if (ret)
		return ret;

	ret = dump_mailboxes(&nl, &rs);
	if (ret == -EINTR) {
		fprintf(stderr, "%s: list: warning: mailboxes kept changing; the list may be inconsistent\n",
			prog);
		ret = 0;
	}
	if (ret) {
		ret = nl_fail(&nl, "list", NULL, ret);
		goto out;
	}
	list_filter(&rs, pattern, owner != NULL, uid);
	qsort(rs.v, rs.n, sizeof(*rs.v), rec_cmp);
	list_print(&rs);
out:
	free(rs.v);
	nl_close(&nl);
	return ret;
}

/* ------------------------------------------------------------ show, stats */

static int one_cb(const struct nlmsghdr *nlh, void *data)
{
	rec_parse(nlh, data);
	return MNL_CB_OK;
}

static void print_rec(const struct rec *r, const struct field *f, size_t n)
{
	if (opt_json) {
		json_open('{');
		print_fields_json(r, f, n);
		json_close('}');
		json_end();
	} else {
		print_fields_text(r, f, n);
		fflush(stdout);
	}
}

int cmd_show(int argc, char **argv)
{
	const char *name = NULL;
	struct nlmsghdr *nlh;
	uint64_t id = 0;
	struct rec r;
	struct nl nl;
	char idbuf[24];
	int ret;

	ret = parse_opts(argc, argv, false, true, NULL, &id, NULL, 0, 1);
	if (ret)
		return ret;
	if (optind < argc)
		name = argv[optind];
	/* Names are per namespace: across them, an id names a mailbox. */
	if (opt_all_ns) {
		if (id || !name)
			return kipcctl_usage(argv[0], "with -A, give a mailbox ID");
		if (!parse_u64(name, UINT32_MAX, &id) || !id)
			return kipcctl_usage(argv[0], "with -A, give a mailbox ID, not '%s'",
					     name);
		name = NULL;
	}
	if (!name == !id)
		return kipcctl_usage(argv[0], "give a mailbox NAME or --id N");
	if (name && strlen(name) >= KIPC_NAME_MAX)
		return kipcctl_fail("show", name, ENAMETOOLONG);
	if (!name) {
		snprintf(idbuf, sizeof(idbuf), "id %" PRIu64, id);
		name = idbuf;
	}

	ret = open_family(&nl, "show");
	if (ret)
		return ret;
	nlh = nl_request(&nl, KIPC_CMD_MBOX_GET, 0);
	if (id)
		mnl_attr_put_u32(nlh, KIPC_A_MBOX_ID, id);
	else
		mnl_attr_put_strz(nlh, KIPC_A_MBOX_NAME, name);
	if (opt_all_ns)
		mnl_attr_put(nlh, KIPC_A_ALL_NS, 0, NULL);
	memset(&r, 0, sizeof(r));
	ret = nl_talk(&nl, nlh, one_cb, &r);
	if (!ret && !r.have[KIPC_A_MBOX_ID])
		ret = -EPROTO;
	if (ret)
		ret = nl_fail(&nl, "show", name, ret);
	else
		print_rec(&r, mbox_fields, ARRAY_SIZE(mbox_fields));
	nl_close(&nl);
	return ret;
}

int get_stats(struct nl *nl, struct rec *r)
{
	memset(r, 0, sizeof(*r));
	return nl_talk(nl, nl_request(nl, KIPC_CMD_STATS_GET, 0), one_cb, r);
}

int cmd_stats(int argc, char **argv)
{
	struct rec r;
	struct nl nl;
	int ret;

	ret = parse_opts(argc, argv, false, false, NULL, NULL, NULL, 0, 0);
	if (ret)
		return ret;
	ret = open_family(&nl, "stats");
	if (ret)
		return ret;
	ret = get_stats(&nl, &r);
	if (ret)
		ret = nl_fail(&nl, "stats", NULL, ret);
	else
		print_rec(&r, stats_fields, ARRAY_SIZE(stats_fields));
	nl_close(&nl);
	return ret;
}

/* --------------------------------------------------------------- monitor */

struct monitor {
	const char *name;	/* only this mailbox, or NULL */
	uint64_t count;		/* stop after this many; 0 = never */
	uint64_t seen;
	uint64_t suppressed;	/* the total we last reported */
	uint64_t lost;		/* the same, for a subscription's lost events */
};

static const char *event_name(uint64_t ev, char *buf, size_t len)
{
	if (ev < ARRAY_SIZE(event_names) && event_names[ev])
		return event_names[ev];
	snprintf(buf, len, "event%" PRIu64, ev);
	return buf;
}

static void monitor_print(const struct rec *r)
{
	const uint64_t *v = r->v;
	uint64_t t = v[KIPC_A_EVENT_TIME];
	char buf[32], name[4 * KIPC_NAME_MAX];
	const char *ev = event_name(v[KIPC_A_EVENT], buf, sizeof(buf));

	if (opt_json) {
		json_open('{');
		json_str("event", ev);
		print_fields_json(r, event_fields, ARRAY_SIZE(event_fields));
		print_fields_json(r, mbox_fields, ARRAY_SIZE(mbox_fields));
		json_close('}');
		json_end();
		return;
	}

	text_name(name, sizeof(name), r->name);
	print_time(mono_to_real_ns(t));
	printf(" %-7s mailbox=%s id=%" PRIu64 " pid=%" PRId32, ev, name,
	       v[KIPC_A_MBOX_ID], (int32_t)v[KIPC_A_EVENT_PID]);
	if (r->have[KIPC_A_MSG_SEQ])
		printf(" seq=%" PRIu64 " len=%" PRIu64 " type=%" PRIu64,
		       v[KIPC_A_MSG_SEQ], v[KIPC_A_MSG_LEN], v[KIPC_A_MSG_TYPE]);
	if (v[KIPC_A_EVENT] == KIPC_EVENT_FULL)
		printf(" depth=%" PRIu64 "/%" PRIu64 " bytes=%" PRIu64,
		       v[KIPC_A_MBOX_DEPTH], v[KIPC_A_MBOX_CAPACITY],
		       v[KIPC_A_MBOX_BYTES]);
	putchar('\n');
	fflush(stdout);
}

static int monitor_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct genlmsghdr *genl = mnl_nlmsg_get_payload(nlh);
	struct monitor *m = data;
	struct rec r;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*genl) ||
	    genl->cmd != KIPC_CMD_EVENT)
		return MNL_CB_OK;
	rec_parse(nlh, &r);
	if (!r.have[KIPC_A_EVENT] || !r.have[KIPC_A_MBOX_ID])
		return MNL_CB_OK;

	if (r.have[KIPC_A_EVENT_SUPPRESSED] &&
	    r.v[KIPC_A_EVENT_SUPPRESSED] > m->suppressed) {
		fprintf(stderr, "%s: monitor: %" PRIu64 " more events suppressed by the rate limit (event_rate)\n",
			prog, r.v[KIPC_A_EVENT_SUPPRESSED] - m->suppressed);
		m->suppressed = r.v[KIPC_A_EVENT_SUPPRESSED];
	}
	if (r.have[KIPC_A_EVENT_LOST] && r.v[KIPC_A_EVENT_LOST] > m->lost) {
		fprintf(stderr, "%s: monitor: %" PRIu64 " more events lost: the socket's receive buffer overflowed\n",
			prog, r.v[KIPC_A_EVENT_LOST] - m->lost);
		m->lost = r.v[KIPC_A_EVENT_LOST];
	}
	if (m->name && strcmp(m->name, r.name))
		return MNL_CB_OK;

	monitor_print(&r);
	if (m->count && ++m->seen >= m->count)
		return MNL_CB_STOP;
	return MNL_CB_OK;
}

int cmd_monitor(int argc, char **argv)
{
	struct monitor m = { 0 };
	struct pollfd pfd[2];
	struct rec stats;
	sigset_t mask;
	struct nl nl;
	int ret, sfd;

	ret = parse_opts(argc, argv, true, false, &m.count, NULL, NULL, 0, 1);
	if (ret)
		return ret;
	if (optind < argc)
		m.name = argv[optind];

	ret = open_family(&nl, "monitor");
	if (ret)
		return ret;
	/*
	 * A mailbox that is not there yet may be created later, and its
	 * events are what one watches for (its CREATE first). Not a silent
	 * wait on a typo, though: on a terminal, say so.
	 */
	if (m.name && !opt_all_ns) {
		struct nlmsghdr *nlh = nl_request(&nl, KIPC_CMD_MBOX_GET, 0);
		struct rec r;

		if (strlen(m.name) >= KIPC_NAME_MAX) {
			ret = kipcctl_fail("monitor", m.name, ENAMETOOLONG);
			goto out_close;
		}
		mnl_attr_put_strz(nlh, KIPC_A_MBOX_NAME, m.name);
		ret = nl_talk(&nl, nlh, one_cb, &r);
		if (ret == -ENOENT && isatty(STDERR_FILENO)) {
			fprintf(stderr, "%s: monitor %s: no such mailbox yet: waiting for it to be created (Ctrl-C stops)\n",
				prog, m.name);
		} else if (ret && ret != -ENOENT) {
			ret = nl_fail(&nl, "monitor", m.name, ret);
			goto out_close;
		}
		ret = 0;
	}
	if (opt_all_ns) {
		/*
		 * Every namespace: the "monitor" group (CAP_SYS_ADMIN). Its
		 * events carry the module's total; report only what is
		 * suppressed from now on.
		 */
		if (!get_stats(&nl, &stats))
			m.suppressed = stats.v[KIPC_A_STATS_EVENTS_SUPPRESSED];
		ret = nl_join(&nl, KIPC_GENL_MCGRP_MONITOR);
		if (ret) {
			ret = nl_fail(&nl, "monitor",
				      "join " KIPC_GENL_MCGRP_MONITOR, ret);
			goto out_close;
		}
	} else {
		/* Our namespace: a subscription, counted from zero. */
		ret = nl_talk(&nl, nl_request(&nl, KIPC_CMD_MONITOR, 0), NULL,
			      NULL);
		if (ret) {
			ret = nl_fail(&nl, "monitor", NULL, ret);
			goto out_close;
		}
	}
	fcntl(nl_fd(&nl), F_SETFL, fcntl(nl_fd(&nl), F_GETFL) | O_NONBLOCK);

	/* SIGINT and SIGTERM end the loop, and the command, cleanly. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0 ||
	    (sfd = signalfd(-1, &mask, SFD_CLOEXEC)) < 0) {
		ret = kipcctl_fail("monitor", "signalfd", errno);
		goto out_close;
	}

	pfd[0] = (struct pollfd){ .fd = sfd, .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = nl_fd(&nl), .events = POLLIN };
	ret = KIPCCTL_OK;
	for (;;) {
		int r;

		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			ret = kipcctl_fail("monitor", "poll", errno);
			break;
		}
		if (pfd[0].revents)
			break;
		if (!pfd[1].revents)
			continue;
		r = nl_recv_events(&nl, monitor_cb, &m);
		if (r == 1)
			break;
		if (r == -ENOBUFS) {
			fprintf(stderr, "%s: monitor: events lost: the socket's receive buffer overflowed\n",
				prog);
			continue;
		}
		if (r < 0 && r != -EAGAIN && r != -EINTR) {
			ret = nl_fail(&nl, "monitor", NULL, r);
			break;
		}
	}
	close(sfd);
out_close:
	nl_close(&nl);
	return ret;
}
