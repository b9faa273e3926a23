/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file netshare/eval.h
 * @brief netshare_report: how close a synthetic trace is to the real one.
 *
 * Metrics follow NetShare's paper-era (v3) definitions (reference/eval.md 1.3):
 * Jensen-Shannon *divergence* in nats (range 0..ln 2) for address popularity-rank
 * curves, ports (65,536 bins), protocols (256 bins) and labels; 1-D Wasserstein-1 (EMD)
 * in the field's own units for continuous fields; plus joint distributions that
 * per-field marginals cannot show, and how much of the synthetic trace also occurs in
 * the real one (memorisation).
 *
 * Thread safety: a report is immutable once created.
 */
#ifndef NETSHARE_EVAL_H
#define NETSHARE_EVAL_H

#include <netshare/common.h>
#include <netshare/dataset.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Opaque list of metrics comparing two datasets. */
typedef struct netshare_report netshare_report;

/** One metric of a report. */
typedef struct netshare_metric {
	size_t struct_size;   /**< Caller sets sizeof(netshare_metric). */
	const char *name;     /**< e.g. "dstport", "flow_size", "dstport+proto"; static. */
	const char *kind;     /**< "jsd" (nats, 0..ln 2), "emd", "share" (0..1), "error"
	                           (a sketch's average relative error), "relerr" (relative
	                           error of errors), "rho" (Spearman's rank correlation) or
	                           "auc" (ROC area, 0..1; 0.5 is chance). */
	const char *unit;     /**< Unit of an EMD ("s", "bytes", "records", ...), else "". */
	const char *group;    /**< "field", "joint", "structure" (within flows),
	                           "memorisation", "sketch" or "validity". */
	double value;         /**< NaN if it cannot be computed (see @p note). */
	const char *note;     /**< Why @p value is NaN ("a trace has no flow of 2 or more
	                           records", ...); NULL when it has a value. Static. */
} netshare_metric;

/** Options for netshare_report_new(). Initialise with netshare_report_params_init(). */
typedef struct netshare_report_params {
	size_t struct_size;  /**< sizeof(netshare_report_params). */
	unsigned services;   /**< The per-service metrics use the real trace's this many
	                          services with most flows, 1..100; default 10. */
	const netshare_dataset *held_out; /**< The part of the trace held out from training
	                          when @p real is the part the model trained on (see
	                          netshare_dataset_split_time()): adds the membership-
	                          inference audit "membership_auc" (NaN with a note when
	                          @p synth is this very dataset). NULL (default): none.
	                          Borrowed during the call. */
} netshare_report_params;

/** Set the defaults (10 services). */
NETSHARE_API void netshare_report_params_init(netshare_report_params *p);

/**
 * Compare @p synth with @p real (datasets of the same record kind).
 *
 * Per field (packets): srcip/dstip popularity rank (JSD), srcport, dstport, proto (JSD),
 * ip_length (EMD, bytes), time since the trace's start (EMD, s), inter-arrival within a
 * flow (EMD, s), flow size (EMD, records per 5-tuple), flow duration (EMD, s).
 * Flow records: the address, port and protocol metrics, start time (EMD, s), duration
 * (EMD, s), packets and bytes (EMD), label (JSD), flow size (EMD).
 * Both: flow_size_hist, the JSD of the flow-size histograms (half-octave bins).
 * Joint: dstport+proto and srcport+dstport (JSD over the pairs); per service (the
 * destination port and protocol of a flow; the real trace's params->services (default
 * 10) with most flows,
 * weighted by their share, a service missing from @p synth counted at the worst value):
 * flow_size_by_service and interarrival_by_service (JSD of log-binned histograms),
 * service_coverage (the flow share of those services reproduced, 0..1); the EMD of
 * per-second flow start counts.
 * Structure within flows ("structure" group), per service as above:
 * first_sizes_by_service (JSD of each flow's first three sizes as a tuple),
 * size_autocorr_by_service and gap_autocorr_by_service (EMD of each flow's lag-1
 * autocorrelation of its sizes and of its gaps, 0..2).
 * Memorisation: the share of synthetic records whose 5-tuple, source or destination
 * address occurs in the real trace, and of synthetic flows identical to a real flow
 * (5-tuple, length and every record's fields but time). With params->held_out, the
 * membership-inference audit membership_auc: how well each real flow's distance to its
 * closest synthetic flow tells @p real's flows (trained on) from the held-out ones (ROC
 * AUC; 0.5: no better than chance, 1: every trained-on flow is closer).
 * Every definition, with the reason for it: docs/METRICS.md of the source tree.
 * Sketches ("sketch" group): heavy-hitter count estimation (keys with >= 0.1 % of the
 * packets) with Count-Min, Count Sketch, UnivMon and NitroSketch (5 x 1000 counters,
 * fixed hash seeds, averaged over 5 seeds), keyed by destination address and by 5-tuple:
 * each sketch's average relative error on the synthetic and real traces, their relative
 * difference |E_syn - E_real| / E_real, and Spearman's rho of the four sketches' errors.
 * Validity ("validity" group): pass rates of the checks of reference/eval.md 1.9 on
 * both traces, and of IPv4 header checksums for data read from captures.
 *
 * @param[out] out  the report; free with netshare_report_free().
 * @param params    options, or NULL for the defaults.
 * @return ::NETSHARE_OK, ::NETSHARE_EINVAL (NULL, different kinds (held_out's too), an
 *         empty dataset, an option out of range), ::NETSHARE_ENOMEM, ::NETSHARE_EABI.
 * Thread safety: reads @p real and @p synth only; several reports may be built at once.
 */
