/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Frame parsing: link header -> IPv4/IPv6 (extension headers walked) -> ports.
 *
 * Unlike NetShare's parser (which assumes Ethernet and IPv4 whatever the file says) this
 * checks the link type, the IP version and every length against the captured bytes.
 * Header-only captures are the norm (CAIDA keeps ~45 bytes), so the packet size comes
 * from the IP header, never from caplen, and missing payload is not an error.
 */
#include "packet.h"

#include "checksum.h"

#include <string.h>

#include "core/bytes.h"

#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86DD
#define ETHERTYPE_VLAN 0x8100
#define ETHERTYPE_QINQ 0x88A8
#define ETHERTYPE_QINQ_OLD 0x9100
#define ETHERTYPE_MPLS 0x8847
#define ETHERTYPE_MPLS_MC 0x8848
#define ETHERTYPE_PPPOE 0x8864

/* More nested tags or extension headers than this is a malformed (or hostile) frame. */
#define MAX_LINK_TAGS 8
#define MAX_IPV6_EXT_HEADERS 16

int
netshare__link_supported(int lt)
{
	switch (lt) {
	case NETSHARE__DLT_NULL: case NETSHARE__DLT_EN10MB: case NETSHARE__DLT_RAW:
	case NETSHARE__DLT_RAW_OPENBSD: case NETSHARE__LINKTYPE_RAW: case NETSHARE__DLT_LOOP:
	case NETSHARE__DLT_LINUX_SLL: case NETSHARE__DLT_IPV4: case NETSHARE__DLT_IPV6:
	case NETSHARE__DLT_LINUX_SLL2:
		return 1;
	default:
		return 0;
	}
}

const char *
netshare__link_supported_names(void)
{
	return "EN10MB (Ethernet, 802.1Q/QinQ, MPLS, PPPoE), RAW, IPV4, IPV6, LINUX_SLL, "
	       "LINUX_SLL2, NULL, LOOP";
}

int
netshare__proto_has_ports(uint8_t proto)
{
	return proto == 6 || proto == 17 || proto == 33 || proto == 132 || proto == 136;
}

unsigned
netshare__min_ip_length(uint8_t proto, int v6)
{
	unsigned ip = v6 ? 40 : 20;
	return ip + (proto == 6 ? 20 : proto == 17 || proto == 1 || proto == 58 ? 8 : 0);
}

/* IP version to expect after the link header: 4, 6, 0 (look at the first nibble), or
 * -1 for a non-IP payload. */
static int
version_of_ethertype(uint16_t et)
{
	return et == ETHERTYPE_IPV4 ? 4 : et == ETHERTYPE_IPV6 ? 6 : -1;
}

/* Walk Ethernet: VLAN/QinQ tags, MPLS label stacks (with IP or an Ethernet pseudowire
 * behind them), PPPoE. Sets *off to the IP header. Returns the expected IP version,
 * -1 if not IP, or -2 if truncated. `depth` bounds pseudowire nesting. */
static int
parse_ethernet(const uint8_t *d, size_t cap, size_t *off, int depth)
{
	if (cap < 14)
		return -2;
	size_t o = 12;
	uint16_t et = netshare__be16(d + o);
	o += 2;
	for (int tags = 0; et == ETHERTYPE_VLAN || et == ETHERTYPE_QINQ ||
	                   et == ETHERTYPE_QINQ_OLD; tags++) {
		if (tags == MAX_LINK_TAGS)
			return -1;
		if (cap < o + 4)
			return -2;
		et = netshare__be16(d + o + 2);
		o += 4;
	}
	if (et == ETHERTYPE_MPLS || et == ETHERTYPE_MPLS_MC) {
		for (int labels = 0;; labels++) {
			if (labels == MAX_LINK_TAGS)
				return -1;
			if (cap < o + 4)
				return -2;
			int bottom = d[o + 2] & 1;
			o += 4;
			if (bottom)
				break;
		}
		if (cap < o + 1)
			return -2;
		/* MPLS does not say what it carries: IP by its version nibble, or an Ethernet
		 * pseudowire behind a control word (first nibble 0, RFC 4385). */
		int nibble = d[o] >> 4;
		if (nibble == 4 || nibble == 6) {
			*off = o;
			return 0;
		}
		if (nibble != 0 || depth >= MAX_LINK_TAGS)
			return -1;
		o += 4;
		if (cap < o)
			return -2;
		size_t inner;
		int v = parse_ethernet(d + o, cap - o, &inner, depth + 1);
		*off = o + inner;
		return v;
	}
	if (et == ETHERTYPE_PPPOE) {
		if (cap < o + 8)
			return -2;
		uint16_t ppp = netshare__be16(d + o + 6);
		o += 8;
		*off = o;
		return ppp == 0x0021 ? 4 : ppp == 0x0057 ? 6 : -1;
	}
	*off = o;
	return version_of_ethertype(et);
}

