/* SPDX-License-Identifier: BSD-3-Clause */
/* Printing fidelity reports (netshare eval, netshare run). */
#ifndef NETSHARE_CLI_REPORT_PRINT_H
#define NETSHARE_CLI_REPORT_PRINT_H

#include "report_floor.h"

/* The reports side by side as a table on stdout, or as one JSON document: values
 * (n/a with the reason as a footnote), with a held-out part the ratio of each distance to
 * the noise floor and per group the trace closest to the held-out traffic, and the
 * normalised EMD over the metrics every trace has. */
void cli_print_reports(const cli_reports *c, int json);

#endif
