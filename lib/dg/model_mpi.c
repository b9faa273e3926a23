/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * netshare_model_train_mpi: NetShare's chunked training spread over MPI ranks, giving
 * rank 0 the model netshare_model_train gives (docs/DEVELOPING.md, "MPI").
 *
 * Rank 0 trains chunk 0 and broadcasts the whole model (its file bytes, so every rank
 * continues from the same encoder and weights whatever it was created with); chunk c
 * >= 1 trains on rank (c - 1) mod size from chunk 0's weights, with single-threaded
 * OpenBLAS, exactly as netshare_model_train trains the later chunks side by side; each
 * rank then sends its chunks' state (again as file bytes) to rank 0. Every phase ends
 * with an agreement on the status, so one rank's failure is every rank's.
 */
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"
#include "model.h"

#ifdef NETSHARE_HAVE_MPI
#include <mpi.h>

#include "nn/blas_threads.h"

/* The worst status of all ranks; if one failed, every rank returns it with the
 * message of the lowest failing rank, named. */
static netshare_status
agree(MPI_Comm comm, netshare_status st)
{
	int rank;
	MPI_Comm_rank(comm, &rank);
	struct {
		int status, rank;
	} mine = { st < 0 ? 0 : 1, rank }, first;
	/* MINLOC over (ok flag, rank): the lowest rank with status < 0 if any. */
	MPI_Allreduce(&mine, &first, 1, MPI_2INT, MPI_MINLOC, comm);
	if (first.status == 1)
		return NETSHARE_OK;
	struct {
		int status;
		char msg[480];
	} err = { st, "" };
	if (rank == first.rank)
		snprintf(err.msg, sizeof err.msg, "%s", netshare_last_error());
	MPI_Bcast(&err, (int)sizeof err, MPI_BYTE, first.rank, comm);
	return netshare__error(err.status, "rank %d: %s", first.rank, err.msg);
}

/* Rank `root`'s model bytes to every rank (`len` on root, set on the others). */
static netshare_status
broadcast_bytes(MPI_Comm comm, int root, netshare__wbuf *b)
{
	int rank;
	MPI_Comm_rank(comm, &rank);
	unsigned long long len = b->len;
	MPI_Bcast(&len, 1, MPI_UNSIGNED_LONG_LONG, root, comm);
	if (rank != root) {
		netshare__wbuf_free(b);
		if (!(b->data = netshare__malloc(len ? (size_t)len : 1)))
			return netshare__error_oom("model broadcast");
		b->len = b->cap = (size_t)len;
	}
	for (size_t at = 0; at < len;) { /* MPI counts are ints */
		int part = len - at > (1u << 30) ? 1 << 30 : (int)(len - at);
		MPI_Bcast(b->data + at, part, MPI_BYTE, root, comm);
		at += (size_t)part;
	}
	return NETSHARE_OK;
}

/* Rank `from`'s bytes to rank 0 only (point to point). */
static netshare_status
send_to_root(MPI_Comm comm, int from, netshare__wbuf *b)
{
	int rank;
	MPI_Comm_rank(comm, &rank);
	unsigned long long len = b->len;
	if (rank == from)
		MPI_Send(&len, 1, MPI_UNSIGNED_LONG_LONG, 0, 0, comm);
	else if (rank == 0) {
		MPI_Recv(&len, 1, MPI_UNSIGNED_LONG_LONG, from, 0, comm, MPI_STATUS_IGNORE);
		netshare__wbuf_free(b);
		if (!(b->data = netshare__malloc(len ? (size_t)len : 1)))
			return netshare__error_oom("model gather");
		b->len = b->cap = (size_t)len;
	} else {
		return NETSHARE_OK;
	}
	for (size_t at = 0; at < len;) {
		int part = len - at > (1u << 30) ? 1 << 30 : (int)(len - at);
		if (rank == from)
			MPI_Send(b->data + at, part, MPI_BYTE, 0, 1, comm);
		else
			MPI_Recv(b->data + at, part, MPI_BYTE, from, 1, comm, MPI_STATUS_IGNORE);
		at += (size_t)part;
	}
	return NETSHARE_OK;
}

