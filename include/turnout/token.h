/*
 * token.h - the secret tokens of personal and device links (RSVP and
 * unsubscribe links, ticket pages, gates, organizers): 144 random bits
 * written as TN_TOKEN_LEN characters of URL-safe base64, of which only a
 * BLAKE2b hash is ever stored, so a copy of the database opens no link.
 */
#ifndef TURNOUT_TOKEN_H
#define TURNOUT_TOKEN_H

#include "turnout/err.h"

#define TN_TOKEN_LEN 24          /* characters */
#define TN_TOKEN_HASH_BYTES 32

/* Makes a new token (NUL-terminated) and its hash. TN_FAIL when
 * libsodium cannot start. */
tn_code tn_token_new(char token[TN_TOKEN_LEN + 1],
		     unsigned char hash[TN_TOKEN_HASH_BYTES], struct tn_err *err);

/* The hash of token (NUL-terminated, any length): what a lookup
 * compares with the stored one. */
void tn_token_hash(const char *token, unsigned char hash[TN_TOKEN_HASH_BYTES]);

#endif
