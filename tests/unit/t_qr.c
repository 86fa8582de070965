/*
 * t_qr.c - QR images: the version a ticket code needs (5 at level M), the
 * SVG as one path whose modules are the terminal rendering's, the quiet
 * zone of 4 modules in every form, the PNG's header and size, and the
 * errors (no text, too much text, a bad scale).
 *
 * `t_qr --write DIR` instead writes, for each sample text NAME (ticket
 * codes, a URL), DIR/NAME.want (the text), NAME.png (3 px per module),
 * NAME-4.png (4 px), NAME.svg and NAME.txt, for tests/t5500-qr.sh, which
 * decodes them with zbarimg.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "tap.h"
#include "turnout/buf.h"
#include "turnout/file.h"
#include "turnout/qr.h"
#include "turnout/ticketcode.h"

#define MAXW 200

static const char url[] = "https://meet.example.org/t/cXV4MTIzNDU2Nzg5MFpt9vYmFyYmF6";

/* The modules (1 dark) of an SVG's path "M x yhNv1h-Nz" runs; returns the
 * number of runs, or -1 for anything else in the path. */
static int svg_modules(const char *svg, int size, unsigned char m[MAXW][MAXW])
{
	const char *p = strstr(svg, " d=\"");
	int x, y, n, n2, used, runs = 0;

	memset(m, 0, sizeof(unsigned char[MAXW][MAXW]));
	if (!p)
		return -1;
	for (p += 4; *p == 'M'; p += used, runs++) {
		if (sscanf(p, "M%d %dh%dv1h-%dz%n", &x, &y, &n, &n2, &used) != 4 || n != n2 ||
		    x < 0 || y < 0 || n < 1 || x + n > size || y >= size)
			return -1;
		while (n--)
			m[y][x++] = 1;
	}
	return *p == '"' ? runs : -1;
}

/* The modules of the half-block text (blank = dark); -1 unless it is
 * size columns by ceil(size / 2) lines of the four characters. */
static int text_modules(const char *t, int size, unsigned char m[MAXW][MAXW])
{
	static const char *const block[4] = { " ", "\xE2\x96\x80", "\xE2\x96\x84", "\xE2\x96\x88" };
	int x, y = 0, k;

	memset(m, 0, sizeof(unsigned char[MAXW][MAXW]));
	for (; *t; t++, y += 2) {
		for (x = 0; *t != '\n'; x++) {
			for (k = 0; k < 4 && strncmp(t, block[k], strlen(block[k])) != 0; k++)
				;
			if (k == 4 || x >= size)
				return -1;
			t += strlen(block[k]);
			m[y][x] = !(k & 1);
			if (y + 1 < size)
				m[y + 1][x] = !(k & 2);
			else if (k & 2)
				return -1;   /* below the last row: nothing drawn */
		}
		if (x != size)
			return -1;
	}
	return y == size + (size & 1) ? 0 : -1;
}

/* 1 if the outer 4 rows and columns of m are light. */
static int quiet(unsigned char m[MAXW][MAXW], int size)
{
	int x, y;

	for (y = 0; y < size; y++)
		for (x = 0; x < size; x++)
			if ((x < 4 || y < 4 || x >= size - 4 || y >= size - 4) && m[y][x])
				return 0;
	/* and the finder pattern's dark corner starts right after it */
	return m[4][4] && m[4][10] && m[10][4] && !m[3][4] && !m[4][3];
}

static void check_text(const char *text, int want_version)
{
	static unsigned char a[MAXW][MAXW], b[MAXW][MAXW];
	struct tn_buf svg = TN_BUF_INIT, txt = TN_BUF_INIT, png = TN_BUF_INIT;
	struct tn_err err = TN_ERR_INIT;
	char want[64];
	int version = 0, width = 0, size;
	uint32_t w, h;

	is_int(tn_qr_version(text, &version, &width, &err), TN_OK, "encode %.20s…", text);
	if (want_version)
		is_int(version, want_version, "version %d at level M", want_version);
	is_int(width, 17 + 4 * version, "width %d modules", width);
	size = width + 2 * TN_QR_QUIET;

	is_int(tn_qr_svg(text, &svg, &err), TN_OK, "svg");
	ok(strncmp(svg.data, "<svg ", 5) == 0, "an svg element");
	snprintf(want, sizeof(want), "viewBox=\"0 0 %d %d\"", size, size);
	ok(strstr(svg.data, want) != NULL, "%s (width + 2 x 4)", want);
	ok(strstr(svg.data, "shape-rendering=\"crispEdges\"") != NULL, "crisp edges");
	ok(strstr(svg.data, "<path") && !strstr(strstr(svg.data, "<path") + 1, "<path"),
	   "exactly one path");
	ok(strstr(svg.data, "<rect") && !strstr(strstr(svg.data, "<rect") + 1, "<rect"),
	   "one rect: the white background");
	ok(!strstr(svg.data, "href") && !strstr(svg.data, "<text"), "no reference, no text");
	ok(svg_modules(svg.data, size, a) > 0, "the path is runs of dark modules");
	ok(quiet(a, size), "svg: 4 light modules around, then the finder pattern");

	is_int(tn_qr_text(text, &txt, &err), TN_OK, "text");
	is_int(text_modules(txt.data, size, b), 0, "text: %d columns of half blocks, %d lines",
	       size, (size + 1) / 2);
	ok(memcmp(a, b, sizeof(a)) == 0, "the same modules as the svg (blank = dark)");
	ok(quiet(b, size), "text: 4 light modules around");

	tn_buf_add(&png, "keep");
	is_int(tn_qr_png(text, 3, &png, &err), TN_OK, "png");
	ok(png.len > 4 + 33 && memcmp(png.data, "keep", 4) == 0, "appended to what out held");
	ok(memcmp(png.data + 4, "\x89PNG\r\n\x1a\n", 8) == 0, "a PNG signature");
	memcpy(&w, png.data + 4 + 16, 4);
	memcpy(&h, png.data + 4 + 20, 4);
	ok(ntohl(w) == (uint32_t)size * 3 && ntohl(h) == (uint32_t)size * 3,
	   "%u x %u px: 3 per module, quiet zone included", ntohl(w), ntohl(h));
	ok(png.data[4 + 24] == 1 && png.data[4 + 25] == 0, "1-bit greyscale");
	tn_buf_free(&svg);
	tn_buf_free(&txt);
	tn_buf_free(&png);
}

