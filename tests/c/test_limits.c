// SPDX-License-Identifier: GPL-2.0
/*
 * Limits and namespaces (docs/contract.md §2, §4; issue 13, items 2, 9, 10): the
 * per-user limits max_user_mailboxes and max_user_bytes (one user stopped
 * with ENOSPC at the exact byte, another user and CAP_SYS_RESOURCE not,
 * nothing lost); the mailboxes of an IPC namespace that no process uses any
 * more are freed, as KIPC_IOC_DESTROY would (EIDRM for handles elsewhere),
 * while an nsfs file still keeps them, as for SysV; CREATE works with no
 * descriptor left; KIPC_ATTACH_ALL_NS; ids cycle below 2^31. Needs root in
 * the guest; the unprivileged-user-namespace attack is in 62-security.bats.
 */
#include <poll.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/capability.h>

#include "util.h"

#define USER_A	1000
#define USER_B	1001
#define NOBODY	65534

/* Become @uid with CAP_SYS_RESOURCE, and no other capability. */
static void become_with_sys_resource(uid_t uid)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2] = { { 0 } };

	ASSERT_EQ(prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0), 0);
	become(uid, uid);
	data[0].effective = data[0].permitted = 1u << CAP_SYS_RESOURCE;
	ASSERT_EQ(syscall(SYS_capset, &hdr, data), 0);
}

/* Polls (up to 60 s, no timing asserted) until @cond(@arg) holds. */
static bool eventually(bool (*cond)(void *), void *arg)
{
	for (int i = 0; i < 1200; i++) {
		if (cond(arg))
			return true;
		usleep(50000);
	}
	return false;
}

/* ------------------------------------------------- max_user_mailboxes */

struct boxes {
	const char *prefix;
	int n;			/* how many to create */
	bool last_fails;	/* the one after them gets ENOSPC */
	bool sys_resource;	/* as @uid with CAP_SYS_RESOURCE */
	uid_t uid;
};

static const char *box_name(const char *prefix, uid_t uid, int i)
{
	static char name[KIPC_NAME_MAX];

	snprintf(name, sizeof(name), "%s-%u-%d", prefix, uid, i);
	return name;
}

static void create_boxes(void *arg)
{
	struct boxes *b = arg;
	struct kipc_stat st;
	int fd, i;

	if (b->sys_resource)
		become_with_sys_resource(b->uid);
	else if (b->uid)
		become(b->uid, b->uid);
	for (i = 0; i < b->n; i++)
		close(new_mbox(box_name(b->prefix, b->uid, i), NULL));
	if (!b->last_fails)
		return;
	fd = new_handle();
	ASSERT_ERR(kipc_create(fd, box_name(b->prefix, b->uid, i), NULL), ENOSPC);
	/* Nothing half-done: the handle is free, the name too. */
	ASSERT_ERR(kipc_stat(fd, &st), ENOTCONN);
	ASSERT_ERR(kipc_attach(new_handle(), box_name(b->prefix, b->uid, i)),
		   ENOENT);
	/* Still ENOSPC: the failure charged nothing. */
	ASSERT_ERR(kipc_create(fd, box_name(b->prefix, b->uid, i), NULL), ENOSPC);
}

/* As @uid: destroy box 0, then box n can be created. */
static void destroy_one_create_one(void *arg)
{
	struct boxes *b = arg;
	int fd;

	become(b->uid, b->uid);
	fd = attach(box_name(b->prefix, b->uid, 0));
	ASSERT_OK(kipc_destroy(fd));
	close(fd);
	close(new_mbox(box_name(b->prefix, b->uid, b->n), NULL));
}

static void destroy_boxes(const char *prefix, uid_t uid, int from, int to)
{
	for (int i = from; i < to; i++) {
		int fd = new_handle();

		if (kipc_attach(fd, box_name(prefix, uid, i)) > 0)
			kipc_destroy(fd);
		close(fd);
	}
}

