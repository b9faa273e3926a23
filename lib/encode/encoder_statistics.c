/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * netshare_encoder_statistic_get: every statistic of the fitted trace the encoder state
 * holds, what it reveals, and what reads it. The list is the privacy inventory of a model
 * file (README Limits, netshare-model(5)); a new table in the encoder state belongs here.
 */
#include <string.h>

#include "core/error.h"
#include "core/params.h"
#include "encoder.h"

typedef struct stat_def {
	const char *name, *reveals, *used_by;
} stat_def;

enum {
	ST_TIME_SPAN, ST_CHUNK_COUNTS, ST_FLOW_COUNTS, ST_BOUNDS, ST_CATEGORIES, ST_ROLE_VALUES,
	ST_VOCABULARY, ST_PORT_COUNTS, ST_VECTORS, ST_CLASSES, ST_PARTNERS, ST_GAP_QUANTILES, ST_LONGEST,
	ST_PAYLOAD_FLOORS, ST_HEADERS_ONLY, ST_LENGTH_CLASSES, ST_FINGERPRINT, ST_COUNT
};

static const stat_def defs[ST_COUNT] = {
	[ST_TIME_SPAN] = { "time_span", "when the trace starts and ends (first and last record "
	                   "time)", "encoding" },
	[ST_CHUNK_COUNTS] = { "chunk_flow_counts", "how many flow segments each time chunk had "
	                      "and how many flows started in it: the traffic volume over time",
	                      "volume,sampling:enforce_flow_counts" },
	[ST_FLOW_COUNTS] = { "flow_counts", "how many flow segments the trace had, and how many "
	                     "were cut or dropped for length", "info" },
	[ST_BOUNDS] = { "field_bounds", "the smallest and largest value of each continuous field "
	                "(packet sizes, TTL, IP ids, inter-arrival times, durations, packets, "
	                "bytes, the responder's shares of them, numeric extra columns), after "
	                "log1p where set", "encoding" },
	[ST_CATEGORIES] = { "categorical_values", "every value each categorical field took "
	                    "(ToS, IP and TCP flags, fragment offsets, labels, categorical "
	                    "extra columns)", "encoding" },
	[ST_ROLE_VALUES] = { "role_ports", "which ports occurred as source ports, which as "
	                     "destination ports, and which protocols occurred", "encoding" },
	[ST_VOCABULARY] = { "port_vocabulary", "every port and protocol number in the trace",
	                    "encoding" },
	[ST_PORT_COUNTS] = { "port_counts", "the record count of every port and protocol "
	                     "number", "sampling:draw_partner_ports,repick_ports" },
	[ST_VECTORS] = { "word2vec_vectors", "which ports and protocols occur together in "
	                 "records (their embedding)", "encoding" },
	[ST_CLASSES] = { "service_classes", "the services (port and protocol) with at least "
	                 "0.05 % of the flows, per role", "encoding" },
	[ST_PARTNERS] = { "partner_ports", "for each frequent service, the ports of the other "
	                  "end seen with it and their record counts (client ports of servers)",
	                  "sampling:draw_partner_ports" },
	[ST_GAP_QUANTILES] = { "gap_quantiles", "for each frequent service, quantiles of its "
	                       "flows' within-flow inter-arrival times", "encoding" },
	[ST_LONGEST] = { "longest_flows", "for each frequent service, its longest flow in "
	                 "records", "sampling:cap_flow_lengths" },
	[ST_PAYLOAD_FLOORS] = { "payload_floors", "for each port seen in a packet, the fewest "
	                        "payload bytes any of its packets carried",
	                        "sampling:payload_floors" },
	[ST_HEADERS_ONLY] = { "headers_only", "whether every packet was captured short of its "
	                      "length (a headers-only capture)", "info" },
	[ST_FINGERPRINT] = { "fit_fingerprint", "a 64-bit checksum of the fitted records: "
	                     "whoever holds a candidate trace can confirm it is the one",
	                     "info" },
	[ST_LENGTH_CLASSES] = { "length_classes", "the packet lengths (IP total length) with at "
	                        "least 1 % of the packets", "encoding" },
};

