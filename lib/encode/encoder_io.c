/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Serialising a fitted encoder (it travels inside the model file) and loading it back.
 *
 * The loader treats its input as hostile: every count is checked against the bytes
 * left before anything is allocated, every enum and dimension against what the encoder
 * can use, and any inconsistency is NETSHARE_ECORRUPT, never a crash. (The model file's
 * CRCs catch accidental damage first; this catches everything else.)
 */
#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"
#include "encoder.h"

/* Version of this layout; bump when it changes (loaders refuse newer ones). Version 3
 * added the port class fields; version 4 made their keys services (port and protocol,
 * with NETSHARE__SERVICE_OTHER); version 5 appended each port's minimal payload
 * (packets); version 6 the per-service statistics (service_stats.c); version 7 made
 * their gap bounds quantile tables; version 8 added the packet length class field;
 * version 9 the fitted data's fingerprint, whether the time window was declared, and
 * how a DP model released its counts; version 10 the fitted file's format; version 2 to 9
 * states load unchanged. */
#define ENCODER_STATE_VERSION 10
#define ENCODER_STATE_OLDEST 2
/* Longest sequence a loaded encoder may ask for: bounds what encoding allocates. */
#define MAX_LOADED_LEN (1u << 20)

static void
save_field(netshare__wbuf *b, const netshare__field *f)
{
	netshare__wbuf_u8(b, (uint8_t)f->type);
	netshare__wbuf_u8(b, (uint8_t)f->source);
	netshare__wbuf_u32(b, (uint32_t)f->index);
	netshare__wbuf_str(b, f->name);
	netshare__wbuf_u32(b, (uint32_t)f->dim);
	netshare__wbuf_u32(b, (uint32_t)f->width);
	netshare__wbuf_u8(b, (uint8_t)f->w2v_kind);
	netshare__wbuf_u8(b, (uint8_t)f->log1p);
	netshare__wbuf_u8(b, (uint8_t)f->fixed);
	netshare__wbuf_u8(b, (uint8_t)f->integer);
	netshare__wbuf_f64(b, f->lo);
	netshare__wbuf_f64(b, f->hi);
	netshare__wbuf_f64(b, f->min_value);
	netshare__wbuf_f64(b, f->max_value);
	netshare__wbuf_u32(b, f->n_choices);
	for (uint32_t k = 0; k < f->n_choices; k++)
		netshare__wbuf_u32(b, f->choices[k]);
}

netshare_status
netshare__encoder_save(const netshare_encoder *e, netshare__wbuf *b)
{
	netshare__wbuf_u32(b, ENCODER_STATE_VERSION);
	netshare__wbuf_u8(b, (uint8_t)e->kind);
	netshare__wbuf_u32(b, (uint32_t)e->chunks);
	netshare__wbuf_u64(b, (uint64_t)e->t_min);
	netshare__wbuf_u64(b, (uint64_t)e->t_max);
	netshare__wbuf_u32(b, e->max_flow_len);
	netshare__wbuf_u32(b, e->sample_len);
	netshare__wbuf_u32(b, e->max_len);
	netshare__wbuf_u8(b, (uint8_t)e->drop_long);
	netshare__wbuf_u32(b, (uint32_t)e->addr_bits);
	netshare__wbuf_u64(b, e->flows);
	netshare__wbuf_u64(b, e->truncated);
	netshare__wbuf_u64(b, e->dropped);
	for (int c = 0; c < e->chunks; c++) {
		netshare__wbuf_u64(b, e->chunk_flows[c]);
		netshare__wbuf_u64(b, e->chunk_starts[c]);
	}
	netshare__wbuf_u32(b, (uint32_t)e->strings.n);
	for (size_t i = 0; i < e->strings.n; i++)
		netshare__wbuf_str(b, netshare__intern_get(&e->strings, (uint32_t)i, NULL));
	netshare__wbuf_u32(b, (uint32_t)e->n_extra);
	for (size_t x = 0; x < e->n_extra; x++) {
		netshare__wbuf_str(b, e->extra_name[x]);
		netshare__wbuf_u8(b, (uint8_t)e->extra_cat[x]);
	}
	netshare__wbuf_u32(b, (uint32_t)e->w2v.dim);
	netshare__wbuf_u32(b, (uint32_t)e->w2v.n_words);
	for (size_t i = 0; i < e->w2v.n_words; i++) {
		netshare__wbuf_u32(b, e->w2v.word[i]);
		netshare__wbuf_u64(b, e->w2v.count[i]);
	}
	for (size_t i = 0; i < e->w2v.n_words * (size_t)e->w2v.dim; i++)
		netshare__wbuf_f32(b, e->w2v.vec[i]);
	const netshare__vector *vs[2] = { &e->attr, &e->feat };
	for (int k = 0; k < 2; k++) {
		netshare__wbuf_u32(b, (uint32_t)vs[k]->n_fields);
		for (size_t i = 0; i < vs[k]->n_fields; i++)
			save_field(b, &vs[k]->field[i]);
	}
	/* v5: the ports with a payload floor, as (port, bytes) pairs by port. */
	uint32_t floors = 0;
	for (size_t p = 0; e->min_payload && p < 65536; p++)
		floors += e->min_payload[p] > 0;
	netshare__wbuf_u8(b, e->min_payload != NULL);
	netshare__wbuf_u32(b, floors);
	for (uint32_t p = 0; e->min_payload && p < 65536; p++)
		if (e->min_payload[p] > 0) {
			netshare__wbuf_u32(b, p);
			netshare__wbuf_u32(b, e->min_payload[p]);
		}
	netshare__wbuf_u8(b, (uint8_t)e->headers_only); /* v6 */
	netshare__service_stats_save(e, b);
	netshare__wbuf_u64(b, e->fit_fingerprint); /* v9 */
	netshare__wbuf_u8(b, (uint8_t)e->window_declared);
	netshare__wbuf_u8(b, (uint8_t)e->release);
	netshare__wbuf_f64(b, e->count_noise);
	netshare__wbuf_u8(b, (uint8_t)e->source_format); /* v10 */
	netshare__wbuf_str(b, e->label_column);
	return b->status == NETSHARE_OK ? NETSHARE_OK : netshare__error_oom("encoder state");
}

