/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The output's span and volume (netshare_sample_params.duration_s, flow_rate): one pass
 * over the model's time window, or several back to back, each a fresh draw from the
 * model under its own seed, merged in time order; and the public stream/generate calls.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "io/dataset.h"
#include "sampler.h"

/* The model's window in output nanoseconds (after time_scale). */
static double
window_ns(const netshare_sampler *s)
{
	return ((double)(s->enc->t_max - s->enc->t_min) + 1.0) * s->p.time_scale;
}

netshare_status
netshare__span_check(const netshare_sampler *s)
{
	const netshare_sample_params *p = &s->p;
	if (!(p->duration_s >= 0 && p->duration_s <= NETSHARE_SAMPLE_MAX_DURATION_S))
		return netshare__error(NETSHARE_EINVAL, "netshare_sample_params.duration_s = %g is "
		                       "outside [0, %g]", p->duration_s,
		                       NETSHARE_SAMPLE_MAX_DURATION_S);
	if (!(p->flow_rate >= 0 && p->flow_rate <= NETSHARE_SAMPLE_MAX_FLOW_RATE))
		return netshare__error(NETSHARE_EINVAL, "netshare_sample_params.flow_rate = %g is "
		                       "outside [0, %g]", p->flow_rate, NETSHARE_SAMPLE_MAX_FLOW_RATE);
	if (p->flow_rate > 0 && p->flows)
		return netshare__error(NETSHARE_EINVAL, "netshare_sample_params: give flows or "
		                       "flow_rate, not both");
	double end = (double)s->enc->t_min + p->duration_s * 1e9;
	if (end >= (double)NETSHARE_TIME_LIMIT_NS)
		return netshare__error(NETSHARE_EINVAL, "netshare_sample_params.duration_s = %g "
		                       "ends past the last representable time", p->duration_s);
	double flows = p->flow_rate * (p->duration_s > 0 ? p->duration_s : window_ns(s) / 1e9);
	if (flows > (double)NETSHARE_SAMPLE_MAX_FLOWS)
		return netshare__error(NETSHARE_EINVAL, "netshare_sample_params.flow_rate = %g "
		                       "asks for more than %llu flows", p->flow_rate,
		                       (unsigned long long)NETSHARE_SAMPLE_MAX_FLOWS);
	return NETSHARE_OK;
}

/* Records of later windows come in while an earlier window's long flows still have
 * records to deliver: those wait in `held` (ordered by time) until no record of the
 * window at work can come before them. */
typedef struct span_sink {
	netshare__sink_fn fn;
	void *user;
	int64_t offset;      /* added to every record of the window at work */
	int64_t next_start;  /* where the next window starts (INT64_MAX for the last) */
	int64_t end;         /* records at or after it are cut (INT64_MAX: none) */
	netshare_dataset *held;
	size_t *order, n_order, cap_order, first; /* held rows by time, from `first` */
	uint64_t delivered;
} span_sink;

static netshare_status
emit(span_sink *k, const netshare_record *r, const netshare_dataset *ds, size_t row)
{
	k->delivered++;
	return k->fn(r, ds, row, k->user);
}

/* Deliver the held records at or before time t. */
static netshare_status
flush_held(span_sink *k, int64_t t)
{
	netshare_status st = NETSHARE_OK;
	while (st == NETSHARE_OK && k->first < k->n_order &&
	       k->held->time_ns[k->order[k->first]] <= t) {
		size_t i = k->order[k->first++];
		netshare_record rec;
		netshare_record_init(&rec);
		netshare__dataset_row(k->held, i, &rec);
		st = emit(k, &rec, k->held, i);
	}
	return st;
}

static netshare_status
hold(span_sink *k, const netshare_record *r, const netshare_dataset *ds, size_t row)
{
	if (k->n_order == k->cap_order) {
		size_t cap = k->cap_order ? 2 * k->cap_order : 256;
		size_t *o = netshare__reallocarray(k->order, cap, sizeof *o);
		if (!o)
			return netshare__error_oom("sampler time windows");
		k->order = o;
		k->cap_order = cap;
	}
	netshare_status st = netshare__dataset_copy_row(k->held, ds, row, r);
	if (st < 0)
		return st;
	/* Each window's held records come in time order; two windows' may interleave. */
	size_t at = k->n_order++;
	while (at > k->first && k->held->time_ns[k->order[at - 1]] > r->time_ns) {
		k->order[at] = k->order[at - 1];
		at--;
	}
	k->order[at] = k->held->n - 1;
	return NETSHARE_OK;
}

