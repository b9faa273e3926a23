/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * netshare_sampler_write_mpi: generation spread over MPI ranks, rank 0 writing the file
 * netshare_sampler_write writes.
 *
 * Every rank draws every chunk's flows (the attribute MLP: cheap, and what decides the
 * flows must be the same everywhere); the feature generator's forward, the costly part,
 * runs on rank k mod size for batch k, whose features and random state then go to rank
 * 0, which decodes every batch in order, as one process does. A batch's result depends
 * on its seed only, so the file is byte-identical to one process's.
 */
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "dg/model.h"
#include "sampler.h"

#ifdef NETSHARE_HAVE_MPI
#include "dg/mpi_comm.h"

/* Rounds of batches per rank and worker: bounds the feature buffers held at once (each
 * batch x T x F floats) while keeping every worker of every rank busy. */
#define ROUND_BATCHES_PER_WORKER 2

/* A round: batches [first, first + n), their features and random states. */
typedef struct exchange {
	netshare__features *f;
	size_t first, n;
	int rank, size;
	size_t floats;         /* per batch: batch x T x F */
	float *feat;           /* n x floats */
	netshare__rng *rng;    /* n */
	size_t *mine;          /* indices (in the round) of this rank's batches */
} exchange;

static void
forward_task(void *arg, size_t i, unsigned worker)
{
	exchange *r = arg;
	size_t j = r->mine[i], k = r->first + j;
	netshare__batch_forward(r->f, k, worker, &r->rng[j]);
	const netshare__generator *g = &r->f->s->g[worker];
	memcpy(r->feat + j * r->floats, g->features,
	       (size_t)netshare__batch_rows(r->f, k) * (r->floats / (size_t)r->f->s->batch) *
	       sizeof(float));
}

static void
finish_task(void *arg, size_t j, unsigned worker)
{
	exchange *r = arg;
	size_t k = r->first + j;
	netshare__generator *g = &r->f->s->g[worker];
	memcpy(g->features, r->feat + j * r->floats,
	       (size_t)netshare__batch_rows(r->f, k) * (r->floats / (size_t)r->f->s->batch) *
	       sizeof(float));
	netshare__batch_finish(r->f, k, worker, &r->rng[j]);
}

/* Batches of the round computed elsewhere reach rank 0, in order. */
static void
gather(exchange *r, MPI_Comm comm)
{
	size_t per_row = r->floats / (size_t)r->f->s->batch;
	for (size_t j = 0; j < r->n; j++) {
		size_t k = r->first + j;
		int owner = (int)(k % (size_t)r->size);
		if (owner == 0 || (r->rank != 0 && r->rank != owner))
			continue;
		int count = (int)((size_t)netshare__batch_rows(r->f, k) * per_row);
		if (r->rank == owner) {
			MPI_Send(r->feat + j * r->floats, count, MPI_FLOAT, 0, 2, comm);
			MPI_Send(&r->rng[j], (int)sizeof r->rng[j], MPI_BYTE, 0, 3, comm);
		} else {
			MPI_Recv(r->feat + j * r->floats, count, MPI_FLOAT, owner, 2, comm,
			         MPI_STATUS_IGNORE);
			MPI_Recv(&r->rng[j], (int)sizeof r->rng[j], MPI_BYTE, owner, 3, comm,
			         MPI_STATUS_IGNORE);
		}
	}
}

netshare_status
netshare__sampler_batches_mpi(netshare__features *f, size_t batches)
{
	netshare_sampler *s = f->s;
	MPI_Comm comm = *(const MPI_Comm *)s->mpi_comm;
	size_t per_round = (size_t)s->mpi_size * s->workers * ROUND_BATCHES_PER_WORKER;
	exchange r = { f, 0, 0, s->mpi_rank, s->mpi_size,
	            (size_t)s->batch * (size_t)s->enc->max_len * (size_t)s->model->shape.F,
	            NULL, NULL, NULL };
	netshare_status st = NETSHARE_OK;
	if (r.floats > (size_t)1 << 30)
		st = netshare__error(NETSHARE_EUNSUPPORTED, "generation over MPI: a batch's "
		                     "features (%zu floats) exceed one message", r.floats);
	if (st == NETSHARE_OK) {
		r.feat = netshare__mallocarray(per_round, r.floats * sizeof *r.feat);
		r.rng = netshare__calloc(per_round, sizeof *r.rng);
		r.mine = netshare__calloc(per_round, sizeof *r.mine);
		if (!r.feat || !r.rng || !r.mine)
			st = netshare__error_oom("generation over MPI");
	}
	st = netshare__mpi_agree(comm, st);
	for (r.first = 0; st == NETSHARE_OK && r.first < batches; r.first += r.n) {
		r.n = batches - r.first < per_round ? batches - r.first : per_round;
		size_t n_mine = 0;
		for (size_t j = 0; j < r.n; j++)
			if ((r.first + j) % (size_t)r.size == (size_t)r.rank)
				r.mine[n_mine++] = j;
		netshare__pool_for(s->pool, n_mine, forward_task, &r);
		gather(&r, comm);
		netshare_status mine = NETSHARE_OK;
		if (r.rank == 0) {
			netshare__pool_for(s->pool, r.n, finish_task, &r);
			for (size_t j = 0; j < r.n && mine == NETSHARE_OK; j++)
				if (f->status[r.first + j] < 0)
					mine = netshare__error(f->status[r.first + j], "%s",
					                       f->msg[r.first + j]);
		}
		st = netshare__mpi_agree(comm, mine);
	}
	netshare__free(r.feat);
	netshare__free(r.rng);
	netshare__free(r.mine);
	return st;
}
#else
netshare_status
netshare__sampler_batches_mpi(netshare__features *f, size_t batches)
{
	(void)f;
	(void)batches;
	return netshare__error(NETSHARE_EINTERNAL, "generation over MPI in a build without MPI");
}
#endif

NETSHARE_API netshare_status
netshare_sampler_write_mpi(netshare_sampler *s, const char *path,
                           const netshare_write_params *params, const void *comm)
{
	if (!s || !path || !*path)
		return netshare__error(NETSHARE_EINVAL, "netshare_sampler_write_mpi: %s",
		                       !s ? "sampler is NULL" : "path is NULL or empty");
#ifdef NETSHARE_HAVE_MPI
	int init = 0;
	MPI_Initialized(&init);
	if (!init)
		return netshare__error(NETSHARE_ESTATE, "netshare_sampler_write_mpi: MPI is not "
		                       "initialised (MPI_Init)");
	MPI_Comm c = comm ? *(const MPI_Comm *)comm : MPI_COMM_WORLD;
	s->mpi_comm = &c;
	MPI_Comm_rank(c, &s->mpi_rank);
	MPI_Comm_size(c, &s->mpi_size);
	netshare_dataset *ds = NULL;
	netshare_status st = netshare_sampler_generate(&ds, s);
	/* Rank 0 alone writes; the others learn how that went. */
	if (st == NETSHARE_OK && s->mpi_rank == 0)
		st = netshare_dataset_write(ds, path, params);
	netshare_dataset_free(ds);
	st = s->mpi_size > 1 ? netshare__mpi_agree(c, st) : st;
	s->mpi_comm = NULL;
	s->mpi_rank = 0;
	s->mpi_size = 1;
	return st;
#else
	(void)params;
	(void)comm;
	return netshare__error(NETSHARE_EUNSUPPORTED, "netshare_sampler_write_mpi: this "
	                       "libnetshare was built without MPI (meson -Dmpi=enabled)");
#endif
}
