/* SPDX-License-Identifier: BSD-3-Clause */
/* Fidelity reports as a table or one JSON document (netshare eval, netshare run). */
#include "report_print.h"

#include <stdio.h>

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
		printf("%-20s %-6s %-8s", "metric", "kind", "unit");
		for (int k = 0; k < n_reports; k++)
			printf(" %14.14s", names[k]);
		printf("\n");
		for (size_t i = 0; i < n; i++) {
			netshare_report_get(reports[0], i, &m);
			printf("%-20s %-6s %-8s", m.name, m.kind, m.unit);
			for (int k = 0; k < n_reports; k++) {
				netshare_report_get(reports[k], i, &m);
				printf(" %14.6g", m.value);
			}
			printf("\n");
		}
		printf("\njsd: Jensen-Shannon divergence (natural log; 0 = same, ln 2 = 0.693 = "
		       "disjoint); emd: 1-D Wasserstein distance in the unit shown; share: "
		       "fraction of the distinct synthetic values also in the real trace.\n");
	}
}
