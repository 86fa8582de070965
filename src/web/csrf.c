/*
 * web/csrf.c - CSRF tokens for the forms of token pages. A form's token
 * is a MAC (libsodium's crypto_auth, HMAC-SHA-512-256) of its purpose and
 * the page's own token under the web key (tn_setup_web_key): nothing is
 * stored, a token works only for its page and purpose, and without the
 * key no page can make one for another.
 */
#include <string.h>

#include <sodium.h>

#include "web/web.h"

void web_csrf_token(const unsigned char key[32], const char *scope,
		    const char *page_token, char out[WEB_CSRF_LEN + 1])
{
	crypto_auth_hmacsha512256_state st;
	unsigned char mac[crypto_auth_hmacsha512256_BYTES];

	crypto_auth_hmacsha512256_init(&st, key, 32);
	/* scope and token are NUL-separated, so no pair reads as another */
	crypto_auth_hmacsha512256_update(&st, (const unsigned char *)scope, strlen(scope) + 1);
	crypto_auth_hmacsha512256_update(&st, (const unsigned char *)page_token,
					 strlen(page_token));
	crypto_auth_hmacsha512256_final(&st, mac);
	sodium_bin2base64(out, WEB_CSRF_LEN + 1, mac, sizeof(mac),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

int web_csrf_valid(const unsigned char key[32], const char *scope,
		   const char *page_token, const char *given)
{
	char want[WEB_CSRF_LEN + 1];

	if (!given || strlen(given) != WEB_CSRF_LEN)
		return 0;
	web_csrf_token(key, scope, page_token, want);
	return sodium_memcmp(want, given, WEB_CSRF_LEN) == 0;
}
