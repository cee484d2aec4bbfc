// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-bench: kipc next to the IPC Linux already has, in one run.
 *
 *   kipc-bench [--quick] [--trials N] [--out DIR] [--profile MECH]
 *
 * Mechanisms: kipc (one message per ioctl), kipc read/write (one per read(2)
 * or write(2)), kipc batched (SENDV/RECVV, 32 per call), pipe,
 * socketpair(AF_UNIX, SOCK_SEQPACKET), POSIX mq, SysV msg; and as floors a
 * null ioctl on /dev/kipc (KIPC_IOC_VERSION), getppid(), and a futex
 * ping-pong between two processes over a shared anonymous mapping.
 *
 * Measurements (see run_all()): two-process round trip at 64 B, 1 KiB, 4 KiB
 * (and kipc's CALL against a server in REPLY_RECV: "kipc call");
 * one-way streaming at 64 B and 4 KiB; fan-in of 4 producers into 1
 * consumer; the cost of one send and one receive when nothing blocks (one
 * process fills a queue 256 deep, then drains it); 16 producer -> consumer
 * pairs at once, each on its own channel, next to 1 pair measured alike;
 * 16 clients of one server, kipc call against POSIX mq (a request queue and
 * a reply queue per client);
 * creating and listing 10,000 mailboxes next to 10,000 SysV queues; memory
 * per queued message; notification latency.
 *
 * Trials are interleaved: every trial runs every mechanism once, in an order
 * rotated from trial to trial, so that drift hits all of them alike. Every
 * run but the pairs' has a warm-up that is not timed (the pairs are timed
 * from one start, all of them together). Every message carries its sequence
 * number and the receiver checks it: a run that lost, duplicated or
 * reordered a message fails, and then kipc-bench exits 1. Times are never
 * asserted: under emulation only the ratios mean something.
 *
 * Output: a Markdown table on stdout and in DIR/results.md, the same as JSON
 * in DIR/results.json, and DIR/latency.dat for scripts/bench.sh to plot.
 */

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/utsname.h>

#include "bench.h"

/* ------------------------------------------------------------ settings */

struct config cfg = {
	.trials = 5, .out = "build/bench",
	.rt_warm = 200, .rt_n = 2000,
	.tp_warm = 2000, .tp_n = 20000,
	.fan_n = 20000,
	.nb_warm = 10, .nb_rounds = 200,
	.pairs_n = 5000,
	.clients_n = 1000,
	.nt_warm = 20, .nt_n = 300,
	.null_n = 20000,
	.scale_n = 10000, .list_reps = 5,
	.mem_n = 2000,
};

static void quick_config(void)
{
	cfg.quick = true;
	cfg.trials = 1;
	cfg.rt_warm = 10, cfg.rt_n = 100;
	cfg.tp_warm = 50, cfg.tp_n = 500;
	cfg.fan_n = 400;
	cfg.nb_warm = 2, cfg.nb_rounds = 20;
	cfg.pairs_n = 200;
	cfg.clients_n = 50;
	cfg.nt_warm = 3, cfg.nt_n = 20;
	cfg.null_n = 1000;
	cfg.scale_n = 200, cfg.list_reps = 1;
	cfg.mem_n = 1000;
}

/* ------------------------------------------------------------ the plan */

static const enum mech rt_mechs[] = { M_KIPC, M_CALL, M_PIPE, M_SOCK, M_MQ, M_SYSV, M_FUTEX };
static const enum mech tp_mechs[] = { M_KIPC, M_KIPCRW, M_KIPCV, M_PIPE, M_SOCK, M_MQ, M_SYSV };
static const enum mech fan_mechs[] = { M_KIPC, M_MQ, M_SYSV };
static const enum mech nb_mechs[] = { M_KIPC, M_KIPCRW, M_KIPCV, M_PIPE, M_MQ, M_SYSV };
static const enum mech pair_mechs[] = { M_KIPC, M_PIPE, M_MQ, M_SYSV };
static const enum mech client_mechs[] = { M_CALL, M_MQ };
static const unsigned rt_sizes[] = { 64, 1024, 4096 };
static const unsigned tp_sizes[] = { 64, 4096 };

