/* SPDX-License-Identifier: BSD-3-Clause */
/* `netshare eval --task NAME`: downstream tasks, run by the Python package's
 * netshare.tasks (scikit-learn); the CLI only hands over the files. */
#ifndef NETSHARE_CLI_TASK_H
#define NETSHARE_CLI_TASK_H

/* The tasks netshare.tasks knows. */
#define CLI_TASK_NAMES "traffic-type, conditional, anomaly"

/* 0 if name is a task, else -1. */
int cli_task_known(const char *name);

/* Replace this process by `python3 -m netshare.tasks TASK [--holdout F] [--label COL]
 * REAL SYNTH...` (files[0] is REAL); returns only if that cannot start (an exit code,
 * after saying why). holdout 0: the module's default; label NULL: the records' own. */
int cli_run_task(const char *task, double holdout, const char *label, char *const *files,
                 int n_files);

#endif
