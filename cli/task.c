/* SPDX-License-Identifier: BSD-3-Clause */
#include "task.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

int
cli_task_known(const char *name)
{
	return strcmp(name, "traffic-type") == 0 || strcmp(name, "conditional") == 0 ||
	       strcmp(name, "anomaly") == 0 ? 0 : -1;
}

int
cli_run_task(const char *task, double holdout, const char *label, char *const *files,
             int n_files)
{
	/* The user's PYTHONPATH first, then the package's places. */
	const char *user = getenv("PYTHONPATH");
	size_t len = strlen(NETSHARE_PYTHONPATH) + (user ? strlen(user) + 1 : 0) + 1;
	char *path = malloc(len), hold[32];
	char **argv = calloc((size_t)n_files + 10, sizeof *argv);
	if (!path || !argv) {
		free(path);
		free(argv);
		cli_error("out of memory");
		return CLI_EXIT_RUNTIME;
	}
	snprintf(path, len, "%s%s%s", user ? user : "", user ? ":" : "", NETSHARE_PYTHONPATH);
	setenv("PYTHONPATH", path, 1);
	int k = 0;
	argv[k++] = (char *)NETSHARE_PYTHON;
	argv[k++] = (char *)"-m";
	argv[k++] = (char *)"netshare.tasks";
	argv[k++] = (char *)task;
	if (holdout > 0) {
		snprintf(hold, sizeof hold, "%.17g", holdout);
		argv[k++] = (char *)"--holdout";
		argv[k++] = hold;
	}
	if (label) {
		argv[k++] = (char *)"--label";
		argv[k++] = (char *)label;
	}
	for (int i = 0; i < n_files; i++)
		argv[k++] = files[i];
	argv[k] = NULL;
	fflush(NULL);
	execv(NETSHARE_PYTHON, argv);
	cli_error("eval --task: cannot run %s: %s (netshare.tasks runs in Python)",
	          NETSHARE_PYTHON, strerror(errno));
	free(path);
	free(argv);
	return CLI_EXIT_RUNTIME;
}
