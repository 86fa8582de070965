/*
 * t_ticketcode.c - ticket codes: the documented format read back by an
 * independent base32 decoder and libsodium, round trips and limits, every
 * single-character change invalid, case-insensitive but canonical
 * decoding, another key's codes invalid, and the secret key read from an
 * initialised database.
 *
 * `t_ticketcode --write DIR` instead writes DIR/pk.hex (the public key)
 * and DIR/codes (lines "EVENT SERIAL CODE") for tests/t5500-qr.sh, which
 * checks them with Python's cryptography.
 */
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "tap.h"
#include "turnout/buf.h"
#include "turnout/file.h"
#include "turnout/setup.h"
#include "turnout/store.h"
#include "turnout/ticketcode.h"

static const char b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/* Independent base32 decoding (RFC 4648, upper case, no padding) of an
 * n-character string; returns the number of bytes. */
static size_t b32_bytes(const char *s, size_t n, unsigned char *out)
{
	uint64_t acc = 0;
	size_t i, len = 0;
	int bits = 0;

	for (i = 0; i < n; i++) {
		acc = acc << 5 | (uint64_t)(strchr(b32, s[i]) - b32);
		if ((bits += 5) >= 8)
			out[len++] = (unsigned char)(acc >> (bits -= 8));
	}
	return len;
}

/* Independent base32 encoding of n bytes, no padding. */
static void b32_text(const unsigned char *in, size_t n, char *out)
{
	uint64_t acc = 0;
	size_t i;
	int bits = 0;

	for (i = 0; i < n; i++) {
		acc = acc << 8 | in[i];
		for (bits += 8; bits >= 5; bits -= 5)
			*out++ = b32[(acc >> (bits - 5)) & 31];
	}
	if (bits)
		*out++ = b32[(acc << (5 - bits)) & 31];
	*out = '\0';
}

/* A code for any payload bytes, signed as the format says. */
static void forge(const unsigned char sk[64], const unsigned char payload[10], char *out)
{
	unsigned char msg[24], bytes[74];

	memcpy(msg, "turnout-ticket", 14);
	memcpy(msg + 14, payload, 10);
	memcpy(bytes, payload, 10);
	crypto_sign_detached(bytes + 10, NULL, msg, sizeof(msg), sk);
	b32_text(bytes, sizeof(bytes), out);
}

static int invalid(const unsigned char pk[32], const char *code)
{
	int64_t e = -1, s = -1;

	return tn_ticketcode_verify(pk, code, &e, &s) == TN_TICKETCODE_INVALID &&
	       e == 0 && s == 0;
}

/* The same for the holder of the secret key (tn_ticketcode_verify_own). */
static int invalid_own(const unsigned char sk[64], const char *code)
{
	int64_t e = -1, s = -1;

	return tn_ticketcode_verify_own(sk, code, &e, &s) == TN_TICKETCODE_INVALID &&
	       e == 0 && s == 0;
}

static int write_codes(const char *dir)
{
	static const int64_t ids[][2] = {
		{ 1, 1 }, { 7, 42 }, { 4294967295, 1099511627775 }, { 123456, 987654321 },
	};
	unsigned char pk[32], sk[64], seed[32];
	char hex[65], code[TN_TICKETCODE_SIZE], path[512];
	struct tn_buf b = TN_BUF_INIT;
	struct tn_err err = TN_ERR_INIT;
	size_t i;
	int rc = 0;

	memset(seed, 7, sizeof(seed));
	crypto_sign_seed_keypair(pk, sk, seed);
	snprintf(path, sizeof(path), "%s/pk.hex", dir);
	sodium_bin2hex(hex, sizeof(hex), pk, sizeof(pk));
	rc |= tn_file_write_atomic(path, hex, strlen(hex), &err) != TN_OK;
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		rc |= tn_ticketcode_make(sk, ids[i][0], ids[i][1], code, sizeof(code), &err) != TN_OK;
		rc |= tn_buf_addf(&b, "%lld %lld %s\n", (long long)ids[i][0],
				  (long long)ids[i][1], code) != TN_OK;
	}
	snprintf(path, sizeof(path), "%s/codes", dir);
	rc |= tn_file_write_atomic(path, b.data, b.len, &err) != TN_OK;
	tn_buf_free(&b);
	return rc;
}

