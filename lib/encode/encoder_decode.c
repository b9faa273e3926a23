/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * netshare_encoder_decode: generated (or encoded) tensors back into records. Each field
 * decodes a whole column at once (word2vec through one sgemm per field); flow lengths
 * come from the gen flags; times are the chunk window position of the flow start plus
 * the running sum of inter-arrival times.
 */
#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "encoder.h"
#include "io/dataset.h"
#include "io/packet.h"

/* The decoded values of every field of a vector, rows x fields. */
typedef struct columns {
	netshare__value *v[NETSHARE__MAX_FIELDS];
} columns;

static void
columns_free(columns *c, size_t n_fields)
{
	for (size_t k = 0; k < n_fields; k++)
		netshare__free(c->v[k]);
}

static netshare_status
decode_columns(const netshare__vector *vec, const float *in, size_t rows, columns *c)
{
	memset(c, 0, sizeof *c);
	for (size_t k = 0; k < vec->n_fields; k++) {
		c->v[k] = netshare__mallocarray(rows ? rows : 1, sizeof *c->v[k]);
		if (!c->v[k]) {
			columns_free(c, vec->n_fields);
			return netshare__error_oom("decoding");
		}
		netshare_status st = netshare__field_decode(&vec->field[k], in, vec->dim, rows, c->v[k]);
		if (st < 0) {
			columns_free(c, vec->n_fields);
			return st;
		}
	}
	return NETSHARE_OK;
}

/* An address decoded from bits: ::ffff:a.b.c.d (and every 32-bit field) is IPv4. */
static void
set_address(netshare_record *r, const uint8_t a[16], int dst)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	if (memcmp(a, mapped, 12) == 0) {
		uint32_t v4 = (uint32_t)a[12] << 24 | (uint32_t)a[13] << 16 | (uint32_t)a[14] << 8 | a[15];
		r->ip_version = 4;
		*(dst ? &r->dst_ip : &r->src_ip) = v4;
	} else {
		r->ip_version = 6;
		memcpy(dst ? r->dst_ip6 : r->src_ip6, a, 16);
	}
}

static const char *
string_of(const netshare_encoder *e, uint32_t code)
{
	return code && code != UINT32_MAX ? netshare__intern_get(&e->strings, code - 1, NULL) : NULL;
}

/* Give `out` the encoder's extra columns (by name) unless it has them already. */
static netshare_status
ensure_extras(const netshare_encoder *e, netshare_dataset *out, int *map)
{
	for (size_t x = 0; x < e->n_extra; x++) {
		int col = netshare__dataset_extra_find(out, e->extra_name[x], strlen(e->extra_name[x]));
		if (col < 0) {
			netshare_status st = netshare_dataset_add_extra(out, e->extra_name[x],
			                                                e->extra_cat[x]);
			if (st < 0)
				return st;
			col = (int)out->n_extra - 1;
		}
		map[x] = col;
	}
	return NETSHARE_OK;
}

/* round(share * total), within 0..total. */
static uint64_t
share_of(uint64_t total, double share)
{
	double v = nearbyint((share > 1 ? 1 : share > 0 ? share : 0) * (double)total);
	return v >= (double)total ? total : (uint64_t)v;
}

static void
fill_record_field(const netshare_encoder *e, const netshare__field *f, const netshare__value *v,
                  netshare_record *r)
{
	switch (f->source) {
	case SRC_IPLEN: r->ip_length = (uint16_t)v->num; break;
	case SRC_IPLEN_CLASS: /* decoded after ip_length, which "other" keeps */
		if (v->code != NETSHARE__LENGTH_OTHER)
			r->ip_length = (uint16_t)v->code;
		break;
	case SRC_TOS: r->tos = (uint8_t)v->code; break;
	case SRC_IPID: r->ip_id = (uint16_t)v->num; break;
	case SRC_IPFLAGS: r->ip_flags = (uint8_t)v->code; break;
	case SRC_FRAGOFF: r->frag_offset = (uint16_t)v->code; break;
	case SRC_TTL: r->ttl = (uint8_t)v->num; break;
	case SRC_TCPFLAGS: r->tcp_flags = (uint8_t)v->code; break;
	case SRC_DURATION: r->duration_ns = (int64_t)v->num; break;
	case SRC_PACKETS: r->packets = (uint64_t)v->num; break;
	case SRC_BYTES: r->bytes = (uint64_t)v->num; break;
	/* Shares of the totals decoded just before them (fields come in that order). */
	case SRC_RESP_PACKETS: r->resp_packets = share_of(r->packets, v->num); break;
	case SRC_RESP_BYTES: r->resp_bytes = share_of(r->bytes, v->num); break;
	case SRC_LABEL: r->label = string_of(e, v->code); break;
	default: break;
	}
}

