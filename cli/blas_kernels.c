/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * OpenBLAS picks its kernels when it loads, from the CPU model. Debian 12's OpenBLAS
 * (0.3.21) does not know recent CPU models and falls back to its oldest x86-64 kernels
 * ("Prescott"), which run sgemm at about half the speed the CPU's AVX2/AVX-512 allow:
 * training then takes twice as long (docs/DEVELOPING.md, "Training speed"). Its
 * documented override, OPENBLAS_CORETYPE, is read only at load time, so the commands
 * that train or generate set it from the CPU's features and re-execute themselves once.
 * A user who sets OPENBLAS_CORETYPE (or NETSHARE_KEEP_BLAS=1) keeps full control.
 */
#include "blas_kernels.h"

#include <stdlib.h>
#include <unistd.h>

void
cli_pick_blas_kernels(char **argv)
{
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
	if (getenv("OPENBLAS_CORETYPE") || getenv("NETSHARE_KEEP_BLAS"))
		return;
	const char *core = NULL;
	__builtin_cpu_init();
	if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
	    __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq"))
		core = "SkylakeX";
	else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
		core = "Haswell";
	if (!core || setenv("OPENBLAS_CORETYPE", core, 1) != 0)
		return;
	execv("/proc/self/exe", argv);
	/* Could not re-execute (no /proc): carry on with the kernels already loaded. */
	unsetenv("OPENBLAS_CORETYPE");
#else
	(void)argv;
#endif
}
