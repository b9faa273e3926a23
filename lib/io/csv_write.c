/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Writing records as CSV (or Zeek TSV) in a schema from csv_schema.c. Every value is
 * written exactly (times as decimal strings of integer nanoseconds), so reading the file
 * back with csv_read.c gives the same records.
 */
#include <arpa/inet.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/error.h"
#include "csv_schema.h"
#include "writer.h"

static void
put_ip(netshare__outfile *out, const netshare_record *r, int dst, netshare__csv_unit unit)
{
	char buf[INET6_ADDRSTRLEN];
	if (r->ip_version == 4) {
		uint32_t a = dst ? r->dst_ip : r->src_ip;
		if (unit == UNIT_IP_INT) {
			netshare__outfile_printf(out, "%u", a);
			return;
		}
		struct in_addr in = { htonl(a) };
		inet_ntop(AF_INET, &in, buf, sizeof buf);
	} else {
		inet_ntop(AF_INET6, dst ? r->dst_ip6 : r->src_ip6, buf, sizeof buf);
	}
	netshare__outfile_write(out, buf, strlen(buf));
}

static void
put_time(netshare__outfile *out, int64_t ns, netshare__csv_unit unit)
{
	char buf[64];
	if (unit == UNIT_DATETIME)
		netshare__format_datetime(buf, sizeof buf, ns);
	else
		netshare__format_scaled(buf, sizeof buf, ns, unit == UNIT_MS ? 6 : unit == UNIT_US ?
		                        3 : unit == UNIT_NS ? 0 : 9, unit != UNIT_NS);
	netshare__outfile_write(out, buf, strlen(buf));
}

static void
put_proto(netshare__outfile *out, uint8_t proto, netshare__csv_unit unit)
{
	const char *name = unit == UNIT_PROTO_NUMBER ? NULL : netshare__proto_name(proto);
	if (!name) {
		netshare__outfile_printf(out, "%u", proto);
		return;
	}
	if (unit == UNIT_PROTO_LOWER) {
		char low[32];
		size_t n = strlen(name);
		for (size_t i = 0; i <= n && i < sizeof low; i++)
			low[i] = (char)((name[i] >= 'A' && name[i] <= 'Z') ? name[i] + 32 : name[i]);
		netshare__outfile_write(out, low, n);
		return;
	}
	netshare__outfile_write(out, name, strlen(name));
}

/* A label containing a comma, quote or newline is quoted, quotes doubled (CSV only;
 * Zeek fields cannot hold tabs, so labels are written as they are). */
static void
put_label(netshare__outfile *out, const char *label, int zeek)
{
	if (!label || !*label) {
		if (zeek)
			netshare__outfile_write(out, "-", 1);
		return;
	}
	if (zeek || !strpbrk(label, ",\"\r\n")) {
		netshare__outfile_write(out, label, strlen(label));
		return;
	}
	netshare__outfile_write(out, "\"", 1);
	for (const char *p = label; *p; p++)
		if (*p == '"')
			netshare__outfile_write(out, "\"\"", 2);
		else
			netshare__outfile_write(out, p, 1);
	netshare__outfile_write(out, "\"", 1);
}

/* Whether the schema splits packets and bytes by direction (Zeek, nfdump). */
static int
has_reverse(const netshare__csv_schema *s)
{
	for (size_t c = 0; c < s->n; c++)
		if (s->col[c].field == CSV_PKT_REV || s->col[c].field == CSV_BYT_REV)
			return 1;
	return 0;
}

static void
put_value(netshare__outfile *out, const netshare_record *r, const netshare__csv_column *c,
          size_t row, const netshare__csv_schema *s, int reverse)
{
	switch (c->field) {
	case CSV_SRCIP: put_ip(out, r, 0, c->unit); break;
	case CSV_DSTIP: put_ip(out, r, 1, c->unit); break;
	case CSV_SPORT: netshare__outfile_printf(out, "%u", r->src_port); break;
	case CSV_DPORT: netshare__outfile_printf(out, "%u", r->dst_port); break;
	case CSV_PROTO: put_proto(out, r->protocol, c->unit); break;
	case CSV_TS: put_time(out, r->time_ns, c->unit); break;
	case CSV_TE: put_time(out, r->time_ns + r->duration_ns, c->unit); break;
	case CSV_TD: put_time(out, r->duration_ns, c->unit == UNIT_DATETIME ? UNIT_S : c->unit); break;
	/* With a reverse column, the forward one holds the originator's share only. */
	case CSV_PKT: netshare__outfile_printf(out, "%llu", (unsigned long long)(r->packets -
	                                       (reverse ? r->resp_packets : 0))); break;
	case CSV_BYT: netshare__outfile_printf(out, "%llu", (unsigned long long)(r->bytes -
	                                       (reverse ? r->resp_bytes : 0))); break;
	case CSV_PKT_REV: netshare__outfile_printf(out, "%llu", (unsigned long long)r->resp_packets); break;
	case CSV_BYT_REV: netshare__outfile_printf(out, "%llu", (unsigned long long)r->resp_bytes); break;
	case CSV_LABEL: put_label(out, r->label, s->format == NETSHARE_FORMAT_ZEEK_CONN); break;
	case CSV_IPLEN: netshare__outfile_printf(out, "%u", r->ip_length); break;
	case CSV_TOS: netshare__outfile_printf(out, "%u", r->tos); break;
	case CSV_IPID: netshare__outfile_printf(out, "%u", r->ip_id); break;
	case CSV_IPFLAGS: netshare__outfile_printf(out, "%u", r->ip_flags); break;
	case CSV_FRAGOFF: netshare__outfile_printf(out, "%u", r->frag_offset); break;
	case CSV_TTL: netshare__outfile_printf(out, "%u", r->ttl); break;
	case CSV_TCPFLAGS: netshare__outfile_printf(out, "%u", r->tcp_flags); break;
	case CSV_IPVERSION: netshare__outfile_printf(out, "%u", r->ip_version); break;
	case CSV_IHL: netshare__outfile_write(out, r->ip_version == 4 ? "5" : "0", 1); break;
	case CSV_CHECKSUM: netshare__outfile_write(out, "0", 1); break;
	case CSV_UID: netshare__outfile_printf(out, "C%zu", row); break;
	default: break;
	}
}