static void check_errors(void)
{
	struct tn_buf b = TN_BUF_INIT;
	struct tn_err err = TN_ERR_INIT;
	char *big = malloc(3001);

	is_int(tn_qr_svg("", &b, &err), TN_USAGE, "no text: %s", err.msg);
	is_int(tn_qr_text(NULL, &b, &err), TN_USAGE, "NULL text");
	is_int(tn_qr_png("x", 0, &b, &err), TN_USAGE, "scale 0: %s", err.msg);
	is_str(err.field, "scale", "names the scale");
	is_int(tn_qr_png("x", TN_QR_SCALE_MAX + 1, &b, &err), TN_USAGE, "scale %d",
	       TN_QR_SCALE_MAX + 1);
	memset(big, 'x', 3000);
	big[3000] = '\0';
	is_int(tn_qr_png(big, 2, &b, &err), TN_BADINPUT, "3000 bytes: %s", err.msg);
	big[2331] = '\0';
	is_int(tn_qr_version(big, NULL, NULL, &err), TN_OK, "2331 bytes fit (version 40)");
	big[2332 - 1] = 'x';
	big[2332] = '\0';
	is_int(tn_qr_version(big, NULL, NULL, &err), TN_BADINPUT, "2332 do not");
	is_int(b.len, 0, "nothing written by the failures");
	free(big);
	tn_buf_free(&b);
}

/* The sample texts: three ticket codes (a fixed key) and a URL. */
static void samples(char codes[3][TN_TICKETCODE_SIZE])
{
	static const int64_t ids[3][2] = { { 1, 1 }, { 7, 42 }, { 4294967295, 1099511627775 } };
	unsigned char pk[32], sk[64], seed[32];
	struct tn_err err = TN_ERR_INIT;
	int i;

	memset(seed, 7, sizeof(seed));
	crypto_sign_seed_keypair(pk, sk, seed);
	for (i = 0; i < 3; i++)
		tn_ticketcode_make(sk, ids[i][0], ids[i][1], codes[i], TN_TICKETCODE_SIZE, &err);
}

static int write_one(const char *dir, const char *name, const char *text)
{
	struct tn_buf b = TN_BUF_INIT;
	struct tn_err err = TN_ERR_INIT;
	char path[512];
	int rc = 0;

#define OUT(ext, call) do { \
	tn_buf_reset(&b); \
	snprintf(path, sizeof(path), "%s/%s%s", dir, name, ext); \
	rc |= (call) != TN_OK || tn_file_write_atomic(path, b.data, b.len, &err) != TN_OK; \
} while (0)
	OUT(".want", tn_buf_add(&b, text));
	OUT(".png", tn_qr_png(text, 3, &b, &err));
	OUT("-4.png", tn_qr_png(text, 4, &b, &err));
	OUT(".svg", tn_qr_svg(text, &b, &err));
	OUT(".txt", tn_qr_text(text, &b, &err));
#undef OUT
	tn_buf_free(&b);
	return rc;
}

int main(int argc, char **argv)
{
	char codes[3][TN_TICKETCODE_SIZE], lower[TN_TICKETCODE_SIZE];
	int i;

	if (sodium_init() < 0)
		return 1;
	samples(codes);
	if (argc == 3 && strcmp(argv[1], "--write") == 0)
		return write_one(argv[2], "ticket1", codes[0]) | write_one(argv[2], "ticket2", codes[1]) |
		       write_one(argv[2], "ticket3", codes[2]) | write_one(argv[2], "url", url);
	for (i = 0; i < 3; i++)
		check_text(codes[i], 5);   /* alphanumeric segments: 119 characters fit v5-M */
	for (i = 0; codes[0][i]; i++)
		lower[i] = (char)(codes[0][i] >= 'A' ? codes[0][i] - 'A' + 'a' : codes[0][i]);
	lower[i] = '\0';
	check_text(lower, 7);              /* lower case is bytes: why codes are upper case */
	check_text(url, 0);
	check_text("A", 1);
	check_errors();
	return tap_done();
}
