// SPDX-License-Identifier: GPL-2.0
/* kipc-bench's results: a series of samples per figure and mechanism. */

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>

#include "bench.h"

struct series **series;
size_t nseries;
static size_t series_cap;

struct series *get_series(const char *group, const char *mech,
			  const char *unit, bool higher_better)
{
	struct series *s;
	size_t i;

	for (i = 0; i < nseries; i++)
		if (!strcmp(series[i]->group, group) && !strcmp(series[i]->mech, mech))
			return series[i];
	if (nseries == series_cap) {
		series_cap = series_cap ? 2 * series_cap : 64;
		series = realloc(series, series_cap * sizeof(*series));
		if (!series) {
			perror("realloc");
			exit(2);
		}
	}
	/* Apart: a caller may hold it while asking for the next. */
	s = xcalloc(1, sizeof(*s));
	series[nseries++] = s;
	snprintf(s->group, sizeof(s->group), "%s", group);
	snprintf(s->mech, sizeof(s->mech), "%s", mech);
	snprintf(s->unit, sizeof(s->unit), "%s", unit);
	s->higher_better = higher_better;
	return s;
}

void add_sample(struct series *s, double v)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 256;
		s->v = realloc(s->v, s->cap * sizeof(*s->v));
		if (!s->v) {
			perror("realloc");
			exit(2);
		}
	}
	s->v[s->n++] = v;
}

void series_fail(struct series *s, const char *fmt, ...)
{
	va_list ap;
	char msg[160];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fail("%s, %s: %s", s->group, s->mech, msg);
	if (!s->failed)
		snprintf(s->note, sizeof(s->note), "FAILED: %s", msg);
	s->failed = true;
}

void series_note(struct series *s, const char *fmt, ...)
{
	va_list ap;

	if (s->note[0])
		return;
	va_start(ap, fmt);
	vsnprintf(s->note, sizeof(s->note), fmt, ap);
	va_end(ap);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Median, p99 (the worse tail: high for latency, low for throughput). */
void series_stats(struct series *s)
{
	size_t k;

	if (!s->n)
		return;
	qsort(s->v, s->n, sizeof(*s->v), cmp_double);
	s->min = s->v[0];
	s->max = s->v[s->n - 1];
	s->med = s->n % 2 ? s->v[s->n / 2] :
		 (s->v[s->n / 2 - 1] + s->v[s->n / 2]) / 2;
	k = (size_t)ceil(0.99 * s->n) - 1;
	s->p99 = s->higher_better ? s->v[s->n - 1 - k] : s->v[k];
}

const struct series *kipc_of(const struct series *s)
{
	for (size_t i = 0; i < nseries; i++)
		if (!strcmp(series[i]->group, s->group) &&
		    !strcmp(series[i]->mech, "kipc") && series[i]->n)
			return series[i];
	return NULL;
}

const struct series *find(const char *group, const char *mech)
{
	for (size_t i = 0; i < nseries; i++)
		if (!strcmp(series[i]->group, group) && !strcmp(series[i]->mech, mech))
			return series[i]->n ? series[i] : NULL;
	return NULL;
}
