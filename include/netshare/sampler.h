/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file netshare/sampler.h
 * @brief netshare_sampler: synthetic traces from a trained model.
 *
 * A sampler generates a trace chunk by chunk, as NetShare does (reference/netshare.md
 * section 1.5):
 *  1. chunk c's attribute generator draws flows;
 *  2. the flows flagged "starts in this chunk" are kept (the others are dropped: their
 *     flows were started by an earlier chunk); a kept flow whose 5-tuple was already
 *     generated gets the next nearest word as its ephemeral (rarer) port, as a new
 *     connection would, or is dropped if that does not help; drawing goes on until as many flows are kept
 *     as started in the real chunk (or that chunk's share of
 *     netshare_sample_params.flows) -- NetShare instead draws as many rows as the real
 *     chunk had and keeps however many are flagged, so its flow count depends on how
 *     well the start flag was learned;
 *  3. each kept flow is copied, as a continuation, into every later chunk its tags say
 *     it appears in, so a flow that spans chunks is one flow with one 5-tuple, not
 *     several;
 *  4. each chunk's feature generator produces the records of its flows (started and
 *     continued) given their attributes; they are decoded, and the trace is emitted in
 *     time order.
 * Unlike NetShare, a continued flow's start time within a later chunk is taken from
 * that chunk's own generated continuations (the rows step 2 drops), not copied from the
 * chunk it started in, so continued flows start where that chunk's model puts them.
 *
 * Every random draw comes from the seed: the same model, parameters and seed give the
 * same records, whatever the thread and whatever else runs.
 *
 * Intended usage:
 * @code
 *   netshare_sample_params sp;
 *   netshare_sample_params_init(&sp);
 *   sp.seed = 7;
 *   netshare_sampler *s;
 *   netshare_sampler_new(&s, model, &sp);
 *   netshare_sampler_write(s, "synthetic.pcap", NULL);
 *   netshare_sampler_free(s);
 * @endcode
 *
 * Thread safety: a sampler is used by one thread at a time. Any number of samplers may
 * share one model (which they only read) from different threads; the model must outlive
 * them and must not be trained meanwhile.
 */
#ifndef NETSHARE_SAMPLER_H
#define NETSHARE_SAMPLER_H

#include <netshare/common.h>
#include <netshare/dataset.h>
#include <netshare/model.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Opaque sampler. */
typedef struct netshare_sampler netshare_sampler;

