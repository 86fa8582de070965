/*
 * t_organizer.c - organizer.c and live.c without the CLI: tokens made,
 * checked, listed and revoked (only hashes stored, bad input refused
 * with nothing changed), and the live report: one event by channel,
 * and the doors open from two hours before the start to the end.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "tap_db.h"
#include "turnout/event.h"
#include "turnout/live.h"
#include "turnout/organizer.h"
#include "turnout/report.h"
#include "turnout/setup.h"
#include "turnout/store.h"

static struct tn_db *db;

static long long count(const char *sql)
{
	return tap_db_int(db, sql);
}

struct seen {
	int n;
	long long ids[8];
	int revoked[8];
	char labels[8][TN_ORGANIZER_LABEL_MAX + 1];
};

static int collect(void *ctx, const struct tn_organizer_token *t)
{
	struct seen *s = ctx;

	if (s->n < 8) {
		s->ids[s->n] = t->id;
		s->revoked[s->n] = t->revoked_at[0] != '\0';
		snprintf(s->labels[s->n], sizeof(s->labels[0]), "%s", t->label);
	}
	s->n++;
	return 0;
}

static void test_tokens(void)
{
	char token[TN_ORGANIZER_TOKEN_LEN + 1], other[TN_ORGANIZER_TOKEN_LEN + 1];
	char wrong[TN_ORGANIZER_TOKEN_LEN + 1], label[TN_ORGANIZER_LABEL_MAX + 2];
	struct tn_organizer_token t, got;
	struct seen seen = { 0 };
	struct tn_err err;

	is_int(tn_organizer_token_add(db, "marketing laptop", &t, token, &err), TN_OK,
	       "add a token");
	is_int((long long)strlen(token), TN_ORGANIZER_TOKEN_LEN, "24 characters");
	ok(strspn(token, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		  "0123456789-_") == TN_ORGANIZER_TOKEN_LEN, "of URL-safe base64");
	is_str(t.label, "marketing laptop", "its label");
	is_int(count("SELECT count(*) FROM organizer_token WHERE length(token_hash) = 32"
		     " AND revoked_at IS NULL"), 1, "a 32-byte hash is stored");
	is_int(tn_organizer_token_add(db, NULL, &got, other, &err), TN_OK,
	       "a second one, without a label");
	ok(strcmp(token, other) != 0, "another token");
	is_str(tap_db_text(db, "SELECT label FROM organizer_token WHERE id = 2"), "(null)",
	       "no label is NULL");

	is_int(tn_organizer_check(db, token, &got, &err), TN_OK, "the token checks");
	is_int(got.id, t.id, "as its own row");
	memcpy(wrong, token, sizeof(wrong));
	wrong[3] = wrong[3] == 'A' ? 'B' : 'A';
	is_int(tn_organizer_check(db, wrong, NULL, &err), TN_NOTFOUND,
	       "one character changed: no such token");
	is_str(err.field, "token", "about the token");
	is_int(tn_organizer_check(db, NULL, NULL, &err), TN_NOTFOUND, "none");
	is_int(tn_organizer_check(db, "short", NULL, &err), TN_NOTFOUND, "too short");

	memset(label, 'x', sizeof(label) - 1);
	label[sizeof(label) - 1] = '\0';
	is_int(tn_organizer_token_add(db, label, &got, wrong, &err), TN_USAGE,
	       "a 65-byte label is refused");
	is_str(err.field, "label", "about the label");
	is_str(wrong, "", "and no token is given");
	is_int(tn_organizer_token_add(db, "a\nb", &got, wrong, &err), TN_USAGE,
	       "a label of two lines is refused");
	is_int(count("SELECT count(*) FROM organizer_token"), 2, "nothing stored for them");

	is_int(tn_organizer_token_revoke(db, "x1", NULL, &err), TN_USAGE, "'x1' is no id");
	is_str(err.field, "id", "about the id");
	is_int(tn_organizer_token_revoke(db, "0", NULL, &err), TN_USAGE, "nor is 0");
	is_int(tn_organizer_token_revoke(db, "99999999999999999999", NULL, &err), TN_USAGE,
	       "nor a number past int64");
	is_int(tn_organizer_token_revoke(db, "9", NULL, &err), TN_NOTFOUND,
	       "an unknown id");
	is_int(tn_organizer_token_revoke(db, "1", &got, &err), TN_OK, "revoke the first");
	ok(got.revoked_at[0] != '\0', "with its time");
	is_int(tn_organizer_check(db, token, NULL, &err), TN_NOTFOUND,
	       "a revoked token no longer checks");
	is_int(tn_organizer_check(db, other, NULL, &err), TN_OK, "the other still does");
	is_int(tn_organizer_token_revoke(db, "1", NULL, &err), TN_CONFLICT,
	       "revoking it again is refused");
	ok(strstr(err.msg, "already revoked") != NULL, "saying so: %s", err.msg);

	is_int(tn_organizer_token_each(db, collect, &seen, &err), TN_OK, "list");
	is_int(seen.n, 2, "both, revoked ones too");
	ok(seen.ids[0] == 1 && seen.ids[1] == 2, "by id");
	ok(seen.revoked[0] && !seen.revoked[1], "the first revoked");
	is_str(seen.labels[0], "marketing laptop", "with its label");
}

/* Meetup starts 2030-06-10 19:00 in Berlin (17:00Z) and lasts 2 hours. */
static void test_doors(void)
{
	struct tn_event ev;
	struct tn_report r;
	struct tn_err err;
	int open = -1;

	is_int(tn_event_find(db, "meetup", &ev, &err), TN_OK, "the event");
	is_int(tn_live_doors_open(&ev, "2030-06-10T14:59:59Z"), 0,
	       "closed two hours and a second before the start");
	is_int(tn_live_doors_open(&ev, "2030-06-10T15:00:00Z"), 1,
	       "open two hours before");
	is_int(tn_live_doors_open(&ev, "2030-06-10T18:59:59Z"), 1, "open till the end");
	is_int(tn_live_doors_open(&ev, "2030-06-10T19:00:00Z"), 0, "closed at the end");
	is_int(tn_live_doors_open(&ev, "now"), 0, "a time that is none: closed");
	ev.cancelled = 1;
	is_int(tn_live_doors_open(&ev, "2030-06-10T17:30:00Z"), 0,
	       "a cancelled event's doors stay closed");
	tn_event_clear(&ev);

	setenv("TURNOUT_NOW", "2030-06-10T16:00:00Z", 1);
	is_int(tn_live_report(db, "meetup", &r, &open, &err), TN_OK, "the live report");
	is_int(open, 1, "during the doors, by the clock");
	is_int(r.nevents, 1, "of the one event");
	is_str(r.nevents ? r.events[0].slug : "", "meetup", "named");
	is_int(r.by, TN_REPORT_BY_CHANNEL, "by channel");
	tn_report_free(&r);
	setenv("TURNOUT_NOW", "2030-06-09T16:00:00Z", 1);
	is_int(tn_live_report(db, "other", &r, &open, &err), TN_OK, "another day");
	is_int(open, 0, "doors closed");
	tn_report_free(&r);
	unsetenv("TURNOUT_NOW");
	is_int(tn_live_report(db, "nope", &r, &open, &err), TN_NOTFOUND, "an unknown event");
	is_str(err.field, "event", "about the event");
	tn_report_free(&r);
}

int main(void)
{
	char dir[256], path[300];
	struct tn_err err;
	int created;

	if (!tap_tmpdir(dir, sizeof(dir)))
		return 1;
	snprintf(path, sizeof(path), "%s/t.db", dir);
	unsetenv("TURNOUT_NOW");
	if (tn_setup_create(path, "Org", "org@example.org", "https://x.example.org",
			    &created, &err) != TN_OK ||
	    tn_db_open(path, 0, &db, &err) != TN_OK) {
		printf("Bail out! setup: %s\n", err.msg);
		return 1;
	}
	tap_db_event(db, "Meetup", NULL, 0);
	tap_db_event(db, "Other", NULL, 0);
	test_tokens();
	test_doors();
	tn_db_close(db);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	if (system(path) != 0)
		printf("# could not remove %s\n", dir);
	return tap_done();
}
