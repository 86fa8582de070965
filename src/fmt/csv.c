/*
 * csv.c - the streaming RFC 4180 reader (csv.h).
 *
 * Input goes through one fixed READ_SIZE buffer; only the current record's
 * field bytes are kept (in a tn_buf capped at TN_CSV_MAX_RECORD), so a
 * file of any size is read in constant memory. Unquoted and quoted runs
 * are copied a chunk at a time rather than byte by byte. The separator is
 * a comma, one the caller names, or the one the first line uses. Knows
 * nothing about what the columns mean: that is the caller's business.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "turnout/buf.h"
#include "turnout/csv.h"

#define READ_SIZE 65536

struct tn_csv {
	int fd;                       /* -1 when reading fp or fn */
	FILE *fp;
	tn_csv_read_fn fn;            /* a byte source of the caller's */
	void *fn_ctx;
	struct tn_err fn_err;         /* why fn failed */
	tn_code fn_code;
	char *buf;                    /* READ_SIZE bytes */
	size_t pos, end;              /* unread bytes are buf[pos..end) */
	int eof;
	int started;                  /* the BOM check has been done */
	int failed;                   /* a read error: nothing more to read */
	unsigned long long consumed;  /* input bytes before buf[0] */
	long long line;               /* physical line at buf[pos] */
	long long rec_line;           /* line where the current record starts */
	struct tn_buf data;           /* the record's fields, each NUL-ended */
	size_t *ends;                 /* ends[i]: offset of field i's NUL */
	size_t nfields, afields;
	int overflow;                 /* 1 too long, 2 too many fields */
	int cr_pending;               /* a quoted CR ended the buffer */
	char delim;                   /* the field separator */
	int detect;                   /* delim is read from the first line */
};

static tn_code open_reader(int fd, FILE *fp, struct tn_csv **out,
			   struct tn_err *err)
{
	struct tn_csv *r = calloc(1, sizeof(*r));

	*out = NULL;
	if (!r || !(r->buf = malloc(READ_SIZE))) {
		free(r);
		return tn_err_set(err, TN_NOMEM, "csv: out of memory");
	}
	r->fd = fd;
	r->fp = fp;
	r->line = 1;
	r->delim = ',';
	tn_buf_init(&r->data);
	*out = r;
	return TN_OK;
}

tn_code tn_csv_open_fd(int fd, struct tn_csv **out, struct tn_err *err)
{
	return open_reader(fd, NULL, out, err);
}

tn_code tn_csv_open_file(FILE *f, struct tn_csv **out, struct tn_err *err)
{
	return open_reader(-1, f, out, err);
}

tn_code tn_csv_open_reader(tn_csv_read_fn fn, void *ctx, struct tn_csv **out,
			   struct tn_err *err)
{
	tn_code rc = open_reader(-1, NULL, out, err);

	if (rc == TN_OK) {
		(*out)->fn = fn;
		(*out)->fn_ctx = ctx;
	}
	return rc;
}

void tn_csv_free(struct tn_csv *r)
{
	if (!r)
		return;
	tn_buf_free(&r->data);
	free(r->ends);
	free(r->buf);
	free(r);
}

/* Reads up to cap bytes into dst: >0 bytes read, 0 at EOF, -1 on error. */
static ssize_t read_some(struct tn_csv *r, char *dst, size_t cap)
{
	ssize_t n;

	if (r->fn) {
		size_t got = 0;

		r->fn_code = r->fn(r->fn_ctx, dst, cap, &got, &r->fn_err);
		return r->fn_code == TN_OK ? (ssize_t)got : -1;
	}
	if (r->fp) {
		size_t got = fread(dst, 1, cap, r->fp);
		if (got == 0 && ferror(r->fp))
			return -1;
		return (ssize_t)got;
	}
	do
		n = read(r->fd, dst, cap);
	while (n < 0 && errno == EINTR);
	return n;
}

/* Refills the buffer once it is used up: 1 if bytes are available, 0 at
 * EOF, -1 on a read error. */
static int fill(struct tn_csv *r)
{
	ssize_t n;

	if (r->pos < r->end)
		return 1;
	if (r->eof || r->failed)
		return r->failed ? -1 : 0;
	r->consumed += r->end;
	r->pos = r->end = 0;
	n = read_some(r, r->buf, READ_SIZE);
	if (n < 0) {
		r->failed = 1;
		return -1;
	}
	if (n == 0) {
		r->eof = 1;
		return 0;
	}
	r->end = (size_t)n;
	return 1;
}

/* Reads more input after what the buffer holds; -1 on a read error
 * (r->failed set), else 0 (r->eof set at the end). */
static int fill_more(struct tn_csv *r)
{
	ssize_t n = read_some(r, r->buf + r->end, READ_SIZE - r->end);

	if (n < 0) {
		r->failed = 1;
		return -1;
	}
	if (n == 0)
		r->eof = 1;
	r->end += (size_t)n;
	return 0;
}

