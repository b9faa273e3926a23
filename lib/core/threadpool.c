/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The worker pool behind netshare__pool_for (see threadpool.h).
 *
 * One mutex and two condition variables: workers sleep on `wake` until the generation
 * counter moves, pull indices from an atomic counter, and the last one to finish signals
 * `done`. A loop costs two lock round trips per worker, a few microseconds, small next to
 * the matrix products it parallelises.
 *
 * A worker whose tasks are done stays in the loop until every task is, taking blocks of
 * the jobs that running tasks share (netshare__pool_for from inside a task): one job at
 * a time, published through `ticket`, which packs the job's generation, its block count
 * and the next block to hand out into one word, so that claiming a block is one
 * compare-and-swap and a claim made on a stale job cannot succeed. The job's function
 * and argument are read only after a successful claim: the sharer waits for its blocks
 * before it publishes another job, so they cannot change under a helper.
 */
#include "threadpool.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#include "alloc.h"
#include "error.h"

struct netshare__pool {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_cond_t done;
	pthread_t *threads;
	unsigned n_workers;      /* threads besides the caller */
	unsigned long generation;
	int stop;
	unsigned busy;           /* workers still in the current loop */
	netshare__task_fn fn;
	void *arg;
	size_t n;
	atomic_size_t next;
	atomic_size_t unfinished;  /* tasks of the current loop still running or to run */
	/* the shared job: generation << 2 * TICKET_BITS | blocks << TICKET_BITS | next */
	_Atomic uint64_t ticket;
	atomic_int sharing;        /* a task has published the job and waits for it */
	netshare__task_fn job_fn;
	void *job_arg;
	atomic_size_t job_done;    /* blocks finished by helpers */
};

#define TICKET_BITS 20
#define TICKET_MASK ((UINT64_C(1) << TICKET_BITS) - 1)
/* Spins of a thread that waits on another (a block to take, a block to finish) before
 * it yields the processor: a machine with more threads than cores still makes progress. */
#define WAIT_SPINS 256

/* The pool whose task this thread is running, if any: a loop started from inside one of
 * its tasks shares its blocks instead of starting a loop. */
static _Thread_local const netshare__pool *task_of;
static _Thread_local unsigned task_worker;

struct worker_start {
	netshare__pool *pool;
	unsigned id;
};

/* Claim the next block of the shared job into *block, if the job is generation `gen`
 * (any generation if gen is 0) and has blocks left. */
static int
claim(netshare__pool *pool, uint64_t gen, size_t *block)
{
	uint64_t t = atomic_load_explicit(&pool->ticket, memory_order_acquire);
	for (;;) {
		uint64_t g = t >> 2 * TICKET_BITS, blocks = t >> TICKET_BITS & TICKET_MASK,
		         next = t & TICKET_MASK;
		if ((gen && g != gen) || next >= blocks)
			return 0;
		if (atomic_compare_exchange_weak_explicit(&pool->ticket, &t, t + 1,
		                                          memory_order_acq_rel,
		                                          memory_order_acquire)) {
			*block = (size_t)next;
			return 1;
		}
	}
}

static void
wait_a_little(unsigned *spins)
{
	if (++*spins >= WAIT_SPINS) {
		sched_yield();
		*spins = 0;
	}
}

/* One block of the shared job, if it has one to hand out; 0 if not. */
static int
help_once(netshare__pool *pool, unsigned worker)
{
	size_t block;
	if (!claim(pool, 0, &block))
		return 0;
	pool->job_fn(pool->job_arg, block, worker);
	atomic_fetch_add_explicit(&pool->job_done, 1, memory_order_release);
	return 1;
}

static void
run_tasks(netshare__pool *pool, unsigned worker)
{
	const netshare__pool *outer = task_of;
	unsigned outer_worker = task_worker;
	task_of = pool;
	task_worker = worker;
	for (;;) {
		size_t i = atomic_fetch_add_explicit(&pool->next, 1, memory_order_relaxed);
		if (i >= pool->n)
			break;
		pool->fn(pool->arg, i, worker);
		atomic_fetch_sub_explicit(&pool->unfinished, 1, memory_order_release);
	}
	/* help the tasks still running with the blocks they share */
	for (unsigned spins = 0;
	     atomic_load_explicit(&pool->unfinished, memory_order_acquire) > 0;)
		if (!help_once(pool, worker))
			wait_a_little(&spins);
	task_of = outer;
	task_worker = outer_worker;
}

/* A loop started from inside a task of the pool: the job's blocks go to whichever of
 * the loop's threads is free, this one included. One job at a time; a second task that
 * shares meanwhile runs its blocks itself. */
