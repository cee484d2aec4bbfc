// SPDX-License-Identifier: GPL-2.0
/*
 * Hostile input, table-driven: every ioctl with NULL, unmapped, kernel,
 * read-only, straddling and misaligned pointers; lengths 0, 1, max, max+1
 * and 2^32-1; nonzero padding; every undefined flag bit; unterminated and
 * oversized names; handles in the wrong state. Each call must fail with the
 * exact errno, change nothing when it fails (depth, counters), and write no
 * byte of an output struct that it does not set meaningfully or zero.
 */
#include <stddef.h>
#include <sys/mman.h>

#include "util.h"

#define PAT	0xa5	/* pre-fill pattern of output buffers */

static long page;
static unsigned char *unmapped;	/* an address with no mapping */
static unsigned char *ro;	/* a read-only page (contents set per case) */
static unsigned char *edge;	/* a page followed by an unmapped one */
static unsigned char *rw;	/* a writable page, for misaligned structs */
static void *kaddr = (void *)0xffffffff81000000ul;

static void setup_pages(void)
{
	unsigned char *p;

	page = sysconf(_SC_PAGESIZE);
	p = mmap(NULL, 4 * page, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(p != MAP_FAILED);
	/* [0] rw  [1] edge  [2] guard  [3] unmapped */
	rw = p;
	edge = p + page;
	ASSERT_EQ(mprotect(p + 2 * page, page, PROT_NONE), 0);
	ASSERT_EQ(munmap(p + 3 * page, page), 0);
	/* Below mmap_min_addr: nothing can ever be mapped there. */
	unmapped = (unsigned char *)4096;
	ro = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		  -1, 0);
	ASSERT_TRUE(ro != MAP_FAILED);
}

/* Places @len bytes of @src read-only and returns the address. */
static void *readonly(const void *src, size_t len)
{
	ASSERT_EQ(mprotect(ro, page, PROT_READ | PROT_WRITE), 0);
	memcpy(ro, src, len);
	ASSERT_EQ(mprotect(ro, page, PROT_READ), 0);
	return ro;
}

/* Places @src so that its last 4 bytes fall into the guard page. */
static void *straddle(const void *src, size_t len)
{
	unsigned char *p = edge + page - (len - 4);

	memcpy(p, src, len - 4);
	return p;
}

/* ... at an odd address. */
static void *misalign(const void *src, size_t len)
{
	memcpy(rw + 1, src, len);
	return rw + 1;
}

/* Handles in each state. */
enum state { ST_FREE, ST_ATTACHED, ST_DEAD };

struct fixture {
	const char *name;
	int fd;		/* attached to @name */
	int dead;	/* attached to a destroyed mailbox */
	int free;	/* attached to nothing */
	uint32_t id;
};

static struct fixture fx(void)
{
	struct kipc_create_opts o = { .mode = 0666 };
	struct fixture f = { .name = uniq("hostile") };
	const char *dname = uniq("dead");
	int d;

	setup_pages();
	f.fd = new_mbox(f.name, &o);
	f.id = kipc_attach(new_handle(), f.name);	/* an extra handle */
	d = new_mbox(dname, NULL);
	f.dead = attach(dname);
	ASSERT_OK(kipc_destroy(d));
	f.free = new_handle();
	return f;
}

static int state_fd(const struct fixture *f, enum state s)
{
	return s == ST_FREE ? f->free : s == ST_DEAD ? f->dead : f->fd;
}

/* depth/sent/received of the fixture's mailbox: must not move on failure. */
static uint64_t fingerprint(const struct fixture *f)
{
	struct kipc_stat st;

	ASSERT_OK(kipc_stat(f->fd, &st));
	return st.depth | (st.sent << 20) | (st.received << 42) |
	       ((uint64_t)st.notify_count << 62);
}

/* ------------------------------------------------ pointers, every ioctl */

struct ptr_case {
	const char *name;
	unsigned long cmd;
	size_t size;
	enum state state;	/* a state in which the valid struct succeeds */
	int ro_err;		/* errno with a read-only (valid) struct */
};

static const struct ptr_case ptr_cases[] = {
	{ "VERSION", KIPC_IOC_VERSION, sizeof(struct kipc_version), ST_FREE, EFAULT },
	{ "CREATE", KIPC_IOC_CREATE, sizeof(struct kipc_create), ST_FREE, EFAULT },
	{ "ATTACH", KIPC_IOC_ATTACH, sizeof(struct kipc_attach), ST_FREE, EFAULT },
	{ "STAT", KIPC_IOC_STAT, sizeof(struct kipc_stat), ST_ATTACHED, EFAULT },
	{ "SET", KIPC_IOC_SET, sizeof(struct kipc_set), ST_ATTACHED, 0 },
	{ "SEND", KIPC_IOC_SEND, sizeof(struct kipc_msg), ST_ATTACHED, EFAULT },
	{ "RECV", KIPC_IOC_RECV, sizeof(struct kipc_msg), ST_ATTACHED, EFAULT },
	{ "SENDV", KIPC_IOC_SENDV, sizeof(struct kipc_msgv), ST_ATTACHED, 0 },
	{ "RECVV", KIPC_IOC_RECVV, sizeof(struct kipc_msgv), ST_ATTACHED, 0 },
	{ "NOTIFY", KIPC_IOC_NOTIFY, sizeof(struct kipc_notify), ST_ATTACHED, 0 },
};