/* Numbers held and bytes taken by statistic k. */
static void
measure(const netshare_encoder *e, int k, uint64_t *values, uint64_t *bytes)
{
	uint64_t v = 0, b = 0;
	const netshare__vector *vecs[2] = { &e->attr, &e->feat };
	switch (k) {
	case ST_TIME_SPAN: v = 2; b = 16; break;
	case ST_CHUNK_COUNTS: v = 2 * (uint64_t)e->chunks; b = 8 * v; break;
	case ST_FLOW_COUNTS: v = 3; b = 24; break;
	case ST_BOUNDS: case ST_CATEGORIES: case ST_ROLE_VALUES:
		for (int x = 0; x < 2; x++)
			for (size_t i = 0; i < vecs[x]->n_fields; i++) {
				const netshare__field *f = &vecs[x]->field[i];
				int tag = f->source == SRC_TAG_START || f->source == SRC_TAG_CHUNK ||
				          f->source == SRC_GEN;
				int cls = f->source == SRC_SPORT_CLASS || f->source == SRC_DPORT_CLASS ||
				          f->source == SRC_IPLEN_CLASS;
				if (k == ST_BOUNDS && f->type == FIELD_CONT && !f->fixed &&
				    f->source != SRC_FLOW_START) {
					v += 4; /* bounds, and the value range decoding rounds into */
					b += 32;
				} else if (k == ST_CATEGORIES && f->type == FIELD_CAT && !tag && !cls) {
					v += f->n_choices;
					b += 4 * (uint64_t)f->n_choices;
				} else if (k == ST_ROLE_VALUES && f->type == FIELD_W2V) {
					v += f->n_choices;
					b += 4 * (uint64_t)f->n_choices;
				}
			}
		if (k == ST_CATEGORIES)
			b += e->strings.arena_len;
		break;
	case ST_VOCABULARY: v = e->w2v.n_words; b = 4 * v; break;
	case ST_PORT_COUNTS: v = e->w2v.n_words; b = 8 * v; break;
	case ST_VECTORS:
		v = (uint64_t)e->w2v.n_words * (uint64_t)e->w2v.dim;
		b = 4 * v;
		break;
	case ST_CLASSES:
		for (size_t i = 0; i < e->attr.n_fields; i++) {
			const netshare__field *f = &e->attr.field[i];
			if (f->source == SRC_SPORT_CLASS || f->source == SRC_DPORT_CLASS) {
				v += f->n_choices;
				b += 4 * (uint64_t)f->n_choices;
			}
		}
		break;
	case ST_PARTNERS:
		for (int r = 0; r < 2; r++) {
			const netshare__partner_ports *p = &e->partner[r];
			uint64_t n = p->n_classes ? p->start[p->n_classes] : 0;
			v += 2 * n;
			b += 10 * n + 4 * ((uint64_t)p->n_classes + (p->n_classes > 0));
		}
		break;
	case ST_GAP_QUANTILES:
		v = e->gap_knots ? (uint64_t)e->n_groups * e->n_knots : 0;
		b = 8 * v;
		break;
	case ST_LONGEST:
		v = e->max_records ? e->n_groups : 0;
		b = 4 * v;
		break;
	case ST_PAYLOAD_FLOORS:
		for (size_t p = 0; e->min_payload && p < 65536; p++)
			v += e->min_payload[p] > 0;
		b = 6 * v; /* port and bytes, for the ports that have a floor */
		break;
	case ST_HEADERS_ONLY: v = 1; b = 1; break;
	case ST_FINGERPRINT: v = 1; b = 8; break;
	case ST_LENGTH_CLASSES:
		for (size_t i = 0; i < e->feat.n_fields; i++)
			if (e->feat.field[i].source == SRC_IPLEN_CLASS) {
				v = e->feat.field[i].n_choices - 1; /* "other" is no statistic */
				b = 4 * (uint64_t)e->feat.field[i].n_choices;
			}
		break;
	default: break;
	}
	*values = v;
	*bytes = b;
}

/* Where statistic k came from: the time span is declared when the caller gave the
 * window; a DP model's encoder was fitted on public data except for the counts per
 * chunk, which come from the private trace (noised, or exact at epsilon infinite). */
static const char *
source(const netshare_encoder *e, int k, double *noise_sd)
{
	*noise_sd = 0;
	if (k == ST_TIME_SPAN && e->window_declared)
		return "declared";
	if (e->release == NETSHARE__RELEASE_TRACE)
		return "trace";
	if (k == ST_CHUNK_COUNTS || k == ST_FLOW_COUNTS) {
		if (e->release == NETSHARE__RELEASE_EXACT)
			return "trace";
		*noise_sd = e->count_noise;
		return "noised";
	}
	return "public";
}

NETSHARE_API size_t
netshare_encoder_statistic_count(const netshare_encoder *enc)
{
	return enc ? ST_COUNT : 0;
}

NETSHARE_API netshare_status
netshare_encoder_statistic_get(const netshare_encoder *enc, size_t index,
                               netshare_statistic *out)
{
	if (!enc || !out)
		return netshare__error(NETSHARE_EINVAL, "netshare_encoder_statistic_get: %s is NULL",
		                       enc ? "out" : "enc");
	netshare_status st = netshare__check_out_struct(out, "netshare_statistic");
	if (st < 0)
		return st;
	if (index >= ST_COUNT)
		return netshare__error(NETSHARE_EINVAL, "netshare_encoder_statistic_get: statistic "
		                       "%zu out of range (%d statistics)", index, ST_COUNT);
	netshare_statistic full = { .struct_size = sizeof full };
	full.name = defs[index].name;
	full.reveals = defs[index].reveals;
	full.used_by = defs[index].used_by;
	full.source = source(enc, (int)index, &full.noise_sd);
	measure(enc, (int)index, &full.values, &full.bytes);
	netshare__out_struct_put(out, &full, sizeof full);
	return NETSHARE_OK;
}
