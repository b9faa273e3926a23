/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file netshare/dataset.h
 * @brief netshare_dataset: a trace as a table of packet or flow records.
 *
 * The dataset is the one record type that crosses every stage: traces are read into
 * one, the model is trained on one, synthetic traces come out as one and are written
 * from one. Two kinds exist: packet records (from pcap / pcapng) and flow records
 * (NetFlow-style CSV, nfdump CSV, Zeek conn.log).
 *
 * Intended usage:
 * @code
 *   netshare_read_params rp;
 *   netshare_read_params_init(&rp);
 *   netshare_dataset *ds;
 *   if (netshare_dataset_read(&ds, "trace.pcap", &rp) < 0)
 *       die(netshare_last_error());
 *   netshare_record r;
 *   netshare_record_init(&r);
 *   for (size_t i = 0; i < netshare_dataset_count(ds); i++) {
 *       netshare_dataset_get(ds, i, &r);
 *       ...
 *   }
 *   netshare_dataset_write(ds, "copy.pcap", NULL);
 *   netshare_dataset_free(ds);
 * @endcode
 *
 * Thread safety: a dataset may be read (get, info, summary, write) from several threads
 * at once as long as no thread modifies it (append).
 */
#ifndef NETSHARE_DATASET_H
#define NETSHARE_DATASET_H

#include <netshare/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Opaque trace table. Create with netshare_dataset_read() or netshare_dataset_new(). */
typedef struct netshare_dataset netshare_dataset;

/** What one record of a dataset describes. */
typedef enum netshare_record_kind {
	NETSHARE_RECORDS_PACKETS = 0,  /**< One IP packet per record (pcap input). */
	NETSHARE_RECORDS_FLOWS = 1     /**< One flow record per record (NetFlow, Zeek). */
} netshare_record_kind;

/** Trace file formats. */
typedef enum netshare_format {
	NETSHARE_FORMAT_AUTO = 0,        /**< Read: detect from the content; write: from the name. */
	NETSHARE_FORMAT_PCAP = 1,        /**< pcap or pcapng (read through libpcap); writes pcap. */
	NETSHARE_FORMAT_NETFLOW_CSV = 2, /**< NetShare's NetFlow CSV:
	                                      srcip,dstip,srcport,dstport,proto,ts,td,pkt,byt,type. */
	NETSHARE_FORMAT_NFDUMP_CSV = 3,  /**< `nfdump -o csv` output (ts,te,td,sa,da,sp,dp,pr,...). */
	NETSHARE_FORMAT_ZEEK_CONN = 4,   /**< Zeek conn.log, TSV with a #fields header. */
	NETSHARE_FORMAT_MAPPED_CSV = 5,  /**< Any CSV, columns named by netshare_read_params.column_map. */
	NETSHARE_FORMAT_PACKET_CSV = 6,  /**< NetShare's packet CSV:
	                                      srcip,dstip,srcport,dstport,proto,time,pkt_len,... */
	NETSHARE_FORMAT_PCAPNG = 7,      /**< Writes pcapng (one interface, enhanced packet
	                                      blocks); reads like ::NETSHARE_FORMAT_PCAP. */
	NETSHARE_FORMAT_ZEEK_CSV = 8     /**< Zeek conn.log fields as CSV with a plain header
	                                      (ts,uid,id.orig_h,...; IoT-23's CSVs); missing
	                                      values empty, "-" or "(empty)". Since 1.3. */
} netshare_format;

/** Link-layer types for writing pcap (values are LINKTYPE_ numbers). */
typedef enum netshare_link_type {
	NETSHARE_LINK_ETHERNET = 1,  /**< Ethernet II with a zero MAC address pair. */
	NETSHARE_LINK_RAW = 101      /**< Raw IPv4/IPv6, no link header. */
} netshare_link_type;

