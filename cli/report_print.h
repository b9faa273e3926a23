/* SPDX-License-Identifier: BSD-3-Clause */
/* Printing fidelity reports (netshare eval, netshare run). */
#ifndef NETSHARE_CLI_REPORT_PRINT_H
#define NETSHARE_CLI_REPORT_PRINT_H

#include <netshare/netshare.h>

/* The reports of n_reports synthetic traces (named by names[]) against `real`, side by
 * side as a table on stdout, or as one JSON document. */
void cli_print_reports(const char *real, const char *const *names,
                       netshare_report *const *reports, int n_reports, int json);

#endif
