// SPDX-License-Identifier: GPL-2.0
/*
 * kipcctl: the command-line tool for kipc mailboxes.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <linux/kipc.h>

#include "kipcctl.h"

bool opt_json;
bool opt_pretty;
bool opt_all_ns;
const char *prog = "kipcctl";

static int cmd_help(int argc, char **argv);

/*
 * The commands, their usage lines (the completion reads them) and what
 * `help COMMAND` says of each option: unit, default, range.
 */
#define NAME_RULE \
	"  NAME        1..63 bytes, any but '/' and NUL; unique in the IPC namespace\n"
#define TIMEOUT_RULE \
	"  --timeout MS  give up after MS milliseconds (1..), status 3, ETIMEDOUT;\n" \
	"              default: wait as long as it takes\n" \
	"  --nonblock  fail at once (status 3, EAGAIN) instead of blocking\n"

static const struct kipcctl_cmd commands[] = {
	{ "create", cmd_create,
	  "NAME [--capacity N] [--capacity-bytes B] [--max-size S] [--mode 0660] [--temp]",
	  "create a mailbox", NAME_RULE
	  "  --capacity N  messages it holds: 1..1048576; default: the module's\n"
	  "              default_capacity (64 unless changed)\n"
	  "  --capacity-bytes B  payload bytes it holds: max-size..max_total_bytes;\n"
	  "              default: default_capacity_bytes (65536), at least max-size\n"
	  "  --max-size S  bytes in one message: 1..max_msg_size (8192 unless changed;\n"
	  "              hard cap 1048576); default: max_msg_size\n"
	  "  --mode MODE   octal rw bits for owner, group, other (r: receive,\n"
	  "              w: send): 1..0777; default 0600\n"
	  "  --temp      destroyed when its last handle closes; kipcctl keeps its\n"
	  "              handle open until killed\n"
	  "Numbers are decimal (010 is ten), except the octal MODE. Limits are the\n"
	  "module parameters in /sys/module/kipc/parameters/.\n", false },
	{ "destroy", cmd_destroy, "NAME... | --id N",
	  "destroy mailboxes; their queued messages are freed (-A: by id)",
	  "  NAME...     one or more mailboxes; each is tried, status 1 if any failed\n"
	  "  --id N      the mailbox with id N (as list shows it); with -A, of any\n"
	  "              IPC namespace (CAP_IPC_OWNER)\n"
	  "Blocked senders and receivers wake with EIDRM.\n", true },
	{ "send", cmd_send,
	  "NAME [TEXT | -] [--type T] [--priority P] [--nonblock] [--timeout MS] [--count N]",
	  "send TEXT, or standard input, as one message (N times)",
	  "  TEXT        the message; without it, or '-', all of standard input\n"
	  "              (at most the mailbox's max-size bytes)\n"
	  "  --type T    0..4294967295, for recv --type; default 0\n"
	  "  --priority P  0..32767, higher is received first; default 0\n"
	  TIMEOUT_RULE
	  "  --count N   send it N times (1..); default 1\n"
	  "A full mailbox blocks the sender (said on stderr when it is a terminal).\n",
	  false },
	{ "recv", cmd_recv,
	  "NAME [--type T] [--nonblock] [--timeout MS] [--count N] [--follow] [--peek] [--hex] [-0] [--raw]",
	  "receive messages and print them",
	  "  --type T    only messages of type T (1..4294967295); default 0: any\n"
	  TIMEOUT_RULE
	  "  --count N   receive N messages (1..); default 1\n"
	  "  --follow    receive until interrupted\n"
	  "  --peek      leave the message queued\n"
	  "  --hex       bytes in hex, one message per line; with -j, a payload that\n"
	  "              is not UTF-8 goes in \"data_hex\" (default \"data_base64\")\n"
	  "  -0          end each message with a NUL byte instead of a newline\n"
	  "  --raw       the exact bytes of one message, nothing added (not with\n"
	  "              --count above 1 or --follow)\n"
	  "Each message ends with a newline (on a terminal, other control bytes\n"
	  "are escaped); -j prints one JSON object per line.\n", false },
	{ "list", cmd_list, "[PATTERN] [--owner USER]",
	  "list the mailboxes (netlink dump; -A: of every namespace)",
	  "  PATTERN     only names matching this shell glob (quote it: 'job*')\n"
	  "  --owner USER  only mailboxes owned by USER (a name or a uid)\n"
	  "Columns: ID, NAME, OWNER, MODE (octal), DEPTH/CAP (messages),\n"
	  "BYTES (queued), BLOCKED(s/r) (blocked senders/receivers), SENT, RECV\n"
	  "(totals since creation); with -A an NS column, the namespace's inode.\n",
	  true },
	{ "show", cmd_show, "NAME | --id N",
	  "show one mailbox in full (-A: by id, of any namespace)",
	  "  NAME        the mailbox, by name\n"
	  "  --id N      the mailbox, by id; with -A, of any IPC namespace\n"
	  "ctime is the creation time, UTC (ctime_ns with -j: ns since the Epoch).\n",
	  true },
	{ "stats", cmd_stats, "", "show module-wide figures",
	  "Counts, totals, and the limits (module parameters).\n", false },
	{ "monitor", cmd_monitor, "[NAME] [--count N]",
	  "print this IPC namespace's events live until Ctrl-C (-A: all, as root)",
	  "  NAME        only this mailbox's events; if it does not exist yet,\n"
	  "              from its creation on (on a terminal, monitor says so)\n"
	  "  --count N   exit after N events (1..); default: until interrupted\n"
	  "Each line starts with the event's time, UTC (time_ns with -j).\n",
	  true },
	{ "top", cmd_top, "[--interval MS] [--iterations N]",
	  "live full-screen view of the mailboxes, busiest first (q quits)",
	  "  --interval MS  refresh every MS milliseconds: 10..3600000; default 1000\n"
	  "  --iterations N  exit after N refreshes (1..); default: until q\n",
	  true },
	{ "wait", cmd_wait,
	  "NAME [--signal SIG] [--count N] [--oneshot | --persistent] [--edge]",
	  "register for a signal on arrival; print each delivery",
	  "  --signal SIG  default USR1; a name (usr2, SIGUSR2, RTMIN+1, RTMAX-2: any\n"
	  "              case, SIG optional) or a number; KILL and STOP cannot be\n"
	  "              caught and are refused\n"
	  "  --count N   exit after N signals (1..); default 1\n"
	  "  --persistent  one registration for every message (the default)\n"
	  "  --oneshot   a one-shot registration, renewed after each signal\n"
	  "  --edge      only when the mailbox goes from empty to non-empty\n"
	  "Ends with status 1 (EIDRM) if the mailbox is destroyed.\n", false },
	{ "version", cmd_version, "", "show tool and module ABI versions",
	  "The tool's version is printed even without the module (status 1).\n",
	  false },
	{ "help", cmd_help, "[COMMAND]", "show this help, or one command's",
	  NULL, false },
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
		"  -V, --version  the tool's version\n"
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
	if (c->details)
		printf("\n%s", c->details);
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
		{ EOPNOTSUPP, "EOPNOTSUPP" }, { ENXIO, "ENXIO" },
		{ EPROTO, "EPROTO" }, { EALREADY, "EALREADY" },
		{ ECONNRESET, "ECONNRESET" }, { ENOBUFS, "ENOBUFS" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].err == err)
			return names[i].name;
	return "?";
}

