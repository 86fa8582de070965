/*
 * text.h - UTF-8 checks, e-mail address normalisation and dates: the small
 * text rules that several modules must apply the same way.
 */
#ifndef TURNOUT_TEXT_H
#define TURNOUT_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "turnout/buf.h"
#include "turnout/err.h"

/* 1 if s[0..len) is well-formed UTF-8 (no overlongs, surrogates or
 * code points past U+10FFFF), else 0. */
int tn_utf8_valid(const char *s, size_t len);
/* As tn_utf8_valid, and sets *high to 1 (when high is not NULL) if s has
 * a byte beyond ASCII. One pass. */
int tn_utf8_valid_high(const char *s, size_t len, int *high);
/* Decodes one code point at *s (advancing *s); returns -1 and advances one
 * byte on a malformed sequence. end bounds the read. */
int32_t tn_utf8_next(const char **s, const char *end);

/* The first character of s[0..len) that is invisible or looks like a
 * plain space -- U+00A0 no-break space, U+200B-U+200D zero-width space
 * and joiners, U+2060 word joiner, U+FEFF -- as its code point, or 0 if
 * there is none. */
int32_t tn_text_invisible(const char *s, size_t len);

/* Checks an e-mail address (local@domain, a dotted domain, no spaces,
 * no-break spaces, zero-width or control characters, at most 254 octets) and writes its canonical form
 * into out: surrounding blanks trimmed, the local part kept as written
 * (RFC 5321 lets it be case-sensitive) but in NFC, and the domain as its
 * lower-case A-label through libidn2's UTS #46 mapping, so that
 * "anna@ПРИМЕР.РФ", "anna@пример.рф" and "anna@xn--e1afmkfd.xn--p1ai" are
 * one address. Returns TN_BADINPUT with a reason in err ("no '@' in
 * address", "zero-width character (U+200B) in address") if invalid, TN_NOMEM on allocation failure. */
tn_code tn_email_normalize(const char *in, struct tn_buf *out,
			   struct tn_err *err);

/* The fast path of tn_email_normalize for a domain d[0..len) written in
 * ASCII: when it holds only letters, digits, hyphens and dots, in labels
 * of 1 to 63 characters that neither begin nor end with a hyphen nor have
 * one in both the 3rd and 4th place (so no "xn--" A-label), at most 253
 * bytes, UTS #46 (libidn2, IDN2_NONTRANSITIONAL) maps it to itself in
 * lower case: writes that into out (len + 1 bytes) and returns 1. Else
 * returns 0 and libidn2 must decide (out's content is then undefined).
 * Exposed for the test that compares it with libidn2. */
int tn_domain_ascii_fast(const char *d, size_t len, char *out);

/* Writes into out (replacing its content) the identity key of a
 * normalised address, the form two addresses are compared in: its ASCII
 * letters lower-cased, every other byte as it is (the folding of SQLite's
 * NOCASE). Every mailbox provider treats A-Z and a-z in the local part
 * alike, so Anna.Weber@posteo.de and anna.weber@posteo.de are one person,
 * though RFC 5321 would allow otherwise (the address itself is kept as
 * written, for sending). Letters beyond ASCII keep their case (Ünal@ and
 * ünal@ stay two): no standard or common practice says how a mailbox
 * folds them, and joining two people wrongly is worse than counting one
 * twice. The domain of a normalised address is lower case already.
 * TN_NOMEM on allocation failure. */
tn_code tn_email_key(const char *email, size_t len, struct tn_buf *out);

/* Appends the form of a normalised address to show a person: the domain's
 * A-labels turned back into U-labels ("anna@пример.рф"). An address whose
 * domain has no A-label, one libidn2 cannot decode, or one whose U-label
 * has a zero-width joiner, is appended as stored. TN_NOMEM on allocation failure. */
tn_code tn_email_display(const char *email, struct tn_buf *out);

/* Checks that s can be a text value (a name, a title): valid UTF-8 and
 * no control character. With multiline, newlines, tabs and CR LF pairs
 * are allowed (a description). TN_USAGE with "not valid UTF-8" or
 * "control character" (and a hint naming the byte) when it cannot; err
 * may be NULL. */
tn_code tn_text_check(const char *s, int multiline, struct tn_err *err);

/* Writes s into out (replacing its content) as one line, for a header or
 * a display name: each control character (C0, DEL, C1: a line break, a
 * tab) and each run of blanks becomes one space, and the ends are
 * trimmed. s must be valid UTF-8. TN_NOMEM. */
tn_code tn_text_one_line(const char *s, struct tn_buf *out);

/* 1 if url is an absolute http:// or https:// URL with a host, as
 * libcurl's URL parser reads it (no default scheme: "example.org" is not
 * a URL), written with "//" and without quotes or angle brackets; else 0
 * (also when out of memory). */
int tn_url_valid(const char *url);

/* Appends the host of url (a URL tn_url_valid accepts) to out,
 * lower-cased, an international name as its A-label:
 * "https://Meet.Example.ORG:8443/x" -> "meet.example.org". TN_BADINPUT if
 * url is not such a URL, TN_NOMEM on allocation failure. */
tn_code tn_url_host(const char *url, struct tn_buf *out);

/*
 * Writes the handle that s[0..len) names into out (reset first): blanks
 * around it trimmed, one leading '@' dropped ("@olga" -> "olga",
 * "@anna@mastodon.social" -> "anna@mastodon.social"), and a profile
 * address read with libcurl's URL parser: "https://t.me/olga_iv" (or
 * "t.me/olga_iv") -> "olga_iv", "https://mastodon.social/@anna" or
 * ".../users/anna" -> "anna@mastodon.social", any other one-segment path
 * ("https://x.com/anna") -> "anna". A handle is a name or name@server
 * without blanks, control characters, '/' or invisible characters.
 * TN_BADINPUT with the reason in err when s is none ("@@x", "anna@",
 * "a b", a URL with a longer path); TN_NOMEM.
 */
tn_code tn_handle_normalize(const char *s, size_t len, struct tn_buf *out,
			    struct tn_err *err);

/* 1 if s is a real calendar date written YYYY-MM-DD, else 0. */
int tn_date_valid(const char *s);

/* The current UTC time as "YYYY-MM-DDTHH:MM:SSZ" (21 bytes with NUL).
 * $TURNOUT_NOW, when set to that form, replaces the clock (tests). */
void tn_now_utc(char out[21]);
/* Today's UTC date as "YYYY-MM-DD", from the same clock. */
void tn_today(char out[11]);

#endif
