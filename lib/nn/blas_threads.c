/* SPDX-License-Identifier: BSD-3-Clause */
#include "blas_threads.h"

#include <pthread.h>
#include <stdio.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cblas.h>

#include "core/error.h"

/* Address space OpenBLAS maps per thread that runs a level-3 product: BUFFER_SIZE
 * (128 MiB on x86_64 in Debian's 0.3.21) plus its alignment pages. */
#define OPENBLAS_BUFFER_BYTES ((double)(128u << 20) + 2 * 65536.0)
/* And glibc's malloc arena, which a thread's first allocation may reserve (64 MiB on
 * 64-bit): with it uncounted, a limit just above the check still spun in OpenBLAS. */
#define THREAD_ARENA_BYTES ((double)(64u << 20))

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int open_sections;
static int saved_threads;
static unsigned buffers_held; /* most threads that have run products at once so far */

void
netshare__blas_single_begin(void)
{
	pthread_mutex_lock(&lock);
	if (open_sections++ == 0) {
		saved_threads = openblas_get_num_threads();
		openblas_set_num_threads(1);
	}
	pthread_mutex_unlock(&lock);
}

void
netshare__blas_single_end(void)
{
	pthread_mutex_lock(&lock);
	if (open_sections > 0 && --open_sections == 0)
		openblas_set_num_threads(saved_threads);
	pthread_mutex_unlock(&lock);
}

/* The process's mapped address space in bytes, or -1 if unknown. */
static double
mapped_bytes(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	unsigned long pages;
	int ok = f && fscanf(f, "%lu", &pages) == 1;
	if (f)
		fclose(f);
	long page = sysconf(_SC_PAGESIZE);
	return ok && page > 0 ? (double)pages * (double)page : -1;
}

netshare_status
netshare__blas_reserve(unsigned callers, const char *what)
{
	struct rlimit lim;
	if (getrlimit(RLIMIT_AS, &lim) != 0 || lim.rlim_cur == RLIM_INFINITY)
		return NETSHARE_OK;
	pthread_mutex_lock(&lock);
	int blas = open_sections ? 1 : openblas_get_num_threads();
	unsigned threads = callers + (unsigned)(blas > 1 ? blas - 1 : 0);
	unsigned fresh = threads > buffers_held ? threads - buffers_held : 0;
	double have = mapped_bytes(), need = fresh * (OPENBLAS_BUFFER_BYTES + THREAD_ARENA_BYTES);
	netshare_status st = NETSHARE_OK;
	if (fresh && have >= 0 && have + need > (double)lim.rlim_cur)
		st = netshare__error(NETSHARE_ENOMEM, "%s: the address-space limit (ulimit -v) of "
		                     "%.0f MB leaves %.0f MB, and OpenBLAS and malloc map %.0f MB "
		                     "for each of the %u threads that multiply matrices: raise the "
		                     "limit by %.0f MB or use fewer threads", what,
		                     (double)lim.rlim_cur / 1e6,
		                     ((double)lim.rlim_cur - have) / 1e6,
		                     (OPENBLAS_BUFFER_BYTES + THREAD_ARENA_BYTES) / 1e6, fresh,
		                     (have + need - (double)lim.rlim_cur) / 1e6 + 1);
	else if (fresh)
		buffers_held = threads;
	pthread_mutex_unlock(&lock);
	return st;
}
