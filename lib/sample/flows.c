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
#include "io/packet.h"
#include "sampler.h"

netshare_status
netshare__rows_push(netshare__rows *r, const float *row, const float *cond, size_t A,
                    uint32_t flow)
{
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 256;
		float *v = netshare__reallocarray(r->v, cap * A, sizeof *v);
		if (v)
			r->v = v;
		float *c = v ? netshare__reallocarray(r->cond, cap * A, sizeof *c) : NULL;
		if (c)
			r->cond = c;
		uint32_t *f = c ? netshare__reallocarray(r->flow, cap, sizeof *f) : NULL;
		if (!f)
			return netshare__error_oom("sampler rows");
		r->flow = f;
		r->cap = cap;
	}
	memcpy(r->v + r->n * A, row, A * sizeof *row);
	memcpy(r->cond + r->n * A, cond, A * sizeof *cond);
	r->flow[r->n] = flow;
	r->n++;
	return NETSHARE_OK;
}

void
netshare__rows_free(netshare__rows *r)
{
	netshare__free(r->v);
	netshare__free(r->cond);
	netshare__free(r->flow);
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

/* Set a two-way tag head in a flow's decoded row and its condition row alike. */
static void
tag_put(float *row, float *cond, long off, int on)
{
	row[off] = cond[off] = on ? 0.0f : 1.0f;
	row[off + 1] = cond[off + 1] = on ? 1.0f : 0.0f;
}

/* A per-chunk count of the real trace (flows started, or rows under NetShare's rule),
 * scaled so that the flows started add up to the flows asked for, if any. */
static uint64_t
chunk_count(const netshare_sampler *s, uint64_t count)
{
	const netshare_encoder *e = s->enc;
	if (!s->p.flows)
		return count;
	uint64_t starts = 0;
	for (int k = 0; k < e->chunks; k++)
		starts += e->chunk_starts[k];
	return (uint64_t)((double)s->p.flows * (double)count / (double)(starts ? starts : 1) + 0.5);
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
	uint64_t first_batch;     /* seed index of this round's first batch */
	uint64_t want;            /* rows in this round */
	float *rows;              /* want x A: the rows records decode from */
	float *cond;              /* want x A: the rows features are conditioned on */
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
	netshare__rng_seed(&r, netshare__sample_seed(s->p.seed, d->chunk, d->first_batch + k, 0));
	netshare__generator_forward_attributes(g, &r, b);
	netshare__encoder_valid_addresses(s->enc, g->attributes, (size_t)b);
	netshare__encoder_draw_classes(s->enc, g->attributes, (size_t)b, s->p.class_temperature, &r);
	netshare__encoder_draw_labels(s->enc, g->attributes, (size_t)b, s->p.class_temperature, &r);
	d->status[k] = NETSHARE_OK;
	memcpy(d->cond + first * s->A, g->attributes, (size_t)b * s->A * sizeof(float));
	if (s->p.draw_partner_ports) {
		d->status[k] = netshare__tail_draw(&s->tail[0], g->attributes, (size_t)b, s->A, &r);
		if (d->status[k] == NETSHARE_OK)
			d->status[k] = netshare__tail_draw(&s->tail[1], g->attributes, (size_t)b,
			                                   s->A, &r);
	}
	memcpy(d->rows + first * s->A, g->attributes, (size_t)b * s->A * sizeof(float));
	if (d->status[k] == NETSHARE_OK)
		d->status[k] = netshare__encoder_decode_keys(s->enc, g->attributes, (size_t)b,
		                                              d->keys + first);
	if (d->status[k] < 0)
		snprintf(d->msg[k], sizeof d->msg[k], "%s", netshare_last_error());
}

/* Words tried when a duplicate 5-tuple gets a new ephemeral port. */
#define REPICK_TRIES 32

static uint64_t
port_count(const netshare__word2vec *w, uint16_t port)
{
	ptrdiff_t j = netshare__w2v_lookup(w, NETSHARE__W2V_WORD(NETSHARE__W2V_PORT, port));
	return j >= 0 && (w->word[j] & 0xffff) == port ? w->count[j] : 0;
}

/* A duplicate 5-tuple made a new connection, as an operating system would: the rarer of
 * its two ports (the ephemeral side) becomes the nearest word of that head, among the
 * values seen in its role, that gives an unused 5-tuple. Dropping duplicates instead
 * would thin out exactly the popular services, whose flows repeat most. Returns 1 after
 * updating the row's port head and the key, 0 if REPICK_TRIES words do not help. */
static int
repick_port(netshare_sampler *s, float *row, netshare_record *key, netshare_status *st)
{
	const netshare__word2vec *w = &s->enc->w2v;
	if (s->enc->kind == NETSHARE_RECORDS_PACKETS && !netshare__proto_has_ports(key->protocol))
		return 0;
	int src = port_count(w, key->src_port) <= port_count(w, key->dst_port);
	const netshare__field *f = src ? s->sport_field : s->dport_field;
	if (!f)
		return 0;
	size_t dim = (size_t)w->dim;
	size_t word[REPICK_TRIES];
	size_t n = netshare__repick_nearest(&s->repick[src ? 0 : 1], row + f->offset, word,
	                                    REPICK_TRIES);
	for (size_t t = 0; t < n; t++) {
		netshare_record k2 = *key;
		*(src ? &k2.src_port : &k2.dst_port) = (uint16_t)(w->word[word[t]] & 0xffff);
		unsigned char kb[40];
		size_t before = s->seen.n;
		uint32_t id;
		if ((*st = netshare__intern_add(&s->seen, kb, key_bytes(&k2, kb), &id)) < 0)
			return 0;
		if (s->seen.n == before)
			continue;
		memcpy(row + f->offset, w->vec + word[t] * dim, dim * sizeof *row);
		/* The new port is one of the word2vec field's choices, so never a class. */
		const netshare__field *cf = src ? s->sport_class : s->dport_class;
		if (cf) {
			memset(row + cf->offset, 0, cf->dim * sizeof *row);
			row[cf->offset + cf->dim - 1] = 1.0f;
		}
		/* A service class may have given the protocol: the protocol head now must. */
		if (s->proto_field && s->proto_field->type == FIELD_W2V) {
			ptrdiff_t pw = netshare__w2v_lookup(w, NETSHARE__W2V_WORD(NETSHARE__W2V_PROTO,
			                                                          key->protocol));
			if (pw >= 0)
				memcpy(row + s->proto_field->offset, w->vec + (size_t)pw * dim,
				       dim * sizeof *row);
		}
		*key = k2;
		return 1;
	}
	return 0;
}

/* Progress of a chunk's drawing across rounds. `rejected`: started rows that failed the
 * condition, which count toward the target when the condition thins a normal-size trace
 * (no flow count asked for: count_rejected). */
typedef struct keep {
	uint64_t target, kept, drawn, started, rejected;
	size_t carried_n, continued;
	int count_rejected;
} keep;

static uint64_t
progress(const keep *k)
{
	return k->kept + (k->count_rejected ? k->rejected : 0);
}

/* Whether a started row passes the condition (always, without one); counts it. */
static int
accepted(netshare_sampler *s, const float *row, const netshare_record *key, keep *k)
{
	if (!s->where.n)
		return 1;
	if (netshare__where_match(&s->where, row, key))
		return 1;
	k->rejected++;
	return 0;
}

/* Go through the drawn rows in order, until `target` flows are kept: a row not started
 * here lends its flow start to a continuation; a started row with a new 5-tuple is kept
 * and carried on. */
static netshare_status
keep_started(netshare_sampler *s, int c, const draw *d, netshare__rows *rows, keep *k)
{
	size_t A = s->A;
	netshare_status st = NETSHARE_OK;
	for (uint64_t i = 0; i < d->want && progress(k) < k->target && st == NETSHARE_OK; i++) {
		float *row = d->rows + i * A, *cond = d->cond + i * A;
		k->drawn++;
		if (s->start_tag >= 0 && !tag_set(row, s->start_tag)) {
			if (k->continued < k->carried_n && s->flow_start >= 0) {
				size_t at = k->continued++ * A + (size_t)s->flow_start;
				rows->v[at] = rows->cond[at] = row[s->flow_start];
			}
			s->info.not_started++;
			continue;
		}
		k->started++;
		if (s->where.n)
			s->info.where_drawn++;
		/* Tested before its 5-tuple is taken, so a rejected flow takes nothing. */
		if (!accepted(s, row, &d->keys[i], k))
			continue;
		unsigned char kb[40];
		size_t before = s->seen.n;
		uint32_t id;
		if ((st = netshare__intern_add(&s->seen, kb, key_bytes(&d->keys[i], kb), &id)) < 0)
			break;
		if (s->seen.n == before) {
			if (!s->p.repick_ports || !repick_port(s, row, &d->keys[i], &st)) {
				s->info.duplicates++;
				continue;
			}
			s->info.repicked++;
			/* A new ephemeral port may be one the condition names another of. */
			if (!accepted(s, row, &d->keys[i], k))
				continue;
		}
		if (s->where.n)
			s->info.where_accepted++;
		if (s->start_tag >= 0)
			tag_put(row, cond, s->chunk_tag[c], 1);
		uint32_t flow = (uint32_t)(s->seen.n - 1); /* its 5-tuple, new or repicked, is the
		                                              latest */
		if ((st = netshare__rows_push(rows, row, cond, A, flow)) < 0)
			break;
		s->info.flows++;
		k->kept++;
		if (s->start_tag < 0)
			continue;
		tag_put(row, cond, s->start_tag, 0);
		for (int j = c + 1; j < s->enc->chunks && st == NETSHARE_OK; j++)
			if (tag_set(row, s->chunk_tag[j])) {
				st = netshare__rows_push(&s->carried[j], row, cond, A, flow);
				s->info.continuations++;
			}
	}
	return st;
}

/* Once enough flows were tested, a condition that accepts too few of them is an error:
 * drawing on would take many times a normal generation and still come out thin. */
static netshare_status
where_judged(const netshare_sampler *s)
{
	const netshare_sample_info *in = &s->info;
	if (!s->where.n || in->where_drawn < NETSHARE_WHERE_MIN_DRAWN ||
	    (double)in->where_accepted >= NETSHARE_WHERE_MIN_ACCEPTANCE * (double)in->where_drawn)
		return NETSHARE_OK;
	return netshare__error(NETSHARE_EINVAL, "where: %llu of %llu drawn flows satisfy the "
	                       "condition (%.4f%%), under the least acceptance rate %g%%: the "
	                       "model rarely generates such flows", (unsigned long long)
	                       in->where_accepted, (unsigned long long)in->where_drawn,
	                       100.0 * (double)in->where_accepted / (double)in->where_drawn,
	                       100.0 * NETSHARE_WHERE_MIN_ACCEPTANCE);
}

/* Draw rounds of rows until the chunk's flows are started: NetShare draws as many rows
 * as the real chunk had flow segments and keeps those flagged "started here", so an
 * undertrained start flag changes how many flows there are; we keep drawing (at the start
 * rate seen so far) until as many flows as really started are kept, up to MAX_DRAW_FACTOR
 * times that many rows. */
#define MAX_DRAW_FACTOR 50
/* Batches drawn at once (bounds the memory of one round). */
#define MAX_ROUND_BATCHES 256

netshare_status
netshare__sampler_chunk_rows(netshare_sampler *s, int c, netshare__rows *rows)
{
	size_t A = s->A, B = (size_t)s->batch;
	netshare__rows *carried = &s->carried[c];
	netshare_status st = NETSHARE_OK;
	/* Continuations first: their 5-tuples are already taken, so a drawn flow with the
	 * same 5-tuple is a duplicate, not a second flow. */
	for (size_t i = 0; i < carried->n && st == NETSHARE_OK; i++)
		st = netshare__rows_push(rows, carried->v + i * A, carried->cond + i * A, A,
		                         carried->flow[i]);
	const netshare_encoder *e = s->enc;
	/* Flows to start: as many as started in the real chunk; or, under NetShare's rule,
	 * rows to draw: as many as the real chunk had flow segments. */
	keep k = { chunk_count(s, e->chunk_starts[c]), 0, 0, 0, 0, carried->n, 0, 0 };
	uint64_t cap = k.target * MAX_DRAW_FACTOR + B, next_batch = 0;
	/* A condition with a flow count: that many flows must pass, whatever the rule, and
	 * the acceptance rate bounds the draws instead. */
	int where_count = s->where.n && s->p.flows;
	if (where_count)
		cap = (uint64_t)((double)k.target * MAX_DRAW_FACTOR / NETSHARE_WHERE_MIN_ACCEPTANCE) + B;
	k.count_rejected = s->where.n && !s->p.flows;
	if (!s->p.enforce_flow_counts && !where_count) { /* one pass over a fixed number of rows */
		cap = chunk_count(s, e->chunk_flows[c]);
		k.target = UINT64_MAX;
	}
	draw d = { s, c, 0, 0, NULL, NULL, NULL, NULL, NULL };
	int enforce = s->p.enforce_flow_counts || where_count;
	while (st == NETSHARE_OK && progress(&k) < k.target && k.drawn < cap &&
	       (st = where_judged(s)) == NETSHARE_OK) {
		/* Start rate so far (at first the real chunk's), with a floor against a model
		 * that never flags a start; under a condition with a count, the rate of kept
		 * flows, floored at the least acceptance. */
		double rate;
		if (where_count && k.drawn) {
			rate = (double)(k.kept + 1) / (double)(k.drawn + 1);
			rate = rate < NETSHARE_WHERE_MIN_ACCEPTANCE ? NETSHARE_WHERE_MIN_ACCEPTANCE : rate;
		} else {
			rate = k.drawn ? (double)(k.started + 1) / (double)(k.drawn + 1) :
			       (double)e->chunk_starts[c] / (double)(e->chunk_flows[c] ? e->chunk_flows[c] : 1);
			rate = rate < 0.02 ? 0.02 : rate > 1 ? 1 : rate;
		}
		uint64_t want = enforce ? (uint64_t)((double)(k.target - progress(&k)) / rate) + 1 :
		                cap - k.drawn;
		size_t batches = (size_t)((want + B - 1) / B);
		if (batches > MAX_ROUND_BATCHES)
			batches = MAX_ROUND_BATCHES;
		d.first_batch = next_batch;
		d.want = enforce || want > (uint64_t)batches * B ?
		         (uint64_t)batches * B : want;
		next_batch += batches;
		netshare__free(d.rows);
		netshare__free(d.cond);
		netshare__free(d.keys);
		netshare__free(d.status);
		netshare__free(d.msg);
		d.rows = netshare__mallocarray((size_t)d.want, A * sizeof *d.rows);
		d.cond = netshare__mallocarray((size_t)d.want, A * sizeof *d.cond);
		d.keys = netshare__mallocarray((size_t)d.want, sizeof *d.keys);
		d.status = netshare__calloc(batches, sizeof *d.status);
		d.msg = netshare__calloc(batches, sizeof *d.msg);
		if (!d.rows || !d.cond || !d.keys || !d.status || !d.msg) {
			st = netshare__error_oom("sampler");
			break;
		}
		if (s->mpi_size > 1) { /* every rank needs every row: keep_started is serial */
			unsigned char *bufs[NETSHARE__SHARED_ROW_BUFFERS] = {
				(unsigned char *)d.rows, (unsigned char *)d.cond, (unsigned char *)d.keys
			};
			const size_t bytes[NETSHARE__SHARED_ROW_BUFFERS] = {
				A * sizeof *d.rows, A * sizeof *d.cond, sizeof *d.keys
			};
			st = netshare__sampler_share_batches(s, batches, draw_batch, &d, (size_t)d.want,
			                                     bufs, bytes, d.status, d.msg);
		} else {
			netshare__pool_for(s->pool, batches, draw_batch, &d);
		}
		for (size_t b = 0; b < batches && st == NETSHARE_OK; b++)
			if (d.status[b] < 0)
				st = netshare__error(d.status[b], "%s", d.msg[b]);
		if (st == NETSHARE_OK)
			st = keep_started(s, c, &d, rows, &k);
	}
	netshare__free(d.rows);
	netshare__free(d.cond);
	netshare__free(d.keys);
	netshare__free(d.status);
	netshare__free(d.msg);
	netshare__rows_free(carried);
	return st;
}
