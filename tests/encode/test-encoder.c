/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The encoder: decode(encode(x)) on real traces (exact for addresses, ports, protocols,
 * categorical fields and the order of a flow's records; continuous fields within float32
 * rounding of their normalised value), NetShare's layout, flow tags on a constructed
 * trace, truncation and dropping of long flows, and bad parameters.
 */
#include <math.h>

#include "../test-fixtures.h"
#include "core/buf.h"
#include "core/bytes.h"
#include "encode/encoder.h"
#include "flow/chunks.h"
#include "io/dataset.h"

static netshare_encoder_info
info_of(const netshare_encoder *e)
{
	netshare_encoder_info in;
	memset(&in, 0, sizeof in);
	in.struct_size = sizeof in;
	ck_assert_ok(netshare_encoder_info_get(e, &in));
	return in;
}

/* Tolerance of a continuous field in its own units at value x: one float32 step of the
 * normalised value, mapped back (through expm1 for log1p fields). */
static double
tolerance(const netshare__field *f, double x)
{
	double step = (f->hi - f->lo) * 0x1p-23;
	double tol = f->log1p ? (x + 1) * expm1(step) : step;
	return f->integer ? (tol < 0.5 ? 0.5 : tol + 0.5) : tol;
}

/* The same for a gap x normalised through a quantile table k[0..n-1]: one float32 step
 * of the encoded value moves the decoded one by (n - 1) times the knot interval's width
 * (after log1p). */
static double
gap_tolerance(const netshare__field *f, const double *k, uint32_t n, double x)
{
	if (!k)
		return tolerance(f, x);
	double t = f->log1p ? log1p(x) : x, w = 0;
	for (uint32_t i = 0; i + 1 < n; i++)
		if (k[i] <= t && t <= k[i + 1] && k[i + 1] - k[i] > w)
			w = k[i + 1] - k[i];
	double step = (n - 1) * w * 0x1p-23;
	return (f->log1p ? (x + 1) * expm1(step) : step) + 0.5;
}

/* Encode every chunk, decode it, and compare with the original records of each kept
 * segment, in order. */
static void
round_trip(const netshare_dataset *ds, const netshare_encoder *e, const char *what)
{
	netshare__flows fl;
	netshare__chunks ch;
	ck_assert_ok(netshare__flows_build(ds, &fl));
	ck_assert_ok(netshare__chunks_build(ds, &fl, e->chunks, &ch));
	uint64_t compared = 0;
	for (int c = 0; c < e->chunks; c++) {
		netshare_encoded *x;
		ck_assert_ok(netshare_encoder_encode(&x, e, ds, c));
		netshare_dataset *out;
		ck_assert_ok(netshare_dataset_new(&out, ds->kind));
		size_t n = netshare_encoded_flows(x);
		ck_assert_ok(netshare_encoder_decode(e, c, netshare_encoded_attributes(x),
		                                     netshare_encoded_features(x), n, out));
		size_t row = 0, flow = 0;
		netshare_record a, b;
		netshare_record_init(&a);
		netshare_record_init(&b);
		double lo, width;
		netshare__encoder_chunk_window(e, c, &lo, &width);
		for (uint32_t s = ch.seg_start[c]; s < ch.seg_start[c + 1]; s++) {
			uint32_t len = netshare__kept_len(e, ch.seg[s].count);
			if (!len)
				continue;
			ck_assert_uint_eq(netshare_encoded_lengths(x)[flow++], len);
			const uint32_t *idx = fl.order + fl.start[ch.seg[s].flow] + ch.seg[s].first;
			const double *knots = netshare__encoder_gap_knots(
			        e, netshare_encoded_attributes(x) + (flow - 1) * e->attr.dim);
			int64_t prev = INT64_MIN;
			double iat_slack = 0; /* the inter-arrival tolerances summed along the flow */
			for (uint32_t j = 0; j < len; j++, row++) {
				netshare__dataset_row(ds, idx[j], &a);
				ck_assert_ok(netshare_dataset_get(out, row, &b));
				ck_assert_msg(a.ip_version == b.ip_version && a.src_ip == b.src_ip &&
				              a.dst_ip == b.dst_ip &&
				              memcmp(a.src_ip6, b.src_ip6, 16) == 0 &&
				              memcmp(a.dst_ip6, b.dst_ip6, 16) == 0, "%s: addresses of "
				              "record %zu", what, row);
				ck_assert_msg(a.src_port == b.src_port && a.dst_port == b.dst_port &&
				              a.protocol == b.protocol, "%s: record %zu: ports %u>%u/%u "
				              "became %u>%u/%u", what, row, a.src_port, a.dst_port,
				              a.protocol, b.src_port, b.dst_port, b.protocol);
				ck_assert(b.time_ns >= prev); /* a flow's records stay in order */
				prev = b.time_ns;
				/* Label and categorical extras are the segment's: its first record's. */
				for (size_t k = 0; k < e->attr.n_fields; k++) {
					const netshare__field *f = &e->attr.field[k];
					if (f->source != SRC_LABEL && f->source != SRC_EXTRA)
						continue;
					netshare__value va, vb;
					netshare__encoder_value(e, ds, f, idx[0], -1, &va);
					netshare__encoder_value(e, out, f, row, -1, &vb);
					ck_assert_msg(va.code == vb.code, "%s: %s of record %zu", what,
					              f->name, row);
				}
				for (size_t k = 0; k < e->feat.n_fields; k++) {
					const netshare__field *f = &e->feat.field[k];
					netshare__value va, vb;
					netshare__encoder_value(e, ds, f, idx[j], -1, &va);
					netshare__encoder_value(e, out, f, row, -1, &vb);
					if (f->source == SRC_GEN || f->source == SRC_IAT)
						continue;
					if (f->type == FIELD_CAT)
						ck_assert_msg(va.code == vb.code, "%s: %s of record %zu", what,
						              f->name, row);
					else if (!isnan(va.num)) /* missing extras decode as the minimum */
						ck_assert_msg(fabs(va.num - vb.num) <= tolerance(f, va.num),
						              "%s: %s of record %zu: %.17g became %.17g", what,
						              f->name, row, va.num, vb.num);
				}
				/* Times: the flow start within one float32 step of its chunk window, and
				 * each inter-arrival within its field's tolerance. */
				if (j > 0) {
					netshare_record p;
					netshare_record_init(&p);
					netshare__dataset_row(ds, idx[j - 1], &p);
					iat_slack += gap_tolerance(&e->feat.field[0], knots, e->n_knots,
					                           (double)(a.time_ns - p.time_ns));
				}
				double slack = width * 0x1p-23 + 1 + iat_slack;
				ck_assert_msg(fabs((double)(a.time_ns - b.time_ns)) <= slack, "%s: record "
				              "%zu time %lld became %lld", what, row, (long long)a.time_ns,
				              (long long)b.time_ns);
				compared++;
			}
		}
		ck_assert_uint_eq(row, netshare_dataset_count(out));
		netshare_dataset_free(out);
		netshare_encoded_free(x);
	}
	ck_assert_uint_gt(compared, 0);
	netshare__chunks_free(&ch);
	netshare__flows_free(&fl);
}

static void
round_trip_file(const char *name, int chunks, const char *extras)
{
	char path[512];
	if (!netshare_test_data(path, sizeof path, name))
		return;
	netshare_read_params rp;
	netshare_read_params_init(&rp);
	rp.extra_columns = extras;
	netshare_dataset *ds;
	ck_assert_ok(netshare_dataset_read(&ds, path, &rp));
	netshare_encoder_params ep;
	netshare_encoder_params_init(&ep);
	ep.chunks = chunks;
	netshare_encoder *e;
	ck_assert_ok(netshare_encoder_fit(&e, ds, &ep));
	round_trip(ds, e, name);
	netshare_encoder_free(e);
	netshare_dataset_free(ds);
}

START_TEST(real_traces_round_trip)
{
	round_trip_file("caida-10k.pcapng", 1, NULL);
	round_trip_file("caida-10k.pcapng", 4, NULL);
	round_trip_file("pathspider-real.pcap", 10, NULL);
	round_trip_file("ndpi-reddit-ipv6.pcap", 2, NULL);
	round_trip_file("ugr16-1k.csv", 2, NULL);
	round_trip_file("stratosphere-008.conn.log", 3, "service,orig_bytes:num");
}
END_TEST

