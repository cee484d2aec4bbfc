/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the C tests; those that fail the test on an error. The
 * files, the clock and ARRAY_SIZE are user/common.h's.
 */
#ifndef KIPC_TEST_UTIL_H
#define KIPC_TEST_UTIL_H

#include <fcntl.h>
#include <grp.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <time.h>

#include "common.h"
#include "harness.h"
#include "kipc-stress.h"
#include "libkipc.h"

/* A mailbox name no other test uses (never freed: tests are short). */
static inline const char *uniq(const char *tag)
{
	static unsigned int n;
	char *name;

	if (asprintf(&name, "t-%s-%d-%u", tag, getpid(), n++) < 0)
		FAIL("out of memory");
	return name;
}

static inline int new_handle(void)
{
	int fd = kipc_open(0);

	if (fd < 0)
		FAIL("open %s: %s", KIPC_DEVICE, strerror(-fd));
	return fd;
}

/* A handle on a new mailbox; @o may be NULL. */
static inline int new_mbox(const char *name, const struct kipc_create_opts *o)
{
	int fd = new_handle();
	int id = kipc_create(fd, name, o);

	if (id <= 0)
		FAIL("create %s: %s", name, strerror(-id));
	return fd;
}

static inline int attach(const char *name)
{
	int fd = new_handle();
	int ret = kipc_attach(fd, name);

	if (ret <= 0)
		FAIL("attach %s: %s", name, strerror(-ret));
	return fd;
}

/* Become an unprivileged user (for the rest of this test's process). */
static inline void become(uid_t uid, gid_t gid)
{
	if (setgroups(0, NULL) || setresgid(gid, gid, gid) ||
	    setresuid(uid, uid, uid))
		FAIL("cannot become %u:%u: %s", uid, gid, strerror(errno));
}

/* fork(), stdout flushed first (or the child would print it again). */
static inline pid_t fork_child(void)
{
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		FAIL("fork: %s", strerror(errno));
	if (!pid)
		harness_failures = 0;	/* the child's own */
	return pid;
}

/* Waits for child @pid; its wait status. */
static inline int reap(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) != pid)
		if (errno != EINTR)
			FAIL("waitpid %d: %s", pid, strerror(errno));
	return status;
}

/* Waits for child @pid; fails the test unless it exited 0. */
static inline void reap_ok(pid_t pid)
{
	int status = reap(pid);

	if (status)
		FAIL("child %d failed (status %#x)", pid, status);
}

/*
 * In the child: 0, as @uid:@gid (unless @uid is -1). In the parent: the
 * child's pid, once it exited 0 (the test fails if it did not).
 */
static inline pid_t in_child(uid_t uid, gid_t gid)
{
	pid_t pid = fork_child();

	if (!pid) {
		if (uid != (uid_t)-1)
			become(uid, gid);
		return 0;
	}
	reap_ok(pid);
	return pid;
}

/*
 * IN_CHILD_AS(uid, gid) { ... }: runs the block in a child process that
 * became @uid:@gid, waits for it, and fails the test unless the block ran
 * to its end (or _exit(0)) with no failed ASSERT or EXPECT. IN_CHILD():
 * the same as we are. No `break` in the block: the child would go on.
 */
#define IN_CHILD_AS(uid, gid)						\
	for (pid_t _child = in_child(uid, gid); !_child; harness_exit())

#define IN_CHILD()	IN_CHILD_AS((uid_t)-1, (gid_t)-1)

static inline int sendstr(int fd, const char *s, uint32_t flags)
{
	return kipc_send(fd, s, strlen(s), 0, 0, flags, 0);
}

/* Waits until a mailbox shows @n blocked receivers (or senders). */
static inline void wait_blocked(int fd, uint32_t receivers, uint32_t senders)
{
	struct kipc_stat st;

	for (int i = 0; i < 20000; i++) {
		if (kipc_stat(fd, &st) < 0)
			FAIL("stat: %s", strerror(errno));
		if (st.blocked_receivers == receivers &&
		    st.blocked_senders == senders)
			return;
		usleep(1000);
	}
	FAIL("never saw %u blocked receivers and %u senders", receivers,
	     senders);
}

