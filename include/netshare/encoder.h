/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file netshare/encoder.h
 * @brief netshare_encoder: from a dataset's flows to the GAN's tensors and back.
 *
 * An encoder is fitted on a dataset. It splits the trace into time chunks, groups each
 * chunk's records into flows (directional 5-tuples) and turns every flow into
 *  - an attribute vector (source and destination address as bits, ports and protocol as
 *    word2vec vectors, the most frequent ports also as categories, flow tags across
 *    chunks, the flow's start time in its chunk), and
 *  - a feature sequence, one vector per record (inter-arrival time within the flow, the
 *    header or flow-record fields, and a 2-dim generation flag), padded to T records,
 * following NetShare's encodings. It also turns generated tensors back into records.
 *
 * Intended usage:
 * @code
 *   netshare_encoder_params ep;
 *   netshare_encoder_params_init(&ep);
 *   ep.chunks = 4;
 *   netshare_encoder *enc;
 *   netshare_encoder_fit(&enc, ds, &ep);
 *   for (int c = 0; c < 4; c++) {
 *       netshare_encoded *e;
 *       netshare_encoder_encode(&e, enc, ds, c);
 *       ... netshare_encoded_attributes(e), netshare_encoded_features(e) ...
 *       netshare_encoded_free(e);
 *   }
 *   netshare_encoder_free(enc);
 * @endcode
 *
 * Thread safety: a fitted encoder is immutable; any number of threads may encode and
 * decode with it at once.
 */
#ifndef NETSHARE_ENCODER_H
#define NETSHARE_ENCODER_H

#include <netshare/common.h>
#include <netshare/dataset.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Opaque fitted encoder. */
typedef struct netshare_encoder netshare_encoder;

/** Most time chunks an encoder splits a trace into. */
#define NETSHARE_MAX_CHUNKS 64

/** netshare_encoder_params.chunks: choose from the data (one chunk per thousand flows,
 *  at most ten: a chunk model needs enough flows to learn from; NetShare's 10 chunks
 *  were for traces of about a million records). The rule may change between releases;
 *  netshare_encoder_info_get() tells what was chosen. */
#define NETSHARE_CHUNKS_AUTO 0

/** Most frequent ports per role netshare_encoder_params.port_classes may ask for. */
#define NETSHARE_MAX_PORT_CLASSES 256

/** Most frequent packet lengths netshare_encoder_params.length_classes may ask for. */
#define NETSHARE_MAX_LENGTH_CLASSES 64

/** "Choose from the data" for netshare_encoder_params.max_flow_len and sample_len. */
#define NETSHARE_AUTO UINT32_MAX

/** Options for netshare_encoder_fit(). Initialise with netshare_encoder_params_init(). */
typedef struct netshare_encoder_params {
	size_t struct_size;       /**< sizeof(netshare_encoder_params). */
	int chunks;               /**< Time chunks K, 1..NETSHARE_MAX_CHUNKS, or
	                               ::NETSHARE_CHUNKS_AUTO; default 10 (NetShare). */
	uint32_t max_flow_len;    /**< Records per flow and chunk kept, >= 1; NETSHARE_AUTO
	                               (default): the longest flow segment of the data. */
	int drop_long_flows;      /**< Non-zero: flows longer than max_flow_len are dropped;
	                               default 0: truncated to their first max_flow_len records. */
	uint32_t sample_len;      /**< Records the generator emits per step, >= 1; T is padded
	                               to a multiple of it. NETSHARE_AUTO (default): 10 for
	                               packets, 1 for flow records. */
	int word2vec_dim;         /**< Port/protocol vector size; default 10. */
	int word2vec_window;      /**< Default 5. */
	int word2vec_negative;    /**< Default 5. */
	int word2vec_epochs;      /**< Default 5. */
	int word2vec_min_count;   /**< Default 1. */
	int word2vec_skipgram;    /**< Default 0: CBOW. */
	double word2vec_sample;   /**< Sub-sampling threshold; default 1e-3. */
	const netshare_dataset *word2vec_corpus; /**< Train word2vec on this (public) dataset
	                               instead of the one being fitted; NULL (default): the
	                               fitted dataset. Borrowed during the call only. */
	const char *bounds;       /**< Fixed, data-independent bounds for continuous fields,
	                               "field=min:max,...", in the field's units (ns for times);
	                               required in DP mode. Default NULL: bounds from the data. */
	const char *log1p_fields; /**< Continuous fields normalised after log1p, comma-separated;
	                               NULL (default): interarrival, plus NetShare's choice for
	                               flow records (duration, packets, bytes). "" for none. */
	uint64_t seed;            /**< Seed of word2vec; default 1. */
	netshare_progress_fn progress; /**< Optional progress callback (stage "encode"). */
	void *progress_user;      /**< Passed to @p progress. */
	int port_classes;         /**< Up to this many of the most frequent source ports (and
	                               as many destination ports), each in at least two and
	                               0.05 % of the word2vec corpus's flows (so that a
	                               service of a dozen flows in an hour's LAN trace is
	                               one), are also encoded as categories (a one-hot
	                               head with an "other" class); other ports decode from
	                               their word2vec vector, among the ports that are not
	                               classes. 0..::NETSHARE_MAX_PORT_CLASSES; 0 is
	                               NetShare's pure word2vec encoding. Default 64. */
	int length_classes;       /**< Packets: up to this many of the most frequent IP total
	                               lengths, each in at least 1 % of the packets, are also
	                               a per-record category (a one-hot head with an "other"
	                               class) that wins over the continuous length when it is
	                               not "other": a continuous head cannot put its mass
	                               exactly on 40, 52 or 1500 bytes.
	                               0..::NETSHARE_MAX_LENGTH_CLASSES; 0 is NetShare's
	                               continuous length only. Default 16. Ignored for flow
	                               records. */
	int64_t window_start_ns;  /**< With @p window_end_ns: the capture window, in ns since
	                               the epoch, that the time chunks divide instead of the
	                               data's first to last record (records outside it
	                               count in the first or last chunk). Differential
	                               privacy needs it: a trace's first and last record
	                               times are its own, and the encoder of a DP model is
	                               fitted on public data but cut into the private
	                               trace's chunks (netshare_model_pretrain()). Both 0
	                               (default): the data's span. (Since 1.2.) */
	int64_t window_end_ns;    /**< End of that window (> window_start_ns). */
} netshare_encoder_params;

/** Set the defaults listed with each field. */
NETSHARE_API void netshare_encoder_params_init(netshare_encoder_params *p);

/**
 * Fit an encoder on @p ds: time chunks, flow lengths, word2vec vectors, normalisation
 * bounds and categorical values.
 *
 * @param[out] out  the encoder; free with netshare_encoder_free().
 * @return ::NETSHARE_OK; ::NETSHARE_EINVAL (bad parameter, named in the message, or an
 *         empty dataset); ::NETSHARE_ENOMEM; ::NETSHARE_ECANCELED; ::NETSHARE_EABI.
 */
NETSHARE_API netshare_status netshare_encoder_fit(netshare_encoder **out,
                                                  const netshare_dataset *ds,
                                                  const netshare_encoder_params *params);

/** Free an encoder. NULL is a no-op. */
NETSHARE_API void netshare_encoder_free(netshare_encoder *enc);

/** Output activation of a field group. */
typedef enum netshare_activation {
	NETSHARE_ACTIVATION_SOFTMAX = 0, /**< One-hot group (bits, categories, tags, gen flag). */
	NETSHARE_ACTIVATION_SIGMOID = 1, /**< A value in [0, 1] (normalised continuous). */
	NETSHARE_ACTIVATION_TANH = 2     /**< Values in [-1, 1] (word2vec vectors). */
} netshare_activation;

/** One output head: dims [offset, offset + dim) of the attribute or per-record feature
 *  vector. See netshare_encoder_group(). */
typedef struct netshare_field_group {
	size_t struct_size;  /**< Caller sets sizeof(netshare_field_group). */
	const char *name;    /**< e.g. "srcip.bit7", "dstport", "flow_start", "ttl"; static
	                          while the encoder lives. */
	size_t offset;       /**< First dimension. */
	size_t dim;          /**< Dimensions. */
	int activation;      /**< ::netshare_activation. */
} netshare_field_group;

/** Shape of an encoder's tensors and what fitting it found. */
typedef struct netshare_encoder_info {
	size_t struct_size;        /**< Caller sets sizeof(netshare_encoder_info). */
	int kind;                  /**< ::netshare_record_kind of the data. */
	int chunks;                /**< K. */
	uint32_t max_flow_len;     /**< Records per flow kept. */
	uint32_t sample_len;       /**< Records per generator step. */
	uint32_t max_len;          /**< T: max_flow_len rounded up to a multiple of sample_len. */
	size_t attribute_dim;      /**< A: dims of a flow's attribute vector. */
	size_t feature_dim;        /**< F: dims of one record's feature vector (gen flag included). */
	size_t attribute_groups;   /**< Heads of the attribute vector. */
	size_t feature_groups;     /**< Heads of the feature vector. */
	int address_bits;          /**< 32 (all IPv4) or 128 (IPv6 present; IPv4 as ::ffff:a.b.c.d). */
	size_t port_words;         /**< Distinct ports in the word2vec vocabulary. */
	size_t protocol_words;     /**< Distinct protocols in it. */
	uint64_t flows;            /**< Flow segments over all chunks (a flow crossing chunks counts once per chunk). */
	uint64_t flows_truncated;  /**< Segments longer than max_flow_len that were cut. */
	uint64_t flows_dropped;    /**< Segments dropped (drop_long_flows). */
	int headers_only;          /**< Packets: every record of the fitted trace came from a
	                                frame captured shorter than it was on the wire (a
	                                headers-only capture, as CAIDA's anonymised traces), so
	                                synthetic packets have no real payload to imitate either:
	                                netshare(1) generate then writes headers only
	                                (netshare_write_params.headers_only) unless told
	                                otherwise. */
} netshare_encoder_info;

/** Fill @p info (struct_size set by the caller). @return ::NETSHARE_OK, ::NETSHARE_EINVAL, ::NETSHARE_EABI. */
NETSHARE_API netshare_status netshare_encoder_info_get(const netshare_encoder *enc,
                                                       netshare_encoder_info *info);

/**
 * Describe head @p index of the attribute vector (@p features = 0) or of the per-record
 * feature vector (@p features = 1). Heads tile their vector in order, without gaps.
 * @return ::NETSHARE_OK, ::NETSHARE_EINVAL (index out of range), ::NETSHARE_EABI.
 */
NETSHARE_API netshare_status netshare_encoder_group(const netshare_encoder *enc, int features,
                                                    size_t index, netshare_field_group *out);

/**
 * One statistic of the fitted trace that the encoder (and so every model file) holds
 * besides the generators' weights; see netshare_encoder_statistic_get(). Whoever gets a
 * model file gets these: share it as such a summary of the trace.
 */
typedef struct netshare_statistic {
	size_t struct_size;   /**< Caller sets sizeof(netshare_statistic). */
	const char *name;     /**< e.g. "port_vocabulary", "gap_quantiles"; static. */
	const char *reveals;  /**< What it says about the trace, in a sentence; static. */
	const char *used_by;  /**< Comma-separated: "encoding" (encoding and decoding need
	                           it), "volume" (how many flows each chunk generates, also
	                           with every sampling step off; netshare_sample_params.flows
	                           scales it), "sampling:" and the netshare_sample_params
	                           fields of the steps that read it
	                           (netshare_sample_params_raw() turns them off), or "info"
	                           (reported only); static. */
	const char *source;   /**< "trace": fitted on the trace itself; "public": fitted on
	                           the public data a DP model's encoder was fitted on;
	                           "noised": of the private trace, released through the
	                           Gaussian mechanism (see @p noise_sd) under the model's
	                           privacy budget; "declared": given by the caller, not
	                           computed from any data (the time window,
	                           netshare_encoder_params.window_start_ns); static. */
	uint64_t values;      /**< Numbers it holds. */
	uint64_t bytes;       /**< About the bytes it takes in the encoder state. */
	double noise_sd;      /**< "noised": the standard deviation of the Gaussian noise on
	                           each value; 0 otherwise. (Since 1.2.) */
} netshare_statistic;

/** Number of statistics @p enc holds (0 for NULL). */
NETSHARE_API size_t netshare_encoder_statistic_count(const netshare_encoder *enc);

/**
 * Describe statistic @p index of @p enc (struct_size set by the caller): every number
 * the encoder state holds that was computed from the fitted trace, grouped by what it
 * reveals (time span, counts per chunk, field bounds, vocabularies and their counts,
 * service classes, per-service tables). Strings are static.
 * @return ::NETSHARE_OK, ::NETSHARE_EINVAL (NULL, index out of range), ::NETSHARE_EABI.
 * Thread safety: reads @p enc only.
 */
NETSHARE_API netshare_status netshare_encoder_statistic_get(const netshare_encoder *enc,
                                                            size_t index,
                                                            netshare_statistic *out);

/** Opaque tensors of one chunk, from netshare_encoder_encode(). */
typedef struct netshare_encoded netshare_encoded;

/**
 * Encode the flows of chunk @p chunk of @p ds (normally the dataset the encoder was fitted
 * on; another dataset is encoded with the fitted bounds, vocabularies and chunk times).
 *
 * @param[out] out  the tensors; free with netshare_encoded_free().
 * @return ::NETSHARE_OK, ::NETSHARE_EINVAL (chunk out of range, dataset of another kind),
 *         ::NETSHARE_ENOMEM.
 */
NETSHARE_API netshare_status netshare_encoder_encode(netshare_encoded **out,
                                                     const netshare_encoder *enc,
                                                     const netshare_dataset *ds, int chunk);

/** Flows N in the chunk. */
NETSHARE_API size_t netshare_encoded_flows(const netshare_encoded *e);
/** Attributes, N x A floats, row-major; owned by @p e. */
NETSHARE_API const float *netshare_encoded_attributes(const netshare_encoded *e);
/** Features, N x T x F floats, row-major; records after a flow's end are zero. */
NETSHARE_API const float *netshare_encoded_features(const netshare_encoded *e);
/** Records per flow, N values in 1..T. */
NETSHARE_API const uint32_t *netshare_encoded_lengths(const netshare_encoded *e);
/** Free encoded tensors. NULL is a no-op. */
NETSHARE_API void netshare_encoded_free(netshare_encoded *e);

/**
 * Decode @p n flows of chunk @p chunk (attributes n x A, features n x T x F, as produced
 * by the generator or by netshare_encoder_encode()) into records appended to @p out,
 * which must be a dataset of the encoder's kind. A flow's length is read from its gen
 * flags (the records up to the first "last" flag), at most the longest flow the fitted
 * data had for its service (netshare_encoder(3)). Discrete heads decode by argmax,
 * word2vec heads by nearest known word, continuous heads are clamped to [0, 1].
 *
 * @return ::NETSHARE_OK, ::NETSHARE_EINVAL, ::NETSHARE_ENOMEM.
 */
NETSHARE_API netshare_status netshare_encoder_decode(const netshare_encoder *enc, int chunk,
                                                     const float *attributes,
                                                     const float *features, size_t n,
                                                     netshare_dataset *out);

#ifdef __cplusplus
}
#endif

#endif /* NETSHARE_ENCODER_H */
