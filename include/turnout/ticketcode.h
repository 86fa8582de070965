/*
 * ticketcode.h - the text of a ticket: a signed, compact code that a door
 * device verifies offline with the organizer's public key alone. Pure
 * bytes in, bytes out: which tickets exist, are revoked or belong to
 * which person is the ticket module's business, not this one's.
 *
 * Format (version 1). The payload is 10 bytes:
 *
 *   byte 0       format version, 1
 *   bytes 1-4    event id, unsigned big-endian, 1 .. 2^32-1
 *   bytes 5-9    ticket serial, unsigned big-endian, 1 .. 2^40-1
 *
 * followed by the 64-byte Ed25519 detached signature (libsodium) of the
 * 14 bytes "turnout-ticket" followed by the payload, so a signature made
 * by the same key for anything else never reads as a ticket. The 74 bytes
 * are written in base32 (RFC 4648 alphabet A-Z 2-7, upper case, no '='
 * padding): always TN_TICKETCODE_LEN (119) characters, whose last
 * character carries 3 unused bits, which are zero. 119 characters of
 * QR's alphanumeric set fit version 5 at error correction M (up to 122).
 *
 * Decoding is canonical: exactly 119 characters of the alphabet, upper
 * or lower case (a keyboard-wedge scanner may type either), the unused
 * bits zero, version 1, ids in range. Anything else - padding,
 * whitespace, another length or character, non-zero trailing bits - is
 * invalid, so that changing any character of a code (other than its case)
 * makes it invalid instead of quietly decoding to the same ticket.
 * Callers strip a line's "\r\n" themselves; nothing else is trimmed.
 */
#ifndef TURNOUT_TICKETCODE_H
#define TURNOUT_TICKETCODE_H

#include <stddef.h>
#include <stdint.h>

#include "turnout/err.h"

#define TN_TICKETCODE_VERSION 1
#define TN_TICKETCODE_LEN 119                       /* characters */
#define TN_TICKETCODE_SIZE (TN_TICKETCODE_LEN + 1)  /* with the NUL */
#define TN_TICKETCODE_EVENT_MAX INT64_C(0xFFFFFFFF)     /* 2^32 - 1 */
#define TN_TICKETCODE_SERIAL_MAX INT64_C(0xFFFFFFFFFF)  /* 2^40 - 1 */

/* What a code says by itself. Whether it is a code of the event at hand
 * (wrong_event) or revoked is the caller's to decide from the ids. */
enum tn_ticketcode_verdict {
	TN_TICKETCODE_VALID = 0,   /* well-formed and signed by the key */
	TN_TICKETCODE_INVALID = 1, /* unreadable, non-canonical or not signed by it */
};

/* Writes the code of ticket serial of event event_id, signed with the
 * Ed25519 secret key sk (libsodium's 64 bytes, seed || public key), into
 * out as a NUL-terminated string of TN_TICKETCODE_LEN characters.
 * TN_USAGE when an id is out of range (0, negative or above its maximum)
 * or outsize < TN_TICKETCODE_SIZE; out is then "" when outsize > 0.
 * The same key and ids always give the same code (Ed25519 is
 * deterministic). */
tn_code tn_ticketcode_make(const unsigned char sk[64], int64_t event_id,
			   int64_t serial, char *out, size_t outsize,
			   struct tn_err *err);

/* Checks code (NUL-terminated; NULL is invalid) against the public key
 * pk. On TN_TICKETCODE_VALID, *event_id and *serial (either may be NULL)
 * receive the ids; on TN_TICKETCODE_INVALID they are set to 0. */
enum tn_ticketcode_verdict tn_ticketcode_verify(const unsigned char pk[32],
						const char *code,
						int64_t *event_id,
						int64_t *serial);

/* As tn_ticketcode_verify, for the holder of the secret key sk: a code
 * is valid when its signature is exactly the one tn_ticketcode_make
 * writes for its ids (Ed25519 signing is deterministic, and a signature
 * of this key made any other way would mean the key is known elsewhere).
 * Signing takes less than half the time of a verification, which counts
 * at the door's thousands of scans a second. */
enum tn_ticketcode_verdict tn_ticketcode_verify_own(const unsigned char sk[64],
						    const char *code,
						    int64_t *event_id,
						    int64_t *serial);

/* "valid" or "invalid"; static storage. */
const char *tn_ticketcode_verdict_name(enum tn_ticketcode_verdict v);

#endif
