/* SPDX-License-Identifier: BSD-3-Clause */
/* Record validity tests (see validity.h). */
#include "validity.h"

#include <math.h>
#include <string.h>

#include "io/packet.h"

static int
v4_ok(uint32_t a, int is_src)
{
	uint8_t top = (uint8_t)(a >> 24);
	if (top == 0 || top == 127 || top >= 240)
		return !is_src && a == 0xffffffffu; /* broadcast: a destination only */
	if (top >= 224)
		return !is_src; /* multicast */
	return 1;
}

static int
v6_ok(const uint8_t *a, int is_src)
{
	static const uint8_t zero[16];
	uint8_t lo[16] = { 0 };
	lo[15] = 1;
	if (memcmp(a, zero, 16) == 0 || memcmp(a, lo, 16) == 0)
		return 0;
	return !(is_src && a[0] == 0xff);
}

void
netshare__validity(const netshare_dataset *ds, double rate[NETSHARE__VALID_TESTS])
{
	double pass[NETSHARE__VALID_TESTS] = { 0 };
	netshare_record r;
	netshare_record_init(&r);
	for (size_t i = 0; i < ds->n; i++) {
		netshare__dataset_row(ds, i, &r);
		int v6 = r.ip_version == 6;
		pass[NETSHARE__VALID_IP] += v6 ? v6_ok(r.src_ip6, 1) && v6_ok(r.dst_ip6, 0)
		                               : v4_ok(r.src_ip, 1) && v4_ok(r.dst_ip, 0);
		int web = r.src_port == 80 || r.src_port == 443 || r.dst_port == 80 || r.dst_port == 443;
		int dns = r.src_port == 53 || r.dst_port == 53;
		int ports_ok = netshare__proto_has_ports(r.protocol)
		               ? (!web || r.protocol == 6) && (!dns || r.protocol == 6 || r.protocol == 17)
		               : r.src_port == 0 && r.dst_port == 0;
		pass[NETSHARE__VALID_PORTS] += ports_ok;
		if (ds->kind == NETSHARE_RECORDS_PACKETS) {
			pass[NETSHARE__VALID_SIZE] += r.ip_length >= netshare__min_ip_length(r.protocol, v6) &&
			                              r.ttl >= 1 && !(r.ip_flags & 4);
		} else {
			uint64_t min = netshare__min_ip_length(r.protocol, v6);
			/* bytes >= packets * min and <= packets * 65535, as divisions (no overflow) */
			pass[NETSHARE__VALID_SIZE] += r.packets >= 1 && r.bytes / min >= r.packets &&
			                              (r.bytes + 65534) / 65535 <= r.packets;
		}
	}
	for (int t = 0; t < NETSHARE__VALID_TESTS; t++)
		rate[t] = ds->n ? pass[t] / (double)ds->n : NAN;
}