/* Extra columns follow the schema's own: a number with 17 significant digits (exact
 * for a double), or a categorical value written like a label. Missing: empty ("-" in
 * Zeek). */
static void
put_extra(netshare__outfile *out, const netshare_dataset *ds, size_t row, size_t col,
          int zeek)
{
	double v;
	const char *text;
	netshare_dataset_extra_get(ds, row, col, &v, &text);
	if (ds->extra[col].categorical)
		put_label(out, text, zeek);
	else if (isnan(v))
		netshare__outfile_write(out, "-", zeek ? 1 : 0);
	else
		netshare__outfile_printf(out, "%.17g", v);
}

/* Column c's name in the header: the label's own column name when it was read from
 * another column than the format's (netshare_read_params.label_column). */
static const char *
column_name(const netshare__csv_schema *s, size_t c, const netshare_dataset *ds)
{
	return s->col[c].field == CSV_LABEL && ds->label_column ? ds->label_column
	                                                        : s->col[c].name;
}

static void
zeek_header(netshare__outfile *out, const netshare__csv_schema *s, const netshare_dataset *ds)
{
	netshare__outfile_printf(out, "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n"
	                         "#unset_field\t-\n#path\tconn\n#fields");
	for (size_t c = 0; c < s->n; c++)
		netshare__outfile_printf(out, "\t%s", column_name(s, c, ds));
	for (size_t e = 0; e < ds->n_extra; e++)
		netshare__outfile_printf(out, "\t%s", ds->extra[e].name);
	netshare__outfile_printf(out, "\n#types");
	for (size_t c = 0; c < s->n; c++) {
		netshare__csv_field f = s->col[c].field;
		const char *type = f == CSV_TS ? "time" : f == CSV_TD ? "interval" :
		                   f == CSV_SRCIP || f == CSV_DSTIP ? "addr" :
		                   f == CSV_SPORT || f == CSV_DPORT ? "port" :
		                   f == CSV_PROTO ? "enum" : f == CSV_UID || f == CSV_LABEL ? "string" :
		                   "count";
		netshare__outfile_printf(out, "\t%s", type);
	}
	for (size_t e = 0; e < ds->n_extra; e++)
		netshare__outfile_printf(out, "\t%s", ds->extra[e].categorical ? "string" : "double");
	netshare__outfile_write(out, "\n", 1);
}

netshare_status
netshare__write_csv(const netshare_dataset *ds, netshare__outfile *out, int format,
                    netshare__progress *pr)
{
	netshare__csv_schema mapped;
	const netshare__csv_schema *s = netshare__csv_builtin(format);
	if (format == NETSHARE_FORMAT_MAPPED_CSV) {
		netshare_status st = netshare__csv_parse_map(&mapped, ds->column_map);
		if (st < 0)
			return st;
		s = &mapped;
	}
	if (!s)
		return netshare__error(NETSHARE_EINTERNAL, "no CSV schema for format %d", format);
	if ((s->packets != 0) != (ds->kind == NETSHARE_RECORDS_PACKETS))
		return netshare__error(NETSHARE_EINVAL, "%s: this CSV schema holds %s records but the "
		                       "dataset has %s records", out->path,
		                       s->packets ? "packet" : "flow",
		                       ds->kind == NETSHARE_RECORDS_PACKETS ? "packet" : "flow");
	if (format == NETSHARE_FORMAT_ZEEK_CONN) {
		zeek_header(out, s, ds);
	} else {
		for (size_t c = 0; c < s->n; c++)
			netshare__outfile_printf(out, "%s%s", c ? "," : "", column_name(s, c, ds));
		for (size_t e = 0; e < ds->n_extra; e++)
			netshare__outfile_printf(out, ",%s", ds->extra[e].name);
		netshare__outfile_write(out, "\n", 1);
	}
	netshare_record r;
	netshare_record_init(&r);
	char sep = s->separator;
	int reverse = has_reverse(s); /* once, not per value */
	for (size_t i = 0; i < ds->n && out->status == NETSHARE_OK; i++) {
		netshare__dataset_row(ds, i, &r);
		for (size_t c = 0; c < s->n; c++) {
			if (c)
				netshare__outfile_write(out, &sep, 1);
			put_value(out, &r, &s->col[c], i, s, reverse);
		}
		for (size_t e = 0; e < ds->n_extra; e++) {
			netshare__outfile_write(out, &sep, 1);
			put_extra(out, ds, i, e, format == NETSHARE_FORMAT_ZEEK_CONN);
		}
		netshare__outfile_write(out, "\n", 1);
		if (((i + 1) & (NETSHARE__WRITE_PROGRESS_EVERY - 1)) == 0) {
			netshare_status st = netshare__progress_update(pr, i + 1, 0);
			if (st < 0)
				return st;
		}
	}
	if (format == NETSHARE_FORMAT_ZEEK_CONN)
		netshare__outfile_printf(out, "#close\t-\n");
	return out->status;
}
