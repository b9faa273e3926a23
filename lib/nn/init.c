/* SPDX-License-Identifier: BSD-3-Clause */
/* Orthogonal initialisation by modified Gram-Schmidt in double precision. */
#include "init.h"

#include <math.h>

#include "core/alloc.h"
#include "core/error.h"

netshare_status
netshare__init_orthogonal(float *w, int rows, int cols, netshare__rng *r)
{
	/* Orthonormalise the `k` vectors of length `len`: columns when tall, rows when wide. */
	int tall = rows >= cols, k = tall ? cols : rows, len = tall ? rows : cols;
	double *q = netshare__mallocarray((size_t)k * (size_t)len, sizeof *q);
	if (!q)
		return netshare__error_oom("orthogonal initialisation");
	for (size_t i = 0; i < (size_t)k * (size_t)len; i++)
		q[i] = netshare__rng_normal(r);
	for (int a = 0; a < k; a++) {
		double *va = q + (size_t)a * len;
		for (int b = 0; b < a; b++) {
			const double *vb = q + (size_t)b * len;
			double dot = 0;
			for (int i = 0; i < len; i++)
				dot += va[i] * vb[i];
			for (int i = 0; i < len; i++)
				va[i] -= dot * vb[i];
		}
		double norm = 0;
		for (int i = 0; i < len; i++)
			norm += va[i] * va[i];
		norm = sqrt(norm);
		for (int i = 0; i < len; i++)
			va[i] /= norm;
	}
	for (int a = 0; a < k; a++)
		for (int i = 0; i < len; i++)
			w[tall ? (size_t)i * cols + a : (size_t)a * cols + i] = (float)q[(size_t)a * len + i];
	netshare__free(q);
	return NETSHARE_OK;
}
