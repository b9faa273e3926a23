/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal: grouping a dataset's records into flows by directional 5-tuple
 * (IP version, src, dst, src port, dst port, protocol).
 *
 * The result is a compressed index: `order` lists record indices flow by flow, each
 * flow's records by time (ties by file order), and flow f owns
 * order[start[f] .. start[f+1]). Flow ids follow first appearance in the dataset.
 */
#ifndef NETSHARE_FLOW_FLOWS_H
#define NETSHARE_FLOW_FLOWS_H

#include "io/dataset.h"

typedef struct netshare__flows {
	size_t n_records;
	size_t n_flows;
	uint32_t *flow_of;  /* [n_records] flow id of each record */
	uint32_t *start;    /* [n_flows + 1] */
	uint32_t *order;    /* [n_records] */
} netshare__flows;

netshare_status netshare__flows_build(const netshare_dataset *ds, netshare__flows *out);
void netshare__flows_free(netshare__flows *f);

static inline size_t
netshare__flow_len(const netshare__flows *f, size_t flow)
{
	return f->start[flow + 1] - f->start[flow];
}

/* The service of a flow: the destination port and protocol of its first record, as a
 * key (port | protocol << 16). The evaluation's per-service metrics and the
 * service-marginal baseline group flows by it. */
static inline uint32_t
netshare__flow_service(const netshare_dataset *ds, const netshare__flows *f, size_t flow)
{
	uint32_t i = f->order[f->start[flow]];
	return (uint32_t)ds->dport[i] | (uint32_t)ds->proto[i] << 16;
}

/* Totals of one flow: records, packets (records for packet data, pkt for flow records),
 * bytes (ip_length or byt), first and last time (flow records: start + duration). */
typedef struct netshare__flow_stats {
	uint64_t records, packets, bytes;
	int64_t first_ns, last_ns;
} netshare__flow_stats;

void netshare__flow_stats_get(const netshare_dataset *ds, const netshare__flows *f,
                              size_t flow, netshare__flow_stats *out);

#endif