static void user_mailbox_limits(void *arg)
{
	const char *prefix = arg;
	struct boxes a = { prefix, 3, true, false, USER_A };
	struct boxes b = { prefix, 3, true, false, USER_B };
	struct boxes cap = { prefix, 2, false, true, USER_A };
	struct boxes root = { prefix, 5, false, false, 0 };

	ASSERT_EQ(stat_field("max_user_mailboxes"), 3);
	/* A reaches its limit... */
	IN_CHILD()
		create_boxes(&a);
	/* ...which is A's alone: B has its own, root is exempt. */
	IN_CHILD()
		create_boxes(&b);
	IN_CHILD()
		create_boxes(&root);
	/* Destroy uncharges: A can create one again, and is full again. */
	IN_CHILD()
		destroy_one_create_one(&a);
	a.n = 0;
	IN_CHILD()
		create_boxes(&a);
	/* The same uid with CAP_SYS_RESOURCE goes past the limit. */
	cap.prefix = uniq("cap");
	IN_CHILD()
		create_boxes(&cap);
	destroy_boxes(cap.prefix, USER_A, 0, 2);
}

TEST(max_user_mailboxes_stops_one_user_not_another_root_or_cap_sys_resource)
{
	const char *prefix = uniq("um");
	int status;

	status = run_with_param("max_user_mailboxes", 3, user_mailbox_limits,
				(void *)prefix);
	destroy_boxes(prefix, USER_A, 0, 4);
	destroy_boxes(prefix, USER_B, 0, 3);
	destroy_boxes(prefix, 0, 0, 5);
	ASSERT_EQ(status, 0);
}

/* ----------------------------------------------------- max_user_bytes */

#define LIMIT		(64 << 10)
#define PAYLOAD		1000

struct fill {
	int go[2];		/* the parent says: verify and clean up */
	int full[2];		/* the child says: at the limit */
	uint64_t sent;		/* messages of PAYLOAD bytes queued */
	uint64_t cost;		/* what one such message is charged */
	const char *name;
};

static struct kipc_create_opts fill_opts = {
	.capacity = 1000, .capacity_bytes = 1 << 20, .max_msg_size = PAYLOAD,
};

static int send_n(int fd, uint32_t len, uint64_t i)
{
	char buf[PAYLOAD];

	memset(buf, 'x', sizeof(buf));
	snprintf(buf, sizeof(buf), "m%06llu", (unsigned long long)i);
	return kipc_send(fd, buf, len, 0, 0, KIPC_NONBLOCK, 0);
}

/*
 * As USER_A: fill a mailbox until max_user_bytes says ENOSPC, and check
 * that the limit is the exact byte, charged as the global counter is.
 */
static void user_fills(struct fill *f)
{
	uint64_t charged0 = stat_field("charged_bytes"), charged, left, i;
	struct kipc_msg m;
	char buf[PAYLOAD];
	int fd, ret;

	become(USER_A, USER_A);
	fd = new_mbox(f->name, &fill_opts);
	for (i = 0; (ret = send_n(fd, PAYLOAD, i)) == 0; i++)
		;
	ASSERT_EQ(ret, -ENOSPC);
	ASSERT_GE(i, 1);
	charged = stat_field("charged_bytes") - charged0;
	ASSERT_EQ(charged % i, 0);
	f->sent = i;
	f->cost = charged / i;
	ASSERT_TRUE(f->cost > PAYLOAD && f->cost <= PAYLOAD + 256);
	ASSERT_TRUE(charged <= LIMIT && charged + f->cost > LIMIT);
	/* What is left fits a message exactly that long, and not a byte more. */
	left = LIMIT - charged;
	if (left >= f->cost - PAYLOAD) {
		ASSERT_ERR(send_n(fd, left - (f->cost - PAYLOAD) + 1, i), ENOSPC);
		ASSERT_OK(send_n(fd, left - (f->cost - PAYLOAD), i));
		i++;
	}
	ASSERT_ERR(send_n(fd, 0, i), ENOSPC);
	ASSERT_EQ(stat_field("charged_bytes") - charged0, charged +
		  (i > f->sent ? left : 0));
	ASSERT_EQ(write(f->full[1], "f", 1), 1);

	/* The others have had their turn: nothing of ours was lost. */
	ASSERT_EQ(read(f->go[0], buf, 1), 1);
	ASSERT_EQ(stat_field("charged_bytes") - charged0, charged +
		  (i > f->sent ? left : 0));
	ASSERT_ERR(send_n(fd, 0, i), ENOSPC);
	for (uint64_t j = 0; j < i; j++) {
		char want[32];

		memset(&m, 0, sizeof(m));
		m.buf = (uintptr_t)buf;
		m.len = sizeof(buf);
		m.flags = KIPC_NONBLOCK;
		ASSERT_OK(kipc_recv_msg(fd, &m));
		snprintf(want, sizeof(want), "m%06llu", (unsigned long long)j);
		if (m.len >= 7)
			ASSERT_TRUE(!memcmp(buf, want, 7));
		ASSERT_EQ(m.len, j < f->sent ? PAYLOAD :
			  left - (f->cost - PAYLOAD));
		/* Each receive makes room for one more. */
		if (!j) {
			ASSERT_OK(send_n(fd, PAYLOAD, i));
			ASSERT_ERR(send_n(fd, PAYLOAD, i + 1), ENOSPC);
		}
	}
	ASSERT_OK(kipc_destroy(fd));
	ASSERT_EQ(stat_field("charged_bytes"), charged0);
}

