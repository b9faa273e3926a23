/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Broken pcap input: the damaged files in the shared data, every truncation of a small
 * valid pcap, unsupported link types, and the whole tcpdump regression corpus (no crash,
 * hang or out-of-bounds read; a clean status for each file).
 */
#include <dirent.h>
#include <unistd.h>

#include "../test-common.h"
#include "core/bytes.h"

/* A small valid pcap built in memory: Ethernet, 6 packets of mixed kinds. */
static size_t
small_pcap(uint8_t *buf)
{
	size_t o = 0;
	netshare__put_le32(buf, 0xa1b2c3d4);
	netshare__put_le16(buf + 4, 2);
	netshare__put_le16(buf + 6, 4);
	memset(buf + 8, 0, 8);
	netshare__put_le32(buf + 16, 65535);
	netshare__put_le32(buf + 20, 1);
	o = 24;
	for (int k = 0; k < 6; k++) {
		uint8_t f[80];
		memset(f, 0, sizeof f);
		size_t n = 14 + 40;
		netshare__put_be16(f + 12, k == 3 ? 0x0806 : 0x0800);
		f[14] = 0x45;
		netshare__put_be16(f + 16, 40);
		f[22] = 64;
		f[23] = k % 2 ? 17 : 6;
		netshare__put_be32(f + 26, 0x0a000001 + (uint32_t)k);
		netshare__put_be32(f + 30, 0x0a0000ff);
		netshare__put_be16(f + 34, (uint16_t)(1000 + k));
		netshare__put_be16(f + 36, 80);
		netshare__put_le32(buf + o, 1000 + (uint32_t)k);
		netshare__put_le32(buf + o + 4, 0);
		netshare__put_le32(buf + o + 8, (uint32_t)n);
		netshare__put_le32(buf + o + 12, (uint32_t)n);
		memcpy(buf + o + 16, f, n);
		o += 16 + n;
	}
	return o;
}

static const char *tmp;

static netshare_status
read_bytes(const void *data, size_t n, int lenient, netshare_dataset **ds)
{
	char path[512];
	netshare_test_path(path, sizeof path, tmp, "t.pcap");
	ck_assert_int_eq(netshare_test_write_file(path, data, n), 0);
	netshare_read_params rp;
	netshare_read_params_init(&rp);
	rp.lenient = lenient;
	rp.format = NETSHARE_FORMAT_PCAP;
	netshare_status st = netshare_dataset_read(ds, path, &rp);
	unlink(path);
	return st;
}

START_TEST(small_pcap_reads_and_counts_skips)
{
	tmp = netshare_test_tmpdir();
	uint8_t buf[1024];
	size_t n = small_pcap(buf);
	netshare_dataset *ds;
	ck_assert_ok(read_bytes(buf, n, 0, &ds));
	ck_assert_uint_eq(netshare_dataset_count(ds), 5);
	ck_assert_uint_eq(netshare_dataset_skipped(ds, NETSHARE_SKIP_NOT_IP), 1);
	netshare_dataset_free(ds);
	rmdir(tmp);
}
END_TEST

START_TEST(every_truncation_is_clean)
{
	tmp = netshare_test_tmpdir();
	uint8_t buf[1024];
	size_t n = small_pcap(buf);
	for (size_t cut = 0; cut < n; cut++) {
		netshare_dataset *ds = NULL;
		netshare_status st = read_bytes(buf, cut, 0, &ds);
		if (cut < 24) {
			ck_assert_msg(st == NETSHARE_EFORMAT, "cut %zu: %s", cut, netshare_status_name(st));
			continue;
		}
		/* A cut exactly between packets is a valid shorter file; anywhere else the
		 * damage is named with the packet number and offset. */
		if (st == NETSHARE_OK) {
			netshare_dataset_free(ds);
			continue;
		}
		ck_assert_msg(st == NETSHARE_EFORMAT, "cut %zu: %s", cut, netshare_status_name(st));
		ck_assert_error_contains("t.pcap: packet ");
		ck_assert_error_contains(" at byte ");
		/* Leniently the packets before the damage are kept and the damage counted. */
		ck_assert_ok(read_bytes(buf, cut, 1, &ds));
		ck_assert_uint_eq(netshare_dataset_skipped(ds, NETSHARE_SKIP_DAMAGED_TAIL), 1);
		ck_assert_uint_le(netshare_dataset_count(ds), 5);
		netshare_dataset_free(ds);
	}
	rmdir(tmp);
}
END_TEST

START_TEST(unsupported_link_type_is_named)
{
	tmp = netshare_test_tmpdir();
	uint8_t buf[1024];
	size_t n = small_pcap(buf);
	netshare__put_le32(buf + 20, 105); /* 802.11 */
	netshare_dataset *ds;
	ck_assert_status(read_bytes(buf, n, 0, &ds), NETSHARE_EUNSUPPORTED);
	ck_assert_error_contains("link type IEEE802_11 (105) is not supported");
	rmdir(tmp);
}
END_TEST

START_TEST(damaged_files_from_the_wild)
{
	char path[512];
	netshare_dataset *ds;
	if (netshare_test_data(path, sizeof path, "bad-no-header.pcap")) {
		ck_assert_status(netshare_dataset_read(&ds, path, NULL), NETSHARE_EFORMAT);
		ck_assert_error_contains("bad-no-header.pcap");
	}
	if (netshare_test_data(path, sizeof path, "bad-damaged.pcap")) {
		netshare_status st = netshare_dataset_read(&ds, path, NULL);
		ck_assert_int_eq(st, NETSHARE_EFORMAT);
		ck_assert_error_contains("bad-damaged.pcap: packet ");
		netshare_read_params rp;
		netshare_read_params_init(&rp);
		rp.lenient = 1;
		ck_assert_ok(netshare_dataset_read(&ds, path, &rp));
		ck_assert_uint_eq(netshare_dataset_skipped(ds, NETSHARE_SKIP_DAMAGED_TAIL), 1);
		netshare_dataset_free(ds);
	}
}
END_TEST

START_TEST(tcpdump_corpus_never_crashes)
{
	char dir[512];
	if (!netshare_test_data(dir, sizeof dir, "tcpdump-tests"))
		return;
	DIR *d = opendir(dir);
	ck_assert_ptr_nonnull(d);
	int files = 0, read_ok = 0;
	for (struct dirent *e; (e = readdir(d)) != NULL;) {
		if (e->d_name[0] == '.')
			continue;
		char path[1024];
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		netshare_dataset *ds = NULL;
		netshare_status st = netshare_dataset_read(&ds, path, NULL);
		ck_assert_msg(st == NETSHARE_OK || st == NETSHARE_EFORMAT ||
		              st == NETSHARE_EUNSUPPORTED, "%s: %s: %s", e->d_name,
		              netshare_status_name(st), netshare_last_error());
		if (st < 0)
			ck_assert_msg(strstr(netshare_last_error(), e->d_name) != NULL, "%s: message "
			              "'%s' does not name the file", e->d_name, netshare_last_error());
		read_ok += st == NETSHARE_OK;
		files++;
		netshare_dataset_free(ds);
	}
	closedir(d);
	ck_assert_int_gt(files, 800);
	ck_assert_int_gt(read_ok, 100);
}
END_TEST

NETSHARE_TEST_MAIN("io-pcap-bad",
	small_pcap_reads_and_counts_skips,
	every_truncation_is_clean,
	unsupported_link_type_is_named,
	damaged_files_from_the_wild,
	tcpdump_corpus_never_crashes)