/** Why a frame or row was not turned into a record (see netshare_dataset_skipped()). */
typedef enum netshare_skip_reason {
	NETSHARE_SKIP_NOT_IP = 0,              /**< Link payload is not IPv4/IPv6 (ARP, LLDP, ...). */
	NETSHARE_SKIP_TRUNCATED_LINK = 1,      /**< Captured bytes end inside the link header. */
	NETSHARE_SKIP_TRUNCATED_IP = 2,        /**< Captured bytes end inside the IP header. */
	NETSHARE_SKIP_BAD_IP_VERSION = 3,      /**< IP version field is not 4 (or 6 where expected). */
	NETSHARE_SKIP_BAD_IP_HEADER = 4,       /**< IPv4 IHL < 5, total length < header, bad extension chain. */
	NETSHARE_SKIP_TRUNCATED_TRANSPORT = 5, /**< Ports needed but the capture ends before them. */
	NETSHARE_SKIP_BAD_ROW = 6,             /**< CSV row rejected in lenient mode. */
	NETSHARE_SKIP_DAMAGED_TAIL = 7,        /**< Lenient pcap read stopped at a damaged or
	                                            truncated block; the records before it kept. */
	NETSHARE_SKIP_BAD_TIME = 8             /**< Timestamp outside the representable range
	                                            (see ::NETSHARE_TIME_LIMIT_NS). */
} netshare_skip_reason;

/** Number of ::netshare_skip_reason values in this version. */
#define NETSHARE_SKIP_REASONS 9

/** Record times must lie strictly within ±this many ns of the epoch (about 1824..2116),
 *  and durations below it, so that any time plus any duration fits in 64 bits. */
#define NETSHARE_TIME_LIMIT_NS (INT64_C(1) << 62)

/**
 * One record, as copied out by netshare_dataset_get() and passed to
 * netshare_dataset_append(). Initialise with netshare_record_init().
 *
 * Fields that do not apply to the record kind are 0 (packet fields in flow records and
 * the reverse). Ports are 0 for protocols without ports and for non-first fragments.
 */
typedef struct netshare_record {
	size_t struct_size;    /**< sizeof(netshare_record); set by netshare_record_init(). */
	int64_t time_ns;       /**< Packet time, or flow start, in ns since the Unix epoch. */
	uint8_t ip_version;    /**< 4 or 6. */
	uint8_t protocol;      /**< IP protocol number (6 TCP, 17 UDP, 1 ICMP, 47 GRE, ...). */
	uint16_t src_port;     /**< Source port (TCP, UDP, SCTP, DCCP, UDP-Lite), else 0. */
	uint16_t dst_port;     /**< Destination port, else 0. */
	uint32_t src_ip;       /**< IPv4 source address in host byte order (ip_version 4). */
	uint32_t dst_ip;       /**< IPv4 destination address in host byte order. */
	uint8_t src_ip6[16];   /**< IPv6 source address, network byte order (ip_version 6). */
	uint8_t dst_ip6[16];   /**< IPv6 destination address. */
	/* Packet records. */
	uint16_t ip_length;    /**< IP total length (IPv6: payload length + 40), the packet size. */
	uint8_t tos;           /**< IPv4 ToS / IPv6 traffic class. */
	uint8_t ttl;           /**< IPv4 TTL / IPv6 hop limit. */
	uint16_t ip_id;        /**< IPv4 identification (IPv6: low 16 bits of the fragment id). */
	uint8_t ip_flags;      /**< IPv4 flags (ip_off >> 13: 2 = DF, 1 = MF); IPv6: 1 = MF. */
	uint8_t tcp_flags;     /**< TCP flags byte (FIN 0x01 ... CWR 0x80), 0 if not TCP. */
	uint16_t frag_offset;  /**< Fragment offset in 8-byte units. */
	/* Flow records. */
	int64_t duration_ns;   /**< Flow duration in ns. */
	uint64_t packets;      /**< Packets in the flow record. */
	uint64_t bytes;        /**< Bytes in the flow record. */
	const char *label;     /**< Flow label (e.g. "background"), or NULL. get: owned by the
	                            dataset, valid until it is modified or freed; append:
	                            copied. */
	uint64_t resp_packets; /**< Of @p packets, those the responder sent (Zeek resp_pkts,
	                            nfdump opkt); 0 when the format does not split the
	                            directions. At most @p packets. */
	uint64_t resp_bytes;   /**< Of @p bytes, those the responder sent (Zeek
	                            resp_ip_bytes, nfdump obyt). At most @p bytes. */
} netshare_record;

