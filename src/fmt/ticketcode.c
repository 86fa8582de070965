/*
 * ticketcode.c - ticket codes: the 10-byte payload (version, event id,
 * serial), its Ed25519 signature with libsodium, and the canonical
 * base32 text of both (format in ticketcode.h). Owns no table and knows
 * nothing of tickets beyond their two numbers.
 */
#include <string.h>

#include <sodium.h>

#include "turnout/ticketcode.h"

#define PAYLOAD_LEN 10
#define SIG_LEN crypto_sign_BYTES                   /* 64 */
#define CODE_BYTES (PAYLOAD_LEN + SIG_LEN)          /* 74 */
#define UNUSED_BITS (TN_TICKETCODE_LEN * 5 - CODE_BYTES * 8)   /* 3 */

/* Signed in front of the payload: a signature over anything else the
 * key ever signs cannot pass as a ticket's. */
static const char domain[] = "turnout-ticket";
#define DOMAIN_LEN (sizeof(domain) - 1)

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

_Static_assert(TN_TICKETCODE_LEN == (CODE_BYTES * 8 + 4) / 5, "code length");
_Static_assert(UNUSED_BITS >= 0 && UNUSED_BITS < 5, "trailing bits");

/* The value of base32 character c in either case, or -1. */
static int b32_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a';
	if (c >= '2' && c <= '7')
		return c - '2' + 26;
	return -1;
}

/* Writes the base32 of the CODE_BYTES bytes in into out (TN_TICKETCODE_LEN
 * characters and a NUL); the unused low bits of the last character are 0. */
static void b32_encode(const unsigned char *in, char *out)
{
	unsigned acc = 0, bits = 0;
	size_t i, n = 0;

	for (i = 0; i < CODE_BYTES; i++) {
		acc = (acc << 8) | in[i];
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			out[n++] = alphabet[(acc >> bits) & 31];
		}
	}
	if (bits > 0)
		out[n++] = alphabet[(acc << (5 - bits)) & 31];
	out[n] = '\0';
}

/* Reads the canonical base32 of CODE_BYTES bytes from s into out: exactly
 * TN_TICKETCODE_LEN alphabet characters, either case, unused bits zero.
 * Returns 0, or -1 for anything else. */
static int b32_decode(const char *s, unsigned char *out)
{
	unsigned acc = 0, bits = 0;
	size_t i, n = 0;
	int v;

	for (i = 0; i < TN_TICKETCODE_LEN; i++) {
		if ((v = b32_value((unsigned char)s[i])) < 0)
			return -1;   /* also the NUL of a short code */
		acc = (acc << 5) | (unsigned)v;
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (unsigned char)(acc >> bits);
		}
		acc &= 0xFF;   /* bits above the ones still pending are spent */
	}
	if (s[TN_TICKETCODE_LEN] != '\0' || bits != UNUSED_BITS)
		return -1;
	return (acc & ((1u << bits) - 1)) == 0 ? 0 : -1;
}

/* The message that is signed: the domain, then the payload. */
static void signed_message(const unsigned char *payload,
			   unsigned char msg[DOMAIN_LEN + PAYLOAD_LEN])
{
	memcpy(msg, domain, DOMAIN_LEN);
	memcpy(msg + DOMAIN_LEN, payload, PAYLOAD_LEN);
}

tn_code tn_ticketcode_make(const unsigned char sk[64], int64_t event_id,
			   int64_t serial, char *out, size_t outsize,
			   struct tn_err *err)
{
	unsigned char bytes[CODE_BYTES], msg[DOMAIN_LEN + PAYLOAD_LEN];
	uint64_t e = (uint64_t)event_id, s = (uint64_t)serial;
	int i;