START_TEST(netshare_layout)
{
	char path[512];
	if (!netshare_test_data(path, sizeof path, "caida-10k.pcapng"))
		return;
	netshare_dataset *ds;
	ck_assert_ok(netshare_dataset_read(&ds, path, NULL));
	netshare_encoder_params ep;
	netshare_encoder_params_init(&ep);
	ep.chunks = 1;
	ep.port_classes = 0; /* NetShare's encoding: ports as word2vec vectors only, */
	ep.length_classes = 0; /* lengths as a continuous value only */
	netshare_encoder *e;
	ck_assert_ok(netshare_encoder_fit(&e, ds, &ep));
	netshare_encoder_info in = info_of(e);
	/* NetShare's pcap example: 64 + 64 + 10 + 10 + 10 + 1 = 159 attribute dims. */
	ck_assert_uint_eq(in.attribute_dim, 159);
	ck_assert_int_eq(in.address_bits, 32);
	ck_assert_uint_eq(in.sample_len, 10);
	ck_assert_uint_eq(in.max_flow_len, 347);
	ck_assert_uint_eq(in.max_len, 350);
	ck_assert_uint_eq(in.flows, 3149);
	ck_assert_uint_eq(in.protocol_words, 2);
	/* Heads tile the vectors in order: 32 + 32 bit heads, three word2vec, flow start. */
	ck_assert_uint_eq(in.attribute_groups, 32 + 32 + 3 + 1);
	size_t next = 0;
	for (size_t g = 0; g < in.attribute_groups; g++) {
		netshare_field_group fg = { .struct_size = sizeof fg };
		ck_assert_ok(netshare_encoder_group(e, 0, g, &fg));
		ck_assert_uint_eq(fg.offset, next);
		next += fg.dim;
		if (g == 0) {
			ck_assert_str_eq(fg.name, "srcip.bit0");
			ck_assert_int_eq(fg.activation, NETSHARE_ACTIVATION_SOFTMAX);
		}
		if (g == 64) {
			ck_assert_str_eq(fg.name, "srcport");
			ck_assert_int_eq(fg.activation, NETSHARE_ACTIVATION_TANH);
			ck_assert_uint_eq(fg.dim, 10);
		}
	}
	ck_assert_uint_eq(next, in.attribute_dim);
	next = 0;
	for (size_t g = 0; g < in.feature_groups; g++) {
		netshare_field_group fg = { .struct_size = sizeof fg };
		ck_assert_ok(netshare_encoder_group(e, 1, g, &fg));
		ck_assert_uint_eq(fg.offset, next);
		next += fg.dim;
	}
	ck_assert_uint_eq(next, in.feature_dim);
	netshare_field_group fg = { .struct_size = sizeof fg };
	ck_assert_status(netshare_encoder_group(e, 1, in.feature_groups, &fg), NETSHARE_EINVAL);
	netshare_encoder_free(e);
	ep.chunks = 10; /* + (10 + 1) two-way tags */
	ck_assert_ok(netshare_encoder_fit(&e, ds, &ep));
	ck_assert_uint_eq(info_of(e).attribute_dim, 159 + 22);
	netshare_encoder_free(e);
	netshare_dataset_free(ds);
}
END_TEST

/* The attribute field of a source (and type, for the ports' two fields). */
static const netshare__field *
attr_field(const netshare_encoder *e, netshare__source src, netshare__field_type type)
{
	for (size_t k = 0; k < e->attr.n_fields; k++)
		if (e->attr.field[k].source == src && e->attr.field[k].type == type)
			return &e->attr.field[k];
	return NULL;
}

/* Port k = 1000 + k (k < 80) is the source port of k + 1 flows of 1 to 3 packets to
 * 53/UDP (k a multiple of 3) or 443/TCP, from distinct hosts; port 1000's single flow has
 * 400 packets (a class by records, not by flows). Then one TCP flow to port 53 (from
 * port 2000): too few for a class, so port 53 is also an "other" port. */
static netshare_dataset *
port_class_trace(void)
{
	netshare_dataset *ds;
	ck_assert_ok(netshare_dataset_new(&ds, NETSHARE_RECORDS_PACKETS));
	uint32_t host = 0;
	for (int k = 0; k < 81; k++)
		for (int f = 0; f <= (k < 80 ? k : 0); f++, host++) {
			int udp = k % 3 == 0 && k < 80, len = k == 0 ? 400 : 1 + (int)(host % 3);
			for (int j = 0; j < len; j++) {
				netshare_record r;
				netshare_record_init(&r);
				r.time_ns = (int64_t)host * 1000000 + j * 1000;
				r.ip_version = 4;
				r.src_ip = 0x0a000000u + host;
				r.dst_ip = 0x5db8d822u;
				r.protocol = udp ? 17 : 6;
				r.src_port = (uint16_t)(k < 80 ? 1000 + k : 2000 + k - 80);
				r.dst_port = udp || k >= 80 ? 53 : 443;
				r.ip_length = 60;
				r.ttl = 64;
				ck_assert_ok(netshare_dataset_append(ds, &r));
			}
		}
	return ds; /* 3241 flows */
}

/*
 * Port classes: the destination classes are exactly the services {443/TCP, 53/UDP,
 * other}; the source classes are the 64 services in the most flows (ports 1016..1079 with
 * their protocol; port 1000 is in one flow, however long). The word2vec fields decode
 * among the ports of "other" flows only: source ports 1000..1015 and 2000, and
 * destination port 53 (53/TCP is no class).
 */
