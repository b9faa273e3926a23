/* SPDX-License-Identifier: BSD-3-Clause */
/* `netshare stats`: what a trace file contains, as text or JSON lines. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "json.h"
#include "options.h"

static int
progress_line(const netshare_progress *p, void *user)
{
	fprintf(stderr, "\r%s %s: %" PRIu64 " frames/rows", p->stage, (const char *)user, p->done);
	return 0;
}

/* Label values tallied, most records first; past STATS_LABELS distinct values the rest
 * are counted together (a label column is a handful of classes; a unique id per row is
 * not worth listing). */
#define STATS_LABELS 16

typedef struct label_tally {
	const char *value[STATS_LABELS]; /* owned by the dataset */
	uint64_t records[STATS_LABELS];
	size_t n;
	uint64_t other, missing;
} label_tally;

static void
tally_labels(const netshare_dataset *ds, label_tally *t)
{
	memset(t, 0, sizeof *t);
	if (netshare_dataset_kind(ds) != NETSHARE_RECORDS_FLOWS)
		return;
	for (size_t i = 0; i < netshare_dataset_count(ds); i++) {
		netshare_record r;
		netshare_record_init(&r);
		if (netshare_dataset_get(ds, i, &r) != NETSHARE_OK || !r.label) {
			t->missing++;
			continue;
		}
		size_t k = 0;
		while (k < t->n && strcmp(t->value[k], r.label) != 0)
			k++;
		if (k == t->n && t->n < STATS_LABELS)
			t->value[t->n++] = r.label;
		if (k < t->n)
			t->records[k]++;
		else
			t->other++;
	}
	for (size_t a = 1; a < t->n; a++) /* by records, descending; few values */
		for (size_t b = a; b > 0 && t->records[b] > t->records[b - 1]; b--) {
			const char *v = t->value[b];
			uint64_t c = t->records[b];
			t->value[b] = t->value[b - 1];
			t->records[b] = t->records[b - 1];
			t->value[b - 1] = v;
			t->records[b - 1] = c;
		}
}

static void
print_text_labels(const label_tally *t, uint64_t records)
{
	if (!t->n)
		return;
	printf("  labels       ");
	for (size_t k = 0; k < t->n; k++)
		printf(" %s %" PRIu64 " (%.1f%%)", t->value[k], t->records[k],
		       100.0 * (double)t->records[k] / (double)records);
	if (t->other)
		printf(" others %" PRIu64, t->other);
	if (t->missing)
		printf(" unlabelled %" PRIu64, t->missing);
	putchar('\n');
}

static void
print_json_labels(const label_tally *t)
{
	printf(",\"labels\":{");
	for (size_t k = 0; k < t->n; k++) {
		printf("%s", k ? "," : "");
		json_string(stdout, t->value[k]);
		printf(":%" PRIu64, t->records[k]);
	}
	printf("},\"labels_other\":%" PRIu64 ",\"unlabelled\":%" PRIu64, t->other, t->missing);
}

