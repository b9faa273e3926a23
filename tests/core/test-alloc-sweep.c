/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Out of memory through every public entry point that allocates: for n = 1, 2, ... the
 * n-th allocation of the call fails (netshare__alloc_fail_after) until the call gets
 * through. Each failing call must return NETSHARE_ENOMEM with a message, leave its
 * output NULL, and leak nothing (the sanitizer build's LeakSanitizer fails the test
 * process on a leak); the call that gets through must work. Inputs are made before the
 * injection starts and freed after it, so only the call itself is under test.
 */
#include "../test-fixtures.h"
#include "core/alloc.h"

/* The call of one entry point on prepared inputs; frees what it made when it worked. */
typedef netshare_status (*call_fn)(void *ctx);

/* An output dataset a call appends to, made before the injection starts. */
static netshare_dataset *sink;

/* Fail the n-th allocation of call(ctx) for every n until it gets through. Returns the
 * number of allocation points found (failing calls). */
static unsigned long
sweep(const char *what, call_fn call, void *ctx)
{
	for (unsigned long n = 1;; n++) {
		ck_assert_msg(n < 200000, "%s: no success after %lu injected failures", what, n);
		ck_assert_ok(netshare_dataset_new(&sink, NETSHARE_RECORDS_PACKETS));
		netshare_clear_error();
		netshare__alloc_fail_after(n);
		netshare_status st = call(ctx);
		netshare__alloc_fail_after(0);
		netshare_dataset_free(sink);
		if (st == NETSHARE_OK) {
			if (getenv("NETSHARE_SWEEP_VERBOSE"))
				fprintf(stderr, "%s: %lu allocations failed cleanly\n", what, n - 1);
			return n - 1;
		}
		ck_assert_msg(st == NETSHARE_ENOMEM, "%s with allocation %lu failing returned %s: %s",
		              what, n, netshare_status_name(st), netshare_last_error());
		ck_assert_msg(netshare_last_error()[0] != '\0', "%s: ENOMEM without a message",
		              what);
	}
}

#define SWEEP(call, ctx) sweep(#call, call, ctx)

/* The inputs every call below uses. */
typedef struct inputs {
	const char *dir;
	char pcap[512], pcapng[512], csv[512], flow_csv[512], zeek[512], model[512],
	     exported[512], out[512];
	netshare_dataset *packets, *flows;
	netshare_encoder *enc;
	netshare_model *model_h;
	netshare_encoded *encoded;
} inputs;

static inputs in;

static netshare_dataset *
flow_records(void)
{
	static const char *labels[] = { "background", "attack", NULL };
	netshare_dataset *ds;
	ck_assert_ok(netshare_dataset_new(&ds, NETSHARE_RECORDS_FLOWS));
	ck_assert_ok(netshare_dataset_add_extra(ds, "app", 1));
	for (int i = 0; i < 60; i++) {
		netshare_record r;
		netshare_record_init(&r);
		r.time_ns = (int64_t)i * 1000000000;
		r.ip_version = 4;
		r.src_ip = 0x0a000001u + (uint32_t)(i % 7);
		r.dst_ip = 0x0a010001u;
		r.protocol = i % 3 ? 6 : 17;
		r.src_port = (uint16_t)(40000 + i);
		r.dst_port = i % 2 ? 443 : 53;
		r.duration_ns = 1000000 * (i + 1);
		r.packets = 2 + (uint64_t)i;
		r.bytes = 100 * r.packets;
		r.label = labels[i % 3];
		ck_assert_ok(netshare_dataset_append(ds, &r));
		ck_assert_ok(netshare_dataset_extra_set(ds, (size_t)i, 0, NAN, i % 2 ? "web" : "dns"));
	}
	return ds;
}

