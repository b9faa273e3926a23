// SPDX-License-Identifier: BSD-3-Clause
// Builds only if every public header is valid C++11 with C linkage.
#include <netshare/netshare.h>

int
main()
{
	return netshare_version_number() == NETSHARE_VERSION_NUMBER ? 0 : 1;
}
