/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Benchmark traces at scale: caida-10k and pathspider-real tiled to any number of
 * packets, each tile shifted in time and its addresses xor-ed with a per-tile mask, so
 * tiles are distinct flows with the real traces' structure.
 */
#ifndef NETSHARE_BENCH_TILE_H
#define NETSHARE_BENCH_TILE_H

#include <stddef.h>

#include <netshare/netshare.h>

/* Print "bench: what: last error" and exit(1). */
void bench_die(const char *what);

/* A packet dataset of `packets` records tiled from the two traces in `data`; *source
 * describes it for the JSON output. Exits on failure. */
netshare_dataset *bench_tiled_trace(const char *data, size_t packets, const char **source);

#endif
