/* SPDX-License-Identifier: BSD-3-Clause */
#include "blas_threads.h"

#include <pthread.h>

#include <cblas.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int open_sections;
static int saved_threads;

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

void
netshare__blas_set_threads(int n)
{
	pthread_mutex_lock(&lock);
	if (open_sections)
		saved_threads = n;
	else
		openblas_set_num_threads(n);
	pthread_mutex_unlock(&lock);
}