/** Options of a sampler. Initialise with netshare_sample_params_init(). */
typedef struct netshare_sample_params {
	size_t struct_size;      /**< sizeof(netshare_sample_params). */
	uint64_t flows;          /**< How many flows to generate (up to rounding per chunk),
	                              spread over the chunks like the real trace's; 0
	                              (default): as many as started in each real chunk. At
	                              most NETSHARE_SAMPLE_MAX_FLOWS. */
	double time_scale;       /**< Stretch time (timestamps after the trace start, and flow
	                              durations) by this factor, > 0; default 1. */
	uint64_t seed;           /**< Seed of every draw; default 1. */
	unsigned threads;        /**< Threads generating (the output does not depend on
	                              it); 0 (default): one per online CPU. While a sampler
	                              runs, OpenBLAS is single-threaded (its thread count
	                              is process-wide), so that results do not depend on
	                              how it would split a product. */
	netshare_progress_fn progress; /**< Called once per chunk (stage "generate", done and
	                                    total in chunks); non-zero cancels. */
	void *progress_user;     /**< Passed to @p progress. */
	double class_temperature; /**< How each flow's port classes (services), label and
	                              categorical extra columns (flow records), and each
	                              packet's length class, are chosen from the
	                              heads' softmax outputs p (see
	                              netshare_encoder_params.port_classes and
	                              length_classes): with
	                              probability proportional to p^(1/t); 0 is the
	                              argmax (DoppelGANger's decoding), 1 the softmax as it
	                              is. Lower keeps the frequent services' flows truer,
	                              higher brings more of the rare services. 0 ..
	                              ::NETSHARE_MAX_CLASS_TEMPERATURE; default 1. */
	/**
	 * @name Sampling steps that use statistics of the real trace
	 * Each draws on a table the model file carries besides the generators (see
	 * netshare-model(5) and `netshare inspect --statistics`); what such a step does, a
	 * baseline drawing from the same tables could do too. Each is on (1) by default;
	 * 0 leaves the step to the generators, and netshare_sample_params_raw() turns all of
	 * them off ("GAN-only"). Rule-based fixes that use no statistics stay on: valid
	 * addresses, and no packet shorter than its protocol's minimal headers.
	 * @{
	 */
	int draw_partner_ports;  /**< A port whose class is "other" is drawn among the ports
	                              real flows used with the other end's service, by
	                              records (else among the role's non-class ports by
	                              their counts in the trace). 0: the port head's nearest
	                              word among the role's ports (NetShare's decoding).
	                              A drawn (or repicked) port names the flow only: its
	                              records are generated from the attribute generator's
	                              own port vector, which the feature generator learnt
	                              from. */
	int cap_flow_lengths;    /**< A flow ends at its service's longest real flow, counted
	                              over every chunk it spans. 0: where the generator's
	                              end flag says, at most the encoder's max_flow_len per
	                              chunk. */
	int payload_floors;      /**< No packet carries fewer bytes after its headers than
	                              any real packet of its service ports did (not a
	                              client's ephemeral port: the higher of the two, when
	                              1024 or more). 0: only the minimal headers of its
	                              protocol. */
	int enforce_flow_counts; /**< Each chunk draws until as many flows as started there
	                              in the real trace are kept (or its share of @p flows).
	                              0: NetShare's rule: as many rows as the real chunk had
	                              flow segments (scaled to @p flows), keeping those the
	                              generator flags as starting there. */
	int repick_ports;        /**< A flow whose 5-tuple was already generated gets the next
	                              nearest word as its rarer (ephemeral) port, a port of the
	                              real trace's vocabulary. 0: it is dropped (NetShare). */
	/** @} */
	const char *where;       /**< Since 1.3. Generate only flows satisfying a condition:
	                              "field=value,..." (all must hold), fields `label`,
	                              `proto` (name or number), `srcport`, `dstport` and the
	                              model's categorical extra columns (flow attributes).
	                              Sample and reject: flows are drawn from the model as
	                              usual and those failing are dropped, so what a kept
	                              flow looks like otherwise is the model's conditional
	                              distribution. With @p flows, that many flows satisfy it;
	                              with 0, the flows of a normal-size trace that do.
	                              netshare_sampler_new() refuses a field the model lacks
	                              or a value it cannot generate (::NETSHARE_EINVAL);
	                              generation fails with ::NETSHARE_EINVAL once at least
	                              ::NETSHARE_WHERE_MIN_DRAWN flows were drawn and fewer
	                              than ::NETSHARE_WHERE_MIN_ACCEPTANCE of them satisfied
	                              it, or at the end when none did. Read during
	                              netshare_sampler_new() only. Default NULL: every
	                              flow. */
	double duration_s;       /**< Since 1.3. Seconds the output spans, from the model's
	                              first time. Longer than the model's window (after
	                              @p time_scale): the windows are drawn again, back to
	                              back, each a fresh draw under its own seed (derived
	                              from @p seed; the first window is the plain output),
	                              merged in time order; shorter, or not a whole number of
	                              windows: records from the end time on are cut (flows
	                              there are truncated). 0 ..
	                              ::NETSHARE_SAMPLE_MAX_DURATION_S; default 0: one
	                              window. With @p flows, that many over the whole span. */
	double flow_rate;        /**< Since 1.3. Flows per second of output, spread over each
	                              window's chunks as @p flows is (so @p flows must be 0);
	                              0 (default): the real trace's rate (or @p flows). At most
	                              ::NETSHARE_SAMPLE_MAX_FLOW_RATE. */
} netshare_sample_params;

/** Largest netshare_sample_params.duration_s: about 3 years. */
#define NETSHARE_SAMPLE_MAX_DURATION_S 1e8
/** Largest netshare_sample_params.flow_rate (flows per second). */
#define NETSHARE_SAMPLE_MAX_FLOW_RATE 1e7

/** Least share of drawn flows a netshare_sample_params.where condition must accept. */
#define NETSHARE_WHERE_MIN_ACCEPTANCE 0.001
/** Flows drawn before a condition's acceptance rate is judged. */
#define NETSHARE_WHERE_MIN_DRAWN 10000

/** Most flows one sampler call may be asked for. */
#define NETSHARE_SAMPLE_MAX_FLOWS (UINT64_C(1) << 32)
/** Default of netshare_sample_params.class_temperature. */
/** Largest netshare_sample_params.class_temperature. */
#define NETSHARE_MAX_CLASS_TEMPERATURE 10.0

/** Set the defaults: every sampling step on, seed 1, temperature 0. */
NETSHARE_API void netshare_sample_params_init(netshare_sample_params *p);

/**
 * Turn off every sampling step that uses statistics of the real trace (the fields
 * listed under "Sampling steps that use statistics of the real trace"), leaving the
 * other fields as they are: what comes out is what the generators learnt ("GAN-only",
 * `netshare generate --raw`). NULL is a no-op.
 */
NETSHARE_API void netshare_sample_params_raw(netshare_sample_params *p);

