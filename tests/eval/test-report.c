/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The report on constructed datasets: identical traces give 0 on every distance and 1 on
 * every memorisation share; disjoint ports give ln 2; joint metrics see structure the
 * marginals miss; bad arguments.
 */
#include <math.h>

#include "../test-common.h"
#include "core/rng.h"
#include "eval/report.h"

/* Protocols that carry ports (the same list as io/packet.c's, written out for the test). */
static int
netshare__proto_has_ports_test(uint8_t p)
{
	return p == 6 || p == 17 || p == 33 || p == 132 || p == 136;
}

static netshare_dataset *
flows(const uint16_t *dport, const uint8_t *proto, size_t n, uint32_t src_base)
{
	netshare_dataset *ds;
	ck_assert_ok(netshare_dataset_new(&ds, NETSHARE_RECORDS_PACKETS));
	for (size_t i = 0; i < n; i++) {
		netshare_record r;
		netshare_record_init(&r);
		r.time_ns = (int64_t)i * 1000;
		r.ip_version = 4;
		r.src_ip = src_base + (uint32_t)i;
		r.dst_ip = 0x01010101;
		r.protocol = proto[i];
		r.src_port = 1000;
		r.dst_port = dport[i];
		r.ip_length = 60;
		ck_assert_ok(netshare_dataset_append(ds, &r));
	}
	return ds;
}

/* Baseline options with this seed (a compound literal would be freed at the ';'). */
static const netshare_baseline_params *
seeded(uint64_t seed)
{
	static netshare_baseline_params p;
	netshare_baseline_params_init(&p);
	p.seed = seed;
	return &p;
}

static double
metric(const netshare_report *r, const char *name)
{
	netshare_metric m = { .struct_size = sizeof m };
	for (size_t i = 0; i < netshare_report_count(r); i++) {
		ck_assert_ok(netshare_report_get(r, i, &m));
		if (strcmp(m.name, name) == 0)
			return m.value;
	}
	ck_abort_msg("no metric %s", name);
	return NAN;
}


START_TEST(identical_traces)
{
	const uint16_t dp[] = { 53, 80, 443, 53 };
	const uint8_t pr[] = { 17, 6, 6, 17 };
	netshare_dataset *a = flows(dp, pr, 4, 0x0a000000), *b = flows(dp, pr, 4, 0x0a000000);
	netshare_report *r;
	ck_assert_ok(netshare_report_new(&r, a, b, NULL));
	ck_assert_uint_ge(netshare_report_count(r), 15);
	netshare_metric m = { .struct_size = sizeof m };
	for (size_t i = 0; i < netshare_report_count(r); i++) {
		ck_assert_ok(netshare_report_get(r, i, &m));
		if (strcmp(m.name, "interarrival") == 0 ||
		    strcmp(m.name, "interarrival_by_service") == 0 ||
		    strcmp(m.name, "size_autocorr_by_service") == 0 ||
		    strcmp(m.name, "gap_autocorr_by_service") == 0) {
			ck_assert(isnan(m.value)); /* no flow has two records */
			ck_assert_msg(m.note && *m.note, "%s: NaN without a reason", m.name);
			continue;
		}
		ck_assert_msg(!isnan(m.value) || m.note, "%s: NaN without a reason", m.name);
		if (strcmp(m.group, "validity") == 0) /* pass rates, not distances */
			continue;
		if (strcmp(m.kind, "error") == 0) { /* a sketch's error: the same on both sides */
			char real_name[64];
			snprintf(real_name, sizeof real_name, "%s_real", m.name);
			if (strstr(m.name, "_real") == NULL)
				ck_assert_double_eq(m.value, metric(r, real_name));
			continue;
		}
		if (strcmp(m.kind, "rho") == 0 || strcmp(m.kind, "relerr") == 0) {
			/* Exact sketches here (4 records): zero errors, so no ranking or ratio. */
			ck_assert_msg(isnan(m.value) || m.value == (m.kind[0] == 'r' && m.kind[1] == 'h'),
			              "%s = %g", m.name, m.value);
			continue;
		}
		ck_assert_msg(m.value == (strcmp(m.kind, "share") == 0 ? 1.0 : 0.0), "%s = %g",
		              m.name, m.value);
	}
	ck_assert_status(netshare_report_get(r, 99, &m), NETSHARE_EINVAL);
	m.struct_size = 1;
	ck_assert_status(netshare_report_get(r, 0, &m), NETSHARE_EABI);
	netshare_report_free(r);
	netshare_dataset_free(a);
	netshare_dataset_free(b);
}
END_TEST

