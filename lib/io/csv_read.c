/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Reading flow and packet records from CSV-like text: NetShare's NetFlow and packet
 * CSVs, nfdump CSV, Zeek conn.log and user-mapped CSV, all driven by a schema
 * (csv_schema.c) that names the columns and their units.
 *
 * Numbers are parsed exactly (decimal strings scaled to integers, never through double),
 * so a file written by csv_write.c reads back to identical records.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "csv_schema.h"
#include "reader.h"

/* Columns in a data line beyond this are an error (nfdump has 48). */
#define MAX_FILE_COLUMNS 256

typedef struct field_ref {
	const char *s;
	size_t len;
} field_ref;

typedef struct csv_state {
	netshare__read_ctx *ctx;
	netshare_dataset *ds;
	netshare__csv_schema schema;
	char sep;
	size_t n_cols;                         /* columns in the header */
	const netshare__csv_column *use[MAX_FILE_COLUMNS]; /* schema column of each, or NULL */
	int extra_of[MAX_FILE_COLUMNS];        /* extra column of each, or -1 */
	char *header_names;                    /* copy of the header line, for messages */
	field_ref names[MAX_FILE_COLUMNS];
	uint64_t line;
	int zeek;                              /* Zeek TSV: #-lines, no quoting */
	int zeek_missing;                      /* "-" and "(empty)" mean missing (TSV or CSV) */
} csv_state;

static void
trim(field_ref *f)
{
	while (f->len && isspace((unsigned char)f->s[0])) {
		f->s++;
		f->len--;
	}
	while (f->len && isspace((unsigned char)f->s[f->len - 1]))
		f->len--;
}

/* Split a line in place. Quoted fields ("a,b", with "" for a quote) only in CSV. Returns
 * the number of fields, or -1 if there are more than max. */
static int
split(char *line, char sep, int quotes, field_ref *out, size_t max)
{
	size_t n = 0;
	char *p = line;
	for (;;) {
		if (n == max)
			return -1;
		if (quotes && *p == '"') {
			char *w = ++p, *start = p;
			while (*p && !(*p == '"' && p[1] != '"')) {
				if (*p == '"')
					p++;
				*w++ = *p++;
			}
			out[n].s = start;
			out[n].len = (size_t)(w - start);
			if (*p == '"')
				p++;
			while (*p && *p != sep)
				p++;
		} else {
			out[n].s = p;
			while (*p && *p != sep)
				p++;
			out[n].len = (size_t)(p - out[n].s);
		}
		trim(&out[n]);
		n++;
		if (*p == '\0' || *p != sep)  /* a NUL separator must not walk past the end */
			return (int)n;
		p++;
	}
}

static netshare_status
row_error(csv_state *st, size_t col, const field_ref *f, const char *what)
{
	return netshare__error(NETSHARE_EFORMAT, "%s: line %llu, column %zu (%.*s): cannot parse "
	                       "'%.*s' as %s", st->ctx->name, (unsigned long long)st->line,
	                       col + 1, (int)st->names[col].len, st->names[col].s,
	                       (int)(f->len > 64 ? 64 : f->len), f->s, what);
}

static int
is_unset(const csv_state *st, const field_ref *f)
{
	if (f->len == 0)
		return 1;
	return st->zeek_missing && ((f->len == 1 && f->s[0] == '-') ||
	                    (f->len == 7 && memcmp(f->s, "(empty)", 7) == 0));
}

/* IP text or decimal integer; returns the version (4/6) or 0 if unparseable. */
static int
parse_ip(const field_ref *f, uint32_t *v4, uint8_t v6[16])
{
	char buf[64];
	if (f->len == 0 || f->len >= sizeof buf)
		return 0;
	memcpy(buf, f->s, f->len);
	buf[f->len] = '\0';
	size_t i = 0;
	while (i < f->len && isdigit((unsigned char)buf[i]))
		i++;
	if (i == f->len) {
		if (f->len > 10)
			return 0;
		unsigned long long x = strtoull(buf, NULL, 10);
		if (x > UINT32_MAX)
			return 0;
		*v4 = (uint32_t)x;
		return 4;
	}
	struct in_addr a4;
	if (inet_pton(AF_INET, buf, &a4) == 1) {
		*v4 = ntohl(a4.s_addr);
		return 4;
	}
	if (inet_pton(AF_INET6, buf, v6) == 1)
		return 6;
	return 0;
}

