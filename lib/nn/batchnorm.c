/* SPDX-License-Identifier: BSD-3-Clause */
/* BatchNorm1d forward (training and inference) and backward (see batchnorm.h). */
#include "batchnorm.h"

#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"

netshare_status
netshare__batchnorm_init(netshare__batchnorm *bn, int dim, float eps, float momentum)
{
	memset(bn, 0, sizeof *bn);
	bn->dim = dim;
	bn->eps = eps;
	bn->momentum = momentum;
	float **bufs[] = { &bn->gamma, &bn->beta, &bn->dgamma, &bn->dbeta, &bn->running_mean,
	                   &bn->running_var, &bn->mean, &bn->inv_std };
	for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++)
		if (!(*bufs[i] = netshare__calloc((size_t)dim, sizeof(float)))) {
			netshare__batchnorm_free(bn);
			return netshare__error_oom("batch normalisation");
		}
	if (!(bn->sum = netshare__calloc((size_t)dim, sizeof(double))) ||
	    !(bn->sum2 = netshare__calloc((size_t)dim, sizeof(double)))) {
		netshare__batchnorm_free(bn);
		return netshare__error_oom("batch normalisation");
	}
	for (int j = 0; j < dim; j++)
		bn->gamma[j] = bn->running_var[j] = 1.0f;
	return NETSHARE_OK;
}

void
netshare__batchnorm_free(netshare__batchnorm *bn)
{
	netshare__free(bn->gamma);
	netshare__free(bn->beta);
	netshare__free(bn->dgamma);
	netshare__free(bn->dbeta);
	netshare__free(bn->running_mean);
	netshare__free(bn->running_var);
	netshare__free(bn->mean);
	netshare__free(bn->inv_std);
	netshare__free(bn->sum);
	netshare__free(bn->sum2);
	memset(bn, 0, sizeof *bn);
}

void
netshare__batchnorm_zero_grad(netshare__batchnorm *bn)
{
	memset(bn->dgamma, 0, (size_t)bn->dim * sizeof *bn->dgamma);
	memset(bn->dbeta, 0, (size_t)bn->dim * sizeof *bn->dbeta);
}

/* The column sums run row by row (each column's terms in row order, as a column-wise
 * loop adds them, but over contiguous memory and vectorised across columns). */
void
netshare__batchnorm_forward_train(netshare__batchnorm *bn, const float *x, int batch,
                                  float *xhat, float *y)
{
	int d = bn->dim;
	double *s = bn->sum, *s2 = bn->sum2;
	memset(s, 0, (size_t)d * sizeof *s);
	memset(s2, 0, (size_t)d * sizeof *s2);
	for (int i = 0; i < batch; i++)
		for (int j = 0; j < d; j++)
			s[j] += x[(size_t)i * d + j];
	for (int j = 0; j < d; j++)
		s[j] /= batch; /* the mean */
	for (int i = 0; i < batch; i++)
		for (int j = 0; j < d; j++) {
			double c = x[(size_t)i * d + j] - s[j];
			s2[j] += c * c;
		}
	for (int j = 0; j < d; j++) {
		double mean = s[j], var = s2[j] / batch;
		bn->mean[j] = (float)mean;
		bn->inv_std[j] = (float)(1.0 / sqrt(var + bn->eps));
		double unbiased = batch > 1 ? s2[j] / (batch - 1) : var;
		bn->running_mean[j] = (1 - bn->momentum) * bn->running_mean[j] + bn->momentum * (float)mean;
		bn->running_var[j] = (1 - bn->momentum) * bn->running_var[j] +
		                     bn->momentum * (float)unbiased;
	}
	for (int i = 0; i < batch; i++)
		for (int j = 0; j < d; j++) {
			size_t k = (size_t)i * d + j;
			xhat[k] = (x[k] - bn->mean[j]) * bn->inv_std[j];
			y[k] = bn->gamma[j] * xhat[k] + bn->beta[j];
		}
}

void
netshare__batchnorm_forward_eval(const netshare__batchnorm *bn, const float *x, int batch,
                                 float *y)
{
	int d = bn->dim;
	for (int i = 0; i < batch; i++)
		for (int j = 0; j < d; j++) {
			size_t k = (size_t)i * d + j;
			y[k] = bn->gamma[j] * (x[k] - bn->running_mean[j]) /
			       sqrtf(bn->running_var[j] + bn->eps) + bn->beta[j];
		}
}

void
netshare__batchnorm_backward(netshare__batchnorm *bn, const float *xhat, const float *dy,
                             int batch, float *dx)
{
	int d = bn->dim;
	double *sdy = bn->sum, *sdyx = bn->sum2;
	memset(sdy, 0, (size_t)d * sizeof *sdy);
	memset(sdyx, 0, (size_t)d * sizeof *sdyx);
	for (int i = 0; i < batch; i++)
		for (int j = 0; j < d; j++) {
			size_t k = (size_t)i * d + j;
			sdy[j] += dy[k];
			sdyx[j] += dy[k] * xhat[k];
		}
	for (int j = 0; j < d; j++) {
		bn->dbeta[j] += (float)sdy[j];
		bn->dgamma[j] += (float)sdyx[j];
	}
	/* dx = gamma * inv_std / B * (B dy - sum dy - xhat sum(dy xhat)) */
	for (int i = 0; i < batch; i++)
		for (int j = 0; j < d; j++) {
			size_t k = (size_t)i * d + j;
			double scale = bn->gamma[j] * bn->inv_std[j] / batch;
			dx[k] = (float)(scale * (batch * dy[k] - sdy[j] - xhat[k] * sdyx[j]));
		}
}
