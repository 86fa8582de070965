/* Unit tests: buffers, UTF-8, e-mail normalisation, dates, escaping.
 * Folding and NFC are in t_unicode.c. */
#include <ctype.h>

#include <idn2.h>

#include "tap.h"
#include "turnout/buf.h"
#include "turnout/esc.h"
#include "turnout/text.h"

static void test_buf(void)
{
	struct tn_buf b = TN_BUF_INIT;
	char *s;
	size_t len;
	int i;

	is_str(b.data, "", "a new buffer is the empty string");
	for (i = 0; i < 1000; i++)
		tn_buf_addf(&b, "%d,", i);
	is_int(b.len, strlen(b.data), "len matches the string after many appends");
	ok(strncmp(b.data, "0,1,2,", 6) == 0, "appends keep order");
	s = tn_buf_detach(&b, &len);
	ok(s && len > 3000, "detach hands over the string");
	is_str(b.data, "", "the buffer is empty after detach");
	free(s);
	b.cap = 8;
	is_int(tn_buf_add(&b, "12345678"), TN_OK, "a capped buffer takes up to its cap");
	is_int(tn_buf_add(&b, "9"), TN_NOMEM, "and refuses to grow past it");
	is_str(b.data, "12345678", "keeping its contents");
	tn_buf_free(&b);
}

static void test_utf8(void)
{
	ok(tn_utf8_valid("plain", 5), "ASCII is valid");
	ok(tn_utf8_valid("Иван 🎉", strlen("Иван 🎉")), "Cyrillic and emoji are valid");
	ok(!tn_utf8_valid("\xC0\xAF", 2), "an overlong encoding is invalid");
	ok(!tn_utf8_valid("\xED\xA0\x80", 3), "a surrogate is invalid");
	ok(!tn_utf8_valid("ab\xD0", 3), "a truncated sequence is invalid");
	ok(!tn_utf8_valid("\xF4\x90\x80\x80", 4), "past U+10FFFF is invalid");
	ok(!tn_utf8_valid("\xFF", 1), "0xFF is invalid");
}

static void test_email(void)
{
	struct tn_buf b = TN_BUF_INIT;
	struct tn_err err;
	static const char *const bad[] = {
		"", "plain", "@example.org", "bob@", "bob@localhost", "bob@@x.org",
		"bo b@example.org", "bob@exa mple.org", ".bob@example.org",
		"bob.@example.org", "bo..b@example.org", "bob@example..org",
		"bob@-example.org", "bob@example.org.", "a,b@example.org",
		"bob@exa_mple.org", "bob@🎉.org", "bob@xn--zz.org", "bob@ПРИМЕР .РФ",
	};
	static const char *const same[] = {
		"anna@ПРИМЕР.РФ", "anna@пример.рф", "anna@xn--e1afmkfd.xn--p1ai",
		"anna@XN--E1AFMKFD.XN--P1AI", " anna@Пример.рф\t", "anna@пример.xn--p1ai",
	};
	size_t i;

	is_int(tn_email_normalize("  Ivan.Petrov@Example.ORG ", &b, &err), TN_OK,
	       "a valid address is accepted");
	is_str(b.data, "Ivan.Petrov@example.org", "the domain is lower-cased, the local part kept");
	is_int(tn_email_normalize("o'brien+meetup@mail.example.co.uk", &b, &err), TN_OK,
	       "atext characters are accepted");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		is_int(tn_email_normalize(bad[i], &b, &err), TN_BADINPUT,
		       "'%s' is rejected (%s)", bad[i], err.msg);
	/* international domains: the A-label is stored and compared */
	for (i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		is_int(tn_email_normalize(same[i], &b, &err), TN_OK, "'%s' is accepted", same[i]);
		is_str(b.data, "anna@xn--e1afmkfd.xn--p1ai", "'%s' is one address", same[i]);
	}
	tn_email_normalize("Jörg@BÜCHER.de", &b, &err);
	is_str(b.data, "Jörg@xn--bcher-kva.de", "the domain mapped by UTS #46, the local part kept");
	tn_email_normalize("J" "o\xCC\x88" "rg@bücher.de", &b, &err);
	is_str(b.data, "Jörg@xn--bcher-kva.de", "a decomposed local part is stored in NFC");
	tn_email_normalize("Anna@ПРИМЕР.РФ", &b, &err);
	is_str(b.data, "Anna@xn--e1afmkfd.xn--p1ai", "the local part keeps its case");
	tn_email_normalize("faß@faß.de", &b, &err);
	is_str(b.data, "faß@xn--fa-hia.de", "ß stays ß in a domain (non-transitional)");
	tn_buf_free(&b);
}

