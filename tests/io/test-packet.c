/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Frame parsing for every supported link type, IPv6 extension headers, fragments and
 * each skip reason; and frame building: header fields, checksums verified by an
 * independent one's-complement sum, and parse(build(r)) == r for random records.
 */
#include "../test-common.h"
#include "core/bytes.h"
#include "core/rng.h"
#include "io/frame.h"
#include "io/packet.h"
#include "io/tcp_stream.h"

/* An IPv4/TCP packet: 10.0.0.1:1234 -> 10.0.0.2:80, SYN, total length 60. */
static size_t
ipv4_tcp(uint8_t *p)
{
	memset(p, 0, 40);
	p[0] = 0x45;
	p[1] = 0x10;
	netshare__put_be16(p + 2, 60);
	netshare__put_be16(p + 4, 0x1234);
	netshare__put_be16(p + 6, 0x4000); /* DF */
	p[8] = 64;
	p[9] = 6;
	netshare__put_be32(p + 12, 0x0a000001);
	netshare__put_be32(p + 16, 0x0a000002);
	netshare__put_be16(p + 20, 1234);
	netshare__put_be16(p + 22, 80);
	p[33] = 0x02;
	return 40;
}

static void
assert_ipv4_tcp(const netshare_record *r)
{
	ck_assert_uint_eq(r->ip_version, 4);
	ck_assert_uint_eq(r->src_ip, 0x0a000001);
	ck_assert_uint_eq(r->dst_ip, 0x0a000002);
	ck_assert_uint_eq(r->protocol, 6);
	ck_assert_uint_eq(r->src_port, 1234);
	ck_assert_uint_eq(r->dst_port, 80);
	ck_assert_uint_eq(r->ip_length, 60);
	ck_assert_uint_eq(r->tos, 0x10);
	ck_assert_uint_eq(r->ip_id, 0x1234);
	ck_assert_uint_eq(r->ip_flags, 2);
	ck_assert_uint_eq(r->ttl, 64);
	ck_assert_uint_eq(r->tcp_flags, 0x02);
}

static int
parse(int lt, const uint8_t *d, size_t n, netshare_record *r)
{
	memset(r, 0, sizeof *r);
	return netshare__parse_frame(lt, d, n, n, r, NULL);
}

START_TEST(every_link_type)
{
	uint8_t f[128];
	netshare_record r;
	/* Ethernet */
	memset(f, 0, 14);
	netshare__put_be16(f + 12, 0x0800);
	size_t n = 14 + ipv4_tcp(f + 14);
	ck_assert_int_eq(parse(1, f, n, &r), NETSHARE__PARSED);
	assert_ipv4_tcp(&r);
	/* 802.1Q then QinQ (two tags) */
	netshare__put_be16(f + 12, 0x8100);
	netshare__put_be16(f + 16, 0x0800);
	n = 18 + ipv4_tcp(f + 18);
	ck_assert_int_eq(parse(1, f, n, &r), NETSHARE__PARSED);
	assert_ipv4_tcp(&r);
	netshare__put_be16(f + 12, 0x88a8);
	netshare__put_be16(f + 16, 0x8100);
	netshare__put_be16(f + 20, 0x0800);
	n = 22 + ipv4_tcp(f + 22);
	ck_assert_int_eq(parse(1, f, n, &r), NETSHARE__PARSED);
	assert_ipv4_tcp(&r);
	/* MPLS, two labels, bottom-of-stack on the second */
	netshare__put_be16(f + 12, 0x8847);
	memset(f + 14, 0, 8);
	f[20] = 0x01;
	n = 22 + ipv4_tcp(f + 22);
	ck_assert_int_eq(parse(1, f, n, &r), NETSHARE__PARSED);
	assert_ipv4_tcp(&r);
	/* MPLS pseudowire: control word, then a whole Ethernet frame with a VLAN tag */
	netshare__put_be16(f + 12, 0x8847);
	memset(f + 14, 0, 8);
	f[16] = 0x01;
	memset(f + 18, 0, 4);
	netshare__put_be16(f + 22 + 12, 0x8100);
	netshare__put_be16(f + 22 + 16, 0x0800);
	n = 22 + 18 + ipv4_tcp(f + 22 + 18);
	ck_assert_int_eq(parse(1, f, n, &r), NETSHARE__PARSED);
	assert_ipv4_tcp(&r);
	f[18] = 0x20; /* neither IP nor a control word */
	ck_assert_int_eq(parse(1, f, n, &r), NETSHARE_SKIP_NOT_IP);
	/* PPPoE session carrying IPv4 */
	netshare__put_be16(f + 12, 0x8864);
	memset(f + 14, 0, 8);
	netshare__put_be16(f + 20, 0x0021);
	n = 22 + ipv4_tcp(f + 22);
	ck_assert_int_eq(parse(1, f, n, &r), NETSHARE__PARSED);
	assert_ipv4_tcp(&r);
	/* Linux SLL (protocol at 14) and SLL2 (protocol at 0) */
	memset(f, 0, 20);
	netshare__put_be16(f + 14, 0x0800);
	n = 16 + ipv4_tcp(f + 16);
	ck_assert_int_eq(parse(113, f, n, &r), NETSHARE__PARSED);
	assert_ipv4_tcp(&r);
	memset(f, 0, 20);
	netshare__put_be16(f, 0x0800);
	n = 20 + ipv4_tcp(f + 20);
	ck_assert_int_eq(parse(276, f, n, &r), NETSHARE__PARSED);
	assert_ipv4_tcp(&r);
	/* BSD NULL in either byte order, LOOP in network order */
	netshare__put_le32(f, 2);
	n = 4 + ipv4_tcp(f + 4);
	ck_assert_int_eq(parse(0, f, n, &r), NETSHARE__PARSED);
	assert_ipv4_tcp(&r);
	netshare__put_be32(f, 2);
	ck_assert_int_eq(parse(0, f, n, &r), NETSHARE__PARSED);
	ck_assert_int_eq(parse(108, f, n, &r), NETSHARE__PARSED);
	assert_ipv4_tcp(&r);
	/* Raw IP under every name it goes by */
	n = ipv4_tcp(f);
	const int raw[] = { 12, 14, 101, 228 };
	for (size_t i = 0; i < 4; i++) {
		ck_assert_int_eq(parse(raw[i], f, n, &r), NETSHARE__PARSED);
		assert_ipv4_tcp(&r);
	}
	ck_assert_int_eq(parse(229, f, n, &r), NETSHARE_SKIP_BAD_IP_VERSION);
	ck_assert(!netshare__link_supported(105)); /* 802.11 */
}
END_TEST