/** Fill @p r with zeros and set struct_size. */
NETSHARE_API void netshare_record_init(netshare_record *r);

/** Options for netshare_dataset_read(). Initialise with netshare_read_params_init(). */
typedef struct netshare_read_params {
	size_t struct_size;       /**< sizeof(netshare_read_params). */
	int format;               /**< A ::netshare_format; default AUTO (detect from content). */
	int lenient;              /**< Non-zero: CSV rows that do not parse are skipped and
	                               counted (::NETSHARE_SKIP_BAD_ROW), and a pcap whose tail
	                               is damaged keeps the records before the damage
	                               (::NETSHARE_SKIP_DAMAGED_TAIL). Default 0: both are
	                               ::NETSHARE_EFORMAT. */
	const char *column_map;   /**< MAPPED_CSV: "field=column,..." with fields srcip, dstip,
	                               srcport, dstport, proto, ts, td, te, pkt, byt, label
	                               (ts/td/te in seconds unless given as ts_us, ts_ms,
	                               td_ms ...). Default NULL. */
	uint64_t max_records;     /**< Stop after this many records; 0 (default) reads all. */
	netshare_progress_fn progress; /**< Optional progress callback (stage "read"). */
	void *progress_user;      /**< Passed to @p progress. */
	const char *extra_columns; /**< Flow-record CSVs: more columns to keep, as
	                               "name:num,name:cat,..." (numeric or categorical; no
	                               suffix means categorical). Each must exist in the
	                               header. Default NULL: none. */
	const char *label_column; /**< Since 1.3. Flow-record CSVs and Zeek logs: the flow
	                               label is this column (e.g. IoT-23's
	                               "detailed-label"), whose name the dataset keeps for
	                               writing; the format's own label column is then
	                               ignored. Must exist in the header and not be an
	                               extra column. Default NULL: the format's label. */
} netshare_read_params;

/** Set the defaults: AUTO format, strict, whole file, no callback. */
NETSHARE_API void netshare_read_params_init(netshare_read_params *p);

/**
 * Read a trace file into a new dataset.
 *
 * pcap and pcapng are read through libpcap (link types Ethernet with 802.1Q/QinQ tags,
 * raw IP, IPv4, IPv6, Linux cooked SLL/SLL2, BSD loopback/NULL). Frames that are not IP
 * or whose headers are truncated or invalid are skipped and counted by reason.
 *
 * @param[out] out   the new dataset; NULL on failure. Free with netshare_dataset_free().
 * @param path       file name, or "-" for standard input.
 * @param params     options, or NULL for the defaults.
 * @return ::NETSHARE_OK;
 *         ::NETSHARE_EINVAL (bad argument or params);
 *         ::NETSHARE_EIO (cannot open or read);
 *         ::NETSHARE_EFORMAT (broken file structure or, unless lenient, a bad CSV row; the
 *         message names the file, the packet or line, and the byte offset or column);
 *         ::NETSHARE_EUNSUPPORTED (a pcap link type we cannot parse, named in the message);
 *         ::NETSHARE_ENOMEM; ::NETSHARE_ECANCELED; ::NETSHARE_EABI.
 */
NETSHARE_API netshare_status netshare_dataset_read(netshare_dataset **out, const char *path,
                                                   const netshare_read_params *params);

/**
 * Create an empty dataset to fill with netshare_dataset_append() or
 * netshare_dataset_append_frame().
 *
 * @param[out] out  the new dataset.
 * @param kind      a ::netshare_record_kind.
 * @return ::NETSHARE_OK, ::NETSHARE_EINVAL (bad kind), ::NETSHARE_ENOMEM.
 */
NETSHARE_API netshare_status netshare_dataset_new(netshare_dataset **out, int kind);

/** Free a dataset and every string it owns. NULL is a no-op. */
NETSHARE_API void netshare_dataset_free(netshare_dataset *ds);

