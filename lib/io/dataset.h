/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal: the columnar layout behind netshare_dataset.
 *
 * One array per field, allocated only for the fields of the dataset's kind: a packet
 * record costs 32 bytes, so a million-packet trace fits in 32 MB. Large arrays come from
 * mmap (glibc), so the unused tail of a doubled capacity is never touched and costs no
 * resident memory. IPv4 addresses are stored directly; for IPv6 records the src/dst
 * columns hold ids into `addr6`, an interning table of 16-byte addresses.
 */
#ifndef NETSHARE_IO_DATASET_H
#define NETSHARE_IO_DATASET_H

#include <netshare/dataset.h>

#include "core/intern.h"

/* X(type, name): the columns every dataset has ... */
#define NETSHARE__COMMON_COLUMNS(X) \
	X(int64_t, time_ns)          \
	X(uint32_t, src)             \
	X(uint32_t, dst)             \
	X(uint16_t, sport)           \
	X(uint16_t, dport)           \
	X(uint8_t, proto)            \
	X(uint8_t, ipver)
/* ... those of packet records ... */
#define NETSHARE__PACKET_COLUMNS(X) \
	X(uint16_t, ip_len)          \
	X(uint8_t, tos)              \
	X(uint8_t, ttl)              \
	X(uint16_t, ip_id)           \
	X(uint8_t, ip_flags)         \
	X(uint8_t, tcp_flags)        \
	X(uint16_t, frag_off)
/* ... and those of flow records (label: id + 1 in `strings`, 0 = none). */
#define NETSHARE__FLOW_COLUMNS(X) \
	X(int64_t, duration_ns)    \
	X(uint64_t, packets)       \
	X(uint64_t, bytes)         \
	X(uint32_t, label)         \
	X(uint64_t, resp_packets)  \
	X(uint64_t, resp_bytes)

/* A user-declared column of a flow dataset. */
typedef struct netshare__extra {
	char *name;
	int categorical;
	double *num;       /* numeric: [cap], NaN = missing */
	uint32_t *cat;     /* categorical: [cap], id + 1 in `strings`, 0 = missing */
} netshare__extra;

/* Longest label column name plus its NUL (a model's encoder state keeps it). */
#define NETSHARE__LABEL_COLUMN_MAX 64

struct netshare_dataset {
	int kind;                 /* netshare_record_kind */
	size_t n, cap;
#define NETSHARE__DECLARE_COLUMN(type, name) type *name;
	NETSHARE__COMMON_COLUMNS(NETSHARE__DECLARE_COLUMN)
	NETSHARE__PACKET_COLUMNS(NETSHARE__DECLARE_COLUMN)
	NETSHARE__FLOW_COLUMNS(NETSHARE__DECLARE_COLUMN)
#undef NETSHARE__DECLARE_COLUMN
	netshare__intern addr6;   /* IPv6 addresses (16-byte keys) */
	netshare__intern strings; /* labels and categorical extra values */
	netshare__extra extra[NETSHARE_MAX_EXTRA_COLUMNS];
	size_t n_extra;

	/* Where it came from and what was skipped on the way. */
	int format;               /* netshare_format read from; AUTO if built in memory */
	int link_type;            /* pcap link type, -1 otherwise */
	char *column_map;         /* MAPPED_CSV: the map it was read with, to write it back */
	char *label_column;       /* the label's column name when not the format's own (shorter
	                             than NETSHARE__LABEL_COLUMN_MAX) */
	uint64_t skipped[NETSHARE_SKIP_REASONS];
	uint64_t ipv4, ipv6, out_of_order;
	uint64_t header_checksums, bad_header_checksums; /* IPv4 headers read from frames */
	uint64_t truncated_frames; /* records from frames captured shorter than on the wire */
	int64_t time_min, time_max;
};

/* Append a record (no struct_size check: internal callers pass a full record). */
netshare_status netshare__dataset_push(netshare_dataset *ds, const netshare_record *r);

/* Fill r from row i (r->struct_size untouched). */
void netshare__dataset_row(const netshare_dataset *ds, size_t i, netshare_record *r);

/* The 16 address bytes of the src (which = 0) or dst (1) address of row i: IPv4 as
 * ::ffff:a.b.c.d, so both versions share one key space. */
void netshare__dataset_addr(const netshare_dataset *ds, size_t i, int which,
                            uint8_t out[16]);

/* Size one extra column to `cap` rows, filling rows [from, cap) as missing. */
netshare_status netshare__extra_grow(netshare__extra *e, size_t from, size_t cap);

/* Declare the extra columns of a spec "name:num,name:cat,name" (EINVAL naming the bad
 * entry). */
netshare_status netshare__dataset_declare_extras(netshare_dataset *ds, const char *spec);

/* Index of the extra column called `name`, or -1. */
int netshare__dataset_extra_find(const netshare_dataset *ds, const char *name, size_t len);

/* Reserve room for n records in total (a hint; push grows as needed). */
netshare_status netshare__dataset_reserve(netshare_dataset *ds, size_t n);

/* Append row i of src, extras included, to dst (which has src's extra columns, in order);
 * rec, if not NULL, replaces the row's record fields. */
netshare_status netshare__dataset_copy_row(netshare_dataset *dst, const netshare_dataset *src,
                                           size_t i, const netshare_record *rec);

/* A 64-bit identifier of the records (every column of the dataset's kind, the row
 * count; not the extras): equal datasets give equal values (dataset_fingerprint.c). */
uint64_t netshare__dataset_fingerprint(const netshare_dataset *ds);

#endif
