/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sgemm-shapes: where the matrix products' time goes, by shape. Preloaded into any
 * program that calls cblas_sgemm (bench-train, time-to-quality, the CLI), it times every
 * call and, when the program exits, writes one line per (transposes, M, N, K): calls,
 * seconds, GFLOP/s, then a last line with the totals.
 *   LD_PRELOAD=build/bench/libsgemm-shapes.so SGEMM_SHAPES_OUT=shapes.txt \
 *     OPENBLAS_NUM_THREADS=1 build/bench/bench-train 5
 * Columns: ta tb M N K calls seconds gflops (ta, tb: CBLAS_TRANSPOSE values, 111 none,
 * 112 transposed). Without SGEMM_SHAPES_OUT it writes to standard error. The timer
 * wraps each call, so it costs ~1 % of a run of small products; the totals are for
 * comparing shapes, not for the run's own rate (docs/DEVELOPING.md, "Where one
 * thread's 0.83 goes"). Calls from several threads at once are counted, not timed
 * apart from each other: use one thread.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "sgemm-next.h"

#define MAX_SHAPES 4096

static struct shape {
	int ta, tb, M, N, K;
	long calls;
	double seconds;
} shapes[MAX_SHAPES];
static int n_shapes, overflow;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static double
now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void
count(int ta, int tb, int M, int N, int K, double seconds)
{
	pthread_mutex_lock(&lock);
	int i = 0;
	while (i < n_shapes && !(shapes[i].ta == ta && shapes[i].tb == tb && shapes[i].M == M &&
	                         shapes[i].N == N && shapes[i].K == K))
		i++;
	if (i == n_shapes && n_shapes < MAX_SHAPES)
		shapes[n_shapes++] = (struct shape){ ta, tb, M, N, K, 0, 0 };
	if (i < n_shapes) {
		shapes[i].calls++;
		shapes[i].seconds += seconds;
	} else {
		overflow++;
	}
	pthread_mutex_unlock(&lock);
}

void
cblas_sgemm(const enum CBLAS_ORDER o, const enum CBLAS_TRANSPOSE ta,
            const enum CBLAS_TRANSPOSE tb, const blasint M, const blasint N, const blasint K,
            const float alpha, const float *A, const blasint lda, const float *B,
            const blasint ldb, const float beta, float *C, const blasint ldc)
{
	sgemm_fn real = sgemm_next();
	double t0 = now();
	real(o, ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
	count((int)ta, (int)tb, (int)M, (int)N, (int)K, now() - t0);
}

__attribute__((destructor)) static void
report(void)
{
	const char *path = getenv("SGEMM_SHAPES_OUT");
	FILE *f = path ? fopen(path, "w") : stderr;
	if (!f) {
		perror(path);
		return;
	}
	double seconds = 0, flops = 0;
	for (int i = 0; i < n_shapes; i++) {
		const struct shape *s = &shapes[i];
		double fl = 2.0 * s->M * s->N * s->K * (double)s->calls;
		fprintf(f, "%d %d %d %d %d %ld %.6f %.1f\n", s->ta, s->tb, s->M, s->N, s->K, s->calls,
		        s->seconds, s->seconds > 0 ? fl / s->seconds / 1e9 : 0.0);
		seconds += s->seconds;
		flops += fl;
	}
	fprintf(f, "# total %d shapes, %.6f s, %.1f GFLOP/s%s\n", n_shapes, seconds,
	        seconds > 0 ? flops / seconds / 1e9 : 0.0,
	        overflow ? " (more shapes than the table holds: some calls not counted)" : "");
	if (path)
		fclose(f);
}