static void
share(netshare__pool *pool, size_t n, netshare__task_fn fn, void *arg)
{
	unsigned worker = task_worker;
	int expected = 0;
	if (n > TICKET_MASK ||
	    !atomic_compare_exchange_strong_explicit(&pool->sharing, &expected, 1,
	                                             memory_order_acquire,
	                                             memory_order_relaxed)) {
		for (size_t i = 0; i < n; i++)
			fn(arg, i, worker);
		return;
	}
	pool->job_fn = fn;
	pool->job_arg = arg;
	atomic_store_explicit(&pool->job_done, 0, memory_order_relaxed);
	uint64_t gen = (atomic_load_explicit(&pool->ticket, memory_order_relaxed) >>
	                2 * TICKET_BITS) + 1;
	if (gen >> (64 - 2 * TICKET_BITS))
		gen = 1;
	atomic_store_explicit(&pool->ticket, gen << 2 * TICKET_BITS | (uint64_t)n << TICKET_BITS,
	                      memory_order_release);
	size_t mine = 0, block;
	while (claim(pool, gen, &block)) {
		fn(arg, block, worker);
		mine++;
	}
	for (unsigned spins = 0;
	     atomic_load_explicit(&pool->job_done, memory_order_acquire) + mine < n;)
		wait_a_little(&spins);
	atomic_store_explicit(&pool->sharing, 0, memory_order_release);
}

static void *
worker_main(void *p)
{
	struct worker_start *ws = p;
	netshare__pool *pool = ws->pool;
	unsigned id = ws->id;
	netshare__free(ws);

	unsigned long seen = 0;
	pthread_mutex_lock(&pool->lock);
	for (;;) {
		while (!pool->stop && pool->generation == seen)
			pthread_cond_wait(&pool->wake, &pool->lock);
		if (pool->stop)
			break;
		seen = pool->generation;
		pthread_mutex_unlock(&pool->lock);
		run_tasks(pool, id);
		pthread_mutex_lock(&pool->lock);
		if (--pool->busy == 0)
			pthread_cond_signal(&pool->done);
	}
	pthread_mutex_unlock(&pool->lock);
	return NULL;
}

netshare_status
netshare__pool_new(netshare__pool **out, unsigned n_threads)
{
	*out = NULL;
	if (n_threads > NETSHARE__MAX_THREADS)
		return netshare__error(NETSHARE_EINVAL, "threads = %u exceeds the limit of %u",
		                       n_threads, NETSHARE__MAX_THREADS);
	netshare__pool *pool = netshare__calloc(1, sizeof *pool);
	if (!pool)
		return netshare__error_oom("thread pool");
	pthread_mutex_init(&pool->lock, NULL);
	pthread_cond_init(&pool->wake, NULL);
	pthread_cond_init(&pool->done, NULL);
	atomic_init(&pool->next, 0);
	atomic_init(&pool->unfinished, 0);
	atomic_init(&pool->ticket, 0);
	atomic_init(&pool->sharing, 0);
	atomic_init(&pool->job_done, 0);
	unsigned want = n_threads > 1 ? n_threads - 1 : 0;
	if (want) {
		pool->threads = netshare__calloc(want, sizeof *pool->threads);
		if (!pool->threads) {
			netshare__pool_free(pool);
			return netshare__error_oom("thread pool");
		}
	}
	for (unsigned i = 0; i < want; i++) {
		struct worker_start *ws = netshare__malloc(sizeof *ws);
		if (!ws) {
			netshare__pool_free(pool);
			return netshare__error_oom("thread pool worker");
		}
		ws->pool = pool;
		ws->id = i + 1;
		int rc = pthread_create(&pool->threads[i], NULL, worker_main, ws);
		if (rc != 0) {
			netshare__free(ws);
			netshare__pool_free(pool);
			return netshare__error_errno(NETSHARE_EINTERNAL, rc,
				"cannot start worker thread %u of %u", i + 2, n_threads);
		}
		pool->n_workers++;
	}
	*out = pool;
	return NETSHARE_OK;
}

void
netshare__pool_free(netshare__pool *pool)
{
	if (!pool)
		return;
	pthread_mutex_lock(&pool->lock);
	pool->stop = 1;
	pthread_cond_broadcast(&pool->wake);
	pthread_mutex_unlock(&pool->lock);
	for (unsigned i = 0; i < pool->n_workers; i++)
		pthread_join(pool->threads[i], NULL);
	pthread_cond_destroy(&pool->done);
	pthread_cond_destroy(&pool->wake);
	pthread_mutex_destroy(&pool->lock);
	netshare__free(pool->threads);
	netshare__free(pool);
}

unsigned
netshare__pool_size(const netshare__pool *pool)
{
	return pool ? pool->n_workers + 1 : 1;
}

void
netshare__pool_for(netshare__pool *pool, size_t n, netshare__task_fn fn, void *arg)
{
	if (pool && task_of == pool) {
		share(pool, n, fn, arg);
		return;
	}
	if (!pool || pool->n_workers == 0 || n <= 1) {
		for (size_t i = 0; i < n; i++)
			fn(arg, i, 0);
		return;
	}
	pthread_mutex_lock(&pool->lock);
	pool->fn = fn;
	pool->arg = arg;
	pool->n = n;
	atomic_store_explicit(&pool->next, 0, memory_order_relaxed);
	atomic_store_explicit(&pool->unfinished, n, memory_order_relaxed);
	pool->busy = pool->n_workers;
	pool->generation++;
	pthread_cond_broadcast(&pool->wake);
	pthread_mutex_unlock(&pool->lock);

	run_tasks(pool, 0);

	pthread_mutex_lock(&pool->lock);
	while (pool->busy)
		pthread_cond_wait(&pool->done, &pool->lock);
	pthread_mutex_unlock(&pool->lock);
}