START_TEST(marginals_versus_joints)
{
	/* Real: DNS over UDP, web over TCP. Synthetic: the same ports and protocols, each in
	 * the same proportions, but paired the other way round (DNS over TCP, web over UDP):
	 * the marginals match exactly, the joint dstport+proto is disjoint. New addresses. */
	const uint16_t dp[] = { 53, 80, 53, 80 };
	const uint8_t real_pr[] = { 17, 6, 17, 6 }, syn_pr[] = { 6, 17, 6, 17 };
	netshare_dataset *a = flows(dp, real_pr, 4, 0x0a000000), *b = flows(dp, syn_pr, 4, 0x0b000000);
	netshare_report *r;
	ck_assert_ok(netshare_report_new(&r, a, b, NULL));
	ck_assert_double_eq(metric(r, "dstport"), 0.0);
	ck_assert_double_eq(metric(r, "proto"), 0.0);
	ck_assert_double_eq_tol(metric(r, "dstport+proto"), log(2.0), 1e-12);
	ck_assert_double_eq(metric(r, "srcip_rank"), 0.0);     /* same popularity curve */
	ck_assert_double_eq(metric(r, "srcips_in_real"), 0.0); /* but no address shared */
	ck_assert_double_eq(metric(r, "dstips_in_real"), 1.0);
	ck_assert_double_eq(metric(r, "five_tuples_in_real"), 0.0);
	netshare_report_free(r);
	/* Disjoint ports: ln 2. */
	const uint16_t other[] = { 22, 22, 22, 22 };
	netshare_dataset *c = flows(other, real_pr, 4, 0x0a000000);
	ck_assert_ok(netshare_report_new(&r, a, c, NULL));
	ck_assert_double_eq_tol(metric(r, "dstport"), log(2.0), 1e-12);
	ck_assert_double_eq(metric(r, "srcport"), 0.0);
	netshare_report_free(r);
	netshare_dataset_free(c);
	/* Bad arguments. */
	netshare_dataset *f, *e;
	ck_assert_ok(netshare_dataset_new(&f, NETSHARE_RECORDS_FLOWS));
	ck_assert_ok(netshare_dataset_new(&e, NETSHARE_RECORDS_PACKETS));
	ck_assert_status(netshare_report_new(&r, a, f, NULL), NETSHARE_EINVAL);
	ck_assert_error_contains("flow records");
	ck_assert_status(netshare_report_new(&r, a, e, NULL), NETSHARE_EINVAL);
	ck_assert_error_contains("synthetic trace is empty");
	netshare_report_free(NULL);
	netshare_dataset_free(e);
	netshare_dataset_free(f);
	netshare_dataset_free(a);
	netshare_dataset_free(b);
}
END_TEST

