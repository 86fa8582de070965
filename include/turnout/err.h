/*
 * err.h - result codes and error detail shared by every turnout module.
 *
 * Every library function returns a tn_code and, on failure, writes a
 * one-line human-readable detail into the caller's struct tn_err. The
 * numbers are part of the library's contract: never renumber, only append.
 */
#ifndef TURNOUT_ERR_H
#define TURNOUT_ERR_H

typedef enum {
	TN_OK = 0,        /* 0: success */
	TN_FAIL = 1,      /* 1: the operation failed (generic) */
	TN_NOMEM = 2,     /* 2: an allocation failed */
	TN_IO = 3,        /* 3: reading or writing a file failed */
	TN_DB = 4,        /* 4: the database refused (SQLite error) */
	TN_USAGE = 5,     /* 5: a caller-supplied argument is invalid */
	TN_NOTFOUND = 6,  /* 6: the named object does not exist */
	TN_EXISTS = 7,    /* 7: the object already exists */
	TN_BADINPUT = 8,  /* 8: input data (file, request) is malformed */
	TN_NOINIT = 9,    /* 9: the database has not been initialised */
} tn_code;

struct tn_err {
	char msg[256];    /* "what: why", lowercase, no full stop */
	char hint[256];   /* optional suggestion, "" when none */
};

/* Formats the detail into err (if err is not NULL) and returns code. */
tn_code tn_err_set(struct tn_err *err, tn_code code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Sets the hint line of err; err may be NULL. */
void tn_err_hint(struct tn_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Short text for a code ("out of memory"); static storage. */
const char *tn_strerror(tn_code code);

#endif
