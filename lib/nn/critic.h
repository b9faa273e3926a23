/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal: a WGAN critic, the ReLU MLP that DoppelGANger uses for its discriminator and
 * auxiliary discriminator: `layers` x [Linear(units), ReLU], then Linear(units -> 1).
 *
 * Besides the usual forward/backward it computes the WGAN-GP gradient penalty
 * lambda * mean_b (||grad_x D(x_b)|| - 1)^2 and, in closed form, its gradient with respect
 * to the weights (double backprop without autodiff). For a ReLU MLP the masks
 * M_l = [z_l > 0] are constant almost everywhere, so with delta_{L-1} = M_{L-1} w_out,
 * delta_l = M_l (delta_{l+1} W_{l+1}) and g = delta_0 W_0 = grad_x D:
 *   u = lambda (2/B) (||g|| - 1) g / ||g||,  a_0 = u,  a_{l+1} = M_l (a_l W_l^T),
 *   dGP/dW_l = delta_l^T a_l,  dGP/dw_out = sum_b a_L,  biases: none.
 * Three extra passes of matrix products over the batch (DESIGN.md section 5; checked
 * against PyTorch's double backprop in reference/gp_closed_form_check.py).
 *
 * Optionally a linear front (netshare__critic_init_front): the first steps x step_in
 * inputs are `steps` groups (a flow's records) that one shared linear map E (step_in ->
 * embed, a layer without ReLU) turns into embed floats each before the first hidden
 * layer; the rest (the attributes) pass through. The first layer's cost then grows with
 * steps x embed instead of steps x step_in. Being linear, the front keeps the closed
 * form: with the front's map P, grad_x D = P^T g' where g' = delta_0 W_0 is the
 * gradient at the first layer's input, a_0 = P u, and dGP/dE = sum over the steps of
 * g'_step^T u_step.
 *
 * Optionally a projection term (netshare__critic_project; Miyato and Koyama's projection
 * discriminator): with y the last `cond` inputs (the attributes) and h the last hidden
 * layer, the score gains y^T V h, so that the critic scores how the rest of the row goes
 * with its condition through a product instead of learning that product with its
 * ReLUs. The penalty keeps a closed form: grad_x D = J^T (w_out + V^T y) + [0; V h]
 * (J the MLP's Jacobian), so the chain above runs with a per-row output weight
 * w_b = w_out + V^T y_b, giving dV += y a_L^T; and the direct term adds, with u_y the
 * part of u at y, dV += u_y h^T and an ordinary backward pass of e = V^T u_y from h
 * (which, unlike the rest of the penalty, reaches the biases).
 */
#ifndef NETSHARE_NN_CRITIC_H
#define NETSHARE_NN_CRITIC_H

#include <netshare/common.h>

#include "core/rng.h"
#include "dense.h"

/* Most hidden layers of a critic. */
#define NETSHARE__CRITIC_MAX_LAYERS 16

typedef struct netshare__critic {
	int in, units, layers, max_batch;
	/* The front (steps 0: none): input groups, floats per group, and hidden[0]'s
	 * inputs (steps x front.out + the rest, or in). */
	int steps, step_in, in0;
	netshare__dense front;                  /* step_in -> embed, shared by the steps */
	float *xe;      /* max_batch x in0: the last forward's input to hidden[0] */
	float *fx;      /* max_batch * steps x step_in: its groups, gathered */
	float *fa, *fb; /* max_batch * steps x max(step_in, embed): scratch */
	netshare__dense hidden[NETSHARE__CRITIC_MAX_LAYERS];
	netshare__dense out;
	/* Workspace for up to max_batch rows. */
	float *h[NETSHARE__CRITIC_MAX_LAYERS]; /* post-ReLU activations of the last forward */
	float *delta[NETSHARE__CRITIC_MAX_LAYERS];
	float *tmp, *tmp2;                      /* B x max(in, units) */
	float *score;                           /* B */
	/* The projection (cond 0: none): V (cond x units) and its gradient; the last
	 * forward's V^T y per row (pq) and its x (px: each row's y, and layer 0's input
	 * without a front); scratch pr (max_batch x cond) and pe (max_batch x units). */
	int cond;
	float *pv, *dpv, *pq, *pr, *pe;
	const float *px;
	int parts;                              /* blocks of its products (gemm.h) */
	struct netshare__pool *pool;            /* threads computing them; NULL: none */
} netshare__critic;

netshare_status netshare__critic_init(netshare__critic *c, int in, int units, int layers,
                                      int max_batch);
/* The same with a front (above): the first steps x step_in of the `in` inputs are
 * embedded, embed floats per group. steps 0 (or embed 0): no front, as
 * netshare__critic_init. */
netshare_status netshare__critic_init_front(netshare__critic *c, int in, int steps,
                                            int step_in, int embed, int units, int layers,
                                            int max_batch);
/* Add the projection term (above) on the last `cond` inputs, V starting at zero (the
 * critic's scores unchanged until it trains); call after init, before the weights are
 * registered with an optimiser. With it, the x given to forward must stay valid until
 * the penalty of its rows is computed. EINVAL unless 0 < cond <= the inputs after a
 * front's groups. The DP accumulation (critic_dp.h) does not know the term. */
netshare_status netshare__critic_project(netshare__critic *c, int cond);
/* Floats of the trained tensors of a critic that netshare__critic_init_front(in, steps,
 * step_in, embed, units, layers) would make, without allocating (a double: hostile sizes
 * cannot overflow it). */
double netshare__critic_floats(int in, int steps, int step_in, int embed, int units,
                               int layers);
void netshare__critic_free(netshare__critic *c);
void netshare__critic_zero_grad(netshare__critic *c);
/* Xavier-uniform weights, zero biases (NetShare's discriminators). */
void netshare__critic_init_weights(netshare__critic *c, netshare__rng *r);

/* Scores of x (B x in) into c->score (and returned); keeps activations for backward. */
const float *netshare__critic_forward(netshare__critic *c, const float *x, int batch);
/* After forward on x: accumulate the weight gradients of sum_b dscore[b] * D(x_b) and,
 * unless dx is NULL, write its gradient with respect to x (B x in). */
void netshare__critic_backward(netshare__critic *c, const float *x, const float *dscore,
                               int batch, float *dx);
/* The gradient with respect to x alone (B x in), leaving the weight gradients alone:
 * what a generator step needs from a critic. */
void netshare__critic_backward_input(netshare__critic *c, const float *dscore, int batch,
                                     float *dx);
/* The gradient penalty at x (B x in): returns its value and accumulates its gradient
 * with respect to the weights (closed form above). Runs its own forward pass. */
double netshare__critic_gradient_penalty(netshare__critic *c, const float *x, int batch,
                                         double lambda);

/* The same for rows [row0, row0 + batch) of the last forward pass, without running one:
 * lets a training step evaluate scores and the penalty in a single forward. The delta
 * and scratch buffers are sized for max_batch rows, so batch <= max_batch. */
double netshare__critic_penalty_rows(netshare__critic *c, int row0, int batch, double lambda);

/* Cut the critic's matrix products into `parts` blocks (0 or 1: one call each),
 * computed on pool's threads (NULL: the caller's; lib/nn/gemm.h). The results depend
 * on parts, not on the pool. Used from one of the pool's tasks, its blocks go to the
 * loop's threads that are free (netshare__pool_for). */
void netshare__critic_split(netshare__critic *c, int parts, struct netshare__pool *pool);

/* True if every weight is finite (divergence check). */
int netshare__critic_finite(const netshare__critic *c);

#endif
