/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench-io: trace ingest and pcap writing at scale.
 *
 * Builds a 1M-packet trace by tiling caida-10k and pathspider-real (each tile shifted
 * in time and its addresses remapped, so tiles are distinct flows), writes it as a
 * headers-only pcap, then measures side by side in one run:
 *   - a bare libpcap pcap_next_ex loop over the file (the floor),
 *   - netshare_dataset_read + 5-tuple flow grouping over the same file,
 *   - peak resident memory of the latter (in a forked child) per packet,
 *   - netshare_dataset_write of the 1M records to pcap (full zero payload, and headers
 *     only), in packets per second.
 * Prints one JSON line. Usage: bench-io [DATA_DIR] [PACKETS]
 */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <netshare/netshare.h>

#include "core/clock.h"
#include "flow/flows.h"

#define REPEATS 7 /* minimum of several alternating runs: the machines are shared and noisy */

static void
die(const char *what)
{
	fprintf(stderr, "bench-io: %s: %s\n", what, netshare_last_error());
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
			die("append");
	}
	return t0 + (in.time_max_ns - in.time_min_ns) + 1000;
}

static netshare_dataset *
build_trace(const char *data, size_t packets, const char **source)
{
	char a[1024], b[1024];
	snprintf(a, sizeof a, "%s/caida-10k.pcapng", data);
	snprintf(b, sizeof b, "%s/pathspider-real.pcap", data);
	netshare_dataset *ca, *pa, *out;
	if (netshare_dataset_new(&out, NETSHARE_RECORDS_PACKETS) < 0)
		die("new");
	if (netshare_dataset_read(&ca, a, NULL) < 0 || netshare_dataset_read(&pa, b, NULL) < 0)
		die("reading the real traces to tile (give the shared data directory)");
	*source = "caida-10k + pathspider-real tiled, times shifted, addresses remapped per tile";
	int64_t t = 1500000000LL * 1000000000LL;
	for (int k = 0; netshare_dataset_count(out) < packets; k++)
		t = append_tile(out, k % 2 ? pa : ca, k, t, packets);
	netshare_dataset_free(ca);
	netshare_dataset_free(pa);
	return out;
}

static double
bare_libpcap(const char *path, size_t *frames)
{
	char err[PCAP_ERRBUF_SIZE];
	double t0 = netshare__now();
	pcap_t *p = pcap_open_offline(path, err);
	if (!p) {
		fprintf(stderr, "bench-io: %s\n", err);
		exit(1);
	}
	struct pcap_pkthdr *h;
	const u_char *d;
	size_t n = 0;
	unsigned sum = 0;
	while (pcap_next_ex(p, &h, &d) == 1) {
		sum += d[0] + h->caplen; /* touch the data as any real consumer does */
		n++;
	}
	pcap_close(p);
	double t = netshare__now() - t0;
	*frames = n + (sum == 1); /* keep `sum` alive */
	return t;
}

static double
ours(const char *path, size_t *flows)
{
	double t0 = netshare__now();
	netshare_dataset *ds;
	if (netshare_dataset_read(&ds, path, NULL) < 0)
		die("read");
	netshare__flows f;
	if (netshare__flows_build(ds, &f) < 0)
		die("flows");
	double t = netshare__now() - t0;
	*flows = f.n_flows;
	netshare__flows_free(&f);
	netshare_dataset_free(ds);
	return t;
}

/* Peak RSS growth of read + group, measured in a fresh child process. */
static long
peak_bytes(const char *path)
{
	int fd[2];
	if (pipe(fd) != 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		struct rusage before, after;
		getrusage(RUSAGE_SELF, &before);
		size_t flows;
		ours(path, &flows);
		getrusage(RUSAGE_SELF, &after);
		long delta = (after.ru_maxrss - before.ru_maxrss) * 1024L;
		if (write(fd[1], &delta, sizeof delta) != sizeof delta)
			_exit(1);
		_exit(0);
	}
	long delta = -1;
	if (read(fd[0], &delta, sizeof delta) != sizeof delta)
		delta = -1;
	waitpid(pid, NULL, 0);
	close(fd[0]);
	close(fd[1]);
	return delta;
}

static double
write_rate(const netshare_dataset *ds, const char *path, int headers_only)
{
	netshare_write_params wp;
	netshare_write_params_init(&wp);
	wp.headers_only = headers_only;
	double best = 1e30;
	for (int r = 0; r < REPEATS; r++) {
		double t0 = netshare__now();
		if (netshare_dataset_write(ds, path, &wp) < 0)
			die("write");
		double t = netshare__now() - t0;
		best = t < best ? t : best;
		unlink(path);
	}
	return (double)netshare_dataset_count(ds) / best;
}

int
main(int argc, char **argv)
{
	const char *data = argc > 1 ? argv[1] : "../shared/data";
	size_t packets = argc > 2 ? strtoul(argv[2], NULL, 10) : 1000000;
	const char *tmpdir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	char trace[512], out[512];
	snprintf(trace, sizeof trace, "%s/bench-io-%ld.pcap", tmpdir, (long)getpid());
	snprintf(out, sizeof out, "%s/bench-io-out-%ld.pcap", tmpdir, (long)getpid());

	const char *source;
	netshare_dataset *ds = build_trace(data, packets, &source);
	netshare_write_params wp;
	netshare_write_params_init(&wp);
	wp.headers_only = 1;
	wp.nanosecond = 1;
	if (netshare_dataset_write(ds, trace, &wp) < 0)
		die("writing the tiled trace");

	double best_bare = 1e30, best_ours = 1e30;
	size_t frames = 0, flows = 0;
	for (int r = 0; r < REPEATS; r++) { /* alternate, so both see the same machine state */
		double b = bare_libpcap(trace, &frames), o = ours(trace, &flows);
		best_bare = b < best_bare ? b : best_bare;
		best_ours = o < best_ours ? o : best_ours;
	}
	long peak = peak_bytes(trace);
	double write_full = write_rate(ds, out, 0);
	double write_hdr = write_rate(ds, out, 1);
	if (!getenv("BENCH_KEEP")) unlink(trace); else fprintf(stderr, "kept %s\n", trace);

	double n = (double)netshare_dataset_count(ds);
	printf("{\"bench\":\"io\",\"source\":\"%s\",\"packets\":%.0f,\"flows\":%zu,"
	       "\"bare_libpcap_ns_per_packet\":%.1f,\"ns_per_packet\":%.1f,"
	       "\"ratio_vs_bare_libpcap\":%.3f,\"peak_bytes_per_packet\":%.1f,"
	       "\"write_packets_per_s\":%.0f,\"write_headers_only_packets_per_s\":%.0f,"
	       "\"tmpdir\":\"%s\"}\n",
	       source, n, flows, best_bare / n * 1e9, best_ours / n * 1e9, best_ours / best_bare,
	       (double)peak / n, write_full, write_hdr, tmpdir);
	netshare_dataset_free(ds);
	return frames == (size_t)n ? 0 : 1;
}
