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

#define KIPCCTL_VERSION	"0.1.0"

struct kipcctl_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *args;	/* one line: arguments and options */
	const char *help;	/* one line: what it does */
	const char *details;	/* `help CMD`: each option's unit, default, range */
	bool all_ns;		/* takes -A */
};

extern bool opt_json;
extern bool opt_pretty;
extern bool opt_all_ns;		/* -A: every IPC namespace, by id */
extern const char *prog;

/* Prints "kipcctl: OP NAME: strerror (ENAME)" and returns the exit status. */
int kipcctl_fail(const char *op, const char *name, int err);
/* The same, and ": WHY" after the errno: what is wrong, what is allowed. */
int kipcctl_fail_why(const char *op, const char *name, int err,
		     const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Prints a usage error for @cmd and returns KIPCCTL_USAGE. */
int kipcctl_usage(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
const char *errno_name(int err);
/*
 * Why the module cannot be reached, and what to do: one line on stderr
 * (installed module: modprobe; a build tree: insmod its kmod/kipc.ko).
 */
void kipcctl_not_loaded(void);
/* Parses a whole decimal number (a leading 0 is not octal) or fails. */
bool parse_u64(const char *s, uint64_t max, uint64_t *out);
/* The length of the UTF-8 sequence at @s (of @len bytes), 0 if invalid. */
size_t utf8_seq(const char *s, size_t len);
/* Is @s, @len bytes, valid UTF-8 (no overlongs, surrogates, > U+10FFFF)? */
bool utf8_valid(const char *s, size_t len);
/* @name with control characters and bad bytes as \xNN, for a terminal. */
void text_name(char *out, size_t size, const char *name);
/* The columns @s takes on a terminal (UTF-8; a bad byte counts one). */
int display_width(const char *s);
/* Prints a CLOCK_REALTIME time in ns as ISO 8601 UTC: 2026-01-02T03:04:05.123456789Z. */
void print_time(uint64_t ns);
/* A CLOCK_MONOTONIC time of the kernel's (ns), as CLOCK_REALTIME. */
uint64_t mono_to_real_ns(uint64_t mono_ns);

/* A small JSON writer: objects, arrays, members; -p indents. */
void json_open(char c);			/* '{' or '[' */
void json_close(char c);		/* '}' or ']' */
void json_key(const char *key);		/* then a value or json_open() */
void json_str(const char *key, const char *val);
/* Valid UTF-8 goes out as is; a byte that is not, as U+FFFD. */
void json_strn(const char *key, const char *val, size_t len);
/* @len bytes in base64 (RFC 4648) or as hex digits, as a string. */
void json_base64(const char *key, const unsigned char *val, size_t len);
void json_hex(const char *key, const unsigned char *val, size_t len);
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
