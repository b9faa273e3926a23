/* SPDX-License-Identifier: BSD-3-Clause */
/* Run-time version queries (the compile-time macros are in netshare/version.h). */
#include <netshare/common.h>

NETSHARE_API unsigned
netshare_version_number(void)
{
	return NETSHARE_VERSION_NUMBER;
}

NETSHARE_API const char *
netshare_version_string(void)
{
	return NETSHARE_VERSION_STRING;
}