static void test_format(const unsigned char pk[32], const unsigned char sk[64])
{
	unsigned char bytes[80], msg[24];
	char code[TN_TICKETCODE_SIZE];
	struct tn_err err = TN_ERR_INIT;
	size_t i;

	is_int(tn_ticketcode_make(sk, 0x01020304, 0x05060708090, code, sizeof(code), &err),
	       TN_OK, "make");
	is_int(strlen(code), TN_TICKETCODE_LEN, "a code is %d characters", TN_TICKETCODE_LEN);
	ok(strspn(code, b32) == TN_TICKETCODE_LEN, "of the upper-case base32 alphabet");
	is_int(b32_bytes(code, strlen(code), bytes), 74, "74 bytes");
	is_int(bytes[0], 1, "format version 1 first");
	ok(memcmp(bytes + 1, "\x01\x02\x03\x04", 4) == 0, "the event id in 4 bytes, big-endian");
	ok(memcmp(bytes + 5, "\x50\x60\x70\x80\x90", 5) == 0,
	   "the serial in 5 bytes, big-endian");
	memcpy(msg, "turnout-ticket", 14);
	memcpy(msg + 14, bytes, 10);
	is_int(crypto_sign_verify_detached(bytes + 10, msg, sizeof(msg), pk), 0,
	       "the last 64 bytes: Ed25519 over \"turnout-ticket\" || payload");
	ok(crypto_sign_verify_detached(bytes + 10, bytes, 10, pk) != 0,
	   "not over the bare payload (domain separation)");
	ok((strchr(b32, code[TN_TICKETCODE_LEN - 1]) - b32) % 8 == 0,
	   "the 3 unused bits of the last character are zero");
	for (i = 0; i < 3; i++) {
		char again[TN_TICKETCODE_SIZE];

		tn_ticketcode_make(sk, 0x01020304, 0x05060708090, again, sizeof(again), &err);
		is_str(again, code, "the same ids give the same code (%zu)", i);
	}
}

static void test_round_trip_and_limits(const unsigned char pk[32], const unsigned char sk[64])
{
	static const int64_t ids[][2] = {
		{ 1, 1 }, { 2, 1 }, { 1, 2 }, { 255, 256 }, { 65536, 16777216 },
		{ TN_TICKETCODE_EVENT_MAX, TN_TICKETCODE_SERIAL_MAX }, { 4294967294, 4294967296 },
	};
	static const int64_t bad[][2] = {
		{ 0, 1 }, { -1, 1 }, { TN_TICKETCODE_EVENT_MAX + 1, 1 }, { INT64_MIN, 1 },
		{ 1, 0 }, { 1, -5 }, { 1, TN_TICKETCODE_SERIAL_MAX + 1 }, { 1, INT64_MAX },
	};
	char code[TN_TICKETCODE_SIZE], other[TN_TICKETCODE_SIZE];
	struct tn_err err = TN_ERR_INIT;
	int64_t e, s;
	size_t i;

	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		is_int(tn_ticketcode_make(sk, ids[i][0], ids[i][1], code, sizeof(code), &err),
		       TN_OK, "make event %lld serial %lld", (long long)ids[i][0], (long long)ids[i][1]);
		is_int(tn_ticketcode_verify(pk, code, &e, &s), TN_TICKETCODE_VALID, "verified");
		ok(e == ids[i][0] && s == ids[i][1], "and read back as event %lld serial %lld",
		   (long long)e, (long long)s);
		is_int(tn_ticketcode_verify(pk, code, NULL, NULL), TN_TICKETCODE_VALID,
		       "the ids may go unread");
	}
	tn_ticketcode_make(sk, 5, 9, code, sizeof(code), &err);
	tn_ticketcode_make(sk, 6, 9, other, sizeof(other), &err);
	ok(strcmp(code, other) != 0, "another event, another code");
	tn_ticketcode_make(sk, 5, 10, other, sizeof(other), &err);
	ok(strcmp(code, other) != 0, "another serial, another code");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		strcpy(code, "x");
		is_int(tn_ticketcode_make(sk, bad[i][0], bad[i][1], code, sizeof(code), &err),
		       TN_USAGE, "event %lld serial %lld refused: %s", (long long)bad[i][0],
		       (long long)bad[i][1], err.msg);
		is_str(code, "", "and nothing written");
	}
	is_str(err.field, "serial", "the error names the serial");
	tn_ticketcode_make(sk, 0, 1, code, sizeof(code), &err);
	is_str(err.field, "event", "or the event");
	is_int(tn_ticketcode_make(sk, 1, 1, code, TN_TICKETCODE_LEN, &err), TN_USAGE,
	       "a buffer without room for the NUL is refused");
	is_str(code, "", "and left empty");
	is_str(tn_ticketcode_verdict_name(TN_TICKETCODE_VALID), "valid", "verdict names");
	is_str(tn_ticketcode_verdict_name(TN_TICKETCODE_INVALID), "invalid", "verdict names");
}

