/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * 00-version: the smallest libnetshare program.
 *
 * Checks that the library found at run time is compatible with the headers the program
 * was compiled against (same major version, not older), the way any program that links
 * libnetshare dynamically should at startup.
 *
 *   cc 00-version.c $(pkg-config --cflags --libs netshare) -o 00-version
 */
#include <stdio.h>

#include <netshare/netshare.h>

int
main(void)
{
	unsigned runtime = netshare_version_number();
	printf("libnetshare %s (compiled against headers %s)\n", netshare_version_string(),
	       NETSHARE_VERSION_STRING);
	if (runtime / 10000 != NETSHARE_VERSION_MAJOR || runtime < NETSHARE_VERSION_NUMBER) {
		fprintf(stderr, "00-version: library %u is not compatible with headers %d\n",
		        runtime, NETSHARE_VERSION_NUMBER);
		return 1;
	}
	return 0;
}
