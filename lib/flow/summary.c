/* SPDX-License-Identifier: BSD-3-Clause */
/* netshare_dataset_summary: record, protocol and flow-size statistics of a dataset. */
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/params.h"
#include "flows.h"

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

/* Nearest-rank percentile of sorted values: the smallest v with at least p% <= v. */
static uint64_t
nearest_rank(const uint64_t *sorted, size_t n, unsigned p)
{
	size_t rank = (n * p + 99) / 100;
	return sorted[rank ? rank - 1 : 0];
}

NETSHARE_API netshare_status
netshare_dataset_summary(const netshare_dataset *ds, netshare_summary *summary)
{
	if (!ds || !summary)
		return netshare__error(NETSHARE_EINVAL, "netshare_dataset_summary: %s is NULL",
		                       ds ? "summary" : "dataset");
	netshare_status st = netshare__check_out_struct(summary, "netshare_summary");
	if (st < 0)
		return st;
	netshare_summary filled, *caller = summary;
	memset(&filled, 0, sizeof filled);
	filled.struct_size = sizeof filled;
	summary = &filled;
	summary->records = ds->n;
	if (ds->n == 0) {
		netshare__out_struct_put(caller, &filled, sizeof filled);
		return NETSHARE_OK;
	}
	summary->duration_s = (double)(ds->time_max - ds->time_min) * 1e-9;
	for (size_t i = 0; i < ds->n; i++)
		summary->protocol_records[ds->proto[i]]++;

	netshare__flows f;
	st = netshare__flows_build(ds, &f);
	if (st < 0)
		return st;
	uint64_t *sizes = netshare__mallocarray(f.n_flows, sizeof *sizes);
	if (!sizes) {
		netshare__flows_free(&f);
		return netshare__error_oom("flow sizes");
	}
	for (size_t k = 0; k < f.n_flows; k++) {
		netshare__flow_stats s;
		netshare__flow_stats_get(ds, &f, k, &s);
		sizes[k] = s.records;
		summary->flow_packets_total += s.packets;
		summary->flow_bytes_total += s.bytes;
	}
	qsort(sizes, f.n_flows, sizeof *sizes, cmp_u64);
	summary->flows = f.n_flows;
	summary->flow_size_mean = (double)ds->n / (double)f.n_flows;
	summary->flow_size_p50 = nearest_rank(sizes, f.n_flows, 50);
	summary->flow_size_p90 = nearest_rank(sizes, f.n_flows, 90);
	summary->flow_size_p99 = nearest_rank(sizes, f.n_flows, 99);
	summary->flow_size_max = sizes[f.n_flows - 1];
	netshare__free(sizes);
	netshare__flows_free(&f);
	netshare__out_struct_put(caller, &filled, sizeof filled);
	return NETSHARE_OK;
}
