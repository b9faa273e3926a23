/* SPDX-License-Identifier: BSD-3-Clause */
/* netshare_report: per-field, joint and memorisation metrics of two datasets (eval.h). */
#include <math.h>
#include <string.h>

#include <netshare/eval.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/intern.h"
#include "core/params.h"
#include "flow/flows.h"
#include "io/dataset.h"
#include "io/packet.h"
#include "metrics.h"
#include "report.h"
#include "validity.h"


/* Counts of keys seen on two sides (side 0 real, 1 synthetic), over their union. */
typedef struct counter {
	netshare__intern keys;
	double *c[2];
	size_t cap;
} counter;

static void
counter_free(counter *k)
{
	netshare__intern_free(&k->keys);
	netshare__free(k->c[0]);
	netshare__free(k->c[1]);
	memset(k, 0, sizeof *k);
}

static netshare_status
counter_add(counter *k, const void *key, size_t len, int side)
{
	uint32_t id;
	netshare_status st = netshare__intern_add(&k->keys, key, len, &id);
	if (st < 0)
		return st;
	if (id >= k->cap) {
		size_t cap = k->cap ? 2 * k->cap : 1024;
		for (int s = 0; s < 2; s++) {
			double *p = netshare__reallocarray(k->c[s], cap, sizeof *p);
			if (!p)
				return netshare__error_oom("report counts");
			memset(p + k->cap, 0, (cap - k->cap) * sizeof *p);
			k->c[s] = p;
		}
		k->cap = cap;
	}
	k->c[side][id] += 1;
	return NETSHARE_OK;
}

void
netshare__report_add(netshare_report *r, const char *name, const char *kind, const char *unit,
                     const char *group, double value)
{
	if (r->n == NETSHARE__REPORT_MAX_METRICS)
		return;
	netshare_metric *m = &r->m[r->n++];
	m->struct_size = sizeof *m;
	m->name = name;
	m->kind = kind;
	m->unit = unit;
	m->group = group;
	m->value = value;
	m->note = NULL;
}

void
netshare__report_add_note(netshare_report *r, const char *name, const char *kind,
                          const char *unit, const char *group, double value,
                          const char *why_nan)
{
	size_t before = r->n;
	netshare__report_add(r, name, kind, unit, group, value);
	if (r->n > before && isnan(value))
		r->m[before].note = why_nan;
}

/* What each record contributes to a joint or marginal count: a key of a few bytes. */
typedef enum key_kind { KEY_SRCIP, KEY_DSTIP, KEY_DPORT_PROTO, KEY_SPORT_DPORT, KEY_LABEL,
                        KEY_FIVE_TUPLE } key_kind;

/* A port as the joints see it: the client's ephemeral port of a record
 * (netshare__is_client_port) becomes one value, EPHEMERAL_PORT, so that the joints
 * compare services and directions. Exact client ports are not a property of the
 * network: fresh traffic from it shares few of them with the trace, and a generator
 * that copied the trace's would win otherwise. */
#define EPHEMERAL_PORT 65536u

static uint32_t
joint_port(uint16_t self, uint16_t other)
{
	return netshare__is_client_port(self, other) ? EPHEMERAL_PORT : self;
}

static size_t
record_key(const netshare_dataset *ds, size_t i, key_kind k, unsigned char *key)
{
	uint8_t a[16];
	uint32_t port[2];
	switch (k) {
	case KEY_SRCIP: case KEY_DSTIP:
		netshare__dataset_addr(ds, i, k == KEY_DSTIP, key);
		return 16;
	case KEY_DPORT_PROTO:
		port[1] = joint_port(ds->dport[i], ds->sport[i]);
		memcpy(key, &port[1], 4);
		key[4] = ds->proto[i];
		return 5;
	case KEY_SPORT_DPORT:
		port[0] = joint_port(ds->sport[i], ds->dport[i]);
		port[1] = joint_port(ds->dport[i], ds->sport[i]);
		memcpy(key, port, 8);
		return 8;
	case KEY_LABEL: {
		size_t len = 0;
		const char *s = ds->label[i] ? netshare__intern_get(&ds->strings, ds->label[i] - 1, &len)
		                             : "";
		if (len > 200)
			len = 200;
		memcpy(key, s, len);
		return len;
	}
	default:
		netshare__dataset_addr(ds, i, 0, key);
		netshare__dataset_addr(ds, i, 1, a);
		memcpy(key + 16, a, 16);
		memcpy(key + 32, &ds->sport[i], 2);
		memcpy(key + 34, &ds->dport[i], 2);
		key[36] = ds->proto[i];
		return 37;
	}
}

