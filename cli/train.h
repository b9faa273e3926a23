/* SPDX-License-Identifier: BSD-3-Clause */
/* Options and steps shared by `netshare train` and `netshare run`. */
#ifndef NETSHARE_CLI_TRAIN_H
#define NETSHARE_CLI_TRAIN_H

#include <netshare/netshare.h>

#include "cli.h"
#include "progress_bar.h"

typedef struct cli_train_opts {
	netshare_encoder_params ep;
	netshare_model_params mp;
	int quiet;
	uint32_t checkpoint_every;  /* iterations between checkpoints, when checkpointing */
	const char *public_path;    /* --public (private.h) */
	const netshare_dataset *public_ds; /* read from it: the encoder's data, pretraining */
	int mpi;                    /* train over the MPI job's ranks (mpi_job.h) */
	int data_parallel;          /* --data-parallel: chunk 0 over all ranks */
} cli_train_opts;

/* Long options (codes above 255 have no short form) and short ones. */
#define CLI_TRAIN_LONGOPTS                                        \
	{ "chunks", required_argument, NULL, 'k' },               \
	{ "iterations", required_argument, NULL, 'I' },           \
	{ "sample-len", required_argument, NULL, 'L' },           \
	{ "threads", required_argument, NULL, 't' },              \
	{ "batch-size", required_argument, NULL, 256 + 'B' },     \
	{ "max-flow-len", required_argument, NULL, 256 + 'M' },   \
	{ "port-classes", required_argument, NULL, 256 + 'P' },   \
	{ "length-classes", required_argument, NULL, 256 + 'l' }, \
	{ "disc-embed", required_argument, NULL, 256 + 'E' },     \
	{ "ema-decay", required_argument, NULL, 256 + 'A' },      \
	{ "feature-condition", required_argument, NULL, 256 + 'F' }, \
	{ "flow-end", required_argument, NULL, 256 + 'f' },       \
	{ "condition-paths", required_argument, NULL, 256 + 'G' }, \
	{ "adam-betas", required_argument, NULL, 256 + 'b' },     \
	{ "seed", required_argument, NULL, 's' },                 \
	{ "quiet", no_argument, NULL, 'q' }
#define CLI_TRAIN_SHORTOPTS "k:I:L:t:s:q"
#define CLI_TRAIN_HELP                                                                    \
	"  -k, --chunks K         time chunks, 1..64 (default: one per 1000 flows, 1..10)\n"  \
	"  -I, --iterations N     training iterations of chunk 0 (default 2000); the other\n" \
	"                         chunks warm-start from it and train N/4\n"                  \
	"  -L, --sample-len L     records the generator emits per step (default: 10 for\n"    \
	"                         packets, 1 for flow records)\n"                             \
	"      --max-flow-len N   records kept per flow and chunk (default: the longest)\n"   \
	"      --port-classes N   frequent ports per role learned as categories, 0..256\n"    \
	"                         (default 64; 0: word2vec vectors only, as NetShare)\n"      \
	"      --length-classes N frequent packet lengths learned as categories, 0..64\n"    \
	"                         (default 16; 0: a continuous length only, as NetShare)\n"  \
	"      --disc-embed N     floats the discriminator embeds each record into, 0..256\n" \
	"                         (default auto: 8 for long flows of many floats, as caida's;\n"\
	"                         0: NetShare's discriminator on the whole flow)\n"          \
	"      --ema-decay D      generate from the generator's weights averaged over the\n"  \
	"                         iterations with this decay, 0..0.999999, such as 0.99\n"   \
	"                         (default 0: from the last weights, as NetShare)\n"         \
	"      --feature-condition C  what the feature generator trains conditioned on:\n"   \
	"                         generated (default: the attribute generator's output, as\n"\
	"                         NetShare) or real (training flows' attributes; not\n"    \
	"                         with --epsilon)\n"                                       \
	"      --flow-end E       how a flow's end is read off the generator's flags:\n"     \
	"                         larger (the first record whose \"last\" is the larger,\n"  \
	"                         as NetShare), drawn (each record ends the flow with its\n" \
	"                         \"last\" probability, in training too) or auto (default:\n"\
	"                         larger when most flows share one length of 2+ records)\n" \
	"      --condition-paths P  paths from a flow's service to its records beside the\n" \
	"                         generator's input: state (the LSTM's initial state),\n"  \
	"                         output (an offset of every record), state,output, or\n"  \
	"                         none (default, as NetShare)\n"                           \
	"      --batch-size B     flows per training batch (default 100)\n"                   \
	"      --adam-betas B1,B2 the optimiser's moment decays, each in [0, 1)\n"           \
	"                         (default 0,0.9 as WGAN-GP; NetShare: 0.5,0.999)\n"         \
	"  -t, --threads N        threads (default: all cores)\n"                             \
	"  -s, --seed S           seed of every random draw (default 1)\n"                    \
	"  -q, --quiet            no progress output\n"

/* Default iterations between checkpoints of `netshare train`. */
#define CLI_CHECKPOINT_EVERY 100

void cli_train_opts_init(cli_train_opts *o);

/* 1 if c was a training option (applied), 0 if not, -1 after a usage error. */
int cli_train_option(const cli_command *cmd, int c, const char *arg, cli_train_opts *o);

/* The same for the read options and the training options together (train, run). */
int cli_read_or_train_option(const cli_command *cmd, int c, const char *arg,
                             netshare_read_params *rp, cli_train_opts *o);

/* Fit the encoder on ds (saying how many chunks and why), create the model, and train
 * it with progress on stderr; checkpoints go to `checkpoint` when not NULL. With
 * o->public_ds (DP), the encoder is fitted on that and the model pretrains on it first.
 * Returns an exit code; *out is the trained model on success. */
int cli_train(cli_train_opts *o, const netshare_dataset *ds, const char *checkpoint,
              netshare_model **out);

/* Train a model (new or loaded from a checkpoint) with progress on stderr; exit code. */
int cli_train_model(netshare_model *m, const cli_train_opts *o, const netshare_dataset *ds,
                    const char *checkpoint);

/* Read a trace with progress on a terminal; exit code. */
int cli_read_trace(const char *path, netshare_read_params *rp, int quiet,
                   netshare_dataset **out);

#endif
