/* SPDX-License-Identifier: BSD-3-Clause */
/* netshare_dataset: construction, column storage, record access and facts. */
#include "dataset.h"

#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/params.h"

NETSHARE_API void
netshare_record_init(netshare_record *r)
{
	if (!r)
		return;
	memset(r, 0, sizeof *r);
	r->struct_size = sizeof *r;
}

NETSHARE_API netshare_status
netshare_dataset_new(netshare_dataset **out, int kind)
{
	if (!out)
		return netshare__error(NETSHARE_EINVAL, "netshare_dataset_new: out is NULL");
	*out = NULL;
	if (kind != NETSHARE_RECORDS_PACKETS && kind != NETSHARE_RECORDS_FLOWS)
		return netshare__error(NETSHARE_EINVAL, "netshare_dataset_new: kind %d is not a "
		                       "netshare_record_kind", kind);
	netshare_dataset *ds = netshare__calloc(1, sizeof *ds);
	if (!ds)
		return netshare__error_oom("dataset");
	ds->kind = kind;
	ds->link_type = -1;
	*out = ds;
	return NETSHARE_OK;
}

NETSHARE_API void
netshare_dataset_free(netshare_dataset *ds)
{
	if (!ds)
		return;
#define FREE_COLUMN(type, name) netshare__free(ds->name);
	NETSHARE__COMMON_COLUMNS(FREE_COLUMN)
	NETSHARE__PACKET_COLUMNS(FREE_COLUMN)
	NETSHARE__FLOW_COLUMNS(FREE_COLUMN)
#undef FREE_COLUMN
	netshare__intern_free(&ds->addr6);
	netshare__intern_free(&ds->strings);
	netshare__free(ds->column_map);
	netshare__free(ds->label_column);
	for (size_t i = 0; i < ds->n_extra; i++) {
		netshare__free(ds->extra[i].name);
		netshare__free(ds->extra[i].num);
		netshare__free(ds->extra[i].cat);
	}
	netshare__free(ds);
}