static void
setup(void)
{
	in.dir = netshare_test_tmpdir();
	ck_assert_ptr_nonnull(in.dir);
	netshare_test_path(in.pcap, sizeof in.pcap, in.dir, "t.pcap");
	netshare_test_path(in.pcapng, sizeof in.pcapng, in.dir, "t.pcapng");
	netshare_test_path(in.csv, sizeof in.csv, in.dir, "t.csv");
	netshare_test_path(in.flow_csv, sizeof in.flow_csv, in.dir, "f.csv");
	netshare_test_path(in.zeek, sizeof in.zeek, in.dir, "f.log");
	netshare_test_path(in.model, sizeof in.model, in.dir, "m.nsm");
	netshare_test_path(in.exported, sizeof in.exported, in.dir, "e.nsm");
	netshare_test_path(in.out, sizeof in.out, in.dir, "out");
	in.packets = netshare_test_toy_trace(0);
	in.flows = flow_records();
	ck_assert_ok(netshare_dataset_write(in.packets, in.pcap, NULL));
	ck_assert_ok(netshare_dataset_write(in.packets, in.pcapng, NULL));
	ck_assert_ok(netshare_dataset_write(in.packets, in.csv, NULL));
	ck_assert_ok(netshare_dataset_write(in.flows, in.flow_csv, NULL));
	ck_assert_ok(netshare_dataset_write(in.flows, in.zeek, NULL));
	netshare_encoder_params ep;
	netshare_encoder_params_init(&ep);
	ep.chunks = 2;
	ck_assert_ok(netshare_encoder_fit(&in.enc, in.packets, &ep));
	ck_assert_ok(netshare_encoder_encode(&in.encoded, in.enc, in.packets, 0));
	netshare_model_params mp = netshare_test_small_model_params();
	mp.iterations = 2;
	ck_assert_ok(netshare_model_new(&in.model_h, in.enc, &mp));
	ck_assert_ok(netshare_model_train(in.model_h, in.packets));
	ck_assert_ok(netshare_model_save(in.model_h, in.model));
	ck_assert_ok(netshare_model_export(in.model_h, in.exported));
}

static void
teardown(void)
{
	netshare_encoded_free(in.encoded);
	netshare_model_free(in.model_h);
	netshare_encoder_free(in.enc);
	netshare_dataset_free(in.packets);
	netshare_dataset_free(in.flows);
	const char *files[] = { in.pcap, in.pcapng, in.csv, in.flow_csv, in.zeek, in.model,
	                        in.exported, in.out };
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
		unlink(files[i]);
	/* A failed write leaves nothing behind: the directory is empty now. */
	ck_assert_int_eq(netshare_test_count_files(in.dir), 0);
	rmdir(in.dir);
}

/* After a call that makes a dataset (status st, output ds): check the output is NULL
 * on failure, free it on success. (Call the function first, in its own statement: the
 * order in which arguments are evaluated is unspecified.) */
static netshare_status
dataset_result(netshare_status st, netshare_dataset *ds)
{
	if (st < 0)
		ck_assert_ptr_null(ds);
	netshare_dataset_free(ds);
	return st;
}

static netshare_status
read_path(const char *path)
{
	netshare_dataset *ds = (netshare_dataset *)&in;
	netshare_status st = netshare_dataset_read(&ds, path, NULL);
	return dataset_result(st, ds);
}

static netshare_status read_pcap(void *c) { (void)c; return read_path(in.pcap); }
static netshare_status read_pcapng(void *c) { (void)c; return read_path(in.pcapng); }
static netshare_status read_csv(void *c) { (void)c; return read_path(in.csv); }
static netshare_status read_zeek(void *c) { (void)c; return read_path(in.zeek); }

static netshare_status
read_flow_csv_with_extra(void *c)
{
	(void)c;
	netshare_read_params rp;
	netshare_read_params_init(&rp);
	rp.extra_columns = "app:cat";
	netshare_dataset *ds = NULL;
	netshare_status st = netshare_dataset_read(&ds, in.flow_csv, &rp);
	return dataset_result(st, ds);
}

static netshare_status
new_and_append(void *c)
{
	(void)c;
	netshare_dataset *ds = NULL;
	netshare_status st = netshare_dataset_new(&ds, NETSHARE_RECORDS_FLOWS);
	netshare_record r;
	netshare_record_init(&r);
	for (size_t i = 0; i < netshare_dataset_count(in.flows) && st == NETSHARE_OK; i++)
		if ((st = netshare_dataset_get(in.flows, i, &r)) == NETSHARE_OK)
			st = netshare_dataset_append(ds, &r);
	if (st == NETSHARE_OK)
		st = netshare_dataset_add_extra(ds, "more", 1);
	if (st == NETSHARE_OK)
		st = netshare_dataset_extra_set(ds, 3, 0, NAN, "a new category");
	if (st < 0 && ds)
		ck_assert_uint_le(netshare_dataset_count(ds), netshare_dataset_count(in.flows));
	netshare_dataset_free(ds);
	return st;
}

