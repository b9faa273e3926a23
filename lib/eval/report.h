/* SPDX-License-Identifier: BSD-3-Clause */
/* Internal: the report handle and the metric groups computed outside report.c. */
#ifndef NETSHARE_EVAL_REPORT_H
#define NETSHARE_EVAL_REPORT_H

#include <netshare/eval.h>

#include "flow/flows.h"

/* Most metrics one report holds. */
#define NETSHARE__REPORT_MAX_METRICS 96

struct netshare_report {
	size_t n;
	netshare_metric m[NETSHARE__REPORT_MAX_METRICS];
};

/* Append a metric (name, kind, unit and group are static strings). */
void netshare__report_add(netshare_report *r, const char *name, const char *kind,
                          const char *unit, const char *group, double value);
/* The same with the reason (static) shown when value is NaN. */
void netshare__report_add_note(netshare_report *r, const char *name, const char *kind,
                               const char *unit, const char *group, double value,
                               const char *why_nan);

/* Services (report_services.c, docs/METRICS.md): a flow's destination port and
 * protocol; the reference's top services and each flow's among them on both sides
 * (side 0 the reference, 1 the trace compared). */
#define NETSHARE__MAX_SERVICES 100
/* netshare_report_params.services by default. */
#define NETSHARE__DEFAULT_SERVICES 10
typedef struct netshare__services {
	size_t n;                                /* top services, most flows first */
	uint32_t key[NETSHARE__MAX_SERVICES];    /* netshare__flow_service */
	double flows[2][NETSHARE__MAX_SERVICES]; /* flows of each service per side */
	double total[2];                         /* all flows per side */
	int8_t *of[2];                           /* [n_flows] top service index, or -1 */
} netshare__services;

/* The reference's `top` (<= NETSHARE__MAX_SERVICES) services with most flows. */
netshare_status netshare__services_build(const netshare_dataset *const ds[2],
                                         const netshare__flows *fl, size_t top,
                                         netshare__services *sv);
void netshare__services_free(netshare__services *sv);

/* Weighted mean over the top services (weights: the reference's flows) of value[t] for
 * the services has_real[t]; a service has_syn[t] = 0 counts as `worst`. NaN if no
 * service has_real. */
double netshare__services_combine(const netshare__services *sv, const double *value,
                                  const int *has_real, const int *has_syn, double worst);

/* service_coverage, flow_size_hist, flow_size_by_service, interarrival_by_service. */
netshare_status netshare__report_services(netshare_report *r, const netshare_dataset *const ds[2],
                                          const netshare__flows *fl,
                                          const netshare__services *sv);

/* first_sizes_by_service, size_autocorr_by_service, gap_autocorr_by_service. */
netshare_status netshare__report_structure(netshare_report *r, const netshare_dataset *const ds[2],
                                           const netshare__flows *fl,
                                           const netshare__services *sv);

/* Lag-1 autocorrelation of x[0..n), sum (x_t - m)(x_t+1 - m) / sum (x_t - m)^2; 0 for a
 * constant series, NaN for n < 2. */
double netshare__lag1_autocorr(const double *x, size_t n);

/* The EMD of per-second flow start counts (fl[0] real, fl[1] synthetic). */
netshare_status netshare__report_flows(netshare_report *r, const netshare_dataset *real,
                                       const netshare_dataset *syn, const netshare__flows *fl);

/* The share of synthetic flows identical to a real one (memorisation). */
/* Membership-inference audit (membership.c): the ROC AUC with which closeness to the
 * synthetic trace ds[1] (each real flow's distance to its closest synthetic flow) tells
 * the training part ds[0]'s flows (fl: both sides' flow indexes, as the report has
 * them) from the held-out part's; 0.5 is ideal, 1 is every training
 * flow closer than every held-out one. NAN (NETSHARE_OK) if a side has no flows. */
netshare_status netshare__membership_auc(const netshare_dataset *const ds[2],
                                         const netshare__flows fl[2],
                                         const netshare_dataset *held, double *auc);
/* The AUC of "closer is a member": P(a member's distance < another's) + P(equal) / 2,
 * by Mann-Whitney ranks with ties averaged; NAN if either list is empty. */
netshare_status netshare__auc_closer(const double *members, size_t n_members,
                                     const double *others, size_t n_others, double *auc);

netshare_status netshare__report_identical(netshare_report *r, const netshare_dataset *real,
                                           const netshare_dataset *syn,
                                           const netshare__flows *fl);

/* Heavy-hitter estimation with the four sketches, keyed by destination address and by
 * 5-tuple: errors on each side, relative error of errors, Spearman's rho. */
netshare_status netshare__report_sketches(netshare_report *r, const netshare_dataset *real,
                                          const netshare_dataset *syn);

#endif
