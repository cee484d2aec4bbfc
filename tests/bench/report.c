// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-bench's output: the Markdown table (stdout and results.md), the same
 * as JSON (results.json, with kipcctl's writer, user/json.c) and the
 * round-trip medians (latency.dat).
 */

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <unistd.h>
#include <sys/stat.h>

#include "bench.h"
#include "json.h"

static void fmt_num(char *buf, size_t size, double v, const char *unit)
{
	if (!strcmp(unit, "msg/s"))
		snprintf(buf, size, "%.0f", v);
	else if (!strcmp(unit, "B"))
		snprintf(buf, size, "%.0f", v);
	else if (v >= 1000)
		snprintf(buf, size, "%.0f", v);
	else if (v >= 10)
		snprintf(buf, size, "%.1f", v);
	else
		snprintf(buf, size, "%.2f", v);
}

static const char *unit_md(const char *unit)
{
	return !strcmp(unit, "us") ? "µs" : unit;
}

/* ------------------------------------------------------------ targets */

struct target {
	const char *what;
	double value, limit;	/* holds when value <= limit */
	bool known;
};

/* A ratio of two medians: @num's over @den's. */
static const struct {
	const char *what, *group, *num, *den;
	double limit;
} ratio_targets[] = {
	{ "64 B round trip: kipc / POSIX mq <= 1.0",
	  "round trip 64 B", "kipc", "POSIX mq", 1.0 },
	{ "64 B round trip: kipc / pipe <= 1.0",
	  "round trip 64 B", "kipc", "pipe", 1.0 },
	{ "64 B round trip: kipc / futex floor <= 1.10",
	  "round trip 64 B", "kipc", "futex (floor)", 1.10 },
	{ "64 B round trip: kipc call / POSIX mq <= 0.6",
	  "round trip 64 B", "kipc call", "POSIX mq", 0.6 },
	{ "64 B round trip: kipc call / futex floor <= 1.0",
	  "round trip 64 B", "kipc call", "futex (floor)", 1.0 },
	{ "16 clients: POSIX mq / kipc call <= 0.667 (kipc call >= 1.5 x mq)",
	  CLIENTS_GROUP, "POSIX mq", "kipc call", 1.0 / 1.5 },
	{ "per message, no blocking, 64 B: kipc / POSIX mq <= 1.0",
	  NB_GROUP, "kipc", "POSIX mq", 1.0 },
	/* Throughput: the ratio is inverted so that "<=" reads the same. */
	{ "64 B throughput: POSIX mq / kipc <= 1.0 (kipc >= 1.0 x mq)",
	  "throughput 64 B", "POSIX mq", "kipc", 1.0 },
	{ "4 KiB throughput: POSIX mq / kipc <= 1.0 (kipc >= 1.0 x mq)",
	  "throughput 4096 B", "POSIX mq", "kipc", 1.0 },
	{ "64 B throughput: SysV / kipc batched <= 0.333 (batched >= 3 x SysV)",
	  "throughput 64 B", "SysV msg", "kipc batched", 1.0 / 3 },
	{ "fan-in 4 -> 1: POSIX mq / kipc <= 1.0 (kipc >= 1.0 x mq)",
	  "fan-in 4 -> 1, 64 B", "POSIX mq", "kipc", 1.0 },
	{ "16 pairs: POSIX mq / kipc <= 1.0 (kipc >= 1.0 x mq)",
	  PAIRS_GROUP, "POSIX mq", "kipc", 1.0 },
	{ "create one queue: kipc / SysV msg <= 2.0",
	  "create one queue", "kipc", "SysV msg", 2.0 },
	{ "list: kipc netlink / /proc/sysvipc/msg <= 1.0 (in-process)",
	  "list all queues (in-process)", "kipc", "SysV msg", 1.0 },
	{ "list: kipcctl -j list / cat /proc/sysvipc/msg <= 1.0",
	  "list all queues (command)", "kipc", "SysV msg", 1.0 },
};

/*
 * How two mechanisms scale from one figure to another: @num's median in
 * @group over its median in @base, divided by the same for @den.
 */
static const struct {
	const char *what, *group, *base, *num, *den;
	double limit;
} scaling_targets[] = {
	{ "1 -> 16 pairs: (mq 16 / mq 1) / (kipc 16 / kipc 1) <= 1.0 "
	  "(kipc scales at least as mq)",
	  PAIRS_GROUP, PAIR1_GROUP, "POSIX mq", "kipc", 1.0 },
};

/* A median itself, in bytes. */
static const struct {
	const char *what, *group, *mech;
} overhead_targets[] = {
	{ "per-message overhead, charged, 64 B: <= 64 B",
	  "memory per queued msg, 64 B", "kipc (charged)" },
	{ "per-message overhead, slab, 64 B: <= 64 B",
	  "memory per queued msg, 64 B", "kipc" },
	{ "per-message overhead, kmalloc class, 64 B: <= 64 B",
	  "memory per queued msg, 64 B", "kipc (kmalloc class)" },
	{ "per-message overhead, kmalloc class, 4 KiB: <= 64 B",
	  "memory per queued msg, 4096 B", "kipc (kmalloc class)" },
	{ "per-message overhead, slab, 4 KiB: <= 64 B",
	  "memory per queued msg, 4096 B", "kipc" },
};

#define NR_TARGETS (ARRAY_SIZE(ratio_targets) + ARRAY_SIZE(scaling_targets) + \
		    ARRAY_SIZE(overhead_targets))

