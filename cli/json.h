/* SPDX-License-Identifier: BSD-3-Clause */
/* Minimal JSON output helpers for the CLI's --json modes. */
#ifndef NETSHARE_CLI_JSON_H
#define NETSHARE_CLI_JSON_H

#include <stdio.h>

/* A JSON string literal (quotes included) with the escapes RFC 8259 requires. */
void json_string(FILE *out, const char *s);

/* A number, or null if it is not finite (JSON has no NaN or infinity). */
void json_number(FILE *out, double v);

#endif
