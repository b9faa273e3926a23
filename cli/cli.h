/* SPDX-License-Identifier: BSD-3-Clause */
/* The netshare CLI: command table, exit codes and message helpers shared by commands. */
#ifndef NETSHARE_CLI_H
#define NETSHARE_CLI_H

#include <netshare/netshare.h>

/* Exit codes (documented in netshare(1)). */
enum {
	CLI_EXIT_OK = 0,       /* success */
	CLI_EXIT_RUNTIME = 1,  /* the work failed: bad input file, I/O error, ... */
	CLI_EXIT_USAGE = 2     /* the command line is wrong */
};

typedef struct cli_command {
	const char *name;
	const char *summary;   /* one line for `netshare --help` */
	const char *usage;     /* full help text for `netshare help NAME` / `NAME --help` */
	const char *usage_more; /* its continuation, or NULL (C limits one literal to 4095) */
	int (*run)(int argc, char **argv);  /* argv[0] is the command name */
} cli_command;

extern const char *cli_progname;

/* "netshare: message" on stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Reports a failed library call: "netshare: <last error>" (or strerror if empty);
 * returns CLI_EXIT_RUNTIME. */
int cli_fail(netshare_status status);
/* "netshare CMD: message" + a hint to `netshare help CMD`; returns CLI_EXIT_USAGE. */
int cli_usage_error(const cli_command *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Prints cmd->usage to stdout; returns CLI_EXIT_OK. */
int cli_print_help(const cli_command *cmd);

extern const cli_command cli_cmd_version;
extern const cli_command cli_cmd_stats;
extern const cli_command cli_cmd_convert;
extern const cli_command cli_cmd_eval;
extern const cli_command cli_cmd_generate;
extern const cli_command cli_cmd_train;
extern const cli_command cli_cmd_inspect;
extern const cli_command cli_cmd_run;

#endif
