/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench-core: throughput of the core primitives later layers lean on: CRC-32C (model
 * file checksums), the RNG (noise for every generator step) and the thread pool's
 * per-loop overhead (many small parallel loops per training iteration).
 * Prints one JSON line.
 */
#include <stdio.h>
#include <stdlib.h>

#include "core/clock.h"
#include "core/crc32c.h"
#include "core/rng.h"
#include "core/threadpool.h"

static void
noop(void *arg, size_t i, unsigned worker)
{
	(void)arg; (void)i; (void)worker;
}

int
main(void)
{
	enum { CRC_BYTES = 64 << 20, NORMALS = 10000000, LOOPS = 20000 };
	unsigned char *buf = malloc(CRC_BYTES);
	float *x = malloc(NORMALS * sizeof *x);
	if (!buf || !x)
		return 1;
	for (size_t i = 0; i < CRC_BYTES; i++)
		buf[i] = (unsigned char)i;

	double t0 = netshare__now();
	volatile uint32_t crc = netshare__crc32c(0, buf, CRC_BYTES);
	double t1 = netshare__now();
	netshare__rng r;
	netshare__rng_seed(&r, 1);
	netshare__rng_fill_normalf(&r, x, NORMALS, 0.0f, 1.0f);
	double t2 = netshare__now();
	netshare__pool *pool;
	if (netshare__pool_new(&pool, 2) != 0)
		return 1;
	for (int i = 0; i < LOOPS; i++)
		netshare__pool_for(pool, 2, noop, NULL);
	double t3 = netshare__now();
	netshare__pool_free(pool);
	(void)crc;

	printf("{\"bench\":\"core\",\"crc32c_gb_per_s\":%.3f,\"normals_per_s\":%.0f,"
	       "\"pool_loop_us\":%.2f,\"pool_threads\":2}\n",
	       CRC_BYTES / (t1 - t0) / 1e9, NORMALS / (t2 - t1), (t3 - t2) / LOOPS * 1e6);
	free(buf);
	free(x);
	return 0;
}
