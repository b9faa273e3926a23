/* SPDX-License-Identifier: BSD-3-Clause */
/* RFC 1071 one's-complement sums. */
#include "checksum.h"

uint32_t
netshare__csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
	uint64_t s = sum;
	/* Big-endian 32-bit words: 2^16 = 1 modulo 0xffff, so they add up to the same
	 * ones' complement sum as the 16-bit words, in half the steps. */
	for (; n >= 4; p += 4, n -= 4)
		s += (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	for (; n >= 2; p += 2, n -= 2)
		s += (uint32_t)((p[0] << 8) | p[1]);
	if (n)
		s += (uint32_t)(p[0] << 8);
	while (s >> 32)
		s = (s & 0xffffffffu) + (s >> 32);
	return (uint32_t)s;
}

uint16_t
netshare__csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}
