/* SPDX-License-Identifier: BSD-3-Clause */
/* Internal: CRC-32C (Castagnoli), the checksum of the model file's chunks. */
#ifndef NETSHARE_CORE_CRC32C_H
#define NETSHARE_CORE_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/* Extend `crc` (0 to start) over buf[0..n); crc32c("123456789") = 0xE3069283.
 * Incremental: crc32c(crc32c(0, a), b) == crc32c(0, a ++ b). */
uint32_t netshare__crc32c(uint32_t crc, const void *buf, size_t n);

#endif
