/* SPDX-License-Identifier: BSD-3-Clause */
/* `netshare generate`: a synthetic trace from a model file, or the marginal baseline. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mpi_job.h"
#include "output_check.h"
#include "holdout.h"
#include "options.h"
#include "progress_bar.h"

/* Seconds from "90", "1.5h", "30m", "2d" (s, m, h, d); -1 if it does not parse. */
static double
parse_duration(const char *arg)
{
	char *end;
	double v = strtod(arg, &end);
	if (end == arg || !(v > 0))
		return -1;
	double unit = !*end || strcmp(end, "s") == 0 ? 1 : strcmp(end, "m") == 0 ? 60 :
	              strcmp(end, "h") == 0 ? 3600 : strcmp(end, "d") == 0 ? 86400 : -1;
	return unit < 0 || !(v * unit <= NETSHARE_SAMPLE_MAX_DURATION_S) ? -1 : v * unit;
}

/* Above this share of the started flows dropped as repeated 5-tuples, generation warns:
 * the output then has far fewer flows than the real trace (a collapsed or barely trained
 * generator, or --no-repick on a trace of few distinct 5-tuples). */
#define DUPLICATE_WARN_SHARE 0.5

/* Said even with --quiet: the output is written but thinner than asked for. */
static void
warn_duplicates(const netshare_sample_info *in, int repick_ports)
{
	uint64_t started = in->flows + in->duplicates;
	if (started == 0 || (double)in->duplicates <= DUPLICATE_WARN_SHARE * (double)started)
		return;
	fprintf(stderr, "%s: warning: %llu of %llu generated flows (%.0f%%) repeated a 5-tuple "
	        "already generated and were dropped: the model draws few distinct 5-tuples (a "
	        "trace of few, or a generator that trained too little or collapsed%s)\n",
	        cli_progname, (unsigned long long)in->duplicates, (unsigned long long)started,
	        100.0 * (double)in->duplicates / (double)started,
	        repick_ports ? "" : "; without --no-repick, repeats get new ephemeral ports");
}

static int
from_model(const char *model, const char *output, const netshare_sample_params *sp,
           const netshare_write_params *params, int frames, int quiet)
{
	/* Under mpirun every rank generates its share and rank 0 writes (netshare(1)). */
	cli_mpi_begin();
	int rank = cli_mpi_rank(), mpi = cli_mpi_size() > 1;
	if (rank != 0)
		quiet = 1;
	netshare_model *m = NULL;
	netshare_sampler *s = NULL;
	netshare_write_params w = *params;
	netshare_sample_params p = *sp;
	cli_progress pr;
	cli_progress_init(&pr, quiet);
	p.progress = cli_progress_fn;
	p.progress_user = &pr;
	double t0 = 0;
	netshare_status st = netshare_model_load(&m, model, NULL);
	if (st == NETSHARE_OK) {
		t0 = cli_now();
		w.headers_only = frames ? frames == 'H' : cli_headers_only_model(m);
		st = netshare_sampler_new(&s, m, &p);
	}
	/* Each rank says why its own setup failed; then all go on, or none. */
	int rc = st < 0 ? cli_fail(st) : CLI_EXIT_OK;
	if (mpi)
		rc = cli_mpi_agree(rc);
	if (rc == CLI_EXIT_OK) {
		st = mpi ? netshare_sampler_write_mpi(s, output, &w, NULL)
		         : netshare_sampler_write(s, output, &w);
		/* Every rank gets the same status: rank 0 alone says it. */
		rc = st < 0 ? (rank == 0 ? cli_fail(st) : CLI_EXIT_RUNTIME) : CLI_EXIT_OK;
	}
	cli_progress_end(&pr);
	netshare_sample_info in = { .struct_size = sizeof in };
	if (rc == CLI_EXIT_OK && rank == 0 && netshare_sampler_info_get(s, &in) == NETSHARE_OK)
		warn_duplicates(&in, sp->repick_ports);
	if (rc == CLI_EXIT_OK && !quiet) {
		fprintf(stderr, "%s: wrote %llu records of %llu flows to %s in %.1f s (%llu flow "
		        "continuations across chunks; %llu new ephemeral ports for repeated 5-tuples; "
		        "dropped %llu rows started earlier, %llu duplicates)\n", cli_progname,
		        (unsigned long long)in.records, (unsigned long long)in.flows, output,
		        cli_now() - t0, (unsigned long long)in.continuations,
		        (unsigned long long)in.repicked, (unsigned long long)in.not_started,
		        (unsigned long long)in.duplicates);
		if (in.where_drawn)
			fprintf(stderr, "%s: condition '%s': %llu of %llu drawn flows satisfied it "
			        "(acceptance %.1f%%)\n", cli_progname, sp->where,
			        (unsigned long long)in.where_accepted, (unsigned long long)in.where_drawn,
			        100.0 * (double)in.where_accepted / (double)in.where_drawn);
		netshare_model_info mi = { .struct_size = sizeof mi };
		if (netshare_model_info_get(m, &mi) == NETSHARE_OK && mi.privacy == 1)
			fprintf(stderr, "%s: the model is (%.4g, %.3g)-differentially private per flow\n",
			        cli_progname, mi.epsilon, mi.delta);
		else
			fprintf(stderr, "%s: the model is not differentially private: share the output "
			        "as you would the trace\n", cli_progname);
	}
	netshare_sampler_free(s);
	netshare_model_free(m);
	cli_mpi_end();
	return rc;
}

