/* SPDX-License-Identifier: BSD-3-Clause */
/* netshare_dataset_read: open, detect the format, dispatch to the format's reader. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/params.h"
#include "csv_schema.h"
#include "reader.h"

/* Bytes looked at to recognise a format: enough for any CSV header line we know. */
#define SNIFF_BYTES 4096

/* stdio buffer of the input. libpcap reads each packet with two small freads; with
 * stdio's default 4 KiB buffer the refills cost a read(2) every ~50 packets. */
#define INPUT_BUFFER (256 * 1024)

NETSHARE_API void
netshare_read_params_init(netshare_read_params *p)
{
	if (!p)
		return;
	memset(p, 0, sizeof *p);
	p->struct_size = sizeof *p;
	p->format = NETSHARE_FORMAT_AUTO;
}

static int
has_column(const char *header, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = header; (p = strstr(p, name)) != NULL; p += n) {
		int starts = p == header || p[-1] == ',';
		int ends = p[n] == ',' || p[n] == '\0' || p[n] == '\r' || p[n] == '\n';
		if (starts && ends)
			return 1;
	}
	return 0;
}

int
netshare__detect_format(const unsigned char *h, size_t n)
{
	if (n >= 4) {
		uint32_t be = ((uint32_t)h[0] << 24) | ((uint32_t)h[1] << 16) |
		              ((uint32_t)h[2] << 8) | h[3];
		if (be == 0xa1b2c3d4 || be == 0xd4c3b2a1 || be == 0xa1b23c4d || be == 0x4d3cb2a1 ||
		    be == 0xa1b2cd34 || be == 0x34cdb2a1 || be == 0x0a0d0d0a)
			return NETSHARE_FORMAT_PCAP;
	}
	const char *text = (const char *)h;
	if (strncmp(text, "#separator", 10) == 0 || strncmp(text, "#fields", 7) == 0)
		return NETSHARE_FORMAT_ZEEK_CONN;
	char first[SNIFF_BYTES + 1];
	size_t len = strcspn(text, "\r\n");
	memcpy(first, text, len);
	first[len] = '\0';
	if (has_column(first, "srcip") && has_column(first, "time") && has_column(first, "pkt_len"))
		return NETSHARE_FORMAT_PACKET_CSV;
	if (has_column(first, "srcip") && has_column(first, "ts"))
		return NETSHARE_FORMAT_NETFLOW_CSV;
	if (has_column(first, "ts") && has_column(first, "id.orig_h") &&
	    has_column(first, "id.resp_h"))
		return NETSHARE_FORMAT_ZEEK_CSV;
	if (has_column(first, "ts") && has_column(first, "sa") && has_column(first, "da") &&
	    has_column(first, "pr"))
		return NETSHARE_FORMAT_NFDUMP_CSV;
	return NETSHARE_FORMAT_AUTO;
}

/* Open the input and read its first bytes. A pipe cannot be rewound after sniffing, so
 * standard input that is not a regular file is spooled to an anonymous temporary file. */
static netshare_status
open_input(const char *path, const char *name, FILE **out, unsigned char *head, size_t *n)
{
	FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (!fp)
		return netshare__error_errno(NETSHARE_EIO, errno, "%s", name);
	setvbuf(fp, NULL, _IOFBF, INPUT_BUFFER);
	struct stat sb;
	if (fstat(fileno(fp), &sb) == 0 && S_ISDIR(sb.st_mode)) {
		fclose(fp);
		return netshare__error(NETSHARE_EIO, "%s: is a directory", name);
	}
	if (fp == stdin && !(fstat(fileno(fp), &sb) == 0 && S_ISREG(sb.st_mode))) {
		FILE *tmp = tmpfile();
		if (!tmp)
			return netshare__error_errno(NETSHARE_EIO, errno, "stdin: cannot spool");
		char buf[65536];
		size_t got;
		while ((got = fread(buf, 1, sizeof buf, fp)) > 0)
			if (fwrite(buf, 1, got, tmp) != got) {
				fclose(tmp);
				return netshare__error_errno(NETSHARE_EIO, errno, "stdin: cannot spool");
			}
		fp = tmp;
		setvbuf(fp, NULL, _IOFBF, INPUT_BUFFER);
		rewind(fp);
	}
	*n = fread(head, 1, SNIFF_BYTES, fp);
	head[*n] = '\0';
	if (ferror(fp) || fseek(fp, 0, SEEK_SET) != 0) {
		netshare_status st = netshare__error_errno(NETSHARE_EIO, errno, "%s", name);
		if (fp != stdin)
			fclose(fp);
		return st;
	}
	*out = fp;
	return NETSHARE_OK;
}

