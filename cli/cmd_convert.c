/* SPDX-License-Identifier: BSD-3-Clause */
/* `netshare convert`: read a trace, write it in another format (pcap <-> CSV, ...). */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "output_check.h"
#include "options.h"

static int
run_convert(int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_READ_LONGOPTS,
		{ "to", required_argument, NULL, 't' },
		{ "link", required_argument, NULL, 'k' },
		{ "ns", no_argument, NULL, 'N' },
		{ "headers-only", no_argument, NULL, 'H' },
		{ "full-frames", no_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	netshare_read_params rp;
	netshare_read_params_init(&rp);
	netshare_write_params wp;
	netshare_write_params_init(&wp);
	int c, link_given = 0, frames_given = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "t:k:NHFh" CLI_READ_SHORTOPTS, longopts, NULL)) != -1) {
		int taken = cli_read_option(&cli_cmd_convert, c, optarg, &rp);
		if (taken < 0)
			return CLI_EXIT_USAGE;
		if (taken)
			continue;
		switch (c) {
		case 't':
			if (cli_parse_format(optarg, &wp.format) < 0)
				return cli_usage_error(&cli_cmd_convert, "unknown format '%s' (formats: "
				                       "%s)", optarg, CLI_FORMAT_NAMES);
			break;
		case 'k':
			link_given = 1;
			if (strcmp(optarg, "ethernet") == 0)
				wp.link_type = NETSHARE_LINK_ETHERNET;
			else if (strcmp(optarg, "raw") == 0)
				wp.link_type = NETSHARE_LINK_RAW;
			else
				return cli_usage_error(&cli_cmd_convert, "--link is 'ethernet' or 'raw', "
				                       "not '%s'", optarg);
			break;
		case 'N': wp.nanosecond = 1; break;
		case 'H': wp.headers_only = 1; frames_given = 1; break;
		case 'F': wp.headers_only = 0; frames_given = 1; break;
		case 'h': return cli_print_help(&cli_cmd_convert);
		default:
			return cli_usage_error(&cli_cmd_convert, "unknown or incomplete option '%s'",
			                       argv[optind - 1]);
		}
	}
	if (argc - optind != 2)
		return cli_usage_error(&cli_cmd_convert, "expected INPUT and OUTPUT, got %d "
		                       "argument%s", argc - optind, argc - optind == 1 ? "" : "s");
	const char *in = argv[optind];
	int rc;
	if (strcmp(argv[optind + 1], "-") != 0 &&
	    (rc = cli_check_output(&cli_cmd_convert, argv[optind + 1], &in, 1)) != CLI_EXIT_OK)
		return rc;
	netshare_dataset *ds;
	netshare_status st = netshare_dataset_read(&ds, argv[optind], &rp);
	if (st < 0)
		return cli_fail(st);
	/* By default a capture stays what it was: raw IP stays raw IP, a headers-only
	 * capture (CAIDA's) stays headers-only, rather than becoming Ethernet frames with
	 * zero-filled payloads. */
	if (!link_given) {
		netshare_dataset_info info = { .struct_size = sizeof info };
		netshare_dataset_info_get(ds, &info);
		int raw = info.link_type == 12 || info.link_type == 14 || info.link_type == 101 ||
		          info.link_type == 228 || info.link_type == 229; /* DLT_RAW, IPV4, IPV6 */
		wp.link_type = raw ? NETSHARE_LINK_RAW : NETSHARE_LINK_ETHERNET;
	}
	if (!frames_given)
		wp.headers_only = cli_headers_only_trace(ds);
	st = netshare_dataset_write(ds, argv[optind + 1], &wp);
	size_t n = netshare_dataset_count(ds);
	netshare_dataset_free(ds);
	if (st < 0)
		return cli_fail(st);
	if (strcmp(argv[optind + 1], "-") != 0)
		fprintf(stderr, "%s: wrote %zu records to %s\n", cli_progname, n, argv[optind + 1]);
	return CLI_EXIT_OK;
}

const cli_command cli_cmd_convert = {
	.name = "convert",
	.summary = "convert a trace between pcap and the CSV formats",
	.usage =
		"Usage: netshare convert [OPTIONS] INPUT OUTPUT\n"
		"\n"
		"Read INPUT ('-' for standard input) and write its records to OUTPUT ('-' for\n"
		"standard output). The output format follows OUTPUT's name: .pcap writes pcap,\n"
		".pcapng pcapng, .csv the CSV schema the input was read in (NetShare's NetFlow\n"
		"or packet CSV for pcap input), .log a Zeek conn.log. OUTPUT appears only when\n"
		"complete. TCP packets get one sequence space per connection.\n"
		"\n"
		"Options:\n"
		CLI_READ_HELP
		"  -t, --to NAME          output format, overriding the name's extension\n"
		"  -k, --link TYPE        pcap link type: ethernet or raw (default: raw for a\n"
		"                         raw-IP capture, else ethernet)\n"
		"  -N, --ns               pcap with nanosecond timestamps (default microseconds)\n"
		"  -H, --headers-only     pcap with headers only, the length kept in orig_len\n"
		"                         (the default for a headers-only capture)\n"
		"      --full-frames      pcap with whole frames, payloads zero-filled\n"
		"  -h, --help             print this help\n",
	.run = run_convert,
};
