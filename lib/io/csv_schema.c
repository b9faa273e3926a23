/* SPDX-License-Identifier: BSD-3-Clause */
/* CSV schemas, protocol names and exact decimal/date conversions (see csv_schema.h). */
#include "csv_schema.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <netshare/dataset.h>

#include "core/error.h"
#include "core/int128.h"

static const netshare__csv_schema netflow_schema = {
	NETSHARE_FORMAT_NETFLOW_CSV, 0, ',', 10, {
		{ "srcip", CSV_SRCIP, UNIT_IP_INT }, { "dstip", CSV_DSTIP, UNIT_IP_INT },
		{ "srcport", CSV_SPORT, UNIT_PLAIN }, { "dstport", CSV_DPORT, UNIT_PLAIN },
		{ "proto", CSV_PROTO, UNIT_PROTO_NAME }, { "ts", CSV_TS, UNIT_US },
		{ "td", CSV_TD, UNIT_S }, { "pkt", CSV_PKT, UNIT_PLAIN },
		{ "byt", CSV_BYT, UNIT_PLAIN }, { "type", CSV_LABEL, UNIT_PLAIN },
	}, ""
};

/* NetShare's pcap-to-CSV columns, plus tcp_flags (NetShare drops it; we keep it). */
static const netshare__csv_schema packet_schema = {
	NETSHARE_FORMAT_PACKET_CSV, 1, ',', 16, {
		{ "srcip", CSV_SRCIP, UNIT_IP_INT }, { "dstip", CSV_DSTIP, UNIT_IP_INT },
		{ "srcport", CSV_SPORT, UNIT_PLAIN }, { "dstport", CSV_DPORT, UNIT_PLAIN },
		{ "proto", CSV_PROTO, UNIT_PROTO_NAME }, { "time", CSV_TS, UNIT_US },
		{ "pkt_len", CSV_IPLEN, UNIT_PLAIN }, { "version", CSV_IPVERSION, UNIT_PLAIN },
		{ "ihl", CSV_IHL, UNIT_PLAIN }, { "tos", CSV_TOS, UNIT_PLAIN },
		{ "id", CSV_IPID, UNIT_PLAIN }, { "flag", CSV_IPFLAGS, UNIT_PLAIN },
		{ "off", CSV_FRAGOFF, UNIT_PLAIN }, { "ttl", CSV_TTL, UNIT_PLAIN },
		{ "chksum", CSV_CHECKSUM, UNIT_PLAIN }, { "tcp_flags", CSV_TCPFLAGS, UNIT_PLAIN },
	}, ""
};

/* `nfdump -o csv`: only the columns we model are listed; the others are ignored. */
static const netshare__csv_schema nfdump_schema = {
	NETSHARE_FORMAT_NFDUMP_CSV, 0, ',', 13, {
		{ "ts", CSV_TS, UNIT_DATETIME }, { "te", CSV_TE, UNIT_DATETIME },
		{ "td", CSV_TD, UNIT_S }, { "sa", CSV_SRCIP, UNIT_IP_TEXT },
		{ "da", CSV_DSTIP, UNIT_IP_TEXT }, { "sp", CSV_SPORT, UNIT_PLAIN },
		{ "dp", CSV_DPORT, UNIT_PLAIN }, { "pr", CSV_PROTO, UNIT_PROTO_NAME },
		{ "ipkt", CSV_PKT, UNIT_PLAIN }, { "ibyt", CSV_BYT, UNIT_PLAIN },
		{ "opkt", CSV_PKT_REV, UNIT_PLAIN }, { "obyt", CSV_BYT_REV, UNIT_PLAIN },
		{ "label", CSV_LABEL, UNIT_PLAIN },
	}, ""
};

/* Zeek conn.log: a connection's packets and bytes are both directions added. The same
 * columns come as TSV with #-lines (Zeek's own) or as a CSV with a plain header (IoT-23
 * publishes conn.logs so). */
#define ZEEK_COLUMNS { \
		{ "ts", CSV_TS, UNIT_S }, { "uid", CSV_UID, UNIT_PLAIN }, \
		{ "id.orig_h", CSV_SRCIP, UNIT_IP_TEXT }, { "id.orig_p", CSV_SPORT, UNIT_PLAIN }, \
		{ "id.resp_h", CSV_DSTIP, UNIT_IP_TEXT }, { "id.resp_p", CSV_DPORT, UNIT_PLAIN }, \
		{ "proto", CSV_PROTO, UNIT_PROTO_LOWER }, { "duration", CSV_TD, UNIT_S }, \
		{ "orig_pkts", CSV_PKT, UNIT_PLAIN }, { "orig_ip_bytes", CSV_BYT, UNIT_PLAIN }, \
		{ "resp_pkts", CSV_PKT_REV, UNIT_PLAIN }, \
		{ "resp_ip_bytes", CSV_BYT_REV, UNIT_PLAIN }, { "label", CSV_LABEL, UNIT_PLAIN }, \
	}
