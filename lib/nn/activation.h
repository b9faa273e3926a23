/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal: activations on batches. Forward functions may work in place; backward
 * functions take the forward *output* (y) and turn dy into dx in place, which is all
 * ReLU, sigmoid, tanh and softmax need.
 */
#ifndef NETSHARE_NN_ACTIVATION_H
#define NETSHARE_NN_ACTIVATION_H

#include <stddef.h>

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
