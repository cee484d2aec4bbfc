/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the helper programs (kipc-stress, kipc-fuzz, kipc-locklat,
 * kipc-notify-probe) and the C tests: a seeded PRNG, CRC-32; and, from
 * user/common.h, the clock.
 */
#ifndef KIPC_STRESS_H
#define KIPC_STRESS_H

#include <stdint.h>
#include <stddef.h>

#include "common.h"	/* now_ns() */

/* splitmix64: tiny, seedable, good enough for test input. */
struct rng {
	uint64_t s;
};

static inline uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Uniform in [0, n). */
static inline uint32_t rng_below(struct rng *r, uint32_t n)
{
	return n ? (uint32_t)(rng_next(r) % n) : 0;
}

static inline void rng_fill(struct rng *r, void *buf, size_t len)
{
	unsigned char *p = buf;

	while (len >= 8) {
		uint64_t v = rng_next(r);

		__builtin_memcpy(p, &v, 8);
		p += 8;
		len -= 8;
	}
	if (len) {
		uint64_t v = rng_next(r);

		__builtin_memcpy(p, &v, len);
	}
}

/* CRC-32 (IEEE 802.3, reflected, as zlib's crc32()). */
static inline uint32_t crc32_ieee(const void *buf, size_t len)
{
	static uint32_t table[256];
	const unsigned char *p = buf;
	uint32_t crc = 0xffffffffu;

	if (!__atomic_load_n(&table[1], __ATOMIC_ACQUIRE)) {
		for (uint32_t i = 0; i < 256; i++) {
			uint32_t c = i;

			for (int k = 0; k < 8; k++)
				c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
			/* table[1] last: it is the "ready" flag. */
			if (i != 1)
				__atomic_store_n(&table[i], c, __ATOMIC_RELAXED);
		}
		{
			uint32_t c = 1;

			for (int k = 0; k < 8; k++)
				c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
			__atomic_store_n(&table[1], c, __ATOMIC_RELEASE);
		}
	}
	while (len--)
		crc = table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

#endif /* KIPC_STRESS_H */
