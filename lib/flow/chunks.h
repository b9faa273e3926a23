/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal: splitting a trace into K time chunks of equal span, and the flow tags that
 * let chunk models generate flows that cross chunk boundaries (NetShare §4).
 *
 * The span [t_min, t_max] is cut into K equal parts; record time t falls in chunk
 * floor((t - t_min) * K / (t_max - t_min + 1)), so every record has a chunk in 0..K-1
 * and the last chunk ends exactly at t_max. Chunks with no records are kept, so chunk
 * ids are stable (NetShare drops them and shifts the ids). A flow's records within one
 * chunk form a segment; its tags in that chunk are "starts in this chunk" and "appears
 * in chunk i" for every i.
 */
#ifndef NETSHARE_FLOW_CHUNKS_H
#define NETSHARE_FLOW_CHUNKS_H

#include "flows.h"

/* Most chunks a trace can be split into (the appears-in tags are one 64-bit mask). */
#define NETSHARE__MAX_CHUNKS 64

typedef struct netshare__segment {
	uint32_t flow;    /* flow id */
	uint32_t first;   /* offset in the flow's records (flows->order + start[flow]) */
	uint32_t count;   /* records of the flow in this chunk */
} netshare__segment;

typedef struct netshare__chunks {
	int k;
	int64_t t_min, t_max;
	uint64_t *appears;       /* [n_flows] bit i: the flow has records in chunk i */
	uint8_t *first_chunk;    /* [n_flows] chunk of the flow's first record */
	uint32_t *seg_start;     /* [k + 1] segments of chunk c: seg[seg_start[c] ..] */
	netshare__segment *seg;  /* grouped by chunk, by flow id within a chunk */
	size_t n_segments;
} netshare__chunks;

/* The chunk of time t (t within [t_min, t_max]). */
int netshare__chunk_of(const netshare__chunks *c, int64_t t);

/* EINVAL if k is outside 1..NETSHARE__MAX_CHUNKS. The span is the dataset's. */
netshare_status netshare__chunks_build(const netshare_dataset *ds, const netshare__flows *f,
                                       int k, netshare__chunks *out);
/* The same over a given span [t_min, t_max] (an encoder fitted on other data); records
 * outside it fall into the first or last chunk. */
netshare_status netshare__chunks_build_span(const netshare_dataset *ds,
                                            const netshare__flows *f, int k, int64_t t_min,
                                            int64_t t_max, netshare__chunks *out);
void netshare__chunks_free(netshare__chunks *c);

/* Tag of flow `flow` in chunk `chunk`: does the flow start there? */
static inline int
netshare__starts_in(const netshare__chunks *c, uint32_t flow, int chunk)
{
	return c->first_chunk[flow] == chunk;
}

#endif
