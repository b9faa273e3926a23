/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Small constructed traces shared by several suites, with their hand-computed facts
 * documented here once.
 */
#ifndef NETSHARE_TEST_FIXTURES_H
#define NETSHARE_TEST_FIXTURES_H

#include "test-common.h"
#include "core/rng.h"

/* Append a UDP packet src:sport -> 8.8.8.8:53 at time t (ns), 60 bytes. */
static inline void
netshare_test_add_udp(netshare_dataset *ds, int64_t t, uint32_t src, uint16_t sport)
{
	netshare_record r;
	netshare_record_init(&r);
	r.time_ns = t;
	r.ip_version = 4;
	r.src_ip = src;
	r.dst_ip = 0x08080808;
	r.protocol = 17;
	r.src_port = sport;
	r.dst_port = 53;
	r.ip_length = 60;
	ck_assert_ok(netshare_dataset_append(ds, &r));
}

/*
 * Times 0..99 split into K = 4 chunks of span 25: [0,25) [25,50) [50,75) [75,99].
 *   flow A (src 1, port 1000): t = 0, 10, 30, 80   -> chunks 0, 0, 1, 3
 *   flow B (src 2, port 2000): t = 26, 27          -> chunk 1
 *   flow C (src 3, port 3000): t = 99, 60 (out of order in the file) -> chunks 2, 3
 *   flow D (src 1, port 1001): t = 49, 50          -> chunks 1, 2
 * Flow ids by first appearance: A 0, B 1, D 2, C 3.
 */
static inline netshare_dataset *
netshare_test_small_trace(void)
{
	netshare_dataset *ds;
	ck_assert_ok(netshare_dataset_new(&ds, NETSHARE_RECORDS_PACKETS));
	netshare_test_add_udp(ds, 0, 1, 1000);   /* A */
	netshare_test_add_udp(ds, 10, 1, 1000);  /* A */
	netshare_test_add_udp(ds, 26, 2, 2000);  /* B */
	netshare_test_add_udp(ds, 27, 2, 2000);  /* B */
	netshare_test_add_udp(ds, 30, 1, 1000);  /* A */
	netshare_test_add_udp(ds, 49, 1, 1001);  /* D */
	netshare_test_add_udp(ds, 50, 1, 1001);  /* D */
	netshare_test_add_udp(ds, 99, 3, 3000);  /* C */
	netshare_test_add_udp(ds, 60, 3, 3000);  /* C, earlier than the record before it */
	netshare_test_add_udp(ds, 80, 1, 1000);  /* A */
	return ds;
}

/* 300 short UDP/TCP flows over 1 s; with long_flows, every tenth TCP flow instead lasts
 * 0.5 s (10 packets 50 ms apart), so it spans chunks. */
static inline netshare_dataset *
netshare_test_toy_trace(int long_flows)
{
	netshare_dataset *ds;
	ck_assert_ok(netshare_dataset_new(&ds, NETSHARE_RECORDS_PACKETS));
	netshare__rng g;
	netshare__rng_seed(&g, 8);
	for (int f = 0; f < 300; f++) {
		int tcp = f % 3 != 0, len = tcp ? 3 + f % 4 : 1;
		int64_t t = (int64_t)netshare__rng_below(&g, 900000000), gap = 1000000;
		if (long_flows && tcp && f % 10 == 1) {
			len = 10;
			gap = 50000000;
			t /= 2;
		}
		for (int j = 0; j < len; j++) {
			netshare_record r;
			netshare_record_init(&r);
			r.time_ns = t + j * gap;
			r.ip_version = 4;
			r.src_ip = 0x0a000000u + (uint32_t)f;
			r.dst_ip = tcp ? 0x5db8d822u : 0x08080808u;
			r.protocol = tcp ? 6 : 17;
			r.src_port = (uint16_t)(30000 + f);
			r.dst_port = tcp ? 443 : 53;
			r.ip_length = (uint16_t)(tcp ? 40 + 500 * (j % 2) : 70);
			r.ttl = 64;
			ck_assert_ok(netshare_dataset_append(ds, &r));
		}
	}
	return ds;
}

static inline netshare_model_params
netshare_test_small_model_params(void)
{
	netshare_model_params p;
	netshare_model_params_init(&p);
	p.iterations = 8;
	p.batch_size = 20;
	p.d_rounds = 2;
	p.attr_layers = 3;
	p.attr_units = 16;
	p.lstm_units = 8;
	p.disc_layers = p.aux_disc_layers = 3;
	p.disc_units = p.aux_disc_units = 16;
	/* the toy traces' commonest flow is one packet, so AUTO would draw the ends: tests
	 * of other settings keep NetShare's (the flow_end test tries AUTO) */
	p.flow_end = NETSHARE_FLOW_END_LARGER;
	return p;
}

#endif
