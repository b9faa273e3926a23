/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Flows and chunks on a small constructed trace whose flows span chunk boundaries,
 * against a hand-computed expectation: flow ids, time order inside a flow, chunk of each
 * record, segments per chunk, "starts in this chunk" and "appears in chunk i" tags.
 */
#include "../test-fixtures.h"
#include "flow/chunks.h"
#include "flow/flows.h"

START_TEST(flows_group_by_five_tuple_in_time_order)
{
	netshare_dataset *ds = netshare_test_small_trace();
	netshare__flows f;
	ck_assert_ok(netshare__flows_build(ds, &f));
	ck_assert_uint_eq(f.n_flows, 4);
	/* Ids by first appearance: A=0, B=1, D=2, C=3. */
	const uint32_t flow_of[] = { 0, 0, 1, 1, 0, 2, 2, 3, 3, 0 };
	for (size_t i = 0; i < 10; i++)
		ck_assert_uint_eq(f.flow_of[i], flow_of[i]);
	const uint32_t start[] = { 0, 4, 6, 8, 10 };
	const uint32_t order[] = { 0, 1, 4, 9, 2, 3, 5, 6, 8, 7 }; /* C sorted: 60 before 99 */
	for (size_t i = 0; i < 5; i++)
		ck_assert_uint_eq(f.start[i], start[i]);
	for (size_t i = 0; i < 10; i++)
		ck_assert_uint_eq(f.order[i], order[i]);
	netshare__flow_stats s;
	netshare__flow_stats_get(ds, &f, 0, &s);
	ck_assert_uint_eq(s.records, 4);
	ck_assert_uint_eq(s.packets, 4);
	ck_assert_uint_eq(s.bytes, 4 * 60);
	ck_assert_int_eq(s.first_ns, 0);
	ck_assert_int_eq(s.last_ns, 80);
	netshare__flow_stats_get(ds, &f, 3, &s);
	ck_assert_int_eq(s.first_ns, 60);
	ck_assert_int_eq(s.last_ns, 99);
	netshare__flows_free(&f);
	netshare_dataset_free(ds);
}
END_TEST

START_TEST(chunks_segments_and_tags)
{
	netshare_dataset *ds = netshare_test_small_trace();
	netshare__flows f;
	netshare__chunks c;
	ck_assert_ok(netshare__flows_build(ds, &f));
	ck_assert_ok(netshare__chunks_build(ds, &f, 4, &c));
	const int64_t t[] = { 0, 24, 25, 49, 50, 74, 75, 99 };
	const int want[] = { 0, 0, 1, 1, 2, 2, 3, 3 };
	for (size_t i = 0; i < 8; i++)
		ck_assert_int_eq(netshare__chunk_of(&c, t[i]), want[i]);

	/* Segments per chunk, flows by id:
	 *   chunk 0: A(first 0, 2 records)
	 *   chunk 1: A(2, 1), B(0, 2), D(0, 1)
	 *   chunk 2: D(1, 1), C(0, 1)
	 *   chunk 3: A(3, 1), C(1, 1) */
	const uint32_t seg_start[] = { 0, 1, 4, 6, 8 };
	const netshare__segment seg[] = {
		{ 0, 0, 2 }, { 0, 2, 1 }, { 1, 0, 2 }, { 2, 0, 1 },
		{ 2, 1, 1 }, { 3, 0, 1 }, { 0, 3, 1 }, { 3, 1, 1 },
	};
	ck_assert_uint_eq(c.n_segments, 8);
	for (size_t i = 0; i < 5; i++)
		ck_assert_uint_eq(c.seg_start[i], seg_start[i]);
	for (size_t i = 0; i < 8; i++) {
		ck_assert_uint_eq(c.seg[i].flow, seg[i].flow);
		ck_assert_uint_eq(c.seg[i].first, seg[i].first);
		ck_assert_uint_eq(c.seg[i].count, seg[i].count);
	}
	/* appears-in masks (bit i = chunk i) and start chunks: A 0b1011 from 0, B 0b0010
	 * from 1, D 0b0110 from 1, C 0b1100 from 2. */
	const uint64_t appears[] = { 0xB, 0x2, 0x6, 0xC };
	const int first[] = { 0, 1, 1, 2 };
	for (uint32_t fl = 0; fl < 4; fl++) {
		ck_assert_uint_eq(c.appears[fl], appears[fl]);
		for (int k = 0; k < 4; k++)
			ck_assert_int_eq(netshare__starts_in(&c, fl, k), k == first[fl]);
	}
	netshare__chunks_free(&c);

	/* One chunk holds everything; 64 chunks are the limit; empty chunks are kept. */
	ck_assert_ok(netshare__chunks_build(ds, &f, 1, &c));
	ck_assert_uint_eq(c.n_segments, 4);
	netshare__chunks_free(&c);
	ck_assert_ok(netshare__chunks_build(ds, &f, 64, &c));
	ck_assert_uint_eq(c.seg_start[1] - c.seg_start[0], 1); /* t=0 */
	ck_assert_uint_eq(c.seg_start[2] - c.seg_start[1], 0); /* empty, kept */
	ck_assert_uint_eq(c.seg_start[64], c.n_segments);
	netshare__chunks_free(&c);
	ck_assert_status(netshare__chunks_build(ds, &f, 0, &c), NETSHARE_EINVAL);
	ck_assert_status(netshare__chunks_build(ds, &f, 65, &c), NETSHARE_EINVAL);
	ck_assert_error_contains("chunks = 65");
	netshare__flows_free(&f);
	netshare_dataset_free(ds);
}
END_TEST

START_TEST(empty_and_single_record)
{
	netshare_dataset *ds;
	ck_assert_ok(netshare_dataset_new(&ds, NETSHARE_RECORDS_PACKETS));
	netshare__flows f;
	netshare__chunks c;
	ck_assert_ok(netshare__flows_build(ds, &f));
	ck_assert_uint_eq(f.n_flows, 0);
	ck_assert_ok(netshare__chunks_build(ds, &f, 10, &c));
	ck_assert_uint_eq(c.n_segments, 0);
	netshare__chunks_free(&c);
	netshare__flows_free(&f);
	netshare_test_add_udp(ds, 42, 1, 1);
	ck_assert_ok(netshare__flows_build(ds, &f));
	ck_assert_ok(netshare__chunks_build(ds, &f, 10, &c));
	ck_assert_int_eq(netshare__chunk_of(&c, 42), 0);
	ck_assert_uint_eq(c.appears[0], 1);
	netshare__chunks_free(&c);
	netshare__flows_free(&f);
	netshare_summary s;
	memset(&s, 0, sizeof s);
	s.struct_size = sizeof s;
	ck_assert_ok(netshare_dataset_summary(ds, &s));
	ck_assert_uint_eq(s.flows, 1);
	ck_assert_uint_eq(s.flow_size_p99, 1);
	s.struct_size = 4; /* not even room for struct_size */
	ck_assert_status(netshare_dataset_summary(ds, &s), NETSHARE_EABI);
	s.struct_size = 5000; /* garbage, not a newer caller */
	ck_assert_status(netshare_dataset_summary(ds, &s), NETSHARE_EABI);
	netshare_dataset_free(ds);
}
END_TEST

NETSHARE_TEST_MAIN("flow",
	flows_group_by_five_tuple_in_time_order,
	chunks_segments_and_tags,
	empty_and_single_record)