/* The median of @mech in @group over the one in @base; 0 if unknown. */
static double gain(const char *group, const char *base, const char *mech)
{
	const struct series *a = find(group, mech), *b = find(base, mech);

	return a && b && b->med > 0 ? a->med / b->med : 0;
}

static int targets(struct target *tg)
{
	int n = 0;

	for (size_t i = 0; i < ARRAY_SIZE(ratio_targets); i++, n++) {
		const struct series *a = find(ratio_targets[i].group, ratio_targets[i].num);
		const struct series *b = find(ratio_targets[i].group, ratio_targets[i].den);

		tg[n].what = ratio_targets[i].what;
		tg[n].known = a && b && b->med > 0;
		tg[n].value = tg[n].known ? a->med / b->med : 0;
		tg[n].limit = ratio_targets[i].limit;
	}
	for (size_t i = 0; i < ARRAY_SIZE(scaling_targets); i++, n++) {
		const char *g = scaling_targets[i].group;
		const char *base = scaling_targets[i].base;
		double num = gain(g, base, scaling_targets[i].num);
		double den = gain(g, base, scaling_targets[i].den);

		tg[n].what = scaling_targets[i].what;
		tg[n].known = num > 0 && den > 0;
		tg[n].value = tg[n].known ? num / den : 0;
		tg[n].limit = scaling_targets[i].limit;
	}
	for (size_t i = 0; i < ARRAY_SIZE(overhead_targets); i++, n++) {
		const struct series *a = find(overhead_targets[i].group,
					      overhead_targets[i].mech);

		tg[n] = (struct target){ overhead_targets[i].what,
					 a ? a->med : 0, 64, a != NULL };
	}
	return n;
}

/* ------------------------------------------------------------ Markdown */

static void md_row(FILE *f, const struct series *s, bool first)
{
	const struct series *kp = kipc_of(s);
	const char *group = first ? s->group : "";
	char med[32], p99[32], mn[32], mx[32], ratio[32], extra[96];

	if (!s->n) {
		fprintf(f, "| %s | %s | — | — | — | — | %s | — | %s |\n",
			group, s->mech, unit_md(s->unit),
			s->note[0] ? s->note : "no samples");
		return;
	}
	fmt_num(med, sizeof(med), s->med, s->unit);
	fmt_num(p99, sizeof(p99), s->p99, s->unit);
	fmt_num(mn, sizeof(mn), s->min, s->unit);
	fmt_num(mx, sizeof(mx), s->max, s->unit);
	if (kp && kp->med != 0)
		snprintf(ratio, sizeof(ratio), "%.2f", s->med / kp->med);
	else
		snprintf(ratio, sizeof(ratio), "—");
	extra[0] = '\0';
	if (s->msg_size)
		snprintf(extra, sizeof(extra), "%.1f MB/s%s", s->med * s->msg_size / 1e6,
			 s->note[0] ? "; " : "");
	fprintf(f, "| %s | %s | %s | %s | %s | %s | %s | %s | %s%s |\n",
		group, s->mech, med, p99, mn, mx, unit_md(s->unit), ratio, extra,
		s->note);
}

void write_md(FILE *f, const char *env)
{
	struct target tg[NR_TARGETS];
	const char *last = "";
	int nt, i;

	fprintf(f, "### kipc-bench%s\n\n%s\n\n", cfg.quick ? " --quick" : "", env);
	fprintf(f, "Median, p99, min and max over all samples of %d interleaved trial%s "
		"(latency: one sample per operation; no blocking: one per round "
		"of 256, divided by 256; throughput: one per trial, "
		"and its p99 is the low tail). `× kipc` is the median divided by "
		"kipc's: below 1 is faster for times and bytes, slower for rates. "
		"Under emulation only the ratios mean something.\n\n",
		cfg.trials, cfg.trials > 1 ? "s" : "");
	fprintf(f, "| measurement | mechanism | median | p99 | min | max | unit | × kipc | notes |\n");
	fprintf(f, "|---|---|---:|---:|---:|---:|---|---:|---|\n");
	for (size_t k = 0; k < nseries; k++) {
		md_row(f, series[k], strcmp(last, series[k]->group));
		last = series[k]->group;
	}
	nt = targets(tg);
	fprintf(f, "\n#### Targets (medians)\n\n| target | value | holds |\n|---|---:|---|\n");
	for (i = 0; i < nt; i++)
		if (tg[i].known)
			fprintf(f, "| %s | %.3f | %s |\n", tg[i].what, tg[i].value,
				tg[i].value <= tg[i].limit ? "yes" : "**no**");
		else
			fprintf(f, "| %s | — | not measured |\n", tg[i].what);
}

