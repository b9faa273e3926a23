/* SPDX-License-Identifier: BSD-3-Clause */
#include "progress_bar.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "options.h"

/* Redraws per second on a terminal. */
#define DRAWS_PER_S 5.0

double
cli_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void
cli_progress_init(cli_progress *p, int quiet)
{
	memset(p, 0, sizeof *p);
	p->tty = cli_stderr_is_tty();
	p->quiet = quiet;
	p->started = cli_now();
	p->last_decile = -1;
}

void
cli_progress_plan(cli_progress *p, int chunks, uint64_t it0, uint64_t it_rest,
                  const uint64_t *done)
{
	p->chunks = chunks < NETSHARE_MAX_CHUNKS ? chunks : NETSHARE_MAX_CHUNKS;
	p->done_at_start = 0;
	for (int c = 0; c < p->chunks; c++) {
		p->target[c] = c ? it_rest : it0;
		p->done[c] = done ? done[c] : 0;
		p->done_at_start += p->done[c];
	}
	p->started = cli_now();
}

static void
duration(char *buf, size_t size, double s)
{
	if (!isfinite(s) || s < 0)
		snprintf(buf, size, "?");
	else if (s < 60)
		snprintf(buf, size, "%.0fs", s);
	else if (s < 3600)
		snprintf(buf, size, "%dm%02ds", (int)s / 60, (int)s % 60);
	else
		snprintf(buf, size, "%dh%02dm", (int)s / 3600, (int)s % 3600 / 60);
}

static void
draw_training(cli_progress *p, const netshare_progress *info, double now)
{
	uint64_t total = 0, done = 0;
	for (int c = 0; c < p->chunks; c++) {
		total += p->target[c];
		done += p->done[c] < p->target[c] ? p->done[c] : p->target[c];
	}
	double frac = total ? (double)done / (double)total : 1.0;
	double rate = (double)(done - p->done_at_start) / (now - p->started);
	char eta[16], spent[16];
	duration(eta, sizeof eta, rate > 0 ? (double)(total - done) / rate : NAN);
	duration(spent, sizeof spent, now - p->started);
	if (p->tty) {
		char bar[31];
		int filled = (int)(frac * 30);
		for (int i = 0; i < 30; i++)
			bar[i] = i < filled ? '#' : '.';
		bar[30] = '\0';
		fprintf(stderr, "\rtrain [%s] %3.0f%%  chunk %d/%d  it %" PRIu64 "/%" PRIu64
		        "  W %.3g  ETA %s   ", bar, 100 * frac, info->chunk + 1, p->chunks,
		        info->done, p->target[info->chunk], info->wasserstein, eta);
		p->line_open = 1;
		return;
	}
	int decile = (int)(frac * 10);
	if (decile == p->last_decile)
		return;
	p->last_decile = decile;
	fprintf(stderr, "train: %3.0f%% (%" PRIu64 "/%" PRIu64 " iterations, %s, ETA %s)\n",
	        100 * frac, done, total, spent, eta);
}

int
cli_progress_fn(const netshare_progress *info, void *user)
{
	cli_progress *p = user;
	if (p->quiet)
		return 0;
	int training = strcmp(info->stage, "train") == 0 && p->chunks;
	if (training && info->chunk >= 0 && info->chunk < p->chunks)
		p->done[info->chunk] = info->done;
	double now = cli_now();
	int last = info->total && info->done >= info->total;
	if (!last && now - p->last_drawn < 1.0 / DRAWS_PER_S)
		return 0;
	p->last_drawn = now;
	if (training) {
		draw_training(p, info, now);
	} else if (p->tty) {
		fprintf(stderr, "\r%s: %" PRIu64, info->stage, info->done);
		if (info->total)
			fprintf(stderr, "/%" PRIu64, info->total);
		fprintf(stderr, "   ");
		p->line_open = 1;
	}
	return 0;
}

void
cli_progress_end(cli_progress *p)
{
	if (p->line_open)
		fputc('\n', stderr);
	p->line_open = 0;
}
