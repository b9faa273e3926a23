/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal: field encoders. Each turns one value per row into `dim` floats of a row of a
 * matrix (at `offset`, rows `stride` floats apart) and back. Kinds follow NetShare:
 * bits (IP addresses, 2-way softmax per bit), word2vec (ports, protocols; tanh), continuous
 * (optional log1p, then min-max to [0,1]; sigmoid) and categorical (one-hot; softmax).
 */
#ifndef NETSHARE_ENCODE_FIELD_H
#define NETSHARE_ENCODE_FIELD_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include <netshare/encoder.h>

#include "word2vec.h"

typedef enum netshare__field_type {
	FIELD_BITS, FIELD_W2V, FIELD_CONT, FIELD_CAT
} netshare__field_type;

/* What a field encodes: the record field it reads (flow attributes first). */
typedef enum netshare__source {
	SRC_SRCIP, SRC_DSTIP, SRC_SPORT, SRC_DPORT, SRC_PROTO, SRC_TAG_START, SRC_TAG_CHUNK,
	SRC_FLOW_START, SRC_IAT, SRC_IPLEN, SRC_TOS, SRC_IPID, SRC_IPFLAGS, SRC_FRAGOFF, SRC_TTL,
	SRC_TCPFLAGS, SRC_DURATION, SRC_PACKETS, SRC_BYTES, SRC_LABEL, SRC_EXTRA, SRC_GEN,
	/* Port classes (encoder state v3): the frequent ports of a role as categories. */
	SRC_SPORT_CLASS, SRC_DPORT_CLASS,
	/* The responder's share of a flow record's packets and bytes (0..1), for data that
	 * splits the directions (Zeek, nfdump): a share, so a decoded flow never has the
	 * responder sending more than the whole flow. */
	SRC_RESP_PACKETS, SRC_RESP_BYTES,
	/* Packet length classes (encoder state v8): the frequent IP total lengths as
	 * categories, then NETSHARE__LENGTH_OTHER; decoding a class overrides ip_length. */
	SRC_IPLEN_CLASS,
	SRC_LAST = SRC_IPLEN_CLASS
} netshare__source;

/* Port class keys. Since encoder state v4 a class is a service, port | protocol << 16
 * (NETSHARE__SERVICE), so that a class head fixes the flow's protocol with its port: a
 * separate protocol head pairs frequent ports with protocols they never use (80/UDP).
 * "Other" (any flow whose service is not a class) sorts after every key, so it is always
 * the last choice: NETSHARE__SERVICE_OTHER, or NETSHARE__PORT_OTHER in the bare-port
 * classes of version 3 states, which still load. */
#define NETSHARE__SERVICE(port, proto) ((uint32_t)(proto) << 16 | (uint32_t)(port))
#define NETSHARE__SERVICE_OTHER (1u << 24)
#define NETSHARE__PORT_OTHER 65536u
#define NETSHARE__LENGTH_OTHER 65536u

/* One value to encode or a decoded one. */
typedef union netshare__value {
	double num;          /* continuous, in the field's units (ns for times) */
	uint32_t code;       /* categorical code, word2vec value */
	uint8_t addr[16];    /* bits: an IPv6 (or ::ffff:IPv4) address */
} netshare__value;

typedef struct netshare__field {
	netshare__field_type type;
	netshare__source source;
	int index;            /* SRC_TAG_CHUNK: the chunk; SRC_EXTRA: the extra column */
	char name[48];
	size_t offset, dim;
	int width;            /* BITS: 32 or 128 */
	int w2v_kind;         /* W2V: NETSHARE__W2V_PORT / PROTO */
	const netshare__word2vec *w2v;
	int log1p;            /* CONT */
	int fixed;            /* CONT: bounds given by the caller, not fitted */
	double lo, hi;        /* CONT: bounds after log1p */
	int integer;          /* CONT: decode rounds to an integer in [min_value, max_value] */
	double min_value, max_value;
	uint32_t n_choices;   /* CAT: sorted codes */
	uint32_t *choices;
} netshare__field;

/* Write the encoding of v into out[0 .. dim). */
void netshare__field_encode(const netshare__field *f, const netshare__value *v, float *out);

/* Decode rows in[i * stride + offset ...] for i < n into values (word2vec decodes the
 * whole batch through one sgemm, so this works on many rows at once). */
netshare_status netshare__field_decode(const netshare__field *f, const float *in, size_t stride,
                                       size_t n, netshare__value *values);

/* Index of code among a categorical field's sorted choices, or -1. */
ptrdiff_t netshare__field_choice(const netshare__field *f, uint32_t code);

/* Whether f is a flow's label or one of its categorical extra columns: a flow attribute
 * drawn from its head when sampling and named by conditions. */
static inline int
netshare__field_is_flow_category(const netshare__field *f)
{
	return f->type == FIELD_CAT && (f->source == SRC_LABEL || f->source == SRC_EXTRA);
}

/* A port class field's "other" code (its last choice), and whether its keys are
 * services (port and protocol) rather than bare ports. */
static inline uint32_t
netshare__class_other(const netshare__field *f)
{
	return f->choices[f->n_choices - 1];
}

static inline int
netshare__class_is_service(const netshare__field *f)
{
	return netshare__class_other(f) == NETSHARE__SERVICE_OTHER;
}

/* The likeliest choice of a categorical field whose floats start at x (a class head's
 * one-hot after netshare__encoder_draw_classes). */
static inline size_t
netshare__field_argmax(const netshare__field *f, const float *x)
{
	size_t arg = 0;
	for (size_t k = 1; k < f->dim; k++)
		arg = x[k] > x[arg] ? k : arg;
	return arg;
}

/* Number of output heads (a BITS field has one 2-way head per bit). */
size_t netshare__field_heads(const netshare__field *f);

/* A continuous value as the field normalises it: after log1p (negatives as 0) if the
 * field has it. Fitting and encoding must agree on this, so both call it. */
static inline double
netshare__field_transform(const netshare__field *f, double x)
{
	return f->log1p ? log1p(x > 0 ? x : 0) : x;
}

/* Continuous normalisation into the field's bounds (after its log1p; lo == hi maps
 * everything to 0), exposed for fitting and tests. */
double netshare__cont_forward(const netshare__field *f, double x);
/* The same through a quantile table instead of the bounds: k[0..n-1] (n >= 2,
 * non-decreasing, transformed) are values at quantiles 0, 1/(n-1), ..., 1 of what is
 * normalised, and a value maps to its quantile along the straight lines between them
 * (a run of equal knots: the run's middle quantile), so what the table was made from
 * comes out roughly uniform on [0, 1]. Two knots lo < hi act as the bounds above.
 * Round trip for any value within [k[0], k[n-1]]: exact but for the field's rounding
 * and one float32 step of the encoded value, which spans (n-1) knot widths. */
double netshare__cont_forward_knots(const netshare__field *f, double x, const double *k,
                                    uint32_t n);
double netshare__cont_inverse_knots(const netshare__field *f, float v, const double *k,
                                    uint32_t n);

#endif
