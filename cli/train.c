/* SPDX-License-Identifier: BSD-3-Clause */
#include "train.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpi_job.h"
#include "options.h"
#include "private.h"


void
cli_train_opts_init(cli_train_opts *o)
{
	memset(o, 0, sizeof *o);
	netshare_encoder_params_init(&o->ep);
	netshare_model_params_init(&o->mp);
	o->ep.chunks = NETSHARE_CHUNKS_AUTO;
	o->checkpoint_every = CLI_CHECKPOINT_EVERY;
}

static int
number(const cli_command *cmd, const char *name, const char *arg, uint64_t lo, uint64_t hi,
       uint64_t *v)
{
	if (cli_parse_u64(arg, hi, v) < 0 || *v < lo) {
		cli_usage_error(cmd, "--%s needs a whole number in %" PRIu64 "..%" PRIu64 ", not '%s'",
		                name, lo, hi, arg);
		return -1;
	}
	return 0;
}

/* "B1,B2" into b[2], each a decay in [0, 1) (the library checks its own, closer bounds
 * when the model is made); -1 if not. */
static int
betas(const char *arg, double b[2])
{
	const char *p = arg;
	for (int i = 0; i < 2; i++) {
		char *end;
		b[i] = strtod(p, &end);
		if (end == p || *end != (i ? '\0' : ',') || !(b[i] >= 0 && b[i] < 1))
			return -1;
		p = end + 1;
	}
	return 0;
}

/* arg as one of c's names into *out; -1 after a usage error. */
static int
choose(const cli_command *cmd, const cli_choices *c, const char *arg, int *out)
{
	if (cli_choice_parse(c, arg, out) == 0)
		return 1;
	cli_usage_error(cmd, "--%s needs %s, not '%s'", c->option, c->names, arg);
	return -1;
}

int
cli_train_option(const cli_command *cmd, int c, const char *arg, cli_train_opts *o)
{
	uint64_t v;
	switch (c) {
	case 'k':
		if (number(cmd, "chunks", arg, 1, NETSHARE_MAX_CHUNKS, &v) < 0)
			return -1;
		o->ep.chunks = (int)v;
		return 1;
	case 'I':
		if (number(cmd, "iterations", arg, 1, UINT32_MAX, &v) < 0)
			return -1;
		o->mp.iterations = (uint32_t)v;
		return 1;
	case 'L':
		if (number(cmd, "sample-len", arg, 1, 1u << 16, &v) < 0)
			return -1;
		o->ep.sample_len = (uint32_t)v;
		return 1;
	case 256 + 'M':
		if (number(cmd, "max-flow-len", arg, 1, 1u << 20, &v) < 0)
			return -1;
		o->ep.max_flow_len = (uint32_t)v;
		return 1;
	case 256 + 'P':
		if (number(cmd, "port-classes", arg, 0, NETSHARE_MAX_PORT_CLASSES, &v) < 0)
			return -1;
		o->ep.port_classes = (int)v;
		return 1;
	case 256 + 'l':
		if (number(cmd, "length-classes", arg, 0, NETSHARE_MAX_LENGTH_CLASSES, &v) < 0)
			return -1;
		o->ep.length_classes = (int)v;
		return 1;
	case 256 + 'E':
		if (strcmp(arg, "auto") == 0) {
			o->mp.disc_embed = -1;
			return 1;
		}
		if (number(cmd, "disc-embed", arg, 0, NETSHARE_MAX_DISC_EMBED, &v) < 0)
			return -1;
		o->mp.disc_embed = (int)v;
		return 1;
	case 256 + 'A': {
		char *end;
		double d = strtod(arg, &end);
		if (end == arg || *end || !(d >= 0 && d <= NETSHARE_MAX_EMA_DECAY)) {
			cli_usage_error(cmd, "--ema-decay needs a number in 0..%g, not '%s'",
			                NETSHARE_MAX_EMA_DECAY, arg);
			return -1;
		}
		o->mp.ema_decay = d;
		return 1;
	}
	case 256 + 'F':
		return choose(cmd, &cli_feature_conditions, arg, &o->mp.feature_condition);
	case 256 + 'f':
		return choose(cmd, &cli_flow_ends, arg, &o->mp.flow_end);
	case 256 + 'G':
		return choose(cmd, &cli_condition_paths, arg, &o->mp.condition_paths);
	case 256 + 'b': {
		double b[2];
		if (betas(arg, b) < 0) {
			cli_usage_error(cmd, "--adam-betas needs two numbers in [0, 1) as B1,B2, not "
			                "'%s'", arg);
			return -1;
		}
		o->mp.beta1 = (float)b[0];
		o->mp.beta2 = (float)b[1];
		return 1;
	}
	case 256 + 'B':
		if (number(cmd, "batch-size", arg, 1, 1u << 16, &v) < 0)
			return -1;
		o->mp.batch_size = (int)v;
		return 1;
	case 't':
		if (number(cmd, "threads", arg, 1, 1024, &v) < 0)
			return -1;
		o->mp.threads = (unsigned)v;
		return 1;
	case 's':
		if (number(cmd, "seed", arg, 0, UINT64_MAX, &v) < 0)
			return -1;
		o->mp.seed = o->ep.seed = v;
		return 1;
	case 'q':
		o->quiet = 1;
		return 1;
	default:
		return 0;
	}
}

int
cli_read_or_train_option(const cli_command *cmd, int c, const char *arg,
                         netshare_read_params *rp, cli_train_opts *o)
{
	int taken = cli_read_option(cmd, c, arg, rp);
	return taken ? taken : cli_train_option(cmd, c, arg, o);
}

