// SPDX-License-Identifier: GPL-2.0
/* kipcctl commands that work through the ioctls of /dev/kipc. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kipcctl.h"
#include "libkipc.h"

#define KIPCCTL_VERSION "0.1.0"

enum {
	OPT_CAPACITY = 256, OPT_CAPACITY_BYTES, OPT_MAX_SIZE, OPT_MODE,
	OPT_TEMP, OPT_TYPE, OPT_PRIORITY, OPT_NONBLOCK, OPT_TIMEOUT,
	OPT_COUNT, OPT_FOLLOW, OPT_PEEK, OPT_HEX, OPT_SIGNAL, OPT_ONESHOT,
	OPT_EDGE,
};

static const struct option long_options[] = {
	{ "capacity", required_argument, NULL, OPT_CAPACITY },
	{ "capacity-bytes", required_argument, NULL, OPT_CAPACITY_BYTES },
	{ "max-size", required_argument, NULL, OPT_MAX_SIZE },
	{ "mode", required_argument, NULL, OPT_MODE },
	{ "temp", no_argument, NULL, OPT_TEMP },
	{ "type", required_argument, NULL, OPT_TYPE },
	{ "priority", required_argument, NULL, OPT_PRIORITY },
	{ "nonblock", no_argument, NULL, OPT_NONBLOCK },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "count", required_argument, NULL, OPT_COUNT },
	{ "follow", no_argument, NULL, OPT_FOLLOW },
	{ "peek", no_argument, NULL, OPT_PEEK },
	{ "hex", no_argument, NULL, OPT_HEX },
	{ "signal", required_argument, NULL, OPT_SIGNAL },
	{ "oneshot", no_argument, NULL, OPT_ONESHOT },
	{ "edge", no_argument, NULL, OPT_EDGE },
	{ NULL, 0, NULL, 0 },
};

/* Everything any of these commands can be told. */
struct opts {
	const char *name;
	const char *text;
	struct kipc_create_opts create;
	uint32_t type;
	uint32_t priority;
	uint32_t flags;
	uint64_t timeout_ns;
	uint64_t count;
	bool follow;
	bool hex;
	int signo;
	uint32_t notify_flags;
};

static int parse_signal(const char *s)
{
	static const struct { const char *name; int signo; } sigs[] = {
		{ "HUP", SIGHUP }, { "INT", SIGINT }, { "QUIT", SIGQUIT },
		{ "USR1", SIGUSR1 }, { "USR2", SIGUSR2 }, { "PIPE", SIGPIPE },
		{ "ALRM", SIGALRM }, { "TERM", SIGTERM }, { "CHLD", SIGCHLD },
		{ "CONT", SIGCONT }, { "URG", SIGURG }, { "IO", SIGIO },
		{ "WINCH", SIGWINCH },
	};
	uint64_t n;

	if (parse_u64(s, SIGRTMAX, &n))
		return n ? (int)n : -1;
	if (!strncmp(s, "SIG", 3))
		s += 3;
	if (!strncmp(s, "RTMIN", 5)) {
		if (!s[5])
			return SIGRTMIN;
		if (s[5] == '+' && parse_u64(s + 6, SIGRTMAX - SIGRTMIN, &n))
			return SIGRTMIN + (int)n;
		return -1;
	}
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (!strcmp(s, sigs[i].name))
			return sigs[i].signo;
	return -1;
}

static const char *signal_name(int signo, char *buf, size_t len)
{
	if (signo >= SIGRTMIN && signo <= SIGRTMAX)
		snprintf(buf, len, signo == SIGRTMIN ? "SIGRTMIN" : "SIGRTMIN+%d",
			 signo - SIGRTMIN);
	else
		snprintf(buf, len, "SIG%s", sigabbrev_np(signo) ?: "?");
	return buf;
}

/* Is @word one of the space-separated words of @list? */
static bool word_in(const char *word, const char *list)
{
	size_t len = strlen(word);

	for (const char *p = list; (p = strstr(p, word)); p += len)
		if ((p == list || p[-1] == ' ') && (!p[len] || p[len] == ' '))
			return true;
	return false;
}

/*
 * Parses argv (argv[0] is the command) into @o, allowing the long options
 * named in @allowed. Positional arguments: the
 * mailbox name, and for send the text. Returns 0 or an exit status.
 */
