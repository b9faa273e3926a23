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
#include <stdint.h>
#include <string.h>

/* e^x in plain float arithmetic (Cephes' expf: x = n ln2 + r with |r| <= ln2 / 2, e^r by
 * a degree-7 polynomial, 2^n written into the exponent bits), so that the elementwise
 * loops that call it vectorise; libm's expf is a call per element. Relative error
 * below 2 ulp on [-87, 88]; x is clamped to that range (e^-87 ~ 1.6e-38 stands for
 * anything smaller); NaN gives NaN. */
static inline float
netshare__expf(float x)
{
	x = x < -87.0f ? -87.0f : x;
	x = x > 88.0f ? 88.0f : x;
	/* n = round(x / ln2) by the 1.5 * 2^23 trick; v's low mantissa bits hold n */
	float v = x * 1.44269504088896341f + 12582912.0f;
	float n = v - 12582912.0f;
	float r = x - n * 0.693359375f; /* ln2 in two parts (Cody and Waite) */
	r = r - n * -2.12194440e-4f;
	float p = 1.9875691500e-4f;
	p = p * r + 1.3981999507e-3f;
	p = p * r + 8.3334519073e-3f;
	p = p * r + 4.1665795894e-2f;
	p = p * r + 1.6666665459e-1f;
	p = p * r + 5.0000001201e-1f;
	p = p * (r * r) + r + 1.0f;
	uint32_t vb, sb;
	memcpy(&vb, &v, sizeof vb);
	sb = (vb - 0x4B400000u + 127u) << 23; /* 2^n */
	float scale;
	memcpy(&scale, &sb, sizeof scale);
	return p * scale;
}

/* tanh through netshare__expf, branch-free so that loops over it vectorise: glibc's
 * tanhf goes through expm1f, which took a fifth of generation time (perf). A Taylor
 * polynomial near 0 avoids the cancellation of 1 - 2/(e^2x + 1); relative error below
 * 2e-6 everywhere. */
static inline float
netshare__tanhf(float x)
{
	float a = fabsf(x), x2 = x * x;
	float near0 = x * (1.0f - x2 * (1.0f / 3 - x2 * (2.0f / 15 - x2 * (17.0f / 315))));
	a = a > 10.0f ? 10.0f : a; /* NaN stays NaN; tanh(10) rounds to 1 */
	float far = copysignf(1.0f - 2.0f / (netshare__expf(2.0f * a) + 1.0f), x);
	return fabsf(x) < 0.0625f ? near0 : far;
}

static inline float
netshare__sigmoidf(float x)
{
	return 1.0f / (1.0f + netshare__expf(-x));
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
