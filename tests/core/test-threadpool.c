/* SPDX-License-Identifier: BSD-3-Clause */
/* The worker pool: every index exactly once, worker ids in range, reuse, loops shared
 * from inside a task, limits. */
#include <sched.h>
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

/* A task that shares a loop (netshare__pool_for on its own pool) while the other task
 * has finished: the free thread takes some of its blocks. */
struct shared_loop {
	netshare__pool *pool;
	atomic_int hits[64];
	atomic_int owner;          /* the sharing task's worker */
	atomic_int by_others;      /* blocks another worker ran */
	atomic_int owner_waited;
};

static void
shared_block(void *arg, size_t i, unsigned worker)
{
	struct shared_loop *s = arg;
	atomic_fetch_add(&s->hits[i], 1);
	if ((int)worker != atomic_load(&s->owner)) {
		atomic_fetch_add(&s->by_others, 1);
		return;
	}
	/* the owner holds its first block until another thread has taken one (or 10 s) */
	if (atomic_exchange(&s->owner_waited, 1))
		return;
	double t0 = netshare_test_now();
	while (atomic_load(&s->by_others) == 0 && netshare_test_now() - t0 < 10)
		sched_yield();
}

static void
sharing_task(void *arg, size_t task, unsigned worker)
{
	struct shared_loop *s = arg;
	if (task == 0) {
		atomic_store(&s->owner, (int)worker);
		netshare__pool_for(s->pool, 64, shared_block, s);
	}
}

START_TEST(a_task_shares_its_loop_with_free_threads)
{
	struct shared_loop s;
	ck_assert_ok(netshare__pool_new(&s.pool, 2));
	for (int round = 0; round < 20; round++) {
		for (int i = 0; i < 64; i++)
			atomic_init(&s.hits[i], 0);
		atomic_init(&s.owner, -1);
		atomic_init(&s.by_others, 0);
		atomic_init(&s.owner_waited, 0);
		netshare__pool_for(s.pool, 2, sharing_task, &s);
		for (int i = 0; i < 64; i++)
			ck_assert_int_eq(atomic_load(&s.hits[i]), 1);
		ck_assert_int_gt(atomic_load(&s.by_others), 0);
	}
	netshare__pool_free(s.pool);
}
END_TEST

/* Both tasks share at once (one of them runs its indices itself), in many short loops:
 * every index once, no lost wake-up, no claim on another job's indices. */
struct two_sharers {
	netshare__pool *pool;
	atomic_long sum[2];
};

static void
two_sharers_task(void *arg, size_t task, unsigned worker)
{
	(void)worker;
	struct two_sharers *t = arg;
	netshare__pool_for(t->pool, 100 + task, add_task, &t->sum[task]);
}

START_TEST(two_tasks_share_at_once)
{
	for (unsigned threads = 2; threads <= 3; threads++) {
		struct two_sharers t;
		ck_assert_ok(netshare__pool_new(&t.pool, threads));
		for (int round = 0; round < 3000; round++) {
			atomic_init(&t.sum[0], 0);
			atomic_init(&t.sum[1], 0);
			netshare__pool_for(t.pool, 2, two_sharers_task, &t);
			ck_assert_int_eq(atomic_load(&t.sum[0]), 100 * 99 / 2);
			ck_assert_int_eq(atomic_load(&t.sum[1]), 101 * 100 / 2);
		}
		netshare__pool_free(t.pool);
	}
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
	a_task_shares_its_loop_with_free_threads,
	two_tasks_share_at_once,
	limits_and_null)
