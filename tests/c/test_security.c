// SPDX-License-Identifier: GPL-2.0
/*
 * Security (docs/contract.md §4, §6): what an unprivileged user cannot do to another
 * user's mailbox, even with a handle it inherited; that mode changes revoke
 * access at once; that max_mailboxes and max_total_bytes stop a user who
 * spreads a flood over many mailboxes; and that netlink replies and events,
 * read by nobody (65534), carry exact attribute sizes, zero padding, no
 * kernel address and never a payload byte. Raw netlink here (the test
 * programs are not linked with libmnl). Needs root in the guest.
 */
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include "util.h"

#define OWNER	1000
#define OTHER	1001
#define NOBODY	65534

struct box {
	const char *name;
	uint32_t mode;
	int id;
	int fd;			/* a handle the child may inherit */
};

/* (As OWNER) create box->name with box->mode and queue "owner's secret". */
static void owner_creates(void *arg)
{
	struct kipc_create_opts o = { .mode = ((struct box *)arg)->mode };
	struct box *b = arg;
	int fd;

	fd = new_mbox(b->name, &o);
	ASSERT_OK(sendstr(fd, "owner's secret", 0));
	/* The mailbox outlives this handle. */
}

/* The message is still there, unread, as OWNER sent it. */
static void owner_message_intact(int fd, uint32_t depth)
{
	struct kipc_msg m;
	char buf[64];
	struct kipc_stat st = stat_of(fd);

	ASSERT_EQ(st.depth, depth);
	ASSERT_EQ(st.received, 0);
	ASSERT_EQ(st.uid, OWNER);
	memset(&m, 0, sizeof(m));
	m.buf = (uintptr_t)buf;
	m.len = sizeof(buf);
	m.flags = KIPC_NONBLOCK;
	ASSERT_OK(kipc_recv_msg(fd, &m));
	ASSERT_EQ(m.len, strlen("owner's secret"));
	ASSERT_TRUE(!memcmp(buf, "owner's secret", m.len));
	ASSERT_EQ(m.sender_uid, OWNER);
}

/* Every read, write, notify, destroy and set on @fd as a non-owner. */
static void all_denied(int fd, int read_err, int write_err)
{
	struct kipc_set s = { .flags = KIPC_SET_MODE, .mode = 0666 };
	struct kipc_msg mv[2];
	struct kipc_msg m;
	char buf[64];

	if (write_err)
		ASSERT_ERR(sendstr(fd, "intruder", KIPC_NONBLOCK), write_err);
	ASSERT_ERR(kipc_recv(fd, buf, sizeof(buf), 0, KIPC_NONBLOCK, 0), read_err);
	ASSERT_ERR(kipc_recv(fd, buf, sizeof(buf), 0,
			     KIPC_NONBLOCK | KIPC_RECV_PEEK, 0), read_err);
	ASSERT_ERR(kipc_recv(fd, buf, 1, 0,
			     KIPC_NONBLOCK | KIPC_RECV_TRUNCATE, 0), read_err);
	/* Too small a buffer: EACCES, not EMSGSIZE, and no length leaks. */
	memset(&m, 0, sizeof(m));
	m.buf = (uintptr_t)buf;
	m.len = 1;
	m.flags = KIPC_NONBLOCK;
	ASSERT_ERR(kipc_recv_msg(fd, &m), read_err);
	ASSERT_EQ(m.msg_len, 0);
	ASSERT_EQ(m.seq, 0);
	ASSERT_EQ(m.sender_uid, 0);
	memset(mv, 0, sizeof(mv));
	for (int i = 0; i < 2; i++) {
		mv[i].buf = (uintptr_t)buf;
		mv[i].len = sizeof(buf);
	}
	ASSERT_ERR(kipc_recvv(fd, mv, 2, KIPC_NONBLOCK, 0), read_err);
	ASSERT_EQ(mv[0].msg_len, 0);
	ASSERT_ERR(kipc_notify(fd, SIGUSR1, 0), read_err);
	ASSERT_ERR(kipc_destroy(fd), EPERM);
	ASSERT_ERR(kipc_set(fd, &s), EPERM);
	s = (struct kipc_set){ .flags = KIPC_SET_CAPACITY, .capacity = 1000 };
	ASSERT_ERR(kipc_set(fd, &s), EPERM);
	s = (struct kipc_set){ .flags = KIPC_SET_MODE, .mode = 0600 };
	ASSERT_ERR(kipc_set(fd, &s), EPERM);
}

static void other_vs_0600(void *arg)
{
	struct box *b = arg;
	char buf[8];
	int fd;

	/* No handle to be had, by name or by id... */
	fd = new_handle();
	ASSERT_ERR(kipc_attach(fd, b->name), EACCES);
	ASSERT_ERR(kipc_attach_id(fd, b->id), EACCES);
	/* ...and the failed attaches left the handle unattached. */
	ASSERT_ERR(kipc_recv(fd, buf, sizeof(buf), 0, KIPC_NONBLOCK, 0), ENOTCONN);
	ASSERT_ERR(kipc_destroy(fd), ENOTCONN);
	ASSERT_ERR(kipc_open_attach(b->name), EACCES);
	/* Not even by making a mailbox of the same name. */
	ASSERT_ERR(kipc_create(fd, b->name, NULL), EEXIST);

	/* A handle that root attached and this process inherited. */
	all_denied(b->fd, EACCES, EACCES);
}

