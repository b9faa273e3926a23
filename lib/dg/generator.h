/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal: the DoppelGANger generator as NetShare trains it.
 *
 *  attribute generator: z_a ~ N(0,1) -> (attr_layers - 1) x [Linear(units), ReLU,
 *      BatchNorm] -> Linear(A) -> per-group activations (softmax / sigmoid / tanh);
 *  feature generator: per step, [one-hot argmax of the attributes (no gradient), z_f]
 *      -> LSTM(lstm_units) from a random N(0,1) initial state -> Linear(sample_len * F)
 *      -> per-record group activations; sample_len records per step, T in all;
 *  records after the first one whose gen flag says "last" are zeroed (masked).
 *
 * Heads are described by the encoder's layout (netshare__head lists), so the generator
 * knows nothing about traces.
 */
#ifndef NETSHARE_DG_GENERATOR_H
#define NETSHARE_DG_GENERATOR_H

#include <netshare/common.h>

#include "core/rng.h"
#include "nn/batchnorm.h"
#include "nn/dense.h"
#include "nn/heads.h"
#include "nn/lstm.h"

#define NETSHARE__GEN_MAX_LAYERS 16
#define NETSHARE__GEN_MAX_HEADS 512
/* netshare__gen_shape.flag_band of a model whose flows end by drawn flags. */
#define NETSHARE__FLOW_END_BAND 0.05f
/* NETSHARE_FLOW_END_AUTO picks larger when more than this share of the fitted flow
 * segments have one same length of 2 or more records (docs/DEVELOPING.md, "Flow ends
 * chosen per trace"). */
#define NETSHARE__FLOW_END_AUTO_SHARE 0.5

typedef struct netshare__gen_shape {
	int attr_noise, feat_noise;   /* 5, 5 */
	int attr_layers, attr_units;  /* 5 (4 hidden + the output layer), 512 */
	int lstm_units;               /* 100 */
	int sample_len, steps;        /* records per step; steps = T / sample_len */
	int A, F;                     /* attribute dims; feature dims per record */
	int gen_offset;               /* offset of the 2-dim gen flag in a record */
	int iat_offset;               /* offset of a record's inter-arrival field, -1: none
	                                 (output_from_condition=3) */
	/* How a flow's end is read off its gen flags (netshare_model_params.flow_end): 0,
	 * the first record whose "last" logit is the larger (NetShare); 1, drawn, each
	 * record ending the flow with its softmax "last" probability, and D shown the drawn
	 * flags one-hot (the gradient reaching the softmax as if it had seen the
	 * probabilities: straight-through). */
	int drawn_flags;
	/* With drawn_flags: a "last" probability at or below flag_band reads as 0, at or
	 * above 1 - flag_band as 1 (no draw), so a flow length the generator is nearly sure
	 * of comes out every time. NETSHARE__FLOW_END_BAND from flow_end; 0: every flag
	 * drawn (time-to-quality's flag_band sets others). */
	float flag_band;
	/* Training only, an experiment of time-to-quality (drawn_lengths; 0 otherwise):
	 * with draw_dim > 1, each record's softmax head at draw_offset (the length classes,
	 * which the sampler draws) is shown to the critics as a one-hot drawn from it, the
	 * gradient reaching the softmax as if they had seen the probabilities
	 * (straight-through, as drawn_flags). */
	size_t draw_offset, draw_dim;
	/* An experiment of time-to-quality (zero_state=1; 0 otherwise): the LSTM starts
	 * each flow from zeros instead of NetShare's N(0, 1) h0 and c0 (still drawn, so
	 * that the random stream is the default's). */
	int zero_state;
	/* An experiment of time-to-quality (flow_noise=K; 0 otherwise): the first K of the
	 * feat_noise dims of each step's noise drawn at the first step and repeated at
	 * every step of the flow (noise of the flow, not of the record). */
	int flow_noise;
	/* An experiment of time-to-quality (class_condition_scale=C; 0 otherwise, read as
	 * 1): the one-hots of the attributes' class heads multiplied by C where they enter
	 * the feature generator, so that its input weights for them learn C times as fast. */
	float class_condition_scale;
	/* 1 (netshare_model_params.condition_paths' STATE bit; 0 otherwise): the LSTM's
	 * initial h0 and c0 each gain a linear map of the feature generator's condition
	 * (the discretised attributes, as at every step's input), a trained layer starting
	 * at zero, so that the service sets the state the first record comes from (its
	 * tensors follow the default's in netshare__generator_tensors). Experiments of
	 * time-to-quality, not in model files: 2: h0 only (the layer's c0 half unused);
	 * 3: both, through a tanh (bounded). */
	int state_from_condition;
	/* 1 (condition_paths' OUTPUT bit; 0 otherwise): every step's output layer gains a
	 * trained linear map of the same condition (from zero), a per-service offset of the
	 * records' values beside the recurrent path (its tensors follow
	 * state_from_condition's). Experiments of time-to-quality, not in model files:
	 * 2: on the class (softmax) heads only, the continuous fields' columns at zero;
	 * 3: on every field but the inter-arrival one (the head at iat_offset). */
	int output_from_condition;
	size_t n_attr_heads, n_feat_heads;
	netshare__head attr_heads[NETSHARE__GEN_MAX_HEADS];
	netshare__head feat_heads[NETSHARE__GEN_MAX_HEADS]; /* of one record */
	int max_batch;
} netshare__gen_shape;

