/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Records of each chunk's flows, and their delivery in time order. Chunk c's records
 * start no earlier than chunk c's window, so once chunk c is decoded every pending
 * record before chunk c + 1's window is final: only the records that spill past the
 * window wait for the next chunk.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/progress.h"
#include "core/rng.h"
#include "dg/model.h"
#include "io/dataset.h"
#include "io/packet.h"
#include "nn/blas_threads.h"
#include "sampler.h"

/* A packet's payload floor: its service ports' (the larger of the two, unless one is a
 * client's ephemeral port, whose floor says only what the few packets that used it in
 * the trace carried: on a backbone trace an ephemeral port is often seen in one bulk
 * transfer, and its floor put every generated packet of a flow using it near 1500). */
static unsigned
payload_floor(const netshare_encoder *e, uint16_t sport, uint16_t dport)
{
	unsigned a = netshare__is_client_port(sport, dport) ? 0 :
	             netshare__encoder_min_payload(e, sport);
	unsigned b = netshare__is_client_port(dport, sport) ? 0 :
	             netshare__encoder_min_payload(e, dport);
	return a > b ? a : b;
}

int
netshare__batch_rows(const netshare__features *f, size_t k)
{
	size_t first = k * (size_t)f->s->batch;
	return f->rows->n - first < (size_t)f->s->batch ? (int)(f->rows->n - first) : f->s->batch;
}

void
netshare__batch_forward(netshare__features *f, size_t k, unsigned worker, netshare__rng *r)
{
	netshare_sampler *s = f->s;
	const float *attr = f->rows->cond + k * (size_t)s->batch * s->A;
	netshare__rng_seed(r, netshare__sample_seed(s->p.seed, f->chunk, k, 1));
	netshare__generator_forward_given(&s->g[worker], r, netshare__batch_rows(f, k), attr);
}

void
netshare__batch_finish(netshare__features *f, size_t k, unsigned worker, netshare__rng *r)
{
	netshare_sampler *s = f->s;
	size_t first = k * (size_t)s->batch;
	int b = netshare__batch_rows(f, k);
	const float *attr = f->rows->v + first * s->A;
	netshare__generator *g = &s->g[worker];
	netshare__encoder_draw_record_classes(s->enc, g->features, (size_t)b,
	                                      s->p.class_temperature, r);
	netshare_status st = netshare__sampler_new_output(s->enc, &f->part[k]);
	/* A flow continued from an earlier chunk gets at most what its service's longest
	 * real flow has left. */
	uint32_t most[NETSHARE__SAMPLE_BATCH], len[NETSHARE__SAMPLE_BATCH];
	const uint32_t *flow = f->rows->flow + first;
	for (int i = 0; i < b; i++) {
		uint32_t m = s->p.cap_flow_lengths ?
		             netshare__encoder_max_records(s->enc, attr + (size_t)i * s->A) : UINT32_MAX;
		uint32_t done = s->emitted[flow[i]];
		most[i] = m == UINT32_MAX ? m : m > done ? m - done : 0;
	}
	if (st == NETSHARE_OK)
		st = netshare__encoder_decode_capped(s->enc, f->chunk, attr, g->features, (size_t)b,
		                                     most, len, f->part[k]);
	for (int i = 0; st == NETSHARE_OK && i < b; i++)
		s->emitted[flow[i]] += len[i]; /* a flow has one row per chunk: no other batch's */
	/* The length head is one range for every protocol: a generated TCP packet may come
	 * out shorter than its headers, which no real packet is (reference/eval.md T4), or a
	 * DNS packet shorter than any real one of its ports (Wireshark: malformed). */
	netshare_dataset *d = f->part[k];
	for (size_t i = 0; st == NETSHARE_OK && d->kind == NETSHARE_RECORDS_PACKETS && i < d->n; i++) {
		unsigned min = netshare__min_ip_length(d->proto[i], d->ipver[i] == 6);
		if (s->p.payload_floors && netshare__proto_has_ports(d->proto[i]) &&
		    d->frag_off[i] == 0)
			min += payload_floor(s->enc, d->sport[i], d->dport[i]);
		if (d->ip_len[i] < min)
			d->ip_len[i] = (uint16_t)(min < 65535 ? min : 65535);
	}
	if ((f->status[k] = st) < 0)
		snprintf(f->msg[k], sizeof f->msg[k], "%s", netshare_last_error());
}

