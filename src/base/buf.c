/*
 * buf.c - the growable buffer of buf.h. Every string turnout builds for
 * output (SQL never: values go through bind) passes through here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "turnout/buf.h"

const char tn_buf_empty[1] = "";

void tn_buf_init(struct tn_buf *b)
{
	b->data = (char *)tn_buf_empty;
	b->len = 0;
	b->alloc = 0;
	b->cap = 0;
}

void tn_buf_free(struct tn_buf *b)
{
	size_t cap = b->cap;

	if (b->alloc)
		free(b->data);
	tn_buf_init(b);
	b->cap = cap;
}

void tn_buf_reset(struct tn_buf *b)
{
	b->len = 0;
	if (b->alloc)
		b->data[0] = '\0';
}

tn_code tn_buf_grow(struct tn_buf *b, size_t extra)
{
	size_t need, n;
	char *p;

	if (extra > (size_t)-1 - b->len - 1)
		return TN_NOMEM;
	need = b->len + extra + 1;
	if (b->cap && need - 1 > b->cap)
		return TN_NOMEM;
	if (need <= b->alloc)
		return TN_OK;
	n = b->alloc ? b->alloc : 64;
	while (n < need)
		n = n > (size_t)-1 / 2 ? need : n * 2;
	p = b->alloc ? realloc(b->data, n) : malloc(n);
	if (!p)
		return TN_NOMEM;
	if (!b->alloc)
		p[0] = '\0';
	b->data = p;
	b->alloc = n;
	return TN_OK;
}

tn_code tn_buf_addn(struct tn_buf *b, const void *data, size_t len)
{
	if (tn_buf_grow(b, len) != TN_OK)
		return TN_NOMEM;
	memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return TN_OK;
}

tn_code tn_buf_add(struct tn_buf *b, const char *s)
{
	return tn_buf_addn(b, s, strlen(s));
}

tn_code tn_buf_addch(struct tn_buf *b, char c)
{
	return tn_buf_addn(b, &c, 1);
}

tn_code tn_buf_vaddf(struct tn_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return TN_FAIL;
	if (tn_buf_grow(b, (size_t)n) != TN_OK)
		return TN_NOMEM;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return TN_OK;
}

tn_code tn_buf_addf(struct tn_buf *b, const char *fmt, ...)
{
	va_list ap;
	tn_code rc;

	va_start(ap, fmt);
	rc = tn_buf_vaddf(b, fmt, ap);
	va_end(ap);
	return rc;
}

char *tn_buf_detach(struct tn_buf *b, size_t *len)
{
	char *p;

	if (!b->alloc && tn_buf_grow(b, 0) != TN_OK)
		return NULL;
	p = b->data;
	if (len)
		*len = b->len;
	b->data = (char *)tn_buf_empty;
	b->len = 0;
	b->alloc = 0;
	return p;
}