START_TEST(marginal_baseline)
{
	/* 400 flows with strong joint structure: DNS/UDP flows of 1 record, web/TCP flows of
	 * 5 records, 1500-byte packets only in web flows. */
	netshare_dataset *real;
	ck_assert_ok(netshare_dataset_new(&real, NETSHARE_RECORDS_PACKETS));
	for (int f = 0; f < 400; f++) {
		int web = f % 2, len = web ? 5 : 1;
		for (int j = 0; j < len; j++) {
			netshare_record r;
			netshare_record_init(&r);
			r.time_ns = (int64_t)f * 1000000 + j * 1000;
			r.ip_version = 4;
			r.src_ip = 0x0a000000u + (uint32_t)(f % 50);
			r.dst_ip = web ? 0x5db8d822u : 0x08080808u;
			r.protocol = web ? 6 : 17;
			r.src_port = (uint16_t)(20000 + f);
			r.dst_port = web ? 443 : 53;
			r.ip_length = web ? 1500 : 80;
			ck_assert_ok(netshare_dataset_append(real, &r));
		}
	}
	netshare_dataset *a, *b, *c;
	ck_assert_ok(netshare_baseline_marginal(&a, real, seeded(7)));
	ck_assert_ok(netshare_baseline_marginal(&b, real, seeded(7)));
	ck_assert_ok(netshare_baseline_marginal(&c, real, seeded(8)));
	netshare_test_assert_same_records(a, b, "the same seed twice");
	netshare_dataset_info in = { .struct_size = sizeof in };
	ck_assert_ok(netshare_dataset_info_get(a, &in));
	ck_assert_uint_eq(in.out_of_order, 0); /* sorted by time */
	netshare_report *r;
	ck_assert_ok(netshare_report_new(&r, real, a, NULL));
	/* Marginals: close. Joints: far (the pairs mix across the two kinds of flow). */
	ck_assert_double_lt(metric(r, "proto"), 0.01);
	ck_assert_double_lt(metric(r, "dstport"), 0.01);
	ck_assert_double_lt(metric(r, "dstip_rank"), 0.01);
	ck_assert_double_gt(metric(r, "dstport+proto"), 10 * metric(r, "dstport") + 0.05);
	/* Per service, flow sizes differ (web flows are 5 records, DNS flows 1; the baseline
	 * mixes them); and the baseline pairs ports with the wrong protocol half the time, so
	 * it has about half of each service's real share of the flows. */
	ck_assert_double_gt(metric(r, "flow_size_by_service"), 0.1);
	ck_assert_double_lt(metric(r, "service_coverage"), 0.8);
	ck_assert_double_gt(metric(r, "service_coverage"), 0.2);
	ck_assert_double_lt(metric(r, "flows_identical_to_real"), 0.5);
	netshare_report_free(r);
	/* Against itself: per-service and rate EMDs 0, every flow identical, the sketches'
	 * errors the same on both sides (relative error of errors 0, rho 1). */
	ck_assert_ok(netshare_report_new(&r, real, real, NULL));
	ck_assert_double_eq(metric(r, "flow_size_by_service"), 0.0);
	ck_assert_double_eq(metric(r, "interarrival_by_service"), 0.0);
	ck_assert_double_eq(metric(r, "flow_start_rate"), 0.0);
	ck_assert_double_eq(metric(r, "flows_identical_to_real"), 1.0);
	ck_assert_double_eq(metric(r, "cms_dstip_error"), metric(r, "cms_dstip_error_real"));
	ck_assert_double_eq(metric(r, "cs_5tuple_rel_error"), 0.0);
	double rho = metric(r, "sketch_5tuple_spearman");
	ck_assert(isnan(rho) || rho == 1.0);
	netshare_report_free(r);
	netshare_dataset_free(a);
	ck_assert_status(netshare_baseline_marginal(&a, NULL, NULL), NETSHARE_EINVAL);
	ck_assert_ptr_null(a);
	netshare_dataset_free(b);
	netshare_dataset_free(c);
	netshare_dataset_free(real);
}
END_TEST

static void
add_packet(netshare_dataset *ds, uint32_t src, uint32_t dst, uint8_t proto, uint16_t dport,
           uint16_t len)
{
	netshare_record r;
	netshare_record_init(&r);
	r.ip_version = 4;
	r.src_ip = src;
	r.dst_ip = dst;
	r.protocol = proto;
	r.src_port = netshare__proto_has_ports_test(proto) ? 40000 : 0;
	r.dst_port = dport;
	r.ip_length = len;
	r.ttl = 64;
	ck_assert_ok(netshare_dataset_append(ds, &r));
}