/* Characters that cannot be seen, pasted in with an address: refused,
 * wherever they stand, with the reason naming the character. */
static void test_email_invisible(void)
{
	static const struct { const char *in; const char *why; } bad[] = {
		{ "anna\xC2\xA0@example.org", "no-break space (U+00A0) in address" },
		{ "anna@example.org\xC2\xA0", "no-break space (U+00A0) in address" },
		{ "\xC2\xA0" "anna@example.org", "no-break space (U+00A0) in address" },
		{ "an\xE2\x80\x8Bna@example.org", "zero-width character (U+200B) in address" },
		{ "anna@exa\xE2\x80\x8Bmple.org", "zero-width character (U+200B) in address" },
		{ "anna@example.org\xE2\x80\x8C", "zero-width character (U+200C) in address" },
		{ "anna\xE2\x80\x8D@example.org", "zero-width character (U+200D) in address" },
		{ "anna@example\xE2\x81\xA0.org", "zero-width character (U+2060) in address" },
		{ "\xEF\xBB\xBF" "anna@example.org", "zero-width character (U+FEFF) in address" },
		{ "anna@пример\xE2\x80\x8B.рф", "zero-width character (U+200B) in address" },
	};
	struct tn_buf b = TN_BUF_INIT;
	struct tn_err err;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		is_int(tn_email_normalize(bad[i].in, &b, &err), TN_BADINPUT,
		       "invisible character %zu is refused", i);
		is_str(err.msg, bad[i].why, "and named (%zu)", i);
	}
	is_int(tn_text_invisible("a\xC2\xA0", 3), 0xA0, "no-break space found");
	is_int(tn_text_invisible("\xE2\x80\x8D", 3), 0x200D, "zero-width joiner found");
	is_int(tn_text_invisible("\xE2\x80\x8E", 3), 0, "U+200E is not one of them");
	is_int(tn_text_invisible("\xE2\x80", 2), 0, "a cut sequence is not one");
	is_int(tn_text_invisible("Jörg ёлка 🎉", strlen("Jörg ёлка 🎉")), 0,
	       "visible text has none");
	/* addresses that were valid stay valid, in the same form */
	is_int(tn_email_normalize(" Jörg@BÜCHER.de\t", &b, &err), TN_OK, "a plain IDN address");
	is_str(b.data, "Jörg@xn--bcher-kva.de", "normalised as before");
	tn_buf_free(&b);
}

static void test_email_key(void)
{
	struct tn_buf b = TN_BUF_INIT;

	is_int(tn_email_key("Anna.Weber@posteo.de", 20, &b), TN_OK, "an address has a key");
	is_str(b.data, "anna.weber@posteo.de", "its ASCII letters in lower case");
	tn_email_key("\xC3\x9CNAL@example.org", strlen("\xC3\x9CNAL@example.org"), &b);
	is_str(b.data, "\xC3\x9Cnal@example.org", "letters beyond ASCII keep their case");
	tn_email_key("ann@xn--e1afmkfd.xn--p1ai", 25, &b);
	is_str(b.data, "ann@xn--e1afmkfd.xn--p1ai", "a lower-case address is its own key");
	tn_buf_free(&b);
}

