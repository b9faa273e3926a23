/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file netshare/common.h
 * @brief Status codes, error messages, versions, params structs, progress and logging.
 *
 * Conventions shared by every libnetshare header:
 *
 * - **Status codes.** Functions that can fail return a ::netshare_status: 0 on success,
 *   a negative code on failure. The values never change between releases.
 * - **Last error.** Every failing call also records a message on the calling thread,
 *   read with netshare_last_error(); it says what failed and where
 *   ("trace.pcap: packet 1234 at byte 98304: IPv4 header length 3 < 5").
 * - **Handles.** Objects are opaque handles (`netshare_dataset`, `netshare_model`, ...).
 *   Constructors return a status and write the handle to their first (out) parameter,
 *   which is set to NULL on failure. Every `*_free(NULL)` is a no-op.
 * - **Params structs.** Options travel in structs whose first field is
 *   `size_t struct_size`. Fill them with the matching `*_params_init()` and then change
 *   the fields you need. A struct_size the library does not understand gives
 *   ::NETSHARE_EABI. Fields are only ever appended, so a program compiled against older
 *   headers keeps working with a newer library.
 * - **Output structs** (`netshare_summary`, the `*_info` structs, `netshare_metric`,
 *   ...) also start with `size_t struct_size`, set by the caller to the sizeof it was
 *   compiled with: an older caller gets the fields it knows, a newer one gets zeros in
 *   the fields this library does not know; only a size that cannot be a struct (not
 *   larger than struct_size itself, or 4096 and more) gives ::NETSHARE_EABI.
 * - **Callbacks** take a `void *user` pointer as their last argument. A progress
 *   callback that returns non-zero cancels the operation, which then returns
 *   ::NETSHARE_ECANCELED.
 * - **Threads.** A handle must not be used from two threads at once; different handles
 *   may be used concurrently and handles may move between threads. Trained or loaded
 *   models are immutable and may be shared. Error messages are per thread.
 * - **Determinism.** Every handle that draws random numbers has its own seeded
 *   generator; the same seed, inputs, thread count and library version give
 *   bit-identical results.
 */
#ifndef NETSHARE_COMMON_H
#define NETSHARE_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include <netshare/version.h>

#if defined(_WIN32) && !defined(NETSHARE_STATIC)
#  if defined(NETSHARE_BUILDING)
#    define NETSHARE_API __declspec(dllexport)
#  else
#    define NETSHARE_API __declspec(dllimport)
#  endif
#elif defined(__GNUC__) && __GNUC__ >= 4
#  define NETSHARE_API __attribute__((visibility("default")))
#else
#  define NETSHARE_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Status codes returned by libnetshare functions.
 *
 * The numeric values are part of the ABI: they are never renumbered or reused, and new
 * codes are only added at the end. Use netshare_strerror() for a description and
 * netshare_last_error() for the message of the failing call.
 */
typedef enum netshare_status {
	NETSHARE_OK = 0,            /**< Success. */
	NETSHARE_EINTERNAL = -1,    /**< Internal error (a bug); the message says where. */
	NETSHARE_EINVAL = -2,       /**< Invalid argument: NULL, out of range, wrong state of the input. */
	NETSHARE_ENOMEM = -3,       /**< Out of memory, or a size too large to allocate. */
	NETSHARE_EIO = -4,          /**< A read, write, open or rename failed (errno text in the message). */
	NETSHARE_EFORMAT = -5,      /**< Input file is malformed (message: file, record, byte offset). */
	NETSHARE_EUNSUPPORTED = -6, /**< Valid input this version cannot handle (e.g. a pcap link type). */
	NETSHARE_ECORRUPT = -7,     /**< Model file failed its checksum or is truncated. */
	NETSHARE_EVERSION = -8,     /**< Model file written by an incompatible format version. */
	NETSHARE_ECANCELED = -9,    /**< A callback returned non-zero and the operation stopped. */
	NETSHARE_EABI = -10,        /**< A params struct's struct_size is not one this library knows. */
	NETSHARE_ESTATE = -11,      /**< Call not valid in the handle's current state. */
	NETSHARE_ENUMERIC = -12     /**< Training diverged: a loss or weight became NaN or infinite. */
} netshare_status;

/** The most negative status code this version defines (for iterating over codes). */
#define NETSHARE_STATUS_MIN NETSHARE_ENUMERIC

/**
 * Describe a status code.
 *
 * @param status  any integer; codes this version does not define give "unknown status".
 * @return a static, NUL-terminated English description; never NULL.
 * @threadsafety Safe from any thread.
 */
NETSHARE_API const char *netshare_strerror(int status);

