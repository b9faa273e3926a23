/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Condition weights (lib/dg/condition_weights.h): counts of the class heads' argmax
 * combinations turned into c^-alpha weights whose mean over the rows is 1, worked out
 * by hand here; generated (soft) rows weighed by their argmaxes; bad input refused.
 */
#include <math.h>

#include "../test-common.h"
#include "dg/condition_weights.h"

enum { A = 6, N = 5 };

/* softmax 2, softmax 3, sigmoid 1 (not a class: ignored) */
static const netshare__head heads[] = { { 0, 2, 0 }, { 2, 3, 0 }, { 5, 1, 1 } };

static void
row(float *r, int c0, int c1, float sig)
{
	memset(r, 0, A * sizeof *r);
	r[c0] = 1;
	r[2 + c1] = 1;
	r[5] = sig;
}

START_TEST(weights_follow_counts)
{
	float attr[N * A];
	for (int i = 0; i < 4; i++) /* (0, 0) four times, the sigmoid varying */
		row(attr + i * A, 0, 0, 0.2f * (float)i);
	row(attr + 4 * A, 1, 2, 0.5f);
	netshare__cond_weights cw;
	memset(&cw, 0, sizeof cw);
	ck_assert_ok(netshare__cond_weights_build(&cw, heads, 3, A, attr, N, 0.5));
	/* c^-1/2: 1/2 and 1; their sum over the rows 4/2 + 1 = 3, so x 5/3 */
	ck_assert_uint_eq(cw.conditions.n, 2);
	double mean = 0;
	for (int i = 0; i < N; i++) {
		ck_assert_float_eq_tol(cw.row_weight[i], i < 4 ? 5.0f / 6 : 5.0f / 3, 1e-6f);
		mean += cw.row_weight[i] / N;
	}
	ck_assert_double_eq_tol(mean, 1.0, 1e-6);
	ck_assert_float_eq_tol(cw.unseen, 5.0f / 3, 1e-6f);
	/* a generated row: soft heads, read by their argmax */
	float soft[A] = { 0.7f, 0.3f, 0.5f, 0.2f, 0.3f, 0.9f };
	ck_assert_float_eq_tol(netshare__cond_weights_of(&cw, soft), 5.0f / 6, 1e-6f);
	float other[A] = { 0.1f, 0.9f, 0.5f, 0.2f, 0.3f, 0.9f }; /* (1, 0): not in the data */
	ck_assert_float_eq_tol(netshare__cond_weights_of(&cw, other), 5.0f / 3, 1e-6f);
	/* alpha 1: every condition weighs the same in all, 5 rows / 2 conditions each */
	ck_assert_ok(netshare__cond_weights_build(&cw, heads, 3, A, attr, N, 1.0));
	ck_assert_float_eq_tol(cw.row_weight[0], 5.0f / 8, 1e-6f);
	ck_assert_float_eq_tol(cw.row_weight[4], 5.0f / 2, 1e-6f);
	ck_assert_status(netshare__cond_weights_build(&cw, heads, 3, A, attr, 0, 0.5),
	                 NETSHARE_EINVAL);
	ck_assert_status(netshare__cond_weights_build(&cw, heads, 3, A, attr, N, 0),
	                 NETSHARE_EINVAL);
	ck_assert_ptr_null(cw.row_weight);
	netshare__cond_weights_free(&cw);
}
END_TEST

NETSHARE_TEST_MAIN("dg-condition-weights",
	weights_follow_counts)
