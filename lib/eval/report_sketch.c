/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Sketch-based heavy-hitter telemetry (reference/eval.md 3.2), NetShare's downstream task
 * for packet traces: for each sketch, the average relative error of the heavy hitters'
 * estimated counts on the real trace and on the synthetic one (one update per packet,
 * or per flow record weighted by its packets; phi = 0.1 % of the total; the same hash
 * seeds on both sides), the relative error of errors |E_syn - E_real| / E_real, and
 * Spearman's rho between the four sketches' errors on each side.
 */
#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "io/dataset.h"
#include "metrics.h"
#include "report.h"
#include "sketch.h"

/* Fixed hash seed shared by every report. */
#define SKETCH_SEED 0x5eed5ca1ab1eULL

static uint64_t
mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
	return h * 0xff51afd7ed558ccdULL;
}

/* A 64-bit key per record: destination address (five = 0) or 5-tuple. */
static uint64_t
key_of(const netshare_dataset *ds, size_t i, int five)
{
	uint8_t a[16];
	uint64_t h = 0x243f6a8885a308d3ULL;
	netshare__dataset_addr(ds, i, 1, a);
	for (int k = 0; k < 16; k++)
		h = mix(h, a[k]);
	if (five) {
		netshare__dataset_addr(ds, i, 0, a);
		for (int k = 0; k < 16; k++)
			h = mix(h, a[k]);
		h = mix(mix(mix(h, ds->sport[i]), ds->dport[i]), ds->proto[i]);
	}
	return h;
}

static netshare_status
errors(const netshare_dataset *ds, int five, double err[NETSHARE__SKETCHES])
{
	uint64_t *keys = netshare__mallocarray(ds->n ? ds->n : 1, sizeof *keys);
	double *w = ds->kind == NETSHARE_RECORDS_FLOWS ?
	            netshare__mallocarray(ds->n ? ds->n : 1, sizeof *w) : NULL;
	if (!keys || (ds->kind == NETSHARE_RECORDS_FLOWS && !w)) {
		netshare__free(keys);
		netshare__free(w);
		return netshare__error_oom("report sketches");
	}
	for (size_t i = 0; i < ds->n; i++) {
		keys[i] = key_of(ds, i, five);
		if (w)
			w[i] = (double)(ds->packets[i] ? ds->packets[i] : 1);
	}
	netshare_status st = netshare__sketch_hh_errors(keys, w, ds->n, NETSHARE__SKETCH_PHI,
	                                                SKETCH_SEED, err);
	netshare__free(keys);
	netshare__free(w);
	return st;
}

netshare_status
netshare__report_sketches(netshare_report *r, const netshare_dataset *real,
                          const netshare_dataset *syn)
{
	static const char *const names[2][NETSHARE__SKETCHES][3] = {
		{ { "cms_dstip_error", "cms_dstip_error_real", "cms_dstip_rel_error" },
		  { "cs_dstip_error", "cs_dstip_error_real", "cs_dstip_rel_error" },
		  { "univmon_dstip_error", "univmon_dstip_error_real", "univmon_dstip_rel_error" },
		  { "nitro_dstip_error", "nitro_dstip_error_real", "nitro_dstip_rel_error" } },
		{ { "cms_5tuple_error", "cms_5tuple_error_real", "cms_5tuple_rel_error" },
		  { "cs_5tuple_error", "cs_5tuple_error_real", "cs_5tuple_rel_error" },
		  { "univmon_5tuple_error", "univmon_5tuple_error_real", "univmon_5tuple_rel_error" },
		  { "nitro_5tuple_error", "nitro_5tuple_error_real", "nitro_5tuple_rel_error" } },
	};
	static const char *const rho[2] = { "sketch_dstip_spearman", "sketch_5tuple_spearman" };
	for (int five = 0; five < 2; five++) {
		double er[NETSHARE__SKETCHES], es[NETSHARE__SKETCHES];
		netshare_status st = errors(real, five, er);
		if (st == NETSHARE_OK)
			st = errors(syn, five, es);
		if (st < 0)
			return st;
		for (int s = 0; s < NETSHARE__SKETCHES; s++) {
			/* Errors of the whole 5-tuple report only the comparison, to keep the table
			 * short; the destination-address errors are shown in full. */
			if (!five) {
				netshare__report_add(r, names[five][s][0], "error", "", "sketch", es[s]);
				netshare__report_add(r, names[five][s][1], "error", "", "sketch", er[s]);
			}
			netshare__report_add_note(r, names[five][s][2], "relerr", "", "sketch",
			                          er[s] > 0 ? fabs(es[s] - er[s]) / er[s] : NAN,
			                          "the sketch is exact on the real trace (error 0): "
			                          "no error to compare with");
		}
		netshare__report_add_note(r, rho[five], "rho", "", "sketch",
		                          netshare__spearman(er, es, NETSHARE__SKETCHES),
		                          "the sketches' errors are all equal on a trace: no "
		                          "ranking");
	}
	return NETSHARE_OK;
}
