/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal: record validity tests (reference/eval.md 1.9, after Ring et al.'s CIDDS quality
 * tests): the share of records passing each. Real traces fail some; comparing the real
 * and synthetic rates is the useful output.
 *   ip:     no source or destination in 0/8, 127/8, 240/4 (IPv6: ::, ::1); multicast and
 *           broadcast only as destination;
 *   ports:  80/443 only over TCP, 53 over UDP or TCP, no ports on protocols without;
 *   size:   packets: IP length at least the protocol's headers (TCP 40, UDP 28, ICMP 28,
 *           else 20; +20 for IPv6), TTL >= 1, the reserved flag bit clear;
 *   bytes:  flow records: packets >= 1, packets x minimum <= bytes <= packets x 65535.
 */
#ifndef NETSHARE_EVAL_VALIDITY_H
#define NETSHARE_EVAL_VALIDITY_H

#include "io/dataset.h"

enum { NETSHARE__VALID_IP, NETSHARE__VALID_PORTS, NETSHARE__VALID_SIZE, NETSHARE__VALID_TESTS };

/* Pass rates of the tests that apply to the record kind (the others: NaN). */
void netshare__validity(const netshare_dataset *ds, double rate[NETSHARE__VALID_TESTS]);

#endif
