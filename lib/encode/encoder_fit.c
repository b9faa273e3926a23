/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * netshare_encoder_fit: parameters, field layout, and everything learned from the data
 * (chunk span, flow lengths, word2vec vectors, continuous bounds, categorical values).
 */
#include <inttypes.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/params.h"
#include "core/progress.h"
#include "encoder.h"
#include "io/dataset.h"
#include "io/packet.h"

/* Continuous fields normalised after log1p by default: NetShare's for flow records, plus
 * the inter-arrival time, whose gaps span nanoseconds to hours (min-max alone squeezes
 * every sub-second gap of a long trace into the bottom millionth of [0, 1]). */
#define DEFAULT_LOG1P_FLOWS "interarrival,duration,packets,bytes"
#define DEFAULT_LOG1P_PACKETS "interarrival"
/* Records per generator step when sample_len is NETSHARE_AUTO. */
#define DEFAULT_SAMPLE_LEN_PACKETS 10
#define DEFAULT_SAMPLE_LEN_FLOWS 1

NETSHARE_API void
netshare_encoder_params_init(netshare_encoder_params *p)
{
	if (!p)
		return;
	memset(p, 0, sizeof *p);
	p->struct_size = sizeof *p;
	p->chunks = 10;
	p->max_flow_len = NETSHARE_AUTO;
	p->sample_len = NETSHARE_AUTO;
	netshare__w2v_params w;
	netshare__w2v_params_default(&w);
	p->word2vec_dim = w.dim;
	p->word2vec_window = w.window;
	p->word2vec_negative = w.negative;
	p->word2vec_epochs = w.epochs;
	p->word2vec_min_count = w.min_count;
	p->word2vec_skipgram = w.skipgram;
	p->word2vec_sample = w.sample;
	p->seed = w.seed;
	p->port_classes = NETSHARE__DEFAULT_PORT_CLASSES;
	p->length_classes = NETSHARE__DEFAULT_LENGTH_CLASSES;
}

void
netshare__vector_free(netshare__vector *v)
{
	for (size_t i = 0; i < v->n_fields; i++)
		netshare__free(v->field[i].choices);
	netshare__free(v->groups);
	netshare__free(v->names);
	memset(v, 0, sizeof *v);
}

NETSHARE_API void
netshare_encoder_free(netshare_encoder *e)
{
	if (!e)
		return;
	netshare__vector_free(&e->attr);
	netshare__vector_free(&e->feat);
	netshare__w2v_free(&e->w2v);
	netshare__free(e->min_payload);
	netshare__service_stats_free(e);
	netshare__intern_free(&e->strings);
	netshare__free(e);
}

/* Whether any flow record splits its packets or bytes by direction. */
static int
has_responder_counts(const netshare_dataset *ds)
{
	for (size_t i = 0; i < ds->n; i++)
		if (ds->resp_packets[i] || ds->resp_bytes[i])
			return 1;
	return 0;
}

static netshare__field *
add_field(netshare__vector *v, netshare__field_type type, netshare__source src, int index,
          const char *name, size_t dim)
{
	netshare__field *f = &v->field[v->n_fields++];
	memset(f, 0, sizeof *f);
	f->type = type;
	f->source = src;
	f->index = index;
	snprintf(f->name, sizeof f->name, "%s", name);
	f->dim = dim; /* categorical: set once the values are known; offsets come last */
	return f;
}

static void
add_cont(netshare__vector *v, netshare__source src, int index, const char *name, int integer,
         double max_value)
{
	netshare__field *f = add_field(v, FIELD_CONT, src, index, name, 1);
	f->integer = integer;
	f->min_value = 0;
	f->max_value = max_value;
	f->lo = INFINITY;
	f->hi = -INFINITY;
}

netshare_status
netshare__vector_finish(netshare__vector *v)
{
	v->dim = 0;
	for (size_t i = 0; i < v->n_fields; i++) {
		v->field[i].offset = v->dim;
		v->dim += v->field[i].dim;
	}
	size_t heads = 0, chars = 0;
	for (size_t i = 0; i < v->n_fields; i++) {
		heads += netshare__field_heads(&v->field[i]);
		chars += netshare__field_heads(&v->field[i]) * (strlen(v->field[i].name) + 12);
	}
	v->groups = netshare__calloc(heads, sizeof *v->groups);
	v->names = netshare__malloc(chars + 1);
	if (!v->groups || !v->names)
		return netshare__error_oom("encoder layout");
	char *p = v->names;
	for (size_t i = 0; i < v->n_fields; i++) {
		const netshare__field *f = &v->field[i];
		size_t h = netshare__field_heads(f);
		for (size_t k = 0; k < h; k++) {
			netshare_field_group *g = &v->groups[v->n_groups++];
			g->struct_size = sizeof *g;
			g->name = p;
			p += (h > 1 ? sprintf(p, "%s.bit%zu", f->name, k) : sprintf(p, "%s", f->name)) + 1;
			g->dim = f->dim / h;
			g->offset = f->offset + k * g->dim;
			g->activation = f->type == FIELD_W2V ? NETSHARE_ACTIVATION_TANH :
			                f->type == FIELD_CONT ? NETSHARE_ACTIVATION_SIGMOID :
			                NETSHARE_ACTIVATION_SOFTMAX;
		}
	}
	return NETSHARE_OK;
}