TEST(other_user_gets_nothing_from_a_0600_mailbox)
{
	struct box b = { .name = uniq("sec600"), .mode = 0600 };

	IN_CHILD_AS(OWNER, OWNER)
		owner_creates(&b);
	b.fd = attach(b.name);		/* root: CAP_IPC_OWNER */
	b.id = stat_of(b.fd).id;
	ASSERT_EQ(stat_of(b.fd).mode, 0600);
	IN_CHILD_AS(OTHER, OTHER)
		other_vs_0600(&b);

	/* Nothing changed: mode, owner, the queued message. */
	ASSERT_EQ(stat_of(b.fd).mode, 0600);
	ASSERT_EQ(stat_of(b.fd).notify_count, 0);
	ASSERT_EQ(stat_of(b.fd).capacity, read_param("default_capacity"));
	owner_message_intact(b.fd, 1);
	ASSERT_OK(kipc_destroy(b.fd));
}

static void other_vs_0602(void *arg)
{
	struct box *b = arg;
	int fd;

	/* Write for others: attaching works, sending works... */
	fd = attach(b->name);
	ASSERT_EQ(stat_of(fd).id, b->id);
	ASSERT_OK(sendstr(fd, "from other", KIPC_NONBLOCK));
	/* ...and everything else is refused. */
	all_denied(fd, EACCES, 0);
}

TEST(write_only_for_others_means_send_only)
{
	struct box b = { .name = uniq("sec602"), .mode = 0602 };
	struct kipc_stat st;
	char buf[64];
	int fd;

	IN_CHILD_AS(OWNER, OWNER)
		owner_creates(&b);
	fd = attach(b.name);
	b.id = stat_of(fd).id;
	IN_CHILD_AS(OTHER, OTHER)
		other_vs_0602(&b);

	st = stat_of(fd);
	ASSERT_EQ(st.mode, 0602);
	ASSERT_EQ(st.sent, 2);
	ASSERT_EQ(st.notify_count, 0);
	owner_message_intact(fd, 2);
	ASSERT_EQ(kipc_recv(fd, buf, sizeof(buf), 0, KIPC_NONBLOCK, 0), 10);
	ASSERT_TRUE(!memcmp(buf, "from other", 10));
	ASSERT_OK(kipc_destroy(fd));
}

TEST(a_mode_change_revokes_access_of_attached_handles)
{
	struct kipc_create_opts o = { .mode = 0666 };
	struct kipc_set s = { .flags = KIPC_SET_MODE, .mode = 0600 };
	const char *name = uniq("revoke");
	int root = new_mbox(name, &o);
	int go[2], done[2];
	char c, buf[16];
	pid_t pid;

	ASSERT_EQ(pipe(go), 0);
	ASSERT_EQ(pipe(done), 0);
	pid = fork_child();
	if (!pid) {
		int fd;

		become(OTHER, OTHER);
		fd = attach(name);
		ASSERT_OK(sendstr(fd, "before", 0));
		ASSERT_EQ(kipc_recv(fd, buf, sizeof(buf), 0, KIPC_NONBLOCK, 0), 6);
		ASSERT_OK(sendstr(fd, "queued", 0));
		ASSERT_OK(kipc_notify(fd, SIGUSR1, 0));
		ASSERT_EQ(write(done[1], "a", 1), 1);
		ASSERT_EQ(read(go[0], &c, 1), 1);
		/* Same handle, after the owner's chmod 0600. */
		all_denied(fd, EACCES, EACCES);
		_exit(0);
	}
	ASSERT_EQ(read(done[0], &c, 1), 1);
	ASSERT_EQ(stat_of(root).notify_count, 1);
	ASSERT_OK(kipc_set(root, &s));
	/* Its signal registration went with its read permission. */
	ASSERT_EQ(stat_of(root).notify_count, 0);
	ASSERT_EQ(write(go[1], "b", 1), 1);
	reap_ok(pid);
	ASSERT_EQ(stat_of(root).depth, 1);
	ASSERT_EQ(stat_of(root).mode, 0600);
	ASSERT_EQ(kipc_recv(root, buf, sizeof(buf), 0, KIPC_NONBLOCK, 0), 6);
	ASSERT_TRUE(!memcmp(buf, "queued", 6));
	ASSERT_OK(kipc_destroy(root));
}

/* --------------------------------------------------- raw generic netlink */

struct nlreq {
	struct nlmsghdr n;
	struct genlmsghdr g;
	char attrs[256];
};

static char nlbuf[1 << 17];

