/* SPDX-License-Identifier: BSD-3-Clause */
/* Count-Min, Count Sketch, UnivMon and NitroSketch for heavy-hitter estimation (sketch.h). */
#include "sketch.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/int128.h"
#include "core/rng.h"

#define MERSENNE61 ((UINT64_C(1) << 61) - 1)

typedef struct hash {
	uint64_t a, b;
} hash;

static hash
hash_draw(netshare__rng *r)
{
	hash h = { 1 + netshare__rng_below(r, MERSENNE61 - 1), netshare__rng_below(r, MERSENNE61) };
	return h;
}

/* (a x + b) mod 2^61 - 1, x reduced first (keys are arbitrary 64-bit values). */
static uint64_t
hash_of(hash h, uint64_t x)
{
	x = (x & MERSENNE61) + (x >> 61);
	netshare__u128 p = (netshare__u128)h.a * x + h.b;
	uint64_t v = (uint64_t)(p & MERSENNE61) + (uint64_t)(p >> 61);
	v = (v & MERSENNE61) + (v >> 61);
	return v >= MERSENNE61 ? v - MERSENNE61 : v;
}

const char *
netshare__sketch_name(int kind)
{
	static const char *const names[NETSHARE__SKETCHES] = { "cms", "cs", "univmon", "nitro" };
	return kind >= 0 && kind < NETSHARE__SKETCHES ? names[kind] : "?";
}

/* d rows of w counters with a bucket hash and (for signed sketches) a sign hash per row. */
typedef struct rows {
	int d, w, signed_;
	double *c;
	hash bucket[64], sign[64];
} rows;

static netshare_status
rows_init(rows *s, int d, int w, int signed_, netshare__rng *r)
{
	s->d = d;
	s->w = w;
	s->signed_ = signed_;
	s->c = netshare__calloc((size_t)d * (size_t)w, sizeof *s->c);
	for (int j = 0; j < d; j++) {
		s->bucket[j] = hash_draw(r);
		s->sign[j] = hash_draw(r);
	}
	return s->c ? NETSHARE_OK : netshare__error_oom("sketch");
}

static double
sign_of(const rows *s, int j, uint64_t x)
{
	return s->signed_ ? (hash_of(s->sign[j], x) & 1 ? 1.0 : -1.0) : 1.0;
}

static double *
cell(const rows *s, int j, uint64_t x)
{
	return s->c + (size_t)j * (size_t)s->w + hash_of(s->bucket[j], x) % (uint64_t)s->w;
}

static void
rows_update(rows *s, uint64_t x, double v)
{
	for (int j = 0; j < s->d; j++)
		*cell(s, j, x) += sign_of(s, j, x) * v;
}

static int
by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Count-Min: the smallest counter; Count Sketch: the median of the signed counters. */
static double
rows_query(const rows *s, uint64_t x)
{
	double v[64] = { 0 };
	for (int j = 0; j < s->d; j++)
		v[j] = sign_of(s, j, x) * *cell(s, j, x);
	if (!s->signed_) {
		double m = v[0];
		for (int j = 1; j < s->d; j++)
			m = v[j] < m ? v[j] : m;
		return m;
	}
	qsort(v, (size_t)s->d, sizeof *v, by_value);
	return s->d % 2 ? v[s->d / 2] : 0.5 * (v[s->d / 2 - 1] + v[s->d / 2]);
}

/* NitroSketch's estimate of L2^2: the median over rows of the sum of squared counters. */
static double
rows_l2(const rows *s)
{
	double v[64] = { 0 };
	for (int j = 0; j < s->d; j++) {
		double sum = 0;
		for (int i = 0; i < s->w; i++) {
			double c = s->c[(size_t)j * (size_t)s->w + (size_t)i];
			sum += c * c;
		}
		v[j] = sum;
	}
	qsort(v, (size_t)s->d, sizeof *v, by_value);
	return v[s->d / 2];
}

/* Rows to skip before the next sampled row update: geometric with success p. */
static uint64_t
geometric(netshare__rng *r, double p)
{
	double u = 1.0 - netshare__rng_uniform(r); /* (0, 1] */
	return (uint64_t)floor(log(u) / log1p(-p));
}

static netshare_status
univmon(int d, int w, netshare__rng *r, const uint64_t *keys, const double *wt, size_t n,
        const uint64_t *q, size_t nq, double *est)
{
	rows lv[NETSHARE__SKETCH_LEVELS];
	hash sample[NETSHARE__SKETCH_LEVELS];
	memset(lv, 0, sizeof lv);
	netshare_status st = NETSHARE_OK;
	for (int i = 0; i < NETSHARE__SKETCH_LEVELS && st == NETSHARE_OK; i++) {
		int width = w >> i > 16 ? w >> i : 16; /* memory halves per level */
		st = rows_init(&lv[i], d, width, 1, r);
		sample[i] = hash_draw(r);
	}
	/* Level of a key: how many successive sampling hashes give 1. */
#define LEVEL_OF(x, out)                                                             \
	do {                                                                         \
		int l_ = 0;                                                          \
		while (l_ + 1 < NETSHARE__SKETCH_LEVELS && (hash_of(sample[l_ + 1], x) & 1)) \
			l_++;                                                        \
		(out) = l_;                                                          \
	} while (0)
	for (size_t k = 0; k < n && st == NETSHARE_OK; k++) {
		int top;
		LEVEL_OF(keys[k], top);
		for (int i = 0; i <= top; i++)
			rows_update(&lv[i], keys[k], wt ? wt[k] : 1.0);
	}
	for (size_t k = 0; k < nq && st == NETSHARE_OK; k++) {
		int top;
		LEVEL_OF(q[k], top);
		double v = rows_query(&lv[top], q[k]);
		for (int i = top - 1; i >= 0; i--)
			v = 2 * v - rows_query(&lv[i], q[k]);
		est[k] = v;
	}
#undef LEVEL_OF
	for (int i = 0; i < NETSHARE__SKETCH_LEVELS; i++)
		netshare__free(lv[i].c);
	return st;
}

