/*
 * announce.h - announcing an event on its channels: a Mastodon status or
 * a Telegram message per channel, each carrying that channel's own
 * tracking link (link.h), its text from the template "announce"
 * (templates.h); channels without an API get the text to paste. Owns
 * table announcement.
 *
 * A post to Mastodon carries an Idempotency-Key made once per event ×
 * channel and stored before the first request (its own transaction), so
 * a retry — by the HTTP layer after a 5xx, or by running announce again
 * after a crash — sends the same key and the server posts once. The
 * Telegram Bot API has no such key: its request is retried only after a
 * 429, never after a 5xx or a dropped connection.
 */
#ifndef TURNOUT_ANNOUNCE_H
#define TURNOUT_ANNOUNCE_H

#include <stddef.h>
#include <stdint.h>

#include "turnout/db.h"
#include "turnout/err.h"

/* Mastodon's default limit of a status, in characters. Counted here as
 * Unicode code points, never fewer than the server counts (it counts
 * graphemes, and a link as 23). */
#define TN_ANNOUNCE_MASTODON_MAX 500
/* The Bot API's limit of a message's text, in characters. */
#define TN_ANNOUNCE_TELEGRAM_MAX 4096
/* What a dry run shows in place of a link code not made yet. */
#define TN_ANNOUNCE_PLACEHOLDER "XXXXXXXXXXXX"

/* What became of one channel. */
enum tn_announce_state {
	TN_ANNOUNCE_POSTED,    /* posted now: url, posted_at */
	TN_ANNOUNCE_ALREADY,   /* posted before (no --again): url, posted_at of that post */
	TN_ANNOUNCE_MANUAL,    /* no API for it (kind, or no token): the text to paste */
	TN_ANNOUNCE_DRY_RUN,   /* would post the text; nothing sent or stored */
	TN_ANNOUNCE_FAILED,    /* rc and err say why; the others go on */
};

/* One channel's outcome, as passed to the caller's callback. Every
 * pointer is borrowed, valid only during the call. */
struct tn_announce_result {
	const char *channel;   /* the channel's name */
	const char *kind;      /* its kind: mastodon, telegram, newsletter … */
	enum tn_announce_state state;
	const char *text;      /* the post's text (POSTED, MANUAL, DRY_RUN;
	                        * FAILED when it was made), else NULL */
	size_t chars;          /* its length in characters */
	const char *link;      /* the channel's registration link, NULL if
	                        * not made; in a dry run where none exists
	                        * yet, base-url/r/TN_ANNOUNCE_PLACEHOLDER (a
	                        * code is made only when the post is made) */
	int link_placeholder;  /* 1 when link holds that placeholder */
	const char *url;       /* the post's address (POSTED, ALREADY; NULL
	                        * when the server did not say) */
	const char *posted_at; /* UTC, "YYYY-MM-DDTHH:MM:SSZ" (POSTED, ALREADY) */
	const char *why;       /* MANUAL: why it is not posted ("newsletter
	                        * has no API", "no token") */
	tn_code rc;            /* FAILED: the code; else TN_OK */
	const struct tn_err *err;  /* FAILED: the message, which names the
	                            * channel; never the token nor a Bot API URL */
};

struct tn_announce_opts {
	int dry_run;            /* make the texts; send and store nothing */
	int again;              /* post again where a post exists */
	const char *templates;  /* a --templates flag (tn_templates_dir), NULL */
	/* Called before each wait between tries, with its length and why
	 * ("429", "503", "timeout"); may be NULL. */
	void (*on_wait)(void *ctx, const char *channel, double seconds,
			const char *why);
	/* Called once per channel, in the order given, after its work. */
	void (*on_result)(void *ctx, const struct tn_announce_result *r);
	void *ctx;
};

/*
 * Announces event (a slug or id) on each of the n channels (names, a
 * name given twice counts once), in that order. Before anything is made
 * or sent: an unknown event or channel is TN_NOTFOUND about field
 * "event" or "channel", a cancelled event TN_CONFLICT, a template that
 * does not load its templates.h error. Then each channel's outcome goes
 * to o->on_result; a channel that fails does not stop the others, and
 * *failed counts them (the call itself returns TN_OK). Per channel:
 *   - an earlier post (posted_at set) and no o->again: ALREADY;
 *   - kind mastodon or telegram with a token: the text (too long for
 *     the kind: FAILED, TN_BADINPUT naming the length and the limit),
 *     then POSTED, or FAILED with http.h's errors ("channel 'm': the
 *     server refused the token (401)") and the announcement kept
 *     unconfirmed, to be retried with the same key;
 *   - other kinds, or no token: MANUAL with the text and link.
 * With o->dry_run nothing is sent and the database is not changed (a
 * link not yet made is shown as a placeholder, see link above).
 */
tn_code tn_announce(struct tn_db *db, const char *event,
		    const char *const *channels, size_t n,
		    const struct tn_announce_opts *o, int *failed,
		    struct tn_err *err);

/* One stored post of an event, for 'event show'. */
struct tn_announcement {
	const char *channel;    /* borrowed, valid only during the callback */
	const char *url;        /* NULL when the server did not say */
	const char *posted_at;  /* NULL: sent but never confirmed */
	const char *created_at;
};

/* Calls fn with each announcement of event event_id, confirmed or not,
 * oldest first; fn returns non-zero to stop. */
tn_code tn_announce_each(struct tn_db *db, int64_t event_id,
			 int (*fn)(void *ctx, const struct tn_announcement *a),
			 void *ctx, struct tn_err *err);

/* 1 if event event_id has an announcement (confirmed or not): the event
 * was published and can no longer be deleted (event.c asks). */
int tn_announce_event_has_any(struct tn_db *db, int64_t event_id);

#endif