/* Find a field by name in either vector (for bounds and log1p lists). */
static netshare__field *
field_named(netshare_encoder *e, const char *name, size_t len)
{
	netshare__vector *vs[2] = { &e->attr, &e->feat };
	for (int k = 0; k < 2; k++)
		for (size_t i = 0; i < vs[k]->n_fields; i++)
			if (strlen(vs[k]->field[i].name) == len &&
			    strncmp(vs[k]->field[i].name, name, len) == 0)
				return &vs[k]->field[i];
	return NULL;
}

static netshare_status
apply_log1p(netshare_encoder *e, const char *list)
{
	for (const char *p = list; *p;) {
		size_t n = strcspn(p, ",");
		if (n) {
			netshare__field *f = field_named(e, p, n);
			if (!f || f->type != FIELD_CONT || f->source == SRC_FLOW_START)
				return netshare__error(NETSHARE_EINVAL, "log1p_fields: '%.*s' is not a "
				                       "continuous field of this dataset", (int)n, p);
			f->log1p = 1;
		}
		p += n + (p[n] == ',');
	}
	return NETSHARE_OK;
}

/* "field=min:max,...": fixed bounds; marks them so fitting leaves them alone. */
static netshare_status
apply_bounds(netshare_encoder *e, const char *list)
{
	for (const char *p = list; *p;) {
		size_t n = strcspn(p, ",");
		const char *eq = memchr(p, '=', n);
		if (!eq)
			return netshare__error(NETSHARE_EINVAL, "bounds: '%.*s' is not field=min:max",
			                       (int)n, p);
		netshare__field *f = field_named(e, p, (size_t)(eq - p));
		if (!f || f->type != FIELD_CONT || f->source == SRC_FLOW_START)
			return netshare__error(NETSHARE_EINVAL, "bounds: '%.*s' is not a continuous "
			                       "field of this dataset", (int)(eq - p), p);
		char buf[128];
		snprintf(buf, sizeof buf, "%.*s", (int)(n - (size_t)(eq + 1 - p)), eq + 1);
		char *end;
		double lo = strtod(buf, &end), hi = 0;
		if (*end == ':')
			hi = strtod(end + 1, &end);
		if (*end != '\0' || buf[0] == '\0' || !(lo < hi) || !isfinite(lo) || !isfinite(hi))
			return netshare__error(NETSHARE_EINVAL, "bounds: %s=%s needs min:max with "
			                       "min < max", f->name, buf);
		if (f->log1p && lo < 0)
			return netshare__error(NETSHARE_EINVAL, "bounds: %s is log1p-normalised, so its "
			                       "minimum must be >= 0 (got %g)", f->name, lo);
		f->lo = f->log1p ? log1p(lo) : lo;
		f->hi = f->log1p ? log1p(hi) : hi;
		f->fixed = 1;
		p += n + (p[n] == ',');
	}
	return NETSHARE_OK;
}

static netshare_status
check_params(const netshare_encoder_params *p)
{
	if ((p->chunks < 1 && p->chunks != NETSHARE_CHUNKS_AUTO) || p->chunks > NETSHARE_MAX_CHUNKS)
		return netshare__error(NETSHARE_EINVAL, "chunks = %d is outside 1..%d (or 0: auto)", p->chunks,
		                       NETSHARE_MAX_CHUNKS);
	if (p->port_classes < 0 || p->port_classes > NETSHARE_MAX_PORT_CLASSES)
		return netshare__error(NETSHARE_EINVAL, "port_classes = %d is outside 0..%d",
		                       p->port_classes, NETSHARE_MAX_PORT_CLASSES);
	if ((p->window_start_ns || p->window_end_ns) &&
	    !(p->window_end_ns > p->window_start_ns &&
	      p->window_start_ns > -NETSHARE_TIME_LIMIT_NS &&
	      p->window_end_ns < NETSHARE_TIME_LIMIT_NS))
		return netshare__error(NETSHARE_EINVAL, "window %" PRId64 "..%" PRId64 " ns: the "
		                       "end must come after the start, both within +-%" PRId64
		                       " ns", p->window_start_ns, p->window_end_ns,
		                       (int64_t)NETSHARE_TIME_LIMIT_NS);
	if (p->length_classes < 0 || p->length_classes > NETSHARE_MAX_LENGTH_CLASSES)
		return netshare__error(NETSHARE_EINVAL, "length_classes = %d is outside 0..%d",
		                       p->length_classes, NETSHARE_MAX_LENGTH_CLASSES);
	if (p->max_flow_len < 1)
		return netshare__error(NETSHARE_EINVAL, "max_flow_len = %u: must be >= 1 (or "
		                       "NETSHARE_AUTO)", p->max_flow_len);
	if (p->sample_len < 1)
		return netshare__error(NETSHARE_EINVAL, "sample_len = %u: must be >= 1 (or "
		                       "NETSHARE_AUTO)", p->sample_len);
	if (p->sample_len != NETSHARE_AUTO && p->max_flow_len != NETSHARE_AUTO &&
	    p->sample_len > p->max_flow_len)
		return netshare__error(NETSHARE_EINVAL, "sample_len = %u is larger than "
		                       "max_flow_len = %u", p->sample_len, p->max_flow_len);
	return NETSHARE_OK;
}

