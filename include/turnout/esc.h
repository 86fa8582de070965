/*
 * esc.h - one escaping function per output context. Data in the database
 * is raw; it is escaped at the point of output, never when stored. Each
 * function appends to a tn_buf and returns TN_NOMEM on failure.
 */
#ifndef TURNOUT_ESC_H
#define TURNOUT_ESC_H

#include "turnout/buf.h"

/* HTML text: & < > " ' become entities. */
tn_code tn_esc_html(struct tn_buf *b, const char *s);
/* HTML attribute value (quoted with "): the same set as text. */
tn_code tn_esc_attr(struct tn_buf *b, const char *s);
/* One CSV field (RFC 4180): quoted when it holds , " CR or LF, with "
 * doubled; a leading = + - @, tab or CR (OWASP's list) is prefixed with
 * ' so spreadsheets do not run it as a formula. */
tn_code tn_esc_csv(struct tn_buf *b, const char *s);
/* Terminal text: control characters (C0 except tab, DEL, C1), bidi
 * embeddings, overrides, isolates and marks (U+202A-202E, U+2066-2069,
 * U+200E, U+200F, U+061C) and invalid UTF-8 become U+FFFD, so follower
 * text cannot move the cursor, change colours, retitle the window or
 * read backwards; zero-width characters (U+200B-200D, U+2060, U+FEFF)
 * are dropped. Newlines become a visible "\n", tabs a space. */
tn_code tn_esc_term(struct tn_buf *b, const char *s);
/* tn_esc_term, then spaces up to width terminal columns (display width:
 * CJK and emoji take two), for the columns of a text table. Text wider
 * than width is appended whole. */
tn_code tn_esc_term_pad(struct tn_buf *b, const char *s, size_t width);

#endif
