/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Reading pcap and pcapng through libpcap, and feeding single frames (live capture).
 *
 * Timestamps are read at nanosecond precision (libpcap scales µs files up). libpcap's
 * buffers are only valid until the next pcap_next_ex call; everything is copied out into
 * the dataset's columns at once.
 */
#include <pcap/pcap.h>
#include <string.h>
#include <sys/stat.h>

#include "core/error.h"
#include "packet.h"
#include "reader.h"

/* Parse and append one frame, or count why it was skipped. */
static netshare_status
take_frame(netshare_dataset *ds, int lt, int64_t t, const uint8_t *data, size_t cap,
           size_t wire)
{
	netshare_record r;
	memset(&r, 0, sizeof r);
	int checksum;
	int rc = netshare__parse_frame(lt, data, cap, wire, &r, &checksum);
	if (rc != NETSHARE__PARSED) {
		ds->skipped[rc]++;
		return NETSHARE_OK;
	}
	if (checksum >= 0) {
		ds->header_checksums++;
		ds->bad_header_checksums += checksum == 0;
	}
	r.time_ns = t;
	ds->truncated_frames += cap < wire;
	return netshare__dataset_push(ds, &r);
}

static const char *
link_name(int lt)
{
	const char *n = pcap_datalink_val_to_name(lt);
	return n ? n : "unknown";
}

NETSHARE_API const char *
netshare_link_type_name(int link_type)
{
	return link_name(link_type);
}

/* The damaged tail of a file: an error, or in lenient mode the end of the read. */
static netshare_status
damaged(netshare_dataset *ds, netshare__read_ctx *ctx, pcap_t *p, uint64_t frame)
{
	long at = ftell(pcap_file(p));
	if (ctx->params->lenient) {
		ds->skipped[NETSHARE_SKIP_DAMAGED_TAIL]++;
		return NETSHARE_OK;
	}
	return netshare__error(NETSHARE_EFORMAT, "%s: packet %llu at byte %ld: %s (read "
	                       "leniently to keep the %llu packets before it)", ctx->name,
	                       (unsigned long long)frame, at, pcap_geterr(p),
	                       (unsigned long long)(frame - 1));
}

netshare_status
netshare__read_pcap(netshare_dataset *ds, netshare__read_ctx *ctx)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	/* libpcap takes the FILE over (pcap_close closes it) once the open succeeds. */
	pcap_t *p = pcap_fopen_offline_with_tstamp_precision(ctx->fp, PCAP_TSTAMP_PRECISION_NANO,
	                                                     errbuf);
	if (!p) {
		return netshare__error(NETSHARE_EFORMAT, "%s: not a readable pcap/pcapng file: %s",
		                       ctx->name, errbuf);
	}
	ctx->fp = NULL;
	int lt = pcap_datalink(p);
	ds->link_type = lt;
	if (!netshare__link_supported(lt)) {
		netshare_status st = netshare__error(NETSHARE_EUNSUPPORTED,
			"%s: link type %s (%d) is not supported; supported: %s", ctx->name,
			link_name(lt), lt, netshare__link_supported_names());
		pcap_close(p);
		return st;
	}

	const netshare_read_params *rp = ctx->params;
	netshare_status st = NETSHARE_OK;
	/* Reserve the most records the file can hold (each needs a 16-byte record header
	 * and 20 captured bytes): growing 14 columns by doubling would copy them while they
	 * are small, and untouched capacity costs address space, not memory. */
	struct stat sb;
	if (fstat(fileno(pcap_file(p)), &sb) == 0 && S_ISREG(sb.st_mode)) {
		uint64_t most = (uint64_t)sb.st_size / 36;
		if (rp->max_records && rp->max_records < most)
			most = rp->max_records;
		if (most > NETSHARE__READ_RESERVE_MAX)
			most = NETSHARE__READ_RESERVE_MAX;
		if ((st = netshare__dataset_reserve(ds, (size_t)most)) < 0) {
			pcap_close(p);
			return st;
		}
	}
	uint64_t frame = 0;
	struct pcap_pkthdr *h;
	const u_char *data;
	for (;;) {
		if (rp->max_records && ds->n >= rp->max_records)
			break;
		int rc = pcap_next_ex(p, &h, &data);
		if (rc == PCAP_ERROR_BREAK)
			break;
		frame++;
		if (rc != 1) {
			st = damaged(ds, ctx, p, frame);
			break;
		}
		if (h->ts.tv_sec < 0 || h->ts.tv_sec >= NETSHARE_TIME_LIMIT_NS / 1000000000) {
			ds->skipped[NETSHARE_SKIP_BAD_TIME]++;
			continue;
		}
		int64_t t = (int64_t)h->ts.tv_sec * 1000000000 + (int64_t)h->ts.tv_usec;
		if ((st = take_frame(ds, lt, t, data, h->caplen, h->len)) < 0)
			break;
		if ((frame & (NETSHARE__READ_PROGRESS_EVERY - 1)) == 0 &&
		    (st = netshare__progress_update(&ctx->progress, frame, 0)) < 0)
			break;
	}
	pcap_close(p);
	return st;
}

NETSHARE_API netshare_status
netshare_dataset_append_frame(netshare_dataset *ds, int link_type, int64_t time_ns,
                              const void *data, size_t caplen, size_t wire_len)
{
	if (!ds || (!data && caplen))
		return netshare__error(NETSHARE_EINVAL, "netshare_dataset_append_frame: %s is NULL",
		                       ds ? "data" : "dataset");
	if (ds->kind != NETSHARE_RECORDS_PACKETS)
		return netshare__error(NETSHARE_EINVAL, "netshare_dataset_append_frame: the "
		                       "dataset holds flow records, not packets");
	if (!netshare__link_supported(link_type))
		return netshare__error(NETSHARE_EUNSUPPORTED, "link type %s (%d) is not "
		                       "supported; supported: %s", link_name(link_type), link_type,
		                       netshare__link_supported_names());
	if (ds->link_type < 0)
		ds->link_type = link_type;
	if (time_ns <= -NETSHARE_TIME_LIMIT_NS || time_ns >= NETSHARE_TIME_LIMIT_NS) {
		ds->skipped[NETSHARE_SKIP_BAD_TIME]++;
		return NETSHARE_OK;
	}
	return take_frame(ds, link_type, time_ns, data, caplen, wire_len);
}
