/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal: explicit little- and big-endian loads and stores.
 *
 * File formats are read and written byte by byte through these (never by casting a
 * struct over a buffer), so alignment and host byte order never matter. Network headers
 * are big-endian (be16/be32), the model file and pcap headers we write little-endian.
 */
#ifndef NETSHARE_CORE_BYTES_H
#define NETSHARE_CORE_BYTES_H

#include <stdint.h>
#include <string.h>

static inline uint16_t netshare__le16(const void *p)
{
	const unsigned char *b = p;
	return (uint16_t)(b[0] | (b[1] << 8));
}
static inline uint32_t netshare__le32(const void *p)
{
	const unsigned char *b = p;
	return (uint32_t)b[0] | ((uint32_t)b[1] << 8) | ((uint32_t)b[2] << 16) |
	       ((uint32_t)b[3] << 24);
}
static inline uint64_t netshare__le64(const void *p)
{
	const unsigned char *b = p;
	return (uint64_t)netshare__le32(b) | ((uint64_t)netshare__le32(b + 4) << 32);
}
static inline uint16_t netshare__be16(const void *p)
{
	const unsigned char *b = p;
	return (uint16_t)((b[0] << 8) | b[1]);
}
static inline uint32_t netshare__be32(const void *p)
{
	const unsigned char *b = p;
	return ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) | ((uint32_t)b[2] << 8) |
	       (uint32_t)b[3];
}
static inline void netshare__put_le16(void *p, uint16_t v)
{
	unsigned char *b = p;
	b[0] = (unsigned char)v;
	b[1] = (unsigned char)(v >> 8);
}
static inline void netshare__put_le32(void *p, uint32_t v)
{
	unsigned char *b = p;
	for (int i = 0; i < 4; i++)
		b[i] = (unsigned char)(v >> (8 * i));
}
static inline void netshare__put_le64(void *p, uint64_t v)
{
	unsigned char *b = p;
	for (int i = 0; i < 8; i++)
		b[i] = (unsigned char)(v >> (8 * i));
}
static inline void netshare__put_be16(void *p, uint16_t v)
{
	unsigned char *b = p;
	b[0] = (unsigned char)(v >> 8);
	b[1] = (unsigned char)v;
}
static inline void netshare__put_be32(void *p, uint32_t v)
{
	unsigned char *b = p;
	for (int i = 0; i < 4; i++)
		b[i] = (unsigned char)(v >> (24 - 8 * i));
}
/* IEEE-754 binary32 as its little-endian bit pattern. */
static inline float netshare__lef32(const void *p)
{
	uint32_t u = netshare__le32(p);
	float f;
	memcpy(&f, &u, sizeof f);
	return f;
}
static inline void netshare__put_lef32(void *p, float f)
{
	uint32_t u;
	memcpy(&u, &f, sizeof u);
	netshare__put_le32(p, u);
}

#endif
