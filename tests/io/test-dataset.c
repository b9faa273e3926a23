/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The dataset handle: construction, append/get, info, argument checks; writing pcap and
 * every CSV schema and reading back identical records; atomic writes (no partial or
 * temporary file after a failure or a cancel); reading real traces when present.
 */
#include <sys/stat.h>
#include <unistd.h>

#include "../test-common.h"
#include "core/alloc.h"
#include "core/rng.h"
#include "io/packet.h"

static netshare_record
make_packet(int64_t t, uint32_t src, uint16_t sport, uint8_t proto, uint16_t len)
{
	netshare_record r;
	netshare_record_init(&r);
	r.time_ns = t;
	r.ip_version = 4;
	r.src_ip = src;
	r.dst_ip = 0xC0A80001;
	r.protocol = proto;
	if (netshare__proto_has_ports(proto)) {
		r.src_port = sport;
		r.dst_port = 443;
	}
	r.ip_length = len;
	r.ttl = 63;
	r.tcp_flags = proto == 6 ? 0x10 : 0;
	return r;
}

START_TEST(new_append_get_and_info)
{
	netshare_dataset *ds = NULL;
	ck_assert_ok(netshare_dataset_new(&ds, NETSHARE_RECORDS_PACKETS));
	ck_assert_int_eq(netshare_dataset_kind(ds), NETSHARE_RECORDS_PACKETS);
	ck_assert_uint_eq(netshare_dataset_count(ds), 0);
	for (int i = 0; i < 3000; i++) {
		netshare_record r = make_packet(1000 + i * 10, 0x0a000000 + (uint32_t)(i % 7),
		                                (uint16_t)(1024 + i % 3), 6, (uint16_t)(40 + i % 100));
		ck_assert_ok(netshare_dataset_append(ds, &r));
	}
	netshare_record v6;
	netshare_record_init(&v6);
	v6.time_ns = 5;
	v6.ip_version = 6;
	v6.protocol = 58;
	v6.src_ip6[0] = 0xfe;
	v6.src_ip6[15] = 9;
	v6.dst_ip6[15] = 1;
	v6.ip_length = 64;
	ck_assert_ok(netshare_dataset_append(ds, &v6));
	ck_assert_uint_eq(netshare_dataset_count(ds), 3001);

	netshare_record r;
	netshare_record_init(&r);
	ck_assert_ok(netshare_dataset_get(ds, 2999, &r));
	netshare_record want = make_packet(1000 + 2999 * 10, 0x0a000000 + 2999 % 7, 1024 + 2999 % 3,
	                                   6, 40 + 2999 % 100);
	ck_assert_mem_eq(&r, &want, sizeof r);
	ck_assert_ok(netshare_dataset_get(ds, 3000, &r));
	ck_assert_mem_eq(&r, &v6, sizeof r);

	netshare_dataset_info info;
	memset(&info, 0, sizeof info);
	info.struct_size = sizeof info;
	ck_assert_ok(netshare_dataset_info_get(ds, &info));
	ck_assert_uint_eq(info.records, 3001);
	ck_assert_uint_eq(info.frames, 3001);
	ck_assert_uint_eq(info.ipv4, 3000);
	ck_assert_uint_eq(info.ipv6, 1);
	ck_assert_uint_eq(info.out_of_order, 1);
	ck_assert_int_eq(info.time_min_ns, 5);
	ck_assert_int_eq(info.time_max_ns, 1000 + 2999 * 10);
	ck_assert_int_eq(info.link_type, -1);
	ck_assert_int_eq(info.format, NETSHARE_FORMAT_AUTO);

	netshare_summary s;
	memset(&s, 0, sizeof s);
	s.struct_size = sizeof s;
	ck_assert_ok(netshare_dataset_summary(ds, &s));
	ck_assert_uint_eq(s.flows, 7 * 3 + 1); /* i%7 and i%3 are independent over 21 */
	ck_assert_uint_eq(s.protocol_records[6], 3000);
	ck_assert_uint_eq(s.protocol_records[58], 1);
	/* 3000 = 21 * 142 + 18: three flows of 142 and eighteen of 143 (and the IPv6 one). */
	ck_assert_uint_eq(s.flow_size_max, 143);
	ck_assert_uint_eq(s.flow_size_p50, 143);
	ck_assert_uint_eq(s.flow_size_p90, 143);
	netshare_dataset_free(ds);
	netshare_dataset_free(NULL);
}
END_TEST

