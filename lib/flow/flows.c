/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * 5-tuple flow grouping: one hash lookup per record, then a counting sort into flows.
 *
 * Keys are packed into two 64-bit words and kept once per flow; the hash table holds
 * only 32-bit flow ids, so its cache footprint stays small. This is on the ingest path
 * (bench/bench-io measures it against a bare libpcap loop).
 */
#include "flows.h"

#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"

typedef struct flow_key {
	uint64_t a, b;
} flow_key;

static inline flow_key
key_of(const netshare_dataset *ds, size_t i)
{
	flow_key k;
	k.a = ((uint64_t)ds->src[i] << 32) | ds->dst[i];
	k.b = ((uint64_t)ds->sport[i] << 32) | ((uint64_t)ds->dport[i] << 16) |
	      ((uint64_t)ds->proto[i] << 8) | ds->ipver[i];
	return k;
}

static inline uint64_t
hash_key(flow_key k)
{
	uint64_t h = k.a * 0x9e3779b97f4a7c15ULL ^ (k.b + 0x632be59bd9b4e019ULL);
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ULL;
	return h ^ (h >> 32);
}

typedef struct table {
	uint32_t *slots;  /* flow id + 1; 0 empty */
	size_t mask;
	flow_key *keys;   /* [flows] */
	size_t n, cap;
} table;

static netshare_status
table_grow(table *t)
{
	size_t n_slots = (t->mask + 1) * 2;
	uint32_t *slots = netshare__calloc(n_slots, sizeof *slots);
	if (!slots)
		return netshare__error_oom("flow table");
	for (size_t id = 0; id < t->n; id++) {
		size_t s = hash_key(t->keys[id]) & (n_slots - 1);
		while (slots[s])
			s = (s + 1) & (n_slots - 1);
		slots[s] = (uint32_t)id + 1;
	}
	netshare__free(t->slots);
	t->slots = slots;
	t->mask = n_slots - 1;
	return NETSHARE_OK;
}

/* Flow id of key k (hash h), inserting it if new; UINT32_MAX on allocation failure. */
static uint32_t
table_id(table *t, flow_key k, uint64_t h)
{
	size_t s = h & t->mask;
	for (;; s = (s + 1) & t->mask) {
		uint32_t v = t->slots[s];
		if (v == 0)
			break;
		if (t->keys[v - 1].a == k.a && t->keys[v - 1].b == k.b)
			return v - 1;
	}
	if (t->n == t->cap) {
		size_t cap = t->cap * 2;
		flow_key *keys = netshare__reallocarray(t->keys, cap, sizeof *keys);
		if (!keys)
			return UINT32_MAX;
		t->keys = keys;
		t->cap = cap;
	}
	t->keys[t->n] = k;
	t->slots[s] = (uint32_t)++t->n;
	if (2 * t->n > t->mask + 1 && table_grow(t) < 0)
		return UINT32_MAX;
	return (uint32_t)(t->n - 1);
}

void
netshare__flows_free(netshare__flows *f)
{
	netshare__free(f->flow_of);
	netshare__free(f->start);
	netshare__free(f->order);
	memset(f, 0, sizeof *f);
}

/* Sort one flow's record indices by (time, index): insertion sort, since flows are short
 * and nearly sorted (only out-of-order captures get here). */
static void
sort_by_time(const int64_t *t, uint32_t *idx, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		uint32_t v = idx[i];
		size_t j = i;
		while (j > 0 && (t[idx[j - 1]] > t[v] || (t[idx[j - 1]] == t[v] && idx[j - 1] > v))) {
			idx[j] = idx[j - 1];
			j--;
		}
		idx[j] = v;
	}
}

