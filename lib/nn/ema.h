/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal: an exponential moving average of a network's weights (Polyak averaging as
 * GANs use it: Yazici et al., "The Unusual Effectiveness of Averaging in GAN Training",
 * ICLR 2019). After each optimiser step, avg = b avg + (1 - b) w with
 * b = min(decay, (1 + u) / (10 + u)) at the u-th update, so that the first random
 * weights do not linger in the average. The network trains on its own weights; the
 * averages are what it generates with.
 */
#ifndef NETSHARE_NN_EMA_H
#define NETSHARE_NN_EMA_H

#include <stddef.h>
#include <stdint.h>

#include <netshare/common.h>

typedef struct netshare__ema {
	double decay;    /* 0: off (add and update do nothing) */
	uint64_t updates;
	size_t n;        /* floats in all */
	size_t count;    /* tensors */
	float *avg;      /* n floats: the averages, tensor after tensor in the order added */
	struct netshare__ema_tensor {
		const float *live;
		size_t size;
	} *t;
} netshare__ema;

void netshare__ema_init(netshare__ema *e, double decay);
/* Average the tensor `live` of `size` floats too, starting from its current values
 * (ENOMEM). */
netshare_status netshare__ema_add(netshare__ema *e, const float *live, size_t size);
/* One update of every average from the live tensors. */
void netshare__ema_update(netshare__ema *e);
/* Restart the averages at the live values (after the live weights were replaced). */
void netshare__ema_reset(netshare__ema *e);
/* Restart them at `from`'s averages instead, when it averages as many floats (else as
 * netshare__ema_reset); the count of updates restarts either way. */
void netshare__ema_start_from(netshare__ema *e, const netshare__ema *from);
void netshare__ema_free(netshare__ema *e);

#endif