/**
 * Create a sampler on a trained (or loaded) model. The model is borrowed: it must
 * outlive the sampler.
 * @return ::NETSHARE_OK, ::NETSHARE_EINVAL (a parameter out of range, named in the
 *         message), ::NETSHARE_ENOMEM, ::NETSHARE_EABI.
 */
NETSHARE_API netshare_status netshare_sampler_new(netshare_sampler **out,
                                                  const netshare_model *model,
                                                  const netshare_sample_params *params);

/** Free a sampler. NULL is a no-op. */
NETSHARE_API void netshare_sampler_free(netshare_sampler *s);

/**
 * Called with each synthetic record, in time order. @p ds and @p row locate the record
 * in a dataset owned by the sampler, valid during the call only (read extra columns
 * with netshare_dataset_extra_get()). Return non-zero to stop (the sampler then returns
 * ::NETSHARE_ECANCELED).
 */
typedef int (*netshare_record_fn)(const netshare_record *record, const netshare_dataset *ds,
                                  size_t row, void *user);

/**
 * Generate a synthetic trace and pass its records to @p fn in time order. Memory stays
 * about one chunk's records: a chunk's records are delivered once no later chunk can
 * produce an earlier one.
 * @return ::NETSHARE_OK, ::NETSHARE_ECANCELED, ::NETSHARE_ENOMEM, ::NETSHARE_EINVAL.
 */
NETSHARE_API netshare_status netshare_sampler_stream(netshare_sampler *s, netshare_record_fn fn,
                                                     void *user);

/**
 * Generate a synthetic trace into a new dataset, in time order.
 * @param[out] out  the trace; free with netshare_dataset_free().
 * @return as netshare_sampler_stream().
 */
NETSHARE_API netshare_status netshare_sampler_generate(netshare_dataset **out,
                                                       netshare_sampler *s);

/**
 * Generate a synthetic trace and write it to @p path (format from the name or
 * @p params, as netshare_dataset_write()). The file appears only when complete.
 * @return as netshare_sampler_stream() and netshare_dataset_write().
 */
NETSHARE_API netshare_status netshare_sampler_write(netshare_sampler *s, const char *path,
                                                    const netshare_write_params *params);

/**
 * Generate over MPI ranks and write to @p path on rank 0: the file
 * netshare_sampler_write() writes, byte for byte. Every rank calls it with a sampler of
 * the same model file and parameters. Each rank draws every chunk's flows (the
 * attribute generator), runs the feature generator for batch k when k mod size is its
 * rank, and sends those features to rank 0, which decodes every batch in order and
 * writes. Since 1.3.
 * @param comm an `MPI_Comm *` (NULL: MPI_COMM_WORLD); MPI must be initialised.
 * @return ::NETSHARE_OK on every rank, or every rank's first failure (named "rank R:"),
 *         ::NETSHARE_ESTATE (MPI not initialised), ::NETSHARE_EUNSUPPORTED (built without
 *         MPI), and what netshare_sampler_write() returns.
 * Thread safety: one call per sampler at a time; MPI must allow the calling thread.
 */
NETSHARE_API netshare_status netshare_sampler_write_mpi(netshare_sampler *s, const char *path,
                                                        const netshare_write_params *params,
                                                        const void *comm);

/** What the last generation did. */
typedef struct netshare_sample_info {
	size_t struct_size;        /**< Caller sets sizeof(netshare_sample_info). */
	uint64_t flows;            /**< Flows generated (each counted once, however many
	                                chunks it spans). */
	uint64_t continuations;    /**< Copies of flows into later chunks they span. */
	uint64_t not_started;      /**< Drawn rows dropped: flagged as started earlier. */
	uint64_t duplicates;       /**< Drawn rows dropped: 5-tuple already generated, and no
	                                other ephemeral port made it new. */
	uint64_t repicked;         /**< Drawn rows whose 5-tuple was already generated and
	                                that got a new ephemeral port (the rarer port's next
	                                nearest word) instead of being dropped. */
	uint64_t records;          /**< Records emitted. */
	uint64_t where_drawn;      /**< Since 1.3: started flows tested against the condition
	                                (netshare_sample_params.where); 0 without one. */
	uint64_t where_accepted;   /**< Since 1.3: those that satisfied it and were kept
	                                (the acceptance rate is where_accepted /
	                                where_drawn). */
} netshare_sample_info;

/** Fill @p info about the last generation. @return ::NETSHARE_OK, ::NETSHARE_EINVAL,
 *  ::NETSHARE_EABI. */
NETSHARE_API netshare_status netshare_sampler_info_get(const netshare_sampler *s,
                                                       netshare_sample_info *info);

#ifdef __cplusplus
}
#endif

#endif /* NETSHARE_SAMPLER_H */
