/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal: an IP2Vec-style word2vec (Mikolov et al., negative sampling) for ports and
 * protocols, as NetShare uses gensim's: each record is one sentence
 * [srcport, dstport, proto]; words are typed, so port 6 and protocol 6 are different
 * words (NetShare's gensim vocabulary confuses them). Vectors are normalised to unit
 * length; decoding is exact nearest neighbour by cosine among the known words of a kind,
 * for a whole batch through one sgemm.
 */
#ifndef NETSHARE_ENCODE_WORD2VEC_H
#define NETSHARE_ENCODE_WORD2VEC_H

#include <stddef.h>
#include <stdint.h>

#include <netshare/common.h>

/* Word kinds and the code of a word: kind << 16 | value. */
enum { NETSHARE__W2V_PORT = 0, NETSHARE__W2V_PROTO = 1, NETSHARE__W2V_KINDS = 2 };
#define NETSHARE__W2V_WORD(kind, value) (((uint32_t)(kind) << 16) | (uint32_t)(value))

typedef struct netshare__w2v_params {
	int dim;           /* vector size (NetShare: 10) */
	int window;        /* max distance between a word and its context (5) */
	int negative;      /* negative samples per positive (5) */
	int epochs;        /* passes over the corpus (5) */
	int min_count;     /* words rarer than this are dropped (1) */
	int skipgram;      /* 0 CBOW (gensim default), 1 skip-gram */
	double sample;     /* sub-sampling threshold of frequent words (1e-3) */
	double alpha;      /* initial learning rate (0.025) */
	double min_alpha;  /* final learning rate (1e-4) */
	uint64_t seed;
} netshare__w2v_params;

void netshare__w2v_params_default(netshare__w2v_params *p);

typedef struct netshare__word2vec {
	int dim;
	size_t n_words;
	uint32_t *word;        /* [n_words] word codes, sorted: kind, then value */
	uint64_t *count;       /* [n_words] occurrences in the training corpus */
	float *vec;            /* [n_words * dim] unit-length vectors */
	size_t first[NETSHARE__W2V_KINDS + 1]; /* words of kind k: [first[k], first[k+1]) */
} netshare__word2vec;

/* Train on n sentences of `len` word codes each (row-major). Single-threaded by design:
 * Hogwild updates would make the vectors depend on thread timing, and the corpus (three
 * words a record) trains in about a second per million records. */
netshare_status netshare__w2v_train(netshare__word2vec *out, const uint32_t *sentences,
                                    size_t n, int len, const netshare__w2v_params *p);
void netshare__w2v_free(netshare__word2vec *w);

/* Index of a word code, or of the numerically nearest word of the same kind when the
 * exact one is unknown (NetShare's out-of-vocabulary rule); -1 if the kind has none. */
ptrdiff_t netshare__w2v_lookup(const netshare__word2vec *w, uint32_t code);

/* Into out[], the rows (w->word indices) of the words of `kind` whose values are in
 * allowed[0..n_allowed) (sorted; n_allowed 0: every word of the kind), in order;
 * returns how many. out holds at least the kind's word count. */
size_t netshare__w2v_allowed(const netshare__word2vec *w, int kind, const uint32_t *allowed,
                             size_t n_allowed, size_t *out);

/* For each of n query vectors (n x dim, row-major), the value of the nearest word of
 * `kind` by cosine, among the words whose values are in allowed[0..n_allowed) (sorted;
 * n_allowed 0, or none of them in the vocabulary: every word of the kind). Uses sgemm on
 * blocks of queries. ENOMEM or EINVAL (no words). */
netshare_status netshare__w2v_nearest(const netshare__word2vec *w, int kind, const float *q,
                                      size_t n, const uint32_t *allowed, size_t n_allowed,
                                      uint32_t *values);

#endif