static int nl_open(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	struct timeval tv = { .tv_sec = 10 };

	ASSERT_GE(fd, 0);
	ASSERT_EQ(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ASSERT_EQ(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
	return fd;
}

static void nl_send(int fd, uint16_t type, uint16_t flags, uint8_t cmd,
		    const char *strattr, uint16_t strtype)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct nlreq r;
	static uint32_t seq = 1;

	memset(&r, 0, sizeof(r));
	r.n.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	r.n.nlmsg_type = type;
	r.n.nlmsg_flags = NLM_F_REQUEST | flags;
	r.n.nlmsg_seq = seq++;
	r.g.cmd = cmd;
	r.g.version = 1;
	if (strattr) {
		struct nlattr *a = (struct nlattr *)r.attrs;
		size_t len = strlen(strattr) + 1;

		a->nla_type = strtype;
		a->nla_len = NLA_HDRLEN + len;
		memcpy((char *)a + NLA_HDRLEN, strattr, len);
		r.n.nlmsg_len += NLA_ALIGN(a->nla_len);
	}
	ASSERT_EQ(sendto(fd, &r, r.n.nlmsg_len, 0, (struct sockaddr *)&sa,
			 sizeof(sa)), r.n.nlmsg_len);
}

#define for_each_attr(a, start, len)					\
	for (a = (struct nlattr *)(start);				\
	     (char *)a + NLA_HDRLEN <= (char *)(start) + (len) &&	\
	     a->nla_len >= NLA_HDRLEN &&				\
	     (char *)a + a->nla_len <= (char *)(start) + (len);		\
	     a = (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len)))

struct family {
	uint16_t id;
	uint32_t group;
};

static struct family resolve(int fd)
{
	struct family f = { 0 };
	struct nlmsghdr *n;
	struct nlattr *a, *g, *ga;
	ssize_t len;

	nl_send(fd, GENL_ID_CTRL, 0, CTRL_CMD_GETFAMILY, KIPC_GENL_NAME,
		CTRL_ATTR_FAMILY_NAME);
	len = recv(fd, nlbuf, sizeof(nlbuf), 0);
	ASSERT_GE(len, (ssize_t)NLMSG_LENGTH(GENL_HDRLEN));
	n = (struct nlmsghdr *)nlbuf;
	ASSERT_NE(n->nlmsg_type, NLMSG_ERROR);
	for_each_attr(a, (char *)NLMSG_DATA(n) + GENL_HDRLEN,
		      n->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN)) {
		if (a->nla_type == CTRL_ATTR_FAMILY_ID)
			memcpy(&f.id, (char *)a + NLA_HDRLEN, 2);
		if ((a->nla_type & NLA_TYPE_MASK) != CTRL_ATTR_MCAST_GROUPS)
			continue;
		for_each_attr(g, (char *)a + NLA_HDRLEN, a->nla_len - NLA_HDRLEN) {
			uint32_t id = 0;
			bool monitor = false;

			for_each_attr(ga, (char *)g + NLA_HDRLEN,
				      g->nla_len - NLA_HDRLEN) {
				if (ga->nla_type == CTRL_ATTR_MCAST_GRP_ID)
					memcpy(&id, (char *)ga + NLA_HDRLEN, 4);
				if (ga->nla_type == CTRL_ATTR_MCAST_GRP_NAME &&
				    !strcmp((char *)ga + NLA_HDRLEN,
					    KIPC_GENL_MCGRP_MONITOR))
					monitor = true;
			}
			if (monitor)
				f.group = id;
		}
	}
	ASSERT_NE(f.id, 0);
	ASSERT_NE(f.group, 0);
	return f;
}

enum kind { K_NONE, K_U32, K_U64, K_STR, K_PAD };

static enum kind kind_of(int type)
{
	switch (type) {
	case KIPC_A_MBOX_NAME:
		return K_STR;
	case KIPC_A_PAD:
		return K_PAD;
	case KIPC_A_MBOX_BYTES: case KIPC_A_MBOX_CAPACITY_BYTES:
	case KIPC_A_MBOX_SENT: case KIPC_A_MBOX_RECEIVED:
	case KIPC_A_MBOX_DROPPED: case KIPC_A_MBOX_CTIME:
	case KIPC_A_EVENT_TIME: case KIPC_A_MSG_SEQ:
	case KIPC_A_EVENT_SUPPRESSED: case KIPC_A_STATS_MESSAGES:
	case KIPC_A_STATS_BYTES: case KIPC_A_STATS_MAX_TOTAL_BYTES:
	case KIPC_A_STATS_DEFAULT_CAPACITY_BYTES: case KIPC_A_STATS_SENT:
	case KIPC_A_STATS_RECEIVED: case KIPC_A_STATS_CREATED:
	case KIPC_A_STATS_DESTROYED: case KIPC_A_STATS_EVENTS_SUPPRESSED:
	case KIPC_A_STATS_CHARGED_BYTES: case KIPC_A_EVENT_LOST:
	case KIPC_A_STATS_MAX_USER_BYTES: case KIPC_A_MBOX_CALLS:
	case KIPC_A_CALL_DURATION:
		return K_U64;
	default:
		return type > 0 && type <= KIPC_A_MAX ? K_U32 : K_NONE;
	}
}

/* What one parsed kipc message held. */
struct parsed {
	uint8_t cmd;
	bool have[KIPC_A_MAX + 1];
	uint64_t v[KIPC_A_MAX + 1];
	char name[KIPC_NAME_MAX];
};

