/* SPDX-License-Identifier: BSD-3-Clause */
/* `netshare train`'s differential privacy options: --epsilon, --delta, --clip, --public,
 * --public-iterations, --window (netshare_model_pretrain(3), docs/PRIVACY.md). */
#ifndef NETSHARE_CLI_PRIVATE_H
#define NETSHARE_CLI_PRIVATE_H

#include "train.h"

#define CLI_PRIVATE_LONGOPTS                                          \
	{ "epsilon", required_argument, NULL, 256 + 'e' },            \
	{ "delta", required_argument, NULL, 256 + 'd' },              \
	{ "clip", required_argument, NULL, 256 + 'c' },               \
	{ "public", required_argument, NULL, 256 + 'p' },             \
	{ "public-iterations", required_argument, NULL, 256 + 'i' },  \
	{ "window", required_argument, NULL, 256 + 'w' }
#define CLI_PRIVATE_HELP                                                                   \
	"Differential privacy (per flow; all of them together):\n"                          \
	"      --epsilon E        train so that the model file is (E, delta)-DP: DP-SGD on\n"  \
	"                         both discriminators, noised counts per chunk, one RDP\n"     \
	"                         accountant; 'inf': the same pipeline without noise\n"        \
	"      --delta D          default 1e-5\n"                                              \
	"      --clip C           per-example gradient norm bound (default 1)\n"               \
	"      --public FILE      public trace: the encoder is fitted on it and the model\n"   \
	"                         pretrains on it without DP\n"                                \
	"      --public-iterations N  pretraining iterations (default: --iterations)\n"       \
	"      --window START,END the private trace's capture window, seconds since the\n"    \
	"                         epoch (its own first and last record times are private)\n"

/* 1 if c was one of them (applied to o), 0 if not, -1 after a usage error. */
int cli_private_option(const cli_command *cmd, int c, const char *arg, cli_train_opts *o);

/* After parsing: EXIT_OK, or a usage error if the options do not go together. */
int cli_private_check(const cli_command *cmd, const cli_train_opts *o);

/* Train on the public dataset first (progress on stderr); exit code. */
int cli_pretrain(netshare_model *m, const cli_train_opts *o, const netshare_dataset *pub);

/* Say on stderr what privacy the trained model has. */
void cli_print_privacy(const netshare_model *m);

#endif
