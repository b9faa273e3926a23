/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal: the flow/packet CSV schemas (NetShare NetFlow, NetShare packet, nfdump, Zeek
 * conn.log, user-mapped) as data, shared by the CSV reader and writer so that reading a
 * file and writing it back use the same column names and units.
 */
#ifndef NETSHARE_IO_CSV_SCHEMA_H
#define NETSHARE_IO_CSV_SCHEMA_H

#include <stddef.h>
#include <stdint.h>

#include <netshare/common.h>

/* What a column holds. */
typedef enum netshare__csv_field {
	CSV_IGNORE = 0,
	CSV_SRCIP, CSV_DSTIP, CSV_SPORT, CSV_DPORT, CSV_PROTO,
	CSV_TS, CSV_TE, CSV_TD,                   /* flow start, end, duration */
	CSV_PKT, CSV_BYT, CSV_PKT_REV, CSV_BYT_REV, /* *_REV: reverse direction, added */
	CSV_LABEL,
	CSV_IPLEN, CSV_TOS, CSV_IPID, CSV_IPFLAGS, CSV_FRAGOFF, CSV_TTL, CSV_TCPFLAGS,
	CSV_IPVERSION, CSV_IHL, CSV_CHECKSUM, CSV_UID,   /* written for the schema; ignored on read */
	CSV_FIELD_COUNT
} netshare__csv_field;

/* How a value is written (any form is accepted on read). */
typedef enum netshare__csv_unit {
	UNIT_PLAIN = 0,     /* integers, labels */
	UNIT_S, UNIT_MS, UNIT_US, UNIT_NS, /* times and durations: decimal in that unit */
	UNIT_DATETIME,      /* "YYYY-MM-DD HH:MM:SS[.fraction]" UTC */
	UNIT_IP_INT,        /* IPv4 as a decimal integer (IPv6 as text) */
	UNIT_IP_TEXT,       /* dotted quad / RFC 5952 text */
	UNIT_PROTO_NAME,    /* "TCP" */
	UNIT_PROTO_LOWER,   /* "tcp" (Zeek) */
	UNIT_PROTO_NUMBER   /* 6 */
} netshare__csv_unit;

typedef struct netshare__csv_column {
	const char *name;
	netshare__csv_field field;
	netshare__csv_unit unit;
} netshare__csv_column;

/* Longest schema (columns) and column_map (pairs) accepted. */
#define NETSHARE__CSV_MAX_COLUMNS 64

typedef struct netshare__csv_schema {
	int format;       /* netshare_format */
	int packets;      /* 1: packet records (PACKET_CSV), 0: flow records */
	char separator;   /* ',' or '\t' */
	size_t n;
	netshare__csv_column col[NETSHARE__CSV_MAX_COLUMNS];
	char names[1024]; /* storage for a mapped schema's column names */
} netshare__csv_schema;

/* The built-in schema of a format (NETFLOW_CSV, NFDUMP_CSV, ZEEK_CONN, PACKET_CSV). */
const netshare__csv_schema *netshare__csv_builtin(int format);

/* Parse a column map "srcip=sa,dstip=da,ts_us=first,..." into a MAPPED_CSV schema.
 * EINVAL naming the bad entry. */
netshare_status netshare__csv_parse_map(netshare__csv_schema *s, const char *map);

/* Protocol names: number for a case-insensitive name or decimal number, -1 if unknown. */
int netshare__proto_from_name(const char *s, size_t len);
/* Upper-case name ("TCP"), or NULL for numbers with no name. */
const char *netshare__proto_name(uint8_t proto);

/* Parse a decimal (optionally signed, with fraction or exponent) into an integer count
 * of 10^-`scale` units, rounding half away from zero: exact for up to 9 fraction digits
 * (so "305.63599999999997" s -> 305636000000 ns with scale 9). 0 ok, -1 bad or overflow. */
int netshare__parse_scaled(const char *s, size_t len, int scale, int64_t *out);

/* Parse "YYYY-MM-DD[ T]HH:MM:SS[.fraction]" as UTC into ns since the epoch. */
int netshare__parse_datetime(const char *s, size_t len, int64_t *out_ns);

/* Format v * 10^-scale as a decimal with the fraction trimmed of trailing zeros
 * (at least one digit after the point if keep_point). Returns chars written. */
int netshare__format_scaled(char *buf, size_t size, int64_t v, int scale, int keep_point);

/* Format ns since the epoch as "YYYY-MM-DD HH:MM:SS[.fraction]" UTC. */
int netshare__format_datetime(char *buf, size_t size, int64_t ns);

#endif
