/* t_slug.c - slugs from titles: Cyrillic, diacritics, punctuation, limits. */
#include <string.h>

#include "tap.h"
#include "turnout/buf.h"
#include "turnout/slug.h"

static void slug_is(const char *title, const char *want)
{
	struct tn_buf b = TN_BUF_INIT;

	is_int(tn_slug_from_title(title, &b), TN_OK, "slug of '%s' built", title);
	is_str(b.data, want, "slug of '%s'", title);
	ok(tn_slug_valid(b.data), "'%s' is a valid slug", b.data);
	tn_buf_free(&b);
}

int main(void)
{
	char longt[400];
	struct tn_buf b = TN_BUF_INIT;
	size_t i;

	slug_is("Встреча читателей в Москве", "vstrecha-chitatelei-v-moskve");
	slug_is("ЖУРНАЛ «Щука» — съезд", "zhurnal-shchuka-sezd");
	slug_is("Юбилей: Ёлка и Хор", "iubilei-elka-i-khor");
	slug_is("Київ і Львів: ґанок", "kiiv-i-lviv-ganok");
	slug_is("Café Crème à Zürich", "cafe-creme-a-zurich");
	slug_is("Łódź – Kraków, Straße", "lodz-krakow-strasse");
	slug_is("Ørsted & Æsir, Ñandú", "orsted-aesir-nandu");
	slug_is("Don't Panic!! Meetup #42", "dont-panic-meetup-42");
	/* Latin through decomposition, marks dropped */
	slug_is("Nguyễn Thị Minh Khai", "nguyen-thi-minh-khai");
	slug_is("Đà Nẵng", "da-nang");
	slug_is("M" "u\xCC\x88" "nchen", "munchen");   /* decomposed ü */
	slug_is("München", "munchen");
	slug_is("İstanbul Şehir Ağı", "istanbul-sehir-agi");
	slug_is("Þórshöfn, Œuvre, Ħamrun, Æbleskiver", "thorshofn-oeuvre-hamrun-aebleskiver");
	slug_is("STRAẞE ßig", "strasse-ssig");
	slug_is("Col·lecció d'art, ŀ", "colleccio-dart-l");
	slug_is("Ｆｕｌｌ ﬁle", "full-file");
	slug_is("soft\xC2\xADhyphen zero\xE2\x80\x8Bwidth", "softhyphen-zerowidth");
	/* Greek, simplified ELOT 743 */
	slug_is("Σοφία", "sofia");
	slug_is("ΣΟΦΊΑ", "sofia");
	slug_is("Αθήνα και Θεσσαλονίκη", "athina-kai-thessaloniki");
	slug_is("Ψυχή, χορός, ξένος, ζωή, βιβλίο", "psychi-choros-xenos-zoi-vivlio");
	slug_is("Ἀθῆναι", "athinai");
	/* scripts without a table separate words */
	slug_is("读书会 Meetup", "meetup");
	slug_is("  --Hello,   World--  ", "hello-world");
	slug_is("Rust; C, \"Go\"\tand more", "rust-c-go-and-more");
	slug_is("🎉🎉🎉", "event");
	slug_is("", "event");
	slug_is("!!! ???", "event");
	slug_is("2026", "event-2026");
	slug_is("2026-03-29 02:30", "event-2026-03-29-02-30");
	/* the cut at 60 characters may drop the only word with a letter */
	slug_is("2024 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "event-2024");
	slug_is("10 years", "10-years");
	slug_is("bad \xff\xfe utf8", "bad-utf8");

	/* cut at a word boundary, no longer than TN_SLUG_MAX */
	strcpy(longt, "");
	for (i = 0; i < 20; i++)
		strcat(longt, "meetup ");
	is_int(tn_slug_from_title(longt, &b), TN_OK, "long title");
	ok(b.len <= TN_SLUG_MAX, "long slug fits (%zu)", b.len);
	ok(b.len >= TN_SLUG_MAX - 7, "long slug not cut short (%zu)", b.len);
	ok(b.data[b.len - 1] != '-', "long slug does not end in a dash");
	ok(strncmp(b.data + b.len - 6, "meetup", 6) == 0, "cut after a whole word");
	tn_buf_free(&b);
	memset(longt, 'x', 100);
	longt[100] = '\0';
	is_int(tn_slug_from_title(longt, &b), TN_OK, "one long word");
	is_int(b.len, TN_SLUG_MAX, "one long word is cut at the limit");
	tn_buf_free(&b);

	ok(tn_slug_valid("summer-meetup-2026"), "valid slug");
	ok(!tn_slug_valid("Summer"), "upper case refused");
	ok(!tn_slug_valid("a--b"), "double dash refused");
	ok(!tn_slug_valid("-a"), "leading dash refused");
	ok(!tn_slug_valid("a-"), "trailing dash refused");
	ok(!tn_slug_valid("a b"), "space refused");
	ok(!tn_slug_valid("a/b"), "slash refused");
	ok(!tn_slug_valid(""), "empty refused");
	ok(!tn_slug_valid("123"), "all digits refused (ids are numbers)");
	ok(!tn_slug_valid("встреча"), "non-ASCII refused");
	memset(longt, 'a', 61);
	longt[61] = '\0';
	ok(!tn_slug_valid(longt), "61 characters refused");
	longt[60] = '\0';
	ok(tn_slug_valid(longt), "60 characters accepted");
	return tap_done();
}
