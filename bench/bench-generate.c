/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench-generate: sample about PACKETS packets from a trained model and write them to a
 * pcap, as `netshare generate -m MODEL -o out.pcap --flows N` does. A first, small run
 * measures records per flow; the timed run asks for 5 % more flows than PACKETS needs
 * by that estimate, so that it makes at least PACKETS packets.
 * Prints one JSON line: flows, packets, flows_per_s, packets_per_s, generate_s, write_s
 * and total_s (generate + write).
 * Usage: bench-generate MODEL [PACKETS (default 1000000)] [OUT.pcap]
 * Make MODEL with e.g. `netshare train -i caida-10k.pcapng -o caida.nsm -I 200`.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <netshare/netshare.h>

#include "blas_kernels.h"
#include "core/clock.h"

static int
fail(const char *what)
{
	fprintf(stderr, "bench-generate: %s: %s\n", what, netshare_last_error());
	return 1;
}

int
main(int argc, char **argv)
{
	cli_pick_blas_kernels(argv); /* as netshare generate does */
	if (argc < 2) {
		fprintf(stderr, "usage: %s MODEL [PACKETS] [OUT.pcap]\n", argv[0]);
		return 2;
	}
	uint64_t want = argc > 2 ? strtoull(argv[2], NULL, 10) : 1000000;
	const char *out = argc > 3 ? argv[3] : "/tmp/bench-generate.pcap";
	netshare_model *m;
	if (netshare_model_load(&m, argv[1], NULL) != NETSHARE_OK)
		return fail(argv[1]);
	netshare_sample_params sp;
	netshare_sample_params_init(&sp);
	sp.flows = 5000;
	netshare_sampler *s;
	netshare_dataset *ds;
	netshare_sample_info info = { .struct_size = sizeof info };
	if (netshare_sampler_new(&s, m, &sp) != NETSHARE_OK ||
	    netshare_sampler_generate(&ds, s) != NETSHARE_OK ||
	    netshare_sampler_info_get(s, &info) != NETSHARE_OK)
		return fail("probe run");
	double per_flow = info.flows ? (double)info.records / (double)info.flows : 1;
	netshare_dataset_free(ds);
	netshare_sampler_free(s);

	sp.flows = (uint64_t)(1.05 * (double)want / per_flow) + 1;
	if (netshare_sampler_new(&s, m, &sp) != NETSHARE_OK)
		return fail("sampler");
	double t0 = netshare__now();
	if (netshare_sampler_generate(&ds, s) != NETSHARE_OK)
		return fail("generate");
	double t1 = netshare__now();
	if (netshare_dataset_write(ds, out, NULL) != NETSHARE_OK)
		return fail(out);
	double t2 = netshare__now();
	netshare_sampler_info_get(s, &info);
	printf("{\"bench\":\"generate\",\"model\":\"%s\",\"flows\":%" PRIu64 ",\"packets\":%" PRIu64
	       ",\"flows_per_s\":%.0f,\"packets_per_s\":%.0f,\"generate_s\":%.3f,\"write_s\":%.3f,"
	       "\"total_s\":%.3f}\n", argv[1], info.flows, info.records,
	       (double)info.flows / (t2 - t0), (double)info.records / (t2 - t0), t1 - t0, t2 - t1,
	       t2 - t0);
	if (argc <= 3)
		unlink(out);
	netshare_dataset_free(ds);
	netshare_sampler_free(s);
	netshare_model_free(m);
	return 0;
}
