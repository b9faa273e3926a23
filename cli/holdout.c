/* SPDX-License-Identifier: BSD-3-Clause */
#include "holdout.h"

#include <stdio.h>
#include <stdlib.h>

int
cli_parse_holdout(const cli_command *cmd, const char *arg, double *out)
{
	char *end;
	double f = strtod(arg, &end);
	if (end == arg || *end || !(f > 0 && f < 1)) {
		cli_usage_error(cmd, "--holdout needs a share between 0 and 1 (exclusive), such as "
		                "0.5, not '%s'", arg);
		return -1;
	}
	*out = f;
	return 0;
}

int
cli_split_trace(const char *name, double holdout, int quiet, netshare_dataset **ds,
                netshare_dataset **held)
{
	*held = NULL;
	if (holdout <= 0)
		return CLI_EXIT_OK;
	netshare_dataset *first, *rest;
	netshare_status st = netshare_dataset_split_time(*ds, holdout, &first, &rest);
	if (st < 0) {
		cli_error("%s: %s", name, netshare_last_error());
		return CLI_EXIT_RUNTIME;
	}
	if (!quiet) {
		netshare_dataset_info a = { .struct_size = sizeof a }, b = { .struct_size = sizeof b };
		netshare_dataset_info_get(first, &a);
		netshare_dataset_info_get(rest, &b);
		fprintf(stderr, "%s: %s: the first %zu records (up to %.3f s) to train on and "
		        "compare with, the last %zu held out\n", cli_progname, name,
		        netshare_dataset_count(first), (double)(b.time_min_ns - a.time_min_ns) * 1e-9,
		        netshare_dataset_count(rest));
	}
	netshare_dataset_free(*ds);
	*ds = first;
	*held = rest;
	return CLI_EXIT_OK;
}
