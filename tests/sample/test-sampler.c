/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The sampler: determinism (same seed, same records; threads with their own samplers
 * agree with one thread), time order, flows spanning chunks generated once, the counts it
 * reports, time scaling, streaming and cancelling, writing, and bad parameters; the
 * candidate ports of a repeated 5-tuple's new ephemeral port.
 */
#include <math.h>
#include <stddef.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>
#include <unistd.h>

#include "../test-fixtures.h"
#include "core/error.h"
#include "io/dataset.h"
#include "io/packet.h"
#include "dg/model.h"
#include "sample/sampler.h"

static netshare_model *model;
static netshare_dataset *real;

/* Train the small model (each test runs in its own process: once per test). */
static void
setup(void)
{
	if (model)
		return;
	real = netshare_test_toy_trace(1);
	netshare_encoder_params ep;
	netshare_encoder_params_init(&ep);
	ep.chunks = 3;
	netshare_encoder *enc;
	ck_assert_ok(netshare_encoder_fit(&enc, real, &ep));
	netshare_model_params p = netshare_test_small_model_params();
	ck_assert_ok(netshare_model_new(&model, enc, &p));
	netshare_encoder_free(enc);
	ck_assert_ok(netshare_model_train(model, real));
}


static unsigned sample_threads; /* 0: the default */

static netshare_dataset *
sample(uint64_t seed, uint64_t flows, double scale, netshare_sample_info *info)
{
	setup();
	netshare_sample_params sp;
	netshare_sample_params_init(&sp);
	sp.threads = sample_threads;
	sp.seed = seed;
	sp.flows = flows;
	sp.time_scale = scale;
	netshare_sampler *s;
	ck_assert_ok(netshare_sampler_new(&s, model, &sp));
	netshare_dataset *ds;
	ck_assert_ok(netshare_sampler_generate(&ds, s));
	if (info) {
		info->struct_size = sizeof *info;
		ck_assert_ok(netshare_sampler_info_get(s, info));
	}
	netshare_sampler_free(s);
	return ds;
}

START_TEST(same_seed_same_trace)
{
	netshare_dataset *a = sample(5, 0, 1, NULL), *b = sample(5, 0, 1, NULL),
	                 *c = sample(6, 0, 1, NULL);
	ck_assert_uint_gt(netshare_dataset_count(a), 100);
	ck_assert(netshare_test_same_records(a, b));
	ck_assert(!netshare_test_same_records(a, c));
	/* The number of threads changes nothing. */
	for (unsigned t = 1; t <= 3; t += 2) {
		sample_threads = t;
		netshare_dataset *d = sample(5, 0, 1, NULL);
		ck_assert(netshare_test_same_records(a, d));
		netshare_dataset_free(d);
	}
	sample_threads = 0;
	/* Time order; no packet shorter than its headers and its service ports' payload
	 * floor (not a client's ephemeral port's: the higher port, when >= 1024); valid
	 * IPv4 first octets. */
	netshare_record r, prev;
	netshare_record_init(&r);
	netshare_record_init(&prev);
	for (size_t i = 0; i < netshare_dataset_count(a); i++) {
		ck_assert_ok(netshare_dataset_get(a, i, &r));
		if (i)
			ck_assert_int_ge(r.time_ns, prev.time_ns);
		unsigned fs = r.src_port >= 1024 && r.src_port > r.dst_port ? 0 :
		              netshare__encoder_min_payload(model->enc, r.src_port);
		unsigned fd = r.dst_port >= 1024 && r.dst_port > r.src_port ? 0 :
		              netshare__encoder_min_payload(model->enc, r.dst_port);
		ck_assert_uint_ge(r.ip_length, netshare__min_ip_length(r.protocol, 0) +
		                  (netshare__proto_has_ports(r.protocol) && r.frag_offset == 0
		                   ? (fs > fd ? fs : fd) : 0));
		unsigned s_top = r.src_ip >> 24, d_top = r.dst_ip >> 24;
		ck_assert(s_top != 0 && s_top != 127 && s_top < 224);
		ck_assert(d_top != 0 && d_top != 127 && d_top < 240);
		prev = r;
	}
	netshare_dataset_free(a);
	netshare_dataset_free(b);
	netshare_dataset_free(c);
}
END_TEST

typedef struct job {
	uint64_t seed;
	netshare_dataset *out;
} job;

static void *
run_job(void *arg)
{
	job *j = arg;
	netshare_sample_params sp;
	netshare_sample_params_init(&sp);
	sp.seed = j->seed;
	netshare_sampler *s;
	if (netshare_sampler_new(&s, model, &sp) == NETSHARE_OK) {
		if (netshare_sampler_generate(&j->out, s) != NETSHARE_OK)
			j->out = NULL;
		netshare_sampler_free(s);
	}
	return NULL;
}

START_TEST(threads_agree_with_one_thread)
{
	setup();
	job jobs[3] = { { 11, NULL }, { 12, NULL }, { 13, NULL } };
	pthread_t t[3];
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, run_job, &jobs[i]), 0);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(pthread_join(t[i], NULL), 0);
	for (int i = 0; i < 3; i++) {
		ck_assert_ptr_nonnull(jobs[i].out);
		netshare_dataset *alone = sample(jobs[i].seed, 0, 1, NULL);
		ck_assert(netshare_test_same_records(jobs[i].out, alone));
		netshare_dataset_free(alone);
		netshare_dataset_free(jobs[i].out);
	}
}
END_TEST

