/* SPDX-License-Identifier: BSD-3-Clause */
/* `netshare run`: train, generate and evaluate in one go. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "output_check.h"
#include "holdout.h"
#include "options.h"
#include "report_print.h"
#include "train.h"

/* The traces `run` compares with the reference: the synthetic trace written, the same
 * model GAN-only (no sampling step using trace statistics), the two baselines, and the
 * held-out part of the real trace when there is one. */
enum { T_SYNTH, T_RAW, T_MARGINAL, T_SERVICE, T_HELD, N_TRACES };

static netshare_status
sample(netshare_model *m, const netshare_sample_params *sp, int quiet, netshare_dataset **out)
{
	netshare_sample_params p = *sp;
	cli_progress pr;
	cli_progress_init(&pr, quiet);
	p.progress = cli_progress_fn;
	p.progress_user = &pr;
	netshare_sampler *s = NULL;
	netshare_status st = netshare_sampler_new(&s, m, &p);
	if (st == NETSHARE_OK)
		st = netshare_sampler_generate(out, s);
	cli_progress_end(&pr);
	netshare_sampler_free(s);
	return st;
}

/* Sample from m, write OUTPUT, and report it, GAN-only sampling and the baselines (and
 * the held-out part) against real. */
static int
sample_and_report(netshare_model *m, const netshare_dataset *real, netshare_dataset *held,
                  const char *real_name, const char *output, const netshare_sample_params *sp,
                  int json, int quiet)
{
	netshare_dataset *t[N_TRACES] = { NULL };
	netshare_report *reports[N_TRACES] = { NULL };
	double t0 = cli_now();
	netshare_status st = sample(m, sp, quiet, &t[T_SYNTH]);
	netshare_write_params wp;
	netshare_write_params_init(&wp);
	wp.headers_only = cli_headers_only_model(m);
	if (st == NETSHARE_OK)
		st = netshare_dataset_write(t[T_SYNTH], output, &wp);
	if (st == NETSHARE_OK && !quiet)
		fprintf(stderr, "%s: wrote %zu synthetic records to %s in %.1f s\n", cli_progname,
		        netshare_dataset_count(t[T_SYNTH]), output, cli_now() - t0);
	netshare_sample_params raw = *sp;
	netshare_sample_params_raw(&raw);
	if (st == NETSHARE_OK)
		st = sample(m, &raw, 1, &t[T_RAW]);
	netshare_baseline_params bp;
	netshare_baseline_params_init(&bp);
	bp.seed = sp->seed;
	if (st == NETSHARE_OK)
		st = netshare_baseline_marginal(&t[T_MARGINAL], real, &bp);
	if (st == NETSHARE_OK)
		st = netshare_baseline_service_marginal(&t[T_SERVICE], real, &bp);
	t[T_HELD] = held;
	int n = held ? N_TRACES : N_TRACES - 1;
	netshare_report_params rp; /* with a held-out part: the membership audit */
	netshare_report_params_init(&rp);
	rp.held_out = held;
	for (int k = 0; k < n && st == NETSHARE_OK; k++)
		st = netshare_report_new(&reports[k], real, t[k], &rp);
	int rc = st < 0 ? cli_fail(st) : CLI_EXIT_OK;
	if (rc == CLI_EXIT_OK) {
		const char *names[N_TRACES] = { output, "gan-only", "marginal",
		                                "service-marginal", "held-out" };
		cli_reports c = { real_name, names, reports, n, held ? T_HELD : -1 };
		cli_print_reports(&c, json);
		if (!held && !json)
			printf("\nIn-sample: every trace is compared with the trace the model was "
			       "trained on. --holdout F compares with held-out real traffic.\n");
	}
	for (int k = 0; k < N_TRACES; k++) {
		netshare_report_free(reports[k]);
		if (k != T_HELD)
			netshare_dataset_free(t[k]);
	}
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
		CLI_HOLDOUT_LONGOPT,
		CLI_SAMPLE_STEP_LONGOPTS,
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
	double holdout = 0;
	netshare_sample_params sp;
	netshare_sample_params_init(&sp);
	opterr = 0;
	while ((c = getopt_long(argc, argv, "o:m:jh" CLI_TRAIN_SHORTOPTS CLI_READ_SHORTOPTS,
	                        longopts, NULL)) != -1) {
		int taken = cli_read_or_train_option(&cli_cmd_run, c, optarg, &rp, &o);
		if (!taken)
			taken = cli_sample_step_option(c, &sp);
		if (taken < 0)
			return CLI_EXIT_USAGE;
		if (taken)
			continue;
		switch (c) {
		case 'o': output = optarg; break;
		case 'm': model_out = optarg; break;
		case 'j': json = 1; break;
		case CLI_HOLDOUT_OPT:
			if (cli_parse_holdout(&cli_cmd_run, optarg, &holdout) < 0)
				return CLI_EXIT_USAGE;
			break;
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
	const char *inputs[2] = { input, output };
	int checked = cli_check_output(&cli_cmd_run, output, inputs, 1);
	if (checked == CLI_EXIT_OK && model_out) {
		if (strcmp(model_out, output) == 0)
			return cli_usage_error(&cli_cmd_run, "the model and the synthetic trace would "
			                       "both be written to %s", output);
		checked = cli_check_output(&cli_cmd_run, model_out, inputs, 2);
	}
	if (checked != CLI_EXIT_OK)
		return checked;
	netshare_dataset *real = NULL, *held = NULL;
	netshare_model *m = NULL;
	int rc = cli_read_trace(input, &rp, o.quiet, &real);
	if (rc == CLI_EXIT_OK)
		rc = cli_split_trace(input, holdout, o.quiet, &real, &held);
	if (rc == CLI_EXIT_OK)
		rc = cli_train(&o, real, NULL, &m);
	netshare_status st;
	if (rc == CLI_EXIT_OK && model_out && (st = netshare_model_export(m, model_out)) < 0)
		rc = cli_fail(st);
	if (rc == CLI_EXIT_OK)
	sp.seed = o.mp.seed;
	if (rc == CLI_EXIT_OK)
		rc = sample_and_report(m, real, held, input, output, &sp, json, o.quiet);
	netshare_model_free(m);
	netshare_dataset_free(real);
	netshare_dataset_free(held);
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
		"(headers only if TRACE was a headers-only capture), and print the fidelity\n"
		"report of 'netshare eval' for it next to the same model sampled GAN-only\n"
		"(--raw: no sampling step that uses statistics of the trace) and the marginal\n"
		"and service-marginal baselines. With --holdout F the model trains on the first\n"
		"1-F of TRACE, every trace is compared with that part, and the held-out rest\n"
		"is the noise floor (see 'netshare eval').\n"
		"\n"
		"Options:\n"
		"  -o, --output OUTPUT    the synthetic trace (.pcap, .pcapng, .csv, .log)\n"
		"  -m, --model MODEL      also keep the trained model in MODEL\n"
		"  -j, --json             the report as one JSON document on stdout\n"
		CLI_HOLDOUT_HELP
		CLI_SAMPLE_STEP_HELP,
	.usage_more =
		CLI_TRAIN_HELP
		CLI_READ_HELP
		"  -h, --help             print this help\n",
	.run = run_run,
};
