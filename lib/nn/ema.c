/* SPDX-License-Identifier: BSD-3-Clause */
/* Moving averages of weights (see ema.h). */
#include "ema.h"

#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/simd.h"

void
netshare__ema_init(netshare__ema *e, double decay)
{
	memset(e, 0, sizeof *e);
	e->decay = decay;
}

netshare_status
netshare__ema_add(netshare__ema *e, const float *live, size_t size)
{
	if (!(e->decay > 0))
		return NETSHARE_OK;
	float *avg = netshare__reallocarray(e->avg, e->n + size, sizeof *avg);
	if (avg)
		e->avg = avg;
	struct netshare__ema_tensor *t = avg ? netshare__reallocarray(e->t, e->count + 1,
	                                                               sizeof *t) : NULL;
	if (!t)
		return netshare__error_oom("weight average");
	e->t = t;
	memcpy(e->avg + e->n, live, size * sizeof *live);
	e->t[e->count++] = (struct netshare__ema_tensor){ live, size };
	e->n += size;
	return NETSHARE_OK;
}

NETSHARE__ELEMENTWISE static void
blend(float *restrict avg, const float *restrict live, size_t n, float b)
{
	float a = 1.0f - b;
	for (size_t i = 0; i < n; i++)
		avg[i] = b * avg[i] + a * live[i];
}

void
netshare__ema_update(netshare__ema *e)
{
	if (!e->count)
		return;
	double u = (double)e->updates++;
	double b = (1 + u) / (10 + u);
	if (b > e->decay)
		b = e->decay;
	float *avg = e->avg;
	for (size_t k = 0; k < e->count; k++) {
		blend(avg, e->t[k].live, e->t[k].size, (float)b);
		avg += e->t[k].size;
	}
}

void
netshare__ema_reset(netshare__ema *e)
{
	float *avg = e->avg;
	for (size_t k = 0; k < e->count; k++) {
		memcpy(avg, e->t[k].live, e->t[k].size * sizeof *avg);
		avg += e->t[k].size;
	}
	e->updates = 0;
}

void
netshare__ema_start_from(netshare__ema *e, const netshare__ema *from)
{
	if (!e->n || e->n != from->n) {
		netshare__ema_reset(e);
		return;
	}
	memcpy(e->avg, from->avg, e->n * sizeof *e->avg);
	e->updates = 0;
}

void
netshare__ema_free(netshare__ema *e)
{
	netshare__free(e->avg);
	netshare__free(e->t);
	memset(e, 0, sizeof *e);
}
