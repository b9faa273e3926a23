/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench-train: one training iteration at NetShare's default pcap shape (batch 100,
 * T = 130 records in 13 steps of sample_len 10, F = 11 per record, A = 159; attribute
 * generator 5 x 512, LSTM 100, D and aux-D 5 x 512, d_rounds 5), on random data.
 * Reports sec_per_iter, gflop_per_iter counted from the layer shapes, the achieved
 * gflops, the machine's sgemm_gflops measured in the same run (a 1024^3 product, same
 * thread count) and sgemm_ratio, the achieved share of it.
 * OpenBLAS kernels are chosen as `netshare train` chooses them (cli/blas_kernels.c);
 * NETSHARE_KEEP_BLAS=1 keeps OpenBLAS's own choice, for comparison.
 * With "dp", the same shape trains again with DP-SGD on both critics (clip 1, noise
 * multiplier 1) in the same run: dp_sec_per_iter and dp_cost_ratio, DP over plain.
 * Usage: bench-train [ITERATIONS [dp]]
 */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blas_kernels.h"
#include "core/clock.h"
#include "core/rng.h"
#include "dg/trainer.h"

/* FLOPs of one forward pass of a ReLU MLP critic on one sample. */
static double
mlp_flops(double in, double units, int hidden)
{
	return 2 * (in * units + (hidden - 1) * units * units + units);
}

static double
sgemm_gflops(void)
{
	enum { N = 1024 };
	float *a = malloc(sizeof(float) * N * N), *b = malloc(sizeof(float) * N * N),
	      *c = malloc(sizeof(float) * N * N);
	for (size_t i = 0; i < (size_t)N * N; i++)
		a[i] = b[i] = 1e-3f * (float)(i % 7);
	cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, N, N, N, 1, a, N, b, N, 0, c, N);
	double best = 1e30;
	for (int r = 0; r < 5; r++) {
		double t0 = netshare__now();
		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, N, N, N, 1, a, N, b, N, 0, c, N);
		double t = netshare__now() - t0;
		best = t < best ? t : best;
	}
	free(a);
	free(b);
	free(c);
	return 2.0 * N * N * N / best / 1e9;
}

int
main(int argc, char **argv)
{
	cli_pick_blas_kernels(argv); /* as netshare train does */
	long iters = argc > 1 ? atol(argv[1]) : 5;
	netshare__gen_shape s;
	memset(&s, 0, sizeof s);
	s.attr_noise = s.feat_noise = 5;
	s.attr_layers = 5;
	s.attr_units = 512;
	s.lstm_units = 100;
	s.sample_len = 10;
	s.steps = 13;
	/* attributes: 64 address bits as 2-way softmax heads, 3 word2vec (tanh 10), flow start */
	size_t n = 0, off = 0;
	for (int i = 0; i < 64; i++, off += 2)
		s.attr_heads[n++] = (netshare__head){ off, 2, 0 };
	for (int i = 0; i < 3; i++, off += 10)
		s.attr_heads[n++] = (netshare__head){ off, 10, 2 };
	s.attr_heads[n++] = (netshare__head){ off++, 1, 1 };
	s.n_attr_heads = n;
	s.A = (int)off;
	/* a record: interarrival, length, tos, id (sigmoid), flags (softmax 3), offset, ttl,
	 * gen flag (softmax 2) */
	const netshare__head fh[] = { { 0, 1, 1 }, { 1, 1, 1 }, { 2, 1, 1 }, { 3, 1, 1 },
	                              { 4, 3, 0 }, { 7, 1, 1 }, { 8, 1, 1 }, { 9, 2, 0 } };
	memcpy(s.feat_heads, fh, sizeof fh);
	s.n_feat_heads = 8;
	s.F = 11;
	s.gen_offset = 9;
	netshare__dg_params p;
	netshare__dg_params_default(&p);
	netshare__dg m;
	if (netshare__dg_init(&m, &s, &p, 1) < 0)
		return 1;
	int T = s.sample_len * s.steps, A = s.A, F = s.F;
	size_t N = 1000;
	float *attr = malloc(sizeof(float) * N * A), *feat = malloc(sizeof(float) * N * T * F);
	netshare__rng r;
	netshare__rng_seed(&r, 2);
	for (size_t i = 0; i < N * A; i++)
		attr[i] = netshare__rng_uniformf(&r);
	for (size_t i = 0; i < N * T * F; i++)
		feat[i] = netshare__rng_uniformf(&r);
	netshare__dg_train(&m, attr, feat, N, 1, NULL, NULL, 0); /* warm-up */
	double t0 = netshare__now();
	if (netshare__dg_train(&m, attr, feat, N, iters, NULL, NULL, 0) < 0)
		return 1;
	double sec = (netshare__now() - t0) / (double)iters, dp_sec = 0;
	if (argc > 2 && strcmp(argv[2], "dp") == 0) {
		netshare__dg_params q = p;
		q.dp_clip = 1;
		q.dp_sigma = 1;
		netshare__dg dp;
		if (netshare__dg_init(&dp, &s, &q, 1) < 0 ||
		    netshare__dg_train(&dp, attr, feat, N, 1, NULL, NULL, 0) < 0)
			return 1;
		t0 = netshare__now();
		if (netshare__dg_train(&dp, attr, feat, N, iters, NULL, NULL, 0) < 0)
			return 1;
		dp_sec = (netshare__now() - t0) / (double)iters;
		netshare__dg_free(&dp);
	}

	/* FLOPs, counted per sample from the shapes: a forward pass is 1 unit, a backward
	 * with input gradient 2, weights only ~1, the gradient penalty ~4 (forward, delta
	 * chain, a chain, dW). A critic step: fake + real forward and weight backward
	 * (2 x 2) + GP (4) = 8 units. */
	double B = p.batch, X = (double)T * F + A;
	double d = mlp_flops(X, p.disc_units, p.disc_layers - 1);
	double da = mlp_flops(A, p.aux_disc_units, p.aux_disc_layers - 1);
	double g = mlp_flops(s.attr_noise, s.attr_units, s.attr_layers - 1) - 2 * s.attr_units +
	           2.0 * s.attr_units * A +
	           2.0 * s.steps * (4.0 * s.lstm_units * (A + s.feat_noise + s.lstm_units)) +
	           2.0 * s.steps * s.lstm_units * s.sample_len * F;
	double per_sample = p.d_rounds * (g + 8 * d + 8 * da) + p.g_rounds * (3 * g + 3 * d + 3 * da);
	double gflop = per_sample * B / 1e9;
	double sgemm = sgemm_gflops();
	printf("{\"bench\":\"train\",\"batch\":%d,\"T\":%d,\"F\":%d,\"A\":%d,\"d_rounds\":%d,"
	       "\"threads\":%d,\"sec_per_iter\":%.4f,\"gflop_per_iter\":%.2f,\"gflops\":%.1f,"
	       "\"sgemm_gflops\":%.1f,\"sgemm_ratio\":%.3f,\"openblas_core\":\"%s\"",
	       p.batch, T, F, A, p.d_rounds, openblas_get_num_threads(), sec, gflop, gflop / sec,
	       sgemm, gflop / sec / sgemm, openblas_get_corename());
	if (dp_sec > 0)
		printf(",\"dp_sec_per_iter\":%.4f,\"dp_cost_ratio\":%.2f", dp_sec, dp_sec / sec);
	printf("}\n");
	netshare__dg_free(&m);
	free(attr);
	free(feat);
	return 0;
}