static netshare_status
write_to(const netshare_dataset *ds, const char *ext)
{
	char path[600];
	snprintf(path, sizeof path, "%s%s", in.out, ext);
	netshare_status st = netshare_dataset_write(ds, path, NULL);
	unlink(path);
	return st;
}

static netshare_status write_pcap(void *c) { (void)c; return write_to(in.packets, ".pcap"); }
static netshare_status write_pcapng(void *c) { (void)c; return write_to(in.packets, ".pcapng"); }
static netshare_status write_csv(void *c) { (void)c; return write_to(in.flows, ".csv"); }
static netshare_status write_zeek(void *c) { (void)c; return write_to(in.flows, ".log"); }

static netshare_status
summary(void *c)
{
	(void)c;
	netshare_summary s = { .struct_size = sizeof s };
	return netshare_dataset_summary(in.packets, &s);
}

static netshare_status
split_time(void *c)
{
	(void)c;
	netshare_dataset *a = (netshare_dataset *)&in, *b = (netshare_dataset *)&in;
	netshare_status st = netshare_dataset_split_time(in.packets, 0.3, &a, &b);
	if (st < 0) {
		ck_assert_ptr_null(a);
		ck_assert_ptr_null(b);
	}
	netshare_dataset_free(a);
	netshare_dataset_free(b);
	return st;
}

static netshare_status
encoder_fit(void *c)
{
	(void)c;
	netshare_encoder_params ep;
	netshare_encoder_params_init(&ep);
	ep.chunks = 2;
	netshare_encoder *e = (netshare_encoder *)&in;
	netshare_status st = netshare_encoder_fit(&e, in.packets, &ep);
	if (st < 0)
		ck_assert_ptr_null(e);
	netshare_encoder_free(e);
	return st;
}

static netshare_status
encoder_fit_flows(void *c)
{
	(void)c;
	netshare_encoder *e = NULL;
	netshare_status st = netshare_encoder_fit(&e, in.flows, NULL);
	netshare_encoder_free(e);
	return st;
}

static netshare_status
encode(void *c)
{
	(void)c;
	netshare_encoded *x = (netshare_encoded *)&in;
	netshare_status st = netshare_encoder_encode(&x, in.enc, in.packets, 1);
	if (st < 0)
		ck_assert_ptr_null(x);
	netshare_encoded_free(x);
	return st;
}

static netshare_status
decode(void *c)
{
	(void)c;
	return netshare_encoder_decode(in.enc, 0, netshare_encoded_attributes(in.encoded),
	                               netshare_encoded_features(in.encoded),
	                               netshare_encoded_flows(in.encoded), sink);
}

static netshare_status
model_new_and_train(void *c)
{
	(void)c;
	netshare_model_params mp = netshare_test_small_model_params();
	mp.iterations = 1;
	mp.batch_size = 8;
	netshare_model *m = (netshare_model *)&in;
	netshare_status st = netshare_model_new(&m, in.enc, &mp);
	if (st < 0)
		ck_assert_ptr_null(m);
	if (st == NETSHARE_OK)
		st = netshare_model_train(m, in.packets);
	netshare_model_free(m);
	return st;
}

static netshare_status
model_save(void *c)
{
	(void)c;
	return netshare_model_save(in.model_h, in.out);
}

static netshare_status
model_export(void *c)
{
	(void)c;
	return netshare_model_export(in.model_h, in.out);
}

static netshare_status
load(const char *path)
{
	netshare_model *m = (netshare_model *)&in;
	netshare_status st = netshare_model_load(&m, path, NULL);
	if (st < 0)
		ck_assert_ptr_null(m);
	netshare_model_free(m);
	return st;
}

static netshare_status model_load(void *c) { (void)c; return load(in.model); }
static netshare_status model_load_exported(void *c) { (void)c; return load(in.exported); }