START_TEST(port_classes)
{
	netshare_dataset *ds = port_class_trace();
	netshare_encoder_params ep;
	netshare_encoder_params_init(&ep);
	ep.chunks = 2;
	ck_assert_int_eq(ep.port_classes, 64); /* as documented */
	netshare_encoder *e;
	ck_assert_ok(netshare_encoder_fit(&e, ds, &ep));
	const netshare__field *dc = attr_field(e, SRC_DPORT_CLASS, FIELD_CAT);
	const netshare__field *sc = attr_field(e, SRC_SPORT_CLASS, FIELD_CAT);
	const netshare__field *sw = attr_field(e, SRC_SPORT, FIELD_W2V);
	const netshare__field *dw = attr_field(e, SRC_DPORT, FIELD_W2V);
	ck_assert_ptr_nonnull(dc);
	ck_assert_ptr_nonnull(sc);
	ck_assert_uint_eq(dc->n_choices, 3);
	ck_assert_uint_eq(dc->choices[0], NETSHARE__SERVICE(443, 6));
	ck_assert_uint_eq(dc->choices[1], NETSHARE__SERVICE(53, 17));
	ck_assert_uint_eq(dc->choices[2], NETSHARE__SERVICE_OTHER);
	ck_assert(netshare__class_is_service(dc));
	ck_assert_uint_eq(dc->dim, 3);
	ck_assert_uint_eq(dw->n_choices, 1);
	ck_assert_uint_eq(dw->choices[0], 53);
	ck_assert_uint_eq(sc->n_choices, 65);
	for (uint32_t k = 16; k < 80; k++)
		ck_assert_int_ge(netshare__field_choice(sc, NETSHARE__SERVICE(1000 + k,
		                                                               k % 3 ? 6 : 17)), 0);
	ck_assert_uint_eq(sc->choices[64], NETSHARE__SERVICE_OTHER);
	ck_assert_uint_eq(sw->n_choices, 17);
	for (uint32_t k = 0; k < 16; k++)
		ck_assert_uint_eq(sw->choices[k], 1000 + k);
	ck_assert_uint_eq(sw->choices[16], 2000);
	/* A row whose source class is "other" decodes to a port that is not a class, even
	 * when its word2vec vector is a class port's. */
	netshare_encoded *x;
	ck_assert_ok(netshare_encoder_encode(&x, e, ds, 0));
	size_t n = netshare_encoded_flows(x), A = e->attr.dim;
	float *rows = malloc(n * A * sizeof *rows);
	ck_assert_ptr_nonnull(rows);
	memcpy(rows, netshare_encoded_attributes(x), n * A * sizeof *rows);
	netshare_record *keys = malloc(n * sizeof *keys);
	ck_assert_ptr_nonnull(keys);
	ck_assert_ok(netshare__encoder_decode_keys(e, rows, n, keys));
	size_t r = 0;
	while (r < n && (netshare__field_choice(sc, NETSHARE__SERVICE(keys[r].src_port,
	                                                              keys[r].protocol)) < 0 ||
	                 keys[r].protocol != 6))
		r++;
	ck_assert_uint_lt(r, n);
	uint16_t class_port = keys[r].src_port;
	float *cls = rows + r * A + sc->offset;
	memset(cls, 0, sc->dim * sizeof *cls);
	cls[sc->dim - 1] = 1.0f;
	ck_assert_ok(netshare__encoder_decode_keys(e, rows, n, keys));
	ck_assert_uint_ne(keys[r].src_port, class_port);
	ck_assert(keys[r].src_port < 1016 || keys[r].src_port >= 2000);
	/* The destination class sets the protocol, whatever the protocol head says: this
	 * TCP row with class 53/UDP is a UDP flow to 53. */
	float *dcls = rows + r * A + dc->offset;
	memset(dcls, 0, dc->dim * sizeof *dcls);
	dcls[1] = 1.0f;
	ck_assert_ok(netshare__encoder_decode_keys(e, rows, n, keys));
	ck_assert_uint_eq(keys[r].dst_port, 53);
	ck_assert_uint_eq(keys[r].protocol, 17);
	/* Drawing the classes for generation: destination 53/UDP leaves the source only
	 * "other" or UDP services, so source class 1017/TCP (k = 17) can never stay; with a
	 * destination of "other", the source class follows its probabilities (0.3 for
	 * 1018/UDP, 0.7 for 1017/TCP: binomial, 5 standard deviations). */
	ptrdiff_t c1018 = netshare__field_choice(sc, NETSHARE__SERVICE(1018, 17));
	ptrdiff_t c1017 = netshare__field_choice(sc, NETSHARE__SERVICE(1017, 6));
	ck_assert_int_ge(c1018, 0);
	ck_assert_int_ge(c1017, 0);
	netshare__rng rng;
	netshare__rng_seed(&rng, 3);
	int udp_1018 = 0;
	for (int draw = 0; draw < 2000; draw++) {
		int to_53 = draw < 1000;
		memset(cls, 0, sc->dim * sizeof *cls);
		memset(dcls, 0, dc->dim * sizeof *dcls);
		cls[c1017] = to_53 ? 0.9f : 0.7f;
		cls[to_53 ? sc->dim - 1 : (size_t)c1018] = to_53 ? 0.1f : 0.3f;
		dcls[to_53 ? 1 : 2] = 1.0f;
		netshare__encoder_draw_classes(e, rows + r * A, 1, 1.0, &rng);
		ck_assert_float_eq(dcls[to_53 ? 1 : 2], 1.0f);
		if (to_53) {
			ck_assert_float_eq(cls[sc->dim - 1], 1.0f);
			continue;
		}
		ck_assert(cls[c1018] == 1.0f || cls[c1017] == 1.0f);
		udp_1018 += cls[c1018] == 1.0f;
	}
	ck_assert_int_le(abs(udp_1018 - 300), (int)(5 * sqrt(1000 * 0.3 * 0.7)) + 1);
	/* Temperature 0: always the likeliest (1017/TCP); 0.5: p^2, so 0.09 / (0.09 + 0.49)
	 * of the draws are 1018/UDP. */
	for (int t = 0; t < 2; t++) {
		udp_1018 = 0;
		for (int draw = 0; draw < 1000; draw++) {
			memset(cls, 0, sc->dim * sizeof *cls);
			memset(dcls, 0, dc->dim * sizeof *dcls);
			cls[c1017] = 0.7f;
			cls[c1018] = 0.3f;
			dcls[2] = 1.0f;
			netshare__encoder_draw_classes(e, rows + r * A, 1, t ? 0.5 : 0.0, &rng);
			udp_1018 += cls[c1018] == 1.0f;
		}
		double p = t ? 0.09 / 0.58 : 0;
		ck_assert_double_le(fabs(udp_1018 - 1000 * p), 5 * sqrt(1000 * p * (1 - p)) + 1);
	}
	ck_assert_ok(netshare__encoder_decode_keys(e, rows, n, keys));
	ck_assert_uint_eq(keys[r].dst_port, 53);
	free(rows);
	free(keys);
	netshare_encoded_free(x);
	/* Payload floors: every packet is 60 bytes, so TCP ports carry 20 bytes after the
	 * headers and UDP ones 32; port 53 also had a TCP flow (20); an unseen port none. */
	ck_assert_uint_eq(netshare__encoder_min_payload(e, 1017), 20);
	ck_assert_uint_eq(netshare__encoder_min_payload(e, 443), 20);
	ck_assert_uint_eq(netshare__encoder_min_payload(e, 1018), 32);
	ck_assert_uint_eq(netshare__encoder_min_payload(e, 53), 20);
	ck_assert_uint_eq(netshare__encoder_min_payload(e, 2000), 20);
	ck_assert_uint_eq(netshare__encoder_min_payload(e, 7), 0);
	/* With classes, decode(encode(x)) stays exact, and the state saves and loads. */
	round_trip(ds, e, "toy trace, port classes");
	netshare__wbuf b = { 0 };
	ck_assert_ok(netshare__encoder_save(e, &b));
	netshare_encoder *loaded;
	ck_assert_ok(netshare__encoder_load(&loaded, b.data, b.len));
	ck_assert_uint_eq(attr_field(loaded, SRC_SPORT_CLASS, FIELD_CAT)->n_choices, 65);
	ck_assert_uint_eq(netshare__encoder_min_payload(loaded, 1018), 32);
	ck_assert_uint_eq(netshare__encoder_min_payload(loaded, 1017), 20);
	ck_assert_uint_eq(netshare__encoder_min_payload(loaded, 7), 0);
	round_trip(ds, loaded, "toy trace, loaded port classes");
	netshare_encoder_free(loaded);
	netshare__wbuf_free(&b);
	/* Encoder state v3 had bare-port classes (NETSHARE__PORT_OTHER last, the protocol
	 * from its word2vec head) and no per-service statistics (v6): such a state loads,
	 * saves again and stays exact. */
	netshare__service_stats_free(e);
	for (size_t k = 0; k < e->attr.n_fields; k++) {
		netshare__field *f = &e->attr.field[k];
		if (f->source != SRC_SPORT_CLASS && f->source != SRC_DPORT_CLASS)
			continue;
		for (uint32_t c = 0; c + 1 < f->n_choices; c++)
			f->choices[c] &= 0xffff;
		for (uint32_t i = 1; i + 1 < f->n_choices; i++)
			for (uint32_t j = i; j > 0 && f->choices[j - 1] > f->choices[j]; j--) {
				uint32_t t = f->choices[j];
				f->choices[j] = f->choices[j - 1];
				f->choices[j - 1] = t;
			}
		f->choices[f->n_choices - 1] = NETSHARE__PORT_OTHER;
	}
	ck_assert(!netshare__class_is_service(dc));
	ck_assert_uint_eq(dc->choices[0], 53);
	ck_assert_uint_eq(dc->choices[1], 443);
	memset(&b, 0, sizeof b);
	ck_assert_ok(netshare__encoder_save(e, &b));
	ck_assert_ok(netshare__encoder_load(&loaded, b.data, b.len));
	ck_assert(!netshare__class_is_service(attr_field(loaded, SRC_DPORT_CLASS, FIELD_CAT)));
	round_trip(ds, loaded, "toy trace, bare-port classes");
	netshare_encoder_free(loaded);
	netshare__wbuf_free(&b);
	netshare_encoder_free(e);
	/* port_classes = 0: no class fields. */
	ep.port_classes = 0;
	ck_assert_ok(netshare_encoder_fit(&e, ds, &ep));
	ck_assert_ptr_null(attr_field(e, SRC_SPORT_CLASS, FIELD_CAT));
	ck_assert_ptr_null(attr_field(e, SRC_DPORT_CLASS, FIELD_CAT));
	netshare_encoder_free(e);
	netshare_dataset_free(ds);
}
END_TEST

/* Generated addresses pass the validity test: the first octet's bit heads are set to the
 * likeliest valid octet; a valid one is kept; decoding an encoding stays exact. */
START_TEST(generated_addresses_are_valid)
{
	netshare_dataset *ds = netshare_test_toy_trace(0);
	netshare_encoder *e;
	ck_assert_ok(netshare_encoder_fit(&e, ds, NULL));
	const netshare__field *src = attr_field(e, SRC_SRCIP, FIELD_BITS);
	const netshare__field *dst = attr_field(e, SRC_DSTIP, FIELD_BITS);
	size_t A = e->attr.dim;
	/* Rows: src 0.0.0.1 / dst 127.0.0.1; src 224.1.2.3 / dst 224.1.2.3;
	 * src 10.0.0.1 (kept) / dst 255.255.255.255. Heads are confident (0.9 / 0.1). */
	static const uint32_t addr[3][2] = { { 0x00000001u, 0x7f000001u },
	                                     { 0xe0010203u, 0xe0010203u },
	                                     { 0x0a000001u, 0xffffffffu } };
	float *rows = calloc(3 * A, sizeof *rows);
	ck_assert_ptr_nonnull(rows);
	for (int r = 0; r < 3; r++)
		for (int k = 0; k < 2; k++) {
			const netshare__field *f = k ? dst : src;
			for (int b = 0; b < 32; b++) {
				int bit = (addr[r][k] >> (31 - b)) & 1;
				rows[r * A + f->offset + 2 * (size_t)b + (size_t)bit] = 0.9f;
				rows[r * A + f->offset + 2 * (size_t)b + (size_t)!bit] = 0.1f;
			}
		}
	netshare__encoder_valid_addresses(e, rows, 3);
	netshare_record keys[3];
	ck_assert_ok(netshare__encoder_decode_keys(e, rows, 3, keys));
	/* One bit away from 0 and 127 are 1 (0x01), 128 (0x80), 255 (invalid), 126 ...:
	 * the likeliest valid octet differs from the given one in exactly one bit. */
	for (int r = 0; r < 3; r++) {
		uint32_t got[2] = { keys[r].src_ip, keys[r].dst_ip };
		for (int k = 0; k < 2; k++) {
			unsigned top = got[k] >> 24, was = addr[r][k] >> 24;
			ck_assert_uint_eq(got[k] & 0xffffffu, addr[r][k] & 0xffffffu);
			ck_assert(top != 0 && top != 127 && top < 240);
			ck_assert(k == 1 || top < 224);
			int valid = was != 0 && was != 127 && was < 240 && (k == 1 || was < 224);
			if (valid)
				ck_assert_uint_eq(top, was);
			else
				ck_assert_int_eq(__builtin_popcount(top ^ was), 1);
		}
	}
	ck_assert_uint_eq(keys[1].dst_ip, 0xe0010203u); /* multicast: a destination may be */
	free(rows);
	netshare_encoder_free(e);
	netshare_dataset_free(ds);
}
END_TEST

