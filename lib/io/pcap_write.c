/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Writing packet records as a classic pcap file (libpcap's savefile format, version
 * 2.4, little-endian), frames built by frame.c straight into the output buffer.
 */
#include <string.h>

#include "core/bytes.h"
#include "core/error.h"
#include "frame.h"
#include "writer.h"

/* Snapshot length in the file header: the largest frame we write. */
#define PCAP_SNAPLEN 262144

netshare_status
netshare__write_pcap(const netshare_dataset *ds, netshare__outfile *out,
                     const netshare_write_params *p, netshare__progress *pr)
{
	uint8_t hdr[24];
	netshare__put_le32(hdr, p->nanosecond ? 0xa1b23c4d : 0xa1b2c3d4);
	netshare__put_le16(hdr + 4, 2);
	netshare__put_le16(hdr + 6, 4);
	memset(hdr + 8, 0, 8); /* thiszone, sigfigs */
	netshare__put_le32(hdr + 16, PCAP_SNAPLEN);
	netshare__put_le32(hdr + 20, (uint32_t)p->link_type);
	netshare__outfile_write(out, hdr, sizeof hdr);

	netshare_record r;
	netshare_record_init(&r);
	for (size_t i = 0; i < ds->n; i++) {
		netshare__dataset_row(ds, i, &r);
		int64_t sec = r.time_ns / 1000000000, frac = r.time_ns % 1000000000;
		if (frac < 0) {
			frac += 1000000000;
			sec--;
		}
		/* The field is 32 bits and libpcap reads it as signed: after 2038-01-19 the
		 * file would read back as times before 1970. */
		if (sec < 0 || sec > INT32_MAX)
			return netshare__error(NETSHARE_EINVAL, "%s: record %zu: time %lld ns is "
			                       "outside what pcap can store (1970..2038)", out->path, i,
			                       (long long)r.time_ns);
		/* Build into the output buffer: 16-byte record header, then the frame. */
		size_t frame_len = (p->link_type == NETSHARE_LINK_ETHERNET ? 14 : 0) +
		                   netshare__frame_ip_length(&r);
		unsigned char *rec = netshare__outfile_reserve(out, 16 + frame_len);
		if (!rec)
			break;
		size_t headers;
		netshare__frame_build(&r, p->link_type, rec + 16, &headers);
		size_t cap = p->headers_only ? headers : frame_len;
		memset(rec + 16 + headers, 0, cap - headers);
		out->len -= frame_len - cap; /* give back what headers-only does not store */
		netshare__put_le32(rec, (uint32_t)sec);
		netshare__put_le32(rec + 4, (uint32_t)(p->nanosecond ? frac : frac / 1000));
		netshare__put_le32(rec + 8, (uint32_t)cap);
		netshare__put_le32(rec + 12, (uint32_t)frame_len);
		if (((i + 1) & (NETSHARE__WRITE_PROGRESS_EVERY - 1)) == 0) {
			netshare_status st = netshare__progress_update(pr, i + 1, 0);
			if (st < 0)
				return st;
		}
	}
	return out->status;
}
