// SPDX-License-Identifier: GPL-2.0
/* Text output: names made safe for a terminal, their width, times. */
#include <inttypes.h>
#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <wchar.h>

#include "common.h"
#include "json.h"
#include "kipcctl.h"

/*
 * @name made safe for a terminal into @out (@size bytes, NUL-terminated):
 * control characters (C0, DEL, the C1 U+0080..U+009F) and bytes that are
 * not UTF-8 become \xNN. Another user chooses a mailbox's name, and `list`
 * and `monitor` print it on this user's terminal.
 */
void text_name(char *out, size_t size, const char *name)
{
	size_t len = strlen(name), o = 0;

	for (size_t i = 0, n; i < len && o + 1 < size; i += n) {
		const unsigned char *p = (const unsigned char *)name + i;
		bool ctl;

		n = utf8_seq(name + i, len - i);
		ctl = n <= 1 ? p[0] < 0x20 || p[0] >= 0x7f :
		      n == 2 && p[0] == 0xc2 && p[1] < 0xa0;
		if (!n)
			n = 1;
		if (!ctl) {
			if (o + n >= size)
				break;
			memcpy(out + o, p, n);
			o += n;
			continue;
		}
		for (size_t k = 0; k < n; k++) {
			if (o + 4 >= size)
				goto out;
			snprintf(out + o, 5, "\\x%02x", p[k]);
			o += 4;
		}
	}
out:
	out[o] = '\0';
}

/*
 * wcwidth() needs a UTF-8 LC_CTYPE. Set only here, for tables: loading a
 * locale maps glibc's gconv cache MAP_SHARED, and a receiver blocked in
 * `kipcctl recv` is what Lab 1 shows to have no shared mapping at all.
 */
static void utf8_ctype(void)
{
	static bool done;

	if (done)
		return;
	done = true;
	setlocale(LC_CTYPE, "");
	if (strcmp(nl_langinfo(CODESET), "UTF-8"))
		setlocale(LC_CTYPE, "C.UTF-8");
}

int display_width(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s);
	int width = 0;

	for (size_t i = 0, n; i < len; i += n) {
		wchar_t wc;
		int w;

		n = utf8_seq(s + i, len - i);
		if (n <= 1) {		/* ASCII, or a bad byte */
			n = 1;
			width++;
			continue;
		}
		/* Decoded by hand: the locale may not be UTF-8. */
		wc = p[i] & (0xff >> (n + 1));
		for (size_t k = 1; k < n; k++)
			wc = wc << 6 | (p[i + k] & 0x3f);
		utf8_ctype();
		w = wcwidth(wc);
		width += w < 0 ? 1 : w;
	}
	return width;
}

void print_time(uint64_t ns)
{
	time_t t = ns / 1000000000;
	struct tm tm;
	char buf[64];

	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	printf("%s.%09" PRIu64 "Z", buf, ns % 1000000000);
}

/*
 * The offset between the clocks, taken once: the realtime clock read on
 * both sides of the monotonic one, halfway.
 */
uint64_t mono_to_real_ns(uint64_t mono_ns)
{
	static uint64_t offset;
	static bool have;

	if (!have) {
		struct timespec r1, m, r2;

		clock_gettime(CLOCK_REALTIME, &r1);
		clock_gettime(CLOCK_MONOTONIC, &m);
		clock_gettime(CLOCK_REALTIME, &r2);
		offset = ts_ns(&r1) / 2 + ts_ns(&r2) / 2 - ts_ns(&m);
		have = true;
	}
	return mono_ns + offset;
}
