/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers shared by the C tests. */
#ifndef KIPC_TEST_UTIL_H
#define KIPC_TEST_UTIL_H

#include <fcntl.h>
#include <grp.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <time.h>

#include "harness.h"
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

static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* Become an unprivileged user (for the rest of this test's process). */
static inline void become(uid_t uid, gid_t gid)
{
	if (setgroups(0, NULL) || setresgid(gid, gid, gid) ||
	    setresuid(uid, uid, uid))
		FAIL("cannot become %u:%u: %s", uid, gid, strerror(errno));
}

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

/* Module parameters, /sys/module/kipc/parameters/NAME. */
#define PARAM(p) "/sys/module/kipc/parameters/" p

static inline unsigned long read_param(const char *name)
{
	char path[128];
	unsigned long v;
	FILE *f;

	snprintf(path, sizeof(path), PARAM("%s"), name);
	f = fopen(path, "r");
	if (!f || fscanf(f, "%lu", &v) != 1)
		FAIL("cannot read %s: %s", path, strerror(errno));
	fclose(f);
	return v;
}

static inline void write_param(const char *name, unsigned long val)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), PARAM("%s"), name);
	f = fopen(path, "w");
	if (!f || fprintf(f, "%lu\n", val) < 0 || fclose(f))
		FAIL("cannot set %s: %s", path, strerror(errno));
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
 * A child blocked in a receive on @name (@fd is the parent's handle on it);
 * it exits 0 once it has received a message of @len bytes.
 */
static inline pid_t fork_blocked_receiver(const char *name, int fd,
					  int len)
{
	pid_t pid = fork();

	if (!pid) {
		char buf[64];
		int n = kipc_recv(attach(name), buf, sizeof(buf), 0, 0, 0);

		_exit(n == len ? 0 : n < 0 ? -n : 100);
	}
	wait_blocked(fd, 1, 0);
	return pid;
}

#endif /* KIPC_TEST_UTIL_H */
