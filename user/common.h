/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for every program of the tree (kipcctl, the C tests and their
 * helper programs, kipc-bench): no harness, no exit on an error.
 *
 *   ARRAY_SIZE()
 *   now_ns()                the monotonic clock
 *   read_file(), write_file()
 *                           a sysfs or procfs file's text, in one system call
 *   read_num(), write_num() the same holding one unsigned number (module
 *                           parameters, /proc/sys/kernel/msgmni)
 *
 * Everything returns 0 (or a length) or -errno; the caller decides whether
 * that is fatal (tests/c/util.h: it is) or not (kipc-bench: it is not).
 */
#ifndef KIPC_COMMON_H
#define KIPC_COMMON_H

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static inline uint64_t ts_ns(const struct timespec *ts)
{
	return (uint64_t)ts->tv_sec * 1000000000ull + ts->tv_nsec;
}

/* CLOCK_MONOTONIC in nanoseconds. */
static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts_ns(&ts);
}

/* Up to @len - 1 bytes of @path, NUL-terminated: their number, or -errno. */
static inline int read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY), n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0)
		n = -errno;
	else
		buf[n] = 0;
	close(fd);
	return n;
}

/* @val into @path with one write(2) (as sysfs and procfs want): 0 or -errno. */
static inline int write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) != (ssize_t)strlen(val))
		ret = errno ? -errno : -EIO;
	close(fd);
	return ret;
}

/*
 * The unsigned decimal number that @path holds (digits, then at most a
 * newline) into *@val: 0, -errno, or -EINVAL if it holds something else.
 */
static inline int read_num(const char *path, uint64_t *val)
{
	char buf[32], *end;
	int n = read_file(path, buf, sizeof(buf));

	if (n < 0)
		return n;
	if (n && buf[n - 1] == '\n')
		buf[--n] = 0;
	if (!n || buf[0] < '0' || buf[0] > '9')
		return -EINVAL;
	errno = 0;
	*val = strtoull(buf, &end, 10);
	return errno ? -errno : *end ? -EINVAL : 0;
}

/* @val into @path, in decimal with a newline (as echo(1)): 0 or -errno. */
static inline int write_num(const char *path, uint64_t val)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRIu64 "\n", val);
	return write_file(path, buf);
}

#endif /* KIPC_COMMON_H */