/* The link header: sets *off to the start of the IP header and returns the expected IP
 * version (0 = from the nibble), -1 not IP, -2 truncated. */
static int
parse_link(int lt, const uint8_t *d, size_t cap, size_t *off)
{
	uint32_t af;
	*off = 0;
	switch (lt) {
	case NETSHARE__DLT_EN10MB:
		return parse_ethernet(d, cap, off, 0);
	case NETSHARE__DLT_RAW: case NETSHARE__DLT_RAW_OPENBSD: case NETSHARE__LINKTYPE_RAW:
		return 0;
	case NETSHARE__DLT_IPV4:
		return 4;
	case NETSHARE__DLT_IPV6:
		return 6;
	case NETSHARE__DLT_LINUX_SLL:
		if (cap < 16)
			return -2;
		*off = 16;
		return version_of_ethertype(netshare__be16(d + 14));
	case NETSHARE__DLT_LINUX_SLL2:
		if (cap < 20)
			return -2;
		*off = 20;
		return version_of_ethertype(netshare__be16(d));
	case NETSHARE__DLT_NULL: case NETSHARE__DLT_LOOP:
		if (cap < 4)
			return -2;
		*off = 4;
		/* NULL stores the family in the capturing host's byte order, LOOP in network
		 * order: accept either, since families are small numbers. */
		af = netshare__le32(d);
		if (af > 0xFFFF)
			af = netshare__be32(d);
		if (af == 2)
			return 4;
		if (af == 10 || af == 24 || af == 28 || af == 30)
			return 6; /* Linux, NetBSD/OpenBSD, FreeBSD, Darwin AF_INET6 */
		return -1;
	default:
		return -1;
	}
}

/* Ports and TCP flags at `t` (cap bytes of transport header available). */
static int
parse_ports(const uint8_t *t, size_t cap, netshare_record *r)
{
	if (!netshare__proto_has_ports(r->protocol))
		return NETSHARE__PARSED;
	if (cap < 4)
		return NETSHARE_SKIP_TRUNCATED_TRANSPORT;
	r->src_port = netshare__be16(t);
	r->dst_port = netshare__be16(t + 2);
	if (r->protocol == 6 && cap >= 14)
		r->tcp_flags = t[13];
	return NETSHARE__PARSED;
}

static int
parse_ipv4(const uint8_t *ip, size_t cap, size_t wire, netshare_record *r, int *checksum)
{
	if (cap < 20)
		return NETSHARE_SKIP_TRUNCATED_IP;
	if (ip[0] >> 4 != 4)
		return NETSHARE_SKIP_BAD_IP_VERSION;
	size_t hlen = (size_t)(ip[0] & 0x0f) * 4;
	if (hlen < 20)
		return NETSHARE_SKIP_BAD_IP_HEADER;
	if (cap < hlen)
		return NETSHARE_SKIP_TRUNCATED_IP;
	size_t total = netshare__be16(ip + 2);
	if (total == 0 && wire > hlen) /* TSO: the NIC fills the length in later */
		total = wire > 65535 ? 65535 : wire;
	if (total < hlen)
		return NETSHARE_SKIP_BAD_IP_HEADER;
	if (checksum) /* a right header sums (with its checksum) to 0xffff */
		*checksum = netshare__csum_fold(netshare__csum_add(0, ip, hlen)) == 0;
	uint16_t off = netshare__be16(ip + 6);
	r->ip_version = 4;
	r->tos = ip[1];
	r->ip_length = (uint16_t)total;
	r->ip_id = netshare__be16(ip + 4);
	r->ip_flags = (uint8_t)(off >> 13);
	r->frag_offset = off & 0x1fff;
	r->ttl = ip[8];
	r->protocol = ip[9];
	r->src_ip = netshare__be32(ip + 12);
	r->dst_ip = netshare__be32(ip + 16);
	if (r->frag_offset != 0)
		return NETSHARE__PARSED; /* only the first fragment has the transport header */
	return parse_ports(ip + hlen, cap - hlen, r);
}