/* The extra columns of vector v (a flow's attributes or a record's features), row `row`
 * of its decoded columns, into the last record of `out`. */
static netshare_status
put_extras(const netshare_encoder *e, const netshare__vector *v, const columns *c, size_t row,
           netshare_dataset *out, const int *extra_map)
{
	for (size_t k = 0; k < v->n_fields; k++) {
		const netshare__field *fd = &v->field[k];
		if (fd->source != SRC_EXTRA)
			continue;
		const netshare__value *x = &c->v[k][row];
		netshare_status st = netshare_dataset_extra_set(out, out->n - 1,
		                                                (size_t)extra_map[fd->index], x->num,
		                                                fd->type == FIELD_CAT ?
		                                                string_of(e, x->code) : NULL);
		if (st < 0)
			return st;
	}
	return NETSHARE_OK;
}

/* Row r's flow fields into rec; returns the flow start, ns after t_min. */
static double
flow_fields(const netshare_encoder *e, const columns *a, size_t r, double lo, double width,
            netshare_record *rec)
{
	double t = lo;
	const netshare__field *cf[2] = { NULL, NULL };
	uint32_t class[2] = { 0, 0 };
	for (size_t k = 0; k < e->attr.n_fields; k++) {
		const netshare__field *fd = &e->attr.field[k];
		const netshare__value *v = &a->v[k][r];
		switch (fd->source) {
		case SRC_SRCIP: set_address(rec, v->addr, 0); break;
		case SRC_DSTIP: set_address(rec, v->addr, 1); break;
		case SRC_SPORT: rec->src_port = (uint16_t)v->code; break;
		case SRC_DPORT: rec->dst_port = (uint16_t)v->code; break;
		case SRC_PROTO: rec->protocol = (uint8_t)v->code; break;
		case SRC_LABEL: rec->label = string_of(e, v->code); break;
		case SRC_SPORT_CLASS: cf[0] = fd; class[0] = v->code; break;
		case SRC_DPORT_CLASS: cf[1] = fd; class[1] = v->code; break;
		case SRC_FLOW_START: t = lo + v->num * width; break;
		default: break;
		}
	}
	/* A port class other than "other" wins over the word2vec vectors, which decode
	 * among the ports of "other" flows only; a service class sets the protocol too (the
	 * destination's first: the service a flow is for). */
	for (int d = 0; d < 2; d++) {
		if (!cf[d] || class[d] == netshare__class_other(cf[d]))
			continue;
		*(d ? &rec->dst_port : &rec->src_port) = (uint16_t)(class[d] & 0xffff);
		if (netshare__class_is_service(cf[d]) &&
		    (d == 1 || !cf[1] || class[1] == netshare__class_other(cf[1])))
			rec->protocol = (uint8_t)(class[d] >> 16);
	}
	/* A packet of a protocol without ports (ICMP, ...) has none, whatever the port heads
	 * say: the pcap writer would drop them, and two flows would then share a 5-tuple.
	 * (Flow logs may carry ports on any protocol, e.g. ESP: kept.) */
	if (e->kind == NETSHARE_RECORDS_PACKETS && !netshare__proto_has_ports(rec->protocol))
		rec->src_port = rec->dst_port = 0;
	return t;
}

/* May an IPv4 address in this role start with this octet? */
static int
first_octet_valid(unsigned octet, netshare__source role)
{
	if (octet == 0 || octet == 127 || octet >= 240)
		return 0;
	return octet < 224 || role == SRC_DSTIP;
}

