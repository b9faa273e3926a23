/* SPDX-License-Identifier: BSD-3-Clause */
/* Reports of several traces against one reference, read against the noise floor: the
 * report of the held-out part of the real trace (docs/METRICS.md). */
#ifndef NETSHARE_CLI_REPORT_FLOOR_H
#define NETSHARE_CLI_REPORT_FLOOR_H

#include <netshare/netshare.h>

typedef struct cli_reports {
	const char *reference;                /* the trace every report compares with */
	const char *const *names;             /* [n] the traces compared */
	netshare_report *const *reports;      /* [n] */
	int n;
	int floor;                            /* index of the held-out part, or -1 */
} cli_reports;

/* Whether a metric is a distance (0 = same): its kind is "jsd" or "emd". */
int cli_metric_is_distance(const netshare_metric *m);

/* d(X, A) / d(B, A) of metric i of report k, NaN when there is no floor, the metric is
 * not a distance, or either value is NaN or the floor is 0. */
double cli_floor_ratio(const cli_reports *c, int k, size_t i);

/* The smallest ratio a metric contributes to a group's mean factor. */
#define CLI_MIN_FLOOR_RATIO 0.1

/* Per group: how far each trace's distances are from the floor's, as the geometric mean
 * gmean[k] (>= 1) of max(r, 1/r) over the group's distance metrics that have a floor
 * ratio r for every trace (how many: *used; r at least CLI_MIN_FLOOR_RATIO); returns
 * the index of the smallest, the trace that behaves most like the held-out traffic,
 * excluding the floor itself, or -1 (no floor, no such metric). */
int cli_group_closest(const cli_reports *c, const char *group, double *gmean, int *used);

/* Whether metric i has a value (not NaN) in every report. */
int cli_metric_everywhere(const cli_reports *c, size_t i);

#endif