/* Skips a UTF-8 byte order mark at the very start (reads until three
 * bytes are there, since a pipe may deliver fewer). */
static int skip_bom(struct tn_csv *r)
{
	while (r->end < 3 && !r->eof) {
		if (fill_more(r) < 0)
			return -1;
	}
	if (r->end >= 3 && memcmp(r->buf, "\xEF\xBB\xBF", 3) == 0)
		r->pos = 3;
	return 0;
}

tn_code tn_csv_set_delimiter(struct tn_csv *r, int delim)
{
	if (delim == TN_CSV_DETECT) {
		r->detect = 1;
		r->delim = ',';
		return TN_OK;
	}
	if (delim != ',' && delim != ';' && delim != '\t' && delim != '|')
		return TN_USAGE;
	r->detect = 0;
	r->delim = (char)delim;
	return TN_OK;
}

int tn_csv_delimiter(const struct tn_csv *r)
{
	return r->delim;
}

/* Where the first line that is not blank starts in buf[pos..end). */
static const char *first_line(const struct tn_csv *r)
{
	const char *p = r->buf + r->pos, *e = r->buf + r->end;

	while (p < e && (*p == '\n' || *p == '\r'))
		p++;
	return p;
}

/* The separator of a first line that has no comma outside quotes but
 * semicolons or tabs (what spreadsheets write where the comma is the
 * decimal mark, and tab-separated exports); else a comma. */
static char detect_delimiter(const char *p, const char *e)
{
	size_t comma = 0, semi = 0, tab = 0;
	int quoted = 0;

	for (; p < e && (quoted || (*p != '\n' && *p != '\r')); p++) {
		if (*p == '"')
			quoted = !quoted;
		else if (!quoted && *p == ',')
			comma++;
		else if (!quoted && *p == ';')
			semi++;
		else if (!quoted && *p == '\t')
			tab++;
	}
	if (comma || (!semi && !tab))
		return ',';
	return tab > semi ? '\t' : ';';
}

/* Reads until the buffer holds the first line that is not blank (or is
 * full, or the input ends), so that its separator can be told. */
static int read_first_line(struct tn_csv *r)
{
	const char *p;

	for (;;) {
		p = first_line(r);
		if (r->eof || r->end == READ_SIZE ||
		    memchr(p, '\n', (size_t)(r->buf + r->end - p)) ||
		    memchr(p, '\r', (size_t)(r->buf + r->end - p)))
			return 0;
		if (fill_more(r) < 0)
			return -1;
	}
}

static tn_code add_bytes(struct tn_csv *r, const char *p, size_t n)
{
	if (r->overflow || n == 0)
		return TN_OK;
	if (r->data.len + n > TN_CSV_MAX_RECORD) {
		r->overflow = 1;
		return TN_OK;
	}
	return tn_buf_addn(&r->data, p, n);
}

static tn_code end_field(struct tn_csv *r)
{
	if (r->overflow)
		return TN_OK;
	if (r->nfields >= TN_CSV_MAX_FIELDS) {
		r->overflow = 2;
		return TN_OK;
	}
	if (r->nfields == r->afields) {
		size_t n = r->afields ? r->afields * 2 : 16;
		size_t *e = realloc(r->ends, n * sizeof(*e));
		if (!e)
			return TN_NOMEM;
		r->ends = e;
		r->afields = n;
	}
	if (tn_buf_addch(&r->data, '\0') != TN_OK)
		return TN_NOMEM;
	r->ends[r->nfields++] = r->data.len - 1;
	return TN_OK;
}

static tn_code io_error(struct tn_csv *r, struct tn_err *err)
{
	r->failed = 1;
	if (r->fn) {
		if (err)
			*err = r->fn_err;
		return r->fn_code;
	}
	return tn_err_set(err, TN_IO, "read error: %s", strerror(errno));
}

/* Consumes the LF of a CRLF after a CR was taken; 0 or -1 on error. */
static int after_cr(struct tn_csv *r)
{
	int f = fill(r);

	if (f < 0)
		return -1;
	if (f > 0 && r->buf[r->pos] == '\n')
		r->pos++;
	return 0;
}

/* Ends the record: the last field, then the verdict on its limits. */
static tn_code finish(struct tn_csv *r, int *got, struct tn_err *err)
{
	if (end_field(r) != TN_OK)
		return tn_err_set(err, TN_NOMEM, "csv: out of memory");
	if (r->overflow == 1)
		return tn_err_set(err, TN_BADINPUT, "record longer than %u bytes",
				  TN_CSV_MAX_RECORD);
	if (r->overflow == 2)
		return tn_err_set(err, TN_BADINPUT, "record has more than %d fields",
				  TN_CSV_MAX_FIELDS);
	*got = 1;
	return TN_OK;
}

enum { S_START, S_UNQUOTED, S_QUOTED, S_QUOTE_SEEN };

