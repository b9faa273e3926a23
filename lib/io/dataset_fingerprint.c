/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * netshare__dataset_fingerprint: which dataset a DP model's encoder was fitted on and
 * its pretraining used, so that a model file names its public trace and the library can
 * refuse to fine-tune with DP on the very data the encoder's statistics came from.
 */
#include "core/crc32c.h"
#include "dataset.h"

/* Two CRC-32Cs (forward over the columns, and over them with a different seed and the
 * row count mixed in) make 64 bits: an identifier, not a cryptographic digest. */
uint64_t
netshare__dataset_fingerprint(const netshare_dataset *ds)
{
	uint32_t a = 0, b = 0x9e3779b9u ^ (uint32_t)ds->n;
	b = netshare__crc32c(b, &ds->kind, sizeof ds->kind);
#define NETSHARE__HASH_COLUMN(type, name)                                     \
	if (ds->name) {                                                      \
		a = netshare__crc32c(a, ds->name, ds->n * sizeof(type));     \
		b = netshare__crc32c(b ^ a, ds->name, ds->n * sizeof(type)); \
	}
	NETSHARE__COMMON_COLUMNS(NETSHARE__HASH_COLUMN)
	NETSHARE__PACKET_COLUMNS(NETSHARE__HASH_COLUMN)
	NETSHARE__FLOW_COLUMNS(NETSHARE__HASH_COLUMN)
#undef NETSHARE__HASH_COLUMN
	return (uint64_t)a << 32 | b;
}
