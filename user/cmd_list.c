// SPDX-License-Identifier: GPL-2.0
/* kipcctl list and show: the mailboxes, as the netlink family reports them. */
#include <errno.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "nlclient.h"
#include "subcommands.h"

struct list_args {
	const char *owner;
};

const struct opt list_opts[] = {
	OPT_STR("owner", struct list_args, owner),
	{ 0 }
};

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

/*
 * The kernel dumps in id order already: a look over the records is cheaper
 * than qsort()'s merge of 10,000 records of 500 bytes.
 */
static bool recs_sorted(const struct recs *rs)
{
	for (size_t i = 1; i < rs->n; i++)
		if (rec_cmp(&rs->v[i - 1], &rs->v[i]) > 0)
			return false;
	return true;
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
			print_fields_json(&rs->v[i], &mbox_fields);
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
	struct list_args a = { NULL };
	const char *pattern;
	struct cmdline cl;
	uint64_t uid = 0;
	struct nl nl;
	int ret;

	ret = parse_args(argc, argv, &a, &cl);
	if (ret)
		return ret;
	pattern = cl.nr_pos ? cl.pos[0] : NULL;
	if (a.owner && !parse_owner(a.owner, &uid))
		return kipcctl_usage("list", "no such user '%s'", a.owner);
	ret = nlc_open(&nl, "list");
	if (ret)
		return ret;

	ret = nlc_dump(&nl, &rs);
	if (ret == -EINTR) {
		fprintf(stderr, "%s: list: warning: mailboxes kept changing; the list may be inconsistent\n",
			prog);
		ret = 0;
	}
	if (ret) {
		ret = nlc_fail(&nl, "list", NULL, ret);
		goto out;
	}
	if (pattern || a.owner)
		list_filter(&rs, pattern, a.owner != NULL, uid);
	if (!recs_sorted(&rs))
		qsort(rs.v, rs.n, sizeof(*rs.v), rec_cmp);
	list_print(&rs);
out:
	free(rs.v);
	nl_close(&nl);
	return ret;
}

struct show_args {
	uint64_t id;
};

const struct opt show_opts[] = {
	OPT_NUM("id", struct show_args, id, 1, UINT32_MAX),
	{ 0 }
};

int cmd_show(int argc, char **argv)
{
	struct show_args a = { 0 };
	const char *name;
	struct cmdline cl;
	struct rec r;
	struct nl nl;
	char idbuf[24];
	int ret;

	ret = parse_args(argc, argv, &a, &cl);
	if (ret)
		return ret;
	name = cl.nr_pos ? cl.pos[0] : NULL;
	/* Names are per namespace: across them, an id names a mailbox. */
	if (opt_all_ns) {
		if (a.id || !name)
			return kipcctl_usage("show", "with -A, give a mailbox ID");
		if (!parse_u64(name, UINT32_MAX, &a.id) || !a.id)
			return kipcctl_usage("show", "with -A, give a mailbox ID, not '%s'",
					     name);
		name = NULL;
	}
	if (!name == !a.id)
		return kipcctl_usage("show", "give a mailbox NAME or --id N");
	if (name && strlen(name) >= KIPC_NAME_MAX)
		return kipcctl_fail("show", name, ENAMETOOLONG);

	ret = nlc_open(&nl, "show");
	if (ret)
		return ret;
	ret = nlc_mailbox(&nl, name, a.id, &r);
	if (!name) {
		snprintf(idbuf, sizeof(idbuf), "id %" PRIu64, a.id);
		name = idbuf;
	}
	if (!ret && !r.have[KIPC_A_MBOX_ID])
		ret = -EPROTO;
	if (ret)
		ret = nlc_fail(&nl, "show", name, ret);
	else
		print_rec(&r, &mbox_fields);
	nl_close(&nl);
	return ret;
}
