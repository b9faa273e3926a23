/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Encoding a chunk's flows into tensors and decoding tensors into records, plus the
 * encoder's description (info, heads). Fitting is in encoder_fit.c.
 */
#include "encoder.h"

#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/params.h"
#include "io/dataset.h"

struct netshare_encoded {
	size_t n;
	float *attr;
	float *feat;
	uint32_t *len;
};

/* Code of a string value: id + 1 in the encoder's strings, 0 missing, UINT32_MAX for a
 * value the encoder never saw (it encodes as all zeros). */
static uint32_t
string_code(const netshare_encoder *e, const netshare_dataset *ds, uint32_t ds_code)
{
	if (!ds_code)
		return 0;
	size_t len;
	const char *s = netshare__intern_get(&ds->strings, ds_code - 1, &len);
	int64_t id = netshare__intern_find(&e->strings, s, len);
	return id < 0 ? UINT32_MAX : (uint32_t)id + 1;
}

void
netshare__encoder_value(const netshare_encoder *e, const netshare_dataset *ds,
                        const netshare__field *f, size_t i, ptrdiff_t prev, netshare__value *v)
{
	int x;
	switch (f->source) {
	case SRC_SRCIP: netshare__dataset_addr(ds, i, 0, v->addr); break;
	case SRC_DSTIP: netshare__dataset_addr(ds, i, 1, v->addr); break;
	case SRC_SPORT: v->code = ds->sport[i]; break;
	case SRC_DPORT: v->code = ds->dport[i]; break;
	case SRC_PROTO: v->code = ds->proto[i]; break;
	case SRC_SPORT_CLASS:
	case SRC_DPORT_CLASS:
		v->code = f->source == SRC_SPORT_CLASS ? ds->sport[i] : ds->dport[i];
		if (netshare__class_is_service(f))
			v->code = NETSHARE__SERVICE(v->code, ds->proto[i]);
		if (netshare__field_choice(f, v->code) < 0)
			v->code = netshare__class_other(f);
		break;
	case SRC_IAT: v->num = prev < 0 ? 0 : (double)(ds->time_ns[i] - ds->time_ns[prev]); break;
	case SRC_IPLEN: v->num = ds->ip_len[i]; break;
	case SRC_IPLEN_CLASS:
		v->code = netshare__field_choice(f, ds->ip_len[i]) < 0 ? NETSHARE__LENGTH_OTHER :
		                                                         ds->ip_len[i];
		break;
	case SRC_TOS: v->code = ds->tos[i]; break;
	case SRC_IPID: v->num = ds->ip_id[i]; break;
	case SRC_IPFLAGS: v->code = ds->ip_flags[i]; break;
	case SRC_FRAGOFF: v->code = ds->frag_off[i]; break;
	case SRC_TTL: v->num = ds->ttl[i]; break;
	case SRC_TCPFLAGS: v->code = ds->tcp_flags[i]; break;
	case SRC_DURATION: v->num = (double)ds->duration_ns[i]; break;
	case SRC_PACKETS: v->num = (double)ds->packets[i]; break;
	case SRC_BYTES: v->num = (double)ds->bytes[i]; break;
	case SRC_RESP_PACKETS:
		v->num = ds->packets[i] ? (double)ds->resp_packets[i] / (double)ds->packets[i] : 0;
		break;
	case SRC_RESP_BYTES:
		v->num = ds->bytes[i] ? (double)ds->resp_bytes[i] / (double)ds->bytes[i] : 0;
		break;
	case SRC_LABEL: v->code = string_code(e, ds, ds->label[i]); break;
	case SRC_EXTRA:
		/* Matched by name, so a dataset with its extras in another order still works. */
		x = netshare__dataset_extra_find(ds, e->extra_name[f->index],
		                                 strlen(e->extra_name[f->index]));
		if (f->type == FIELD_CAT)
			v->code = x < 0 ? 0 : string_code(e, ds, ds->extra[x].cat[i]);
		else
			v->num = x < 0 ? NAN : ds->extra[x].num[i];
		break;
	default:
		memset(v, 0, sizeof *v);
		break;
	}
}

