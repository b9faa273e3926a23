/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Flow-level report metrics (report.h): what per-field marginals cannot show.
 *  - flow_size_by_service / interarrival_by_service: the mean over the 10 destination
 *    services (dstport, proto of a flow) with most real flows of the EMD between the real
 *    and synthetic flows of that service (services the synthetic trace lacks count as
 *    missing, not as zero: they lower `services_matched`).
 *  - flow_start_rate: EMD between the per-second counts of flow starts of the two traces
 *    (each from its own first record), in flows per second.
 *  - flows_identical_to_real: share of synthetic flows equal to a real flow in 5-tuple,
 *    length and every record's fields other than time (memorisation).
 */
#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/intern.h"
#include "metrics.h"
#include "report.h"

#define TOP_SERVICES 10

static uint32_t
service_of(const netshare_dataset *ds, const netshare__flows *f, size_t flow)
{
	uint32_t i = f->order[f->start[flow]];
	return (uint32_t)ds->dport[i] << 8 | ds->proto[i];
}

/* The (up to) TOP_SERVICES services with most real flows, most first (ties: the
 * service seen first). Returns how many, or -1 without memory. */
static long
top_services(const netshare_dataset *ds, const netshare__flows *f, uint32_t *top)
{
	netshare__intern ids;
	memset(&ids, 0, sizeof ids);
	double *count = netshare__calloc(f->n_flows + 1, sizeof *count);
	uint32_t id;
	long n = count ? 0 : -1;
	for (size_t k = 0; k < f->n_flows && n == 0; k++) {
		uint32_t s = service_of(ds, f, k);
		if (netshare__intern_add(&ids, &s, sizeof s, &id) < 0)
			n = -1;
		else
			count[id]++;
	}
	for (size_t pick = 0; pick < TOP_SERVICES && n >= 0; pick++) {
		size_t best = 0;
		for (size_t i = 1; i < ids.n; i++)
			if (count[i] > count[best])
				best = i;
		if (ids.n == 0 || count[best] == 0)
			break;
		memcpy(&top[n++], netshare__intern_get(&ids, (uint32_t)best, NULL), sizeof *top);
		count[best] = 0;
	}
	netshare__free(count);
	netshare__intern_free(&ids);
	return n;
}

/* Flow sizes (iat = 0) or within-flow gaps in s (iat = 1) of the flows of a service. */
static size_t
service_values(const netshare_dataset *ds, const netshare__flows *f, uint32_t service,
               int iat, double *out)
{
	size_t n = 0;
	for (size_t k = 0; k < f->n_flows; k++) {
		if (service_of(ds, f, k) != service)
			continue;
		size_t len = netshare__flow_len(f, k);
		const uint32_t *idx = f->order + f->start[k];
		if (!iat)
			out[n++] = (double)len;
		for (size_t j = 1; iat && j < len; j++)
			out[n++] = (double)(ds->time_ns[idx[j]] - ds->time_ns[idx[j - 1]]) * 1e-9;
	}
	return n;
}

static netshare_status
by_service(netshare_report *r, const netshare_dataset *real, const netshare_dataset *syn,
           const netshare__flows *fl)
{
	uint32_t top[TOP_SERVICES];
	long n_top = top_services(real, &fl[0], top);
	if (n_top < 0)
		return netshare__error_oom("report services");
	double *a = netshare__mallocarray(real->n + 1, sizeof *a);
	double *b = netshare__mallocarray(syn->n + 1, sizeof *b);
	if (!a || !b) {
		netshare__free(a);
		netshare__free(b);
		return netshare__error_oom("report services");
	}
	double sum[2] = { 0, 0 };
	int used[2] = { 0, 0 }, matched = 0;
	for (long t = 0; t < n_top; t++) {
		matched += service_values(syn, &fl[1], top[t], 0, b) > 0;
		for (int iat = 0; iat < 2; iat++) {
			size_t na = service_values(real, &fl[0], top[t], iat, a);
			size_t nb = service_values(syn, &fl[1], top[t], iat, b);
			if (!na || !nb)
				continue;
			sum[iat] += netshare__emd(a, na, b, nb);
			used[iat]++;
		}
	}
	netshare__free(a);
	netshare__free(b);
	netshare__report_add(r, "flow_size_by_service", "emd", "records", "joint",
	                     used[0] ? sum[0] / used[0] : NAN);
	netshare__report_add(r, "interarrival_by_service", "emd", "s", "joint",
	                     used[1] ? sum[1] / used[1] : NAN);
	netshare__report_add(r, "services_matched", "share", "", "joint",
	                     n_top ? (double)matched / (double)n_top : NAN);
	return NETSHARE_OK;
}