tn_code tn_csv_next(struct tn_csv *r, int *got, struct tn_err *err)
{
	long long quote_line = 0;
	int state = S_START, f;
	char c;

	*got = 0;
	r->nfields = 0;
	r->overflow = 0;
	tn_buf_reset(&r->data);
	if (r->failed)
		return r->fn ? io_error(r, err) : tn_err_set(err, TN_IO, "read error");
	if (!r->started) {
		r->started = 1;
		if (skip_bom(r) < 0)
			return io_error(r, err);
		if (r->detect) {
			if (read_first_line(r) < 0)
				return io_error(r, err);
			r->delim = detect_delimiter(first_line(r), r->buf + r->end);
		}
	}
	for (;;) {                    /* blank lines are no records */
		if ((f = fill(r)) < 0)
			return io_error(r, err);
		if (f == 0)
			return TN_OK;
		c = r->buf[r->pos];
		if (c != '\n' && c != '\r')
			break;
		r->pos++;
		if (c == '\r' && after_cr(r) < 0)
			return io_error(r, err);
		r->line++;
	}
	r->rec_line = r->line;

	for (;;) {
		if ((f = fill(r)) < 0)
			return io_error(r, err);
		if (f == 0) {
			if (state == S_QUOTED) {
				if (quote_line != r->rec_line)
					return tn_err_set(err, TN_BADINPUT,
							  "unterminated quoted field (the quote opens on line %lld)",
							  quote_line);
				return tn_err_set(err, TN_BADINPUT,
						  "unterminated quoted field");
			}
			return finish(r, got, err);
		}
		switch (state) {
		case S_START:
			if (r->buf[r->pos] == '"') {
				r->pos++;
				quote_line = r->line;
				state = S_QUOTED;
				continue;
			}
			state = S_UNQUOTED;
			/* fall through */
		case S_UNQUOTED: {
			const char *p = r->buf + r->pos, *e = r->buf + r->end, *q = p;
			const char d = r->delim;

			while (q < e && *q != d && *q != '\n' && *q != '\r')
				q++;
			if (add_bytes(r, p, (size_t)(q - p)) != TN_OK)
				return tn_err_set(err, TN_NOMEM, "csv: out of memory");
			r->pos = (size_t)(q - r->buf);
			if (q == e)
				continue;
			break;
		}
		case S_QUOTED: {
			const char *p = r->buf + r->pos, *e = r->buf + r->end, *q, *nl;

			q = memchr(p, '"', (size_t)(e - p));
			if (!q)
				q = e;
			/* Line breaks inside quotes: LF, CRLF or a lone CR. A CR
			 * that ends the buffer is decided by the next byte. */
			if (r->cr_pending && p < e) {
				r->cr_pending = 0;
				if (*p != '\n')
					r->line++;
			}
			for (nl = p; nl < q; nl++) {
				if (*nl == '\n')
					r->line++;
				else if (*nl == '\r' && nl + 1 == e)
					r->cr_pending = 1;
				else if (*nl == '\r' && nl[1] != '\n')
					r->line++;
			}
			if (add_bytes(r, p, (size_t)(q - p)) != TN_OK)
				return tn_err_set(err, TN_NOMEM, "csv: out of memory");
			r->pos = (size_t)(q - r->buf);
			if (q < e) {
				r->pos++;
				state = S_QUOTE_SEEN;
			}
			continue;
		}
		case S_QUOTE_SEEN:
			if (r->buf[r->pos] == '"') {           /* "" is one quote */
				r->pos++;
				if (add_bytes(r, "\"", 1) != TN_OK)
					return tn_err_set(err, TN_NOMEM, "csv: out of memory");
				state = S_QUOTED;
				continue;
			}
			c = r->buf[r->pos];
			if (c != r->delim && c != '\n' && c != '\r') {
				state = S_UNQUOTED;       /* lenient: "ab"cd is abcd */
				continue;
			}
			break;
		}
		/* At a delimiter outside quotes. */
		c = r->buf[r->pos++];
		if (c == r->delim) {
			if (end_field(r) != TN_OK)
				return tn_err_set(err, TN_NOMEM, "csv: out of memory");
			state = S_START;
			continue;
		}
		if (c == '\r' && after_cr(r) < 0)
			return io_error(r, err);
		r->line++;
		return finish(r, got, err);
	}
}

size_t tn_csv_count(const struct tn_csv *r)
{
	return r->nfields;
}

const char *tn_csv_field(const struct tn_csv *r, size_t i, size_t *len)
{
	size_t start;

	if (i >= r->nfields) {
		if (len)
			*len = 0;
		return NULL;
	}
	start = i ? r->ends[i - 1] + 1 : 0;
	if (len)
		*len = r->ends[i] - start;
	return r->data.data + start;
}

long long tn_csv_line(const struct tn_csv *r)
{
	return r->rec_line;
}

unsigned long long tn_csv_offset(const struct tn_csv *r)
{
	return r->consumed + r->pos;
}
