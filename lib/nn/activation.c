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

void
netshare__softmax_forward(float *x, size_t rows, size_t stride, size_t offset, size_t dim)
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