static char payload[16] = "payload";
static char rbuf[64];
static struct kipc_msg vmsgs[2];

/* A valid struct for @cmd into @buf (for a FREE handle: a fresh name). */
static void valid(const struct fixture *f, unsigned long cmd, void *buf)
{
	(void)f;
	memset(buf, 0, 256);
	switch (cmd) {
	case KIPC_IOC_CREATE: {
		struct kipc_create *c = buf;

		c->size = sizeof(*c);
		strcpy(c->name, uniq("ptr"));
		c->flags = KIPC_CREATE_TEMP;
		break;
	}
	case KIPC_IOC_ATTACH:
		strcpy(((struct kipc_attach *)buf)->name, f->name);
		break;
	case KIPC_IOC_STAT:
		((struct kipc_stat *)buf)->size = sizeof(struct kipc_stat);
		break;
	case KIPC_IOC_SET: {
		struct kipc_set *s = buf;

		s->flags = KIPC_SET_MODE;
		s->mode = 0666;
		break;
	}
	case KIPC_IOC_SEND:
	case KIPC_IOC_RECV: {
		struct kipc_msg *m = buf;

		m->buf = (uintptr_t)(cmd == KIPC_IOC_SEND ? payload : rbuf);
		m->len = cmd == KIPC_IOC_SEND ? sizeof(payload) : sizeof(rbuf);
		m->flags = KIPC_NONBLOCK;
		break;
	}
	case KIPC_IOC_SENDV:
	case KIPC_IOC_RECVV: {
		struct kipc_msgv *v = buf;

		memset(vmsgs, 0, sizeof(vmsgs));
		for (int i = 0; i < 2; i++) {
			vmsgs[i].buf = (uintptr_t)(cmd == KIPC_IOC_SENDV ? payload : rbuf);
			vmsgs[i].len = cmd == KIPC_IOC_SENDV ? sizeof(payload) : sizeof(rbuf);
		}
		v->msgs = (uintptr_t)vmsgs;
		v->count = 1;
		v->flags = KIPC_NONBLOCK;
		break;
	}
	case KIPC_IOC_NOTIFY:
		((struct kipc_notify *)buf)->signo = 0;	/* unregister: no signal */
		break;
	}
}

/* A handle in state @s that the call may change (CREATE/ATTACH attach it). */
static int fresh_fd(const struct fixture *f, enum state s)
{
	return s == ST_FREE ? new_handle() : state_fd(f, s);
}

TEST(every_ioctl_rejects_bad_pointers_with_efault)
{
	struct fixture f = fx();
	unsigned char s[256];

	/* Something to receive, so RECV with a bad pointer has a message to lose. */
	for (int i = 0; i < 4; i++)
		ASSERT_OK(sendstr(f.fd, "queued", 0));

	for (size_t i = 0; i < ARRAY_SIZE(ptr_cases); i++) {
		const struct ptr_case *c = &ptr_cases[i];
		void *bad[] = { NULL, unmapped, kaddr, NULL };
		const char *what[] = { "NULL", "unmapped", "kernel", "straddling" };
		uint64_t before;
		int fd, err;

		for (int k = 0; k < 4; k++) {
			valid(&f, c->cmd, s);
			if (k == 3)
				bad[3] = straddle(s, c->size);
			fd = fresh_fd(&f, c->state);
			before = fingerprint(&f);
			err = ioc(fd, c->cmd, bad[k]);
			EXPECT(err == EFAULT, "%s with a %s pointer: errno %d", c->name,
			       what[k], err);
			EXPECT(fingerprint(&f) == before, "%s with a %s pointer changed the mailbox",
			       c->name, what[k]);
			if (c->state == ST_FREE) {
				/* Failed attach/create leaves the handle free. */
				EXPECT(kipc_stat(fd, &(struct kipc_stat){ 0 }) == -ENOTCONN,
				       "%s with a %s pointer attached the handle", c->name, what[k]);
				close(fd);
			}
		}

		/* Read-only: readable input, but the output cannot be written. */
		valid(&f, c->cmd, s);
		fd = fresh_fd(&f, c->state);
		before = fingerprint(&f);
		err = ioc(fd, c->cmd, readonly(s, c->size));
		EXPECT(err == c->ro_err, "%s with a read-only struct: errno %d, expected %d",
		       c->name, err, c->ro_err);
		if (err)
			EXPECT(fingerprint(&f) == before,
			       "%s failed with errno %d but changed the mailbox (depth/sent/received)",
			       c->name, err);
		if (c->state == ST_FREE) {
			if (err)
				EXPECT(kipc_stat(fd, &(struct kipc_stat){ 0 }) == -ENOTCONN,
				       "%s failed with errno %d but attached the handle",
				       c->name, err);
			close(fd);
		}

		/* Misaligned: works as aligned. */
		valid(&f, c->cmd, s);
		fd = fresh_fd(&f, c->state);
		err = ioc(fd, c->cmd, misalign(s, c->size));
		EXPECT(err == 0, "%s with a misaligned struct: errno %d", c->name, err);
		if (c->state == ST_FREE)
			close(fd);
	}

	/* Payload pointers: bad send buffer, bad receive buffer. */
	uint64_t before = fingerprint(&f);
	void *bad[] = { NULL, unmapped, kaddr, ro };
	for (int k = 0; k < 4; k++) {
		struct kipc_msg m = { .buf = (uintptr_t)bad[k], .len = 8,
				      .flags = KIPC_NONBLOCK };

		if (k < 3) {
			EXPECT(ioc(f.fd, KIPC_IOC_SEND, &m) == EFAULT, "send from bad buffer %d", k);
			EXPECT(fingerprint(&f) == before, "failed send changed the mailbox");
		}
		m.buf = (uintptr_t)bad[k];
		m.len = 64;
		int err = ioc(f.fd, KIPC_IOC_RECV, &m);
		EXPECT(err == EFAULT, "recv into bad buffer %d: errno %d", k, err);
		EXPECT(fingerprint(&f) == before, "recv into bad buffer %d lost a message", k);
	}
	/* Straddling receive buffer: EFAULT, message kept. */
	{
		struct kipc_msg m = { .buf = (uintptr_t)(edge + page - 3), .len = 64,
				      .flags = KIPC_NONBLOCK };
		int err = ioc(f.fd, KIPC_IOC_RECV, &m);

		EXPECT(err == EFAULT, "recv straddling: errno %d", err);
		EXPECT(fingerprint(&f) == before, "recv straddling lost a message");
	}
	/* Batches whose array is bad, or whose second entry is bad. */
	for (int send = 0; send < 2; send++) {
		unsigned long cmd = send ? KIPC_IOC_SENDV : KIPC_IOC_RECVV;
		struct kipc_msgv v = { .count = 2, .flags = KIPC_NONBLOCK };

		for (int k = 0; k < 3; k++) {
			v.msgs = (uintptr_t)bad[k];
			EXPECT(ioc(f.fd, cmd, &v) == EFAULT, "%s with bad array %d",
			       send ? "SENDV" : "RECVV", k);
			EXPECT(fingerprint(&f) == before, "batch with a bad array changed the mailbox");
		}
		/* A read-only array: SENDV cannot report seq, RECVV the header. */
		valid(&f, cmd, s);
		struct kipc_msgv *vv = (struct kipc_msgv *)s;
		vv->msgs = (uintptr_t)readonly(vmsgs, sizeof(vmsgs));
		int err = ioc(f.fd, cmd, vv);
		EXPECT(err == EFAULT, "%s into a read-only array: errno %d",
		       send ? "SENDV" : "RECVV", err);
		EXPECT(fingerprint(&f) == before,
		       "%s into a read-only array failed but moved a message",
		       send ? "SENDV" : "RECVV");
		before = fingerprint(&f);
	}
}

