/* SPDX-License-Identifier: BSD-3-Clause */
/* RFC 1071 one's-complement sums. */
#include "checksum.h"

uint32_t
netshare__csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
	uint64_t s = sum;
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
