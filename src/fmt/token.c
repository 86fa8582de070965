/*
 * fmt/token.c - link tokens (token.h): libsodium's random bytes, URL-safe
 * base64 without padding, BLAKE2b-256.
 */
#include <string.h>

#include <sodium.h>

#include "turnout/token.h"

#define TOKEN_BYTES 18   /* 144 random bits: 24 base64 characters */

_Static_assert(TN_TOKEN_LEN == (TOKEN_BYTES * 4) / 3, "token length");

tn_code tn_token_new(char token[TN_TOKEN_LEN + 1],
		     unsigned char hash[TN_TOKEN_HASH_BYTES], struct tn_err *err)
{
	unsigned char raw[TOKEN_BYTES];

	token[0] = '\0';
	if (sodium_init() < 0)
		return tn_err_set(err, TN_FAIL, "libsodium: cannot initialise");
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(token, TN_TOKEN_LEN + 1, raw, sizeof(raw),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof(raw));
	tn_token_hash(token, hash);
	return TN_OK;
}

void tn_token_hash(const char *token, unsigned char hash[TN_TOKEN_HASH_BYTES])
{
	crypto_generichash(hash, TN_TOKEN_HASH_BYTES, (const unsigned char *)token,
			   strlen(token), NULL, 0);
}
