// SPDX-License-Identifier: GPL-2.0
/* kipcctl monitor: the family's events, live. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "json.h"
#include "nlclient.h"
#include "subcommands.h"

/* The command's options, and what it keeps between events. */
struct monitor {
	const char *name;	/* only this mailbox, or NULL */
	uint64_t count;		/* stop after this many; 0 = never */
	uint64_t seen;
	uint64_t suppressed;	/* the total we last reported */
	uint64_t lost;		/* the same, for a subscription's lost events */
};

const struct opt monitor_opts[] = {
	OPT_NUM("count", struct monitor, count, 1, UINT64_MAX),
	{ 0 }
};

static void monitor_print(const struct rec *r)
{
	const uint64_t *v = r->v;
	uint64_t t = v[KIPC_A_EVENT_TIME];
	char buf[32], name[4 * KIPC_NAME_MAX];
	const char *ev = event_name(v[KIPC_A_EVENT], buf, sizeof(buf));

	if (opt_json) {
		json_open('{');
		print_fields_json(r, &event_fields);
		print_fields_json(r, &mbox_fields);
		json_close('}');
		json_end();
		return;
	}

	text_name(name, sizeof(name), r->name);
	print_time(mono_to_real_ns(t));
	printf(" %-7s mailbox=%s id=%" PRIu64 " pid=%" PRId32, ev, name,
	       v[KIPC_A_MBOX_ID], (int32_t)v[KIPC_A_EVENT_PID]);
	if (r->have[KIPC_A_MSG_SEQ])
		printf(" seq=%" PRIu64 " len=%" PRIu64 " type=%" PRIu64,
		       v[KIPC_A_MSG_SEQ], v[KIPC_A_MSG_LEN], v[KIPC_A_MSG_TYPE]);
	if (r->have[KIPC_A_CALL_DURATION])
		printf(" took=%" PRIu64 "us", v[KIPC_A_CALL_DURATION] / 1000);
	if (v[KIPC_A_CALL_ERROR])
		printf(" error=%s", errno_name(v[KIPC_A_CALL_ERROR]));
	if (v[KIPC_A_EVENT] == KIPC_EVENT_FULL)
		printf(" depth=%" PRIu64 "/%" PRIu64 " bytes=%" PRIu64,
		       v[KIPC_A_MBOX_DEPTH], v[KIPC_A_MBOX_CAPACITY],
		       v[KIPC_A_MBOX_BYTES]);
	putchar('\n');
	fflush(stdout);
}

static int monitor_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct genlmsghdr *genl = mnl_nlmsg_get_payload(nlh);
	struct monitor *m = data;
	struct rec r;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*genl) ||
	    genl->cmd != KIPC_CMD_EVENT)
		return MNL_CB_OK;
	rec_parse(nlh, &r);
	if (!r.have[KIPC_A_EVENT] || !r.have[KIPC_A_MBOX_ID])
		return MNL_CB_OK;

	if (r.have[KIPC_A_EVENT_SUPPRESSED] &&
	    r.v[KIPC_A_EVENT_SUPPRESSED] > m->suppressed) {
		fprintf(stderr, "%s: monitor: %" PRIu64 " more events suppressed by the rate limit (event_rate)\n",
			prog, r.v[KIPC_A_EVENT_SUPPRESSED] - m->suppressed);
		m->suppressed = r.v[KIPC_A_EVENT_SUPPRESSED];
	}
	if (r.have[KIPC_A_EVENT_LOST] && r.v[KIPC_A_EVENT_LOST] > m->lost) {
		fprintf(stderr, "%s: monitor: %" PRIu64 " more events lost: the socket's receive buffer overflowed\n",
			prog, r.v[KIPC_A_EVENT_LOST] - m->lost);
		m->lost = r.v[KIPC_A_EVENT_LOST];
	}
	if (m->name && strcmp(m->name, r.name))
		return MNL_CB_OK;

	monitor_print(&r);
	if (m->count && ++m->seen >= m->count)
		return MNL_CB_STOP;
	return MNL_CB_OK;
}

/*
 * A mailbox that is not there yet may be created later, and its events are
 * what one watches for (its CREATE first). Not a silent wait on a typo,
 * though: on a terminal, say so. Returns 0 or an exit status.
 */
static int monitor_check_name(struct nl *nl, const char *name)
{
	struct rec r;
	int ret;

	if (strlen(name) >= KIPC_NAME_MAX)
		return kipcctl_fail("monitor", name, ENAMETOOLONG);
	ret = nlc_mailbox(nl, name, 0, &r);
	if (ret == -ENOENT && isatty(STDERR_FILENO))
		fprintf(stderr, "%s: monitor %s: no such mailbox yet: waiting for it to be created (Ctrl-C stops)\n",
			prog, name);
	else if (ret && ret != -ENOENT)
		return nlc_fail(nl, "monitor", name, ret);
	return 0;
}

/* Prints the events until SIGINT or SIGTERM, or @m->count of them. */
static int monitor_loop(struct nl *nl, struct monitor *m)
{
	struct pollfd pfd[2];
	sigset_t mask;
	int ret, sfd;

	fcntl(nl_fd(nl), F_SETFL, fcntl(nl_fd(nl), F_GETFL) | O_NONBLOCK);
	/* SIGINT and SIGTERM end the loop, and the command, cleanly. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0 ||
	    (sfd = signalfd(-1, &mask, SFD_CLOEXEC)) < 0)
		return kipcctl_fail("monitor", "signalfd", errno);

	pfd[0] = (struct pollfd){ .fd = sfd, .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = nl_fd(nl), .events = POLLIN };
	ret = KIPCCTL_OK;
	for (;;) {
		int r;

		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			ret = kipcctl_fail("monitor", "poll", errno);
			break;
		}
		if (pfd[0].revents)
			break;
		if (!pfd[1].revents)
			continue;
		r = nl_recv_events(nl, monitor_cb, m);
		if (r == 1)
			break;
		if (r == -ENOBUFS) {
			fprintf(stderr, "%s: monitor: events lost: the socket's receive buffer overflowed\n",
				prog);
			continue;
		}
		if (r < 0 && r != -EAGAIN && r != -EINTR) {
			ret = nlc_fail(nl, "monitor", NULL, r);
			break;
		}
	}
	close(sfd);
	return ret;
}

int cmd_monitor(int argc, char **argv)
{
	struct monitor m = { 0 };
	struct cmdline cl;
	struct rec stats;
	struct nl nl;
	int ret;

	ret = parse_args(argc, argv, &m, &cl);
	if (ret)
		return ret;
	m.name = cl.nr_pos ? cl.pos[0] : NULL;
	ret = nlc_open(&nl, "monitor");
	if (ret)
		return ret;
	if (m.name && !opt_all_ns)
		ret = monitor_check_name(&nl, m.name);
	/*
	 * Every namespace's events carry the module's total of suppressed
	 * ones: report only what is suppressed from now on.
	 */
	if (!ret && opt_all_ns && !nlc_stats(&nl, &stats))
		m.suppressed = stats.v[KIPC_A_STATS_EVENTS_SUPPRESSED];
	if (!ret)
		ret = nlc_monitor(&nl, "monitor");
	if (!ret)
		ret = monitor_loop(&nl, &m);
	nl_close(&nl);
	return ret;
}
