/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal: one DoppelGANger model (one time chunk's) and its WGAN-GP training loop.
 *
 * Per iteration: d_rounds x [critic step on (features, attributes), auxiliary critic
 * step on attributes], then g_rounds generator steps. Critic loss: mean D(fake) -
 * mean D(real) + lambda * GP at x = a real + (1 - a) fake, a ~ U(0,1) per sample
 * (NetShare's PyTorch port has a = 1: fixed here). Generator loss: -mean D(fake) -
 * aux_weight * mean Daux(fake). Batches are drawn with replacement from the chunk's
 * encoded flows.
 */
#ifndef NETSHARE_DG_TRAINER_H
#define NETSHARE_DG_TRAINER_H

#include <netshare/common.h>

#include "core/rng.h"
#include "core/threadpool.h"
#include "condition_weights.h"
#include "generator.h"
#include "nn/adam.h"
#include "nn/critic.h"
#include "nn/ema.h"

typedef struct netshare__dg_params {
	int batch;                 /* 100 */
	int d_rounds, g_rounds;    /* 5, 1 */
	int disc_layers, disc_units;         /* 5 (4 hidden + output), 512 */
	int aux_disc_layers, aux_disc_units; /* 5, 512 */
	float lr_g, lr_d, lr_aux;  /* 1e-4 */
	float beta1, beta2;        /* 0.5, 0.999 */
	double gp_lambda, aux_gp_lambda; /* 10, 10 */
	double aux_weight;         /* 1.0 */
	/* How threads share a training step (netshare__dg_train_on): 0, the critics side by
	 * side; 1, the critics' products cut in blocks (also without threads: the blocks
	 * fix the sums); -1 (default): 1 when D outweighs the rest of a round (long flows),
	 * else 0. */
	int split_products;
	/* D's front (lib/nn/critic.h): disc_embed floats for each record of a flow, one
	 * linear map shared by the records; 0: none (NetShare's critic). */
	int disc_embed;
	/* DP-SGD on both critics (0: off): each example's gradient clipped to dp_clip, and
	 * Gaussian noise of dp_sigma * dp_clip added to the sum (lib/nn/critic_dp.h); each
	 * row in a round's Poisson sample with probability dp_rate (0: batch / n). The
	 * model sets them per chunk from its privacy plan (lib/dg/privacy.c). */
	double dp_clip, dp_sigma, dp_rate;
	/* Decay of the moving average of the generator's weights (lib/nn/ema.h), which
	 * generation uses instead of the last weights; 0: off. */
	double ema_decay;
	/* The feature generator conditioned on the round's real attributes when the critics
	 * train and when it trains (netshare_model_params.feature_condition REAL): D then
	 * sees (G_f(a), a) against real (f, a) with the same attributes, its gradient
	 * reaches the features only, and the attribute generator learns from aux-D alone.
	 * 0: NetShare's, on the generated attributes. Never with DP (the model refuses it;
	 * a DP round ignores it). */
	int real_condition;
	/* Records at the start of each flow that aux-D sees beside the attributes (their
	 * T x F features' first aux_records x F floats); 0: the attributes alone
	 * (DoppelGANger's). An experiment setting of bench/time-to-quality: not with
	 * real_condition. */
	int aux_records;
	/* D scores its attributes against the rest of the row through a projection term
	 * (lib/nn/critic.h) besides its MLP; 0: off (DoppelGANger's). An experiment setting
	 * of bench/time-to-quality: not in model files, not with DP. */
	int disc_projection;
	/* D's loss weighs each real and fake row by its condition's weight with this
	 * exponent (lib/dg/condition_weights.h); 0: off (every row 1). An experiment
	 * setting of bench/time-to-quality: not in model files, not with DP. */
	double condition_balance;
	/* Rows aux-D judges together (PacGAN, Lin et al. 2018): aux_pack fakes, or reals,
	 * side by side in each of its input rows, so that attributes collapsed onto few
	 * values are told apart from the data's spread; 1: DoppelGANger's. Divides batch.
	 * An experiment setting of bench/time-to-quality: not in model files, not with DP
	 * or condition_balance. */
	int aux_pack;
} netshare__dg_params;

void netshare__dg_params_default(netshare__dg_params *p);

/* What netshare_model_params.disc_embed -1 chooses where the front pays
 * (NETSHARE_DISC_EMBED_AUTO_INPUTS). */
#define NETSHARE__DISC_EMBED_AUTO 8

typedef struct netshare__dg {
	netshare__dg_params p;
	netshare__generator g;
	netshare__critic d, aux;
	netshare__adam opt_g, opt_d, opt_aux;
	netshare__ema ema;        /* of the generator's tensors (p.ema_decay; a trainer's
	                             only: a generator-only model holds what generates) */
	netshare__rng rng;
	netshare__rng dp_rng;     /* DP rounds' draws (Poisson sample, fakes, noise): never
	                             saved, seeded from the OS by a DP model */
	/* Data-parallel training (netshare_model_train_mpi): called with each optimiser
	 * before its step, to replace its gradients by their mean over the ranks; NULL:
	 * none. Not with DP rounds. */
	void (*grad_sync)(netshare__adam *opt, void *user);
	void *grad_sync_user;
	long iterations;          /* done so far */
	long dp_rounds;           /* DP critic rounds done: each is two sampled Gaussian
	                             mechanisms (D and aux-D) on one Poisson sample */
	uint64_t dp_sampled;      /* rows those rounds sampled (q * n each, on average) */
	double loss_d, loss_aux, loss_g, wasserstein;  /* of the last iteration */
	int A, F, T;
	/* One critic round's inputs; two, so that the next round's can be drawn while
	 * the critics train on this one's. */
	struct netshare__dg_round {
		/* 3B rows of each critic's step, fake, real, interpolates, so that the
		 * step's one 3B batch needs no copy of the rows drawn into it */
		float *x_both, *aux_both;
		float *x_real, *x_fake;       /* in x_both: B x (T x F + A), features, then
		                                 attributes */
		float *attr_real, *attr_fake; /* in aux_both: the auxiliary critic's rows, B x
		                                 (A + p.aux_records x F): attributes, then
		                                 the first records' features */
		float *dscore;                /* with p.condition_balance: D's 2B score
		                                 gradients, +w/B (fakes), -w/B (real rows) */
	} round[2];
	netshare__cond_weights balance;   /* p.condition_balance's, of the training rows */
	float *alpha, *aux_alpha;         /* B interpolation weights of each critic's step */
	float *dscore_step;               /* 2B: +1/B (fake rows), then -1/B (real rows) */
	float *dscore_gen;                /* 2B: the generator step's, D's then aux-D's
	                                     (its first B / p.aux_pack) */
	float *dscore_aux;                /* aux-D's step's: dscore_step's over B /
	                                     p.aux_pack rows */
	float *dx, *dx_aux, *dattr, *dfeat;
	/* Whether the critics' products are cut in blocks (p.split_products, decided from
	 * the shape when the model is made: the blocks, not the threads, fix the sums). */
	int split;
	/* Threads of a side-by-side training step (netshare__dg_train_on): borrowed. */
	netshare__pool *pool;
} netshare__dg;

/* Copy into `dst` (a generator of the same shape) the weights that generation uses:
 * the moving average of the generator's tensors when the model keeps one, else the
 * generator's own; with BatchNorm statistics estimated for them
 * (netshare__generator_estimate_bn), not the file's. EINVAL on a shape mismatch. */
netshare_status netshare__dg_copy_generator(netshare__generator *dst, const netshare__dg *src);

/* Build a model for generator shape `gs` (its max_batch is set to p->batch). */
netshare_status netshare__dg_init(netshare__dg *m, const netshare__gen_shape *gs,
                                  const netshare__dg_params *p, uint64_t seed);
/* The generator only (no critics, no training buffers): for a model loaded from an
 * exported file, which can generate but not train. */
netshare_status netshare__dg_init_generator(netshare__dg *m, const netshare__gen_shape *gs,
                                            const netshare__dg_params *p, uint64_t seed);
void netshare__dg_free(netshare__dg *m);

/* Copy every weight (not the optimiser state) from `src`, a model of the same shape:
 * the warm start of chunks 1..K-1 from chunk 0; the generator's average too, its count
 * of updates restarted (or, if src keeps none, the average restarts at the weights).
 * EINVAL on a shape mismatch. */
netshare_status netshare__dg_copy_weights(netshare__dg *dst, const netshare__dg *src);

/*
 * Train on `pool`'s threads from now on (NULL: the calling thread alone), in one of two
 * ways (p.split_products). Side by side: the two critics' steps of a round run on two
 * threads, the second followed by drawing the next round's batch, and in the generator
 * step the two critics' backward passes do; D's products are cut in blocks, which the
 * other thread takes once its own side is done; the random draws are made beforehand
 * in the serial order. Split (m->split): the blocks of the critics' matrix products, which
 * serial training computes one after another, are computed by the threads (lib/nn/
 * gemm.h), the rest serially; for long flows, where D's products outweigh everything
 * beside them. OpenBLAS stays single-threaded (as in serial training), so either way
 * the model is bit for bit the one that one thread trains, whatever the pool's size.
 * The pool is borrowed: it must outlive the training calls, or be replaced first. With
 * grad_sync the optimiser steps run on the calling thread.
 */
void netshare__dg_train_on(netshare__dg *m, netshare__pool *pool);

/* Train `iterations` more iterations on n encoded flows (attributes n x A, features
 * n x T x F; n may be 0 in DP mode, whose rounds are then noise only). progress (may be
 * NULL) is called every iteration with the losses. ENUMERIC (with the iteration) if a
 * loss or weight stops being finite; ECANCELED; EINVAL for DP with D's projection or
 * condition weights. */
netshare_status netshare__dg_train(netshare__dg *m, const float *attr, const float *feat,
                                   size_t n, long iterations, netshare_progress_fn progress,
                                   void *user, int chunk);

#endif