/** The ::netshare_record_kind of @p ds. */
NETSHARE_API int netshare_dataset_kind(const netshare_dataset *ds);

/** Number of records in @p ds. */
NETSHARE_API size_t netshare_dataset_count(const netshare_dataset *ds);

/**
 * Copy record @p index into @p out (whose struct_size the caller set, normally with
 * netshare_record_init()).
 *
 * @return ::NETSHARE_OK, ::NETSHARE_EINVAL (index out of range), ::NETSHARE_EABI.
 */
NETSHARE_API netshare_status netshare_dataset_get(const netshare_dataset *ds, size_t index,
                                                  netshare_record *out);

/**
 * Append a record (of the dataset's kind; the fields of the other kind are ignored).
 *
 * @return ::NETSHARE_OK, ::NETSHARE_EINVAL (ip_version not 4 or 6, time or duration
 *         outside ::NETSHARE_TIME_LIMIT_NS), ::NETSHARE_ENOMEM, ::NETSHARE_EABI.
 */
NETSHARE_API netshare_status netshare_dataset_append(netshare_dataset *ds,
                                                     const netshare_record *rec);

/**
 * Parse one captured frame and append it to a packet dataset, as a measurement tool
 * feeding packets from a live pcap_t would. Frames that are not IP or are malformed are
 * counted by reason (netshare_dataset_skipped()) and not appended.
 *
 * @param link_type  the capture's pcap_datalink() value (DLT_*).
 * @param time_ns    capture time in ns since the epoch.
 * @param data       the captured bytes; @p caplen of them are read.
 * @param wire_len   the frame's length on the wire (pcap's len).
 * @return ::NETSHARE_OK (appended or skipped), ::NETSHARE_EUNSUPPORTED (link type),
 *         ::NETSHARE_EINVAL (not a packet dataset), ::NETSHARE_ENOMEM.
 */
NETSHARE_API netshare_status netshare_dataset_append_frame(netshare_dataset *ds, int link_type,
                                                           int64_t time_ns, const void *data,
                                                           size_t caplen, size_t wire_len);

/** Frames or rows skipped for @p reason (a ::netshare_skip_reason); 0 for unknown reasons. */
NETSHARE_API uint64_t netshare_dataset_skipped(const netshare_dataset *ds, int reason);

/** Name of a skip reason, e.g. "not-ip"; "unknown" for values this version lacks. */
NETSHARE_API const char *netshare_skip_reason_name(int reason);

/** The usual name of an IP protocol number ("TCP", "UDP", "ICMP", "GRE", ...), or NULL
 *  if it has none in this library's table. Static string. */
NETSHARE_API const char *netshare_protocol_name(int protocol);

/** The name of a pcap link type (DLT_) value, e.g. "EN10MB", or "unknown". Static. */
NETSHARE_API const char *netshare_link_type_name(int link_type);

/** Facts about a dataset; see netshare_dataset_info_get(). Fields are only appended. */
typedef struct netshare_dataset_info {
	size_t struct_size;       /**< Caller sets sizeof(netshare_dataset_info). */
	int kind;                 /**< ::netshare_record_kind. */
	int format;               /**< ::netshare_format it was read from (AUTO if built in memory). */
	int link_type;            /**< pcap: link type (DLT_*) of the file; -1 otherwise. */
	uint64_t records;         /**< Records in the dataset. */
	uint64_t frames;          /**< Frames or rows seen: records + skipped (+ past max_records: no). */
	uint64_t ipv4;            /**< IPv4 records. */
	uint64_t ipv6;            /**< IPv6 records. */
	uint64_t out_of_order;    /**< Records whose time is earlier than the previous record's. */
	int64_t time_min_ns;      /**< Earliest record time (0 if empty). */
	int64_t time_max_ns;      /**< Latest record time, flows: latest start (0 if empty). */
	uint64_t truncated;       /**< Records from frames captured shorter than they were on the
	                               wire (a snap length; all of them in a headers-only capture
	                               such as CAIDA's); 0 for records appended as records. */
} netshare_dataset_info;