static bool zero(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/*
 * Checks one kipc message: genl header, every attribute's length against
 * its type, strings NUL-terminated with nothing after, every alignment gap
 * zero, no attribute twice, no u64 that looks like a kernel address.
 */
static void check_msg(const struct nlmsghdr *n, uint16_t family,
		      struct parsed *p)
{
	const struct genlmsghdr *g = NLMSG_DATA(n);
	const char *start = (const char *)g + GENL_HDRLEN;
	size_t len = n->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN), used = 0;
	struct nlattr *a;

	memset(p, 0, sizeof(*p));
	ASSERT_EQ(n->nlmsg_type, family);
	ASSERT_GE(n->nlmsg_len, NLMSG_LENGTH(GENL_HDRLEN));
	ASSERT_EQ(g->version, KIPC_GENL_VERSION);
	ASSERT_EQ(g->reserved, 0);
	p->cmd = g->cmd;
	for_each_attr(a, start, len) {
		size_t plen = a->nla_len - NLA_HDRLEN;
		const char *data = (const char *)a + NLA_HDRLEN;
		int type = a->nla_type;

		used = (const char *)a - start + NLA_ALIGN(a->nla_len);
		if (type & ~NLA_TYPE_MASK)
			FAIL("attribute %d has nested/byteorder flags", type);
		switch (kind_of(type)) {
		case K_NONE:
			FAIL("unknown attribute type %d", type);
		case K_PAD:
			if (plen)
				FAIL("pad attribute of %zu bytes", plen);
			continue;
		case K_U32:
			if (plen != 4)
				FAIL("attribute %d: %zu bytes, a u32 has 4", type, plen);
			p->v[type] = *(const uint32_t *)data;
			break;
		case K_U64:
			if (plen != 8)
				FAIL("attribute %d: %zu bytes, a u64 has 8", type, plen);
			memcpy(&p->v[type], data, 8);
			if (p->v[type] >= 0xffff800000000000ull)
				FAIL("attribute %d: %#llx looks like a kernel address",
				     type, (unsigned long long)p->v[type]);
			break;
		case K_STR:
			if (!plen || plen > KIPC_NAME_MAX)
				FAIL("name attribute of %zu bytes", plen);
			if (data[plen - 1] || strlen(data) != plen - 1)
				FAIL("name attribute: %zu bytes, but not one string and its NUL",
				     plen);
			memcpy(p->name, data, plen);
			break;
		}
		if (p->have[type])
			FAIL("attribute %d twice", type);
		p->have[type] = true;
		/* The alignment gap after the attribute: zero. */
		if (!zero(data + plen, NLA_ALIGN(a->nla_len) - a->nla_len))
			FAIL("attribute %d: nonzero padding after it", type);
	}
	/* The attributes fill the message exactly. */
	if (used != len)
		FAIL("message of %zu attribute bytes, attributes cover %zu", len, used);
}

static const int mbox_attrs[] = {
	KIPC_A_MBOX_ID, KIPC_A_MBOX_NAME, KIPC_A_MBOX_UID, KIPC_A_MBOX_GID,
	KIPC_A_MBOX_MODE, KIPC_A_MBOX_DEPTH, KIPC_A_MBOX_BYTES,
	KIPC_A_MBOX_CAPACITY, KIPC_A_MBOX_CAPACITY_BYTES,
	KIPC_A_MBOX_MAX_MSG_SIZE, KIPC_A_MBOX_HANDLES,
	KIPC_A_MBOX_BLOCKED_SENDERS, KIPC_A_MBOX_BLOCKED_RECEIVERS,
	KIPC_A_MBOX_NOTIFY_COUNT, KIPC_A_MBOX_SENT, KIPC_A_MBOX_RECEIVED,
	KIPC_A_MBOX_DROPPED, KIPC_A_MBOX_LAST_SENDER_PID,
	KIPC_A_MBOX_LAST_RECEIVER_PID, KIPC_A_MBOX_CTIME, KIPC_A_MBOX_FLAGS,
	KIPC_A_MBOX_NS, KIPC_A_MBOX_CALLS_PENDING, KIPC_A_MBOX_CALLERS_BLOCKED,
	KIPC_A_MBOX_CALLS,
};

static void has_mbox_attrs(const struct parsed *p)
{
	for (size_t i = 0; i < sizeof(mbox_attrs) / sizeof(mbox_attrs[0]); i++)
		if (!p->have[mbox_attrs[i]])
			FAIL("attribute %d missing", mbox_attrs[i]);
}

/* Reads replies until NLMSG_DONE / an ack; calls @fn on each kipc message. */
static int nl_collect(int fd, uint16_t family,
		      void (*fn)(const struct parsed *, void *), void *arg)
{
	int count = 0;

	for (;;) {
		ssize_t len = recv(fd, nlbuf, sizeof(nlbuf), 0);
		struct nlmsghdr *n;

		if (len < 0)
			FAIL("recv: %s", strerror(errno));
		for (n = (struct nlmsghdr *)nlbuf; NLMSG_OK(n, (size_t)len);
		     n = NLMSG_NEXT(n, len)) {
			struct parsed p;
			size_t gap;

			if (n->nlmsg_type == NLMSG_DONE)
				return count;
			if (n->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(n);

				if (e->error)
					FAIL("netlink error %d", e->error);
				return count;
			}
			check_msg(n, family, &p);
			/* The gap to the next message in the skb: zero. */
			gap = NLMSG_ALIGN(n->nlmsg_len) - n->nlmsg_len;
			if ((size_t)len > NLMSG_ALIGN(n->nlmsg_len) &&
			    !zero((char *)n + n->nlmsg_len, gap))
				FAIL("nonzero bytes between messages");
			fn(&p, arg);
			count++;
			if (!(n->nlmsg_flags & NLM_F_MULTI))
				return count;
		}
	}
}

struct dump_seen {
	const char *names[2];
	int found[2];
};