static netshare_status
corrupt(const char *what)
{
	return netshare__error(NETSHARE_ECORRUPT, "encoder state: %s", what);
}

static netshare_status
load_w2v(netshare__rbuf *r, netshare__word2vec *w)
{
	w->dim = (int)netshare__rbuf_u32(r);
	uint32_t n = netshare__rbuf_u32(r);
	if (w->dim < 1 || w->dim > 1024 || n > (NETSHARE__W2V_KINDS << 16) ||
	    !netshare__rbuf_has(r, n, 12 + 4 * (size_t)w->dim))
		return corrupt("bad word2vec size");
	w->n_words = n;
	w->word = netshare__mallocarray(n ? n : 1, sizeof *w->word);
	w->count = netshare__mallocarray(n ? n : 1, sizeof *w->count);
	w->vec = netshare__mallocarray(n ? n * (size_t)w->dim : 1, sizeof *w->vec);
	if (!w->word || !w->count || !w->vec)
		return netshare__error_oom("encoder state");
	for (uint32_t i = 0; i < n; i++) {
		w->word[i] = netshare__rbuf_u32(r);
		w->count[i] = netshare__rbuf_u64(r);
		if (w->word[i] >= (NETSHARE__W2V_KINDS << 16) || (i && w->word[i] <= w->word[i - 1]))
			return corrupt("word2vec words out of order");
	}
	for (size_t i = 0; i < n * (size_t)w->dim; i++)
		if (!isfinite(w->vec[i] = netshare__rbuf_f32(r)))
			return corrupt("word2vec vector not finite");
	for (int k = 0; k <= NETSHARE__W2V_KINDS; k++) {
		size_t f = 0;
		while (f < n && (w->word[f] >> 16) < (uint32_t)k)
			f++;
		w->first[k] = f;
	}
	return NETSHARE_OK;
}