/* USER_B, while USER_A is at its limit: the same room, its own. */
static void other_user_fills(void *arg)
{
	struct fill *f = arg;
	uint64_t i;
	int fd, ret;

	become(USER_B, USER_B);
	fd = new_mbox(uniq("ub"), &fill_opts);
	for (i = 0; (ret = send_n(fd, PAYLOAD, i)) == 0; i++)
		;
	ASSERT_EQ(ret, -ENOSPC);
	ASSERT_EQ(i, f->sent);
	ASSERT_OK(kipc_destroy(fd));
}

/* USER_A again, with CAP_SYS_RESOURCE: past the limit. */
static void cap_user_sends(void *arg)
{
	struct fill *f = arg;
	int fd;

	become_with_sys_resource(USER_A);
	fd = new_mbox(uniq("ucap"), &fill_opts);
	for (uint64_t i = 0; i < f->sent + 4; i++)
		ASSERT_OK(send_n(fd, PAYLOAD, i));
	ASSERT_OK(kipc_destroy(fd));
}

static void root_sends(void *arg)
{
	(void)arg;
	int fd = new_mbox(uniq("uroot"), &fill_opts);

	ASSERT_OK(send_n(fd, PAYLOAD, 0));
	ASSERT_OK(kipc_destroy(fd));
}

static void user_byte_limits(void *arg)
{
	struct fill *f = arg;
	int status;
	char c;
	pid_t pid;

	ASSERT_EQ(stat_field("max_user_bytes"), LIMIT);
	pid = fork_child();
	if (!pid) {
		user_fills(f);
		_exit(0);
	}
	if (read(f->full[0], &c, 1) != 1) {
		status = reap(pid);
		FAIL("the filling child failed (status %#x)", status);
	}
	IN_CHILD()
		other_user_fills(f);
	IN_CHILD()
		root_sends(f);
	IN_CHILD()
		cap_user_sends(f);
	ASSERT_EQ(write(f->go[1], "g", 1), 1);
	reap_ok(pid);
}

TEST(max_user_bytes_stops_one_user_at_the_exact_byte_and_loses_nothing)
{
	struct fill *f;

	f = mmap(NULL, sizeof(*f), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(f != MAP_FAILED);
	ASSERT_EQ(pipe(f->go), 0);
	ASSERT_EQ(pipe(f->full), 0);
	f->name = uniq("ubytes");
	with_param("max_user_bytes", LIMIT, user_byte_limits, f);
}

/* ---------------------------------------------------- descriptors, item 9 */

TEST(create_works_with_no_descriptor_left)
{
	int a = new_handle(), b = new_handle();
	struct rlimit rl;
	pid_t pid;

	/* Every descriptor up to b in use, and none beyond allowed. */
	ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &rl), 0);
	rl.rlim_cur = b + 1;
	ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &rl), 0);
	while (open("/dev/null", O_RDONLY) >= 0)
		;
	ASSERT_SYSERR(open("/dev/null", O_RDONLY), EMFILE);

	ASSERT_GE(kipc_create(a, uniq("nofd"), NULL), 1);
	ASSERT_OK(kipc_destroy(a));
	/* The first mailbox of a namespace too. */
	pid = fork_child();
	if (!pid) {
		if (unshare(CLONE_NEWIPC))
			FAIL("unshare: %s", strerror(errno));
		ASSERT_GE(kipc_create(b, uniq("nofd-ns"), NULL), 1);
		ASSERT_OK(kipc_destroy(b));
		_exit(0);
	}
	reap_ok(pid);
}

/* ------------------------------------------------------ namespace lifetime */

/* A child in a fresh IPC namespace, holding it until told to exit. */
struct nschild {
	pid_t pid;
	int to[2], from[2];
	uint32_t id;		/* of its first mailbox */
	unsigned long ino;	/* of its IPC namespace */
};

