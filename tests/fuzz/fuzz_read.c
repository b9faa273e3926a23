/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness for the trace readers (pcap/pcapng through libpcap, every CSV
 * dialect) and, for inputs that read, the writers; and for the encoder-state loader.
 *
 * Input: byte 0 picks the format (low 3 bits: netshare_format, 7 = a column map; 0,
 * detection, reaches the dialects past 7 such as zeek-csv by their headers) and
 * leniency (bit 7); with bit 6 set the rest is encoder state instead of a file, with
 * bit 5 set (and 6 clear) a model file, whose checksums are first recomputed when bit 4
 * is set too (so that mutations reach the loader's checks of the contents, not only its
 * checksums). Invariants checked beyond "no crash": a failed
 * read sets a message; writing what was read and reading it back gives as many records.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <netshare/netshare.h>

#include "core/bytes.h"
#include "core/crc32c.h"
#include "encode/encoder.h"

static char dir[] = "/tmp/netshare-fuzz-XXXXXX";
static char in_path[256], out_pcap[256], out_csv[256];

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (!mkdtemp(dir))
		abort();
	snprintf(in_path, sizeof in_path, "%s/in", dir);
	snprintf(out_pcap, sizeof out_pcap, "%s/out.pcap", dir);
	snprintf(out_csv, sizeof out_csv, "%s/out.csv", dir);
	return 0;
}

/* Write ds to path and read it back (a mapped CSV needs its column map again). */
static void
check_round_trip(netshare_dataset *ds, const char *path, const char *column_map)
{
	netshare_dataset *back = NULL;
	if (netshare_dataset_write(ds, path, NULL) != NETSHARE_OK)
		return; /* e.g. a time pcap cannot store: a clean error is fine */
	netshare_read_params rp;
	netshare_read_params_init(&rp);
	rp.column_map = column_map;
	if (netshare_dataset_read(&back, path, &rp) != NETSHARE_OK) {
		fprintf(stderr, "re-reading our own %s failed: %s\n", path, netshare_last_error());
		abort();
	}
	if (netshare_dataset_count(back) != netshare_dataset_count(ds)) {
		fprintf(stderr, "%s: wrote %zu records, read back %zu\n", path,
		        netshare_dataset_count(ds), netshare_dataset_count(back));
		abort();
	}
	netshare_dataset_free(back);
}

/* Recompute a model file's checksums in place (netshare-model(5)), as far as its chunk
 * headers can be walked: a hostile writer's file whose bytes all check. */
static void
fix_model_checksums(unsigned char *d, size_t len)
{
	if (len < 32)
		return;
	netshare__put_le64(d + 16, len);
	netshare__put_le32(d + 24, netshare__crc32c(0, d, 24));
	for (size_t at = 32; len - at >= 16;) {
		uint64_t n = netshare__le64(d + at + 8);
		size_t start = (at + 16 + 31) / 32 * 32;
		if (start > len || n > len - start || len - start - n < 4)
			return;
		if (memcmp(d + at, "END ", 4) == 0) {
			if (n == 4)
				netshare__put_le32(d + start, netshare__crc32c(0, d, start));
			netshare__put_le32(d + start + n, netshare__crc32c(0, d + start, (size_t)n));
			return;
		}
		netshare__put_le32(d + start + n, netshare__crc32c(0, d + start, (size_t)n));
		at = start + (size_t)n + 4;
	}
}

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	if (size < 1)
		return 0;
	if (data[0] & 0x40) {
		netshare_encoder *e = NULL;
		netshare_status st = netshare__encoder_load(&e, data + 1, size - 1);
		if ((st == NETSHARE_OK) != (e != NULL))
			abort();
		netshare_encoder_free(e);
		return 0;
	}
	if (data[0] & 0x20) {
		unsigned char *copy = malloc(size);
		if (!copy)
			abort();
		memcpy(copy, data + 1, size - 1);
		if (data[0] & 0x10)
			fix_model_checksums(copy, size - 1);
		FILE *mf = fopen(in_path, "wb");
		if (!mf || fwrite(copy, 1, size - 1, mf) != size - 1 || fclose(mf) != 0)
			abort();
		free(copy);
		netshare_model *m = NULL;
		netshare_status st = netshare_model_load(&m, in_path, NULL);
		if ((st == NETSHARE_OK) != (m != NULL) || (st < 0 && !netshare_last_error()[0]))
			abort();
		netshare_model_free(m);
		return 0;
	}
	FILE *f = fopen(in_path, "wb");
	if (!f || fwrite(data + 1, 1, size - 1, f) != size - 1 || fclose(f) != 0)
		abort();
	netshare_read_params rp;
	netshare_read_params_init(&rp);
	rp.lenient = data[0] >> 7;
	rp.format = data[0] & 7;
	if (rp.format == 7) {
		rp.format = NETSHARE_FORMAT_MAPPED_CSV;
		rp.column_map = "srcip=a,dstip=b,proto=p,ts_us=t,td=d,pkt=n,byt=y,label=l";
	}
	netshare_dataset *ds = NULL;
	netshare_status st = netshare_dataset_read(&ds, in_path, &rp);
	if (st != NETSHARE_OK) {
		if (ds || netshare_last_error()[0] == '\0')
			abort();
		return 0;
	}
	netshare_summary s;
	memset(&s, 0, sizeof s);
	s.struct_size = sizeof s;
	if (netshare_dataset_summary(ds, &s) != NETSHARE_OK || s.records != netshare_dataset_count(ds))
		abort();
	if (netshare_dataset_kind(ds) == NETSHARE_RECORDS_PACKETS)
		check_round_trip(ds, out_pcap, NULL);
	check_round_trip(ds, out_csv, rp.format == NETSHARE_FORMAT_MAPPED_CSV ? rp.column_map : NULL);
	netshare_dataset_free(ds);
	return 0;
}
