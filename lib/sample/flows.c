/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Which flows each chunk generates: NetShare's attribute merge (reference/netshare.md
 * section 1.5) plus 5-tuple deduplication and chunk-local start times for continuations.
 */
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

/* Keep the started rows of one drawn batch that are new 5-tuples; carry them on. */
static netshare_status
keep_started(netshare_sampler *s, int c, float *cand, size_t n, netshare__rows *rows)
{
	size_t A = s->A;
	netshare_record *keys = netshare__mallocarray(n ? n : 1, sizeof *keys);
	if (!keys)
		return netshare__error_oom("sampler keys");
	netshare_status st = netshare__encoder_decode_keys(s->enc, cand, n, keys);
	for (size_t i = 0; i < n && st == NETSHARE_OK; i++) {
		unsigned char kb[40];
		size_t before = s->seen.n;
		uint32_t id;
		if ((st = netshare__intern_add(&s->seen, kb, key_bytes(&keys[i], kb), &id)) < 0)
			break;
		if (s->seen.n == before) {
			s->info.duplicates++;
			continue;
		}
		float *row = cand + i * A;
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
	netshare__free(keys);
	return st;
}

netshare_status
netshare__sampler_chunk_rows(netshare_sampler *s, int c, netshare__rows *rows)
{
	size_t A = s->A;
	uint64_t want = rows_to_draw(s, c);
	netshare__rows *carried = &s->carried[c];
	netshare_status st = NETSHARE_OK;
	float *cand = netshare__mallocarray((size_t)s->batch * A, sizeof *cand);
	if (!cand)
		return netshare__error_oom("sampler");
	/* Continuations first: their 5-tuples are already taken, so a drawn flow with the
	 * same 5-tuple is a duplicate, not a second flow. */
	for (size_t i = 0; i < carried->n && st == NETSHARE_OK; i++)
		st = netshare__rows_push(rows, carried->v + i * A, A);
	size_t continued = 0; /* continuations given a start time from this chunk's draws */
	uint64_t batch_no = 0;
	for (uint64_t drawn = 0; drawn < want && st == NETSHARE_OK; batch_no++) {
		int b = want - drawn < (uint64_t)s->batch ? (int)(want - drawn) : s->batch;
		netshare__rng r;
		netshare__rng_seed(&r, netshare__sample_seed(s->p.seed, c, batch_no, 0));
		netshare__generator_forward(&s->g, &r, b, 0);
		drawn += (uint64_t)b;
		size_t n = 0;
		for (int i = 0; i < b; i++) {
			const float *row = s->g.attributes + (size_t)i * A;
			if (s->start_tag >= 0 && !tag_set(row, s->start_tag)) {
				/* A continuation as this chunk's model draws it: lend its start time. */
				if (continued < carried->n && s->flow_start >= 0)
					rows->v[continued++ * A + (size_t)s->flow_start] = row[s->flow_start];
				s->info.not_started++;
				continue;
			}
			memcpy(cand + n++ * A, row, A * sizeof *row);
		}
		st = keep_started(s, c, cand, n, rows);
	}
	netshare__free(cand);
	netshare__rows_free(carried);
	return st;
}
