/* SPDX-License-Identifier: BSD-3-Clause */
/* Internal: weight initialisers beyond the dense layer's own (orthogonal matrices). */
#ifndef NETSHARE_NN_INIT_H
#define NETSHARE_NN_INIT_H

#include <netshare/common.h>

#include "core/rng.h"

/* w (rows x cols, row-major) with orthonormal columns (rows >= cols) or rows (rows < cols),
 * like torch.nn.init.orthogonal_: Gram-Schmidt on a Gaussian matrix. ENOMEM. */
netshare_status netshare__init_orthogonal(float *w, int rows, int cols, netshare__rng *r);

#endif
