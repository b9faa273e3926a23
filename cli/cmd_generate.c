/* SPDX-License-Identifier: BSD-3-Clause */
/* `netshare generate`: synthetic traces. So far only the marginal baseline. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "options.h"

static int
run_generate(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "baseline", required_argument, NULL, 'b' },
		{ "input", required_argument, NULL, 'i' },
		{ "output", required_argument, NULL, 'o' },
		{ "model", required_argument, NULL, 'm' },
		{ "seed", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		CLI_READ_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	netshare_read_params rp;
	netshare_read_params_init(&rp);
	const char *baseline = NULL, *input = NULL, *output = NULL, *model = NULL;
	uint64_t seed = 1;
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "b:i:o:m:s:h" CLI_READ_SHORTOPTS, longopts, NULL)) != -1) {
		int taken = cli_read_option(&cli_cmd_generate, c, optarg, &rp);
		if (taken < 0)
			return CLI_EXIT_USAGE;
		if (taken)
			continue;
		switch (c) {
		case 'b': baseline = optarg; break;
		case 'i': input = optarg; break;
		case 'o': output = optarg; break;
		case 'm': model = optarg; break;
		case 's':
			if (cli_parse_u64(optarg, UINT64_MAX, &seed) < 0)
				return cli_usage_error(&cli_cmd_generate, "--seed needs a number, not '%s'",
				                       optarg);
			break;
		case 'h': return cli_print_help(&cli_cmd_generate);
		default:
			return cli_usage_error(&cli_cmd_generate, "unknown or incomplete option '%s'",
			                       argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error(&cli_cmd_generate, "unexpected argument '%s'", argv[optind]);
	if (model) {
		cli_error("generating from a model is not implemented yet; only --baseline marginal");
		return CLI_EXIT_RUNTIME;
	}
	if (!baseline || strcmp(baseline, "marginal") != 0)
		return cli_usage_error(&cli_cmd_generate, baseline ? "unknown baseline '%s' (the one "
		                       "baseline is 'marginal')" : "%sgive --baseline marginal",
		                       baseline ? baseline : "");
	if (!input || !output)
		return cli_usage_error(&cli_cmd_generate, "--baseline needs -i REAL and -o OUTPUT");
	netshare_dataset *real, *syn;
	netshare_status st = netshare_dataset_read(&real, input, &rp);
	if (st < 0)
		return cli_fail(st);
	st = netshare_baseline_marginal(&syn, real, seed);
	netshare_dataset_free(real);
	if (st < 0)
		return cli_fail(st);
	st = netshare_dataset_write(syn, output, NULL);
	size_t n = netshare_dataset_count(syn);
	netshare_dataset_free(syn);
	if (st < 0)
		return cli_fail(st);
	fprintf(stderr, "%s: wrote %zu baseline records to %s\n", cli_progname, n, output);
	return CLI_EXIT_OK;
}

const cli_command cli_cmd_generate = {
	.name = "generate",
	.summary = "write a synthetic trace (so far: the marginal baseline only)",
	.usage =
		"Usage: netshare generate --baseline marginal -i REAL -o OUTPUT [OPTIONS]\n"
		"\n"
		"Write the marginal baseline of REAL to OUTPUT (.pcap, .csv or .log): every key\n"
		"field of a flow drawn independently from its marginal, flow lengths, starts and\n"
		"inter-arrivals from their empirical distributions, every other field of every\n"
		"record independently. It matches per-field marginals and nothing joint: the\n"
		"bar a generative model must clear on the joint metrics of 'netshare eval'.\n"
		"Generating from a trained model (-m MODEL) is not implemented yet.\n"
		"\n"
		"Options:\n"
		"  -b, --baseline NAME    the baseline: marginal\n"
		"  -i, --input REAL       the real trace\n"
		"  -o, --output OUTPUT    where to write (written atomically)\n"
		"  -s, --seed S           random seed (default 1); the same seed, the same output\n"
		CLI_READ_HELP
		"  -h, --help             print this help\n",
	.run = run_generate,
};
