/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * 01-flow-stats: read a trace (pcap, pcapng or flow CSV) and print its flow statistics.
 *
 *   cc 01-flow-stats.c $(pkg-config --cflags --libs netshare) -o 01-flow-stats
 *   ./01-flow-stats capture.pcap
 *
 * Test: $TRACE
 */
#include <inttypes.h>
#include <stdio.h>

#include <netshare/netshare.h>

int
main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s TRACE\n", argv[0]);
		return 2;
	}
	netshare_dataset *ds;
	if (netshare_dataset_read(&ds, argv[1], NULL) != NETSHARE_OK) {
		fprintf(stderr, "01-flow-stats: %s\n", netshare_last_error());
		return 1;
	}
	netshare_summary s = { .struct_size = sizeof s };
	if (netshare_dataset_summary(ds, &s) != NETSHARE_OK) {
		fprintf(stderr, "01-flow-stats: %s\n", netshare_last_error());
		netshare_dataset_free(ds);
		return 1;
	}
	printf("%" PRIu64 " records in %" PRIu64 " flows over %.3f s\n", s.records, s.flows,
	       s.duration_s);
	printf("records per flow: mean %.2f, median %" PRIu64 ", p99 %" PRIu64 ", max %" PRIu64
	       "\n", s.flow_size_mean, s.flow_size_p50, s.flow_size_p99, s.flow_size_max);
	for (int p = 0; p < 256; p++) {
		if (!s.protocol_records[p])
			continue;
		const char *name = netshare_protocol_name(p);
		printf("protocol %3d %-6s %8" PRIu64 " records\n", p, name ? name : "", s.protocol_records[p]);
	}
	netshare_dataset_free(ds);
	return 0;
}
