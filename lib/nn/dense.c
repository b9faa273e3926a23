/* SPDX-License-Identifier: BSD-3-Clause */
/* Dense layer forward/backward through matrix products (see dense.h). */
#include "dense.h"

#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "gemm.h"

netshare_status
netshare__dense_init(netshare__dense *d, int in, int out)
{
	memset(d, 0, sizeof *d);
	if (in < 1 || out < 1)
		return netshare__error(NETSHARE_EINVAL, "dense layer %d x %d: sizes must be >= 1",
		                       in, out);
	d->in = in;
	d->out = out;
	size_t n = (size_t)in * (size_t)out;
	d->w = netshare__calloc(n, sizeof *d->w);
	d->dw = netshare__calloc(n, sizeof *d->dw);
	d->b = netshare__calloc((size_t)out, sizeof *d->b);
	d->db = netshare__calloc((size_t)out, sizeof *d->db);
	if (!d->w || !d->dw || !d->b || !d->db) {
		netshare__dense_free(d);
		return netshare__error_oom("dense layer");
	}
	return NETSHARE_OK;
}

void
netshare__dense_free(netshare__dense *d)
{
	netshare__free(d->w);
	netshare__free(d->dw);
	netshare__free(d->b);
	netshare__free(d->db);
	memset(d, 0, sizeof *d);
}

void
netshare__dense_zero_grad(netshare__dense *d)
{
	memset(d->dw, 0, (size_t)d->in * (size_t)d->out * sizeof *d->dw);
	memset(d->db, 0, (size_t)d->out * sizeof *d->db);
}

void
netshare__dense_forward(const netshare__dense *d, const float *x, int batch, float *y)
{
	for (int i = 0; i < batch; i++)
		memcpy(y + (size_t)i * d->out, d->b, (size_t)d->out * sizeof *y);
	netshare__sgemm(d->pool, d->parts, CblasNoTrans, CblasTrans, batch, d->out, d->in, 1.0f,
	                x, d->in, d->w, d->in, 1.0f, y, d->out);
}

void
netshare__dense_backward(netshare__dense *d, const float *x, const float *dy, int batch,
                         float *dx)
{
	netshare__sgemm(d->pool, d->parts, CblasTrans, CblasNoTrans, d->out, d->in, batch, 1.0f,
	                dy, d->out, x, d->in, 1.0f, d->dw, d->in);
	for (int i = 0; i < batch; i++)
		for (int j = 0; j < d->out; j++)
			d->db[j] += dy[(size_t)i * d->out + j];
	if (dx)
		netshare__dense_backward_input(d, dy, batch, dx);
}

void
netshare__dense_backward_input(const netshare__dense *d, const float *dy, int batch, float *dx)
{
	netshare__sgemm(d->pool, d->parts, CblasNoTrans, CblasNoTrans, batch, d->in, d->out, 1.0f,
	                dy, d->out, d->w, d->in, 0.0f, dx, d->in);
}

static void
fill_uniform(netshare__rng *r, float *x, size_t n, float a)
{
	for (size_t i = 0; i < n; i++)
		x[i] = (2.0f * netshare__rng_uniformf(r) - 1.0f) * a;
}

void
netshare__dense_init_xavier(netshare__dense *d, netshare__rng *r)
{
	fill_uniform(r, d->w, (size_t)d->in * (size_t)d->out,
	             sqrtf(6.0f / (float)(d->in + d->out)));
	memset(d->b, 0, (size_t)d->out * sizeof *d->b);
}

void
netshare__dense_init_torch_default(netshare__dense *d, netshare__rng *r)
{
	float a = 1.0f / sqrtf((float)d->in);
	fill_uniform(r, d->w, (size_t)d->in * (size_t)d->out, a);
	fill_uniform(r, d->b, (size_t)d->out, a);
}

netshare_status
netshare__dense_copy(netshare__dense *dst, const netshare__dense *src)
{
	if (dst->in != src->in || dst->out != src->out)
		return netshare__error(NETSHARE_EINVAL, "layer %d x %d cannot take weights of %d x %d",
		                       dst->out, dst->in, src->out, src->in);
	memcpy(dst->w, src->w, (size_t)dst->in * dst->out * sizeof(float));
	memcpy(dst->b, src->b, (size_t)dst->out * sizeof(float));
	return NETSHARE_OK;
}
