/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Membership-inference audit (report.h): how well the distance from a real flow to its
 * closest synthetic flow tells the training part's flows from the held-out part's.
 * Definition, caps and what the value means: docs/METRICS.md ("membership_auc").
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "flow/flows.h"
#include "io/dataset.h"
#include "report.h"

/* Flows of each side taken into account at most: every k-th flow beyond. */
#define AUDIT_REAL_FLOWS 2000
#define AUDIT_SYNTHETIC_FLOWS 20000

/* What the distance reads of a flow: its key and three sizes, after log1p. */
typedef struct flow_point {
	uint8_t src[16], dst[16];
	uint16_t sport, dport;
	uint8_t proto;
	double records, bytes, duration;
} flow_point;

/* A flow's point: the key of its first record; records, bytes (IP lengths of packets,
 * bytes of flow records) and time span (ms), each log1p. */
static void
point_of(const netshare_dataset *ds, const netshare__flows *fl, size_t k, flow_point *p)
{
	const uint32_t *idx = fl->order + fl->start[k];
	size_t len = netshare__flow_len(fl, k);
	uint32_t i = idx[0];
	netshare__dataset_addr(ds, i, 0, p->src);
	netshare__dataset_addr(ds, i, 1, p->dst);
	p->sport = ds->sport[i];
	p->dport = ds->dport[i];
	p->proto = ds->proto[i];
	double bytes = 0;
	int64_t first = ds->time_ns[i], last = first;
	for (size_t j = 0; j < len; j++) {
		uint32_t r = idx[j];
		bytes += ds->kind == NETSHARE_RECORDS_PACKETS ? ds->ip_len[r] : (double)ds->bytes[r];
		first = ds->time_ns[r] < first ? ds->time_ns[r] : first;
		last = ds->time_ns[r] > last ? ds->time_ns[r] : last;
	}
	p->records = log1p((double)len);
	p->bytes = log1p(bytes);
	p->duration = log1p((double)(last - first) / 1e6);
}

/* One unit per key field that differs, plus the log-size differences. */
static double
distance(const flow_point *a, const flow_point *b)
{
	double d = (memcmp(a->src, b->src, 16) != 0) + (memcmp(a->dst, b->dst, 16) != 0) +
	           (a->sport != b->sport) + (a->dport != b->dport) + (a->proto != b->proto);
	return d + fabs(a->records - b->records) + fabs(a->bytes - b->bytes) +
	       fabs(a->duration - b->duration);
}

/* Points of at most `most` of the dataset's flows fl (every k-th, in flow order). */
static netshare_status
points_of(const netshare_dataset *ds, const netshare__flows *fl, size_t most,
          flow_point **out, size_t *n)
{
	size_t step = fl->n_flows > most ? (fl->n_flows + most - 1) / most : 1;
	size_t m = (fl->n_flows + step - 1) / step;
	flow_point *p = netshare__mallocarray(m ? m : 1, sizeof *p);
	*out = p;
	*n = p ? m : 0;
	if (!p)
		return netshare__error_oom("membership audit");
	for (size_t k = 0, j = 0; k < fl->n_flows; k += step, j++)
		point_of(ds, fl, k, &p[j]);
	return NETSHARE_OK;
}

typedef struct scored {
	double d;
	int member;
} scored;

static int
by_distance(const void *a, const void *b)
{
	double x = ((const scored *)a)->d, y = ((const scored *)b)->d;
	return (x > y) - (x < y);
}

netshare_status
netshare__auc_closer(const double *members, size_t n_members, const double *others,
                     size_t n_others, double *auc)
{
	*auc = NAN;
	if (!n_members || !n_others)
		return NETSHARE_OK;
	size_t n = n_members + n_others;
	scored *s = netshare__mallocarray(n, sizeof *s);
	if (!s)
		return netshare__error_oom("membership audit");
	for (size_t i = 0; i < n; i++) {
		s[i].d = i < n_members ? members[i] : others[i - n_members];
		s[i].member = i < n_members;
	}
	qsort(s, n, sizeof *s, by_distance);
	/* Mann-Whitney: members' mean rank from the far end, ties averaged. */
	double rank_sum = 0;
	for (size_t i = 0, run; i < n; i += run) {
		for (run = 1; i + run < n && s[i + run].d == s[i].d; run++)
			;
		double rank = (double)n - (double)i - (double)(run - 1) / 2.0; /* 1 = farthest */
		for (size_t j = i; j < i + run; j++)
			rank_sum += s[j].member ? rank : 0;
	}
	netshare__free(s);
	double u = rank_sum - (double)n_members * ((double)n_members + 1) / 2.0;
	*auc = u / ((double)n_members * (double)n_others);
	return NETSHARE_OK;
}

netshare_status
netshare__membership_auc(const netshare_dataset *const ds[2], const netshare__flows fl[2],
                         const netshare_dataset *held, double *auc)
{
	*auc = NAN;
	flow_point *p[3] = { NULL, NULL, NULL };
	size_t n[3] = { 0, 0, 0 };
	netshare__flows held_flows = { 0 };
	netshare_status st = netshare__flows_build(held, &held_flows);
	/* Training part, held-out part, synthetic trace. */
	const netshare_dataset *side[3] = { ds[0], held, ds[1] };
	const netshare__flows *side_fl[3] = { &fl[0], &held_flows, &fl[1] };
	const size_t most[3] = { AUDIT_REAL_FLOWS, AUDIT_REAL_FLOWS, AUDIT_SYNTHETIC_FLOWS };
	for (int k = 0; k < 3 && st == NETSHARE_OK; k++)
		st = points_of(side[k], side_fl[k], most[k], &p[k], &n[k]);
	netshare__flows_free(&held_flows);
	double *closest[2] = { NULL, NULL };
	for (int k = 0; k < 2 && st == NETSHARE_OK; k++)
		if (!(closest[k] = netshare__mallocarray(n[k] ? n[k] : 1, sizeof(double))))
			st = netshare__error_oom("membership audit");
	if (st == NETSHARE_OK && n[2] > 0) {
		for (int k = 0; k < 2; k++)
			for (size_t i = 0; i < n[k]; i++) {
				double best = INFINITY;
				for (size_t j = 0; j < n[2]; j++) {
					double d = distance(&p[k][i], &p[2][j]);
					best = d < best ? d : best;
				}
				closest[k][i] = best;
			}
		st = netshare__auc_closer(closest[0], n[0], closest[1], n[1], auc);
	}
	for (int k = 0; k < 3; k++)
		netshare__free(p[k]);
	netshare__free(closest[0]);
	netshare__free(closest[1]);
	return st;
}
