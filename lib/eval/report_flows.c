/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Flow-level report metrics (report.h); the per-service ones are in report_services.c.
 *  - flow_start_rate: EMD between the per-second counts of flow starts of the two traces
 *    (each from its own first record), in flows per second.
 *  - flows_identical_to_real: share of synthetic flows equal to a real flow in 5-tuple,
 *    length and every record's fields other than time (memorisation).
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/intern.h"
#include "metrics.h"
#include "report.h"

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
	size_t na = 0, nb = 0;
	double *a = start_rate(real, &fl[0], &na), *b = start_rate(syn, &fl[1], &nb);
	if (!a || !b) {
		netshare__free(a);
		netshare__free(b);
		return netshare__error_oom("report start rate");
	}
	netshare__report_add_note(r, "flow_start_rate", "emd", "flows/s", "joint",
	                          netshare__emd(a, na, b, nb), "a trace has no flow");
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
		netshare__report_add_note(r, "flows_identical_to_real", "share", "", "memorisation",
		                          same, "the synthetic trace has no flow");
	return st;
}