static void test_email_display(void)
{
	struct tn_buf b = TN_BUF_INIT;

	is_int(tn_email_display("anna@xn--e1afmkfd.xn--p1ai", &b), TN_OK, "display form made");
	is_str(b.data, "anna@пример.рф", "an A-label domain is shown as its U-label");
	tn_buf_reset(&b);
	tn_email_display("Jörg@xn--bcher-kva.de", &b);
	is_str(b.data, "Jörg@bücher.de", "German IDN");
	tn_buf_reset(&b);
	tn_email_display("bob@example.org", &b);
	is_str(b.data, "bob@example.org", "an ASCII domain is shown as stored");
	tn_buf_reset(&b);
	tn_email_display("bob@xn--zz.org", &b);
	is_str(b.data, "bob@xn--zz.org", "an undecodable A-label is shown as stored");
	tn_buf_reset(&b);
	tn_email_display("no-at-sign", &b);
	is_str(b.data, "no-at-sign", "a value without '@' is shown as stored");
	tn_buf_free(&b);
}

static void host_is(const char *url, const char *want)
{
	struct tn_buf b = TN_BUF_INIT;

	is_int(tn_url_host(url, &b), TN_OK, "'%s' has a host", url);
	is_str(b.data, want, "the host of '%s'", url);
	tn_buf_free(&b);
}

static void test_url(void)
{
	static const char *const good[] = {
		"https://meet.example.org", "http://meet.example.org/path?q=1#f",
		"HTTPS://Meet.Example.ORG:8443/x", "https://user:pw@h.example/",
		"http://127.0.0.1:8080", "https://[::1]:8443/", "https://пример.рф/путь",
	};
	static const char *const bad[] = {
		"", "meet.example.org", "ftp://x.org", "javascript:alert(1)",
		"mailto:a@b.org", "https://", "https:///x.org", "https:/x.org",
		"https:x.org", "https://a b.org", "https://x.org/a b",
		"https://x.org/\x01", "https://x.org/\x7f", "https://x.org:99999",
		"https://x.org/\"onload", "https://x.org/<script>", "https://x.org/\xff",
		"http://:80/", "https://@/",
	};
	struct tn_buf b = TN_BUF_INIT;
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ok(tn_url_valid(good[i]), "'%s' is an http(s) URL", good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ok(!tn_url_valid(bad[i]), "'%s' is refused", bad[i]);
		is_int(tn_url_host(bad[i], &b), TN_BADINPUT, "and has no host");
	}
	host_is("https://meet.example.org", "meet.example.org");
	host_is("HTTPS://Meet.Example.ORG:8443/x?y#z", "meet.example.org");
	host_is("https://user:pw@h.example/", "h.example");
	host_is("https://пример.рф/путь", "xn--e1afmkfd.xn--p1ai");
	host_is("http://127.0.0.1:8080", "127.0.0.1");
	tn_buf_free(&b);
}

static void test_handles(void)
{
	static const struct { const char *in, *want; } good[] = {
		{ "olga_iv", "olga_iv" },
		{ "  @olga_iv\t", "olga_iv" },
		{ "@anna@mastodon.social", "anna@mastodon.social" },
		{ "anna@mastodon.social", "anna@mastodon.social" },
		{ "https://t.me/olga_iv", "olga_iv" },
		{ "HTTPS://T.ME/olga_iv/", "olga_iv" },
		{ "https://telegram.me/olga_iv?start=x#top", "olga_iv" },
		{ "http://t.me/@olga_iv", "olga_iv" },
		{ "t.me/olga_iv", "olga_iv" },
		{ "https://mastodon.social/@anna", "anna@mastodon.social" },
		{ "https://Mastodon.Social/@anna/", "anna@mastodon.social" },
		{ "https://mastodon.social/users/anna", "anna@mastodon.social" },
		{ "mastodon.social/@anna", "anna@mastodon.social" },
		{ "https://x.com/anna_k", "anna_k" },
		{ "https://vk.com/id12345", "id12345" },
		{ "id:12345", "id:12345" },
		{ "Дмитрий_Н", "Дмитрий_Н" },
	};
	static const char *const bad[] = {
		"", "   ", "@", "@@x", "@@anna@mastodon.social", "anna@", "@anna@",
		"a@b@c", "olga iv", "olga\x01", "ol\xE2\x80\x8Bga", "ol\xC2\xA0ga",
		"https://t.me/", "https://t.me/s/olga", "https://mastodon.social/@",
		"https://mastodon.social/a/b/c", "https://", "https://t.me/olga iv",
		"ftp://t.me/olga", "a/b", "host:80/x",
	};
	struct tn_buf b = TN_BUF_INIT;
	struct tn_err err;
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		is_int(tn_handle_normalize(good[i].in, strlen(good[i].in), &b, &err), TN_OK,
		       "handle '%s' is accepted", good[i].in);
		is_str(b.data, good[i].want, "handle '%s'", good[i].in);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		is_int(tn_handle_normalize(bad[i], strlen(bad[i]), &b, &err), TN_BADINPUT,
		       "handle '%s' is refused (%s)", bad[i], err.msg);
	tn_handle_normalize("@@x", 3, &b, &err);
	is_str(err.msg, "more than one '@' before the name", "'@@x' says why");
	is_int(tn_handle_normalize("olga_iv,x", 7, &b, &err), TN_OK, "only len bytes are read");
	is_str(b.data, "olga_iv", "up to len");
	tn_buf_free(&b);
}

