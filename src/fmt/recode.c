/*
 * recode.c - an input file's bytes as UTF-8 (recode.h): what the first
 * bytes say the file is, and iconv(3) (glibc's: no library of its own)
 * for a named encoding. Owns no table and knows nothing of CSV; csv.c
 * reads through it as through any byte source.
 *
 * Without a conversion the bytes go straight from read(2) into the
 * caller's buffer (only the first bytes, read to look at them, are
 * copied), so plain UTF-8 costs nothing. With one, raw input and UTF-8
 * output each have a fixed buffer; a character cut by the end of a read
 * waits for the next one.
 */
#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "turnout/recode.h"

#define IN_SIZE    65536
#define OUT_SIZE   65536
#define SNIFF_SIZE 512      /* bytes looked at before anything is read */

struct tn_recode {
	int fd;
	enum tn_recode_kind kind;
	iconv_t cd;                   /* (iconv_t)-1: bytes as they are */
	char name[64];                /* the encoding, for messages */
	char *in;                     /* raw bytes in[pos..end) not yet used */
	size_t pos, end;
	unsigned long long before;    /* raw bytes before in[0] */
	char *out;                    /* converted bytes out[opos..oend) */
	size_t opos, oend;
	int eof, flushed, failed;
};

static int starts(const unsigned char *p, size_t n, const char *magic, size_t len)
{
	return n >= len && memcmp(p, magic, len) == 0;
}

enum tn_recode_kind tn_recode_sniff(const unsigned char *p, size_t n, int *bom)
{
	size_t i, pairs = n / 2, quads = n / 4, le = 0, be = 0, le32 = 0, be32 = 0;
	int dummy;

	if (!bom)
		bom = &dummy;
	*bom = 0;
	if (starts(p, n, "\x1f\x8b", 2))
		return TN_RECODE_GZIP;
	if (starts(p, n, "PK\x03\x04", 4) || starts(p, n, "PK\x05\x06", 4))
		return TN_RECODE_ZIP;
	if (starts(p, n, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8))
		return TN_RECODE_OLE;
	if (n >= 10 && starts(p, n, "BZh", 3) && p[3] >= '1' && p[3] <= '9' &&
	    (memcmp(p + 4, "1AY&SY", 6) == 0 || memcmp(p + 4, "\x17\x72\x45\x38\x50\x90", 6) == 0))
		return TN_RECODE_BZIP2;
	if (starts(p, n, "\xFD" "7zXZ\0", 6))
		return TN_RECODE_XZ;
	if (starts(p, n, "\x28\xB5\x2F\xFD", 4))
		return TN_RECODE_ZSTD;
	if (starts(p, n, "%PDF-", 5))
		return TN_RECODE_PDF;
	if (starts(p, n, "SQLite format 3", 16))
		return TN_RECODE_SQLITE;
	*bom = 1;
	if (starts(p, n, "\xFF\xFE\0\0", 4))
		return TN_RECODE_UTF32LE;
	if (starts(p, n, "\0\0\xFE\xFF", 4))
		return TN_RECODE_UTF32BE;
	if (starts(p, n, "\xFF\xFE", 2))
		return TN_RECODE_UTF16LE;
	if (starts(p, n, "\xFE\xFF", 2))
		return TN_RECODE_UTF16BE;
	if (starts(p, n, "\xEF\xBB\xBF", 3))
		return TN_RECODE_UTF8_BOM;
	*bom = 0;
	/* No mark: UTF-16 of mostly ASCII text (a header, addresses) has a
	 * NUL in every other byte, UTF-32 three in every four. */
	for (i = 0; i < quads; i++) {
		le32 += p[4 * i] && !p[4 * i + 1] && !p[4 * i + 2] && !p[4 * i + 3];
		be32 += !p[4 * i] && !p[4 * i + 1] && !p[4 * i + 2] && p[4 * i + 3];
	}
	if (quads >= 2 && le32 * 4 >= quads * 3)
		return TN_RECODE_UTF32LE;
	if (quads >= 2 && be32 * 4 >= quads * 3)
		return TN_RECODE_UTF32BE;
	for (i = 0; i < pairs; i++) {
		le += p[2 * i] && !p[2 * i + 1];
		be += !p[2 * i] && p[2 * i + 1];
	}
	if (pairs >= 2 && le * 4 >= pairs * 3)
		return TN_RECODE_UTF16LE;
	if (pairs >= 2 && be * 4 >= pairs * 3)
		return TN_RECODE_UTF16BE;
	return TN_RECODE_TEXT;
}

/* name upper-cased with everything but letters and digits left out:
 * "utf-16le" -> "UTF16LE". */
static void squeeze(const char *name, char *out, size_t size)
{
	size_t n = 0;

	for (; *name && n + 1 < size; name++)
		if ((*name >= 'a' && *name <= 'z') || (*name >= 'A' && *name <= 'Z') ||
		    (*name >= '0' && *name <= '9'))
			out[n++] = (char)(*name >= 'a' ? *name - 32 : *name);
	out[n] = '\0';
}