/* ------------------------------------------ flags, padding, wrong state */

struct word {
	const char *name;
	unsigned long cmd;
	size_t off;		/* of a u32 flags word or padding */
	uint32_t valid;		/* bits that are defined (0 for padding) */
	enum state state;
};

static const struct word words[] = {
	{ "VERSION.flags", KIPC_IOC_VERSION, offsetof(struct kipc_version, flags), 0, ST_FREE },
	{ "VERSION.__pad", KIPC_IOC_VERSION, offsetof(struct kipc_version, __pad), 0, ST_FREE },
	{ "CREATE.flags", KIPC_IOC_CREATE, offsetof(struct kipc_create, flags), KIPC_CREATE_FLAGS, ST_FREE },
	{ "ATTACH.flags", KIPC_IOC_ATTACH, offsetof(struct kipc_attach, flags), KIPC_ATTACH_FLAGS, ST_FREE },
	{ "STAT.flags", KIPC_IOC_STAT, offsetof(struct kipc_stat, flags), 0, ST_ATTACHED },
	{ "SET.flags", KIPC_IOC_SET, offsetof(struct kipc_set, flags), KIPC_SET_FLAGS, ST_ATTACHED },
	{ "SEND.flags", KIPC_IOC_SEND, offsetof(struct kipc_msg, flags), KIPC_SEND_FLAGS, ST_ATTACHED },
	{ "SEND.__pad", KIPC_IOC_SEND, offsetof(struct kipc_msg, __pad), 0, ST_ATTACHED },
	{ "RECV.flags", KIPC_IOC_RECV, offsetof(struct kipc_msg, flags), KIPC_RECV_FLAGS, ST_ATTACHED },
	{ "RECV.__pad", KIPC_IOC_RECV, offsetof(struct kipc_msg, __pad), 0, ST_ATTACHED },
	{ "SENDV.flags", KIPC_IOC_SENDV, offsetof(struct kipc_msgv, flags), KIPC_NONBLOCK, ST_ATTACHED },
	{ "RECVV.flags", KIPC_IOC_RECVV, offsetof(struct kipc_msgv, flags), KIPC_NONBLOCK, ST_ATTACHED },
	{ "NOTIFY.flags", KIPC_IOC_NOTIFY, offsetof(struct kipc_notify, flags), KIPC_NOTIFY_FLAGS, ST_ATTACHED },
};