NETSHARE_API netshare_status
netshare_dataset_read(netshare_dataset **out, const char *path,
                      const netshare_read_params *params)
{
	if (!out)
		return netshare__error(NETSHARE_EINVAL, "netshare_dataset_read: out is NULL");
	*out = NULL;
	if (!path || !*path)
		return netshare__error(NETSHARE_EINVAL, "netshare_dataset_read: path is %s",
		                       path ? "empty" : "NULL");
	netshare_read_params rp;
	netshare_read_params_init(&rp);
	netshare_status st;
	if (params && (st = netshare__params_copy(&rp, sizeof rp, sizeof rp, params,
	                                          "netshare_read_params")) < 0)
		return st;
	if (rp.format < NETSHARE_FORMAT_AUTO || rp.format > NETSHARE_FORMAT_ZEEK_CSV)
		return netshare__error(NETSHARE_EINVAL, "netshare_read_params.format: %d is not a "
		                       "netshare_format", rp.format);

	const char *name = strcmp(path, "-") == 0 ? "stdin" : path;
	unsigned char head[SNIFF_BYTES + 1];
	size_t n;
	netshare__read_ctx ctx = { .name = name, .params = &rp };
	if ((st = open_input(path, name, &ctx.fp, head, &n)) < 0)
		return st;
	int format = rp.format == NETSHARE_FORMAT_PCAPNG ? NETSHARE_FORMAT_PCAP : rp.format;
	if (format == NETSHARE_FORMAT_AUTO)
		format = rp.column_map ? NETSHARE_FORMAT_MAPPED_CSV : netshare__detect_format(head, n);
	netshare_dataset *ds = NULL;
	if (format == NETSHARE_FORMAT_AUTO) {
		st = netshare__error(NETSHARE_EFORMAT, "%s: not a pcap/pcapng file and not a CSV "
		                     "whose header this library recognises (NetShare NetFlow or "
		                     "packet CSV, nfdump, Zeek conn.log); for other CSVs give a "
		                     "column map", name);
		goto done;
	}
	int kind = format == NETSHARE_FORMAT_PCAP || format == NETSHARE_FORMAT_PACKET_CSV ?
	           NETSHARE_RECORDS_PACKETS : NETSHARE_RECORDS_FLOWS;
	if ((st = netshare_dataset_new(&ds, kind)) < 0)
		goto done;
	ds->format = format;
	if (format == NETSHARE_FORMAT_MAPPED_CSV && rp.column_map &&
	    !(ds->column_map = netshare__strdup(rp.column_map))) {
		st = netshare__error_oom("column map");
		goto done;
	}
	if (rp.label_column) {
		if (kind != NETSHARE_RECORDS_FLOWS || !*rp.label_column ||
		    strlen(rp.label_column) >= NETSHARE__LABEL_COLUMN_MAX) {
			st = netshare__error(NETSHARE_EINVAL, "label_column: %s", !*rp.label_column ?
			                     "empty" : kind != NETSHARE_RECORDS_FLOWS ?
			                     "a packet trace has no labels" : "longer than 63 characters");
			goto done;
		}
		if (!(ds->label_column = netshare__strdup(rp.label_column))) {
			st = netshare__error_oom("label column");
			goto done;
		}
	}
	if (rp.extra_columns && *rp.extra_columns) {
		if (kind != NETSHARE_RECORDS_FLOWS) {
			st = netshare__error(NETSHARE_EINVAL, "extra_columns: %s holds packets; extra "
			                     "columns exist for flow-record CSVs only", name);
			goto done;
		}
		if ((st = netshare__dataset_declare_extras(ds, rp.extra_columns)) < 0)
			goto done;
	}
	if ((st = netshare__progress_begin(&ctx.progress, rp.progress, rp.progress_user, "read",
	                                   -1, 0, NETSHARE__PROGRESS_INTERVAL_S)) < 0)
		goto done;
	if (format == NETSHARE_FORMAT_PCAP)
		st = netshare__read_pcap(ds, &ctx);
	else
		st = netshare__read_csv(ds, &ctx, format);
	if (st == NETSHARE_OK)
		st = netshare__progress_update(&ctx.progress, ds->n, 1);
done:
	if (ctx.fp && ctx.fp != stdin)
		fclose(ctx.fp);
	if (st < 0) {
		netshare_dataset_free(ds);
		return st;
	}
	*out = ds;
	return NETSHARE_OK;
}