START_TEST(validity_flags_each_bad_record)
{
	netshare_dataset *good, *bad;
	ck_assert_ok(netshare_dataset_new(&good, NETSHARE_RECORDS_PACKETS));
	ck_assert_ok(netshare_dataset_new(&bad, NETSHARE_RECORDS_PACKETS));
	const uint32_t a = 0x0a000001, b = 0xc0a80101;
	for (int i = 0; i < 4; i++)
		add_packet(good, a, b, 6, 443, 60);
	add_packet(bad, a, b, 6, 443, 60);          /* fine */
	add_packet(bad, 0x7f000001, b, 6, 443, 60); /* source in 127/8: ip */
	add_packet(bad, a, b, 17, 80, 60);          /* port 80 over UDP: ports */
	add_packet(bad, a, b, 6, 443, 30);          /* TCP shorter than its headers: size */
	add_packet(bad, a, 0xe0000001, 2, 0, 32);   /* multicast destination: fine */
	add_packet(bad, 0xe0000001, b, 2, 0, 32);   /* multicast source: ip */
	netshare_report *r;
	ck_assert_ok(netshare_report_new(&r, good, bad, NULL));
	ck_assert_double_eq_tol(metric(r, "valid_ip"), 4.0 / 6, 1e-12);
	ck_assert_double_eq_tol(metric(r, "valid_ports"), 5.0 / 6, 1e-12);
	ck_assert_double_eq_tol(metric(r, "valid_size"), 5.0 / 6, 1e-12);
	ck_assert_double_eq(metric(r, "valid_ip_real"), 1.0);
	ck_assert_double_eq(metric(r, "valid_size_real"), 1.0);
	netshare_report_free(r);
	netshare_dataset_free(good);
	netshare_dataset_free(bad);

	/* Flow records: packets and bytes must agree. */
	netshare_dataset *f;
	ck_assert_ok(netshare_dataset_new(&f, NETSHARE_RECORDS_FLOWS));
	const uint64_t pk[] = { 10, 0, 10, 1 }, by[] = { 4000, 0, 100, 70000 };
	for (int i = 0; i < 4; i++) {
		netshare_record x;
		netshare_record_init(&x);
		x.ip_version = 4;
		x.src_ip = a;
		x.dst_ip = b;
		x.protocol = 6;
		x.src_port = 40000;
		x.dst_port = 443;
		x.packets = pk[i];
		x.bytes = by[i];
		ck_assert_ok(netshare_dataset_append(f, &x));
	}
	ck_assert_ok(netshare_report_new(&r, f, f, NULL));
	ck_assert_double_eq_tol(metric(r, "valid_size"), 1.0 / 4, 1e-12); /* only the first */
	netshare_report_free(r);
	netshare_dataset_free(f);

	char path[512];
	if (netshare_test_data(path, sizeof path, "pathspider-real.pcap")) {
		netshare_dataset *real;
		ck_assert_ok(netshare_dataset_read(&real, path, NULL));
		ck_assert_ok(netshare_report_new(&r, real, real, NULL));
		ck_assert_double_ge(metric(r, "valid_ip"), 0.999);
		ck_assert_double_eq(metric(r, "valid_ports"), 1.0);
		ck_assert_double_eq(metric(r, "valid_size"), 1.0);
		netshare_report_free(r);
		netshare_dataset_free(real);
	}
}
END_TEST

/*
 * The service-marginal baseline: DNS/UDP flows of 1 record (80 bytes), web/TCP flows of 5
 * (1500 bytes) and 5 rare flows of 3 records, each its own service (22..26/TCP) and
 * packet size (100 + flow): each frequent service keeps its own
 * lengths, sizes, protocol and addresses (the joint dstport+proto and the per-service
 * flow sizes are right, where the marginal baseline mixes them); the rare ones are
 * pooled, so no rare flow is copied; the same seed gives the same dataset.
 */