int tn_recode_is_utf8(const char *encoding)
{
	char s[16];

	squeeze(encoding, s, sizeof(s));
	return strcmp(s, "UTF8") == 0;
}

tn_code tn_recode_check(const char *encoding, struct tn_err *err)
{
	iconv_t cd;

	if (tn_recode_is_utf8(encoding))
		return TN_OK;
	cd = iconv_open("UTF-8", encoding);
	if (cd == (iconv_t)-1) {
		if (errno == ENOMEM)
			return tn_err_set(err, TN_NOMEM, "out of memory");
		tn_err_field(err, TN_USAGE, "encoding", "unknown encoding '%s'", encoding);
		tn_err_hint(err, "'iconv -l' lists the names: latin1, windows-1251, "
			    "UTF-16, ...");
		return TN_USAGE;
	}
	iconv_close(cd);
	return TN_OK;
}

/* The iconv name of a kind of Unicode text, and how it reads. */
static const char *unicode_name(enum tn_recode_kind kind, int bom, const char **what)
{
	static const struct { const char *bom, *plain, *what; } names[] = {
		[TN_RECODE_UTF16LE] = { "UTF-16", "UTF-16LE", "UTF-16 text (little-endian)" },
		[TN_RECODE_UTF16BE] = { "UTF-16", "UTF-16BE", "UTF-16 text (big-endian)" },
		[TN_RECODE_UTF32LE] = { "UTF-32", "UTF-32LE", "UTF-32 text (little-endian)" },
		[TN_RECODE_UTF32BE] = { "UTF-32", "UTF-32BE", "UTF-32 text (big-endian)" },
	};

	*what = names[kind].what;
	return bom ? names[kind].bom : names[kind].plain;
}

/* Refuses a file that is no text, or Unicode text the encoding does not
 * read; picks the byte order of UTF-16 and UTF-32 without a mark when
 * the encoding leaves it open. name is the encoding iconv gets. */
static tn_code check_kind(struct tn_recode *r, int bom, const char *encoding,
			  char *name, size_t size, struct tn_err *err)
{
	static const char *const what[] = {
		[TN_RECODE_GZIP] = "this is a gzip file; decompress it first (gunzip)",
		[TN_RECODE_ZIP] = "this is a zip or xlsx file; export it as CSV",
		[TN_RECODE_OLE] = "this is an Excel 97-2003 (xls) file; export it as CSV",
		[TN_RECODE_BZIP2] = "this is a bzip2 file; decompress it first (bunzip2)",
		[TN_RECODE_XZ] = "this is an xz file; decompress it first (unxz)",
		[TN_RECODE_ZSTD] = "this is a zstd file; decompress it first (unzstd)",
		[TN_RECODE_PDF] = "this is a PDF file, not CSV",
		[TN_RECODE_SQLITE] = "this is an SQLite database, not CSV",
	};
	const char *label, *iname;
	char want[16], given[16];

	snprintf(name, size, "%s", encoding ? encoding : "UTF-8");
	switch (r->kind) {
	case TN_RECODE_TEXT:
		return TN_OK;
	case TN_RECODE_UTF8_BOM:
		if (!encoding || tn_recode_is_utf8(encoding))
			return TN_OK;
		tn_err_set(err, TN_BADINPUT, "starts with a UTF-8 byte order mark: "
			   "this is UTF-8 text, not %s", encoding);
		tn_err_hint(err, "leave {encoding} out");
		return TN_BADINPUT;
	case TN_RECODE_UTF16LE:
	case TN_RECODE_UTF16BE:
	case TN_RECODE_UTF32LE:
	case TN_RECODE_UTF32BE:
		iname = unicode_name(r->kind, bom, &label);
		squeeze(iname, want, 6);          /* "UTF16" or "UTF32" */
		squeeze(encoding ? encoding : "", given, sizeof(given));
		if (encoding && strncmp(given, want, 5) == 0) {
			/* "UTF-16" reads a file without a mark as big-endian:
			 * the NUL bytes have told which it is */
			if (!bom && strcmp(given, want) == 0)
				snprintf(name, size, "%s", iname);
			return TN_OK;
		}
		tn_err_set(err, TN_BADINPUT, "this is %s, not %s", label,
			   encoding ? encoding : "UTF-8");
		tn_err_hint(err, "give {encoding} %s, or convert it: iconv -f %s -t UTF-8",
			    iname, iname);
		return TN_BADINPUT;
	default:
		return tn_err_set(err, TN_BADINPUT, "%s", what[r->kind]);
	}
}

static ssize_t read_fd(int fd, char *buf, size_t cap)
{
	ssize_t n;

	do
		n = read(fd, buf, cap);
	while (n < 0 && errno == EINTR);
	return n;
}

static tn_code read_error(struct tn_recode *r, struct tn_err *err)
{
	r->failed = 1;
	return tn_err_set(err, TN_IO, "read error: %s", strerror(errno));
}

tn_code tn_recode_open(int fd, const char *encoding, struct tn_recode **out,
		       struct tn_err *err)
{
	struct tn_recode *r = calloc(1, sizeof(*r));
	char name[64];
	ssize_t n;
	int bom;
	tn_code rc;