/* Distinct 5-tuples of a dataset (quadratic, for small traces). */
static size_t
distinct_flows(const netshare_dataset *ds)
{
	size_t n = netshare_dataset_count(ds), distinct = 0;
	netshare_record *r = calloc(n, sizeof *r);
	ck_assert_ptr_nonnull(r);
	for (size_t i = 0; i < n; i++) {
		netshare_record_init(&r[i]);
		ck_assert_ok(netshare_dataset_get(ds, i, &r[i]));
		size_t j = 0;
		for (; j < i; j++)
			if (r[j].src_ip == r[i].src_ip && r[j].dst_ip == r[i].dst_ip &&
			    r[j].src_port == r[i].src_port && r[j].dst_port == r[i].dst_port &&
			    r[j].protocol == r[i].protocol)
				break;
		distinct += j == i;
	}
	free(r);
	return distinct;
}

START_TEST(spanning_flows_are_one_flow)
{
	setup();
	netshare_sample_info info;
	netshare_dataset *ds = sample(3, 0, 1, &info);
	/* As many flows as started in the real trace (one per real 5-tuple). */
	netshare_summary sum = { .struct_size = sizeof sum };
	ck_assert_ok(netshare_dataset_summary(real, &sum));
	ck_assert_uint_eq(info.flows, sum.flows);
	ck_assert_uint_gt(info.flows, 0);
	ck_assert_uint_gt(info.continuations, 0);
	ck_assert_uint_eq(info.records, netshare_dataset_count(ds));
	/* Continuations add records to their flow, never a new 5-tuple. */
	ck_assert_uint_eq(distinct_flows(ds), info.flows);
	/* No flow, however many chunks it spans, gets more records than its service's
	 * longest real flow: chunk by chunk as the sampler runs, every row with a service
	 * group has decoded at most that many records of its flow so far. */
	netshare_sampler *sm;
	ck_assert_ok(netshare_sampler_new(&sm, model, NULL));
	const netshare_encoder *e = model->enc;
	ck_assert_uint_eq(e->n_groups, 4);
	netshare_dataset *out;
	ck_assert_ok(netshare_dataset_new(&out, NETSHARE_RECORDS_PACKETS));
	netshare__rows rows = { 0 };
	size_t checked = 0, continued = 0;
	for (int c = 0; c < e->chunks; c++) {
		rows.n = 0;
		for (unsigned w = 0; w < sm->workers; w++)
			ck_assert_ok(netshare__generator_copy_weights(&sm->g[w], &model->dg[c].g));
		ck_assert_ok(netshare__sampler_chunk_rows(sm, c, &rows));
		for (size_t i = 0; i < rows.n; i++)
			continued += sm->emitted_cap > rows.flow[i] && sm->emitted[rows.flow[i]] > 0;
		ck_assert_ok(netshare__sampler_chunk_records(sm, c, &rows, out));
		for (size_t i = 0; i < rows.n; i++) {
			uint32_t most = netshare__encoder_max_records(e, rows.v + i * sm->A);
			if (most == UINT32_MAX)
				continue;
			ck_assert_uint_le(sm->emitted[rows.flow[i]], most);
			checked++;
		}
	}
	ck_assert_uint_gt(checked, 0);
	ck_assert_uint_gt(continued, 0); /* some flows did span chunks */
	netshare__rows_free(&rows);
	netshare_dataset_free(out);
	netshare_sampler_free(sm);
	netshare_dataset_free(ds);

	/* Asking for N flows gives N (up to rounding per chunk). */
	netshare_sample_info i1;
	netshare_dataset_free(sample(3, 100, 1, &i1));
	ck_assert_uint_le(i1.flows > 100 ? i1.flows - 100 : 100 - i1.flows, 3);
	netshare_dataset_free(sample(3, 437, 1, &i1));
	ck_assert_uint_le(i1.flows > 437 ? i1.flows - 437 : 437 - i1.flows, 3);
}
END_TEST

START_TEST(time_scale_stretches_time)
{
	setup();
	netshare_dataset *a = sample(4, 0, 1, NULL), *b = sample(4, 0, 2.5, NULL);
	ck_assert_uint_eq(netshare_dataset_count(a), netshare_dataset_count(b));
	int64_t origin = real->time_min;
	for (size_t i = 0; i < netshare_dataset_count(a); i++) {
		netshare_record x, y;
		netshare_record_init(&x);
		netshare_record_init(&y);
		ck_assert_ok(netshare_dataset_get(a, i, &x));
		ck_assert_ok(netshare_dataset_get(b, i, &y));
		int64_t want = origin + (int64_t)((double)(x.time_ns - origin) * 2.5 + 0.5);
		ck_assert_int_le(llabs(y.time_ns - want), 1);
		ck_assert_uint_eq(x.src_port, y.src_port);
		ck_assert_uint_eq(x.ip_length, y.ip_length);
	}
	netshare_dataset_free(a);
	netshare_dataset_free(b);
}
END_TEST

static netshare_dataset *
sample_span(double duration_s, double rate, netshare_sample_info *info)
{
	setup();
	netshare_sample_params sp;
	netshare_sample_params_init(&sp);
	sp.seed = 4;
	sp.duration_s = duration_s;
	sp.flow_rate = rate;
	netshare_sampler *s;
	ck_assert_ok(netshare_sampler_new(&s, model, &sp));
	netshare_dataset *ds;
	ck_assert_ok(netshare_sampler_generate(&ds, s));
	info->struct_size = sizeof *info;
	ck_assert_ok(netshare_sampler_info_get(s, info));
	netshare_sampler_free(s);
	return ds;
}

/*
 * Duration and rate: 2.5 windows of the model are its window drawn three times (the
 * first is the plain output, record for record, up to where the second starts), in
 * time order, cut at the end; a flow rate gives that many flows per second over the
 * span; bad values are refused.
 */
