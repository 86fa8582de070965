/*
 * err.h - result codes and error detail shared by every turnout module.
 *
 * Every library function returns a tn_code and, on failure, writes a
 * one-line human-readable detail into the caller's struct tn_err. The
 * numbers are part of the library's contract: never renumber, only append.
 *
 * The library speaks no front end's words. When an error is about one
 * input, err->field names it ("start") and the message leaves it out;
 * the CLI shows "--start: …", a web form puts the message beside the
 * field. A hint is plain advice and may refer to another input as
 * {name} ("give a later {end}"), which the front end writes its way
 * ("--end", or the form's label); a next step that is a command (create
 * the database, list the events) is err->next, which each front end
 * words its own way too.
 *
 * Conventions: a function that answers yes or no is named *_valid (or
 * is_*) and returns 1 for yes; every other function returns tn_code.
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
	TN_CONFLICT = 10, /* 10: refused in the object's present state (a
	                   * cancelled event cannot change); HTTP 409 */
} tn_code;

/* A next step the front end suggests in its own words. */
enum tn_next {
	TN_NEXT_NONE = 0,
	TN_NEXT_INIT,          /* create the database */
	TN_NEXT_OTHER_DB,      /* choose another database file */
	TN_NEXT_LIST_EVENTS,   /* see the events and their slugs */
	TN_NEXT_LIST_CHANNELS, /* see the channels */
	TN_NEXT_LIST_PEOPLE,   /* see people's ids, e-mails and handles */
	TN_NEXT_CONFIG,        /* change a setting */
	TN_NEXT_CANCEL_EVENT,  /* cancel the event (invitees are told) */
};

struct tn_err {
	char msg[256];    /* "what: why", lowercase, no full stop */
	char hint[256];   /* optional plain advice, "" when none */
	char field[32];   /* the input the message is about, "" when none */
	enum tn_next next;
};

#define TN_ERR_INIT { .msg = "" }

/* Formats the detail into err (if err is not NULL) and returns code.
 * Clears the hint, the field and the next step. */
tn_code tn_err_set(struct tn_err *err, tn_code code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* As tn_err_set, for an error about one input field ("start"). */
tn_code tn_err_field(struct tn_err *err, tn_code code, const char *field,
		     const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Marks the error already in err as being about field; returns code. */
tn_code tn_err_about(struct tn_err *err, tn_code code, const char *field);
/* Puts "<prefix>: " before the message, keeping hint, field and next;
 * returns code. err may be NULL. */
tn_code tn_err_prefix(struct tn_err *err, tn_code code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Sets the hint line of err; err may be NULL. */
void tn_err_hint(struct tn_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Sets the suggested next step; err may be NULL. */
void tn_err_next(struct tn_err *err, enum tn_next next);
/* A programming error found at run time (a transaction never ended):
 * the library reports it through the reporter the front end installed
 * (none: it is ignored), since it never prints. */
void tn_bug_reporter(void (*fn)(const char *msg));
void tn_bug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Short text for a code ("out of memory"); static storage. */
const char *tn_strerror(tn_code code);

#endif
