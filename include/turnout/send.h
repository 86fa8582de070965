/*
 * send.h - delivering the outbox (outbox.h): over SMTP (smtp.h), or as
 * .eml files in a directory. Each message is made (message.h) the first
 * time it is claimed and kept, so a message tried again is the same
 * message.
 */
#ifndef TURNOUT_SEND_H
#define TURNOUT_SEND_H

#include "turnout/db.h"
#include "turnout/err.h"

struct tn_send_opts {
	const char *smtp_url;    /* deliver over SMTP (smtp:// or smtps://) */
	const char *eml_dir;     /* or write one .eml file per message here */
	const char *templates;   /* the organizer's templates; NULL: built-in */
	long long max;           /* at most this many messages; 0: all due */
	double rate;             /* at most this many per second; 0: no cap */
	/* called after each message with the count done and the count due
	 * when sending began (may be NULL) */
	void (*progress)(void *ctx, long long done, long long total);
	void *progress_ctx;
};

struct tn_send_result {
	long long sent;       /* delivered (or written) */
	long long deferred;   /* temporary failures, tried again later */
	long long failed;     /* permanent failures */
};

/*
 * Sends what is due: claims batches of messages, makes each one the
 * first time (message.h), delivers them (one SMTP session reused for all)
 * and records each result. Checks the transport and the templates before
 * claiming anything, so a bad URL, an unwritable directory or a broken
 * template changes nothing. A 4xx answer or a lost connection defers the
 * message with capped exponential backoff; a 5xx answer fails it with
 * the server's words; after TN_OUTBOX_MAX_ATTEMPTS (outbox.h) it fails
 * for good.
 */
tn_code tn_send(struct tn_db *db, const struct tn_send_opts *opts,
		struct tn_send_result *res, struct tn_err *err);

#endif
