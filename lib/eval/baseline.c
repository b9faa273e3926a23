/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The baselines of eval.h: what a generator that knows only marginals can do.
 *  - marginal: every field from its marginal over the whole trace;
 *  - service-marginal: a service (a flow's destination port and protocol, as the
 *    per-service metrics define it) drawn by its share of the flows, then every other
 *    field, the flow length, the flow start and the within-flow gaps from that service's
 *    own marginals (services of fewer than MIN_SERVICE_FLOWS flows pooled): what the
 *    sampler's tables know, so that what a model adds over it is what the model learnt.
 * Both draw from "pools": the flows, records and gaps of one group (the whole trace, or
 * one service).
 */
#include <stdlib.h>
#include <string.h>

#include <netshare/eval.h>
#include <netshare/sampler.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/intern.h"
#include "core/params.h"
#include "core/rng.h"
#include "flow/flows.h"
#include "io/dataset.h"

static int
by_time(const void *a, const void *b)
{
	const netshare_record *x = a, *y = b;
	return (x->time_ns > y->time_ns) - (x->time_ns < y->time_ns);
}

/* Flows, records and gaps of each group, as index lists in CSR form. */
typedef struct pools {
	size_t groups;
	uint32_t *flow, *flow_at;    /* flow ids of group g: flow[flow_at[g] .. flow_at[g+1]) */
	uint32_t *rec, *rec_at;      /* record indices (NULL rec: the identity, one group) */
	int64_t *gap;                /* within-flow gaps, group by group */
	size_t *gap_at;
	int64_t *start;              /* [n_flows] first record time of each flow */
	uint32_t *group_of;          /* [n_flows] each flow's group */
} pools;

static void
pools_free(pools *p)
{
	netshare__free(p->flow);
	netshare__free(p->flow_at);
	netshare__free(p->rec);
	netshare__free(p->rec_at);
	netshare__free(p->gap);
	netshare__free(p->gap_at);
	netshare__free(p->start);
	netshare__free(p->group_of);
	memset(p, 0, sizeof *p);
}

/* Fewest flows a service needs to be its own group in the service-marginal baseline;
 * rarer services share one group. Drawing every field from the marginals of a service of
 * one or two flows copies those flows (caida-10k: a third of the baseline's flows were
 * identical to real ones, its destination "services" being mostly clients' ephemeral
 * ports), and the sampler's own per-service tables exist only for frequent services. */
#define MIN_SERVICE_FLOWS 10

/* Group of each flow: 0 for all (by_service 0), else its service's, or the shared group
 * of the services with fewer than MIN_SERVICE_FLOWS flows. */
static netshare_status
flow_groups(const netshare_dataset *ds, const netshare__flows *f, int by_service,
            uint32_t *group, size_t *groups)
{
	memset(group, 0, f->n_flows * sizeof *group);
	*groups = 1;
	if (!by_service)
		return NETSHARE_OK;
	netshare__intern ids;
	memset(&ids, 0, sizeof ids);
	uint32_t *count = netshare__calloc(f->n_flows + 1, sizeof *count);
	uint32_t *renumber = netshare__mallocarray(f->n_flows + 1, sizeof *renumber);
	netshare_status st = count && renumber ? NETSHARE_OK : netshare__error_oom("baseline");
	for (size_t k = 0; k < f->n_flows && st == NETSHARE_OK; k++) {
		uint32_t key = netshare__flow_service(ds, f, k);
		if ((st = netshare__intern_add(&ids, &key, sizeof key, &group[k])) == NETSHARE_OK)
			count[group[k]]++;
	}
	/* Group 0: the rare services together; then each frequent one, in order seen. */
	size_t n = 1;
	for (size_t id = 0; id < ids.n && st == NETSHARE_OK; id++)
		renumber[id] = count[id] >= MIN_SERVICE_FLOWS ? (uint32_t)n++ : 0;
	for (size_t k = 0; k < f->n_flows && st == NETSHARE_OK; k++)
		group[k] = renumber[group[k]];
	*groups = n;
	netshare__free(count);
	netshare__free(renumber);
	netshare__intern_free(&ids);
	return st;
}