static const netshare__csv_schema zeek_schema = {
	NETSHARE_FORMAT_ZEEK_CONN, 0, '\t', 13, ZEEK_COLUMNS, ""
};
static const netshare__csv_schema zeek_csv_schema = {
	NETSHARE_FORMAT_ZEEK_CSV, 0, ',', 13, ZEEK_COLUMNS, ""
};

const netshare__csv_schema *
netshare__csv_builtin(int format)
{
	switch (format) {
	case NETSHARE_FORMAT_NETFLOW_CSV: return &netflow_schema;
	case NETSHARE_FORMAT_PACKET_CSV: return &packet_schema;
	case NETSHARE_FORMAT_NFDUMP_CSV: return &nfdump_schema;
	case NETSHARE_FORMAT_ZEEK_CONN: return &zeek_schema;
	case NETSHARE_FORMAT_ZEEK_CSV: return &zeek_csv_schema;
	default: return NULL;
	}
}

/* Field names of a column map, with the unit a bare time field means (seconds). */
static const struct {
	const char *name;
	netshare__csv_field field;
	netshare__csv_unit unit;
} map_fields[] = {
	{ "srcip", CSV_SRCIP, UNIT_IP_TEXT }, { "dstip", CSV_DSTIP, UNIT_IP_TEXT },
	{ "srcport", CSV_SPORT, UNIT_PLAIN }, { "dstport", CSV_DPORT, UNIT_PLAIN },
	{ "proto", CSV_PROTO, UNIT_PROTO_NAME }, { "pkt", CSV_PKT, UNIT_PLAIN },
	{ "byt", CSV_BYT, UNIT_PLAIN }, { "label", CSV_LABEL, UNIT_PLAIN },
	{ "ts", CSV_TS, UNIT_S }, { "te", CSV_TE, UNIT_S }, { "td", CSV_TD, UNIT_S },
};

static const struct {
	const char *suffix;
	netshare__csv_unit unit;
} time_units[] = {
	{ "_s", UNIT_S }, { "_ms", UNIT_MS }, { "_us", UNIT_US }, { "_ns", UNIT_NS },
	{ "_datetime", UNIT_DATETIME },
};

netshare_status
netshare__csv_parse_map(netshare__csv_schema *s, const char *map)
{
	memset(s, 0, sizeof *s);
	s->format = NETSHARE_FORMAT_MAPPED_CSV;
	s->separator = ',';
	if (!map || !*map)
		return netshare__error(NETSHARE_EINVAL, "column_map is empty; give pairs like "
		                       "\"srcip=sa,dstip=da,proto=pr,ts=start\"");
	if (strlen(map) >= sizeof s->names)
		return netshare__error(NETSHARE_EINVAL, "column_map is longer than %zu characters",
		                       sizeof s->names - 1);
	memcpy(s->names, map, strlen(map) + 1);
	char *save = NULL;
	for (char *pair = strtok_r(s->names, ",", &save); pair;
	     pair = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(pair, '=');
		if (!eq || eq == pair || !eq[1])
			return netshare__error(NETSHARE_EINVAL, "column_map: '%s' is not field=column",
			                       pair);
		*eq = '\0';
		netshare__csv_unit unit = UNIT_PLAIN;
		netshare__csv_field field = CSV_IGNORE;
		for (size_t i = 0; i < sizeof map_fields / sizeof map_fields[0]; i++) {
			size_t n = strlen(map_fields[i].name);
			if (strncmp(pair, map_fields[i].name, n) != 0)
				continue;
			if (pair[n] == '\0') {
				field = map_fields[i].field;
				unit = map_fields[i].unit;
				break;
			}
			int is_time = map_fields[i].field == CSV_TS || map_fields[i].field == CSV_TE ||
			              map_fields[i].field == CSV_TD;
			for (size_t u = 0; is_time && u < sizeof time_units / sizeof time_units[0]; u++)
				if (strcmp(pair + n, time_units[u].suffix) == 0) {
					field = map_fields[i].field;
					unit = time_units[u].unit;
				}
			if (field != CSV_IGNORE)
				break;
		}
		if (field == CSV_IGNORE)
			return netshare__error(NETSHARE_EINVAL, "column_map: unknown field '%s' (fields: "
			                       "srcip dstip srcport dstport proto ts te td pkt byt label; "
			                       "times may end in _s _ms _us _ns _datetime)", pair);
		for (size_t i = 0; i < s->n; i++)
			if (s->col[i].field == field)
				return netshare__error(NETSHARE_EINVAL, "column_map: field '%s' given twice",
				                       pair);
		if (s->n == NETSHARE__CSV_MAX_COLUMNS)
			return netshare__error(NETSHARE_EINVAL, "column_map: too many pairs");
		s->col[s->n].name = eq + 1;
		s->col[s->n].field = field;
		s->col[s->n].unit = unit;
		s->n++;
	}
	return NETSHARE_OK;
}

