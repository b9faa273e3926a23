/* SPDX-License-Identifier: BSD-3-Clause */
/* `netshare eval`: fidelity and memorisation metrics of synthetic traces vs a real one. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "output_check.h"
#include "holdout.h"
#include "html_report.h"
#include "task.h"
#include "report_print.h"
#include "options.h"

static int
run_eval(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "html", required_argument, NULL, 'H' },
		{ "task", required_argument, NULL, 256 + 'T' },
		{ "help", no_argument, NULL, 'h' },
		CLI_HOLDOUT_LONGOPT,
		CLI_READ_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	netshare_read_params rp;
	netshare_read_params_init(&rp);
	int json = 0, c;
	double holdout = 0;
	const char *html = NULL, *task = NULL;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "jH:h" CLI_READ_SHORTOPTS, longopts, NULL)) != -1) {
		int taken = cli_read_option(&cli_cmd_eval, c, optarg, &rp);
		if (taken < 0)
			return CLI_EXIT_USAGE;
		if (taken)
			continue;
		switch (c) {
		case 'j': json = 1; break;
		case 'H': html = optarg; break;
		case 256 + 'T':
			if (cli_task_known(optarg) < 0)
				return cli_usage_error(&cli_cmd_eval, "--task: unknown task '%s' (known: "
				                       CLI_TASK_NAMES ")", optarg);
			task = optarg;
			break;
		case CLI_HOLDOUT_OPT:
			if (cli_parse_holdout(&cli_cmd_eval, optarg, &holdout) < 0)
				return CLI_EXIT_USAGE;
			break;
		case 'h': return cli_print_help(&cli_cmd_eval);
		default:
			return cli_usage_error(&cli_cmd_eval, "unknown or incomplete option '%s'",
			                       argv[optind - 1]);
		}
	}
	int n_syn = argc - optind - 1;
	if (n_syn < 1)
		return cli_usage_error(&cli_cmd_eval, "expected REAL and at least one SYNTHETIC trace");
	if (task && (html || json))
		return cli_usage_error(&cli_cmd_eval, "--task prints its own JSON; no --html or "
		                       "--json with it");
	if (task)
		return cli_run_task(task, holdout, rp.label_column, argv + optind, n_syn + 1);
	int checked = html ? cli_check_output(&cli_cmd_eval, html,
	                                      (const char *const *)argv + optind, n_syn + 1)
	                   : CLI_EXIT_OK;
	if (checked != CLI_EXIT_OK)
		return checked;
	netshare_dataset *real, *held = NULL;
	netshare_status st = netshare_dataset_read(&real, argv[optind], &rp);
	if (st < 0)
		return cli_fail(st);
	int rc = cli_split_trace(argv[optind], holdout, json, &real, &held);
	if (rc != CLI_EXIT_OK) {
		netshare_dataset_free(real);
		return rc;
	}
	/* The held-out part, if any, is compared like the others, last. */
	int n = n_syn + (held != NULL);
	netshare_report **reports = calloc((size_t)n, sizeof *reports);
	netshare_dataset **syns = calloc((size_t)n, sizeof *syns);
	const char **names = calloc((size_t)n, sizeof *names);
	char held_name[64];
	snprintf(held_name, sizeof held_name, "held-out-%g", holdout);
	if (!reports || !syns || !names) {
		free(reports);
		free(syns);
		free(names);
		netshare_dataset_free(real);
		netshare_dataset_free(held);
		cli_error("out of memory");
		return CLI_EXIT_RUNTIME;
	}
	for (int k = 0; k < n_syn; k++)
		names[k] = argv[optind + 1 + k];
	if (held) {
		names[n_syn] = held_name;
		syns[n_syn] = held;
	}
	netshare_report_params ep; /* with a held-out part: the membership audit */
	netshare_report_params_init(&ep);
	ep.held_out = held;
	for (int k = 0; k < n && rc == CLI_EXIT_OK; k++) {
		if ((!syns[k] && (st = netshare_dataset_read(&syns[k], names[k], &rp)) < 0) ||
		    (st = netshare_report_new(&reports[k], real, syns[k], &ep)) < 0)
			rc = cli_fail(st);
		if (!html) { /* the plots need the records; the table does not */
			netshare_dataset_free(syns[k]);
			syns[k] = NULL;
		}
	}
	cli_reports cr = { argv[optind], names, reports, n, held ? n_syn : -1 };
	if (rc == CLI_EXIT_OK && html)
		rc = cli_write_html(html, real, syns, &cr);
	if (rc == CLI_EXIT_OK)
		cli_print_reports(&cr, json);
	for (int k = 0; k < n; k++) {
		netshare_report_free(reports[k]);
		netshare_dataset_free(syns[k]);
	}
	free(reports);
	free(syns);
	free(names);
	netshare_dataset_free(real);
	return rc;
}

const cli_command cli_cmd_eval = {
	.name = "eval",
	.summary = "compare synthetic traces with a real one: fidelity and memorisation",
	.usage =
		"Usage: netshare eval [OPTIONS] REAL SYNTHETIC...\n"
		"\n"
		"Compare each synthetic trace with the real one, as NetShare's evaluation does:\n"
		"Jensen-Shannon divergence (natural log, 0..ln 2) of address popularity ranks,\n"
		"ports and protocols; Wasserstein-1 (EMD) of sizes, times, inter-arrivals, flow\n"
		"sizes and durations; joint distributions (dstport+proto, srcport+dstport); and\n"
		"the share of synthetic 5-tuples and addresses found in the real trace.\n"
		"Per service (the 10 with most real flows, weighted by share; a missing one\n"
		"counts as the worst value): flow-size and gap histograms, coverage, and the\n"
		"structure within flows (first three sizes; lag-1 autocorrelation of sizes and\n"
		"gaps). Definitions: netshare(1).\n"
		"\n"
		"With --holdout F, the synthetic traces are compared with the first 1-F of REAL\n"
		"(what the model should have been trained on: 'netshare train --holdout F'), and\n"
		"so is the rest of REAL: its distances are the noise floor, and every distance\n"
		"is also shown as a multiple of it, with per group the trace closest to the\n"
		"held-out real traffic.\n"
		"\n"
		"Options:\n"
		"  -j, --json             one JSON document on stdout\n"
		"      --task traffic-type  instead of the metrics, the downstream task: five\n"
		"                         classifiers (scikit-learn) trained to predict each flow\n"
		"                         record's label on the first part of REAL (--holdout F,\n"
		"                         default 0.5) and on each SYNTHETIC trace, scored on the\n"
		"                         rest of REAL; JSON with accuracies and Spearman's rho\n"
		"      --task conditional  for each label value, the Jensen-Shannon divergence\n"
		"                         of protocol, ports, packets, bytes and duration between\n"
		"                         the held-out real records with that value and each\n"
		"                         trace's (and the first part of REAL's: the floor)\n"
		"      --task anomaly     packet traces: NetML's flow features (6 modes), a\n"
		"                         one-class SVM trained on each trace, the share of\n"
		"                         held-out real subflows it flags, its relative error\n"
		"                         (--label COL: the tasks' label is column COL)\n"
		"  -H, --html FILE        also write a self-contained HTML report: the table, CDF\n"
		"                         plots of the continuous quantities and bar charts of the\n"
		"                         most common ports and protocols (inline SVG, no script,\n"
		"                         opens offline)\n"
		CLI_HOLDOUT_HELP
		CLI_READ_HELP
		"  -h, --help             print this help\n",
	.run = run_eval,
};