START_TEST(bad_arguments)
{
	netshare_dataset *ds = (netshare_dataset *)1;
	ck_assert_status(netshare_dataset_new(&ds, 7), NETSHARE_EINVAL);
	ck_assert_ptr_null(ds);
	ck_assert_status(netshare_dataset_new(NULL, 0), NETSHARE_EINVAL);
	ck_assert_ok(netshare_dataset_new(&ds, NETSHARE_RECORDS_FLOWS));
	netshare_record r;
	netshare_record_init(&r);
	ck_assert_status(netshare_dataset_append(ds, &r), NETSHARE_EINVAL); /* ip_version 0 */
	ck_assert_error_contains("ip_version 0");
	ck_assert_status(netshare_dataset_get(ds, 0, &r), NETSHARE_EINVAL);
	ck_assert_error_contains("out of range");
	r.struct_size = 3;
	ck_assert_status(netshare_dataset_get(ds, 0, &r), NETSHARE_EABI);
	ck_assert_status(netshare_dataset_append(ds, &r), NETSHARE_EABI);
	ck_assert_status(netshare_dataset_append_frame(ds, 1, 0, "x", 1, 1), NETSHARE_EINVAL);
	ck_assert_error_contains("flow records");
	r.struct_size = sizeof r;
	r.ip_version = 4;
	r.time_ns = NETSHARE_TIME_LIMIT_NS;
	ck_assert_status(netshare_dataset_append(ds, &r), NETSHARE_EINVAL);
	ck_assert_error_contains("outside the supported range");
	r.time_ns = 0;
	r.duration_ns = -1;
	ck_assert_status(netshare_dataset_append(ds, &r), NETSHARE_EINVAL);
	ck_assert_uint_eq(netshare_dataset_count(ds), 0);
	netshare_dataset_free(ds);

	ck_assert_ok(netshare_dataset_new(&ds, NETSHARE_RECORDS_PACKETS));
	ck_assert_status(netshare_dataset_append_frame(ds, 105, 0, "x", 1, 1),
	                 NETSHARE_EUNSUPPORTED);
	ck_assert_error_contains("IEEE802_11");
	uint8_t arp[42] = { 0 };
	arp[12] = 0x08;
	arp[13] = 0x06;
	ck_assert_ok(netshare_dataset_append_frame(ds, 1, 0, arp, sizeof arp, sizeof arp));
	ck_assert_uint_eq(netshare_dataset_count(ds), 0);
	ck_assert_uint_eq(netshare_dataset_skipped(ds, NETSHARE_SKIP_NOT_IP), 1);
	ck_assert_ok(netshare_dataset_append_frame(ds, 1, INT64_MAX, arp, sizeof arp, sizeof arp));
	ck_assert_uint_eq(netshare_dataset_skipped(ds, NETSHARE_SKIP_BAD_TIME), 1);
	ck_assert_uint_eq(netshare_dataset_skipped(ds, 99), 0);
	ck_assert_str_eq(netshare_skip_reason_name(NETSHARE_SKIP_NOT_IP), "not-ip");
	ck_assert_str_eq(netshare_skip_reason_name(99), "unknown");
	ck_assert_status(netshare_dataset_write(ds, "x.unknown", NULL), NETSHARE_EINVAL);
	ck_assert_error_contains("cannot tell the output format");
	netshare_write_params wp;
	netshare_write_params_init(&wp);
	wp.link_type = 105;
	ck_assert_status(netshare_dataset_write(ds, "x.pcap", &wp), NETSHARE_EINVAL);
	ck_assert_error_contains("link_type");
	netshare_dataset_free(ds);

	netshare_read_params rp;
	netshare_read_params_init(&rp);
	ck_assert_status(netshare_dataset_read(&ds, "/nonexistent/x.pcap", &rp), NETSHARE_EIO);
	ck_assert_error_contains("/nonexistent/x.pcap: No such file");
	ck_assert_status(netshare_dataset_read(&ds, "/tmp", &rp), NETSHARE_EIO);
	ck_assert_error_contains("directory");
	rp.format = 42;
	ck_assert_status(netshare_dataset_read(&ds, "x", &rp), NETSHARE_EINVAL);
	rp.struct_size = 8;
	ck_assert_status(netshare_dataset_read(&ds, "x", &rp), NETSHARE_EABI);
	ck_assert_str_eq(netshare_protocol_name(6), "TCP");
	ck_assert_ptr_null(netshare_protocol_name(253));
	ck_assert_str_eq(netshare_link_type_name(1), "EN10MB");
}
END_TEST