/* Lay out the attribute and feature vectors for the data's kind and extras. */
static void
layout(netshare_encoder *e, const netshare_dataset *ds, int w2v_dim, int port_classes,
       int length_classes)
{
	netshare__vector *a = &e->attr, *f = &e->feat;
	add_field(a, FIELD_BITS, SRC_SRCIP, 0, "srcip", 2 * (size_t)e->addr_bits)->width = e->addr_bits;
	add_field(a, FIELD_BITS, SRC_DSTIP, 0, "dstip", 2 * (size_t)e->addr_bits)->width = e->addr_bits;
	netshare__field *w;
	w = add_field(a, FIELD_W2V, SRC_SPORT, 0, "srcport", (size_t)w2v_dim);
	w->w2v_kind = NETSHARE__W2V_PORT;
	w = add_field(a, FIELD_W2V, SRC_DPORT, 0, "dstport", (size_t)w2v_dim);
	w->w2v_kind = NETSHARE__W2V_PORT;
	w = add_field(a, FIELD_W2V, SRC_PROTO, 0, "proto", (size_t)w2v_dim);
	w->w2v_kind = NETSHARE__W2V_PROTO;
	if (port_classes > 0) { /* choices (and so dims) come from the corpus, after word2vec */
		add_field(a, FIELD_CAT, SRC_SPORT_CLASS, port_classes, "srcport_class", 0);
		add_field(a, FIELD_CAT, SRC_DPORT_CLASS, port_classes, "dstport_class", 0);
	}
	/* A flow's label and categorical extras are attributes: one value per flow, so the
	 * records of a generated flow agree, and the attribute generator learns them jointly
	 * with addresses and ports (what a detector trained on the output relies on).
	 * Numeric extras stay per-record measurements. */
	if (e->kind == NETSHARE_RECORDS_FLOWS) {
		add_field(a, FIELD_CAT, SRC_LABEL, 0, "label", 0);
		for (size_t x = 0; x < ds->n_extra; x++)
			if (ds->extra[x].categorical)
				add_field(a, FIELD_CAT, SRC_EXTRA, (int)x, ds->extra[x].name, 0);
	}
	if (e->chunks > 1) {
		add_field(a, FIELD_CAT, SRC_TAG_START, 0, "starts_in_chunk", 2);
		for (int c = 0; c < e->chunks; c++) {
			char name[32];
			snprintf(name, sizeof name, "in_chunk%d", c);
			add_field(a, FIELD_CAT, SRC_TAG_CHUNK, c, name, 2);
		}
	}
	add_field(a, FIELD_CONT, SRC_FLOW_START, 0, "flow_start", 1);
	add_cont(f, SRC_IAT, 0, "interarrival", 1, (double)INT64_MAX);
	if (e->kind == NETSHARE_RECORDS_PACKETS) {
		add_cont(f, SRC_IPLEN, 0, "ip_length", 1, 65535);
		if (length_classes > 0) /* after ip_length: decoding a class overrides it */
			add_field(f, FIELD_CAT, SRC_IPLEN_CLASS, length_classes, "ip_length_class", 0);
		add_field(f, FIELD_CAT, SRC_TOS, 0, "tos", 0);
		add_cont(f, SRC_IPID, 0, "ip_id", 1, 65535);
		add_field(f, FIELD_CAT, SRC_IPFLAGS, 0, "ip_flags", 0);
		/* Categorical: a continuous head never outputs exactly 0, and any other offset
		 * makes a packet a non-first fragment, without ports or TCP header. */
		add_field(f, FIELD_CAT, SRC_FRAGOFF, 0, "frag_offset", 0);
		add_cont(f, SRC_TTL, 0, "ttl", 1, 255);
		add_field(f, FIELD_CAT, SRC_TCPFLAGS, 0, "tcp_flags", 0);
	} else {
		add_cont(f, SRC_DURATION, 0, "duration", 1, (double)(NETSHARE_TIME_LIMIT_NS - 1));
		add_cont(f, SRC_PACKETS, 0, "packets", 1, 1e18);
		add_cont(f, SRC_BYTES, 0, "bytes", 1, 1e18);
		if (has_responder_counts(ds)) {
			add_cont(f, SRC_RESP_PACKETS, 0, "resp_packet_share", 0, 1);
			add_cont(f, SRC_RESP_BYTES, 0, "resp_byte_share", 0, 1);
		}
		for (size_t x = 0; x < ds->n_extra; x++)
			if (!ds->extra[x].categorical)
				add_cont(f, SRC_EXTRA, (int)x, ds->extra[x].name, 0, 0);
	}
	add_field(f, FIELD_CAT, SRC_GEN, 0, "gen_flag", 2);
}

