/* SPDX-License-Identifier: BSD-3-Clause */
/* Fidelity reports as a table or one JSON document (netshare eval, netshare run). */
#include "report_print.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "json.h"

#define MAX_SHOWN 64
#define MAX_NOTES 128

static const char *
base_name(const char *path)
{
	const char *b = strrchr(path, '/');
	return b ? b + 1 : path;
}

static void
print_json(const cli_reports *c)
{
	size_t n = netshare_report_count(c->reports[0]);
	netshare_metric m = { .struct_size = sizeof m };
	printf("{\"real\":");
	json_string(stdout, c->reference);
	printf(",\"held_out\":");
	if (c->floor >= 0)
		json_string(stdout, c->names[c->floor]);
	else
		printf("null");
	printf(",\"jsd\":\"Jensen-Shannon divergence, natural log, 0..ln 2\",\"synthetic\":[");
	for (int k = 0; k < c->n; k++) {
		printf("%s{\"file\":", k ? "," : "");
		json_string(stdout, c->names[k]);
		printf(",\"metrics\":[");
		for (size_t i = 0; i < n; i++) {
			netshare_report_get(c->reports[k], i, &m);
			printf("%s{\"name\":\"%s\",\"kind\":\"%s\",\"unit\":\"%s\",\"group\":\"%s\","
			       "\"value\":", i ? "," : "", m.name, m.kind, m.unit, m.group);
			json_number(stdout, m.value);
			if (m.note) {
				printf(",\"note\":");
				json_string(stdout, m.note);
			}
			if (c->floor >= 0) {
				printf(",\"floor_ratio\":");
				json_number(stdout, cli_floor_ratio(c, k, i));
			}
			printf("}");
		}
		printf("]}");
	}
	printf("]");
	if (c->floor >= 0) {
		printf(",\"closest\":{");
		const char *group = "";
		int first = 1;
		for (size_t i = 0; i < n; i++) {
			netshare_report_get(c->reports[0], i, &m);
			if (strcmp(m.group, group) == 0)
				continue;
			group = m.group;
			double g[MAX_SHOWN];
			int used, best = c->n <= MAX_SHOWN ? cli_group_closest(c, group, g, &used) : -1;
			if (best < 0)
				continue;
			printf("%s\"%s\":{\"file\":", first ? "" : ",", group);
			json_string(stdout, c->names[best]);
			printf(",\"metrics\":%d,\"geomean_floor_ratio\":[", used);
			for (int k = 0; k < c->n; k++) {
				printf("%s", k ? "," : "");
				json_number(stdout, g[k]);
			}
			printf("]}");
			first = 0;
		}
		printf("}");
	}
	printf("}\n");
}

/* A footnote: the first trace and metric with each distinct reason. */
typedef struct notes {
	const char *why[MAX_NOTES];
	int n;
} notes;

static int
note_index(notes *fn, const char *why)
{
	for (int j = 0; j < fn->n; j++)
		if (strcmp(fn->why[j], why) == 0)
			return j + 1;
	if (fn->n == MAX_NOTES)
		return 0;
	fn->why[fn->n++] = why;
	return fn->n;
}

static void
print_closest(const cli_reports *c, const char *group)
{
	double g[MAX_SHOWN];
	int used, best = cli_group_closest(c, group, g, &used);
	if (best < 0)
		return;
	printf("  closest to the held-out real traffic: %s, its distances within %.2fx of the "
	       "floor's (geometric mean over %d metric%s;", base_name(c->names[best]), g[best],
	       used, used > 1 ? "s" : "");
	for (int k = 0, shown = 0; k < c->n; k++)
		if (k != best && k != c->floor)
			printf("%s %s %.2fx", shown++ ? "," : "", base_name(c->names[k]), g[k]);
	printf(")\n");
}