static int
parse_uint(const field_ref *f, uint64_t max, uint64_t *out)
{
	int64_t v;
	if (netshare__parse_scaled(f->s, f->len, 0, &v) != 0 || v < 0 || (uint64_t)v > max)
		return -1;
	*out = (uint64_t)v;
	return 0;
}

/* A time or duration in ns: datetime text, or a decimal in the column's unit; -1 if
 * unparseable or outside ±NETSHARE_TIME_LIMIT_NS. */
static int
parse_time(const field_ref *f, netshare__csv_unit unit, int64_t *ns)
{
	int rc;
	if (f->len >= 19 && f->s[4] == '-') {
		rc = netshare__parse_datetime(f->s, f->len, ns);
	} else {
		int scale = unit == UNIT_MS ? 6 : unit == UNIT_US ? 3 : unit == UNIT_NS ? 0 : 9;
		rc = netshare__parse_scaled(f->s, f->len, scale, ns);
	}
	if (rc == 0 && (*ns <= -NETSHARE_TIME_LIMIT_NS || *ns >= NETSHARE_TIME_LIMIT_NS))
		return -1;
	return rc;
}

static int
parse_double(const field_ref *f, double *out)
{
	char buf[64];
	if (f->len >= sizeof buf)
		return -1;
	memcpy(buf, f->s, f->len);
	buf[f->len] = '\0';
	char *end;
	errno = 0;
	*out = strtod(buf, &end);
	return *end != '\0' || errno == ERANGE ? -1 : 0;
}