static int parse(int argc, char **argv, struct opts *o, const char *allowed,
		 int max_pos)
{
	const char *cmd = argv[0];
	uint64_t v;
	int c, idx;

	memset(o, 0, sizeof(*o));
	o->count = 1;
	o->signo = SIGUSR1;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", long_options, &idx)) != -1) {
		const char *arg = optarg;

		if (c == '?' || c == ':')
			return kipcctl_usage(cmd, "bad or incomplete option '%s'",
					     argv[optind - 1]);
		if (!word_in(long_options[idx].name, allowed))
			return kipcctl_usage(cmd, "option '%s' does not apply",
					     argv[optind - 1]);
		switch (c) {
		case OPT_CAPACITY:
			if (!parse_u64(arg, UINT32_MAX, &v))
				goto bad;
			o->create.capacity = v;
			break;
		case OPT_CAPACITY_BYTES:
			if (!parse_u64(arg, UINT64_MAX, &v))
				goto bad;
			o->create.capacity_bytes = v;
			break;
		case OPT_MAX_SIZE:
			if (!parse_u64(arg, UINT32_MAX, &v))
				goto bad;
			o->create.max_msg_size = v;
			break;
		case OPT_MODE: {
			char *end;
			unsigned long m = strtoul(arg, &end, 8);

			if (!*arg || *end || m > 0777)
				goto bad;
			o->create.mode = m;
			break;
		}
		case OPT_TEMP:
			o->create.flags |= KIPC_CREATE_TEMP;
			break;
		case OPT_TYPE:
			if (!parse_u64(arg, UINT32_MAX, &v))
				goto bad;
			o->type = v;
			break;
		case OPT_PRIORITY:
			if (!parse_u64(arg, UINT32_MAX, &v))
				goto bad;
			o->priority = v;
			break;
		case OPT_NONBLOCK:
			o->flags |= KIPC_NONBLOCK;
			break;
		case OPT_TIMEOUT:
			if (!parse_u64(arg, UINT64_MAX / 1000000, &v) || !v)
				goto bad;
			o->timeout_ns = v * 1000000;
			break;
		case OPT_COUNT:
			if (!parse_u64(arg, UINT64_MAX, &v) || !v)
				goto bad;
			o->count = v;
			break;
		case OPT_FOLLOW:
			o->follow = true;
			break;
		case OPT_PEEK:
			o->flags |= KIPC_RECV_PEEK;
			break;
		case OPT_HEX:
			o->hex = true;
			break;
		case OPT_SIGNAL:
			o->signo = parse_signal(arg);
			if (o->signo <= 0)
				goto bad;
			break;
		case OPT_ONESHOT:
			o->notify_flags |= KIPC_NOTIFY_ONESHOT;
			break;
		case OPT_EDGE:
			o->notify_flags |= KIPC_NOTIFY_EDGE;
			break;
		}
		continue;
bad:
		return kipcctl_usage(cmd, "bad value '%s' for %s", arg,
				     argv[optind - 2]);
	}
	if (max_pos && optind >= argc)
		return kipcctl_usage(cmd, "missing mailbox NAME");
	if (argc - optind > max_pos)
		return kipcctl_usage(cmd, "unexpected argument '%s'",
				     argv[optind + max_pos]);
	if (max_pos)
		o->name = argv[optind];
	if (max_pos > 1 && optind + 1 < argc)
		o->text = argv[optind + 1];
	return 0;
}

/* Opens a handle on @o->name, or says why not. Returns fd or -exit status. */
static int open_mailbox(const struct opts *o, const char *op)
{
	int fd, ret;

	fd = kipc_open(0);
	if (fd < 0)
		return -kipcctl_fail("open", NULL, -fd);
	ret = kipc_attach(fd, o->name);
	if (ret < 0) {
		close(fd);
		return -kipcctl_fail(op, o->name, -ret);
	}
	return fd;
}

int cmd_create(int argc, char **argv)
{
	struct opts o;
	int fd, id, ret;

	ret = parse(argc, argv, &o,
		    "capacity capacity-bytes max-size mode temp", 1);
	if (ret)
		return ret;
	fd = kipc_open(0);
	if (fd < 0)
		return kipcctl_fail("open", NULL, -fd);
	id = kipc_create(fd, o.name, &o.create);
	if (id < 0)
		return kipcctl_fail("create", o.name, -id);
	if (opt_json) {
		json_open('{');
		json_str("name", o.name);
		json_u64("id", id);
		json_close('}');
		json_end();
	}
	if (o.create.flags & KIPC_CREATE_TEMP) {
		/* A temp mailbox lives as long as a handle: keep ours open. */
		fprintf(stderr, "%s: temporary mailbox %s (id %d) lives until this process ends\n",
			prog, o.name, id);
		pause();
	}
	close(fd);
	return KIPCCTL_OK;
}

