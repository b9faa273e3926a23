/* SPDX-License-Identifier: BSD-3-Clause */
/* `netshare run`: train, generate and evaluate in one go. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "options.h"
#include "report_print.h"
#include "train.h"

/* Sample from m, write OUTPUT, and report it (and the marginal baseline) against real. */
static int
sample_and_report(netshare_model *m, const netshare_dataset *real, const char *real_name,
                  const char *output, uint64_t seed, int json, int quiet)
{
	netshare_sample_params sp;
	netshare_sample_params_init(&sp);
	sp.seed = seed;
	cli_progress pr;
	cli_progress_init(&pr, quiet);
	sp.progress = cli_progress_fn;
	sp.progress_user = &pr;
	netshare_sampler *s = NULL;
	netshare_dataset *syn = NULL, *base = NULL;
	netshare_report *reports[2] = { NULL, NULL };
	double t0 = cli_now();
	netshare_status st = netshare_sampler_new(&s, m, &sp);
	if (st == NETSHARE_OK)
		st = netshare_sampler_generate(s, &syn);
	cli_progress_end(&pr);
	netshare_write_params wp;
	netshare_write_params_init(&wp);
	wp.headers_only = cli_headers_only_model(m);
	if (st == NETSHARE_OK)
		st = netshare_dataset_write(syn, output, &wp);
	if (st == NETSHARE_OK && !quiet)
		fprintf(stderr, "%s: wrote %zu synthetic records to %s in %.1f s\n", cli_progname,
		        netshare_dataset_count(syn), output, cli_now() - t0);
	if (st == NETSHARE_OK)
		st = netshare_baseline_marginal(&base, real, seed);
	if (st == NETSHARE_OK)
		st = netshare_report_new(&reports[0], real, syn);
	if (st == NETSHARE_OK)
		st = netshare_report_new(&reports[1], real, base);
	int rc = st < 0 ? cli_fail(st) : CLI_EXIT_OK;
	if (rc == CLI_EXIT_OK) {
		const char *names[2] = { output, "marginal-baseline" };
		cli_print_reports(real_name, names, reports, 2, json);
	}
	netshare_report_free(reports[0]);
	netshare_report_free(reports[1]);
	netshare_dataset_free(syn);
	netshare_dataset_free(base);
	netshare_sampler_free(s);
	return rc;
}

static int
run_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "model", required_argument, NULL, 'm' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		CLI_TRAIN_LONGOPTS,
		CLI_READ_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	netshare_read_params rp;
	netshare_read_params_init(&rp);
	cli_train_opts o;
	cli_train_opts_init(&o);
	const char *output = NULL, *model_out = NULL;
	int json = 0, c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "o:m:jh" CLI_TRAIN_SHORTOPTS CLI_READ_SHORTOPTS,
	                        longopts, NULL)) != -1) {
		int taken = cli_read_or_train_option(&cli_cmd_run, c, optarg, &rp, &o);
		if (taken < 0)
			return CLI_EXIT_USAGE;
		if (taken)
			continue;
		switch (c) {
		case 'o': output = optarg; break;
		case 'm': model_out = optarg; break;
		case 'j': json = 1; break;
		case 'h': return cli_print_help(&cli_cmd_run);
		default:
			return cli_usage_error(&cli_cmd_run, "unknown or incomplete option '%s'",
			                       argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return cli_usage_error(&cli_cmd_run, argc - optind ? "expected one TRACE, got %d "
		                       "arguments" : "expected a TRACE%.0d", argc - optind);
	if (!output)
		return cli_usage_error(&cli_cmd_run, "give the synthetic trace's file with -o");
	const char *input = argv[optind];
	netshare_dataset *real = NULL;
	netshare_model *m = NULL;
	int rc = cli_read_trace(input, &rp, o.quiet, &real);
	if (rc == CLI_EXIT_OK)
		rc = cli_train(&o, real, NULL, &m);
	netshare_status st;
	if (rc == CLI_EXIT_OK && model_out && (st = netshare_model_export(m, model_out)) < 0)
		rc = cli_fail(st);
	if (rc == CLI_EXIT_OK)
		rc = sample_and_report(m, real, input, output, o.mp.seed, json, o.quiet);
	netshare_model_free(m);
	netshare_dataset_free(real);
	return rc;
}

const cli_command cli_cmd_run = {
	.name = "run",
	.summary = "train on a trace, write a synthetic one and print the fidelity report",
	.usage =
		"Usage: netshare run TRACE -o OUTPUT [--model MODEL] [OPTIONS]\n"
		"\n"
		"The whole job in one go: read TRACE, train a model as 'netshare train' does,\n"
		"write a synthetic trace of the same size to OUTPUT as 'netshare generate' does\n"
		"(headers only if TRACE was a headers-only capture),\n"
		"and print the fidelity report of 'netshare eval' for it next to the marginal\n"
		"baseline's (the bar a model must clear on the joint metrics).\n"
		"\n"
		"Options:\n"
		"  -o, --output OUTPUT    the synthetic trace (.pcap, .csv or .log)\n"
		"  -m, --model MODEL      also keep the trained model in MODEL\n"
		"  -j, --json             the report as one JSON document on stdout\n"
		CLI_TRAIN_HELP
		CLI_READ_HELP
		"  -h, --help             print this help\n",
	.run = run_run,
};