/* The most likely valid first octet under the eight two-way bit heads x[0..16), by the
 * sum of the bits' log-probabilities. */
static unsigned
first_octet(const float *x, netshare__source role)
{
	unsigned likeliest = 0;
	for (int b = 0; b < 8; b++)
		likeliest |= (unsigned)(x[2 * b + 1] > x[2 * b]) << (7 - b);
	if (first_octet_valid(likeliest, role)) /* almost always: no search */
		return likeliest;
	double logp[8][2];
	for (int b = 0; b < 8; b++)
		for (int v = 0; v < 2; v++)
			logp[b][v] = log(x[2 * b + v] > 1e-30f ? x[2 * b + v] : 1e-30f);
	unsigned best = 1;
	double best_score = -INFINITY;
	for (unsigned o = 1; o < 256; o++) {
		if (!first_octet_valid(o, role))
			continue;
		double score = 0;
		for (int b = 0; b < 8; b++)
			score += logp[b][(o >> (7 - b)) & 1];
		if (score > best_score) {
			best_score = score;
			best = o;
		}
	}
	return best;
}

void
netshare__encoder_valid_addresses(const netshare_encoder *e, float *attributes, size_t n)
{
	for (size_t k = 0; k < e->attr.n_fields; k++) {
		const netshare__field *f = &e->attr.field[k];
		if (f->type != FIELD_BITS || f->width != 32)
			continue;
		for (size_t r = 0; r < n; r++) {
			float *x = attributes + r * e->attr.dim + f->offset;
			unsigned o = first_octet(x, f->source);
			for (int b = 0; b < 8; b++) {
				int bit = (o >> (7 - b)) & 1;
				x[2 * b + bit] = 1.0f;
				x[2 * b + !bit] = 0.0f;
			}
		}
	}
}

#define ANY_PROTO 256u

/* May class c of a port class field go with a flow of this protocol (ANY_PROTO: any)?
 * "Other" and bare-port classes always may. */
static int
service_allowed(const netshare__field *f, size_t c, uint32_t proto)
{
	return proto == ANY_PROTO || c + 1 == f->dim || !netshare__class_is_service(f) ||
	       f->choices[c] >> 16 == proto;
}

_Static_assert(NETSHARE_MAX_LENGTH_CLASSES <= NETSHARE_MAX_PORT_CLASSES,
               "draw_class's weights hold a port class head's");

/* One-hot on a class drawn from a head's probabilities x[0 .. dim) sharpened by the
 * temperature (0: the likeliest), among the classes service_allowed() lets go with
 * `proto` ("other" always may); returns its index. */
static size_t
draw_class(const netshare__field *f, float *x, uint32_t proto, double temperature,
           netshare__rng *rng)
{
	size_t best = f->dim - 1;
	for (size_t c = 0; c < f->dim; c++)
		if (service_allowed(f, c, proto) && x[c] > x[best])
			best = c;
	size_t pick = best;
	if (temperature > 0 && x[best] > 0) {
		/* p^(1/t) relative to the likeliest class's, so that nothing overflows. */
		double w[NETSHARE_MAX_PORT_CLASSES + 1], total = 0, top = log(x[best]);
		for (size_t c = 0; c < f->dim; c++) {
			w[c] = service_allowed(f, c, proto) && x[c] > 0
			       ? exp((log(x[c]) - top) / temperature) : 0;
			total += w[c];
		}
		double u = netshare__rng_uniform(rng) * total;
		for (size_t c = 0; c < f->dim; c++) {
			u -= w[c];
			if (w[c] > 0 && u < 0) {
				pick = c;
				break;
			}
		}
	}
	memset(x, 0, f->dim * sizeof *x);
	x[pick] = 1.0f;
	return pick;
}

/* One softmax head of `dim` values drawn as draw_class draws, without a bound on dim:
 * the weights are computed twice rather than stored. */