TEST(every_undefined_flag_bit_and_nonzero_pad_is_einval)
{
	struct fixture f = fx();
	unsigned char s[256];

	ASSERT_OK(sendstr(f.fd, "queued", 0));
	for (size_t i = 0; i < ARRAY_SIZE(words); i++) {
		const struct word *w = &words[i];

		for (int bit = 0; bit < 32; bit++) {
			uint32_t v = 1u << bit, old;
			uint64_t before;
			int fd, err;

			if (w->valid & v)
				continue;
			valid(&f, w->cmd, s);
			memcpy(&old, s + w->off, 4);
			v |= old;
			memcpy(s + w->off, &v, 4);
			fd = fresh_fd(&f, w->state);
			before = fingerprint(&f);
			err = ioc(fd, w->cmd, s);
			EXPECT(err == EINVAL, "%s bit %d: errno %d", w->name, bit, err);
			EXPECT(fingerprint(&f) == before, "%s bit %d changed the mailbox",
			       w->name, bit);
			if (w->state == ST_FREE)
				close(fd);
		}
	}
	/* Batch entries: flags other than TRUNCATE and the selections (recv), padding, timeouts. */
	for (int send = 0; send < 2; send++) {
		unsigned long cmd = send ? KIPC_IOC_SENDV : KIPC_IOC_RECVV;
		uint32_t ok = send ? 0 : KIPC_RECV_TRUNCATE | KIPC_RECV_SELECT;

		for (int bit = 0; bit < 33; bit++) {
			struct kipc_msgv *v = (struct kipc_msgv *)s;
			uint64_t before;
			int err;

			if (bit < 32 && (ok & (1u << bit)))
				continue;
			valid(&f, cmd, s);
			if (bit < 32)
				vmsgs[0].flags = 1u << bit;
			else
				vmsgs[0].__pad = 1;
			before = fingerprint(&f);
			err = ioc(f.fd, cmd, v);
			EXPECT(err == EINVAL, "%s entry bit %d: errno %d",
			       send ? "SENDV" : "RECVV", bit, err);
			EXPECT(fingerprint(&f) == before, "changed the mailbox");
			valid(&f, cmd, s);
			vmsgs[0].timeout_ns = 1;
			EXPECT(ioc(f.fd, cmd, v) == EINVAL, "entry timeout");
		}
	}
}

struct state_case {
	const char *name;
	unsigned long cmd;
	int free_err, attached_err, dead_err;
};

static const struct state_case state_cases[] = {
	{ "CREATE", KIPC_IOC_CREATE, 0, EISCONN, EISCONN },
	{ "ATTACH", KIPC_IOC_ATTACH, 0, EISCONN, EISCONN },
	{ "STAT", KIPC_IOC_STAT, ENOTCONN, 0, EIDRM },
	{ "SET", KIPC_IOC_SET, ENOTCONN, 0, EIDRM },
	{ "SEND", KIPC_IOC_SEND, ENOTCONN, 0, EIDRM },
	{ "RECV", KIPC_IOC_RECV, ENOTCONN, 0, EIDRM },
	{ "SENDV", KIPC_IOC_SENDV, ENOTCONN, 0, EIDRM },
	{ "RECVV", KIPC_IOC_RECVV, ENOTCONN, 0, EIDRM },
	{ "NOTIFY", KIPC_IOC_NOTIFY, ENOTCONN, 0, EIDRM },
	{ "DESTROY", KIPC_IOC_DESTROY, ENOTCONN, -1, EIDRM },
};

TEST(wrong_handle_states_get_exact_errnos)
{
	struct fixture f = fx();
	unsigned char s[256];

	for (size_t i = 0; i < ARRAY_SIZE(state_cases); i++) {
		const struct state_case *c = &state_cases[i];
		int errs[3] = { c->free_err, c->attached_err, c->dead_err };

		for (int st = 0; st < 3; st++) {
			int fd, err;

			if (errs[st] < 0)
				continue;
			/* RECV needs something to receive. */
			if (st == ST_ATTACHED)
				ASSERT_OK(sendstr(f.fd, "x", 0));
			valid(&f, c->cmd, s);
			fd = st == ST_FREE ? new_handle() : state_fd(&f, st);
			err = ioc(fd, c->cmd, s);
			EXPECT(err == errs[st], "%s on a %s handle: errno %d, expected %d",
			       c->name, (const char *[]){ "free", "attached", "dead" }[st],
			       err, errs[st]);
			if (st == ST_FREE)
				close(fd);
		}
	}
	/* Unknown commands: ENOTTY, whatever the handle's state. */
	unsigned long bogus[] = {
		0, 1, _IO(KIPC_IOC_MAGIC, 0x0b), _IO(KIPC_IOC_MAGIC, 0xff),
		_IOWR(KIPC_IOC_MAGIC, 0x01, struct kipc_attach),	/* wrong size */
		_IOR(KIPC_IOC_MAGIC, 0x00, struct kipc_version),	/* wrong dir */
		_IOW(KIPC_IOC_MAGIC, 0x03, int),
		_IOWR('k', 0x06, struct kipc_msg), 0xffffffffu, TCGETS, FIONREAD,
		_IO(KIPC_IOC_MAGIC, 0x7f), _IOW('x', 1, int),
		_IOC(_IOC_READ | _IOC_WRITE, KIPC_IOC_MAGIC, 0, 8),	/* VERSION, size 8 */
	};
	for (size_t i = 0; i < ARRAY_SIZE(bogus); i++)
		for (int st = 0; st < 3; st++) {
			int err = ioc(state_fd(&f, st), bogus[i], s);

			EXPECT(err == ENOTTY, "cmd %#lx on state %d: errno %d", bogus[i], st, err);
			/* The command is checked before the argument. */
			err = ioc(state_fd(&f, st), bogus[i], NULL);
			EXPECT(err == ENOTTY, "cmd %#lx, NULL, on state %d: errno %d",
			       bogus[i], st, err);
		}
	/* Destroy and set by a non-owner without CAP_IPC_OWNER. */
	IN_CHILD() {
		struct kipc_set ks = { .flags = KIPC_SET_MODE, .mode = 0777 };
		int fd = attach(f.name);

		become(65534, 65534);
		EXPECT_EQ(kipc_destroy(fd), -EPERM);
		EXPECT_EQ(kipc_set(fd, &ks), -EPERM);
	}
}

