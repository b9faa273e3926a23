/* SPDX-License-Identifier: BSD-3-Clause */
/* The marginal baseline generator (see netshare_baseline_marginal in eval.h). */
#include <stdlib.h>
#include <string.h>

#include <netshare/eval.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/rng.h"
#include "flow/flows.h"
#include "io/dataset.h"

static int
by_time(const void *a, const void *b)
{
	const netshare_record *x = a, *y = b;
	return (x->time_ns > y->time_ns) - (x->time_ns < y->time_ns);
}

/* A random record of the real trace (record-weighted marginals). */
static size_t
any_record(netshare__rng *g, const netshare_dataset *ds)
{
	return (size_t)netshare__rng_below(g, ds->n);
}

NETSHARE_API netshare_status
netshare_baseline_marginal(netshare_dataset **out, const netshare_dataset *real, uint64_t seed)
{
	if (!out)
		return netshare__error(NETSHARE_EINVAL, "netshare_baseline_marginal: out is NULL");
	*out = NULL;
	if (!real || real->n == 0)
		return netshare__error(NETSHARE_EINVAL, "netshare_baseline_marginal: the real trace "
		                       "is %s", real ? "empty" : "NULL");
	netshare__flows f;
	netshare_status st = netshare__flows_build(real, &f);
	if (st < 0)
		return st;
	/* Pools: flow starts and lengths, and within-flow inter-arrival times. */
	int64_t *starts = netshare__mallocarray(f.n_flows, sizeof *starts);
	int64_t *gaps = netshare__mallocarray(real->n, sizeof *gaps);
	/* Drawn lengths vary: room for twice the real records, far more than they ever add up to. */
	size_t cap = 2 * real->n;
	netshare_record *recs = netshare__mallocarray(cap, sizeof *recs);
	netshare_dataset *ds = NULL;
	size_t n_gaps = 0, n = 0;
	if (!starts || !gaps || !recs) {
		st = netshare__error_oom("baseline");
		goto done;
	}
	for (size_t k = 0; k < f.n_flows; k++) {
		const uint32_t *idx = f.order + f.start[k];
		starts[k] = real->time_ns[idx[0]];
		for (size_t j = 1; j < netshare__flow_len(&f, k); j++)
			gaps[n_gaps++] = real->time_ns[idx[j]] - real->time_ns[idx[j - 1]];
	}
	netshare__rng g;
	netshare__rng_seed(&g, seed);
	for (size_t k = 0; k < f.n_flows; k++) {
		size_t len = netshare__flow_len(&f, (size_t)netshare__rng_below(&g, f.n_flows));
		netshare_record key;
		netshare_record_init(&key);
		netshare_record tmp;
		netshare_record_init(&tmp);
		/* Each key field from its own random record. */
		netshare__dataset_row(real, any_record(&g, real), &tmp);
		key.ip_version = tmp.ip_version;
		key.src_ip = tmp.src_ip;
		memcpy(key.src_ip6, tmp.src_ip6, 16);
		netshare__dataset_row(real, any_record(&g, real), &tmp);
		if (tmp.ip_version == key.ip_version) { /* an address pair needs one version */
			key.dst_ip = tmp.dst_ip;
			memcpy(key.dst_ip6, tmp.dst_ip6, 16);
		} else {
			key.dst_ip = key.src_ip;
			memcpy(key.dst_ip6, key.src_ip6, 16);
		}
		key.src_port = real->sport[any_record(&g, real)];
		key.dst_port = real->dport[any_record(&g, real)];
		key.protocol = real->proto[any_record(&g, real)];
		int64_t t = starts[netshare__rng_below(&g, f.n_flows)];
		for (size_t j = 0; j < len && n < cap; j++) {
			if (j > 0 && n_gaps > 0)
				t += gaps[netshare__rng_below(&g, n_gaps)];
			netshare_record *r = &recs[n++];
			*r = key;
			r->time_ns = t;
			netshare__dataset_row(real, any_record(&g, real), &tmp);
			if (real->kind == NETSHARE_RECORDS_PACKETS) {
				r->ip_length = tmp.ip_length;
				netshare__dataset_row(real, any_record(&g, real), &tmp);
				r->tos = tmp.tos;
				r->ip_id = real->ip_id[any_record(&g, real)];
				r->ip_flags = real->ip_flags[any_record(&g, real)];
				r->frag_offset = real->frag_off[any_record(&g, real)];
				r->ttl = real->ttl[any_record(&g, real)];
				r->tcp_flags = real->tcp_flags[any_record(&g, real)];
			} else {
				r->duration_ns = tmp.duration_ns;
				r->packets = real->packets[any_record(&g, real)];
				r->bytes = real->bytes[any_record(&g, real)];
				netshare__dataset_row(real, any_record(&g, real), &tmp);
				r->label = tmp.label;
			}
		}
	}
	qsort(recs, n, sizeof *recs, by_time);
	if ((st = netshare_dataset_new(&ds, real->kind)) < 0)
		goto done;
	for (size_t i = 0; i < n && st == NETSHARE_OK; i++)
		st = netshare__dataset_push(ds, &recs[i]);
done:
	netshare__free(starts);
	netshare__free(gaps);
	netshare__free(recs);
	netshare__flows_free(&f);
	if (st < 0) {
		netshare_dataset_free(ds);
		return st;
	}
	*out = ds;
	return NETSHARE_OK;
}