static void test_dates(void)
{
	ok(tn_date_valid("2026-02-28"), "a normal date");
	ok(tn_date_valid("2024-02-29"), "a leap day");
	ok(!tn_date_valid("2026-02-29"), "not a leap year");
	ok(!tn_date_valid("2100-02-29"), "century rule");
	ok(tn_date_valid("2000-02-29"), "400-year rule");
	ok(!tn_date_valid("2026-13-01"), "month 13");
	ok(!tn_date_valid("2026-04-31"), "April 31");
	ok(!tn_date_valid("2026-4-01"), "missing zero");
	ok(!tn_date_valid("2026-04-01x"), "trailing text");
}

static void test_escape(void)
{
	struct tn_buf b = TN_BUF_INIT;

	tn_esc_html(&b, "<a href=\"x\">Tom & 'Jerry'</a>");
	is_str(b.data, "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;",
	       "HTML escaping");
	tn_buf_reset(&b);
	tn_esc_attr(&b, "x\" onclick=\"evil()");
	is_str(b.data, "x&quot; onclick=&quot;evil()", "attribute escaping closes no quote");
	tn_buf_reset(&b);
	tn_esc_csv(&b, "plain");
	tn_buf_addch(&b, '|');
	tn_esc_csv(&b, "a,\"b\"\nc");
	tn_buf_addch(&b, '|');
	tn_esc_csv(&b, "=cmd()");
	is_str(b.data, "plain|\"a,\"\"b\"\"\nc\"|'=cmd()", "CSV quoting and formula guard");
	tn_buf_reset(&b);
	tn_esc_csv(&b, "\t=1+1");
	tn_buf_addch(&b, '|');
	tn_esc_csv(&b, "\rx");
	tn_buf_addch(&b, '|');
	tn_esc_csv(&b, "@SUM(A1)");
	is_str(b.data, "'\t=1+1|\"'\rx\"|'@SUM(A1)", "a leading tab or CR is defused too");
	tn_buf_reset(&b);
	tn_esc_term(&b, "ok\x1b[31mred\x07\nИван\xFF");
	is_str(b.data, "ok\xEF\xBF\xBD[31mred\xEF\xBF\xBD\\nИван\xEF\xBF\xBD",
	       "terminal escaping neutralises controls and bad UTF-8");
	tn_buf_reset(&b);
	/* "Trojan Source": U+202E would show "evil" reversed, U+2066..2069
	 * isolate a run; each becomes a visible U+FFFD */
	tn_esc_term(&b, "a\u202Eevil\u202C b\u2066x\u2069 c\u202A\u202B\u202D\u2067\u2068\u200E\u200F");
	is_str(b.data, "a\uFFFDevil\uFFFD b\uFFFDx\uFFFD c\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD",
	       "bidi overrides, isolates and marks become U+FFFD");
	tn_buf_reset(&b);
	tn_esc_term(&b, "\uFEFFAn\u200Bna\u200C\u200D\u2060!");
	is_str(b.data, "Anna!", "zero-width characters are dropped");
	tn_buf_reset(&b);
	tn_esc_term_pad(&b, "Новости", 10);
	tn_buf_addch(&b, '|');
	tn_esc_term_pad(&b, "读书会", 10);
	tn_buf_addch(&b, '|');
	tn_esc_term_pad(&b, "🎉 party", 10);
	tn_buf_addch(&b, '|');
	tn_esc_term_pad(&b, "M" "u\xCC\x88" "nchen", 10);
	tn_buf_addch(&b, '|');
	tn_esc_term_pad(&b, "a\u202Eb", 4);
	tn_buf_addch(&b, '|');
	tn_esc_term_pad(&b, "longer than four", 4);
	tn_buf_addch(&b, '|');
	is_str(b.data, "Новости   |读书会    |🎉 party  |M" "u\xCC\x88" "nchen   |a\uFFFDb |longer than four|",
	       "padding counts display columns, not bytes");
	tn_buf_free(&b);
}

