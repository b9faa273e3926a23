/* SPDX-License-Identifier: BSD-3-Clause */
/* Internal: recording the thread-local last error. */
#ifndef NETSHARE_CORE_ERROR_H
#define NETSHARE_CORE_ERROR_H

#include <netshare/common.h>

/* Longest message kept; longer ones are cut (with "..."), never allocated. */
#define NETSHARE__ERROR_MAX 1024

#if defined(__GNUC__)
#  define NETSHARE__PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#  define NETSHARE__PRINTF(f, a)
#endif

/* Record a message for the calling thread and return `status`, so failing paths read
 * `return netshare__error(NETSHARE_EINVAL, "sample_len must be >= 1 (got %d)", n);`. */
netshare_status netshare__error(netshare_status status, const char *fmt, ...)
	NETSHARE__PRINTF(2, 3);

/* Same, appending ": <strerror(errnum)>" (for failed system calls). */
netshare_status netshare__error_errno(netshare_status status, int errnum, const char *fmt, ...)
	NETSHARE__PRINTF(3, 4);

/* Out of memory: records the static message "out of memory" + what, returns ENOMEM.
 * Never allocates. */
netshare_status netshare__error_oom(const char *what);

/* Prefix the current message with "prefix: " (adds context on the way up: the file
 * name around a parser's message). Returns `status` unchanged. */
netshare_status netshare__error_prefix(netshare_status status, const char *fmt, ...)
	NETSHARE__PRINTF(2, 3);

#endif