static int
run_generate(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "baseline", required_argument, NULL, 'b' },
		{ "input", required_argument, NULL, 'i' },
		{ "output", required_argument, NULL, 'o' },
		{ "model", required_argument, NULL, 'm' },
		{ "seed", required_argument, NULL, 's' },
		{ "flows", required_argument, NULL, 'F' },
		{ "time-scale", required_argument, NULL, 'T' },
		{ "temperature", required_argument, NULL, 'C' },
		{ "where", required_argument, NULL, 'w' },
		{ "duration", required_argument, NULL, 'D' },
		{ "rate", required_argument, NULL, 'R' },
		{ "threads", required_argument, NULL, 't' },
		{ "headers-only", no_argument, NULL, 'H' },
		{ "full-frames", no_argument, NULL, 256 + 'H' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		CLI_SAMPLE_STEP_LONGOPTS,
		CLI_HOLDOUT_LONGOPT,
		CLI_READ_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	netshare_read_params rp;
	netshare_read_params_init(&rp);
	netshare_write_params wp;
	netshare_write_params_init(&wp);
	const char *baseline = NULL, *input = NULL, *output = NULL, *model = NULL;
	uint64_t seed = 1;
	netshare_sample_params sp;
	netshare_sample_params_init(&sp);
	int c, quiet = 0, frames = 0; /* 'H', 'F' or 0: as the trace was captured */
	char *end;
	double holdout = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "b:i:o:m:s:F:T:w:t:Hqh" CLI_READ_SHORTOPTS, longopts, NULL)) != -1) {
		int taken = cli_read_option(&cli_cmd_generate, c, optarg, &rp);
		if (!taken)
			taken = cli_sample_step_option(c, &sp);
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
		case 'F':
			if (cli_parse_u64(optarg, NETSHARE_SAMPLE_MAX_FLOWS, &sp.flows) < 0 || !sp.flows)
				return cli_usage_error(&cli_cmd_generate, "--flows needs a number in 1..%llu, "
				                       "not '%s'", (unsigned long long)NETSHARE_SAMPLE_MAX_FLOWS,
				                       optarg);
			break;
		case 'T':
			sp.time_scale = strtod(optarg, &end);
			if (*end || end == optarg || !(sp.time_scale > 0 && sp.time_scale <= 1e6))
				return cli_usage_error(&cli_cmd_generate, "--time-scale needs a number in "
				                       "(0, 1e6], not '%s'", optarg);
			break;
		case 'C':
			sp.class_temperature = strtod(optarg, &end);
			if (*end || end == optarg || !(sp.class_temperature >= 0 &&
			                               sp.class_temperature <= NETSHARE_MAX_CLASS_TEMPERATURE))
				return cli_usage_error(&cli_cmd_generate, "--temperature needs a number in "
				                       "[0, %g], not '%s'", NETSHARE_MAX_CLASS_TEMPERATURE,
				                       optarg);
			break;
		case CLI_HOLDOUT_OPT:
			if (cli_parse_holdout(&cli_cmd_generate, optarg, &holdout) < 0)
				return CLI_EXIT_USAGE;
			break;
		case 'w':
			if (!*optarg)
				return cli_usage_error(&cli_cmd_generate, "--where needs field=value terms, "
				                       "e.g. 'label=Malicious,proto=UDP'");
			sp.where = optarg;
			break;
		case 't': {
			uint64_t t;
			if (cli_parse_u64(optarg, 1024, &t) < 0 || !t)
				return cli_usage_error(&cli_cmd_generate, "--threads needs a number in "
				                       "1..1024, not '%s'", optarg);
			sp.threads = (unsigned)t;
			break;
		}
		case 'D':
			if ((sp.duration_s = parse_duration(optarg)) < 0)
				return cli_usage_error(&cli_cmd_generate, "--duration needs a time such as "
				                       "90, 30m, 2h or 1.5d (at most %g s), not '%s'",
				                       NETSHARE_SAMPLE_MAX_DURATION_S, optarg);
			break;
		case 'R':
			sp.flow_rate = strtod(optarg, &end);
			if (*end || end == optarg || !(sp.flow_rate > 0 &&
			                               sp.flow_rate <= NETSHARE_SAMPLE_MAX_FLOW_RATE))
				return cli_usage_error(&cli_cmd_generate, "--rate needs flows per second in "
				                       "(0, %g], not '%s'", NETSHARE_SAMPLE_MAX_FLOW_RATE,
				                       optarg);
			break;
		case 'H': frames = 'H'; break;
		case 256 + 'H': frames = 'F'; break;
		case 'q': quiet = 1; break;
		case 'h': return cli_print_help(&cli_cmd_generate);
		default:
			return cli_usage_error(&cli_cmd_generate, "unknown or incomplete option '%s'",
			                       argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error(&cli_cmd_generate, "unexpected argument '%s'", argv[optind]);
	if (model && baseline)
		return cli_usage_error(&cli_cmd_generate, "give either -m MODEL or --baseline, not both");
	if (sp.flow_rate > 0 && sp.flows)
		return cli_usage_error(&cli_cmd_generate, "give --flows or --rate, not both");
	if (model) {
		if (!output)
			return cli_usage_error(&cli_cmd_generate, "-m MODEL needs -o OUTPUT");
		if (input || holdout > 0)
			return cli_usage_error(&cli_cmd_generate, "%s is for --baseline; a model needs no "
			                       "trace", input ? "-i" : "--holdout");
		sp.seed = seed;
		int checked = cli_check_output(&cli_cmd_generate, output, &model, 1);
		if (checked != CLI_EXIT_OK)
			return checked;
		return from_model(model, output, &sp, &wp, frames, quiet);
	}
	if (!baseline)
		return cli_usage_error(&cli_cmd_generate, "give -m MODEL or --baseline %s",
		                       CLI_BASELINE_NAMES);
	int by_service = strcmp(baseline, "service-marginal") == 0;
	if (!by_service && strcmp(baseline, "marginal") != 0)
		return cli_usage_error(&cli_cmd_generate, "unknown baseline '%s' (baselines: %s)",
		                       baseline, CLI_BASELINE_NAMES);
	if (!input || !output)
		return cli_usage_error(&cli_cmd_generate, "--baseline needs -i REAL and -o OUTPUT");
	int checked = cli_check_output(&cli_cmd_generate, output, &input, 1);
	if (checked != CLI_EXIT_OK)
		return checked;
	netshare_sample_params defaults;
	netshare_sample_params_init(&defaults);
	if (sp.time_scale != defaults.time_scale || cli_sample_steps_changed(&sp) ||
	    sp.class_temperature != defaults.class_temperature)
		return cli_usage_error(&cli_cmd_generate, "--time-scale, --temperature, --raw and "
		                       "the --no-* steps are for -m MODEL");
	if (sp.where || sp.duration_s > 0 || sp.flow_rate > 0)
		return cli_usage_error(&cli_cmd_generate, "--where, --duration and --rate are for "
		                       "-m MODEL");
	netshare_dataset *real, *syn;
	netshare_status st = netshare_dataset_read(&real, input, &rp);
	if (st < 0)
		return cli_fail(st);
	netshare_dataset *held = NULL;
	int rc = cli_split_trace(input, holdout, quiet, &real, &held);
	netshare_dataset_free(held);
	if (rc != CLI_EXIT_OK) {
		netshare_dataset_free(real);
		return rc;
	}
	wp.headers_only = frames ? frames == 'H' : cli_headers_only_trace(real);
	netshare_baseline_params bp;
	netshare_baseline_params_init(&bp);
	bp.seed = seed;
	bp.flows = sp.flows;
	st = by_service ? netshare_baseline_service_marginal(&syn, real, &bp)
	                : netshare_baseline_marginal(&syn, real, &bp);
	netshare_dataset_free(real);
	if (st < 0)
		return cli_fail(st);
	st = netshare_dataset_write(syn, output, &wp);
	size_t n = netshare_dataset_count(syn);
	netshare_dataset_free(syn);
	if (st < 0)
		return cli_fail(st);
	fprintf(stderr, "%s: wrote %zu baseline records to %s\n", cli_progname, n, output);
	return CLI_EXIT_OK;
}


const cli_command cli_cmd_generate = {
	.name = "generate",
	.summary = "write a synthetic trace from a model (or a baseline)",
	.usage =
		"Usage: netshare generate -m MODEL -o OUTPUT [--flows N] [--seed S] [--time-scale X]\n"
		"                         [--where COND] [--duration D] [--rate X]\n"
		"                         [--temperature T] [--raw | --no-STEP...]\n"
		"                         [--headers-only | --full-frames]\n"
		"       netshare generate --baseline marginal|service-marginal -i REAL -o OUTPUT\n"
		"                         [--seed S] [--holdout F]\n"
		"\n"
		"Sample a synthetic trace from MODEL (made by 'netshare train') and write it to\n"
		"OUTPUT: .pcap or .pcapng (packet models; Ethernet frames with valid checksums,\n"
		"one TCP sequence space per connection), .csv or .log (Zeek conn.log, flow\n"
		"models). Chunk by chunk, flows that span chunks are continued,\n"
		"not generated again; records come out in time order. The same model and seed give\n"
		"byte-identical output. OUTPUT appears only when complete.\n"
		"\n"
		"--where 'label=Malicious,proto=UDP' keeps only flows whose attributes satisfy\n"
		"every field=value term (fields: label, proto, srcport, dstport, categorical\n"
		"extra columns). Flows are drawn from the model as usual and the others\n"
		"rejected, so the rest of a kept flow follows the model's conditional\n"
		"distribution; the acceptance rate is reported, and under 0.1% after 10000\n"
		"drawn flows is an error. With --flows N, N flows satisfy it; without, those\n"
		"of a normal-size trace that do.\n"
		"\n"
		"--duration D spans D (90, 30m, 2h, 1.5d) from the model's first time: past the\n"
		"model's window the window is drawn again, back to back, each a fresh draw\n"
		"under its own seed (the first is the plain output); records past D are cut.\n"
		"--rate X sets the volume: X flows per second, over the chunks as --flows.\n"
		"\n"
		"Under mpirun (a build with MPI), every rank draws the flows, the ranks share the\n"
		"feature generator's batches, and rank 0 decodes and writes: the same file.\n"
		"\n"
		"--baseline marginal instead writes the marginal baseline of REAL: every key field\n"
		"of a flow drawn independently from its marginal, flow lengths, starts and\n"
		"inter-arrivals from their empirical distributions, every other field of every\n"
		"record independently. It matches per-field marginals and nothing joint: the bar a\n"
		"model must clear on the joint metrics of 'netshare eval'. --baseline\n"
		"service-marginal draws a service (destination port and protocol) by its share of\n"
		"the flows (those of under 10 flows pooled), then everything else from that\n"
		"service's own marginals: what the\n"
		"sampling tables below know; a model's gain over it is what the model learnt.\n"
		"With --holdout F the baselines draw from the first 1-F of REAL only.\n"
		"\n"
		"Sampling steps that use statistics of the real trace stored in MODEL ('netshare\n"
		"inspect --statistics') are on by default; --raw or --no-STEP turn them off.\n"
		"\n"
		"Options:\n",
	.usage_more =
		"  -m, --model MODEL      the model file\n"
		"  -o, --output OUTPUT    where to write (written atomically)\n"
		"  -F, --flows N          about N flows (default: as many as the real trace had)\n"
		"  -T, --time-scale X     stretch time by X (default 1)\n"
		"  -w, --where COND       only flows with these attributes: field=value,...\n"
		"      --duration D       span D seconds (suffix m, h, d), the window repeated\n"
		"      --rate X           X flows per second (instead of --flows)\n"
		"  -H, --headers-only     pcap: store the headers only, the length kept in orig_len\n"
		"                         (the default when the trained trace was a headers-only\n"
		"                         capture, as CAIDA's are)\n"
		"      --full-frames      pcap: whole frames, payloads zero-filled (the default\n"
		"                         otherwise; application dissectors such as Wireshark's\n"
		"                         DNS may call some of them malformed)\n"
		"      --temperature T    draw port and length classes and labels with probability\n"
		"                         p^(1/T) of the model's; 0: the likeliest, 1: as the\n"
		"                         model says (default), more: rarer ones (0..10)\n"
		"  -s, --seed S           random seed (default 1); the same seed, the same output\n"
		"  -t, --threads N        generating threads (default: one per CPU; the output\n"
		"                         does not depend on it)\n"
		CLI_SAMPLE_STEP_HELP
		"  -q, --quiet            no progress output\n"
		"  -b, --baseline NAME    the baseline: marginal or service-marginal\n"
		"  -i, --input REAL       the real trace (baseline only)\n"
		CLI_HOLDOUT_HELP
		CLI_READ_HELP
		"  -h, --help             print this help\n",
	.run = run_generate,
};
