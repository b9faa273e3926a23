/* SPDX-License-Identifier: BSD-3-Clause */
/* Option values shared by several CLI commands. */
#ifndef NETSHARE_CLI_OPTIONS_H
#define NETSHARE_CLI_OPTIONS_H

#include <stdint.h>

#include <netshare/dataset.h>
#include <netshare/model.h>

/* Names of netshare_format values as the CLI spells them; returns 0 or -1 if unknown. */
int cli_parse_format(const char *name, int *format);
const char *cli_format_name(int format);
/* The list of names, for help and error messages (in two pieces: help wraps it). */
#define CLI_FORMAT_NAMES_1 "pcap, pcapng, netflow-csv, nfdump-csv, zeek,"
#define CLI_FORMAT_NAMES_2 "zeek-csv, mapped-csv, packet-csv"
#define CLI_FORMAT_NAMES "auto, " CLI_FORMAT_NAMES_1 " " CLI_FORMAT_NAMES_2

/* The options every command that reads a trace accepts, for its getopt_long table and
 * short-option string, and their handler: returns 1 if `c` was one of them (applied to
 * rp), 0 if not, or -1 after printing a usage error for `cmd`. */
#define CLI_READ_LONGOPTS                                     \
	{ "format", required_argument, NULL, 'f' },           \
	{ "map", required_argument, NULL, 'P' },              \
	{ "lenient", no_argument, NULL, 'l' },                \
	{ "max-records", required_argument, NULL, 'n' },      \
	{ "extra", required_argument, NULL, 'x' },           \
	{ "label", required_argument, NULL, CLI_LABEL_OPT }
/* --map has no short form: -m is the model file of the commands that take one. */
#define CLI_LABEL_OPT (512 + 'L')
#define CLI_READ_SHORTOPTS "f:ln:x:"
#define CLI_READ_HELP                                                                     \
	"  -f, --format NAME      input format: auto (the default: detected from the\n"     \
	"                         content), " CLI_FORMAT_NAMES_1 "\n"                      \
	"                         " CLI_FORMAT_NAMES_2 "\n"                                  \
	"      --map MAP          column map for other CSVs, e.g.\n"                         \
	"                         'srcip=sa,dstip=da,srcport=sp,dstport=dp,proto=pr,ts=start'\n" \
	"  -l, --lenient          skip and count bad CSV rows and a damaged pcap tail\n"    \
	"  -n, --max-records N    stop reading after N records\n"                           \
	"  -x, --extra COLS       more flow-CSV columns to keep: 'name:num,name:cat,...'\n"  \
	"      --label COL        the flow label is column COL (e.g. detailed-label)\n"
struct cli_command;
struct netshare_read_params;
int cli_read_option(const struct cli_command *cmd, int c, const char *arg,
                    struct netshare_read_params *rp);

/* The named choices among netshare_model_params' fields, one table each for `train` to
 * parse and `inspect` to show: `names` lists them for help and usage errors. */
typedef struct cli_choice {
	const char *name;
	int value;
} cli_choice;
typedef struct cli_choices {
	const char *option; /* the train option, without its dashes */
	const char *names;
	const cli_choice *all; /* a value's first entry is the name it is shown by */
	size_t n;
} cli_choices;
extern const cli_choices cli_feature_conditions, cli_flow_ends, cli_condition_paths;
/* name's value into *value: 0, or -1 if it is none of them. */
int cli_choice_parse(const cli_choices *c, const char *name, int *value);
/* value's name, or "?" for a value without one. */
const char *cli_choice_name(const cli_choices *c, int value);

/* A non-negative integer option; 0 or -1 (not a number, or above max). */
int cli_parse_u64(const char *s, uint64_t max, uint64_t *out);

/* Whether a pcap written from this model (or this real trace, for its baseline) should
 * hold headers only by default: its trace was a headers-only capture (every record from a
 * truncated frame), so zero-filled payloads would be no closer to it and would look
 * malformed to application dissectors. */
int cli_headers_only_model(const netshare_model *m);
int cli_headers_only_trace(const netshare_dataset *ds);

/* The baselines `generate --baseline` and `run`/`eval` know. */
#define CLI_BASELINE_NAMES "marginal, service-marginal"

/* --raw and --no-STEP: the sampling steps that use statistics of the real trace
 * (netshare_sample_params); codes above 511 have no short form. */
#define CLI_SAMPLE_STEP_LONGOPTS                                        \
	{ "raw", no_argument, NULL, 512 + 'r' },                        \
	{ "no-partner-ports", no_argument, NULL, 512 + 'p' },           \
	{ "no-length-caps", no_argument, NULL, 512 + 'l' },             \
	{ "no-payload-floors", no_argument, NULL, 512 + 'f' },          \
	{ "no-flow-counts", no_argument, NULL, 512 + 'c' },             \
	{ "no-repick", no_argument, NULL, 512 + 'k' }
#define CLI_SAMPLE_STEP_HELP                                                               \
	"      --raw              all of these steps off (GAN-only)\n"                        \
	"      --no-partner-ports other ports: the port head's nearest word, not a draw\n"   \
	"                         among the ports real flows used with the service\n"         \
	"      --no-length-caps   no cut at the service's longest real flow\n"               \
	"      --no-payload-floors  no per-port smallest payload\n"                          \
	"      --no-flow-counts   NetShare's flow counts per chunk (see netshare(1))\n"       \
	"      --no-repick        drop a repeated 5-tuple instead of a new port\n"
struct netshare_sample_params;
/* 1 if c was one of them (applied to p), 0 if not. */
int cli_sample_step_option(int c, struct netshare_sample_params *p);
/* Whether any step differs from its default. */
int cli_sample_steps_changed(const struct netshare_sample_params *p);

/* Whether progress should be drawn: stderr is a terminal. */
int cli_stderr_is_tty(void);

#endif
