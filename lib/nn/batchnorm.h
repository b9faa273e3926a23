/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal: BatchNorm1d as PyTorch defines it (NetShare's attribute generator): training
 * normalises with the batch's mean and biased variance and updates running averages
 * (running = (1 - momentum) * running + momentum * batch, unbiased variance, torch's
 * momentum 0.9 in NetShare); generation uses the running averages.
 */
#ifndef NETSHARE_NN_BATCHNORM_H
#define NETSHARE_NN_BATCHNORM_H

#include <netshare/common.h>

typedef struct netshare__batchnorm {
	int dim;
	float eps, momentum;
	float *gamma, *beta, *dgamma, *dbeta;
	float *running_mean, *running_var;
	float *mean, *inv_std;   /* of the last training batch, for backward */
	double *sum, *sum2;      /* per-column sums of a pass (scratch) */
} netshare__batchnorm;

netshare_status netshare__batchnorm_init(netshare__batchnorm *bn, int dim, float eps,
                                         float momentum);
void netshare__batchnorm_free(netshare__batchnorm *bn);
void netshare__batchnorm_zero_grad(netshare__batchnorm *bn);

/* y = gamma * xhat + beta. Training: xhat (B x dim) is kept for backward (it may be a
 * separate buffer from y); the running averages are updated. Inference: uses them. */
void netshare__batchnorm_forward_train(netshare__batchnorm *bn, const float *x, int batch,
                                       float *xhat, float *y);
void netshare__batchnorm_forward_eval(const netshare__batchnorm *bn, const float *x, int batch,
                                      float *y);
/* Accumulates dgamma, dbeta; writes dx (B x dim). */
void netshare__batchnorm_backward(netshare__batchnorm *bn, const float *xhat, const float *dy,
                                  int batch, float *dx);

#endif
