/*
 * link.h - tracking links: a short public code per event and channel, so
 * a registration that comes through a channel's link (base-url/r/CODE)
 * is attributed to that channel. Owns table tracking_link.
 */
#ifndef TURNOUT_LINK_H
#define TURNOUT_LINK_H

#include <stdint.h>

#include "turnout/db.h"
#include "turnout/err.h"

/* Characters of a code: 12 of URL-safe base64 for 72 random bits. */
#define TN_LINK_CODE_LEN 12

/* The code of event × channel (names as tn_event_find and
 * tn_channel_find take them), made the first time it is asked for and
 * the same ever after. *created is 1 when it was made now. A cancelled
 * event is TN_CONFLICT; an unknown event or channel TN_NOTFOUND about
 * field "event" or "channel". */
tn_code tn_link_code(struct tn_db *db, const char *event, const char *channel,
		     char code[TN_LINK_CODE_LEN + 1], int *created,
		     struct tn_err *err);

/* The event and channel a code names; TN_NOTFOUND when none. */
tn_code tn_link_find(struct tn_db *db, const char *code, int64_t *event_id,
		     int64_t *channel_id, struct tn_err *err);

#endif
