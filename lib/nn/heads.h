/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal: output heads. A generator's output layer is one Linear producing every
 * field's dimensions (per-field Linear layers are exactly its row blocks); the heads then
 * apply each group's activation: softmax over a group's dims, sigmoid, or tanh.
 */
#ifndef NETSHARE_NN_HEADS_H
#define NETSHARE_NN_HEADS_H

#include <stddef.h>

/* One group: dims [offset, offset + dim) with an activation (0 softmax, 1 sigmoid,
 * 2 tanh: the values of netshare_activation). */
typedef struct netshare__head {
	size_t offset, dim;
	int activation;
} netshare__head;

/* Apply the heads to `rows` rows of `width` floats, in place. */
void netshare__heads_forward(const netshare__head *h, size_t n, float *x, size_t rows,
                             size_t width);
/* dy -> d(pre-activation), in place, given the forward output y. */
void netshare__heads_backward(const netshare__head *h, size_t n, const float *y, float *dy,
                              size_t rows, size_t width);
/* One-hot argmax of every softmax head (ties: the first), other dims copied: the
 * "discrete attributes" the feature generator is conditioned on. */
void netshare__heads_discretize(const netshare__head *h, size_t n, const float *y, float *out,
                                size_t rows, size_t width);

#endif
