/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-service report metrics (docs/METRICS.md): the reference's top services, each
 * flow's service on both sides, and the metrics that are a weighted mean over the top
 * services with a missing service at its worst value: service_coverage,
 * flow_size_hist, flow_size_by_service, interarrival_by_service, and (through
 * report_structure.c) the structure within flows.
 */
#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/intern.h"
#include "metrics.h"
#include "report.h"

/* Flow-size bins: half octaves, b(x) = floor(2 log2 x), x >= 1 records. */
#define SIZE_BINS 66
/* Gap bins: < 1 us, then quarter decades from 1 us up to 41 (3.2 h and more). */
#define GAP_BINS 42

static size_t
size_bin(size_t records)
{
	size_t b = (size_t)floor(2.0 * log2((double)(records ? records : 1)));
	return b < SIZE_BINS ? b : SIZE_BINS - 1;
}

static size_t
gap_bin(double seconds)
{
	double us = seconds * 1e6;
	if (!(us >= 1.0))
		return 0;
	double b = 1.0 + floor(4.0 * log10(us));
	return b < GAP_BINS - 1 ? (size_t)b : GAP_BINS - 1;
}

void
netshare__services_free(netshare__services *sv)
{
	netshare__free(sv->of[0]);
	netshare__free(sv->of[1]);
	memset(sv, 0, sizeof *sv);
}

netshare_status
netshare__services_build(const netshare_dataset *const ds[2], const netshare__flows *fl,
                         size_t top, netshare__services *sv)
{
	memset(sv, 0, sizeof *sv);
	netshare__intern ids;
	memset(&ids, 0, sizeof ids);
	const netshare__flows *r = &fl[0];
	double *count = netshare__calloc(r->n_flows + 1, sizeof *count);
	uint32_t *first = netshare__mallocarray(r->n_flows + 1, sizeof *first);
	netshare_status st = count && first ? NETSHARE_OK : netshare__error_oom("report services");
	uint32_t id;
	for (size_t k = 0; k < r->n_flows && st == NETSHARE_OK; k++) {
		uint32_t s = netshare__flow_service(ds[0], r, k);
		size_t before = ids.n;
		if ((st = netshare__intern_add(&ids, &s, sizeof s, &id)) == NETSHARE_OK) {
			if (ids.n != before)
				first[id] = s;
			count[id]++;
		}
	}
	/* The most frequent first; ties: the one seen first (lowest id). */
	for (size_t pick = 0; pick < top && st == NETSHARE_OK; pick++) {
		size_t best = 0;
		for (size_t i = 1; i < ids.n; i++)
			if (count[i] > count[best])
				best = i;
		if (ids.n == 0 || count[best] == 0)
			break;
		sv->key[sv->n] = first[best];
		sv->flows[0][sv->n++] = count[best];
		count[best] = 0;
	}
	netshare__free(count);
	netshare__free(first);
	netshare__intern_free(&ids);
	for (int side = 0; side < 2 && st == NETSHARE_OK; side++) {
		sv->total[side] = (double)fl[side].n_flows;
		sv->of[side] = netshare__mallocarray(fl[side].n_flows + 1, sizeof *sv->of[side]);
		if (!sv->of[side]) {
			st = netshare__error_oom("report services");
			break;
		}
		for (size_t k = 0; k < fl[side].n_flows; k++) {
			uint32_t key = netshare__flow_service(ds[side], &fl[side], k);
			int8_t t = -1;
			for (size_t j = 0; j < sv->n && t < 0; j++)
				if (sv->key[j] == key)
					t = (int8_t)j;
			sv->of[side][k] = t;
			if (side == 1 && t >= 0)
				sv->flows[1][t]++;
		}
	}
	if (st < 0)
		netshare__services_free(sv);
	return st;
}

double
netshare__services_combine(const netshare__services *sv, const double *value,
                           const int *has_real, const int *has_syn, double worst)
{
	double sum = 0, weight = 0;
	for (size_t t = 0; t < sv->n; t++) {
		if (!has_real[t])
			continue;
		sum += sv->flows[0][t] * (has_syn[t] ? value[t] : worst);
		weight += sv->flows[0][t];
	}
	return weight > 0 ? sum / weight : NAN;
}