static void
print_text(const char *file, const netshare_dataset *ds, const netshare_dataset_info *in,
           const netshare_summary *s)
{
	printf("%s\n", file);
	printf("  format        %s", cli_format_name(in->format));
	if (in->link_type >= 0)
		printf(" (link type %s, %d)", netshare_link_type_name(in->link_type), in->link_type);
	printf("\n  records       %" PRIu64 " %s (IPv4 %" PRIu64 ", IPv6 %" PRIu64 ")\n",
	       in->records, in->kind == NETSHARE_RECORDS_PACKETS ? "packets" : "flow records",
	       in->ipv4, in->ipv6);
	printf("  frames/rows   %" PRIu64 " read, %" PRIu64 " skipped", in->frames,
	       in->frames - in->records);
	const char *sep = ": ";
	for (int r = 0; r < NETSHARE_SKIP_REASONS; r++) {
		uint64_t n = netshare_dataset_skipped(ds, r);
		if (n) {
			printf("%s%s %" PRIu64, sep, netshare_skip_reason_name(r), n);
			sep = ", ";
		}
	}
	printf("\n  time span     %.6f s", s->duration_s);
	if (in->out_of_order)
		printf(" (%" PRIu64 " records earlier than the one before)", in->out_of_order);
	printf("\n  protocols    ");
	for (int p = 0; p < 256; p++) {
		if (!s->protocol_records[p])
			continue;
		const char *name = netshare_protocol_name(p);
		printf(" %s%s%d%s %" PRIu64 " (%.1f%%)", name ? name : "", name ? "(" : "", p,
		       name ? ")" : "", s->protocol_records[p],
		       100.0 * (double)s->protocol_records[p] / (double)s->records);
	}
	printf("\n  flows         %" PRIu64 " directional 5-tuples\n", s->flows);
	printf("  flow size     records per flow: mean %.2f, p50 %" PRIu64 ", p90 %" PRIu64
	       ", p99 %" PRIu64 ", max %" PRIu64 "\n", s->flow_size_mean, s->flow_size_p50,
	       s->flow_size_p90, s->flow_size_p99, s->flow_size_max);
	printf("  volume        %" PRIu64 " packets, %" PRIu64 " bytes\n", s->flow_packets_total,
	       s->flow_bytes_total);
	label_tally t;
	tally_labels(ds, &t);
	print_text_labels(&t, in->records);
	for (size_t e = 0; e < netshare_dataset_extra_count(ds); e++)
		printf("%s%s (%s)", e ? ", " : "  extra columns ", netshare_dataset_extra_name(ds, e),
		       netshare_dataset_extra_is_categorical(ds, e) ? "categorical" : "numeric");
	if (netshare_dataset_extra_count(ds))
		putchar('\n');
}

static void
print_json_extras(const netshare_dataset *ds)
{
	printf(",\"extra_columns\":[");
	for (size_t e = 0; e < netshare_dataset_extra_count(ds); e++) {
		printf("%s{\"name\":", e ? "," : "");
		json_string(stdout, netshare_dataset_extra_name(ds, e));
		printf(",\"categorical\":%s}",
		       netshare_dataset_extra_is_categorical(ds, e) ? "true" : "false");
	}
	printf("]");
}

static void
print_json(const char *file, const netshare_dataset *ds, const netshare_dataset_info *in,
           const netshare_summary *s, int more)
{
	printf("{\"file\":");
	json_string(stdout, file);
	printf(",\"format\":\"%s\",\"kind\":\"%s\",\"link_type\":%d", cli_format_name(in->format),
	       in->kind == NETSHARE_RECORDS_PACKETS ? "packets" : "flows", in->link_type);
	if (in->link_type >= 0)
		printf(",\"link_type_name\":\"%s\"", netshare_link_type_name(in->link_type));
	printf(",\"records\":%" PRIu64 ",\"frames\":%" PRIu64 ",\"ipv4\":%" PRIu64 ",\"ipv6\":%"
	       PRIu64 ",\"out_of_order\":%" PRIu64 ",\"skipped\":{", in->records, in->frames,
	       in->ipv4, in->ipv6, in->out_of_order);
	for (int r = 0; r < NETSHARE_SKIP_REASONS; r++)
		printf("%s\"%s\":%" PRIu64, r ? "," : "", netshare_skip_reason_name(r),
		       netshare_dataset_skipped(ds, r));
	printf("},\"time_min_ns\":%" PRId64 ",\"time_max_ns\":%" PRId64 ",\"duration_s\":%.9f",
	       in->time_min_ns, in->time_max_ns, s->duration_s);
	printf(",\"protocols\":[");
	const char *sep = "";
	for (int p = 0; p < 256; p++) {
		if (!s->protocol_records[p])
			continue;
		const char *name = netshare_protocol_name(p);
		printf("%s{\"number\":%d,\"name\":", sep, p);
		if (name)
			json_string(stdout, name);
		else
			printf("null");
		printf(",\"records\":%" PRIu64 "}", s->protocol_records[p]);
		sep = ",";
	}
	printf("]");
	print_json_extras(ds);
	if (in->kind == NETSHARE_RECORDS_FLOWS) {
		label_tally t;
		tally_labels(ds, &t);
		print_json_labels(&t);
	}
	printf(",\"flows\":%" PRIu64 ",\"flow_size\":{\"mean\":%.6f,\"p50\":%" PRIu64
	       ",\"p90\":%" PRIu64 ",\"p99\":%" PRIu64 ",\"max\":%" PRIu64 "},\"packets\":%"
	       PRIu64 ",\"bytes\":%" PRIu64 "%s", s->flows, s->flow_size_mean, s->flow_size_p50,
	       s->flow_size_p90, s->flow_size_p99, s->flow_size_max, s->flow_packets_total,
	       s->flow_bytes_total, more ? ",\"encoded\":" : "}\n");
}