/* Parse one data row into a record and append it. */
static netshare_status
parse_row(csv_state *st, netshare_dataset *ds, field_ref *f, size_t n)
{
	netshare_record r;
	memset(&r, 0, sizeof r);
	int have_td = 0, have_te = 0, src_v = 0, dst_v = 0;
	int64_t te = 0;
	uint64_t u, pkt_rev = 0, byt_rev = 0;
	char label[256];
	double extra_num[NETSHARE_MAX_EXTRA_COLUMNS];
	const field_ref *extra_text[NETSHARE_MAX_EXTRA_COLUMNS] = { NULL };
	for (size_t e = 0; e < ds->n_extra; e++)
		extra_num[e] = NAN;
	for (size_t c = 0; c < n && c < st->n_cols; c++) {
		if (st->extra_of[c] >= 0 && !is_unset(st, &f[c])) {
			int e = st->extra_of[c];
			if (ds->extra[e].categorical)
				extra_text[e] = &f[c];
			else if (parse_double(&f[c], &extra_num[e]))
				return row_error(st, c, &f[c], "a number");
		}
		const netshare__csv_column *col = st->use[c];
		if (!col || is_unset(st, &f[c]))
			continue;
		switch (col->field) {
		case CSV_SRCIP:
			if (!(src_v = parse_ip(&f[c], &r.src_ip, r.src_ip6)))
				return row_error(st, c, &f[c], "an IP address");
			break;
		case CSV_DSTIP:
			if (!(dst_v = parse_ip(&f[c], &r.dst_ip, r.dst_ip6)))
				return row_error(st, c, &f[c], "an IP address");
			break;
		case CSV_SPORT: case CSV_DPORT:
			if (parse_uint(&f[c], 65535, &u))
				return row_error(st, c, &f[c], "a port (0..65535)");
			*(col->field == CSV_SPORT ? &r.src_port : &r.dst_port) = (uint16_t)u;
			break;
		case CSV_PROTO: {
			int p = netshare__proto_from_name(f[c].s, f[c].len);
			if (p < 0)
				return row_error(st, c, &f[c], "an IP protocol (name or 0..255)");
			r.protocol = (uint8_t)p;
			break;
		}
		case CSV_TS:
			if (parse_time(&f[c], col->unit, &r.time_ns))
				return row_error(st, c, &f[c], "a time (1824..2116)");
			break;
		case CSV_TE:
			if (parse_time(&f[c], col->unit, &te))
				return row_error(st, c, &f[c], "a time");
			have_te = 1;
			break;
		case CSV_TD:
			if (parse_time(&f[c], col->unit, &r.duration_ns) || r.duration_ns < 0)
				return row_error(st, c, &f[c], "a duration (>= 0)");
			have_td = 1;
			break;
		case CSV_PKT: case CSV_BYT: case CSV_PKT_REV: case CSV_BYT_REV: {
			uint64_t *dst = col->field == CSV_PKT ? &r.packets : col->field == CSV_BYT ?
			                &r.bytes : col->field == CSV_PKT_REV ? &pkt_rev : &byt_rev;
			if (parse_uint(&f[c], UINT64_MAX / 2, dst))
				return row_error(st, c, &f[c], "a count");
			break;
		}
		case CSV_LABEL:
			if (f[c].len >= sizeof label)
				return row_error(st, c, &f[c], "a label (at most 255 bytes)");
			memcpy(label, f[c].s, f[c].len);
			label[f[c].len] = '\0';
			r.label = label;
			break;
		case CSV_IPLEN: case CSV_IPID: case CSV_FRAGOFF:
			if (parse_uint(&f[c], col->field == CSV_FRAGOFF ? 0x1fff : 65535, &u))
				return row_error(st, c, &f[c], "a 16-bit header field");
			if (col->field == CSV_IPLEN)
				r.ip_length = (uint16_t)u;
			else if (col->field == CSV_IPID)
				r.ip_id = (uint16_t)u;
			else
				r.frag_offset = (uint16_t)u;
			break;
		case CSV_TOS: case CSV_TTL: case CSV_IPFLAGS: case CSV_TCPFLAGS:
			if (parse_uint(&f[c], col->field == CSV_IPFLAGS ? 7 : 255, &u))
				return row_error(st, c, &f[c], "an 8-bit header field");
			if (col->field == CSV_TOS)
				r.tos = (uint8_t)u;
			else if (col->field == CSV_TTL)
				r.ttl = (uint8_t)u;
			else if (col->field == CSV_IPFLAGS)
				r.ip_flags = (uint8_t)u;
			else
				r.tcp_flags = (uint8_t)u;
			break;
		default:
			break;
		}
	}
	if (n < st->n_cols && !st->zeek)
		return netshare__error(NETSHARE_EFORMAT, "%s: line %llu: %zu columns, the header has "
		                       "%zu", st->ctx->name, (unsigned long long)st->line, n,
		                       st->n_cols);
	if (!src_v || !dst_v)
		return netshare__error(NETSHARE_EFORMAT, "%s: line %llu: no %s address",
		                       st->ctx->name, (unsigned long long)st->line,
		                       src_v ? "destination" : "source");
	if (src_v != dst_v)
		return netshare__error(NETSHARE_EFORMAT, "%s: line %llu: source is IPv%d but "
		                       "destination is IPv%d", st->ctx->name,
		                       (unsigned long long)st->line, src_v, dst_v);
	r.ip_version = (uint8_t)src_v;
	if (have_te && !have_td) {
		if (te < r.time_ns)
			return netshare__error(NETSHARE_EFORMAT, "%s: line %llu: flow ends before it "
			                       "starts", st->ctx->name, (unsigned long long)st->line);
		r.duration_ns = te - r.time_ns;
	}
	r.packets += pkt_rev;
	r.bytes += byt_rev;
	r.resp_packets = pkt_rev;
	r.resp_bytes = byt_rev;
	netshare_status rc = netshare__dataset_push(ds, &r);
	for (size_t e = 0; rc == NETSHARE_OK && e < ds->n_extra; e++) {
		char text[1024];
		const field_ref *t = extra_text[e];
		if (t && t->len >= sizeof text)
			return netshare__error(NETSHARE_EFORMAT, "%s: line %llu: value of %s longer "
			                       "than %zu bytes", st->ctx->name,
			                       (unsigned long long)st->line, ds->extra[e].name,
			                       sizeof text - 1);
		if (t) {
			memcpy(text, t->s, t->len);
			text[t->len] = '\0';
		}
		rc = netshare_dataset_extra_set(ds, ds->n - 1, e, extra_num[e], t ? text : NULL);
	}
	return rc;
}

