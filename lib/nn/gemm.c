/* SPDX-License-Identifier: BSD-3-Clause */
/* Matrix products split among a pool's threads (see gemm.h). */
#include "gemm.h"

/* Smallest M x N x K of a block: large enough that it outweighs handing it over. */
#define MIN_PART_MNK (2.0 * 1024 * 1024)
/* Columns (rows) of a block: a multiple of every micro-kernel's width (height). */
#define COLUMN_ALIGN 64
#define ROW_ALIGN 16

typedef struct product {
	enum CBLAS_TRANSPOSE ta, tb;
	int M, N, K, parts, by_rows;
	float alpha, beta;
	const float *A, *B;
	int lda, ldb, ldc;
	float *C;
} product;

/* [lo, hi) of n split into `parts` blocks of `align` multiples (the last takes the rest). */
static void
block(int n, int parts, int i, int align, int *lo, int *hi)
{
	int size = (n / parts + align - 1) / align * align;
	*lo = i * size < n ? i * size : n;
	*hi = i + 1 == parts ? n : ((i + 1) * size < n ? (i + 1) * size : n);
}

static void
part_task(void *arg, size_t i, unsigned worker)
{
	(void)worker;
	const product *p = arg;
	int lo, hi;
	if (p->by_rows) { /* rows of C: rows of op(A) */
		block(p->M, p->parts, (int)i, ROW_ALIGN, &lo, &hi);
		if (hi <= lo)
			return;
		const float *a = p->ta == CblasNoTrans ? p->A + (size_t)lo * p->lda : p->A + lo;
		cblas_sgemm(CblasRowMajor, p->ta, p->tb, hi - lo, p->N, p->K, p->alpha, a, p->lda,
		            p->B, p->ldb, p->beta, p->C + (size_t)lo * p->ldc, p->ldc);
	} else {          /* columns of C: columns of op(B) */
		block(p->N, p->parts, (int)i, COLUMN_ALIGN, &lo, &hi);
		if (hi <= lo)
			return;
		const float *b = p->tb == CblasNoTrans ? p->B + lo : p->B + (size_t)lo * p->ldb;
		cblas_sgemm(CblasRowMajor, p->ta, p->tb, p->M, hi - lo, p->K, p->alpha, p->A, p->lda,
		            b, p->ldb, p->beta, p->C + lo, p->ldc);
	}
}

void
netshare__sgemm(netshare__pool *pool, int parts, enum CBLAS_TRANSPOSE ta,
                enum CBLAS_TRANSPOSE tb, int M, int N, int K, float alpha, const float *A,
                int lda, const float *B, int ldb, float beta, float *C, int ldc)
{
	double mnk = (double)M * N * K;
	int by_rows = N < 2 * COLUMN_ALIGN;
	int span = by_rows ? M / ROW_ALIGN : N / COLUMN_ALIGN; /* most useful parts */
	if (parts > span)
		parts = span;
	while (parts > 1 && mnk / parts < MIN_PART_MNK)
		parts--;
	if (parts < 2) {
		cblas_sgemm(CblasRowMajor, ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
		return;
	}
	product p = { ta, tb, M, N, K, parts, by_rows, alpha, beta, A, B, lda, ldb, ldc, C };
	netshare__pool_for(pool, (size_t)parts, part_task, &p);
}