/* Copy chunk c of the model in bytes `b` into m (which has the same shape). */
static netshare_status
take_chunks(netshare_model *m, const netshare__wbuf *b, int rank, int size, int all)
{
	netshare_model *src;
	netshare_load_params lp;
	netshare_load_params_init(&lp);
	netshare_status st = netshare__model_load_buffer(&src, "model from another rank",
	                                                 b->data, b->len, &lp);
	for (int c = 0; c < m->chunks && st == NETSHARE_OK; c++)
		if (all || (c > 0 && (c - 1) % size == rank))
			st = netshare__dg_copy_state(&m->dg[c], &src->dg[c]);
	if (st == NETSHARE_OK && all) {
		netshare_encoder *e = m->enc;
		m->enc = src->enc; /* the same encoder bytes on every rank */
		src->enc = e;
		m->priv = src->priv;
	}
	netshare_model_free(src);
	return st;
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

static netshare_status
train_mpi(netshare_model *m, const netshare_dataset *ds, MPI_Comm comm)
{
	int rank, size;
	MPI_Comm_rank(comm, &rank);
	MPI_Comm_size(comm, &size);
	/* Chunk 0 on rank 0 (checkpoints and all); only its later chunks stay untrained. */
	netshare_status st = NETSHARE_OK;
	if (rank == 0) {
		if (m->p.threads)
			netshare__blas_set_threads((int)m->p.threads);
		st = netshare__model_train_first(m, ds);
	}
	if ((st = agree(comm, st)) < 0)
		return st;
	netshare__wbuf b = { 0 };
	if (rank == 0)
		st = netshare__model_serialize(m, 1, &b);
	if ((st = agree(comm, st)) == NETSHARE_OK)
		st = agree(comm, broadcast_bytes(comm, 0, &b));
	if (st == NETSHARE_OK && rank != 0)
		st = take_chunks(m, &b, rank, size, 1);
	netshare__wbuf_free(&b);
	if ((st = agree(comm, st)) < 0)
		return st;
	if (m->p.threads)
		netshare__blas_set_threads((int)m->p.threads);
	if ((st = agree(comm, train_mine(m, ds, rank, size))) < 0)
		return st;
	/* Gather: rank r >= 1 in turn sends its model's bytes to rank 0, which keeps r's
	 * chunks. (Whole models: simple, but (size - 1) times the model's bytes reach
	 * rank 0; docs/DEVELOPING.md, "MPI".) */
	for (int r = 1; r < size && r <= m->chunks - 1 && st == NETSHARE_OK; r++) {
		netshare__wbuf g = { 0 };
		netshare_status mine = NETSHARE_OK;
		if (rank == r)
			mine = netshare__model_serialize(m, 1, &g);
		if ((st = agree(comm, mine)) == NETSHARE_OK)
			st = agree(comm, send_to_root(comm, r, &g));
		mine = NETSHARE_OK;
		if (st == NETSHARE_OK && rank == 0)
			mine = take_chunks(m, &g, r, size, 0);
		netshare__wbuf_free(&g);
		if (st == NETSHARE_OK)
			st = agree(comm, mine);
	}
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
netshare_model_train_mpi(netshare_model *m, const netshare_dataset *ds, const void *comm)
{
	if (!m || !ds)
		return netshare__error(NETSHARE_EINVAL, "netshare_model_train_mpi: %s is NULL",
		                       m ? "dataset" : "model");
#ifdef NETSHARE_HAVE_MPI
	int init = 0;
	MPI_Initialized(&init);
	if (!init)
		return netshare__error(NETSHARE_ESTATE, "netshare_model_train_mpi: MPI is not "
		                       "initialised (MPI_Init)");
	if (m->generator_only)
		return netshare__error(NETSHARE_ESTATE, "netshare_model_train_mpi: the model was "
		                       "loaded from an exported file and cannot train");
	if (m->priv.mode)
		return netshare__error(NETSHARE_EUNSUPPORTED, "netshare_model_train_mpi: "
		                       "differentially private training runs in one process "
		                       "(netshare_model_train)");
	return train_mpi(m, ds, comm ? *(const MPI_Comm *)comm : MPI_COMM_WORLD);
#else
	(void)comm;
	return netshare__error(NETSHARE_EUNSUPPORTED, "netshare_model_train_mpi: this "
	                       "libnetshare was built without MPI (meson -Dmpi=enabled)");
#endif
}
