/* SPDX-License-Identifier: BSD-3-Clause */
#include "options.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <netshare/dataset.h>
#include <netshare/encoder.h>
#include <netshare/sampler.h>

#include "cli.h"

static const struct {
	const char *name;
	int format;
} formats[] = {
	{ "auto", NETSHARE_FORMAT_AUTO }, { "pcap", NETSHARE_FORMAT_PCAP },
	{ "netflow-csv", NETSHARE_FORMAT_NETFLOW_CSV }, { "nfdump-csv", NETSHARE_FORMAT_NFDUMP_CSV },
	{ "zeek", NETSHARE_FORMAT_ZEEK_CONN }, { "mapped-csv", NETSHARE_FORMAT_MAPPED_CSV },
	{ "packet-csv", NETSHARE_FORMAT_PACKET_CSV }, { "pcapng", NETSHARE_FORMAT_PCAPNG },
	{ "zeek-csv", NETSHARE_FORMAT_ZEEK_CSV },
};

int
cli_parse_format(const char *name, int *format)
{
	for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
		if (strcmp(formats[i].name, name) == 0) {
			*format = formats[i].format;
			return 0;
		}
	return -1;
}

const char *
cli_format_name(int format)
{
	for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
		if (formats[i].format == format)
			return formats[i].name;
	return "unknown";
}

int
cli_parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	if (!*s || *s == '-' || *s == '+')
		return -1;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return -1;
	*out = v;
	return 0;
}

int
cli_stderr_is_tty(void)
{
	return isatty(STDERR_FILENO);
}

int
cli_read_option(const cli_command *cmd, int c, const char *arg, netshare_read_params *rp)
{
	switch (c) {
	case 'f':
		if (cli_parse_format(arg, &rp->format) < 0) {
			cli_usage_error(cmd, "unknown format '%s' (formats: %s)", arg, CLI_FORMAT_NAMES);
			return -1;
		}
		return 1;
	case 'P':
		rp->column_map = arg;
		return 1;
	case 'l':
		rp->lenient = 1;
		return 1;
	case 'x':
		rp->extra_columns = arg;
		return 1;
	case CLI_LABEL_OPT:
		rp->label_column = arg;
		return 1;
	case 'n':
		if (cli_parse_u64(arg, UINT64_MAX, &rp->max_records) < 0) {
			cli_usage_error(cmd, "--max-records needs a number, not '%s'", arg);
			return -1;
		}
		return 1;
	default:
		return 0;
	}
}

int
cli_headers_only_model(const netshare_model *m)
{
	netshare_encoder_info in = { .struct_size = sizeof in };
	return netshare_encoder_info_get(netshare_model_encoder(m), &in) == NETSHARE_OK &&
	       in.headers_only;
}

int
cli_headers_only_trace(const netshare_dataset *ds)
{
	netshare_dataset_info in = { .struct_size = sizeof in };
	return netshare_dataset_info_get(ds, &in) == NETSHARE_OK &&
	       in.kind == NETSHARE_RECORDS_PACKETS && in.records > 0 && in.truncated == in.records;
}

int
cli_sample_step_option(int c, netshare_sample_params *p)
{
	switch (c) {
	case 512 + 'r': netshare_sample_params_raw(p); return 1;
	case 512 + 'p': p->draw_partner_ports = 0; return 1;
	case 512 + 'l': p->cap_flow_lengths = 0; return 1;
	case 512 + 'f': p->payload_floors = 0; return 1;
	case 512 + 'c': p->enforce_flow_counts = 0; return 1;
	case 512 + 'k': p->repick_ports = 0; return 1;
	default: return 0;
	}
}

int
cli_sample_steps_changed(const netshare_sample_params *p)
{
	netshare_sample_params d;
	netshare_sample_params_init(&d);
	return p->draw_partner_ports != d.draw_partner_ports ||
	       p->cap_flow_lengths != d.cap_flow_lengths || p->payload_floors != d.payload_floors ||
	       p->enforce_flow_counts != d.enforce_flow_counts ||
	       p->repick_ports != d.repick_ports;
}
