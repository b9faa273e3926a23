/* SPDX-License-Identifier: BSD-3-Clause */
/* CRC-32C against published check values (RFC 3720 B.4, the "123456789" check). */
#include "../test-common.h"
#include "core/crc32c.h"

START_TEST(published_check_values)
{
	ck_assert_uint_eq(netshare__crc32c(0, "123456789", 9), 0xE3069283u);
	ck_assert_uint_eq(netshare__crc32c(0, "", 0), 0);

	unsigned char buf[32];
	memset(buf, 0x00, sizeof buf);
	ck_assert_uint_eq(netshare__crc32c(0, buf, 32), 0x8A9136AAu);
	memset(buf, 0xFF, sizeof buf);
	ck_assert_uint_eq(netshare__crc32c(0, buf, 32), 0x62A8AB43u);
	for (int i = 0; i < 32; i++)
		buf[i] = (unsigned char)i;
	ck_assert_uint_eq(netshare__crc32c(0, buf, 32), 0x46DD794Eu);
	for (int i = 0; i < 32; i++)
		buf[i] = (unsigned char)(31 - i);
	ck_assert_uint_eq(netshare__crc32c(0, buf, 32), 0x113FDB5Cu);
}
END_TEST

START_TEST(incremental_and_unaligned_agree)
{
	unsigned char data[301];
	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (unsigned char)(i * 131 + 7);
	uint32_t whole = netshare__crc32c(0, data + 1, 300);
	for (size_t cut = 0; cut <= 300; cut++) {
		uint32_t c = netshare__crc32c(0, data + 1, cut);
		c = netshare__crc32c(c, data + 1 + cut, 300 - cut);
		ck_assert_uint_eq(c, whole);
	}
	/* Every alignment of the start gives the bytewise reference result. */
	for (size_t off = 0; off < 8; off++) {
		uint32_t slow = 0;
		for (size_t i = off; i < off + 200; i++)
			slow = netshare__crc32c(slow, data + i, 1);
		ck_assert_uint_eq(netshare__crc32c(0, data + off, 200), slow);
	}
}
END_TEST

START_TEST(any_single_bit_flip_changes_it)
{
	unsigned char data[64];
	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (unsigned char)i;
	uint32_t ref = netshare__crc32c(0, data, sizeof data);
	for (size_t bit = 0; bit < 8 * sizeof data; bit++) {
		data[bit / 8] ^= (unsigned char)(1u << (bit % 8));
		ck_assert_uint_ne(netshare__crc32c(0, data, sizeof data), ref);
		data[bit / 8] ^= (unsigned char)(1u << (bit % 8));
	}
}
END_TEST

NETSHARE_TEST_MAIN("core-crc32c",
	published_check_values,
	incremental_and_unaligned_agree,
	any_single_bit_flip_changes_it)
