/*
 * organizer.h - organizer tokens: the secrets that open the organizer's
 * pages of the web server (the live report, /report/E) to a browser or a
 * script. Owns table organizer_token.
 *
 * A token is 144 random bits written as 24 characters of URL-safe
 * base64, shown once when it is made; only its BLAKE2b hash is stored,
 * so the database cannot give it out again. A token works until it is
 * revoked; its row stays, so a revoked id is never in use again.
 */
#ifndef TURNOUT_ORGANIZER_H
#define TURNOUT_ORGANIZER_H

#include <stdint.h>

#include "turnout/db.h"
#include "turnout/err.h"
#include "turnout/token.h"

#define TN_ORGANIZER_TOKEN_LEN TN_TOKEN_LEN     /* characters of a token */
#define TN_ORGANIZER_LABEL_MAX 64     /* bytes of a label */

struct tn_organizer_token {
	int64_t id;
	char label[TN_ORGANIZER_LABEL_MAX + 1];   /* "" when none */
	char created_at[21];
	char revoked_at[21];                       /* "" while in use */
};

/*
 * Makes a new token with label (NULL or "": none; else 1 to
 * TN_ORGANIZER_LABEL_MAX bytes of one line of text, TN_USAGE about
 * "label" otherwise). *t gets its row, token its text (the only time it
 * is known). On failure nothing is stored and token is "".
 */
tn_code tn_organizer_token_add(struct tn_db *db, const char *label,
			       struct tn_organizer_token *t,
			       char token[TN_ORGANIZER_TOKEN_LEN + 1],
			       struct tn_err *err);

/* Calls fn for each token by id, revoked ones too; fn returns non-zero
 * to stop. The token passed to fn is valid only during the call. */
tn_code tn_organizer_token_each(struct tn_db *db,
				int (*fn)(void *ctx, const struct tn_organizer_token *t),
				void *ctx, struct tn_err *err);

/* Revokes the token whose id is id (as typed: a whole number): it stops
 * working at once. *t (may be NULL) gets its row. An id that is no
 * number is TN_USAGE about "id", an unknown one TN_NOTFOUND, one already
 * revoked TN_CONFLICT; nothing is changed then. */
tn_code tn_organizer_token_revoke(struct tn_db *db, const char *id,
				  struct tn_organizer_token *t, struct tn_err *err);

/* Checks token (as a browser or script sent it): TN_OK, with its row in
 * *t (may be NULL), for a token in use; TN_NOTFOUND about "token" for
 * anything else (unknown, revoked, malformed, NULL), saying nothing
 * more. Reads only. */
tn_code tn_organizer_check(struct tn_db *db, const char *token,
			   struct tn_organizer_token *t, struct tn_err *err);

#endif
