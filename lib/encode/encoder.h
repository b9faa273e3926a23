/* SPDX-License-Identifier: BSD-3-Clause */
/* Internal: the fitted encoder's state (see include/netshare/encoder.h). */
#ifndef NETSHARE_ENCODE_ENCODER_H
#define NETSHARE_ENCODE_ENCODER_H

#include <netshare/encoder.h>

#include "core/intern.h"
#include "core/rng.h"
#include "field.h"
#include "flow/chunks.h"
#include "word2vec.h"

/* Most fields in one vector (fixed fields, K+1 tags, extras, gen flag). */
/* NETSHARE_CHUNKS_AUTO: one chunk per this many flows, at most NETSHARE__AUTO_MAX_CHUNKS. */
#define NETSHARE__AUTO_FLOWS_PER_CHUNK 1000
#define NETSHARE__AUTO_MAX_CHUNKS 10
/* Default of netshare_encoder_params.port_classes. */
#define NETSHARE__DEFAULT_PORT_CLASSES 64
/* A service (port and protocol) is a class only if at least this share of the corpus's
 * flows (and two of them) has it in that role; rarer ones stay word2vec words. Low, so
 * that a service of a dozen flows in an hour's LAN trace is one (sampling draws classes
 * from the head's probabilities, so rare classes do appear). */
#define NETSHARE__PORT_CLASS_MIN_SHARE 0.0005
/* Default of netshare_encoder_params.length_classes, and the share of the packets (and
 * at least two of them) a length needs to be a class. */
#define NETSHARE__DEFAULT_LENGTH_CLASSES 16
#define NETSHARE__LENGTH_CLASS_MIN_SHARE 0.01

#define NETSHARE__MAX_FIELDS (32 + NETSHARE_MAX_CHUNKS + NETSHARE_MAX_EXTRA_COLUMNS)

/* The ports one role's flows used with each class of the other role (state v6,
 * service_stats.c): for class c of the other role's class field, ports
 * port[start[c] .. start[c + 1]) (ascending) with the records of real flows that had that
 * port and whose own service was no class. Empty (n_classes 0) when not fitted. */
typedef struct netshare__partner_ports {
	uint32_t n_classes;   /* the other role's class field's choices */
	uint32_t *start;      /* [n_classes + 1] */
	uint16_t *port;       /* [start[n_classes]] */
	uint64_t *records;    /* [start[n_classes]] */
} netshare__partner_ports;

typedef struct netshare__vector {
	netshare__field field[NETSHARE__MAX_FIELDS];
	size_t n_fields;
	size_t dim;
	netshare_field_group *groups; /* heads, names in `names` */
	size_t n_groups;
	char *names;
} netshare__vector;

struct netshare_encoder {
	int kind;
	int chunks;
	int64_t t_min, t_max;      /* the fitted trace's span: chunk edges */
	uint32_t max_flow_len, sample_len, max_len;
	int drop_long;
	int addr_bits;
	netshare__word2vec w2v;
	netshare__vector attr, feat;
	netshare__intern strings;  /* labels and categorical extras: code = id + 1 */
	size_t n_extra;
	char extra_name[NETSHARE_MAX_EXTRA_COLUMNS][64];
	int extra_cat[NETSHARE_MAX_EXTRA_COLUMNS];
	uint64_t flows, truncated, dropped;
	uint64_t chunk_flows[NETSHARE_MAX_CHUNKS]; /* segments kept per chunk */
	uint64_t chunk_starts[NETSHARE_MAX_CHUNKS]; /* ... of flows whose first chunk it is */
	/* Packets (state v5): [65536] the fewest bytes after its protocol's minimal headers
	 * that any packet with this port (either role) carried; NULL: no such floor. */
	uint16_t *min_payload;
	int headers_only;          /* state v6: every fitted packet came from a truncated frame */
	/* Per-service statistics (state v6, service_stats.c; absent when not fitted):
	 * partner[0]: source ports by destination class, partner[1]: destination ports by
	 * source class. Service groups (netshare__encoder_service_group): the destination
	 * classes' choices, then the source classes'; for group g, gap_knots[g * n_knots
	 * ...]: the quantile table (netshare__cont_forward_knots, after the interarrival
	 * field's log1p) of its flows' within-flow gaps (all NaN: none; state v6 stored
	 * their bounds, 2 knots), max_records[g]: its longest flow, over all the chunks it
	 * spans (0: no flow). */
	netshare__partner_ports partner[2];
	uint32_t n_groups;
	uint32_t n_knots;
	double *gap_knots;
	uint32_t *max_records;
	/* State v9. The fitted dataset's netshare__dataset_fingerprint; whether t_min/t_max
	 * were given (netshare_encoder_params.window_*) rather than the data's; and how a DP
	 * model released the counts (netshare__release; count_noise: the Gaussian noise's
	 * standard deviation per count). */
	uint64_t fit_fingerprint;
	int window_declared;
	int release;
	double count_noise;
	/* State v10. The netshare_format of the fitted file when output can be written in
	 * its schema (a flow CSV dialect or pcap), else AUTO: generated traces default to it;
	 * and the label's column name when it was not the format's own ("" otherwise). */
	int source_format;
	char label_column[64];
	/* From fitting, kept by netshare__encoder_copy but not in the state (an encoder read
	 * from a file has 0, 0): the commonest length of the kept flow segments (the smaller
	 * of tied ones) and the share of them that have it (of the fitted trace's, not of
	 * the counts a DP model releases later), which netshare_model_params.flow_end AUTO
	 * reads (netshare__encoder_modal_length). */
	uint32_t modal_len;
	double modal_share;
};