/* Random records of one kind, with every field exercised. */
static netshare_dataset *
random_dataset(int kind, int n, uint64_t seed)
{
	static const uint8_t protos[] = { 6, 17, 1, 47, 50, 58 };
	static const char *const labels[] = { "background", "blacklist", "a,b \"quoted\"", NULL };
	netshare__rng g;
	netshare__rng_seed(&g, seed);
	netshare_dataset *ds;
	ck_assert_ok(netshare_dataset_new(&ds, kind));
	for (int i = 0; i < n; i++) {
		netshare_record r;
		netshare_record_init(&r);
		r.time_ns = 1458298072364000000LL + (int64_t)netshare__rng_below(&g, 1000000000000ULL);
		if (kind == NETSHARE_RECORDS_PACKETS)
			r.time_ns -= r.time_ns % 1000; /* pcap in µs keeps whole µs */
		r.ip_version = netshare__rng_below(&g, 4) ? 4 : 6;
		r.protocol = protos[netshare__rng_below(&g, sizeof protos)];
		if (r.ip_version == 4 && r.protocol == 58)
			r.protocol = 1;
		if (r.ip_version == 6 && r.protocol == 1)
			r.protocol = 58;
		r.src_ip = (uint32_t)netshare__rng_next(&g);
		r.dst_ip = (uint32_t)netshare__rng_next(&g);
		if (r.ip_version == 6) {
			r.src_ip = r.dst_ip = 0;
			for (int k = 0; k < 16; k++) {
				r.src_ip6[k] = (uint8_t)netshare__rng_next(&g);
				r.dst_ip6[k] = (uint8_t)netshare__rng_next(&g);
			}
		}
		if (netshare__proto_has_ports(r.protocol)) {
			r.src_port = (uint16_t)netshare__rng_next(&g);
			r.dst_port = (uint16_t)netshare__rng_below(&g, 1024);
		}
		if (kind == NETSHARE_RECORDS_PACKETS) {
			r.tos = (uint8_t)netshare__rng_next(&g);
			r.ttl = (uint8_t)netshare__rng_next(&g);
			r.ip_length = (uint16_t)(60 + netshare__rng_below(&g, 1400));
			if (r.ip_version == 4) {
				r.ip_id = (uint16_t)netshare__rng_next(&g);
				r.ip_flags = 2;
			}
			r.tcp_flags = r.protocol == 6 ? (uint8_t)netshare__rng_next(&g) : 0;
		} else {
			r.duration_ns = (int64_t)netshare__rng_below(&g, 3600000000000ULL);
			r.packets = 1 + netshare__rng_below(&g, 100000);
			r.bytes = r.packets * 40 + netshare__rng_below(&g, 1000000);
			r.label = labels[netshare__rng_below(&g, 4)];
		}
		ck_assert_ok(netshare_dataset_append(ds, &r));
	}
	return ds;
}


