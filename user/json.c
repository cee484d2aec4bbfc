// SPDX-License-Identifier: GPL-2.0
/* The JSON writer and UTF-8 checks of json.h. */
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

/*
 * The output is made here and handed to stdio in large pieces: list -j
 * writes 22 members for each of 10,000 mailboxes, and a call into stdio
 * for each key, quote and number cost more than the kernel's dump.
 */
static char out_buf[64 * 1024];
static size_t out_len;

static FILE *out(void)
{
	return json_file ? json_file : stdout;
}

static void json_flush(void)
{
	if (out_len)
		fwrite(out_buf, 1, out_len, out());
	out_len = 0;
}

void json_output(FILE *f)
{
	json_flush();
	json_file = f;
}

/* Room for @n more bytes (@n at most sizeof(out_buf)) at the end. */
static inline char *json_room(size_t n)
{
	if (n > sizeof(out_buf) - out_len)
		json_flush();
	return out_buf + out_len;
}

static inline void json_putc(char c)
{
	*json_room(1) = c;
	out_len++;
}

static void json_write_long(const char *s, size_t len)
{
	json_flush();
	if (len > sizeof(out_buf)) {
		fwrite(s, 1, len, out());
		return;
	}
	memcpy(out_buf, s, len);
	out_len = len;
}

/*
 * @n bytes from @s to @o, inline if they are few (keys, numbers, names):
 * under emulation, a call into libc's memcpy() through the PLT, and its
 * return, are indirect jumps, dearer than the copy itself.
 */
static inline void json_copy(char *o, const char *s, size_t n)
{
	if (n > 32) {
		memcpy(o, s, n);
		return;
	}
	for (; n >= 8; n -= 8, o += 8, s += 8)
		memcpy(o, s, 8);
	while (n--)
		*o++ = *s++;
}

static inline void json_write(const char *s, size_t len)
{
	if (len > sizeof(out_buf) - out_len) {
		json_write_long(s, len);
		return;
	}
	json_copy(out_buf + out_len, s, len);
	out_len += len;
}

/* Do the values at this depth start lines of their own? */
static bool json_wraps(void)
{
	return json_pretty && depth <= json_line_depth;
}

static void json_indent(void)
{
	json_putc('\n');
	for (int i = 0; i < depth; i++)
		json_write("  ", 2);
}

static void json_sep(void)
{
	if (after_key) {
		after_key = false;
		return;
	}
	if (need_comma)
		json_putc(',');
	if (depth && json_wraps())
		json_indent();
	else if (need_comma && json_pretty)
		json_putc(' ');
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

/* The one byte @c, not plain, escaped; not UTF-8 if it is 0x80 or above. */
static void json_escape(unsigned char c)
{
	static const char hex[] = "0123456789abcdef";
	char esc[6] = { '\\', 'u', '0', '0' };

	if (c == '"' || c == '\\') {
		esc[1] = c;
		json_write(esc, 2);
	} else if (c == '\n') {
		json_write("\\n", 2);
	} else if (c == '\t') {
		json_write("\\t", 2);
	} else if (c < 0x80) {
		esc[4] = hex[c >> 4];
		esc[5] = hex[c & 15];
		json_write(esc, 6);
	} else {
		json_write("\\ufffd", 6);
	}
}

/*
 * Runs of plain bytes are copied at once: list -j prints 10,000 rows.
 * UTF-8 is written as is (as `ip -j` does); a byte that is not UTF-8
 * becomes U+FFFD, so that the output is always valid JSON.
 */
static void json_quote_body(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run, n;

	while (i < len) {
		for (run = i; run < len; run += n) {
			if (json_plain(p[run]))
				n = 1;
			else if (p[run] < 0x80 || !(n = utf8_seq(s + run, len - run)))
				break;
		}
		if (run > i) {
			json_write(s + i, run - i);
			i = run;
			continue;
		}
		json_escape(p[i++]);
	}
}

static void json_quote(const char *s, size_t len)
{
	json_putc('"');
	json_quote_body(s, len);
	json_putc('"');
}

/*
 * Keys are nearly always plain ASCII: measured by one scan and copied at
 * once, with no strlen(); one that is not goes through json_quote_body().
 */
void json_key(const char *key)
{
	size_t n = 0;
	char *o;

	json_sep();
	while (key[n] && json_plain(key[n]))
		n++;
	if (!key[n] && n < sizeof(out_buf)) {
		o = json_room(n + 1);
		o[0] = '"';
		json_copy(o + 1, key, n);
		out_len += n + 1;
	} else {
		json_putc('"');
		json_quote_body(key, strlen(key));
	}
	json_write("\": ", json_pretty ? 3 : 2);
	after_key = true;
}

void json_key_plain(const char *key, size_t len)
{
	char *o;

	if (len >= sizeof(out_buf)) {
		json_key(key);
		return;
	}
	json_sep();
	o = json_room(len + 1);
	o[0] = '"';
	json_copy(o + 1, key, len);
	out_len += len + 1;
	json_write("\": ", json_pretty ? 3 : 2);
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
	json_putc(c);
	depth++;
	need_comma = false;
}

void json_close(char c)
{
	bool wrapped = need_comma && json_wraps();

	depth--;
	if (wrapped)
		json_indent();
	json_putc(c);
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
	json_putc('"');
	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = val[i] << 16;
		char *o = json_room(4);

		if (i + 1 < len)
			v |= val[i + 1] << 8;
		if (i + 2 < len)
			v |= val[i + 2];
		o[0] = digits[v >> 18 & 63];
		o[1] = digits[v >> 12 & 63];
		o[2] = i + 1 < len ? digits[v >> 6 & 63] : '=';
		o[3] = i + 2 < len ? digits[v & 63] : '=';
		out_len += 4;
	}
	json_putc('"');
}

