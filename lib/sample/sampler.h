/* SPDX-License-Identifier: BSD-3-Clause */
/* Internal: the sampler handle's state (see include/netshare/sampler.h). */
#ifndef NETSHARE_SAMPLE_SAMPLER_H
#define NETSHARE_SAMPLE_SAMPLER_H

#include <netshare/sampler.h>

#include "core/intern.h"
#include "core/rng.h"
#include "core/threadpool.h"
#include "dg/generator.h"
#include "encode/encoder.h"
#include "where.h"

/* A growing list of attribute rows (A floats each) and their flows (ids in the
 * sampler's `seen`). `v` is what the records decode from, after the sampler's port draws
 * and repicks; `cond` is what the feature generator is conditioned on: the attribute
 * generator's own row (classes drawn, as GAN-only generation has them), which is what the
 * feature generator learned from. Both carry the same chunk and start tags. */
typedef struct netshare__rows {
	float *v, *cond;
	uint32_t *flow;
	size_t n, cap;
} netshare__rows;

/* Rows per generator call: larger than a training batch, for efficient products. Part of
 * what the output depends on (each batch has its own seed). */
#define NETSHARE__SAMPLE_BATCH 256

/* Default of netshare_sample_params.class_temperature: the heads' probabilities as
 * they are (DoppelGANger decodes the argmax, 0; docs/DEVELOPING.md, issue 16, has the
 * held-out comparison on both traces). */
#define NETSHARE__DEFAULT_CLASS_TEMPERATURE 1.0

/* A role's non-class ports with their cumulative corpus counts, and the ports its flows
 * used with each class of the other role (field NULL: not used). */
typedef struct netshare__tail {
	const netshare__field *field;        /* the role's word2vec field */
	const netshare__field *class_field;  /* its port class field */
	const netshare__field *other_class;  /* the other role's port class field */
	size_t n;                            /* ports (the field's choices) */
	size_t *word;                        /* [n] the choices' word2vec rows */
	double *cum;                         /* [n] running sum of their corpus counts */
	const netshare__partner_ports *partner; /* the encoder's (n_classes 0: none) */
	size_t *partner_word;                /* word2vec rows of partner->port */
	double *partner_cum;                 /* running sum of partner->records */
} netshare__tail;

/* Role 0 (source) or 1 (destination). */
netshare_status netshare__tail_init(netshare__tail *t, const netshare_encoder *e, int role,
                                    const netshare__field *w2v_field,
                                    const netshare__field *class_field,
                                    const netshare__field *other_class);
void netshare__tail_free(netshare__tail *t);

/* For each of n attribute rows (A floats apart) whose port class is "other": replace
 * the word2vec vector by that of a port of the role drawn among the ports the real
 * flows of the other role's class used, by records, or, without such ports, among all
 * the role's non-class ports by corpus count. */
netshare_status netshare__tail_draw(const netshare__tail *t, float *rows, size_t n,
                                      size_t A, netshare__rng *rng);

/* The ports a role's ephemeral side may take when a drawn 5-tuple was already generated
 * (repick.c): its head's port words, their vectors dimension-major, scratch scores. */
typedef struct netshare__repick {
	size_t n, dim;
	size_t *word;  /* [n] word2vec rows of the candidate ports, in port order */
	float *vt;     /* [dim x n] their vectors */
	float *score;  /* [n] scratch of netshare__repick_nearest */
} netshare__repick;

/* The candidates of the port head f (a word2vec field: its choices, or every port). */
netshare_status netshare__repick_init(netshare__repick *r, const netshare__word2vec *w,
                                      const netshare__field *f);
void netshare__repick_free(netshare__repick *r);
/* Into best[], the word2vec rows of the (up to) max candidates whose vectors have the
 * largest dot product with q (dim floats), largest first, ties in port order; returns
 * how many. Not thread-safe (scratch in r). */
size_t netshare__repick_nearest(netshare__repick *r, const float *q, size_t *best, size_t max);

