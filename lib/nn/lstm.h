/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal: a one-layer LSTM (PyTorch's gate order i, f, g, o) over S steps of a batch,
 * with full backpropagation through time. Tensors are time-major: x is S x B x I, the
 * outputs h are S x B x H. The input projections of all steps are one sgemm; each step
 * adds one B x H by H x 4H product for the recurrence.
 */
#ifndef NETSHARE_NN_LSTM_H
#define NETSHARE_NN_LSTM_H

#include <netshare/common.h>

#include "core/rng.h"

typedef struct netshare__lstm {
	int in, hidden;
	float *w_ih, *w_hh, *b_ih, *b_hh;      /* [4H x I], [4H x H], [4H], [4H] */
	float *dw_ih, *dw_hh, *db_ih, *db_hh;
} netshare__lstm;

/* What forward keeps for backward, sized for up to `steps` x `batch`. */
typedef struct netshare__lstm_cache {
	int steps, batch;
	float *gates;  /* S x B x 4H, after the activations */
	float *c;      /* (S + 1) x B x H: c[0] = c0 */
	float *h;      /* (S + 1) x B x H: h[0] = h0; h[1..S] are the outputs */
	float *tc;     /* S x B x H: tanh(c_t) */
	float *da;     /* S x B x 4H: backward scratch */
	float *dh_next, *dc_next; /* B x H: backward scratch (allocated here, so backward
	                             cannot fail) */
} netshare__lstm_cache;

netshare_status netshare__lstm_init(netshare__lstm *l, int in, int hidden);
void netshare__lstm_free(netshare__lstm *l);
void netshare__lstm_zero_grad(netshare__lstm *l);
/* Xavier input weights, orthogonal recurrent weights, zero biases but the forget gate's
 * input bias 1 (DESIGN.md section 5). */
netshare_status netshare__lstm_init_weights(netshare__lstm *l, netshare__rng *r);

netshare_status netshare__lstm_cache_init(netshare__lstm_cache *c, const netshare__lstm *l,
                                          int steps, int batch);
void netshare__lstm_cache_free(netshare__lstm_cache *c);

/* Run S steps from (h0, c0) (B x H each). Outputs: cache->h + B*H (S x B x H). */
void netshare__lstm_forward(const netshare__lstm *l, const float *x, const float *h0,
                            const float *c0, netshare__lstm_cache *cache);

/* The same when each step's input row is [held[b] (n_held values, the same at every
 * step), x[t][b] (I - n_held values)]: the held part's projection is computed once
 * instead of S times. Generation only (the cache is not fit for backward). */
void netshare__lstm_forward_held(const netshare__lstm *l, const float *held, int n_held,
                                 const float *x, const float *h0, const float *c0,
                                 netshare__lstm_cache *cache);

/* The input projections of netshare__lstm_forward_held() only, without the recurrence:
 * for stepping rows with netshare__lstm_step_rows(). */
void netshare__lstm_project_held(const netshare__lstm *l, const float *held, int n_held,
                                 const float *x, netshare__lstm_cache *k);

/* Generation, after netshare__lstm_project_held(): step t (0-based, in order) for the n
 * listed rows only, from (h0, c0) at t = 0. The rows left out (finished flows) keep stale outputs
 * from step t on; nothing else is computed for them. */
void netshare__lstm_step_rows(const netshare__lstm *l, netshare__lstm_cache *k, int t,
                              const float *h0, const float *c0, const uint32_t *rows, size_t n);

/* Backpropagate dh (S x B x H, gradient of the loss w.r.t. each step's output) through
 * time: accumulates the weight gradients; writes dx (S x B x I), dh0 and dc0 (B x H)
 * unless NULL. */
void netshare__lstm_backward(netshare__lstm *l, const float *x, const float *dh,
                             netshare__lstm_cache *cache, float *dx, float *dh0, float *dc0);

#endif
