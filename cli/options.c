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

#define CHOICES(option, names, table) \
	{ option, names, table, sizeof table / sizeof table[0] }

static const cli_choice feature_conditions[] = {
	{ "generated", NETSHARE_CONDITION_GENERATED },
	{ "real", NETSHARE_CONDITION_REAL },
};
const cli_choices cli_feature_conditions =
	CHOICES("feature-condition", "real or generated", feature_conditions);

static const cli_choice flow_ends[] = {
	{ "auto", NETSHARE_FLOW_END_AUTO },
	{ "larger", NETSHARE_FLOW_END_LARGER },
	{ "drawn", NETSHARE_FLOW_END_DRAWN },
};
const cli_choices cli_flow_ends = CHOICES("flow-end", "auto, larger or drawn", flow_ends);

static const cli_choice condition_paths[] = {
	{ "none", 0 },
	{ "state", NETSHARE_CONDITION_PATH_STATE },
	{ "output", NETSHARE_CONDITION_PATH_OUTPUT },
	{ "state,output", NETSHARE_CONDITION_PATH_STATE | NETSHARE_CONDITION_PATH_OUTPUT },
	{ "output,state", NETSHARE_CONDITION_PATH_STATE | NETSHARE_CONDITION_PATH_OUTPUT },
};
const cli_choices cli_condition_paths =
	CHOICES("condition-paths", "none, state, output or state,output", condition_paths);

int
cli_choice_parse(const cli_choices *c, const char *name, int *value)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(name, c->all[i].name) == 0) {
			*value = c->all[i].value;
			return 0;
		}
	return -1;
}

const char *
cli_choice_name(const cli_choices *c, int value)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->all[i].value == value)
			return c->all[i].name;
	return "?";
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
