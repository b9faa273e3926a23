/* SPDX-License-Identifier: BSD-3-Clause */
/* `netshare train`: a trace in, a model file out; checkpoints to MODEL.partial. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "output_check.h"
#include "holdout.h"
#include "mpi_job.h"
#include "options.h"
#include "private.h"
#include "train.h"

static int
run_train(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "input", required_argument, NULL, 'i' },
		{ "output", required_argument, NULL, 'o' },
		{ "resume", no_argument, NULL, 'r' },
		{ "keep-state", no_argument, NULL, 256 + 'K' },
		{ "checkpoint-every", required_argument, NULL, 256 + 'C' },
		{ "data-parallel", no_argument, NULL, 256 + 'D' },
		{ "help", no_argument, NULL, 'h' },
		CLI_HOLDOUT_LONGOPT,
		CLI_TRAIN_LONGOPTS,
		CLI_PRIVATE_LONGOPTS,
		CLI_READ_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	netshare_read_params rp;
	netshare_read_params_init(&rp);
	cli_train_opts o;
	cli_train_opts_init(&o);
	const char *input = NULL, *output = NULL;
	int resume = 0, keep_state = 0, c;
	double holdout = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "i:o:rh" CLI_TRAIN_SHORTOPTS CLI_READ_SHORTOPTS,
	                        longopts, NULL)) != -1) {
		int taken = cli_read_or_train_option(&cli_cmd_train, c, optarg, &rp, &o);
		if (!taken)
			taken = cli_private_option(&cli_cmd_train, c, optarg, &o);
		if (taken < 0)
			return CLI_EXIT_USAGE;
		if (taken)
			continue;
		switch (c) {
		case 'i': input = optarg; break;
		case 'o': output = optarg; break;
		case 'r': resume = 1; break;
		case 256 + 'K': keep_state = 1; break;
		case 256 + 'D': o.data_parallel = 1; break;
		case 256 + 'C': {
			uint64_t v;
			if (cli_parse_u64(optarg, UINT32_MAX, &v) < 0 || v == 0)
				return cli_usage_error(&cli_cmd_train, "--checkpoint-every needs a whole "
				                       "number of iterations >= 1, not '%s'", optarg);
			o.checkpoint_every = (uint32_t)v;
			break;
		}
		case CLI_HOLDOUT_OPT:
			if (cli_parse_holdout(&cli_cmd_train, optarg, &holdout) < 0)
				return CLI_EXIT_USAGE;
			break;
		case 'h': return cli_print_help(&cli_cmd_train);
		default:
			return cli_usage_error(&cli_cmd_train, "unknown or incomplete option '%s'",
			                       argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error(&cli_cmd_train, "unexpected argument '%s'", argv[optind]);
	if (!input || !output)
		return cli_usage_error(&cli_cmd_train, "give the trace with -i and the model file "
		                       "with -o");
	if (cli_private_check(&cli_cmd_train, &o) != CLI_EXIT_OK)
		return CLI_EXIT_USAGE;
	int checked = cli_check_output(&cli_cmd_train, output, &input, 1);
	if (checked != CLI_EXIT_OK)
		return checked;
	size_t n = strlen(output) + sizeof ".partial";
	char *partial = malloc(n);
	if (!partial) {
		cli_error("out of memory");
		return CLI_EXIT_RUNTIME;
	}
	snprintf(partial, n, "%s.partial", output);
	cli_mpi_begin();
	int rank = cli_mpi_rank();
	o.mpi = cli_mpi_size() > 1;
	if (o.mpi && o.mp.epsilon != 0) {
		if (rank == 0)
			cli_error("differentially private training runs in one process, not over "
			          "MPI ranks");
		cli_mpi_end();
		free(partial);
		return CLI_EXIT_USAGE;
	}
	if (rank != 0)
		o.quiet = 1;
	netshare_model *m = NULL;
	netshare_dataset *ds = NULL, *held = NULL, *pub = NULL;
	netshare_status st;
	int rc = CLI_EXIT_OK;
	if (resume) {
		if (access(partial, F_OK) != 0) {
			cli_error("%s: no checkpoint to resume from (%s); train without --resume",
			          partial, strerror(errno));
			rc = CLI_EXIT_RUNTIME;
		} else if ((st = netshare_model_load(&m, partial, NULL)) < 0) {
			rc = cli_fail(st);
		} else if (!o.quiet) {
			fprintf(stderr, "%s: resuming from %s\n", cli_progname, partial);
		}
	}
	if (rc == CLI_EXIT_OK)
		rc = cli_read_trace(input, &rp, o.quiet, &ds);
	if (rc == CLI_EXIT_OK)
		rc = cli_split_trace(input, holdout, o.quiet, &ds, &held);
	if (rc == CLI_EXIT_OK && o.public_path && !m) {
		netshare_read_params pp;
		netshare_read_params_init(&pp);
		if ((rc = cli_read_trace(o.public_path, &pp, o.quiet, &pub)) == CLI_EXIT_OK)
			o.public_ds = pub;
	}
	/* Over MPI: every rank read the trace itself; go on only if every rank did. */
	if (o.mpi && cli_mpi_agree(rc) != CLI_EXIT_OK && rc == CLI_EXIT_OK)
		rc = CLI_EXIT_RUNTIME; /* another rank failed and said why */
	if (rc == CLI_EXIT_OK)
		rc = m ? cli_train_model(m, &o, ds, partial) : cli_train(&o, ds, partial, &m);
	if (rc == CLI_EXIT_OK && rank == 0 &&
	    (st = keep_state ? netshare_model_save(m, output) : netshare_model_export(m, output)) < 0)
		rc = cli_fail(st);
	if (o.mpi && cli_mpi_agree(rc) != CLI_EXIT_OK && rc == CLI_EXIT_OK)
		rc = CLI_EXIT_RUNTIME;
	if (rc == CLI_EXIT_OK && rank == 0) {
		unlink(partial);
		if (!o.quiet)
			fprintf(stderr, "%s: wrote %s\n", cli_progname, output);
	}
	cli_mpi_end();
	netshare_model_free(m);
	netshare_dataset_free(ds);
	netshare_dataset_free(held);
	netshare_dataset_free(pub);
	free(partial);
	return rc;
}

