/* SPDX-License-Identifier: BSD-3-Clause */
/* Internal: deliver a log line to the user's callback (see netshare_log_set). */
#ifndef NETSHARE_CORE_LOG_H
#define NETSHARE_CORE_LOG_H

#include "error.h"

/* Formats and delivers one line if a callback is installed and `level` passes its
 * filter; costs one mutex round trip otherwise. */
void netshare__log(int level, const char *fmt, ...) NETSHARE__PRINTF(2, 3);

#endif
