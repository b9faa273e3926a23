/* SPDX-License-Identifier: BSD-3-Clause */
/* Internal: accepting a caller's struct_size-prefixed params struct. */
#ifndef NETSHARE_CORE_PARAMS_H
#define NETSHARE_CORE_PARAMS_H

#include <netshare/common.h>

/* A struct_size above this is rejected outright: no params struct will ever be this
 * large, so such a value is garbage (an uninitialised struct), not a newer caller. */
#define NETSHARE__PARAMS_MAX_SIZE 4096

/*
 * Copy the caller's params `src` into `dst` (of our size `dst_size`, already filled with
 * defaults), following the rules of xkbcommon's versioned structs:
 *  - src NULL: EINVAL.
 *  - src->struct_size < min_size (the size of the first released version) or above
 *    NETSHARE__PARAMS_MAX_SIZE: EABI (the caller did not call the _params_init function).
 *  - src->struct_size > dst_size (caller built against newer headers): accepted only if
 *    every byte we do not know is zero, i.e. the caller left the new fields at their
 *    defaults; otherwise EABI.
 *  - Copies min(struct_size, dst_size) bytes; fields the caller does not have keep
 *    their defaults. dst's struct_size is set to dst_size.
 * `what` names the struct in the error message, e.g. "netshare_read_params".
 */
netshare_status netshare__params_copy(void *dst, size_t dst_size, size_t min_size,
                                      const void *src, const char *what);

/* An output struct the caller allocated and sized (netshare_summary, _info, ...): EABI
 * unless its struct_size is exactly this library's. `what` names it in the message. */
netshare_status netshare__check_out_struct(const void *out, size_t size, const char *what);

/* The same check, then the struct is zeroed and its struct_size set, ready to fill. */
netshare_status netshare__init_out_struct(void *out, size_t size, const char *what);

#endif
