/*
 * err.c - result codes and their text, and filling struct tn_err. Owns
 * nothing else.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "turnout/err.h"

static tn_code set(struct tn_err *err, tn_code code, const char *field,
		   const char *fmt, va_list ap)
{
	if (!err)
		return code;
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	err->hint[0] = '\0';
	snprintf(err->field, sizeof(err->field), "%s", field);
	err->next = TN_NEXT_NONE;
	return code;
}

tn_code tn_err_set(struct tn_err *err, tn_code code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set(err, code, "", fmt, ap);
	va_end(ap);
	return code;
}

tn_code tn_err_field(struct tn_err *err, tn_code code, const char *field,
		     const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set(err, code, field, fmt, ap);
	va_end(ap);
	return code;
}

tn_code tn_err_about(struct tn_err *err, tn_code code, const char *field)
{
	if (err)
		snprintf(err->field, sizeof(err->field), "%s", field);
	return code;
}

tn_code tn_err_prefix(struct tn_err *err, tn_code code, const char *fmt, ...)
{
	char joined[2 * sizeof(err->msg) + 2];
	size_t n;
	va_list ap;
	int len;

	if (!err)
		return code;
	va_start(ap, fmt);
	len = vsnprintf(joined, sizeof(err->msg), fmt, ap);
	va_end(ap);
	n = len < 0 ? 0 : strlen(joined);
	n += (size_t)snprintf(joined + n, sizeof(joined) - n, ": %s", err->msg);
	if (n >= sizeof(err->msg))
		n = sizeof(err->msg) - 1;
	memcpy(err->msg, joined, n);
	err->msg[n] = '\0';
	return code;
}

void tn_err_hint(struct tn_err *err, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return;
	va_start(ap, fmt);
	vsnprintf(err->hint, sizeof(err->hint), fmt, ap);
	va_end(ap);
}

void tn_err_next(struct tn_err *err, enum tn_next next)
{
	if (err)
		err->next = next;
}

static void (*bug_reporter)(const char *msg);

void tn_bug_reporter(void (*fn)(const char *msg))
{
	bug_reporter = fn;
}

void tn_bug(const char *fmt, ...)
{
	char msg[300];
	va_list ap;

	if (!bug_reporter)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	bug_reporter(msg);
}

const char *tn_strerror(tn_code code)
{
	switch (code) {
	case TN_OK: return "no error";
	case TN_FAIL: return "operation failed";
	case TN_NOMEM: return "out of memory";
	case TN_IO: return "input/output error";
	case TN_DB: return "database error";
	case TN_USAGE: return "invalid argument";
	case TN_NOTFOUND: return "not found";
	case TN_EXISTS: return "already exists";
	case TN_BADINPUT: return "malformed input";
	case TN_NOINIT: return "database not initialised";
	case TN_CONFLICT: return "refused in the present state";
	}
	return "unknown error";
}
