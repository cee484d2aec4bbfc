// SPDX-License-Identifier: GPL-2.0
/* kipcctl wait: a signal on arrival (KIPC_IOC_NOTIFY), each one printed. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "json.h"
#include "libkipc.h"
#include "subcommands.h"

struct wait_args {
	const char *name;
	int signo;
	uint64_t count;
	uint32_t notify_flags;
	bool persistent;
};

/*
 * A signal by number or name: case-insensitive, with or without SIG,
 * RTMIN, RTMIN+n, RTMAX, RTMAX-n. Returns the number, or 0.
 */
static int parse_signal(const char *s)
{
	uint64_t n;

	if (parse_u64(s, SIGRTMAX, &n))
		return n;
	if (!strncasecmp(s, "SIG", 3))
		s += 3;
	if (!strncasecmp(s, "RTMIN", 5) || !strncasecmp(s, "RTMAX", 5)) {
		bool min = !strncasecmp(s, "RTMIN", 5);
		int base = min ? SIGRTMIN : SIGRTMAX;

		if (!s[5])
			return base;
		if (s[5] != (min ? '+' : '-') ||
		    !parse_u64(s + 6, SIGRTMAX - SIGRTMIN, &n))
			return 0;
		return min ? base + (int)n : base - (int)n;
	}
	for (int signo = 1; signo < SIGRTMIN; signo++) {
		const char *abbrev = sigabbrev_np(signo);

		if (abbrev && !strcasecmp(s, abbrev))
			return signo;
	}
	return 0;
}

/* Why @signo cannot be waited for, or NULL if it can. */
static const char *signal_unusable(int signo)
{
	if (signo == SIGKILL || signo == SIGSTOP)
		return "cannot be caught";
	if (signo > SIGSYS && signo < SIGRTMIN)
		return "is reserved by the C library";
	return NULL;
}

static const char *signal_name(int signo, char *buf, size_t len)
{
	int mid = (SIGRTMIN + SIGRTMAX) / 2;

	if (signo >= SIGRTMIN && signo <= mid)
		snprintf(buf, len, signo == SIGRTMIN ? "SIGRTMIN" : "SIGRTMIN+%d",
			 signo - SIGRTMIN);
	else if (signo > mid && signo <= SIGRTMAX)
		snprintf(buf, len, signo == SIGRTMAX ? "SIGRTMAX" : "SIGRTMAX-%d",
			 SIGRTMAX - signo);
	else if (sigabbrev_np(signo))
		snprintf(buf, len, "SIG%s", sigabbrev_np(signo));
	else
		snprintf(buf, len, "%d", signo);
	return buf;
}

/* The name of a siginfo's si_code, as <signal.h> has it, or its number. */
static const char *si_code_name(int code, char *buf, size_t len)
{
	static const struct code_name codes[] = {
		CODE(SI_USER), CODE(SI_KERNEL), CODE(SI_QUEUE), CODE(SI_TIMER),
		CODE(SI_MESGQ), CODE(SI_ASYNCIO), CODE(SI_SIGIO), CODE(SI_TKILL),
	};
	const char *name = code_name(codes, sizeof(codes) / sizeof(codes[0]),
				     code);

	if (name)
		return name;
	snprintf(buf, len, "%d", code);
	return buf;
}

static int parse_wait_signal(const char *cmd, const char *arg, void *args)
{
	struct wait_args *a = args;
	char sname[32];
	const char *why;

	a->signo = parse_signal(arg);
	if (!a->signo)
		return kipcctl_usage(cmd, "unknown signal '%s' (a name such as USR1, usr2, SIGRTMIN+1, RTMAX-2, or a number)",
				     arg);
	why = signal_unusable(a->signo);
	if (why)
		return kipcctl_usage(cmd, "signal %s %s: choose another, such as USR1 or RTMIN+1",
				     signal_name(a->signo, sname, sizeof(sname)),
				     why);
	return 0;
}