/**
 * Fill @p info (its struct_size set by the caller; fields beyond it are not written).
 * @return ::NETSHARE_OK, ::NETSHARE_EINVAL, ::NETSHARE_EABI.
 */
NETSHARE_API netshare_status netshare_dataset_info_get(const netshare_dataset *ds,
                                                       netshare_dataset_info *info);

/** Options for netshare_dataset_write(). Initialise with netshare_write_params_init(). */
typedef struct netshare_write_params {
	size_t struct_size;  /**< sizeof(netshare_write_params). */
	int format;          /**< ::netshare_format; AUTO: ".pcap" gives pcap, ".pcapng"
	                          pcapng, ".log" a Zeek conn.log (flows), ".csv" the CSV
	                          schema the dataset was read from (NetFlow CSV for flows and
	                          packet CSV for packets if it was not read from a CSV). */
	int link_type;       /**< pcap: ::netshare_link_type; default NETSHARE_LINK_ETHERNET. */
	int nanosecond;      /**< pcap: non-zero writes ns timestamps (magic a1b23c4d);
	                          default 0: µs. */
	int headers_only;    /**< pcap: non-zero stores only the headers and keeps the true
	                          length in orig_len (like CAIDA traces); default 0: the
	                          payload is zero-filled so caplen equals the frame length. */
	netshare_progress_fn progress; /**< Optional progress callback (stage "write"). */
	void *progress_user;           /**< Passed to @p progress. */
} netshare_write_params;

/** Set the defaults: AUTO format, Ethernet, µs timestamps, full zero-filled payload. */
NETSHARE_API void netshare_write_params_init(netshare_write_params *p);

/**
 * Write @p ds to @p path. The data goes to a temporary file in the same directory that
 * is renamed over @p path only when complete, so a failure never leaves a partial file.
 * pcap and pcapng output carry valid IPv4/IPv6 headers with the record's fields and TCP,
 * UDP, ICMP and ICMPv6 headers with correct checksums. Each TCP connection (both
 * directions of a 5-tuple) gets a consistent sequence space: a packet's sequence number
 * is where its direction's previous segment ended and its acknowledgement number (with
 * ACK set) what the other direction has sent; a SYN's length beyond the headers is
 * written as TCP options, not data.
 *
 * @param params  options, or NULL for the defaults.
 * @return ::NETSHARE_OK; ::NETSHARE_EINVAL (e.g. pcap from flow records, unknown
 *         extension with AUTO); ::NETSHARE_EIO; ::NETSHARE_ENOMEM; ::NETSHARE_ECANCELED;
 *         ::NETSHARE_EABI.
 */
NETSHARE_API netshare_status netshare_dataset_write(const netshare_dataset *ds, const char *path,
                                                    const netshare_write_params *params);

/**
 * @name Extra columns
 * Flow datasets can carry user-declared columns beyond the built-in fields: numeric
 * (double, NaN = missing) or categorical (a string, NULL = missing). They are read from
 * CSV with netshare_read_params.extra_columns, written back as CSV columns after the
 * schema's own, and can be added to any flow dataset. Packet datasets have none.
 * @{
 */

/** Number of extra columns of @p ds. */
NETSHARE_API size_t netshare_dataset_extra_count(const netshare_dataset *ds);

/** Name of extra column @p col, or NULL if out of range. Owned by the dataset. */
NETSHARE_API const char *netshare_dataset_extra_name(const netshare_dataset *ds, size_t col);

/** 1 if extra column @p col is categorical, 0 if numeric, -1 if out of range. */
NETSHARE_API int netshare_dataset_extra_is_categorical(const netshare_dataset *ds, size_t col);

/**
 * Add an extra column to a flow dataset; existing records get a missing value.
 * @return ::NETSHARE_OK; ::NETSHARE_EINVAL (packet dataset, empty or duplicate name,
 *         a name that is a built-in field, more than ::NETSHARE_MAX_EXTRA_COLUMNS);
 *         ::NETSHARE_ENOMEM.
 */
NETSHARE_API netshare_status netshare_dataset_add_extra(netshare_dataset *ds, const char *name,
                                                        int categorical);

