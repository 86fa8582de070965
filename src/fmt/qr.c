/*
 * qr.c - QR code images: the symbol from libqrencode (level M, smallest
 * version), drawn as SVG (one path), PNG (libpng, written into memory)
 * or UTF-8 half blocks for a terminal, each with a 4-module quiet zone.
 * Knows nothing of what the text means; ticketcode.c makes ticket codes.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>
#include <qrencode.h>

#include "turnout/qr.h"

/* The symbol of text at level M. Bit 0 of each data byte is the module's
 * colour (1 dark); libqrencode's other bits are its own bookkeeping. */
static tn_code encode(const char *text, QRcode **qr, struct tn_err *err)
{
	if (!text || !*text)
		return tn_err_set(err, TN_USAGE, "qr code: no text to encode");
	errno = 0;
	/* QR_MODE_8 with case sensitivity: the splitter still picks numeric
	 * and alphanumeric segments where they are shorter (QR_MODE_AN is
	 * refused as a hint, EINVAL). */
	*qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	if (*qr)
		return TN_OK;
	if (errno == ERANGE)
		return tn_err_set(err, TN_BADINPUT,
				  "qr code: text of %zu bytes is too long for a QR code",
				  strlen(text));
	if (errno == ENOMEM)
		return tn_err_set(err, TN_NOMEM, "qr code: out of memory");
	return tn_err_set(err, TN_FAIL, "qr code: cannot encode: %s", strerror(errno));
}

/* 1 if the module at (x, y) of the image with its quiet zone is dark. */
static int dark(const QRcode *qr, int x, int y)
{
	x -= TN_QR_QUIET;
	y -= TN_QR_QUIET;
	if (x < 0 || y < 0 || x >= qr->width || y >= qr->width)
		return 0;
	return qr->data[y * qr->width + x] & 1;
}

tn_code tn_qr_version(const char *text, int *version, int *width,
		      struct tn_err *err)
{
	QRcode *qr;
	tn_code rc;

	if ((rc = encode(text, &qr, err)) != TN_OK)
		return rc;
	if (version)
		*version = qr->version;
	if (width)
		*width = qr->width;
	QRcode_free(qr);
	return TN_OK;
}

tn_code tn_qr_svg(const char *text, struct tn_buf *out, struct tn_err *err)
{
	QRcode *qr;
	tn_code rc;
	int size, x, y, run;

	if ((rc = encode(text, &qr, err)) != TN_OK)
		return rc;
	size = qr->width + 2 * TN_QR_QUIET;
	rc = tn_buf_addf(out,
			 "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
			 "width=\"%d\" height=\"%d\" shape-rendering=\"crispEdges\">"
			 "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/><path fill=\"#000\" d=\"",
			 size, size, 4 * size, 4 * size, size, size);
	/* each run of dark modules in a row: a 1-unit-high rectangle */
	for (y = 0; rc == TN_OK && y < qr->width; y++) {
		for (x = 0; rc == TN_OK && x < qr->width; x += run) {
			for (run = 0; x + run < qr->width && (qr->data[y * qr->width + x + run] & 1); run++)
				;
			if (run > 0)
				rc = tn_buf_addf(out, "M%d %dh%dv1h-%dz", x + TN_QR_QUIET,
						 y + TN_QR_QUIET, run, run);
			else
				run = 1;
		}
	}
	if (rc == TN_OK)
		rc = tn_buf_add(out, "\"/></svg>\n");
	QRcode_free(qr);
	return rc == TN_OK ? TN_OK : tn_err_set(err, rc, "qr code: out of memory");
}

/* libpng's output and error callbacks write into this. */
struct png_sink {
	struct tn_buf *out;
	int nomem;
	jmp_buf jump;
	char msg[128];
};

static void png_sink_write(png_structp png, png_bytep data, size_t len)
{
	struct png_sink *sink = png_get_io_ptr(png);

	if (tn_buf_addn(sink->out, data, len) != TN_OK) {
		sink->nomem = 1;
		png_error(png, "out of memory");
	}
}

static void png_sink_flush(png_structp png)
{
	(void)png;
}

static void png_sink_error(png_structp png, png_const_charp msg)
{
	struct png_sink *sink = png_get_error_ptr(png);

	snprintf(sink->msg, sizeof(sink->msg), "%s", msg);
	longjmp(sink->jump, 1);
}

