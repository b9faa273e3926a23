/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * netshare_sampler_write_mpi: generation spread over MPI ranks, rank 0 writing the file
 * netshare_sampler_write writes.
 *
 * Batch k of each draw round (the attribute generator and the 5-tuples decoded from it)
 * runs on rank k mod size and is broadcast, so that every rank keeps the same flows
 * (keeping is serial and cheap); batch k of a chunk's records runs the feature
 * generator on rank k mod size, whose features (each row up to its end) and random
 * state then go to rank 0, which decodes every batch in order, as one process does. A
 * batch's result depends on its seed only, so the file is byte-identical to one
 * process's.
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

/* Batch k runs on the rank k mod size: index i of this rank's share is batch
 * i * size + rank of fn. */
typedef struct own {
	netshare__task_fn fn;
	void *arg;
	size_t rank, size;
} own;

static void
own_task(void *arg, size_t i, unsigned worker)
{
	own *o = arg;
	o->fn(o->arg, i * o->size + o->rank, worker);
}

/* fn over this rank's share of batches 0..n-1, on its workers. */
static void
run_own(const netshare_sampler *s, size_t n, netshare__task_fn fn, void *arg)
{
	own o = { fn, arg, (size_t)s->mpi_rank, (size_t)s->mpi_size };
	size_t mine = n > o.rank ? (n - o.rank + o.size - 1) / o.size : 0;
	netshare__pool_for(s->pool, mine, own_task, &o);
}

/* A round: batches [first, first + n), their features and random states. */
typedef struct exchange {
	netshare__features *f;
	size_t first, n;
	int rank, size;
	size_t floats;         /* per batch at most: batch x T x F */
	size_t record;         /* floats per record: F */
	size_t T;              /* records per row */
	float *feat;           /* n x floats: each row's records up to its end, packed */
	uint32_t *lens;        /* n x batch: records per row (the generator's lengths) */
	netshare__rng *rng;    /* n */
} exchange;

/* Floats of batch j's packed records. */
static size_t
packed_floats(const exchange *r, size_t j)
{
	size_t n = 0, rows = (size_t)netshare__batch_rows(r->f, r->first + j);
	for (size_t i = 0; i < rows; i++)
		n += r->lens[j * (size_t)r->f->s->batch + i];
	return n * r->record;
}

/* The forward of batch j of the round (one of this rank's: rounds start at a multiple
 * of the rank count); its rows' records up to each row's end (the rest is the
 * generator's zero padding) packed for the trip to rank 0. */
static void
forward_task(void *arg, size_t j, unsigned worker)
{
	exchange *r = arg;
	size_t k = r->first + j, B = (size_t)r->f->s->batch;
	netshare__batch_forward(r->f, k, worker, &r->rng[j]);
	const netshare__generator *g = &r->f->s->g[worker];
	float *out = r->feat + j * r->floats;
	for (size_t row = 0; row < (size_t)netshare__batch_rows(r->f, k); row++) {
		size_t n = g->lengths[row] * r->record;
		r->lens[j * B + row] = g->lengths[row];
		memcpy(out, g->features + row * r->T * r->record, n * sizeof *out);
		out += n;
	}
}

/* Unpack batch j into a worker's generator, zero padding included, and decode it. */
static void
finish_task(void *arg, size_t j, unsigned worker)
{
	exchange *r = arg;
	size_t k = r->first + j, B = (size_t)r->f->s->batch;
	netshare__generator *g = &r->f->s->g[worker];
	const float *in = r->feat + j * r->floats;
	for (size_t row = 0; row < (size_t)netshare__batch_rows(r->f, k); row++) {
		size_t n = r->lens[j * B + row] * r->record, all = r->T * r->record;
		float *dst = g->features + row * all;
		memcpy(dst, in, n * sizeof *dst);
		memset(dst + n, 0, (all - n) * sizeof *dst);
		in += n;
	}
	netshare__batch_finish(r->f, k, worker, &r->rng[j]);
}

