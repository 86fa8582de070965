/*
 * err.c - result codes and their text. Owns nothing else.
 */
#include <stdarg.h>
#include <stdio.h>

#include "turnout/err.h"

tn_code tn_err_set(struct tn_err *err, tn_code code, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	err->hint[0] = '\0';
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
	}
	return "unknown error";
}
