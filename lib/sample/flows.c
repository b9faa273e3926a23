/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Which flows each chunk generates: NetShare's attribute merge (reference/netshare.md
 * section 1.5) plus 5-tuple deduplication and chunk-local start times for continuations.
 */
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/rng.h"
#include "dg/model.h"
#include "sampler.h"

netshare_status
netshare__rows_push(netshare__rows *r, const float *row, size_t A)
{
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 256;
		float *v = netshare__reallocarray(r->v, cap * A, sizeof *v);
		if (!v)
			return netshare__error_oom("sampler rows");
		r->v = v;
		r->cap = cap;
	}
	memcpy(r->v + r->n * A, row, A * sizeof *row);
	r->n++;
	return NETSHARE_OK;
}

void
netshare__rows_free(netshare__rows *r)
{
	netshare__free(r->v);
	memset(r, 0, sizeof *r);
}

uint64_t
netshare__sample_seed(uint64_t seed, int c, uint64_t b, int k)
{
	uint64_t z = seed;
	uint64_t parts[3] = { (uint64_t)c + 1, b + 1, (uint64_t)k + 1 };
	for (int i = 0; i < 3; i++) {
		z += 0x9e3779b97f4a7c15ULL * parts[i];
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
		z ^= z >> 31;
	}
	return z;
}

/* A two-way tag head says "1". */
static int
tag_set(const float *row, long off)
{
	return row[off + 1] > row[off];
}

static void
tag_put(float *row, long off, int on)
{
	row[off] = on ? 0.0f : 1.0f;
	row[off + 1] = on ? 1.0f : 0.0f;
}

/* Rows to draw from chunk c's attribute generator. */
static uint64_t
rows_to_draw(const netshare_sampler *s, int c)
{
	const netshare_encoder *e = s->enc;
	if (!s->p.flows)
		return e->chunk_flows[c];
	uint64_t starts = 0;
	for (int k = 0; k < e->chunks; k++)
		starts += e->chunk_starts[k];
	/* Rows drawn per flow started, as in the real chunk. */
	return (uint64_t)((double)s->p.flows * (double)e->chunk_flows[c] /
	                  (double)(starts ? starts : 1) + 0.5);
}

/* 5-tuple bytes of a decoded key. */
static size_t
key_bytes(const netshare_record *k, unsigned char out[40])
{
	memset(out, 0, 40);
	out[0] = k->ip_version;
	out[1] = k->protocol;
	memcpy(out + 2, &k->src_port, 2);
	memcpy(out + 4, &k->dst_port, 2);
	if (k->ip_version == 4) {
		memcpy(out + 8, &k->src_ip, 4);
		memcpy(out + 24, &k->dst_ip, 4);
	} else {
		memcpy(out + 8, k->src_ip6, 16);
		memcpy(out + 24, k->dst_ip6, 16);
	}
	return 40;
}

/* The drawn rows of a chunk, batch by batch (each batch has its own seed, so batches
 * can be drawn by any worker in any order). */
typedef struct draw {
	netshare_sampler *s;
	int chunk;
	uint64_t want;
	float *rows;              /* want x A */
	netshare_record *keys;    /* want */
	netshare_status *status;  /* per batch */
	char (*msg)[256];         /* per batch: a worker's error message */
} draw;

static void
draw_batch(void *arg, size_t k, unsigned worker)
{
	draw *d = arg;
	netshare_sampler *s = d->s;
	size_t first = k * (size_t)s->batch;
	int b = d->want - first < (uint64_t)s->batch ? (int)(d->want - first) : s->batch;
	netshare__generator *g = &s->g[worker];
	netshare__rng r;
	netshare__rng_seed(&r, netshare__sample_seed(s->p.seed, d->chunk, k, 0));
	netshare__generator_forward(g, &r, b, 0);
	memcpy(d->rows + first * s->A, g->attributes, (size_t)b * s->A * sizeof(float));
	d->status[k] = netshare__encoder_decode_keys(s->enc, g->attributes, (size_t)b,
	                                              d->keys + first);
	if (d->status[k] < 0)
		snprintf(d->msg[k], sizeof d->msg[k], "%s", netshare_last_error());
}

/* Go through the drawn rows in order: a row not started here lends its flow start to a
 * continuation; a started row with a new 5-tuple is kept and carried on. */
static netshare_status
keep_started(netshare_sampler *s, int c, const draw *d, netshare__rows *rows, size_t carried_n)
{
	size_t A = s->A, continued = 0;
	netshare_status st = NETSHARE_OK;
	for (uint64_t i = 0; i < d->want && st == NETSHARE_OK; i++) {
		float *row = d->rows + i * A;
		if (s->start_tag >= 0 && !tag_set(row, s->start_tag)) {
			if (continued < carried_n && s->flow_start >= 0)
				rows->v[continued++ * A + (size_t)s->flow_start] = row[s->flow_start];
			s->info.not_started++;
			continue;
		}
		unsigned char kb[40];
		size_t before = s->seen.n;
		uint32_t id;
		if ((st = netshare__intern_add(&s->seen, kb, key_bytes(&d->keys[i], kb), &id)) < 0)
			break;
		if (s->seen.n == before) {
			s->info.duplicates++;
			continue;
		}
		if (s->start_tag >= 0)
			tag_put(row, s->chunk_tag[c], 1);
		if ((st = netshare__rows_push(rows, row, A)) < 0)
			break;
		s->info.flows++;
		if (s->start_tag < 0)
			continue;
		tag_put(row, s->start_tag, 0);
		for (int j = c + 1; j < s->enc->chunks && st == NETSHARE_OK; j++)
			if (tag_set(row, s->chunk_tag[j])) {
				st = netshare__rows_push(&s->carried[j], row, A);
				s->info.continuations++;
			}
	}
	return st;
}

netshare_status
netshare__sampler_chunk_rows(netshare_sampler *s, int c, netshare__rows *rows)
{
	size_t A = s->A;
	netshare__rows *carried = &s->carried[c];
	netshare_status st = NETSHARE_OK;
	/* Continuations first: their 5-tuples are already taken, so a drawn flow with the
	 * same 5-tuple is a duplicate, not a second flow. */
	for (size_t i = 0; i < carried->n && st == NETSHARE_OK; i++)
		st = netshare__rows_push(rows, carried->v + i * A, A);
	draw d = { s, c, rows_to_draw(s, c), NULL, NULL, NULL, NULL };
	size_t batches = (size_t)((d.want + (uint64_t)s->batch - 1) / (uint64_t)s->batch);
	if (st == NETSHARE_OK && d.want) {
		d.rows = netshare__mallocarray((size_t)d.want, A * sizeof *d.rows);
		d.keys = netshare__mallocarray((size_t)d.want, sizeof *d.keys);
		d.status = netshare__calloc(batches, sizeof *d.status);
		d.msg = netshare__calloc(batches, sizeof *d.msg);
		if (!d.rows || !d.keys || !d.status || !d.msg)
			st = netshare__error_oom("sampler");
	}
	if (st == NETSHARE_OK && d.want) {
		netshare__pool_for(s->pool, batches, draw_batch, &d);
		for (size_t k = 0; k < batches && st == NETSHARE_OK; k++)
			if (d.status[k] < 0)
				st = netshare__error(d.status[k], "%s", d.msg[k]);
		if (st == NETSHARE_OK)
			st = keep_started(s, c, &d, rows, carried->n);
	}
	netshare__free(d.rows);
	netshare__free(d.keys);
	netshare__free(d.status);
	netshare__free(d.msg);
	netshare__rows_free(carried);
	return st;
}
