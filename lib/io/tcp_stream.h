/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal: TCP sequence and acknowledgement numbers for written packets.
 *
 * Records carry no sequence numbers, so the writer gives each connection (both
 * directions of a 5-tuple) a sequence space of its own: a direction starts at an initial
 * number derived from its tuple (deterministic output), every packet's sequence number is
 * where the previous one ended (payload, plus one for SYN and FIN), and an ACK
 * acknowledges everything the other direction has sent. A direction whose first packet is
 * not a SYN starts one past its initial number, as if its SYN preceded the capture, so
 * the other side's acknowledgements of it stay consistent. A SYN in a direction that has
 * already sent starts a new connection on the same ports.
 */
#ifndef NETSHARE_IO_TCP_STREAM_H
#define NETSHARE_IO_TCP_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include <netshare/dataset.h>

typedef struct netshare__tcp_conn netshare__tcp_conn;

typedef struct netshare__tcp_streams {
	netshare__tcp_conn *slots; /* open addressing, capacity a power of two */
	size_t cap, used;
} netshare__tcp_streams;

/* Room for up to `connections` connections (a bound: the number of TCP records). */
netshare_status netshare__tcp_streams_init(netshare__tcp_streams *s, size_t connections);
void netshare__tcp_streams_free(netshare__tcp_streams *s);

/* The sequence and acknowledgement numbers of r, a TCP record whose segment carries
 * `payload` bytes, and advance its direction. Call in file order. */
void netshare__tcp_streams_next(netshare__tcp_streams *s, const netshare_record *r,
                                size_t payload, uint32_t *seq, uint32_t *ack);

#endif
