/*
 * t_recode.c - what the first bytes of a file say it is, and reading a
 * file as UTF-8: as it is, or converted from a named encoding through
 * iconv, across read boundaries and one byte at a time from a pipe.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"
#include "turnout/buf.h"
#include "turnout/csv.h"
#include "turnout/recode.h"

#define SNIFF(bytes, want, want_bom, name) do { \
	int bom_ = -1; \
	is_int(tn_recode_sniff((const unsigned char *)(bytes), sizeof(bytes) - 1, &bom_), \
	       (want), "%s", name); \
	is_int(bom_, (want_bom), "%s: by its mark", name); \
} while (0)

static void test_sniff(void)
{
	SNIFF("\x1f\x8b\x08\x00\x00\x00", TN_RECODE_GZIP, 0, "gzip");
	SNIFF("PK\x03\x04\x14\x00\x06\x00", TN_RECODE_ZIP, 0, "zip (xlsx, ods)");
	SNIFF("PK\x05\x06", TN_RECODE_ZIP, 0, "an empty zip");
	SNIFF("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0", TN_RECODE_OLE, 0, "xls");
	SNIFF("BZh91AY&SY\x01\x02", TN_RECODE_BZIP2, 0, "bzip2");
	SNIFF("\xFD" "7zXZ\0\0\x04", TN_RECODE_XZ, 0, "xz");
	SNIFF("\x28\xB5\x2F\xFD\x24\x05", TN_RECODE_ZSTD, 0, "zstd");
	SNIFF("%PDF-1.7\n", TN_RECODE_PDF, 0, "PDF");
	SNIFF("SQLite format 3\0\x10\0", TN_RECODE_SQLITE, 0, "SQLite");
	SNIFF("\xFF\xFE" "e\0m\0", TN_RECODE_UTF16LE, 1, "UTF-16LE with a mark");
	SNIFF("\xFE\xFF\0e\0m", TN_RECODE_UTF16BE, 1, "UTF-16BE with a mark");
	SNIFF("\xFF\xFE\0\0" "e\0\0\0", TN_RECODE_UTF32LE, 1, "UTF-32LE with a mark");
	SNIFF("\0\0\xFE\xFF\0\0\0e", TN_RECODE_UTF32BE, 1, "UTF-32BE with a mark");
	SNIFF("\xEF\xBB\xBF" "email", TN_RECODE_UTF8_BOM, 1, "UTF-8 with a mark");
	SNIFF("e\0m\0a\0i\0l\0,\0n\0", TN_RECODE_UTF16LE, 0, "UTF-16LE: NUL every other byte");
	SNIFF("\0e\0m\0a\0i\0l", TN_RECODE_UTF16BE, 0, "UTF-16BE: NUL first");
	SNIFF("e\0\0\0m\0\0\0a\0\0\0", TN_RECODE_UTF32LE, 0, "UTF-32LE: three NULs in four");
	SNIFF("email,name\nRen\xE9,x\n", TN_RECODE_TEXT, 0, "Latin-1 is text");
	SNIFF("email,name\nx,\"a\0b\"\n", TN_RECODE_TEXT, 0, "one NUL is no UTF-16");
	SNIFF("email\xD0\x98\xD0\xB2", TN_RECODE_TEXT, 0, "UTF-8 without a mark is text");
	SNIFF("", TN_RECODE_TEXT, 0, "nothing");
	SNIFF("e", TN_RECODE_TEXT, 0, "one byte");
	SNIFF("PK", TN_RECODE_TEXT, 0, "PK alone is text");
	SNIFF("BZh is a name", TN_RECODE_TEXT, 0, "BZh alone is text");
	ok(tn_recode_is_utf8("UTF-8") && tn_recode_is_utf8("utf8") && tn_recode_is_utf8("utf_8"),
	   "names of UTF-8");
	ok(!tn_recode_is_utf8("latin1") && !tn_recode_is_utf8("UTF-16"), "other names");
}

static void test_check(void)
{
	struct tn_err err;

	is_int(tn_recode_check("latin1", &err), TN_OK, "latin1 is known");
	is_int(tn_recode_check("windows-1251", &err), TN_OK, "windows-1251 is known");
	is_int(tn_recode_check("UTF-16", &err), TN_OK, "UTF-16 is known");
	is_int(tn_recode_check("utf-8", &err), TN_OK, "UTF-8 needs no iconv");
	is_int(tn_recode_check("klingon", &err), TN_USAGE, "an unknown name");
	is_str(err.msg, "unknown encoding 'klingon'", "named");
	is_str(err.field, "encoding", "the field");
}

/* A memfd holding data, at its start. */
static int mem_fd(const char *data, size_t len)
{
	int fd = memfd_create("in", 0);

	if (fd < 0 || write(fd, data, len) != (ssize_t)len || lseek(fd, 0, SEEK_SET) != 0)
		return -1;
	return fd;
}

