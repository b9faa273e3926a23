/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * 03-live-capture: feed packets from a pcap_t loop into a dataset, as a measurement tool
 * would, then summarise them. The pcap_t here is a savefile so that the example runs
 * anywhere; swap pcap_open_offline() for pcap_open_live(device, 128, 1, 100, err) to
 * capture from an interface (as root).
 *
 *   cc 03-live-capture.c $(pkg-config --cflags --libs netshare libpcap) -o 03-live-capture
 *   ./03-live-capture capture.pcap
 *
 * pkg-config: libpcap
 * Test: $TRACE
 */
/* libpcap's headers use BSD types (u_char) that strict C99 hides. */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE
#endif
#include <inttypes.h>
#include <stdio.h>

#include <pcap/pcap.h>

#include <netshare/netshare.h>

struct capture {
	netshare_dataset *ds;
	int link_type;
	netshare_status status;
	pcap_t *pcap;
};

static void
on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct capture *c = (struct capture *)user;
	int64_t t = (int64_t)h->ts.tv_sec * 1000000000 + (int64_t)h->ts.tv_usec * 1000;
	c->status = netshare_dataset_append_frame(c->ds, c->link_type, t, bytes, h->caplen,
	                                          h->len);
	if (c->status != NETSHARE_OK)
		pcap_breakloop(c->pcap);
}

int
main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s SAVEFILE\n", argv[0]);
		return 2;
	}
	char err[PCAP_ERRBUF_SIZE];
	struct capture c = { NULL, 0, NETSHARE_OK, pcap_open_offline(argv[1], err) };
	if (!c.pcap) {
		fprintf(stderr, "03-live-capture: %s\n", err);
		return 1;
	}
	c.link_type = pcap_datalink(c.pcap);
	if (netshare_dataset_new(&c.ds, NETSHARE_RECORDS_PACKETS) != NETSHARE_OK) {
		pcap_close(c.pcap);
		return 1;
	}
	int rc = pcap_loop(c.pcap, -1, on_packet, (u_char *)&c);
	pcap_close(c.pcap);
	if (rc == PCAP_ERROR || c.status != NETSHARE_OK) {
		fprintf(stderr, "03-live-capture: %s\n",
		        c.status != NETSHARE_OK ? netshare_last_error() : "capture failed");
		netshare_dataset_free(c.ds);
		return 1;
	}
	netshare_summary s = { .struct_size = sizeof s };
	netshare_dataset_summary(c.ds, &s);
	uint64_t skipped = 0;
	for (int r = 0; r < NETSHARE_SKIP_REASONS; r++)
		skipped += netshare_dataset_skipped(c.ds, r);
	printf("captured %" PRIu64 " IP packets in %" PRIu64 " flows (%" PRIu64
	       " frames skipped)\n", s.records, s.flows, skipped);
	netshare_dataset_free(c.ds);
	return 0;
}
