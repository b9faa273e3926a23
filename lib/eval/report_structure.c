/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Structure within flows, per top service (docs/METRICS.md): the first three sizes of a
 * flow as a tuple (JSD), and the lag-1 autocorrelations of its sizes and of its gaps
 * (EMD). No marginal has these: a generator that draws each record's size and gap
 * independently from its service's marginals keeps the per-service histograms and
 * loses everything here.
 */
#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/intern.h"
#include "io/dataset.h"
#include "metrics.h"
#include "report.h"

/* First-sizes tuple: 32-byte bins, 1504 bytes and more in bin 47, 48 = no record. */
#define SIZE_BIN_BYTES 32
#define SIZE_LAST_BIN 47
#define NO_RECORD 48
#define FIRST_SIZES 3

/* Worst EMD of two sets of correlations in [-1, 1]. */
#define WORST_CORR_EMD 2.0

/* The size of record i: IP total length, or bytes per packet of a flow record. */
static double
record_size(const netshare_dataset *ds, uint32_t i)
{
	if (ds->kind == NETSHARE_RECORDS_PACKETS)
		return ds->ip_len[i];
	return ds->packets[i] ? floor((double)ds->bytes[i] / (double)ds->packets[i]) : 0;
}

double
netshare__lag1_autocorr(const double *x, size_t n)
{
	if (n < 2)
		return NAN;
	double mean = 0;
	for (size_t t = 0; t < n; t++)
		mean += x[t];
	mean /= (double)n;
	double num = 0, den = 0;
	for (size_t t = 0; t < n; t++) {
		den += (x[t] - mean) * (x[t] - mean);
		if (t + 1 < n)
			num += (x[t] - mean) * (x[t + 1] - mean);
	}
	/* Relative to the values' scale: float noise on a constant series is no variation. */
	if (!(den > 1e-24 * (mean * mean + 1.0) * (double)n))
		return 0.0;
	return num / den;
}

/* JSD of the first-sizes tuples per top service. */
static netshare_status
first_sizes(const netshare_dataset *const ds[2], const netshare__flows *fl,
            const netshare__services *sv, double *out)
{
	/* One table of (service, tuple) keys with counts per side. */
	netshare__intern keys;
	memset(&keys, 0, sizeof keys);
	double *c[2] = { NULL, NULL };
	size_t cap = 0;
	netshare_status st = NETSHARE_OK;
	for (int side = 0; side < 2 && st == NETSHARE_OK; side++) {
		const netshare__flows *f = &fl[side];
		for (size_t k = 0; k < f->n_flows && st == NETSHARE_OK; k++) {
			int t = sv->of[side][k];
			if (t < 0)
				continue;
			const uint32_t *idx = f->order + f->start[k];
			size_t len = netshare__flow_len(f, k);
			uint8_t key[1 + FIRST_SIZES];
			key[0] = (uint8_t)t;
			for (size_t j = 0; j < FIRST_SIZES; j++) {
				double b = j < len ? floor(record_size(ds[side], idx[j]) / SIZE_BIN_BYTES)
				                   : NO_RECORD;
				key[1 + j] = (uint8_t)(j < len && b > SIZE_LAST_BIN ? SIZE_LAST_BIN : b);
			}
			uint32_t id;
			if ((st = netshare__intern_add(&keys, key, sizeof key, &id)) < 0)
				break;
			if (id >= cap) {
				size_t ncap = cap ? 2 * cap : 256;
				for (int s = 0; s < 2 && st == NETSHARE_OK; s++) {
					double *p = netshare__reallocarray(c[s], ncap, sizeof *p);
					if (!p) {
						st = netshare__error_oom("report first sizes");
						break;
					}
					memset(p + cap, 0, (ncap - cap) * sizeof *p);
					c[s] = p;
				}
				if (st < 0)
					break;
				cap = ncap;
			}
			c[side][id]++;
		}
	}
	double value[NETSHARE__MAX_SERVICES];
	int has[2][NETSHARE__MAX_SERVICES];
	/* Per service: the keys of that service on both sides (masked copies). */
	double *a = st == NETSHARE_OK ? netshare__calloc(keys.n + 1, sizeof *a) : NULL;
	double *b = a ? netshare__calloc(keys.n + 1, sizeof *b) : NULL;
	if (st == NETSHARE_OK && !b)
		st = netshare__error_oom("report first sizes");
	for (size_t t = 0; t < sv->n && st == NETSHARE_OK; t++) {
		double na = 0, nb = 0;
		for (size_t id = 0; id < keys.n; id++) {
			int mine = (uint8_t)netshare__intern_get(&keys, (uint32_t)id, NULL)[0] == t;
			a[id] = mine ? c[0][id] : 0;
			b[id] = mine ? c[1][id] : 0;
			na += a[id];
			nb += b[id];
		}
		has[0][t] = na > 0;
		has[1][t] = nb > 0;
		value[t] = na > 0 && nb > 0 ? netshare__jsd(a, b, keys.n) : NAN;
	}
	if (st == NETSHARE_OK)
		*out = netshare__services_combine(sv, value, has[0], has[1], log(2.0));
	netshare__free(a);
	netshare__free(b);
	netshare__free(c[0]);
	netshare__free(c[1]);
	netshare__intern_free(&keys);
	return st;
}

