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
 *   s_fake D(fake_b) + s_real D(real_b) + gp_weight (||grad_x D(xhat_b)|| - 1)^2
 * (a critic step's loss sums this over b with s_fake = 1/B, s_real = -1/B, gp_weight
 * = lambda/B), into norm2[0 .. B). Reads the critic's weights and last activations,
 * changes nothing of it; allocates its own workspace (ENOMEM), EINVAL if 3B exceeds
 * the critic's rows. */
netshare_status netshare__critic_example_norms(netshare__critic *c, const float *x, int batch,
                                               float s_fake, float s_real, double gp_weight,
                                               double *norm2);

/* DP-SGD: add sum_b min(1, clip / ||g_b||) g_b to the critic's gradient buffers, g_b
 * being example b's gradient above (clip in its units: a loss that carries 1/B passes
 * C/B). After netshare__critic_forward on the 3B rows of x; call once per part of a
 * batch larger than the critic's rows. *clipped (if not NULL) gets how many examples
 * were scaled down, *penalty (if not NULL) the penalty term of the loss. ENOMEM,
 * EINVAL as netshare__critic_example_norms. */
netshare_status netshare__critic_dp_accumulate(netshare__critic *c, const float *x, int batch,
                                               float s_fake, float s_real, double gp_weight,
                                               double clip, int *clipped, double *penalty);

/* DP-SGD's noise: N(0, std^2) added to every weight's and bias's gradient, drawn from
 * rng by netshare__rng_add_normalf, tensor by tensor (each hidden layer's weights then
 * biases, then the output layer's, then a front's weights and bias). */
void netshare__critic_add_noise(netshare__critic *c, double std, netshare__rng *rng);

#endif
