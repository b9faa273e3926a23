/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Standard normal deviates by Marsaglia and Tsang's ziggurat (2000), 128 layers, for bulk
 * noise (DP-SGD adds one to every critic weight at every step, millions per iteration,
 * where the polar method's log and sqrt per pair dominated). Exact up to the 31-bit
 * resolution of the layer coordinate. As Doornik (2005) advises, the layer index comes
 * from other bits of the 64-bit draw than the coordinate, so the two are independent.
 */
#include <math.h>
#include <pthread.h>

#include "rng.h"

#define LAYERS 128
/* The rightmost layer's edge R and each layer's area V for 128 layers (Marsaglia and
 * Tsang's constants). */
#define EDGE 3.442619855899
#define AREA 9.91256303526217e-3

static uint32_t k_table[LAYERS];
static double w_table[LAYERS], f_table[LAYERS];
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

static void
make_tables(void)
{
	const double m1 = 2147483648.0;
	double d = EDGE, t = d, q = AREA / exp(-0.5 * d * d);
	k_table[0] = (uint32_t)(d / q * m1);
	k_table[1] = 0;
	w_table[0] = q / m1;
	w_table[LAYERS - 1] = d / m1;
	f_table[0] = 1.0;
	f_table[LAYERS - 1] = exp(-0.5 * d * d);
	for (int i = LAYERS - 2; i >= 1; i--) {
		d = sqrt(-2.0 * log(AREA / d + exp(-0.5 * d * d)));
		k_table[i + 1] = (uint32_t)(d / t * m1);
		t = d;
		f_table[i] = exp(-0.5 * d * d);
		w_table[i] = d / m1;
	}
}

/* Uniform in (0, 1): never 0, so its log is finite. */
static double
open_uniform(netshare__rng *r)
{
	return ((double)(netshare__rng_next(r) >> 11) + 0.5) * (1.0 / 9007199254740992.0);
}

static double
normal(netshare__rng *r)
{
	for (;;) {
		uint64_t u = netshare__rng_next(r);
		int32_t hz = (int32_t)(uint32_t)(u >> 32);
		unsigned iz = (unsigned)u & (LAYERS - 1);
		uint32_t mag = hz < 0 ? (uint32_t)-(int64_t)hz : (uint32_t)hz;
		double x = hz * w_table[iz];
		if (mag < k_table[iz])
			return x; /* inside the layer's rectangle: ~99 % of draws */
		if (iz == 0) { /* the tail beyond EDGE */
			double a, b;
			do {
				a = -log(open_uniform(r)) / EDGE;
				b = -log(open_uniform(r));
			} while (b + b < a * a);
			return hz > 0 ? EDGE + a : -EDGE - a;
		}
		if (f_table[iz] + open_uniform(r) * (f_table[iz - 1] - f_table[iz]) < exp(-0.5 * x * x))
			return x;
	}
}

void
netshare__rng_add_normalf(netshare__rng *r, float *x, size_t n, double std)
{
	pthread_once(&tables_once, make_tables);
	for (size_t i = 0; i < n; i++)
		x[i] += (float)(std * normal(r));
}
