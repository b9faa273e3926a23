/* SPDX-License-Identifier: BSD-3-Clause */
/* Fidelity reports as a table or one JSON document (netshare eval, netshare run). */
#include "report_print.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "json.h"

void
cli_print_reports(const char *real, const char *const *names, netshare_report *const *reports,
                  int n_reports, int json)
{
	size_t n = netshare_report_count(reports[0]);
	netshare_metric m = { .struct_size = sizeof m };
	if (json) {
		printf("{\"real\":");
		json_string(stdout, real);
		printf(",\"jsd\":\"Jensen-Shannon divergence, natural log, 0..ln 2\","
		       "\"synthetic\":[");
		for (int k = 0; k < n_reports; k++) {
			printf("%s{\"file\":", k ? "," : "");
			json_string(stdout, names[k]);
			printf(",\"metrics\":[");
			for (size_t i = 0; i < n; i++) {
				netshare_report_get(reports[k], i, &m);
				printf("%s{\"name\":\"%s\",\"kind\":\"%s\",\"unit\":\"%s\",\"group\":\"%s\","
				       "\"value\":", i ? "," : "", m.name, m.kind, m.unit, m.group);
				json_number(stdout, m.value);
				printf("}");
			}
			printf("]}");
		}
		printf("]}\n");
	} else {
		const char *group = "";
		for (size_t i = 0; i < n; i++) {
			netshare_report_get(reports[0], i, &m);
			if (strcmp(m.group, group) != 0) {
				group = m.group;
				printf("%s%-26s %-6s %-8s", i ? "\n" : "", group, "kind", "unit");
				for (int k = 0; k < n_reports; k++) {
					const char *base = strrchr(names[k], '/');
					printf(" %16.16s", base ? base + 1 : names[k]);
				}
				printf("\n");
			}
			printf("  %-24s %-6s %-8s", m.name, m.kind, m.unit);
			for (int k = 0; k < n_reports; k++) {
				netshare_report_get(reports[k], i, &m);
				printf(" %16.6g", m.value);
			}
			printf("\n");
		}
		if (n_reports > 1) {
			printf("\nnormalised EMD (0.1 = best .. 0.9 = worst of the traces compared)\n");
			double sum[64] = { 0 }, v[64], out[64];
			int fields[64] = { 0 }, shown = n_reports < 64 ? n_reports : 64;
			for (size_t i = 0; i < n; i++) {
				netshare_report_get(reports[0], i, &m);
				if (strcmp(m.kind, "emd") != 0)
					continue;
				printf("  %-24s %-6s %-8s", m.name, "nemd", "");
				for (int k = 0; k < shown; k++) {
					netshare_report_get(reports[k], i, &m);
					v[k] = m.value;
				}
				netshare_normalised_emd(v, (size_t)shown, out);
				for (int k = 0; k < shown; k++) {
					printf(" %16.3f", out[k]);
					if (!isnan(out[k])) {
						sum[k] += out[k];
						fields[k]++;
					}
				}
				printf("\n");
			}
			printf("  %-24s %-6s %-8s", "mean", "nemd", "");
			for (int k = 0; k < shown; k++)
				printf(" %16.3f", fields[k] ? sum[k] / fields[k] : NAN);
			printf("\n");
		}
		printf("\njsd: Jensen-Shannon divergence (natural log; 0 = same, ln 2 = 0.693 = "
		       "disjoint); emd: 1-D Wasserstein distance in the unit shown; share: "
		       "fraction of the distinct synthetic values also in the real trace; error: a "
		       "sketch's average relative error on the heavy hitters; relerr: |E_syn - "
		       "E_real| / E_real; rho: Spearman's rank correlation.\n");
	}
}