static void on_dump(const struct parsed *p, void *arg)
{
	struct dump_seen *d = arg;

	ASSERT_EQ(p->cmd, KIPC_CMD_MBOX_GET);
	has_mbox_attrs(p);
	ASSERT_TRUE(!p->have[KIPC_A_EVENT] && !p->have[KIPC_A_MSG_SEQ]);
	for (int i = 0; i < 2; i++)
		if (!strcmp(p->name, d->names[i])) {
			d->found[i]++;
			ASSERT_EQ(p->v[KIPC_A_MBOX_UID], 0);
			ASSERT_EQ(p->v[KIPC_A_MBOX_DEPTH], 1);
		}
}

static void on_stats(const struct parsed *p, void *arg)
{
	(void)arg;
	ASSERT_EQ(p->cmd, KIPC_CMD_STATS_GET);
	for (int t = KIPC_A_STATS_MAILBOXES; t <= KIPC_A_STATS_CHARGED_BYTES; t++)
		if (!p->have[t])
			FAIL("stats attribute %d missing", t);
	if (!p->have[KIPC_A_STATS_MAX_USER_MAILBOXES] ||
	    !p->have[KIPC_A_STATS_MAX_USER_BYTES])
		FAIL("per-user limits missing from stats");
	ASSERT_TRUE(!p->have[KIPC_A_MBOX_ID] && !p->have[KIPC_A_MBOX_NAME]);
	ASSERT_GE(p->v[KIPC_A_STATS_MAILBOXES], 2);
}

static void nobody_dumps(void *arg)
{
	struct dump_seen *d = arg;
	struct family f;
	int fd, n;

	fd = nl_open();
	f = resolve(fd);
	nl_send(fd, f.id, NLM_F_DUMP, KIPC_CMD_MBOX_GET, NULL, 0);
	n = nl_collect(fd, f.id, on_dump, d);
	ASSERT_GE(n, 2);
	ASSERT_EQ(d->found[0], 1);
	ASSERT_EQ(d->found[1], 1);
	/* A do by name: the same checks. */
	d->found[0] = 0;
	nl_send(fd, f.id, 0, KIPC_CMD_MBOX_GET, d->names[0],
		KIPC_A_MBOX_NAME);
	ASSERT_EQ(nl_collect(fd, f.id, on_dump, d), 1);
	ASSERT_EQ(d->found[0], 1);
	nl_send(fd, f.id, 0, KIPC_CMD_STATS_GET, NULL, 0);
	ASSERT_EQ(nl_collect(fd, f.id, on_stats, NULL), 1);
	close(fd);
}

TEST(netlink_replies_have_exact_sizes_and_zero_padding)
{
	/* A short name and one of 63 bytes: different padding after the NUL. */
	struct kipc_create_opts o = { .mode = 0600 };
	char longname[KIPC_NAME_MAX];
	struct dump_seen d = { 0 };
	const char *shortname = uniq("n"), *tag;
	int a, b;

	memset(longname, 'x', sizeof(longname));
	tag = uniq("long");
	memcpy(longname, tag, strlen(tag));	/* then x up to 63 bytes */
	longname[KIPC_NAME_MAX - 1] = 0;
	ASSERT_EQ(strlen(longname), KIPC_NAME_MAX - 1);
	a = new_mbox(shortname, &o);
	b = new_mbox(longname, &o);
	ASSERT_OK(sendstr(a, "PAYLOAD-a-ZQXJ", 0));
	ASSERT_OK(sendstr(b, "PAYLOAD-b-ZQXJ", 0));
	d.names[0] = shortname;
	d.names[1] = longname;
	/* Replies are built in the kernel: nobody may read them all. */
	IN_CHILD_AS(NOBODY, NOBODY)
		nobody_dumps(&d);
	ASSERT_OK(kipc_destroy(a));
	ASSERT_OK(kipc_destroy(b));
}

/* The payload, as the raw bytes nobody's socket received, must not appear. */
static const char secret[] = "ZQXJ-payload-7f3a9c-never-on-netlink";

struct mon {
	int ready[2];
	const char *name;
};

