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
netshare__check_out_struct(const void *out, const char *what)
{
	size_t caller;
	memcpy(&caller, out, sizeof caller);
	if (caller < NETSHARE__OUT_STRUCT_MIN_SIZE || caller > NETSHARE__PARAMS_MAX_SIZE)
		return netshare__error(NETSHARE_EABI, "%s: struct_size %zu is not valid (set it to "
		                       "sizeof(%s))", what, caller, what);
	return NETSHARE_OK;
}

void
netshare__out_struct_put(void *out, const void *full, size_t size)
{
	size_t caller;
	memcpy(&caller, out, sizeof caller);
	size_t n = caller < size ? caller : size;
	memcpy((char *)out + sizeof caller, (const char *)full + sizeof caller, n - sizeof caller);
	if (caller > size)
		memset((char *)out + size, 0, caller - size);
}
