/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kipcctl's shared parts: the command table's entry, the option tables and
 * their one parser, the one failure printer, and text helpers.
 */
#ifndef KIPCCTL_H
#define KIPCCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Exit status, as kipcctl(8) documents it. */
#define KIPCCTL_OK	0
#define KIPCCTL_ERROR	1
#define KIPCCTL_USAGE	2
#define KIPCCTL_AGAIN	3	/* timed out or would block */

#define KIPCCTL_VERSION	"0.1.0"

/* What an option does with its value. */
enum opt_kind {
	OPTK_FLAG,	/* no value: sets the bool member */
	OPTK_BITS,	/* no value: ORs .bits into the uint32_t member */
	OPTK_NUM,	/* a decimal number .min...max (times .scale) */
	OPTK_STR,	/* the value as is, into the const char * member */
	OPTK_FN,	/* .fn parses it */
};

/*
 * One option of a command: a row of the command's table, which ends with
 * an empty row. The member is one of the command's own options struct,
 * which the command hands parse_args().
 */
struct opt {
	const char *name;	/* --NAME, or NULL */
	char short_name;	/* -C, or 0 */
	enum opt_kind kind;
	size_t off, size;	/* the member */
	uint64_t min, max, scale;
	uint32_t bits;
	/* Returns 0, -1 for "bad value", or an exit status (said). */
	int (*fn)(const char *cmd, const char *arg, void *args);
	const char *hint;	/* what a value is, for "bad value" */
};

#define OPT_MEMBER(type, m) \
	.off = offsetof(type, m), .size = sizeof(((type *)0)->m)
#define OPT_FLAG(n, type, m) \
	{ .name = n, .kind = OPTK_FLAG, OPT_MEMBER(type, m) }
#define OPT_BITS(n, type, m, b) \
	{ .name = n, .kind = OPTK_BITS, OPT_MEMBER(type, m), .bits = b }
#define OPT_NUM(n, type, m, lo, hi) \
	{ .name = n, .kind = OPTK_NUM, OPT_MEMBER(type, m), .min = lo, .max = hi }
#define OPT_STR(n, type, m) \
	{ .name = n, .kind = OPTK_STR, OPT_MEMBER(type, m) }
#define OPT_FN(n, f, h) \
	{ .name = n, .kind = OPTK_FN, .fn = f, .hint = h }
/* --timeout MS, into the uint64_t member @m in ns. */
#define OPT_TIMEOUT(type, m) \
	{ .name = "timeout", .kind = OPTK_NUM, OPT_MEMBER(type, m), \
	  .min = 1, .max = UINT64_MAX / 1000000, .scale = 1000000 }

/* A command: its row of the table in kipcctl.c. */
struct kipcctl_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const struct opt *opts;	/* NULL: none but the global ones */
	int min_pos, max_pos;	/* positional arguments; max -1: any */
	const char *args;	/* one line: arguments and options */
	const char *help;	/* one line: what it does */
	const char *details;	/* `help CMD`: each option's unit, default, range */
	bool all_ns;		/* takes -A */
};

/* What parse_args() leaves besides the options. */
struct cmdline {
	char **pos;		/* the positional arguments */
	int nr_pos;
	uint64_t seen;		/* bit i: row i of the options was given */
};

/*
 * Parses argv (argv[0] is the command) with the command's option table
 * into @args, and the global options (-j, -p, -A, --help) wherever they
 * are, up to a "--". Checks the number of positional arguments and -A.
 * Returns 0 or an exit status, having said what is wrong.
 */
int parse_args(int argc, char **argv, void *args, struct cmdline *cl);

extern bool opt_json;
extern bool opt_all_ns;		/* -A: every IPC namespace, by id */
extern const char *prog;

/*
 * The failure printer: "kipcctl: OP NAME: strerror (ENAME)", then @fmt
 * (": what is wrong, what is allowed", or what the kernel said). Returns
 * the exit status for @err.
 */
int kipcctl_failf(const char *op, const char *name, int err,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* The same without more; for "open", says how to load the module. */
int kipcctl_fail(const char *op, const char *name, int err);
/* Prints a usage error for @cmd and returns KIPCCTL_USAGE. */
int kipcctl_usage(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
const char *errno_name(int err);
/* A table of names for numbers: CODE(EPERM) is { EPERM, "EPERM" }. */
struct code_name {
	int code;
	const char *name;
};
#define CODE(c)	{ c, #c }
/* The name of @code in @table (@n rows), or NULL. */
const char *code_name(const struct code_name *table, size_t n, int code);
/*
 * Why the module cannot be reached, and what to do: one line on stderr
 * (installed module: modprobe; a build tree: insmod its kmod/kipc.ko).
 */
void kipcctl_not_loaded(void);
/*
 * All of @fd (a message: send's and call's standard input, serve's command
 * output): a malloc()ed buffer and its length in *@len, or NULL with errno
 * set, EMSGSIZE once the buffer would grow past twice @max (the kernel
 * holds a message to its exact limit).
 */
char *read_all(int fd, size_t max, size_t *len);
/* A handle attached to @name, or -exit status (said, as OP NAME). */
int open_mailbox(const char *name, const char *op);
/* Parses a whole decimal number (a leading 0 is not octal) or fails. */
bool parse_u64(const char *s, uint64_t max, uint64_t *out);

/* text.c */
/* @name with control characters and bad bytes as \xNN, for a terminal. */
void text_name(char *out, size_t size, const char *name);
/* The columns @s takes on a terminal (UTF-8; a bad byte counts one). */
int display_width(const char *s);
/* Prints a CLOCK_REALTIME time in ns as ISO 8601 UTC: 2026-01-02T03:04:05.123456789Z. */
void print_time(uint64_t ns);
/* A CLOCK_MONOTONIC time of the kernel's (ns), as CLOCK_REALTIME. */
uint64_t mono_to_real_ns(uint64_t mono_ns);

#endif /* KIPCCTL_H */
