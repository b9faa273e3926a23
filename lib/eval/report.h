/* SPDX-License-Identifier: BSD-3-Clause */
/* Internal: the report handle and the metric groups computed outside report.c. */
#ifndef NETSHARE_EVAL_REPORT_H
#define NETSHARE_EVAL_REPORT_H

#include <netshare/eval.h>

#include "flow/flows.h"

/* Most metrics one report holds. */
#define NETSHARE__REPORT_MAX_METRICS 64

struct netshare_report {
	size_t n;
	netshare_metric m[NETSHARE__REPORT_MAX_METRICS];
};

/* Append a metric (name, kind, unit and group are static strings). */
void netshare__report_add(netshare_report *r, const char *name, const char *kind,
                          const char *unit, const char *group, double value);

/* Joint flow metrics that need the flow index of each side (fl[0] real, fl[1]
 * synthetic): flow size and inter-arrival EMDs conditioned on the 10 most common
 * destination services, and the EMD of per-second flow start counts. */
netshare_status netshare__report_flows(netshare_report *r, const netshare_dataset *real,
                                       const netshare_dataset *syn, const netshare__flows *fl);

/* The share of synthetic flows identical to a real one (memorisation). */
netshare_status netshare__report_identical(netshare_report *r, const netshare_dataset *real,
                                           const netshare_dataset *syn,
                                           const netshare__flows *fl);

/* Heavy-hitter estimation with the four sketches, keyed by destination address and by
 * 5-tuple: errors on each side, relative error of errors, Spearman's rho. */
netshare_status netshare__report_sketches(netshare_report *r, const netshare_dataset *real,
                                          const netshare_dataset *syn);

#endif
