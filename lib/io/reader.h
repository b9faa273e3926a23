/* SPDX-License-Identifier: BSD-3-Clause */
/* Internal: the per-format readers behind netshare_dataset_read. */
#ifndef NETSHARE_IO_READER_H
#define NETSHARE_IO_READER_H

#include <stdio.h>

#include "core/progress.h"
#include "dataset.h"

/* Most records reserved up front from a file's size (64M records = 2 GiB of address
 * space, none of it resident until used); larger files grow past it as needed. */
#define NETSHARE__READ_RESERVE_MAX (64u << 20)

/* Records between two looks at the clock for progress reports. */
#define NETSHARE__READ_PROGRESS_EVERY 4096

typedef struct netshare__read_ctx {
	const char *name;                /* file name for messages ("-" shown as "stdin") */
	FILE *fp;                        /* positioned at the start of the file */
	const netshare_read_params *params;
	netshare__progress progress;
} netshare__read_ctx;

/* Each reads the whole of ctx->fp into ds (whose kind matches). The pcap reader takes
 * ownership of ctx->fp and sets it to NULL once libpcap accepted it. */
netshare_status netshare__read_pcap(netshare_dataset *ds, netshare__read_ctx *ctx);
netshare_status netshare__read_csv(netshare_dataset *ds, netshare__read_ctx *ctx, int format);

/* Guess the format from the first bytes of a file (NUL-terminated `head`, n bytes):
 * a netshare_format, or NETSHARE_FORMAT_AUTO if nothing matches. */
int netshare__detect_format(const unsigned char *head, size_t n);

#endif
