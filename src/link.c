/*
 * link.c - tracking links (link.h). A code is random rather than derived
 * from the event and channel, so it tells nothing about either; it is
 * stored, so asking again gives the same link.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "turnout/channel.h"
#include "turnout/event.h"
#include "turnout/link.h"
#include "turnout/store.h"
#include "turnout/text.h"

#define CODE_BYTES 9

static tn_code code_row(void *ctx, sqlite3_stmt *row, struct tn_err *err)
{
	(void)err;
	snprintf(ctx, TN_LINK_CODE_LEN + 1, "%s", tn_db_text(row, 0));
	return TN_OK;
}

tn_code tn_link_code(struct tn_db *db, const char *event, const char *channel,
		     char code[TN_LINK_CODE_LEN + 1], int *created,
		     struct tn_err *err)
{
	unsigned char raw[CODE_BYTES];
	struct tn_event ev;
	struct tn_channel ch;
	char now[21];
	tn_code rc;

	*created = 0;
	if ((rc = tn_event_find(db, event, &ev, err)) != TN_OK)
		return tn_err_about(err, rc, "event");
	if (ev.cancelled) {
		rc = tn_err_set(err, TN_CONFLICT, "event '%s': cancelled; it takes no "
				"registrations", ev.slug);
		tn_event_clear(&ev);
		return rc;
	}
	if ((rc = tn_channel_find(db, channel, &ch, err)) != TN_OK) {
		tn_event_clear(&ev);
		return tn_err_about(err, rc, "channel");
	}
	if ((rc = tn_db_begin(db, err)) != TN_OK)
		goto out;
	rc = tn_db_one(db, err, code_row, code, "SELECT code FROM tracking_link"
		       " WHERE event_id = ?1 AND channel_id = ?2", TN_I(ev.id), TN_I(ch.id));
	if (rc == TN_NOTFOUND) {
		if (sodium_init() < 0) {
			rc = tn_err_set(err, TN_FAIL, "libsodium: cannot initialise");
		} else {
			randombytes_buf(raw, sizeof(raw));
			sodium_bin2base64(code, TN_LINK_CODE_LEN + 1, raw, sizeof(raw),
					  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
			tn_now_utc(now);
			rc = tn_db_run(db, err, "INSERT INTO tracking_link(event_id, channel_id,"
				       " code, created_at) VALUES(?1, ?2, ?3, ?4)",
				       TN_I(ev.id), TN_I(ch.id), TN_T(code), TN_T(now));
			*created = rc == TN_OK;
		}
	}
	rc = tn_db_end(db, rc, err);
	if (rc != TN_OK)
		*created = 0;
out:
	tn_event_clear(&ev);
	tn_channel_clear(&ch);
	return rc;
}

struct find_ctx {
	int64_t event_id, channel_id;
};

static tn_code find_row(void *vctx, sqlite3_stmt *row, struct tn_err *err)
{
	struct find_ctx *c = vctx;

	(void)err;
	c->event_id = sqlite3_column_int64(row, 0);
	c->channel_id = sqlite3_column_int64(row, 1);
	return TN_OK;
}

tn_code tn_link_find(struct tn_db *db, const char *code, int64_t *event_id,
		     int64_t *channel_id, struct tn_err *err)
{
	struct find_ctx c = { 0, 0 };
	tn_code rc;

	rc = tn_db_one(db, err, find_row, &c, "SELECT event_id, channel_id FROM"
		       " tracking_link WHERE code = ?1", TN_T(code));
	if (rc == TN_NOTFOUND)
		tn_err_set(err, TN_NOTFOUND, "no such link");
	*event_id = c.event_id;
	*channel_id = c.channel_id;
	return rc;
}