static void nobody_monitors(void *arg)
{
	struct mon *m = arg;
	int fd, events[KIPC_EVENT_RECV + 1] = { 0 };
	bool destroyed = false;
	uint32_t id = 0;
	struct family f;

	become(NOBODY, NOBODY);
	fd = nl_open();
	f = resolve(fd);
	/* The group is every namespace's view: not for nobody. */
	ASSERT_EQ(setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
			     &f.group, sizeof(f.group)), -1);
	ASSERT_EQ(errno, EPERM);
	/* Its own namespace's events, by subscription: acked with 0. */
	nl_send(fd, f.id, NLM_F_ACK, KIPC_CMD_MONITOR, NULL, 0);
	{
		ssize_t len = recv(fd, nlbuf, sizeof(nlbuf), 0);
		struct nlmsghdr *n = (struct nlmsghdr *)nlbuf;

		ASSERT_GE(len, (ssize_t)NLMSG_LENGTH(sizeof(struct nlmsgerr)));
		ASSERT_EQ(n->nlmsg_type, NLMSG_ERROR);
		ASSERT_EQ(((struct nlmsgerr *)NLMSG_DATA(n))->error, 0);
	}
	ASSERT_EQ(write(m->ready[1], "r", 1), 1);

	while (!destroyed) {
		ssize_t len = recv(fd, nlbuf, sizeof(nlbuf), 0);
		struct nlmsghdr *n;

		if (len < 0)
			FAIL("recv: %s (events so far: create %d send %d recv %d)",
			     strerror(errno), events[KIPC_EVENT_CREATE],
			     events[KIPC_EVENT_SEND], events[KIPC_EVENT_RECV]);
		/* The raw bytes, headers and all. */
		if (memmem(nlbuf, len, secret, sizeof(secret) - 1) ||
		    memmem(nlbuf, len, "ZQXJ-pay", 8))
			FAIL("payload bytes in a netlink event");
		for (n = (struct nlmsghdr *)nlbuf; NLMSG_OK(n, (size_t)len);
		     n = NLMSG_NEXT(n, len)) {
			struct parsed p;
			uint64_t ev;

			check_msg(n, f.id, &p);
			ASSERT_EQ(p.cmd, KIPC_CMD_EVENT);
			has_mbox_attrs(&p);
			ASSERT_TRUE(p.have[KIPC_A_EVENT] && p.have[KIPC_A_EVENT_TIME] &&
				    p.have[KIPC_A_EVENT_PID] &&
				    p.have[KIPC_A_EVENT_SUPPRESSED] &&
				    p.have[KIPC_A_EVENT_LOST]);
			ASSERT_EQ(p.v[KIPC_A_EVENT_SUPPRESSED], 0);
			ASSERT_EQ(p.v[KIPC_A_EVENT_LOST], 0);
			if (strcmp(p.name, m->name))
				continue;
			ev = p.v[KIPC_A_EVENT];
			ASSERT_TRUE(ev >= KIPC_EVENT_CREATE && ev <= KIPC_EVENT_RECV);
			events[ev]++;
			if (!id)
				id = p.v[KIPC_A_MBOX_ID];
			ASSERT_EQ(p.v[KIPC_A_MBOX_ID], id);
			if (ev == KIPC_EVENT_SEND || ev == KIPC_EVENT_RECV) {
				ASSERT_TRUE(p.have[KIPC_A_MSG_SEQ]);
				ASSERT_EQ(p.v[KIPC_A_MSG_LEN], sizeof(secret) - 1);
				ASSERT_EQ(p.v[KIPC_A_MSG_TYPE], 77);
			} else {
				ASSERT_TRUE(!p.have[KIPC_A_MSG_SEQ] &&
					    !p.have[KIPC_A_MSG_LEN]);
			}
			if (ev == KIPC_EVENT_DESTROY)
				destroyed = true;
		}
	}
	ASSERT_EQ(events[KIPC_EVENT_CREATE], 1);
	ASSERT_EQ(events[KIPC_EVENT_SEND], 3);
	ASSERT_EQ(events[KIPC_EVENT_RECV], 2);
	ASSERT_EQ(events[KIPC_EVENT_DESTROY], 1);
	close(fd);
}

TEST(nobody_sees_events_but_never_payload_bytes)
{
	unsigned long rate = read_param("event_rate");
	struct kipc_create_opts o = { .mode = 0600 };
	struct mon m = { .name = uniq("mon") };
	int status, fd;
	char buf[64], c;
	pid_t pid;

	ASSERT_EQ(pipe(m.ready), 0);
	write_param("event_rate", 0);	/* no event may be suppressed */
	pid = fork_child();
	if (!pid) {
		nobody_monitors(&m);
		_exit(0);
	}
	ASSERT_EQ(read(m.ready[0], &c, 1), 1);
	fd = new_mbox(m.name, &o);
	for (int i = 0; i < 3; i++)
		ASSERT_OK(kipc_send(fd, secret, sizeof(secret) - 1, 77, 0, 0, 0));
	ASSERT_EQ(kipc_recv(fd, buf, sizeof(buf), 0, 0, 0), sizeof(secret) - 1);
	ASSERT_EQ(kipc_recv(fd, buf, sizeof(buf), 0, KIPC_RECV_PEEK, 0),
		  sizeof(secret) - 1);
	ASSERT_EQ(kipc_recv(fd, buf, sizeof(buf), 0, 0, 0), sizeof(secret) - 1);
	ASSERT_OK(kipc_destroy(fd));
	status = reap(pid);
	write_param("event_rate", rate);
	ASSERT_EQ(status, 0);
}

/* --------------------------------------------------- exhaustion as a user */

#define NBOX	8
#define BIG	8192

struct flood {
	int fds[NBOX + 1];
	uint64_t sent;		/* messages queued before ENOSPC */
};