START_TEST(duration_fills_time_and_rate_sets_volume)
{
	setup();
	const netshare_encoder *e = model->enc;
	double w = (double)(e->t_max - e->t_min) + 1; /* ns */
	netshare_sample_info plain_info, in;
	netshare_dataset *plain = sample_span(0, 0, &plain_info);
	netshare_dataset *span = sample_span(2.5 * w / 1e9, 0, &in);
	int64_t end = e->t_min + (int64_t)llround(2.5 * w);
	size_t n_plain = 0, in_last = 0;
	for (size_t i = 0; i < netshare_dataset_count(plain); i++)
		n_plain += plain->time_ns[i] < e->t_min + (int64_t)llround(w);
	netshare_record a, b;
	netshare_record_init(&a);
	netshare_record_init(&b);
	for (size_t i = 0, k = 0; i < netshare_dataset_count(span); i++) {
		ck_assert_ok(netshare_dataset_get(span, i, &b));
		ck_assert_int_lt(b.time_ns, end);
		if (i)
			ck_assert_int_ge(b.time_ns, span->time_ns[i - 1]);
		in_last += b.time_ns >= e->t_min + (int64_t)llround(2 * w);
		if (b.time_ns >= e->t_min + (int64_t)llround(w))
			continue;
		ck_assert_ok(netshare_dataset_get(plain, k++, &a)); /* the first window: plain */
		ck_assert_mem_eq(&a, &b, offsetof(netshare_record, label));
		ck_assert_uint_le(k, n_plain);
	}
	ck_assert_uint_gt(in_last, 0);
	ck_assert_uint_gt(netshare_dataset_count(span), 2 * netshare_dataset_count(plain));
	ck_assert_uint_lt(netshare_dataset_count(span), 3 * netshare_dataset_count(plain) + 1);
	ck_assert_uint_ge(in.flows, 2 * plain_info.flows);
	ck_assert_uint_eq(in.records, netshare_dataset_count(span));
	netshare_dataset_free(span);

	/* 100 flows a second over a 2-window span: about 200 w/s flows. */
	double want = 100 * 2 * w / 1e9;
	span = sample_span(2 * w / 1e9, 100, &in);
	ck_assert_double_ge((double)in.flows, want - 2 * 3 - 1); /* rounding per chunk */
	ck_assert_double_le((double)in.flows, want + 2 * 3 + 2);
	netshare_dataset_free(span);
	netshare_dataset_free(plain);

	netshare_sample_params sp;
	netshare_sample_params_init(&sp);
	netshare_sampler *s;
	const double bad_duration[] = { -1, NAN, NETSHARE_SAMPLE_MAX_DURATION_S * 2 };
	for (size_t i = 0; i < 3; i++) {
		sp.duration_s = bad_duration[i];
		ck_assert_status(netshare_sampler_new(&s, model, &sp), NETSHARE_EINVAL);
		ck_assert_error_contains("duration_s");
	}
	sp.duration_s = 0;
	sp.flow_rate = -5;
	ck_assert_status(netshare_sampler_new(&s, model, &sp), NETSHARE_EINVAL);
	ck_assert_error_contains("flow_rate");
	sp.flow_rate = 5;
	sp.flows = 10;
	ck_assert_status(netshare_sampler_new(&s, model, &sp), NETSHARE_EINVAL);
	ck_assert_error_contains("not both");
}
END_TEST

typedef struct counter {
	size_t seen, stop_at;
	int64_t last;
	int ordered;
} counter;

static int
count_records(const netshare_record *r, const netshare_dataset *ds, size_t row, void *user)
{
	counter *c = user;
	ck_assert_ptr_nonnull(ds);
	ck_assert_uint_lt(row, netshare_dataset_count(ds));
	if (c->seen && r->time_ns < c->last)
		c->ordered = 0;
	c->last = r->time_ns;
	return ++c->seen == c->stop_at;
}

START_TEST(stream_matches_generate_and_cancels)
{
	setup();
	netshare_dataset *all = sample(9, 0, 1, NULL);
	netshare_sample_params sp;
	netshare_sample_params_init(&sp);
	sp.seed = 9;
	netshare_sampler *s;
	ck_assert_ok(netshare_sampler_new(&s, model, &sp));
	counter c = { 0, 0, 0, 1 };
	ck_assert_ok(netshare_sampler_stream(s, count_records, &c));
	ck_assert_uint_eq(c.seen, netshare_dataset_count(all));
	ck_assert(c.ordered);
	counter stop = { 0, 10, 0, 1 };
	ck_assert_status(netshare_sampler_stream(s, count_records, &stop), NETSHARE_ECANCELED);
	ck_assert_error_contains("after 10 records");
	ck_assert_uint_eq(stop.seen, 10);
	/* The sampler is still usable and still deterministic after a cancel. */
	netshare_dataset *again;
	ck_assert_ok(netshare_sampler_generate(&again, s));
	ck_assert(netshare_test_same_records(all, again));
	netshare_dataset_free(again);

	/* Writing: the file reads back with every record; a bad path leaves nothing. */
	const char *tmp = netshare_test_tmpdir();
	char path[512], bad[512];
	netshare_test_path(path, sizeof path, tmp, "synthetic.pcap");
	ck_assert_ok(netshare_sampler_write(s, path, NULL));
	netshare_dataset *back;
	ck_assert_ok(netshare_dataset_read(&back, path, NULL));
	ck_assert_uint_eq(netshare_dataset_count(back), netshare_dataset_count(all));
	netshare_dataset_free(back);
	unlink(path);
	netshare_test_path(bad, sizeof bad, tmp, "no/such/dir/out.pcap");
	ck_assert_status(netshare_sampler_write(s, bad, NULL), NETSHARE_EIO);
	netshare_test_path(bad, sizeof bad, tmp, "out.unknown");
	ck_assert_status(netshare_sampler_write(s, bad, NULL), NETSHARE_EINVAL);
	ck_assert_int_ne(access(bad, F_OK), 0);
	rmdir(tmp);
	netshare_sampler_free(s);
	netshare_dataset_free(all);
}
END_TEST

