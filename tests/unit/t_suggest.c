/* Unit tests: "did you mean" (suggest.h). */
#include "tap.h"
#include "turnout/suggest.h"

static const char *best(const char *word, const char *const *names)
{
	static char out[64];
	struct tn_suggest s;

	tn_suggest_init(&s, word);
	for (; *names; names++)
		tn_suggest_offer(&s, *names);
	if (!s.best)
		return "(none)";
	snprintf(out, sizeof(out), "%.*s", (int)s.best_len, s.best);
	return out;
}

int main(void)
{
	static const char *const flags[] = { "title", "start", "end", "tz", "venue", NULL };
	static const char *const kinds[] = { "newsletter", "blog", "telegram", "mastodon", NULL };
	struct tn_suggest s;

	is_int((int)tn_suggest_distance("title", "title", 3), 0, "same word: 0");
	is_int((int)tn_suggest_distance("titel", "title", 3), 1, "two letters swapped: 1");
	is_int((int)tn_suggest_distance("TITLE", "title", 3), 0, "case does not count");
	is_int((int)tn_suggest_distance("tile", "title", 3), 1, "one letter missing: 1");
	is_int((int)tn_suggest_distance("kitten", "sitting", 3), 3, "kitten/sitting: 3");
	is_int((int)tn_suggest_distance("a", "abcdefgh", 3), 4, "beyond the limit: limit + 1");

	is_str(best("titel", flags), "title", "--titel means --title");
	is_str(best("vneue", flags), "venue", "--vneue means --venue");
	is_str(best("x", flags), "(none)", "one letter suggests nothing far");
	is_str(best("frobnicate", flags), "(none)", "nothing close, nothing suggested");
	is_str(best("telegramm", kinds), "telegram", "telegramm means telegram");
	is_str(best("mastadon", kinds), "mastodon", "mastadon means mastodon");
	is_str(best("newsleter", kinds), "newsletter", "newsleter means newsletter");

	tn_suggest_init(&s, "chanel");
	tn_suggest_offer_n(&s, "channel add", 7);
	tn_suggest_offer_n(&s, "event create", 5);
	ok(s.best && s.best_len == 7, "a prefix (a command's group) can be offered");
	return tap_done();
}