static netshare_status
to_span(const netshare_record *r, const netshare_dataset *ds, size_t row, void *user)
{
	span_sink *k = user;
	netshare_record rec = *r;
	rec.time_ns += k->offset;
	if (rec.time_ns >= k->end)
		return NETSHARE_OK;
	netshare_status st = flush_held(k, rec.time_ns);
	if (st < 0)
		return st;
	return rec.time_ns >= k->next_start ? hold(k, &rec, ds, row) : emit(k, &rec, ds, row);
}

static void
add_info(netshare_sample_info *sum, const netshare_sample_info *in)
{
	sum->flows += in->flows;
	sum->continuations += in->continuations;
	sum->not_started += in->not_started;
	sum->duplicates += in->duplicates;
	sum->repicked += in->repicked;
	sum->where_drawn += in->where_drawn;
	sum->where_accepted += in->where_accepted;
}

/* Every window the output spans, back to back: window w under its own seed (the first
 * under the caller's, so one window is the plain output), with its share of the flows. */
static netshare_status
run_span(netshare_sampler *s, netshare__sink_fn fn, void *user)
{
	const netshare_sample_params keep = s->p;
	double w = window_ns(s), d = keep.duration_s * 1e9;
	uint64_t windows = d > 0 ? (uint64_t)ceil(d / w) : 1;
	span_sink k = { fn, user, 0, INT64_MAX, INT64_MAX, NULL, NULL, 0, 0, 0, 0 };
	if (d > 0)
		k.end = s->enc->t_min + (int64_t)llround(d);
	netshare_status st = netshare__sampler_new_output(s->enc, &k.held);
	netshare_sample_info sum;
	memset(&sum, 0, sizeof sum);
	/* Each window's share of the flows asked for (0: the model's own count). */
	double flows = keep.flow_rate > 0 ? keep.flow_rate * w / 1e9 :
	               keep.flows && d > 0 ? (double)keep.flows * w / d : (double)keep.flows;
	s->p.flows = (uint64_t)ceil(flows);
	for (uint64_t i = 0; i < windows && st == NETSHARE_OK; i++) {
		s->p.seed = i ? netshare__sample_seed(keep.seed, -1, i, 3) : keep.seed;
		k.offset = (int64_t)llround((double)i * w);
		k.next_start = i + 1 < windows ? s->enc->t_min + (int64_t)llround((double)(i + 1) * w)
		                               : INT64_MAX;
		st = netshare__sampler_run(s, to_span, &k);
		add_info(&sum, &s->info);
	}
	if (st == NETSHARE_OK)
		st = flush_held(&k, INT64_MAX);
	/* An empty trace is no answer to a condition: say so rather than write nothing. */
	if (st == NETSHARE_OK && s->where.n && sum.where_accepted == 0)
		st = netshare__error(NETSHARE_EINVAL, "where: none of the %llu drawn flows "
		                     "satisfied the condition: the model does not generate such "
		                     "flows", (unsigned long long)sum.where_drawn);
	s->p = keep;
	sum.struct_size = sizeof sum;
	sum.records = k.delivered;
	s->info = sum;
	netshare_dataset_free(k.held);
	netshare__free(k.order);
	return st;
}

typedef struct user_sink {
	netshare_record_fn fn;
	void *user;
	uint64_t records;
} user_sink;

static netshare_status
to_user(const netshare_record *r, const netshare_dataset *ds, size_t row, void *user)
{
	user_sink *u = user;
	u->records++;
	if (u->fn(r, ds, row, u->user))
		return netshare__error(NETSHARE_ECANCELED, "sampler: stopped by the record callback "
		                       "after %llu records", (unsigned long long)u->records);
	return NETSHARE_OK;
}

NETSHARE_API netshare_status
netshare_sampler_stream(netshare_sampler *s, netshare_record_fn fn, void *user)
{
	if (!s || !fn)
		return netshare__error(NETSHARE_EINVAL, "netshare_sampler_stream: %s is NULL",
		                       s ? "callback" : "sampler");
	user_sink u = { fn, user, 0 };
	return run_span(s, to_user, &u);
}

static netshare_status
collect(const netshare_record *r, const netshare_dataset *ds, size_t row, void *user)
{
	return netshare__dataset_copy_row(user, ds, row, r);
}

NETSHARE_API netshare_status
netshare_sampler_generate(netshare_dataset **out, netshare_sampler *s)
{
	if (!out)
		return netshare__error(NETSHARE_EINVAL, "netshare_sampler_generate: out is NULL");
	*out = NULL;
	if (!s)
		return netshare__error(NETSHARE_EINVAL, "netshare_sampler_generate: sampler is NULL");
	netshare_dataset *ds;
	netshare_status st = netshare__sampler_new_output(s->enc, &ds);
	if (st == NETSHARE_OK)
		st = run_span(s, collect, ds);
	if (st < 0) {
		netshare_dataset_free(ds);
		return st;
	}
	*out = ds;
	return NETSHARE_OK;
}
