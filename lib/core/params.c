/* SPDX-License-Identifier: BSD-3-Clause */
/* Checking and copying struct_size-prefixed params structs (see params.h). */
#include "params.h"

#include <string.h>

#include "error.h"

netshare_status
netshare__params_copy(void *dst, size_t dst_size, size_t min_size, const void *src,
                      const char *what)
{
	if (!src)
		return netshare__error(NETSHARE_EINVAL, "%s is NULL", what);
	size_t caller_size;
	memcpy(&caller_size, src, sizeof caller_size);
	if (caller_size < min_size || caller_size > NETSHARE__PARAMS_MAX_SIZE)
		return netshare__error(NETSHARE_EABI,
			"%s: struct_size %zu is not a size this library knows (%zu..%zu); "
			"initialise the struct with its _params_init function",
			what, caller_size, min_size, dst_size);
	if (caller_size > dst_size) {
		const unsigned char *tail = (const unsigned char *)src + dst_size;
		for (size_t i = 0; i < caller_size - dst_size; i++)
			if (tail[i] != 0)
				return netshare__error(NETSHARE_EABI,
					"%s: the caller was built against a newer libnetshare "
					"and sets fields this version (%s) does not have "
					"(non-zero byte at offset %zu)",
					what, NETSHARE_VERSION_STRING, dst_size + i);
	}
	memcpy(dst, src, caller_size < dst_size ? caller_size : dst_size);
	memcpy(dst, &dst_size, sizeof dst_size);
	return NETSHARE_OK;
}

netshare_status
netshare__check_out_struct(const void *out, size_t size, const char *what)
{
	size_t caller;
	memcpy(&caller, out, sizeof caller);
	if (caller != size)
		return netshare__error(NETSHARE_EABI, "%s: struct_size %zu, expected %zu (set it to "
		                       "sizeof(%s))", what, caller, size, what);
	return NETSHARE_OK;
}

netshare_status
netshare__init_out_struct(void *out, size_t size, const char *what)
{
	netshare_status st = netshare__check_out_struct(out, size, what);
	if (st < 0)
		return st;
	memset(out, 0, size);
	memcpy(out, &size, sizeof size);
	return NETSHARE_OK;
}
