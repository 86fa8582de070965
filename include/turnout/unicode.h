/*
 * unicode.h - Unicode rules through utf8proc: folding for matching what a
 * person types, NFC for what is stored, and the display width of text on
 * a terminal. Bytes in, bytes out; no database.
 *
 * Every function takes UTF-8 as read from a user or a file: well-formed
 * runs are processed, and a byte that is not part of a well-formed
 * sequence is copied (or, for widths, counted) as it is, so no input is
 * refused and nothing is lost.
 */
#ifndef TURNOUT_UNICODE_H
#define TURNOUT_UNICODE_H

#include <stddef.h>

#include "turnout/buf.h"
#include "turnout/err.h"

/* Appends s[0..len) folded for matching to out: NFKC, full case folding
 * and combining marks stripped (utf8proc's CASEFOLD + STRIPMARK), so
 * "İSTANBUL" and "istanbul", "STRASSE" and "Straße", "MÜNCHEN" and a
 * decomposed "München", "ΣΟΦΊΑ" and "Σοφία", "елки" and "Ёлки" compare
 * equal. The result is for comparing only, never for storing or showing.
 * Returns TN_NOMEM on allocation failure (out keeps what it had). */
tn_code tn_utf8_fold(const char *s, size_t len, struct tn_buf *out);

/* Appends s[0..len) in Unicode Normalization Form C to out: the form
 * names and places are stored in, so that a decomposed "München" (u +
 * U+0308) and a composed one are the same text. TN_NOMEM on failure. */
tn_code tn_utf8_nfc(const char *s, size_t len, struct tn_buf *out);

/* The number of terminal columns s[0..len) takes (utf8proc_charwidth):
 * 2 for CJK and most emoji, 1 for Latin, Cyrillic and Greek letters, 0
 * for combining marks and control characters; a malformed byte counts 1
 * (tn_esc_term shows it as U+FFFD). */
size_t tn_utf8_width(const char *s, size_t len);

#endif