static const struct {
	const char *name;
	uint8_t number;
} protocols[] = {
	{ "HOPOPT", 0 }, { "ICMP", 1 }, { "IGMP", 2 }, { "IPIP", 4 }, { "TCP", 6 }, { "EGP", 8 },
	{ "UDP", 17 }, { "IPv6", 41 }, { "RSVP", 46 }, { "GRE", 47 }, { "ESP", 50 }, { "AH", 51 },
	{ "ICMPv6", 58 }, { "OSPF", 89 }, { "PIM", 103 }, { "VRRP", 112 }, { "L2TP", 115 },
	{ "SCTP", 132 }, { "UDPLite", 136 },
	/* Aliases accepted on read only (the first name of a number is the one written). */
	{ "IPv4", 4 }, { "IP-in-IP", 4 }, { "ICMP6", 58 }, { "IPv6-ICMP", 58 }, { "DCCP", 33 },
	{ "unknown_transport", 255 },
};

int
netshare__proto_from_name(const char *s, size_t len)
{
	if (len > 0 && len <= 3 && isdigit((unsigned char)s[0])) {
		int v = 0;
		for (size_t i = 0; i < len; i++) {
			if (!isdigit((unsigned char)s[i]))
				return -1;
			v = v * 10 + (s[i] - '0');
		}
		return v <= 255 ? v : -1;
	}
	for (size_t i = 0; i < sizeof protocols / sizeof protocols[0]; i++)
		if (strlen(protocols[i].name) == len && strncasecmp(protocols[i].name, s, len) == 0)
			return protocols[i].number;
	return -1;
}

const char *
netshare__proto_name(uint8_t proto)
{
	for (size_t i = 0; i < sizeof protocols / sizeof protocols[0]; i++)
		if (protocols[i].number == proto && proto != 0 && proto != 255)
			return protocols[i].name;
	return NULL;
}

NETSHARE_API const char *
netshare_protocol_name(int protocol)
{
	return protocol < 0 || protocol > 255 ? NULL : netshare__proto_name((uint8_t)protocol);
}

int
netshare__parse_scaled(const char *s, size_t len, int scale, int64_t *out)
{
	const netshare__i128 limit = (netshare__i128)1 << 120;
	size_t i = 0;
	int neg = 0;
	if (i < len && (s[i] == '-' || s[i] == '+'))
		neg = s[i++] == '-';
	netshare__i128 mant = 0;
	int exp10 = scale, digits = 0;
	for (; i < len && isdigit((unsigned char)s[i]); i++, digits++) {
		if (mant < limit / 10)
			mant = mant * 10 + (s[i] - '0');
		else
			exp10++;
	}
	if (i < len && s[i] == '.') {
		for (i++; i < len && isdigit((unsigned char)s[i]); i++, digits++) {
			if (mant < limit / 10) { /* digits past 36 significant ones are noise */
				mant = mant * 10 + (s[i] - '0');
				exp10--;
			}
		}
	}
	if (digits == 0)
		return -1;
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		int eneg = 0, e = 0, edigits = 0;
		i++;
		if (i < len && (s[i] == '-' || s[i] == '+'))
			eneg = s[i++] == '-';
		for (; i < len && isdigit((unsigned char)s[i]); i++, edigits++)
			if (e < 10000)
				e = e * 10 + (s[i] - '0');
		if (edigits == 0)
			return -1;
		exp10 += eneg ? -e : e;
	}
	if (i != len)
		return -1;
	if (exp10 >= 0) {
		for (; exp10 > 0 && mant != 0; exp10--) {
			if (mant > ((netshare__i128)INT64_MAX) / 10)
				return -1;
			mant *= 10;
		}
	} else {
		netshare__i128 div = 1;
		for (; exp10 < 0; exp10++) {
			if (div > limit) {
				mant = 0;
				div = 1;
				break;
			}
			div *= 10;
		}
		netshare__i128 q = mant / div, r = mant % div;
		if (2 * r >= div) /* round half away from zero (mant is the magnitude) */
			q++;
		mant = q;
	}
	if (mant > INT64_MAX)
		return -1;
	*out = neg ? -(int64_t)mant : (int64_t)mant;
	return 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static int