int
cli_read_trace(const char *path, netshare_read_params *rp, int quiet, netshare_dataset **out)
{
	cli_progress pr;
	cli_progress_init(&pr, quiet);
	rp->progress = cli_progress_fn;
	rp->progress_user = &pr;
	netshare_status st = netshare_dataset_read(out, path, rp);
	cli_progress_end(&pr);
	rp->progress = NULL;
	return st < 0 ? cli_fail(st) : CLI_EXIT_OK;
}

int
cli_train_model(netshare_model *m, const cli_train_opts *o, const netshare_dataset *ds,
                const char *checkpoint)
{
	netshare_model_info in = { .struct_size = sizeof in };
	netshare_encoder_info ei = { .struct_size = sizeof ei };
	netshare_status st;
	if ((st = netshare_model_info_get(m, &in)) < 0 ||
	    (st = netshare_encoder_info_get(netshare_model_encoder(m), &ei)) < 0)
		return cli_fail(st);
	cli_progress pr;
	cli_progress_init(&pr, o->quiet);
	/* A loaded checkpoint keeps its own plan; what it has done is not redone. */
	uint32_t it0 = in.iterations, div = in.fine_tune_divisor;
	uint64_t done[NETSHARE_MAX_CHUNKS] = { 0 };
	done[0] = in.iterations_chunk0;
	uint64_t rest = in.iterations_total - in.iterations_chunk0;
	for (int c = 1; c < in.chunks && rest; c++) {
		uint64_t d = rest < it0 / div ? rest : it0 / div;
		done[c] = d;
		rest -= d;
	}
	cli_progress_plan(&pr, in.chunks, it0, it0 / div, done);
	netshare_model_params run;
	netshare_model_params_init(&run);
	run.progress = cli_progress_fn;
	run.progress_user = &pr;
	run.checkpoint_path = checkpoint;
	run.checkpoint_every = checkpoint ? o->checkpoint_every : 0;
	run.threads = o->mp.threads;
	if ((st = netshare_model_set_training(m, &run)) < 0)
		return cli_fail(st);
	double t0 = cli_now();
	st = o->mpi ? netshare_model_train_mpi(m, ds, NULL,
	                                       o->data_parallel ? NETSHARE_MPI_DATA_PARALLEL : 0)
	            : netshare_model_train(m, ds);
	cli_progress_end(&pr);
	run.progress = NULL;
	run.progress_user = NULL;
	run.checkpoint_path = NULL;
	run.checkpoint_every = 0;
	netshare_model_set_training(m, &run);
	if (st < 0 && o->mpi && cli_mpi_rank() != 0)
		return CLI_EXIT_RUNTIME; /* every rank has the message; rank 0 says it */
	if (st < 0)
		return cli_fail(st);
	if (!o->quiet) {
		netshare_model_info_get(m, &in);
		fprintf(stderr, "%s: trained %d chunk model%s, %" PRIu64 " iterations in %.1f s "
		        "(W %.4g, D %.4g, G %.4g)\n", cli_progname, in.chunks, in.chunks > 1 ? "s" : "",
		        in.iterations_total, cli_now() - t0, in.wasserstein, in.loss_d, in.loss_g);
		cli_print_privacy(m);
	}
	return CLI_EXIT_OK;
}

int
cli_train(cli_train_opts *o, const netshare_dataset *ds, const char *checkpoint,
          netshare_model **out)
{
	*out = NULL;
	netshare_encoder *enc;
	const netshare_dataset *fit_on = o->public_ds ? o->public_ds : ds;
	netshare_status st = netshare_encoder_fit(&enc, fit_on, &o->ep);
	if (st < 0) {
		int rc = cli_fail(st);
		return o->mpi ? cli_mpi_agree(rc) : rc;
	}
	if (o->mpi && cli_mpi_agree(CLI_EXIT_OK) != CLI_EXIT_OK) {
		netshare_encoder_free(enc);
		return CLI_EXIT_RUNTIME;
	}
	netshare_encoder_info ei = { .struct_size = sizeof ei };
	netshare_encoder_info_get(enc, &ei);
	if (!o->quiet) {
		netshare_summary s = { .struct_size = sizeof s };
		netshare_dataset_summary(fit_on, &s);
		if (o->ep.chunks == NETSHARE_CHUNKS_AUTO)
			fprintf(stderr, "%s: %d chunk%s for %" PRIu64 " flows (chosen from the "
			        "flows; choose with --chunks)\n", cli_progname, ei.chunks,
			        ei.chunks > 1 ? "s" : "", s.flows);
		fprintf(stderr, "%s: %" PRIu64 " flow segments, up to %u records each (%" PRIu64
		        " cut), %zu attribute and %zu feature dims\n", cli_progname, ei.flows,
		        ei.max_flow_len, ei.flows_truncated, ei.attribute_dim, ei.feature_dim);
	}
	o->mp.checkpoint_path = NULL;
	o->mp.progress = NULL;
	netshare_model *m;
	st = netshare_model_new(&m, enc, &o->mp);
	netshare_encoder_free(enc);
	int rc = st < 0 ? cli_fail(st) : CLI_EXIT_OK;
	if (o->mpi && (rc = cli_mpi_agree(rc)) != CLI_EXIT_OK) {
		netshare_model_free(m);
		return rc; /* a rank that failed said why */
	}
	if (st < 0)
		return rc;
	rc = o->public_ds ? cli_pretrain(m, o, o->public_ds) : CLI_EXIT_OK;
	if (rc == CLI_EXIT_OK)
		rc = cli_train_model(m, o, ds, checkpoint);
	if (rc != CLI_EXIT_OK) {
		netshare_model_free(m);
		return rc;
	}
	*out = m;
	return CLI_EXIT_OK;
}