/*
 * Forks a child that enters a new IPC namespace, creates @n mailboxes
 * NAME-0.. (the first on @fd if >= 0) with @msgs messages each, reports,
 * and exits when told.
 */
static void ns_child_start(struct nschild *c, const char *name, int fd,
			   int n, int msgs)
{
	char buf[KIPC_NAME_MAX];
	struct stat st;

	ASSERT_EQ(pipe(c->to), 0);
	ASSERT_EQ(pipe(c->from), 0);
	c->pid = fork_child();
	ASSERT_GE(c->pid, 0);
	if (c->pid) {
		ASSERT_EQ(read(c->from[0], &c->id, sizeof(c->id)), sizeof(c->id));
		ASSERT_EQ(read(c->from[0], &c->ino, sizeof(c->ino)),
			  sizeof(c->ino));
		return;
	}
	if (unshare(CLONE_NEWIPC))
		FAIL("unshare: %s", strerror(errno));
	for (int i = 0; i < n; i++) {
		int h = i || fd < 0 ? new_handle() : fd, id;

		snprintf(buf, sizeof(buf), "%s-%d", name, i);
		id = kipc_create(h, buf, NULL);
		ASSERT_GE(id, 1);
		for (int j = 0; j < msgs; j++)
			ASSERT_OK(sendstr(h, "left behind", 0));
		if (!i)
			c->id = id;
	}
	ASSERT_EQ(stat("/proc/self/ns/ipc", &st), 0);
	c->ino = st.st_ino;
	ASSERT_EQ(write(c->from[1], &c->id, sizeof(c->id)), sizeof(c->id));
	ASSERT_EQ(write(c->from[1], &c->ino, sizeof(c->ino)), sizeof(c->ino));
	ASSERT_EQ(read(c->to[0], buf, 1), 1);
	_exit(0);
}

static void ns_child_exit(struct nschild *c)
{
	int status;

	ASSERT_EQ(write(c->to[1], "x", 1), 1);
	ASSERT_EQ(waitpid(c->pid, &status, 0), c->pid);
	ASSERT_EQ(status, 0);
}

/* The value of "ns" in `kipcctl -A -j show ID`. */
static unsigned long shown_ns(uint32_t id)
{
	char cmd[64], line[2048], *p;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "kipcctl -A -j show %u", id);
	f = popen(cmd, "r");
	if (!f || !fgets(line, sizeof(line), f))
		FAIL("%s failed", cmd);
	pclose(f);
	p = strstr(line, "\"ns\":");
	if (!p)
		FAIL("no ns in %s", line);
	return strtoul(p + 5, NULL, 10);
}

struct counts {
	uint64_t mailboxes, charged;
};

static bool stats_back_to(void *arg)
{
	struct counts *c = arg;

	return stat_field("mailboxes") == c->mailboxes &&
	       stat_field("charged_bytes") == c->charged;
}

static bool gone(void *arg)
{
	int fd = new_handle(), ret = kipc_attach_id_any_ns(fd, *(uint32_t *)arg);

	close(fd);
	return ret == -ENOENT;
}

TEST(a_namespace_no_process_uses_loses_its_mailboxes_as_by_destroy)
{
	struct counts before = { stat_field("mailboxes"),
				 stat_field("charged_bytes") };
	uint64_t destroyed = stat_field("destroyed");
	int h = new_handle();
	struct pollfd p = { .fd = h, .events = POLLIN | POLLOUT };
	struct kipc_stat st;
	struct nschild c;
	struct stat self;

	/* The child creates its first mailbox on a handle we share. */
	ns_child_start(&c, uniq("reap"), h, 4, 3);
	ASSERT_EQ(stat("/proc/self/ns/ipc", &self), 0);
	ASSERT_NE(c.ino, self.st_ino);
	ASSERT_EQ(shown_ns(c.id), c.ino);
	ASSERT_EQ(stat_field("mailboxes"), before.mailboxes + 4);
	ASSERT_OK(kipc_stat(h, &st));
	ASSERT_EQ(st.depth, 3);

	/* Its last process leaves: the namespace is unused. */
	ns_child_exit(&c);
	ASSERT_TRUE(eventually(stats_back_to, &before));
	ASSERT_EQ(stat_field("destroyed"), destroyed + 4);
	/* As after KIPC_IOC_DESTROY, for the handle still open here. */
	ASSERT_ERR(kipc_stat(h, &st), EIDRM);
	ASSERT_ERR(sendstr(h, "late", KIPC_NONBLOCK), EIDRM);
	ASSERT_EQ(poll(&p, 1, 0), 1);
	ASSERT_TRUE(p.revents & POLLHUP);
	ASSERT_TRUE(gone(&c.id));
}