START_TEST(service_marginal_baseline)
{
	netshare_dataset *real;
	ck_assert_ok(netshare_dataset_new(&real, NETSHARE_RECORDS_PACKETS));
	for (int f = 0; f < 405; f++) {
		int kind = f >= 400 ? 2 : f % 2, len = kind == 2 ? 3 : kind ? 5 : 1;
		for (int j = 0; j < len; j++) {
			netshare_record r;
			netshare_record_init(&r);
			r.time_ns = (int64_t)f * 1000000 + j * 1000 * (kind + 1);
			r.ip_version = 4;
			r.src_ip = 0x0a000000u + (uint32_t)(f % 50);
			r.dst_ip = kind == 1 ? 0x5db8d822u : kind ? 0x0a0a0a0au : 0x08080808u;
			r.protocol = kind == 0 ? 17 : 6;
			r.src_port = (uint16_t)(20000 + f);
			r.dst_port = kind == 1 ? 443 : kind ? (uint16_t)(f - 378) : 53; /* 22..26 */
			r.ip_length = kind == 1 ? 1500 : kind ? (uint16_t)(100 + f) : 80;
			ck_assert_ok(netshare_dataset_append(real, &r));
		}
	}
	netshare_dataset *a, *b;
	ck_assert_ok(netshare_baseline_service_marginal(&a, real, seeded(3)));
	ck_assert_ok(netshare_baseline_service_marginal(&b, real, seeded(3)));
	netshare_test_assert_same_records(a, b, "the same seed twice");
	netshare_record x;
	netshare_record_init(&x);
	size_t rare = 0, rare_own_size = 0;
	for (size_t i = 0; i < netshare_dataset_count(a); i++) {
		ck_assert_ok(netshare_dataset_get(a, i, &x));
		if (x.dst_port >= 22 && x.dst_port <= 26) {
			rare++;
			rare_own_size += x.ip_length == 100 + 378 + x.dst_port;
		}
		if (x.dst_port == 443) {
			ck_assert_uint_eq(x.protocol, 6);
			ck_assert_uint_eq(x.ip_length, 1500);
			ck_assert_uint_eq(x.dst_ip, 0x5db8d822u);
		} else if (x.dst_port == 53) {
			ck_assert_uint_eq(x.protocol, 17);
			ck_assert_uint_eq(x.ip_length, 80);
		}
	}
	netshare_report *r, *m;
	netshare_dataset *marg;
	ck_assert_ok(netshare_baseline_marginal(&marg, real, seeded(3)));
	ck_assert_ok(netshare_report_new(&r, real, a, NULL));
	ck_assert_ok(netshare_report_new(&m, real, marg, NULL));
	ck_assert_double_lt(metric(r, "dstport+proto"), 0.01);
	ck_assert_double_gt(metric(m, "dstport+proto"), 0.1);
	ck_assert_double_lt(metric(r, "flow_size_by_service"), 0.03); /* rare ones may miss */
	ck_assert_double_gt(metric(m, "flow_size_by_service"), 0.1);
	ck_assert_double_gt(metric(r, "service_coverage"), 0.95);
	/* The rare services are pooled: their records' sizes come from any rare flow (1 in 5
	 * is the service's own), not copied from the service's one flow. */
	ck_assert_uint_gt(rare, 5);
	ck_assert_uint_lt(rare_own_size, rare / 2);
	netshare_report_free(r);

	/* Options: the services the per-service metrics look at. With the top one only (443,
	 * whose flows the marginal baseline reproduces badly), the metric is that service's. */
	netshare_report_params rp;
	netshare_report_params_init(&rp);
	ck_assert_uint_eq(rp.services, 10);
	rp.services = 1;
	ck_assert_ok(netshare_report_new(&r, real, marg, &rp));
	ck_assert_double_ne(metric(r, "flow_size_by_service"), metric(m, "flow_size_by_service"));
	netshare_report_free(r);
	for (unsigned bad = 0; bad <= 101; bad += 101) {
		rp.services = bad;
		ck_assert_status(netshare_report_new(&r, real, marg, &rp), NETSHARE_EINVAL);
		ck_assert_ptr_null(r);
		ck_assert_error_contains("services");
	}
	rp.struct_size = 3;
	ck_assert_status(netshare_report_new(&r, real, marg, &rp), NETSHARE_EABI);
	netshare_report_free(m);
	netshare_dataset_free(a);

	/* Options: as many flows as asked for (5-tuples may coincide: at most that many). */
	netshare_baseline_params bp;
	netshare_baseline_params_init(&bp);
	bp.flows = 7;
	netshare_summary sum = { .struct_size = sizeof sum };
	ck_assert_ok(netshare_baseline_service_marginal(&a, real, &bp));
	ck_assert_ok(netshare_dataset_summary(a, &sum));
	ck_assert_uint_le(sum.flows, 7);
	ck_assert_uint_ge(sum.flows, 1);
	netshare_dataset_free(a);
	bp.flows = 3 * netshare_dataset_count(real);
	ck_assert_ok(netshare_baseline_marginal(&a, real, &bp));
	ck_assert_uint_gt(netshare_dataset_count(a), 2 * netshare_dataset_count(real));
	netshare_dataset_free(a);
	bp.flows = NETSHARE_SAMPLE_MAX_FLOWS + 1;
	ck_assert_status(netshare_baseline_marginal(&a, real, &bp), NETSHARE_EINVAL);
	ck_assert_status(netshare_baseline_service_marginal(&a, NULL, NULL), NETSHARE_EINVAL);
	ck_assert_ptr_null(a);
	netshare_dataset_free(b);
	netshare_dataset_free(marg);
	netshare_dataset_free(real);
}
END_TEST

/* n flows of a small network drawn with this seed: hosts 10.0.0.0/26 to 10.1.0.0/28,
 * client ports, a few services, 1-20 packets of random sizes over up to a second. */
