/* SPDX-License-Identifier: BSD-3-Clause */
/* Large benchmark traces tiled from real ones (see tile.h). */
#include "tile.h"

#include <stdio.h>
#include <stdlib.h>

void
bench_die(const char *what)
{
	fprintf(stderr, "bench: %s: %s\n", what, netshare_last_error());
	exit(1);
}

static uint32_t
mix(uint32_t x)
{
	x ^= x >> 16;
	x *= 0x7feb352d;
	x ^= x >> 15;
	x *= 0x846ca68b;
	return x ^ (x >> 16);
}

/* Append tile `k` of `src` to `dst`: times shifted past the previous tile, addresses
 * xor-ed with a per-tile mask (so flows stay flows but tiles do not share them). */
static int64_t
append_tile(netshare_dataset *dst, const netshare_dataset *src, int k, int64_t t0,
            size_t limit)
{
	netshare_record r;
	netshare_record_init(&r);
	netshare_dataset_info in = { .struct_size = sizeof in };
	netshare_dataset_info_get(src, &in);
	uint32_t mask = mix((uint32_t)k + 1);
	for (size_t i = 0; i < netshare_dataset_count(src) && netshare_dataset_count(dst) < limit;
	     i++) {
		netshare_dataset_get(src, i, &r);
		r.time_ns = r.time_ns - in.time_min_ns + t0;
		r.src_ip ^= mask;
		r.dst_ip ^= mask;
		for (int b = 0; b < 4; b++) {
			r.src_ip6[12 + b] ^= (uint8_t)(mask >> (8 * b));
			r.dst_ip6[12 + b] ^= (uint8_t)(mask >> (8 * b));
		}
		if (netshare_dataset_append(dst, &r) < 0)
			bench_die("append");
	}
	return t0 + (in.time_max_ns - in.time_min_ns) + 1000;
}

netshare_dataset *
bench_tiled_trace(const char *data, size_t packets, const char **source)
{
	char a[1024], b[1024];
	snprintf(a, sizeof a, "%s/caida-10k.pcapng", data);
	snprintf(b, sizeof b, "%s/pathspider-real.pcap", data);
	netshare_dataset *ca, *pa, *out;
	if (netshare_dataset_new(&out, NETSHARE_RECORDS_PACKETS) < 0)
		bench_die("new");
	if (netshare_dataset_read(&ca, a, NULL) < 0 || netshare_dataset_read(&pa, b, NULL) < 0)
		bench_die("reading the real traces to tile (give the shared data directory)");
	*source = "caida-10k + pathspider-real tiled, times shifted, addresses remapped per tile";
	int64_t t = 1500000000LL * 1000000000LL;
	for (int k = 0; netshare_dataset_count(out) < packets; k++)
		t = append_tile(out, k % 2 ? pa : ca, k, t, packets);
	netshare_dataset_free(ca);
	netshare_dataset_free(pa);
	return out;
}

