/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * netshare_model_train_mpi: NetShare's chunked training spread over MPI ranks, giving
 * rank 0 the model netshare_model_train gives (docs/DEVELOPING.md, "MPI").
 *
 * The ranks first check that their models are alike (hyperparameters and encoder
 * state, by CRC). Rank 0 trains chunk 0 and broadcasts that chunk's state; chunk c >= 1
 * trains on rank (c - 1) mod size from chunk 0's weights, with single-threaded
 * OpenBLAS, exactly as netshare_model_train trains the later chunks side by side; each
 * rank then sends the state of its chunks only to rank 0. Every phase ends with an
 * agreement on the status, so one rank's failure is every rank's.
 */
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"
#include "model.h"

#ifdef NETSHARE_HAVE_MPI
#include <mpi.h>

#include "core/rng.h"
#include "mpi_comm.h"
#include "nn/blas_threads.h"

/* Chunk c's state from rank `from` to rank `to` (every rank when to < 0); every rank
 * calls it and gets the same status. */
static netshare_status
move_chunk(MPI_Comm comm, netshare_model *m, int c, int from, int to)
{
	int rank;
	MPI_Comm_rank(comm, &rank);
	netshare__wbuf b = { 0 };
	netshare_status st = rank == from ? netshare__model_chunk_save(m, c, &b) : NETSHARE_OK;
	if ((st = netshare__mpi_agree(comm, st)) == NETSHARE_OK)
		st = netshare__mpi_move_bytes(comm, from, to, &b);
	if (st == NETSHARE_OK && rank != from && (to < 0 || rank == to))
		st = netshare__model_chunk_load(m, c, b.data, b.len);
	netshare__wbuf_free(&b);
	return st == NETSHARE_OK ? netshare__mpi_agree(comm, st) : st;
}

/* The later chunks this rank trains: one after the other, single-threaded OpenBLAS
 * (as netshare_model_train's side-by-side workers). */
static netshare_status
train_mine(netshare_model *m, const netshare_dataset *ds, int rank, int size)
{
	netshare_status st = NETSHARE_OK;
	netshare__blas_single_begin();
	for (int c = 1; c < m->chunks && st == NETSHARE_OK; c++) {
		if ((c - 1) % size != rank)
			continue;
		netshare__dg *d = &m->dg[c];
		if (d->iterations == 0 && (st = netshare__dg_copy_weights(d, &m->dg[0])) < 0)
			break;
		long target = netshare__model_target(m, c);
		if (d->iterations >= target)
			continue;
		netshare_encoded *x;
		if ((st = netshare_encoder_encode(&x, m->enc, ds, c)) < 0)
			break;
		if (netshare_encoded_flows(x) > 0)
			st = netshare__dg_train(d, netshare_encoded_attributes(x),
			                        netshare_encoded_features(x), netshare_encoded_flows(x),
			                        target - d->iterations, m->p.progress,
			                        m->p.progress_user, c);
		netshare_encoded_free(x);
	}
	netshare__blas_single_end();
	return st;
}

/* Data-parallel chunk 0: every rank's gradients, gathered, summed in rank order (the
 * same sum on every rank, run after run) and divided by the rank count. */
typedef struct grad_sync {
	MPI_Comm comm;
	int size;
	float *buf;  /* size x the largest tensor */
} grad_sync;

static void
sync_grads(netshare__adam *a, void *user)
{
	grad_sync *g = user;
	for (size_t k = 0; k < a->n; k++) {
		size_t n = a->t[k].size;
		float *grad = a->t[k].grad;
		MPI_Allgather(grad, (int)n, MPI_FLOAT, g->buf, (int)n, MPI_FLOAT, g->comm);
		for (size_t i = 0; i < n; i++) {
			float sum = 0;
			for (int r = 0; r < g->size; r++)
				sum += g->buf[(size_t)r * n + i];
			grad[i] = sum / (float)g->size;
		}
	}
}

static size_t
largest_tensor(const netshare__dg *d)
{
	const netshare__adam *opts[3] = { &d->opt_g, &d->opt_d, &d->opt_aux };
	size_t most = 0;
	for (int o = 0; o < 3; o++)
		for (size_t k = 0; k < opts[o]->n; k++)
			most = opts[o]->t[k].size > most ? opts[o]->t[k].size : most;
	return most;
}

/*
 * Chunk 0 on every rank in step: each rank draws its own batches (its own random
 * stream, unless resumed from a checkpoint, whose stream is rank 0's), the gradients
 * are averaged before every optimiser step, so the weights stay equal on all ranks; an
 * effective batch of size x batch_size. Only rank 0 checkpoints. A rank that fails in
 * this phase cannot tell the others, which wait in the next exchange: it aborts the job
 * (MPI_Abort) after writing its message to stderr.
 */