/* Where the statistics of a model's encoder come from (encoder state v9). */
enum netshare__release {
	NETSHARE__RELEASE_TRACE = 0,  /* all fitted on the trace itself (not private) */
	NETSHARE__RELEASE_NOISED = 1, /* DP: fitted on public data; counts per chunk of the
	                                 private trace with Gaussian noise */
	NETSHARE__RELEASE_EXACT = 2   /* fitted on public data; the private trace's exact
	                                 counts per chunk (epsilon infinite: not private) */
};

/* Chunks NETSHARE_CHUNKS_AUTO chooses for a trace of `flows` flows. */
int netshare__auto_chunks(uint64_t flows);

/* Records kept of a segment of `count` records, or 0 if the segment is dropped. */
static inline uint32_t
netshare__kept_len(const netshare_encoder *e, uint32_t count)
{
	if (count <= e->max_flow_len)
		return count;
	return e->drop_long ? 0 : e->max_flow_len;
}

/* The value of `f` for record i of ds (flow attributes read the segment's first record;
 * `prev` is the flow's previous record for inter-arrival times, or -1). */
void netshare__encoder_value(const netshare_encoder *e, const netshare_dataset *ds,
                             const netshare__field *f, size_t i, ptrdiff_t prev,
                             netshare__value *v);

/* Chunk c's time window: start (ns after t_min) and width in ns. */
void netshare__encoder_chunk_window(const netshare_encoder *e, int c, double *lo,
                                    double *width);

/* The flow key (addresses, ports, protocol) of each of n attribute rows, into keys[]. */
netshare_status netshare__encoder_decode_keys(const netshare_encoder *e, const float *attributes,
                                              size_t n, netshare_record *keys);

/* Generation only: set the first-octet bit heads of every IPv4 address of n attribute
 * rows to the most likely octet that passes the address validity test (not 0/8, 127/8,
 * 240/4, nor multicast as a source; reference/eval.md T1). Decoding an encoded trace is
 * exact and keeps invalid addresses; generated flows never get one. */
void netshare__encoder_valid_addresses(const netshare_encoder *e, float *attributes, size_t n);

/* Generation only: each port class head of n attribute rows becomes one-hot on a class
 * drawn with probability proportional to p^(1/temperature) from its softmax output p,
 * or its argmax at temperature 0 (a briefly trained generator spreads a rare service's
 * share over rows where a frequent one is likelier, so argmax alone drops rare services
 * and inflates frequent ones): the destination's first, then the source's among the
 * services of the destination service's protocol and "other", so that no flow pairs a
 * service with a foreign protocol. */
void netshare__encoder_draw_classes(const netshare_encoder *e, float *attributes, size_t n,
                                    double temperature, netshare__rng *rng);

/* The same for each flow's label and categorical extra columns (any number of values):
 * the value drawn from the head's softmax with probability p^(1/t), 0 the likeliest,
 * written back as a one-hot. Argmax decoding never gives a label the head rates below
 * another in every row, so a 0.5 % label would not be generated at all. */
void netshare__encoder_draw_labels(const netshare_encoder *e, float *attributes, size_t n,
                                   double temperature, netshare__rng *rng);

/* The same for the per-record length class head: features holds n rows of max_len
 * records; each record's class is drawn from its head (temperature 0: the likeliest),
 * so that a length the head gives 30 % goes to 30 % of such records, not to none. */
void netshare__encoder_draw_record_classes(const netshare_encoder *e, float *features, size_t n,
                                           double temperature, netshare__rng *rng);

/* The fewest bytes after the minimal headers that the fitted trace's packets on this
 * port carried (0 without a table). Every real DNS packet carries a 12-byte header,
 * every NTP one 48 bytes: a shorter synthetic one is a malformed packet to Wireshark. */
static inline unsigned
netshare__encoder_min_payload(const netshare_encoder *e, uint16_t port)
{
	return e->min_payload ? e->min_payload[port] : 0;
}

