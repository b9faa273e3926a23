/* SPDX-License-Identifier: BSD-3-Clause */
/* Builds only if every public header is valid strict C99 (-std=c99 -pedantic -Werror). */
#include <netshare/netshare.h>

int
main(void)
{
	return netshare_version_number() == NETSHARE_VERSION_NUMBER ? 0 : 1;
}