/* Batches of the round computed elsewhere reach rank 0, in order. */
static void
gather(exchange *r, MPI_Comm comm)
{
	size_t B = (size_t)r->f->s->batch;
	for (size_t j = 0; j < r->n; j++) {
		size_t k = r->first + j;
		int owner = (int)(k % (size_t)r->size);
		if (owner == 0 || (r->rank != 0 && r->rank != owner))
			continue;
		int rows = netshare__batch_rows(r->f, k);
		if (r->rank == owner) {
			MPI_Send(r->lens + j * B, rows, MPI_UINT32_T, 0, 2, comm);
			MPI_Send(&r->rng[j], (int)sizeof r->rng[j], MPI_BYTE, 0, 3, comm);
			MPI_Send(r->feat + j * r->floats, (int)packed_floats(r, j), MPI_FLOAT, 0, 4,
			         comm);
		} else {
			MPI_Recv(r->lens + j * B, rows, MPI_UINT32_T, owner, 2, comm,
			         MPI_STATUS_IGNORE);
			MPI_Recv(&r->rng[j], (int)sizeof r->rng[j], MPI_BYTE, owner, 3, comm,
			         MPI_STATUS_IGNORE);
			MPI_Recv(r->feat + j * r->floats, (int)packed_floats(r, j), MPI_FLOAT, owner, 4,
			         comm, MPI_STATUS_IGNORE);
		}
	}
}

netshare_status
netshare__sampler_share_batches(netshare_sampler *s, size_t batches, netshare__task_fn fn,
                                void *arg, size_t rows,
                                unsigned char *const bufs[NETSHARE__SHARED_ROW_BUFFERS],
                                const size_t row_bytes[NETSHARE__SHARED_ROW_BUFFERS],
                                netshare_status *status,
                                char (*msg)[256])
{
	MPI_Comm comm = *(const MPI_Comm *)s->mpi_comm;
	run_own(s, batches, fn, arg);
	size_t B = (size_t)s->batch;
	for (size_t k = 0; k < batches; k++) {
		int owner = (int)(k % (size_t)s->mpi_size);
		size_t n = rows - k * B < B ? rows - k * B : B;
		for (int j = 0; j < NETSHARE__SHARED_ROW_BUFFERS; j++)
			MPI_Bcast(bufs[j] + k * B * row_bytes[j], (int)(n * row_bytes[j]), MPI_BYTE,
			          owner, comm);
		MPI_Bcast(&status[k], (int)sizeof status[k], MPI_BYTE, owner, comm);
		MPI_Bcast(msg[k], (int)sizeof msg[k], MPI_BYTE, owner, comm);
	}
	return NETSHARE_OK;
}

netshare_status
netshare__sampler_batches_mpi(netshare__features *f, size_t batches)
{
	netshare_sampler *s = f->s;
	MPI_Comm comm = *(const MPI_Comm *)s->mpi_comm;
	size_t per_round = (size_t)s->mpi_size * s->workers * ROUND_BATCHES_PER_WORKER;
	exchange r = { f, 0, 0, s->mpi_rank, s->mpi_size,
	               (size_t)s->batch * (size_t)s->enc->max_len * (size_t)s->model->shape.F,
	               (size_t)s->model->shape.F, (size_t)s->enc->max_len, NULL, NULL, NULL };
	netshare_status st = NETSHARE_OK;
	if (r.floats > (size_t)1 << 30)
		st = netshare__error(NETSHARE_EUNSUPPORTED, "generation over MPI: a batch's "
		                     "features (%zu floats) exceed one message", r.floats);
	if (st == NETSHARE_OK) {
		r.feat = netshare__mallocarray(per_round, r.floats * sizeof *r.feat);
		r.rng = netshare__calloc(per_round, sizeof *r.rng);
		r.lens = netshare__calloc(per_round * (size_t)s->batch, sizeof *r.lens);
		if (!r.feat || !r.rng || !r.lens)
			st = netshare__error_oom("generation over MPI");
	}
	st = netshare__mpi_agree(comm, st);
	for (r.first = 0; st == NETSHARE_OK && r.first < batches; r.first += r.n) {
		r.n = batches - r.first < per_round ? batches - r.first : per_round;
		run_own(s, r.n, forward_task, &r);
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
	netshare__free(r.lens);
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

netshare_status
netshare__sampler_share_batches(netshare_sampler *s, size_t batches, netshare__task_fn fn,
                                void *arg, size_t rows,
                                unsigned char *const bufs[NETSHARE__SHARED_ROW_BUFFERS],
                                const size_t row_bytes[NETSHARE__SHARED_ROW_BUFFERS],
                                netshare_status *status,
                                char (*msg)[256])
{
	(void)s, (void)batches, (void)fn, (void)arg, (void)rows, (void)bufs, (void)row_bytes;
	(void)status, (void)msg;
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
	MPI_Comm c;
	netshare_status st = netshare__mpi_comm("netshare_sampler_write_mpi", comm, &c);
	if (st < 0)
		return st;
	s->mpi_comm = &c;
	MPI_Comm_rank(c, &s->mpi_rank);
	MPI_Comm_size(c, &s->mpi_size);
	netshare_dataset *ds = NULL;
	st = netshare_sampler_generate(&ds, s);
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