/* ------------------------------------------------------------ JSON */

/* One line of results.json: a series. */
static void json_result(const struct series *s)
{
	const struct series *kp = kipc_of(s);

	json_open('{');
	json_str("measurement", s->group);
	json_str("mechanism", s->mech);
	json_str("unit", s->unit);
	json_u64("samples", s->n);
	json_u64("messages", s->moved);
	json_bool("ran", s->ran);
	json_bool("failed", s->failed);
	if (s->n) {
		json_double("median", "%.6g", s->med);
		json_double("p99", "%.6g", s->p99);
		json_double("min", "%.6g", s->min);
		json_double("max", "%.6g", s->max);
		if (s->msg_size)
			json_double("mb_per_s", "%.6g", s->med * s->msg_size / 1e6);
		if (kp && kp->med != 0)
			json_double("ratio_to_kipc", "%.4f", s->med / kp->med);
	}
	json_str("note", s->note);
	json_close('}');
}

static void json_target(const struct target *t)
{
	json_open('{');
	json_str("target", t->what);
	if (t->known) {
		json_double("value", "%.4f", t->value);
		json_double("limit", "%.4f", t->limit);
		json_bool("holds", t->value <= t->limit);
	} else {
		json_null("value");
		json_null("holds");
	}
	json_close('}');
}

/*
 * With user/json.c, pretty down to the results and targets, each of which
 * is one line.
 */
void write_json(FILE *f, const char *kernel, const char *clocksource)
{
	struct target tg[NR_TARGETS];
	int nt = targets(tg), i;

	json_output(f);
	json_pretty = true;
	json_line_depth = 2;
	json_open('{');
	json_str("tool", "kipc-bench");
	json_bool("quick", cfg.quick);
	json_i64("trials", cfg.trials);
	json_str("kernel", kernel);
	json_i64("cpus", sysconf(_SC_NPROCESSORS_ONLN));
	json_str("clocksource", clocksource);
	json_i64("failures", failures);
	json_key("results");
	json_open('[');
	for (size_t k = 0; k < nseries; k++)
		json_result(series[k]);
	json_close(']');
	json_key("targets");
	json_open('[');
	for (i = 0; i < nt; i++)
		json_target(&tg[i]);
	json_close(']');
	json_close('}');
	json_end();
	json_output(NULL);
}

/* ------------------------------------------------------------ files */

/* Round-trip medians, one line per mechanism, for gnuplot. */
void write_dat(FILE *f, const enum mech *mechs, size_t nmechs,
	       const unsigned *sizes, size_t nsizes)
{
	fprintf(f, "# mechanism rt64_us rt1k_us rt4k_us (medians)\n");
	for (size_t j = 0; j < nmechs; j++) {
		const char *m = mech_name(mechs[j]);

		fprintf(f, "\"%s\"", m);
		for (size_t k = 0; k < nsizes; k++) {
			char group[48];
			const struct series *s;

			snprintf(group, sizeof(group), RT_GROUP, sizes[k]);
			s = find(group, m);
			fprintf(f, " %.3f", s ? s->med : NAN);
		}
		fputc('\n', f);
	}
}

FILE *open_out(const char *name)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", cfg.out, name);
	f = fopen(path, "w");
	if (!f)
		fail("cannot write %s: %s", path, strerror(errno));
	return f;
}

void mkdir_p(const char *dir)
{
	char path[PATH_MAX], *p;

	snprintf(path, sizeof(path), "%s", dir);
	for (p = path + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			mkdir(path, 0755);
			*p = '/';
		}
	mkdir(path, 0755);
}

/* Every mechanism must have run and moved every message. */
void check_all_ran(void)
{
	for (size_t k = 0; k < nseries; k++) {
		const struct series *s = series[k];

		if (s->ran && !s->failed && !s->n)
			fail("%s, %s: no samples", s->group, s->mech);
		if (s->ran && !s->failed && !s->moved)
			fail("%s, %s: moved no messages", s->group, s->mech);
	}
}
