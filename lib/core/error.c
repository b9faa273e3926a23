/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Status descriptions and the per-thread last error message.
 *
 * The message lives in a fixed thread-local buffer, so recording an error never
 * allocates: an out-of-memory failure can always be reported (libgit2 keeps a static
 * "out of memory" error for the same reason).
 */
#include "error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* One row per status: the enum in common.h is the source of the values; this table
 * must name each of them (tests/core/test-error.c checks every code has a row). */
static const struct {
	int code;
	const char *name;
	const char *text;
} status_table[] = {
	{ NETSHARE_OK, "NETSHARE_OK", "success" },
	{ NETSHARE_EINTERNAL, "NETSHARE_EINTERNAL", "internal error" },
	{ NETSHARE_EINVAL, "NETSHARE_EINVAL", "invalid argument" },
	{ NETSHARE_ENOMEM, "NETSHARE_ENOMEM", "out of memory" },
	{ NETSHARE_EIO, "NETSHARE_EIO", "input/output error" },
	{ NETSHARE_EFORMAT, "NETSHARE_EFORMAT", "malformed input file" },
	{ NETSHARE_EUNSUPPORTED, "NETSHARE_EUNSUPPORTED", "unsupported input or feature" },
	{ NETSHARE_ECORRUPT, "NETSHARE_ECORRUPT", "corrupt or truncated model file" },
	{ NETSHARE_EVERSION, "NETSHARE_EVERSION", "incompatible model file version" },
	{ NETSHARE_ECANCELED, "NETSHARE_ECANCELED", "operation canceled by callback" },
	{ NETSHARE_EABI, "NETSHARE_EABI", "params struct size mismatch (call the _params_init function)" },
	{ NETSHARE_ESTATE, "NETSHARE_ESTATE", "operation not valid in this state" },
	{ NETSHARE_ENUMERIC, "NETSHARE_ENUMERIC", "numeric failure (NaN or infinity)" },
};

static _Thread_local char last_error[NETSHARE__ERROR_MAX];

static int
find_status(int status)
{
	for (size_t i = 0; i < sizeof status_table / sizeof status_table[0]; i++)
		if (status_table[i].code == status)
			return (int)i;
	return -1;
}

NETSHARE_API const char *
netshare_strerror(int status)
{
	int i = find_status(status);
	return i < 0 ? "unknown status" : status_table[i].text;
}

NETSHARE_API const char *
netshare_status_name(int status)
{
	int i = find_status(status);
	return i < 0 ? "NETSHARE_UNKNOWN" : status_table[i].name;
}

NETSHARE_API const char *
netshare_last_error(void)
{
	return last_error;
}

NETSHARE_API void
netshare_clear_error(void)
{
	last_error[0] = '\0';
}

/* vsnprintf into the buffer, marking a cut message with "...". */
static void
format_into(char *buf, size_t size, const char *fmt, va_list ap)
{
	int n = vsnprintf(buf, size, fmt, ap);
	if (n < 0) {
		snprintf(buf, size, "(unformattable error message)");
	} else if ((size_t)n >= size && size > 4) {
		memcpy(buf + size - 4, "...", 4);
	}
}

netshare_status
netshare__error(netshare_status status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	format_into(last_error, sizeof last_error, fmt, ap);
	va_end(ap);
	return status;
}

netshare_status
netshare__error_errno(netshare_status status, int errnum, const char *fmt, ...)
{
	char msg[NETSHARE__ERROR_MAX];
	va_list ap;
	va_start(ap, fmt);
	format_into(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return netshare__error(status, "%s: %s", msg, strerror(errnum));
}

netshare_status
netshare__error_oom(const char *what)
{
	static const char oom[] = "out of memory";
	if (what && *what)
		snprintf(last_error, sizeof last_error, "%s: %s", what, oom);
	else
		memcpy(last_error, oom, sizeof oom);
	return NETSHARE_ENOMEM;
}

netshare_status
netshare__error_prefix(netshare_status status, const char *fmt, ...)
{
	char prefix[NETSHARE__ERROR_MAX];
	char old[NETSHARE__ERROR_MAX];
	va_list ap;
	va_start(ap, fmt);
	format_into(prefix, sizeof prefix, fmt, ap);
	va_end(ap);
	memcpy(old, last_error, sizeof old);
	return netshare__error(status, "%s: %s", prefix, old);
}
