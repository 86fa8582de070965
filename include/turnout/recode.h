/*
 * recode.h - the bytes of an input file as UTF-8 text. Before anything
 * is read it looks at the file's first bytes and says what a file that is
 * no text is (gzip, zip or xlsx, ...) and which UTF-16 or UTF-32 text is
 * not UTF-8; a named encoding is converted to UTF-8 through iconv(3)
 * while streaming, so memory stays flat. Bytes in, bytes out; no
 * database.
 */
#ifndef TURNOUT_RECODE_H
#define TURNOUT_RECODE_H

#include <stddef.h>

#include "turnout/err.h"

/* What the first bytes of a file say it is. */
enum tn_recode_kind {
	TN_RECODE_TEXT = 0,      /* nothing against text: UTF-8 or an 8-bit code */
	TN_RECODE_UTF8_BOM,      /* starts with a UTF-8 byte order mark */
	TN_RECODE_UTF16LE,       /* a byte order mark, or every other byte NUL */
	TN_RECODE_UTF16BE,
	TN_RECODE_UTF32LE,
	TN_RECODE_UTF32BE,
	TN_RECODE_GZIP,          /* 1f 8b */
	TN_RECODE_ZIP,           /* PK 03 04 (an xlsx or ods is one) */
	TN_RECODE_OLE,           /* d0 cf 11 e0: an Excel 97-2003 file */
	TN_RECODE_BZIP2,
	TN_RECODE_XZ,
	TN_RECODE_ZSTD,
	TN_RECODE_PDF,
	TN_RECODE_SQLITE,
};

/* What p[0..n), the first bytes of a file (512 are enough), is. *bom is
 * set to 1 when a UTF-16 or UTF-32 kind was told by its byte order mark
 * (else by where its NUL bytes are); bom may be NULL. */
enum tn_recode_kind tn_recode_sniff(const unsigned char *p, size_t n, int *bom);

/* 1 if encoding names UTF-8 ("UTF-8", "utf8"), so nothing is converted. */
int tn_recode_is_utf8(const char *encoding);

/* Checks that iconv(3) converts from encoding to UTF-8: TN_USAGE with
 * "unknown encoding 'x'" (err->field "encoding") if not. */
tn_code tn_recode_check(const char *encoding, struct tn_err *err);

struct tn_recode;

/*
 * A reader of fd (not closed) as UTF-8; encoding NULL (or a UTF-8 name)
 * takes the bytes as they are, another name converts them. *out is new:
 * free it with tn_recode_free. Reads the first bytes to see what the
 * file is, and refuses with TN_BADINPUT when it is no text ("this is a
 * gzip file; decompress it first (gunzip)", "this is a zip or xlsx file;
 * export it as CSV"), UTF-16 or UTF-32 without an encoding that says so,
 * or starts with a UTF-8 byte order mark while encoding names another
 * one. TN_USAGE for an unknown encoding, TN_IO if reading fails,
 * TN_NOMEM.
 */
tn_code tn_recode_open(int fd, const char *encoding, struct tn_recode **out,
		       struct tn_err *err);
/* What the first bytes said. */
enum tn_recode_kind tn_recode_kind(const struct tn_recode *r);
/* 1 if the bytes are converted (an encoding other than UTF-8). */
int tn_recode_converts(const struct tn_recode *r);
/*
 * Reads up to cap bytes of UTF-8 into buf: TN_OK with *got set (0 at the
 * end of the input). TN_IO if reading fails or the input is not in the
 * encoding ("byte 1234 is not valid UTF-16LE"); the reader is then
 * unusable. The signature is tn_csv_read_fn's (csv.h): r is the
 * struct tn_recode.
 */
tn_code tn_recode_read(void *r, char *buf, size_t cap, size_t *got,
		       struct tn_err *err);
/* Input bytes consumed so far (before conversion), for progress. */
unsigned long long tn_recode_offset(const struct tn_recode *r);
void tn_recode_free(struct tn_recode *r);

#endif