/* Histogram JSD per top service of a per-flow quantity (flow size bins, or gap bins of
 * each gap), combined with ln 2 for a missing service; also the whole-trace flow-size
 * histogram JSD when `all` is not NULL. */
static netshare_status
hist_by_service(const netshare_dataset *const ds[2], const netshare__flows *fl,
                const netshare__services *sv, int gaps, double *by_service, double *all)
{
	size_t bins = gaps ? GAP_BINS : SIZE_BINS;
	double *h = netshare__calloc(2 * (NETSHARE__MAX_SERVICES + 1) * bins, sizeof *h);
	if (!h)
		return netshare__error_oom("report histograms");
	/* h[(side * (TOP + 1) + t) * bins + b]; t = TOP is the whole trace. */
	for (int side = 0; side < 2; side++) {
		const netshare__flows *f = &fl[side];
		for (size_t k = 0; k < f->n_flows; k++) {
			int t = sv->of[side][k];
			size_t len = netshare__flow_len(f, k);
			double *whole = h + ((size_t)side * (NETSHARE__MAX_SERVICES + 1) +
			                     NETSHARE__MAX_SERVICES) * bins;
			double *mine = t >= 0 ? h + ((size_t)side * (NETSHARE__MAX_SERVICES + 1) +
			                             (size_t)t) * bins : NULL;
			if (!gaps) {
				whole[size_bin(len)]++;
				if (mine)
					mine[size_bin(len)]++;
				continue;
			}
			const uint32_t *idx = f->order + f->start[k];
			for (size_t j = 1; mine && j < len; j++)
				mine[gap_bin((double)(ds[side]->time_ns[idx[j]] -
				                      ds[side]->time_ns[idx[j - 1]]) * 1e-9)]++;
		}
	}
	double value[NETSHARE__MAX_SERVICES];
	int has[2][NETSHARE__MAX_SERVICES];
	for (size_t t = 0; t < sv->n; t++) {
		const double *a = h + t * bins;
		const double *b = h + ((NETSHARE__MAX_SERVICES + 1) + t) * bins;
		double na = 0, nb = 0;
		for (size_t i = 0; i < bins; i++) {
			na += a[i];
			nb += b[i];
		}
		has[0][t] = na > 0;
		has[1][t] = nb > 0;
		value[t] = has[0][t] && has[1][t] ? netshare__jsd(a, b, bins) : NAN;
	}
	*by_service = netshare__services_combine(sv, value, has[0], has[1], log(2.0));
	if (all)
		*all = netshare__jsd(h + NETSHARE__MAX_SERVICES * bins,
		                     h + (2 * NETSHARE__MAX_SERVICES + 1) * bins, bins);
	netshare__free(h);
	return NETSHARE_OK;
}

netshare_status
netshare__report_services(netshare_report *r, const netshare_dataset *const ds[2],
                          const netshare__flows *fl, const netshare__services *sv)
{
	double sizes, all, gaps;
	netshare_status st = hist_by_service(ds, fl, sv, 0, &sizes, &all);
	if (st == NETSHARE_OK)
		st = hist_by_service(ds, fl, sv, 1, &gaps, NULL);
	if (st < 0)
		return st;
	netshare__report_add(r, "flow_size_hist", "jsd", "", "field", all);
	netshare__report_add_note(r, "flow_size_by_service", "jsd", "", "joint", sizes,
	                          "no top service of the real trace has a flow");
	netshare__report_add_note(r, "interarrival_by_service", "jsd", "", "joint", gaps,
	                          "no top service of the real trace has a flow of 2 or more "
	                          "records");
	double both = 0, real = 0;
	for (size_t t = 0; t < sv->n; t++) {
		double p = sv->flows[0][t] / sv->total[0];
		double q = sv->total[1] > 0 ? sv->flows[1][t] / sv->total[1] : 0;
		both += p < q ? p : q;
		real += p;
	}
	netshare__report_add_note(r, "service_coverage", "share", "", "joint",
	                          real > 0 ? both / real : NAN, "the real trace has no flow");
	return NETSHARE_OK;
}