/* --encoded: what an encoder fitted with the given options makes of the dataset. */
static int
print_encoded(const netshare_dataset *ds, const netshare_encoder_params *ep, int json)
{
	netshare_encoder *enc;
	netshare_status st = netshare_encoder_fit(&enc, ds, ep);
	if (st < 0)
		return cli_fail(st);
	netshare_encoder_info in;
	memset(&in, 0, sizeof in);
	in.struct_size = sizeof in;
	netshare_encoder_info_get(enc, &in);
	if (json)
		printf("{\"chunks\":%d,\"max_flow_len\":%u,\"sample_len\":%u,\"T\":%u,\"A\":%zu,"
		       "\"F\":%zu,\"address_bits\":%d,\"port_words\":%zu,\"protocol_words\":%zu,"
		       "\"flows\":%" PRIu64 ",\"flows_truncated\":%" PRIu64 ",\"flows_dropped\":%"
		       PRIu64 ",\"flows_per_chunk\":[", in.chunks, in.max_flow_len, in.sample_len,
		       in.max_len, in.attribute_dim, in.feature_dim, in.address_bits, in.port_words,
		       in.protocol_words, in.flows, in.flows_truncated, in.flows_dropped);
	else
		printf("  encoded       %d chunks, T = %u (max flow length %u, sample_len %u), A = %zu, "
		       "F = %zu\n  encoded flows %" PRIu64 " (%" PRIu64 " truncated, %" PRIu64
		       " dropped); %d-bit addresses; word2vec: %zu ports, %zu protocols\n"
		       "  per chunk    ", in.chunks, in.max_len, in.max_flow_len, in.sample_len,
		       in.attribute_dim, in.feature_dim, in.flows, in.flows_truncated,
		       in.flows_dropped, in.address_bits, in.port_words, in.protocol_words);
	for (int c = 0; c < in.chunks && st == NETSHARE_OK; c++) {
		netshare_encoded *x;
		if ((st = netshare_encoder_encode(&x, enc, ds, c)) < 0)
			break;
		printf(json ? "%s%zu" : "%s%zu", c ? (json ? "," : " ") : (json ? "" : " "),
		       netshare_encoded_flows(x));
		netshare_encoded_free(x);
	}
	printf(json ? "]}}\n" : " flows\n");
	netshare_encoder_free(enc);
	return st < 0 ? cli_fail(st) : CLI_EXIT_OK;
}

static int
stats_one(const char *file, const netshare_read_params *rp, int json,
          const netshare_encoder_params *ep)
{
	netshare_dataset *ds;
	netshare_status st = netshare_dataset_read(&ds, file, rp);
	if (rp->progress)
		fputc('\n', stderr);
	if (st < 0)
		return cli_fail(st);
	netshare_dataset_info info;
	memset(&info, 0, sizeof info);
	info.struct_size = sizeof info;
	netshare_summary sum;
	memset(&sum, 0, sizeof sum);
	sum.struct_size = sizeof sum;
	if ((st = netshare_dataset_info_get(ds, &info)) < 0 ||
	    (st = netshare_dataset_summary(ds, &sum)) < 0) {
		netshare_dataset_free(ds);
		return cli_fail(st);
	}
	int rc = CLI_EXIT_OK;
	if (json)
		print_json(file, ds, &info, &sum, ep != NULL);
	else
		print_text(file, ds, &info, &sum);
	if (ep)
		rc = print_encoded(ds, ep, json);
	netshare_dataset_free(ds);
	return rc;
}