START_TEST(flow_tags_in_the_attributes)
{
	netshare_dataset *ds = netshare_test_small_trace();
	netshare_encoder_params ep;
	netshare_encoder_params_init(&ep);
	ep.chunks = 4;
	netshare_encoder *e;
	ck_assert_ok(netshare_encoder_fit(&e, ds, &ep));
	netshare_encoder_info in = info_of(e);
	size_t tags = 0;
	for (size_t g = 0; g < in.attribute_groups; g++) {
		netshare_field_group fg = { .struct_size = sizeof fg };
		ck_assert_ok(netshare_encoder_group(e, 0, g, &fg));
		if (strcmp(fg.name, "starts_in_chunk") == 0)
			tags = fg.offset;
	}
	ck_assert_uint_gt(tags, 0);
	/* Per chunk, flows by id (A, B, D, C): [starts here, in chunk 0..3]. */
	const int want[4][3][5] = {
		{ { 1, 1, 1, 0, 1 } },                                         /* A */
		{ { 0, 1, 1, 0, 1 }, { 1, 0, 1, 0, 0 }, { 1, 0, 1, 1, 0 } },   /* A, B, D */
		{ { 0, 0, 1, 1, 0 }, { 1, 0, 0, 1, 1 } },                      /* D, C */
		{ { 0, 1, 1, 0, 1 }, { 0, 0, 0, 1, 1 } },                      /* A, C */
	};
	const size_t flows[4] = { 1, 3, 2, 2 };
	const uint32_t lengths[4][3] = { { 2 }, { 1, 2, 1 }, { 1, 1 }, { 1, 1 } };
	for (int c = 0; c < 4; c++) {
		netshare_encoded *x;
		ck_assert_ok(netshare_encoder_encode(&x, e, ds, c));
		ck_assert_uint_eq(netshare_encoded_flows(x), flows[c]);
		for (size_t r = 0; r < flows[c]; r++) {
			const float *at = netshare_encoded_attributes(x) + r * in.attribute_dim + tags;
			for (int t = 0; t < 5; t++) {
				ck_assert_msg(at[2 * t + want[c][r][t]] == 1.0f &&
				              at[2 * t + !want[c][r][t]] == 0.0f,
				              "chunk %d flow %zu tag %d", c, r, t);
			}
			ck_assert_uint_eq(netshare_encoded_lengths(x)[r], lengths[c][r]);
		}
		netshare_encoded_free(x);
	}
	netshare_encoder_free(e);

	/* Long flows: truncated to max_flow_len, or dropped. */
	ep.chunks = 1;
	ep.max_flow_len = 2;
	ep.sample_len = 2;
	ck_assert_ok(netshare_encoder_fit(&e, ds, &ep));
	in = info_of(e);
	ck_assert_uint_eq(in.flows, 4);
	ck_assert_uint_eq(in.flows_truncated, 1); /* A has 4 records */
	ck_assert_uint_eq(in.max_len, 2);
	netshare_encoder_free(e);
	ep.drop_long_flows = 1;
	ck_assert_ok(netshare_encoder_fit(&e, ds, &ep));
	in = info_of(e);
	ck_assert_uint_eq(in.flows, 3);
	ck_assert_uint_eq(in.flows_dropped, 1);
	netshare_encoded *x;
	ck_assert_ok(netshare_encoder_encode(&x, e, ds, 0));
	ck_assert_uint_eq(netshare_encoded_flows(x), 3);
	netshare_encoded_free(x);
	netshare_encoder_free(e);
	netshare_dataset_free(ds);
}
END_TEST

START_TEST(bad_parameters_are_named)
{
	netshare_dataset *ds = netshare_test_small_trace();
	netshare_encoder *e = (netshare_encoder *)1;
	netshare_encoder_params ep;
	netshare_encoder_params_init(&ep);
	ep.sample_len = 0;
	ck_assert_status(netshare_encoder_fit(&e, ds, &ep), NETSHARE_EINVAL);
	ck_assert_ptr_null(e);
	ck_assert_error_contains("sample_len = 0");
	netshare_encoder_params_init(&ep);
	ep.max_flow_len = 0;
	ck_assert_status(netshare_encoder_fit(&e, ds, &ep), NETSHARE_EINVAL);
	ck_assert_error_contains("max_flow_len = 0");
	netshare_encoder_params_init(&ep);
	ep.chunks = 65;
	ck_assert_status(netshare_encoder_fit(&e, ds, &ep), NETSHARE_EINVAL);
	ck_assert_error_contains("chunks = 65");
	netshare_encoder_params_init(&ep);
	ep.port_classes = -1;
	ck_assert_status(netshare_encoder_fit(&e, ds, &ep), NETSHARE_EINVAL);
	ck_assert_error_contains("port_classes = -1 is outside 0..256");
	ep.port_classes = NETSHARE_MAX_PORT_CLASSES + 1;
	ck_assert_status(netshare_encoder_fit(&e, ds, &ep), NETSHARE_EINVAL);
	ck_assert_error_contains("port_classes = 257");
	netshare_encoder_params_init(&ep);
	ep.bounds = "ttl=10:5";
	ck_assert_status(netshare_encoder_fit(&e, ds, &ep), NETSHARE_EINVAL);
	ck_assert_error_contains("ttl=10:5 needs min:max with min < max");
	ep.bounds = "nosuch=0:1";
	ck_assert_status(netshare_encoder_fit(&e, ds, &ep), NETSHARE_EINVAL);
	ck_assert_error_contains("'nosuch' is not a continuous field");
	netshare_encoder_params_init(&ep);
	ep.log1p_fields = "tos";
	ck_assert_status(netshare_encoder_fit(&e, ds, &ep), NETSHARE_EINVAL);
	ck_assert_error_contains("log1p_fields: 'tos'");
	netshare_encoder_params_init(&ep);
	ep.word2vec_dim = 0;
	ck_assert_status(netshare_encoder_fit(&e, ds, &ep), NETSHARE_EINVAL);
	ck_assert_error_contains("word2vec dim");
	netshare_encoder_params_init(&ep);
	ep.struct_size = 4;
	ck_assert_status(netshare_encoder_fit(&e, ds, &ep), NETSHARE_EABI);
	/* Fixed bounds are used as given; values outside clamp. */
	netshare_encoder_params_init(&ep);
	ep.bounds = "ip_length=0:1500,ttl=0:255";
	netshare_encoder *fixed;
	ck_assert_ok(netshare_encoder_fit(&fixed, ds, &ep));
	e = fixed;
	ck_assert_double_eq(e->feat.field[1].lo, 0);
	ck_assert_double_eq(e->feat.field[1].hi, 1500);
	netshare_encoded *x;
	ck_assert_status(netshare_encoder_encode(&x, e, ds, 10), NETSHARE_EINVAL);
	ck_assert_error_contains("chunk 10 out of range");
	netshare_dataset *flows;
	ck_assert_ok(netshare_dataset_new(&flows, NETSHARE_RECORDS_FLOWS));
	ck_assert_status(netshare_encoder_encode(&x, e, flows, 0), NETSHARE_EINVAL);
	ck_assert_error_contains("fitted on packet records");
	ck_assert_status(netshare_encoder_fit(&e, flows, NULL), NETSHARE_EINVAL);
	ck_assert_error_contains("empty");
	netshare_encoder_free(fixed);
	netshare_dataset_free(flows);
	netshare_dataset_free(ds);
}
END_TEST

/* Encode every chunk with two encoders and require identical tensors. */
static void
assert_same_encoding(const netshare_encoder *a, const netshare_encoder *b,
                     const netshare_dataset *ds)
{
	netshare_encoder_info ia = info_of(a), ib = info_of(b);
	ck_assert_mem_eq(&ia, &ib, sizeof ia);
	for (int c = 0; c < a->chunks; c++) {
		netshare_encoded *x, *y;
		ck_assert_ok(netshare_encoder_encode(&x, a, ds, c));
		ck_assert_ok(netshare_encoder_encode(&y, b, ds, c));
		size_t n = netshare_encoded_flows(x);
		ck_assert_uint_eq(n, netshare_encoded_flows(y));
		ck_assert_mem_eq(netshare_encoded_attributes(x), netshare_encoded_attributes(y),
		                 n * ia.attribute_dim * sizeof(float));
		ck_assert_mem_eq(netshare_encoded_features(x), netshare_encoded_features(y),
		                 n * ia.max_len * ia.feature_dim * sizeof(float));
		netshare_encoded_free(x);
		netshare_encoded_free(y);
	}
	for (size_t g = 0; g < ia.feature_groups; g++) {
		netshare_field_group ga = { .struct_size = sizeof ga }, gb = { .struct_size = sizeof gb };
		ck_assert_ok(netshare_encoder_group(a, 1, g, &ga));
		ck_assert_ok(netshare_encoder_group(b, 1, g, &gb));
		ck_assert_str_eq(ga.name, gb.name);
		ck_assert_uint_eq(ga.offset, gb.offset);
	}
}