void json_hex(const char *key, const unsigned char *val, size_t len)
{
	static const char hex[] = "0123456789abcdef";

	json_member(key);
	json_putc('"');
	for (size_t i = 0; i < len; i++) {
		char *o = json_room(2);

		o[0] = hex[val[i] >> 4];
		o[1] = hex[val[i] & 15];
		out_len += 2;
	}
	json_putc('"');
}

/* The decimal digits of @val: as many as the powers of ten it reaches. */
static unsigned int json_ndigits(uint64_t val)
{
	unsigned int n = 1;

	for (uint64_t p = 10; n < 20 && val >= p; p *= 10)
		n++;
	return n;
}

/*
 * @val in decimal at @o, by hand, not by printf, and two digits a division
 * (a ctime_ns has 19). Returns the end.
 */
static char *json_fmt_u64(char *o, uint64_t val)
{
	static const char pairs[] =
		"00010203040506070809101112131415161718192021222324"
		"25262728293031323334353637383940414243444546474849"
		"50515253545556575859606162636465666768697071727374"
		"75767778798081828384858687888990919293949596979899";
	char *end = o + json_ndigits(val), *p = end;

	while (val >= 100) {
		p -= 2;
		memcpy(p, pairs + val % 100 * 2, 2);
		val /= 100;
	}
	if (val >= 10)
		memcpy(p - 2, pairs + val * 2, 2);
	else
		p[-1] = '0' + val;
	return end;
}

/* @val in decimal, with a '-' first if @neg. */
static void json_digits(uint64_t val, bool neg)
{
	char *o = json_room(21);

	if (neg)
		*o++ = '-';
	out_len = json_fmt_u64(o, val) - out_buf;
}

void json_u64(const char *key, uint64_t val)
{
	json_member(key);
	json_digits(val, false);
}

/*
 * json_key_plain() and json_u64() at once. Compact, a member is ',', the
 * key in quotes, ':' and the digits, made here in one piece: list -j has
 * 17 of these a mailbox. Pretty goes the long way, for the indentation.
 */
void json_plain_u64(const char *key, size_t len, uint64_t val)
{
	char *o;

	if (json_pretty || after_key || len > 256) {
		json_key_plain(key, len);
		json_u64(NULL, val);
		return;
	}
	o = json_room(len + 4 + 20);
	if (need_comma)
		*o++ = ',';
	*o++ = '"';
	json_copy(o, key, len);
	o += len;
	*o++ = '"';
	*o++ = ':';
	out_len = json_fmt_u64(o, val) - out_buf;
	need_comma = true;
}

void json_i64(const char *key, int64_t val)
{
	json_member(key);
	/* Negated as unsigned: INT64_MIN has no positive int64_t. */
	json_digits(val < 0 ? -(uint64_t)val : (uint64_t)val, val < 0);
}

void json_bool(const char *key, bool val)
{
	json_member(key);
	if (val)
		json_write("true", 4);
	else
		json_write("false", 5);
}

void json_double(const char *key, const char *fmt, double val)
{
	char tmp[64];
	int n;

	json_member(key);
	n = snprintf(tmp, sizeof(tmp), fmt, val);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(tmp)) {
		json_write(tmp, n);
		return;
	}
	json_flush();
	fprintf(out(), fmt, val);
}

void json_null(const char *key)
{
	json_member(key);
	json_write("null", 4);
}

void json_end(void)
{
	json_putc('\n');
	need_comma = false;
	json_flush();
	fflush(out());
}
