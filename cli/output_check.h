/* SPDX-License-Identifier: BSD-3-Clause */
/* Outputs checked before any work: a run that would fail only when it writes (a
 * directory, a missing folder) or overwrite one of its own inputs is refused at once. */
#ifndef NETSHARE_CLI_OUTPUT_CHECK_H
#define NETSHARE_CLI_OUTPUT_CHECK_H

#include "cli.h"

/* 0 if `output` can be written and is none of inputs[0..n); otherwise prints one line
 * and returns the exit code: CLI_EXIT_USAGE for an output that is an input,
 * CLI_EXIT_RUNTIME for a directory, a missing or unwritable folder. NULL inputs are
 * skipped. */
int cli_check_output(const cli_command *cmd, const char *output, const char *const *inputs,
                     int n);

#endif