const cli_command cli_cmd_train = {
	.name = "train",
	.summary = "learn a model of a trace and write it to a model file",
	.usage =
		"Usage: netshare train -i TRACE -o MODEL [OPTIONS]\n"
		"\n"
		"Fit the encoder on TRACE (pcap, pcapng or flow CSV), train one DoppelGANger per\n"
		"time chunk (chunk 0 first, then the others from its weights, side by side on the\n"
		"available cores) and write everything to MODEL (netshare-model(5)). Progress\n"
		"shows as a bar with ETA on a terminal, as a line per 10% otherwise.\n"
		"\n"
		"While training, a checkpoint is kept in MODEL.partial (every 100 iterations of\n"
		"each chunk, or --checkpoint-every N); if the run is killed, the same command\n"
		"with --resume continues from it and ends with the same model an uninterrupted\n"
		"run gives. MODEL itself is written only when training is complete, with what\n"
		"generation needs (the generators); --keep-state also keeps the discriminators\n"
		"and optimiser state, so that the model can be trained further (a file several\n"
		"times larger).\n"
		"\n"
		"Options:\n"
		"  -i, --input TRACE      the real trace\n"
		"  -o, --output MODEL     the model file to write\n"
		"  -r, --resume           continue from MODEL.partial (its settings apply)\n"
		"      --keep-state       write the training state too (see above)\n"
		"      --checkpoint-every N  iterations between checkpoints (default 100)\n"
		"      --data-parallel    under mpirun: chunk 0 on every rank, gradients averaged\n"
		"                         (the later chunks are spread over the ranks anyway)\n"
		CLI_HOLDOUT_HELP
		CLI_TRAIN_HELP,
	.usage_more =
		CLI_READ_HELP
		"  -h, --help             print this help\n"
		CLI_PRIVATE_HELP,
	.run = run_train,
};
