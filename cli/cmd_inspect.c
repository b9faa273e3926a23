/* SPDX-License-Identifier: BSD-3-Clause */
/* `netshare inspect`: what a model file holds. */
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>

#include "cli.h"
#include "json.h"
#include "options.h"

static void
print_heads(const netshare_encoder *enc, int features, size_t n, int json)
{
	for (size_t k = 0; k < n; k++) {
		netshare_field_group g = { .struct_size = sizeof g };
		if (netshare_encoder_group(enc, features, k, &g) < 0)
			continue;
		static const char *const act[] = { "softmax", "sigmoid", "tanh" };
		const char *a = g.activation >= 0 && g.activation < 3 ? act[g.activation] : "?";
		if (json) {
			printf("%s{\"name\":", k ? "," : "");
			json_string(stdout, g.name);
			printf(",\"offset\":%zu,\"dim\":%zu,\"activation\":\"%s\"}", g.offset, g.dim, a);
		} else {
			printf("    %-18s dims %4zu..%-4zu %s\n", g.name, g.offset, g.offset + g.dim - 1, a);
		}
	}
}

/* The statistics of the trace the model file holds (netshare_encoder_statistic_get). */
static void
print_statistics(const netshare_encoder *enc, int json)
{
	size_t n = netshare_encoder_statistic_count(enc);
	uint64_t total = 0;
	if (!json)
		printf("  statistics (besides the weights) and where each came from:\n"
		       "    %-19s %9s %10s  %-9s %-40s %s\n", "name", "values", "bytes", "source",
		       "used by", "reveals");
	for (size_t k = 0; k < n; k++) {
		netshare_statistic s = { .struct_size = sizeof s };
		if (netshare_encoder_statistic_get(enc, k, &s) < 0)
			continue;
		total += s.bytes;
		if (json) {
			printf("%s{\"name\":\"%s\",\"values\":%" PRIu64 ",\"bytes\":%" PRIu64
			       ",\"used_by\":\"%s\",\"source\":\"%s\",\"noise_sd\":%.6g,\"reveals\":",
			       k ? "," : "", s.name, s.values, s.bytes, s.used_by, s.source, s.noise_sd);
			json_string(stdout, s.reveals);
			printf("}");
		} else {
			printf("    %-19s %9" PRIu64 " %10" PRIu64 "  %-9s %-40s %s\n", s.name, s.values,
			       s.bytes, s.source, s.used_by, s.reveals);
		}
	}
	if (!json)
		printf("    %-19s %9s %10" PRIu64 "\n  'sampling:' steps are off with 'netshare "
		       "generate --raw'; 'encoding' ones are part of how the model encodes the "
		       "trace. Sources: 'trace': fitted on the trace itself; 'public': on the "
		       "public trace; 'noised': Gaussian noise under the privacy budget "
		       "(noise_sd in --json); 'declared': given by the user.\n", "total", "", total);
}

/* Hyperparameters the file holds that the library may have read off the trace, not
 * statistics of the encoder: flow_end's choice by NETSHARE_FLOW_END_AUTO (the file does
 * not say whether auto or the user chose it, so it is listed either way). */
static void
print_derived(const char *flow_end, int json)
{
	const char *reveals = "unless chosen with --flow-end: whether more than half of the flow "
	                      "segments share one length of two or more records (1 bit; of the "
	                      "public trace under DP)";
	if (json) {
		printf("{\"name\":\"flow_end\",\"value\":\"%s\",\"reveals\":", flow_end);
		json_string(stdout, reveals);
		printf("}");
	} else {
		printf("  hyperparameters the default 'auto' derives from the trace:\n"
		       "    %-19s %-9s %s\n", "flow_end", flow_end, reveals);
	}
}

/* The privacy line(s) of the text output. */
static void
print_privacy(const netshare_model_info *mi)
{
	if (mi->privacy == 0) {
		printf("  privacy       NONE: not differentially private (trained on the trace "
		       "itself; see --statistics)\n");
		return;
	}
	if (mi->privacy == 2)
		printf("  privacy       NONE: the DP pipeline at epsilon infinite (public encoder "
		       "and pretraining, no noise)\n");
	else
		printf("  privacy       (%.4g, %.3g)-differentially private per flow (target "
		       "epsilon %.4g): DP-SGD noise multiplier %.4g, clip %.4g, sampling rate <= "
		       "%.4g, %" PRIu64 " noised rounds; counts per chunk with noise sd %.4g (on "
		       "their own epsilon %.4g)\n",
		       mi->epsilon, mi->delta, mi->epsilon_target, mi->dp_sigma, mi->dp_clip,
		       mi->dp_sampling_rate, mi->dp_steps, mi->count_noise_sd, mi->count_epsilon);
	printf("  public data   fingerprint %016" PRIx64 ", %" PRIu64 " records, %" PRIu64
	       " pretraining iterations\n", mi->public_fingerprint, mi->public_records,
	       mi->public_iterations);
}