/* Is @path a file? */
static bool is_file(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISREG(st.st_mode);
}

/* Is kipc.ko installed for the running kernel (in modules.dep)? */
static bool module_installed(void)
{
	char path[PATH_MAX], line[512];
	struct utsname u;
	bool found = false;
	FILE *f;

	if (uname(&u))
		return false;
	snprintf(path, sizeof(path), "/lib/modules/%s/modules.dep", u.release);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':'), *base;

		if (!colon)
			continue;
		*colon = '\0';
		base = strrchr(line, '/');
		base = base ? base + 1 : line;
		/* kipc.ko, or compressed: kipc.ko.xz, kipc.ko.zst */
		found = !strcmp(base, "kipc.ko") || !strncmp(base, "kipc.ko.", 8);
	}
	fclose(f);
	return found;
}

/*
 * The module built next to this kipcctl (BUILD/bin/kipcctl of a tree whose
 * kmod/kipc.ko exists) into @buf, or false.
 */
static bool build_tree_module(char *buf, size_t len)
{
	char exe[PATH_MAX], *slash;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n <= 0)
		return false;
	exe[n] = '\0';
	/* .../build/bin/kipcctl -> .../kmod/kipc.ko */
	for (int up = 0; up < 3; up++) {
		slash = strrchr(exe, '/');
		if (!slash)
			return false;
		*slash = '\0';
	}
	if ((size_t)snprintf(buf, len, "%s/kmod/kipc.ko", exe) >= len)
		return false;
	return is_file(buf);
}

