// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-bench's output: the Markdown table (stdout and results.md), the same
 * as JSON (results.json) and the round-trip medians (latency.dat).
 *
 * The JSON is written here, not with kipcctl's writer (user/json.c): that
 * one writes to stdout only, has no floating-point number and no null, and
 * indents every member on a line of its own where results.json has one
 * line per result.
 */

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <unistd.h>
#include <sys/stat.h>

#include "bench.h"

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
	/* Throughput: the ratio is inverted so that "<=" reads the same. */
	{ "64 B throughput: POSIX mq / kipc <= 1.0 (kipc >= 1.0 x mq)",
	  "throughput 64 B", "POSIX mq", "kipc", 1.0 },
	{ "64 B throughput: SysV / kipc batched <= 0.333 (batched >= 3 x SysV)",
	  "throughput 64 B", "SysV msg", "kipc batched", 1.0 / 3 },
	{ "list: kipc netlink / /proc/sysvipc/msg <= 1.0 (in-process)",
	  "list all queues (in-process)", "kipc", "SysV msg", 1.0 },
	{ "list: kipcctl -j list / cat /proc/sysvipc/msg <= 1.0",
	  "list all queues (command)", "kipc", "SysV msg", 1.0 },
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

#define NR_TARGETS (ARRAY_SIZE(ratio_targets) + ARRAY_SIZE(overhead_targets))

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
		"(latency: one sample per operation; throughput: one per trial, "
		"and its p99 is the low tail). `× kipc` is the median divided by "
		"kipc's: below 1 is faster for times and bytes, slower for rates. "
		"Under emulation only the ratios mean something.\n\n",
		cfg.trials, cfg.trials > 1 ? "s" : "");
	fprintf(f, "| measurement | mechanism | median | p99 | min | max | unit | × kipc | notes |\n");
	fprintf(f, "|---|---|---:|---:|---:|---:|---|---:|---|\n");
	for (size_t k = 0; k < nseries; k++) {
		md_row(f, &series[k], strcmp(last, series[k].group));
		last = series[k].group;
	}
	nt = targets(tg);
	fprintf(f, "\n#### Targets of issue 8 (medians)\n\n| target | value | holds |\n|---|---:|---|\n");
	for (i = 0; i < nt; i++)
		if (tg[i].known)
			fprintf(f, "| %s | %.3f | %s |\n", tg[i].what, tg[i].value,
				tg[i].value <= tg[i].limit ? "yes" : "**no**");
		else
			fprintf(f, "| %s | — | not measured |\n", tg[i].what);
}

/* ------------------------------------------------------------ JSON */

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

/* `, "KEY": "VALUE"` (no comma before the first member, @first). */
static void json_member(FILE *f, bool first, const char *key, const char *val)
{
	fprintf(f, "%s\"%s\": ", first ? "" : ", ", key);
	json_str(f, val);
}

static const char *json_bool(bool v)
{
	return v ? "true" : "false";
}

static void json_result(FILE *f, const struct series *s)
{
	const struct series *kp = kipc_of(s);

	fprintf(f, "    {");
	json_member(f, true, "measurement", s->group);
	json_member(f, false, "mechanism", s->mech);
	json_member(f, false, "unit", s->unit);
	fprintf(f, ", \"samples\": %zu, \"messages\": %" PRIu64 ", \"ran\": %s, \"failed\": %s",
		s->n, s->moved, json_bool(s->ran), json_bool(s->failed));
	if (s->n) {
		fprintf(f, ", \"median\": %.6g, \"p99\": %.6g, \"min\": %.6g, \"max\": %.6g",
			s->med, s->p99, s->min, s->max);
		if (s->msg_size)
			fprintf(f, ", \"mb_per_s\": %.6g", s->med * s->msg_size / 1e6);
		if (kp && kp->med != 0)
			fprintf(f, ", \"ratio_to_kipc\": %.4f", s->med / kp->med);
	}
	json_member(f, false, "note", s->note);
	fprintf(f, "}");
}

static void json_target(FILE *f, const struct target *t)
{
	fprintf(f, "    {");
	json_member(f, true, "target", t->what);
	if (t->known)
		fprintf(f, ", \"value\": %.4f, \"limit\": %.4f, \"holds\": %s}",
			t->value, t->limit, json_bool(t->value <= t->limit));
	else
		fprintf(f, ", \"value\": null, \"holds\": null}");
}

void write_json(FILE *f, const char *kernel, const char *clocksource)
{
	struct target tg[NR_TARGETS];
	int nt = targets(tg), i;

	fprintf(f, "{\n  \"tool\": \"kipc-bench\",\n  \"quick\": %s,\n  \"trials\": %d,\n",
		json_bool(cfg.quick), cfg.trials);
	fprintf(f, "  \"kernel\": ");
	json_str(f, kernel);
	fprintf(f, ",\n  \"cpus\": %ld,\n  \"clocksource\": ", sysconf(_SC_NPROCESSORS_ONLN));
	json_str(f, clocksource);
	fprintf(f, ",\n  \"failures\": %d,\n  \"results\": [\n", failures);
	for (size_t k = 0; k < nseries; k++) {
		json_result(f, &series[k]);
		fprintf(f, "%s\n", k + 1 < nseries ? "," : "");
	}
	fprintf(f, "  ],\n  \"targets\": [\n");
	for (i = 0; i < nt; i++) {
		json_target(f, &tg[i]);
		fprintf(f, "%s\n", i + 1 < nt ? "," : "");
	}
	fprintf(f, "  ]\n}\n");
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
		const struct series *s = &series[k];

		if (s->ran && !s->failed && !s->n)
			fail("%s, %s: no samples", s->group, s->mech);
		if (s->ran && !s->failed && !s->moved)
			fail("%s, %s: moved no messages", s->group, s->mech);
	}
}
