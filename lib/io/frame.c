/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Frame synthesis for pcap output: IPv4/IPv6 headers carrying the record's fields and
 * TCP/UDP/ICMP/ICMPv6 headers with correct checksums over a zero-filled payload (TCP
 * sequence numbers come from the caller: tcp_stream.c).
 *
 * Zero payload bytes add nothing to a one's-complement sum, so every checksum is
 * computed over the headers alone plus the lengths in the pseudo-header: the cost of a
 * frame does not depend on its size.
 */
#include "frame.h"

#include <string.h>

#include "checksum.h"
#include "core/bytes.h"
#include "packet.h"

/* Locally administered unicast addresses: never a real vendor's. */
static const uint8_t eth_dst[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static const uint8_t eth_src[6] = { 0x02, 0, 0, 0, 0, 0x02 };

static int
has_fragment_header(const netshare_record *r)
{
	return r->ip_version == 6 && (r->frag_offset != 0 || (r->ip_flags & 1));
}

static size_t
transport_header_len(uint8_t proto)
{
	switch (proto) {
	case 6: return 20;                 /* TCP without options */
	case 17: case 136: return 8;       /* UDP, UDP-Lite */
	case 1: case 58: return 8;         /* ICMP / ICMPv6 echo */
	case 2: return 8;                  /* IGMP */
	case 33: case 132: return 12;      /* DCCP, SCTP: ports + the fields after them */
	default: return 0;
	}
}

static size_t
ip_header_len(const netshare_record *r)
{
	return r->ip_version == 4 ? 20 : 40 + (has_fragment_header(r) ? 8 : 0);
}

/* Bytes of TCP options in the segment of r. Real SYNs carry 4-40 bytes of options
 * and no data, and Linux's pure ACKs 12 bytes of timestamps: the record's length beyond
 * the headers becomes options there, so such a packet does not look like a data
 * segment (a SYN with data, an ACK that moves the sequence space). */
static size_t
tcp_options_len(const netshare_record *r, size_t ip_len)
{
	if (r->protocol != 6 || r->frag_offset != 0)
		return 0;
	size_t excess = ip_len - ip_header_len(r) - 20;
	if (r->tcp_flags & 0x02)
		return excess >= 40 ? 40 : excess & ~(size_t)3;
	return excess == 12 ? 12 : 0;
}

size_t
netshare__frame_tcp_payload(const netshare_record *r)
{
	size_t ip_len = netshare__frame_ip_length(r);
	return ip_len - ip_header_len(r) - 20 - tcp_options_len(r, ip_len);
}

/* Options of `len` bytes (a multiple of 4, at most 40): MSS, window scale, SACK
 * permitted, timestamps, as a SYN carries them, padded with NOPs. A 12-byte set on a
 * non-SYN is the timestamps alone. */
static void
write_tcp_options(uint8_t *o, size_t len, int syn)
{
	static const uint8_t syn_opts[24] = {
		2, 4, 0x05, 0xb4,      /* MSS 1460 */
		1, 3, 3, 7,            /* NOP, window scale 7 */
		1, 1, 4, 2,            /* NOP, NOP, SACK permitted */
		1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0 /* NOP, NOP, timestamps */
	};
	memset(o, 1, len); /* NOP */
	if (!syn)
		memcpy(o, syn_opts + 12, len < 12 ? len : 12);
	else
		memcpy(o, syn_opts, len >= 24 ? 24 : len < 12 ? len : 12);
}

size_t
netshare__frame_ip_length(const netshare_record *r)
{
	size_t min = ip_header_len(r) + (r->frag_offset ? 0 : transport_header_len(r->protocol));
	return r->ip_length < min ? min : r->ip_length;
}

/* Sum of the IPv4 or IPv6 pseudo-header for a transport segment of `len` bytes. */
static uint32_t
pseudo_sum(const netshare_record *r, const uint8_t *ip, size_t len)
{
	uint8_t tail[8] = { 0 };
	uint32_t s;
	if (r->ip_version == 4) {
		s = netshare__csum_add(0, ip + 12, 8);
		tail[1] = r->protocol;
		netshare__put_be16(tail + 2, (uint16_t)len);
		return netshare__csum_add(s, tail, 4);
	}
	s = netshare__csum_add(0, ip + 8, 32);
	netshare__put_be32(tail, (uint32_t)len);
	tail[7] = r->protocol;
	return netshare__csum_add(s, tail, 8);
}

static void
write_transport(const netshare_record *r, const netshare__tcp_numbers *tcp, const uint8_t *ip,
                uint8_t *t, size_t len)
{
	size_t h = transport_header_len(r->protocol);
	memset(t, 0, h);
	uint16_t sum;
	switch (r->protocol) {
	case 6:
		netshare__put_be16(t, r->src_port);
		netshare__put_be16(t + 2, r->dst_port);
		if (tcp) {
			netshare__put_be32(t + 4, tcp->seq);
			netshare__put_be32(t + 8, tcp->ack);
		}
		h += tcp_options_len(r, len + ip_header_len(r));
		write_tcp_options(t + 20, h - 20, (r->tcp_flags & 0x02) != 0);
		t[12] = (uint8_t)(h / 4) << 4;
		t[13] = r->tcp_flags;
		netshare__put_be16(t + 14, 0xffff);
		sum = netshare__csum_fold(netshare__csum_add(pseudo_sum(r, ip, len), t, h));
		netshare__put_be16(t + 16, sum);
		break;
	case 17: case 136:
		netshare__put_be16(t, r->src_port);
		netshare__put_be16(t + 2, r->dst_port);
		/* UDP-Lite's length field is its checksum coverage: 8 = the header only. */
		netshare__put_be16(t + 4, r->protocol == 17 ? (uint16_t)len : 8);
		sum = netshare__csum_fold(netshare__csum_add(pseudo_sum(r, ip, len), t, h));
		netshare__put_be16(t + 6, sum ? sum : 0xffff);
		break;
	case 1: case 58:
		t[0] = r->protocol == 1 ? 8 : 128; /* echo request */
		sum = netshare__csum_fold(netshare__csum_add(
			r->protocol == 58 ? pseudo_sum(r, ip, len) : 0, t, h));
		netshare__put_be16(t + 2, sum);
		break;
	case 2:
		/* A v3 membership query (no sources) fills >= 12 bytes exactly; shorter is v2. */
		t[0] = len >= 12 ? 0x11 : 0x16;
		sum = netshare__csum_fold(netshare__csum_add(0, t, h));
		netshare__put_be16(t + 2, sum);
		break;
	case 33: case 132:
		netshare__put_be16(t, r->src_port);
		netshare__put_be16(t + 2, r->dst_port);
		break;
	default:
		break;
	}
}

size_t
netshare__frame_build(const netshare_record *r, const netshare__tcp_numbers *tcp,
                      int link_type, uint8_t *buf, size_t *headers)
{
	size_t link = 0;
	if (link_type == NETSHARE_LINK_ETHERNET) {
		memcpy(buf, eth_dst, 6);
		memcpy(buf + 6, eth_src, 6);
		netshare__put_be16(buf + 12, r->ip_version == 4 ? 0x0800 : 0x86DD);
		link = 14;
	}
	uint8_t *ip = buf + link;
	size_t ip_len = netshare__frame_ip_length(r);
	size_t ihl = ip_header_len(r);
	if (r->ip_version == 4) {
		memset(ip, 0, 20);
		ip[0] = 0x45;
		ip[1] = r->tos;
		netshare__put_be16(ip + 2, (uint16_t)ip_len);
		netshare__put_be16(ip + 4, r->ip_id);
		netshare__put_be16(ip + 6, (uint16_t)((r->ip_flags & 7) << 13 | (r->frag_offset & 0x1fff)));
		ip[8] = r->ttl;
		ip[9] = r->protocol;
		netshare__put_be32(ip + 12, r->src_ip);
		netshare__put_be32(ip + 16, r->dst_ip);
		netshare__put_be16(ip + 10, netshare__csum_fold(netshare__csum_add(0, ip, 20)));
	} else {
		memset(ip, 0, ihl);
		ip[0] = (uint8_t)(0x60 | (r->tos >> 4));
		ip[1] = (uint8_t)(r->tos << 4);
		netshare__put_be16(ip + 4, (uint16_t)(ip_len - 40));
		ip[6] = has_fragment_header(r) ? 44 : r->protocol;
		ip[7] = r->ttl;
		memcpy(ip + 8, r->src_ip6, 16);
		memcpy(ip + 24, r->dst_ip6, 16);
		if (has_fragment_header(r)) {
			ip[40] = r->protocol;
			netshare__put_be16(ip + 42, (uint16_t)(r->frag_offset << 3 | (r->ip_flags & 1)));
			netshare__put_be32(ip + 44, r->ip_id);
		}
	}
	size_t h = link + ihl;
	if (r->frag_offset == 0) {
		write_transport(r, tcp, ip, ip + ihl, ip_len - ihl);
		h += transport_header_len(r->protocol) + tcp_options_len(r, ip_len);
	}
	*headers = h;
	return link + ip_len;
}