static netshare_status
train_first_parallel(netshare_model *m, const netshare_dataset *ds, MPI_Comm comm, int rank,
                     int size)
{
	netshare__dg *d = &m->dg[0];
	grad_sync g = { comm, size, NULL };
	size_t most = largest_tensor(d);
	g.buf = netshare__mallocarray(most * (size_t)size + 1, sizeof(float));
	netshare_status st = netshare__mpi_agree(comm, g.buf ? NETSHARE_OK
	                                                       : netshare__error_oom("gradients"));
	if (st < 0) {
		netshare__free(g.buf);
		return st;
	}
	if (rank > 0 && d->iterations == 0)
		netshare__rng_seed(&d->rng, m->p.seed ^ (0x9e3779b97f4a7c15ull * (uint64_t)rank));
	const char *keep = m->p.checkpoint_path;
	if (rank > 0)
		m->p.checkpoint_path = NULL;
	d->grad_sync = sync_grads;
	d->grad_sync_user = &g;
	st = netshare__model_train_first(m, ds);
	d->grad_sync = NULL;
	d->grad_sync_user = NULL;
	m->p.checkpoint_path = keep;
	netshare__free(g.buf);
	if (st < 0) {
		fprintf(stderr, "netshare: rank %d: %s\n", rank, netshare_last_error());
		MPI_Abort(comm, 1);
	}
	return netshare__mpi_agree(comm, st);
}

static netshare_status
train_mpi(netshare_model *m, const netshare_dataset *ds, MPI_Comm comm, unsigned flags)
{
	int rank, size;
	MPI_Comm_rank(comm, &rank);
	MPI_Comm_size(comm, &size);
	/* Same hyperparameters and encoder everywhere, or the chunks would not fit. */
	uint32_t mine = netshare__model_identity(m), root = mine;
	MPI_Bcast(&root, 1, MPI_UINT32_T, 0, comm);
	netshare_status st = NETSHARE_OK;
	if (mine != root)
		st = netshare__error(NETSHARE_EINVAL, "netshare_model_train_mpi: this rank's model "
		                     "has other parameters or another encoder than rank 0's (each "
		                     "rank must fit the same data with the same options)");
	if ((st = netshare__mpi_agree(comm, st)) < 0)
		return st;
	/* Chunk 0 on rank 0 (its threads, its checkpoints), or on every rank in step; then
	 * rank 0's to every rank. */
	if (flags & NETSHARE_MPI_DATA_PARALLEL)
		st = train_first_parallel(m, ds, comm, rank, size);
	else if (rank == 0)
		st = netshare__model_train_first(m, ds);
	if ((st = netshare__mpi_agree(comm, st)) < 0 || (st = move_chunk(comm, m, 0, 0, -1)) < 0)
		return st;
	if ((st = netshare__mpi_agree(comm, train_mine(m, ds, rank, size))) < 0)
		return st;
	/* Gather: each later chunk's state from its rank to rank 0, in chunk order. */
	for (int c = 1; c < m->chunks && st == NETSHARE_OK; c++)
		if ((c - 1) % size != 0)
			st = move_chunk(comm, m, c, (c - 1) % size, 0);
	if (st == NETSHARE_OK && m->chunks > 1)
		m->last_chunk = m->chunks - 1;
	return st;
}
#endif

NETSHARE_API int
netshare_mpi_available(void)
{
#ifdef NETSHARE_HAVE_MPI
	return 1;
#else
	return 0;
#endif
}

NETSHARE_API netshare_status
netshare_model_train_mpi(netshare_model *m, const netshare_dataset *ds, const void *comm,
                         unsigned flags)
{
	if (!m || !ds)
		return netshare__error(NETSHARE_EINVAL, "netshare_model_train_mpi: %s is NULL",
		                       m ? "dataset" : "model");
#ifdef NETSHARE_HAVE_MPI
	MPI_Comm c;
	netshare_status st = netshare__mpi_comm("netshare_model_train_mpi", comm, &c);
	if (st < 0)
		return st;
	if (m->generator_only)
		return netshare__error(NETSHARE_ESTATE, "netshare_model_train_mpi: the model was "
		                       "loaded from an exported file and cannot train");
	if (m->priv.mode)
		return netshare__error(NETSHARE_EUNSUPPORTED, "netshare_model_train_mpi: "
		                       "differentially private training runs in one process "
		                       "(netshare_model_train)");
	if (flags & ~(unsigned)NETSHARE_MPI_DATA_PARALLEL)
		return netshare__error(NETSHARE_EINVAL, "netshare_model_train_mpi: unknown flags "
		                       "0x%x", flags);
	return train_mpi(m, ds, c, flags);
#else
	(void)comm;
	(void)flags;
	return netshare__error(NETSHARE_EUNSUPPORTED, "netshare_model_train_mpi: this "
	                       "libnetshare was built without MPI (meson -Dmpi=enabled)");
#endif
}