/* JSD of a key's distribution in the two datasets (over the union of keys). */
static netshare_status
joint_jsd(const netshare_dataset *real, const netshare_dataset *syn, key_kind k, double *out)
{
	counter c;
	memset(&c, 0, sizeof c);
	unsigned char key[256];
	netshare_status st = NETSHARE_OK;
	const netshare_dataset *ds[2] = { real, syn };
	for (int s = 0; s < 2 && st == NETSHARE_OK; s++)
		for (size_t i = 0; i < ds[s]->n && st == NETSHARE_OK; i++)
			st = counter_add(&c, key, record_key(ds[s], i, k, key), s);
	if (st == NETSHARE_OK)
		*out = netshare__jsd(c.c[0], c.c[1], c.keys.n);
	counter_free(&c);
	return st;
}

/* Popularity-rank JSD of addresses: counts per distinct address on each side. */
static netshare_status
rank_jsd(const netshare_dataset *real, const netshare_dataset *syn, key_kind k, double *out)
{
	counter side[2];
	memset(side, 0, sizeof side);
	unsigned char key[16];
	netshare_status st = NETSHARE_OK;
	const netshare_dataset *ds[2] = { real, syn };
	for (int s = 0; s < 2 && st == NETSHARE_OK; s++)
		for (size_t i = 0; i < ds[s]->n && st == NETSHARE_OK; i++)
			st = counter_add(&side[s], key, record_key(ds[s], i, k, key), 0);
	if (st == NETSHARE_OK)
		*out = netshare__rank_jsd(side[0].c[0], side[0].keys.n, side[1].c[0], side[1].keys.n);
	counter_free(&side[0]);
	counter_free(&side[1]);
	return st;
}

/* Share of the synthetic records whose key also occurs in the real trace. */
static netshare_status
seen_share(const netshare_dataset *real, const netshare_dataset *syn, key_kind k, double *out)
{
	counter c;
	memset(&c, 0, sizeof c);
	unsigned char key[64];
	netshare_status st = NETSHARE_OK;
	for (size_t i = 0; i < real->n && st == NETSHARE_OK; i++)
		st = counter_add(&c, key, record_key(real, i, k, key), 0);
	size_t real_keys = c.keys.n;
	for (size_t i = 0; i < syn->n && st == NETSHARE_OK; i++)
		st = counter_add(&c, key, record_key(syn, i, k, key), 1);
	if (st == NETSHARE_OK) {
		double both = 0;
		for (size_t id = 0; id < real_keys && id < c.keys.n; id++)
			both += c.c[1][id];
		*out = syn->n ? both / (double)syn->n : NAN;
	}
	counter_free(&c);
	return st;
}

/* Marginal JSD of a small integer field over a fixed number of bins. */
static netshare_status
bins_jsd(const netshare_dataset *real, const netshare_dataset *syn, int field, size_t bins,
         double *out)
{
	double *c[2] = { netshare__calloc(bins, sizeof(double)), netshare__calloc(bins, sizeof(double)) };
	if (!c[0] || !c[1]) {
		netshare__free(c[0]);
		netshare__free(c[1]);
		return netshare__error_oom("report bins");
	}
	const netshare_dataset *ds[2] = { real, syn };
	for (int s = 0; s < 2; s++)
		for (size_t i = 0; i < ds[s]->n; i++)
			c[s][field == 0 ? ds[s]->sport[i] : field == 1 ? ds[s]->dport[i] : ds[s]->proto[i]]++;
	*out = netshare__jsd(c[0], c[1], bins);
	netshare__free(c[0]);
	netshare__free(c[1]);
	return NETSHARE_OK;
}

