/* SPDX-License-Identifier: BSD-3-Clause */
/* Internal: building a valid on-the-wire frame (link + IP + transport) from a record. */
#ifndef NETSHARE_IO_FRAME_H
#define NETSHARE_IO_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include <netshare/dataset.h>

/* Largest frame built: Ethernet header + the largest IP packet. */
#define NETSHARE__MAX_FRAME (14 + 65535)

/* The IP length actually written for r: its ip_length, raised to the minimum the
 * headers need (a record cannot ask for a TCP packet shorter than its headers). */
size_t netshare__frame_ip_length(const netshare_record *r);

/* Bytes of data in the TCP segment of r (its length beyond the IP and TCP headers and
 * the TCP options the frame gets). r must be TCP. */
size_t netshare__frame_tcp_payload(const netshare_record *r);

/* Sequence and acknowledgement numbers of a TCP segment. */
typedef struct netshare__tcp_numbers {
	uint32_t seq, ack;
} netshare__tcp_numbers;

/*
 * Write the frame of r into buf (room for NETSHARE__MAX_FRAME bytes; only the headers are
 * written, the caller provides the zero payload bytes when it wants them) for the link
 * type (NETSHARE_LINK_ETHERNET or NETSHARE_LINK_RAW), with tcp's numbers in a TCP header
 * (NULL: zeros). Returns the full frame length and
 * sets *headers to the length of the link + IP + transport headers.
 */
size_t netshare__frame_build(const netshare_record *r, const netshare__tcp_numbers *tcp,
                             int link_type, uint8_t *buf, size_t *headers);

#endif
