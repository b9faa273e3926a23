/* SPDX-License-Identifier: BSD-3-Clause */
/* `netshare version`: versions of the CLI and of the library it runs with. */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"

static int
run_version(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int json = 0, c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "jh", longopts, NULL)) != -1) {
		switch (c) {
		case 'j': json = 1; break;
		case 'h': return cli_print_help(&cli_cmd_version);
		default: return cli_usage_error(&cli_cmd_version, "unknown option '%s'",
		                                argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error(&cli_cmd_version, "unexpected argument '%s'", argv[optind]);
	/* Training over MPI needs both: the library's entry point and a CLI that joins. */
#ifdef NETSHARE_CLI_MPI
	int mpi = netshare_mpi_available();
#else
	int mpi = 0;
#endif

	if (json) {
		printf("{\"cli_version\":\"%s\",\"library_version\":\"%s\","
		       "\"library_version_number\":%u,\"header_version_number\":%d,"
		       "\"mpi\":%s}\n",
		       NETSHARE_VERSION_STRING, netshare_version_string(),
		       netshare_version_number(), NETSHARE_VERSION_NUMBER, mpi ? "true" : "false");
	} else {
		printf("netshare %s (libnetshare %s%s)\n", NETSHARE_VERSION_STRING,
		       netshare_version_string(), mpi ? ", MPI" : "");
	}
	return CLI_EXIT_OK;
}

const cli_command cli_cmd_version = {
	.name = "version",
	.summary = "print the CLI and library versions",
	.usage =
		"Usage: netshare version [--json]\n"
		"\n"
		"Print the version of the netshare CLI and of the libnetshare library it\n"
		"runs with (they differ when the shared library was upgraded on its own),\n"
		"and whether both were built with MPI (mpirun -n N netshare train).\n"
		"\n"
		"Options:\n"
		"  -j, --json   print one JSON object instead of a line of text\n"
		"  -h, --help   print this help\n",
	.run = run_version,
};