void kipcctl_not_loaded(void)
{
	char ko[PATH_MAX];

	if (!access("/sys/module/kipc", F_OK))
		fprintf(stderr, "%s: kipc module is loaded but %s is missing (is devtmpfs mounted?)\n",
			prog, KIPC_DEVICE);
	else if (module_installed())
		fprintf(stderr, "%s: kipc module not loaded: run `modprobe kipc` as root\n",
			prog);
	else if (build_tree_module(ko, sizeof(ko)))
		fprintf(stderr, "%s: kipc module not loaded: run `insmod %s` as root (or `make vm`)\n",
			prog, ko);
	else
		fprintf(stderr, "%s: kipc module not loaded, nor installed for this kernel: build it (`make`) and run `insmod kmod/kipc.ko` as root, install the kipc-dkms package, or use `make vm`\n",
			prog);
}

int kipcctl_fail(const char *op, const char *name, int err)
{
	if (!strcmp(op, "open") &&
	    (err == ENOENT || err == ENODEV || err == ENXIO)) {
		kipcctl_not_loaded();
		return KIPCCTL_ERROR;
	}
	fprintf(stderr, "%s: %s%s%s: %s (%s)\n", prog, op, name ? " " : "",
		name ? name : "", strerror(err), errno_name(err));
	return err == EAGAIN || err == ETIMEDOUT ? KIPCCTL_AGAIN : KIPCCTL_ERROR;
}

int kipcctl_fail_why(const char *op, const char *name, int err,
		     const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: %s%s%s: %s (%s): ", prog, op, name ? " " : "",
		name ? name : "", strerror(err), errno_name(err));
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return err == EAGAIN || err == ETIMEDOUT ? KIPCCTL_AGAIN : KIPCCTL_ERROR;
}

void print_time(uint64_t ns)
{
	time_t t = ns / 1000000000;
	struct tm tm;
	char buf[64];

	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	printf("%s.%09" PRIu64 "Z", buf, ns % 1000000000);
}

static uint64_t ts_ns(const struct timespec *ts)
{
	return (uint64_t)ts->tv_sec * 1000000000 + ts->tv_nsec;
}

/*
 * The offset between the clocks, taken once: the realtime clock read on
 * both sides of the monotonic one, halfway.
 */
uint64_t mono_to_real_ns(uint64_t mono_ns)
{
	static uint64_t offset;
	static bool have;

	if (!have) {
		struct timespec r1, m, r2;

		clock_gettime(CLOCK_REALTIME, &r1);
		clock_gettime(CLOCK_MONOTONIC, &m);
		clock_gettime(CLOCK_REALTIME, &r2);
		offset = ts_ns(&r1) / 2 + ts_ns(&r2) / 2 - ts_ns(&m);
		have = true;
	}
	return mono_ns + offset;
}

bool parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	/* Digits only: no sign, no blanks; 010 is ten, not eight. */
	if (!s || !isdigit((unsigned char)*s))
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
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
		} else if (!strcmp(o, "-V") || !strcmp(o, "--version")) {
			printf("kipcctl %s (ABI %d)\n", KIPCCTL_VERSION,
			       KIPC_ABI_VERSION);
			return KIPCCTL_OK;
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
