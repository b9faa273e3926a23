/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal: what DP-SGD needs of a critic (critic.h) that ordinary training does not.
 */
#ifndef NETSHARE_NN_CRITIC_DP_H
#define NETSHARE_NN_CRITIC_DP_H

#include "critic.h"

/* After netshare__critic_forward on x of 3B rows (B fake, B real, B interpolates, in
 * that order), the squared norm, over every weight and bias, of each example b's
 * gradient of
 *   s_fake D(fake_b) + s_real D(real_b) + (lambda / B) (||grad_x D(xhat_b)|| - 1)^2,
 * the loss a critic step sums over b (s_fake = 1/B, s_real = -1/B there), into
 * norm2[0 .. B). Reads the critic's weights and last activations, changes nothing of
 * it; allocates its own workspace (ENOMEM), EINVAL if 3B exceeds the critic's rows. */
netshare_status netshare__critic_example_norms(netshare__critic *c, const float *x, int batch,
                                               float s_fake, float s_real, double lambda,
                                               double *norm2);

/* DP-SGD's gradient of that loss, into the critic's gradient buffers (zeroed first):
 *   sum_b min(1, clip / ||g_b||) g_b  +  N(0, noise_std^2) on every weight and bias,
 * g_b being example b's gradient above (clip and noise_std in its units: a caller whose
 * loss carries 1/B passes C/B and sigma C/B). The noise is drawn from rng by
 * netshare__rng_add_normalf, tensor by tensor: each hidden layer's weights then biases,
 * then the output layer's. After netshare__critic_forward on the 3B rows of x.
 * *clipped (if not NULL) gets how many examples were scaled down, *penalty (if not
 * NULL) the penalty term of the loss. ENOMEM, EINVAL as netshare__critic_example_norms. */
netshare_status netshare__critic_dp_gradient(netshare__critic *c, const float *x, int batch,
                                             float s_fake, float s_real, double lambda,
                                             double clip, double noise_std, netshare__rng *rng,
                                             int *clipped, double *penalty);

#endif
