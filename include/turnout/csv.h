/*
 * csv.h - a streaming RFC 4180 reader.
 *
 * Reads records one at a time from a file descriptor, a FILE* or a byte
 * source of the caller's through a fixed-size read buffer, so memory
 * depends on the longest record, never on the size of the input.
 * Understands a UTF-8 byte order mark, CRLF, LF and lone CR line ends,
 * quoted fields with embedded separators, doubled quotes and line breaks.
 * The separator is a comma, a semicolon, a tab or '|', named by the caller
 * or told from the first line. Empty lines are skipped. Each record knows
 * the physical line (1-based, counted in the input as given) on which it
 * starts. Bytes are returned as read: the reader does not check UTF-8.
 *
 * Leniencies, as in most spreadsheet exports: a quote inside an unquoted
 * field is an ordinary character, and text after a closing quote is
 * appended to the field.
 */
#ifndef TURNOUT_CSV_H
#define TURNOUT_CSV_H

#include <stddef.h>
#include <stdio.h>

#include "turnout/err.h"

struct tn_csv;

/* Limits that keep one bad record from exhausting memory. */
#define TN_CSV_MAX_RECORD  (8u << 20)   /* bytes of field data per record */
#define TN_CSV_MAX_FIELDS  4096         /* fields per record */

/* A reader over fd (not closed by the reader). *out is new; the caller
 * frees it with tn_csv_free. TN_NOMEM on allocation failure. */
tn_code tn_csv_open_fd(int fd, struct tn_csv **out, struct tn_err *err);
/* The same over a stdio stream (not closed by the reader). */
tn_code tn_csv_open_file(FILE *f, struct tn_csv **out, struct tn_err *err);
/* A byte source: reads up to cap bytes into buf and sets *got (0 at the
 * end of the input); any other code than TN_OK, with err set, is a
 * failure that tn_csv_next returns as it is (recode.h's tn_recode_read is
 * one). */
typedef tn_code (*tn_csv_read_fn)(void *ctx, char *buf, size_t cap, size_t *got,
				  struct tn_err *err);
/* The same over fn (called with ctx), which the reader does not free. */
tn_code tn_csv_open_reader(tn_csv_read_fn fn, void *ctx, struct tn_csv **out,
			   struct tn_err *err);
void tn_csv_free(struct tn_csv *r);

/* The field separator, before the first tn_csv_next: ',' (the default),
 * ';', '\t' or '|', or TN_CSV_DETECT: the first line's -- a comma, unless
 * that line has none outside quotes but semicolons or tabs (the more
 * numerous). TN_USAGE for another character. */
#define TN_CSV_DETECT 0
tn_code tn_csv_set_delimiter(struct tn_csv *r, int delim);
/* The separator in use (once the first record is read, the detected one). */
int tn_csv_delimiter(const struct tn_csv *r);

/*
 * Reads the next record. Returns TN_OK and sets *got to 1 when a record
 * was read, or to 0 at the end of the input. Returns TN_BADINPUT for a
 * malformed record (a quote still open at the end of the input, or a
 * record past the limits above) with the reason in err ("unterminated
 * quoted field") and its line in tn_csv_line; the reader has then skipped
 * that record and the next call continues after it.
 * Returns TN_IO if reading failed (or the code a byte source returned),
 * TN_NOMEM if memory ran out; the reader is then unusable.
 */
tn_code tn_csv_next(struct tn_csv *r, int *got, struct tn_err *err);

/* The current record's fields. Each field is NUL-terminated (it may also
 * contain NUL bytes: len, if not NULL, tells the truth); NULL past the
 * last field. Pointers stay valid until the next tn_csv_next or
 * tn_csv_free. */
size_t tn_csv_count(const struct tn_csv *r);
const char *tn_csv_field(const struct tn_csv *r, size_t i, size_t *len);
/* The physical line on which the current (or last malformed) record
 * starts. */
long long tn_csv_line(const struct tn_csv *r);
/* Bytes consumed from the input so far (for progress), the BOM included. */
unsigned long long tn_csv_offset(const struct tn_csv *r);

#endif