START_TEST(loaded_model_samples_the_same)
{
	setup();
	const char *tmp = netshare_test_tmpdir();
	char path[512];
	netshare_test_path(path, sizeof path, tmp, "m.nsm");
	ck_assert_ok(netshare_model_save(model, path));
	netshare_model *saved_model = model, *loaded;
	ck_assert_ok(netshare_model_load(&loaded, path, NULL));
	netshare_dataset *a = sample(21, 0, 1, NULL);
	model = loaded;
	netshare_dataset *b = sample(21, 0, 1, NULL);
	model = saved_model;
	ck_assert(netshare_test_same_records(a, b));
	netshare_dataset_free(b);
	/* An exported model (generators only) is smaller and samples the same. */
	char exported[512];
	netshare_test_path(exported, sizeof exported, tmp, "m.export.nsm");
	ck_assert_ok(netshare_model_export(model, exported));
	struct stat full, small;
	ck_assert_int_eq(stat(path, &full), 0);
	ck_assert_int_eq(stat(exported, &small), 0);
	ck_assert_int_lt(small.st_size * 2, full.st_size);
	netshare_model_free(loaded);
	ck_assert_ok(netshare_model_load(&loaded, exported, NULL));
	model = loaded;
	b = sample(21, 0, 1, NULL);
	model = saved_model;
	ck_assert(netshare_test_same_records(a, b));
	/* It builds no discriminators, yet reports their sizes as the full model does. */
	ck_assert_int_eq(loaded->dg[0].d.layers, 0);
	ck_assert_ptr_null(loaded->dg[0].round[0].x_real);
	netshare_model_info fi = { .struct_size = sizeof fi }, ei = { .struct_size = sizeof ei };
	ck_assert_ok(netshare_model_info_get(saved_model, &fi));
	ck_assert_ok(netshare_model_info_get(loaded, &ei));
	ck_assert_uint_eq(ei.params_generator, fi.params_generator);
	ck_assert_uint_eq(ei.params_discriminator, fi.params_discriminator);
	ck_assert_uint_eq(ei.params_aux_discriminator, fi.params_aux_discriminator);
	ck_assert_status(netshare_model_train(loaded, real), NETSHARE_ESTATE);
	ck_assert_error_contains("exported");
	ck_assert_status(netshare_model_save(loaded, path), NETSHARE_ESTATE);
	unlink(exported);
	netshare_dataset_free(a);
	netshare_dataset_free(b);
	netshare_model_free(loaded);
	unlink(path);
	rmdir(tmp);
}
END_TEST

START_TEST(bad_parameters)
{
	setup();
	netshare_sampler *s;
	netshare_sample_params sp;
	netshare_sample_params_init(&sp);
	ck_assert_status(netshare_sampler_new(&s, NULL, &sp), NETSHARE_EINVAL);
	ck_assert_ptr_null(s);
	sp.time_scale = 0;
	ck_assert_status(netshare_sampler_new(&s, model, &sp), NETSHARE_EINVAL);
	ck_assert_error_contains("time_scale");
	netshare_sample_params_init(&sp);
	ck_assert_double_eq(sp.class_temperature, 1.0); /* the heads' probabilities, as documented */
	sp.class_temperature = NETSHARE_MAX_CLASS_TEMPERATURE * 2;
	ck_assert_status(netshare_sampler_new(&s, model, &sp), NETSHARE_EINVAL);
	ck_assert_error_contains("class_temperature");
	sp.class_temperature = NAN;
	ck_assert_status(netshare_sampler_new(&s, model, &sp), NETSHARE_EINVAL);
	netshare_sample_params_init(&sp);
	sp.flows = NETSHARE_SAMPLE_MAX_FLOWS + 1;
	ck_assert_status(netshare_sampler_new(&s, model, &sp), NETSHARE_EINVAL);
	ck_assert_error_contains("flows");
	netshare_sample_params_init(&sp);
	sp.struct_size = 3;
	ck_assert_status(netshare_sampler_new(&s, model, &sp), NETSHARE_EABI);
	netshare_sample_params_init(&sp);
	sp.threads = 100000;
	ck_assert_status(netshare_sampler_new(&s, model, &sp), NETSHARE_EINVAL);
	ck_assert_error_contains("threads");
	ck_assert_ok(netshare_sampler_new(&s, model, NULL));
	ck_assert_status(netshare_sampler_stream(s, NULL, NULL), NETSHARE_EINVAL);
	ck_assert_status(netshare_sampler_generate(NULL, s), NETSHARE_EINVAL);
	netshare_sample_info info = { .struct_size = 1 }; /* smaller than struct_size itself */
	ck_assert_status(netshare_sampler_info_get(s, &info), NETSHARE_EABI);
	netshare_sampler_free(s);
	netshare_sampler_free(NULL);
}
END_TEST

static netshare_status
sample_where(const char *where, uint64_t flows, netshare_dataset **out, netshare_sample_info *info)
{
	setup();
	netshare_sample_params sp;
	netshare_sample_params_init(&sp);
	sp.where = where;
	sp.flows = flows;
	netshare_sampler *s;
	netshare_status st = netshare_sampler_new(&s, model, &sp);
	if (st < 0)
		return st;
	st = netshare_sampler_generate(out, s);
	char message[512];
	snprintf(message, sizeof message, "%s", netshare_last_error());
	info->struct_size = sizeof *info;
	ck_assert_ok(netshare_sampler_info_get(s, info));
	netshare_sampler_free(s);
	if (st < 0) /* put back for the caller: the calls above succeeded and cleared it */
		netshare__error(st, "%s", message);
	return st;
}