/* Match the header's columns against the schema and check the required ones exist. */
static netshare_status
bind_header(csv_state *st, char *line)
{
	/* Concatenated Zeek logs repeat their header: the newest one applies. */
	netshare__free(st->header_names);
	st->header_names = netshare__strdup(line);
	if (!st->header_names)
		return netshare__error_oom("CSV header");
	int n = split(st->header_names, st->sep, !st->zeek, st->names, MAX_FILE_COLUMNS);
	if (n < 0)
		return netshare__error(NETSHARE_EFORMAT, "%s: line %llu: more than %d columns",
		                       st->ctx->name, (unsigned long long)st->line, MAX_FILE_COLUMNS);
	st->n_cols = (size_t)n;
	/* netshare_read_params.label_column: that column is the label, the format's own
	 * label column is not read. */
	static const netshare__csv_column label_col = { "label", CSV_LABEL, UNIT_PLAIN };
	const char *label = st->ds->label_column;
	int label_found = 0;
	for (size_t c = 0; c < st->n_cols; c++) {
		st->use[c] = NULL;
		st->extra_of[c] = netshare__dataset_extra_find(st->ds, st->names[c].s,
		                                               st->names[c].len);
		for (size_t k = 0; k < st->schema.n; k++) {
			const char *want = st->schema.col[k].name;
			if (strlen(want) == st->names[c].len &&
			    memcmp(want, st->names[c].s, st->names[c].len) == 0)
				st->use[c] = &st->schema.col[k];
		}
		if (label && st->use[c] && st->use[c]->field == CSV_LABEL)
			st->use[c] = NULL;
		if (label && strlen(label) == st->names[c].len &&
		    memcmp(label, st->names[c].s, st->names[c].len) == 0) {
			if (st->extra_of[c] >= 0)
				return netshare__error(NETSHARE_EINVAL, "%s: column '%s' is both the label "
				                       "(label_column) and an extra column",
				                       st->ctx->name, label);
			if (st->use[c])
				return netshare__error(NETSHARE_EINVAL, "%s: column '%s' is a built-in "
				                       "field, not a label (label_column)", st->ctx->name,
				                       label);
			st->use[c] = &label_col;
			label_found = 1;
		}
	}
	if (label && !label_found)
		return netshare__error(NETSHARE_EFORMAT, "%s: line %llu: the header has no column "
		                       "'%s' (named by label_column)", st->ctx->name,
		                       (unsigned long long)st->line, label);
	const netshare__csv_field required[] = { CSV_SRCIP, CSV_DSTIP, CSV_PROTO, CSV_TS };
	for (size_t k = 0; k < sizeof required / sizeof required[0]; k++) {
		const char *name = NULL;
		for (size_t s = 0; s < st->schema.n; s++)
			if (st->schema.col[s].field == required[k])
				name = st->schema.col[s].name;
		int found = 0;
		for (size_t c = 0; c < st->n_cols; c++)
			found |= st->use[c] && st->use[c]->field == required[k];
		if (!found)
			return netshare__error(NETSHARE_EFORMAT, "%s: line %llu: the header has no "
			                       "column '%s'", st->ctx->name,
			                       (unsigned long long)st->line, name ? name : "?");
	}
	for (size_t e = 0; e < st->ds->n_extra; e++) {
		int found = 0;
		for (size_t c = 0; c < st->n_cols; c++)
			found |= st->extra_of[c] == (int)e;
		if (!found)
			return netshare__error(NETSHARE_EFORMAT, "%s: line %llu: the header has no "
			                       "column '%s' (named in extra_columns)", st->ctx->name,
			                       (unsigned long long)st->line, st->ds->extra[e].name);
	}
	return NETSHARE_OK;
}

static void
chomp(char *line, ssize_t *len)
{
	while (*len > 0 && (line[*len - 1] == '\n' || line[*len - 1] == '\r'))
		line[--*len] = '\0';
}

/* Zeek's "#separator \x09" names the separator as an escape. Returns 0 for a separator that
 * cannot delimit fields within a line (NUL, CR, LF). */
