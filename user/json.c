// SPDX-License-Identifier: GPL-2.0
/* The JSON writer and UTF-8 checks of json.h. */
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "json.h"

bool json_pretty;
int json_line_depth = INT_MAX;

static FILE *json_file;	/* NULL: stdout */
static int depth;
static bool need_comma;	/* a value precedes at this level */
static bool after_key;	/* a key was written, its value comes next */

void json_output(FILE *f)
{
	json_file = f;
}

static FILE *out(void)
{
	return json_file ? json_file : stdout;
}

/* Do the values at this depth start lines of their own? */
static bool json_wraps(void)
{
	return json_pretty && depth <= json_line_depth;
}

static void json_indent(void)
{
	putc('\n', out());
	for (int i = 0; i < depth; i++)
		fputs("  ", out());
}

static void json_sep(void)
{
	if (after_key) {
		after_key = false;
		return;
	}
	if (need_comma)
		putc(',', out());
	if (depth && json_wraps())
		json_indent();
	else if (need_comma && json_pretty)
		putc(' ', out());
	need_comma = true;
}

static bool json_plain(unsigned char c)
{
	return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
}

/*
 * The length of the valid UTF-8 sequence at @s (at most @len bytes), or 0
 * if it is not one: no overlong forms, no surrogates, nothing past U+10FFFF.
 */
size_t utf8_seq(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (n > len)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n;
}

bool utf8_valid(const char *s, size_t len)
{
	for (size_t i = 0, n; i < len; i += n)
		if (!(n = utf8_seq(s + i, len - i)))
			return false;
	return true;
}

/*
 * Runs of plain bytes go out in one write: list -j prints 10,000 rows.
 * UTF-8 is written as is (as `ip -j` does); a byte that is not UTF-8
 * becomes U+FFFD, so that the output is always valid JSON.
 */
static void json_quote(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run, n;

	putc('"', out());
	while (i < len) {
		unsigned char c = p[i];

		for (run = i; run < len; run += n) {
			if (json_plain(p[run]))
				n = 1;
			else if (p[run] < 0x80 || !(n = utf8_seq(s + run, len - run)))
				break;
		}
		if (run > i) {
			fwrite(s + i, 1, run - i, out());
			i = run;
			continue;
		}
		if (c == '"' || c == '\\')
			fprintf(out(), "\\%c", c);
		else if (c == '\n')
			fputs("\\n", out());
		else if (c == '\t')
			fputs("\\t", out());
		else if (c < 0x80)
			fprintf(out(), "\\u%04x", c);
		else
			fputs("\\ufffd", out());
		i++;
	}
	putc('"', out());
}

void json_key(const char *key)
{
	json_sep();
	json_quote(key, strlen(key));
	fputs(json_pretty ? ": " : ":", out());
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
	putc(c, out());
	depth++;
	need_comma = false;
}

void json_close(char c)
{
	bool wrapped = need_comma && json_wraps();

	depth--;
	if (wrapped)
		json_indent();
	putc(c, out());
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

void json_base64(const char *key, const unsigned char *val, size_t len)
{
	static const char digits[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

	json_member(key);
	putc('"', out());
	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = val[i] << 16;

		if (i + 1 < len)
			v |= val[i + 1] << 8;
		if (i + 2 < len)
			v |= val[i + 2];
		putc(digits[v >> 18 & 63], out());
		putc(digits[v >> 12 & 63], out());
		putc(i + 1 < len ? digits[v >> 6 & 63] : '=', out());
		putc(i + 2 < len ? digits[v & 63] : '=', out());
	}
	putc('"', out());
}

void json_hex(const char *key, const unsigned char *val, size_t len)
{
	json_member(key);
	putc('"', out());
	for (size_t i = 0; i < len; i++)
		fprintf(out(), "%02x", val[i]);
	putc('"', out());
}

void json_u64(const char *key, uint64_t val)
{
	char buf[24], *p = buf + sizeof(buf);

	json_member(key);
	do {
		*--p = '0' + val % 10;
		val /= 10;
	} while (val);
	fwrite(p, 1, buf + sizeof(buf) - p, out());
}

void json_i64(const char *key, int64_t val)
{
	json_member(key);
	fprintf(out(), "%" PRId64, val);
}

void json_bool(const char *key, bool val)
{
	json_member(key);
	fputs(val ? "true" : "false", out());
}

void json_double(const char *key, const char *fmt, double val)
{
	json_member(key);
	fprintf(out(), fmt, val);
}

void json_null(const char *key)
{
	json_member(key);
	fputs("null", out());
}

void json_end(void)
{
	putc('\n', out());
	need_comma = false;
	fflush(out());
}