START_TEST(save_load_and_damaged_state)
{
	char path[512];
	netshare_dataset *ds;
	netshare_read_params rp;
	netshare_read_params_init(&rp);
	if (netshare_test_data(path, sizeof path, "stratosphere-008.conn.log")) {
		rp.extra_columns = "service,orig_bytes:num";
		ck_assert_ok(netshare_dataset_read(&ds, path, &rp));
	} else {
		ds = netshare_test_small_trace();
	}
	netshare_encoder_params ep;
	netshare_encoder_params_init(&ep);
	ep.chunks = 3;
	netshare_encoder *e, *back;
	ck_assert_ok(netshare_encoder_fit(&e, ds, &ep));
	netshare__wbuf b = { 0 };
	ck_assert_ok(netshare__encoder_save(e, &b));
	ck_assert_ok(netshare__encoder_load(&back, b.data, b.len));
	assert_same_encoding(e, back, ds);
	/* The fitted file's format is kept (generated traces are written in its schema); a
	 * mapped CSV's is not (its map is not stored), nor an unknown one. */
	ck_assert_int_eq(back->source_format, ds->format);
	ck_assert_str_eq(back->label_column, "");
	netshare_encoder_free(back);
	size_t fmt_at = b.len - 4 - 1; /* the format, then the empty label column's length */
	ck_assert_uint_eq(b.data[fmt_at], (unsigned)ds->format);
	for (int bad = 0; bad < 2; bad++) {
		b.data[fmt_at] = bad ? NETSHARE_FORMAT_MAPPED_CSV : NETSHARE_FORMAT_ZEEK_CSV + 1;
		ck_assert_status(netshare__encoder_load(&back, b.data, b.len), NETSHARE_ECORRUPT);
		ck_assert_error_contains("source format");
	}
	b.data[fmt_at] = (unsigned char)ds->format;

	/* The record kind flipped (byte 4, after the version): its fields belong to the other
	 * kind, which loading refuses rather than encode columns the data does not have. */
	b.data[4] ^= 1;
	back = (netshare_encoder *)1;
	ck_assert_status(netshare__encoder_load(&back, b.data, b.len), NETSHARE_ECORRUPT);
	ck_assert_error_contains("other record kind");
	ck_assert_ptr_null(back);
	b.data[4] ^= 1;

	/* Every truncation is refused cleanly. */
	for (size_t cut = 0; cut < b.len; cut += 1 + cut / 64) {
		back = (netshare_encoder *)1;
		ck_assert_status(netshare__encoder_load(&back, b.data, cut), NETSHARE_ECORRUPT);
		ck_assert_ptr_null(back);
	}
	/* Flipped bytes: refused or accepted, never a crash; what loads still encodes. */
	for (size_t at = 0; at < b.len; at += 1 + at / 32) {
		b.data[at] ^= 0x5a;
		netshare_status st = netshare__encoder_load(&back, b.data, b.len);
		ck_assert(st == NETSHARE_OK || st == NETSHARE_ECORRUPT || st == NETSHARE_EVERSION ||
		          st == NETSHARE_ENOMEM);
		if (st == NETSHARE_OK) {
			netshare_encoded *x;
			netshare_status est = netshare_encoder_encode(&x, back, ds, 0);
			ck_assert(est == NETSHARE_OK || est == NETSHARE_EINVAL || est == NETSHARE_ENOMEM);
			netshare_encoded_free(x);
			netshare_encoder_free(back);
		}
		b.data[at] ^= 0x5a;
	}
	/* A newer layout is a version error, not corruption. */
	b.data[0] = 11;
	ck_assert_status(netshare__encoder_load(&back, b.data, b.len), NETSHARE_EVERSION);
	netshare__wbuf_free(&b);
	netshare_encoder_free(e);
	netshare_dataset_free(ds);
}
END_TEST

START_TEST(word2vec_from_a_public_corpus)
{
	/* The vocabulary comes from the corpus: a port only the corpus has is known, and the
	 * fitted data's own ports map to their nearest corpus port. */
	netshare_dataset *ds = netshare_test_small_trace(), *corpus;
	ck_assert_ok(netshare_dataset_new(&corpus, NETSHARE_RECORDS_PACKETS));
	for (int i = 0; i < 200; i++) {
		netshare_test_add_udp(corpus, i, 7, (uint16_t)(i % 2 ? 443 : 80));
	}
	netshare_encoder_params ep;
	netshare_encoder_params_init(&ep);
	ep.chunks = 1;
	ep.word2vec_corpus = corpus;
	netshare_encoder *e;
	ck_assert_ok(netshare_encoder_fit(&e, ds, &ep));
	netshare_encoder_info in = info_of(e);
	ck_assert_uint_eq(in.port_words, 3); /* 80, 443 and 53 */
	ck_assert_int_ge(netshare__w2v_lookup(&e->w2v, NETSHARE__W2V_WORD(0, 443)), 0);
	ck_assert_uint_eq(e->w2v.word[netshare__w2v_lookup(&e->w2v, NETSHARE__W2V_WORD(0, 1000))],
	                  NETSHARE__W2V_WORD(0, 443));
	netshare_encoder_free(e);
	netshare_dataset_free(corpus);
	netshare_dataset_free(ds);
}
END_TEST

/*
 * Per-service statistics (state v6) on the toy trace, against values computed from its
 * definition: flow f has source port 30000 + f (never a class); two flows in three go to
 * 443/TCP with 3 + f % 4 packets 1 ms apart (every tenth, f % 10 == 1, has 10 packets
 * 50 ms apart), the others to 53/UDP with one packet.
 */