void
netshare__encoder_chunk_window(const netshare_encoder *e, int c, double *lo, double *width)
{
	/* Relative to t_min: absolute ns times (~1.5e18) are beyond a double's exact range. */
	double span = (double)(e->t_max - e->t_min) + 1.0;
	*width = span / e->chunks;
	*lo = c * *width;
}

NETSHARE_API netshare_status
netshare_encoder_info_get(const netshare_encoder *e, netshare_encoder_info *info)
{
	if (!e || !info)
		return netshare__error(NETSHARE_EINVAL, "netshare_encoder_info_get: %s is NULL",
		                       e ? "info" : "encoder");
	netshare_status st = netshare__check_out_struct(info, "netshare_encoder_info");
	if (st < 0)
		return st;
	netshare_encoder_info filled, *caller = info;
	memset(&filled, 0, sizeof filled);
	filled.struct_size = sizeof filled;
	info = &filled;
	info->kind = e->kind;
	info->chunks = e->chunks;
	info->max_flow_len = e->max_flow_len;
	info->sample_len = e->sample_len;
	info->max_len = e->max_len;
	info->attribute_dim = e->attr.dim;
	info->feature_dim = e->feat.dim;
	info->attribute_groups = e->attr.n_groups;
	info->feature_groups = e->feat.n_groups;
	info->address_bits = e->addr_bits;
	info->port_words = e->w2v.first[1] - e->w2v.first[0];
	info->protocol_words = e->w2v.first[2] - e->w2v.first[1];
	info->flows = e->flows;
	info->flows_truncated = e->truncated;
	info->flows_dropped = e->dropped;
	info->headers_only = e->headers_only;
	netshare__out_struct_put(caller, &filled, sizeof filled);
	return NETSHARE_OK;
}

NETSHARE_API netshare_status
netshare_encoder_group(const netshare_encoder *e, int features, size_t index,
                       netshare_field_group *out)
{
	if (!e || !out)
		return netshare__error(NETSHARE_EINVAL, "netshare_encoder_group: %s is NULL",
		                       e ? "out" : "encoder");
	netshare_status st = netshare__check_out_struct(out, "netshare_field_group");
	if (st < 0)
		return st;
	const netshare__vector *v = features ? &e->feat : &e->attr;
	if (index >= v->n_groups)
		return netshare__error(NETSHARE_EINVAL, "netshare_encoder_group: %s head %zu out of "
		                       "range (%zu heads)", features ? "feature" : "attribute", index,
		                       v->n_groups);
	netshare__out_struct_put(out, &v->groups[index], sizeof v->groups[index]);
	return NETSHARE_OK;
}

NETSHARE_API size_t
netshare_encoded_flows(const netshare_encoded *x)
{
	return x ? x->n : 0;
}

NETSHARE_API const float *
netshare_encoded_attributes(const netshare_encoded *x)
{
	return x ? x->attr : NULL;
}

NETSHARE_API const float *
netshare_encoded_features(const netshare_encoded *x)
{
	return x ? x->feat : NULL;
}

NETSHARE_API const uint32_t *
netshare_encoded_lengths(const netshare_encoded *x)
{
	return x ? x->len : NULL;
}

NETSHARE_API void
netshare_encoded_free(netshare_encoded *x)
{
	if (!x)
		return;
	netshare__free(x->attr);
	netshare__free(x->feat);
	netshare__free(x->len);
	netshare__free(x);
}

/* Attributes of one flow segment (its first record is `first`). */
static void
encode_attributes(const netshare_encoder *e, const netshare_dataset *ds,
                  const netshare__chunks *ch, const netshare__segment *s, size_t first,
                  int chunk, float *out)
{
	double lo, width;
	netshare__encoder_chunk_window(e, chunk, &lo, &width);
	for (size_t k = 0; k < e->attr.n_fields; k++) {
		const netshare__field *f = &e->attr.field[k];
		netshare__value v;
		if (f->source == SRC_TAG_START)
			v.code = (uint32_t)netshare__starts_in(ch, s->flow, chunk);
		else if (f->source == SRC_TAG_CHUNK)
			v.code = (uint32_t)((ch->appears[s->flow] >> f->index) & 1);
		else if (f->source == SRC_FLOW_START)
			v.num = ((double)(ds->time_ns[first] - e->t_min) - lo) / width;
		else
			netshare__encoder_value(e, ds, f, first, -1, &v);
		netshare__field_encode(f, &v, out + f->offset);
	}
}

