/* SPDX-License-Identifier: BSD-3-Clause */
/* Equal-span time chunks, per-chunk flow segments and flow tags (see chunks.h). */
#include "chunks.h"

#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/int128.h"

int
netshare__chunk_of(const netshare__chunks *c, int64_t t)
{
	netshare__i128 span = (netshare__i128)c->t_max - c->t_min + 1;
	netshare__i128 k = ((netshare__i128)(t - c->t_min) * c->k) / span;
	return k < 0 ? 0 : k >= c->k ? c->k - 1 : (int)k;
}

void
netshare__chunks_free(netshare__chunks *c)
{
	netshare__free(c->appears);
	netshare__free(c->first_chunk);
	netshare__free(c->seg_start);
	netshare__free(c->seg);
	memset(c, 0, sizeof *c);
}

/* Call fn(arg, flow, chunk, first, count) for each segment of each flow in order. */
#define FOR_EACH_SEGMENT(ds, f, c, BODY)                                                  \
	for (size_t flow = 0; flow < (f)->n_flows; flow++) {                             \
		const uint32_t *idx = (f)->order + (f)->start[flow];                     \
		size_t len = netshare__flow_len((f), flow), first = 0;                   \
		while (first < len) {                                                    \
			int chunk = netshare__chunk_of((c), (ds)->time_ns[idx[first]]);  \
			size_t end = first + 1;                                          \
			while (end < len &&                                              \
			       netshare__chunk_of((c), (ds)->time_ns[idx[end]]) == chunk)  \
				end++;                                                   \
			BODY first = end;                                                \
		}                                                                        \
	}

netshare_status
netshare__chunks_build(const netshare_dataset *ds, const netshare__flows *f, int k,
                       netshare__chunks *c)
{
	return netshare__chunks_build_span(ds, f, k, ds->n ? ds->time_min : 0,
	                                   ds->n ? ds->time_max : 0, c);
}

netshare_status
netshare__chunks_build_span(const netshare_dataset *ds, const netshare__flows *f, int k,
                            int64_t t_min, int64_t t_max, netshare__chunks *c)
{
	memset(c, 0, sizeof *c);
	if (k < 1 || k > NETSHARE__MAX_CHUNKS)
		return netshare__error(NETSHARE_EINVAL, "chunks = %d is outside 1..%d", k,
		                       NETSHARE__MAX_CHUNKS);
	if (t_max < t_min)
		return netshare__error(NETSHARE_EINVAL, "chunk span ends (%lld) before it starts "
		                       "(%lld)", (long long)t_max, (long long)t_min);
	c->k = k;
	c->t_min = t_min;
	c->t_max = t_max;
	c->appears = netshare__calloc(f->n_flows, sizeof *c->appears);
	c->first_chunk = netshare__calloc(f->n_flows, sizeof *c->first_chunk);
	c->seg_start = netshare__calloc((size_t)k + 1, sizeof *c->seg_start);
	if (!c->appears || !c->first_chunk || !c->seg_start) {
		netshare__chunks_free(c);
		return netshare__error_oom("time chunks");
	}
	/* Pass 1: count segments per chunk, record tags. Records of a flow are in time
	 * order, so its chunks are non-decreasing and each chunk is one segment. */
	FOR_EACH_SEGMENT(ds, f, c, {
		if (first == 0)
			c->first_chunk[flow] = (uint8_t)chunk;
		c->appears[flow] |= 1ULL << chunk;
		c->seg_start[chunk + 1]++;
		c->n_segments++;
	})
	for (int i = 0; i < k; i++)
		c->seg_start[i + 1] += c->seg_start[i];
	c->seg = netshare__mallocarray(c->n_segments ? c->n_segments : 1, sizeof *c->seg);
	uint32_t *cursor = netshare__mallocarray((size_t)k, sizeof *cursor);
	if (!c->seg || !cursor) {
		netshare__free(cursor);
		netshare__chunks_free(c);
		return netshare__error_oom("time chunks");
	}
	memcpy(cursor, c->seg_start, (size_t)k * sizeof *cursor);
	/* Pass 2: fill; flows are visited in id order, so each chunk lists them by id. */
	FOR_EACH_SEGMENT(ds, f, c, {
		netshare__segment *s = &c->seg[cursor[chunk]++];
		s->flow = (uint32_t)flow;
		s->first = (uint32_t)first;
		s->count = (uint32_t)(end - first);
	})
	netshare__free(cursor);
	return NETSHARE_OK;
}