/* -A destroy ID: a mailbox of any namespace, by id. */
static int destroy_by_id(const char *arg)
{
	char what[32];
	uint64_t id;
	int fd, ret;

	if (!parse_u64(arg, UINT32_MAX, &id) || !id)
		return kipcctl_usage("destroy", "with -A, give a mailbox ID, not '%s'",
				     arg);
	snprintf(what, sizeof(what), "id %" PRIu64, id);
	fd = kipc_open(0);
	if (fd < 0)
		return kipcctl_fail("open", NULL, -fd);
	ret = kipc_attach_id_any_ns(fd, id);
	if (ret >= 0)
		ret = kipc_destroy(fd);
	close(fd);
	return ret < 0 ? kipcctl_fail("destroy", what, -ret) : KIPCCTL_OK;
}

int cmd_destroy(int argc, char **argv)
{
	struct opts o;
	int fd, ret;

	ret = parse(argc, argv, &o, "", 1);
	if (ret)
		return ret;
	if (opt_all_ns)
		return destroy_by_id(o.name);
	fd = open_mailbox(&o, "destroy");
	if (fd < 0)
		return -fd;
	ret = kipc_destroy(fd);
	close(fd);
	return ret ? kipcctl_fail("destroy", o.name, -ret) : KIPCCTL_OK;
}

/* Reads all of standard input, up to @max bytes. */
static char *read_stdin(size_t max, size_t *len)
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
		r = read(STDIN_FILENO, buf + n, cap - n);
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

int cmd_send(int argc, char **argv)
{
	struct kipc_msg m = { 0 };
	char *data = NULL;
	size_t len;
	uint64_t i;
	struct opts o;
	int fd, ret;

	ret = parse(argc, argv, &o,
		    "type priority nonblock timeout count", 2);
	if (ret)
		return ret;
	if (o.priority > KIPC_PRIO_MAX)
		return kipcctl_usage("send", "priority must be 0..%d",
				     KIPC_PRIO_MAX);
	fd = open_mailbox(&o, "send");
	if (fd < 0)
		return -fd;
	if (!o.text || !strcmp(o.text, "-")) {
		data = read_stdin(KIPCCTL_MSG_MAX, &len);
		if (!data)
			return kipcctl_fail("send", o.name, errno);
	} else {
		len = strlen(o.text);
	}

	m.buf = (uintptr_t)(data ?: o.text);
	m.len = len;
	m.type = o.type;
	m.priority = o.priority;
	m.flags = o.flags;
	m.timeout_ns = o.timeout_ns;
	for (i = 0; i < o.count; i++) {
		ret = kipc_send_msg(fd, &m);
		if (ret < 0)
			break;
	}
	free(data);
	close(fd);
	if (ret < 0) {
		if (i)
			fprintf(stderr, "%s: send %s: %" PRIu64 " of %" PRIu64 " sent\n",
				prog, o.name, i, o.count);
		return kipcctl_fail("send", o.name, -ret);
	}
	if (opt_json) {
		json_open('{');
		json_str("name", o.name);
		json_u64("sent", i);
		json_u64("last_seq", m.seq);
		json_close('}');
		json_end();
	}
	return KIPCCTL_OK;
}

static void print_msg(const struct opts *o, const struct kipc_msg *m,
		      const unsigned char *buf)
{
	if (opt_json) {
		json_open('{');
		json_str("name", o->name);
		json_u64("seq", m->seq);
		json_u64("type", m->type);
		json_u64("priority", m->priority);
		json_u64("len", m->len);
		json_u64("msg_len", m->msg_len);
		json_i64("sender_pid", m->sender_pid);
		json_u64("sender_uid", m->sender_uid);
		json_u64("timestamp_ns", m->timestamp_ns);
		json_strn("data", (const char *)buf, m->len);
		json_close('}');
		json_end();
	} else if (o->hex) {
		for (uint32_t i = 0; i < m->len; i++)
			printf("%02x%s", buf[i], i + 1 < m->len ? " " : "");
		putchar('\n');
	} else if (isatty(STDOUT_FILENO)) {
		for (uint32_t i = 0; i < m->len; i++)
			if (buf[i] == '\n' || buf[i] == '\t' ||
			    (buf[i] >= 0x20 && buf[i] < 0x7f))
				putchar(buf[i]);
			else
				printf("\\x%02x", buf[i]);
		putchar('\n');
	} else {
		/* Not a terminal: the exact bytes. */
		fwrite(buf, 1, m->len, stdout);
	}
	fflush(stdout);
}

