/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal: an output file that appears only when complete.
 *
 * Data goes to a temporary file in the destination's directory (same filesystem, so the
 * final rename is atomic) and is renamed over the destination by commit. abort, or any
 * failed write, removes the temporary file: the user's old file is never half-replaced.
 * "-" writes to standard output directly.
 */
#ifndef NETSHARE_IO_OUTFILE_H
#define NETSHARE_IO_OUTFILE_H

#include <stddef.h>

#include <netshare/common.h>

/* Bytes buffered before a write(2). */
#define NETSHARE__OUTFILE_BUFFER (1u << 20)

typedef struct netshare__outfile {
	char *path;       /* destination */
	char *tmp;        /* temporary name; NULL for stdout */
	int fd;
	unsigned char *buf;
	size_t len;
	netshare_status status; /* first failure, sticky */
} netshare__outfile;

netshare_status netshare__outfile_open(netshare__outfile *o, const char *path);
/* Buffered append; failures are remembered and reported by commit. */
void netshare__outfile_write(netshare__outfile *o, const void *data, size_t n);
/* Reserve n bytes at the end of the buffer and return them (n <= buffer size), or NULL
 * after a failure. The caller fills all n bytes. */
unsigned char *netshare__outfile_reserve(netshare__outfile *o, size_t n);
/* printf-style append (one formatted item at most 4 KiB). */
void netshare__outfile_printf(netshare__outfile *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Flush, close and rename into place; on any failure remove the temporary file. */
netshare_status netshare__outfile_commit(netshare__outfile *o);
/* Close and remove the temporary file (the destination is untouched). */
void netshare__outfile_abort(netshare__outfile *o);

#endif