static netshare_status
nitro(int d, int w, netshare__rng *r, const uint64_t *keys, const double *wt, size_t n,
      const uint64_t *q, size_t nq, double *est)
{
	rows s;
	netshare_status st = rows_init(&s, d, w, 1, r);
	double p = 1.0, threshold = (1 + sqrt(11.0 / w)) * (double)w * (double)w;
	uint64_t skip = 0;
	for (size_t k = 0; k < n && st == NETSHARE_OK; k++) {
		double v = wt ? wt[k] : 1.0;
		if (p == 1.0) {
			rows_update(&s, keys[k], v);
			/* AlwaysCorrect: sample once the sketch holds enough mass (checked every
			 * 1024 updates: the L2 estimate costs a pass over the counters). */
			if ((k & 1023) == 1023 && rows_l2(&s) > threshold) {
				p = NETSHARE__SKETCH_NITRO_P;
				skip = geometric(r, p);
			}
			continue;
		}
		for (int j = 0; j < d; j++) {
			if (skip) {
				skip--;
				continue;
			}
			*cell(&s, j, keys[k]) += sign_of(&s, j, keys[k]) * v / p;
			skip = geometric(r, p);
		}
	}
	for (size_t k = 0; k < nq && st == NETSHARE_OK; k++)
		est[k] = rows_query(&s, q[k]);
	netshare__free(s.c);
	return st;
}

netshare_status
netshare__sketch_estimate(int kind, int depth, int width, uint64_t seed, const uint64_t *keys,
                          const double *w, size_t n, const uint64_t *queries, size_t n_queries,
                          double *estimates)
{
	if (depth < 1 || depth > 64 || width < 1)
		return netshare__error(NETSHARE_EINVAL, "sketch: depth %d (1..64), width %d", depth,
		                       width);
	netshare__rng r;
	netshare__rng_seed(&r, seed);
	if (kind == NETSHARE__SKETCH_UNIVMON)
		return univmon(depth, width, &r, keys, w, n, queries, n_queries, estimates);
	if (kind == NETSHARE__SKETCH_NITRO)
		return nitro(depth, width, &r, keys, w, n, queries, n_queries, estimates);
	rows s;
	netshare_status st = rows_init(&s, depth, width, kind == NETSHARE__SKETCH_CS, &r);
	for (size_t k = 0; k < n && st == NETSHARE_OK; k++)
		rows_update(&s, keys[k], w ? w[k] : 1.0);
	for (size_t k = 0; k < n_queries && st == NETSHARE_OK; k++)
		estimates[k] = rows_query(&s, queries[k]);
	netshare__free(s.c);
	return st;
}

typedef struct keyed {
	uint64_t key;
	double w;
} keyed;

static int
by_key(const void *a, const void *b)
{
	uint64_t x = ((const keyed *)a)->key, y = ((const keyed *)b)->key;
	return (x > y) - (x < y);
}

netshare_status
netshare__sketch_hh_errors(const uint64_t *keys, const double *w, size_t n, double phi,
                           uint64_t seed, double err[NETSHARE__SKETCHES])
{
	for (int s = 0; s < NETSHARE__SKETCHES; s++)
		err[s] = NAN;
	/* True counts: sort a copy by key. */
	keyed *t = netshare__mallocarray(n ? n : 1, sizeof *t);
	uint64_t *hh = netshare__mallocarray(n ? n : 1, sizeof *hh);
	double *truth = netshare__mallocarray(n ? n : 1, sizeof *truth);
	double *est = netshare__mallocarray(n ? n : 1, sizeof *est);
	netshare_status st = t && hh && truth && est ? NETSHARE_OK : netshare__error_oom("sketch");
	size_t n_hh = 0;
	if (st == NETSHARE_OK) {
		double total = 0;
		for (size_t k = 0; k < n; k++) {
			t[k] = (keyed){ keys[k], w ? w[k] : 1.0 };
			total += t[k].w;
		}
		qsort(t, n, sizeof *t, by_key);
		for (size_t k = 0; k < n;) {
			size_t e = k;
			double c = 0;
			while (e < n && t[e].key == t[k].key)
				c += t[e++].w;
			if (c >= phi * total && c > 0) {
				hh[n_hh] = t[k].key;
				truth[n_hh++] = c;
			}
			k = e;
		}
	}
	for (int s = 0; s < NETSHARE__SKETCHES && st == NETSHARE_OK && n_hh; s++) {
		double sum = 0;
		for (int r = 0; r < NETSHARE__SKETCH_SEEDS && st == NETSHARE_OK; r++) {
			st = netshare__sketch_estimate(s, NETSHARE__SKETCH_DEPTH, NETSHARE__SKETCH_WIDTH,
			                               seed + (uint64_t)r, keys, w, n, hh, n_hh, est);
			for (size_t k = 0; k < n_hh && st == NETSHARE_OK; k++)
				sum += fabs(est[k] - truth[k]) / truth[k];
		}
		err[s] = sum / (double)(n_hh * NETSHARE__SKETCH_SEEDS);
	}
	netshare__free(t);
	netshare__free(hh);
	netshare__free(truth);
	netshare__free(est);
	return st;
}