static void
roundtrip(const netshare_dataset *ds, const char *dir, const char *name, int format,
          int expect_format)
{
	char path[512];
	netshare_test_path(path, sizeof path, dir, name);
	netshare_write_params wp;
	netshare_write_params_init(&wp);
	wp.format = format;
	ck_assert_ok(netshare_dataset_write(ds, path, &wp));
	netshare_dataset *back;
	ck_assert_ok(netshare_dataset_read(&back, path, NULL));
	netshare_dataset_info info;
	memset(&info, 0, sizeof info);
	info.struct_size = sizeof info;
	ck_assert_ok(netshare_dataset_info_get(back, &info));
	ck_assert_int_eq(info.format, expect_format);
	netshare_test_assert_same_records(ds, back, name);
	netshare_dataset_free(back);
	unlink(path);
}

START_TEST(every_format_round_trips_exactly)
{
	const char *dir = netshare_test_tmpdir();
	ck_assert_ptr_nonnull(dir);
	netshare_dataset *pk = random_dataset(NETSHARE_RECORDS_PACKETS, 3000, 1);
	roundtrip(pk, dir, "p.pcap", NETSHARE_FORMAT_AUTO, NETSHARE_FORMAT_PCAP);
	roundtrip(pk, dir, "p.pcapng", NETSHARE_FORMAT_AUTO, NETSHARE_FORMAT_PCAP);
	roundtrip(pk, dir, "p.out", NETSHARE_FORMAT_PCAPNG, NETSHARE_FORMAT_PCAP);
	roundtrip(pk, dir, "p.csv", NETSHARE_FORMAT_AUTO, NETSHARE_FORMAT_PACKET_CSV);
	netshare_dataset *fl = random_dataset(NETSHARE_RECORDS_FLOWS, 3000, 2);
	roundtrip(fl, dir, "f.csv", NETSHARE_FORMAT_AUTO, NETSHARE_FORMAT_NETFLOW_CSV);
	roundtrip(fl, dir, "f.log", NETSHARE_FORMAT_AUTO, NETSHARE_FORMAT_ZEEK_CONN);
	roundtrip(fl, dir, "f.nfd", NETSHARE_FORMAT_NFDUMP_CSV, NETSHARE_FORMAT_NFDUMP_CSV);
	/* Flow records cannot become pcap. */
	char path[512];
	ck_assert_status(netshare_dataset_write(fl, netshare_test_path(path, sizeof path, dir,
	                                                               "f.pcap"), NULL),
	                 NETSHARE_EINVAL);
	ck_assert_int_eq(netshare_test_count_files(dir), 0);
	netshare_dataset_free(pk);
	netshare_dataset_free(fl);
	rmdir(dir);
}
END_TEST

