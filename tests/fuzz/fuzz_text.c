/*
 * fuzz_text.c - fuzz target for the small text rules every module relies
 * on: UTF-8 checks, folding and NFC, e-mail and handle normalisation,
 * dates, slugs, durations and the escaping functions. Each call checks
 * properties, not just "no crash": escaped terminal text is valid UTF-8
 * without control, bidi or zero-width characters, a slug is always a
 * valid slug, normalising an address or a handle twice changes nothing
 * more, and the display form of an address normalises back to it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "turnout/buf.h"
#include "turnout/esc.h"
#include "turnout/event.h"
#include "turnout/import.h"
#include "turnout/slug.h"
#include "turnout/text.h"
#include "turnout/tz.h"
#include "turnout/unicode.h"

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

static void check_term(const char *s)
{
	struct tn_buf b = TN_BUF_INIT;
	const char *p, *end;
	size_t i;
	int32_t cp;

	CHECK(tn_esc_term(&b, s) == TN_OK);
	CHECK(tn_utf8_valid(b.data, b.len));
	for (i = 0; i < b.len; i++)
		CHECK((unsigned char)b.data[i] >= 0x20 && b.data[i] != 0x7F);
	/* no C1 control, bidi control or zero-width character is left */
	for (p = b.data, end = b.data + b.len; p < end;) {
		cp = tn_utf8_next(&p, end);
		CHECK(!(cp >= 0x80 && cp < 0xA0));
		CHECK(!(cp >= 0x200B && cp <= 0x200F) && !(cp >= 0x202A && cp <= 0x202E));
		CHECK(!(cp >= 0x2066 && cp <= 0x2069) && cp != 0x2060 && cp != 0xFEFF);
	}
	tn_buf_reset(&b);
	CHECK(tn_esc_term_pad(&b, s, 30) == TN_OK);
	CHECK(tn_utf8_width(b.data, b.len) >= 30);
	tn_buf_free(&b);
}

/* Folding and NFC keep well-formed text well-formed. */
static void check_unicode(const char *s, size_t len)
{
	struct tn_buf b = TN_BUF_INIT;
	int valid = tn_utf8_valid(s, len);

	CHECK(tn_utf8_fold(s, len, &b) == TN_OK);
	CHECK(!valid || tn_utf8_valid(b.data, b.len));
	tn_buf_reset(&b);
	CHECK(tn_utf8_nfc(s, len, &b) == TN_OK);
	CHECK(!valid || tn_utf8_valid(b.data, b.len));
	tn_buf_free(&b);
}

static void check_html(const char *s)
{
	struct tn_buf b = TN_BUF_INIT;

	CHECK(tn_esc_html(&b, s) == TN_OK);
	CHECK(!strpbrk(b.data, "<>\"'"));
	tn_buf_free(&b);
}

static void check_email(const char *s)
{
	struct tn_buf once = TN_BUF_INIT, twice = TN_BUF_INIT, shown = TN_BUF_INIT;
	struct tn_err err;

	if (tn_email_normalize(s, &once, &err) == TN_OK) {
		CHECK(tn_utf8_valid(once.data, once.len));
		CHECK(strchr(once.data, '@') && !strpbrk(once.data, " \t\r\n"));
		CHECK(tn_email_normalize(once.data, &twice, &err) == TN_OK);
		CHECK(strcmp(once.data, twice.data) == 0);
		CHECK(tn_email_display(once.data, &shown) == TN_OK);
		CHECK(tn_utf8_valid(shown.data, shown.len));
		CHECK(tn_email_normalize(shown.data, &twice, &err) == TN_OK);
		CHECK(strcmp(once.data, twice.data) == 0);
	}
	tn_buf_free(&once);
	tn_buf_free(&twice);
	tn_buf_free(&shown);
}

/* A handle is stored as normalised: normalising it again changes nothing,
 * and it has no blank, '/' or leading '@'. */
static void check_handle(const char *s, size_t len)
{
	struct tn_buf once = TN_BUF_INIT, twice = TN_BUF_INIT;
	struct tn_err err;

	if (tn_handle_normalize(s, len, &once, &err) == TN_OK) {
		CHECK(once.len > 0 && once.data[0] != '@');
		CHECK(!memchr(once.data, ' ', once.len) && !memchr(once.data, '/', once.len));
		CHECK(tn_handle_normalize(once.data, once.len, &twice, &err) == TN_OK);
		CHECK(once.len == twice.len && memcmp(once.data, twice.data, once.len) == 0);
	}
	tn_buf_free(&once);
	tn_buf_free(&twice);
}

static void check_slug(const char *s)
{
	struct tn_buf b = TN_BUF_INIT;

	CHECK(tn_slug_from_title(s, &b) == TN_OK);
	CHECK(tn_slug_valid(b.data));
	tn_buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), date[11];
	int64_t minutes;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	(void)tn_utf8_valid(s, size);
	check_term(s);
	check_unicode(s, strlen(s));
	check_html(s);
	check_email(s);
	check_handle(s, strlen(s));
	check_slug(s);
	if (tn_date_valid(s))
		CHECK(strlen(s) == 10);
	if (tn_import_date(s, NULL, date) == TN_OK)
		CHECK(tn_date_valid(date));
	if (tn_import_date(s, "Pacific/Kiritimati", date) == TN_OK)
		CHECK(tn_date_valid(date));
	if (tn_event_parse_duration(s, &minutes) == TN_OK)
		CHECK(minutes > 0);
	(void)tn_tz_local_valid(s);
	free(s);
	return 0;
}