static netshare_status
sampler_generate(void *c)
{
	(void)c;
	netshare_sample_params sp;
	netshare_sample_params_init(&sp);
	sp.flows = 40;
	netshare_sampler *s = (netshare_sampler *)&in;
	netshare_status st = netshare_sampler_new(&s, in.model_h, &sp);
	if (st < 0) {
		ck_assert_ptr_null(s);
		return st;
	}
	netshare_dataset *ds = (netshare_dataset *)&in;
	st = netshare_sampler_generate(&ds, s);
	dataset_result(st, ds);
	if (st == NETSHARE_OK) {
		char path[600];
		snprintf(path, sizeof path, "%s.pcap", in.out);
		st = netshare_sampler_write(s, path, NULL);
		unlink(path);
	}
	netshare_sampler_free(s);
	return st;
}

static netshare_status
report(void *c)
{
	(void)c;
	netshare_report *r = (netshare_report *)&in;
	netshare_status st = netshare_report_new(&r, in.packets, in.packets, NULL);
	if (st < 0)
		ck_assert_ptr_null(r);
	netshare_report_free(r);
	return st;
}

static netshare_status
report_flows(void *c)
{
	(void)c;
	netshare_report *r = NULL;
	netshare_status st = netshare_report_new(&r, in.flows, in.flows, NULL);
	netshare_report_free(r);
	return st;
}

static netshare_status
baselines(void *c)
{
	(void)c;
	netshare_dataset *ds = (netshare_dataset *)&in;
	netshare_status st = netshare_baseline_marginal(&ds, in.packets, NULL);
	if (dataset_result(st, ds) == NETSHARE_OK) {
		ds = (netshare_dataset *)&in;
		st = netshare_baseline_service_marginal(&ds, in.flows, NULL);
		dataset_result(st, ds);
	}
	return st;
}

START_TEST(datasets_fail_cleanly)
{
	setup();
	ck_assert_uint_gt(SWEEP(read_pcap, NULL), 0);
	ck_assert_uint_gt(SWEEP(read_pcapng, NULL), 0);
	ck_assert_uint_gt(SWEEP(read_csv, NULL), 0);
	ck_assert_uint_gt(SWEEP(read_zeek, NULL), 0);
	ck_assert_uint_gt(SWEEP(read_flow_csv_with_extra, NULL), 0);
	ck_assert_uint_gt(SWEEP(new_and_append, NULL), 0);
	ck_assert_uint_gt(SWEEP(write_pcap, NULL), 0);
	ck_assert_uint_gt(SWEEP(write_pcapng, NULL), 0);
	ck_assert_uint_gt(SWEEP(write_csv, NULL), 0);
	ck_assert_uint_gt(SWEEP(write_zeek, NULL), 0);
	ck_assert_uint_gt(SWEEP(summary, NULL), 0);
	ck_assert_uint_gt(SWEEP(split_time, NULL), 0);
	teardown();
}
END_TEST

START_TEST(encoders_fail_cleanly)
{
	setup();
	ck_assert_uint_gt(SWEEP(encoder_fit, NULL), 0);
	ck_assert_uint_gt(SWEEP(encoder_fit_flows, NULL), 0);
	ck_assert_uint_gt(SWEEP(encode, NULL), 0);
	ck_assert_uint_gt(SWEEP(decode, NULL), 0);
	teardown();
}
END_TEST

START_TEST(models_fail_cleanly)
{
	setup();
	ck_assert_uint_gt(SWEEP(model_new_and_train, NULL), 0);
	ck_assert_uint_gt(SWEEP(model_save, NULL), 0);
	ck_assert_uint_gt(SWEEP(model_export, NULL), 0);
	ck_assert_uint_gt(SWEEP(model_load, NULL), 0);
	ck_assert_uint_gt(SWEEP(model_load_exported, NULL), 0);
	teardown();
}
END_TEST

START_TEST(sampling_and_evaluation_fail_cleanly)
{
	setup();
	ck_assert_uint_gt(SWEEP(sampler_generate, NULL), 0);
	ck_assert_uint_gt(SWEEP(report, NULL), 0);
	ck_assert_uint_gt(SWEEP(report_flows, NULL), 0);
	ck_assert_uint_gt(SWEEP(baselines, NULL), 0);
	teardown();
}
END_TEST

NETSHARE_TEST_MAIN("api-alloc-sweep",
	datasets_fail_cleanly,
	encoders_fail_cleanly,
	models_fail_cleanly,
	sampling_and_evaluation_fail_cleanly)
