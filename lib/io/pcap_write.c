/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Writing packet records as a classic pcap file (libpcap's savefile format, version
 * 2.4, little-endian) or as pcapng (one section, one interface, enhanced packet blocks),
 * frames built by frame.c straight into the output buffer.
 */
#include <string.h>

#include "core/bytes.h"
#include "core/error.h"
#include "frame.h"
#include "tcp_stream.h"
#include "writer.h"

/* Snapshot length in the file header: the largest frame we write. */
#define PCAP_SNAPLEN 262144

enum { PCAPNG_SHB = 0x0A0D0D0A, PCAPNG_IDB = 1, PCAPNG_EPB = 6 };

static void
write_pcap_header(netshare__outfile *out, const netshare_write_params *p)
{
	uint8_t hdr[24];
	netshare__put_le32(hdr, p->nanosecond ? 0xa1b23c4d : 0xa1b2c3d4);
	netshare__put_le16(hdr + 4, 2);
	netshare__put_le16(hdr + 6, 4);
	memset(hdr + 8, 0, 8); /* thiszone, sigfigs */
	netshare__put_le32(hdr + 16, PCAP_SNAPLEN);
	netshare__put_le32(hdr + 20, (uint32_t)p->link_type);
	netshare__outfile_write(out, hdr, sizeof hdr);
}

/* Section header (no options, unknown section length) and one interface description
 * whose if_tsresol option gives the timestamp unit (10^-6 or 10^-9 s). */
static void
write_pcapng_header(netshare__outfile *out, const netshare_write_params *p)
{
	uint8_t b[28 + 32];
	netshare__put_le32(b, PCAPNG_SHB);
	netshare__put_le32(b + 4, 28);
	netshare__put_le32(b + 8, 0x1A2B3C4D);
	netshare__put_le16(b + 12, 1);
	netshare__put_le16(b + 14, 0);
	netshare__put_le32(b + 16, 0xffffffff);
	netshare__put_le32(b + 20, 0xffffffff);
	netshare__put_le32(b + 24, 28);
	uint8_t *i = b + 28;
	netshare__put_le32(i, PCAPNG_IDB);
	netshare__put_le32(i + 4, 32);
	netshare__put_le16(i + 8, (uint16_t)p->link_type);
	netshare__put_le16(i + 10, 0);
	netshare__put_le32(i + 12, PCAP_SNAPLEN);
	netshare__put_le16(i + 16, 9); /* if_tsresol */
	netshare__put_le16(i + 18, 1);
	i[20] = p->nanosecond ? 9 : 6;
	memset(i + 21, 0, 3);
	netshare__put_le32(i + 24, 0); /* opt_endofopt */
	netshare__put_le32(i + 28, 32);
	netshare__outfile_write(out, b, sizeof b);
}

/* Frames whose records have TCP sequence spaces: the TCP records, unfragmented or first
 * fragments. */
static size_t
tcp_records(const netshare_dataset *ds)
{
	size_t n = 0;
	for (size_t i = 0; i < ds->n; i++)
		n += ds->proto[i] == 6;
	return n;
}

static netshare_status
write_frames(const netshare_dataset *ds, netshare__outfile *out, const netshare_write_params *p,
             netshare__progress *pr, int pcapng, netshare__tcp_streams *tcp)
{
	size_t rec_hdr = pcapng ? 28 : 16;
	netshare_record r;
	netshare_record_init(&r);
	for (size_t i = 0; i < ds->n; i++) {
		netshare__dataset_row(ds, i, &r);
		int64_t sec = r.time_ns / 1000000000, frac = r.time_ns % 1000000000;
		if (frac < 0) {
			frac += 1000000000;
			sec--;
		}
		/* pcap's field is 32 bits and libpcap reads it as signed: after 2038-01-19 the
		 * file would read back as times before 1970. pcapng's 64 bits hold any time
		 * from 1970 on. */
		if (sec < 0 || (!pcapng && sec > INT32_MAX))
			return netshare__error(NETSHARE_EINVAL, "%s: record %zu: time %lld ns is "
			                       "outside what %s can store (%s)", out->path, i,
			                       (long long)r.time_ns, pcapng ? "pcapng" : "pcap",
			                       pcapng ? "from 1970" : "1970..2038");
		netshare__tcp_numbers nums = { 0, 0 };
		if (r.protocol == 6 && r.frag_offset == 0)
			netshare__tcp_streams_next(tcp, &r, netshare__frame_tcp_payload(&r), &nums.seq,
			                           &nums.ack);
		/* Build into the output buffer: the record header, then the frame, then (pcapng)
		 * padding to 4 bytes and the block's closing length. */
		size_t frame_len = (p->link_type == NETSHARE_LINK_ETHERNET ? 14 : 0) +
		                   netshare__frame_ip_length(&r);
		unsigned char *rec = netshare__outfile_reserve(out, rec_hdr + frame_len + 3 + 4);
		if (!rec)
			break;
		size_t headers;
		netshare__frame_build(&r, &nums, p->link_type, rec + rec_hdr, &headers);
		size_t cap = p->headers_only ? headers : frame_len;
		memset(rec + rec_hdr + headers, 0, cap - headers);
		uint32_t unit = p->nanosecond ? 1000000000 : 1000000;
		uint64_t ticks = (uint64_t)sec * unit + (uint64_t)(p->nanosecond ? frac : frac / 1000);
		size_t used;
		if (pcapng) {
			size_t pad = (4 - cap % 4) % 4, block = rec_hdr + cap + pad + 4;
			memset(rec + rec_hdr + cap, 0, pad);
			netshare__put_le32(rec, PCAPNG_EPB);
			netshare__put_le32(rec + 4, (uint32_t)block);
			netshare__put_le32(rec + 8, 0); /* interface 0 */
			netshare__put_le32(rec + 12, (uint32_t)(ticks >> 32));
			netshare__put_le32(rec + 16, (uint32_t)ticks);
			netshare__put_le32(rec + 20, (uint32_t)cap);
			netshare__put_le32(rec + 24, (uint32_t)frame_len);
			netshare__put_le32(rec + rec_hdr + cap + pad, (uint32_t)block);
			used = block;
		} else {
			netshare__put_le32(rec, (uint32_t)sec);
			netshare__put_le32(rec + 4, (uint32_t)(ticks % unit));
			netshare__put_le32(rec + 8, (uint32_t)cap);
			netshare__put_le32(rec + 12, (uint32_t)frame_len);
			used = rec_hdr + cap;
		}
		out->len -= rec_hdr + frame_len + 3 + 4 - used; /* give back what was not used */
		if (((i + 1) & (NETSHARE__WRITE_PROGRESS_EVERY - 1)) == 0) {
			netshare_status st = netshare__progress_update(pr, i + 1, 0);
			if (st < 0)
				return st;
		}
	}
	return out->status;
}

netshare_status
netshare__write_pcap(const netshare_dataset *ds, netshare__outfile *out,
                     const netshare_write_params *p, netshare__progress *pr, int pcapng)
{
	netshare__tcp_streams tcp;
	netshare_status st = netshare__tcp_streams_init(&tcp, tcp_records(ds));
	if (st < 0)
		return st;
	if (pcapng)
		write_pcapng_header(out, p);
	else
		write_pcap_header(out, p);
	st = write_frames(ds, out, p, pr, pcapng, &tcp);
	netshare__tcp_streams_free(&tcp);
	return st;
}