static netshare_dataset *
random_flows(uint64_t seed, size_t n, int kind)
{
	static const uint16_t services[] = { 443, 80, 53, 22 };
	netshare__rng g;
	netshare__rng_seed(&g, seed);
	netshare_dataset *ds;
	ck_assert_ok(netshare_dataset_new(&ds, kind));
	int64_t t = 0;
	for (size_t f = 0; f < n; f++) {
		netshare_record r;
		netshare_record_init(&r);
		r.ip_version = 4;
		r.src_ip = 0x0a000000u + (uint32_t)netshare__rng_below(&g, 64);
		r.dst_ip = 0x0a010000u + (uint32_t)netshare__rng_below(&g, 16);
		r.src_port = (uint16_t)(32768 + netshare__rng_below(&g, 28000));
		r.dst_port = services[netshare__rng_below(&g, 4)];
		r.protocol = r.dst_port == 53 ? 17 : 6;
		uint64_t len = 1 + netshare__rng_below(&g, 20);
		int64_t gap = (int64_t)netshare__rng_below(&g, 50000000);
		for (uint64_t j = 0; j < len; j++) {
			r.time_ns = t + (int64_t)j * gap;
			r.ip_length = (uint16_t)(40 + netshare__rng_below(&g, 1460));
			r.packets = 1 + netshare__rng_below(&g, 10);
			r.bytes = 40 * r.packets + netshare__rng_below(&g, 5000);
			ck_assert_ok(netshare_dataset_append(ds, &r));
		}
		t += 1000;
	}
	return ds;
}

/* The AUC's rank arithmetic on a case worked by hand: members {1, 2}, others {2, 3}:
 * the pairs (1,2) (1,3) (2,3) are wins, (2,2) a tie: 3.5 / 4. */
START_TEST(membership_auc_by_hand)
{
	const double m[] = { 1, 2 }, o[] = { 2, 3 }, same[] = { 5, 5, 5 };
	double auc;
	ck_assert_ok(netshare__auc_closer(m, 2, o, 2, &auc));
	ck_assert_double_eq_tol(auc, 0.875, 1e-12);
	ck_assert_ok(netshare__auc_closer(o, 2, m, 2, &auc));
	ck_assert_double_eq_tol(auc, 0.125, 1e-12);
	ck_assert_ok(netshare__auc_closer(same, 3, same, 2, &auc));
	ck_assert_double_eq_tol(auc, 0.5, 1e-12);
	ck_assert_ok(netshare__auc_closer(m, 2, o, 0, &auc));
	ck_assert(isnan(auc));
}
END_TEST

/*
 * The membership audit in the report: a copy of the training part scores near 1, a
 * copy of the held-out part near 0, an independent draw from the same network near
 * 0.5; only with a held-out part; and a held-out part of the other kind is refused.
 */
START_TEST(membership_auc_in_the_report)
{
	for (int kind = NETSHARE_RECORDS_PACKETS; kind <= NETSHARE_RECORDS_FLOWS; kind++) {
		netshare_dataset *a = random_flows(1, 800, kind), *b = random_flows(2, 800, kind);
		netshare_dataset *x = random_flows(3, 1600, kind);
		netshare_report_params p;
		netshare_report_params_init(&p);
		ck_assert_ptr_null(p.held_out);
		p.held_out = b;
		netshare_report *r;
		ck_assert_ok(netshare_report_new(&r, a, a, &p));
		ck_assert_double_gt(metric(r, "membership_auc"), 0.95);
		netshare_report_free(r);
		/* The held-out part itself: the metric without a value (the reports of one
		 * comparison list the same metrics). */
		ck_assert_ok(netshare_report_new(&r, a, b, &p));
		ck_assert(isnan(metric(r, "membership_auc")));
		netshare_report_free(r);
		netshare_dataset *b2 = random_flows(2, 800, kind);
		ck_assert_ok(netshare_report_new(&r, a, b2, &p));
		ck_assert_double_lt(metric(r, "membership_auc"), 0.05);
		netshare_report_free(r);
		ck_assert_ok(netshare_report_new(&r, a, x, &p));
		double auc = metric(r, "membership_auc");
		ck_assert_msg(fabs(auc - 0.5) < 0.05, "independent draw: AUC %g", auc);
		netshare_report_free(r);
		netshare_dataset *other = random_flows(4, 10, 1 - kind);
		p.held_out = other;
		ck_assert_status(netshare_report_new(&r, a, x, &p), NETSHARE_EINVAL);
		ck_assert_error_contains("held-out");
		netshare_dataset_free(other);
		netshare_dataset_free(b2);
		netshare_dataset_free(a);
		netshare_dataset_free(b);
		netshare_dataset_free(x);
	}
}
END_TEST

NETSHARE_TEST_MAIN("eval-report",
	membership_auc_by_hand,
	membership_auc_in_the_report,
	validity_flags_each_bad_record,
	marginal_baseline,
	identical_traces,
	marginals_versus_joints,
	service_marginal_baseline)
