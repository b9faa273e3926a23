/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal: a fully connected layer y = x W^T + b on whole batches (row-major, B rows),
 * forward and backward as single sgemm calls. Gradients accumulate, so several passes
 * (e.g. real and fake batches, or the gradient penalty) can add into one step.
 */
#ifndef NETSHARE_NN_DENSE_H
#define NETSHARE_NN_DENSE_H

#include <netshare/common.h>

#include "core/rng.h"

typedef struct netshare__dense {
	int in, out;
	float *w, *b;    /* [out * in], [out] */
	float *dw, *db;  /* gradients, same shapes */
	int parts;                   /* blocks of its products (gemm.h); 0 or 1: one call */
	struct netshare__pool *pool; /* threads computing them; NULL: the caller's */
} netshare__dense;

netshare_status netshare__dense_init(netshare__dense *d, int in, int out);
void netshare__dense_free(netshare__dense *d);
void netshare__dense_zero_grad(netshare__dense *d);

/* y[B x out] = x[B x in] W^T + b */
void netshare__dense_forward(const netshare__dense *d, const float *x, int batch, float *y);
/* dW += dy^T x, db += column sums of dy; dx[B x in] = dy W (skipped if dx is NULL). */
void netshare__dense_backward(netshare__dense *d, const float *x, const float *dy, int batch,
                              float *dx);
/* dx[B x in] = dy W only, for a caller that does not train this layer (a generator step
 * backpropagates through the critics without using their gradients). */
void netshare__dense_backward_input(const netshare__dense *d, const float *dy, int batch,
                                    float *dx);

/* Initialisers. Xavier/Glorot uniform: U(-a, a), a = sqrt(6 / (in + out)), zero bias.
 * PyTorch's Linear default (which NetShare's generator keeps): weights and bias
 * U(-1/sqrt(in), 1/sqrt(in)). */
/* Copy weights and bias from a layer of the same shape (EINVAL otherwise). */
netshare_status netshare__dense_copy(netshare__dense *dst, const netshare__dense *src);
void netshare__dense_init_xavier(netshare__dense *d, netshare__rng *r);
void netshare__dense_init_torch_default(netshare__dense *d, netshare__rng *r);

#endif
