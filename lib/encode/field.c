/* SPDX-License-Identifier: BSD-3-Clause */
/* Encoding and decoding of one field (see field.h). */
#include "field.h"

#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"

size_t
netshare__field_heads(const netshare__field *f)
{
	return f->type == FIELD_BITS ? (size_t)f->width : 1;
}

double
netshare__cont_forward(const netshare__field *f, double x)
{
	/* A missing extra value (tensors must stay finite: it decodes as the min), or a
	 * range of one value. */
	if (isnan(x) || !(f->hi > f->lo))
		return 0;
	double t = netshare__field_transform(f, x);
	double v = (t - f->lo) / (f->hi - f->lo);
	return v < 0 ? 0 : v > 1 ? 1 : v;
}

/* A value from its transformed value t (after log1p, if the field has it). */
static double
untransform(const netshare__field *f, double t)
{
	double x = f->log1p ? expm1(t) : t;
	if (f->integer) {
		x = nearbyint(x);
		if (x < f->min_value)
			x = f->min_value;
		if (x > f->max_value)
			x = f->max_value;
	}
	return x;
}

double
netshare__cont_forward_knots(const netshare__field *f, double x, const double *k, uint32_t n)
{
	if (isnan(x))
		return 0;
	double t = netshare__field_transform(f, x);
	if (t < k[0])
		return 0;
	if (t > k[n - 1])
		return 1;
	/* Knots equal to t (a value many gaps share): the middle of their quantiles, so that
	 * decoding gives t back. Else t lies between knots lo - 1 and lo. */
	uint32_t lo = 0, hi = n;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (k[mid] < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	uint32_t end = lo;
	while (end < n && k[end] == t)
		end++;
	double q = n - 1;
	if (end > lo)
		return ((double)lo + (double)(end - 1)) / 2 / q;
	return ((double)(lo - 1) + (t - k[lo - 1]) / (k[lo] - k[lo - 1])) / q;
}

double
netshare__cont_inverse_knots(const netshare__field *f, float v, const double *k, uint32_t n)
{
	/* (A NaN from a diverged generator decodes as the least gap, not as an index.) */
	double p = (v > 0 ? (v < 1 ? v : 1) : 0) * (double)(n - 1);
	uint32_t i = p >= n - 1 ? n - 2 : (uint32_t)p;
	return untransform(f, k[i] + (p - i) * (k[i + 1] - k[i]));
}

static double
cont_inverse(const netshare__field *f, float v)
{
	double u = v < 0 ? 0 : v > 1 ? 1 : v;
	return untransform(f, f->lo + u * (f->hi - f->lo));
}

ptrdiff_t
netshare__field_choice(const netshare__field *f, uint32_t code)
{
	size_t lo = 0, hi = f->n_choices;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (f->choices[mid] < code)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < f->n_choices && f->choices[lo] == code ? (ptrdiff_t)lo : -1;
}

void
netshare__field_encode(const netshare__field *f, const netshare__value *v, float *out)
{
	memset(out, 0, f->dim * sizeof *out);
	switch (f->type) {
	case FIELD_BITS: {
		const uint8_t *a = v->addr + 16 - f->width / 8;
		for (int b = 0; b < f->width; b++)
			out[2 * b + ((a[b / 8] >> (7 - b % 8)) & 1)] = 1.0f;
		break;
	}
	case FIELD_W2V: {
		ptrdiff_t w = netshare__w2v_lookup(f->w2v, NETSHARE__W2V_WORD(f->w2v_kind, v->code));
		if (w >= 0)
			memcpy(out, f->w2v->vec + (size_t)w * f->dim, f->dim * sizeof *out);
		break;
	}
	case FIELD_CONT:
		out[0] = (float)netshare__cont_forward(f, v->num);
		break;
	case FIELD_CAT: {
		ptrdiff_t k = netshare__field_choice(f, v->code);
		if (k >= 0) /* a value not seen when fitting encodes as all zeros */
			out[k] = 1.0f;
		break;
	}
	}
}

netshare_status
netshare__field_decode(const netshare__field *f, const float *in, size_t stride, size_t n,
                       netshare__value *values)
{
	if (f->type == FIELD_W2V) {
		float *q = netshare__mallocarray(n ? n * f->dim : 1, sizeof *q);
		uint32_t *codes = netshare__mallocarray(n ? n : 1, sizeof *codes);
		if (!q || !codes) {
			netshare__free(q);
			netshare__free(codes);
			return netshare__error_oom("decoding word2vec field");
		}
		for (size_t i = 0; i < n; i++)
			memcpy(q + i * f->dim, in + i * stride + f->offset, f->dim * sizeof *q);
		netshare_status st = netshare__w2v_nearest(f->w2v, f->w2v_kind, q, n, f->choices,
		                                           f->n_choices, codes);
		for (size_t i = 0; st == NETSHARE_OK && i < n; i++)
			values[i].code = codes[i];
		netshare__free(q);
		netshare__free(codes);
		return st;
	}
	for (size_t i = 0; i < n; i++) {
		const float *x = in + i * stride + f->offset;
		netshare__value *v = &values[i];
		switch (f->type) {
		case FIELD_BITS: {
			memset(v->addr, 0, 16);
			if (f->width == 32) {
				v->addr[10] = v->addr[11] = 0xff;
			}
			uint8_t *a = v->addr + 16 - f->width / 8;
			for (int b = 0; b < f->width; b++)
				if (x[2 * b + 1] > x[2 * b])
					a[b / 8] |= (uint8_t)(0x80 >> (b % 8));
			break;
		}
		case FIELD_CONT:
			v->num = cont_inverse(f, x[0]);
			break;
		case FIELD_CAT: {
			size_t best = 0;
			for (size_t k = 1; k < f->n_choices; k++)
				if (x[k] > x[best])
					best = k;
			v->code = f->n_choices ? f->choices[best] : 0;
			break;
		}
		default:
			break;
		}
	}
	return NETSHARE_OK;
}