/* One field, checked against what the rest of the encoder can use. */
static netshare_status
load_field(netshare__rbuf *r, netshare__field *f, const netshare_encoder *e)
{
	f->type = (netshare__field_type)netshare__rbuf_u8(r);
	f->source = (netshare__source)netshare__rbuf_u8(r);
	f->index = (int)netshare__rbuf_u32(r);
	netshare__rbuf_str(r, f->name, sizeof f->name);
	f->dim = netshare__rbuf_u32(r);
	f->width = (int)netshare__rbuf_u32(r);
	f->w2v_kind = netshare__rbuf_u8(r);
	f->log1p = netshare__rbuf_u8(r);
	f->fixed = netshare__rbuf_u8(r);
	f->integer = netshare__rbuf_u8(r);
	f->lo = netshare__rbuf_f64(r);
	f->hi = netshare__rbuf_f64(r);
	f->min_value = netshare__rbuf_f64(r);
	f->max_value = netshare__rbuf_f64(r);
	uint32_t n = netshare__rbuf_u32(r);
	if (r->bad || f->type > FIELD_CAT || f->source > SRC_LAST || !netshare__rbuf_has(r, n, 4))
		return corrupt("truncated or unknown field");
	if ((f->source == SRC_TAG_CHUNK && (f->index < 0 || f->index >= e->chunks)) ||
	    (f->source == SRC_EXTRA && (f->index < 0 || (size_t)f->index >= e->n_extra)))
		return corrupt("field index out of range");
	/* A field of the other record kind (a flow model relabelled as a packet model):
	 * encoding and decoding would read columns the datasets do not have. */
	int packet_only = f->source == SRC_IPLEN || f->source == SRC_IPLEN_CLASS ||
	                  f->source == SRC_TOS ||
	                  f->source == SRC_IPID || f->source == SRC_IPFLAGS ||
	                  f->source == SRC_FRAGOFF || f->source == SRC_TTL ||
	                  f->source == SRC_TCPFLAGS;
	int flow_only = f->source == SRC_DURATION || f->source == SRC_PACKETS ||
	                f->source == SRC_BYTES || f->source == SRC_LABEL || f->source == SRC_EXTRA ||
	                f->source == SRC_RESP_PACKETS || f->source == SRC_RESP_BYTES;
	if ((packet_only && e->kind != NETSHARE_RECORDS_PACKETS) ||
	    (flow_only && e->kind != NETSHARE_RECORDS_FLOWS))
		return corrupt("a field of the other record kind");
	f->choices = netshare__mallocarray(n ? n : 1, sizeof *f->choices);
	if (!f->choices)
		return netshare__error_oom("encoder state");
	f->n_choices = n;
	for (uint32_t k = 0; k < n; k++) {
		f->choices[k] = netshare__rbuf_u32(r);
		if (k && f->choices[k] <= f->choices[k - 1])
			return corrupt("categorical values out of order");
	}
	int ok;
	switch (f->type) {
	case FIELD_BITS:
		ok = (f->width == 32 || f->width == 128) && f->dim == 2 * (size_t)f->width &&
		     (f->source == SRC_SRCIP || f->source == SRC_DSTIP) && f->width == e->addr_bits;
		break;
	case FIELD_W2V: /* choices: the values it decodes to (none: any word of its kind) */
		ok = f->dim == (size_t)e->w2v.dim && f->w2v_kind < NETSHARE__W2V_KINDS &&
		     (f->n_choices == 0 || f->choices[f->n_choices - 1] <= 0xffff) &&
		     e->w2v.first[f->w2v_kind] < e->w2v.first[f->w2v_kind + 1] &&
		     (f->source == SRC_SPORT || f->source == SRC_DPORT || f->source == SRC_PROTO);
		f->w2v = &e->w2v;
		break;
	case FIELD_CONT:
		ok = f->dim == 1 && isfinite(f->lo) && isfinite(f->hi) && f->lo < f->hi &&
		     !isnan(f->min_value) && !isnan(f->max_value) && f->min_value <= f->max_value;
		break;
	default:
		ok = f->dim == f->n_choices && f->n_choices >= 1 &&
		     (f->source != SRC_GEN || (f->n_choices == 2 && f->choices[1] == 1));
		if (f->source == SRC_SPORT_CLASS || f->source == SRC_DPORT_CLASS)
			/* Services (v4) or bare ports (v3; a v3 encoder saved again keeps them). */
			ok = ok && (netshare__class_other(f) == NETSHARE__SERVICE_OTHER ||
			            (netshare__class_other(f) == NETSHARE__PORT_OTHER &&
			             (f->n_choices < 2 || f->choices[f->n_choices - 2] <= 0xffff)));
		if (f->source == SRC_IPLEN_CLASS) /* lengths, then "other" */
			ok = ok && f->choices[f->n_choices - 1] == NETSHARE__LENGTH_OTHER &&
			     (f->n_choices < 2 || f->choices[f->n_choices - 2] <= 0xffff);
		break;
	}
	return ok ? NETSHARE_OK : corrupt("inconsistent field");
}