/* The privacy members of the JSON object. */
static void
json_privacy(const netshare_model_info *mi)
{
	static const char *const names[] = { "none", "dp", "dp-infinite-epsilon" };
	int known = mi->privacy >= 0 && mi->privacy <= 2;
	printf(",\"privacy\":\"%s\",\"epsilon\":", names[known ? mi->privacy : 0]);
	json_number(stdout, mi->privacy == 1 ? mi->epsilon : NAN);
	printf(",\"epsilon_target\":");
	json_number(stdout, mi->privacy ? mi->epsilon_target : NAN);
	printf(",\"delta\":%.6g,\"dp_sigma\":%.6g,\"dp_clip\":%.6g,\"dp_sampling_rate\":%.6g,"
	       "\"dp_steps\":%" PRIu64 ",\"count_noise_sd\":%.6g,\"count_epsilon\":%.6g,"
	       "\"public_fingerprint\":\"%016" PRIx64 "\",\"public_records\":%" PRIu64
	       ",\"public_iterations\":%" PRIu64,
	       mi->delta, mi->dp_sigma, mi->dp_clip, mi->dp_sampling_rate, mi->dp_steps,
	       mi->count_noise_sd, mi->count_epsilon, mi->public_fingerprint, mi->public_records,
	       mi->public_iterations);
}