const struct opt wait_opts[] = {
	OPT_FN("signal", parse_wait_signal, NULL),
	OPT_NUM("count", struct wait_args, count, 1, UINT64_MAX),
	OPT_BITS("oneshot", struct wait_args, notify_flags, KIPC_NOTIFY_ONESHOT),
	OPT_FLAG("persistent", struct wait_args, persistent),
	OPT_BITS("edge", struct wait_args, notify_flags, KIPC_NOTIFY_EDGE),
	{ 0 }
};

/* Prints one delivery, as text or JSON. */
static void print_delivery(const struct signalfd_siginfo *si)
{
	char sname[32], code[16];
	const char *c = si_code_name(si->ssi_code, code, sizeof(code));

	signal_name(si->ssi_signo, sname, sizeof(sname));
	if (opt_json) {
		json_open('{');
		json_str("signal", sname);
		json_str("si_code", c);
		json_u64("mailbox_id", (uint32_t)si->ssi_int);
		json_i64("sender_pid", (int32_t)si->ssi_pid);
		json_u64("sender_uid", si->ssi_uid);
		json_close('}');
		json_end();
	} else {
		printf("signal=%s si_code=%s mailbox_id=%u sender_pid=%d sender_uid=%u\n",
		       sname, c, (uint32_t)si->ssi_int, (int32_t)si->ssi_pid,
		       si->ssi_uid);
		fflush(stdout);
	}
}

/*
 * Registers for the signal and takes each one from a signalfd, while
 * polling the handle: a destroyed mailbox reports POLLHUP, and the wait
 * ends with its errno (EIDRM) instead of lasting forever.
 */
int cmd_wait(int argc, char **argv)
{
	struct signalfd_siginfo si;
	struct pollfd pfd[2];
	struct wait_args o = { .signo = SIGUSR1, .count = 1 };
	struct kipc_stat st;
	struct cmdline cl;
	char sname[32];
	sigset_t set;
	uint64_t i = 0;
	int fd, sfd, ret;

	ret = parse_args(argc, argv, &o, &cl);
	if (ret)
		return ret;
	o.name = cl.pos[0];
	if (o.persistent && (o.notify_flags & KIPC_NOTIFY_ONESHOT))
		return kipcctl_usage("wait", "--oneshot or --persistent, not both");
	fd = open_mailbox(o.name, "wait");
	if (fd < 0)
		return -fd;

	sigemptyset(&set);
	sigaddset(&set, o.signo);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (sfd < 0)
		return kipcctl_fail("wait", "signalfd", errno);
	pfd[0] = (struct pollfd){ .fd = sfd, .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = fd, .events = 0 };	/* HUP, ERR */

	ret = kipc_notify(fd, o.signo, o.notify_flags);
	if (ret < 0)
		goto fail;
	fprintf(stderr, "%s: waiting for %s on %s\n", prog,
		signal_name(o.signo, sname, sizeof(sname)), o.name);
	while (i < o.count) {
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			goto fail;
		}
		/* Deliveries first: they came before the destroy. */
		if (pfd[0].revents & POLLIN) {
			if (read(sfd, &si, sizeof(si)) != sizeof(si))
				continue;
			print_delivery(&si);
			/* A one-shot registration is spent by each delivery. */
			if (++i < o.count && (o.notify_flags & KIPC_NOTIFY_ONESHOT)) {
				ret = kipc_notify(fd, o.signo, o.notify_flags);
				if (ret < 0)
					goto fail;
			}
			continue;
		}
		if (pfd[1].revents) {
			ret = kipc_stat(fd, &st);
			if (ret >= 0)
				ret = -EIDRM;
			goto fail;
		}
	}
	close(sfd);
	close(fd);
	return KIPCCTL_OK;
fail:
	close(sfd);
	close(fd);
	return kipcctl_fail("wait", o.name, -ret);
}