	if (out && outsize > 0)
		out[0] = '\0';
	if (!out || outsize < TN_TICKETCODE_SIZE)
		return tn_err_set(err, TN_USAGE, "ticket code: buffer of %zu bytes is too small",
				  outsize);
	if (event_id < 1 || event_id > TN_TICKETCODE_EVENT_MAX)
		return tn_err_field(err, TN_USAGE, "event",
				    "event id %lld out of range 1..%lld for a ticket code",
				    (long long)event_id, (long long)TN_TICKETCODE_EVENT_MAX);
	if (serial < 1 || serial > TN_TICKETCODE_SERIAL_MAX)
		return tn_err_field(err, TN_USAGE, "serial",
				    "ticket serial %lld out of range 1..%lld for a ticket code",
				    (long long)serial, (long long)TN_TICKETCODE_SERIAL_MAX);
	if (sodium_init() < 0)
		return tn_err_set(err, TN_FAIL, "libsodium: cannot initialise");
	bytes[0] = TN_TICKETCODE_VERSION;
	for (i = 0; i < 4; i++)
		bytes[1 + i] = (unsigned char)(e >> (8 * (3 - i)));
	for (i = 0; i < 5; i++)
		bytes[5 + i] = (unsigned char)(s >> (8 * (4 - i)));
	signed_message(bytes, msg);
	if (crypto_sign_detached(bytes + PAYLOAD_LEN, NULL, msg, sizeof(msg), sk) != 0)
		return tn_err_set(err, TN_FAIL, "ticket code: cannot sign");
	b32_encode(bytes, out);
	return TN_OK;
}

/* Decodes code canonically into bytes and its ids; 0 if it cannot be
 * a code (before any signature is checked). */
static int decode(const char *code, unsigned char bytes[CODE_BYTES],
		  uint64_t *e, uint64_t *s)
{
	int i;

	*e = *s = 0;
	if (!code || b32_decode(code, bytes) != 0 || bytes[0] != TN_TICKETCODE_VERSION)
		return 0;
	for (i = 0; i < 4; i++)
		*e = (*e << 8) | bytes[1 + i];
	for (i = 0; i < 5; i++)
		*s = (*s << 8) | bytes[5 + i];
	return *e != 0 && *s != 0 && sodium_init() >= 0;
}

static enum tn_ticketcode_verdict valid(uint64_t e, uint64_t s, int64_t *event_id,
					int64_t *serial)
{
	if (event_id)
		*event_id = (int64_t)e;
	if (serial)
		*serial = (int64_t)s;
	return TN_TICKETCODE_VALID;
}

enum tn_ticketcode_verdict tn_ticketcode_verify(const unsigned char pk[32],
						const char *code,
						int64_t *event_id,
						int64_t *serial)
{
	unsigned char bytes[CODE_BYTES], msg[DOMAIN_LEN + PAYLOAD_LEN];
	uint64_t e, s;

	valid(0, 0, event_id, serial);
	if (!decode(code, bytes, &e, &s))
		return TN_TICKETCODE_INVALID;
	signed_message(bytes, msg);
	if (crypto_sign_verify_detached(bytes + PAYLOAD_LEN, msg, sizeof(msg), pk) != 0)
		return TN_TICKETCODE_INVALID;
	return valid(e, s, event_id, serial);
}

enum tn_ticketcode_verdict tn_ticketcode_verify_own(const unsigned char sk[64],
						    const char *code,
						    int64_t *event_id,
						    int64_t *serial)
{
	unsigned char bytes[CODE_BYTES], msg[DOMAIN_LEN + PAYLOAD_LEN];
	unsigned char sig[crypto_sign_BYTES];
	uint64_t e, s;

	valid(0, 0, event_id, serial);
	if (!decode(code, bytes, &e, &s))
		return TN_TICKETCODE_INVALID;
	signed_message(bytes, msg);
	if (crypto_sign_detached(sig, NULL, msg, sizeof(msg), sk) != 0 ||
	    sodium_memcmp(sig, bytes + PAYLOAD_LEN, sizeof(sig)) != 0)
		return TN_TICKETCODE_INVALID;
	return valid(e, s, event_id, serial);
}

const char *tn_ticketcode_verdict_name(enum tn_ticketcode_verdict v)
{
	return v == TN_TICKETCODE_VALID ? "valid" : "invalid";
}