/* Per-record or per-flow values of a continuous quantity. */
typedef enum series { S_TIME, S_IPLEN, S_IAT, S_FLOW_SIZE, S_FLOW_DURATION, S_DURATION,
                      S_PACKETS, S_BYTES } series;

/* `fl` is the dataset's flow index, built once per report by the caller. */
static netshare_status
values(const netshare_dataset *ds, const netshare__flows *f, series s, double **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	int per_flow = s == S_IAT || s == S_FLOW_SIZE || s == S_FLOW_DURATION;
	double *v = netshare__mallocarray(ds->n ? ds->n : 1, sizeof *v);
	if (!v)
		return netshare__error_oom("report values");
	size_t k = 0;
	if (s == S_IAT) {
		for (size_t fl = 0; fl < f->n_flows; fl++) {
			const uint32_t *idx = f->order + f->start[fl];
			for (size_t j = 1; j < netshare__flow_len(f, fl); j++)
				v[k++] = (double)(ds->time_ns[idx[j]] - ds->time_ns[idx[j - 1]]) * 1e-9;
		}
	} else if (per_flow) {
		for (size_t fl = 0; fl < f->n_flows; fl++) {
			netshare__flow_stats fs;
			netshare__flow_stats_get(ds, f, fl, &fs);
			v[k++] = s == S_FLOW_SIZE ? (double)fs.records
			                          : (double)(fs.last_ns - fs.first_ns) * 1e-9;
		}
	} else {
		for (size_t i = 0; i < ds->n; i++)
			v[k++] = s == S_TIME ? (double)(ds->time_ns[i] - ds->time_min) * 1e-9 :
			         s == S_IPLEN ? ds->ip_len[i] :
			         s == S_DURATION ? (double)ds->duration_ns[i] * 1e-9 :
			         s == S_PACKETS ? (double)ds->packets[i] : (double)ds->bytes[i];
	}
	*out = v;
	*n = k;
	return NETSHARE_OK;
}

static netshare_status
emd_of(const netshare_dataset *real, const netshare_dataset *syn, const netshare__flows *fl,
       series s, double *out)
{
	double *a, *b;
	size_t na, nb;
	netshare_status st = values(real, &fl[0], s, &a, &na);
	if (st < 0)
		return st;
	if ((st = values(syn, &fl[1], s, &b, &nb)) < 0) {
		netshare__free(a);
		return st;
	}
	*out = netshare__emd(a, na, b, nb); /* NaN when a side has none (no multi-record flow) */
	netshare__free(a);
	netshare__free(b);
	return NETSHARE_OK;
}

NETSHARE_API void
netshare_report_params_init(netshare_report_params *p)
{
	if (!p)
		return;
	memset(p, 0, sizeof *p);
	p->struct_size = sizeof *p;
	p->services = NETSHARE__DEFAULT_SERVICES;
}