static char
zeek_separator(const char *arg)
{
	char sep = arg[0];
	if (arg[0] == '\\' && arg[1] == 'x' && isxdigit((unsigned char)arg[2]) &&
	    isxdigit((unsigned char)arg[3]))
		sep = (char)strtol(arg + 2, NULL, 16);
	return sep == '\n' || sep == '\r' ? 0 : sep;
}

netshare_status
netshare__read_csv(netshare_dataset *ds, netshare__read_ctx *ctx, int format)
{
	csv_state st;
	memset(&st, 0, sizeof st);
	st.ctx = ctx;
	st.ds = ds;
	netshare_status rc;
	if (format == NETSHARE_FORMAT_MAPPED_CSV) {
		if ((rc = netshare__csv_parse_map(&st.schema, ctx->params->column_map)) < 0)
			return rc;
	} else {
		st.schema = *netshare__csv_builtin(format);
	}
	st.sep = st.schema.separator;
	st.zeek = format == NETSHARE_FORMAT_ZEEK_CONN;
	st.zeek_missing = st.zeek || format == NETSHARE_FORMAT_ZEEK_CSV;

	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	field_ref *fields = netshare__calloc(MAX_FILE_COLUMNS, sizeof *fields);
	if (!fields)
		return netshare__error_oom("CSV row");
	int have_header = 0;
	rc = NETSHARE_OK;
	const netshare_read_params *rp = ctx->params;
	while ((len = getline(&line, &cap, ctx->fp)) >= 0) {
		st.line++;
		chomp(line, &len);
		if (st.zeek && line[0] == '#') {
			if (strncmp(line, "#separator ", 11) == 0) {
				if (!(st.sep = zeek_separator(line + 11))) {
					rc = netshare__error(NETSHARE_EFORMAT, "%s: line %llu: unusable "
					                     "field separator '%.16s'", ctx->name,
					                     (unsigned long long)st.line, line + 11);
					break;
				}
			} else if (strncmp(line, "#fields", 7) == 0 && line[7] == st.sep) {
				if ((rc = bind_header(&st, line + 8)) < 0)
					break;
				have_header = 1;
			}
			continue;
		}
		if (len == 0)
			continue;
		if (!have_header) {
			if (st.zeek) {
				rc = netshare__error(NETSHARE_EFORMAT, "%s: line %llu: data before the "
				                     "#fields line", ctx->name, (unsigned long long)st.line);
				break;
			}
			if ((rc = bind_header(&st, line)) < 0)
				break;
			have_header = 1;
			continue;
		}
		/* nfdump appends a summary block after the records. */
		if (format == NETSHARE_FORMAT_NFDUMP_CSV && strncmp(line, "Summary", 7) == 0)
			break;
		if (rp->max_records && ds->n >= rp->max_records)
			break;
		int n = split(line, st.sep, !st.zeek, fields, MAX_FILE_COLUMNS);
		if (n < 0)
			rc = netshare__error(NETSHARE_EFORMAT, "%s: line %llu: more than %d columns",
			                     ctx->name, (unsigned long long)st.line, MAX_FILE_COLUMNS);
		else
			rc = parse_row(&st, ds, fields, (size_t)n);
		if (rc == NETSHARE_EFORMAT && rp->lenient) {
			ds->skipped[NETSHARE_SKIP_BAD_ROW]++;
			rc = NETSHARE_OK;
		}
		if (rc < 0)
			break;
		if ((st.line & (NETSHARE__READ_PROGRESS_EVERY - 1)) == 0 &&
		    (rc = netshare__progress_update(&ctx->progress, st.line, 0)) < 0)
			break;
	}
	if (rc == NETSHARE_OK && ferror(ctx->fp))
		rc = netshare__error_errno(NETSHARE_EIO, errno, "%s: read error after line %llu",
		                           ctx->name, (unsigned long long)st.line);
	if (rc == NETSHARE_OK && !have_header)
		rc = netshare__error(NETSHARE_EFORMAT, "%s: no header line%s", ctx->name,
		                     st.zeek ? " (#fields)" : "");
	free(line);
	netshare__free(fields);
	netshare__free(st.header_names);
	return rc;
}