/* Per-service statistics (service_stats.c). Fitting needs the port class fields'
 * choices and the interarrival field's log1p flag; it fits nothing without port classes
 * or when the interarrival bounds are fixed (gap quantiles) -- and the caller fits nothing
 * when word2vec was trained on another (public) corpus: these come from the trace. */
netshare_status netshare__service_stats_fit(netshare_encoder *e, const netshare_dataset *ds,
                                            const netshare__flows *fl);
void netshare__service_stats_free(netshare_encoder *e);
struct netshare__wbuf;
struct netshare__rbuf;
void netshare__service_stats_save(const netshare_encoder *e, struct netshare__wbuf *b);
/* `version`: the encoder state's (6: gap bounds rather than quantile tables). */
netshare_status netshare__service_stats_load(struct netshare__rbuf *r, netshare_encoder *e,
                                             uint32_t version);

/* The service group of the flow whose attribute row is `attr`: its destination class if
 * that is a service, else its source class (offset by the destination classes) if that
 * is, else -1 (also without groups). */
long netshare__encoder_service_group(const netshare_encoder *e, const float *attr);

/* Knots of the gap quantile table of a service group fitted now: quantiles 0, 1/32,
 * ..., 1. A few dozen points follow a service's gaps closely enough (interpolated
 * linearly after log1p) and cost 264 bytes a group in the model file. */
#define NETSHARE__GAP_KNOTS 33

/* The gap quantile table of that flow (e->n_knots knots): its service group's, or NULL
 * (the field's own bounds; also for a group without gaps). Per service, because one
 * normalisation for all services let a briefly trained generator spread every
 * service's gaps over the whole trace's range (caida: 445/TCP's real gaps 6 us - 20 ms,
 * generated ones up to 0.1 s); by quantiles rather than bounds, because most services'
 * gaps crowd into a small part of their range (caida 1485/UDP: nine in ten within
 * 17-61 us of a range up to 10 ms), which a generator spreads over the rest. */
const double *netshare__encoder_gap_knots(const netshare_encoder *e, const float *attr);

/* The most records that flow may have: its service group's longest real flow, or
 * UINT32_MAX (no group). Decoding cuts a generated flow there: a briefly trained
 * feature generator let some flows of a service run on for hundreds of records where
 * the real ones had at most a few dozen (caida 80/TCP: 259 vs 39), and the per-service
 * flow sizes are a joint metric. */
uint32_t netshare__encoder_max_records(const netshare_encoder *e, const float *attr);

/* netshare_encoder_decode with, for each row r, at most most[r] records (NULL: its
 * service's longest, netshare__encoder_max_records) and the records decoded into len[r]
 * (NULL: not wanted). The sampler caps a flow continued across chunks as a whole. */
netshare_status netshare__encoder_decode_capped(const netshare_encoder *e, int chunk,
                                                const float *attributes,
                                                const float *features, size_t n,
                                                const uint32_t *most, uint32_t *len,
                                                netshare_dataset *out);

/* Port class fields of the attributes ([0] source, [1] destination; NULL: none). */
void netshare__encoder_class_fields(const netshare_encoder *e, const netshare__field *cf[2]);

/* The counts fitting keeps per chunk (segments kept by max_flow_len; those of flows
 * that start in the chunk) of ds under e's time window: flows[], starts[] of e->chunks
 * values. ENOMEM. */
netshare_status netshare__encoder_chunk_counts(const netshare_encoder *e,
                                               const netshare_dataset *ds, uint64_t *flows,
                                               uint64_t *starts);

/* Replace the counts per chunk with released ones (a DP model's: starts[c] <=
 * flows[c]); the total follows, and the cut and dropped segments, which are not
 * released, become 0. `release`: enum netshare__release; `noise`: the standard
 * deviation of the noise on each count (0 unless NOISED). */
void netshare__encoder_set_counts(netshare_encoder *e, const uint64_t *flows,
                                  const uint64_t *starts, int release, double noise);

/* A deep copy, through the serialised state (one code path for both). */
netshare_status netshare__encoder_copy(netshare_encoder **out, const netshare_encoder *e);
/* The commonest length (records) of the fitted flow segments and the share of the
 * segments that have it; 0 (and *len, *share 0) for an encoder read from a model file,
 * which does not keep them. */
int netshare__encoder_modal_length(const netshare_encoder *e, uint32_t *len, double *share);

/* Append the encoder's state to b (ENOMEM). */
netshare_status netshare__encoder_save(const netshare_encoder *e, struct netshare__wbuf *b);
/* An encoder from saved state: ECORRUPT for anything inconsistent, EVERSION for a newer
 * layout. */
netshare_status netshare__encoder_load(netshare_encoder **out, const void *data, size_t len);

/* Fill the head table of a vector from its fields. */
netshare_status netshare__vector_finish(netshare__vector *v);
void netshare__vector_free(netshare__vector *v);

#endif
