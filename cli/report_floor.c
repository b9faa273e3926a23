/* SPDX-License-Identifier: BSD-3-Clause */
#include "report_floor.h"

#include <math.h>
#include <string.h>

int
cli_metric_is_distance(const netshare_metric *m)
{
	return strcmp(m->kind, "jsd") == 0 || strcmp(m->kind, "emd") == 0;
}

double
cli_floor_ratio(const cli_reports *c, int k, size_t i)
{
	if (c->floor < 0)
		return NAN;
	netshare_metric m = { .struct_size = sizeof m }, f = { .struct_size = sizeof f };
	if (netshare_report_get(c->reports[k], i, &m) < 0 ||
	    netshare_report_get(c->reports[c->floor], i, &f) < 0 || !cli_metric_is_distance(&m))
		return NAN;
	if (isnan(m.value) || isnan(f.value) || !(f.value > 0))
		return NAN;
	return m.value / f.value;
}

int
cli_metric_everywhere(const cli_reports *c, size_t i)
{
	netshare_metric m = { .struct_size = sizeof m };
	for (int k = 0; k < c->n; k++)
		if (netshare_report_get(c->reports[k], i, &m) < 0 || isnan(m.value))
			return 0;
	return 1;
}

int
cli_group_closest(const cli_reports *c, const char *group, double *gmean, int *used)
{
	*used = 0;
	for (int k = 0; k < c->n; k++)
		gmean[k] = 0;
	if (c->floor < 0)
		return -1;
	netshare_metric m = { .struct_size = sizeof m };
	for (size_t i = 0; i < netshare_report_count(c->reports[0]); i++) {
		netshare_report_get(c->reports[0], i, &m);
		if (strcmp(m.group, group) != 0 || !cli_metric_is_distance(&m))
			continue;
		int all = 1;
		for (int k = 0; k < c->n && all; k++)
			all = !isnan(cli_floor_ratio(c, k, i));
		if (!all)
			continue;
		for (int k = 0; k < c->n; k++) {
			double r = cli_floor_ratio(c, k, i);
			/* The factor between the trace's distance and the floor's, either way: a
			 * trace much closer to A than fresh traffic is (its ports, say) is copying
			 * A, not behaving like new traffic. A ratio below CLI_MIN_FLOOR_RATIO (0: a
			 * metric that happens to match exactly) counts as that ratio. */
			gmean[k] += fabs(log(r > CLI_MIN_FLOOR_RATIO ? r : CLI_MIN_FLOOR_RATIO));
		}
		(*used)++;
	}
	if (!*used)
		return -1;
	int best = -1;
	for (int k = 0; k < c->n; k++) {
		gmean[k] = exp(gmean[k] / *used);
		if (k != c->floor && (best < 0 || gmean[k] < gmean[best]))
			best = k;
	}
	return best;
}