/* One trial: every mechanism once, in an order rotated by @t. */
static void trial(int t)
{
	char group[48];
	size_t j, k;

	null_ioctl(get_series("floor: one syscall", "null ioctl (kipc)", "us", false));
	null_syscall(get_series("floor: one syscall", "getppid", "us", false));
	for (k = 0; k < ARRAY_SIZE(rt_sizes); k++) {
		snprintf(group, sizeof(group), RT_GROUP, rt_sizes[k]);
		for (j = 0; j < ARRAY_SIZE(rt_mechs); j++) {
			enum mech m = rt_mechs[(j + t) % ARRAY_SIZE(rt_mechs)];

			round_trip(m, rt_sizes[k],
				   get_series(group, mech_name(m), "us", false));
		}
	}
	for (k = 0; k < ARRAY_SIZE(tp_sizes); k++) {
		snprintf(group, sizeof(group), "throughput %u B", tp_sizes[k]);
		for (j = 0; j < ARRAY_SIZE(tp_mechs); j++) {
			enum mech m = tp_mechs[(j + t) % ARRAY_SIZE(tp_mechs)];

			throughput(m, tp_sizes[k],
				   get_series(group, mech_name(m), "msg/s", true));
		}
	}
	for (j = 0; j < ARRAY_SIZE(fan_mechs); j++) {
		enum mech m = fan_mechs[(j + t) % ARRAY_SIZE(fan_mechs)];

		fan_in(m, get_series("fan-in 4 -> 1, 64 B", mech_name(m),
				     "msg/s", true));
	}
	for (j = 0; j < ARRAY_SIZE(nb_mechs); j++) {
		enum mech m = nb_mechs[(j + t) % ARRAY_SIZE(nb_mechs)];

		nonblock(m, get_series(NB_GROUP, mech_name(m), "ns", false));
	}
	/* One pair, measured as the 16 are: the base of their scaling. */
	for (j = 0; j < ARRAY_SIZE(pair_mechs); j++) {
		enum mech m = pair_mechs[(j + t) % ARRAY_SIZE(pair_mechs)];

		pairs(m, 1, get_series(PAIR1_GROUP, mech_name(m), "msg/s",
				       true));
	}
	for (j = 0; j < ARRAY_SIZE(pair_mechs); j++) {
		enum mech m = pair_mechs[(j + t) % ARRAY_SIZE(pair_mechs)];

		pairs(m, NPAIRS, get_series(PAIRS_GROUP, mech_name(m), "msg/s",
					    true));
	}
	for (j = 0; j < ARRAY_SIZE(client_mechs); j++) {
		enum mech m = client_mechs[(j + t) % ARRAY_SIZE(client_mechs)];

		clients(m, get_series(CLIENTS_GROUP, mech_name(m), "req/s",
				      true));
	}
	notifications(t);
}

static void run_all(void)
{
	size_t k;

	notify_init();
	/* First, while the slab caches are quiet. */
	note("memory per queued message");
	for (k = 0; k < ARRAY_SIZE(tp_sizes); k++) {
		memory(M_KIPC, tp_sizes[k]);
		memory(M_MQ, tp_sizes[k]);
		memory(M_SYSV, tp_sizes[k]);
	}
	for (int t = 0; t < cfg.trials; t++) {
		note("trial %d of %d", t + 1, cfg.trials);
		trial(t);
	}
	note("scale: %u mailboxes and %u SysV queues", cfg.scale_n, cfg.scale_n);
	scale();
}

/* ------------------------------------------------------------ profiling */