START_TEST(ipv6_extension_headers_and_fragments)
{
	uint8_t f[128];
	memset(f, 0, sizeof f);
	f[0] = 0x6a; /* version 6, traffic class 0xa5 */
	f[1] = 0x50;
	netshare__put_be16(f + 4, 8 + 8 + 20);
	f[6] = 0;    /* hop-by-hop */
	f[7] = 33;
	f[8] = 0x20;   /* src 2000::1, dst 2000::2 */
	f[23] = 1;
	f[24] = 0x20;
	f[39] = 2;
	f[40] = 44;  /* hop-by-hop -> fragment, 8 bytes */
	f[48] = 6;   /* fragment -> TCP, offset 0, M set, id 0xdeadbeef */
	netshare__put_be16(f + 50, 1);
	netshare__put_be32(f + 52, 0xdeadbeef);
	netshare__put_be16(f + 56, 443);
	netshare__put_be16(f + 58, 50000);
	f[56 + 13] = 0x18;
	netshare_record r;
	ck_assert_int_eq(parse(229, f, 76, &r), NETSHARE__PARSED);
	ck_assert_uint_eq(r.ip_version, 6);
	ck_assert_uint_eq(r.tos, 0xa5);
	ck_assert_uint_eq(r.ttl, 33);
	ck_assert_uint_eq(r.protocol, 6);
	ck_assert_uint_eq(r.src_port, 443);
	ck_assert_uint_eq(r.dst_port, 50000);
	ck_assert_uint_eq(r.tcp_flags, 0x18);
	ck_assert_uint_eq(r.ip_length, 76);
	ck_assert_uint_eq(r.ip_flags, 1);
	ck_assert_uint_eq(r.ip_id, 0xbeef);
	ck_assert_uint_eq(r.src_ip6[0], 0x20);
	ck_assert_uint_eq(r.src_ip6[15], 1);
	ck_assert_uint_eq(r.dst_ip6[15], 2);
	/* A later fragment: protocol known, no ports. */
	netshare__put_be16(f + 50, 185 << 3);
	ck_assert_int_eq(parse(229, f, 76, &r), NETSHARE__PARSED);
	ck_assert_uint_eq(r.frag_offset, 185);
	ck_assert_uint_eq(r.src_port, 0);
	ck_assert_uint_eq(r.protocol, 6);
	/* An extension header running past the payload length is a bad header. */
	f[41] = 10;
	ck_assert_int_eq(parse(229, f, 76, &r), NETSHARE_SKIP_BAD_IP_HEADER);
}
END_TEST