static void
draw_value(float *x, size_t dim, double temperature, netshare__rng *rng)
{
	size_t best = 0;
	for (size_t c = 1; c < dim; c++)
		if (x[c] > x[best])
			best = c;
	size_t pick = best;
	if (temperature > 0 && x[best] > 0) {
		double total = 0, top = log(x[best]);
		for (size_t c = 0; c < dim; c++)
			total += x[c] > 0 ? exp((log(x[c]) - top) / temperature) : 0;
		double u = netshare__rng_uniform(rng) * total;
		for (size_t c = 0; c < dim; c++) {
			double w = x[c] > 0 ? exp((log(x[c]) - top) / temperature) : 0;
			u -= w;
			if (w > 0 && u < 0) {
				pick = c;
				break;
			}
		}
	}
	memset(x, 0, dim * sizeof *x);
	x[pick] = 1.0f;
}

void
netshare__encoder_draw_labels(const netshare_encoder *e, float *attributes, size_t n,
                              double temperature, netshare__rng *rng)
{
	for (size_t k = 0; k < e->attr.n_fields; k++) {
		const netshare__field *f = &e->attr.field[k];
		if (!netshare__field_is_flow_category(f) || f->dim < 2)
			continue;
		for (size_t r = 0; r < n; r++)
			draw_value(attributes + r * e->attr.dim + f->offset, f->dim, temperature, rng);
	}
}

void
netshare__encoder_draw_classes(const netshare_encoder *e, float *attributes, size_t n,
                               double temperature, netshare__rng *rng)
{
	const netshare__field *cf[2];
	netshare__encoder_class_fields(e, cf);
	if (!cf[0] || !cf[1])
		return;
	for (size_t r = 0; r < n; r++) {
		float *dst = attributes + r * e->attr.dim + cf[1]->offset;
		float *src = attributes + r * e->attr.dim + cf[0]->offset;
		size_t d = draw_class(cf[1], dst, ANY_PROTO, temperature, rng);
		(void)draw_class(cf[0], src, d + 1 < cf[1]->dim && netshare__class_is_service(cf[1])
		                       ? cf[1]->choices[d] >> 16 : ANY_PROTO, temperature, rng);
	}
}

void
netshare__encoder_draw_record_classes(const netshare_encoder *e, float *features, size_t n,
                                      double temperature, netshare__rng *rng)
{
	for (size_t k = 0; k < e->feat.n_fields; k++) {
		const netshare__field *f = &e->feat.field[k];
		if (f->source != SRC_IPLEN_CLASS)
			continue;
		for (size_t r = 0; r < n * e->max_len; r++)
			(void)draw_class(f, features + r * e->feat.dim + f->offset, ANY_PROTO,
			                 temperature, rng);
	}
}

netshare_status
netshare__encoder_decode_keys(const netshare_encoder *e, const float *attributes, size_t n,
                              netshare_record *keys)
{
	columns a;
	netshare_status st = decode_columns(&e->attr, attributes, n, &a);
	if (st < 0)
		return st;
	for (size_t r = 0; r < n; r++) {
		netshare_record_init(&keys[r]);
		flow_fields(e, &a, r, 0, 0, &keys[r]);
	}
	columns_free(&a, e->attr.n_fields);
	return NETSHARE_OK;
}

NETSHARE_API netshare_status
netshare_encoder_decode(const netshare_encoder *e, int chunk, const float *attributes,
                        const float *features, size_t n, netshare_dataset *out)
{
	return netshare__encoder_decode_capped(e, chunk, attributes, features, n, NULL, NULL,
	                                       out);
}