/* Streams 64 B messages of one mechanism for `perf record`; no output. */
static int profile(const char *what)
{
	for (enum mech m = 0; m < NR_MECH; m++) {
		if (strcmp(what, mech_name(m)))
			continue;
		struct series *s = get_series("profile", what, "msg/s", true);
		double r = stream(m, 64, 1, cfg.tp_n / 10, cfg.tp_n, s);

		printf("%s: %.0f msg/s over %u messages\n", what, r, cfg.tp_n);
		return r > 0 ? 0 : 1;
	}
	fprintf(stderr, "kipc-bench: --profile: unknown mechanism '%s'\n", what);
	return 2;
}

/* A blocked syscall returns EINTR when the watchdog fires: the run fails. */
static void on_alarm(int sig)
{
	(void)sig;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: kipc-bench [--quick] [--trials N] [--out DIR] [--profile MECH [--messages N]]\n"
		"  --quick     a smoke test: few messages, one trial (well under a minute)\n"
		"  --trials N  interleaved trials (default 5)\n"
		"  --out DIR   results.md, results.json, latency.dat (default build/bench)\n"
		"  --profile M only stream 64 B messages of mechanism M (\"kipc\", \"pipe\", ...)\n");
	exit(2);
}

/* The options; the --profile mechanism, or NULL. */
static const char *parse_args(int argc, char **argv)
{
	const char *prof = NULL;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--quick"))
			quick_config();
		else if (!strcmp(argv[i], "--trials") && i + 1 < argc)
			cfg.trials = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--out") && i + 1 < argc)
			cfg.out = argv[++i];
		else if (!strcmp(argv[i], "--profile") && i + 1 < argc)
			prof = argv[++i];
		else if (!strcmp(argv[i], "--messages") && i + 1 < argc)
			cfg.tp_n = atoi(argv[++i]);
		else
			usage();
	}
	if (cfg.trials < 1)
		usage();
	return prof;
}

static void setup(void)
{
	struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART */
	/* POSIX queues count against RLIMIT_MSGQUEUE, even root's. */
	struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };

	sigaction(SIGALRM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (setrlimit(RLIMIT_MSGQUEUE, &rl))
		note("cannot raise RLIMIT_MSGQUEUE: %s", strerror(errno));
	setvbuf(stdout, NULL, _IOLBF, 0);
}

/* The table on stdout, and results.md, results.json, latency.dat. */
static void write_all(const char *env, const char *kernel, const char *clocksource)
{
	FILE *f;

	mkdir_p(cfg.out);
	write_md(stdout, env);
	f = open_out("results.md");
	if (f) {
		write_md(f, env);
		fclose(f);
	}
	f = open_out("results.json");
	if (f) {
		write_json(f, kernel, clocksource);
		fclose(f);
	}
	f = open_out("latency.dat");
	if (f) {
		write_dat(f, rt_mechs, ARRAY_SIZE(rt_mechs), rt_sizes, ARRAY_SIZE(rt_sizes));
		fclose(f);
	}
}

int main(int argc, char **argv)
{
	const char *prof = parse_args(argc, argv);
	char env[512], clocksource[64] = "?", kernel[256];
	struct utsname u;

	setup();
	if (prof)
		return profile(prof);

	uname(&u);
	snprintf(kernel, sizeof(kernel), "%s %s %s", u.sysname, u.release, u.machine);
	read_file("/sys/devices/system/clocksource/clocksource0/current_clocksource",
		  clocksource, sizeof(clocksource));
	clocksource[strcspn(clocksource, "\n")] = '\0';
	snprintf(env, sizeof(env), "Kernel %s, %ld CPUs, clocksource %s, pid %d.",
		 kernel, sysconf(_SC_NPROCESSORS_ONLN), clocksource, getpid());

	run_all();
	for (size_t k = 0; k < nseries; k++)
		series_stats(series[k]);
	check_all_ran();
	write_all(env, kernel, clocksource);
	if (failures) {
		fprintf(stderr, "kipc-bench: %d failure%s\n", failures, failures > 1 ? "s" : "");
		return 1;
	}
	return 0;
}