/* Every position x every other character of the alphabet: invalid. */
static void test_every_change(const unsigned char pk[32], const unsigned char sk[64])
{
	char code[TN_TICKETCODE_SIZE], changed[TN_TICKETCODE_SIZE];
	struct tn_err err = TN_ERR_INIT;
	int tried = 0, passed = 0, passed_own = 0, lower_ok = 0, lower_own = 0, letters = 0;
	size_t i, j;

	tn_ticketcode_make(sk, 31337, 4242, code, sizeof(code), &err);
	for (i = 0; i < TN_TICKETCODE_LEN; i++) {
		for (j = 0; j < 32; j++) {
			if (b32[j] == code[i])
				continue;
			memcpy(changed, code, sizeof(code));
			changed[i] = b32[j];
			tried++;
			passed += invalid(pk, changed);
			passed_own += invalid_own(sk, changed);
		}
		if (code[i] >= 'A' && code[i] <= 'Z') {
			memcpy(changed, code, sizeof(code));
			changed[i] = (char)(code[i] - 'A' + 'a');
			letters++;
			lower_ok += tn_ticketcode_verify(pk, changed, NULL, NULL) == TN_TICKETCODE_VALID;
			lower_own += tn_ticketcode_verify_own(sk, changed, NULL, NULL) ==
				     TN_TICKETCODE_VALID;
		}
	}
	is_int(tried, TN_TICKETCODE_LEN * 31, "every single-character change tried");
	is_int(passed, tried, "and every one is invalid");
	is_int(lower_ok, letters, "a letter's case is no change: each lowered alone still valid");
	is_int(passed_own, tried, "checked by signing again, every change is invalid too");
	is_int(lower_own, letters, "and every lowered letter valid");
}

static void test_canonical(const unsigned char pk[32], const unsigned char sk[64])
{
	unsigned char payload[10] = { 1, 0, 0, 0, 9, 0, 0, 0, 0, 3 };
	char code[TN_TICKETCODE_SIZE], v[TN_TICKETCODE_SIZE + 16];
	struct tn_err err = TN_ERR_INIT;
	int64_t e, s;
	size_t i;
	int last;

	tn_ticketcode_make(sk, 9, 3, code, sizeof(code), &err);
	forge(sk, payload, v);
	is_str(v, code, "the test's own encoder agrees");
	for (i = 0; code[i]; i++)
		v[i] = (char)(code[i] >= 'A' && code[i] <= 'Z' ? code[i] - 'A' + 'a' : code[i]);
	v[i] = '\0';
	ok(tn_ticketcode_verify(pk, v, &e, &s) == TN_TICKETCODE_VALID && e == 9 && s == 3,
	   "all lower case is accepted");
	for (i = 0; code[i]; i++)
		v[i] = (char)(i % 2 && code[i] >= 'A' ? code[i] - 'A' + 'a' : code[i]);
	is_int(tn_ticketcode_verify(pk, v, NULL, NULL), TN_TICKETCODE_VALID, "mixed case too");

	snprintf(v, sizeof(v), "%s=", code);
	ok(invalid(pk, v), "'=' padding is invalid");
	snprintf(v, sizeof(v), "%s========", code);
	ok(invalid(pk, v), "more padding too");
	snprintf(v, sizeof(v), "%.*s", TN_TICKETCODE_LEN - 1, code);
	ok(invalid(pk, v), "one character short");
	snprintf(v, sizeof(v), "%sA", code);
	ok(invalid(pk, v), "one character long");
	snprintf(v, sizeof(v), "%s\n", code);
	ok(invalid(pk, v), "a trailing newline (callers strip it)");
	snprintf(v, sizeof(v), " %s", code);
	ok(invalid(pk, v), "a leading space");
	snprintf(v, sizeof(v), "%.60s %s", code, code + 60);
	ok(invalid(pk, v), "a space inside");
	snprintf(v, sizeof(v), "%.60s\t%s", code, code + 60);
	ok(invalid(pk, v), "a tab inside");
	snprintf(v, sizeof(v), "%.59s %s", code, code + 60);
	ok(invalid(pk, v), "a space instead of a character");
	for (i = 0; i < 7; i++) {
		static const char outside[] = "0189=-\xC3";

		snprintf(v, sizeof(v), "%s", code);
		v[40] = outside[i];
		ok(invalid(pk, v), "a character outside the alphabet (0x%02x)", (unsigned char)outside[i]);
	}
	memcpy(v, code, sizeof(code));
	v[50] = '\0';
	ok(invalid(pk, v), "a code cut by a NUL");
	ok(invalid(pk, ""), "the empty string");
	ok(invalid(pk, NULL), "NULL");
	/* the same 74 bytes with non-zero unused bits: each other spelling */
	last = (int)(strchr(b32, code[TN_TICKETCODE_LEN - 1]) - b32);
	for (i = 1; i < 8; i++) {
		snprintf(v, sizeof(v), "%s", code);
		v[TN_TICKETCODE_LEN - 1] = b32[last | (int)i];
		ok(invalid(pk, v), "unused bits %zu set (%c for %c)", i, v[TN_TICKETCODE_LEN - 1],
		   code[TN_TICKETCODE_LEN - 1]);
	}

	/* correctly signed, but not a payload make writes */
	payload[0] = 2;
	forge(sk, payload, v);
	ok(invalid(pk, v), "format version 2 is invalid");
	payload[0] = 0;
	forge(sk, payload, v);
	ok(invalid(pk, v), "format version 0 is invalid");
	memcpy(payload, "\x01\x00\x00\x00\x00\x00\x00\x00\x00\x03", 10);
	forge(sk, payload, v);
	ok(invalid(pk, v), "event 0 is invalid");
	memcpy(payload, "\x01\x00\x00\x00\x09\x00\x00\x00\x00\x00", 10);
	forge(sk, payload, v);
	ok(invalid(pk, v), "serial 0 is invalid");
}

