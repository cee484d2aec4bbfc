/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KIPCCTL_H
#define KIPCCTL_H

#include <stdbool.h>
#include <stdint.h>

/* Exit status, as kipcctl(8) documents it. */
#define KIPCCTL_OK	0
#define KIPCCTL_ERROR	1
#define KIPCCTL_USAGE	2
#define KIPCCTL_AGAIN	3	/* timed out or would block */

/* The largest message the module can ever carry (its hard cap). */
#define KIPCCTL_MSG_MAX	(1U << 20)

struct kipcctl_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *args;	/* one line: arguments and options */
	const char *help;	/* one line: what it does */
	bool all_ns;		/* takes -A */
};

extern bool opt_json;
extern bool opt_pretty;
extern bool opt_all_ns;		/* -A: every IPC namespace, by id */
extern const char *prog;

/* Prints "kipcctl: OP NAME: strerror (ENAME)" and returns the exit status. */
int kipcctl_fail(const char *op, const char *name, int err);
/* Prints a usage error for @cmd and returns KIPCCTL_USAGE. */
int kipcctl_usage(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
const char *errno_name(int err);
/* Parses a whole unsigned number (0x and 0 prefixes allowed) or fails. */
bool parse_u64(const char *s, uint64_t max, uint64_t *out);

/* A small JSON writer: objects, arrays, members; -p indents. */
void json_open(char c);			/* '{' or '[' */
void json_close(char c);		/* '}' or ']' */
void json_key(const char *key);		/* then a value or json_open() */
void json_str(const char *key, const char *val);
void json_strn(const char *key, const char *val, size_t len);
void json_u64(const char *key, uint64_t val);
void json_i64(const char *key, int64_t val);
void json_bool(const char *key, bool val);
void json_end(void);			/* newline after a top-level value */

/* Commands (cmd_mbox.c: mailbox ioctls; cmd_nl.c: netlink). */
int cmd_create(int argc, char **argv);
int cmd_destroy(int argc, char **argv);
int cmd_send(int argc, char **argv);
int cmd_recv(int argc, char **argv);
int cmd_wait(int argc, char **argv);
int cmd_version(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_monitor(int argc, char **argv);
int cmd_top(int argc, char **argv);	/* cmd_top.c */

#endif /* KIPCCTL_H */