static int
run_inspect(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "heads", no_argument, NULL, 'H' },
		{ "statistics", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int json = 0, heads = 0, stats = 0, c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "jHSh", longopts, NULL)) != -1) {
		switch (c) {
		case 'j': json = 1; break;
		case 'H': heads = 1; break;
		case 'S': stats = 1; break;
		case 'h': return cli_print_help(&cli_cmd_inspect);
		default:
			return cli_usage_error(&cli_cmd_inspect, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return cli_usage_error(&cli_cmd_inspect, "expected one MODEL file");
	const char *path = argv[optind];
	netshare_model *m;
	netshare_status st = netshare_model_load(&m, path, NULL);
	if (st < 0)
		return cli_fail(st);
	const netshare_encoder *enc = netshare_model_encoder(m);
	netshare_model_info mi = { .struct_size = sizeof mi };
	netshare_encoder_info ei = { .struct_size = sizeof ei };
	netshare_model_info_get(m, &mi);
	netshare_encoder_info_get(enc, &ei);
	const char *kind = ei.kind == NETSHARE_RECORDS_PACKETS ? "packets" : "flows";
	const char *condition = cli_choice_name(&cli_feature_conditions, mi.feature_condition);
	const char *flow_end = cli_choice_name(&cli_flow_ends, mi.flow_end);
	const char *condition_paths = cli_choice_name(&cli_condition_paths, mi.condition_paths);
	if (json) {
		printf("{\"file\":");
		json_string(stdout, path);
		printf(",\"records\":\"%s\",\"chunks\":%d,\"iterations\":%u,\"fine_tune_divisor\":%u,"
		       "\"iterations_chunk0\":%" PRIu64 ",\"iterations_total\":%" PRIu64 ","
		       "\"params_generator\":%" PRIu64 ",\"params_discriminator\":%" PRIu64 ","
		       "\"params_aux_discriminator\":%" PRIu64 ",\"disc_embed\":%d,\"ema_decay\":%g,"
		       "\"feature_condition\":\"%s\",\"flow_end\":\"%s\",\"condition_paths\":\"%s\","
		       "\"flows\":%" PRIu64 ","
		       "\"flows_truncated\":%" PRIu64 ",\"max_flow_len\":%u,\"sample_len\":%u,"
		       "\"max_len\":%u,\"attribute_dim\":%zu,\"feature_dim\":%zu,\"address_bits\":%d,"
		       "\"port_words\":%zu,\"protocol_words\":%zu,\"headers_only\":%s,\"loss_d\":",
		       kind, mi.chunks,
		       mi.iterations, mi.fine_tune_divisor, mi.iterations_chunk0, mi.iterations_total,
		       mi.params_generator, mi.params_discriminator, mi.params_aux_discriminator,
		       mi.disc_embed, mi.ema_decay, condition, flow_end, condition_paths, ei.flows,
		       ei.flows_truncated,
		       ei.max_flow_len, ei.sample_len, ei.max_len,
		       ei.attribute_dim, ei.feature_dim, ei.address_bits, ei.port_words,
		       ei.protocol_words, ei.headers_only ? "true" : "false");
		json_number(stdout, mi.loss_d);
		printf(",\"loss_g\":");
		json_number(stdout, mi.loss_g);
		printf(",\"wasserstein\":");
		json_number(stdout, mi.wasserstein);
		json_privacy(&mi);
		printf(",\"attribute_heads\":[");
		print_heads(enc, 0, ei.attribute_groups, 1);
		printf("],\"feature_heads\":[");
		print_heads(enc, 1, ei.feature_groups, 1);
		printf("],\"statistics\":[");
		print_statistics(enc, 1);
		printf("],\"derived\":[");
		print_derived(flow_end, 1);
		printf("]}\n");
	} else {
		printf("%s\n", path);
		printf("  records       %s\n", kind);
		printf("  chunks        %d (chunk 0: %" PRIu64 "/%u iterations; others: %u each)\n",
		       mi.chunks, mi.iterations_chunk0, mi.iterations,
		       mi.iterations / (mi.fine_tune_divisor ? mi.fine_tune_divisor : 1));
		printf("  trained       %" PRIu64 " iterations over all chunks\n", mi.iterations_total);
		printf("  parameters    generator %" PRIu64 ", discriminator %" PRIu64 ", auxiliary "
		       "%" PRIu64 " (per chunk)\n", mi.params_generator, mi.params_discriminator,
		       mi.params_aux_discriminator);
		if (mi.disc_embed > 0)
			printf("  discriminator embeds each record into %d floats first\n",
			       mi.disc_embed);
		if (mi.ema_decay > 0)
			printf("  generates from the generator's weights averaged with decay %g\n",
			       mi.ema_decay);
		printf("  features      trained conditioned on %s attributes\n", condition);
		if (mi.condition_paths)
			printf("  attributes    also reach the records through: %s\n",
			       condition_paths);
		if (mi.flow_end == NETSHARE_FLOW_END_DRAWN)
			printf("  flows end     by draws from each record's \"last\" probability\n");
		printf("  flows         %" PRIu64 " segments in the trace, %" PRIu64 " cut to %u "
		       "records\n", ei.flows, ei.flows_truncated, ei.max_flow_len);
		printf("  sequence      %u records, %u per step\n", ei.max_len, ei.sample_len);
		printf("  vectors       attributes %zu dims (%zu heads), features %zu dims per record "
		       "(%zu heads)\n", ei.attribute_dim, ei.attribute_groups, ei.feature_dim,
		       ei.feature_groups);
		printf("  vocabulary    %d-bit addresses, %zu ports, %zu protocols\n", ei.address_bits,
		       ei.port_words, ei.protocol_words);
		print_privacy(&mi);
		if (ei.headers_only)
			printf("  capture       headers only (pcap output stores headers only by "
			       "default)\n");
		if (isnan(mi.loss_d)) /* known to the process that trained, not kept in the file */
			printf("  last losses   not recorded in the file\n");
		else
			printf("  last losses   D %.6g, G %.6g, Wasserstein %.6g\n", mi.loss_d,
			       mi.loss_g, mi.wasserstein);
		if (heads) {
			printf("  attribute heads:\n");
			print_heads(enc, 0, ei.attribute_groups, 0);
			printf("  feature heads (per record):\n");
			print_heads(enc, 1, ei.feature_groups, 0);
		}
		if (stats) {
			print_statistics(enc, 0);
			print_derived(flow_end, 0);
		}
	}
	netshare_model_free(m);
	return CLI_EXIT_OK;
}

const cli_command cli_cmd_inspect = {
	.name = "inspect",
	.summary = "describe a model file",
	.usage =
		"Usage: netshare inspect [--json] [--heads] [--statistics] MODEL\n"
		"\n"
		"Check MODEL (every checksum) and describe it: record kind, chunks, training done,\n"
		"sizes, vocabulary, the last losses and its privacy: (epsilon, delta), noise,\n"
		"clip, sampling rate, rounds and the public trace's fingerprint for a DP model\n"
		"(netshare train --epsilon), NONE for any other; with --statistics, every\n"
		"statistic of the trace it holds besides the weights: its size, where it came\n"
		"from (the trace, public data, noised, declared), what it reveals and what\n"
		"reads it; then the hyperparameters the defaults derive from the trace (the\n"
		"flow end of --flow-end auto).\n"
		"\n"
		"Options:\n"
		"  -j, --json             one JSON object on stdout (heads, statistics and derived\n"
		"                         hyperparameters included)\n"
		"  -S, --statistics       list the statistics of the trace the file holds\n"
		"  -H, --heads            list the output heads of the attribute and feature vectors\n"
		"  -h, --help             print this help\n",
	.run = run_inspect,
};