/* ---------------------------------------------------------- lengths */

TEST(lengths_zero_one_max_and_beyond)
{
	struct fixture f = fx();
	uint32_t max = 0;
	static char big[(1 << 20) + 2];
	struct kipc_stat st;
	struct { uint32_t len; int err; } sends[5];

	ASSERT_OK(kipc_stat(f.fd, &st));
	max = st.max_msg_size;
	sends[0].len = 0;		sends[0].err = 0;
	sends[1].len = 1;		sends[1].err = 0;
	sends[2].len = max;		sends[2].err = 0;
	sends[3].len = max + 1;		sends[3].err = EMSGSIZE;
	sends[4].len = 0xffffffffu;	sends[4].err = EMSGSIZE;
	for (int i = 0; i < 5; i++) {
		struct kipc_msg m = { .buf = (uintptr_t)big, .len = sends[i].len,
				      .flags = KIPC_NONBLOCK };

		EXPECT(ioc(f.fd, KIPC_IOC_SEND, &m) == sends[i].err, "send len %u", sends[i].len);
	}
	/* 0 is queued: receive it with a 0-byte buffer (even NULL). */
	struct kipc_msg m = { .buf = 0, .len = 0, .flags = KIPC_NONBLOCK };
	EXPECT(ioc(f.fd, KIPC_IOC_RECV, &m) == 0, "recv of an empty message into 0 bytes");
	EXPECT(m.len == 0 && m.msg_len == 0, "len %u msg_len %u", m.len, m.msg_len);
	/* 1-byte message into 0 bytes: EMSGSIZE, needed length reported, kept. */
	uint64_t before = fingerprint(&f);
	m = (struct kipc_msg){ .buf = (uintptr_t)big, .len = 0, .flags = KIPC_NONBLOCK };
	EXPECT(ioc(f.fd, KIPC_IOC_RECV, &m) == EMSGSIZE, "recv 1 into 0");
	EXPECT(m.msg_len == 1, "msg_len %u", m.msg_len);
	EXPECT(fingerprint(&f) == before, "EMSGSIZE removed the message");
	/* Huge buffer lengths are fine: only msg_len bytes are written. */
	m = (struct kipc_msg){ .buf = (uintptr_t)big, .len = 0xffffffffu, .flags = KIPC_NONBLOCK };
	EXPECT(ioc(f.fd, KIPC_IOC_RECV, &m) == 0, "recv with len 2^32-1");
	EXPECT(m.len == 1, "len %u", m.len);
	/* max-sized one, into max - 1 with TRUNCATE: prefix, dropped += 1. */
	memset(big, PAT, sizeof(big));
	m = (struct kipc_msg){ .buf = (uintptr_t)big, .len = max - 1,
			       .flags = KIPC_NONBLOCK | KIPC_RECV_TRUNCATE };
	EXPECT(ioc(f.fd, KIPC_IOC_RECV, &m) == 0, "truncating recv");
	EXPECT(m.len == max - 1 && m.msg_len == max, "len %u msg_len %u", m.len, m.msg_len);
	EXPECT((unsigned char)big[max - 1] == PAT, "wrote past the buffer");
	ASSERT_OK(kipc_stat(f.fd, &st));
	EXPECT(st.dropped == 1 && st.depth == 0, "dropped %llu depth %u",
	       (unsigned long long)st.dropped, st.depth);

	/* Batch counts. */
	struct { uint32_t count; int err; } counts[] = {
		{ 0, EINVAL }, { 1, 0 }, { KIPC_BATCH_MAX, 0 },
		{ KIPC_BATCH_MAX + 1, EINVAL }, { 0xffffffffu, EINVAL },
	};
	static struct kipc_msg arr[KIPC_BATCH_MAX];
	for (size_t i = 0; i < ARRAY_SIZE(counts); i++) {
		struct kipc_msgv v = { .msgs = (uintptr_t)arr, .count = counts[i].count,
				       .flags = KIPC_NONBLOCK };

		for (int k = 0; k < KIPC_BATCH_MAX; k++)
			arr[k] = (struct kipc_msg){ .buf = (uintptr_t)big, .len = 1 };
		int r = ioctl(f.fd, KIPC_IOC_SENDV, &v);
		if (counts[i].err)
			EXPECT(r == -1 && errno == counts[i].err, "SENDV count %u: %d/%d",
			       counts[i].count, r, errno);
		else
			EXPECT(r == (int)counts[i].count, "SENDV count %u moved %d",
			       counts[i].count, r);
		for (int k = 0; k < KIPC_BATCH_MAX; k++)
			arr[k] = (struct kipc_msg){ .buf = (uintptr_t)big, .len = 8 };
		r = ioctl(f.fd, KIPC_IOC_RECVV, &v);
		if (counts[i].err)
			EXPECT(r == -1 && errno == counts[i].err, "RECVV count %u", counts[i].count);
		else
			EXPECT(r == (int)counts[i].count, "RECVV count %u moved %d",
			       counts[i].count, r);
	}

	/* Sized structs: size 0, 1, sizeof - 1, > PAGE_SIZE, 2^32-1: EINVAL. */
	uint32_t bad_sizes[] = { 0, 1, 8, sizeof(struct kipc_create) - 1, 4097, 0xffffffffu };
	for (size_t i = 0; i < ARRAY_SIZE(bad_sizes); i++) {
		struct kipc_create c = { .size = bad_sizes[i] };
		int fd = new_handle();

		strcpy(c.name, uniq("size"));
		EXPECT(ioc(fd, KIPC_IOC_CREATE, &c) == EINVAL, "CREATE size %u", bad_sizes[i]);
		struct kipc_stat s2 = { .size = bad_sizes[i] };
		EXPECT(ioc(f.fd, KIPC_IOC_STAT, &s2) == EINVAL, "STAT size %u", bad_sizes[i]);
		close(fd);
	}
	/* A larger struct is fine if the tail is zero, EINVAL if not. */
	struct { struct kipc_create c; uint32_t tail[2]; } cx = { 0 };
	int fd = new_handle();
	cx.c.size = sizeof(cx);
	strcpy(cx.c.name, uniq("tail"));
	cx.c.flags = KIPC_CREATE_TEMP;
	cx.tail[1] = 1;
	EXPECT(ioc(fd, KIPC_IOC_CREATE, &cx) == EINVAL, "CREATE nonzero tail");
	cx.tail[1] = 0;
	EXPECT(ioc(fd, KIPC_IOC_CREATE, &cx) == 0, "CREATE zero tail");
	close(fd);

	/* Create limits. */
	struct { const char *what; uint32_t cap; uint64_t capb; uint32_t mms; uint32_t mode; int err; } lim[] = {
		{ "capacity 2^32-1", 0xffffffffu, 0, 0, 0, EINVAL },
		{ "capacity 2^20+1", (1u << 20) + 1, 0, 0, 0, EINVAL },
		{ "capacity 1", 1, 0, 0, 0, 0 },
		{ "max_msg_size max+1", 0, 0, max + 1, 0, EINVAL },
		{ "max_msg_size 2^32-1", 0, 0, 0xffffffffu, 0, EINVAL },
		{ "capacity_bytes < max_msg_size", 0, 100, 200, 0, EINVAL },
		{ "capacity_bytes 2^64-1", 0, ~0ull, 0, 0, EINVAL },
		{ "mode 01000", 0, 0, 0, 01000, EINVAL },
		{ "mode 2^32-1", 0, 0, 0, 0xffffffffu, EINVAL },
		{ "max_msg_size 1", 0, 0, 1, 0, 0 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(lim); i++) {
		struct kipc_create c = { .size = sizeof(c), .flags = KIPC_CREATE_TEMP,
					 .capacity = lim[i].cap, .capacity_bytes = lim[i].capb,
					 .max_msg_size = lim[i].mms, .mode = lim[i].mode };

		fd = new_handle();
		strcpy(c.name, uniq("lim"));
		EXPECT(ioc(fd, KIPC_IOC_CREATE, &c) == lim[i].err, "create %s", lim[i].what);
		close(fd);
	}
	/* Priority 0..32767 valid (POSIX's range); 32768 and 2^32-1 not. */
	uint32_t prios[] = { 0, 32767, 32768, 0xffffffffu };
	for (int i = 0; i < 4; i++) {
		struct kipc_msg pm = { .buf = (uintptr_t)big, .len = 1,
				       .flags = KIPC_NONBLOCK, .priority = prios[i] };

		EXPECT(ioc(f.fd, KIPC_IOC_SEND, &pm) == (i < 2 ? 0 : EINVAL), "priority %u", prios[i]);
	}
	/* Signals: 0 with flags, 65, 2^32-1. */
	struct kipc_notify kn[] = { { 0, KIPC_NOTIFY_ONESHOT }, { 65, 0 }, { 0xffffffffu, 0 } };
	for (int i = 0; i < 3; i++)
		EXPECT(ioc(f.fd, KIPC_IOC_NOTIFY, &kn[i]) == EINVAL, "notify %u/%u",
		       kn[i].signo, kn[i].flags);
}

/* ----------------------------------------------------------- names */

TEST(bad_names_get_exact_errnos)
{
	struct fixture f = fx();
	struct { const char *what; char name[KIPC_NAME_MAX]; int len; int err; } cases[] = {
		{ "empty", "", 0, EINVAL },
		{ "slash", "a/b", 3, EINVAL },
		{ "just a slash", "/", 1, EINVAL },
	};
	char name[KIPC_NAME_MAX];

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct kipc_create c = { .size = sizeof(c), .flags = KIPC_CREATE_TEMP };
		struct kipc_attach a = { 0 };
		int fd = new_handle();

		memcpy(c.name, cases[i].name, KIPC_NAME_MAX);
		memcpy(a.name, cases[i].name, KIPC_NAME_MAX);
		EXPECT(ioc(fd, KIPC_IOC_CREATE, &c) == cases[i].err, "create %s", cases[i].what);
		EXPECT(ioc(fd, KIPC_IOC_ATTACH, &a) == cases[i].err, "attach %s", cases[i].what);
		close(fd);
	}
	/* 64 bytes, no NUL: unterminated, ENAMETOOLONG. 63 + NUL is fine. */
	for (int len = 62; len <= 64; len++) {
		struct kipc_create c = { .size = sizeof(c), .flags = KIPC_CREATE_TEMP };
		struct kipc_attach a = { 0 };
		int fd = new_handle(), err;

		snprintf(name, sizeof(name), "%d-", getpid());
		memset(c.name, 'n', KIPC_NAME_MAX);
		memcpy(c.name, name, strlen(name));
		if (len < KIPC_NAME_MAX)
			memset(c.name + len, 0, KIPC_NAME_MAX - len);
		memcpy(a.name, c.name, KIPC_NAME_MAX);
		err = ioc(fd, KIPC_IOC_CREATE, &c);
		EXPECT(err == (len < 64 ? 0 : ENAMETOOLONG), "create name of %d: %d", len, err);
		close(fd);
		fd = new_handle();
		err = ioc(fd, KIPC_IOC_ATTACH, &a);
		/* The temp mailbox went with its handle. */
		EXPECT(err == (len < 64 ? ENOENT : ENAMETOOLONG), "attach name of %d: %d", len, err);
		close(fd);
	}
	/* Garbage after the NUL: EINVAL. */
	{
		struct kipc_create c = { .size = sizeof(c), .flags = KIPC_CREATE_TEMP };
		struct kipc_attach a = { 0 };
		int fd = new_handle();

		strcpy(c.name, "ok");
		c.name[10] = 'x';
		memcpy(a.name, c.name, KIPC_NAME_MAX);
		EXPECT(ioc(fd, KIPC_IOC_CREATE, &c) == EINVAL, "create garbage after NUL");
		EXPECT(ioc(fd, KIPC_IOC_ATTACH, &a) == EINVAL, "attach garbage after NUL");
		/* BY_ID with a name, or without an id; by name with an id. */
		a = (struct kipc_attach){ .flags = KIPC_ATTACH_BY_ID, .id = f.id };
		strcpy(a.name, "x");
		EXPECT(ioc(fd, KIPC_IOC_ATTACH, &a) == EINVAL, "BY_ID with a name");
		a = (struct kipc_attach){ .flags = KIPC_ATTACH_BY_ID };
		EXPECT(ioc(fd, KIPC_IOC_ATTACH, &a) == EINVAL, "BY_ID without an id");
		a = (struct kipc_attach){ .id = f.id };
		strcpy(a.name, f.name);
		EXPECT(ioc(fd, KIPC_IOC_ATTACH, &a) == EINVAL, "by name with an id");
		a = (struct kipc_attach){ .flags = KIPC_ATTACH_BY_ID, .id = 0xffffffffu };
		EXPECT(ioc(fd, KIPC_IOC_ATTACH, &a) == ENOENT, "BY_ID unknown");
		/* Oversized name through libkipc. */
		EXPECT(kipc_create(fd, "0123456789012345678901234567890123456789"
				   "012345678901234567890123456789", NULL) == -ENAMETOOLONG,
		       "libkipc long name");
		/* Existing. */
		EXPECT(kipc_create(fd, f.name, NULL) == -EEXIST, "existing name");
		close(fd);
	}
}