NETSHARE_API netshare_status netshare_report_new(netshare_report **out,
                                                 const netshare_dataset *real,
                                                 const netshare_dataset *synth,
                                                 const netshare_report_params *params);

/** Number of metrics in @p r. */
NETSHARE_API size_t netshare_report_count(const netshare_report *r);

/** Copy metric @p index into @p out. @return ::NETSHARE_OK, ::NETSHARE_EINVAL, ::NETSHARE_EABI. */
NETSHARE_API netshare_status netshare_report_get(const netshare_report *r, size_t index,
                                                 netshare_metric *out);

/**
 * NetShare's normalised EMD (reference/eval.md 1.4): the EMD values @p v of one field for
 * @p n synthetic traces, mapped to 0.1 + 0.8 (v - min) / (max - min) (0.1 when all tie),
 * so that fields of different units can be averaged across the traces compared. NaN
 * inputs stay NaN and are left out of min and max.
 * @return ::NETSHARE_OK, ::NETSHARE_EINVAL (NULL with n > 0).
 */
NETSHARE_API netshare_status netshare_normalised_emd(const double *v, size_t n, double *out);

/** Free a report. NULL is a no-op. */
NETSHARE_API void netshare_report_free(netshare_report *r);

/** Options for the baselines. Initialise with netshare_baseline_params_init(). */
typedef struct netshare_baseline_params {
	size_t struct_size;  /**< sizeof(netshare_baseline_params). */
	uint64_t seed;       /**< The same seed gives the same dataset; default 1. */
	uint64_t flows;      /**< Flows to draw, at most ::NETSHARE_SAMPLE_MAX_FLOWS; default 0:
	                          as many as the real trace has. */
} netshare_baseline_params;

/** Set the defaults (seed 1, as many flows as the real trace). */
NETSHARE_API void netshare_baseline_params_init(netshare_baseline_params *p);

/**
 * The marginal baseline: a synthetic dataset with as many flows as @p real has (or
 * params->flows), where
 * every key field (source and destination address, ports, protocol) of a flow is drawn
 * independently from its empirical (record-weighted) marginal, the flow length from the
 * empirical flow lengths, the flow start from the empirical flow starts, inter-arrival
 * times from the pooled within-flow inter-arrivals, and every other field of every record
 * independently from its marginal. It matches the per-field marginals closely and keeps
 * no joint structure: what a generative model has to beat on the joint metrics.
 * Records are sorted by time.
 *
 * @param[out] out  the baseline dataset (same kind as @p real); free with
 *                  netshare_dataset_free().
 * @param params    options, or NULL for the defaults.
 * @return ::NETSHARE_OK, ::NETSHARE_EINVAL (NULL or empty, an option out of range),
 *         ::NETSHARE_ENOMEM, ::NETSHARE_EABI.
 * Thread safety: reads @p real only.
 */
NETSHARE_API netshare_status netshare_baseline_marginal(netshare_dataset **out,
                                                        const netshare_dataset *real,
                                                        const netshare_baseline_params *params);

/**
 * The service-marginal baseline: what the sampler's tables of the real trace know,
 * without a model. For each of as many flows as @p real has (or params->flows), a
 * service (the destination port and protocol of a flow's first record, as the
 * per-service metrics define it) is drawn by its share of the real flows (the services
 * of fewer than 10 flows count as one pooled service: drawn from the marginals of one
 * or two flows, a flow would be copied); then, from that service's flows and records
 * only, every key field (addresses, source port; the destination port and protocol
 * come with the service), the flow length, the flow start, the within-flow
 * inter-arrival times and every other field of every record are each drawn
 * independently from their empirical (record-weighted) marginals. What a generative
 * model adds over this baseline is what it learnt: above all the structure within flows
 * (which sizes and gaps follow which), which no marginal has. Records are sorted by time.
 *
 * @param[out] out  the baseline dataset (same kind as @p real); free with
 *                  netshare_dataset_free().
 * @param params    options, or NULL for the defaults.
 * @return as netshare_baseline_marginal().
 * Thread safety: reads @p real only.
 */
NETSHARE_API netshare_status netshare_baseline_service_marginal(
	netshare_dataset **out, const netshare_dataset *real, const netshare_baseline_params *params);

#ifdef __cplusplus
}
#endif

#endif /* NETSHARE_EVAL_H */