START_TEST(ipv4_fragments_and_protocols_without_ports)
{
	uint8_t f[64];
	netshare_record r;
	ipv4_tcp(f);
	netshare__put_be16(f + 6, 0x2000 | 100); /* MF, offset 100 */
	ck_assert_int_eq(parse(12, f, 40, &r), NETSHARE__PARSED);
	ck_assert_uint_eq(r.frag_offset, 100);
	ck_assert_uint_eq(r.ip_flags, 1);
	ck_assert_uint_eq(r.src_port, 0);
	ck_assert_uint_eq(r.dst_port, 0);
	ipv4_tcp(f);
	const uint8_t no_ports[] = { 1, 2, 47, 50, 51, 89 };
	for (size_t i = 0; i < sizeof no_ports; i++) {
		f[9] = no_ports[i];
		ck_assert_int_eq(parse(12, f, 24, &r), NETSHARE__PARSED);
		ck_assert_uint_eq(r.protocol, no_ports[i]);
		ck_assert_uint_eq(r.src_port, 0);
	}
	const uint8_t ports[] = { 6, 17, 33, 132, 136 };
	for (size_t i = 0; i < sizeof ports; i++) {
		ipv4_tcp(f);
		f[9] = ports[i];
		ck_assert_int_eq(parse(12, f, 40, &r), NETSHARE__PARSED);
		ck_assert_uint_eq(r.src_port, 1234);
		ck_assert_uint_eq(r.tcp_flags, ports[i] == 6 ? 0x02 : 0);
	}
}
END_TEST

START_TEST(every_skip_reason)
{
	uint8_t f[64];
	netshare_record r;
	memset(f, 0, 14);
	netshare__put_be16(f + 12, 0x0806); /* ARP */
	ck_assert_int_eq(parse(1, f, 42, &r), NETSHARE_SKIP_NOT_IP);
	ck_assert_int_eq(parse(1, f, 13, &r), NETSHARE_SKIP_TRUNCATED_LINK);
	netshare__put_be16(f + 12, 0x8100);
	ck_assert_int_eq(parse(1, f, 16, &r), NETSHARE_SKIP_TRUNCATED_LINK);
	ck_assert_int_eq(parse(113, f, 15, &r), NETSHARE_SKIP_TRUNCATED_LINK);
	ck_assert_int_eq(parse(0, f, 3, &r), NETSHARE_SKIP_TRUNCATED_LINK);
	netshare__put_le32(f, 7); /* an address family that is not IP */
	ck_assert_int_eq(parse(0, f, 40, &r), NETSHARE_SKIP_NOT_IP);

	ipv4_tcp(f);
	ck_assert_int_eq(parse(12, f, 19, &r), NETSHARE_SKIP_TRUNCATED_IP);
	ck_assert_int_eq(parse(12, f, 0, &r), NETSHARE_SKIP_TRUNCATED_IP);
	ck_assert_int_eq(parse(12, f, 22, &r), NETSHARE_SKIP_TRUNCATED_TRANSPORT);
	f[0] = 0x43; /* IHL 3 */
	ck_assert_int_eq(parse(12, f, 40, &r), NETSHARE_SKIP_BAD_IP_HEADER);
	f[0] = 0x4f; /* IHL 15 = 60 bytes, more than captured */
	ck_assert_int_eq(parse(12, f, 40, &r), NETSHARE_SKIP_TRUNCATED_IP);
	ipv4_tcp(f);
	netshare__put_be16(f + 2, 12); /* total length below the header */
	ck_assert_int_eq(parse(12, f, 40, &r), NETSHARE_SKIP_BAD_IP_HEADER);
	f[0] = 0x55;
	ck_assert_int_eq(parse(12, f, 40, &r), NETSHARE_SKIP_BAD_IP_VERSION);
	ck_assert_int_eq(parse(228, f, 40, &r), NETSHARE_SKIP_BAD_IP_VERSION);
	f[0] = 0x60;
	ck_assert_int_eq(parse(12, f, 39, &r), NETSHARE_SKIP_TRUNCATED_IP);
}
END_TEST

