/* SPDX-License-Identifier: BSD-3-Clause */
/* Option values shared by several CLI commands. */
#ifndef NETSHARE_CLI_OPTIONS_H
#define NETSHARE_CLI_OPTIONS_H

#include <stdint.h>

/* Names of netshare_format values as the CLI spells them; returns 0 or -1 if unknown. */
int cli_parse_format(const char *name, int *format);
const char *cli_format_name(int format);
/* The list of names, for help and error messages. */
#define CLI_FORMAT_NAMES "auto, pcap, netflow-csv, nfdump-csv, zeek, mapped-csv, packet-csv"

/* A non-negative integer option; 0 or -1 (not a number, or above max). */
int cli_parse_u64(const char *s, uint64_t max, uint64_t *out);

/* Whether progress should be drawn: stderr is a terminal. */
int cli_stderr_is_tty(void);

#endif
