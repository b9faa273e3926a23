/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The worker pool behind netshare__pool_for (see threadpool.h).
 *
 * One mutex and two condition variables: workers sleep on `wake` until the generation
 * counter moves, pull indices from an atomic counter, and the last one to finish signals
 * `done`. A loop costs two lock round trips per worker, a few microseconds, small next to
 * the matrix products it parallelises.
 */
#include "threadpool.h"

#include <pthread.h>
#include <stdatomic.h>
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
};

struct worker_start {
	netshare__pool *pool;
	unsigned id;
};

static void
run_tasks(netshare__pool *pool, unsigned worker)
{
	for (;;) {
		size_t i = atomic_fetch_add_explicit(&pool->next, 1, memory_order_relaxed);
		if (i >= pool->n)
			return;
		pool->fn(pool->arg, i, worker);
	}
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