netshare_status
netshare__flows_build(const netshare_dataset *ds, netshare__flows *out)
{
	memset(out, 0, sizeof *out);
	size_t n = ds->n;
	table t = { 0 };
	/* Sized for a flow per 4 records (real traces have fewer), so that large traces
	 * skip most rehashing: about 4 bytes per record at most. */
	t.mask = 1023;
	while (t.mask + 1 < n / 2)
		t.mask = 2 * t.mask + 1;
	t.cap = n / 8 > 512 ? n / 8 : 512;
	t.slots = netshare__calloc(t.mask + 1, sizeof *t.slots);
	t.keys = netshare__mallocarray(t.cap, sizeof *t.keys);
	out->flow_of = netshare__mallocarray(n, sizeof *out->flow_of);
	out->order = netshare__mallocarray(n, sizeof *out->order);
	netshare_status st = NETSHARE_OK;
	if (!t.slots || !t.keys || !out->flow_of || !out->order) {
		st = netshare__error_oom("flow table");
		goto done;
	}
	netshare__advise_huge(out->flow_of, n * sizeof *out->flow_of);
	netshare__advise_huge(out->order, n * sizeof *out->order);
	/* The table outgrows the caches, so a lookup waits on a miss for its slot and
	 * another for the key the slot names. Hashes are computed PREFETCH records ahead
	 * into a ring and their slots prefetched, so the misses of consecutive records
	 * overlap instead of adding up. */
	enum { PREFETCH = 16 };
	uint64_t ring[PREFETCH];
	for (size_t i = 0; i < PREFETCH && i < n; i++) {
		ring[i] = hash_key(key_of(ds, i));
		__builtin_prefetch(&t.slots[ring[i] & t.mask]);
	}
	for (size_t i = 0; i < n; i++) {
		uint64_t h = ring[i % PREFETCH];
		if (i + PREFETCH < n) {
			uint64_t ahead = hash_key(key_of(ds, i + PREFETCH));
			ring[i % PREFETCH] = ahead;
			__builtin_prefetch(&t.slots[ahead & t.mask]);
		}
		uint32_t id = table_id(&t, key_of(ds, i), h);
		if (id == UINT32_MAX) {
			st = netshare__error_oom("flow table");
			goto done;
		}
		out->flow_of[i] = id;
	}
	out->n_records = n;
	out->n_flows = t.n;
	out->start = netshare__calloc(t.n + 1, sizeof *out->start);
	if (!out->start) {
		st = netshare__error_oom("flow index");
		goto done;
	}
	for (size_t i = 0; i < n; i++)
		out->start[out->flow_of[i] + 1]++;
	for (size_t f = 0; f < t.n; f++)
		out->start[f + 1] += out->start[f];
	/* Place records using start[] as running cursors, then shift the cursors back. */
	for (size_t i = 0; i < n; i++)
		out->order[out->start[out->flow_of[i]]++] = (uint32_t)i;
	for (size_t f = t.n; f > 0; f--)
		out->start[f] = out->start[f - 1];
	out->start[0] = 0;
	if (ds->out_of_order)
		for (size_t f = 0; f < t.n; f++)
			sort_by_time(ds->time_ns, out->order + out->start[f], netshare__flow_len(out, f));
done:
	netshare__free(t.slots);
	netshare__free(t.keys);
	if (st < 0)
		netshare__flows_free(out);
	return st;
}

void
netshare__flow_stats_get(const netshare_dataset *ds, const netshare__flows *f, size_t flow,
                         netshare__flow_stats *s)
{
	memset(s, 0, sizeof *s);
	const uint32_t *idx = f->order + f->start[flow];
	size_t len = netshare__flow_len(f, flow);
	s->records = len;
	s->first_ns = len ? ds->time_ns[idx[0]] : 0;
	s->last_ns = s->first_ns;
	for (size_t j = 0; j < len; j++) {
		size_t i = idx[j];
		int64_t end = ds->time_ns[i];
		if (ds->kind == NETSHARE_RECORDS_PACKETS) {
			s->packets++;
			s->bytes += ds->ip_len[i];
		} else {
			s->packets += ds->packets[i];
			s->bytes += ds->bytes[i];
			end += ds->duration_ns[i];
		}
		if (end > s->last_ns)
			s->last_ns = end;
	}
}
