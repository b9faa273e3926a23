/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * netshare: the reference command-line tool for libnetshare.
 *
 * Uses only the public API. Exit codes: 0 success, 1 the work failed, 2 usage error.
 * Errors go to stderr as "netshare: what went wrong".
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "blas_kernels.h"
#include "cli.h"

const char *cli_progname = "netshare";

static const cli_command cli_cmd_help;

/* Every subcommand, in the order `netshare --help` lists them. */
static const cli_command *const commands[] = {
	&cli_cmd_run,
	&cli_cmd_train,
	&cli_cmd_generate,
	&cli_cmd_eval,
	&cli_cmd_inspect,
	&cli_cmd_stats,
	&cli_cmd_convert,
	&cli_cmd_version,
	&cli_cmd_help,
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

void
cli_error(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: ", cli_progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int
cli_fail(netshare_status status)
{
	const char *msg = netshare_last_error();
	cli_error("%s", *msg ? msg : netshare_strerror(status));
	return CLI_EXIT_RUNTIME;
}

int
cli_usage_error(const cli_command *cmd, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s %s: ", cli_progname, cmd->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s help %s' for more information.\n", cli_progname, cmd->name);
	return CLI_EXIT_USAGE;
}

int
cli_print_help(const cli_command *cmd)
{
	fputs(cmd->usage, stdout);
	if (cmd->usage_more)
		fputs(cmd->usage_more, stdout);
	return CLI_EXIT_OK;
}

static void
print_main_usage(FILE *out)
{
	fprintf(out,
		"Usage: %s [--help] [--version] COMMAND [ARGS...]\n"
		"\n"
		"Learn a generative model of a network trace and sample synthetic traces.\n"
		"\n"
		"Commands:\n", cli_progname);
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(out, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
	fprintf(out,
		"\n"
		"Run '%s help COMMAND' for the options of a command.\n"
		"Exit status: 0 success, 1 runtime error, 2 usage error.\n", cli_progname);
}

static const cli_command *
find_command(const char *name)
{
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (strcmp(commands[i]->name, name) == 0)
			return commands[i];
	return NULL;
}

static int
run_help(int argc, char **argv)
{
	if (argc < 2) {
		print_main_usage(stdout);
		return CLI_EXIT_OK;
	}
	if (argc > 2)
		return cli_usage_error(&cli_cmd_help, "expected one command name, got %d", argc - 1);
	const cli_command *cmd = find_command(argv[1]);
	if (!cmd) {
		cli_error("no such command '%s'; see '%s --help'", argv[1], cli_progname);
		return CLI_EXIT_USAGE;
	}
	return cli_print_help(cmd);
}

static const cli_command cli_cmd_help = {
	.name = "help",
	.summary = "show the help of a command",
	.usage = "Usage: netshare help [COMMAND]\n"
	         "\n"
	         "Without COMMAND, list the commands; with it, print that command's help.\n",
	.run = run_help,
};

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	opterr = 0;
	/* '+': stop at the first non-option, which is the command name. */
	while ((c = getopt_long(argc, argv, "+hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			print_main_usage(stdout);
			return CLI_EXIT_OK;
		case 'V':
			printf("netshare %s (libnetshare %s)\n", NETSHARE_VERSION_STRING,
			       netshare_version_string());
			return CLI_EXIT_OK;
		default:
			cli_error("unknown option '%s'; see '%s --help'", argv[optind - 1],
			          cli_progname);
			return CLI_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		print_main_usage(stderr);
		return CLI_EXIT_USAGE;
	}
	const cli_command *cmd = find_command(argv[optind]);
	if (!cmd) {
		cli_error("unknown command '%s'; see '%s --help'", argv[optind], cli_progname);
		return CLI_EXIT_USAGE;
	}
	if (cmd == &cli_cmd_train || cmd == &cli_cmd_run || cmd == &cli_cmd_generate)
		cli_pick_blas_kernels(argv);
	int sub_argc = argc - optind;
	char **sub_argv = argv + optind;
	optind = 0; /* glibc: reinitialise getopt for the command's own options */
	return cmd->run(sub_argc, sub_argv);
}
