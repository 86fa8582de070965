/*
 * import.h - importing a channel's followers from CSV into the person and
 * follower tables, through person.h's bulk writer (person.c owns them).
 *
 * The file needs a header row; columns are recognised by name, case- and
 * punctuation-insensitively (tn_import_header: email, handle, name,
 * first_name and last_name, region, followed_at, and the names real
 * exports give them), or named by mappings; the columns nothing reads are
 * listed in the stats. It may be UTF-8 or, converted, any encoding iconv
 * knows; a file of another kind is refused saying what it is. A row with a
 * valid e-mail belongs to the person with that e-mail (domain
 * lower-cased), created if missing; a row with only a handle belongs to
 * the person who already follows a channel of the same kind under that
 * handle (ignoring ASCII case), else to a new person; a row with a new
 * e-mail and such a handle gives that person (if they have no e-mail yet)
 * the address instead of making a second person, and a row with a known
 * e-mail and such a handle makes that e-mail-less person part of the
 * e-mail's person (tn_person_merge). E-mail addresses are one person
 * whatever the case of their ASCII letters (kept as first written). People
 * with addresses are never made one by a handle. A row whose address or
 * handle belongs to a forgotten person (tn_person_suppressed) is skipped
 * and counted. Empty cells never erase stored values. Bad rows are
 * rejected with a reason, a bad date is left out with a warning (in strict
 * mode either aborts the import). The input is read and checked before
 * the write lock is taken (other writers are not held up while it
 * arrives); then everything is written in one transaction: on any error
 * the database is left exactly as it was.
 *
 * Memory does not grow with the file: rows are sorted in memory up to a
 * budget (tn_import_opts.memory) and in runs in temporary files beyond
 * it, then written in the order of their keys.
 */
#ifndef TURNOUT_IMPORT_H
#define TURNOUT_IMPORT_H

#include <stddef.h>
#include <stdint.h>

#include "turnout/db.h"

/* What a column holds. */
enum tn_import_field {
	TN_FIELD_NONE = -1,       /* not recognised: the column is ignored */
	TN_FIELD_EMAIL = 0,
	TN_FIELD_HANDLE,
	TN_FIELD_NAME,
	TN_FIELD_FIRST_NAME,      /* joined with last_name when name is empty */
	TN_FIELD_LAST_NAME,
	TN_FIELD_REGION,
	TN_FIELD_FOLLOWED_AT,
	TN_FIELD_USER_ID,         /* a number: the handle "id:N" if none is given */
	TN_FIELD_IGNORE,          /* a mapping's "ignore": read by nothing, unnoted */
};

/* A header column that nothing reads. */
struct tn_import_column {
	char *name;           /* as written (file text: escape it), cut at 80 bytes */
	int index;            /* its position, 1 for the first column */
};

struct tn_import_stats {
	long long inserted;   /* follower rows created */
	long long updated;    /* rows that matched an existing follower row */
	long long rejected;   /* bad rows skipped */
	long long warned;     /* rows imported without a bad value (a date) */
	/* The header's columns that no field reads, in file order, so the
	 * caller can say what was left out (a column mapped to "ignore" is
	 * not listed). Set even when the import fails after the header; owned
	 * by stats: free with tn_import_stats_free. */
	struct tn_import_column *ignored;
	size_t nignored;
	long long suppressed; /* rows of forgotten people, skipped */
	long long unfollowed; /* (complete) followers not in the file */
};

/* Frees what stats owns (the ignored columns) and clears the list. */
void tn_import_stats_free(struct tn_import_stats *stats);

enum tn_import_phase {
	TN_IMPORT_READING = 0,  /* done = bytes read, total = 0 (unknown) */
	TN_IMPORT_WRITING = 1,  /* done, total = rows */
};