/* Both halves on one worker: what one process does. */
static void
feature_batch(void *arg, size_t k, unsigned worker)
{
	netshare__rng r;
	netshare__batch_forward(arg, k, worker, &r);
	netshare__batch_finish(arg, k, worker, &r);
}

netshare_status
netshare__sampler_chunk_records(netshare_sampler *s, int c, const netshare__rows *rows,
                                netshare_dataset *out)
{
	size_t batches = (rows->n + (size_t)s->batch - 1) / (size_t)s->batch;
	if (!batches)
		return NETSHARE_OK;
	if (s->emitted_cap < s->seen.n) { /* the flows started so far, before the workers */
		uint32_t *e = netshare__reallocarray(s->emitted, s->seen.n, sizeof *e);
		if (!e)
			return netshare__error_oom("sampler");
		memset(e + s->emitted_cap, 0, (s->seen.n - s->emitted_cap) * sizeof *e);
		s->emitted = e;
		s->emitted_cap = s->seen.n;
	}
	netshare__features f = { s, c, rows, netshare__calloc(batches, sizeof *f.part),
	                         netshare__calloc(batches, sizeof *f.status),
	                         netshare__calloc(batches, sizeof *f.msg) };
	netshare_status st = f.part && f.status && f.msg ? NETSHARE_OK
	                                                 : netshare__error_oom("sampler");
	if (st == NETSHARE_OK && s->mpi_size > 1)
		st = netshare__sampler_batches_mpi(&f, batches); /* f.part of rank 0 only */
	else if (st == NETSHARE_OK)
		netshare__pool_for(s->pool, batches, feature_batch, &f);
	/* Over MPI only rank 0 holds decoded batches. */
	for (size_t k = 0; k < batches && st == NETSHARE_OK && s->mpi_rank == 0; k++) {
		if (f.status[k] < 0) {
			st = netshare__error(f.status[k], "%s", f.msg[k]);
			break;
		}
		for (size_t i = 0; i < f.part[k]->n && st == NETSHARE_OK; i++)
			st = netshare__dataset_copy_row(out, f.part[k], i, NULL);
	}
	for (size_t k = 0; f.part && k < batches; k++)
		netshare_dataset_free(f.part[k]);
	netshare__free(f.part);
	netshare__free(f.status);
	netshare__free(f.msg);
	return st;
}

typedef struct timed {
	int64_t t;
	size_t i;
} timed;