netshare_status
netshare__dataset_reserve(netshare_dataset *ds, size_t n)
{
	if (n <= ds->cap)
		return NETSHARE_OK;
	if (n > UINT32_MAX)
		return netshare__error(NETSHARE_ENOMEM, "dataset: more than %u records",
		                       (unsigned)UINT32_MAX);
#define GROW_COLUMN(type, name)                                                     \
	{                                                                           \
		type *p = netshare__reallocarray(ds->name, n, sizeof(type));        \
		if (!p)                                                             \
			return netshare__error_oom("dataset column " #name);        \
		ds->name = p;                                                       \
		netshare__advise_huge(p, n * sizeof(type));                         \
	}
	NETSHARE__COMMON_COLUMNS(GROW_COLUMN)
	if (ds->kind == NETSHARE_RECORDS_PACKETS) {
		NETSHARE__PACKET_COLUMNS(GROW_COLUMN)
	} else {
		NETSHARE__FLOW_COLUMNS(GROW_COLUMN)
	}
#undef GROW_COLUMN
	for (size_t i = 0; i < ds->n_extra; i++) {
		netshare_status st = netshare__extra_grow(&ds->extra[i], ds->cap, n);
		if (st < 0)
			return st;
	}
	ds->cap = n;
	return NETSHARE_OK;
}

static netshare_status
intern_addr6(netshare_dataset *ds, const uint8_t a[16], uint32_t *id)
{
	return netshare__intern_add(&ds->addr6, a, 16, id);
}

netshare_status
netshare__dataset_push(netshare_dataset *ds, const netshare_record *r)
{
	netshare_status st;
	if (ds->n == ds->cap) {
		st = netshare__dataset_reserve(ds, ds->cap ? ds->cap * 2 : 1024);
		if (st < 0)
			return st;
	}
	size_t i = ds->n;
	uint32_t src, dst, label = 0;
	if (r->time_ns <= -NETSHARE_TIME_LIMIT_NS || r->time_ns >= NETSHARE_TIME_LIMIT_NS ||
	    (ds->kind == NETSHARE_RECORDS_FLOWS &&
	     (r->duration_ns < 0 || r->duration_ns >= NETSHARE_TIME_LIMIT_NS)))
		return netshare__error(NETSHARE_EINVAL, "record %zu: time %lld ns or duration %lld ns "
		                       "is outside the supported range (|t| < 2^62 ns, 0 <= "
		                       "duration < 2^62 ns)", i, (long long)r->time_ns,
		                       (long long)r->duration_ns);
	if (r->ip_version == 4) {
		src = r->src_ip;
		dst = r->dst_ip;
	} else if (r->ip_version == 6) {
		if ((st = intern_addr6(ds, r->src_ip6, &src)) < 0 ||
		    (st = intern_addr6(ds, r->dst_ip6, &dst)) < 0)
			return st;
	} else {
		return netshare__error(NETSHARE_EINVAL, "record %zu: ip_version %u is not 4 or 6",
		                       i, r->ip_version);
	}
	if (ds->kind == NETSHARE_RECORDS_FLOWS &&
	    (r->resp_packets > r->packets || r->resp_bytes > r->bytes))
		return netshare__error(NETSHARE_EINVAL, "record %zu: the responder's %llu packets "
		                       "and %llu bytes exceed the flow's %llu and %llu", i,
		                       (unsigned long long)r->resp_packets,
		                       (unsigned long long)r->resp_bytes,
		                       (unsigned long long)r->packets, (unsigned long long)r->bytes);
	if (ds->kind == NETSHARE_RECORDS_FLOWS && r->label) {
		if ((st = netshare__intern_add(&ds->strings, r->label, strlen(r->label),
		                               &label)) < 0)
			return st;
		label++;
	}
	ds->time_ns[i] = r->time_ns;
	ds->src[i] = src;
	ds->dst[i] = dst;
	ds->sport[i] = r->src_port;
	ds->dport[i] = r->dst_port;
	ds->proto[i] = r->protocol;
	ds->ipver[i] = r->ip_version;
	if (ds->kind == NETSHARE_RECORDS_PACKETS) {
		ds->ip_len[i] = r->ip_length;
		ds->tos[i] = r->tos;
		ds->ttl[i] = r->ttl;
		ds->ip_id[i] = r->ip_id;
		ds->ip_flags[i] = r->ip_flags;
		ds->tcp_flags[i] = r->tcp_flags;
		ds->frag_off[i] = r->frag_offset;
	} else {
		ds->duration_ns[i] = r->duration_ns;
		ds->packets[i] = r->packets;
		ds->bytes[i] = r->bytes;
		ds->label[i] = label;
		ds->resp_packets[i] = r->resp_packets;
		ds->resp_bytes[i] = r->resp_bytes;
	}
	if (i == 0) {
		ds->time_min = ds->time_max = r->time_ns;
	} else {
		if (r->time_ns < ds->time_ns[i - 1])
			ds->out_of_order++;
		if (r->time_ns < ds->time_min)
			ds->time_min = r->time_ns;
		if (r->time_ns > ds->time_max)
			ds->time_max = r->time_ns;
	}
	if (r->ip_version == 4)
		ds->ipv4++;
	else
		ds->ipv6++;
	ds->n++;
	return NETSHARE_OK;
}

void
netshare__dataset_row(const netshare_dataset *ds, size_t i, netshare_record *r)
{
	size_t size = r->struct_size;
	memset(r, 0, sizeof *r);
	r->struct_size = size;
	r->time_ns = ds->time_ns[i];
	r->ip_version = ds->ipver[i];
	r->protocol = ds->proto[i];
	r->src_port = ds->sport[i];
	r->dst_port = ds->dport[i];
	if (r->ip_version == 4) {
		r->src_ip = ds->src[i];
		r->dst_ip = ds->dst[i];
	} else {
		memcpy(r->src_ip6, netshare__intern_get(&ds->addr6, ds->src[i], NULL), 16);
		memcpy(r->dst_ip6, netshare__intern_get(&ds->addr6, ds->dst[i], NULL), 16);
	}
	if (ds->kind == NETSHARE_RECORDS_PACKETS) {
		r->ip_length = ds->ip_len[i];
		r->tos = ds->tos[i];
		r->ttl = ds->ttl[i];
		r->ip_id = ds->ip_id[i];
		r->ip_flags = ds->ip_flags[i];
		r->tcp_flags = ds->tcp_flags[i];
		r->frag_offset = ds->frag_off[i];
	} else {
		r->duration_ns = ds->duration_ns[i];
		r->packets = ds->packets[i];
		r->bytes = ds->bytes[i];
		r->resp_packets = ds->resp_packets[i];
		r->resp_bytes = ds->resp_bytes[i];
		r->label = ds->label[i] ? netshare__intern_get(&ds->strings, ds->label[i] - 1, NULL)
		                        : NULL;
	}
}

void
netshare__dataset_addr(const netshare_dataset *ds, size_t i, int which, uint8_t out[16])
{
	uint32_t v = which ? ds->dst[i] : ds->src[i];
	if (ds->ipver[i] == 6) {
		memcpy(out, netshare__intern_get(&ds->addr6, v, NULL), 16);
		return;
	}
	memset(out, 0, 10);
	out[10] = out[11] = 0xff;
	out[12] = (uint8_t)(v >> 24);
	out[13] = (uint8_t)(v >> 16);
	out[14] = (uint8_t)(v >> 8);
	out[15] = (uint8_t)v;
}

/* The first release's size of a struct the library fills or reads field by field. */
#define RECORD_V1_SIZE sizeof(netshare_record)

NETSHARE_API int
netshare_dataset_kind(const netshare_dataset *ds)
{
	return ds ? ds->kind : -1;
}

NETSHARE_API size_t
netshare_dataset_count(const netshare_dataset *ds)
{
	return ds ? ds->n : 0;
}

NETSHARE_API netshare_status
netshare_dataset_get(const netshare_dataset *ds, size_t index, netshare_record *out)
{
	if (!ds || !out)
		return netshare__error(NETSHARE_EINVAL, "netshare_dataset_get: %s is NULL",
		                       ds ? "out" : "dataset");
	if (out->struct_size < RECORD_V1_SIZE || out->struct_size > NETSHARE__PARAMS_MAX_SIZE)
		return netshare__error(NETSHARE_EABI, "netshare_dataset_get: record struct_size %zu "
		                       "is not a size this library knows; call netshare_record_init()",
		                       out->struct_size);
	if (index >= ds->n)
		return netshare__error(NETSHARE_EINVAL, "netshare_dataset_get: index %zu out of "
		                       "range (dataset has %zu records)", index, ds->n);
	netshare__dataset_row(ds, index, out);
	return NETSHARE_OK;
}

NETSHARE_API netshare_status
netshare_dataset_append(netshare_dataset *ds, const netshare_record *rec)
{
	if (!ds || !rec)
		return netshare__error(NETSHARE_EINVAL, "netshare_dataset_append: %s is NULL",
		                       ds ? "record" : "dataset");
	netshare_record r;
	netshare_record_init(&r);
	netshare_status st = netshare__params_copy(&r, sizeof r, RECORD_V1_SIZE, rec,
	                                           "netshare_record");
	if (st < 0)
		return st;
	return netshare__dataset_push(ds, &r);
}

NETSHARE_API uint64_t
netshare_dataset_skipped(const netshare_dataset *ds, int reason)
{
	if (!ds || reason < 0 || reason >= NETSHARE_SKIP_REASONS)
		return 0;
	return ds->skipped[reason];
}

NETSHARE_API const char *
netshare_skip_reason_name(int reason)
{
	static const char *const names[NETSHARE_SKIP_REASONS] = {
		"not-ip", "truncated-link-header", "truncated-ip-header", "bad-ip-version",
		"bad-ip-header", "truncated-transport-header", "bad-row", "damaged-tail",
		"bad-time",
	};
	if (reason < 0 || reason >= NETSHARE_SKIP_REASONS)
		return "unknown";
	return names[reason];
}

NETSHARE_API netshare_status
netshare_dataset_info_get(const netshare_dataset *ds, netshare_dataset_info *info)
{
	if (!ds || !info)
		return netshare__error(NETSHARE_EINVAL, "netshare_dataset_info_get: %s is NULL",
		                       ds ? "info" : "dataset");
	netshare_status st = netshare__check_out_struct(info, "netshare_dataset_info");
	if (st < 0)
		return st;
	netshare_dataset_info full;
	memset(&full, 0, sizeof full);
	full.struct_size = sizeof full;
	full.kind = ds->kind;
	full.format = ds->format;
	full.link_type = ds->link_type;
	full.records = ds->n;
	full.frames = ds->n;
	for (int r = 0; r < NETSHARE_SKIP_REASONS; r++)
		full.frames += ds->skipped[r];
	full.ipv4 = ds->ipv4;
	full.ipv6 = ds->ipv6;
	full.out_of_order = ds->out_of_order;
	full.time_min_ns = ds->n ? ds->time_min : 0;
	full.time_max_ns = ds->n ? ds->time_max : 0;
	full.truncated = ds->truncated_frames;
	netshare__out_struct_put(info, &full, sizeof full);
	return NETSHARE_OK;
}
