/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CSV, nfdump and Zeek reading: exact number and date conversion, format detection,
 * errors that name file, line and column, lenient reading, column maps, and every
 * truncation of a small file.
 */
#include <math.h>
#include <unistd.h>

#include "../test-common.h"
#include "io/csv_schema.h"
#include "io/reader.h"

START_TEST(scaled_decimals_are_exact)
{
	int64_t v;
	ck_assert_int_eq(netshare__parse_scaled("305.63599999999997", 18, 9, &v), 0);
	ck_assert_int_eq(v, 305636000000LL);
	ck_assert_int_eq(netshare__parse_scaled("1458298072364000.0", 18, 3, &v), 0);
	ck_assert_int_eq(v, 1458298072364000000LL);
	ck_assert_int_eq(netshare__parse_scaled("1.458298072364e+15", 18, 3, &v), 0);
	ck_assert_int_eq(v, 1458298072364000000LL);
	ck_assert_int_eq(netshare__parse_scaled("-0.0000000015", 13, 9, &v), 0);
	ck_assert_int_eq(v, -2); /* half away from zero */
	ck_assert_int_eq(netshare__parse_scaled("62", 2, 0, &v), 0);
	ck_assert_int_eq(v, 62);
	ck_assert_int_eq(netshare__parse_scaled("62.0", 4, 0, &v), 0);
	ck_assert_int_eq(v, 62);
	const char *bad[] = { "", ".", "1.2.3", "abc", "1e", "--1", "1 2", "99999999999999999999" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(netshare__parse_scaled(bad[i], strlen(bad[i]), 0, &v) != 0, "%s", bad[i]);
	char buf[64];
	netshare__format_scaled(buf, sizeof buf, 305636000000LL, 9, 1);
	ck_assert_str_eq(buf, "305.636");
	netshare__format_scaled(buf, sizeof buf, 1458298072364000000LL, 3, 1);
	ck_assert_str_eq(buf, "1458298072364000.0");
	netshare__format_scaled(buf, sizeof buf, -1500, 3, 0);
	ck_assert_str_eq(buf, "-1.5");
	netshare__format_scaled(buf, sizeof buf, -5, 3, 0);
	ck_assert_str_eq(buf, "-0.005");
}
END_TEST

START_TEST(datetimes_are_utc)
{
	int64_t ns;
	/* date -u -d '2018-01-12 15:37:30' +%s = 1515771450 */
	ck_assert_int_eq(netshare__parse_datetime("2018-01-12 15:37:30", 19, &ns), 0);
	ck_assert_int_eq(ns, 1515771450LL * 1000000000);
	ck_assert_int_eq(netshare__parse_datetime("2018-01-12T15:37:30.123", 23, &ns), 0);
	ck_assert_int_eq(ns, 1515771450123000000LL);
	ck_assert_int_eq(netshare__parse_datetime("1970-01-01 00:00:00", 19, &ns), 0);
	ck_assert_int_eq(ns, 0);
	ck_assert_int_eq(netshare__parse_datetime("2000-02-29 23:59:59", 19, &ns), 0);
	ck_assert_int_eq(ns, 951868799LL * 1000000000);
	ck_assert_int_ne(netshare__parse_datetime("2018-13-12 15:37:30", 19, &ns), 0);
	ck_assert_int_ne(netshare__parse_datetime("2018-01-12 15:37", 16, &ns), 0);
	ck_assert_int_ne(netshare__parse_datetime("2018-01-12 15:37:30x", 20, &ns), 0);
	char buf[64];
	netshare__format_datetime(buf, sizeof buf, 1515771450123000000LL);
	ck_assert_str_eq(buf, "2018-01-12 15:37:30.123");
	netshare__format_datetime(buf, sizeof buf, 951868799LL * 1000000000);
	ck_assert_str_eq(buf, "2000-02-29 23:59:59");
}
END_TEST

START_TEST(format_detection)
{
	const struct {
		const char *head;
		int format;
	} cases[] = {
		{ "\xd4\xc3\xb2\xa1....", NETSHARE_FORMAT_PCAP },
		{ "\x0a\x0d\x0d\x0a....", NETSHARE_FORMAT_PCAP },
		{ "#separator \\x09\n", NETSHARE_FORMAT_ZEEK_CONN },
		{ "srcip,dstip,srcport,dstport,proto,ts,td,pkt,byt,type\n1,2", NETSHARE_FORMAT_NETFLOW_CSV },
		{ "srcip,dstip,srcport,dstport,proto,time,pkt_len,version\n", NETSHARE_FORMAT_PACKET_CSV },
		{ "ts,te,td,sa,da,sp,dp,pr,flg\n", NETSHARE_FORMAT_NFDUMP_CSV },
		{ "ts,uid,id.orig_h,id.orig_p,id.resp_h,id.resp_p,proto\n", NETSHARE_FORMAT_ZEEK_CSV },
		{ "start,src,dst\n", NETSHARE_FORMAT_AUTO },
		{ "srcipx,dstip,tsx\n", NETSHARE_FORMAT_AUTO },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		ck_assert_int_eq(netshare__detect_format((const unsigned char *)cases[i].head,
		                                         strlen(cases[i].head)), cases[i].format);
}
END_TEST

static const char *tmp;

static netshare_status
read_text(const char *text, const netshare_read_params *rp, netshare_dataset **out)
{
	static char path[512];
	netshare_test_path(path, sizeof path, tmp, "in.csv");
	ck_assert_int_eq(netshare_test_write_file(path, text, strlen(text)), 0);
	netshare_status st = netshare_dataset_read(out, path, rp);
	unlink(path);
	return st;
}

#define NETFLOW_HEADER "srcip,dstip,srcport,dstport,proto,ts,td,pkt,byt,type\n"
#define NETFLOW_HEADER_EXTRA "srcip,dstip,srcport,dstport,proto,ts,td,pkt,byt,type,service,bytes_in,state\n"

START_TEST(netflow_rows_parse_and_fail_clearly)
{
	tmp = netshare_test_tmpdir();
	netshare_dataset *ds;
	ck_assert_ok(read_text(NETFLOW_HEADER
	                       "1730436467,10.1.2.3,0,0,ICMP,1458298072364000.0,305.63599999999997,62,1736,background\r\n"
	                       "\n"
	                       "2001:db8::1,2001:db8::2,53,5353,17,1458298072364001.5,0,1,80,\n",
	                       NULL, &ds));
	ck_assert_uint_eq(netshare_dataset_count(ds), 2);
	netshare_record r;
	netshare_record_init(&r);
	ck_assert_ok(netshare_dataset_get(ds, 0, &r));
	ck_assert_uint_eq(r.src_ip, 1730436467u);
	ck_assert_uint_eq(r.dst_ip, 0x0a010203u);
	ck_assert_uint_eq(r.protocol, 1);
	ck_assert_int_eq(r.time_ns, 1458298072364000000LL);
	ck_assert_int_eq(r.duration_ns, 305636000000LL);
	ck_assert_uint_eq(r.packets, 62);
	ck_assert_uint_eq(r.bytes, 1736);
	ck_assert_str_eq(r.label, "background");
	ck_assert_ok(netshare_dataset_get(ds, 1, &r));
	ck_assert_uint_eq(r.ip_version, 6);
	ck_assert_uint_eq(r.src_port, 53);
	ck_assert_int_eq(r.time_ns, 1458298072364001500LL);
	ck_assert_ptr_null(r.label);
	netshare_dataset_free(ds);

	const struct {
		const char *row;
		const char *message;
	} bad[] = {
		{ "1.2.3.4,5.6.7.8,0,0,TCP,1,0,1,1,x\n1.2.3.4,5.6.7.8,70000,0,TCP,1,0,1,1,x\n",
		  "line 3, column 3 (srcport): cannot parse '70000' as a port" },
		{ "1.2.3.400,5.6.7.8,0,0,TCP,1,0,1,1,x\n", "line 2, column 1 (srcip)" },
		{ "1.2.3.4,5.6.7.8,0,0,XTP,1,0,1,1,x\n", "column 5 (proto): cannot parse 'XTP'" },
		{ "1.2.3.4,5.6.7.8,0,0,TCP,soon,0,1,1,x\n", "column 6 (ts)" },
		{ "1.2.3.4,5.6.7.8,0,0,TCP,1,-3,1,1,x\n", "a duration (>= 0)" },
		{ "1.2.3.4,5.6.7.8,0,0,TCP,1e30,0,1,1,x\n", "a time (1824..2116)" }, /* fuzz find */
		{ "1.2.3.4,::1,0,0,TCP,1,0,1,1,x\n", "source is IPv4 but destination is IPv6" },
		{ "1.2.3.4,5.6.7.8,0,0,TCP\n", "line 2: 5 columns, the header has 10" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char text[512];
		snprintf(text, sizeof text, NETFLOW_HEADER "%s", bad[i].row);
		ds = (netshare_dataset *)1;
		ck_assert_status(read_text(text, NULL, &ds), NETSHARE_EFORMAT);
		ck_assert_ptr_null(ds);
		ck_assert_error_contains("in.csv: ");
		ck_assert_error_contains(bad[i].message);
		/* Leniently, the bad row is skipped and counted. */
		netshare_read_params rp;
		netshare_read_params_init(&rp);
		rp.lenient = 1;
		ck_assert_ok(read_text(text, &rp, &ds));
		ck_assert_uint_eq(netshare_dataset_skipped(ds, NETSHARE_SKIP_BAD_ROW), 1);
		netshare_dataset_free(ds);
	}
	ck_assert_status(read_text("srcip,dstip,ts\n", NULL, &ds), NETSHARE_EFORMAT);
	ck_assert_error_contains("no column 'proto'");
	ck_assert_status(read_text("", NULL, &ds), NETSHARE_EFORMAT);
	ck_assert_status(read_text("hello world\n", NULL, &ds), NETSHARE_EFORMAT);
	ck_assert_error_contains("column map");
	rmdir(tmp);
}
END_TEST

START_TEST(zeek_nfdump_and_mapped)
{
	tmp = netshare_test_tmpdir();
	netshare_dataset *ds;
	netshare_record r;
	netshare_record_init(&r);
	ck_assert_ok(read_text("#separator \\x09\n#path\tconn\n"
	                       "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\torig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\tlabel\n"
	                       "1655071231.749548\tC1\t193.201.9.232\t46563\t147.32.81.167\t3933\ttcp\t-\t-\t2\t80\t1\t40\tMalicious\n"
	                       "#close\t2022\n", NULL, &ds));
	ck_assert_uint_eq(netshare_dataset_count(ds), 1);
	ck_assert_ok(netshare_dataset_get(ds, 0, &r));
	ck_assert_int_eq(r.time_ns, 1655071231749548000LL);
	ck_assert_int_eq(r.duration_ns, 0);  /* "-" is unset */
	ck_assert_uint_eq(r.packets, 3);     /* both directions */
	ck_assert_uint_eq(r.bytes, 120);
	ck_assert_uint_eq(r.dst_port, 3933);
	ck_assert_str_eq(r.label, "Malicious");
	netshare_dataset_free(ds);

	/* The same fields as CSV (IoT-23): empty, "-" and "(empty)" are missing; written
	 * back as the same dialect, it reads back the same. */
	netshare_read_params zp;
	netshare_read_params_init(&zp);
	zp.extra_columns = "detailed-label:cat,service";
	ck_assert_ok(read_text("ts,uid,id.orig_h,id.orig_p,id.resp_h,id.resp_p,proto,service,duration,orig_pkts,orig_ip_bytes,resp_pkts,resp_ip_bytes,tunnel_parents,label,detailed-label\n"
	                       "1533042911.474174,C5J,192.168.100.113,123,81.2.254.224,123,udp,,0.005490,1,76,1,76,(empty),Benign,-\n"
	                       "1533042912.5,C6,192.168.100.113,4455,8.8.8.8,23,tcp,-,,3,180,0,0,(empty),Malicious,C&C\n",
	                       &zp, &ds));
	ck_assert_int_eq(ds->format, NETSHARE_FORMAT_ZEEK_CSV);
	ck_assert_uint_eq(netshare_dataset_count(ds), 2);
	ck_assert_ok(netshare_dataset_get(ds, 0, &r));
	ck_assert_int_eq(r.duration_ns, 5490000);
	ck_assert_uint_eq(r.packets, 2);
	ck_assert_str_eq(r.label, "Benign");
	double num;
	const char *text;
	ck_assert_ok(netshare_dataset_extra_get(ds, 0, 0, &num, &text));
	ck_assert_ptr_null(text);
	ck_assert_ok(netshare_dataset_get(ds, 1, &r));
	ck_assert_int_eq(r.duration_ns, 0);
	ck_assert_uint_eq(r.protocol, 6);
	ck_assert_ok(netshare_dataset_extra_get(ds, 1, 0, &num, &text));
	ck_assert_str_eq(text, "C&C");
	ck_assert_ok(netshare_dataset_extra_get(ds, 1, 1, &num, &text));
	ck_assert_ptr_null(text);
	char zout[512];
	netshare_test_path(zout, sizeof zout, tmp, "zeek-out.csv");
	ck_assert_ok(netshare_dataset_write(ds, zout, NULL));
	netshare_dataset *zback;
	ck_assert_ok(netshare_dataset_read(&zback, zout, &zp));
	ck_assert_int_eq(zback->format, NETSHARE_FORMAT_ZEEK_CSV);
	ck_assert_uint_eq(netshare_dataset_count(zback), 2);
	for (size_t i = 0; i < 2; i++) {
		netshare_record a, b;
		netshare_record_init(&a);
		netshare_record_init(&b);
		ck_assert_ok(netshare_dataset_get(ds, i, &a));
		ck_assert_ok(netshare_dataset_get(zback, i, &b));
		ck_assert(a.time_ns == b.time_ns && a.src_ip == b.src_ip && a.dst_port == b.dst_port &&
		          a.packets == b.packets && a.bytes == b.bytes &&
		          a.resp_packets == b.resp_packets && strcmp(a.label, b.label) == 0);
		const char *ta, *tb;
		ck_assert_ok(netshare_dataset_extra_get(ds, i, 0, &num, &ta));
		ck_assert_ok(netshare_dataset_extra_get(zback, i, 0, &num, &tb));
		ck_assert(ta == tb || (ta && tb && strcmp(ta, tb) == 0));
	}
	netshare_dataset_free(zback);
	netshare_dataset_free(ds);
	unlink(zout);
	/* label_column: the label is another column, written back under its name; the
	 * format's own label column is not read. */
	netshare_read_params lp;
	netshare_read_params_init(&lp);
	lp.label_column = "detailed-label";
	const char *iot = "ts,uid,id.orig_h,id.orig_p,id.resp_h,id.resp_p,proto,label,detailed-label\n"
	                  "1.5,C1,1.2.3.4,1,5.6.7.8,2,tcp,Malicious,C&C\n"
	                  "2.5,C2,1.2.3.4,3,5.6.7.8,4,udp,Benign,-\n";
	ck_assert_ok(read_text(iot, &lp, &ds));
	ck_assert_ok(netshare_dataset_get(ds, 0, &r));
	ck_assert_str_eq(r.label, "C&C");
	ck_assert_ok(netshare_dataset_get(ds, 1, &r));
	ck_assert_ptr_null(r.label);
	ck_assert_uint_eq(netshare_dataset_extra_count(ds), 0);
	ck_assert_ok(netshare_dataset_write(ds, zout, NULL));
	char head[256] = "";
	FILE *hf = fopen(zout, "r");
	ck_assert_ptr_nonnull(hf);
	ck_assert_ptr_nonnull(fgets(head, sizeof head, hf));
	fclose(hf);
	ck_assert_ptr_nonnull(strstr(head, ",detailed-label\n"));
	ck_assert_ptr_null(strstr(head, ",label"));
	ck_assert_ok(netshare_dataset_read(&zback, zout, &lp));
	ck_assert_ok(netshare_dataset_get(zback, 0, &r));
	ck_assert_str_eq(r.label, "C&C");
	netshare_dataset_free(zback);
	netshare_dataset_free(ds);
	unlink(zout);
	lp.label_column = "nope";
	ck_assert_status(read_text(iot, &lp, &ds), NETSHARE_EFORMAT);
	ck_assert_error_contains("no column 'nope'");
	lp.label_column = "proto";
	ck_assert_status(read_text(iot, &lp, &ds), NETSHARE_EINVAL);
	ck_assert_error_contains("built-in field");
	lp.label_column = "detailed-label";
	lp.extra_columns = "detailed-label";
	ck_assert_status(read_text(iot, &lp, &ds), NETSHARE_EINVAL);
	ck_assert_error_contains("both the label");
	lp.extra_columns = NULL;
	lp.label_column = "";
	ck_assert_status(read_text(iot, &lp, &ds), NETSHARE_EINVAL);

	/* A NUL or newline separator is refused, not walked past (fuzzer-found overflow). */
	ck_assert_status(read_text("#separator \\x00\n#fields\tts\tid.orig_h\n1\t::1\n", NULL, &ds),
	                 NETSHARE_EFORMAT);
	ck_assert_error_contains("line 1: unusable field separator");
	ck_assert_status(read_text("#separator \\x0a\n#fields\tts\n", NULL, &ds), NETSHARE_EFORMAT);

	/* Concatenated logs repeat the header; the later one applies (fuzzer-found leak). */
	ck_assert_ok(read_text("#fields\tts\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\n"
	                       "1.5\t1.2.3.4\t1\t5.6.7.8\t2\ttcp\n"
	                       "#fields\tproto\tts\tid.orig_h\tid.resp_h\n"
	                       "udp\t2.5\t::1\t::2\n", NULL, &ds));
	ck_assert_uint_eq(netshare_dataset_count(ds), 2);
	ck_assert_ok(netshare_dataset_get(ds, 1, &r));
	ck_assert_uint_eq(r.protocol, 17);
	ck_assert_uint_eq(r.ip_version, 6);
	netshare_dataset_free(ds);

	ck_assert_ok(read_text("ts,te,td,sa,da,sp,dp,pr,flg,ipkt,ibyt\n"
	                       "2018-01-12 15:37:30,2018-01-12 15:37:31.500,1.500,147.32.80.119,147.32.82.62,52324,902,TCP,......S.,3,180\n"
	                       "Summary\nflows,bytes\n1,180\n", NULL, &ds));
	ck_assert_uint_eq(netshare_dataset_count(ds), 1);
	ck_assert_ok(netshare_dataset_get(ds, 0, &r));
	ck_assert_int_eq(r.time_ns, 1515771450LL * 1000000000);
	ck_assert_int_eq(r.duration_ns, 1500000000LL);
	ck_assert_uint_eq(r.packets, 3);
	netshare_dataset_free(ds);

	netshare_read_params rp;
	netshare_read_params_init(&rp);
	rp.column_map = "srcip=a,dstip=b,proto=p,ts_ms=start,te_ms=end,pkt=n";
	ck_assert_ok(read_text("start,end,a,b,p,n,other\n1000,1250,1.1.1.1,2.2.2.2,udp,7,zz\n",
	                       &rp, &ds));
	ck_assert_ok(netshare_dataset_get(ds, 0, &r));
	ck_assert_int_eq(r.time_ns, 1000000000LL);
	ck_assert_int_eq(r.duration_ns, 250000000LL);
	ck_assert_uint_eq(r.protocol, 17);
	ck_assert_uint_eq(r.packets, 7);
	/* Written back in the mapped schema, it reads back the same. */
	char out[512];
	netshare_test_path(out, sizeof out, tmp, "mapped-out.csv");
	ck_assert_ok(netshare_dataset_write(ds, out, NULL));
	netshare_dataset *back;
	ck_assert_ok(netshare_dataset_read(&back, out, &rp));
	netshare_record b;
	netshare_record_init(&b);
	ck_assert_ok(netshare_dataset_get(back, 0, &b));
	ck_assert_mem_eq(&r, &b, sizeof r);
	netshare_dataset_free(back);
	netshare_dataset_free(ds);
	unlink(out);

	const char *bad_maps[] = { "srcip", "srcip=a,srcip=b", "nosuch=a", "ts_hours=x", "" };
	for (size_t i = 0; i < sizeof bad_maps / sizeof bad_maps[0]; i++) {
		rp.column_map = bad_maps[i];
		ck_assert_status(read_text("a,b\n", &rp, &ds), NETSHARE_EINVAL);
		ck_assert_error_contains("column_map");
	}
	rmdir(tmp);
}
END_TEST

START_TEST(extra_columns_read_write_and_errors)
{
	tmp = netshare_test_tmpdir();
	netshare_read_params rp;
	netshare_read_params_init(&rp);
	rp.extra_columns = "service,bytes_in:num,state:cat";
	netshare_dataset *ds;
	ck_assert_ok(read_text(NETFLOW_HEADER_EXTRA
	                       "1.1.1.1,2.2.2.2,1,2,TCP,1000000.0,1,3,120,bg,http,1.5e3,SF\n"
	                       "1.1.1.1,2.2.2.2,1,2,TCP,2000000.0,1,3,120,bg,,,\"S0,x\"\n", &rp, &ds));
	ck_assert_uint_eq(netshare_dataset_extra_count(ds), 3);
	ck_assert_str_eq(netshare_dataset_extra_name(ds, 1), "bytes_in");
	ck_assert_int_eq(netshare_dataset_extra_is_categorical(ds, 0), 1);
	ck_assert_int_eq(netshare_dataset_extra_is_categorical(ds, 1), 0);
	ck_assert_int_eq(netshare_dataset_extra_is_categorical(ds, 3), -1);
	ck_assert_ptr_null(netshare_dataset_extra_name(ds, 3));
	double v;
	const char *t;
	ck_assert_ok(netshare_dataset_extra_get(ds, 0, 0, &v, &t));
	ck_assert_str_eq(t, "http");
	ck_assert(isnan(v));
	ck_assert_ok(netshare_dataset_extra_get(ds, 0, 1, &v, &t));
	ck_assert_double_eq(v, 1500.0);
	ck_assert_ptr_null(t);
	ck_assert_ok(netshare_dataset_extra_get(ds, 1, 0, &v, &t));
	ck_assert_ptr_null(t);                      /* missing categorical */
	ck_assert_ok(netshare_dataset_extra_get(ds, 1, 1, &v, NULL));
	ck_assert(isnan(v));                        /* missing number */
	ck_assert_ok(netshare_dataset_extra_get(ds, 1, 2, NULL, &t));
	ck_assert_str_eq(t, "S0,x");
	ck_assert_status(netshare_dataset_extra_get(ds, 2, 0, &v, &t), NETSHARE_EINVAL);
	ck_assert_status(netshare_dataset_extra_get(ds, 0, 3, &v, &t), NETSHARE_EINVAL);

	/* Written in each flow schema and read back with the same declaration: identical. */
	const char *names[] = { "x.csv", "x.log", "x.nfd" };
	const int formats[] = { 0, 0, NETSHARE_FORMAT_NFDUMP_CSV };
	for (size_t k = 0; k < 3; k++) {
		char out[512];
		netshare_test_path(out, sizeof out, tmp, names[k]);
		netshare_write_params wp;
		netshare_write_params_init(&wp);
		wp.format = formats[k];
		ck_assert_ok(netshare_dataset_write(ds, out, &wp));
		netshare_dataset *back;
		ck_assert_ok(netshare_dataset_read(&back, out, &rp));
		for (size_t row = 0; row < 2; row++)
			for (size_t col = 0; col < 3; col++) {
				double a, b;
				const char *ta, *tb;
				ck_assert_ok(netshare_dataset_extra_get(ds, row, col, &a, &ta));
				ck_assert_ok(netshare_dataset_extra_get(back, row, col, &b, &tb));
				ck_assert(isnan(a) ? isnan(b) : a == b);
				ck_assert(ta ? tb && strcmp(ta, tb) == 0 : tb == NULL);
			}
		netshare_dataset_free(back);
		unlink(out);
	}
	netshare_dataset_free(ds);

	/* Errors: a number that is not, a declared column the file lacks, bad specs. */
	ck_assert_status(read_text(NETFLOW_HEADER_EXTRA
	                           "1.1.1.1,2.2.2.2,1,2,TCP,1,1,3,120,bg,http,lots,SF\n", &rp, &ds),
	                 NETSHARE_EFORMAT);
	ck_assert_error_contains("line 2, column 12 (bytes_in): cannot parse 'lots' as a number");
	rp.extra_columns = "nosuch";
	ck_assert_status(read_text(NETFLOW_HEADER, &rp, &ds), NETSHARE_EFORMAT);
	ck_assert_error_contains("no column 'nosuch' (named in extra_columns)");
	const char *bad_specs[] = { "a:float", "a,a", "srcip", "a\"b" };
	for (size_t i = 0; i < sizeof bad_specs / sizeof bad_specs[0]; i++) {
		rp.extra_columns = bad_specs[i];
		ck_assert_status(read_text(NETFLOW_HEADER, &rp, &ds), NETSHARE_EINVAL);
		ck_assert_error_contains("extra");
	}
	rmdir(tmp);
}
END_TEST

START_TEST(extra_columns_api)
{
	netshare_dataset *ds;
	ck_assert_ok(netshare_dataset_new(&ds, NETSHARE_RECORDS_PACKETS));
	ck_assert_status(netshare_dataset_add_extra(ds, "x", 0), NETSHARE_EINVAL);
	ck_assert_error_contains("only flow datasets");
	netshare_dataset_free(ds);
	ck_assert_ok(netshare_dataset_new(&ds, NETSHARE_RECORDS_FLOWS));
	netshare_record r;
	netshare_record_init(&r);
	r.ip_version = 4;
	ck_assert_ok(netshare_dataset_append(ds, &r));
	ck_assert_ok(netshare_dataset_add_extra(ds, "rtt", 0));
	ck_assert_ok(netshare_dataset_add_extra(ds, "app", 1));
	double v;
	const char *t;
	ck_assert_ok(netshare_dataset_extra_get(ds, 0, 0, &v, NULL));
	ck_assert(isnan(v)); /* rows that existed before the column get a missing value */
	for (int i = 0; i < 5000; i++) { /* growth keeps the extra columns in step */
		ck_assert_ok(netshare_dataset_append(ds, &r));
		ck_assert_ok(netshare_dataset_extra_set(ds, (size_t)i + 1, 0, i * 0.5, NULL));
		ck_assert_ok(netshare_dataset_extra_set(ds, (size_t)i + 1, 1, 0, i % 2 ? "a" : "b"));
	}
	ck_assert_ok(netshare_dataset_extra_get(ds, 4000, 0, &v, NULL));
	ck_assert_double_eq(v, 3999 * 0.5);
	ck_assert_ok(netshare_dataset_extra_get(ds, 4000, 1, NULL, &t));
	ck_assert_str_eq(t, "a");
	ck_assert_ok(netshare_dataset_extra_set(ds, 4000, 1, 0, NULL));
	ck_assert_ok(netshare_dataset_extra_get(ds, 4000, 1, NULL, &t));
	ck_assert_ptr_null(t);
	ck_assert_status(netshare_dataset_extra_set(ds, 5001, 0, 1, NULL), NETSHARE_EINVAL);
	ck_assert_status(netshare_dataset_add_extra(ds, "rtt", 0), NETSHARE_EINVAL);
	ck_assert_status(netshare_dataset_add_extra(ds, "label", 1), NETSHARE_EINVAL);
	ck_assert_status(netshare_dataset_add_extra(ds, "", 1), NETSHARE_EINVAL);
	for (int i = 2; i < NETSHARE_MAX_EXTRA_COLUMNS; i++) {
		char name[16];
		snprintf(name, sizeof name, "c%d", i);
		ck_assert_ok(netshare_dataset_add_extra(ds, name, i % 2));
	}
	ck_assert_status(netshare_dataset_add_extra(ds, "one-too-many", 0), NETSHARE_EINVAL);
	netshare_dataset_free(ds);
}
END_TEST

START_TEST(every_truncation_of_a_small_csv)
{
	tmp = netshare_test_tmpdir();
	const char *text = NETFLOW_HEADER
		"1730436467,719036359,0,0,ICMP,1458298072364000.0,305.636,62,1736,background\n"
		"10.0.0.1,10.0.0.2,1234,80,TCP,1458298072365000.0,1.5,10,4000,blacklist\n"
		"10.0.0.3,10.0.0.2,1234,53,UDP,1458298072366000.0,0,1,60,background\n";
	size_t n = strlen(text);
	for (size_t cut = 0; cut <= n; cut++) {
		char part[1024];
		memcpy(part, text, cut);
		part[cut] = '\0';
		netshare_dataset *ds = NULL;
		netshare_status st = read_text(part, NULL, &ds);
		/* A clean error, or the complete rows before the cut (a cut inside a number
		 * can still parse: "4000" cut to "40" is a valid row). */
		ck_assert_msg(st == NETSHARE_OK || st == NETSHARE_EFORMAT, "cut %zu: %s", cut,
		              netshare_status_name(st));
		if (st == NETSHARE_OK) {
			ck_assert_uint_le(netshare_dataset_count(ds), 3);
			netshare_dataset_free(ds);
		} else {
			ck_assert_ptr_null(ds);
			ck_assert(netshare_last_error()[0] != '\0');
		}
	}
	rmdir(tmp);
}
END_TEST

START_TEST(real_flow_logs)
{
	char path[512];
	netshare_dataset *ds;
	if (netshare_test_data(path, sizeof path, "ugr16-1k.csv")) {
		ck_assert_ok(netshare_dataset_read(&ds, path, NULL));
		ck_assert_uint_eq(netshare_dataset_count(ds), 1000);
		netshare_dataset_free(ds);
	}
	if (netshare_test_data(path, sizeof path, "slips-nfdump.csv")) {
		ck_assert_ok(netshare_dataset_read(&ds, path, NULL));
		ck_assert_uint_eq(netshare_dataset_count(ds), 4593);
		netshare_dataset_free(ds);
	}
	if (netshare_test_data(path, sizeof path, "iot23-8-1.csv")) {
		netshare_read_params rp;
		netshare_read_params_init(&rp);
		rp.extra_columns = "detailed-label";
		ck_assert_ok(netshare_dataset_read(&ds, path, &rp));
		ck_assert_int_eq(ds->format, NETSHARE_FORMAT_ZEEK_CSV);
		ck_assert_uint_eq(netshare_dataset_count(ds), 10403);
		size_t malicious = 0;
		for (size_t i = 0; i < 10403; i++) {
			netshare_record r;
			netshare_record_init(&r);
			ck_assert_ok(netshare_dataset_get(ds, i, &r));
			malicious += r.label && strcmp(r.label, "Malicious") == 0;
		}
		ck_assert_uint_eq(malicious, 8222); /* the data README's count */
		netshare_dataset_free(ds);
	}
	if (netshare_test_data(path, sizeof path, "stratosphere-010.conn.log")) {
		netshare_read_params rp;
		netshare_read_params_init(&rp);
		rp.extra_columns = "service,conn_state,detailedlabel,orig_bytes:num,missed_bytes:num";
		ck_assert_ok(netshare_dataset_read(&ds, path, &rp));
		ck_assert_uint_gt(netshare_dataset_count(ds), 5000);
		ck_assert_uint_eq(netshare_dataset_extra_count(ds), 5);
		netshare_dataset_free(ds);
	}
}
END_TEST

NETSHARE_TEST_MAIN("io-csv",
	scaled_decimals_are_exact,
	datetimes_are_utc,
	format_detection,
	netflow_rows_parse_and_fail_clearly,
	zeek_nfdump_and_mapped,
	extra_columns_read_write_and_errors,
	extra_columns_api,
	every_truncation_of_a_small_csv,
	real_flow_logs)
