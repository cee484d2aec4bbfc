// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-bench's scale: creating cfg.scale_n mailboxes next to as many SysV
 * queues, then listing them, in-process (a netlink dump against reading
 * /proc/sysvipc/msg) and by the tools people run (kipcctl against cat).
 */

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/msg.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "bench.h"
#include "nl.h"

extern char **environ;

#define P_MAX_MAILBOXES "/sys/module/kipc/parameters/max_mailboxes"
#define P_MSGMNI "/proc/sys/kernel/msgmni"

struct scale {
	unsigned n, made, qmade;	/* asked for, mailboxes, queues */
	int *fds, *ids;
	uint64_t old_max, old_mni;	/* the limits before, where they are */
	bool have_max, have_mni;
	struct rlimit old_rl;
	struct nl nl;
};

/* Sets a limit if it can, says so if not: the run goes on regardless. */
static void set_limit(const char *path, uint64_t v)
{
	int ret = write_num(path, v);

	if (ret)
		note("cannot set %s to %" PRIu64 ": %s", path, v, strerror(-ret));
}

/* Room for @x->n more descriptors, mailboxes and queues. */
static void limits_raise(struct scale *x)
{
	unsigned n = x->n;
	struct rlimit rl;

	x->have_max = !read_num(P_MAX_MAILBOXES, &x->old_max);
	x->have_mni = !read_num(P_MSGMNI, &x->old_mni);
	getrlimit(RLIMIT_NOFILE, &x->old_rl);
	rl = x->old_rl;
	if (rl.rlim_cur < n + 256) {
		rl.rlim_cur = rl.rlim_max = n + 256 > x->old_rl.rlim_max ?
					    n + 256 : x->old_rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl))
			note("cannot raise RLIMIT_NOFILE: %s", strerror(errno));
	}
	if (x->have_max && x->old_max < n + 1024)
		set_limit(P_MAX_MAILBOXES, n + 1024);
	if (x->have_mni && x->old_mni < n + 1024)
		set_limit(P_MSGMNI, n + 1024);
}

static void limits_restore(struct scale *x)
{
	if (x->have_max)
		set_limit(P_MAX_MAILBOXES, x->old_max);
	if (x->have_mni)
		set_limit(P_MSGMNI, x->old_mni);
	setrlimit(RLIMIT_NOFILE, &x->old_rl);
}

/*
 * @x->n mailboxes, each on its handle: made by CREATE with
 * KIPC_CREATE_HANDLE on one open handle (one system call each, as msgget),
 * or, with @open_each, by an open of /dev/kipc and a CREATE each. The
 * handles are kept in @x->fds for the listings.
 */
static void create_mailboxes(struct scale *x, struct series *s, bool open_each)
{
	int factory = open_each ? -1 : kipc_open(0), fd, ret;
	char name[64];

	if (!open_each && factory < 0) {
		series_fail(s, "open: %s", strerror(-factory));
		return;
	}
	for (unsigned i = 0; i < x->n; i++) {
		uint64_t t0 = now_ns();

		snprintf(name, sizeof(name), "scale-%d-%u%s", getpid(), i,
			 open_each ? "o" : "");
		if (!open_each) {
			ret = kipc_create_handle(factory, name, NULL, NULL);
			fd = ret;
		} else {
			fd = kipc_open(0);
			ret = fd < 0 ? fd : kipc_create(fd, name, NULL);
			if (ret < 0 && fd >= 0)
				close(fd);
		}
		if (ret < 0) {
			series_fail(s, "create #%u: %s", i, strerror(-ret));
			break;
		}
		add_sample(s, (now_ns() - t0) / 1000.0);
		x->fds[x->made++] = fd;
	}
	s->moved = x->made;
	if (factory >= 0)
		close(factory);
}

/* Destroys and closes the mailboxes of @x->fds. */
static void destroy_mailboxes(struct scale *x)
{
	for (unsigned i = 0; i < x->made; i++) {
		if (kipc_destroy(x->fds[i]))
			fail("scale: destroy: %s", strerror(errno));
		close(x->fds[i]);
	}
	x->made = 0;
}

static void create_queues(struct scale *x, struct series *s)
{
	for (unsigned i = 0; i < x->n; i++) {
		uint64_t t0 = now_ns();
		int id = msgget(IPC_PRIVATE, IPC_CREAT | 0600);

		if (id < 0) {
			series_fail(s, "msgget #%u: %s", i, strerror(errno));
			break;
		}
		add_sample(s, (now_ns() - t0) / 1000.0);
		x->ids[x->qmade++] = id;
	}
	s->moved = x->qmade;
}

/*
 * Lists cfg.list_reps + 1 times with @once, which returns the time one
 * listing took (µs) or -1 (having said why in @s if that is a failure);
 * the first is the warm-up. False if a listing failed.
 */
static bool list_reps(struct scale *x, struct series *s,
		      double (*once)(struct scale *x, struct series *s))
{
	for (unsigned i = 0; i < cfg.list_reps + 1; i++) {
		double t = once(x, s);

		if (t < 0)
			return false;
		if (i)
			add_sample(s, t);
	}
	return true;
}

