/* SPDX-License-Identifier: BSD-3-Clause */
/* Elementwise and grouped activations (see activation.h). */
#include "activation.h"

#include <math.h>

#include "core/simd.h"

NETSHARE__ELEMENTWISE void
netshare__relu_forward(float *x, size_t n)
{
	for (size_t i = 0; i < n; i++)
		x[i] = x[i] > 0 ? x[i] : 0;
}

NETSHARE__ELEMENTWISE void
netshare__relu_backward(const float *restrict y, float *restrict dy, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dy[i] = y[i] > 0 ? dy[i] : 0;
}

NETSHARE__ELEMENTWISE void
netshare__sigmoid_forward(float *x, size_t n)
{
	for (size_t i = 0; i < n; i++)
		x[i] = netshare__sigmoidf(x[i]);
}

void
netshare__sigmoid_backward(const float *y, float *dy, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dy[i] *= y[i] * (1.0f - y[i]);
}

NETSHARE__ELEMENTWISE void
netshare__tanh_forward(float *x, size_t n)
{
	for (size_t i = 0; i < n; i++)
		x[i] = netshare__tanhf(x[i]);
}

void
netshare__tanh_backward(const float *y, float *dy, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dy[i] *= 1.0f - y[i] * y[i];
}

/* One row at a time: for heads wider than the blocked path's buffer. */
static void
softmax_rows(float *x, size_t rows, size_t stride, size_t offset, size_t dim)
{
	for (size_t r = 0; r < rows; r++) {
		float *v = x + r * stride + offset, m = v[0], s = 0;
		for (size_t k = 1; k < dim; k++)
			m = v[k] > m ? v[k] : m;
		for (size_t k = 0; k < dim; k++)
			s += (v[k] = netshare__expf(v[k] - m)); /* shifted: no overflow */
		for (size_t k = 0; k < dim; k++)
			v[k] /= s;
	}
}

enum { SOFTMAX_LANES = 16, SOFTMAX_MAX_BLOCKED_DIM = 64 };

/* A head's values of up to SOFTMAX_LANES rows, transposed (t[k][j]: value k of row j) so
 * that the loops below run across rows and vectorise, the exponential included. Each
 * row still takes its maximum and sums its exponentials in k order, with the
 * expressions of softmax_rows: the same bits. */
NETSHARE__ELEMENTWISE static void
softmax_block(float (*t)[SOFTMAX_LANES], size_t dim)
{
	float m[SOFTMAX_LANES], s[SOFTMAX_LANES];
	for (size_t j = 0; j < SOFTMAX_LANES; j++) {
		m[j] = t[0][j];
		s[j] = 0;
	}
	for (size_t k = 1; k < dim; k++)
		for (size_t j = 0; j < SOFTMAX_LANES; j++)
			m[j] = t[k][j] > m[j] ? t[k][j] : m[j];
	for (size_t k = 0; k < dim; k++)
		for (size_t j = 0; j < SOFTMAX_LANES; j++)
			s[j] += (t[k][j] = netshare__expf(t[k][j] - m[j]));
	for (size_t k = 0; k < dim; k++)
		for (size_t j = 0; j < SOFTMAX_LANES; j++)
			t[k][j] /= s[j];
}

void
netshare__softmax_forward(float *x, size_t rows, size_t stride, size_t offset, size_t dim)
{
	/* Heads are narrow and rows many (a batch's records): one row's loops are too short
	 * to vectorise, so rows go SOFTMAX_LANES at a time. */
	if (dim > SOFTMAX_MAX_BLOCKED_DIM) {
		softmax_rows(x, rows, stride, offset, dim);
		return;
	}
	float t[SOFTMAX_MAX_BLOCKED_DIM][SOFTMAX_LANES];
	for (size_t r0 = 0; r0 < rows; r0 += SOFTMAX_LANES) {
		size_t n = rows - r0 < SOFTMAX_LANES ? rows - r0 : SOFTMAX_LANES;
		for (size_t j = 0; j < SOFTMAX_LANES; j++) {
			const float *v = x + (r0 + (j < n ? j : 0)) * stride + offset;
			for (size_t k = 0; k < dim; k++)
				t[k][j] = v[k]; /* lanes past the last row repeat the block's first */
		}
		softmax_block(t, dim);
		for (size_t j = 0; j < n; j++) {
			float *v = x + (r0 + j) * stride + offset;
			for (size_t k = 0; k < dim; k++)
				v[k] = t[k][j];
		}
	}
}

void
netshare__softmax_backward(const float *y, float *dy, size_t rows, size_t stride,
                           size_t offset, size_t dim)
{
	/* dx_k = y_k (dy_k - sum_j y_j dy_j) */
	for (size_t r = 0; r < rows; r++) {
		const float *p = y + r * stride + offset;
		float *g = dy + r * stride + offset, dot = 0;
		for (size_t k = 0; k < dim; k++)
			dot += p[k] * g[k];
		for (size_t k = 0; k < dim; k++)
			g[k] = p[k] * (g[k] - dot);
	}
}