/* Intern every label and categorical extra value, so codes are fixed before fitting. */
static netshare_status
intern_strings(netshare_encoder *e, const netshare_dataset *ds)
{
	if (ds->kind != NETSHARE_RECORDS_FLOWS)
		return NETSHARE_OK;
	uint32_t id;
	netshare_status st;
	for (size_t i = 0; i < ds->n; i++) {
		if (ds->label[i]) {
			size_t len;
			const char *s = netshare__intern_get(&ds->strings, ds->label[i] - 1, &len);
			if ((st = netshare__intern_add(&e->strings, s, len, &id)) < 0)
				return st;
		}
		for (size_t x = 0; x < ds->n_extra; x++) {
			if (!ds->extra[x].categorical || !ds->extra[x].cat[i])
				continue;
			size_t len;
			const char *s = netshare__intern_get(&ds->strings, ds->extra[x].cat[i] - 1, &len);
			if ((st = netshare__intern_add(&e->strings, s, len, &id)) < 0)
				return st;
		}
	}
	return NETSHARE_OK;
}

/* Descending order of (count << 32 | ~key): most frequent first, ties by lower key. */
static int
by_count_desc(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x < y) - (x > y);
}

static int
by_value(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

/* The length class field's choices: the most frequent IP total lengths of the flows'
 * records (at most f->index of them, each in at least NETSHARE__LENGTH_CLASS_MIN_SHARE
 * of the records and in two), ascending, then NETSHARE__LENGTH_OTHER. */
static netshare_status
length_class_choices(netshare__field *f, const netshare_dataset *ds, const netshare__flows *fl)
{
	uint64_t *count = netshare__calloc(65536, sizeof *count);
	f->choices = netshare__mallocarray((size_t)f->index + 1, sizeof *f->choices);
	if (!count || !f->choices) {
		netshare__free(count);
		return netshare__error_oom("length classes");
	}
	uint64_t records = 0;
	for (size_t k = 0; k < fl->n_flows; k++) {
		const uint32_t *idx = fl->order + fl->start[k];
		size_t len = netshare__flow_len(fl, k);
		for (size_t j = 0; j < len; j++)
			count[ds->ip_len[idx[j]]]++;
		records += len;
	}
	uint64_t min_count = (uint64_t)ceil(NETSHARE__LENGTH_CLASS_MIN_SHARE * (double)records);
	min_count = min_count < 2 ? 2 : min_count;
	uint32_t n = 0;
	while (n < (uint32_t)f->index) { /* f->index <= 64: a scan per class is cheap */
		uint32_t best = 0;
		for (uint32_t v = 1; v < 65536; v++)
			best = count[v] > count[best] ? v : best;
		if (count[best] < min_count)
			break;
		f->choices[n++] = best;
		count[best] = 0;
	}
	netshare__free(count);
	qsort(f->choices, n, sizeof *f->choices, by_value);
	f->choices[n] = NETSHARE__LENGTH_OTHER;
	f->n_choices = n + 1;
	f->dim = f->n_choices;
	return NETSHARE_OK;
}

/* Whether fit_values fits field f of vector v: every feature field but the gen flag and
 * the length classes (fitted apart); of the attributes, the label and the extras (the
 * others are word2vec, bits, classes and tags, fitted apart). */
static int
fitted_by_values(const netshare_encoder *e, const netshare__vector *v, const netshare__field *f)
{
	if (v == &e->attr)
		return f->source == SRC_LABEL || f->source == SRC_EXTRA;
	return f->source != SRC_GEN && f->source != SRC_IPLEN_CLASS;
}

/* Bounds of continuous fields and values of categorical ones of vector v, over every
 * record: an attribute's values too, so that a flow whose records disagree (its segment
 * in a later chunk starts at another record) still encodes to a known value. */
static netshare_status
fit_values(netshare_encoder *e, const netshare_dataset *ds, const netshare__flows *fl,
           netshare__vector *v)
{
	size_t n_codes = e->strings.n + 1 > 8192 ? e->strings.n + 1 : 8192; /* 13-bit offsets */
	unsigned char *seen = netshare__calloc(v->n_fields * n_codes, 1);
	if (!seen)
		return netshare__error_oom("encoder fitting");
	for (size_t k = 0; k < fl->n_flows; k++) {
		const uint32_t *idx = fl->order + fl->start[k];
		size_t len = netshare__flow_len(fl, k);
		for (size_t j = 0; j < len; j++) {
			for (size_t fi = 0; fi < v->n_fields; fi++) {
				netshare__field *f = &v->field[fi];
				if (!fitted_by_values(e, v, f))
					continue;
				netshare__value val;
				netshare__encoder_value(e, ds, f, idx[j], j ? (ptrdiff_t)idx[j - 1] : -1, &val);
				if (f->type == FIELD_CAT) {
					seen[fi * n_codes + (val.code < n_codes ? val.code : 0)] = 1;
				} else if (!f->fixed && !isnan(val.num)) {
					double t = netshare__field_transform(f, val.num);
					f->lo = t < f->lo ? t : f->lo;
					f->hi = t > f->hi ? t : f->hi;
				}
			}
		}
	}
	netshare_status st = NETSHARE_OK;
	for (size_t fi = 0; fi < v->n_fields && st == NETSHARE_OK; fi++) {
		netshare__field *f = &v->field[fi];
		if (v == &e->feat && f->source == SRC_IPLEN_CLASS) {
			st = length_class_choices(f, ds, fl);
			continue;
		}
		if (!fitted_by_values(e, v, f))
			continue;
		if (f->type == FIELD_CONT && !f->fixed) {
			if (!(f->lo <= f->hi))
				f->lo = f->hi = 0; /* no values at all */
			if (f->hi == f->lo)
				f->hi = f->lo + 1; /* a constant field: any non-empty range works */
		}
		if (f->type != FIELD_CAT)
			continue;
		for (size_t c = 0; c < n_codes; c++)
			f->n_choices += seen[fi * n_codes + c];
		f->choices = netshare__mallocarray(f->n_choices ? f->n_choices : 1, sizeof *f->choices);
		if (!f->choices) {
			st = netshare__error_oom("encoder fitting");
			break;
		}
		f->n_choices = 0;
		for (size_t c = 0; c < n_codes; c++)
			if (seen[fi * n_codes + c])
				f->choices[f->n_choices++] = (uint32_t)c;
		f->dim = f->n_choices;
	}
	netshare__free(seen);
	return st;
}

/* Two-valued categorical fields (tags, gen flag): choices {0, 1}. */
static netshare_status
binary_choices(netshare__vector *v)
{
	for (size_t i = 0; i < v->n_fields; i++) {
		netshare__field *f = &v->field[i];
		if (f->type != FIELD_CAT || (f->source != SRC_TAG_START &&
		                             f->source != SRC_TAG_CHUNK && f->source != SRC_GEN))
			continue;
		f->choices = netshare__mallocarray(2, sizeof *f->choices);
		if (!f->choices)
			return netshare__error_oom("encoder layout");
		f->choices[0] = 0;
		f->choices[1] = 1;
		f->n_choices = 2;
		f->dim = 2;
	}
	return NETSHARE_OK;
}

/* The values each word2vec field decodes to: those the corpus has in that role (source
 * ports for srcport, ...), so that a generated source port is never a port seen only as a
 * destination. From the word2vec corpus, which is the public one in DP mode. */
static netshare_status
role_vocabularies(netshare_encoder *e, const netshare_dataset *corpus)
{
	uint8_t *seen = netshare__malloc(65536);
	if (!seen)
		return netshare__error_oom("encoder layout");
	netshare_status st = NETSHARE_OK;
	for (size_t k = 0; k < e->attr.n_fields && st == NETSHARE_OK; k++) {
		netshare__field *f = &e->attr.field[k];
		if (f->type != FIELD_W2V)
			continue;
		memset(seen, 0, 65536);
		for (size_t i = 0; i < corpus->n; i++)
			seen[f->source == SRC_SPORT ? corpus->sport[i] :
			     f->source == SRC_DPORT ? corpus->dport[i] : corpus->proto[i]] = 1;
		uint32_t n = 0;
		for (uint32_t v = 0; v < 65536; v++)
			n += seen[v];
		f->choices = netshare__mallocarray(n ? n : 1, sizeof *f->choices);
		if (!f->choices) {
			st = netshare__error_oom("encoder layout");
			break;
		}
		f->n_choices = 0;
		for (uint32_t v = 0; v < 65536; v++)
			if (seen[v])
				f->choices[f->n_choices++] = v;
	}
	netshare__free(seen);
	return st;
}

/* The attribute field with this source and type, or NULL. */
static netshare__field *
attr_field(netshare_encoder *e, netshare__source src, netshare__field_type type)
{
	for (size_t k = 0; k < e->attr.n_fields; k++)
		if (e->attr.field[k].source == src && e->attr.field[k].type == type)
			return &e->attr.field[k];
	return NULL;
}

/* A port class field's choices: its role's most frequent services (port and protocol,
 * NETSHARE__SERVICE) in the corpus's flows (at most f->index of them, each in at least
 * NETSHARE__PORT_CLASS_MIN_SHARE of the flows and in two), then NETSHARE__SERVICE_OTHER.
 * Flows, not records: the head is a flow attribute, and the ephemeral port of one long
 * flow is no service. The role's word2vec field then decodes among the ports of the
 * "other" flows only, so that "other" never comes back as a port that is always a
 * class. */
static netshare_status
port_class_choices(netshare_encoder *e, netshare__field *f, const netshare_dataset *corpus,
                   const netshare__flows *fl)
{
	int src = f->source == SRC_SPORT_CLASS;
	netshare__field *w = attr_field(e, src ? SRC_SPORT : SRC_DPORT, FIELD_W2V);
	if (!w)
		return netshare__error(NETSHARE_EINTERNAL, "port classes without a port field");
	size_t n_flows = fl->n_flows;
	uint32_t *key = netshare__mallocarray(n_flows ? n_flows : 1, sizeof *key);
	uint64_t *rank = netshare__mallocarray(n_flows ? n_flows : 1, sizeof *rank);
	uint8_t *in_other = netshare__calloc(65536, 1);
	f->choices = netshare__mallocarray((size_t)f->index + 1, sizeof *f->choices);
	if (!key || !rank || !in_other || !f->choices) {
		netshare__free(key);
		netshare__free(rank);
		netshare__free(in_other);
		return netshare__error_oom("port classes");
	}
	for (size_t k = 0; k < n_flows; k++) {
		uint32_t i = fl->order[fl->start[k]];
		key[k] = NETSHARE__SERVICE(src ? corpus->sport[i] : corpus->dport[i], corpus->proto[i]);
	}
	qsort(key, n_flows, sizeof *key, by_value);
	size_t n_keys = 0;
	for (size_t k = 0, run; k < n_flows; k += run) {
		for (run = 1; k + run < n_flows && key[k + run] == key[k]; run++)
			;
		rank[n_keys++] = (uint64_t)run << 32 | (0xffffffffu - key[k]);
	}
	qsort(rank, n_keys, sizeof *rank, by_count_desc);
	uint64_t min_count = (uint64_t)ceil(NETSHARE__PORT_CLASS_MIN_SHARE * (double)n_flows);
	min_count = min_count < 2 ? 2 : min_count;
	uint32_t n = 0;
	while (n < (uint32_t)f->index && n < n_keys && (rank[n] >> 32) >= min_count) {
		f->choices[n] = 0xffffffffu - (uint32_t)rank[n];
		n++;
	}
	qsort(f->choices, n, sizeof *f->choices, by_value); /* ascending, as every choice list */
	f->choices[n] = NETSHARE__SERVICE_OTHER;
	f->n_choices = n + 1;
	f->dim = f->n_choices;
	/* The word2vec field keeps the ports of flows whose service is not a class (all of
	 * them if nothing is left). */
	for (size_t k = 0; k < n_flows; k++)
		if (netshare__field_choice(f, key[k]) < 0)
			in_other[key[k] & 0xffff] = 1;
	uint32_t kept = 0;
	for (uint32_t k = 0; k < w->n_choices; k++)
		if (in_other[w->choices[k]])
			w->choices[kept++] = w->choices[k];
	if (kept > 0)
		w->n_choices = kept;
	netshare__free(key);
	netshare__free(rank);
	netshare__free(in_other);
	return NETSHARE_OK;
}

/* corpus_flows: the corpus's flows when the caller has them (the corpus is the fitted
 * dataset), or NULL to group them here when port classes need them. */
static netshare_status
train_word2vec(netshare_encoder *e, const netshare_dataset *corpus,
               const netshare__flows *corpus_flows, const netshare_encoder_params *p)
{
	uint32_t *s = netshare__mallocarray(corpus->n ? corpus->n * 3 : 1, sizeof *s);
	if (!s)
		return netshare__error_oom("word2vec corpus");
	for (size_t i = 0; i < corpus->n; i++) {
		s[3 * i] = NETSHARE__W2V_WORD(NETSHARE__W2V_PORT, corpus->sport[i]);
		s[3 * i + 1] = NETSHARE__W2V_WORD(NETSHARE__W2V_PORT, corpus->dport[i]);
		s[3 * i + 2] = NETSHARE__W2V_WORD(NETSHARE__W2V_PROTO, corpus->proto[i]);
	}
	netshare__w2v_params wp;
	netshare__w2v_params_default(&wp);
	wp.dim = p->word2vec_dim;
	wp.window = p->word2vec_window;
	wp.negative = p->word2vec_negative;
	wp.epochs = p->word2vec_epochs;
	wp.min_count = p->word2vec_min_count;
	wp.skipgram = p->word2vec_skipgram;
	wp.sample = p->word2vec_sample;
	wp.seed = p->seed;
	netshare_status st = netshare__w2v_train(&e->w2v, s, corpus->n, 3, &wp);
	netshare__free(s);
	if (st == NETSHARE_OK && (e->w2v.first[1] == e->w2v.first[0] ||
	                          e->w2v.first[2] == e->w2v.first[1]))
		st = netshare__error(NETSHARE_EINVAL, "word2vec: the corpus has no port or no "
		                     "protocol with at least min_count = %d occurrences",
		                     p->word2vec_min_count);
	for (size_t i = 0; i < e->attr.n_fields; i++)
		e->attr.field[i].w2v = &e->w2v;
	if (st == NETSHARE_OK)
		st = role_vocabularies(e, corpus);
	netshare__flows own = { 0 };
	if (st == NETSHARE_OK && !corpus_flows && attr_field(e, SRC_SPORT_CLASS, FIELD_CAT)) {
		st = netshare__flows_build(corpus, &own);
		corpus_flows = &own;
	}
	for (size_t k = 0; k < e->attr.n_fields && st == NETSHARE_OK; k++)
		if (e->attr.field[k].source == SRC_SPORT_CLASS ||
		    e->attr.field[k].source == SRC_DPORT_CLASS)
			st = port_class_choices(e, &e->attr.field[k], corpus, corpus_flows);
	netshare__flows_free(&own);
	return st;
}

/* Packets: each port's fewest bytes after the minimal headers of its packets' protocol,
 * over the records with ports (not later fragments). */
static netshare_status
fit_min_payload(netshare_encoder *e, const netshare_dataset *ds)
{
	if (ds->kind != NETSHARE_RECORDS_PACKETS)
		return NETSHARE_OK;
	e->min_payload = netshare__mallocarray(65536, sizeof *e->min_payload);
	if (!e->min_payload)
		return netshare__error_oom("encoder fitting");
	for (size_t p = 0; p < 65536; p++)
		e->min_payload[p] = UINT16_MAX;
	for (size_t i = 0; i < ds->n; i++) {
		if (!netshare__proto_has_ports(ds->proto[i]) || ds->frag_off[i] != 0)
			continue;
		unsigned head = netshare__min_ip_length(ds->proto[i], ds->ipver[i] == 6);
		uint16_t pay = (uint16_t)(ds->ip_len[i] > head ? ds->ip_len[i] - head : 0);
		uint16_t port[2] = { ds->sport[i], ds->dport[i] };
		for (int k = 0; k < 2; k++)
			if (pay < e->min_payload[port[k]])
				e->min_payload[port[k]] = pay;
	}
	for (size_t p = 0; p < 65536; p++)
		if (e->min_payload[p] == UINT16_MAX)
			e->min_payload[p] = 0; /* a port never seen: no floor */
	return NETSHARE_OK;
}

int
netshare__auto_chunks(uint64_t flows)
{
	uint64_t k = flows / NETSHARE__AUTO_FLOWS_PER_CHUNK;
	return k < 1 ? 1 : k > NETSHARE__AUTO_MAX_CHUNKS ? NETSHARE__AUTO_MAX_CHUNKS : (int)k;
}

/* Segments kept per chunk, and those of flows that start there. */
static void
count_chunks(const netshare_encoder *e, const netshare__chunks *ch, uint64_t *flows,
             uint64_t *starts)
{
	for (int c = 0; c < e->chunks; c++) {
		flows[c] = starts[c] = 0;
		for (uint32_t s = ch->seg_start[c]; s < ch->seg_start[c + 1]; s++)
			if (netshare__kept_len(e, ch->seg[s].count) > 0) {
				flows[c]++;
				starts[c] += netshare__starts_in(ch, ch->seg[s].flow, c) != 0;
			}
	}
}

netshare_status
netshare__encoder_chunk_counts(const netshare_encoder *e, const netshare_dataset *ds,
                               uint64_t *flows, uint64_t *starts)
{
	netshare__flows fl = { 0 };
	netshare__chunks ch = { 0 };
	netshare_status st = netshare__flows_build(ds, &fl);
	if (st == NETSHARE_OK &&
	    (st = netshare__chunks_build_span(ds, &fl, e->chunks, e->t_min, e->t_max, &ch)) == 0)
		count_chunks(e, &ch, flows, starts);
	netshare__chunks_free(&ch);
	netshare__flows_free(&fl);
	return st;
}

/* Flow segments per chunk: the longest one, what max_flow_len cuts or drops, and the
 * commonest kept length. */
static netshare_status
count_segments(netshare_encoder *e, const netshare__chunks *ch, uint32_t requested)
{
	uint32_t longest = 1;
	for (size_t s = 0; s < ch->n_segments; s++)
		longest = ch->seg[s].count > longest ? ch->seg[s].count : longest;
	e->max_flow_len = requested == NETSHARE_AUTO ? longest : requested;
	count_chunks(e, ch, e->chunk_flows, e->chunk_starts);
	uint32_t top = e->max_flow_len < longest ? e->max_flow_len : longest; /* >= any kept */
	uint64_t *by_len = netshare__calloc((size_t)top + 1, sizeof *by_len);
	if (!by_len)
		return netshare__error_oom("flow lengths");
	for (size_t s = 0; s < ch->n_segments; s++) {
		uint32_t kept = netshare__kept_len(e, ch->seg[s].count);
		e->flows += kept > 0;
		e->truncated += kept > 0 && kept < ch->seg[s].count;
		e->dropped += kept == 0;
		by_len[kept]++;
	}
	uint64_t modal = 0;
	for (uint32_t len = 1; len <= top; len++)
		if (by_len[len] > modal) {
			e->modal_len = len;
			modal = by_len[len];
		}
	e->modal_share = e->flows ? (double)modal / (double)e->flows : 0;
	netshare__free(by_len);
	return NETSHARE_OK;
}

int
netshare__encoder_modal_length(const netshare_encoder *e, uint32_t *len, double *share)
{
	int known = e->modal_len > 0;
	*len = known ? e->modal_len : 0;
	*share = known ? e->modal_share : 0;
	return known;
}

NETSHARE_API netshare_status
netshare_encoder_fit(netshare_encoder **out, const netshare_dataset *ds,
                     const netshare_encoder_params *params)
{
	if (!out)
		return netshare__error(NETSHARE_EINVAL, "netshare_encoder_fit: out is NULL");
	*out = NULL;
	if (!ds)
		return netshare__error(NETSHARE_EINVAL, "netshare_encoder_fit: dataset is NULL");
	netshare_encoder_params p;
	netshare_encoder_params_init(&p);
	netshare_status st;
	if (params && (st = netshare__params_copy(&p, sizeof p,
	                                          offsetof(netshare_encoder_params, window_start_ns),
	                                          params,
	                                          "netshare_encoder_params")) < 0)
		return st;
	if ((st = check_params(&p)) < 0)
		return st;
	if (ds->n == 0)
		return netshare__error(NETSHARE_EINVAL, "netshare_encoder_fit: the dataset is empty");
	netshare_encoder *e = netshare__calloc(1, sizeof *e);
	if (!e)
		return netshare__error_oom("encoder");
	netshare__flows fl = { 0 };
	netshare__chunks ch = { 0 };
	netshare__progress pr;
	e->kind = ds->kind;
	if ((st = netshare__flows_build(ds, &fl)) < 0)
		goto done;
	e->chunks = p.chunks != NETSHARE_CHUNKS_AUTO ? p.chunks : netshare__auto_chunks(fl.n_flows);
	e->window_declared = p.window_start_ns || p.window_end_ns;
	e->t_min = e->window_declared ? p.window_start_ns : ds->time_min;
	e->t_max = e->window_declared ? p.window_end_ns : ds->time_max;
	e->fit_fingerprint = netshare__dataset_fingerprint(ds);
	/* A mapped CSV needs its column map to be written again: such output falls back to
	 * NetShare's CSV. */
	e->source_format = ds->format == NETSHARE_FORMAT_MAPPED_CSV ? NETSHARE_FORMAT_AUTO :
	                   ds->format;
	snprintf(e->label_column, sizeof e->label_column, "%s",
	         ds->label_column ? ds->label_column : "");
	e->drop_long = p.drop_long_flows != 0;
	e->addr_bits = ds->ipv6 ? 128 : 32;
	e->headers_only = ds->kind == NETSHARE_RECORDS_PACKETS && ds->n > 0 &&
	                  ds->truncated_frames == ds->n;
	e->sample_len = p.sample_len != NETSHARE_AUTO ? p.sample_len :
	                ds->kind == NETSHARE_RECORDS_PACKETS ? DEFAULT_SAMPLE_LEN_PACKETS :
	                                                       DEFAULT_SAMPLE_LEN_FLOWS;
	layout(e, ds, p.word2vec_dim, p.port_classes, p.length_classes);
	e->n_extra = ds->n_extra;
	for (size_t x = 0; x < ds->n_extra; x++) {
		snprintf(e->extra_name[x], sizeof e->extra_name[x], "%s", ds->extra[x].name);
		e->extra_cat[x] = ds->extra[x].categorical;
	}
	if ((st = netshare__progress_begin(&pr, p.progress, p.progress_user, "encode", -1, 3,
	                                   0.0)) < 0 ||
	    (st = apply_log1p(e, p.log1p_fields ? p.log1p_fields : ds->kind == NETSHARE_RECORDS_FLOWS ? DEFAULT_LOG1P_FLOWS : DEFAULT_LOG1P_PACKETS)) < 0 ||
	    (st = apply_bounds(e, p.bounds ? p.bounds : "")) < 0 ||
	    (st = netshare__chunks_build_span(ds, &fl, e->chunks, e->t_min, e->t_max, &ch)) < 0)
		goto done;
	if ((st = count_segments(e, &ch, p.max_flow_len)) < 0)
		goto done;
	if (e->sample_len > e->max_flow_len && p.sample_len == NETSHARE_AUTO)
		e->sample_len = e->max_flow_len;
	e->max_len = (e->max_flow_len + e->sample_len - 1) / e->sample_len * e->sample_len;
	if ((st = netshare__progress_update(&pr, 1, 1)) < 0 ||
	    (st = train_word2vec(e, p.word2vec_corpus ? p.word2vec_corpus : ds,
	                         p.word2vec_corpus ? NULL : &fl, &p)) < 0 ||
	    (st = netshare__progress_update(&pr, 2, 1)) < 0 ||
	    (st = intern_strings(e, ds)) < 0 || (st = fit_values(e, ds, &fl, &e->attr)) < 0 ||
	    (st = fit_values(e, ds, &fl, &e->feat)) < 0 ||
	    (st = fit_min_payload(e, ds)) < 0 ||
	    (!p.word2vec_corpus && (st = netshare__service_stats_fit(e, ds, &fl)) < 0) ||
	    (st = binary_choices(&e->attr)) < 0 || (st = binary_choices(&e->feat)) < 0)
		goto done;
	for (size_t i = 0; i < e->attr.n_fields; i++) {
		netshare__field *f = &e->attr.field[i];
		if (f->source == SRC_FLOW_START) { /* already a fraction of its chunk's window */
			f->lo = 0;
			f->hi = 1;
		}
	}
	if ((st = netshare__vector_finish(&e->attr)) < 0 ||
	    (st = netshare__vector_finish(&e->feat)) < 0)
		goto done;
	st = netshare__progress_update(&pr, 3, 1);
done:
	netshare__chunks_free(&ch);
	netshare__flows_free(&fl);
	if (st < 0) {
		netshare_encoder_free(e);
		return st;
	}
	*out = e;
	return NETSHARE_OK;
}