NETSHARE_API netshare_status
netshare_encoder_encode(netshare_encoded **out, const netshare_encoder *e,
                        const netshare_dataset *ds, int chunk)
{
	if (!out)
		return netshare__error(NETSHARE_EINVAL, "netshare_encoder_encode: out is NULL");
	*out = NULL;
	if (!e || !ds)
		return netshare__error(NETSHARE_EINVAL, "netshare_encoder_encode: %s is NULL",
		                       e ? "dataset" : "encoder");
	if (chunk < 0 || chunk >= e->chunks)
		return netshare__error(NETSHARE_EINVAL, "netshare_encoder_encode: chunk %d out of "
		                       "range (0..%d)", chunk, e->chunks - 1);
	if (ds->kind != e->kind)
		return netshare__error(NETSHARE_EINVAL, "netshare_encoder_encode: the encoder was "
		                       "fitted on %s records, the dataset holds %s records",
		                       e->kind == NETSHARE_RECORDS_PACKETS ? "packet" : "flow",
		                       ds->kind == NETSHARE_RECORDS_PACKETS ? "packet" : "flow");
	netshare__flows fl;
	netshare__chunks ch;
	netshare_status st = netshare__flows_build(ds, &fl);
	if (st < 0)
		return st;
	if ((st = netshare__chunks_build_span(ds, &fl, e->chunks, e->t_min, e->t_max, &ch)) < 0) {
		netshare__flows_free(&fl);
		return st;
	}
	netshare_encoded *x = netshare__calloc(1, sizeof *x);
	size_t n = 0, A = e->attr.dim, F = e->feat.dim, T = e->max_len;
	for (uint32_t s = ch.seg_start[chunk]; s < ch.seg_start[chunk + 1]; s++)
		n += netshare__kept_len(e, ch.seg[s].count) > 0;
	if (x) {
		x->n = n;
		x->attr = netshare__calloc(n ? n * A : 1, sizeof *x->attr);
		x->feat = netshare__calloc(n ? n * T * F : 1, sizeof *x->feat);
		x->len = netshare__calloc(n ? n : 1, sizeof *x->len);
	}
	if (!x || !x->attr || !x->feat || !x->len) {
		st = netshare__error_oom("encoded chunk");
		goto done;
	}
	size_t r = 0;
	for (uint32_t s = ch.seg_start[chunk]; s < ch.seg_start[chunk + 1]; s++) {
		const netshare__segment *seg = &ch.seg[s];
		uint32_t len = netshare__kept_len(e, seg->count);
		if (!len)
			continue;
		const uint32_t *idx = fl.order + fl.start[seg->flow] + seg->first;
		encode_attributes(e, ds, &ch, seg, idx[0], chunk, x->attr + r * A);
		const double *gaps = netshare__encoder_gap_knots(e, x->attr + r * A);
		for (uint32_t j = 0; j < len; j++) {
			float *row = x->feat + (r * T + j) * F;
			for (size_t k = 0; k < e->feat.n_fields; k++) {
				const netshare__field *f = &e->feat.field[k];
				netshare__value v;
				if (f->source == SRC_GEN)
					v.code = j + 1 == len; /* 0: continues, 1: last record */
				else
					netshare__encoder_value(e, ds, f, idx[j], j ? (ptrdiff_t)idx[j - 1] : -1,
					                        &v);
				if (gaps && f->source == SRC_IAT)
					row[f->offset] = (float)netshare__cont_forward_knots(f, v.num, gaps,
					                                                     e->n_knots);
				else
					netshare__field_encode(f, &v, row + f->offset);
			}
		}
		x->len[r++] = len;
	}
done:
	netshare__chunks_free(&ch);
	netshare__flows_free(&fl);
	if (st < 0) {
		netshare_encoded_free(x);
		return st;
	}
	*out = x;
	return NETSHARE_OK;
}
