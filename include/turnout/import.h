/*
 * import.h - importing a channel's followers from CSV into the person and
 * follower tables, through person.h's bulk writer (person.c owns them).
 *
 * The file needs a header row; columns are recognised by name, case- and
 * punctuation-insensitively: email (e-mail), handle (username), name,
 * region (city), followed_at. Other columns are ignored. A row with a
 * valid e-mail belongs to the person with that e-mail (the domain in any
 * form, ASCII letters in any case), created if missing with the address
 * as its first row writes it; a row with only a handle belongs to
 * the person who already follows a channel of the same kind under that
 * handle (ignoring ASCII case), else to a new person; a row with a new
 * e-mail and such a handle gives that person (if they have no e-mail yet)
 * the address instead of making a second person, and a row with a known
 * e-mail and such a handle makes that e-mail-less person part of the
 * e-mail's person (tn_person_merge). People with addresses are never
 * made one by a handle. A row whose address or handle belongs to a
 * forgotten person (tn_person_suppressed) is skipped and counted. Empty
 * cells never
 * erase stored values. Bad rows are rejected with a reason (or, in strict
 * mode, abort the import). The input is read and checked before the
 * write lock is taken (other writers are not held up while it arrives);
 * then everything is written in one transaction: on any error the
 * database is left exactly as it was.
 *
 * Memory does not grow with the file: rows are staged in a temporary
 * table and written in e-mail order, so SQLite's sorter (which spills to
 * temporary files) does the ordering.
 */
#ifndef TURNOUT_IMPORT_H
#define TURNOUT_IMPORT_H

#include <stdint.h>

#include "turnout/db.h"

struct tn_import_stats {
	long long inserted;   /* follower rows created */
	long long updated;    /* rows that matched an existing follower row */
	long long rejected;   /* bad rows skipped */
	long long suppressed; /* rows of forgotten people, skipped */
	long long unfollowed; /* (complete) followers not in the file */
};

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
	/* The file is the channel's whole list: its followers who are not
	 * in it are marked unfollowed (today), and a bad row aborts as with
	 * strict, since it might be one of them. A follower who was
	 * unfollowed and is in a later import follows again, with or
	 * without this. Forgotten people's rows are left as they are. */
	int complete;
};

/*
 * Reads CSV from fd (not closed) and imports it as followers of the
 * channel channel_id, whose kind is channel_kind. source names the input
 * in messages ("news.csv", "<stdin>"). Fills *stats. Errors, each with
 * the database unchanged: TN_BADINPUT for an empty input, a header with
 * neither an email nor a handle column, or (strict, complete) a bad row
 * -- the message then reads "SOURCE:LINE: reason" and may quote the
 * file's content, so escape it before showing it; TN_IO if reading
 * fails; TN_DB (also when another writer kept the write lock past the
 * busy timeout), TN_NOMEM.
 */
tn_code tn_import_followers(struct tn_db *db, int64_t channel_id,
			    const char *channel_kind, int fd, const char *source,
			    const struct tn_import_opts *opts,
			    struct tn_import_stats *stats, struct tn_err *err);

/*
 * The field rules, exposed for tests and for other importers:
 * tn_import_date checks a followed_at cell (YYYY-MM-DD or an RFC 3339
 * date-time) and writes its date, YYYY-MM-DD, into out; TN_BADINPUT if
 * bad.
 */
tn_code tn_import_date(const char *in, char out[11]);

#endif