/* Reads fd through a recoder in chunks of at most chunk bytes into out;
 * returns the code of the open or of the first failed read. */
static tn_code read_through(int fd, const char *encoding, size_t chunk,
			    struct tn_buf *out, struct tn_err *err,
			    unsigned long long *offset)
{
	struct tn_recode *r;
	char buf[70000];
	size_t got;
	tn_code rc;

	tn_buf_reset(out);
	if ((rc = tn_recode_open(fd, encoding, &r, err)) != TN_OK)
		return rc;
	do {
		rc = tn_recode_read(r, buf, chunk, &got, err);
		if (rc == TN_OK)
			tn_buf_addn(out, buf, got);
	} while (rc == TN_OK && got);
	if (offset)
		*offset = tn_recode_offset(r);
	tn_recode_free(r);
	return rc;
}

#define READS(bytes, enc, want, name) do { \
	int fd_ = mem_fd((bytes), sizeof(bytes) - 1); \
	is_int(read_through(fd_, (enc), 65536, &out, &err, NULL), TN_OK, "%s: read", name); \
	is_str(out.data, (want), "%s", name); \
	close(fd_); \
} while (0)

#define REFUSES(bytes, enc, code, why, name) do { \
	int fd_ = mem_fd((bytes), sizeof(bytes) - 1); \
	is_int(read_through(fd_, (enc), 65536, &out, &err, NULL), (code), "%s: refused", name); \
	is_str(err.msg, (why), "%s: says why", name); \
	close(fd_); \
} while (0)

static void test_convert(void)
{
	struct tn_buf out = TN_BUF_INIT;
	struct tn_err err;

	READS("email,name\nx@y.z,Ren\xC3\xA9\n", NULL, "email,name\nx@y.z,Ren\xC3\xA9\n",
	      "UTF-8 as it is");
	READS("Ren\xE9\n", NULL, "Ren\xE9\n", "other bytes as they are: the caller checks them");
	READS("Ren\xE9\n", "latin1", "René\n", "Latin-1");
	READS("Ren\xE9\n", "ISO-8859-1", "René\n", "ISO-8859-1");
	READS("\xC8\xE2\xE0\xED,\xCC\xEE\xF1\xEA\xE2\xE0\n", "windows-1251", "Иван,Москва\n",
	      "Windows-1251");
	READS("\xFF\xFE" "e\0,\0\x18\x04\n\0", "UTF-16", "e,И\n", "UTF-16 with a mark");
	READS("e\0,\0\x18\x04\n\0", "UTF-16", "e,И\n",
	      "UTF-16 without a mark: the byte order the NULs tell");
	READS("e\0,\0\x18\x04\n\0", "UTF-16LE", "e,И\n", "UTF-16LE");
	READS("\0e\0,\x04\x18\0\n", "UTF-16BE", "e,И\n", "UTF-16BE");
	READS("\xEF\xBB\xBF" "email\n", "UTF-8", "\xEF\xBB\xBF" "email\n",
	      "a UTF-8 mark with UTF-8 named");
	REFUSES("\x1f\x8b\x08\0\0\0\0\0", NULL, TN_BADINPUT,
		"this is a gzip file; decompress it first (gunzip)", "gzip");
	REFUSES("\x1f\x8b\x08\0\0\0\0\0", "latin1", TN_BADINPUT,
		"this is a gzip file; decompress it first (gunzip)", "gzip in any encoding");
	REFUSES("PK\x03\x04\x14\0\x06\0", NULL, TN_BADINPUT,
		"this is a zip or xlsx file; export it as CSV", "xlsx");
	REFUSES("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0", NULL, TN_BADINPUT,
		"this is an Excel 97-2003 (xls) file; export it as CSV", "xls");
	REFUSES("\xFF\xFE" "e\0m\0", NULL, TN_BADINPUT,
		"this is UTF-16 text (little-endian), not UTF-8", "UTF-16 unasked");
	ok(strstr(err.hint, "{encoding} UTF-16,") != NULL, "the hint names the encoding");
	REFUSES("e\0m\0a\0i\0l\0", NULL, TN_BADINPUT,
		"this is UTF-16 text (little-endian), not UTF-8", "UTF-16 without a mark");
	ok(strstr(err.hint, "{encoding} UTF-16LE,") != NULL, "the hint names the byte order");
	REFUSES("\0e\0m\0a\0i\0l", "latin1", TN_BADINPUT,
		"this is UTF-16 text (big-endian), not latin1", "UTF-16 read as Latin-1");
	REFUSES("\xEF\xBB\xBF" "email\n", "latin1", TN_BADINPUT,
		"starts with a UTF-8 byte order mark: this is UTF-8 text, not latin1",
		"a UTF-8 mark is UTF-8");
	REFUSES("e\0,\0\x00\xD8\n\0", "UTF-16LE", TN_IO, "byte 5 is not valid UTF-16LE",
		"a lone surrogate");
	REFUSES("e\0,\0\x18", "UTF-16LE", TN_IO,
		"the input ends inside a UTF-16LE character", "cut in a character");
	REFUSES("e", "klingon", TN_USAGE, "unknown encoding 'klingon'", "an unknown name");
	tn_buf_free(&out);
}

