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

/*
 * Output structs the caller allocated and sized (netshare_summary, the _info structs,
 * netshare_metric, ...), one rule for all, so that each can gain fields: the caller's
 * struct_size may be smaller (an older caller: it gets the prefix it knows) or larger
 * (a newer one: the fields this library does not know read 0) than ours; it only has to
 * hold more than struct_size itself and stay below NETSHARE__PARAMS_MAX_SIZE.
 * netshare__check_out_struct: EABI (naming `what`) otherwise. netshare__out_struct_put:
 * copy our filled struct `full` (of our size) into the caller's, by that rule; the
 * caller's struct_size is left as it is.
 */
#define NETSHARE__OUT_STRUCT_MIN_SIZE (sizeof(size_t) + 1)
netshare_status netshare__check_out_struct(const void *out, const char *what);
void netshare__out_struct_put(void *out, const void *full, size_t size);

#endif