struct setns_check {
	int nsfd;
	const char *name;
};

static void enter_and_read(void *arg)
{
	struct setns_check *s = arg;
	char buf[64];
	int fd;

	ASSERT_EQ(setns(s->nsfd, CLONE_NEWIPC), 0);
	fd = attach(s->name);
	ASSERT_EQ(kipc_recv(fd, buf, sizeof(buf), 0, KIPC_NONBLOCK, 0),
		  strlen("left behind"));
	ASSERT_TRUE(!memcmp(buf, "left behind", strlen("left behind")));
}

TEST(an_open_nsfs_file_keeps_a_namespace_and_its_mailboxes_as_for_sysv)
{
	const char *kept = uniq("kept"), *lost = uniq("lost");
	struct setns_check s = { .name = NULL };
	struct nschild a, b;
	char path[64], name[KIPC_NAME_MAX];
	int fd = new_handle();

	ns_child_start(&a, kept, -1, 1, 2);
	snprintf(path, sizeof(path), "/proc/%d/ns/ipc", a.pid);
	s.nsfd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_GE(s.nsfd, 0);
	ns_child_exit(&a);
	/* Another namespace, left after the first: the reaper sees both. */
	ns_child_start(&b, lost, -1, 1, 1);
	ns_child_exit(&b);
	ASSERT_TRUE(eventually(gone, &b.id));
	/* The nsfs file is a use: the mailbox, its name and bytes stay. */
	ASSERT_EQ(kipc_attach_id_any_ns(fd, a.id), a.id);
	snprintf(name, sizeof(name), "%s-0", kept);
	s.name = name;
	IN_CHILD()
		enter_and_read(&s);
	/* Closed, nothing uses the namespace. */
	close(s.nsfd);
	ASSERT_TRUE(eventually(gone, &a.id));
	ASSERT_ERR(sendstr(fd, "late", KIPC_NONBLOCK), EIDRM);
}

/* ------------------------------------------------------------ all_ns */

TEST(attach_across_namespaces_needs_an_id_and_cap_ipc_owner)
{
	struct kipc_attach a = { .flags = KIPC_ATTACH_ALL_NS };
	const char *name = uniq("allns");
	struct kipc_stat st;
	struct nschild c;
	char buf[64], full[KIPC_NAME_MAX];
	int fd;

	ns_child_start(&c, name, -1, 1, 1);
	snprintf(full, sizeof(full), "%s-0", name);
	/* Without ALL_NS the id is not ours to see. */
	ASSERT_ERR(kipc_attach_id(new_handle(), c.id), ENOENT);
	/* ALL_NS only with BY_ID: a name means nothing across namespaces. */
	memcpy(a.name, full, strlen(full));
	fd = new_handle();
	ASSERT_SYSERR(ioctl(fd, KIPC_IOC_ATTACH, &a), EINVAL);
	IN_CHILD_AS(NOBODY, NOBODY)
		ASSERT_ERR(kipc_attach_id_any_ns(new_handle(), c.id), EPERM);
	/* Root: any namespace's mailbox, to inspect and destroy. */
	ASSERT_EQ(kipc_attach_id_any_ns(fd, c.id), c.id);
	ASSERT_OK(kipc_stat(fd, &st));
	ASSERT_TRUE(!strcmp(st.name, full));
	ASSERT_EQ(st.depth, 1);
	ASSERT_EQ(kipc_recv(fd, buf, sizeof(buf), 0, KIPC_NONBLOCK, 0),
		  strlen("left behind"));
	ASSERT_OK(kipc_destroy(fd));
	ASSERT_ERR(kipc_attach_id_any_ns(new_handle(), c.id), ENOENT);
	ns_child_exit(&c);
}

/* --------------------------------------------------------------- ids */

/* How many lines of `kipcctl -j list` name mailbox @id (one JSON array). */
static int listed(uint32_t id)
{
	char pat[32], *line = NULL, *p;
	size_t cap = 0;
	int n = 0;
	FILE *f = popen("kipcctl -j list", "r");

	if (!f)
		FAIL("kipcctl -j list failed");
	snprintf(pat, sizeof(pat), "{\"id\":%u,", id);
	while (getline(&line, &cap, f) > 0)
		for (p = line; (p = strstr(p, pat)); p++)
			n++;
	free(line);
	ASSERT_EQ(pclose(f), 0);
	return n;
}