/**
 * The symbolic name of a status code, e.g. "NETSHARE_EINVAL", for logs and JSON.
 *
 * @param status  any integer; undefined codes give "NETSHARE_UNKNOWN".
 * @return a static string; never NULL.
 * @threadsafety Safe from any thread.
 */
NETSHARE_API const char *netshare_status_name(int status);

/**
 * The message of the last failing libnetshare call on the calling thread.
 *
 * The message says what went wrong and where. It stays valid until the next
 * libnetshare call on the same thread. Successful calls do not clear it, so read it
 * only after a call returned an error.
 *
 * @return a NUL-terminated message; "" if no call on this thread has failed; never NULL,
 *         also after an allocation failure (the message is then "out of memory").
 * @threadsafety Each thread has its own message.
 */
NETSHARE_API const char *netshare_last_error(void);

/**
 * Clear the calling thread's last error message (netshare_last_error() then returns "").
 *
 * @threadsafety Affects the calling thread only.
 */
NETSHARE_API void netshare_clear_error(void);

/**
 * Run-time version of the library, as NETSHARE_VERSION_NUMBER (MAJOR*10000 + MINOR*100 +
 * PATCH). Compare it with the compile-time macro to detect a header/library mismatch.
 *
 * @threadsafety Safe from any thread.
 */
NETSHARE_API unsigned netshare_version_number(void);

/**
 * Run-time version of the library as "MAJOR.MINOR.PATCH".
 *
 * @return a static string; never NULL.
 * @threadsafety Safe from any thread.
 */
NETSHARE_API const char *netshare_version_string(void);

/**
 * Progress of a long operation, passed to a ::netshare_progress_fn.
 *
 * The library owns the struct; it is valid only during the callback. Check struct_size
 * before reading fields added after version 1.0.
 */
typedef struct netshare_progress {
	size_t struct_size;  /**< sizeof(netshare_progress) of the library that filled it. */
	const char *stage;   /**< What is running: "read", "encode", "train", "generate", "eval". */
	int chunk;           /**< Time chunk being worked on, or -1 when not chunked. */
	uint64_t done;       /**< Units of work completed (records, iterations, flows). */
	uint64_t total;      /**< Units of work in all, or 0 if not known in advance. */
	double elapsed_s;    /**< Seconds since the operation started (monotonic clock). */
	double loss_d;       /**< Training: discriminator loss; NaN outside training. */
	double loss_aux_d;   /**< Training: auxiliary discriminator loss; NaN outside training. */
	double loss_g;       /**< Training: generator loss; NaN outside training. */
	double wasserstein;  /**< Training: Wasserstein distance estimate; NaN outside training. */
} netshare_progress;

/**
 * Progress callback. Called from the thread that runs the operation, at least once at
 * the start and once at the end, and at most about ten times a second in between for
 * reading, or once per iteration for training.
 *
 * @param progress  current state; valid only during the call.
 * @param user      the pointer given together with the callback.
 * @return 0 to continue; non-zero to cancel, and the operation returns ::NETSHARE_ECANCELED.
 */
typedef int (*netshare_progress_fn)(const netshare_progress *progress, void *user);

/** Log levels, from most to least severe. */
typedef enum netshare_log_level {
	NETSHARE_LOG_ERROR = 0,  /**< An operation failed (also reported by its status). */
	NETSHARE_LOG_WARN = 1,   /**< Something was skipped or adjusted, e.g. a dropped flow. */
	NETSHARE_LOG_INFO = 2,   /**< Milestones: chunk sizes chosen, files written. */
	NETSHARE_LOG_DEBUG = 3   /**< Details for developers. */
} netshare_log_level;

/**
 * Log callback.
 *
 * @param level    a ::netshare_log_level.
 * @param message  one line without a trailing newline; valid only during the call.
 * @param user     the pointer given to netshare_log_set().
 *
 * May be called from any thread the library runs work on, concurrently; it must be
 * thread-safe and must not call back into libnetshare.
 */
typedef void (*netshare_log_fn)(int level, const char *message, void *user);

/**
 * Install the process-wide log callback. By default the library logs nothing.
 *
 * @param fn         callback, or NULL to turn logging off.
 * @param max_level  messages with a level above this (less severe) are not delivered.
 * @param user       passed to every call of @p fn.
 * @return ::NETSHARE_OK, or ::NETSHARE_EINVAL if @p max_level is not a
 *         ::netshare_log_level (the previous callback stays installed).
 * @threadsafety Safe from any thread; a message being delivered while the callback is
 *               replaced goes to either the old or the new callback.
 */
NETSHARE_API netshare_status netshare_log_set(netshare_log_fn fn, int max_level, void *user);

#ifdef __cplusplus
}
#endif

#endif /* NETSHARE_COMMON_H */
