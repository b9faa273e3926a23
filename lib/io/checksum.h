/* SPDX-License-Identifier: BSD-3-Clause */
/* Internal: the Internet checksum (RFC 1071) for IPv4, TCP, UDP, ICMP and ICMPv6. */
#ifndef NETSHARE_IO_CHECKSUM_H
#define NETSHARE_IO_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

/* Add n bytes (big-endian 16-bit words, an odd last byte padded) to a running sum. */
uint32_t netshare__csum_add(uint32_t sum, const uint8_t *data, size_t n);
/* Fold a running sum into the final one's-complement checksum. */
uint16_t netshare__csum_fold(uint32_t sum);

#endif
