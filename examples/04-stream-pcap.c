/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * 04-stream-pcap: load a model and stream a synthetic trace: records arrive in time
 * order while later chunks are still being generated, so memory stays about one chunk's
 * worth. Here each record goes to a pcap savefile built with libpcap's dumper (headers
 * only, as the records carry no payload), as a tool replaying synthetic traffic would.
 *
 *   cc 04-stream-pcap.c $(pkg-config --cflags --libs netshare libpcap) -o 04-stream-pcap
 *   ./04-stream-pcap model.nsm synthetic.pcap [seed]
 *
 * pkg-config: libpcap
 * Test: $DIR/model.nsm $DIR/streamed.pcap 3
 */
/* libpcap's headers use BSD types (u_char) that strict C99 hides. */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include <netshare/netshare.h>

struct out {
	pcap_dumper_t *dumper;
	unsigned long records;
};

/* A raw-IP (DLT_RAW) frame of the record: IPv4 header + TCP/UDP ports, no checksums. */
static int
on_record(const netshare_record *r, const netshare_dataset *ds, size_t row, void *user)
{
	(void)ds;
	(void)row;
	struct out *o = user;
	if (r->ip_version != 4)
		return 0; /* IPv6 records skipped for brevity */
	unsigned char f[24] = { 0x45, r->tos, (unsigned char)(r->ip_length >> 8),
	                        (unsigned char)r->ip_length, (unsigned char)(r->ip_id >> 8),
	                        (unsigned char)r->ip_id, 0, 0, r->ttl, r->protocol };
	for (int i = 0; i < 4; i++) {
		f[12 + i] = (unsigned char)(r->src_ip >> (24 - 8 * i));
		f[16 + i] = (unsigned char)(r->dst_ip >> (24 - 8 * i));
	}
	f[20] = (unsigned char)(r->src_port >> 8);
	f[21] = (unsigned char)r->src_port;
	f[22] = (unsigned char)(r->dst_port >> 8);
	f[23] = (unsigned char)r->dst_port;
	struct pcap_pkthdr h;
	h.ts.tv_sec = (time_t)(r->time_ns / 1000000000);
	h.ts.tv_usec = (suseconds_t)(r->time_ns % 1000000000 / 1000);
	h.caplen = sizeof f;
	h.len = r->ip_length > sizeof f ? r->ip_length : sizeof f;
	pcap_dump((u_char *)o->dumper, &h, f);
	o->records++;
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: %s MODEL OUT.pcap [SEED]\n", argv[0]);
		return 2;
	}
	netshare_model *m;
	if (netshare_model_load(&m, argv[1], NULL) != NETSHARE_OK) {
		fprintf(stderr, "04-stream-pcap: %s\n", netshare_last_error());
		return 1;
	}
	pcap_t *dead = pcap_open_dead(DLT_RAW, 65535);
	struct out o = { pcap_dump_open(dead, argv[2]), 0 };
	netshare_sample_params sp;
	netshare_sample_params_init(&sp);
	sp.seed = argc > 3 ? strtoull(argv[3], NULL, 10) : 1;
	netshare_sampler *s = NULL;
	netshare_status st = o.dumper ? netshare_sampler_new(&s, m, &sp) : NETSHARE_EIO;
	if (st == NETSHARE_OK)
		st = netshare_sampler_stream(s, on_record, &o);
	if (o.dumper)
		pcap_dump_close(o.dumper);
	if (st != NETSHARE_OK)
		fprintf(stderr, "04-stream-pcap: %s\n", o.dumper ? netshare_last_error() : pcap_geterr(dead));
	else
		printf("streamed %lu synthetic packets to %s\n", o.records, argv[2]);
	pcap_close(dead);
	netshare_sampler_free(s);
	netshare_model_free(m);
	return st == NETSHARE_OK ? 0 : 1;
}
