/* SPDX-License-Identifier: BSD-3-Clause */
/* Internal: link-layer, IPv4/IPv6 and transport header parsing of one captured frame. */
#ifndef NETSHARE_IO_PACKET_H
#define NETSHARE_IO_PACKET_H

#include <stddef.h>
#include <stdint.h>

#include <netshare/dataset.h>

/* Link types (pcap DLT_ values as libpcap reports them; LINKTYPE_RAW 101 is mapped to
 * DLT_RAW by libpcap but accepted as such too). */
enum {
	NETSHARE__DLT_NULL = 0,
	NETSHARE__DLT_EN10MB = 1,
	NETSHARE__DLT_RAW = 12,
	NETSHARE__DLT_RAW_OPENBSD = 14,
	NETSHARE__LINKTYPE_RAW = 101,
	NETSHARE__DLT_LOOP = 108,
	NETSHARE__DLT_LINUX_SLL = 113,
	NETSHARE__DLT_IPV4 = 228,
	NETSHARE__DLT_IPV6 = 229,
	NETSHARE__DLT_LINUX_SLL2 = 276,
};

/* Returned by netshare__parse_frame for a frame that became a record. */
#define NETSHARE__PARSED (-1)

/* True if frames of this link type can be parsed. */
int netshare__link_supported(int link_type);

/* A comma-separated list of the supported link type names, for error messages. */
const char *netshare__link_supported_names(void);

/*
 * Parse one frame into `r` (time not set). Returns NETSHARE__PARSED, or the
 * netshare_skip_reason explaining why the frame is not a record. Reads at most `caplen`
 * bytes of `data`; `wire_len` is used where the IP header's length field is 0 (TSO).
 * `header_checksum`, if not NULL, is set to 1 (an IPv4 header whose checksum is right),
 * 0 (wrong) or -1 (not checked: IPv6, or not parsed that far).
 */
int netshare__parse_frame(int link_type, const uint8_t *data, size_t caplen, size_t wire_len,
                          netshare_record *r, int *header_checksum);

/* True if `proto` carries 16-bit source and destination ports first in its header. */
int netshare__proto_has_ports(uint8_t proto);

/* True if `port` is the client's ephemeral port of a record whose other port is `other`:
 * the higher of the two, when it is 1024 or more. A convention, not knowledge: what the
 * joint metrics compare and which port's payload floor a generated packet keeps. */
static inline int
netshare__is_client_port(uint16_t port, uint16_t other)
{
	return port >= 1024 && port > other;
}

/* Smallest IP total length of a packet of `proto`: the IP header (20, or 40 for IPv6)
 * plus TCP's 20 bytes, or UDP's, ICMP's and ICMPv6's 8 (reference/eval.md T4). */
unsigned netshare__min_ip_length(uint8_t proto, int v6);

#endif