START_TEST(pcap_options_ns_raw_headers_only)
{
	const char *dir = netshare_test_tmpdir();
	netshare_dataset *pk = random_dataset(NETSHARE_RECORDS_PACKETS, 500, 3);
	char path[512];
	netshare_test_path(path, sizeof path, dir, "h.pcap");
	netshare_write_params wp;
	netshare_write_params_init(&wp);
	wp.link_type = NETSHARE_LINK_RAW;
	wp.nanosecond = 1;
	wp.headers_only = 1;
	ck_assert_ok(netshare_dataset_write(pk, path, &wp));
	struct stat sb;
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_int_lt(sb.st_size, 24 + 500 * (16 + 60)); /* no payload stored */
	netshare_dataset *back;
	ck_assert_ok(netshare_dataset_read(&back, path, NULL));
	netshare_dataset_info info;
	memset(&info, 0, sizeof info);
	info.struct_size = sizeof info;
	ck_assert_ok(netshare_dataset_info_get(back, &info));
	ck_assert_int_eq(info.link_type, 12); /* DLT_RAW */
	/* Frames with a payload on the wire were stored without it: they count as truncated
	 * (a headers-only capture has all of its frames so); whole frames do not. */
	ck_assert_uint_gt(info.truncated, 0);
	ck_assert_uint_le(info.truncated, info.records);
	netshare_test_assert_same_records(pk, back, "headers-only raw ns pcap");
	netshare_dataset_free(back);
	wp.headers_only = 0;
	ck_assert_ok(netshare_dataset_write(pk, path, &wp));
	ck_assert_ok(netshare_dataset_read(&back, path, NULL));
	ck_assert_ok(netshare_dataset_info_get(back, &info));
	ck_assert_uint_eq(info.truncated, 0);
	netshare_dataset_free(back);
	unlink(path);

	/* pcapng: the same options, and times past 2038 that pcap cannot hold. */
	netshare_test_path(path, sizeof path, dir, "h.pcapng");
	wp.headers_only = 1;
	ck_assert_ok(netshare_dataset_write(pk, path, &wp));
	ck_assert_ok(netshare_dataset_read(&back, path, NULL));
	ck_assert_ok(netshare_dataset_info_get(back, &info));
	ck_assert_int_eq(info.link_type, 12);
	ck_assert_uint_gt(info.truncated, 0);
	netshare_test_assert_same_records(pk, back, "headers-only raw ns pcapng");
	netshare_dataset_free(back);
	netshare_dataset *late;
	ck_assert_ok(netshare_dataset_new(&late, NETSHARE_RECORDS_PACKETS));
	netshare_record r;
	netshare_record_init(&r);
	r.ip_version = 4;
	r.protocol = 17;
	r.ip_length = 100;
	r.time_ns = INT64_C(4102444800) * 1000000000 + 123456789; /* 2100-01-01 */
	ck_assert_ok(netshare_dataset_append(late, &r));
	ck_assert_ok(netshare_dataset_write(late, path, &wp));
	ck_assert_ok(netshare_dataset_read(&back, path, NULL));
	netshare_test_assert_same_records(late, back, "pcapng after 2038");
	netshare_dataset_free(back);
	netshare_test_path(path, sizeof path, dir, "late.pcap");
	ck_assert_status(netshare_dataset_write(late, path, &wp), NETSHARE_EINVAL);
	ck_assert_error_contains("1970..2038");
	netshare_dataset_free(late);
	netshare_test_path(path, sizeof path, dir, "h.pcapng");
	unlink(path);
	netshare_dataset_free(pk);
	rmdir(dir);
}
END_TEST

static int
cancel_at_start(const netshare_progress *p, void *user)
{
	return p->done == 0 ? 0 : 1;
}

START_TEST(failed_writes_leave_nothing_behind)
{
	const char *dir = netshare_test_tmpdir();
	netshare_dataset *pk = random_dataset(NETSHARE_RECORDS_PACKETS, 40000, 4);
	char path[512];
	netshare_test_path(path, sizeof path, dir, "keep.pcap");
	ck_assert_int_eq(netshare_test_write_file(path, "precious", 8), 0);
	/* A callback that cancels mid-way: the old file stays, no temporary remains. */
	netshare_write_params wp;
	netshare_write_params_init(&wp);
	wp.progress = cancel_at_start;
	ck_assert_status(netshare_dataset_write(pk, path, &wp), NETSHARE_ECANCELED);
	struct stat sb;
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_int_eq(sb.st_size, 8);
	ck_assert_int_eq(netshare_test_count_files(dir), 1);
	/* A time pcap cannot store. */
	netshare_dataset *bad;
	ck_assert_ok(netshare_dataset_new(&bad, NETSHARE_RECORDS_PACKETS));
	netshare_record r = make_packet(-5, 1, 2, 17, 60);
	ck_assert_ok(netshare_dataset_append(bad, &r));
	ck_assert_status(netshare_dataset_write(bad, path, NULL), NETSHARE_EINVAL);
	ck_assert_error_contains("1970..2038");
	netshare_dataset_free(bad);
	ck_assert_ok(netshare_dataset_new(&bad, NETSHARE_RECORDS_PACKETS));
	r = make_packet(((int64_t)INT32_MAX + 1) * 1000000000, 1, 2, 17, 60); /* fuzz find */
	ck_assert_ok(netshare_dataset_append(bad, &r));
	ck_assert_status(netshare_dataset_write(bad, path, NULL), NETSHARE_EINVAL);
	ck_assert_int_eq(netshare_test_count_files(dir), 1);
	/* A directory that does not exist, and a destination that is a directory. */
	ck_assert_status(netshare_dataset_write(pk, "/nonexistent-dir/x.pcap", NULL),
	                 NETSHARE_EIO);
	ck_assert_error_contains("/nonexistent-dir/x.pcap");
	ck_assert_status(netshare_dataset_write(pk, dir, &(netshare_write_params){
	                 .struct_size = sizeof(netshare_write_params), .format = 1,
	                 .link_type = 1 }), NETSHARE_EIO);
	/* Out of memory on the output buffer. */
	netshare__alloc_fail_after(1);
	ck_assert_status(netshare_dataset_write(pk, path, NULL), NETSHARE_ENOMEM);
	ck_assert_int_eq(netshare_test_count_files(dir), 1);
	unlink(path);
	rmdir(dir);
	netshare_dataset_free(bad);
	netshare_dataset_free(pk);
}
END_TEST

