/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench-train: one training iteration at NetShare's default pcap shape (batch 100,
 * T = 130 records in 13 steps of sample_len 10, F = 11 per record, A = 159; attribute
 * generator 5 x 512, LSTM 100, D and aux-D 5 x 512, d_rounds 5), on random data.
 * Trains as netshare_model_train trains chunk 0: with THREADS > 1 (OPENBLAS_NUM_THREADS),
 * the two critics side by side on two threads, OpenBLAS single-threaded; then, in the
 * same run, the same steps with OpenBLAS's threads inside each product instead
 * (blas_threads_*, the way of releases before 1.4).
 * Reports sec_per_iter; gflop_per_iter, the matrix products' FLOPs (2 M N K per sgemm
 * call, counted by wrapping cblas_sgemm); the achieved gflops; the machine's
 * sgemm_gflops measured in the same run (a 1024^3 product on THREADS threads) and
 * sgemm_ratio, the achieved share of it.
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
#include "core/threadpool.h"
#include "dg/trainer.h"
#include "sgemm-next.h"

/* FLOPs of the matrix products run so far: this definition of cblas_sgemm takes the
 * place of OpenBLAS's for the library's calls too, counts, and calls OpenBLAS's. */
static _Atomic unsigned long long sgemm_flops;

void
cblas_sgemm(const enum CBLAS_ORDER o, const enum CBLAS_TRANSPOSE ta,
            const enum CBLAS_TRANSPOSE tb, const blasint M, const blasint N, const blasint K,
            const float alpha, const float *A, const blasint lda, const float *B,
            const blasint ldb, const float beta, float *C, const blasint ldc)
{
	sgemm_flops += 2ull * (unsigned long long)M * (unsigned long long)N * (unsigned long long)K;
	sgemm_next()(o, ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

/* Seconds per iteration of `iters` iterations after a warm-up one, and the products'
 * GFLOPs per iteration. */
static double
time_training(netshare__dg *m, const float *attr, const float *feat, size_t n, long iters,
              double *gflop)
{
	if (netshare__dg_train(m, attr, feat, n, 1, NULL, NULL, 0) < 0)
		exit(1);
	unsigned long long f0 = sgemm_flops;
	double t0 = netshare__now();
	if (netshare__dg_train(m, attr, feat, n, iters, NULL, NULL, 0) < 0)
		exit(1);
	double sec = (netshare__now() - t0) / (double)iters;
	*gflop = (double)(sgemm_flops - f0) / (double)iters / 1e9;
	return sec;
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
	/* The best of at least 10 products and half a second of them: with two threads the
	 * rate varies from product to product, and from process to process too
	 * (docs/DEVELOPING.md, "The reference itself"), so compare two-thread ratios over
	 * several runs. */
	double best = 1e30, start = netshare__now();
	for (int r = 0; r < 10 || netshare__now() - start < 0.5; r++) {
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
	int threads = openblas_get_num_threads();
	netshare__pool *pool = NULL;
	if (threads > 1 && netshare__pool_new(&pool, (unsigned)threads) < 0)
		return 1;
	netshare__dg_train_on(&m, pool);
	double gflop, blas_gflop = 0, blas_sec = 0, dp_sec = 0;
	double sec = time_training(&m, attr, feat, N, iters, &gflop);
	if (pool) {
		netshare__dg_train_on(&m, NULL);
		blas_sec = time_training(&m, attr, feat, N, iters, &blas_gflop);
	}
	if (argc > 2 && strcmp(argv[2], "dp") == 0) {
		netshare__dg_params q = p;
		q.dp_clip = 1;
		q.dp_sigma = 1;
		netshare__dg dp;
		double unused;
		if (netshare__dg_init(&dp, &s, &q, 1) < 0)
			return 1;
		dp_sec = time_training(&dp, attr, feat, N, iters, &unused);
		netshare__dg_free(&dp);
	}

	double sgemm = sgemm_gflops();
	printf("{\"bench\":\"train\",\"batch\":%d,\"T\":%d,\"F\":%d,\"A\":%d,\"d_rounds\":%d,"
	       "\"threads\":%d,\"sec_per_iter\":%.4f,\"gflop_per_iter\":%.2f,\"gflops\":%.1f,"
	       "\"sgemm_gflops\":%.1f,\"sgemm_ratio\":%.3f,\"openblas_core\":\"%s\"",
	       p.batch, T, F, A, p.d_rounds, threads, sec, gflop, gflop / sec, sgemm,
	       gflop / sec / sgemm, openblas_get_corename());
	if (blas_sec > 0)
		printf(",\"blas_threads_sec_per_iter\":%.4f,\"blas_threads_sgemm_ratio\":%.3f,"
		       "\"speedup_over_blas_threads\":%.2f", blas_sec, blas_gflop / blas_sec / sgemm,
		       blas_sec / sec);
	if (dp_sec > 0)
		printf(",\"dp_sec_per_iter\":%.4f,\"dp_cost_ratio\":%.2f", dp_sec, dp_sec / sec);
	printf("}\n");
	netshare__dg_free(&m);
	netshare__pool_free(pool);
	free(attr);
	free(feat);
	return 0;
}