static void png_sink_warning(png_structp png, png_const_charp msg)
{
	(void)png;
	(void)msg;
}

/* Writes the image of qr, scale pixels per module, as a PNG into out. */
static tn_code write_png(const QRcode *qr, int scale, struct tn_buf *out,
			 struct tn_err *err)
{
	struct png_sink sink = { .out = out };
	png_structp png;
	png_infop info = NULL;
	size_t start = out->len;
	int size = (qr->width + 2 * TN_QR_QUIET) * scale;
	size_t row_bytes = ((size_t)size + 7) / 8;
	unsigned char *volatile row = calloc(1, row_bytes);
	int y, x, i;

	if (!row)
		return tn_err_set(err, TN_NOMEM, "qr code: out of memory");
	png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &sink, png_sink_error,
				      png_sink_warning);
	if (png)
		info = png_create_info_struct(png);
	if (!png || !info) {
		png_destroy_write_struct(&png, NULL);
		free(row);
		return tn_err_set(err, TN_NOMEM, "qr code: out of memory");
	}
	if (setjmp(sink.jump)) {
		png_destroy_write_struct(&png, &info);
		free(row);
		if (out->alloc) {   /* no half-written image is left */
			out->len = start;
			out->data[start] = '\0';
		}
		if (sink.nomem)
			return tn_err_set(err, TN_NOMEM, "qr code: out of memory");
		return tn_err_set(err, TN_FAIL, "qr code: png: %s", sink.msg);
	}
	png_set_write_fn(png, &sink, png_sink_write, png_sink_flush);
	/* 1 bit per pixel, 0 black: the smallest file, and every decoder
	 * reads it */
	png_set_IHDR(png, info, (png_uint_32)size, (png_uint_32)size, 1, PNG_COLOR_TYPE_GRAY,
		     PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	/* zlib's fastest level: a fifth less time per image than its
	 * default, for some 100 bytes more on a 400-byte file */
	png_set_compression_level(png, 1);
	png_write_info(png, info);
	/* each row of modules once, written scale times */
	for (y = 0; y < size; y += scale) {
		memset(row, 0, row_bytes);
		for (x = 0; x < size; x++)
			if (!dark(qr, x / scale, y / scale))
				row[x / 8] |= (unsigned char)(0x80 >> (x % 8));
		for (i = 0; i < scale; i++)
			png_write_row(png, row);
	}
	png_write_end(png, info);
	png_destroy_write_struct(&png, &info);
	free(row);
	return TN_OK;
}

tn_code tn_qr_png(const char *text, int scale, struct tn_buf *out,
		  struct tn_err *err)
{
	QRcode *qr;
	tn_code rc;

	if (scale < 1 || scale > TN_QR_SCALE_MAX)
		return tn_err_field(err, TN_USAGE, "scale",
				    "qr code: scale %d out of range 1..%d", scale, TN_QR_SCALE_MAX);
	if ((rc = encode(text, &qr, err)) != TN_OK)
		return rc;
	rc = write_png(qr, scale, out, err);
	QRcode_free(qr);
	return rc;
}

tn_code tn_qr_text(const char *text, struct tn_buf *out, struct tn_err *err)
{
	/* indexed by (upper light) | (lower light) << 1 */
	static const char *const block[4] = { " ", "\xE2\x96\x80", "\xE2\x96\x84", "\xE2\x96\x88" };
	QRcode *qr;
	tn_code rc;
	int size, x, y;

	if ((rc = encode(text, &qr, err)) != TN_OK)
		return rc;
	size = qr->width + 2 * TN_QR_QUIET;
	for (y = 0; rc == TN_OK && y < size; y += 2) {
		for (x = 0; rc == TN_OK && x < size; x++) {
			int upper = !dark(qr, x, y);
			/* an odd last row: below it is the terminal's background */
			int lower = y + 1 < size && !dark(qr, x, y + 1);

			rc = tn_buf_add(out, block[upper | lower << 1]);
		}
		if (rc == TN_OK)
			rc = tn_buf_addch(out, '\n');
	}
	QRcode_free(qr);
	return rc == TN_OK ? TN_OK : tn_err_set(err, rc, "qr code: out of memory");
}
