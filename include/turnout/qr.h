/*
 * qr.h - QR code images of a short text (a ticket code, a URL) for print,
 * e-mail, web pages and terminals. The symbol comes from libqrencode at
 * error correction level M, in the smallest version that holds the text;
 * its segments are chosen by libqrencode's splitter (alphanumeric for a
 * base32 ticket code, 8-bit bytes for a URL's lower-case letters), which
 * reaches the same version as one forced alphanumeric segment. Every
 * image has a quiet zone of TN_QR_QUIET modules on each side.
 *
 * Every function appends to out (the caller owns and frees it). text
 * must be non-empty (TN_USAGE) and fit a QR code at level M, which is
 * 2331 bytes of 8-bit data (TN_BADINPUT beyond what fits). TN_NOMEM when
 * memory runs out. Safe to call from several threads at once.
 */
#ifndef TURNOUT_QR_H
#define TURNOUT_QR_H

#include "turnout/buf.h"
#include "turnout/err.h"

#define TN_QR_QUIET 4        /* light modules around the symbol */
#define TN_QR_SCALE_MAX 64   /* largest PNG pixels per module */

/* The QR version (1-40) and width in modules (without the quiet zone)
 * that the images of text use. */
tn_code tn_qr_version(const char *text, int *version, int *width,
		      struct tn_err *err);

/* An SVG document: a white square and the dark modules as one <path> of
 * horizontal runs, in a viewBox of (width + 8) units, whose width and
 * height attributes say 4 px per module (CSS may resize it), with
 * shape-rendering="crispEdges" so that a rasteriser draws sharp module
 * edges at any scale. No text, no external reference: it can be inlined
 * into an HTML page. */
tn_code tn_qr_svg(const char *text, struct tn_buf *out, struct tn_err *err);

/* A PNG (1-bit greyscale, through libpng) of scale pixels per module,
 * 1..TN_QR_SCALE_MAX (TN_USAGE otherwise). Scanners need about 2 or more
 * pixels per module on screen; 4 and up for print. */
tn_code tn_qr_png(const char *text, int scale, struct tn_buf *out,
		  struct tn_err *err);

/* The code for a terminal in UTF-8 half blocks: each line is two module
 * rows ("▀" upper, "▄" lower, "█" both, " " neither), quiet zone
 * included, lines ending in "\n", no escape sequences. The blocks draw
 * the LIGHT modules in the terminal's text colour and dark modules are
 * left blank, in its background colour: right on the usual light-on-dark
 * terminal (as `qrencode -t UTF8`); on a dark-on-light terminal the code
 * shows inverted, which many phone scanners read but not all. */
tn_code tn_qr_text(const char *text, struct tn_buf *out, struct tn_err *err);

#endif
