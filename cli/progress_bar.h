/* SPDX-License-Identifier: BSD-3-Clause */
/* Progress of long CLI work: a redrawn bar with ETA on a terminal, plain lines otherwise. */
#ifndef NETSHARE_CLI_PROGRESS_BAR_H
#define NETSHARE_CLI_PROGRESS_BAR_H

#include <netshare/netshare.h>

typedef struct cli_progress {
	int tty, quiet;
	int chunks;                                   /* training plan, 0 if none */
	uint64_t target[NETSHARE_MAX_CHUNKS];         /* iterations each chunk trains to */
	uint64_t done[NETSHARE_MAX_CHUNKS];           /* iterations each chunk has done */
	uint64_t done_at_start;                       /* of a resumed run: not part of the rate */
	double started, last_drawn;
	int last_decile;                              /* plain mode: last 10% step printed */
	int line_open;                                /* a bar waits for its newline */
} cli_progress;

/* quiet: draw nothing. */
void cli_progress_init(cli_progress *p, int quiet);

/* Training of `chunks` chunks: chunk 0 to it0 iterations, the others to it_rest; `done`
 * holds iterations already done per chunk (resume), or NULL. */
void cli_progress_plan(cli_progress *p, int chunks, uint64_t it0, uint64_t it_rest,
                       const uint64_t *done);

/* A netshare_progress_fn; user is the cli_progress. Never cancels. */
int cli_progress_fn(const netshare_progress *info, void *user);

/* Finish the bar's line, if one is open. */
void cli_progress_end(cli_progress *p);

/* Seconds on a monotonic clock. */
double cli_now(void);

#endif