/* 70000 Cyrillic letters in UTF-16LE: characters cut by the 64 KiB read
 * and by small reads of the caller; offsets count the file's bytes. */
static void test_boundaries(void)
{
	size_t n = 70000, i, chunk;
	char *in = malloc(2 * n), *want = malloc(2 * n + 1);
	struct tn_buf out = TN_BUF_INIT;
	struct tn_err err;
	unsigned long long offset;
	int fd;

	for (i = 0; i < n; i++) {
		in[2 * i] = (char)(0x10 + i % 32);      /* U+0410 + i % 32: А..Я */
		in[2 * i + 1] = 0x04;
		want[2 * i] = (char)(0xD0 + ((0x10 + i % 32) >= 0x40 ? 1 : 0));
		want[2 * i + 1] = (char)(0x80 + (0x10 + i % 32) % 0x40);
	}
	want[2 * n] = '\0';
	for (chunk = 1; chunk <= 65536; chunk *= 4) {
		fd = mem_fd(in, 2 * n);
		is_int(read_through(fd, "UTF-16LE", chunk, &out, &err, &offset), TN_OK,
		       "converted in reads of %zu bytes", chunk);
		ok(out.len == 2 * n && memcmp(out.data, want, 2 * n) == 0,
		   "every character whole (reads of %zu)", chunk);
		is_int(offset, 2 * n, "the offset is the file's size");
		close(fd);
	}
	fd = mem_fd(want, 2 * n);
	is_int(read_through(fd, NULL, 1000, &out, &err, &offset), TN_OK, "as it is, in reads of 1000");
	ok(out.len == 2 * n && memcmp(out.data, want, 2 * n) == 0, "every byte");
	is_int(offset, 2 * n, "the offset is the file's size");
	close(fd);
	tn_buf_free(&out);
	free(in);
	free(want);
}

/* A pipe that delivers one byte at a time: the first bytes are waited
 * for, and a character cut by every read is put together. */
static void test_trickle(void)
{
	static const char in[] = "\xFF\xFE" "e\0m\0a\0i\0l\0,\0\x18\x04\n\0x\0,\0\x19\x04\n\0";
	struct tn_buf out = TN_BUF_INIT;
	struct tn_recode *r;
	struct tn_csv *csv;
	struct tn_err err;
	int fds[2], got;
	pid_t pid;

	if (pipe(fds) != 0) {
		ok(0, "pipe");
		return;
	}
	pid = fork();
	if (pid == 0) {
		size_t i;

		close(fds[0]);
		for (i = 0; i < sizeof(in) - 1; i++) {
			if (write(fds[1], in + i, 1) != 1)
				_exit(1);
			usleep(1000);
		}
		_exit(0);
	}
	close(fds[1]);
	is_int(tn_recode_open(fds[0], "UTF-16", &r, &err), TN_OK, "open a pipe");
	is_int(tn_csv_open_reader(tn_recode_read, r, &csv, &err), TN_OK, "CSV over it");
	while (tn_csv_next(csv, &got, &err) == TN_OK && got)
		tn_buf_addf(&out, "%s|%s\n", tn_csv_field(csv, 0, NULL), tn_csv_field(csv, 1, NULL));
	is_str(out.data, "email|И\nx|Й\n", "records read one byte at a time");
	tn_csv_free(csv);
	tn_recode_free(r);
	close(fds[0]);
	waitpid(pid, NULL, 0);
	tn_buf_free(&out);
}

/* A failed conversion reaches the CSV reader's caller with its reason. */
static void test_csv_error(void)
{
	static const char in[] = "e\0,\0x\0\n\0\x00\xD8" "a\0";
	struct tn_recode *r;
	struct tn_csv *csv;
	struct tn_err err;
	int fd = mem_fd(in, sizeof(in) - 1), got;

	ok(tn_recode_open(fd, "UTF-16LE", &r, &err) == TN_OK &&
	   tn_csv_open_reader(tn_recode_read, r, &csv, &err) == TN_OK, "open");
	is_int(tn_csv_next(csv, &got, &err), TN_IO, "a bad character fails the read");
	is_str(err.msg, "byte 9 is not valid UTF-16LE", "with the converter's reason");
	is_int(tn_csv_next(csv, &got, &err), TN_IO, "and the reader stays failed");
	tn_csv_free(csv);
	tn_recode_free(r);
	close(fd);
}

int main(void)
{
	test_sniff();
	test_check();
	test_convert();
	test_boundaries();
	test_trickle();
	test_csv_error();
	return tap_done();
}
