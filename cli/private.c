/* SPDX-License-Identifier: BSD-3-Clause */
#include "private.h"

#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"

/* Seconds since the epoch, decimal, into ns without going through a double (which
 * keeps only ~0.2 us of a present-day time); 0 or -1. */
static int
parse_seconds(const char *s, const char **end, int64_t *ns)
{
	int neg = *s == '-';
	s += neg;
	if (!isdigit((unsigned char)*s))
		return -1;
	int64_t whole = 0, frac = 0, scale = 1000000000;
	for (; isdigit((unsigned char)*s); s++) {
		if (whole > (INT64_MAX / 1000000000 - 9) / 10)
			return -1;
		whole = whole * 10 + (*s - '0');
	}
	if (*s == '.')
		for (s++; isdigit((unsigned char)*s); s++)
			if (scale > 1) {
				scale /= 10;
				frac += (*s - '0') * scale;
			}
	*end = s;
	*ns = (neg ? -1 : 1) * (whole * 1000000000 + frac);
	return 0;
}

static int
positive(const cli_command *cmd, const char *name, const char *arg, double lo, double hi,
         double *out)
{
	char *end;
	double v = strtod(arg, &end);
	if (end == arg || *end || !(v >= lo && v <= hi)) {
		cli_usage_error(cmd, "--%s needs a number in %g..%g, not '%s'", name, lo, hi, arg);
		return -1;
	}
	*out = v;
	return 1;
}

int
cli_private_option(const cli_command *cmd, int c, const char *arg, cli_train_opts *o)
{
	const char *end;
	uint64_t v;
	switch (c) {
	case 256 + 'e':
		if (strcmp(arg, "inf") == 0) {
			o->mp.epsilon = INFINITY;
			return 1;
		}
		return positive(cmd, "epsilon", arg, 1e-6, 1e6, &o->mp.epsilon);
	case 256 + 'd':
		return positive(cmd, "delta", arg, 1e-300, 0.5, &o->mp.delta);
	case 256 + 'c':
		return positive(cmd, "clip", arg, 1e-12, 1e12, &o->mp.dp_clip);
	case 256 + 'p':
		o->public_path = arg;
		return 1;
	case 256 + 'i':
		if (cli_parse_u64(arg, UINT32_MAX, &v) < 0 || v == 0) {
			cli_usage_error(cmd, "--public-iterations needs a whole number >= 1, not '%s'",
			                arg);
			return -1;
		}
		o->mp.public_iterations = (uint32_t)v;
		return 1;
	case 256 + 'w':
		if (parse_seconds(arg, &end, &o->ep.window_start_ns) < 0 || *end != ',' ||
		    parse_seconds(end + 1, &end, &o->ep.window_end_ns) < 0 || *end ||
		    o->ep.window_end_ns <= o->ep.window_start_ns) {
			cli_usage_error(cmd, "--window needs START,END in seconds since the epoch, END "
			                "after START (e.g. 1521118773.2895,1521118773.3138), not '%s'",
			                arg);
			return -1;
		}
		return 1;
	default:
		return 0;
	}
}

int
cli_private_check(const cli_command *cmd, const cli_train_opts *o)
{
	int dp = o->mp.epsilon != 0;
	if (dp && !o->public_path)
		return cli_usage_error(cmd, "--epsilon needs --public FILE: the encoder's statistics "
		                       "and the pretraining come from a public trace");
	if (!dp && (o->public_path || o->mp.public_iterations))
		return cli_usage_error(cmd, "--public and --public-iterations go with --epsilon");
	if (dp && !o->ep.window_start_ns && !o->ep.window_end_ns)
		return cli_usage_error(cmd, "--epsilon needs --window START,END, the capture window "
		                       "of the private trace: its own first and last record times "
		                       "would be copied into the model without noise");
	return CLI_EXIT_OK;
}

int
cli_pretrain(netshare_model *m, const cli_train_opts *o, const netshare_dataset *pub)
{
	cli_progress pr;
	cli_progress_init(&pr, o->quiet);
	uint32_t it = o->mp.public_iterations ? o->mp.public_iterations : o->mp.iterations;
	uint64_t done[NETSHARE_MAX_CHUNKS] = { 0 };
	cli_progress_plan(&pr, 1, it, 0, done);
	netshare_model_params run;
	netshare_model_params_init(&run);
	run.progress = cli_progress_fn;
	run.progress_user = &pr;
	run.threads = o->mp.threads;
	netshare_status st = netshare_model_set_training(m, &run);
	double t0 = cli_now();
	if (st == NETSHARE_OK)
		st = netshare_model_pretrain(m, pub);
	cli_progress_end(&pr);
	netshare_model_set_training(m, NULL);
	if (st < 0)
		return cli_fail(st);
	if (!o->quiet)
		fprintf(stderr, "%s: pretrained on the public trace, %u iterations in %.1f s\n",
		        cli_progname, it, cli_now() - t0);
	return CLI_EXIT_OK;
}

void
cli_print_privacy(const netshare_model *m)
{
	netshare_model_info in = { .struct_size = sizeof in };
	if (netshare_model_info_get(m, &in) < 0 || in.privacy == 0)
		return;
	if (in.privacy == 2) {
		fprintf(stderr, "%s: NOT private (epsilon infinite): public encoder and pretraining, "
		        "exact counts, no noise\n", cli_progname);
		return;
	}
	fprintf(stderr, "%s: (%.4g, %.3g)-differentially private per flow (target %.4g): "
	        "noise multiplier %.4g, clip %.4g, sampling rate <= %.4g, %" PRIu64 " noised "
	        "rounds; counts per chunk +- %.4g\n", cli_progname, in.epsilon, in.delta,
	        in.epsilon_target, in.dp_sigma, in.dp_clip, in.dp_sampling_rate, in.dp_steps,
	        in.count_noise_sd);
}