netshare_status
netshare__encoder_decode_capped(const netshare_encoder *e, int chunk, const float *attributes,
                                const float *features, size_t n, const uint32_t *most_of,
                                uint32_t *len_of, netshare_dataset *out)
{
	if (!e || !out || (n && (!attributes || !features)))
		return netshare__error(NETSHARE_EINVAL, "netshare_encoder_decode: a required "
		                       "argument is NULL");
	if (chunk < 0 || chunk >= e->chunks)
		return netshare__error(NETSHARE_EINVAL, "netshare_encoder_decode: chunk %d out of "
		                       "range (0..%d)", chunk, e->chunks - 1);
	if (out->kind != e->kind)
		return netshare__error(NETSHARE_EINVAL, "netshare_encoder_decode: the output dataset "
		                       "holds the other kind of records");
	int extra_map[NETSHARE_MAX_EXTRA_COLUMNS];
	netshare_status st = ensure_extras(e, out, extra_map);
	if (st < 0)
		return st;
	size_t T = e->max_len, F = e->feat.dim;
	size_t gen = 0;
	for (size_t k = 0; k < e->feat.n_fields; k++)
		if (e->feat.field[k].source == SRC_GEN)
			gen = e->feat.field[k].offset;
	/* Lengths first (up to and including the first record flagged "last", at most the
	 * service's longest), then only those records are decoded: with T in the hundreds,
	 * padding was most rows. */
	size_t *first = netshare__mallocarray(n + 1, sizeof *first);
	if (!first)
		return netshare__error_oom("decoding");
	first[0] = 0;
	for (size_t r = 0; r < n; r++) {
		size_t len = T;
		for (size_t j = 0; j < T; j++) {
			const float *g = features + (r * T + j) * F + gen;
			if (g[1] > g[0]) {
				len = j + 1;
				break;
			}
		}
		uint32_t most = most_of ? most_of[r]
		                        : netshare__encoder_max_records(e, attributes + r * e->attr.dim);
		len = len < most ? len : most;
		if (len_of)
			len_of[r] = (uint32_t)len;
		first[r + 1] = first[r] + len;
	}
	float *kept = netshare__mallocarray(first[n] ? first[n] * F : 1, sizeof *kept);
	if (!kept) {
		netshare__free(first);
		return netshare__error_oom("decoding");
	}
	for (size_t r = 0; r < n; r++)
		memcpy(kept + first[r] * F, features + r * T * F,
		       (first[r + 1] - first[r]) * F * sizeof *kept);
	columns a, f;
	if ((st = decode_columns(&e->attr, attributes, n, &a)) < 0) {
		netshare__free(first);
		netshare__free(kept);
		return st;
	}
	st = decode_columns(&e->feat, kept, first[n], &f);
	netshare__free(kept);
	if (st < 0) {
		netshare__free(first);
		columns_free(&a, e->attr.n_fields);
		return st;
	}
	double lo, width;
	netshare__encoder_chunk_window(e, chunk, &lo, &width);
	for (size_t r = 0; r < n && st == NETSHARE_OK; r++) {
		netshare_record rec;
		netshare_record_init(&rec);
		double t = flow_fields(e, &a, r, lo, width, &rec);
		/* Generated gaps may add up past what a timestamp can hold: stop at the limit. */
		double t_end = (double)(NETSHARE_TIME_LIMIT_NS - 1 - e->t_min) - 1e6;
		size_t len = first[r + 1] - first[r];
		const double *gaps = netshare__encoder_gap_knots(e, attributes + r * e->attr.dim);
		for (size_t j = 0; j < len && st == NETSHARE_OK; j++) {
			size_t row = first[r] + j;
			for (size_t k = 0; k < e->feat.n_fields; k++) {
				const netshare__field *fd = &e->feat.field[k];
				if (fd->source == SRC_IAT && j > 0)
					t += gaps ? netshare__cont_inverse_knots(fd, features[(r * T + j) * F +
					                                                      fd->offset],
					                                         gaps, e->n_knots)
					          : f.v[k][row].num;
				fill_record_field(e, fd, &f.v[k][row], &rec);
			}
			if (t > t_end)
				t = t_end;
			rec.time_ns = e->t_min + (int64_t)llround(t);
			if ((st = netshare__dataset_push(out, &rec)) < 0 ||
			    (st = put_extras(e, &e->attr, &a, r, out, extra_map)) < 0 ||
			    (st = put_extras(e, &e->feat, &f, row, out, extra_map)) < 0)
				break;
		}
	}
	columns_free(&a, e->attr.n_fields);
	columns_free(&f, e->feat.n_fields);
	netshare__free(first);
	return st;
}
