/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * word2vec: learns co-occurrence structure, is deterministic for a seed, handles unknown
 * words like NetShare (numerically nearest), and decodes by exact nearest neighbour
 * (checked against a brute-force cosine search).
 */
#include <math.h>

#include "../test-common.h"
#include "core/rng.h"
#include "encode/word2vec.h"

#define P(v) NETSHARE__W2V_WORD(NETSHARE__W2V_PORT, v)
#define X(v) NETSHARE__W2V_WORD(NETSHARE__W2V_PROTO, v)

/* Ports 80/443 always come with protocol 6, ports 53/5353 with protocol 17. */
static uint32_t *
two_groups(size_t n)
{
	uint32_t *s = malloc(n * 3 * sizeof *s);
	netshare__rng g;
	netshare__rng_seed(&g, 5);
	for (size_t i = 0; i < n; i++) {
		int web = netshare__rng_below(&g, 2), swap = netshare__rng_below(&g, 2);
		uint32_t a = web ? P(80) : P(53), b = web ? P(443) : P(5353);
		s[3 * i] = swap ? b : a;
		s[3 * i + 1] = swap ? a : b;
		s[3 * i + 2] = web ? X(6) : X(17);
	}
	return s;
}

static double
cosine(const netshare__word2vec *w, uint32_t a, uint32_t b)
{
	const float *x = w->vec + netshare__w2v_lookup(w, a) * w->dim;
	const float *y = w->vec + netshare__w2v_lookup(w, b) * w->dim;
	double d = 0;
	for (int k = 0; k < w->dim; k++)
		d += x[k] * y[k];
	return d; /* unit vectors */
}

START_TEST(learns_which_ports_go_together)
{
	uint32_t *s = two_groups(20000);
	for (int sg = 0; sg <= 1; sg++) {
		netshare__w2v_params p;
		netshare__w2v_params_default(&p);
		p.skipgram = sg;
		netshare__word2vec w;
		ck_assert_ok(netshare__w2v_train(&w, s, 20000, 3, &p));
		ck_assert_uint_eq(w.n_words, 6);
		ck_assert_uint_eq(w.first[1] - w.first[0], 4); /* ports */
		double same = cosine(&w, P(80), P(443)), other = cosine(&w, P(80), P(53));
		double same2 = cosine(&w, P(53), P(5353)), other2 = cosine(&w, P(443), P(5353));
		ck_assert_msg(same > other + 0.3 && same2 > other2 + 0.3,
		              "%s: cos(80,443)=%.3f cos(80,53)=%.3f cos(53,5353)=%.3f "
		              "cos(443,5353)=%.3f", sg ? "skip-gram" : "CBOW", same, other, same2,
		              other2);
		for (size_t i = 0; i < w.n_words; i++) {
			double norm = 0;
			for (int k = 0; k < w.dim; k++)
				norm += w.vec[i * 10 + k] * w.vec[i * 10 + k];
			ck_assert_double_eq_tol(norm, 1.0, 1e-5);
		}
		netshare__w2v_free(&w);
	}
	free(s);
}
END_TEST

START_TEST(same_seed_same_vectors)
{
	uint32_t *s = two_groups(3000);
	netshare__w2v_params p;
	netshare__w2v_params_default(&p);
	netshare__word2vec a, b, c;
	ck_assert_ok(netshare__w2v_train(&a, s, 3000, 3, &p));
	ck_assert_ok(netshare__w2v_train(&b, s, 3000, 3, &p));
	p.seed = 2;
	ck_assert_ok(netshare__w2v_train(&c, s, 3000, 3, &p));
	ck_assert_mem_eq(a.vec, b.vec, a.n_words * 10 * sizeof(float));
	ck_assert(memcmp(a.vec, c.vec, a.n_words * 10 * sizeof(float)) != 0);
	netshare__w2v_free(&a);
	netshare__w2v_free(&b);
	netshare__w2v_free(&c);
	free(s);
}
END_TEST

START_TEST(unknown_words_map_to_the_nearest_value)
{
	uint32_t *s = two_groups(500);
	netshare__w2v_params p;
	netshare__w2v_params_default(&p);
	netshare__word2vec w;
	ck_assert_ok(netshare__w2v_train(&w, s, 500, 3, &p));
	ck_assert_int_eq(w.word[netshare__w2v_lookup(&w, P(443))], P(443));
	ck_assert_int_eq(w.word[netshare__w2v_lookup(&w, P(444))], P(443));
	ck_assert_int_eq(w.word[netshare__w2v_lookup(&w, P(1))], P(53));
	ck_assert_int_eq(w.word[netshare__w2v_lookup(&w, P(65535))], P(5353));
	ck_assert_int_eq(w.word[netshare__w2v_lookup(&w, P(66))], P(53)); /* 13 vs 14 away */
	ck_assert_int_eq(w.word[netshare__w2v_lookup(&w, X(11))], X(6));  /* tie: lower */
	ck_assert_int_eq(w.word[netshare__w2v_lookup(&w, X(200))], X(17));
	netshare__w2v_free(&w);
	/* min_count drops rare words; a kind with no words cannot be looked up. */
	uint32_t one[3] = { P(1), P(2), X(3) };
	p.min_count = 2;
	ck_assert_ok(netshare__w2v_train(&w, one, 1, 3, &p));
	ck_assert_uint_eq(w.n_words, 0);
	ck_assert_int_eq(netshare__w2v_lookup(&w, P(1)), -1);
	float q[10] = { 1 };
	uint32_t v;
	ck_assert_status(netshare__w2v_nearest(&w, NETSHARE__W2V_PORT, q, 1, NULL, 0, &v),
	                 NETSHARE_EINVAL);
	netshare__w2v_free(&w);
	free(s);
}
END_TEST