START_TEST(real_traces_round_trip)
{
	static const char *const files[] = {
		"caida-10k.pcapng", "pathspider-real.pcap", "ndpi-reddit-ipv6.pcap",
		"ndpi-gnutella-mixed.pcap", "ndpi-kakaotalk-sll.pcap", "pathspider-icmp-ttl.pcapng",
		"ugr16-1k.csv", "slips-nfdump.csv", "stratosphere-008.conn.log",
	};
	const char *dir = netshare_test_tmpdir();
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		char src[512], out[512];
		if (!netshare_test_data(src, sizeof src, files[i]))
			continue;
		netshare_dataset *ds, *back;
		ck_assert_ok(netshare_dataset_read(&ds, src, NULL));
		ck_assert_uint_gt(netshare_dataset_count(ds), 100);
		int pk = netshare_dataset_kind(ds) == NETSHARE_RECORDS_PACKETS;
		/* Each in its own format: a Zeek log, not NetFlow CSV, keeps the responder's
		 * packets and bytes (which Zeek and nfdump split from the originator's). */
		int zeek = strstr(files[i], ".log") != NULL;
		netshare_test_path(out, sizeof out, dir, pk ? "o.pcap" : zeek ? "o.log" : "o.csv");
		if (zeek || strstr(files[i], "nfdump")) {
			netshare_record r;
			netshare_record_init(&r);
			uint64_t resp = 0;
			for (size_t k = 0; k < netshare_dataset_count(ds); k++) {
				ck_assert_ok(netshare_dataset_get(ds, k, &r));
				ck_assert_uint_le(r.resp_packets, r.packets);
				ck_assert_uint_le(r.resp_bytes, r.bytes);
				resp += r.resp_packets;
			}
			if (zeek) /* slips-nfdump's flows are one-way: opkt is 0 throughout */
				ck_assert_uint_gt(resp, 0);
		}
		netshare_write_params wp;
		netshare_write_params_init(&wp);
		wp.nanosecond = 1;
		ck_assert_ok(netshare_dataset_write(ds, out, &wp));
		ck_assert_ok(netshare_dataset_read(&back, out, NULL));
		netshare_test_assert_same_records(ds, back, files[i]);
		netshare_dataset_free(back);
		netshare_dataset_free(ds);
		unlink(out);
	}
	rmdir(dir);
}
END_TEST

/*
 * A time split: the first part holds exactly the records before the (1 - F) quantile
 * of the times, in their order, with the extra columns; the rest the others; bad shares
 * and unsplittable datasets are EINVAL with NULL outputs.
 */
