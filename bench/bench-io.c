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
#include "tile.h"

#define REPEATS 7 /* minimum of several alternating runs: the machines are shared and noisy */

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
		bench_die("read");
	netshare__flows f;
	if (netshare__flows_build(ds, &f) < 0)
		bench_die("flows");
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
			bench_die("write");
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
	netshare_dataset *ds = bench_tiled_trace(data, packets, &source);
	netshare_write_params wp;
	netshare_write_params_init(&wp);
	wp.headers_only = 1;
	wp.nanosecond = 1;
	if (netshare_dataset_write(ds, trace, &wp) < 0)
		bench_die("writing the tiled trace");

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
