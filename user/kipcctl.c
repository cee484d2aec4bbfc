// SPDX-License-Identifier: GPL-2.0
/*
 * kipcctl: the command-line tool for kipc mailboxes. The command table,
 * the driver (global options, then the command), the one option parser
 * and the one failure printer.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <linux/kipc.h>

#include "common.h"
#include "json.h"
#include "kipcctl.h"
#include "libkipc.h"
#include "subcommands.h"

bool opt_json;
bool opt_all_ns;
const char *prog = "kipcctl";

static int cmd_help(int argc, char **argv);

/*
 * The commands: entry point, option table, how many positional arguments,
 * the usage line (the completion reads it) and what `help COMMAND` says of
 * each option: unit, default, range.
 */
#define NAME_RULE \
	"  NAME        1..63 bytes, any but '/' and NUL; unique in the IPC namespace\n"
#define TIMEOUT_RULE \
	"  --timeout MS  give up after MS milliseconds (1..), status 3, ETIMEDOUT;\n" \
	"              default: wait as long as it takes\n" \
	"  --nonblock  fail at once (status 3, EAGAIN) instead of blocking\n"

static const struct kipcctl_cmd commands[] = {
	{ "create", cmd_create, create_opts, 1, 1,
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
	{ "destroy", cmd_destroy, destroy_opts, 0, -1, "NAME... | --id N",
	  "destroy mailboxes; their queued messages are freed (-A: by id)",
	  "  NAME...     one or more mailboxes; each is tried, status 1 if any failed\n"
	  "  --id N      the mailbox with id N (as list shows it); with -A, of any\n"
	  "              IPC namespace (CAP_IPC_OWNER)\n"
	  "Blocked senders and receivers wake with EIDRM.\n", true },
	{ "send", cmd_send, send_opts, 1, 2,
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
	{ "recv", cmd_recv, recv_opts, 1, 1,
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
	{ "call", cmd_call, call_opts, 1, 2,
	  "NAME [TEXT | -] [--type T] [--timeout MS]",
	  "send TEXT, or standard input, as a request; print the reply",
	  "  TEXT        the request; without it, or '-', all of standard input\n"
	  "  --type T    0..4294967295; default 0\n"
	  "  --timeout MS  give up after MS milliseconds (1..), status 3, ETIMEDOUT;\n"
	  "              default: wait as long as it takes\n"
	  "The reply is printed with a newline after it, unless it ends with one.\n"
	  "Status 1 with ECONNRESET if the server closed without replying.\n",
	  false },
	{ "serve", cmd_serve, serve_opts, 2, -1, "NAME [--count N] -- CMD [ARGS]",
	  "answer each request with the output of CMD run on it",
	  "  CMD [ARGS]  run once per request, the request on its standard input;\n"
	  "              its standard output (at most 1 MiB) is the reply\n"
	  "  --count N   exit after N requests (1..); default: until interrupted\n"
	  "Messages that are not requests are received and not answered (said on\n"
	  "stderr); a reply whose caller gave up is said on stderr too.\n",
	  false },
	{ "list", cmd_list, list_opts, 0, 1, "[PATTERN] [--owner USER]",
	  "list the mailboxes (netlink dump; -A: of every namespace)",
	  "  PATTERN     only names matching this shell glob (quote it: 'job*')\n"
	  "  --owner USER  only mailboxes owned by USER (a name or a uid)\n"
	  "Columns: ID, NAME, OWNER, MODE (octal), DEPTH/CAP (messages),\n"
	  "BYTES (queued), BLOCKED(s/r) (blocked senders/receivers), SENT, RECV\n"
	  "(totals since creation); with -A an NS column, the namespace's inode.\n",
	  true },
	{ "show", cmd_show, show_opts, 0, 1, "NAME | --id N",
	  "show one mailbox in full (-A: by id, of any namespace)",
	  "  NAME        the mailbox, by name\n"
	  "  --id N      the mailbox, by id; with -A, of any IPC namespace\n"
	  "ctime is the creation time, UTC (ctime_ns with -j: ns since the Epoch).\n",
	  true },
	{ "stats", cmd_stats, NULL, 0, 0, "", "show module-wide figures",
	  "Counts, totals, and the limits (module parameters).\n", false },
	{ "monitor", cmd_monitor, monitor_opts, 0, 1, "[NAME] [--count N]",
	  "print this IPC namespace's events live until Ctrl-C (-A: all, as root)",
	  "  NAME        only this mailbox's events; if it does not exist yet,\n"
	  "              from its creation on (on a terminal, monitor says so)\n"
	  "  --count N   exit after N events (1..); default: until interrupted\n"
	  "Each line starts with the event's time, UTC (time_ns with -j).\n",
	  true },
	{ "top", cmd_top, top_opts, 0, 0, "[--interval MS] [--iterations N]",
	  "live full-screen view of the mailboxes, busiest first (q quits)",
	  "  --interval MS  refresh every MS milliseconds: 10..3600000; default 1000\n"
	  "  --iterations N  exit after N refreshes (1..); default: until q\n",
	  true },
	{ "wait", cmd_wait, wait_opts, 1, 1,
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
	{ "version", cmd_version, NULL, 0, 0, "", "show tool and module ABI versions",
	  "The tool's version is printed even without the module (status 1).\n",
	  false },
	{ "help", cmd_help, NULL, 0, -1, "[COMMAND]", "show this help, or one command's",
	  NULL, false },
};

static const struct kipcctl_cmd *find_command(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
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
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "\nSee '%s help COMMAND' or kipcctl(8).\n", prog);
}

static void command_help(const struct kipcctl_cmd *c)
{
	printf("Usage: %s %s %s\n\n  %s\n", prog, c->name, c->args, c->help);
	if (c->details)
		printf("\n%s", c->details);
}

static int cmd_help(int argc, char **argv)
{
	const struct kipcctl_cmd *c;
	struct cmdline cl;
	int ret;

	ret = parse_args(argc, argv, NULL, &cl);
	if (ret)
		return ret;
	if (!cl.nr_pos) {
		usage(stdout);
		return KIPCCTL_OK;
	}
	c = find_command(cl.pos[0]);
	if (!c)
		return kipcctl_usage("help", "unknown command '%s'", cl.pos[0]);
	command_help(c);
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

/* -------------------------------------------------------------- options */

/* The global options, after the command as before it; -V only before. */
static const struct option global_options[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "pretty", no_argument, NULL, 'p' },
	{ "all-namespaces", no_argument, NULL, 'A' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};
#define NR_GLOBAL	4		/* the first four, after the command */
#define GLOBAL_SHORT	":jpAh"

/* getopt_long()'s value for row i of a command's option table. */
#define OPT_ROW		256
#define MAX_ROWS	32		/* rows in one table: no command has half */

static bool global_option(int ch)
{
	if (ch == 'j')
		opt_json = true;
	else if (ch == 'p')
		json_pretty = true;
	else if (ch == 'A')
		opt_all_ns = true;
	else
		return false;
	return true;
}

static bool is_end(const struct opt *o)
{
	return !o->name && !o->short_name;
}

/* Does any command have the option --@name (or -@short_name)? */
static bool known_option(const char *name, size_t len, char short_name)
{
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		for (const struct opt *o = commands[i].opts; o && !is_end(o); o++)
			if (name ? o->name && strlen(o->name) == len &&
				   !strncmp(o->name, name, len) :
				   o->short_name == short_name)
				return true;
	return false;
}

/*
 * The word getopt_long() just refused: a long option's whole word, or a
 * short option's letter (which may be one of a cluster, as in -jx).
 */
static const char *refused_word(char **argv, int ch, char *buf)
{
	const char *word = argv[optind - 1];

	if (ch == ':' || !optopt || !strncmp(word, "--", 2))
		return word;
	snprintf(buf, 3, "-%c", optopt);
	return buf;
}

/* An option this command does not have: another's, or none at all. */
static int bad_option(const char *cmd, char **argv, int ch)
{
	char buf[3];
	const char *word = refused_word(argv, ch, buf);
	bool other;

	if (!strncmp(word, "--", 2))
		other = known_option(word + 2, strcspn(word + 2, "="), 0);
	else
		other = known_option(NULL, 0, word[1]);
	if (ch == '?' && other)
		return kipcctl_usage(cmd, "option '%s' does not apply", word);
	return kipcctl_usage(cmd, "bad or incomplete option '%s'", word);
}

/* Stores an option's value (@arg: NULL if it takes none) into @args. */
static int set_option(const char *cmd, const struct opt *o, const char *arg,
		      void *args)
{
	char *m = (char *)args + o->off;
	uint64_t v;
	int ret = -1;

	switch (o->kind) {
	case OPTK_FLAG:
		*(bool *)m = true;
		return 0;
	case OPTK_BITS:
		*(uint32_t *)m |= o->bits;
		return 0;
	case OPTK_STR:
		*(const char **)m = arg;
		return 0;
	case OPTK_NUM:
		if (!parse_u64(arg, o->max, &v) || v < o->min)
			break;
		v *= o->scale ? o->scale : 1;
		if (o->size == sizeof(uint32_t))
			*(uint32_t *)m = v;
		else
			*(uint64_t *)m = v;
		return 0;
	case OPTK_FN:
		ret = o->fn(cmd, arg, args);
		break;
	}
	if (ret >= 0)
		return ret;
	return kipcctl_usage(cmd, "bad value '%s' for --%s (%s)", arg, o->name,
			     o->hint ? o->hint : o->min ?
			     "a decimal number, 1 or more" : "a decimal number");
}

/* getopt_long()'s tables for @opts and the global options. */
static void getopt_tables(const struct opt *opts, struct option *lo, char *so)
{
	size_t n = NR_GLOBAL, ns = strlen(GLOBAL_SHORT);

	memcpy(lo, global_options, NR_GLOBAL * sizeof(*lo));
	strcpy(so, GLOBAL_SHORT);
	for (int i = 0; opts && !is_end(&opts[i]); i++) {
		bool arg = opts[i].kind >= OPTK_NUM;

		if (opts[i].name)
			lo[n++] = (struct option){ opts[i].name,
				arg ? required_argument : no_argument, NULL,
				OPT_ROW + i };
		if (opts[i].short_name) {
			so[ns++] = opts[i].short_name;
			if (arg)
				so[ns++] = ':';
		}
	}
	lo[n] = (struct option){ NULL, 0, NULL, 0 };
	so[ns] = '\0';
}

/* The row of @opts whose short name is @ch, or -1. */
static int short_row(const struct opt *opts, int ch)
{
	for (int i = 0; opts && !is_end(&opts[i]); i++)
		if (opts[i].short_name == ch)
			return i;
	return -1;
}

int parse_args(int argc, char **argv, void *args, struct cmdline *cl)
{
	const struct kipcctl_cmd *c = find_command(argv[0]);
	struct option lo[NR_GLOBAL + MAX_ROWS + 1];
	char so[sizeof(GLOBAL_SHORT) + 2 * MAX_ROWS];
	int ch, row, ret;

	memset(cl, 0, sizeof(*cl));
	getopt_tables(c->opts, lo, so);
	optind = 0;	/* full reset: getopt may have run before */
	opterr = 0;
	while (!(opt_all_ns && !c->all_ns) &&
	       (ch = getopt_long(argc, argv, so, lo, NULL)) != -1) {
		if (global_option(ch))
			continue;
		if (ch == 'h') {
			command_help(c);
			exit(KIPCCTL_OK);
		}
		row = ch >= OPT_ROW ? ch - OPT_ROW : short_row(c->opts, ch);
		if (ch == '?' || ch == ':' || row < 0)
			return bad_option(c->name, argv, ch);
		ret = set_option(c->name, &c->opts[row], optarg, args);
		if (ret)
			return ret;
		cl->seen |= 1ULL << row;
	}
	if (opt_all_ns && !c->all_ns)
		return kipcctl_usage(c->name, "-A does not apply");
	cl->pos = argv + optind;
	cl->nr_pos = argc - optind;
	if (cl->nr_pos < c->min_pos)
		return kipcctl_usage(c->name, "missing mailbox NAME");
	if (c->max_pos >= 0 && cl->nr_pos > c->max_pos)
		return kipcctl_usage(c->name, "unexpected argument '%s'",
				     argv[optind + c->max_pos]);
	return 0;
}

/* --------------------------------------------------------------- failure */

const char *code_name(const struct code_name *table, size_t n, int code)
{
	for (size_t i = 0; i < n; i++)
		if (table[i].code == code)
			return table[i].name;
	return NULL;
}

const char *errno_name(int err)
{
	static const struct code_name names[] = {
		CODE(EPERM), CODE(ENOENT), CODE(EINTR), CODE(EBADF),
		CODE(EAGAIN), CODE(ENOMEM), CODE(EACCES), CODE(EFAULT),
		CODE(EEXIST), CODE(ENODEV), CODE(EINVAL), CODE(ENOSPC),
		CODE(ENOTTY), CODE(ENAMETOOLONG), CODE(EMSGSIZE),
		CODE(ENOTCONN), CODE(EISCONN), CODE(ETIMEDOUT), CODE(EIDRM),
		CODE(EBUSY), CODE(E2BIG), CODE(EOPNOTSUPP), CODE(ENXIO),
		CODE(EPROTO), CODE(EALREADY), CODE(ECONNRESET), CODE(ENOBUFS),
	};
	const char *name = code_name(names, ARRAY_SIZE(names), err);

	return name ? name : "?";
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

int kipcctl_failf(const char *op, const char *name, int err,
		  const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: %s%s%s: %s (%s)", prog, op, name ? " " : "",
		name ? name : "", strerror(err), errno_name(err));
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return err == EAGAIN || err == ETIMEDOUT ? KIPCCTL_AGAIN : KIPCCTL_ERROR;
}

int kipcctl_fail(const char *op, const char *name, int err)
{
	if (!strcmp(op, "open") &&
	    (err == ENOENT || err == ENODEV || err == ENXIO)) {
		kipcctl_not_loaded();
		return KIPCCTL_ERROR;
	}
	return kipcctl_failf(op, name, err, "%s", "");
}

char *read_all(int fd, size_t max, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	ssize_t r;

	while (buf) {
		if (n == cap) {
			char *nb = cap > max ? NULL : realloc(buf, cap * 2);

			if (!nb) {
				free(buf);
				errno = EMSGSIZE;
				return NULL;
			}
			buf = nb;
			cap *= 2;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			free(buf);
			return NULL;
		}
		if (!r)
			break;
		n += r;
	}
	*len = n;
	return buf;
}

int open_mailbox(const char *name, const char *op)
{
	int fd, ret;

	fd = kipc_open(0);
	if (fd < 0)
		return -kipcctl_fail("open", NULL, -fd);
	ret = kipc_attach(fd, name);
	if (ret < 0) {
		close(fd);
		return -kipcctl_fail(op, name, -ret);
	}
	return fd;
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

int main(int argc, char **argv)
{
	const struct kipcctl_cmd *c;
	char buf[3];
	int ch;

	/* Global options before the command ("+": up to the first word). */
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+" GLOBAL_SHORT "V",
				 global_options, NULL)) != -1) {
		if (global_option(ch))
			continue;
		if (ch == 'V') {
			printf("kipcctl %s (ABI %d)\n", KIPCCTL_VERSION,
			       KIPC_ABI_VERSION);
			return KIPCCTL_OK;
		}
		if (ch == 'h') {
			usage(stdout);
			return KIPCCTL_OK;
		}
		fprintf(stderr, "%s: unknown option '%s'\n", prog,
			refused_word(argv, ch, buf));
		usage(stderr);
		return KIPCCTL_USAGE;
	}
	if (optind == argc) {
		usage(stderr);
		return KIPCCTL_USAGE;
	}
	c = find_command(argv[optind]);
	if (!c) {
		fprintf(stderr, "%s: unknown command '%s'\n", prog, argv[optind]);
		usage(stderr);
		return KIPCCTL_USAGE;
	}
	return c->fn(argc - optind, argv + optind);
}