/** Most extra columns one dataset can have. */
#define NETSHARE_MAX_EXTRA_COLUMNS 32

/**
 * Read the value of extra column @p col in record @p row: a numeric column sets
 * *number (NaN if missing) and *text = NULL; a categorical one sets *text (NULL if
 * missing; owned by the dataset, valid until it is modified or freed) and
 * *number = NaN. Either pointer may be NULL.
 * @return ::NETSHARE_OK, ::NETSHARE_EINVAL (row or column out of range).
 */
NETSHARE_API netshare_status netshare_dataset_extra_get(const netshare_dataset *ds, size_t row,
                                                        size_t col, double *number,
                                                        const char **text);

/**
 * Set the value of extra column @p col in record @p row: @p number for a numeric column
 * (NaN = missing), @p text for a categorical one (copied; NULL = missing).
 * @return ::NETSHARE_OK, ::NETSHARE_EINVAL, ::NETSHARE_ENOMEM.
 */
NETSHARE_API netshare_status netshare_dataset_extra_set(netshare_dataset *ds, size_t row,
                                                        size_t col, double number,
                                                        const char *text);
/** @} */

/** Distribution summary of a dataset's flows; see netshare_dataset_summary(). */
typedef struct netshare_summary {
	size_t struct_size;          /**< Caller sets sizeof(netshare_summary). */
	uint64_t records;            /**< Records. */
	uint64_t flows;              /**< Distinct directional 5-tuples (with IP version). */
	double duration_s;           /**< Time span: last record time - first record time. */
	uint64_t protocol_records[256]; /**< Records per IP protocol number. */
	double flow_size_mean;       /**< Mean records per flow. */
	uint64_t flow_size_p50;      /**< Median records per flow. */
	uint64_t flow_size_p90;      /**< 90th percentile (nearest rank). */
	uint64_t flow_size_p99;      /**< 99th percentile (nearest rank). */
	uint64_t flow_size_max;      /**< Largest flow. */
	uint64_t flow_packets_total; /**< Packets: records (packets) or sum of pkt (flows). */
	uint64_t flow_bytes_total;   /**< Bytes: sum of ip_length (packets) or byt (flows). */
} netshare_summary;

/**
 * Group the records by directional 5-tuple and summarise.
 * @return ::NETSHARE_OK, ::NETSHARE_EINVAL, ::NETSHARE_EABI, ::NETSHARE_ENOMEM.
 */
NETSHARE_API netshare_status netshare_dataset_summary(const netshare_dataset *ds,
                                                      netshare_summary *summary);

/**
 * Split @p ds in time for held-out evaluation: @p first gets the records before the
 * (1 - @p holdout) quantile of the record times, @p rest the records at or after it
 * (so @p rest holds about @p holdout of the records, more when many share the cut's
 * time stamp). Train on @p first, and compare synthetic traces and @p rest with it:
 * d(rest, first) is the noise floor, how far fresh traffic of the same network is.
 * A flow that crosses the cut becomes one flow in each part.
 *
 * Both parts keep the records' order, their extra columns, the source format and link
 * type. Frame counts carry over where they hold for every record of @p ds (a
 * headers-only capture stays one; IPv4 checksums when none was bad); skip counts stay
 * with @p ds.
 *
 * @param holdout   share of the records held out, strictly between 0 and 1.
 * @param[out] first  the earlier part; free with netshare_dataset_free().
 * @param[out] rest   the later part; free with netshare_dataset_free().
 * @return ::NETSHARE_OK; ::NETSHARE_EINVAL (NULL, @p holdout out of range, fewer than
 *         two records, or no time stamp that leaves records on both sides);
 *         ::NETSHARE_ENOMEM. On error both outputs are NULL.
 *
 * Thread safety: reads @p ds only; safe alongside other readers of it.
 */
NETSHARE_API netshare_status netshare_dataset_split_time(const netshare_dataset *ds,
                                                         double holdout,
                                                         netshare_dataset **first,
                                                         netshare_dataset **rest);

#ifdef __cplusplus
}
#endif

#endif /* NETSHARE_DATASET_H */