static inline struct kipc_stat stat_of(int fd)
{
	struct kipc_stat st;

	ASSERT_OK(kipc_stat(fd, &st));
	return st;
}

/* A raw ioctl's errno (0 for success), for EXPECT_EQ(ioc(...), EINVAL). */
static inline int ioc(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) < 0 ? errno : 0;
}

/* Module parameters, /sys/module/kipc/parameters/NAME. */
#define PARAM(p) "/sys/module/kipc/parameters/" p

/* Sets parameter @name to the text @val: 0 or -errno (e.g. -EINVAL). */
static inline int set_param(const char *name, const char *val)
{
	char path[128];

	snprintf(path, sizeof(path), PARAM("%s"), name);
	return write_file(path, val);
}

/* Parameter @name's value; the test fails if it cannot be read. */
static inline unsigned long read_param(const char *name)
{
	char path[128];
	uint64_t val;
	int ret;

	snprintf(path, sizeof(path), PARAM("%s"), name);
	ret = read_num(path, &val);
	if (ret)
		FAIL("cannot read %s: %s", path, strerror(-ret));
	return val;
}

/* Sets parameter @name to @val; the test fails if it cannot. */
static inline void write_param(const char *name, unsigned long val)
{
	char path[128];
	int ret;

	snprintf(path, sizeof(path), PARAM("%s"), name);
	ret = write_num(path, val);
	if (ret)
		FAIL("cannot set %s to %lu: %s", name, val, strerror(-ret));
}

/*
 * Runs @fn(@arg) in a child with parameter @name set to @val and puts the
 * old value back whatever the child did: the child's wait status.
 */
static inline int run_with_param(const char *name, unsigned long val,
				 void (*fn)(void *), void *arg)
{
	unsigned long old = read_param(name);
	int status;
	pid_t pid;

	write_param(name, val);
	pid = fork_child();
	if (!pid) {
		fn(arg);
		harness_exit();
	}
	status = reap(pid);
	write_param(name, old);
	return status;
}

/* The same, and the test fails unless the child exited 0. */
static inline void with_param(const char *name, unsigned long val,
			      void (*fn)(void *), void *arg)
{
	int status = run_with_param(name, val, fn, arg);

	if (status)
		FAIL("with %s=%lu: the check failed (status %#x)", name, val,
		     status);
}

/* Module-wide stats through kipcctl (on PATH in the guest). */
static inline uint64_t stat_field(const char *key)
{
	char line[2048], pat[64], *p;
	FILE *f = popen("kipcctl -j stats", "r");

	if (!f || !fgets(line, sizeof(line), f))
		FAIL("kipcctl -j stats failed");
	pclose(f);
	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(line, pat);
	if (!p)
		FAIL("no %s in %s", key, line);
	return strtoull(p + strlen(pat), NULL, 10);
}

/*
 * A child, as @uid:@gid (-1: as we are), blocked in a receive on @name
 * (@fd is the parent's handle on it); it exits 0 once the receive returned
 * @want, a length or -errno, and (unless @bytes is NULL) those bytes.
 */
static inline pid_t fork_blocked_receiver_as(uid_t uid, gid_t gid,
					     const char *name, int fd,
					     int want, const char *bytes)
{
	pid_t pid = fork_child();

	if (!pid) {
		char buf[64];
		int n;

		if (uid != (uid_t)-1)
			become(uid, gid);
		n = kipc_recv(attach(name), buf, sizeof(buf), 0, 0, 0);
		if (n == want && (n < 0 || !bytes || !memcmp(buf, bytes, n)))
			_exit(0);
		_exit(n < 0 ? -n : 100);
	}
	wait_blocked(fd, 1, 0);
	return pid;
}

/* The same, as we are, for a message of @len bytes. */
static inline pid_t fork_blocked_receiver(const char *name, int fd, int len)
{
	return fork_blocked_receiver_as((uid_t)-1, (gid_t)-1, name, fd, len,
					NULL);
}

#endif /* KIPC_TEST_UTIL_H */
