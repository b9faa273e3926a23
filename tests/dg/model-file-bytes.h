/* SPDX-License-Identifier: BSD-3-Clause */
/* Reading and editing a model file's bytes as a hostile writer would (netshare-model(5)):
 * shared by the model suites. */
#ifndef NETSHARE_TEST_MODEL_FILE_BYTES_H
#define NETSHARE_TEST_MODEL_FILE_BYTES_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../test-common.h"
#include "core/bytes.h"
#include "core/crc32c.h"

static inline unsigned char *
read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	fseek(f, 0, SEEK_END);
	*len = (size_t)ftell(f);
	rewind(f);
	unsigned char *d = malloc(*len);
	ck_assert_uint_eq(fread(d, 1, *len, f), *len);
	fclose(f);
	return d;
}

/* The payload offset and length of the first chunk with this tag (0 if none). */
static inline size_t
chunk_payload(const unsigned char *d, size_t len, const char *tag, size_t *plen)
{
	for (size_t at = 32; at + 16 <= len;) {
		uint64_t n = netshare__le64(d + at + 8);
		size_t start = (at + 16 + 31) / 32 * 32;
		if (memcmp(d + at, tag, 4) == 0) {
			*plen = (size_t)n;
			return start;
		}
		if (memcmp(d + at, "END ", 4) == 0)
			break;
		at = start + (size_t)n + 4;
	}
	return 0;
}

/* Recompute every checksum after an edit, as a hostile writer would: the header's, each
 * chunk's and the whole file's, so that the loader must judge the contents. */
static inline void
fix_checksums(unsigned char *d, size_t len)
{
	netshare__put_le32(d + 24, netshare__crc32c(0, d, 24));
	for (size_t at = 32; at + 16 <= len;) {
		uint64_t n = netshare__le64(d + at + 8);
		size_t start = (at + 16 + 31) / 32 * 32;
		if (memcmp(d + at, "END ", 4) == 0) {
			netshare__put_le32(d + start, netshare__crc32c(0, d, start));
			netshare__put_le32(d + start + 4, netshare__crc32c(0, d + start, 4));
			return;
		}
		netshare__put_le32(d + start + n, netshare__crc32c(0, d + start, (size_t)n));
		at = start + (size_t)n + 4;
	}
}

#endif