/*
 * Conditional generation (sample and reject): every record of the output satisfies the
 * condition; with a flow count, that many flows do (up to rounding per chunk); the
 * acceptance counts add up; a condition the model can never meet ends in the acceptance
 * error, not a hang; bad conditions are refused when the sampler is made.
 */
START_TEST(where_keeps_only_matching_flows)
{
	netshare_dataset *ds;
	netshare_sample_info in;
	ck_assert_ok(sample_where("proto=UDP,dstport=53", 0, &ds, &in));
	ck_assert_uint_gt(netshare_dataset_count(ds), 0);
	for (size_t i = 0; i < netshare_dataset_count(ds); i++) {
		netshare_record r;
		netshare_record_init(&r);
		ck_assert_ok(netshare_dataset_get(ds, i, &r));
		ck_assert_uint_eq(r.protocol, 17);
		ck_assert_uint_eq(r.dst_port, 53);
	}
	ck_assert_uint_eq(in.where_accepted, in.flows);
	ck_assert_uint_gt(in.where_drawn, in.where_accepted); /* a third of the flows are UDP */
	netshare_dataset_free(ds);

	ck_assert_ok(sample_where("dstport=443", 200, &ds, &in));
	ck_assert_uint_ge(in.flows, 200 - 3); /* three chunks, each rounded */
	ck_assert_uint_le(in.flows, 200 + 3);
	ck_assert_uint_eq(in.where_accepted, in.flows);
	for (size_t i = 0; i < netshare_dataset_count(ds); i++) {
		netshare_record r;
		netshare_record_init(&r);
		ck_assert_ok(netshare_dataset_get(ds, i, &r));
		ck_assert_uint_eq(r.dst_port, 443);
	}
	netshare_dataset_free(ds);

	/* Port 30001 is only ever a source port: no destination can be it. */
	ds = NULL;
	ck_assert_status(sample_where("dstport=30001", 100, &ds, &in), NETSHARE_EINVAL);
	ck_assert_error_contains("least acceptance rate");
	ck_assert_ptr_null(ds);
	ck_assert_uint_ge(in.where_drawn, NETSHARE_WHERE_MIN_DRAWN);
	ck_assert_uint_eq(in.where_accepted, 0);
	/* A normal-size trace draws fewer flows than that: none passing is an error too. */
	ck_assert_status(sample_where("dstport=30001", 0, &ds, &in), NETSHARE_EINVAL);
	ck_assert_error_contains("none of the");
	ck_assert_ptr_null(ds);
	ck_assert_uint_lt(in.where_drawn, NETSHARE_WHERE_MIN_DRAWN);

	const struct {
		const char *where, *message;
	} bad[] = {
		{ "label=x", "not a flow attribute" },    /* a packet model has no label */
		{ "proto=XTP", "unknown protocol" },
		{ "proto=47", "has no such flows" },
		{ "dstport=8080", "has no port 8080" },
		{ "dstport=-1", "a port is a number" },
		{ "dstport", "not field=value" },
		{ "=5", "not field=value" },
		{ "dstport=53,dstport=443", "given twice" },
		{ ",", "has no terms" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ck_assert_status(sample_where(bad[i].where, 0, &ds, &in), NETSHARE_EINVAL);
		ck_assert_error_contains(bad[i].message);
	}
}
END_TEST

/*
 * Ports of the "other" class: a row whose class is "other" gets a port of the role's
 * non-class ports drawn in proportion to corpus counts, whatever its vector pointed at;
 * a row with a class port keeps its vector.
 */
START_TEST(other_ports_follow_corpus_counts)
{
	setup();
	const netshare_encoder *e = model->enc;
	const netshare__field *w = NULL, *cf = NULL;
	for (size_t k = 0; k < e->attr.n_fields; k++) {
		if (e->attr.field[k].source == SRC_SPORT && e->attr.field[k].type == FIELD_W2V)
			w = &e->attr.field[k];
		if (e->attr.field[k].source == SRC_SPORT_CLASS)
			cf = &e->attr.field[k];
	}
	ck_assert_ptr_nonnull(w);
	ck_assert_ptr_nonnull(cf);
	netshare__tail t;
	ck_assert_ok(netshare__tail_init(&t, e, 0, w, cf, NULL)); /* no partner ports */
	ck_assert_uint_eq(t.n, w->n_choices);
	ck_assert_uint_gt(t.n, 10);
	size_t dim = (size_t)e->w2v.dim;
	/* 4000 rows all pointing at tail port 0, class "other". */
	size_t A = e->attr.dim, n = 4000;
	float *rows = calloc(n * A, sizeof *rows);
	ck_assert_ptr_nonnull(rows);
	for (size_t r = 0; r < n; r++) {
		memcpy(rows + r * A + w->offset, e->w2v.vec + t.word[0] * dim, dim * sizeof *rows);
		rows[r * A + cf->offset + cf->dim - 1] = 1.0f;
	}
	netshare__rng rng;
	netshare__rng_seed(&rng, 5);
	ck_assert_ok(netshare__tail_draw(&t, rows, n, A, &rng));
	double total = 0;
	for (size_t k = 0; k < t.n; k++)
		total += (double)e->w2v.count[t.word[k]];
	size_t seen = 0;
	for (size_t k = 0; k < t.n; k++) {
		const float *v = e->w2v.vec + t.word[k] * dim;
		size_t hits = 0;
		for (size_t r = 0; r < n; r++)
			hits += memcmp(rows + r * A + w->offset, v, dim * sizeof *v) == 0;
		seen += hits;
		double p = (double)e->w2v.count[t.word[k]] / total, want = p * (double)n;
		/* Binomial: within 5 standard deviations (+1 for rounding). */
		ck_assert_double_le(fabs((double)hits - want), 5 * sqrt(want * (1 - p)) + 1);
	}
	ck_assert_uint_eq(seen, n); /* every row got one of the tail's ports */
	netshare__tail_free(&t);
	/* Destination services 443/TCP and 53/UDP are classes; a row with class 443/TCP
	 * keeps its vector. */
	for (size_t k = 0; k < e->attr.n_fields; k++) {
		if (e->attr.field[k].source == SRC_DPORT && e->attr.field[k].type == FIELD_W2V)
			w = &e->attr.field[k];
		if (e->attr.field[k].source == SRC_DPORT_CLASS)
			cf = &e->attr.field[k];
	}
	ck_assert_uint_eq(cf->n_choices, 3);
	ck_assert_uint_eq(cf->choices[0], NETSHARE__SERVICE(443, 6));
	ck_assert_ok(netshare__tail_init(&t, e, 1, w, cf, NULL));
	memset(rows, 0, A * sizeof *rows);
	const float *v443 = e->w2v.vec + (size_t)netshare__w2v_lookup(&e->w2v,
	                        NETSHARE__W2V_WORD(NETSHARE__W2V_PORT, 443)) * dim;
	memcpy(rows + w->offset, v443, dim * sizeof *rows);
	rows[cf->offset + 0] = 1.0f;
	ck_assert_ok(netshare__tail_draw(&t, rows, 1, A, &rng));
	ck_assert_mem_eq(rows + w->offset, v443, dim * sizeof *rows);
	free(rows);
	netshare__tail_free(&t);
}
END_TEST

/*
 * A source port of the "other" class whose flow's destination is a service gets one of
 * the source ports real flows to that service used, by their records; with destination
 * "other", one of the whole tail by corpus count.
 */
START_TEST(other_ports_follow_partner_ports)
{
	setup();
	const netshare_encoder *e = model->enc;
	const netshare__field *w = NULL, *cf[2];
	netshare__encoder_class_fields(e, cf);
	for (size_t k = 0; k < e->attr.n_fields; k++)
		if (e->attr.field[k].source == SRC_SPORT && e->attr.field[k].type == FIELD_W2V)
			w = &e->attr.field[k];
	ck_assert_ptr_nonnull(w);
	const netshare__partner_ports *pp = &e->partner[0];
	ck_assert_uint_eq(pp->n_classes, 3); /* 443/TCP, 53/UDP, other */
	netshare__tail t;
	ck_assert_ok(netshare__tail_init(&t, e, 0, w, cf[0], cf[1]));
	ck_assert_ptr_eq(t.partner, pp);
	size_t dim = (size_t)e->w2v.dim, A = e->attr.dim, n = 30000;
	float *rows = calloc(n * A, sizeof *rows);
	ck_assert_ptr_nonnull(rows);
	for (size_t r = 0; r < n; r++) {
		rows[r * A + cf[0]->offset + cf[0]->dim - 1] = 1.0f;     /* source: other */
		rows[r * A + cf[1]->offset + (r < n / 2 ? 0 : 1)] = 1.0f; /* 443/TCP, 53/UDP */
	}
	netshare__rng rng;
	netshare__rng_seed(&rng, 11);
	ck_assert_ok(netshare__tail_draw(&t, rows, n, A, &rng));
	for (size_t c = 0; c < 2; c++) {
		double total = 0;
		for (uint32_t k = pp->start[c]; k < pp->start[c + 1]; k++)
			total += (double)pp->records[k];
		size_t seen = 0, half = n / 2;
		for (uint32_t k = pp->start[c]; k < pp->start[c + 1]; k++) {
			const float *v = e->w2v.vec + (size_t)netshare__w2v_lookup(&e->w2v,
			                     NETSHARE__W2V_WORD(NETSHARE__W2V_PORT, pp->port[k])) * dim;
			size_t hits = 0;
			for (size_t r = c * half; r < (c + 1) * half; r++)
				hits += memcmp(rows + r * A + w->offset, v, dim * sizeof *v) == 0;
			seen += hits;
			double p = (double)pp->records[k] / total, want = p * (double)half;
			ck_assert_double_le(fabs((double)hits - want), 5 * sqrt(want * (1 - p)) + 1);
		}
		ck_assert_uint_eq(seen, half); /* only ports seen with that service */
	}
	free(rows);
	netshare__tail_free(&t);
}
END_TEST

/*
 * The sampling steps that use statistics of the trace (netshare_sample_params): raw
 * turns every one off and nothing else; with the flow counts off, every row drawn is a
 * flow, a row started earlier or a duplicate, and the rows are NetShare's count (the
 * real chunks' segments); without repicks, no 5-tuple gets a new port; a caller built
 * before the switches gets them on.
 */
START_TEST(raw_turns_off_the_trace_statistics)
{
	setup();
	netshare_sample_params sp, def;
	netshare_sample_params_init(&sp);
	netshare_sample_params_init(&def);
	sp.seed = 9;
	sp.class_temperature = 0.5;
	netshare_sample_params_raw(&sp);
	ck_assert_int_eq(sp.draw_partner_ports, 0);
	ck_assert_int_eq(sp.cap_flow_lengths, 0);
	ck_assert_int_eq(sp.payload_floors, 0);
	ck_assert_int_eq(sp.enforce_flow_counts, 0);
	ck_assert_int_eq(sp.repick_ports, 0);
	ck_assert_uint_eq(sp.seed, 9);
	ck_assert_double_eq(sp.class_temperature, 0.5);
	ck_assert_int_eq(def.draw_partner_ports & def.cap_flow_lengths & def.payload_floors &
	                 def.enforce_flow_counts & def.repick_ports, 1);
	netshare_sample_params_raw(NULL);
	sp.class_temperature = 0;
	netshare_sampler *s;
	ck_assert_ok(netshare_sampler_new(&s, model, &sp));
	netshare_dataset *raw;
	ck_assert_ok(netshare_sampler_generate(&raw, s));
	netshare_sample_info in = { .struct_size = sizeof in };
	ck_assert_ok(netshare_sampler_info_get(s, &in));
	netshare_sampler_free(s);
	ck_assert_uint_eq(in.repicked, 0);
	uint64_t rows = 0;
	for (int c = 0; c < model->enc->chunks; c++)
		rows += model->enc->chunk_flows[c];
	ck_assert_uint_eq(in.flows + in.not_started + in.duplicates, rows);
	netshare_dataset *dflt = sample(9, 0, 1.0, NULL);
	ck_assert(!netshare_test_same_records(raw, dflt));
	/* An older caller's struct (up to class_temperature): the steps stay on. */
	netshare_sample_params old;
	netshare_sample_params_init(&old);
	old.seed = 9;
	old.threads = sample_threads;
	old.struct_size = offsetof(netshare_sample_params, draw_partner_ports);
	ck_assert_ok(netshare_sampler_new(&s, model, &old));
	netshare_dataset *older;
	ck_assert_ok(netshare_sampler_generate(&older, s));
	netshare_sampler_free(s);
	ck_assert(netshare_test_same_records(older, dflt));
	netshare_dataset_free(raw);
	netshare_dataset_free(dflt);
	netshare_dataset_free(older);
}
END_TEST

/*
 * Every output struct follows one rule: the reference call with our size; an older
 * caller (8 bytes short) gets exactly that prefix and nothing written past it; a newer
 * one (16 bytes more) gets the whole struct and zeros for the fields we do not know,
 * nothing past its size; a size that cannot be a struct is EABI.
 */
#define OUT_STRUCT_RULE(T, CALL)                                                          \
	do {                                                                              \
		T ref;                                                                    \
		memset(&ref, 0, sizeof ref);                                              \
		ref.struct_size = sizeof ref;                                             \
		{                                                                         \
			T *o = &ref;                                                      \
			ck_assert_ok(CALL);                                               \
		}                                                                         \
		union { T t; unsigned char b[sizeof(T) + 32]; } u;                         \
		size_t sizes[2] = { sizeof(T) - 8, sizeof(T) + 16 };                      \
		for (int k = 0; k < 2; k++) {                                             \
			memset(u.b, 0xab, sizeof u.b);                                    \
			memcpy(u.b, &sizes[k], sizeof sizes[k]);                           \
			{                                                                 \
				T *o = &u.t;                                              \
				ck_assert_ok(CALL);                                       \
			}                                                                 \
			size_t known = sizes[k] < sizeof(T) ? sizes[k] : sizeof(T);       \
			ck_assert_mem_eq(u.b + sizeof(size_t), (unsigned char *)&ref +    \
			                 sizeof(size_t), known - sizeof(size_t));           \
			for (size_t i = known; i < sizes[k]; i++)                         \
				ck_assert_uint_eq(u.b[i], 0);                              \
			for (size_t i = sizes[k]; i < sizeof u.b; i++)                    \
				ck_assert_uint_eq(u.b[i], 0xab);                           \
		}                                                                         \
		size_t bad = 2;                                                           \
		memcpy(u.b, &bad, sizeof bad);                                            \
		{                                                                         \
			T *o = &u.t;                                                      \
			ck_assert_status(CALL, NETSHARE_EABI);                             \
		}                                                                         \
	} while (0)

START_TEST(output_structs_older_and_newer)
{
	setup();
	netshare_sampler *s;
	ck_assert_ok(netshare_sampler_new(&s, model, NULL));
	netshare_dataset *syn;
	ck_assert_ok(netshare_sampler_generate(&syn, s));
	netshare_report *r;
	ck_assert_ok(netshare_report_new(&r, real, syn, NULL));
	const netshare_encoder *enc = netshare_model_encoder(model);
	OUT_STRUCT_RULE(netshare_dataset_info, netshare_dataset_info_get(real, o));
	OUT_STRUCT_RULE(netshare_summary, netshare_dataset_summary(real, o));
	OUT_STRUCT_RULE(netshare_encoder_info, netshare_encoder_info_get(enc, o));
	OUT_STRUCT_RULE(netshare_field_group, netshare_encoder_group(enc, 0, 1, o));
	OUT_STRUCT_RULE(netshare_statistic, netshare_encoder_statistic_get(enc, 2, o));
	OUT_STRUCT_RULE(netshare_model_info, netshare_model_info_get(model, o));
	OUT_STRUCT_RULE(netshare_sample_info, netshare_sampler_info_get(s, o));
	OUT_STRUCT_RULE(netshare_metric, netshare_report_get(r, 3, o));
	netshare_report_free(r);
	netshare_dataset_free(syn);
	netshare_sampler_free(s);
}
END_TEST

/* netshare__repick_nearest against the plain scan it replaced (per candidate a dot
 * product in dimension order, an insertion-sorted list): the same ports in the same
 * order, on scores with ties (duplicated vectors) and with a head that allows a subset
 * of the ports. */
START_TEST(repick_nearest_matches_a_plain_scan)
{
	enum { PORTS = 300, DIM = 5, PROTOS = 2, TRIES = 32 };
	netshare__word2vec w = { .dim = DIM, .n_words = PORTS + PROTOS };
	w.word = calloc(w.n_words, sizeof *w.word);
	w.vec = calloc(w.n_words * DIM, sizeof *w.vec);
	ck_assert_ptr_nonnull(w.word);
	ck_assert_ptr_nonnull(w.vec);
	w.first[0] = 0;
	w.first[1] = PORTS;
	w.first[2] = PORTS + PROTOS;
	netshare__rng r;
	netshare__rng_seed(&r, 7);
	for (size_t j = 0; j < w.n_words; j++) {
		w.word[j] = j < PORTS ? NETSHARE__W2V_WORD(NETSHARE__W2V_PORT, 1000 + 3 * j) :
		            NETSHARE__W2V_WORD(NETSHARE__W2V_PROTO, j - PORTS + 6);
		for (int d = 0; d < DIM; d++) /* every fifth port repeats the one before: ties */
			w.vec[j * DIM + d] = j % 5 == 4 ? w.vec[(j - 1) * DIM + d] :
			                     (float)netshare__rng_uniform(&r) - 0.5f;
	}
	uint32_t allowed[PORTS];
	uint32_t n_allowed = 0;
	for (size_t j = 0; j < PORTS; j += 2) /* even ports, and one not in the vocabulary */
		allowed[n_allowed++] = 1000 + 3 * (uint32_t)j;
	allowed[n_allowed++] = 65000;
	for (int subset = 0; subset < 2; subset++) {
		netshare__field f = { 0 };
		if (subset) {
			f.n_choices = n_allowed;
			f.choices = allowed;
		}
		netshare__repick rp;
		ck_assert_ok(netshare__repick_init(&rp, &w, &f));
		ck_assert_uint_eq(rp.n, subset ? n_allowed - 1 : PORTS);
		for (int query = 0; query < 20; query++) {
			float q[DIM];
			for (int d = 0; d < DIM; d++)
				q[d] = (float)netshare__rng_uniform(&r) - 0.5f;
			size_t got[TRIES];
			size_t n = netshare__repick_nearest(&rp, q, got, TRIES);
			/* The plain scan. */
			float score[TRIES];
			size_t want[TRIES];
			size_t m = 0;
			for (size_t j = 0, a = 0; j < PORTS; j++) {
				uint32_t v = w.word[j] & 0xffff;
				if (f.n_choices) {
					while (a < f.n_choices && f.choices[a] < v)
						a++;
					if (a == f.n_choices || f.choices[a] != v)
						continue;
				}
				float sc = 0;
				for (int d = 0; d < DIM; d++)
					sc += q[d] * w.vec[j * DIM + d];
				if (m == TRIES && sc <= score[m - 1])
					continue;
				size_t p = m < TRIES ? m++ : TRIES - 1;
				for (; p > 0 && score[p - 1] < sc; p--) {
					score[p] = score[p - 1];
					want[p] = want[p - 1];
				}
				score[p] = sc;
				want[p] = j;
			}
			ck_assert_uint_eq(n, m);
			for (size_t t = 0; t < m; t++)
				ck_assert_uint_eq(got[t], want[t]);
		}
		netshare__repick_free(&rp);
	}
	free(w.word);
	free(w.vec);
}
END_TEST

/*
 * A port the sampler draws names the flow only: the records come from the attribute
 * generator's own row, which the feature generator learnt from. GAN-only with and
 * without the partner-port draw: where neither run dropped a duplicate 5-tuple, the
 * same rows are kept, so every record has the same time, length and addresses, and
 * only ports differ.
 */
START_TEST(drawn_ports_do_not_change_the_records)
{
	setup();
	netshare_dataset *out[2];
	netshare_sample_info in[2];
	for (int partner = 0; partner < 2; partner++) {
		netshare_sample_params sp;
		netshare_sample_params_init(&sp);
		netshare_sample_params_raw(&sp);
		sp.seed = 11;
		sp.draw_partner_ports = partner;
		netshare_sampler *s;
		ck_assert_ok(netshare_sampler_new(&s, model, &sp));
		ck_assert_ok(netshare_sampler_generate(&out[partner], s));
		in[partner] = (netshare_sample_info){ .struct_size = sizeof in[partner] };
		ck_assert_ok(netshare_sampler_info_get(s, &in[partner]));
		netshare_sampler_free(s);
	}
	ck_assert_uint_eq(in[0].duplicates, 0);
	ck_assert_uint_eq(in[1].duplicates, 0);
	size_t n = netshare_dataset_count(out[0]), ports_differ = 0;
	ck_assert_uint_gt(n, 100);
	ck_assert_uint_eq(netshare_dataset_count(out[1]), n);
	netshare_record a, b;
	netshare_record_init(&a);
	netshare_record_init(&b);
	for (size_t i = 0; i < n; i++) {
		ck_assert_ok(netshare_dataset_get(out[0], i, &a));
		ck_assert_ok(netshare_dataset_get(out[1], i, &b));
		ck_assert_int_eq(a.time_ns, b.time_ns);
		ck_assert_uint_eq(a.ip_length, b.ip_length);
		ck_assert_uint_eq(a.src_ip, b.src_ip);
		ck_assert_uint_eq(a.dst_ip, b.dst_ip);
		ck_assert_uint_eq(a.protocol, b.protocol);
		ports_differ += a.src_port != b.src_port || a.dst_port != b.dst_port;
	}
	ck_assert_uint_gt(ports_differ, 0); /* the draw did draw */
	netshare_dataset_free(out[0]);
	netshare_dataset_free(out[1]);
}
END_TEST

NETSHARE_TEST_MAIN("sample-sampler",
                   same_seed_same_trace, threads_agree_with_one_thread,
                   spanning_flows_are_one_flow, time_scale_stretches_time,
                   stream_matches_generate_and_cancels, loaded_model_samples_the_same,
                   bad_parameters, other_ports_follow_corpus_counts,
                   other_ports_follow_partner_ports, raw_turns_off_the_trace_statistics,
                   output_structs_older_and_newer, where_keeps_only_matching_flows,
                   duration_fills_time_and_rate_sets_volume,
                   repick_nearest_matches_a_plain_scan, drawn_ports_do_not_change_the_records)
