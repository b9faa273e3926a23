/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal: activations on batches. Forward functions may work in place; backward
 * functions take the forward *output* (y) and turn dy into dx in place, which is all
 * ReLU, sigmoid, tanh and softmax need.
 */
#ifndef NETSHARE_NN_ACTIVATION_H
#define NETSHARE_NN_ACTIVATION_H

#include <math.h>
#include <stddef.h>

/* tanh through expf: glibc's tanhf goes through expm1f, which took a fifth of generation
 * time (perf). A Taylor polynomial near 0 avoids the cancellation of 1 - 2/(e^2x + 1);
 * relative error below 2e-6 everywhere. */
static inline float
netshare__tanhf(float x)
{
	float a = fabsf(x);
	if (a < 0.0625f) {
		float x2 = x * x;
		return x * (1.0f - x2 * (1.0f / 3 - x2 * (2.0f / 15 - x2 * (17.0f / 315))));
	}
	if (a > 9.0f)
		return copysignf(1.0f, x);
	return copysignf(1.0f - 2.0f / (expf(2.0f * a) + 1.0f), x);
}

void netshare__relu_forward(float *x, size_t n);
void netshare__relu_backward(const float *y, float *dy, size_t n);
void netshare__sigmoid_forward(float *x, size_t n);
void netshare__sigmoid_backward(const float *y, float *dy, size_t n);
void netshare__tanh_forward(float *x, size_t n);
void netshare__tanh_backward(const float *y, float *dy, size_t n);

/* Softmax over columns [offset, offset + dim) of each of `rows` rows `stride` apart. */
void netshare__softmax_forward(float *x, size_t rows, size_t stride, size_t offset, size_t dim);
void netshare__softmax_backward(const float *y, float *dy, size_t rows, size_t stride,
                                size_t offset, size_t dim);

#endif
