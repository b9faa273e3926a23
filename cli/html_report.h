/* SPDX-License-Identifier: BSD-3-Clause */
/* `netshare eval --html`: a self-contained HTML report with SVG plots. */
#ifndef NETSHARE_CLI_HTML_REPORT_H
#define NETSHARE_CLI_HTML_REPORT_H

#include <netshare/netshare.h>

/* Write the report of n synthetic traces against `real` to path (through a temporary
 * file); returns a CLI exit code. */
int cli_write_html(const char *path, const char *real_name, const netshare_dataset *real,
                   const char *const *names, netshare_dataset *const *syn,
                   netshare_report *const *reports, int n);

#endif
