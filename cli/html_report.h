/* SPDX-License-Identifier: BSD-3-Clause */
/* `netshare eval --html`: a self-contained HTML report with SVG plots. */
#ifndef NETSHARE_CLI_HTML_REPORT_H
#define NETSHARE_CLI_HTML_REPORT_H

#include <netshare/netshare.h>

#include "report_floor.h"

/* Write the reports of c (the traces syn[k], against `real`, the reference) to path
 * through a temporary file: the table with the noise-floor column and per group the
 * trace closest to the held-out traffic, and the plots. Returns a CLI exit code. */
int cli_write_html(const char *path, const netshare_dataset *real,
                   netshare_dataset *const *syn, const cli_reports *c);

#endif