/* --------------------------------------------- no kernel bytes leak out */

static bool all(const void *p, int c, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i] != (unsigned char)c)
			return false;
	return true;
}

TEST(outputs_are_set_or_zero_never_stale)
{
	struct fixture f = fx();
	unsigned char buf[512];

	/* VERSION: every byte known. */
	{
		struct kipc_version v;

		memset(&v, PAT, sizeof(v));
		v.flags = 0;
		v.__pad = 0;
		EXPECT(ioc(f.free, KIPC_IOC_VERSION, &v) == 0, "version");
		EXPECT(v.abi_version == KIPC_ABI_VERSION && v.flags == 0 &&
		       v.max_msg_size_cap == 1u << 20 && v.__pad == 0, "version fields");
	}
	/* STAT: pattern everywhere after the input words. */
	{
		struct kipc_stat *st = (struct kipc_stat *)buf;
		struct kipc_stat ref;

		memset(buf, PAT, sizeof(buf));
		st->size = sizeof(*st);
		st->flags = 0;
		st->__pad = 0;
		EXPECT(ioc(f.fd, KIPC_IOC_STAT, st) == 0, "stat");
		ASSERT_OK(kipc_stat(f.fd, &ref));
		ref.ctime_ns = st->ctime_ns;
		EXPECT(!memcmp(st, &ref, sizeof(ref)), "stat differs from a zeroed stat");
		EXPECT(st->__pad == 0, "stat __pad %#x", st->__pad);
		EXPECT(st->last_sender_pid == 0 && st->dropped == 0,
		       "a new mailbox's last_sender_pid %d dropped %llu",
		       st->last_sender_pid, (unsigned long long)st->dropped);
		size_t nl = strlen(st->name);
		EXPECT(all(st->name + nl, 0, KIPC_NAME_MAX - nl), "name tail not zero");
		EXPECT(all(buf + sizeof(*st), PAT, sizeof(buf) - sizeof(*st)),
		       "stat wrote past its struct");
		/* A larger user struct (zero tail): only sizeof(kipc_stat) written. */
		memset(buf, 0, sizeof(buf));
		st->size = sizeof(*st) + 16;
		EXPECT(ioc(f.fd, KIPC_IOC_STAT, st) == 0, "stat bigger");
		EXPECT(st->size == sizeof(*st), "stat size %u, expected the kernel's %zu",
		       st->size, sizeof(*st));
		EXPECT(all(buf + sizeof(*st), 0, 16), "stat wrote into the tail");
		EXPECT(all(buf + sizeof(*st) + 16, 0, sizeof(buf) - sizeof(*st) - 16), "past");
		/* ... and EINVAL if the tail is not zero. */
		memset(buf, 0, sizeof(buf));
		st->size = sizeof(*st) + 16;
		buf[sizeof(*st) + 15] = 1;
		EXPECT(ioc(f.fd, KIPC_IOC_STAT, st) == EINVAL, "stat with a nonzero tail");
	}
	/* RECV: every output field as sent, padding zero, buffer not overrun. */
	{
		struct kipc_msg m;
		static unsigned char data[64];

		ASSERT_OK(kipc_send(f.fd, "12345", 5, 77, 3, 0, 0));
		memset(&m, PAT, sizeof(m));
		memset(data, PAT, sizeof(data));
		m.buf = (uintptr_t)data;
		m.len = sizeof(data);
		m.flags = KIPC_NONBLOCK;
		m.type = 0;
		m.timeout_ns = 0;
		m.__pad = 0;
		EXPECT(ioc(f.fd, KIPC_IOC_RECV, &m) == 0, "recv");
		EXPECT(m.len == 5 && m.msg_len == 5 && m.type == 77 && m.priority == 3,
		       "recv fields len %u msg_len %u type %u prio %u", m.len, m.msg_len,
		       m.type, m.priority);
		EXPECT(m.sender_pid == getpid() && m.sender_uid == getuid(), "sender");
		EXPECT(m.seq != 0 && m.seq != 0xa5a5a5a5a5a5a5a5ull, "seq %llu",
		       (unsigned long long)m.seq);
		EXPECT(m.timestamp_ns && m.timestamp_ns <= now_ns(), "timestamp");
		EXPECT(m.__pad == 0 && m.flags == KIPC_NONBLOCK && m.timeout_ns == 0 &&
		       m.buf == (uintptr_t)data, "echoed input");
		EXPECT(all(data + 5, PAT, sizeof(data) - 5), "payload overrun");

		/* EMSGSIZE: only msg_len is news; the rest zero or echoed. */
		ASSERT_OK(kipc_send(f.fd, "123456789", 9, 1, 0, 0, 0));
		memset(&m, PAT, sizeof(m));
		m.buf = (uintptr_t)data;
		m.len = 2;
		m.flags = KIPC_NONBLOCK;
		m.type = 0;
		m.timeout_ns = 0;
		m.__pad = 0;
		EXPECT(ioc(f.fd, KIPC_IOC_RECV, &m) == EMSGSIZE, "small recv");
		EXPECT(m.msg_len == 9, "msg_len %u", m.msg_len);
		EXPECT(!all(&m.seq, PAT, 8) && !all(&m.timestamp_ns, PAT, 8) &&
		       !all(&m.sender_pid, PAT, 4) && !all(&m.sender_uid, PAT, 4),
		       "EMSGSIZE left stale bytes in the output");
		EXPECT(m.__pad == 0, "pad");

		/* SEND: only seq written. */
		memset(&m, 0, sizeof(m));
		m.buf = (uintptr_t)"x";
		m.len = 1;
		m.seq = 0xa5a5a5a5a5a5a5a5ull;
		m.timestamp_ns = 0xa5a5a5a5a5a5a5a5ull;
		m.msg_len = 0xa5a5a5a5;
		EXPECT(ioc(f.fd, KIPC_IOC_SEND, &m) == 0, "send");
		EXPECT(m.seq && m.seq != 0xa5a5a5a5a5a5a5a5ull, "send seq");
		EXPECT(m.timestamp_ns == 0xa5a5a5a5a5a5a5a5ull && m.msg_len == 0xa5a5a5a5,
		       "send wrote fields it does not own");
	}
	/* CREATE and ATTACH write only the id. */
	{
		struct kipc_create c;
		struct kipc_attach a;
		int fd = new_handle();

		memset(&c, 0, sizeof(c));
		c.size = sizeof(c);
		c.flags = KIPC_CREATE_TEMP;
		strcpy(c.name, uniq("out"));
		c.id = 0xa5a5a5a5;
		EXPECT(ioc(fd, KIPC_IOC_CREATE, &c) == 0, "create");
		EXPECT(c.id && c.id != 0xa5a5a5a5, "create id");
		int fd2 = new_handle();
		memset(&a, 0, sizeof(a));
		strcpy(a.name, c.name);
		EXPECT(ioc(fd2, KIPC_IOC_ATTACH, &a) == 0, "attach");
		EXPECT(a.id == c.id, "attach id");
		close(fd2);
		close(fd);
	}
}
