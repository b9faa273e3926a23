/* SPDX-License-Identifier: BSD-3-Clause */
/* Write-to-temporary-then-rename output files (see outfile.h). */
#include "outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/error.h"

netshare_status
netshare__outfile_open(netshare__outfile *o, const char *path)
{
	memset(o, 0, sizeof *o);
	o->fd = -1;
	o->buf = netshare__malloc(NETSHARE__OUTFILE_BUFFER);
	o->path = netshare__strdup(path);
	if (!o->buf || !o->path) {
		netshare__outfile_abort(o);
		return netshare__error_oom("output buffer");
	}
	if (strcmp(path, "-") == 0) {
		o->fd = STDOUT_FILENO;
		return NETSHARE_OK;
	}
	struct stat sb;
	if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		netshare__outfile_abort(o);
		return netshare__error(NETSHARE_EIO, "%s: is a directory", path);
	}
	size_t n = strlen(path) + 32;
	o->tmp = netshare__malloc(n);
	if (!o->tmp) {
		netshare__outfile_abort(o);
		return netshare__error_oom("output file name");
	}
	/* "<path>.tmp-<pid>-<k>" in the same directory; O_EXCL never reuses a name, and the
	 * mode 0666 is filtered by the umask like any new file. */
	static unsigned counter;
	for (int attempt = 0; attempt < 100; attempt++) {
		snprintf(o->tmp, n, "%s.tmp-%ld-%u", path, (long)getpid(),
		         __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED));
		o->fd = open(o->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		if (o->fd >= 0 || errno != EEXIST)
			break;
	}
	if (o->fd < 0) {
		netshare_status st = netshare__error_errno(NETSHARE_EIO, errno, "%s: cannot create "
		                                           "the output file", path);
		netshare__free(o->tmp);
		o->tmp = NULL;
		netshare__outfile_abort(o);
		return st;
	}
	return NETSHARE_OK;
}

static void
flush(netshare__outfile *o)
{
	size_t done = 0;
	while (o->status == NETSHARE_OK && done < o->len) {
		ssize_t w = write(o->fd, o->buf + done, o->len - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			o->status = netshare__error_errno(NETSHARE_EIO, w < 0 ? errno : ENOSPC,
			                                  "%s: write failed", o->path);
		else
			done += (size_t)w;
	}
	o->len = 0;
}

unsigned char *
netshare__outfile_reserve(netshare__outfile *o, size_t n)
{
	if (o->len + n > NETSHARE__OUTFILE_BUFFER)
		flush(o);
	if (o->status != NETSHARE_OK)
		return NULL;
	unsigned char *p = o->buf + o->len;
	o->len += n;
	return p;
}

void
netshare__outfile_write(netshare__outfile *o, const void *data, size_t n)
{
	const unsigned char *p = data;
	while (n > 0 && o->status == NETSHARE_OK) {
		size_t room = NETSHARE__OUTFILE_BUFFER - o->len;
		if (room == 0) {
			flush(o);
			continue;
		}
		size_t k = n < room ? n : room;
		memcpy(o->buf + o->len, p, k);
		o->len += k;
		p += k;
		n -= k;
	}
}

void
netshare__outfile_printf(netshare__outfile *o, const char *fmt, ...)
{
	char tmp[4096];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n > 0)
		netshare__outfile_write(o, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

netshare_status
netshare__outfile_commit(netshare__outfile *o)
{
	flush(o);
	netshare_status st = o->status;
	if (o->tmp) {
		if (close(o->fd) != 0 && st == NETSHARE_OK)
			st = netshare__error_errno(NETSHARE_EIO, errno, "%s: close failed", o->path);
		o->fd = -1;
		if (st == NETSHARE_OK && rename(o->tmp, o->path) != 0)
			st = netshare__error_errno(NETSHARE_EIO, errno, "%s: cannot rename the "
			                           "temporary file into place", o->path);
		if (st != NETSHARE_OK)
			unlink(o->tmp);
	}
	o->status = st;
	netshare__free(o->tmp);
	o->tmp = NULL;
	netshare__outfile_abort(o);
	return st;
}

void
netshare__outfile_abort(netshare__outfile *o)
{
	if (o->tmp) {
		if (o->fd >= 0)
			close(o->fd);
		unlink(o->tmp);
		netshare__free(o->tmp);
	}
	netshare__free(o->buf);
	netshare__free(o->path);
	o->buf = NULL;
	o->path = NULL;
	o->tmp = NULL;
	o->fd = -1;
}