static netshare_status
load_min_payload(netshare__rbuf *r, netshare_encoder *e)
{
	uint8_t has = netshare__rbuf_u8(r);
	uint32_t n = netshare__rbuf_u32(r);
	if (r->bad || has > 1 || n > 65536 || (!has && n) || !netshare__rbuf_has(r, n, 8))
		return corrupt("bad payload floors");
	if (!has)
		return NETSHARE_OK;
	e->min_payload = netshare__calloc(65536, sizeof *e->min_payload);
	if (!e->min_payload)
		return netshare__error_oom("encoder state");
	for (uint32_t k = 0, prev = 0; k < n; k++) {
		uint32_t port = netshare__rbuf_u32(r), bytes = netshare__rbuf_u32(r);
		if (port > 0xffff || (k && port <= prev) || bytes == 0 || bytes > 0xffff)
			return corrupt("bad payload floor");
		e->min_payload[port] = (uint16_t)bytes;
		prev = port;
	}
	return NETSHARE_OK;
}

static netshare_status
load_headers_only(netshare__rbuf *r, netshare_encoder *e)
{
	uint8_t v = netshare__rbuf_u8(r);
	if (r->bad || v > 1 || (v && e->kind != NETSHARE_RECORDS_PACKETS))
		return corrupt("bad headers-only flag");
	e->headers_only = v;
	return NETSHARE_OK;
}

static netshare_status
load_release(netshare__rbuf *r, netshare_encoder *e)
{
	e->fit_fingerprint = netshare__rbuf_u64(r);
	e->window_declared = netshare__rbuf_u8(r);
	e->release = netshare__rbuf_u8(r);
	e->count_noise = netshare__rbuf_f64(r);
	if (r->bad || e->window_declared > 1 || e->release > NETSHARE__RELEASE_EXACT ||
	    !(e->count_noise >= 0 && e->count_noise < 1e15) ||
	    (e->count_noise > 0) != (e->release == NETSHARE__RELEASE_NOISED))
		return corrupt("bad release record");
	return NETSHARE_OK;
}

static netshare_status
load_source_format(netshare__rbuf *r, netshare_encoder *e)
{
	e->source_format = netshare__rbuf_u8(r);
	netshare__rbuf_str(r, e->label_column, sizeof e->label_column);
	if (r->bad || e->source_format == NETSHARE_FORMAT_MAPPED_CSV ||
	    e->source_format > NETSHARE_FORMAT_ZEEK_CSV)
		return corrupt("bad source format");
	return NETSHARE_OK;
}

static netshare_status
load_vector(netshare__rbuf *r, netshare__vector *v, const netshare_encoder *e, int features)
{
	uint32_t n = netshare__rbuf_u32(r);
	if (n > NETSHARE__MAX_FIELDS)
		return corrupt("too many fields");
	int gens = 0;
	for (uint32_t i = 0; i < n; i++) {
		netshare_status st = load_field(r, &v->field[i], e);
		v->n_fields = i + 1;
		if (st < 0)
			return st;
		gens += v->field[i].source == SRC_GEN;
	}
	if (gens != (features ? 1 : 0) || n == 0)
		return corrupt("no gen flag in the features");
	return netshare__vector_finish(v);
}