START_TEST(service_statistics)
{
	netshare_dataset *ds = netshare_test_toy_trace(1);
	netshare_encoder *e;
	netshare_encoder_params one;
	netshare_encoder_params_init(&one);
	one.chunks = 4;
	/* In 4 chunks, the longest flows and the gaps are whole flows', however cut into
	 * segments: the same as in one chunk (where every gap is encoded, counted below). */
	ck_assert_ok(netshare_encoder_fit(&e, ds, &one));
	ck_assert_uint_eq(e->max_records[0], 10);
	ck_assert_uint_eq(e->max_records[1], 1);
	netshare_encoder *e4 = e;
	one.chunks = 1;
	ck_assert_ok(netshare_encoder_fit(&e, ds, &one));
	ck_assert_uint_eq(e4->n_groups, e->n_groups);
	ck_assert_mem_eq(e4->gap_knots, e->gap_knots,
	                 e->n_groups * e->n_knots * sizeof *e->gap_knots);
	netshare_encoder_free(e4);
	const netshare__field *cf[2];
	netshare__encoder_class_fields(e, cf);
	ck_assert_uint_eq(cf[1]->n_choices, 3);
	ck_assert_uint_eq(cf[1]->choices[0], NETSHARE__SERVICE(443, 6));
	ck_assert_uint_eq(cf[1]->choices[1], NETSHARE__SERVICE(53, 17));
	ck_assert_uint_eq(cf[0]->n_choices, 1); /* every source port is "other" */
	/* Source ports by destination class: each flow's port with its packets. */
	const netshare__partner_ports *p = &e->partner[0];
	ck_assert_uint_eq(p->n_classes, 3);
	ck_assert_uint_eq(p->start[0], 0);
	ck_assert_uint_eq(p->start[1], 200);
	ck_assert_uint_eq(p->start[2], 300);
	ck_assert_uint_eq(p->start[3], 300);
	for (uint32_t k = 0; k < 300; k++) {
		int f = p->port[k] - 30000, tcp = f % 3 != 0;
		ck_assert_int_eq(tcp, k < 200);
		uint64_t want = !tcp ? 1 : f % 10 == 1 ? 10 : (uint64_t)(3 + f % 4);
		ck_assert_uint_eq(p->records[k], want);
		if (k != 0 && k != 200)
			ck_assert_uint_lt(p->port[k - 1], p->port[k]);
	}
	/* No source class, so no destination ports by source class. */
	ck_assert_uint_eq(e->partner[1].n_classes, 1);
	ck_assert_uint_eq(e->partner[1].start[1], 0);
	/* Service groups: the destination classes, then the source classes ("other" only).
	 * Gap quantiles: 443/TCP's gaps, 1 ms or 50 ms; 53/UDP flows have no gaps. Longest
	 * flows: 10 and 1 records; none in the "other" groups. */
	ck_assert_uint_eq(e->n_groups, 4);
	ck_assert_uint_eq(e->max_records[0], 10);
	ck_assert_uint_eq(e->max_records[1], 1);
	ck_assert_uint_eq(e->max_records[2], 0);
	ck_assert_uint_eq(e->max_records[3], 0);
	ck_assert_uint_eq(e->n_knots, NETSHARE__GAP_KNOTS);
	const double *q = e->gap_knots;
	/* 443/TCP: gaps of 1 ms, (2 + f % 4) a flow, then 50 ms, 9 a flow f % 10 == 1. */
	size_t short_gaps = 0, long_gaps = 0;
	for (int f = 0; f < 300; f++)
		if (f % 3 != 0 && f % 10 == 1)
			long_gaps += 9;
		else if (f % 3 != 0)
			short_gaps += (size_t)(2 + f % 4);
	ck_assert_uint_eq(long_gaps, 180);
	/* Knot i sits at position i (m - 1) / 32 of the m sorted gaps: a 1 ms gap up to
	 * position short_gaps - 1, 50 ms from short_gaps on, the line between in between. */
	double t1 = log1p(1e6), t50 = log1p(5e7), m = (double)(short_gaps + long_gaps);
	uint32_t at_t1 = 0, at_t50 = 0;
	for (uint32_t i = 0; i < NETSHARE__GAP_KNOTS; i++) {
		double pos = i * (m - 1) / (NETSHARE__GAP_KNOTS - 1), lo = (double)short_gaps - 1;
		double want = pos <= lo ? t1 : pos >= lo + 1 ? t50 : t1 + (pos - lo) * (t50 - t1);
		ck_assert_double_eq_tol(q[i], want, 1e-9);
		at_t1 += q[i] == t1;
		at_t50 += q[i] == t50;
	}
	ck_assert_uint_gt(at_t1, 1);
	ck_assert_uint_gt(at_t50, 1);
	for (size_t k = NETSHARE__GAP_KNOTS; k < 4 * NETSHARE__GAP_KNOTS; k++)
		ck_assert(isnan(q[k]));
	/* A 443/TCP flow's gaps normalise by its quantiles: 1 ms to the middle of the
	 * quantiles where it is the knot, 50 ms likewise. */
	size_t A = e->attr.dim;
	float *attr = calloc(A, sizeof *attr);
	ck_assert_ptr_nonnull(attr);
	attr[cf[1]->offset] = 1.0f;
	attr[cf[0]->offset] = 1.0f;
	ck_assert_ptr_eq(netshare__encoder_gap_knots(e, attr), e->gap_knots);
	ck_assert_uint_eq(netshare__encoder_max_records(e, attr), e->max_records[0]);
	attr[cf[1]->offset] = 0.0f;
	attr[cf[1]->offset + 1] = 1.0f; /* 53/UDP: no gaps, the field's own bounds */
	ck_assert_ptr_null(netshare__encoder_gap_knots(e, attr));
	ck_assert_uint_eq(netshare__encoder_max_records(e, attr), 1);
	attr[cf[1]->offset + 1] = 0.0f;
	attr[cf[1]->offset + 2] = 1.0f; /* both "other": no group */
	ck_assert_int_eq(netshare__encoder_service_group(e, attr), -1);
	ck_assert_uint_eq(netshare__encoder_max_records(e, attr), UINT32_MAX);
	/* Decoding cuts a flow that never says "last" at its service's longest. */
	size_t T = e->max_len, F = e->feat.dim;
	ck_assert_uint_gt(T, 1);
	float *feat = calloc(T * F, sizeof *feat);
	ck_assert_ptr_nonnull(feat);
	const netshare__field *gen = &e->feat.field[e->feat.n_fields - 1];
	ck_assert_int_eq(gen->source, SRC_GEN);
	for (size_t j = 0; j < T; j++)
		feat[j * F + gen->offset] = 1.0f; /* "continues" */
	size_t want[3] = { e->max_records[0] < T ? e->max_records[0] : T, 1, T };
	for (size_t d = 0; d < 3; d++) {
		memset(attr + cf[1]->offset, 0, cf[1]->dim * sizeof *attr);
		attr[cf[1]->offset + d] = 1.0f;
		netshare_dataset *out;
		ck_assert_ok(netshare_dataset_new(&out, NETSHARE_RECORDS_PACKETS));
		ck_assert_ok(netshare_encoder_decode(e, 0, attr, feat, 1, out));
		ck_assert_uint_eq(netshare_dataset_count(out), want[d]);
		netshare_dataset_free(out);
	}
	free(feat);
	free(attr);
	netshare_encoded *x;
	ck_assert_ok(netshare_encoder_encode(&x, e, ds, 0));
	const netshare__field *iat = &e->feat.field[0];
	ck_assert_int_eq(iat->source, SRC_IAT);
	float u1 = (float)((at_t1 - 1) / 2.0 / (NETSHARE__GAP_KNOTS - 1));
	float u50 = (float)((2.0 * NETSHARE__GAP_KNOTS - 1 - at_t50) / 2.0 /
	                    (NETSHARE__GAP_KNOTS - 1));
	size_t n1 = 0, n50 = 0;
	for (size_t r = 0; r < netshare_encoded_flows(x); r++)
		for (uint32_t j = 1; j < netshare_encoded_lengths(x)[r]; j++) {
			float u = netshare_encoded_features(x)[(r * T + j) * F + iat->offset];
			ck_assert(u == u1 || u == u50);
			n1 += u == u1;
			n50 += u == u50;
		}
	ck_assert_uint_eq(n1, short_gaps);
	ck_assert_uint_eq(n50, long_gaps);
	/* Between and beyond the knots: the straight line between them, and its ends. */
	double mid = (t1 + t50) / 2, k_mid = 0;
	for (uint32_t i = 1; i < NETSHARE__GAP_KNOTS; i++)
		if (q[i - 1] <= mid && mid < q[i])
			k_mid = i - 1 + (mid - q[i - 1]) / (q[i] - q[i - 1]);
	ck_assert_double_gt(k_mid, 0);
	ck_assert_double_eq_tol(netshare__cont_forward_knots(iat, expm1(mid), q,
	                                                     NETSHARE__GAP_KNOTS),
	                        k_mid / (NETSHARE__GAP_KNOTS - 1), 1e-9);
	ck_assert_double_eq_tol(netshare__cont_inverse_knots(iat, (float)(k_mid /
	                                                     (NETSHARE__GAP_KNOTS - 1)), q,
	                                                     NETSHARE__GAP_KNOTS),
	                        nearbyint(expm1(mid)), 2e-7 * expm1(mid));
	ck_assert_double_eq(netshare__cont_forward_knots(iat, 1, q, NETSHARE__GAP_KNOTS), 0);
	ck_assert_double_eq(netshare__cont_forward_knots(iat, 1e9, q, NETSHARE__GAP_KNOTS), 1);
	ck_assert_double_eq(netshare__cont_inverse_knots(iat, -1, q, NETSHARE__GAP_KNOTS), 1e6);
	ck_assert_double_eq(netshare__cont_inverse_knots(iat, 2, q, NETSHARE__GAP_KNOTS), 5e7);
	ck_assert_double_eq(netshare__cont_inverse_knots(iat, NAN, q, NETSHARE__GAP_KNOTS), 1e6);
	netshare_encoded_free(x);
	round_trip(ds, e, "toy trace, per-service gaps");
	/* Saved and loaded: the same statistics. */
	netshare__wbuf b = { 0 };
	ck_assert_ok(netshare__encoder_save(e, &b));
	netshare_encoder *loaded;
	ck_assert_ok(netshare__encoder_load(&loaded, b.data, b.len));
	ck_assert_uint_eq(loaded->partner[0].start[2], 300);
	ck_assert_mem_eq(loaded->partner[0].port, p->port, 300 * sizeof *p->port);
	ck_assert_mem_eq(loaded->partner[0].records, p->records, 300 * sizeof *p->records);
	ck_assert_uint_eq(loaded->n_groups, 4);
	ck_assert_mem_eq(loaded->max_records, e->max_records, 4 * sizeof *e->max_records);
	ck_assert_uint_eq(loaded->n_knots, NETSHARE__GAP_KNOTS);
	ck_assert_mem_eq(loaded->gap_knots, e->gap_knots, NETSHARE__GAP_KNOTS * sizeof *q);
	ck_assert(isnan(loaded->gap_knots[NETSHARE__GAP_KNOTS]));
	round_trip(ds, loaded, "toy trace, per-service gaps, loaded");
	netshare_encoder_free(loaded);
	/* Gap quantiles outside the field's bounds or out of order, or a partner port the
	 * source port field cannot decode to, are a corrupt state. */
	double keep = e->gap_knots[NETSHARE__GAP_KNOTS - 1];
	for (int bad = 0; bad < 3; bad++) {
		e->gap_knots[NETSHARE__GAP_KNOTS - 1] = bad == 0 ? iat->hi + 1 : bad == 1 ?
		                                        e->gap_knots[0] - 1 : NAN;
		netshare__wbuf_free(&b);
		memset(&b, 0, sizeof b);
		ck_assert_ok(netshare__encoder_save(e, &b));
		ck_assert_status(netshare__encoder_load(&loaded, b.data, b.len), NETSHARE_ECORRUPT);
		ck_assert_error_contains("gap quantiles");
	}
	e->gap_knots[NETSHARE__GAP_KNOTS - 1] = keep;
	e->max_records[1] = UINT32_MAX;
	netshare__wbuf_free(&b);
	memset(&b, 0, sizeof b);
	ck_assert_ok(netshare__encoder_save(e, &b));
	ck_assert_status(netshare__encoder_load(&loaded, b.data, b.len), NETSHARE_ECORRUPT);
	ck_assert_error_contains("longest flow");
	e->max_records[1] = 1;
	/* A version 6 state stored each group's gap bounds and no knot count: it loads as
	 * tables of two knots. Made from a v7 state of such tables, less the count. */
	double *knots7 = e->gap_knots, two[8] = { q[0], q[NETSHARE__GAP_KNOTS - 1], NAN, NAN,
	                                          NAN, NAN, NAN, NAN };
	e->gap_knots = two;
	e->n_knots = 2;
	netshare__wbuf_free(&b);
	memset(&b, 0, sizeof b);
	ck_assert_ok(netshare__encoder_save(e, &b));
	e->gap_knots = knots7;
	e->n_knots = NETSHARE__GAP_KNOTS;
	b.len -= 8 + 1 + 1 + 8 + 1 + 4; /* v9's release record, v10's format and (empty)
	                                 * label column, at the end */
	size_t at = b.len - 4 * (2 * 8 + 4) - 4; /* the knot count, after the group count */
	ck_assert_uint_eq(netshare__le32(b.data + at), 2);
	ck_assert_uint_eq(netshare__le32(b.data + at - 4), 4);
	ck_assert_uint_eq(netshare__le32(b.data), 10);
	memmove(b.data + at, b.data + at + 4, b.len - at - 4);
	b.len -= 4;
	netshare__put_le32(b.data, 6);
	ck_assert_ok(netshare__encoder_load(&loaded, b.data, b.len));
	ck_assert_uint_eq(loaded->n_knots, 2);
	ck_assert_double_eq(loaded->gap_knots[0], t1);
	ck_assert_double_eq(loaded->gap_knots[1], t50);
	ck_assert(isnan(loaded->gap_knots[2]));
	ck_assert_double_eq(netshare__cont_forward_knots(iat, 5e7, loaded->gap_knots, 2), 1);
	ck_assert_double_eq(netshare__cont_inverse_knots(iat, 0, loaded->gap_knots, 2), 1e6);
	netshare_encoder_free(loaded);
	e->partner[0].port[0] = 443;
	netshare__wbuf_free(&b);
	memset(&b, 0, sizeof b);
	ck_assert_ok(netshare__encoder_save(e, &b));
	ck_assert_status(netshare__encoder_load(&loaded, b.data, b.len), NETSHARE_ECORRUPT);
	ck_assert_error_contains("partner port");
	netshare__wbuf_free(&b);
	/* A headers-only capture (every record from a truncated frame) is flagged, and the
	 * flag is saved; one whole frame among them and it is not. */
	ck_assert_int_eq(info_of(e).headers_only, 0);
	netshare_encoder_free(e);
	ds->truncated_frames = ds->n;
	ck_assert_ok(netshare_encoder_fit(&e, ds, NULL));
	ck_assert_int_eq(info_of(e).headers_only, 1);
	memset(&b, 0, sizeof b);
	ck_assert_ok(netshare__encoder_save(e, &b));
	ck_assert_ok(netshare__encoder_load(&loaded, b.data, b.len));
	ck_assert_int_eq(info_of(loaded).headers_only, 1);
	netshare_encoder_free(loaded);
	netshare__wbuf_free(&b);
	netshare_encoder_free(e);
	ds->truncated_frames = ds->n - 1;
	ck_assert_ok(netshare_encoder_fit(&e, ds, NULL));
	ck_assert_int_eq(info_of(e).headers_only, 0);
	netshare_encoder_free(e);
	ds->truncated_frames = 0;
	/* Fixed interarrival bounds: no gap tables (the field's bounds rule), longest
	 * flows still. */
	one.bounds = "interarrival=0:1e9";
	ck_assert_ok(netshare_encoder_fit(&e, ds, &one));
	ck_assert_uint_eq(e->n_groups, 4);
	ck_assert_uint_eq(e->max_records[0], 10);
	for (size_t k = 0; k < e->n_groups * e->n_knots; k++)
		ck_assert(isnan(e->gap_knots[k]));
	round_trip(ds, e, "toy trace, fixed interarrival bounds");
	netshare_encoder_free(e);
	/* A public word2vec corpus: nothing fitted from the trace. */
	netshare_encoder_params ep;
	netshare_encoder_params_init(&ep);
	ep.word2vec_corpus = ds;
	ck_assert_ok(netshare_encoder_fit(&e, ds, &ep));
	ck_assert_uint_eq(e->partner[0].n_classes, 0);
	ck_assert_ptr_null(e->gap_knots);
	ck_assert_uint_eq(e->n_groups, 0);
	netshare_encoder_free(e);
	netshare_dataset_free(ds);
}
END_TEST