static netshare_status
pools_build(const netshare_dataset *ds, const netshare__flows *f, int by_service, pools *p)
{
	memset(p, 0, sizeof *p);
	size_t nf = f->n_flows;
	uint32_t *group = p->group_of = netshare__mallocarray(nf, sizeof *group);
	p->start = netshare__mallocarray(nf, sizeof *p->start);
	p->flow = netshare__mallocarray(nf, sizeof *p->flow);
	p->gap = netshare__mallocarray(ds->n, sizeof *p->gap);
	if (!group || !p->start || !p->flow || !p->gap)
		return netshare__error_oom("baseline");
	netshare_status st = flow_groups(ds, f, by_service, group, &p->groups);
	size_t G = p->groups;
	if (st == NETSHARE_OK) {
		p->flow_at = netshare__calloc(G + 1, sizeof *p->flow_at);
		p->gap_at = netshare__calloc(G + 1, sizeof *p->gap_at);
		if (by_service) {
			p->rec = netshare__mallocarray(ds->n, sizeof *p->rec);
			p->rec_at = netshare__calloc(G + 1, sizeof *p->rec_at);
		}
		if (!p->flow_at || !p->gap_at || (by_service && (!p->rec || !p->rec_at)))
			st = netshare__error_oom("baseline");
	}
	if (st < 0)
		return st;
	/* Counting sort of the flows by group (stable: a group keeps the flows' order). */
	for (size_t k = 0; k < nf; k++)
		p->flow_at[group[k] + 1]++;
	for (size_t g = 0; g < G; g++)
		p->flow_at[g + 1] += p->flow_at[g];
	uint32_t *fill = netshare__mallocarray(G + 1, sizeof *fill);
	if (!fill)
		return netshare__error_oom("baseline");
	memcpy(fill, p->flow_at, (G + 1) * sizeof *fill);
	for (size_t k = 0; k < nf; k++)
		p->flow[fill[group[k]]++] = (uint32_t)k;
	netshare__free(fill);
	size_t n_rec = 0, n_gap = 0;
	for (size_t g = 0; g < G; g++) {
		for (uint32_t j = p->flow_at[g]; j < p->flow_at[g + 1]; j++) {
			size_t k = p->flow[j];
			const uint32_t *idx = f->order + f->start[k];
			size_t len = netshare__flow_len(f, k);
			p->start[k] = ds->time_ns[idx[0]];
			for (size_t r = 0; p->rec && r < len; r++)
				p->rec[n_rec++] = idx[r];
			for (size_t r = 1; r < len; r++)
				p->gap[n_gap++] = ds->time_ns[idx[r]] - ds->time_ns[idx[r - 1]];
		}
		if (p->rec_at)
			p->rec_at[g + 1] = (uint32_t)n_rec;
		p->gap_at[g + 1] = n_gap;
	}
	return NETSHARE_OK;
}

/* A random record of group g (record-weighted marginals within the group). */
static size_t
any_record(netshare__rng *r, const netshare_dataset *ds, const pools *p, size_t g)
{
	if (!p->rec)
		return (size_t)netshare__rng_below(r, ds->n);
	uint32_t lo = p->rec_at[g], n = p->rec_at[g + 1] - lo;
	return p->rec[lo + netshare__rng_below(r, n)];
}

/* A random flow of group g. */
static size_t
any_flow(netshare__rng *r, const pools *p, size_t g)
{
	uint32_t lo = p->flow_at[g], n = p->flow_at[g + 1] - lo;
	return p->flow[lo + netshare__rng_below(r, n)];
}

/* The key fields of a flow of group g, each from its own random record of the group. */
static void
draw_key(netshare__rng *g, const netshare_dataset *real, const pools *p, size_t grp,
         netshare_record *key)
{
	netshare_record tmp;
	netshare_record_init(key);
	netshare_record_init(&tmp);
	netshare__dataset_row(real, any_record(g, real, p, grp), &tmp);
	key->ip_version = tmp.ip_version;
	key->src_ip = tmp.src_ip;
	memcpy(key->src_ip6, tmp.src_ip6, 16);
	netshare__dataset_row(real, any_record(g, real, p, grp), &tmp);
	if (tmp.ip_version == key->ip_version) { /* an address pair needs one version */
		key->dst_ip = tmp.dst_ip;
		memcpy(key->dst_ip6, tmp.dst_ip6, 16);
	} else {
		key->dst_ip = key->src_ip;
		memcpy(key->dst_ip6, key->src_ip6, 16);
	}
	key->src_port = real->sport[any_record(g, real, p, grp)];
	key->dst_port = real->dport[any_record(g, real, p, grp)];
	key->protocol = real->proto[any_record(g, real, p, grp)];
}

/* Every non-key field of one record, each from its own random record of group grp. */
static void
draw_record_fields(netshare__rng *g, const netshare_dataset *real, const pools *p, size_t grp,
                   netshare_record *r)
{
	netshare_record tmp;
	netshare_record_init(&tmp);
	netshare__dataset_row(real, any_record(g, real, p, grp), &tmp);
	if (real->kind == NETSHARE_RECORDS_PACKETS) {
		r->ip_length = tmp.ip_length;
		netshare__dataset_row(real, any_record(g, real, p, grp), &tmp);
		r->tos = tmp.tos;
		r->ip_id = real->ip_id[any_record(g, real, p, grp)];
		r->ip_flags = real->ip_flags[any_record(g, real, p, grp)];
		r->frag_offset = real->frag_off[any_record(g, real, p, grp)];
		r->ttl = real->ttl[any_record(g, real, p, grp)];
		r->tcp_flags = real->tcp_flags[any_record(g, real, p, grp)];
	} else {
		r->duration_ns = tmp.duration_ns;
		/* A count with its responder's part, so the part never exceeds the whole. */
		size_t k = any_record(g, real, p, grp);
		r->packets = real->packets[k];
		r->resp_packets = real->resp_packets[k];
		k = any_record(g, real, p, grp);
		r->bytes = real->bytes[k];
		r->resp_bytes = real->resp_bytes[k];
		netshare__dataset_row(real, any_record(g, real, p, grp), &tmp);
		r->label = tmp.label;
	}
}

