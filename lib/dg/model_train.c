/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * netshare_model_train: NetShare's chunked training (reference/netshare.md section 1.5).
 * Chunk 0 trains first, with OpenBLAS's threads; chunks 1..K-1 then warm-start from it
 * and train side by side, one chunk per thread with single-threaded OpenBLAS (small
 * matrices gain little from BLAS threads; whole chunks in parallel waste nothing).
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
	if ((st = netshare__blas_reserve(1, "train")) < 0) {
		netshare_encoded_free(x);
		return st;
	}
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

static unsigned
workers_for(const netshare_model *m, int chunks)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned w = m->p.threads ? m->p.threads : cpus > 0 ? (unsigned)cpus : 1;
	return w < (unsigned)chunks ? w : (unsigned)chunks;
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
	netshare__pool *pool = NULL;
	unsigned workers = workers_for(m, l->n);
	if (st == NETSHARE_OK && workers > 1) {
		st = netshare__pool_new(&pool, workers);
		netshare__blas_single_begin();
	}
	if (st == NETSHARE_OK && l->n > 0)
		st = netshare__blas_reserve(workers, "train");
	pthread_mutex_init(&l->lock, NULL);
	for (int busy = l->n > 0; st == NETSHARE_OK && busy;) {
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
	if (pool) {
		netshare__pool_free(pool);
		netshare__blas_single_end();
	}
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
	if (m->p.threads)
		netshare__blas_set_threads((int)m->p.threads);
	netshare_status st = m->priv.mode ? netshare__privacy_begin(m, ds) : NETSHARE_OK;
	if (st == NETSHARE_OK)
		st = netshare__model_train_first(m, ds);
	return st == NETSHARE_OK ? train_later(m, ds) : st;
}
