/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small JSON writer on stdout: objects, arrays, members; and the UTF-8
 * checks that decide what a string may hold.
 */
#ifndef KIPCCTL_JSON_H
#define KIPCCTL_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

extern bool json_pretty;		/* indent (kipcctl -p) */

void json_open(char c);			/* '{' or '[' */
void json_close(char c);		/* '}' or ']' */
void json_key(const char *key);		/* then a value or json_open() */
void json_str(const char *key, const char *val);
/* Valid UTF-8 goes out as is; a byte that is not, as U+FFFD. */
void json_strn(const char *key, const char *val, size_t len);
/* @len bytes in base64 (RFC 4648) or as hex digits, as a string. */
void json_base64(const char *key, const unsigned char *val, size_t len);
void json_hex(const char *key, const unsigned char *val, size_t len);
void json_u64(const char *key, uint64_t val);
void json_i64(const char *key, int64_t val);
void json_bool(const char *key, bool val);
void json_end(void);			/* newline after a top-level value */

/* The length of the UTF-8 sequence at @s (of @len bytes), 0 if invalid. */
size_t utf8_seq(const char *s, size_t len);
/* Is @s, @len bytes, valid UTF-8 (no overlongs, surrogates, > U+10FFFF)? */
bool utf8_valid(const char *s, size_t len);

#endif /* KIPCCTL_JSON_H */
