/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal: heavy-hitter count estimation with four standard sketches
 * (reference/eval.md section 3), the downstream task of NetShare's pcap evaluation.
 *
 *  - Count-Min (Cormode, Muthukrishnan): d x w counters, min over rows.
 *  - Count Sketch (Charikar et al.): d x w counters with +-1 signs, median over rows.
 *  - UnivMon (Liu et al. 2016): L levels of Count Sketches, level i seeing a key with
 *    probability 2^-i; point query r = CS_l(x), then r = 2r - CS_i(x) down to level 0.
 *  - NitroSketch (Liu et al. 2019): a Count Sketch whose row updates are sampled with
 *    probability p (geometric skipping, increments scaled by 1/p) once the sketch's L2^2
 *    estimate passes (1 + sqrt(11/w)) w^2 (AlwaysCorrect mode).
 *
 * Hashes: (a x + b) mod (2^61 - 1) with a, b drawn from xoshiro256** seeded by the caller,
 * so the same seed gives the same sketches for real and synthetic traces.
 */
#ifndef NETSHARE_EVAL_SKETCH_H
#define NETSHARE_EVAL_SKETCH_H

#include <stddef.h>
#include <stdint.h>

#include <netshare/common.h>

enum { NETSHARE__SKETCH_CMS, NETSHARE__SKETCH_CS, NETSHARE__SKETCH_UNIVMON,
       NETSHARE__SKETCH_NITRO, NETSHARE__SKETCHES };

/* The parameters every report uses (NetDPSyn's sizes, which NetShare's comparison used:
 * 5 rows of 1000 counters; UnivMon 10 levels; NitroSketch p = 1/8). */
#define NETSHARE__SKETCH_DEPTH 5
#define NETSHARE__SKETCH_WIDTH 1000
#define NETSHARE__SKETCH_LEVELS 10
#define NETSHARE__SKETCH_NITRO_P 0.125
/* Heavy hitters: keys with at least this share of the total count. */
#define NETSHARE__SKETCH_PHI 1e-3
/* Errors are averaged over this many hash seeds. */
#define NETSHARE__SKETCH_SEEDS 5

const char *netshare__sketch_name(int kind);

/* Estimated counts of `queries` after streaming keys[i] with weights w[i] (w NULL: 1
 * each) through sketch `kind` of depth x width counters. ENOMEM. */
netshare_status netshare__sketch_estimate(int kind, int depth, int width, uint64_t seed,
                                          const uint64_t *keys, const double *w, size_t n,
                                          const uint64_t *queries, size_t n_queries,
                                          double *estimates);

/* Average relative error of the estimated counts of the heavy hitters (keys with a true
 * count >= phi * total), averaged over NETSHARE__SKETCH_SEEDS seeds from `seed`: one value
 * per sketch in err[]. NaN when there is no heavy hitter. ENOMEM. */
netshare_status netshare__sketch_hh_errors(const uint64_t *keys, const double *w, size_t n,
                                           double phi, uint64_t seed,
                                           double err[NETSHARE__SKETCHES]);

#endif