static void user_floods(void *arg)
{
	struct kipc_create_opts o = { .capacity = 1000, .capacity_bytes = 1 << 20,
				      .max_msg_size = BIG, .mode = 0600 };
	struct kipc_set s = { .flags = KIPC_SET_CAPACITY_BYTES,
			      .capacity_bytes = (2 << 20) + 1 };
	static char buf[BIG];
	struct flood *fl = arg;
	char name[64];
	int ret, full = 0;

	become(OWNER, OWNER);
	/* Mailboxes: exactly NBOX more, then ENOSPC. */
	for (int i = 0; i <= NBOX; i++) {
		snprintf(name, sizeof(name), "t-flood-%d-%d", getpid(), i);
		fl->fds[i] = new_handle();
		ret = kipc_create(fl->fds[i], name, &o);
		if (i < NBOX && ret <= 0)
			FAIL("create %d: %s", i, strerror(-ret));
	}
	ASSERT_EQ(ret, -ENOSPC);
	/* No mailbox may be given more room than max_total_bytes. */
	o.capacity_bytes = (2 << 20) + 1;
	ASSERT_ERR(kipc_create(fl->fds[NBOX], "t-flood-huge", &o), EINVAL);
	ASSERT_ERR(kipc_set(fl->fds[0], &s), EINVAL);

	/* Round robin, 8 KiB each, until every mailbox says ENOSPC. */
	memset(buf, 'f', sizeof(buf));
	for (uint64_t round = 0; full < NBOX; round++) {
		full = 0;
		for (int i = 0; i < NBOX; i++) {
			ret = kipc_send(fl->fds[i], buf, BIG, 0, 0, KIPC_NONBLOCK, 0);
			if (ret == -ENOSPC) {
				full++;
				continue;
			}
			if (ret)
				FAIL("send: %s, expected ENOSPC", strerror(-ret));
			fl->sent++;
		}
		if (round > 1000)
			FAIL("max_total_bytes never reached");
	}
	/* Blocking sends do not wait for room: ENOSPC at once. */
	ASSERT_ERR(kipc_send(fl->fds[0], buf, BIG, 0, 0, 0, 0), ENOSPC);
}

TEST(a_user_cannot_exceed_max_mailboxes_or_max_total_bytes)
{
	unsigned long old_max = read_param("max_mailboxes");
	unsigned long old_total = read_param("max_total_bytes");
	uint64_t boxes0 = stat_field("mailboxes");
	uint64_t charged0 = stat_field("charged_bytes");
	uint64_t limit = 2 << 20, charged, cost, depth = 0;
	struct flood *fl;
	int status, done[2];
	char c;
	pid_t pid;

	ASSERT_TRUE(charged0 < limit / 2);
	fl = mmap(NULL, sizeof(*fl), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(fl != MAP_FAILED);
	write_param("max_mailboxes", boxes0 + NBOX);
	write_param("max_total_bytes", limit);
	ASSERT_EQ(pipe(done), 0);
	pid = fork_child();
	if (!pid) {
		close(done[0]);
		user_floods(fl);
		/* Keep the handles until the parent has looked. */
		ASSERT_EQ(write(done[1], "d", 1), 1);
		pause();
		_exit(0);
	}
	close(done[1]);
	if (read(done[0], &c, 1) != 1) {
		write_param("max_mailboxes", old_max);
		write_param("max_total_bytes", old_total);
		status = reap(pid);
		FAIL("the flooding child failed (status %#x)", status);
	}
	charged = stat_field("charged_bytes");
	write_param("max_mailboxes", old_max);
	write_param("max_total_bytes", old_total);
	kill(pid, SIGKILL);
	status = reap(pid);
	ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);

	printf("# %llu messages of %d bytes, charged %llu of %llu\n",
	       (unsigned long long)fl->sent, BIG,
	       (unsigned long long)charged, (unsigned long long)limit);
	ASSERT_GE(fl->sent, 1);
	ASSERT_TRUE(charged <= limit);
	/* Each message costs its bytes plus one fixed header... */
	ASSERT_EQ((charged - charged0) % fl->sent, 0);
	cost = (charged - charged0) / fl->sent;
	ASSERT_TRUE(cost > BIG && cost <= BIG + 256);
	/* ...and the next one would not have fitted. */
	ASSERT_TRUE(charged + cost > limit);

	/* The mailboxes persist (not temp): count them, then clean up. */
	ASSERT_EQ(stat_field("mailboxes"), boxes0 + NBOX);
	for (int i = 0; i < NBOX; i++) {
		char name[64];
		int fd;

		snprintf(name, sizeof(name), "t-flood-%d-%d", pid, i);
		fd = attach(name);
		depth += stat_of(fd).depth;
		ASSERT_OK(kipc_destroy(fd));
		close(fd);
	}
	ASSERT_EQ(depth, fl->sent);
	ASSERT_EQ(stat_field("charged_bytes"), charged0);
	ASSERT_EQ(stat_field("mailboxes"), boxes0);
}

/* ------------------------------------------- a subscriber's portid reused */

#define REBIND_ROUNDS	300

struct rebind {
	int bfd;		/* the socket that takes the portid over */
	uint32_t portid;
	volatile int go, bound;
};

/* Binds @r->bfd to @r->portid the moment the closing socket gives it up. */
static void *rebinder(void *arg)
{
	struct rebind *r = arg;
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_pid = r->portid };

	while (!r->go)
		sched_yield();
	while (bind(r->bfd, (struct sockaddr *)&sa, sizeof(sa)))
		if (errno != EADDRINUSE)
			return (void *)(long)errno;
	r->bound = 1;
	return NULL;
}

struct churn {
	int fd;
	volatile int stop;
	volatile unsigned long rounds;
};

/* One send and one receive per round: two events for every subscriber. */
static void *churner(void *arg)
{
	struct churn *c = arg;
	char buf[8];

	while (!c->stop) {
		if (kipc_send(c->fd, "e", 1, 1, 0, 0, 0) ||
		    kipc_recv(c->fd, buf, sizeof(buf), 0, 0, 0) != 1)
			FAIL("churner: %s", strerror(errno));
		c->rounds++;
	}
	return NULL;
}

