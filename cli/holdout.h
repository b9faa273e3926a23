/* SPDX-License-Identifier: BSD-3-Clause */
/* --holdout F: split a real trace in time, train or compare on the first part, keep the
 * last F of its records as the held-out noise floor (DESIGN.md §8). */
#ifndef NETSHARE_CLI_HOLDOUT_H
#define NETSHARE_CLI_HOLDOUT_H

#include <netshare/netshare.h>

#include "cli.h"

#define CLI_HOLDOUT_LONGOPT { "holdout", required_argument, NULL, CLI_HOLDOUT_OPT }
#define CLI_HOLDOUT_OPT (512 + 'H')
#define CLI_HOLDOUT_HELP                                                                   \
	"      --holdout F        split the real trace in time: train on / compare with the\n" \
	"                         first 1-F of its records, hold out the last F (0 < F < 1)\n"

/* Parse F (strictly between 0 and 1); 0, or -1 after a usage error for cmd. */
int cli_parse_holdout(const cli_command *cmd, const char *arg, double *out);

/* With holdout > 0: replace *ds by its first part, set *held to the rest and say so on
 * stderr (unless quiet); with 0, *held = NULL. Returns an exit code. */
int cli_split_trace(const char *name, double holdout, int quiet, netshare_dataset **ds,
                    netshare_dataset **held);

#endif
