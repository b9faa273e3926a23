/* SPDX-License-Identifier: BSD-3-Clause */
/* Internal: 128-bit integers (GCC/Clang) for exact products of 64-bit values, e.g. time
 * offsets times a chunk count, and exact decimal parsing. `__extension__` keeps
 * -pedantic quiet. */
#ifndef NETSHARE_CORE_INT128_H
#define NETSHARE_CORE_INT128_H

__extension__ typedef __int128 netshare__i128;
__extension__ typedef unsigned __int128 netshare__u128;

#endif