static int
is_ipv6_ext(uint8_t nh)
{
	return nh == 0 || nh == 43 || nh == 44 || nh == 51 || nh == 60 || nh == 135 ||
	       nh == 139 || nh == 140 || nh == 253 || nh == 254;
}

static int
parse_ipv6(const uint8_t *ip, size_t cap, size_t wire, netshare_record *r)
{
	if (cap < 40)
		return NETSHARE_SKIP_TRUNCATED_IP;
	if (ip[0] >> 4 != 6)
		return NETSHARE_SKIP_BAD_IP_VERSION;
	size_t total = (size_t)netshare__be16(ip + 4) + 40;
	if (total == 40 && wire > 40) /* jumbogram or TSO */
		total = wire;
	if (total > 65535)
		total = 65535;
	r->ip_version = 6;
	r->tos = (uint8_t)(((ip[0] & 0x0f) << 4) | (ip[1] >> 4));
	r->ip_length = (uint16_t)total;
	r->ttl = ip[7];
	memcpy(r->src_ip6, ip + 8, 16);
	memcpy(r->dst_ip6, ip + 24, 16);
	uint8_t nh = ip[6];
	size_t o = 40;
	for (int n = 0; is_ipv6_ext(nh); n++) {
		if (n == MAX_IPV6_EXT_HEADERS)
			return NETSHARE_SKIP_BAD_IP_HEADER;
		if (cap < o + 8)
			return NETSHARE_SKIP_TRUNCATED_IP; /* every extension header is >= 8 bytes */
		size_t len;
		if (nh == 44) { /* fragment header */
			uint16_t fo = netshare__be16(ip + o + 2);
			r->frag_offset = fo >> 3;
			r->ip_flags = fo & 1;
			r->ip_id = netshare__be16(ip + o + 6);
			len = 8;
		} else if (nh == 51) { /* AH counts 4-byte units, minus 2 */
			len = ((size_t)ip[o + 1] + 2) * 4;
		} else {
			len = ((size_t)ip[o + 1] + 1) * 8;
		}
		nh = ip[o];
		o += len;
		if (o > total)
			return NETSHARE_SKIP_BAD_IP_HEADER;
	}
	r->protocol = nh;
	if (r->frag_offset != 0)
		return NETSHARE__PARSED;
	if (cap < o)
		return NETSHARE_SKIP_TRUNCATED_IP;
	return parse_ports(ip + o, cap - o, r);
}

int
netshare__parse_frame(int link_type, const uint8_t *data, size_t caplen, size_t wire_len,
                      netshare_record *r, int *header_checksum)
{
	if (header_checksum)
		*header_checksum = -1;
	size_t off;
	int version = parse_link(link_type, data, caplen, &off);
	if (version == -2)
		return NETSHARE_SKIP_TRUNCATED_LINK;
	if (version == -1)
		return NETSHARE_SKIP_NOT_IP;
	const uint8_t *ip = data + off;
	size_t cap = caplen - off;
	size_t wire = wire_len > off ? wire_len - off : 0;
	if (version == 0) {
		if (cap < 1)
			return NETSHARE_SKIP_TRUNCATED_IP;
		version = ip[0] >> 4;
		if (version != 4 && version != 6)
			return NETSHARE_SKIP_BAD_IP_VERSION;
	}
	return version == 4 ? parse_ipv4(ip, cap, wire, r, header_checksum)
	                    : parse_ipv6(ip, cap, wire, r);
}