netshare_status
netshare__encoder_load(netshare_encoder **out, const void *data, size_t len)
{
	*out = NULL;
	netshare__rbuf r = { data, len, 0, 0 };
	uint32_t version = netshare__rbuf_u32(&r);
	if (!r.bad && (version > ENCODER_STATE_VERSION || version < ENCODER_STATE_OLDEST))
		return netshare__error(version > ENCODER_STATE_VERSION ? NETSHARE_EVERSION :
		                       NETSHARE_ECORRUPT, "encoder state version %u; this library "
		                       "reads version %d", version, ENCODER_STATE_VERSION);
	netshare_encoder *e = netshare__calloc(1, sizeof *e);
	if (!e)
		return netshare__error_oom("encoder");
	netshare_status st = NETSHARE_OK;
	e->kind = netshare__rbuf_u8(&r);
	e->chunks = (int)netshare__rbuf_u32(&r);
	e->t_min = (int64_t)netshare__rbuf_u64(&r);
	e->t_max = (int64_t)netshare__rbuf_u64(&r);
	e->max_flow_len = netshare__rbuf_u32(&r);
	e->sample_len = netshare__rbuf_u32(&r);
	e->max_len = netshare__rbuf_u32(&r);
	e->drop_long = netshare__rbuf_u8(&r);
	e->addr_bits = (int)netshare__rbuf_u32(&r);
	e->flows = netshare__rbuf_u64(&r);
	e->truncated = netshare__rbuf_u64(&r);
	e->dropped = netshare__rbuf_u64(&r);
	if (r.bad || e->kind > 1 || e->chunks < 1 || e->chunks > NETSHARE_MAX_CHUNKS ||
	    e->t_max < e->t_min || e->t_min <= -NETSHARE_TIME_LIMIT_NS ||
	    e->t_max >= NETSHARE_TIME_LIMIT_NS || e->max_flow_len < 1 || e->sample_len < 1 ||
	    e->max_len > MAX_LOADED_LEN || e->max_len < e->max_flow_len ||
	    e->max_len % e->sample_len != 0 || e->drop_long > 1 ||
	    (e->addr_bits != 32 && e->addr_bits != 128)) {
		st = corrupt("bad header");
		goto done;
	}
	uint64_t sum = 0;
	int over = 0;
	for (int c = 0; c < e->chunks; c++) {
		sum += e->chunk_flows[c] = netshare__rbuf_u64(&r);
		e->chunk_starts[c] = netshare__rbuf_u64(&r);
		over |= e->chunk_flows[c] > e->flows || e->chunk_starts[c] > e->chunk_flows[c];
	}
	if (r.bad || over || sum != e->flows) {
		st = corrupt("per-chunk flow counts do not add up");
		goto done;
	}
	uint32_t n = netshare__rbuf_u32(&r);
	if (!netshare__rbuf_has(&r, n, 4)) {
		st = corrupt("bad string table");
		goto done;
	}
	for (uint32_t i = 0; i < n && st == NETSHARE_OK; i++) {
		uint32_t slen = netshare__rbuf_u32(&r), id;
		const unsigned char *s = netshare__rbuf_bytes(&r, slen);
		if (!s)
			st = corrupt("truncated string table");
		else if ((st = netshare__intern_add(&e->strings, s, slen, &id)) == NETSHARE_OK &&
		         id != i)
			st = corrupt("duplicate string");
	}
	if (st < 0)
		goto done;
	e->n_extra = netshare__rbuf_u32(&r);
	if (e->n_extra > NETSHARE_MAX_EXTRA_COLUMNS) {
		st = corrupt("too many extra columns");
		goto done;
	}
	for (size_t x = 0; x < e->n_extra; x++) {
		netshare__rbuf_str(&r, e->extra_name[x], sizeof e->extra_name[x]);
		e->extra_cat[x] = netshare__rbuf_u8(&r) != 0;
	}
	if ((st = load_w2v(&r, &e->w2v)) < 0 || (st = load_vector(&r, &e->attr, e, 0)) < 0 ||
	    (st = load_vector(&r, &e->feat, e, 1)) < 0 ||
	    (version >= 5 && (st = load_min_payload(&r, e)) < 0) ||
	    (version >= 6 && (st = load_headers_only(&r, e)) < 0) ||
	    (version >= 6 && (st = netshare__service_stats_load(&r, e, version)) < 0) ||
	    (version >= 9 && (st = load_release(&r, e)) < 0) ||
	    (version >= 10 && (st = load_source_format(&r, e)) < 0))
		goto done;
	if (r.bad || r.pos != r.len)
		st = corrupt(r.bad ? "truncated" : "trailing bytes");
done:
	if (st < 0) {
		netshare_encoder_free(e);
		return st;
	}
	*out = e;
	return NETSHARE_OK;
}

netshare_status
netshare__encoder_copy(netshare_encoder **out, const netshare_encoder *e)
{
	netshare__wbuf b = { 0 };
	netshare_status st = netshare__encoder_save(e, &b);
	if (st == NETSHARE_OK)
		st = netshare__encoder_load(out, b.data, b.len);
	netshare__wbuf_free(&b);
	if (st == NETSHARE_OK) { /* fitting's, not in the state */
		(*out)->modal_len = e->modal_len;
		(*out)->modal_share = e->modal_share;
	}
	return st;
}

void
netshare__encoder_set_counts(netshare_encoder *e, const uint64_t *flows, const uint64_t *starts,
                             int release, double noise)
{
	e->flows = e->truncated = e->dropped = 0;
	for (int c = 0; c < e->chunks; c++) {
		e->chunk_flows[c] = flows[c];
		e->chunk_starts[c] = starts[c] < flows[c] ? starts[c] : flows[c];
		e->flows += flows[c];
	}
	e->release = release;
	e->count_noise = release == NETSHARE__RELEASE_NOISED ? noise : 0;
}