START_TEST(nearest_matches_brute_force)
{
	/* Many ports, random queries: sgemm decoding equals a direct cosine search. */
	enum { N = 4000, Q = 3000 };
	uint32_t *s = malloc(N * 3 * sizeof *s);
	netshare__rng g;
	netshare__rng_seed(&g, 9);
	for (size_t i = 0; i < N; i++) {
		s[3 * i] = P(1024 + netshare__rng_below(&g, 3000));
		s[3 * i + 1] = P(netshare__rng_below(&g, 1024));
		s[3 * i + 2] = X(netshare__rng_below(&g, 3) ? 6 : 17);
	}
	netshare__w2v_params p;
	netshare__w2v_params_default(&p);
	p.epochs = 1;
	netshare__word2vec w;
	ck_assert_ok(netshare__w2v_train(&w, s, N, 3, &p));
	float *q = malloc(Q * 10 * sizeof *q);
	netshare__rng_fill_normalf(&g, q, Q * 10, 0, 1);
	uint32_t *got = malloc(Q * sizeof *got);
	ck_assert_ok(netshare__w2v_nearest(&w, NETSHARE__W2V_PORT, q, Q, NULL, 0, got));
	for (size_t i = 0; i < Q; i++) {
		double best = -2, qn = 0;
		uint32_t want = 0;
		for (int k = 0; k < 10; k++)
			qn += (double)q[i * 10 + k] * q[i * 10 + k];
		for (size_t j = w.first[0]; j < w.first[1]; j++) {
			double d = 0;
			for (int k = 0; k < 10; k++)
				d += (double)q[i * 10 + k] * w.vec[j * 10 + k];
			d /= sqrt(qn);
			if (d > best + 1e-6) {
				best = d;
				want = w.word[j] & 0xffff;
			}
		}
		ck_assert_uint_eq(got[i], want);
	}
	/* Restricted to a role's values (every third port seen): the best allowed word,
	 * by the same brute force. A list with no known value means no restriction. */
	uint32_t allowed[1000];
	size_t n_allowed = 0;
	for (size_t j = w.first[0]; j < w.first[1] && n_allowed < 1000; j += 3)
		allowed[n_allowed++] = w.word[j] & 0xffff;
	ck_assert_ok(netshare__w2v_nearest(&w, NETSHARE__W2V_PORT, q, 50, allowed, n_allowed, got));
	for (size_t i = 0; i < 50; i++) {
		double best = -1e30;
		uint32_t want = 0;
		for (size_t j = w.first[0], a = 0; j < w.first[1] && a < n_allowed; j += 3, a++) {
			double d = 0;
			for (int k = 0; k < 10; k++)
				d += (double)q[i * 10 + k] * w.vec[j * 10 + k];
			if (d > best + 1e-6) {
				best = d;
				want = w.word[j] & 0xffff;
			}
		}
		ck_assert_uint_eq(got[i], want);
	}
	uint32_t unknown = 65535;
	uint32_t all[5], some[5];
	ck_assert_ok(netshare__w2v_nearest(&w, NETSHARE__W2V_PORT, q, 5, NULL, 0, all));
	ck_assert_ok(netshare__w2v_nearest(&w, NETSHARE__W2V_PORT, q, 5, &unknown, 1, some));
	ck_assert_mem_eq(all, some, sizeof all);
	/* A word's own vector decodes to itself. */
	for (size_t j = w.first[1]; j < w.first[2]; j++) {
		uint32_t v;
		ck_assert_ok(netshare__w2v_nearest(&w, NETSHARE__W2V_PROTO, w.vec + j * 10, 1, NULL, 0,
		                                   &v));
		ck_assert_uint_eq(v, w.word[j] & 0xffff);
	}
	netshare__w2v_free(&w);
	free(q);
	free(got);
	free(s);
}
END_TEST

START_TEST(bad_parameters)
{
	uint32_t one[3] = { P(1), P(2), X(3) };
	netshare__w2v_params p;
	netshare__word2vec w;
	netshare__w2v_params_default(&p);
	p.dim = 0;
	ck_assert_status(netshare__w2v_train(&w, one, 1, 3, &p), NETSHARE_EINVAL);
	ck_assert_error_contains("word2vec dim = 0");
	netshare__w2v_params_default(&p);
	p.window = -1;
	ck_assert_status(netshare__w2v_train(&w, one, 1, 3, &p), NETSHARE_EINVAL);
	ck_assert_error_contains("word2vec window");
}
END_TEST

NETSHARE_TEST_MAIN("encode-word2vec",
	learns_which_ports_go_together,
	same_seed_same_vectors,
	unknown_words_map_to_the_nearest_value,
	nearest_matches_brute_force,
	bad_parameters)
