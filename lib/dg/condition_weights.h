/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal: weights of a flow's condition for the critics' losses (an experiment of
 * time-to-quality, netshare__dg_params.condition_balance). A row's condition is the
 * combination of its attributes' class heads' argmaxes; with c the training rows that
 * share it, its weight is c^-alpha, scaled so that the training rows' mean weight is 1.
 * D's loss weighs each real and fake row by its condition's weight, the same function
 * on both sides, so the optimum (generated = real, condition by condition) is
 * unchanged, but rare conditions' rows weigh more in every step: on caida-10k the
 * services the per-service metrics score are 9 % of the flows (docs/DEVELOPING.md,
 * "Whose flows the per-service metrics score").
 */
#ifndef NETSHARE_DG_CONDITION_WEIGHTS_H
#define NETSHARE_DG_CONDITION_WEIGHTS_H

#include <netshare/common.h>

#include "core/intern.h"
#include "nn/heads.h"

typedef struct netshare__cond_weights {
	const netshare__head *heads; /* borrowed: the attribute heads */
	size_t n_heads;
	netshare__intern conditions; /* the data's, keyed by their class heads' argmaxes */
	float *key_weight;           /* the weight of each (by id) */
	float unseen;                /* the weight of a condition the data lacks (c = 1) */
	float *row_weight;           /* each training row's */
	const float *attr;           /* the rows they were computed for */
	size_t n_rows;
} netshare__cond_weights;

/* Weights of the n rows of attr (n x A) with exponent alpha > 0. Replaces what cw held
 * (zero it before the first call). */
netshare_status netshare__cond_weights_build(netshare__cond_weights *cw,
                                             const netshare__head *heads, size_t n_heads,
                                             size_t A, const float *attr, size_t n,
                                             double alpha);
/* The weight of a row of A attributes (generated ones: the argmax of each class head). */
float netshare__cond_weights_of(const netshare__cond_weights *cw, const float *row);
void netshare__cond_weights_free(netshare__cond_weights *cw);

#endif