struct netshare_sampler {
	const netshare_model *model;  /* borrowed */
	const netshare_encoder *enc;  /* the model's */
	netshare_sample_params p;
	netshare__pool *pool;         /* workers (NULL: the calling thread only) */
	unsigned workers;
	netshare__generator *g;       /* [workers]: workspace with the weights of the chunk at
	                                 work */
	size_t A;                     /* attribute dims */
	int batch;                    /* rows per generator call */
	/* Offsets in an attribute row (-1: absent, i.e. one chunk). */
	long start_tag, chunk_tag[NETSHARE_MAX_CHUNKS], flow_start;
	const netshare__field *sport_field, *dport_field; /* the port heads (word2vec) */
	const netshare__field *sport_class, *dport_class; /* port class heads, or NULL */
	const netshare__field *proto_field;               /* protocol head */
	netshare__tail tail[2];       /* source, destination ports of the "other" class */
	netshare__repick repick[2];   /* source, destination: repick_ports' candidates */
	netshare__rows *carried;      /* [chunks]: flows continued into each chunk */
	netshare__intern seen;        /* 5-tuples generated so far */
	uint32_t *emitted;            /* [seen.n]: records decoded per flow so far */
	size_t emitted_cap;
	netshare__where where;        /* netshare_sample_params.where, parsed */
	netshare_sample_info info;
	/* Generation over MPI ranks (sampler_mpi.c), while netshare_sampler_write_mpi runs:
	 * the communicator (an MPI_Comm *), this rank and the rank count (1: no MPI). */
	const void *mpi_comm;
	int mpi_rank, mpi_size;
};

netshare_status netshare__rows_push(netshare__rows *r, const float *row, const float *cond,
                                    size_t A, uint32_t flow);
void netshare__rows_free(netshare__rows *r);

/* Per-call seed of a generator draw: chunk c, batch b, stream k (0 attributes,
 * 1 features). */
uint64_t netshare__sample_seed(uint64_t seed, int c, uint64_t b, int k);

/* Chunk c's flows: the continuations carried into it, then the flows drawn by its own
 * attribute generator that start in it (deduplicated by 5-tuple, and carried onward).
 * s->g must hold chunk c's weights. */
netshare_status netshare__sampler_chunk_rows(netshare_sampler *s, int c, netshare__rows *rows);

/* Where generated records go, one at a time in time order (row `row` of `ds` holds its
 * extra columns). */
typedef netshare_status (*netshare__sink_fn)(const netshare_record *r,
                                             const netshare_dataset *ds, size_t row,
                                             void *user);

/* One pass over the model's time window (emit.c): every chunk's flows, their records to
 * fn in time order; fills s->info. */
netshare_status netshare__sampler_run(netshare_sampler *s, netshare__sink_fn fn, void *user);

/* Check the span parameters (duration_s, flow_rate) against the model (span.c). */
netshare_status netshare__span_check(const netshare_sampler *s);

/* An empty dataset of the model's kind with its extra columns, in the encoder's order,
 * in the trained file's format. */
netshare_status netshare__sampler_new_output(const netshare_encoder *e,
                                             netshare_dataset **out);

/* The records of a chunk, batch by batch, each batch into its own dataset. */
typedef struct netshare__features {
	netshare_sampler *s;
	int chunk;
	const netshare__rows *rows;
	netshare_dataset **part;  /* per batch */
	netshare_status *status;
	char (*msg)[256];
} netshare__features;

/* Rows of batch k. */
int netshare__batch_rows(const netshare__features *f, size_t k);
/* Batch k's first half: the feature generator's forward on worker's generator (its
 * features then hold the batch), seeding r as the batch's stream; r is left where the
 * second half continues it. */
void netshare__batch_forward(netshare__features *f, size_t k, unsigned worker,
                             netshare__rng *r);
/* The second half: record classes, decoding with length caps, header and payload
 * floors, into f->part[k] (status and message in f->status[k], f->msg[k]). */
void netshare__batch_finish(netshare__features *f, size_t k, unsigned worker,
                            netshare__rng *r);
/* Every batch of a chunk over the MPI ranks (sampler_mpi.c): each rank runs the
 * forwards of its batches (k mod size), rank 0 the second halves of all, in order;
 * f->part is filled on rank 0 only. */
netshare_status netshare__sampler_batches_mpi(netshare__features *f, size_t batches);

/* Buffers of a drawn batch every MPI rank needs (decoded rows, condition rows, keys). */
#define NETSHARE__SHARED_ROW_BUFFERS 3

/* fn over batch indices 0..batches-1 spread over the MPI ranks (k mod size), then every
 * rank gets every batch's output: for buffer j, row_bytes[j] bytes per row from row
 * k x batch (`rows` rows in all), and status[k], msg[k]. */
netshare_status netshare__sampler_share_batches(
	netshare_sampler *s, size_t batches, netshare__task_fn fn, void *arg, size_t rows,
	unsigned char *const bufs[NETSHARE__SHARED_ROW_BUFFERS],
	const size_t row_bytes[NETSHARE__SHARED_ROW_BUFFERS], netshare_status *status,
	char (*msg)[256]);

/* The records of the flows in `rows`, decoded into `out`. */
netshare_status netshare__sampler_chunk_records(netshare_sampler *s, int c,
                                                const netshare__rows *rows,
                                                netshare_dataset *out);

#endif
