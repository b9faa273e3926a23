/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * netshare_model_train: NetShare's chunked training (reference/netshare.md section 1.5).
 * Chunk 0 trains first, its two critics side by side on two threads (trainer.h);
 * chunks 1..K-1 then warm-start from it and train side by side, one chunk per thread.
 * OpenBLAS stays single-threaded throughout (small matrices gain little from its
 * threads; whole steps and chunks in parallel waste little), so no weight depends on
 * the thread count.
 *
 * Each chunk has its own random stream and touches only its own model, so the weights do
 * not depend on how chunks are scheduled. Checkpoints are taken between rounds of
 * checkpoint_every iterations, when no thread is training.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/threadpool.h"
#include "nn/blas_threads.h"
#include "model.h"

/* Iterations per round: up to the next checkpoint, or all that is left. */
static long
round_len(const netshare_model *m, const netshare__dg *d, long target)
{
	if (!m->p.checkpoint_path || !m->p.checkpoint_every)
		return target - d->iterations;
	long every = (long)m->p.checkpoint_every, step = every - d->iterations % every;
	return step < target - d->iterations ? step : target - d->iterations;
}

static netshare_status
checkpoint(netshare_model *m)
{
	if (!m->p.checkpoint_path || !m->p.checkpoint_every)
		return NETSHARE_OK;
	return netshare_model_save(m, m->p.checkpoint_path);
}

static unsigned
workers_for(const netshare_model *m, int chunks)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned w = m->p.threads ? m->p.threads : cpus > 0 ? (unsigned)cpus : 1;
	return w < (unsigned)chunks ? w : (unsigned)chunks;
}

netshare_status
netshare__model_lone_pool(const netshare_model *m, netshare__pool **pool, const char *what)
{
	*pool = NULL;
	unsigned workers = workers_for(m, 2);
	netshare_status st = workers > 1 ? netshare__pool_new(pool, workers) : NETSHARE_OK;
	if (st == NETSHARE_OK)
		st = netshare__blas_reserve(workers, what);
	if (st < 0) {
		netshare__pool_free(*pool);
		*pool = NULL;
	}
	return st;
}

netshare_status
netshare__model_train_first(netshare_model *m, const netshare_dataset *ds)
{
	netshare__dg *d = &m->dg[0];
	long target = netshare__model_target(m, 0);
	if (d->iterations >= target)
		return NETSHARE_OK;
	netshare_encoded *x;
	netshare_status st = netshare_encoder_encode(&x, m->enc, ds, 0);
	if (st < 0)
		return st;
	netshare__pool *pool;
	if ((st = netshare__model_lone_pool(m, &pool, "train")) < 0) {
		netshare_encoded_free(x);
		return st;
	}
	netshare__dg_train_on(d, pool);
	/* A DP model trains every chunk, empty or not: whether one is empty is private. */
	int dp = m->priv.mode == 1;
	while (st == NETSHARE_OK && (netshare_encoded_flows(x) > 0 || dp) && d->iterations < target) {
		st = netshare__dg_train(d, netshare_encoded_attributes(x), netshare_encoded_features(x),
		                        netshare_encoded_flows(x), round_len(m, d, target),
		                        m->p.progress, m->p.progress_user, 0);
		m->last_chunk = 0;
		if (st == NETSHARE_OK)
			st = checkpoint(m);
	}
	netshare__dg_train_on(d, NULL);
	netshare__pool_free(pool);
	netshare_encoded_free(x);
	return st;
}

/* The later chunks: their encoded flows, and per-round state shared with the workers. */
typedef struct later {
	netshare_model *m;
	int n;                         /* chunks to train */
	int chunk[NETSHARE_MAX_CHUNKS];
	netshare_encoded *x[NETSHARE_MAX_CHUNKS];
	netshare_status st[NETSHARE_MAX_CHUNKS];
	char msg[NETSHARE_MAX_CHUNKS][256]; /* a worker's error message (it is thread-local) */
	pthread_mutex_t lock;          /* serialises progress calls */
	int canceled;
} later;

static int
progress_locked(const netshare_progress *p, void *user)
{
	later *l = user;
	pthread_mutex_lock(&l->lock);
	if (!l->canceled && l->m->p.progress(p, l->m->p.progress_user))
		l->canceled = 1;
	int stop = l->canceled;
	pthread_mutex_unlock(&l->lock);
	return stop;
}

