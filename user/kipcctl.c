// SPDX-License-Identifier: GPL-2.0
/*
 * kipcctl: the command-line tool for kipc mailboxes.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kipcctl.h"

bool opt_json;
bool opt_pretty;
bool opt_all_ns;
const char *prog = "kipcctl";

static int cmd_help(int argc, char **argv);

static const struct kipcctl_cmd commands[] = {
	{ "create", cmd_create,
	  "NAME [--capacity N] [--capacity-bytes B] [--max-size S] [--mode 0660] [--temp]",
	  "create a mailbox", false },
	{ "destroy", cmd_destroy, "NAME",
	  "destroy a mailbox; its queued messages are freed (-A: by id)",
	  true },
	{ "send", cmd_send,
	  "NAME [TEXT | -] [--type T] [--priority P] [--nonblock] [--timeout MS] [--count N]",
	  "send TEXT, or standard input, as one message (N times)", false },
	{ "recv", cmd_recv,
	  "NAME [--type T] [--nonblock] [--timeout MS] [--count N] [--follow] [--peek] [--hex]",
	  "receive messages and print them", false },
	{ "list", cmd_list, "",
	  "list the mailboxes (netlink dump; -A: of every namespace)", true },
	{ "show", cmd_show, "NAME | --id N",
	  "show one mailbox in full (-A: by id, of any namespace)", true },
	{ "stats", cmd_stats, "", "show module-wide figures", false },
	{ "monitor", cmd_monitor, "[NAME] [--count N]",
	  "print this IPC namespace's events live until Ctrl-C (-A: all, as root)",
	  true },
	{ "top", cmd_top, "[--interval MS] [--iterations N]",
	  "live full-screen view of the mailboxes, busiest first (q quits)",
	  true },
	{ "wait", cmd_wait,
	  "NAME [--signal SIG] [--count N] [--oneshot] [--edge]",
	  "register for a signal on arrival; print each delivery", false },
	{ "version", cmd_version, "", "show tool and module ABI versions", false },
	{ "help", cmd_help, "[COMMAND]", "show this help, or one command's", false },
};

#define NR_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static const struct kipcctl_cmd *find_command(const char *name)
{
	for (size_t i = 0; i < NR_COMMANDS; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: %s [-j] [-p] [-A] COMMAND [ARGS...]\n\n"
		"  -j, --json     JSON output\n"
		"  -p, --pretty   indented JSON\n"
		"  -A, --all-namespaces\n"
		"                 every IPC namespace (list, top, monitor; show and\n"
		"                 destroy take an ID); needs CAP_IPC_OWNER, and\n"
		"                 CAP_SYS_ADMIN for monitor\n"
		"Global options go before or after the command.\n\nCommands:\n",
		prog);
	for (size_t i = 0; i < NR_COMMANDS; i++)
		fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "\nSee '%s help COMMAND' or kipcctl(8).\n", prog);
}

static int cmd_help(int argc, char **argv)
{
	const struct kipcctl_cmd *c;

	if (argc < 2) {
		usage(stdout);
		return KIPCCTL_OK;
	}
	c = find_command(argv[1]);
	if (!c)
		return kipcctl_usage("help", "unknown command '%s'", argv[1]);
	printf("Usage: %s %s %s\n\n  %s\n", prog, c->name, c->args, c->help);
	return KIPCCTL_OK;
}

int kipcctl_usage(const char *cmd, const char *fmt, ...)
{
	const struct kipcctl_cmd *c = find_command(cmd);
	va_list ap;

	fprintf(stderr, "%s %s: ", prog, cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (c)
		fprintf(stderr, "Usage: %s %s %s\n", prog, c->name, c->args);
	return KIPCCTL_USAGE;
}

const char *errno_name(int err)
{
	static const struct { int err; const char *name; } names[] = {
		{ EPERM, "EPERM" }, { ENOENT, "ENOENT" }, { EINTR, "EINTR" },
		{ EBADF, "EBADF" }, { EAGAIN, "EAGAIN" }, { ENOMEM, "ENOMEM" },
		{ EACCES, "EACCES" }, { EFAULT, "EFAULT" }, { EEXIST, "EEXIST" },
		{ ENODEV, "ENODEV" }, { EINVAL, "EINVAL" }, { ENOSPC, "ENOSPC" },
		{ ENOTTY, "ENOTTY" }, { ENAMETOOLONG, "ENAMETOOLONG" },
		{ EMSGSIZE, "EMSGSIZE" }, { ENOTCONN, "ENOTCONN" },
		{ EISCONN, "EISCONN" }, { ETIMEDOUT, "ETIMEDOUT" },
		{ EIDRM, "EIDRM" }, { EBUSY, "EBUSY" }, { E2BIG, "E2BIG" },
		{ EOPNOTSUPP, "EOPNOTSUPP" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].err == err)
			return names[i].name;
	return "?";
}

int kipcctl_fail(const char *op, const char *name, int err)
{
	if (!strcmp(op, "open") &&
	    (err == ENOENT || err == ENODEV || err == ENXIO)) {
		fprintf(stderr, "%s: kipc module not loaded: run `modprobe kipc` or `make vm`\n",
			prog);
		return KIPCCTL_ERROR;
	}
	fprintf(stderr, "%s: %s%s%s: %s (%s)\n", prog, op, name ? " " : "",
		name ? name : "", strerror(err), errno_name(err));
	return err == EAGAIN || err == ETIMEDOUT ? KIPCCTL_AGAIN : KIPCCTL_ERROR;
}

bool parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-')
		return false;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || v > max)
		return false;
	*out = v;
	return true;
}

/*
 * A global option: -j, -p, -A, several in one word (-jp), or the long
 * forms. Sets what it says; false if @o is something else.
 */
static bool global_option(const char *o)
{
	if (!strcmp(o, "--json"))
		return opt_json = true;
	if (!strcmp(o, "--pretty"))
		return opt_pretty = true;
	if (!strcmp(o, "--all-namespaces"))
		return opt_all_ns = true;
	if (o[0] != '-' || !o[1] || strspn(o + 1, "jpA") != strlen(o + 1))
		return false;
	for (o++; *o; o++) {
		if (*o == 'j')
			opt_json = true;
		else if (*o == 'p')
			opt_pretty = true;
		else
			opt_all_ns = true;
	}
	return true;
}

int main(int argc, char **argv)
{
	const struct kipcctl_cmd *c;
	int i, j, n;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *o = argv[i];

		if (global_option(o)) {
			continue;
		} else if (!strcmp(o, "-h") || !strcmp(o, "--help")) {
			usage(stdout);
			return KIPCCTL_OK;
		} else {
			fprintf(stderr, "%s: unknown option '%s'\n", prog, o);
			usage(stderr);
			return KIPCCTL_USAGE;
		}
	}
	if (i == argc) {
		usage(stderr);
		return KIPCCTL_USAGE;
	}
	c = find_command(argv[i]);
	if (!c) {
		fprintf(stderr, "%s: unknown command '%s'\n", prog, argv[i]);
		usage(stderr);
		return KIPCCTL_USAGE;
	}
	/* Global options after the command too, up to a "--". */
	for (j = n = i + 1; j < argc; j++) {
		if (!strcmp(argv[j], "--")) {
			while (j < argc)
				argv[n++] = argv[j++];
			break;
		}
		if (!global_option(argv[j]))
			argv[n++] = argv[j];
	}
	argv[n] = NULL;
	if (opt_all_ns && !c->all_ns)
		return kipcctl_usage(c->name, "-A does not apply");
	return c->fn(n - i, argv + i);
}