/*
 * The statistics inventory: every table of the state is listed once, with the numbers
 * it holds counted from the state itself; bad calls are EINVAL / EABI.
 */
/* 200 flows of five packets: per hundred packets 50 of 40 bytes, 30 of 1500, 19 of 52
 * and one of a length no other packet has (100 + i: 10 lengths, each under 1 %). */
static netshare_dataset *
length_class_trace(void)
{
	netshare_dataset *ds;
	ck_assert_ok(netshare_dataset_new(&ds, NETSHARE_RECORDS_PACKETS));
	for (int i = 0; i < 1000; i++) {
		netshare_record r;
		netshare_record_init(&r);
		r.time_ns = (int64_t)i * 1000000;
		r.ip_version = 4;
		r.src_ip = 0x0a000000u + (uint32_t)(i / 5);
		r.dst_ip = 0x5db8d822u;
		r.protocol = 6;
		r.src_port = (uint16_t)(40000 + i / 5);
		r.dst_port = 443;
		int k = i % 100;
		r.ip_length = (uint16_t)(k < 50 ? 40 : k < 80 ? 1500 : k < 99 ? 52 : 100 + i);
		r.ttl = 64;
		ck_assert_ok(netshare_dataset_append(ds, &r));
	}
	return ds;
}

static const netshare__field *
feat_field(const netshare_encoder *e, netshare__source src)
{
	for (size_t k = 0; k < e->feat.n_fields; k++)
		if (e->feat.field[k].source == src)
			return &e->feat.field[k];
	return NULL;
}

/*
 * Length classes: the lengths in at least 1 % of the packets, ascending, then "other";
 * at most length_classes of them, the most frequent. A record's class one-hot wins over
 * its continuous length when decoding, and "other" leaves the continuous one.
 */
START_TEST(length_classes)
{
	netshare_dataset *ds = length_class_trace();
	netshare_encoder_params ep;
	netshare_encoder_params_init(&ep);
	ck_assert_int_eq(ep.length_classes, 16); /* as documented */
	ep.chunks = 1;
	netshare_encoder *e;
	ck_assert_ok(netshare_encoder_fit(&e, ds, &ep));
	const netshare__field *c = feat_field(e, SRC_IPLEN_CLASS), *len = feat_field(e, SRC_IPLEN);
	ck_assert_ptr_nonnull(c);
	ck_assert_uint_eq(c->n_choices, 4);
	ck_assert_uint_eq(c->dim, 4);
	ck_assert_uint_eq(c->choices[0], 40);
	ck_assert_uint_eq(c->choices[1], 52);
	ck_assert_uint_eq(c->choices[2], 1500);
	ck_assert_uint_eq(c->choices[3], NETSHARE__LENGTH_OTHER);
	ck_assert(len && len < c); /* decoded before the class, which overrides it */
	/* Encoding: the one-hot of each record's class, "other" for the rare lengths; the
	 * decoded trace has every length back. */
	netshare_encoded *x;
	ck_assert_ok(netshare_encoder_encode(&x, e, ds, 0));
	size_t n = netshare_encoded_flows(x), T = e->max_len, F = e->feat.dim;
	ck_assert_uint_eq(n, 200);
	const float *feat = netshare_encoded_features(x);
	for (size_t r = 0; r < n * T; r++) {
		const float *oh = feat + r * F + c->offset;
		ck_assert_float_eq(oh[0] + oh[1] + oh[2] + oh[3], r % T < 5 ? 1.0f : 0.0f);
	}
	ck_assert_float_eq(feat[99 / 5 * T * F + 99 % 5 * F + c->offset + 3], 1.0f); /* 199 */
	netshare_dataset *out;
	ck_assert_ok(netshare_dataset_new(&out, NETSHARE_RECORDS_PACKETS));
	ck_assert_ok(netshare_encoder_decode(e, 0, netshare_encoded_attributes(x), feat, n, out));
	ck_assert_uint_eq(netshare_dataset_count(out), 1000);
	uint64_t sum_in = 0, sum_out = 0;
	for (size_t i = 0; i < 1000; i++) {
		netshare_record a, b;
		netshare_record_init(&a);
		netshare_record_init(&b);
		ck_assert_ok(netshare_dataset_get(ds, i, &a));
		ck_assert_ok(netshare_dataset_get(out, i, &b));
		sum_in += a.ip_length;
		sum_out += b.ip_length;
	}
	ck_assert_uint_eq(sum_out, sum_in);
	netshare_dataset_free(out);
	/* The class wins over the continuous value; "other" keeps it. */
	float *f2 = malloc(T * F * sizeof *f2);
	ck_assert_ptr_nonnull(f2);
	memcpy(f2, feat, T * F * sizeof *f2);
	float v1099 = (float)netshare__cont_forward(len, 1099);
	f2[len->offset] = v1099;
	memset(f2 + c->offset, 0, 4 * sizeof *f2);
	f2[c->offset + 2] = 1.0f;           /* 1500 */
	f2[F + len->offset] = v1099;
	memset(f2 + F + c->offset, 0, 4 * sizeof *f2);
	f2[F + c->offset + 3] = 0.9f;       /* other */
	f2[F + c->offset + 1] = 0.1f;
	ck_assert_ok(netshare_dataset_new(&out, NETSHARE_RECORDS_PACKETS));
	ck_assert_ok(netshare_encoder_decode(e, 0, netshare_encoded_attributes(x), f2, 1, out));
	netshare_record r0, r1;
	netshare_record_init(&r0);
	netshare_record_init(&r1);
	ck_assert_ok(netshare_dataset_get(out, 0, &r0));
	ck_assert_ok(netshare_dataset_get(out, 1, &r1));
	ck_assert_uint_eq(r0.ip_length, 1500);
	ck_assert_uint_eq(r1.ip_length, 1099);
	netshare_dataset_free(out);
	free(f2);
	netshare_encoded_free(x);
	netshare_encoder_free(e);
	/* At most length_classes of them: the most frequent; 0: none. */
	ep.length_classes = 2;
	ck_assert_ok(netshare_encoder_fit(&e, ds, &ep));
	c = feat_field(e, SRC_IPLEN_CLASS);
	ck_assert_uint_eq(c->n_choices, 3);
	ck_assert_uint_eq(c->choices[0], 40);
	ck_assert_uint_eq(c->choices[1], 1500);
	netshare_encoder_free(e);
	ep.length_classes = 0;
	ck_assert_ok(netshare_encoder_fit(&e, ds, &ep));
	ck_assert_ptr_null(feat_field(e, SRC_IPLEN_CLASS));
	netshare_encoder_free(e);
	ep.length_classes = NETSHARE_MAX_LENGTH_CLASSES + 1;
	ck_assert_status(netshare_encoder_fit(&e, ds, &ep), NETSHARE_EINVAL);
	ck_assert_error_contains("length_classes = 65 is outside 0..64");
	netshare_dataset_free(ds);
}
END_TEST