static void
print_table(const cli_reports *c)
{
	size_t n = netshare_report_count(c->reports[0]);
	netshare_metric m = { .struct_size = sizeof m };
	notes fn = { .n = 0 };
	const char *group = "";
	int ratio = c->floor >= 0;
	for (size_t i = 0; i < n; i++) {
		netshare_report_get(c->reports[0], i, &m);
		if (strcmp(m.group, group) != 0) {
			if (*group && ratio)
				print_closest(c, group);
			group = m.group;
			printf("%s%-26s %-6s %-8s", i ? "\n" : "", group, "kind", "unit");
			for (int k = 0; k < c->n; k++)
				printf(" %*.*s", ratio ? 22 : 16, ratio ? 22 : 16, base_name(c->names[k]));
			printf("\n");
		}
		printf("  %-24s %-6s %-8s", m.name, m.kind, m.unit);
		for (int k = 0; k < c->n; k++) {
			netshare_report_get(c->reports[k], i, &m);
			char cell[32];
			if (isnan(m.value))
				snprintf(cell, sizeof cell, "n/a [%d]", note_index(&fn, m.note ? m.note :
				         "not computed"));
			else
				snprintf(cell, sizeof cell, "%.6g", m.value);
			double r = cli_floor_ratio(c, k, i);
			if (!ratio)
				printf(" %16s", cell);
			else if (k == c->floor && cli_metric_is_distance(&m))
				printf(" %14s (floor)", cell);
			else if (!isnan(r))
				printf(" %14s %6.2fx", cell, r);
			else
				printf(" %14s %7s", cell, "");
		}
		printf("\n");
	}
	if (*group && ratio)
		print_closest(c, group);
	if (c->n > 1 && c->n <= MAX_SHOWN) {
		printf("\nnormalised EMD (0.1 = best .. 0.9 = worst of the traces compared)\n");
		double sum[MAX_SHOWN] = { 0 }, v[MAX_SHOWN], out[MAX_SHOWN];
		int fields = 0;
		for (size_t i = 0; i < n; i++) {
			netshare_report_get(c->reports[0], i, &m);
			if (strcmp(m.kind, "emd") != 0)
				continue;
			int everywhere = cli_metric_everywhere(c, i);
			printf("  %-24s %-6s %-8s", m.name, "nemd", "");
			for (int k = 0; k < c->n; k++) {
				netshare_report_get(c->reports[k], i, &m);
				v[k] = m.value;
			}
			netshare_normalised_emd(v, (size_t)c->n, out);
			for (int k = 0; k < c->n; k++) {
				char cell[32];
				if (isnan(out[k]))
					snprintf(cell, sizeof cell, "n/a");
				else
					snprintf(cell, sizeof cell, "%.3f", out[k]);
				printf(" %*s", ratio ? 22 : 16, cell);
				if (everywhere)
					sum[k] += out[k];
			}
			fields += everywhere;
			printf("%s\n", everywhere ? "" : "  (not in the mean)");
		}
		printf("  %-24s %-6s %-8s", "mean", "nemd", "");
		for (int k = 0; k < c->n; k++) {
			char cell[32];
			if (fields)
				snprintf(cell, sizeof cell, "%.3f", sum[k] / fields);
			else
				snprintf(cell, sizeof cell, "n/a");
			printf(" %*s", ratio ? 22 : 16, cell);
		}
		printf("\n  (the mean is over the %d EMD metrics every trace has)\n", fields);
	}
	if (fn.n) {
		printf("\n");
		for (int j = 0; j < fn.n; j++)
			printf("[%d] n/a: %s\n", j + 1, fn.why[j]);
	}
	if (ratio)
		printf("\nReference: the first part of %s; %s is its held-out rest. Nx: the "
		       "distance as a multiple of the held-out part's (the noise floor: how far "
		       "fresh traffic of the same network is); 1x is as close as fresh traffic.\n",
		       c->reference, base_name(c->names[c->floor]));
	printf("\njsd: Jensen-Shannon divergence (natural log; 0 = same, ln 2 = 0.693 = "
	       "disjoint); emd: 1-D Wasserstein distance in the unit shown (r: of correlations, "
	       "0..2); share: a fraction of the trace (memorisation: of its records found in "
	       "the reference); error: a sketch's average relative error on the heavy hitters; "
	       "relerr: |E_syn - E_real| / E_real; rho: Spearman's rank correlation. "
	       "Definitions: netshare(1), METRICS.\n");
}

void
cli_print_reports(const cli_reports *c, int json)
{
	if (json)
		print_json(c);
	else
		print_table(c);
}