int cmd_recv(int argc, char **argv)
{
	unsigned char *buf;
	struct opts o;
	uint64_t i;
	int fd, ret;

	ret = parse(argc, argv, &o,
		    "type nonblock timeout count follow peek hex", 1);
	if (ret)
		return ret;
	fd = open_mailbox(&o, "recv");
	if (fd < 0)
		return -fd;
	buf = malloc(KIPCCTL_MSG_MAX);
	if (!buf)
		return kipcctl_fail("recv", o.name, ENOMEM);

	for (i = 0; o.follow || i < o.count; i++) {
		struct kipc_msg m = {
			.buf = (uintptr_t)buf,
			.len = KIPCCTL_MSG_MAX,
			.type = o.type,
			.flags = o.flags,
			.timeout_ns = o.timeout_ns,
		};

		ret = kipc_recv_msg(fd, &m);
		if (ret < 0)
			break;
		print_msg(&o, &m, buf);
	}
	free(buf);
	close(fd);
	return ret < 0 ? kipcctl_fail("recv", o.name, -ret) : KIPCCTL_OK;
}

int cmd_wait(int argc, char **argv)
{
	siginfo_t si;
	sigset_t set;
	char sname[32];
	struct opts o;
	uint64_t i;
	int fd, ret;

	ret = parse(argc, argv, &o, "signal count oneshot edge", 1);
	if (ret)
		return ret;
	fd = open_mailbox(&o, "wait");
	if (fd < 0)
		return -fd;

	sigemptyset(&set);
	sigaddset(&set, o.signo);
	sigprocmask(SIG_BLOCK, &set, NULL);
	for (i = 0; i < o.count; i++) {
		/* A one-shot registration is spent by each delivery. */
		if (!i || (o.notify_flags & KIPC_NOTIFY_ONESHOT)) {
			ret = kipc_notify(fd, o.signo, o.notify_flags);
			if (ret < 0)
				return kipcctl_fail("wait", o.name, -ret);
		}
		if (!i) {
			fprintf(stderr, "%s: waiting for %s on %s\n", prog,
				signal_name(o.signo, sname, sizeof(sname)),
				o.name);
		}
		do {
			ret = sigwaitinfo(&set, &si);
		} while (ret < 0 && errno == EINTR);
		if (ret < 0)
			return kipcctl_fail("wait", o.name, errno);
		signal_name(si.si_signo, sname, sizeof(sname));
		if (opt_json) {
			json_open('{');
			json_str("signal", sname);
			json_i64("si_code", si.si_code);
			json_u64("mailbox_id", (uint32_t)si.si_value.sival_int);
			json_i64("sender_pid", si.si_pid);
			json_u64("sender_uid", si.si_uid);
			json_close('}');
			json_end();
		} else {
			printf("signal=%s si_code=%s mailbox_id=%u sender_pid=%d sender_uid=%u\n",
			       sname, si.si_code == SI_MESGQ ? "SI_MESGQ" : "other",
			       (uint32_t)si.si_value.sival_int, si.si_pid,
			       si.si_uid);
			fflush(stdout);
		}
	}
	close(fd);
	return KIPCCTL_OK;
}

int cmd_version(int argc, char **argv)
{
	struct kipc_version v;
	struct opts o;
	int fd, ret;

	ret = parse(argc, argv, &o, "", 0);
	if (ret)
		return ret;
	fd = kipc_open(0);
	if (fd < 0)
		return kipcctl_fail("open", NULL, -fd);
	ret = kipc_version(fd, &v);
	close(fd);
	if (ret < 0)
		return kipcctl_fail("version", NULL, -ret);
	if (opt_json) {
		json_open('{');
		json_str("tool", KIPCCTL_VERSION);
		json_u64("tool_abi", KIPC_ABI_VERSION);
		json_u64("module_abi", v.abi_version);
		json_close('}');
		json_end();
	} else {
		printf("kipcctl %s (ABI %d), module ABI %u\n", KIPCCTL_VERSION,
		       KIPC_ABI_VERSION, v.abi_version);
	}
	return KIPCCTL_OK;
}
