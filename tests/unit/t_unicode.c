/* t_unicode.c - folding for matching, NFC for storing, display widths. */
#include <string.h>

#include "tap.h"
#include "turnout/buf.h"
#include "turnout/unicode.h"

/* Decomposed letters: u + COMBINING DIAERESIS, e + COMBINING ACUTE. */
#define U_UML "u\xCC\x88"
#define E_ACUTE "e\xCC\x81"

static void fold_is(const char *in, const char *want, const char *what)
{
	struct tn_buf b = TN_BUF_INIT;

	is_int(tn_utf8_fold(in, strlen(in), &b), TN_OK, "fold of '%s' made", in);
	is_str(b.data, want, "%s: '%s' folds to '%s'", what, in, want);
	tn_buf_free(&b);
}

/* Both sides fold to the same text, as tn_fold(a) = tn_fold(b) in SQL. */
static void same_fold(const char *typed, const char *stored)
{
	struct tn_buf a = TN_BUF_INIT, b = TN_BUF_INIT;

	tn_utf8_fold(typed, strlen(typed), &a);
	tn_utf8_fold(stored, strlen(stored), &b);
	ok(strcmp(a.data, b.data) == 0, "'%s' finds '%s' ('%s' vs '%s')",
	   typed, stored, a.data, b.data);
	tn_buf_free(&a);
	tn_buf_free(&b);
}

static void test_fold(void)
{
	struct tn_buf b = TN_BUF_INIT;

	same_fold("istanbul", "İstanbul");
	same_fold("İSTANBUL", "İstanbul");
	same_fold("ISTANBUL", "İstanbul");
	same_fold("STRASSE", "Straße");
	same_fold("MÜNCHEN", "M" U_UML "nchen");
	same_fold("munchen", "M" U_UML "nchen");
	same_fold("München", "M" U_UML "nchen");
	same_fold("ΣΟΦΊΑ", "Σοφία");
	same_fold("σοφια", "Σοφία");
	same_fold("елки", "Ёлки");
	same_fold("МОСКВА", "Москва");
	same_fold("Cafe", "Caf" E_ACUTE);
	same_fold("Ｆｕｌｌ", "full");
	fold_is("İstanbul", "istanbul", "dotted capital I");
	fold_is("Straße", "strasse", "sharp s");
	fold_is("ΣΟΦΊΑ", "σοφια", "Greek with tonos");
	fold_is("Ёлки", "елки", "yo");
	fold_is("ŁÓDŹ", "łodz", "ł has no decomposition and stays");
	fold_is("ﬁle ①②", "file 12", "compatibility forms");
	fold_is("读书会 🎉", "读书会 🎉", "CJK and emoji are kept");
	fold_is("", "", "empty text");
	fold_is("a\xFF" "B\xC3", "a\xFF" "b\xC3", "malformed bytes are kept, the rest folded");
	fold_is("\xFF" "Ä" "\xFE" "Ö", "\xFF" "a" "\xFE" "o", "runs between malformed bytes are folded");
	tn_buf_add(&b, "kept|");
	tn_utf8_fold("X", 1, &b);
	is_str(b.data, "kept|x", "fold appends to what the buffer holds");
	tn_buf_free(&b);
}

static void nfc_is(const char *in, const char *want, const char *what)
{
	struct tn_buf b = TN_BUF_INIT;

	is_int(tn_utf8_nfc(in, strlen(in), &b), TN_OK, "NFC of '%s' made", in);
	is_str(b.data, want, "%s", what);
	tn_buf_free(&b);
}

static void test_nfc(void)
{
	nfc_is("M" U_UML "nchen", "M\xC3\xBCnchen", "a decomposed München is composed");
	nfc_is("Ju\xCC\x88rgen Mu\xCC\x88ller", "Jürgen Müller", "every decomposed letter");
	nfc_is("Nguye\xCC\x82\xCC\x83n", "Nguyễn", "two marks on one letter");
	nfc_is("Москва", "Москва", "composed text is unchanged");
	nfc_is("ﬁ ①", "ﬁ ①", "compatibility forms are kept (NFC, not NFKC)");
	nfc_is("Ｆｕｌｌ", "Ｆｕｌｌ", "full-width letters are kept");
	nfc_is("a\xFF" "e\xCC\x81", "a\xFF" "\xC3\xA9", "malformed bytes are kept");
}

static void width_is(const char *s, size_t want, const char *what)
{
	is_int(tn_utf8_width(s, strlen(s)), want, "%s: '%s' is %zu columns", what, s, want);
}

static void test_width(void)
{
	width_is("", 0, "empty");
	width_is("Berlin", 6, "ASCII");
	width_is("Москва", 6, "Cyrillic");
	width_is("Σοφία", 5, "Greek");
	width_is("读书会", 6, "CJK is two columns each");
	width_is("😀🎉", 4, "emoji are two columns each");
	width_is("M" U_UML "nchen", 7, "a combining mark takes no column");
	width_is("a\xFF" "b", 3, "a malformed byte counts as one (shown as U+FFFD)");
}

int main(void)
{
	test_fold();
	test_nfc();
	test_width();
	return tap_done();
}
