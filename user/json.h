/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small JSON writer: objects, arrays, members; and the UTF-8 checks that
 * decide what a string may hold. kipcctl -j and -p write with it, and
 * kipc-bench its results.json.
 */
#ifndef KIPCCTL_JSON_H
#define KIPCCTL_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * The layout. Compact (the default): no blank anywhere. Pretty: ": " after
 * a key, and each member or element of a value nested at most
 * @json_line_depth deep on a line of its own, indented two spaces a level;
 * deeper ones follow each other on their parent's line after ", ". The
 * default depth has no limit (kipcctl -p); kipc-bench's 2 puts each result
 * on one line.
 */
extern bool json_pretty;		/* kipcctl -p */
extern int json_line_depth;
/* Where the output goes: @f, or stdout if NULL (the default). */
void json_output(FILE *f);

void json_open(char c);			/* '{' or '[' */
void json_close(char c);		/* '}' or ']' */
void json_key(const char *key);		/* then a value or json_open() */
/*
 * The same for a key of @len bytes that is known to need no escape (bytes
 * 0x20..0x7e but '"' and '\\'): no scan. Then a value with a NULL key.
 */
void json_key_plain(const char *key, size_t len);
void json_str(const char *key, const char *val);
/* Valid UTF-8 goes out as is; a byte that is not, as U+FFFD. */
void json_strn(const char *key, const char *val, size_t len);
/* @len bytes in base64 (RFC 4648) or as hex digits, as a string. */
void json_base64(const char *key, const unsigned char *val, size_t len);
void json_hex(const char *key, const unsigned char *val, size_t len);
void json_u64(const char *key, uint64_t val);
/* json_key_plain(@key, @len) and json_u64(NULL, @val), in one call. */
void json_plain_u64(const char *key, size_t len, uint64_t val);
void json_i64(const char *key, int64_t val);
void json_bool(const char *key, bool val);
/* @val as printf(@fmt) writes it (e.g. "%.6g": not NaN or infinity). */
void json_double(const char *key, const char *fmt, double val);
void json_null(const char *key);
void json_end(void);			/* newline after a top-level value */

/* The length of the UTF-8 sequence at @s (of @len bytes), 0 if invalid. */
size_t utf8_seq(const char *s, size_t len);
/* Is @s, @len bytes, valid UTF-8 (no overlongs, surrogates, > U+10FFFF)? */
bool utf8_valid(const char *s, size_t len);

#endif /* KIPCCTL_JSON_H */