static int
run_stats(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "encoded", no_argument, NULL, 'e' },
		{ "chunks", required_argument, NULL, 'K' },
		{ "max-flow-len", required_argument, NULL, 'M' },
		{ "sample-len", required_argument, NULL, 'S' },
		{ "port-classes", required_argument, NULL, 256 + 'P' },
		CLI_READ_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	netshare_read_params rp;
	netshare_read_params_init(&rp);
	netshare_encoder_params ep;
	netshare_encoder_params_init(&ep);
	int json = 0, encoded = 0, c;
	uint64_t v;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "jheK:M:S:" CLI_READ_SHORTOPTS, longopts, NULL)) != -1) {
		int taken = cli_read_option(&cli_cmd_stats, c, optarg, &rp);
		if (taken < 0)
			return CLI_EXIT_USAGE;
		if (taken)
			continue;
		switch (c) {
		case 'j': json = 1; break;
		case 'e': encoded = 1; break;
		case 'K': case 'M': case 'S': case 256 + 'P':
			if (cli_parse_u64(optarg, UINT32_MAX - 1, &v) < 0)
				return cli_usage_error(&cli_cmd_stats, "%s needs a number, not '%s'",
				                       c == 'K' ? "--chunks" : c == 'M' ? "--max-flow-len" :
				                       c == 256 + 'P' ? "--port-classes" : "--sample-len", optarg);
			if (c == 'K')
				ep.chunks = (int)(v > 1000 ? 1000 : v);
			else if (c == 'M')
				ep.max_flow_len = (uint32_t)v;
			else if (c == 256 + 'P') /* out of range: the encoder's error names the bound */
				ep.port_classes = (int)(v > 1000 ? 1000 : v);
			else
				ep.sample_len = (uint32_t)v;
			encoded = 1;
			break;
		case 'h': return cli_print_help(&cli_cmd_stats);
		default:
			return cli_usage_error(&cli_cmd_stats, "unknown or incomplete option '%s'",
			                       argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return cli_usage_error(&cli_cmd_stats, "no input file");
	int rc = CLI_EXIT_OK;
	for (int i = optind; i < argc; i++) {
		if (!json && cli_stderr_is_tty()) {
			rp.progress = progress_line;
			rp.progress_user = argv[i];
		}
		if (stats_one(argv[i], &rp, json, encoded ? &ep : NULL) != CLI_EXIT_OK)
			rc = CLI_EXIT_RUNTIME;
	}
	return rc;
}

const cli_command cli_cmd_stats = {
	.name = "stats",
	.summary = "describe trace files: records, protocols, flows, skipped frames",
	.usage =
		"Usage: netshare stats [OPTIONS] FILE...\n"
		"\n"
		"Read each trace (pcap, pcapng, NetFlow/nfdump CSV, Zeek conn.log; '-' is\n"
		"standard input) and print its records, time span, protocols, flows\n"
		"(directional 5-tuples), flow-size quantiles and skipped frames by reason.\n"
		"\n"
		"Options:\n"
		"  -j, --json             one JSON object per file (JSON Lines) on stdout\n"
		"  -e, --encoded          also show what the encoder makes of it: chunks, flows\n"
		"                         per chunk, T, A, F, truncated/dropped flows, vocabularies\n"
		"  -K, --chunks K         time chunks for --encoded (default 10)\n"
		"  -M, --max-flow-len N   records per flow kept (default: the longest)\n"
		"  -S, --sample-len L     records per generator step (default 10 packets, 1 flows)\n"
		"      --port-classes N   frequent ports per role as categories (default 64)\n"
		CLI_READ_HELP
		"  -h, --help             print this help\n"
		"\n"
		"Exit status: 0 if every file was read, 1 if any failed, 2 on a usage error.\n",
	.run = run_stats,
};
