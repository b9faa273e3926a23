/* SPDX-License-Identifier: BSD-3-Clause */
#include "output_check.h"

#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int
cli_check_output(const cli_command *cmd, const char *output, const char *const *inputs, int n)
{
	struct stat out;
	int exists = stat(output, &out) == 0;
	if (exists && S_ISDIR(out.st_mode)) {
		cli_error("%s: is a directory; give a file name for the output", output);
		return CLI_EXIT_RUNTIME;
	}
	for (int k = 0; exists && k < n; k++) {
		struct stat in;
		if (inputs[k] && stat(inputs[k], &in) == 0 && in.st_dev == out.st_dev &&
		    in.st_ino == out.st_ino)
			return cli_usage_error(cmd, "the output %s is the input %s: it would be "
			                       "overwritten; choose another output", output, inputs[k]);
	}
	/* The folder must exist and take new files (outputs go to a temporary file there
	 * that is renamed into place). */
	char *copy = strdup(output);
	if (!copy) {
		cli_error("out of memory");
		return CLI_EXIT_RUNTIME;
	}
	const char *dir = dirname(copy);
	struct stat d;
	int rc = CLI_EXIT_OK;
	if (stat(dir, &d) != 0) {
		cli_error("%s: cannot write there: folder %s: %s", output, dir, strerror(errno));
		rc = CLI_EXIT_RUNTIME;
	} else if (!S_ISDIR(d.st_mode)) {
		cli_error("%s: cannot write there: %s is not a folder", output, dir);
		rc = CLI_EXIT_RUNTIME;
	} else if (access(dir, W_OK | X_OK) != 0) {
		cli_error("%s: cannot write there: folder %s: %s", output, dir, strerror(errno));
		rc = CLI_EXIT_RUNTIME;
	}
	free(copy);
	return rc;
}