typedef struct netshare__generator {
	netshare__gen_shape s;
	int hidden;                                 /* attr_layers - 1 */
	netshare__dense attr_dense[NETSHARE__GEN_MAX_LAYERS];
	netshare__batchnorm attr_bn[NETSHARE__GEN_MAX_LAYERS];
	netshare__dense attr_out;
	netshare__lstm lstm;
	netshare__dense feat_out;
	netshare__dense state_in;                   /* A -> 2 x lstm_units (state_from_condition) */
	netshare__dense out_in;                     /* A -> sample_len x F (output_from_condition) */
	float *cond_kept;                           /* B x A: the condition, for the two above */
	float *dstate;                              /* B x 2H: state_in's output, its gradient */
	float *out_cond;                            /* B x SF: out_in's output, its gradient */
	netshare__lstm_cache cache;
	netshare__head *step_heads;                 /* feat_heads repeated sample_len times */
	size_t n_step_heads;
	/* Workspace (max_batch rows). */
	float *z_a;                                 /* B x attr_noise */
	float *relu[NETSHARE__GEN_MAX_LAYERS];      /* B x units: post-ReLU */
	float *xhat[NETSHARE__GEN_MAX_LAYERS];      /* B x units: BatchNorm normalised input */
	float *bn[NETSHARE__GEN_MAX_LAYERS];        /* B x units: BatchNorm output */
	float *tmp, *tmp2;                          /* B x max(units, A) */
	float *lstm_in;                             /* steps x B x (A + feat_noise) */
	float *h0, *c0;                             /* B x lstm_units */
	float *step_out;                            /* steps x B x (sample_len * F) */
	float *dstep, *dh;                          /* backward: same shapes as step_out, h */
	/* Outputs of the last forward. */
	float *attributes;                          /* B x A */
	float *features;                            /* B x T x F (masked) */
	uint32_t *lengths;                          /* B: records before the mask */
	int batch;
	/* Gradient checks: keep the previous forward's conditioning input, i.e. treat it as
	 * the constant that "no gradient through the conditioning" says it is. */
	int hold_condition;
} netshare__generator;

netshare_status netshare__generator_init(netshare__generator *g, const netshare__gen_shape *s);
/* Floats a generator of shape s holds: its trained tensors (the optimiser's registry)
 * and the BatchNorm running statistics; trained_only: the registry alone. Computed
 * without allocating (a model file's sizes are checked against it before anything is
 * allocated); a double, exact below 2^53, so that hostile shapes cannot overflow it. */
double netshare__generator_floats(const netshare__gen_shape *s, int trained_only);
/* Floats of the per-batch workspace a generator of shape s allocates for `batch` rows
 * (the LSTM's caches and the outputs of every step): it grows with the sequence length,
 * which no weight does, so a model file's memory check needs it. */
