/* SPDX-License-Identifier: BSD-3-Clause */
/* Internal: the Adam optimiser (PyTorch's update, no amsgrad) over registered tensors. */
#ifndef NETSHARE_NN_ADAM_H
#define NETSHARE_NN_ADAM_H

#include <stddef.h>

#include <netshare/common.h>

/* Tensors one optimiser may hold: enough for the deepest generator the parameters
 * allow (lib/dg/generator.c asserts it). */
#define NETSHARE__ADAM_MAX_TENSORS 128

typedef struct netshare__adam {
	float lr, beta1, beta2, eps;
	long step;
	size_t n;
	struct {
		float *param, *grad, *m, *v;
		size_t size;
	} t[NETSHARE__ADAM_MAX_TENSORS];
} netshare__adam;

void netshare__adam_init(netshare__adam *a, float lr, float beta1, float beta2, float eps);
/* Register a parameter tensor and its gradient (EINVAL past the limit, ENOMEM). */
netshare_status netshare__adam_add(netshare__adam *a, float *param, float *grad, size_t size);
/* One update of every registered tensor from its gradient. */
void netshare__adam_step(netshare__adam *a);
void netshare__adam_free(netshare__adam *a);

#endif