static int
by_time(const void *a, const void *b)
{
	const timed *x = a, *y = b;
	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/* An empty dataset of the model's kind with its extra columns, in the encoder's order. */
netshare_status
netshare__sampler_new_output(const netshare_encoder *e, netshare_dataset **out)
{
	netshare_status st = netshare_dataset_new(out, e->kind);
	if (st == NETSHARE_OK) /* written in the trained file's schema */
		(*out)->format = e->source_format;
	if (st == NETSHARE_OK && e->label_column[0] &&
	    !((*out)->label_column = netshare__strdup(e->label_column)))
		st = netshare__error_oom("sampler output");
	for (size_t x = 0; st == NETSHARE_OK && x < e->n_extra; x++)
		st = netshare_dataset_add_extra(*out, e->extra_name[x], e->extra_cat[x]);
	if (st < 0) {
		netshare_dataset_free(*out);
		*out = NULL;
	}
	return st;
}

/* t_min + (t - t_min) * scale, kept inside the timestamp range. */
static int64_t
scaled(int64_t t, int64_t origin, double scale)
{
	if (scale == 1.0)
		return t;
	double v = (double)origin + (double)(t - origin) * scale;
	double lim = (double)NETSHARE_TIME_LIMIT_NS - 1e6;
	return (int64_t)llround(v > lim ? lim : v < -lim ? -lim : v);
}

/* Deliver the pending records before `boundary` in time order; keep the rest. */
static netshare_status
deliver(netshare_sampler *s, netshare_dataset **pending, int64_t boundary,
        netshare__sink_fn fn, void *user)
{
	netshare_dataset *p = *pending;
	timed *order = netshare__mallocarray(p->n ? p->n : 1, sizeof *order);
	netshare_dataset *rest = NULL;
	netshare_status st = order ? netshare__sampler_new_output(s->enc, &rest)
	                           : netshare__error_oom("sampler ordering");
	if (st < 0)
		goto done;
	for (size_t i = 0; i < p->n; i++)
		order[i] = (timed){ p->time_ns[i], i };
	qsort(order, p->n, sizeof *order, by_time);
	int64_t origin = s->enc->t_min;
	for (size_t k = 0; k < p->n && st == NETSHARE_OK; k++) {
		size_t i = order[k].i;
		if (order[k].t >= boundary) {
			st = netshare__dataset_copy_row(rest, p, i, NULL);
			continue;
		}
		netshare_record rec;
		netshare_record_init(&rec);
		netshare__dataset_row(p, i, &rec);
		rec.time_ns = scaled(rec.time_ns, origin, s->p.time_scale);
		if (p->kind == NETSHARE_RECORDS_FLOWS)
			rec.duration_ns = scaled(rec.duration_ns, 0, s->p.time_scale);
		s->info.records++;
		st = fn(&rec, p, i, user);
	}
done:
	netshare__free(order);
	if (st < 0) {
		netshare_dataset_free(rest);
		return st;
	}
	netshare_dataset_free(p);
	*pending = rest;
	return NETSHARE_OK;
}

static void
release(netshare_sampler *s)
{
	netshare__intern_free(&s->seen);
	memset(&s->seen, 0, sizeof s->seen);
	netshare__free(s->emitted);
	s->emitted = NULL;
	s->emitted_cap = 0;
	for (int c = 0; c < s->enc->chunks; c++)
		netshare__rows_free(&s->carried[c]);
}

/* Generate the trace, passing its records to fn in time order. */
netshare_status
netshare__sampler_run(netshare_sampler *s, netshare__sink_fn fn, void *user)
{
	release(s);
	memset(&s->info, 0, sizeof s->info);
	const netshare_encoder *e = s->enc;
	netshare__progress pr;
	netshare_dataset *pending = NULL;
	netshare__rows rows = { 0 };
	netshare_status st = netshare__progress_begin(&pr, s->p.progress, s->p.progress_user,
	                                              "generate", -1, (uint64_t)e->chunks, 0.0);
	if (st == NETSHARE_OK)
		st = netshare__sampler_new_output(e, &pending);
	/* Small products: BLAS threads would only compete with our workers; and results must
	 * not depend on how OpenBLAS splits a product across its threads. */
	netshare__blas_single_begin();
	if (st == NETSHARE_OK)
		st = netshare__blas_reserve(s->workers, "generate");
	for (int c = 0; c < e->chunks && st == NETSHARE_OK; c++) {
		rows.n = 0;
		st = netshare__dg_copy_generator(&s->g[0], &s->model->dg[c]);
		for (unsigned w = 1; w < s->workers && st == NETSHARE_OK; w++)
			st = netshare__generator_copy_weights(&s->g[w], &s->g[0]);
		if (st < 0 || (st = netshare__sampler_chunk_rows(s, c, &rows)) < 0 ||
		    (st = netshare__sampler_chunk_records(s, c, &rows, pending)) < 0)
			break;
		int64_t boundary = INT64_MAX;
		if (c + 1 < e->chunks) {
			double lo, width;
			netshare__encoder_chunk_window(e, c + 1, &lo, &width);
			boundary = e->t_min + (int64_t)floor(lo);
		}
		if ((st = deliver(s, &pending, boundary, fn, user)) < 0)
			break;
		st = netshare__progress_update(&pr, (uint64_t)c + 1, c + 1 == e->chunks);
	}
	netshare__blas_single_end();
	netshare__rows_free(&rows);
	netshare_dataset_free(pending);
	release(s);
	return st;
}

