/*
 * fuzz_ticketcode.c - fuzz target for ticket codes (ticketcode.h), with a
 * fixed key pair. Each input is checked three ways:
 *   - as a code: a valid verdict only for exactly what tn_ticketcode_make
 *     writes for the ids it returns, up to the case of its letters
 *     (decoding is canonical), and ids of 0 on an invalid one;
 *   - as ids: the first 9 bytes pick an event and a serial; a made code
 *     verifies to them (or make refuses ids out of range);
 *   - as a change: the next bytes pick a position and a replacement for
 *     one character of that code; unless it only changes a letter's case,
 *     the changed code is invalid.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "turnout/ticketcode.h"

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

static unsigned char pk[32], sk[64];

static int same_ignoring_case(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char x = *a >= 'a' && *a <= 'z' ? (char)(*a - 'a' + 'A') : *a;
		char y = *b >= 'a' && *b <= 'z' ? (char)(*b - 'a' + 'A') : *b;

		if (x != y)
			return 0;
	}
	return *a == *b;
}

static void check_code(const char *s)
{
	char made[TN_TICKETCODE_SIZE];
	struct tn_err err = TN_ERR_INIT;
	int64_t e = -1, v = -1;

	if (tn_ticketcode_verify(pk, s, &e, &v) == TN_TICKETCODE_VALID) {
		CHECK(tn_ticketcode_make(sk, e, v, made, sizeof(made), &err) == TN_OK);
		CHECK(same_ignoring_case(s, made));
	} else {
		CHECK(e == 0 && v == 0);
	}
}

static void check_ids(const uint8_t *data, size_t size)
{
	char code[TN_TICKETCODE_SIZE], changed[TN_TICKETCODE_SIZE];
	struct tn_err err = TN_ERR_INIT;
	int64_t event = 0, serial = 0, e, v;
	size_t i, pos;
	char c;

	if (size < 11)
		return;
	for (i = 0; i < 4; i++)
		event = event << 8 | data[i];
	for (i = 4; i < 9; i++)
		serial = serial << 8 | data[i];
	if (data[9] & 1)
		event = -event;   /* out-of-range ids too */
	if (tn_ticketcode_make(sk, event, serial, code, sizeof(code), &err) != TN_OK) {
		CHECK(event < 1 || serial < 1);
		CHECK(code[0] == '\0');
		return;
	}
	CHECK(strlen(code) == TN_TICKETCODE_LEN);
	CHECK(tn_ticketcode_verify(pk, code, &e, &v) == TN_TICKETCODE_VALID);
	CHECK(e == event && v == serial);
	pos = data[9] % TN_TICKETCODE_LEN;
	c = (char)data[10];
	memcpy(changed, code, sizeof(code));
	changed[pos] = c;
	if (same_ignoring_case(changed, code))
		CHECK(tn_ticketcode_verify(pk, changed, NULL, NULL) == TN_TICKETCODE_VALID);
	else
		CHECK(tn_ticketcode_verify(pk, changed, NULL, NULL) == TN_TICKETCODE_INVALID);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	char *s;

	if (!ready) {
		unsigned char seed[32];

		CHECK(sodium_init() >= 0);
		memset(seed, 0x42, sizeof(seed));
		crypto_sign_seed_keypair(pk, sk, seed);
		ready = 1;
	}
	if (!(s = malloc(size + 1)))
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	check_code(s);
	free(s);
	check_ids(data, size);
	return 0;
}