static double list_netlink(struct scale *x, struct series *s)
{
	uint64_t t0 = now_ns();
	int ret = nl_list(&x->nl);

	if (ret < (int)x->made) {
		series_fail(s, "dump listed %d of %u: %s", ret, x->made,
			    ret < 0 ? strerror(-ret) : "short");
		return -1;
	}
	return (now_ns() - t0) / 1000.0;
}

/* Reads /proc/sysvipc/msg whole; returns the number of queues listed. */
static int read_sysvipc(void)
{
	static char buf[1 << 16];
	int fd = open("/proc/sysvipc/msg", O_RDONLY), lines = 0;
	ssize_t n;

	if (fd < 0)
		return -errno;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		for (ssize_t i = 0; i < n; i++)
			lines += buf[i] == '\n';
	close(fd);
	return lines - 1;	/* the header */
}

static double list_proc(struct scale *x, struct series *s)
{
	uint64_t t0 = now_ns();
	int ret = read_sysvipc();

	if (ret < (int)x->qmade) {
		series_fail(s, "/proc/sysvipc/msg listed %d of %u", ret, x->qmade);
		return -1;
	}
	return (now_ns() - t0) / 1000.0;
}

/* Runs @argv with stdout to /dev/null; its wall time in µs, or -1. */
static double time_command(char *const argv[])
{
	posix_spawn_file_actions_t fa;
	uint64_t t0;
	pid_t pid;
	int st;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	t0 = now_ns();
	if (posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ)) {
		posix_spawn_file_actions_destroy(&fa);
		return -1;
	}
	posix_spawn_file_actions_destroy(&fa);
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
		return -1;
	return (now_ns() - t0) / 1000.0;
}

/* kipcctl may be missing: then the row is skipped, not failed. */
static double list_kipcctl(struct scale *x, struct series *s)
{
	char *argv[] = { "kipcctl", "-j", "list", NULL };

	(void)x, (void)s;
	return time_command(argv);
}

static double list_cat(struct scale *x, struct series *s)
{
	char *argv[] = { "cat", "/proc/sysvipc/msg", NULL };
	double t = time_command(argv);

	(void)x;
	if (t < 0)
		series_fail(s, "`cat /proc/sysvipc/msg` failed");
	return t;
}

/* Listing, in-process: a netlink dump against reading /proc. */
static void list_in_process(struct scale *x, struct series *lk,
			    struct series *ls)
{
	int ret = nl_open(&x->nl, KIPC_GENL_NAME);

	if (ret) {
		series_fail(lk, "netlink family: %s", strerror(-ret));
	} else {
		list_reps(x, lk, list_netlink);
		lk->moved = x->made;
		series_note(lk, "netlink dump (libmnl), %u mailboxes", x->made);
		nl_close(&x->nl);
	}
	list_reps(x, ls, list_proc);
	ls->moved = x->qmade;
	series_note(ls, "read(/proc/sysvipc/msg), %u queues", x->qmade);
}

/* Listing by the tools people run: kipcctl against cat. */
static void list_commands(struct scale *x, struct series *ck,
			  struct series *cs)
{
	if (!list_reps(x, ck, list_kipcctl)) {
		ck->ran = false;
		ck->n = 0;
		series_note(ck, "skipped: `kipcctl -j list` failed or is missing");
	} else {
		series_note(ck, "`kipcctl -j list >/dev/null`");
		ck->moved = x->made;
	}
	list_reps(x, cs, list_cat);
	series_note(cs, "`cat /proc/sysvipc/msg >/dev/null`");
	if (!cs->failed)
		cs->moved = x->qmade;
}

void scale(void)
{
	/* In this order: the table's. */
	struct series *sk = get_series("create one queue", "kipc", "us", false);
	struct series *so = get_series("create one queue", "kipc (open + CREATE)", "us", false);
	struct series *ss = get_series("create one queue", "SysV msg", "us", false);
	struct series *lk = get_series("list all queues (in-process)", "kipc", "us", false);
	struct series *ls = get_series("list all queues (in-process)", "SysV msg", "us", false);
	struct series *ck = get_series("list all queues (command)", "kipc", "us", false);
	struct series *cs = get_series("list all queues (command)", "SysV msg", "us", false);
	struct scale x = { .n = cfg.scale_n };
	unsigned i;

	x.fds = xcalloc(x.n, sizeof(*x.fds));
	x.ids = xcalloc(x.n, sizeof(*x.ids));
	snprintf(sk->note, sizeof(sk->note), "%u mailboxes: CREATE with KIPC_CREATE_HANDLE on one handle", x.n);
	snprintf(so->note, sizeof(so->note), "%u mailboxes: open(/dev/kipc) + CREATE", x.n);
	snprintf(ss->note, sizeof(ss->note), "%u queues: msgget(IPC_PRIVATE)", x.n);
	sk->ran = so->ran = ss->ran = lk->ran = ls->ran = ck->ran = cs->ran = true;

	limits_raise(&x);
	create_mailboxes(&x, so, true);
	destroy_mailboxes(&x);
	create_mailboxes(&x, sk, false);
	create_queues(&x, ss);
	list_in_process(&x, lk, ls);
	list_commands(&x, ck, cs);

	destroy_mailboxes(&x);
	for (i = 0; i < x.qmade; i++)
		msgctl(x.ids[i], IPC_RMID, NULL);
	limits_restore(&x);
	free(x.fds);
	free(x.ids);
}