/* Flow starts per second since the trace's first record. */
static double *
start_rate(const netshare_dataset *ds, const netshare__flows *f, size_t *seconds)
{
	int64_t span = ds->time_max - ds->time_min;
	size_t n = (size_t)(span / 1000000000) + 1;
	if (n > ((size_t)1 << 26)) /* two years of seconds: a nonsense span */
		n = (size_t)1 << 26;
	double *c = netshare__calloc(n, sizeof *c);
	if (!c)
		return NULL;
	for (size_t k = 0; k < f->n_flows; k++) {
		size_t s = (size_t)((ds->time_ns[f->order[f->start[k]]] - ds->time_min) / 1000000000);
		c[s < n ? s : n - 1]++;
	}
	*seconds = n;
	return c;
}

/* A flow's identity for memorisation: 5-tuple, length, and every record's non-time
 * fields, hashed into 16 bytes (two independent 64-bit hashes). */
static void
flow_fingerprint(const netshare_dataset *ds, const netshare__flows *f, size_t k,
                 unsigned char out[16])
{
	uint64_t h[2] = { 0x9e3779b97f4a7c15ULL, 0xc2b2ae3d27d4eb4fULL };
	const uint32_t *idx = f->order + f->start[k];
	size_t len = netshare__flow_len(f, k);
#define MIX(v)                                                                       \
	do {                                                                         \
		for (int q_ = 0; q_ < 2; q_++) {                                     \
			h[q_] ^= (uint64_t)(v) + 0x9e3779b97f4a7c15ULL + (h[q_] << 6) + (h[q_] >> 2); \
			h[q_] *= q_ ? 0xff51afd7ed558ccdULL : 0xc4ceb9fe1a85ec53ULL; \
		}                                                                    \
	} while (0)
	uint8_t a[16];
	netshare__dataset_addr(ds, idx[0], 0, a);
	for (int i = 0; i < 16; i++)
		MIX(a[i]);
	netshare__dataset_addr(ds, idx[0], 1, a);
	for (int i = 0; i < 16; i++)
		MIX(a[i]);
	MIX(ds->sport[idx[0]]);
	MIX(ds->dport[idx[0]]);
	MIX(ds->proto[idx[0]]);
	MIX(len);
	for (size_t j = 0; j < len; j++) {
		uint32_t i = idx[j];
		if (ds->kind == NETSHARE_RECORDS_PACKETS) {
			MIX(ds->ip_len[i]);
			MIX(ds->tos[i]);
			MIX(ds->ttl[i]);
			MIX(ds->ip_id[i]);
			MIX(ds->ip_flags[i]);
			MIX(ds->tcp_flags[i]);
			MIX(ds->frag_off[i]);
		} else {
			MIX(ds->duration_ns[i]);
			MIX(ds->packets[i]);
			MIX(ds->bytes[i]);
		}
	}
#undef MIX
	memcpy(out, h, 16);
}

static netshare_status
identical_flows(const netshare_dataset *real, const netshare_dataset *syn,
                const netshare__flows *fl, double *out)
{
	netshare__intern seen;
	memset(&seen, 0, sizeof seen);
	unsigned char key[16];
	uint32_t id;
	netshare_status st = NETSHARE_OK;
	for (size_t k = 0; k < fl[0].n_flows && st == NETSHARE_OK; k++) {
		flow_fingerprint(real, &fl[0], k, key);
		st = netshare__intern_add(&seen, key, sizeof key, &id);
	}
	double same = 0;
	for (size_t k = 0; k < fl[1].n_flows && st == NETSHARE_OK; k++) {
		flow_fingerprint(syn, &fl[1], k, key);
		same += netshare__intern_find(&seen, key, sizeof key) >= 0;
	}
	netshare__intern_free(&seen);
	*out = fl[1].n_flows ? same / (double)fl[1].n_flows : NAN;
	return st;
}

netshare_status
netshare__report_flows(netshare_report *r, const netshare_dataset *real,
                       const netshare_dataset *syn, const netshare__flows *fl)
{
	netshare_status st = by_service(r, real, syn, fl);
	if (st < 0)
		return st;
	size_t na = 0, nb = 0;
	double *a = start_rate(real, &fl[0], &na), *b = start_rate(syn, &fl[1], &nb);
	if (!a || !b) {
		netshare__free(a);
		netshare__free(b);
		return netshare__error_oom("report start rate");
	}
	netshare__report_add(r, "flow_start_rate", "emd", "flows/s", "joint",
	                     netshare__emd(a, na, b, nb));
	netshare__free(a);
	netshare__free(b);
	return NETSHARE_OK;
}

netshare_status
netshare__report_identical(netshare_report *r, const netshare_dataset *real,
                           const netshare_dataset *syn, const netshare__flows *fl)
{
	double same;
	netshare_status st = identical_flows(real, syn, fl, &same);
	if (st == NETSHARE_OK)
		netshare__report_add(r, "flows_identical_to_real", "share", "", "memorisation", same);
	return st;
}