double netshare__generator_workspace_floats(const netshare__gen_shape *s, int batch);
void netshare__generator_free(netshare__generator *g);
void netshare__generator_zero_grad(netshare__generator *g);
/* Cut the matrix products of the generator's dense layers into `parts` blocks, computed
 * on pool's threads (netshare__critic_split's rule: the results depend on parts, not on
 * the pool). The LSTM's own products stay whole. */
void netshare__generator_split(netshare__generator *g, int parts, struct netshare__pool *pool);
/* PyTorch defaults for the attribute generator's Linear layers (NetShare keeps them),
 * Xavier for the feature head, the LSTM's own initialisation (lstm.h). */
netshare_status netshare__generator_init_weights(netshare__generator *g, netshare__rng *r);

/* Generate `batch` samples with noise from r. training != 0: BatchNorm uses batch
 * statistics (and updates its running averages); otherwise the running averages. */
void netshare__generator_forward(netshare__generator *g, netshare__rng *r, int batch,
                                 int training);

/* A training forward (BatchNorm on batch statistics) whose features are conditioned
 * on the given real attributes (batch x A) instead of the generated ones, which end in
 * g->attributes and in `attributes` (batch x A). backward() then follows both halves:
 * the features' gradient reaches the LSTM, the attributes' the attribute MLP. */
void netshare__generator_forward_real_condition(netshare__generator *g, netshare__rng *r,
                                                int batch, const float *real_attributes,
                                                float *attributes);

/* Attributes only (BatchNorm running averages, as for generation): what the sampler
 * draws before it knows which rows it keeps. */
void netshare__generator_forward_attributes(netshare__generator *g, netshare__rng *r,
                                            int batch);

/* Features only, conditioned on the given attributes (batch x A, e.g. chosen by the
 * sampler): the attribute MLP is bypassed and backward() must not follow. */
void netshare__generator_forward_given(netshare__generator *g, netshare__rng *r, int batch,
                                       const float *attributes);
/* Set the BatchNorm running statistics to those of the current weights: each layer's
 * mean and unbiased variance averaged over NETSHARE__BN_ESTIMATE_SAMPLES samples of fresh
 * noise (batches of max_batch, each normalised with its own statistics as in training;
 * SWA's bn_update), from a fixed seed. The statistics the generator had do not enter, so
 * the result depends on the weights alone. Why: training's running averages (NetShare's
 * momentum 0.9) are mostly the last batch's, 100 samples of weights that have since
 * moved, and an average of weights carries averages of such statistics. */
#define NETSHARE__BN_ESTIMATE_SAMPLES 2048
#define NETSHARE__BN_ESTIMATE_SEED 0x62e2ac0d
void netshare__generator_estimate_bn(netshare__generator *g);

/* Copy every weight and BatchNorm statistic from a generator of the same shape. */
netshare_status netshare__generator_copy_weights(netshare__generator *dst,
                                                 const netshare__generator *src);
/* Backpropagate d(attributes) (B x A) and d(features) (B x T x F) of the last forward
 * into the weight gradients. The features' conditioning on the attributes carries no
 * gradient (DESIGN.md section 5), so the two halves touch disjoint tensors and buffers
 * and may run on two threads at once; backward() is the one after the other. dattr may
 * be modified. */
void netshare__generator_backward(netshare__generator *g, float *dattr, const float *dfeat);
void netshare__generator_backward_features(netshare__generator *g, const float *dfeat);
void netshare__generator_backward_attributes(netshare__generator *g, float *dattr);

/* The generator's tensors in one fixed order, the model file's: each trained tensor
 * with its gradient, then the BatchNorm running statistics (grad NULL). */
#define NETSHARE__GEN_MAX_TENSORS (6 * NETSHARE__GEN_MAX_LAYERS + 10)
typedef struct netshare__gen_tensor {
	float *w, *grad;
	size_t size;
} netshare__gen_tensor;
/* Fills t (NETSHARE__GEN_MAX_TENSORS entries) and returns how many there are. */
size_t netshare__generator_tensors(netshare__generator *g, netshare__gen_tensor *t);

/* Register every trained tensor with an optimiser, in that order. */
struct netshare__adam;
netshare_status netshare__generator_register(netshare__generator *g, struct netshare__adam *a);

#endif
