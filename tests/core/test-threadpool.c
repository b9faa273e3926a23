/* SPDX-License-Identifier: BSD-3-Clause */
/* The worker pool: every index exactly once, worker ids in range, reuse, limits. */
#include <stdatomic.h>

#include "../test-common.h"
#include "core/threadpool.h"

struct visit {
	atomic_int *hits;
	unsigned size;
	atomic_int bad_worker;
	double *out;
};

static void
visit_task(void *arg, size_t i, unsigned worker)
{
	struct visit *v = arg;
	atomic_fetch_add(&v->hits[i], 1);
	if (worker >= v->size)
		atomic_store(&v->bad_worker, 1);
	v->out[i] = (double)i * 0.5 + 1.0;
}

static void
check_pool(netshare__pool *pool, size_t n)
{
	struct visit v;
	v.hits = calloc(n ? n : 1, sizeof *v.hits);
	v.out = calloc(n ? n : 1, sizeof *v.out);
	v.size = netshare__pool_size(pool);
	atomic_init(&v.bad_worker, 0);
	netshare__pool_for(pool, n, visit_task, &v);
	for (size_t i = 0; i < n; i++) {
		ck_assert_int_eq(atomic_load(&v.hits[i]), 1);
		ck_assert_double_eq(v.out[i], (double)i * 0.5 + 1.0);
	}
	ck_assert_int_eq(atomic_load(&v.bad_worker), 0);
	free(v.hits);
	free(v.out);
}

START_TEST(every_index_once_for_any_size)
{
	const unsigned sizes[] = { 0, 1, 2, 3, 8 };
	const size_t lens[] = { 0, 1, 2, 7, 1000, 100000 };
	for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
		netshare__pool *pool;
		ck_assert_ok(netshare__pool_new(&pool, sizes[s]));
		ck_assert_uint_eq(netshare__pool_size(pool), sizes[s] > 1 ? sizes[s] : 1);
		for (size_t l = 0; l < sizeof lens / sizeof lens[0]; l++)
			check_pool(pool, lens[l]);
		netshare__pool_free(pool);
	}
	check_pool(NULL, 100);
}
END_TEST

static void
add_task(void *arg, size_t i, unsigned worker)
{
	atomic_long *sum = arg;
	atomic_fetch_add(sum, (long)i);
}

START_TEST(many_short_loops)
{
	/* Training runs thousands of small loops: the hand-off must not lose a wake-up. */
	netshare__pool *pool;
	ck_assert_ok(netshare__pool_new(&pool, 4));
	for (int round = 0; round < 5000; round++) {
		atomic_long sum;
		atomic_init(&sum, 0);
		size_t n = (size_t)(round % 17);
		netshare__pool_for(pool, n, add_task, &sum);
		ck_assert_int_eq(atomic_load(&sum), (long)(n * (n - (n > 0)) / 2));
	}
	netshare__pool_free(pool);
}
END_TEST

START_TEST(limits_and_null)
{
	netshare__pool *pool = (netshare__pool *)1;
	ck_assert_status(netshare__pool_new(&pool, NETSHARE__MAX_THREADS + 1), NETSHARE_EINVAL);
	ck_assert_ptr_null(pool);
	ck_assert_error_contains("threads");
	netshare__pool_free(NULL);
	ck_assert_uint_eq(netshare__pool_size(NULL), 1);
}
END_TEST

NETSHARE_TEST_MAIN("core-threadpool",
	every_index_once_for_any_size,
	many_short_loops,
	limits_and_null)