static void test_other_key(const unsigned char pk[32], const unsigned char sk[64])
{
	unsigned char pk2[32], sk2[64];
	char code[TN_TICKETCODE_SIZE];
	struct tn_err err = TN_ERR_INIT;

	crypto_sign_keypair(pk2, sk2);
	tn_ticketcode_make(sk2, 9, 3, code, sizeof(code), &err);
	ok(invalid(pk, code), "a code signed by another key is invalid");
	is_int(tn_ticketcode_verify(pk2, code, NULL, NULL), TN_TICKETCODE_VALID,
	       "and valid with that key");
	ok(invalid_own(sk, code), "and by signing again with ours");
	tn_ticketcode_make(sk, 9, 3, code, sizeof(code), &err);
	ok(invalid(pk2, code), "ours is invalid with the other key");
	ok(invalid_own(sk2, code), "and by signing again with the other");
	ok(tn_ticketcode_verify_own(sk, code, NULL, NULL) == TN_TICKETCODE_VALID,
	   "and valid by signing again with ours");
	sodium_memzero(sk2, sizeof(sk2));
}

static void test_setup_key(void)
{
	unsigned char pk[32], sk[64], zero[64] = { 0 };
	char dir[256], path[512], code[TN_TICKETCODE_SIZE];
	struct tn_err err = TN_ERR_INIT;
	struct tn_db *db;
	int created;
	int64_t e, s;

	if (!tap_tmpdir(dir, sizeof(dir)))
		return;
	snprintf(path, sizeof(path), "%s/t.db", dir);
	if (tn_db_open(path, TN_DB_CREATE, &db, &err) != TN_OK)
		return;
	memset(sk, 1, sizeof(sk));
	is_int(tn_setup_secret_key(db, sk, &err), TN_NOINIT, "no secret key before init");
	ok(memcmp(sk, zero, 64) == 0, "and sk zeroed");
	tn_setup_init(db, NULL, NULL, NULL, &created, &err);
	is_int(tn_setup_secret_key(db, sk, &err), TN_OK, "the secret key after init");
	is_int(tn_setup_public_key(db, pk, &err), TN_OK, "and the public key");
	tn_ticketcode_make(sk, 3, 8, code, sizeof(code), &err);
	ok(tn_ticketcode_verify(pk, code, &e, &s) == TN_TICKETCODE_VALID && e == 3 && s == 8,
	   "a code signed with it verifies with the stored public key");
	tn_db_begin(db, &err);
	tn_db_end(db, tn_db_run(db, &err, "UPDATE signing_key SET secret_key = zeroblob(64)"), &err);
	memset(sk, 1, sizeof(sk));
	is_int(tn_setup_secret_key(db, sk, &err), TN_FAIL, "a secret key that does not match: %s",
	       err.msg);
	ok(memcmp(sk, zero, 64) == 0, "and sk zeroed");
	sodium_memzero(sk, sizeof(sk));
	tn_db_close(db);
	unlink(path);
	snprintf(path, sizeof(path), "%s/t.db-wal", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/t.db-shm", dir);
	unlink(path);
	rmdir(dir);
}

int main(int argc, char **argv)
{
	unsigned char pk[32], sk[64];

	if (sodium_init() < 0)
		return 1;
	if (argc == 3 && strcmp(argv[1], "--write") == 0)
		return write_codes(argv[2]);
	crypto_sign_keypair(pk, sk);
	test_format(pk, sk);
	test_round_trip_and_limits(pk, sk);
	test_every_change(pk, sk);
	test_canonical(pk, sk);
	test_other_key(pk, sk);
	test_setup_key();
	return tap_done();
}