/*
 * A subscriber closes while events for it are being built; another socket
 * binds its portid at once. Netlink frees the portid before the closing
 * socket is marked dead and before NETLINK_URELEASE ends the subscription,
 * so an event sent by portid in that window reached the newcomer, which
 * never subscribed. Events go to the subscribing socket itself instead.
 */
TEST(a_reused_portid_never_receives_a_closed_subscription_s_events)
{
	unsigned long rate = read_param("event_rate");
	struct kipc_create_opts o = { .mode = 0600 };
	struct churn c = { 0 };
	pthread_t ct;
	struct family f;
	int leaked = 0;

	write_param("event_rate", 0);
	c.fd = new_mbox(uniq("rebind"), &o);
	ASSERT_EQ(pthread_create(&ct, NULL, churner, &c), 0);
	for (int i = 0; i < REBIND_ROUNDS; i++) {
		uint32_t portid = 0x4b500000 + (getpid() & 0xfff) * 1024 + i;
		struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_pid = portid };
		struct rebind r = { .portid = portid };
		unsigned long seen;
		pthread_t rt;
		void *err;
		int afd;

		afd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
		r.bfd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK,
			       NETLINK_GENERIC);
		ASSERT_TRUE(afd >= 0 && r.bfd >= 0);
		ASSERT_EQ(bind(afd, (struct sockaddr *)&sa, sizeof(sa)), 0);
		if (!i)
			f = resolve(afd);
		nl_send(afd, f.id, 0, KIPC_CMD_MONITOR, NULL, 0);
		ASSERT_EQ(pthread_create(&rt, NULL, rebinder, &r), 0);
		/* Let events for it flow, then close it under the rebinder. */
		seen = c.rounds;
		while (c.rounds < seen + 2)
			sched_yield();
		r.go = 1;
		close(afd);
		ASSERT_EQ(pthread_join(rt, &err), 0);
		ASSERT_EQ((long)err, 0);
		ASSERT_TRUE(r.bound);
		/* Whatever was in flight when it closed has been sent now. */
		seen = c.rounds;
		while (c.rounds < seen + 2)
			sched_yield();
		while (recv(r.bfd, nlbuf, sizeof(nlbuf), 0) > 0)
			leaked++;
		ASSERT_EQ(errno, EAGAIN);
		close(r.bfd);
	}
	c.stop = 1;
	ASSERT_EQ(pthread_join(ct, NULL), 0);
	write_param("event_rate", rate);
	if (leaked)
		FAIL("%d events of closed subscriptions reached a socket that took over the portid",
		     leaked);
}

/* As OWNER, sets the mode of mailbox @name. */
static void owner_sets_mode(const char *name, uint32_t mode)
{
	struct kipc_set ks = { .flags = KIPC_SET_MODE, .mode = mode };

	IN_CHILD_AS(OWNER, OWNER)
		ASSERT_OK(kipc_set(attach(name), &ks));
}

/*
 * A wait that began with permission ends with EACCES when the owner takes
 * that permission away, as msgrcv() does after IPC_SET: neither the
 * receiver gets the next message nor the sender's message gets in.
 */
TEST(a_set_that_takes_permission_away_ends_blocked_waits_with_eacces)
{
	struct kipc_create_opts o = { .mode = 0666, .capacity = 1 };
	const char *rname = uniq("revoke-r"), *sname = uniq("revoke-s");
	pid_t receiver, sender;
	int r, s;

	IN_CHILD_AS(OWNER, OWNER) {
		new_mbox(rname, &o);
		new_mbox(sname, &o);
	}
	r = attach(rname);
	s = attach(sname);
	ASSERT_EQ(sendstr(s, "full", 0), 0);

	receiver = fork_blocked_receiver_as(OTHER, OTHER, rname, r, -EACCES,
					    NULL);
	sender = fork_child();
	if (!sender) {
		become(OTHER, OTHER);
		_exit(sendstr(attach(sname), "late", 0) == -EACCES ? 0 : 1);
	}
	wait_blocked(s, 0, 1);
	owner_sets_mode(rname, 0600);
	owner_sets_mode(sname, 0600);
	reap_ok(receiver);
	reap_ok(sender);

	ASSERT_EQ(stat_of(s).sent, 1);
	ASSERT_EQ(sendstr(r, "after", 0), 0);
	ASSERT_EQ(stat_of(r).depth, 1);
	ASSERT_OK(kipc_destroy(r));
	ASSERT_OK(kipc_destroy(s));
}

/* A SET that leaves the waiter its permission leaves it waiting. */
TEST(a_set_that_keeps_a_receiver_s_permission_keeps_it_waiting)
{
	struct kipc_create_opts o = { .mode = 0666 };
	const char *name = uniq("keep-r");
	pid_t receiver;
	int fd;

	IN_CHILD_AS(OWNER, OWNER)
		new_mbox(name, &o);
	fd = attach(name);
	receiver = fork_blocked_receiver_as(OTHER, OTHER, name, fd, 5, "hello");
	owner_sets_mode(name, 0644);	/* others lose w, keep r */
	wait_blocked(fd, 1, 0);
	ASSERT_EQ(sendstr(fd, "hello", 0), 0);
	reap_ok(receiver);
	ASSERT_EQ(stat_of(fd).depth, 0);
	ASSERT_OK(kipc_destroy(fd));
}
