// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "kipcctl.h"

static int depth;
static bool need_comma;	/* a value precedes at this level */
static bool after_key;	/* a key was written, its value comes next */

static void json_indent(void)
{
	if (!opt_pretty)
		return;
	putchar('\n');
	for (int i = 0; i < depth; i++)
		fputs("  ", stdout);
}

static void json_sep(void)
{
	if (after_key) {
		after_key = false;
		return;
	}
	if (need_comma)
		putchar(',');
	if (depth)
		json_indent();
	need_comma = true;
}

static bool json_plain(unsigned char c)
{
	return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
}

/* Runs of plain bytes go out in one write: list -j prints 10,000 rows. */
static void json_quote(const char *s, size_t len)
{
	size_t i = 0, run;

	putchar('"');
	while (i < len) {
		unsigned char c = s[i];

		for (run = i; run < len && json_plain(s[run]); run++)
			;
		if (run > i) {
			fwrite(s + i, 1, run - i, stdout);
			i = run;
			continue;
		}
		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c == '\n')
			fputs("\\n", stdout);
		else if (c == '\t')
			fputs("\\t", stdout);
		else
			printf("\\u%04x", c);
		i++;
	}
	putchar('"');
}

void json_key(const char *key)
{
	json_sep();
	json_quote(key, strlen(key));
	fputs(opt_pretty ? ": " : ":", stdout);
	after_key = true;
}

static void json_member(const char *key)
{
	if (key)
		json_key(key);
	json_sep();
	need_comma = true;
}

void json_open(char c)
{
	json_sep();
	putchar(c);
	depth++;
	need_comma = false;
}

void json_close(char c)
{
	depth--;
	if (need_comma)
		json_indent();
	putchar(c);
	need_comma = true;
}

void json_strn(const char *key, const char *val, size_t len)
{
	json_member(key);
	json_quote(val, len);
}

void json_str(const char *key, const char *val)
{
	json_strn(key, val, strlen(val));
}

void json_u64(const char *key, uint64_t val)
{
	char buf[24], *p = buf + sizeof(buf);

	json_member(key);
	do {
		*--p = '0' + val % 10;
		val /= 10;
	} while (val);
	fwrite(p, 1, buf + sizeof(buf) - p, stdout);
}

void json_i64(const char *key, int64_t val)
{
	json_member(key);
	printf("%" PRId64, val);
}

void json_bool(const char *key, bool val)
{
	json_member(key);
	fputs(val ? "true" : "false", stdout);
}

void json_end(void)
{
	putchar('\n');
	need_comma = false;
	fflush(stdout);
}