START_TEST(statistics_inventory)
{
	netshare_dataset *ds = netshare_test_toy_trace(1);
	netshare_encoder_params p;
	netshare_encoder_params_init(&p);
	p.chunks = 3;
	netshare_encoder *e;
	ck_assert_ok(netshare_encoder_fit(&e, ds, &p));
	size_t n = netshare_encoder_statistic_count(e);
	ck_assert_uint_eq(netshare_encoder_statistic_count(NULL), 0);
	ck_assert_uint_ge(n, 10);
	uint64_t partners = 0;
	for (int r = 0; r < 2; r++)
		partners += e->partner[r].n_classes ? e->partner[r].start[e->partner[r].n_classes] : 0;
	uint64_t floors = 0;
	for (size_t port = 0; port < 65536; port++)
		floors += e->min_payload[port] > 0;
	int seen = 0;
	for (size_t k = 0; k < n; k++) {
		netshare_statistic st = { .struct_size = sizeof st };
		ck_assert_ok(netshare_encoder_statistic_get(e, k, &st));
		ck_assert_ptr_nonnull(st.name);
		ck_assert_msg(st.reveals && strlen(st.reveals) > 10, "%s: no description", st.name);
		ck_assert_str_eq(st.source, "trace");
		ck_assert(strcmp(st.used_by, "encoding") == 0 || strcmp(st.used_by, "info") == 0 ||
		          strncmp(st.used_by, "sampling:", 9) == 0 ||
		          strncmp(st.used_by, "volume", 6) == 0);
		ck_assert_uint_ge(st.bytes, st.values); /* at least a byte a number */
		for (size_t j = 0; j < k; j++) {
			netshare_statistic o = { .struct_size = sizeof o };
			ck_assert_ok(netshare_encoder_statistic_get(e, j, &o));
			ck_assert_str_ne(o.name, st.name);
		}
		if (strcmp(st.name, "gap_quantiles") == 0) {
			ck_assert_uint_eq(st.values, (uint64_t)e->n_groups * e->n_knots);
			seen++;
		} else if (strcmp(st.name, "longest_flows") == 0) {
			ck_assert_uint_eq(st.values, e->n_groups);
			ck_assert_str_eq(st.used_by, "sampling:cap_flow_lengths");
			seen++;
		} else if (strcmp(st.name, "partner_ports") == 0) {
			ck_assert_uint_eq(st.values, 2 * partners);
			ck_assert_uint_gt(partners, 0);
			seen++;
		} else if (strcmp(st.name, "payload_floors") == 0) {
			ck_assert_uint_eq(st.values, floors);
			seen++;
		} else if (strcmp(st.name, "chunk_flow_counts") == 0) {
			ck_assert_uint_eq(st.values, 6);
			seen++;
		} else if (strcmp(st.name, "port_counts") == 0) {
			ck_assert_uint_eq(st.values, e->w2v.n_words);
			seen++;
		}
	}
	ck_assert_int_eq(seen, 6);
	netshare_statistic st = { .struct_size = sizeof st };
	ck_assert_status(netshare_encoder_statistic_get(e, n, &st), NETSHARE_EINVAL);
	ck_assert_status(netshare_encoder_statistic_get(NULL, 0, &st), NETSHARE_EINVAL);
	ck_assert_status(netshare_encoder_statistic_get(e, 0, NULL), NETSHARE_EINVAL);
	st.struct_size = 8;
	ck_assert_status(netshare_encoder_statistic_get(e, 0, &st), NETSHARE_EABI);
	netshare_encoder_free(e);
	netshare_dataset_free(ds);
}
END_TEST

/* A flow record with a label and a "family" extra column. */
static void
labelled_flow(netshare_dataset *ds, uint16_t sport, int64_t t, const char *label,
              const char *family, double score)
{
	netshare_record r;
	netshare_record_init(&r);
	r.time_ns = t;
	r.ip_version = 4;
	r.src_ip = 0x0a000001u;
	r.dst_ip = 0x0a000002u;
	r.protocol = 6;
	r.src_port = sport;
	r.dst_port = 23;
	r.duration_ns = 1000;
	r.packets = 2;
	r.bytes = 120;
	r.label = label;
	ck_assert_ok(netshare_dataset_append(ds, &r));
	ck_assert_ok(netshare_dataset_extra_set(ds, netshare_dataset_count(ds) - 1, 0, 0, family));
	ck_assert_ok(netshare_dataset_extra_set(ds, netshare_dataset_count(ds) - 1, 1, score,
	                                        NULL));
}

/*
 * Labels and categorical extras are flow attributes (one value per flow: every record of
 * a decoded flow carries it, whatever its feature rows say); numeric extras stay
 * per-record features. A flow whose records disagree takes its first record's value.
 */
START_TEST(labels_are_flow_attributes)
{
	netshare_dataset *ds;
	ck_assert_ok(netshare_dataset_new(&ds, NETSHARE_RECORDS_FLOWS));
	ck_assert_ok(netshare_dataset_add_extra(ds, "family", 1));
	ck_assert_ok(netshare_dataset_add_extra(ds, "score", 0));
	for (int i = 0; i < 40; i++) {
		int bad = i % 4 == 0;
		for (int j = 0; j < 3; j++)
			labelled_flow(ds, (uint16_t)(1000 + i), (int64_t)(i * 10 + j) * 1000000,
			              bad ? "Malicious" : "Benign", bad ? "C&C" : NULL, i + j * 0.5);
	}
	/* One flow whose last record says otherwise. */
	labelled_flow(ds, 999, 0, "Benign", NULL, 1);
	labelled_flow(ds, 999, 1000000, "Benign", NULL, 2);
	labelled_flow(ds, 999, 2000000, "Malicious", "C&C", 3);
	netshare_encoder_params ep;
	netshare_encoder_params_init(&ep);
	ep.chunks = 1;
	netshare_encoder *e;
	ck_assert_ok(netshare_encoder_fit(&e, ds, &ep));
	const netshare__field *label = NULL, *family = NULL, *score = NULL;
	for (size_t k = 0; k < e->attr.n_fields; k++) {
		const netshare__field *f = &e->attr.field[k];
		label = f->source == SRC_LABEL ? f : label;
		family = f->source == SRC_EXTRA ? f : family;
		ck_assert(!(f->source == SRC_EXTRA && f->type != FIELD_CAT));
	}
	ck_assert_ptr_nonnull(label);
	ck_assert_ptr_nonnull(family);
	ck_assert_uint_eq(label->n_choices, 2);   /* Benign, Malicious */
	ck_assert_uint_eq(family->n_choices, 2);  /* missing, C&C */
	ck_assert_ptr_null(feat_field(e, SRC_LABEL));
	score = feat_field(e, SRC_EXTRA);
	ck_assert_ptr_nonnull(score);
	ck_assert_int_eq(score->type, FIELD_CONT);
	round_trip(ds, e, "labelled flows");

	/* Every decoded record carries its flow's values: port 999's three records all say
	 * Benign (its first record's), missing family included. */
	netshare_encoded *x;
	ck_assert_ok(netshare_encoder_encode(&x, e, ds, 0));
	netshare_dataset *out;
	ck_assert_ok(netshare_dataset_new(&out, NETSHARE_RECORDS_FLOWS));
	size_t n = netshare_encoded_flows(x);
	ck_assert_uint_eq(n, 41);
	ck_assert_ok(netshare_encoder_decode(e, 0, netshare_encoded_attributes(x),
	                                     netshare_encoded_features(x), n, out));
	ck_assert_uint_eq(netshare_dataset_count(out), 123);
	size_t checked = 0;
	for (size_t i = 0; i < netshare_dataset_count(out); i++) {
		netshare_record r;
		netshare_record_init(&r);
		ck_assert_ok(netshare_dataset_get(out, i, &r));
		double v;
		const char *fam;
		ck_assert_ok(netshare_dataset_extra_get(out, i, 0, &v, &fam));
		int bad = r.src_port != 999 && (r.src_port - 1000) % 4 == 0;
		ck_assert_str_eq(r.label, bad ? "Malicious" : "Benign");
		ck_assert(bad ? fam && strcmp(fam, "C&C") == 0 : fam == NULL);
		checked++;
	}
	ck_assert_uint_eq(checked, 123);
	netshare_dataset_free(out);

	/* Sampling draws a label from its head (0.7 / 0.3 here): about 30 % of 20,000 rows
	 * get the second value at temperature 1 (binomial sd 0.0032), none at 0 (argmax). */
	size_t rows = 20000, A = e->attr.dim;
	float *attr = calloc(rows * A, sizeof *attr);
	ck_assert_ptr_nonnull(attr);
	for (double t = 0; t <= 1; t += 1) {
		for (size_t r = 0; r < rows; r++) {
			attr[r * A + label->offset] = 0.7f;
			attr[r * A + label->offset + 1] = 0.3f;
		}
		netshare__rng rng;
		netshare__rng_seed(&rng, 5);
		netshare__encoder_draw_labels(e, attr, rows, t, &rng);
		size_t second = 0;
		for (size_t r = 0; r < rows; r++) {
			const float *h = attr + r * A + label->offset;
			ck_assert(h[0] + h[1] == 1.0f && (h[0] == 1.0f || h[1] == 1.0f)); /* one-hot */
			second += h[1] == 1.0f;
		}
		if (t == 0)
			ck_assert_uint_eq(second, 0);
		else
			ck_assert_double_eq_tol((double)second / rows, 0.3, 0.015);
	}
	free(attr);
	netshare_encoded_free(x);
	netshare_encoder_free(e);
	netshare_dataset_free(ds);
}
END_TEST

NETSHARE_TEST_MAIN("encode-encoder",
	labels_are_flow_attributes,
	save_load_and_damaged_state,
	word2vec_from_a_public_corpus,
	real_traces_round_trip,
	netshare_layout,
	port_classes,
	length_classes,
	service_statistics,
	generated_addresses_are_valid,
	flow_tags_in_the_attributes,
	bad_parameters_are_named,
	statistics_inventory)