START_TEST(tso_zero_length_uses_wire_length)
{
	uint8_t f[64];
	netshare_record r;
	ipv4_tcp(f);
	netshare__put_be16(f + 2, 0);
	memset(&r, 0, sizeof r);
	ck_assert_int_eq(netshare__parse_frame(12, f, 40, 9000, &r, NULL), NETSHARE__PARSED);
	ck_assert_uint_eq(r.ip_length, 9000);
}
END_TEST

/* Independent one's-complement sum (bytewise, no shared code with checksum.c). */
static uint16_t
ref_sum(const uint8_t *p, size_t n, uint32_t start)
{
	uint32_t s = start;
	for (size_t i = 0; i < n; i++)
		s += (i % 2 == 0) ? (uint32_t)p[i] << 8 : p[i];
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

static void
random_record(netshare__rng *g, netshare_record *r)
{
	static const uint8_t protos[] = { 6, 17, 1, 58, 2, 47, 50, 132, 33, 136 };
	memset(r, 0, sizeof *r);
	r->struct_size = sizeof *r;
	r->ip_version = netshare__rng_below(g, 2) ? 6 : 4;
	r->protocol = protos[netshare__rng_below(g, sizeof protos)];
	if (r->ip_version == 4) {
		r->src_ip = (uint32_t)netshare__rng_next(g);
		r->dst_ip = (uint32_t)netshare__rng_next(g);
	} else {
		for (int i = 0; i < 16; i++) {
			r->src_ip6[i] = (uint8_t)netshare__rng_next(g);
			r->dst_ip6[i] = (uint8_t)netshare__rng_next(g);
		}
	}
	r->tos = (uint8_t)netshare__rng_next(g);
	r->ttl = (uint8_t)netshare__rng_next(g);
	r->ip_id = (uint16_t)netshare__rng_next(g);
	r->ip_length = (uint16_t)(40 + netshare__rng_below(g, 1500));
	if (netshare__rng_below(g, 8) == 0) {
		r->frag_offset = (uint16_t)(1 + netshare__rng_below(g, 0x1000));
		r->ip_flags = (uint8_t)netshare__rng_below(g, 2);
	} else {
		if (r->ip_version == 4)
			r->ip_flags = (uint8_t)(netshare__rng_below(g, 2) << 1); /* DF or not */
		if (netshare__proto_has_ports(r->protocol)) {
			r->src_port = (uint16_t)netshare__rng_next(g);
			r->dst_port = (uint16_t)netshare__rng_next(g);
		}
		if (r->protocol == 6)
			r->tcp_flags = (uint8_t)netshare__rng_next(g);
	}
	if (r->ip_version == 6 && r->frag_offset == 0 && !(r->ip_flags & 1))
		r->ip_id = 0; /* IPv6 has an id only in a fragment header */
	r->ip_length = (uint16_t)netshare__frame_ip_length(r); /* at least the headers */
}

START_TEST(build_then_parse_is_identity_with_valid_checksums)
{
	static uint8_t buf[NETSHARE__MAX_FRAME];
	netshare__rng g;
	netshare__rng_seed(&g, 99);
	for (int k = 0; k < 20000; k++) {
		netshare_record r, back;
		random_record(&g, &r);
		int link = k % 2 ? NETSHARE_LINK_ETHERNET : NETSHARE_LINK_RAW;
		netshare__tcp_numbers nums = { (uint32_t)netshare__rng_next(&g),
		                               (uint32_t)netshare__rng_next(&g) };
		size_t headers, n = netshare__frame_build(&r, &nums, link, buf, &headers);
		memset(buf + headers, 0, n - headers);
		ck_assert_uint_eq(n, (link == NETSHARE_LINK_ETHERNET ? 14u : 0u) + r.ip_length);
		memset(&back, 0, sizeof back);
		back.struct_size = sizeof back;
		int checksum;
		ck_assert_int_eq(netshare__parse_frame(link == NETSHARE_LINK_RAW ? 101 : 1, buf, n, n,
		                                       &back, &checksum), NETSHARE__PARSED);
		/* The header checksum the builder wrote is right (and the check can fail). */
		ck_assert_int_eq(checksum, r.ip_version == 4 ? 1 : -1);
		if (r.ip_version == 4) {
			uint8_t *h = buf + (link == NETSHARE_LINK_ETHERNET ? 14 : 0);
			h[10] ^= 0x10;
			netshare_record tmp;
			netshare_record_init(&tmp);
			netshare__parse_frame(link == NETSHARE_LINK_RAW ? 101 : 1, buf, n, n, &tmp,
			                      &checksum);
			ck_assert_int_eq(checksum, 0);
			h[10] ^= 0x10;
		}
		ck_assert_msg(memcmp(&r, &back, sizeof r) == 0, "record %d (proto %u v%u frag %u) "
		              "did not survive build+parse", k, r.protocol, r.ip_version,
		              r.frag_offset);
		const uint8_t *ip = buf + (link == NETSHARE_LINK_ETHERNET ? 14 : 0);
		size_t ip_len = r.ip_length;
		if (r.ip_version == 4)
			ck_assert_uint_eq(ref_sum(ip, 20, 0), 0xffff);
		if (r.frag_offset != 0 || (r.ip_version == 6 && (r.ip_flags & 1)))
			continue; /* transport checksums cover the whole datagram */
		size_t ihl = r.ip_version == 4 ? 20 : 40;
		const uint8_t *t = ip + ihl;
		size_t tlen = ip_len - ihl;
		if (r.protocol == 6) {
			ck_assert_uint_eq(netshare__be32(t + 4), nums.seq);
			ck_assert_uint_eq(netshare__be32(t + 8), nums.ack);
			/* The header (with options) plus the data is the segment. */
			ck_assert_uint_eq((t[12] >> 4) * 4u + netshare__frame_tcp_payload(&r), tlen);
			ck_assert_uint_eq(headers, (link == NETSHARE_LINK_ETHERNET ? 14u : 0u) + ihl +
			                  (t[12] >> 4) * 4u);
		}
		uint32_t pseudo = 0;
		if (r.ip_version == 4) {
			pseudo = ref_sum(ip + 12, 8, 0) + r.protocol + (uint32_t)tlen;
		} else {
			uint8_t lenb[4];
			netshare__put_be32(lenb, (uint32_t)tlen);
			pseudo = ref_sum(ip + 8, 32, 0) + ref_sum(lenb, 4, 0) + r.protocol;
		}
		if (r.protocol == 6 || r.protocol == 17 || r.protocol == 58)
			ck_assert_uint_eq(ref_sum(t, tlen, pseudo), 0xffff);
		else if (r.protocol == 1 || r.protocol == 2)
			ck_assert_uint_eq(ref_sum(t, tlen, 0), 0xffff);
	}
}
END_TEST

START_TEST(short_ip_length_is_raised_to_the_headers)
{
	uint8_t buf[256];
	netshare_record r;
	memset(&r, 0, sizeof r);
	r.ip_version = 4;
	r.protocol = 6;
	r.ip_length = 30; /* shorter than IPv4 + TCP headers */
	size_t headers;
	ck_assert_uint_eq(netshare__frame_build(&r, NULL, NETSHARE_LINK_RAW, buf, &headers), 40);
	ck_assert_uint_eq(headers, 40);
	ck_assert_uint_eq(netshare__be16(buf + 2), 40);
}
END_TEST

/* One TCP packet of a.b -> c.d for the sequence-space test. */
static netshare_record
tcp_packet(int from_client, uint8_t flags, uint16_t ip_length)
{
	netshare_record r;
	netshare_record_init(&r);
	r.ip_version = 4;
	r.protocol = 6;
	r.src_ip = from_client ? 0x0a000001 : 0x0a000002;
	r.dst_ip = from_client ? 0x0a000002 : 0x0a000001;
	r.src_port = from_client ? 40000 : 80;
	r.dst_port = from_client ? 80 : 40000;
	r.tcp_flags = flags;
	r.ip_length = ip_length;
	return r;
}

enum { FIN = 0x01, SYN = 0x02, PSH = 0x08, ACK = 0x10 };

START_TEST(tcp_sequence_space_of_a_connection)
{
	/* A handshake, 100 bytes of data, a close: every number follows from the two initial
	 * sequence numbers, which the SYNs show. */
	static const struct {
		int client;
		uint8_t flags;
		uint16_t len;
		size_t payload;
		uint32_t seq_off, ack_off; /* from the sender's / the receiver's ISN */
		int has_ack;
	} steps[] = {
		{ 1, SYN, 60, 0, 0, 0, 0 },          /* 20 bytes of options, no data */
		{ 0, SYN | ACK, 60, 0, 0, 1, 1 },
		{ 1, ACK, 52, 0, 1, 1, 1 },          /* 12 bytes: timestamps */
		{ 1, PSH | ACK, 140, 100, 1, 1, 1 },
		{ 0, ACK, 40, 0, 1, 101, 1 },
		{ 0, FIN | ACK, 40, 0, 1, 101, 1 },
		{ 1, ACK, 40, 0, 101, 2, 1 },
	};
	netshare__tcp_streams s;
	ck_assert_ok(netshare__tcp_streams_init(&s, 8));
	uint32_t isn[2] = { 0, 0 };
	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		netshare_record r = tcp_packet(steps[i].client, steps[i].flags, steps[i].len);
		ck_assert_uint_eq(netshare__frame_tcp_payload(&r), steps[i].payload);
		uint32_t seq, ack;
		netshare__tcp_streams_next(&s, &r, netshare__frame_tcp_payload(&r), &seq, &ack);
		int me = steps[i].client, peer = !me;
		if (steps[i].flags & SYN)
			isn[me] = seq;
		ck_assert_uint_eq(seq, isn[me] + steps[i].seq_off);
		ck_assert_uint_eq(ack, steps[i].has_ack ? isn[peer] + steps[i].ack_off : 0);
	}
	ck_assert_uint_ne(isn[0], isn[1]);
	ck_assert_uint_eq(s.used, 1);
	/* A new SYN on the same ports: a new connection, new numbers on both sides, each a
	 * quarter of the space ahead of where its old one ended (so nothing goes back). */
	netshare_record again = tcp_packet(1, SYN, 60);
	uint32_t seq, ack;
	netshare__tcp_streams_next(&s, &again, 0, &seq, &ack);
	ck_assert_uint_eq(seq, isn[1] + 101 + (UINT32_C(1) << 30));
	uint32_t new_isn = seq;
	again = tcp_packet(0, SYN | ACK, 60);
	netshare__tcp_streams_next(&s, &again, 0, &seq, &ack);
	ck_assert_uint_eq(ack, new_isn + 1);
	ck_assert_uint_eq(seq, isn[0] + 2 + (UINT32_C(1) << 30));
	ck_assert_uint_eq(s.used, 1);

	/* The other side acknowledged a direction before its SYN (directions generated out
	 * of order): the late SYN starts ahead of what was acknowledged. */
	netshare__tcp_streams u;
	ck_assert_ok(netshare__tcp_streams_init(&u, 1));
	netshare_record first = tcp_packet(0, ACK, 40);
	netshare__tcp_streams_next(&u, &first, 0, &seq, &ack);
	uint32_t acked = ack;
	netshare_record late = tcp_packet(1, SYN, 60);
	netshare__tcp_streams_next(&u, &late, 0, &seq, &ack);
	ck_assert_uint_eq(seq, acked - 1 + (UINT32_C(1) << 30));
	netshare__tcp_streams_free(&u);

	/* Another connection whose first packet is not a SYN: it starts one past its ISN and
	 * the other side's acknowledgements agree with where it starts. Same ISN in a fresh
	 * table: the output is deterministic. */
	netshare_record r = tcp_packet(1, ACK, 40);
	r.src_port = 40001;
	uint32_t seq1, ack1, seq2, ack2;
	netshare__tcp_streams_next(&s, &r, 0, &seq1, &ack1);
	netshare_record back = tcp_packet(0, ACK, 40);
	back.dst_port = 40001;
	netshare__tcp_streams_next(&s, &back, 0, &seq2, &ack2);
	ck_assert_uint_eq(ack1, seq2);
	ck_assert_uint_eq(ack2, seq1);
	ck_assert_uint_eq(s.used, 2);
	netshare__tcp_streams t;
	ck_assert_ok(netshare__tcp_streams_init(&t, 1));
	uint32_t seq3, ack3;
	netshare__tcp_streams_next(&t, &r, 0, &seq3, &ack3);
	ck_assert_uint_eq(seq3, seq1);
	ck_assert_uint_eq(ack3, ack1);
	netshare__tcp_streams_free(&t);
	netshare__tcp_streams_free(&s);

	/* A SYN longer than 40 bytes of options carries the rest as data. */
	r = tcp_packet(1, SYN, 100);
	ck_assert_uint_eq(netshare__frame_tcp_payload(&r), 100 - 20 - 20 - 40);
	r.ip_length = 63; /* options in 4-byte words: 20 of the 23 bytes */
	ck_assert_uint_eq(netshare__frame_tcp_payload(&r), 3);
}
END_TEST

NETSHARE_TEST_MAIN("io-packet",
	tcp_sequence_space_of_a_connection,
	every_link_type,
	ipv6_extension_headers_and_fragments,
	ipv4_fragments_and_protocols_without_ports,
	every_skip_reason,
	tso_zero_length_uses_wire_length,
	build_then_parse_is_identity_with_valid_checksums,
	short_ip_length_is_raised_to_the_headers)