digits_at(const char *s, size_t len, size_t at, size_t n, int *v)
{
	if (at + n > len)
		return -1;
	*v = 0;
	for (size_t i = at; i < at + n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		*v = *v * 10 + (s[i] - '0');
	}
	return 0;
}

int
netshare__parse_datetime(const char *s, size_t len, int64_t *out_ns)
{
	int y, mo, d, h, mi, sec;
	if (len < 19 || digits_at(s, len, 0, 4, &y) || s[4] != '-' ||
	    digits_at(s, len, 5, 2, &mo) || s[7] != '-' || digits_at(s, len, 8, 2, &d) ||
	    (s[10] != ' ' && s[10] != 'T') || digits_at(s, len, 11, 2, &h) || s[13] != ':' ||
	    digits_at(s, len, 14, 2, &mi) || s[16] != ':' || digits_at(s, len, 17, 2, &sec))
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return -1;
	int64_t frac = 0;
	if (len > 19) {
		if (s[19] != '.' || netshare__parse_scaled(s + 19, len - 19, 9, &frac) != 0 ||
		    frac < 0 || frac >= 1000000000)
			return -1;
	}
	int64_t days = days_from_civil(y, (unsigned)mo, (unsigned)d);
	if (days < -106000 || days > 106000) /* beyond ±290 years the ns count overflows */
		return -1;
	*out_ns = ((days * 24 + h) * 60 + mi) * 60000000000LL + (int64_t)sec * 1000000000LL + frac;
	return 0;
}

int
netshare__format_scaled(char *buf, size_t size, int64_t v, int scale, int keep_point)
{
	int64_t p = 1;
	for (int i = 0; i < scale; i++)
		p *= 10;
	uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	uint64_t ip = mag / (uint64_t)p, fp = mag % (uint64_t)p;
	int n = snprintf(buf, size, "%s%llu", v < 0 ? "-" : "", (unsigned long long)ip);
	if (fp == 0) {
		if (keep_point)
			n += snprintf(buf + n, size > (size_t)n ? size - n : 0, ".0");
		return n;
	}
	char frac[24]; /* scale <= 18 digits, zero-padded on the left */
	size_t fl = (size_t)scale < sizeof frac - 1 ? (size_t)scale : sizeof frac - 1;
	frac[fl] = '\0';
	for (size_t i = fl; i-- > 0; fp /= 10)
		frac[i] = (char)('0' + fp % 10);
	while (fl > 0 && frac[fl - 1] == '0')
		frac[--fl] = '\0';
	return n + snprintf(buf + n, size > (size_t)n ? size - n : 0, ".%s", frac);
}

int
netshare__format_datetime(char *buf, size_t size, int64_t ns)
{
	int64_t secs = ns / 1000000000, frac = ns % 1000000000;
	if (frac < 0) {
		frac += 1000000000;
		secs--;
	}
	int64_t days = secs / 86400, rem = secs % 86400;
	if (rem < 0) {
		rem += 86400;
		days--;
	}
	/* civil_from_days (H. Hinnant) */
	int64_t z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t y = (int64_t)yoe + era * 400;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	unsigned d = doy - (153 * mp + 2) / 5 + 1;
	unsigned m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	int n = snprintf(buf, size, "%04lld-%02u-%02u %02lld:%02lld:%02lld", (long long)y, m, d,
	                 (long long)(rem / 3600), (long long)(rem / 60 % 60), (long long)(rem % 60));
	if (frac) {
		char f[16];
		snprintf(f, sizeof f, "%09lld", (long long)frac);
		size_t fl = strlen(f);
		while (fl > 0 && f[fl - 1] == '0')
			f[--fl] = '\0';
		n += snprintf(buf + n, size > (size_t)n ? size - n : 0, ".%s", f);
	}
	return n;
}