START_TEST(split_in_time)
{
	netshare_dataset *fl = random_dataset(NETSHARE_RECORDS_FLOWS, 2001, 7);
	ck_assert_ok(netshare_dataset_add_extra(fl, "service", 1));
	for (size_t i = 0; i < netshare_dataset_count(fl); i++)
		ck_assert_ok(netshare_dataset_extra_set(fl, i, 0, 0, i % 2 ? "dns" : "http"));
	size_t n = netshare_dataset_count(fl);
	int64_t *t = malloc(n * sizeof *t);
	ck_assert_ptr_nonnull(t);
	netshare_record r, q;
	netshare_record_init(&r);
	netshare_record_init(&q);
	for (size_t i = 0; i < n; i++) {
		ck_assert_ok(netshare_dataset_get(fl, i, &r));
		t[i] = r.time_ns;
	}
	/* The quantile by selection, independently of the library's sort. */
	size_t k = (size_t)(0.7 * (double)n);
	int64_t cut = 0;
	for (size_t i = 0; i < n; i++) {
		size_t below = 0, equal = 0;
		for (size_t j = 0; j < n; j++) {
			below += t[j] < t[i];
			equal += t[j] == t[i];
		}
		if (below <= k && k < below + equal)
			cut = t[i];
	}
	netshare_dataset *a, *b;
	ck_assert_ok(netshare_dataset_split_time(fl, 0.3, &a, &b));
	size_t ia = 0, ib = 0;
	for (size_t i = 0; i < n; i++) {
		ck_assert_ok(netshare_dataset_get(fl, i, &r));
		netshare_dataset *part = t[i] < cut ? a : b;
		size_t *at = t[i] < cut ? &ia : &ib;
		ck_assert_ok(netshare_dataset_get(part, (*at)++, &q));
		ck_assert_int_eq(q.time_ns, r.time_ns);
		ck_assert_uint_eq(q.src_port, r.src_port);
		ck_assert_uint_eq(q.packets, r.packets);
		const char *x, *y;
		ck_assert_ok(netshare_dataset_extra_get(fl, i, 0, NULL, &x));
		ck_assert_ok(netshare_dataset_extra_get(part, *at - 1, 0, NULL, &y));
		ck_assert_str_eq(x, y);
	}
	ck_assert_uint_eq(ia, netshare_dataset_count(a));
	ck_assert_uint_eq(ib, netshare_dataset_count(b));
	ck_assert_uint_eq(ib, n - k); /* distinct times: exactly the share held out */
	ck_assert_str_eq(netshare_dataset_extra_name(b, 0), "service");
	netshare_dataset_free(a);
	netshare_dataset_free(b);
	static const double bad[] = { 0, 1, -0.1, 1.5, NAN };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		a = b = fl;
		ck_assert_status(netshare_dataset_split_time(fl, bad[i], &a, &b), NETSHARE_EINVAL);
		ck_assert_ptr_null(a);
		ck_assert_ptr_null(b);
	}
	ck_assert_status(netshare_dataset_split_time(NULL, 0.5, &a, &b), NETSHARE_EINVAL);
	ck_assert_status(netshare_dataset_split_time(fl, 0.5, NULL, &b), NETSHARE_EINVAL);
	/* One time stamp for all: no cut leaves records on both sides. */
	netshare_dataset *same;
	ck_assert_ok(netshare_dataset_new(&same, NETSHARE_RECORDS_PACKETS));
	netshare_record_init(&r);
	r.ip_version = 4;
	r.protocol = 6;
	for (int i = 0; i < 10; i++)
		ck_assert_ok(netshare_dataset_append(same, &r));
	ck_assert_status(netshare_dataset_split_time(same, 0.5, &a, &b), NETSHARE_EINVAL);
	ck_assert_ptr_null(a);
	netshare_dataset_free(same);
	free(t);
	netshare_dataset_free(fl);
}
END_TEST

NETSHARE_TEST_MAIN("io-dataset",
	new_append_get_and_info,
	bad_arguments,
	every_format_round_trips_exactly,
	pcap_options_ns_raw_headers_only,
	failed_writes_leave_nothing_behind,
	real_traces_round_trip,
	split_in_time)