static void
train_round_task(void *arg, size_t i, unsigned worker)
{
	(void)worker;
	later *l = arg;
	netshare_model *m = l->m;
	int c = l->chunk[i];
	netshare__dg *d = &m->dg[c];
	long target = netshare__model_target(m, c);
	if (l->st[i] < 0 || d->iterations >= target)
		return;
	l->st[i] = netshare__dg_train(d, netshare_encoded_attributes(l->x[i]),
	                              netshare_encoded_features(l->x[i]),
	                              netshare_encoded_flows(l->x[i]), round_len(m, d, target),
	                              m->p.progress ? progress_locked : NULL, l, c);
	if (l->st[i] < 0)
		snprintf(l->msg[i], sizeof l->msg[i], "%s", netshare_last_error());
}

static netshare_status
train_later(netshare_model *m, const netshare_dataset *ds)
{
	later *l = netshare__calloc(1, sizeof *l);
	if (!l)
		return netshare__error_oom("training");
	l->m = m;
	netshare_status st = NETSHARE_OK;
	for (int c = 1; c < m->chunks && st == NETSHARE_OK; c++) {
		netshare__dg *d = &m->dg[c];
		/* Warm start first: a chunk with nothing to train (fewer than fine_tune_divisor
		 * iterations in all) still starts from chunk 0, not from random weights. */
		if (d->iterations == 0 && (st = netshare__dg_copy_weights(d, &m->dg[0])) < 0)
			break;
		if (d->iterations >= netshare__model_target(m, c))
			continue;
		netshare_encoded *x;
		if ((st = netshare_encoder_encode(&x, m->enc, ds, c)) < 0)
			break;
		if (netshare_encoded_flows(x) == 0 && m->priv.mode != 1) { /* keeps chunk 0's */
			netshare_encoded_free(x);
			continue;
		}
		l->chunk[l->n] = c;
		l->x[l->n++] = x;
	}
	/* Chunks side by side, one per thread; a single chunk trains as chunk 0 does. */
	netshare__pool *pool = NULL;
	unsigned workers = workers_for(m, l->n), inner = l->n == 1 ? workers_for(m, 2) : 1;
	unsigned threads = workers > inner ? workers : inner;
	if (st == NETSHARE_OK && threads > 1)
		st = netshare__pool_new(&pool, threads);
	if (st == NETSHARE_OK && l->n > 0)
		st = netshare__blas_reserve(threads, "train");
	if (inner > 1)
		netshare__dg_train_on(&m->dg[l->chunk[0]], pool);
	netshare__blas_single_begin();
	pthread_mutex_init(&l->lock, NULL);
	for (int busy = l->n > 0; st == NETSHARE_OK && busy;) {
		if (inner > 1)
			train_round_task(l, 0, 0); /* the pool is the chunk's own */
		else
			netshare__pool_for(pool, (size_t)l->n, train_round_task, l);
		busy = 0;
		for (int i = 0; i < l->n && st == NETSHARE_OK; i++) {
			if (l->st[i] < 0)
				st = netshare__error(l->st[i], "%s", l->msg[i]);
			busy |= m->dg[l->chunk[i]].iterations < netshare__model_target(m, l->chunk[i]);
		}
		if (l->n)
			m->last_chunk = l->chunk[l->n - 1];
		if (st == NETSHARE_OK)
			st = checkpoint(m);
	}
	pthread_mutex_destroy(&l->lock);
	netshare__blas_single_end();
	if (inner > 1)
		netshare__dg_train_on(&m->dg[l->chunk[0]], NULL);
	netshare__pool_free(pool);
	for (int i = 0; i < l->n; i++)
		netshare_encoded_free(l->x[i]);
	netshare__free(l);
	return st;
}

NETSHARE_API netshare_status
netshare_model_train(netshare_model *m, const netshare_dataset *ds)
{
	if (!m || !ds)
		return netshare__error(NETSHARE_EINVAL, "netshare_model_train: %s is NULL",
		                       m ? "dataset" : "model");
	if (m->generator_only)
		return netshare__error(NETSHARE_ESTATE, "netshare_model_train: the model was loaded "
		                       "from an exported file, which keeps only what generation "
		                       "needs; train from a file written by netshare_model_save");
	netshare_status st = m->priv.mode ? netshare__privacy_begin(m, ds) : NETSHARE_OK;
	if (st == NETSHARE_OK)
		st = netshare__model_train_first(m, ds);
	return st == NETSHARE_OK ? train_later(m, ds) : st;
}