struct tn_import_opts {
	int strict;           /* the first bad row aborts with nothing written */
	/* Called for each rejected row, in file order. reason is raw text
	 * that may quote the file's content: escape it before showing it. */
	void (*on_reject)(void *ctx, long long line, const char *reason);
	/* Called now and then with the progress of a phase (may be NULL). */
	void (*on_progress)(void *ctx, enum tn_import_phase phase,
			    unsigned long long done, unsigned long long total);
	void *ctx;
	/* Called for each row imported without a value it had (a date that
	 * is no date), in file order; message is raw like reason above. */
	void (*on_warning)(void *ctx, long long line, const char *message);
	/* The IANA zone of date-times written without an offset; NULL: UTC. */
	const char *tz;
	/* nmap mappings "Column Name=field" for columns the header names
	 * otherwise: the column (case, blanks, '-' and '_' aside) holds the
	 * field (tn_import_field_named), before any recognised name. */
	const char *const *map;
	size_t nmap;
	/* The field separator: ",", ";", "|" or "tab"; NULL: told from the
	 * header line (a comma, unless it has none but semicolons or tabs). */
	const char *delimiter;
	/* The file's encoding, an iconv(3) name ("latin1", "windows-1251",
	 * "UTF-16"); NULL: UTF-8. */
	const char *encoding;
	/* The file is the channel's whole list: its followers who are not
	 * in it are marked unfollowed (today), and a bad row aborts as with
	 * strict, since it might be one of them. A follower who was
	 * unfollowed and is in a later import follows again, with or
	 * without this. Forgotten people's rows are left as they are. */
	int complete;
	/* Bytes of checked rows held in memory before they are sorted into
	 * runs in temporary files (memory stays flat whatever the file's
	 * size); 0: $TURNOUT_IMPORT_MEMORY if set, else the default (80
	 * MiB). Tests set it small to make the runs. */
	size_t memory;
};

/*
 * Reads CSV from fd (not closed) and imports it as followers of the
 * channel channel_id, whose kind is channel_kind. source names the input
 * in messages ("news.csv", "<stdin>"). Fills *stats, which the caller
 * frees with tn_import_stats_free whatever the outcome. Errors, each with
 * the database unchanged: TN_USAGE for a bad option (err->field names
 * it: "tz", "map", "delimiter", "encoding"); TN_BADINPUT for an empty input, a header with
 * neither an email nor a handle column, a mapping naming no column of
 * the header, a file that is no UTF-8 text and no text in the encoding
 * given (gzip, zip or xlsx, UTF-16, text whose first bytes beyond ASCII
 * are not UTF-8: Latin-1 or Windows-1251; the hint says what to do), or
 * (strict, complete) a bad row or date -- the message then reads
 * "SOURCE:LINE: reason" and may quote the file's content, so escape it
 * before showing it; TN_IO if reading fails; TN_DB (also when another
 * writer kept the write lock past the busy timeout), TN_NOMEM.
 */
tn_code tn_import_followers(struct tn_db *db, int64_t channel_id,
			    const char *channel_kind, int fd, const char *source,
			    const struct tn_import_opts *opts,
			    struct tn_import_stats *stats, struct tn_err *err);

/*
 * The field a header cell names, compared lower-cased with blanks, '-'
 * and '_' left out: email (e-mail, mail, Email Address), handle
 * (username, Account address), name (full name, display name),
 * first_name, last_name, region (city), followed_at (Subscribed At,
 * created_at, joined_at, CONFIRM_TIME, OPTIN_TIME), and on a channel of
 * kind "telegram" user_id. *fallback is set to 1 for a name that counts
 * only where the field's own column is empty (OPTIN_TIME beside
 * CONFIRM_TIME), else 0. TN_FIELD_NONE if it names none.
 */
enum tn_import_field tn_import_header(const char *name, size_t len,
				      const char *channel_kind, int *fallback);

/* The field a mapping names: email, handle, name, first_name, last_name,
 * region, followed_at, user_id or ignore (case, blanks, '-' and '_'
 * aside); TN_FIELD_NONE if none. */
enum tn_import_field tn_import_field_named(const char *name);

/* The names tn_import_field_named takes, for messages. */
#define TN_IMPORT_FIELDS "email, handle, name, first_name, last_name, " \
	"region, followed_at, user_id, ignore"

/* The forms tn_import_date accepts, for messages. */
#define TN_IMPORT_DATE_FORMS "YYYY-MM-DD, YYYY-MM-DD HH:MM[:SS] (UTC unless " \
	"a zone is given), RFC 3339 with an offset, or Unix time in seconds or " \
	"milliseconds"

/*
 * The field rules, exposed for tests and for other importers:
 * tn_import_date reads a followed_at cell and writes its date in UTC,
 * YYYY-MM-DD, into out. It takes a date (YYYY-MM-DD, written into out as
 * it is), a date and time YYYY-MM-DD HH:MM[:SS[.frac]] (or with a T) in
 * zone (an IANA name; NULL is UTC), an RFC 3339 date-time with Z or an
 * offset, and Unix time as 10 digits (seconds) or 13 (milliseconds).
 * TN_BADINPUT if it is none of them, or a local time that zone skips.
 */
tn_code tn_import_date(const char *in, const char *zone, char out[11]);

#endif
