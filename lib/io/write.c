/* SPDX-License-Identifier: BSD-3-Clause */
/* netshare_dataset_write: choose the format, write through an atomic output file. */
#include <string.h>

#include "core/error.h"
#include "core/params.h"
#include "writer.h"

NETSHARE_API void
netshare_write_params_init(netshare_write_params *p)
{
	if (!p)
		return;
	memset(p, 0, sizeof *p);
	p->struct_size = sizeof *p;
	p->format = NETSHARE_FORMAT_AUTO;
	p->link_type = NETSHARE_LINK_ETHERNET;
}

static int
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

/* The format AUTO means for this dataset and file name, or AUTO if none fits. */
static int
format_for(const netshare_dataset *ds, const char *path)
{
	if (ends_with(path, ".pcap"))
		return NETSHARE_FORMAT_PCAP;
	if (ends_with(path, ".pcapng"))
		return NETSHARE_FORMAT_PCAPNG;
	if (ends_with(path, ".log") && ds->kind == NETSHARE_RECORDS_FLOWS)
		return NETSHARE_FORMAT_ZEEK_CONN;
	if (ends_with(path, ".csv")) {
		if (ds->format == NETSHARE_FORMAT_PCAP || ds->format == NETSHARE_FORMAT_AUTO ||
		    ds->format == NETSHARE_FORMAT_ZEEK_CONN)
			return ds->kind == NETSHARE_RECORDS_PACKETS ? NETSHARE_FORMAT_PACKET_CSV :
			                                             NETSHARE_FORMAT_NETFLOW_CSV;
		return ds->format;
	}
	return NETSHARE_FORMAT_AUTO;
}

NETSHARE_API netshare_status
netshare_dataset_write(const netshare_dataset *ds, const char *path,
                       const netshare_write_params *params)
{
	if (!ds || !path || !*path)
		return netshare__error(NETSHARE_EINVAL, "netshare_dataset_write: %s",
		                       !ds ? "dataset is NULL" : "path is NULL or empty");
	netshare_write_params p;
	netshare_write_params_init(&p);
	netshare_status st;
	if (params && (st = netshare__params_copy(&p, sizeof p, sizeof p, params,
	                                          "netshare_write_params")) < 0)
		return st;
	int format = p.format == NETSHARE_FORMAT_AUTO ? format_for(ds, path) : p.format;
	if (format == NETSHARE_FORMAT_AUTO)
		return netshare__error(NETSHARE_EINVAL, "%s: cannot tell the output format from the "
		                       "name (use .pcap, .pcapng, .csv or .log, or set the format)", path);
	if (format < NETSHARE_FORMAT_PCAP || format > NETSHARE_FORMAT_ZEEK_CSV)
		return netshare__error(NETSHARE_EINVAL, "netshare_write_params.format: %d is not a "
		                       "netshare_format", format);
	int pcap = format == NETSHARE_FORMAT_PCAP || format == NETSHARE_FORMAT_PCAPNG;
	if (pcap) {
		if (ds->kind != NETSHARE_RECORDS_PACKETS)
			return netshare__error(NETSHARE_EINVAL, "%s: pcap needs packet records; this "
			                       "dataset holds flow records (write CSV)", path);
		if (p.link_type != NETSHARE_LINK_ETHERNET && p.link_type != NETSHARE_LINK_RAW)
			return netshare__error(NETSHARE_EINVAL, "netshare_write_params.link_type: %d is "
			                       "not NETSHARE_LINK_ETHERNET (1) or NETSHARE_LINK_RAW (101)",
			                       p.link_type);
	}
	if (format == NETSHARE_FORMAT_MAPPED_CSV && !ds->column_map)
		return netshare__error(NETSHARE_EINVAL, "%s: the dataset was not read with a column "
		                       "map, so there is no mapped schema to write", path);

	netshare__progress pr;
	if ((st = netshare__progress_begin(&pr, p.progress, p.progress_user, "write", -1, ds->n,
	                                   NETSHARE__PROGRESS_INTERVAL_S)) < 0)
		return st;
	netshare__outfile out;
	if ((st = netshare__outfile_open(&out, path)) < 0)
		return st;
	if (pcap)
		st = netshare__write_pcap(ds, &out, &p, &pr, format == NETSHARE_FORMAT_PCAPNG);
	else
		st = netshare__write_csv(ds, &out, format, &pr);
	/* The last report comes before the commit, so a cancel still leaves no file. */
	if (st == NETSHARE_OK)
		st = netshare__progress_update(&pr, ds->n, 1);
	if (st < 0) {
		netshare__outfile_abort(&out);
		return st;
	}
	return netshare__outfile_commit(&out);
}