NETSHARE_API void
netshare_baseline_params_init(netshare_baseline_params *p)
{
	if (!p)
		return;
	memset(p, 0, sizeof *p);
	p->struct_size = sizeof *p;
	p->seed = 1;
}

/* Room for one more record in *recs (of *cap), doubling it when full. */
static netshare_status
reserve_record(netshare_record **recs, size_t *cap, size_t n)
{
	if (n < *cap)
		return NETSHARE_OK;
	size_t grown = *cap ? 2 * *cap : 1024;
	netshare_record *r = netshare__reallocarray(*recs, grown, sizeof *r);
	if (!r)
		return netshare__error_oom("baseline records");
	*recs = r;
	*cap = grown;
	return NETSHARE_OK;
}

static netshare_status
baseline(netshare_dataset **out, const netshare_dataset *real,
         const netshare_baseline_params *params, int by_service, const char *fn)
{
	if (!out)
		return netshare__error(NETSHARE_EINVAL, "%s: out is NULL", fn);
	*out = NULL;
	if (!real || real->n == 0)
		return netshare__error(NETSHARE_EINVAL, "%s: the real trace is %s", fn,
		                       real ? "empty" : "NULL");
	netshare_baseline_params bp;
	netshare_baseline_params_init(&bp);
	netshare_status st;
	if (params && (st = netshare__params_copy(&bp, sizeof bp, sizeof bp, params,
	                                          "netshare_baseline_params")) < 0)
		return st;
	if (bp.flows > NETSHARE_SAMPLE_MAX_FLOWS)
		return netshare__error(NETSHARE_EINVAL, "netshare_baseline_params.flows = %llu is "
		                       "more than %llu", (unsigned long long)bp.flows,
		                       (unsigned long long)NETSHARE_SAMPLE_MAX_FLOWS);
	netshare__flows f;
	if ((st = netshare__flows_build(real, &f)) < 0)
		return st;
	pools p;
	size_t cap = 0, n = 0;
	netshare_record *recs = NULL;
	netshare_dataset *ds = NULL;
	if ((st = pools_build(real, &f, by_service, &p)) < 0)
		goto done;
	netshare__rng g;
	netshare__rng_seed(&g, bp.seed);
	uint64_t flows = bp.flows ? bp.flows : f.n_flows;
	for (uint64_t k = 0; k < flows && st == NETSHARE_OK; k++) {
		/* The group: a random flow's (so services come by their share of the flows). */
		size_t grp = p.groups > 1 ? p.group_of[netshare__rng_below(&g, f.n_flows)] : 0;
		size_t len = netshare__flow_len(&f, any_flow(&g, &p, grp));
		netshare_record key;
		draw_key(&g, real, &p, grp, &key);
		int64_t t = p.start[any_flow(&g, &p, grp)];
		size_t gaps = p.gap_at[grp + 1] - p.gap_at[grp];
		for (size_t j = 0; j < len; j++) {
			if ((st = reserve_record(&recs, &cap, n)) < 0)
				break;
			if (j > 0 && gaps > 0)
				t += p.gap[p.gap_at[grp] + netshare__rng_below(&g, gaps)];
			netshare_record *r = &recs[n++];
			*r = key;
			r->time_ns = t;
			draw_record_fields(&g, real, &p, grp, r);
		}
	}
	if (st < 0)
		goto done;
	if (n > 0)
		qsort(recs, n, sizeof *recs, by_time);
	if ((st = netshare_dataset_new(&ds, real->kind)) < 0)
		goto done;
	/* Written in the real trace's schema, as a model's output is (a mapped CSV's map is
	 * not known here). */
	ds->format = real->format == NETSHARE_FORMAT_MAPPED_CSV ? NETSHARE_FORMAT_AUTO : real->format;
	if (real->label_column && !(ds->label_column = netshare__strdup(real->label_column))) {
		st = netshare__error_oom("baseline");
		goto done;
	}
	for (size_t i = 0; i < n && st == NETSHARE_OK; i++)
		st = netshare__dataset_push(ds, &recs[i]);
done:
	netshare__free(recs);
	pools_free(&p);
	netshare__flows_free(&f);
	if (st < 0) {
		netshare_dataset_free(ds);
		return st;
	}
	*out = ds;
	return NETSHARE_OK;
}

NETSHARE_API netshare_status
netshare_baseline_marginal(netshare_dataset **out, const netshare_dataset *real,
                           const netshare_baseline_params *params)
{
	return baseline(out, real, params, 0, "netshare_baseline_marginal");
}

NETSHARE_API netshare_status
netshare_baseline_service_marginal(netshare_dataset **out, const netshare_dataset *real,
                                   const netshare_baseline_params *params)
{
	return baseline(out, real, params, 1, "netshare_baseline_service_marginal");
}