	*out = NULL;
	if (!r || !(r->in = malloc(IN_SIZE))) {
		free(r);
		return tn_err_set(err, TN_NOMEM, "out of memory");
	}
	r->fd = fd;
	r->cd = (iconv_t)-1;
	/* a pipe may deliver the first bytes a few at a time */
	while (r->end < SNIFF_SIZE && !r->eof) {
		if ((n = read_fd(fd, r->in + r->end, IN_SIZE - r->end)) < 0) {
			rc = read_error(r, err);
			goto fail;
		}
		r->eof = n == 0;
		r->end += (size_t)n;
	}
	r->kind = tn_recode_sniff((const unsigned char *)r->in, r->end, &bom);
	if ((rc = check_kind(r, bom, encoding, name, sizeof(name), err)) != TN_OK)
		goto fail;
	snprintf(r->name, sizeof(r->name), "%s", name);
	if (encoding && !tn_recode_is_utf8(encoding)) {
		if ((rc = tn_recode_check(name, err)) != TN_OK)
			goto fail;
		r->cd = iconv_open("UTF-8", name);
		if (r->cd == (iconv_t)-1 || !(r->out = malloc(OUT_SIZE))) {
			rc = tn_err_set(err, TN_NOMEM, "out of memory");
			goto fail;
		}
	}
	*out = r;
	return TN_OK;
fail:
	tn_recode_free(r);
	return rc;
}

enum tn_recode_kind tn_recode_kind(const struct tn_recode *r)
{
	return r->kind;
}

int tn_recode_converts(const struct tn_recode *r)
{
	return r->cd != (iconv_t)-1;
}

/* Converts what raw input there is into the empty output buffer,
 * reading more when a character is cut or nothing is left. */
static tn_code convert(struct tn_recode *r, struct tn_err *err)
{
	char *ip, *op;
	size_t il, ol, done;
	ssize_t n;

	r->opos = r->oend = 0;
	while (r->oend == 0 && !r->flushed) {
		if (r->pos > 0) {                     /* keep a cut character */
			memmove(r->in, r->in + r->pos, r->end - r->pos);
			r->before += r->pos;
			r->end -= r->pos;
			r->pos = 0;
		}
		if (!r->eof && r->end < IN_SIZE) {
			if ((n = read_fd(r->fd, r->in + r->end, IN_SIZE - r->end)) < 0)
				return read_error(r, err);
			r->eof = n == 0;
			r->end += (size_t)n;
		}
		ip = r->in;
		il = r->end;
		op = r->out;
		ol = OUT_SIZE;
		done = iconv(r->cd, &ip, &il, &op, &ol);
		r->pos = (size_t)(ip - r->in);
		r->oend = (size_t)(op - r->out);
		if (done == (size_t)-1 && errno == EILSEQ) {
			r->failed = 1;
			return tn_err_set(err, TN_IO, "byte %llu is not valid %s",
					  r->before + r->pos + 1, r->name);
		}
		if (done == (size_t)-1 && errno == EINVAL && r->eof) {
			r->failed = 1;
			return tn_err_set(err, TN_IO, "the input ends inside a %s character",
					  r->name);
		}
		if (r->eof && r->pos == r->end && r->oend < OUT_SIZE) {
			/* the end: a stateful encoding writes its last bytes */
			op = r->out + r->oend;
			ol = OUT_SIZE - r->oend;
			if (iconv(r->cd, NULL, NULL, &op, &ol) != (size_t)-1) {
				r->oend = (size_t)(op - r->out);
				r->flushed = 1;
			}
		}
	}
	return TN_OK;
}

tn_code tn_recode_read(void *vr, char *buf, size_t cap, size_t *got,
		       struct tn_err *err)
{
	struct tn_recode *r = vr;
	ssize_t n;
	size_t k;
	tn_code rc;

	*got = 0;
	if (r->failed)
		return tn_err_set(err, TN_IO, "read error");
	if (r->cd == (iconv_t)-1) {
		if (r->pos < r->end) {               /* the bytes looked at first */
			k = r->end - r->pos < cap ? r->end - r->pos : cap;
			memcpy(buf, r->in + r->pos, k);
			r->pos += k;
			*got = k;
			return TN_OK;
		}
		if (r->eof)
			return TN_OK;
		if ((n = read_fd(r->fd, buf, cap)) < 0)
			return read_error(r, err);
		r->eof = n == 0;
		r->before += (size_t)n;
		*got = (size_t)n;
		return TN_OK;
	}
	if (r->opos == r->oend && (rc = convert(r, err)) != TN_OK)
		return rc;
	k = r->oend - r->opos < cap ? r->oend - r->opos : cap;
	memcpy(buf, r->out + r->opos, k);
	r->opos += k;
	*got = k;
	return TN_OK;
}

unsigned long long tn_recode_offset(const struct tn_recode *r)
{
	return r->before + r->pos;
}

void tn_recode_free(struct tn_recode *r)
{
	if (!r)
		return;
	if (r->cd != (iconv_t)-1)
		iconv_close(r->cd);
	free(r->in);
	free(r->out);
	free(r);
}
