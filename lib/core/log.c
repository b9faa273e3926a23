/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The process-wide log callback.
 *
 * A library must not print on its own (it runs inside other people's tools), so the
 * default is silence; the CLI installs a callback that writes to stderr.
 */
#include "log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static netshare_log_fn log_fn;
static void *log_user;
static int log_max_level = NETSHARE_LOG_WARN;

NETSHARE_API netshare_status
netshare_log_set(netshare_log_fn fn, int max_level, void *user)
{
	if (max_level < NETSHARE_LOG_ERROR || max_level > NETSHARE_LOG_DEBUG)
		return netshare__error(NETSHARE_EINVAL,
			"netshare_log_set: max_level %d is not a netshare_log_level (%d..%d)",
			max_level, NETSHARE_LOG_ERROR, NETSHARE_LOG_DEBUG);
	pthread_mutex_lock(&log_lock);
	log_fn = fn;
	log_user = user;
	log_max_level = max_level;
	pthread_mutex_unlock(&log_lock);
	return NETSHARE_OK;
}

void
netshare__log(int level, const char *fmt, ...)
{
	pthread_mutex_lock(&log_lock);
	netshare_log_fn fn = log_fn;
	void *user = log_user;
	int max_level = log_max_level;
	pthread_mutex_unlock(&log_lock);
	if (!fn || level > max_level)
		return;

	char line[NETSHARE__ERROR_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	fn(level, line, user);
}