TEST(ids_cycle_below_2_31_skip_live_ones_and_dumps_end)
{
	unsigned long old = read_param("next_id");
	int fd[5], id[5];

	write_param("next_id", 0x7ffffffe);
	for (int i = 0; i < 3; i++) {
		fd[i] = new_handle();
		id[i] = kipc_create(fd[i], uniq("id"), NULL);
		ASSERT_GE(id[i], 1);
	}
	ASSERT_EQ(id[0], 0x7ffffffe);
	ASSERT_EQ(id[1], 0x7fffffff);
	/* Wrapped: the search went on from the bottom. */
	ASSERT_TRUE(id[2] < id[0]);
	ASSERT_EQ(read_param("next_id"), (unsigned long)id[2] + 1);
	/* A destroyed id is not the next one given. */
	ASSERT_OK(kipc_destroy(fd[1]));
	fd[3] = new_handle();
	id[3] = kipc_create(fd[3], uniq("id"), NULL);
	ASSERT_TRUE(id[3] > id[2] && id[3] != id[1]);
	/* Pointed at a live id, the search skips it. */
	write_param("next_id", id[0]);
	fd[4] = new_handle();
	id[4] = kipc_create(fd[4], uniq("id"), NULL);
	ASSERT_NE(id[4], id[0]);
	ASSERT_EQ(id[4], 0x7fffffff);
	/* A dump that reaches the top id ends, with each mailbox once. */
	for (int i = 0; i < 5; i++)
		if (i != 1)
			ASSERT_EQ(listed(id[i]), 1);
	ASSERT_ERR(set_param("next_id", "0"), EINVAL);
	write_param("next_id", old);
	for (int i = 0; i < 5; i++)
		if (i != 1)
			ASSERT_OK(kipc_destroy(fd[i]));
}

/*
 * The uids of one's own user namespace are one's own: a range of uids
 * mapped into it (a subordinate-uid range, as rootless containers have)
 * shares its creator's per-user limit instead of multiplying it. Three
 * uids inside a namespace that uid 1000 created, one mailbox each, with
 * max_user_mailboxes 2: the third is refused.
 */
static int create_as(const char *prefix, uid_t uid)
{
	int status;
	pid_t pid = fork_child();

	if (!pid) {
		int fd;

		if (setresuid(uid, uid, uid))
			_exit(100);
		fd = kipc_open_create(box_name(prefix, uid, 0), NULL);
		_exit(fd >= 0 ? 0 : -fd);
	}
	status = reap(pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 101;
}

TEST(uids_mapped_into_ones_user_namespace_share_its_limit)
{
	unsigned long old = read_param("max_user_mailboxes");
	const char *prefix = uniq("subuid");
	int go[2], ready[2], status;
	char path[64], c;
	pid_t pid;
	FILE *f;

	ASSERT_OK(pipe(go));
	ASSERT_OK(pipe(ready));
	write_param("max_user_mailboxes", 2);
	pid = fork_child();
	if (!pid) {
		become(USER_A, USER_A);
		if (unshare(CLONE_NEWUSER))
			_exit(99);
		if (write(ready[1], "u", 1) != 1 || read(go[0], &c, 1) != 1)
			_exit(98);
		_exit((create_as(prefix, 1) == 0 ? 1 : 0) |
		      (create_as(prefix, 2) == 0 ? 2 : 0) |
		      (create_as(prefix, 3) == ENOSPC ? 4 : 0));
	}
	ASSERT_EQ(read(ready[0], &c, 1), 1);
	/* What newuidmap would do for uid 1000's range. */
	snprintf(path, sizeof(path), "/proc/%d/uid_map", pid);
	f = fopen(path, "w");
	ASSERT_TRUE(f && fprintf(f, "0 300000 10\n") > 0 && !fclose(f));
	ASSERT_EQ(write(go[1], "g", 1), 1);
	status = reap(pid);
	write_param("max_user_mailboxes", old);
	for (uid_t u = 1; u <= 3; u++) {
		int fd = kipc_open_attach(box_name(prefix, u, 0));

		if (fd >= 0)
			kipc_destroy(fd);
	}
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(WEXITSTATUS(status), 7);
}
