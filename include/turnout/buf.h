/*
 * buf.h - a growable byte buffer (after git's strbuf and curl's dynbuf).
 *
 * Invariants: data is never NULL after tn_buf_init (it points at a static
 * empty string until the first append) and is always NUL-terminated; len
 * excludes the NUL. A buffer with a non-zero cap refuses to grow past it
 * (TN_NOMEM), for anything read from the network or a user's file.
 * On allocation failure the buffer keeps its old contents.
 */
#ifndef TURNOUT_BUF_H
#define TURNOUT_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "turnout/err.h"

struct tn_buf {
	char *data;
	size_t len;
	size_t alloc;   /* 0 while data points at the static empty string */
	size_t cap;     /* maximum len, 0 = unlimited */
};

#define TN_BUF_INIT { (char *)tn_buf_empty, 0, 0, 0 }
extern const char tn_buf_empty[1];

void tn_buf_init(struct tn_buf *b);
/* Frees the storage; the buffer is empty and usable again. */
void tn_buf_free(struct tn_buf *b);
/* Empties the buffer, keeping its storage. */
void tn_buf_reset(struct tn_buf *b);
/* Makes room for extra more bytes. */
tn_code tn_buf_grow(struct tn_buf *b, size_t extra);
tn_code tn_buf_addn(struct tn_buf *b, const void *data, size_t len);
tn_code tn_buf_add(struct tn_buf *b, const char *s);
tn_code tn_buf_addch(struct tn_buf *b, char c);
tn_code tn_buf_addf(struct tn_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
tn_code tn_buf_vaddf(struct tn_buf *b, const char *fmt, va_list ap);
/* Hands the string over: returns malloc'd data (caller frees) and leaves
 * the buffer empty. Returns NULL only if an empty buffer cannot be
 * allocated. */
char *tn_buf_detach(struct tn_buf *b, size_t *len);

#endif