NETSHARE_API netshare_status
netshare_report_new(netshare_report **out, const netshare_dataset *real,
                    const netshare_dataset *syn, const netshare_report_params *params)
{
	if (!out)
		return netshare__error(NETSHARE_EINVAL, "netshare_report_new: out is NULL");
	*out = NULL;
	netshare_report_params p;
	netshare_report_params_init(&p);
	netshare_status st;
	if (params && (st = netshare__params_copy(&p, sizeof p, sizeof p, params,
	                                          "netshare_report_params")) < 0)
		return st;
	if (p.services < 1 || p.services > NETSHARE__MAX_SERVICES)
		return netshare__error(NETSHARE_EINVAL, "netshare_report_params.services = %u is "
		                       "outside 1..%d", p.services, NETSHARE__MAX_SERVICES);
	if (!real || !syn)
		return netshare__error(NETSHARE_EINVAL, "netshare_report_new: a dataset is NULL");
	if (real->kind != syn->kind)
		return netshare__error(NETSHARE_EINVAL, "netshare_report_new: the real trace holds "
		                       "%s records, the synthetic one %s records",
		                       real->kind == NETSHARE_RECORDS_PACKETS ? "packet" : "flow",
		                       syn->kind == NETSHARE_RECORDS_PACKETS ? "packet" : "flow");
	if (real->n == 0 || syn->n == 0)
		return netshare__error(NETSHARE_EINVAL, "netshare_report_new: the %s trace is empty",
		                       real->n == 0 ? "real" : "synthetic");
	if (p.held_out && p.held_out->kind != real->kind)
		return netshare__error(NETSHARE_EINVAL, "netshare_report_new: the held-out part "
		                       "holds the other kind of records");
	netshare_report *r = netshare__calloc(1, sizeof *r);
	if (!r)
		return netshare__error_oom("report");
	/* The flow index of each side, once: several metrics walk flows. */
	netshare__flows fl[2];
	memset(fl, 0, sizeof fl);
	st = netshare__flows_build(real, &fl[0]);
	if (st == NETSHARE_OK)
		st = netshare__flows_build(syn, &fl[1]);
	double v = NAN;
	int pk = real->kind == NETSHARE_RECORDS_PACKETS;
#define JSD_RANK(name, k) \
	if (st == NETSHARE_OK && (st = rank_jsd(real, syn, k, &v)) == NETSHARE_OK) \
		netshare__report_add(r, name, "jsd", "", "field", v);
#define JSD_BINS(name, f, bins) \
	if (st == NETSHARE_OK && (st = bins_jsd(real, syn, f, bins, &v)) == NETSHARE_OK) \
		netshare__report_add(r, name, "jsd", "", "field", v);
#define EMD(name, s, unit) \
	if (st == NETSHARE_OK && (st = emd_of(real, syn, fl, s, &v)) == NETSHARE_OK) \
		netshare__report_add_note(r, name, "emd", unit, "field", v, s == S_IAT ? \
		                          "a trace has no flow of 2 or more records" : \
		                          "a trace has no values");
#define JOINT(name, k, group) \
	if (st == NETSHARE_OK && (st = joint_jsd(real, syn, k, &v)) == NETSHARE_OK) \
		netshare__report_add(r, name, "jsd", "", group, v);
#define SEEN(name, k) \
	if (st == NETSHARE_OK && (st = seen_share(real, syn, k, &v)) == NETSHARE_OK) \
		netshare__report_add(r, name, "share", "", "memorisation", v);
	JSD_RANK("srcip_rank", KEY_SRCIP)
	JSD_RANK("dstip_rank", KEY_DSTIP)
	JSD_BINS("srcport", 0, 65536)
	JSD_BINS("dstport", 1, 65536)
	JSD_BINS("proto", 2, 256)
	if (pk) {
		EMD("ip_length", S_IPLEN, "bytes")
		EMD("time", S_TIME, "s")
		EMD("interarrival", S_IAT, "s")
	} else {
		EMD("start_time", S_TIME, "s")
		EMD("duration", S_DURATION, "s")
		EMD("packets", S_PACKETS, "packets")
		EMD("bytes", S_BYTES, "bytes")
		JOINT("label", KEY_LABEL, "field")
	}
	EMD("flow_size", S_FLOW_SIZE, "records")
	EMD("flow_duration", S_FLOW_DURATION, "s")
	const netshare_dataset *const both[2] = { real, syn };
	netshare__services sv;
	memset(&sv, 0, sizeof sv);
	if (st == NETSHARE_OK)
		st = netshare__services_build(both, fl, p.services, &sv);
	if (st == NETSHARE_OK)
		st = netshare__report_services(r, both, fl, &sv);
	JOINT("dstport+proto", KEY_DPORT_PROTO, "joint")
	JOINT("srcport+dstport", KEY_SPORT_DPORT, "joint")
	if (st == NETSHARE_OK)
		st = netshare__report_flows(r, real, syn, fl);
	if (st == NETSHARE_OK)
		st = netshare__report_structure(r, both, fl, &sv);
	netshare__services_free(&sv);
	SEEN("five_tuples_in_real", KEY_FIVE_TUPLE)
	SEEN("srcips_in_real", KEY_SRCIP)
	SEEN("dstips_in_real", KEY_DSTIP)
	if (st == NETSHARE_OK)
		st = netshare__report_identical(r, real, syn, fl);
	/* The held-out part's own report gets the metric too (without a value), so that the
	 * reports of one comparison list the same metrics in the same order. */
	if (st == NETSHARE_OK && p.held_out == syn)
		netshare__report_add_note(r, "membership_auc", "auc", "", "memorisation", NAN,
		                          "the held-out part is this audit's reference");
	else if (st == NETSHARE_OK && p.held_out &&
	         (st = netshare__membership_auc(both, fl, p.held_out, &v)) == NETSHARE_OK)
		netshare__report_add_note(r, "membership_auc", "auc", "", "memorisation", v,
		                          "a part has no flows");
	if (st == NETSHARE_OK)
		st = netshare__report_sketches(r, real, syn);
	double vr[NETSHARE__VALID_TESTS], vs[NETSHARE__VALID_TESTS];
	netshare__validity(real, vr);
	netshare__validity(syn, vs);
	static const char *const valid_names[NETSHARE__VALID_TESTS][2] = {
		{ "valid_ip", "valid_ip_real" }, { "valid_ports", "valid_ports_real" },
		{ "valid_size", "valid_size_real" },
	};
	for (int t = 0; t < NETSHARE__VALID_TESTS && st == NETSHARE_OK; t++) {
		netshare__report_add(r, valid_names[t][0], "share", "", "validity", vs[t]);
		netshare__report_add(r, valid_names[t][1], "share", "", "validity", vr[t]);
	}
	/* IPv4 header checksums, for datasets read from captures (NaN otherwise). */
	const netshare_dataset *side[2] = { syn, real };
	static const char *const sum_names[2] = { "valid_checksum", "valid_checksum_real" };
	for (int k = 0; k < 2 && st == NETSHARE_OK; k++)
		netshare__report_add_note(r, sum_names[k], "share", "", "validity",
		                          side[k]->header_checksums ?
		                          1.0 - (double)side[k]->bad_header_checksums /
		                                    (double)side[k]->header_checksums : NAN,
		                          "no IPv4 header checksums were read (a dataset not "
		                          "read from a capture, or a held-out part of one with "
		                          "bad checksums)");
#undef JSD_RANK
#undef JSD_BINS
#undef EMD
#undef JOINT
#undef SEEN
	netshare__flows_free(&fl[0]);
	netshare__flows_free(&fl[1]);
	if (st < 0) {
		netshare__free(r);
		return st;
	}
	*out = r;
	return NETSHARE_OK;
}

NETSHARE_API size_t
netshare_report_count(const netshare_report *r)
{
	return r ? r->n : 0;
}

NETSHARE_API netshare_status
netshare_report_get(const netshare_report *r, size_t index, netshare_metric *out)
{
	if (!r || !out)
		return netshare__error(NETSHARE_EINVAL, "netshare_report_get: %s is NULL",
		                       r ? "out" : "report");
	netshare_status st = netshare__check_out_struct(out, "netshare_metric");
	if (st < 0)
		return st;
	if (index >= r->n)
		return netshare__error(NETSHARE_EINVAL, "netshare_report_get: metric %zu out of range "
		                       "(%zu metrics)", index, r->n);
	netshare__out_struct_put(out, &r->m[index], sizeof r->m[index]);
	return NETSHARE_OK;
}

NETSHARE_API void
netshare_report_free(netshare_report *r)
{
	netshare__free(r);
}

NETSHARE_API netshare_status
netshare_normalised_emd(const double *v, size_t n, double *out)
{
	if (n && (!v || !out))
		return netshare__error(NETSHARE_EINVAL, "netshare_normalised_emd: NULL array");
	netshare__normalised_emd(v, n, out);
	return NETSHARE_OK;
}
