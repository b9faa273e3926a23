/* SPDX-License-Identifier: BSD-3-Clause */
/* Internal: the model handle's state (see include/netshare/model.h). */
#ifndef NETSHARE_DG_MODEL_H
#define NETSHARE_DG_MODEL_H

#include <netshare/model.h>

#include "privacy.h"
#include "trainer.h"

struct netshare_model {
	netshare_model_params p;   /* callbacks cleared after use */
	netshare_encoder *enc;     /* own copy */
	netshare__gen_shape shape;
	netshare__dg_params dgp;
	int chunks;
	netshare__dg *dg;          /* [chunks] */
	int last_chunk;            /* trained last (for info), -1 if none */
	int generator_only;        /* loaded from an exported file: cannot train */
	netshare__privacy priv;    /* DP state (mode 0: not private) */
};

/* Iterations chunk c trains to: params.iterations for chunk 0, the others divided by
 * fine_tune_divisor. */
static inline long
netshare__model_target(const netshare_model *m, int c)
{
	return c == 0 ? (long)m->p.iterations : (long)(m->p.iterations / m->p.fine_tune_divisor);
}

/* EINVAL naming the first hyperparameter out of range. */
netshare_status netshare__model_check_params(const netshare_model_params *p);

/* The generator shape a model of this encoder and these parameters has. */
netshare_status netshare__model_shape(netshare__gen_shape *s, const netshare_encoder *e,
                                      const netshare_model_params *p);

/* Create a model from a params struct already checked and copied. */
netshare_status netshare__model_create(netshare_model **out, const netshare_encoder *enc,
                                       const netshare_model_params *p, int generator_only);

/* The seed of chunk `chunk`'s model (its weights and draws) from the model's seed. */
uint64_t netshare__model_chunk_seed(uint64_t seed, int chunk);

/* Chunk 0's training phase of netshare_model_train (alone, on the pool below,
 * checkpoints); netshare_model_train_mpi runs it on rank 0. */
netshare_status netshare__model_train_first(netshare_model *m, const netshare_dataset *ds);

/* The threads one model trains on when it trains alone (netshare__dg_train_on): two if
 * params.threads (0: the online CPUs) allows, else none (*pool NULL); checks that
 * OpenBLAS's buffers fit (netshare__blas_reserve, naming `what`). ENOMEM, EINTERNAL. */
struct netshare__pool;
netshare_status netshare__model_lone_pool(const netshare_model *m,
                                          struct netshare__pool **pool, const char *what);

struct netshare__wbuf;
/* The model file's bytes (netshare-model(5)) into *out (the caller frees it with
 * netshare__wbuf_free); with the training state when `full`. ENOMEM. */
netshare_status netshare__model_serialize(const netshare_model *m, int full,
                                          struct netshare__wbuf *out);

/* One chunk's trained state (weights, optimiser moments, random state, iterations,
 * last losses) in the model file's per-chunk layout, for another process with the same
 * model (netshare_model_train_mpi); loading checks every size (ECORRUPT). */
netshare_status netshare__model_chunk_save(const netshare_model *m, int c,
                                           struct netshare__wbuf *b);
netshare_status netshare__model_chunk_load(netshare_model *m, int c, const unsigned char *data,
                                           size_t len);

/* A CRC-32C of the hyperparameters and the encoder state: equal for models that train
 * alike (0 if out of memory). */
uint32_t netshare__model_identity(const netshare_model *m);

/* netshare_model_load on bytes in memory; `path` names them in messages. */
netshare_status netshare__model_load_buffer(netshare_model **out, const char *path,
                                            const unsigned char *data, size_t len,
                                            const netshare_load_params *params);

/* Generate `batch` (<= batch_size) samples of chunk c with noise seeded by `seed`,
 * BatchNorm in inference mode; results in m->dg[c].g.attributes / features / lengths. */
netshare_status netshare__model_generate(netshare_model *m, int chunk, uint64_t seed, int batch);

#endif