static void test_one_line(void)
{
	struct tn_buf b = TN_BUF_INIT;
	static const struct { const char *in, *out; } cases[] = {
		{ "Anna Berg", "Anna Berg" },
		{ "  Anna \r\n  Berg\t", "Anna Berg" },
		{ "Hugo\nDubois", "Hugo Dubois" },
		{ "a\x1b[31mb\x7f", "a [31mb" },
		{ "Zo\xc3\xab \xc2\x85Q", "Zo\xc3\xab Q" },   /* NEL (C1) is a break */
		{ "\xd0\x98\xd0\xb2\xd0\xb0\xd0\xbd", "\xd0\x98\xd0\xb2\xd0\xb0\xd0\xbd" },
		{ "\n\n", "" },
		{ "", "" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		is_int(tn_text_one_line(cases[i].in, &b), TN_OK, "one line %zu", i);
		is_str(b.data, cases[i].out, "as it should read (%zu)", i);
	}
	tn_buf_free(&b);
}

/* A random ASCII domain of the kinds that bring out UTS #46's rules:
 * letters in both cases, digits, hyphens anywhere (first, last, in the
 * 3rd and 4th place: "xn--" and "ab--"), underscores and other symbols,
 * empty labels, labels around the 63-byte limit, whole names around the
 * 253-byte one. */
static void random_domain(unsigned *seed, char *out, size_t size)
{
	static const char plain[] = "abcxyzABCXYZ0189";
	static const char odd[] = "-_+!~ ";
	size_t n = 0, labels, l, len, i;

	*seed = *seed * 1103515245u + 12345u;
	labels = 1 + (*seed >> 16) % 4;
	for (l = 0; l < labels; l++) {
		*seed = *seed * 1103515245u + 12345u;
		switch ((*seed >> 16) % 16) {
		case 0: len = 0; break;                        /* empty */
		case 1: len = 61 + (*seed >> 8) % 5; break;     /* 61..65 */
		default: len = 1 + (*seed >> 8) % 12;
		}
		if (l && n + 1 < size)
			out[n++] = '.';
		for (i = 0; i < len && n + 1 < size; i++) {
			*seed = *seed * 1103515245u + 12345u;
			switch ((*seed >> 16) % 24) {
			case 0: out[n++] = '-'; break;
			case 1: out[n++] = odd[(*seed >> 8) % (sizeof(odd) - 1)]; break;
			default: out[n++] = plain[(*seed >> 8) % (sizeof(plain) - 1)];
			}
		}
		*seed = *seed * 1103515245u + 12345u;
		if ((*seed >> 16) % 8 == 0 && len >= 4) {   /* "xn--", "Xn--", "ab--" */
			out[n - len + 2] = '-';
			out[n - len + 3] = '-';
			if ((*seed >> 20) % 2) {
				out[n - len] = (*seed >> 21) % 2 ? 'x' : 'X';
				out[n - len + 1] = 'n';
			}
		}
	}
	*seed = *seed * 1103515245u + 12345u;
	if ((*seed >> 16) % 32 == 0)   /* a long name: 240..259 bytes */
		for (; n < 240 + (*seed >> 8) % 20 && n + 1 < size; n++)
			out[n] = n % 10 == 0 ? '.' : 'q';
	out[n] = '\0';
}

/* 1 if a label of d has hyphens in its 3rd and 4th place ("xn--"): an
 * A-label, which only libidn2 can check. */
static int hyphens_3_4(const char *d)
{
	const char *l = d;

	for (;;) {
		const char *e = strchr(l, '.');
		size_t n = e ? (size_t)(e - l) : strlen(l);

		if (n >= 4 && l[2] == '-' && l[3] == '-')
			return 1;
		if (!e)
			return 0;
		l = e + 1;
	}
}

/* The ASCII fast path gives what libidn2 gives (UTS #46, non-transitional)
 * for every domain it takes, takes most valid ones, and leaves every
 * other one to libidn2; the whole address comes out of
 * tn_email_normalize the same either way. */
static void test_domain_fast_path(void)
{
	static const char *const cases[] = {
		"example.com", "EXAMPLE.Com", "a-b.c-d.e", "12345.com", "a--b.com",
		"abc--d.com", "-a.com", "a-.com", "ab--c.com", "xn--abc.com",
		"XN--E1AFMKFD.XN--P1AI", "a_b.com", "a..b", ".a", "a.", "", "a b.com",
		"a!b.com",
	};
	char d[300], fast[300], addr[320];
	struct tn_buf b = TN_BUF_INIT;
	struct tn_err err;
	unsigned seed = 20261129u;
	long taken = 0, valid_plain = 0, mismatch = 0, missed = 0, i;

	for (i = 0; i < 200000 + (long)(sizeof(cases) / sizeof(cases[0])); i++) {
		char *ascii = NULL;
		int irc, f, plain_ldh = 1;
		size_t n, k;

		if (i < (long)(sizeof(cases) / sizeof(cases[0])))
			snprintf(d, sizeof(d), "%s", cases[i]);
		else
			random_domain(&seed, d, sizeof(d));
		n = strlen(d);
		f = tn_domain_ascii_fast(d, n, fast);
		irc = idn2_to_ascii_8z(d, &ascii, IDN2_NONTRANSITIONAL);
		for (k = 0; k < n; k++)
			if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.", d[k]))
				plain_ldh = 0;
		if (f) {
			taken++;
			if (irc != IDN2_OK || strcmp(ascii, fast) != 0) {
				if (mismatch++ < 5)
					printf("# '%s': fast '%s', libidn2 %d '%s'\n", d, fast, irc,
					       irc == IDN2_OK ? ascii : idn2_strerror(irc));
			}
		} else if (irc == IDN2_OK && plain_ldh && n && n <= 253 &&
			   !strstr(d, "..") && d[0] != '.' && d[n - 1] != '.' &&
			   !hyphens_3_4(d)) {
			/* valid and plain (no A-label), yet left to libidn2 */
			if (missed++ < 5)
				printf("# '%s': valid for libidn2, not taken\n", d);
		}
		if (irc == IDN2_OK && f)
			valid_plain++;
		/* the address as a whole: the same answer as libidn2's path */
		snprintf(addr, sizeof(addr), "u@%s", d);
		if (n + 2 < sizeof(addr) && strlen(addr) <= 254 && f && irc == IDN2_OK &&
		    strchr(d, '.') &&
		    d[0] != '-' && isalnum((unsigned char)d[n - 1])) {
			if (tn_email_normalize(addr, &b, &err) != TN_OK ||
			    strcmp(b.data + 2, ascii) != 0) {
				if (mismatch++ < 5)
					printf("# 'u@%s': normalised to '%s'\n", d, b.data);
			}
		}
		idn2_free(ascii);
	}
	is_int(mismatch, 0, "the fast path agrees with libidn2 on every domain it takes");
	is_int(missed, 0, "and takes every valid plain domain but A-labels");
	ok(taken > 20000 && valid_plain == taken,
	   "it took %ld of the generated domains, all valid", taken);
	tn_buf_free(&b);
}

int main(void)
{
	test_buf();
	test_utf8();
	test_email();
	test_email_invisible();
	test_email_key();
	test_email_display();
	test_domain_fast_path();
	test_url();
	test_handles();
	test_dates();
	test_escape();
	test_one_line();
	return tap_done();
}
