/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal: a fixed pool of worker threads running parallel-for loops.
 *
 * Training and generation run many short parallel loops per second, so threads are
 * created once per handle, not per loop. The calling thread takes part in every loop.
 * Tasks are handed out dynamically, so a task's output must depend only on its index
 * (and on per-index RNG streams), never on which worker ran it: then results are
 * identical for any thread count.
 */
#ifndef NETSHARE_CORE_THREADPOOL_H
#define NETSHARE_CORE_THREADPOOL_H

#include <stddef.h>

#include <netshare/common.h>

/* Upper bound on threads in one pool: beyond this a `threads` parameter is a mistake. */
#define NETSHARE__MAX_THREADS 256

typedef struct netshare__pool netshare__pool;

/* fn(arg, index, worker): worker is in [0, netshare__pool_size()) and identifies the
 * thread, for per-thread scratch buffers; 0 is the calling thread. */
typedef void (*netshare__task_fn)(void *arg, size_t index, unsigned worker);

/* A pool with `n_threads` threads in all, counting the caller: 0 or 1 create no thread
 * (everything runs in the caller). Errors: EINVAL (too many), ENOMEM, EINTERNAL
 * (pthread_create failed). */
netshare_status netshare__pool_new(netshare__pool **out, unsigned n_threads);
void netshare__pool_free(netshare__pool *pool);
unsigned netshare__pool_size(const netshare__pool *pool);

/* Run fn for every index in [0, n) and return when all are done. A NULL pool runs
 * serially. Called from inside a task of the same pool, it shares the indices with the
 * loop's threads whose own tasks are done (each such thread stays in the loop, taking
 * shared indices, until every task has finished): one task's shared loop at a time; a
 * task that shares while another does runs its indices itself. */
void netshare__pool_for(netshare__pool *pool, size_t n, netshare__task_fn fn, void *arg);

#endif