/* Lag-1 autocorrelation of each flow's sizes (gaps = 0) or gaps (1), for flows with at
 * least 3 values, per top service; EMD per service, 2 for a missing one. */
static netshare_status
autocorr(const netshare_dataset *const ds[2], const netshare__flows *fl,
         const netshare__services *sv, int gaps, double *out)
{
	double *r[2] = { netshare__mallocarray(fl[0].n_flows + 1, sizeof(double)),
	                 netshare__mallocarray(fl[1].n_flows + 1, sizeof(double)) };
	size_t longest = 1;
	for (int side = 0; side < 2; side++)
		for (size_t k = 0; k < fl[side].n_flows; k++)
			if (netshare__flow_len(&fl[side], k) > longest)
				longest = netshare__flow_len(&fl[side], k);
	double *x = netshare__mallocarray(longest, sizeof *x);
	int8_t *svc[2] = { netshare__mallocarray(fl[0].n_flows + 1, 1),
	                   netshare__mallocarray(fl[1].n_flows + 1, 1) };
	netshare_status st = r[0] && r[1] && x && svc[0] && svc[1]
	                     ? NETSHARE_OK : netshare__error_oom("report autocorrelation");
	size_t n[2] = { 0, 0 };
	for (int side = 0; side < 2 && st == NETSHARE_OK; side++) {
		const netshare__flows *f = &fl[side];
		for (size_t k = 0; k < f->n_flows; k++) {
			int t = sv->of[side][k];
			size_t len = netshare__flow_len(f, k), m = 0;
			if (t < 0 || len < 3u + (unsigned)gaps)
				continue;
			const uint32_t *idx = f->order + f->start[k];
			for (size_t j = gaps; j < len; j++)
				x[m++] = gaps ? (double)(ds[side]->time_ns[idx[j]] -
				                         ds[side]->time_ns[idx[j - 1]]) * 1e-9
				              : record_size(ds[side], idx[j]);
			r[side][n[side]] = netshare__lag1_autocorr(x, m);
			svc[side][n[side]++] = (int8_t)t;
		}
	}
	double value[NETSHARE__MAX_SERVICES];
	int has[2][NETSHARE__MAX_SERVICES];
	double *a = st == NETSHARE_OK ? netshare__mallocarray(n[0] + 1, sizeof *a) : NULL;
	double *b = a ? netshare__mallocarray(n[1] + 1, sizeof *b) : NULL;
	if (st == NETSHARE_OK && !b)
		st = netshare__error_oom("report autocorrelation");
	for (size_t t = 0; t < sv->n && st == NETSHARE_OK; t++) {
		size_t na = 0, nb = 0;
		for (size_t i = 0; i < n[0]; i++)
			if (svc[0][i] == (int8_t)t)
				a[na++] = r[0][i];
		for (size_t i = 0; i < n[1]; i++)
			if (svc[1][i] == (int8_t)t)
				b[nb++] = r[1][i];
		has[0][t] = na > 0;
		has[1][t] = nb > 0;
		value[t] = na && nb ? netshare__emd(a, na, b, nb) : NAN;
	}
	if (st == NETSHARE_OK)
		*out = netshare__services_combine(sv, value, has[0], has[1], WORST_CORR_EMD);
	netshare__free(a);
	netshare__free(b);
	netshare__free(r[0]);
	netshare__free(r[1]);
	netshare__free(x);
	netshare__free(svc[0]);
	netshare__free(svc[1]);
	return st;
}

netshare_status
netshare__report_structure(netshare_report *r, const netshare_dataset *const ds[2],
                           const netshare__flows *fl, const netshare__services *sv)
{
	double v = NAN;
	netshare_status st = first_sizes(ds, fl, sv, &v);
	if (st < 0)
		return st;
	netshare__report_add_note(r, "first_sizes_by_service", "jsd", "", "structure", v,
	                          "the real trace has no flow in a top service");
	if ((st = autocorr(ds, fl, sv, 0, &v)) < 0)
		return st;
	netshare__report_add_note(r, "size_autocorr_by_service", "emd", "r", "structure", v,
	                          "no top service of the real trace has a flow of 3 or more "
	                          "records");
	if ((st = autocorr(ds, fl, sv, 1, &v)) < 0)
		return st;
	netshare__report_add_note(r, "gap_autocorr_by_service", "emd", "r", "structure", v,
	                          "no top service of the real trace has a flow of 4 or more "
	                          "records");
	return NETSHARE_OK;
}
