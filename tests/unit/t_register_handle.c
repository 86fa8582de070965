/*
 * t_register_handle.c - registering with a handle (registration.c's
 * tn_register_link_with_handle and tn_register_with_handle): the handle
 * normalised as the import normalises it, the follower known only by it
 * on a channel of the same kind made part of the registrant, a follower
 * with another address never taken over, a bad handle refused with
 * nothing written, and the registration page's view of which channels
 * ask for a handle.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "tap_db.h"
#include "turnout/channel.h"
#include "turnout/link.h"
#include "turnout/person.h"
#include "turnout/registration.h"
#include "turnout/setup.h"
#include "turnout/store.h"

static struct tn_db *db;

static long long count(const char *sql)
{
	return tap_db_int(db, sql);
}

static const char *text(const char *sql)
{
	return tap_db_text(db, sql);
}

/* Everything a registration may touch, to check that a refusal wrote
 * nothing. */
static char *snapshot(void)
{
	return strdup(text("SELECT (SELECT count(*) || ':' || coalesce(group_concat("
			   "id || coalesce(email, '-') || coalesce(name, '-'), ','), '')"
			   " FROM person) || '|' || (SELECT group_concat(person_id || '/'"
			   " || channel_id || '/' || coalesce(handle, '-'), ',') FROM follower)"
			   " || '|' || (SELECT count(*) FROM registration)"));
}

/* The id of the person who follows channel under handle (exactly). */
static long long follower_of(const char *channel, const char *handle)
{
	char sql[256];

	snprintf(sql, sizeof(sql), "SELECT f.person_id FROM follower f JOIN channel c"
		 " ON c.id = f.channel_id WHERE c.name = '%s' AND f.handle = '%s'",
		 channel, handle);
	return count(sql);
}

static void link_code(const char *channel, char code[TN_LINK_CODE_LEN + 1])
{
	struct tn_err err;
	int created;

	if (tn_link_code(db, "open-day", channel, code, &created, &err) != TN_OK)
		printf("# link %s: %s\n", channel, err.msg);
}

static void test_view(void)
{
	char tg[TN_LINK_CODE_LEN + 1], news[TN_LINK_CODE_LEN + 1];
	const char *kind = "unset";
	struct tn_event ev;
	struct tn_err err;
	int open;

	link_code("tg", tg);
	link_code("news", news);
	is_int(tn_register_link_view(db, tg, &ev, &open, &kind, &err), TN_OK,
	       "the page of a Telegram channel's link");
	is_str(kind ? kind : "(null)", "telegram", "asks for a Telegram handle");
	tn_event_clear(&ev);
	is_int(tn_register_link_view(db, news, &ev, &open, &kind, &err), TN_OK,
	       "the page of a newsletter's link");
	ok(kind == NULL, "asks for no handle");
	tn_event_clear(&ev);

	ok(tn_registration_kind_has_handles("telegram") &&
	   tn_registration_kind_has_handles("mastodon") &&
	   tn_registration_kind_has_handles("vk") &&
	   tn_registration_kind_has_handles("twitter"), "the kinds with handles");
	ok(!tn_registration_kind_has_handles("newsletter") &&
	   !tn_registration_kind_has_handles("blog") &&
	   !tn_registration_kind_has_handles("other") &&
	   !tn_registration_kind_has_handles(NULL), "and those without");
}

static void test_link_merges(void)
{
	char code[TN_LINK_CODE_LEN + 1];
	struct tn_rsvp_result res;
	struct tn_err err;

	link_code("tg", code);
	/* a profile URL, in another case: the import's normalisation and match */
	is_int(tn_register_link_with_handle(db, code, "Olga Ivanova", "olga@example.org",
					    "https://t.me/OLGA_IV", &res, &err), TN_OK,
	       "registers with a handle given as a profile URL");
	is_int(res.merged_person_id, 10, "the follower known by the handle was merged");
	is_int(count("SELECT count(*) FROM person WHERE id = 10"), 0, "and is gone");
	is_int(follower_of("tg", "olga_iv"), res.person_id,
	       "their follower row is the registrant's");
	is_str(text("SELECT email || ' ' || name FROM person WHERE email ="
		    " 'olga@example.org'"), "olga@example.org Olga Ivanova",
	       "one person, with the address and the name given");
	is_str(text("SELECT created_at FROM person WHERE email = 'olga@example.org'"),
	       "2026-01-01T00:00:00Z", "who has been known since the follower was");
	is_str(text("SELECT r.source || ' ' || c.name FROM registration r JOIN channel c"
		    " ON c.id = r.channel_id JOIN person p ON p.id = r.person_id"
		    " WHERE p.email = 'olga@example.org'"), "link tg",
	       "the registration counts for the link's channel");

	is_int(tn_register_link_with_handle(db, code, "Olga", "olga@example.org",
					    "@olga_iv", &res, &err), TN_OK,
	       "registering again with the handle");
	is_int(res.merged_person_id, 0, "merges no one: they are one already");

	/* a Mastodon profile URL is user@host; a follower on another
	 * channel of the same kind is found too */
	link_code("masto", code);
	is_int(tn_register_link_with_handle(db, code, "Anna", "anna@example.org",
					    "https://mastodon.social/@anna", &res, &err),
	       TN_OK, "a Mastodon profile URL");
	is_int(res.merged_person_id, 11, "merges anna@mastodon.social");
	is_int(follower_of("masto2", "anna@mastodon.social"), res.person_id,
	       "whose row on another Mastodon channel is now the registrant's");
}

static void test_not_merged(void)
{
	char code[TN_LINK_CODE_LEN + 1], *before;
	struct tn_rsvp_result res;
	struct tn_err err;
	long long people;

	link_code("tg", code);
	/* the handle of someone with another address */
	is_int(tn_register_link_with_handle(db, code, "Mallory", "mallory@example.org",
					    "petr", &res, &err), TN_OK,
	       "a handle whose follower has another address: registered");
	is_int(res.merged_person_id, 0, "merged with no one");
	is_int(follower_of("tg", "petr"), 12, "the handle stays with its follower");
	is_str(text("SELECT email FROM person WHERE id = 12"), "petr@example.org",
	       "who keeps their address");
	is_int(count("SELECT count(*) FROM follower f JOIN person p ON p.id = f.person_id"
		     " WHERE p.email = 'mallory@example.org'"), 0,
	       "and the registrant got no follower row");

	/* a handle on a channel of another kind is someone else */
	is_int(tn_register_link_with_handle(db, code, "Vera", "vera@example.org",
					    "vera", &res, &err), TN_OK,
	       "a handle known only on a VK channel");
	is_int(res.merged_person_id, 0, "is not this Telegram handle");
	ok(follower_of("vk", "vera") == 13 && count("SELECT count(*) FROM person"
						     " WHERE id = 13") == 1,
	   "the VK follower is untouched");

	/* no follower has it: nothing but the registration */
	people = count("SELECT count(*) FROM follower");
	is_int(tn_register_link_with_handle(db, code, "Nina", "nina@example.org",
					    "@nobody_here", &res, &err), TN_OK,
	       "a handle no follower has");
	is_int(res.merged_person_id, 0, "merges no one");
	is_int(count("SELECT count(*) FROM follower"), people, "and stores no follower row");
	is_int(count("SELECT count(*) FROM follower WHERE handle = 'nobody_here'"), 0,
	       "the handle is not kept");

	/* bad handles: refused about the handle, nothing written */
	before = snapshot();
	is_int(tn_register_link_with_handle(db, code, "Zed", "zed@example.org",
					    "two words", &res, &err), TN_USAGE,
	       "a handle with a space");
	is_str(err.field, "handle", "the error is about the handle");
	is_str(err.msg, "'two words': a space in handle", "quoting it");
	is_int(tn_register_link_with_handle(db, code, "Zed", "zed@example.org",
					    "https://t.me/a/b/c", &res, &err), TN_USAGE,
	       "a URL that names no profile");
	is_str(err.field, "handle", "about the handle");
	is_int(tn_register_link_with_handle(db, code, "Zed", "zed@example.org",
					    "@@olga_iv", &res, &err), TN_USAGE,
	       "two leading @");
	{
		char *after = snapshot();
		is_str(after, before, "the refusals wrote nothing");
		free(after);
	}
	is_int(count("SELECT count(*) FROM person WHERE email = 'zed@example.org'"), 0,
	       "and made no one");
	is_int(tn_register_link_with_handle(db, code, "Zed", "zed@example.org",
					    " \t", &res, &err), TN_OK,
	       "a blank handle is none");
	free(before);
}

static void test_direct(void)
{
	struct tn_rsvp_result res;
	struct tn_err err;
	char *before = snapshot();

	is_int(tn_register_with_handle(db, "open-day", "Ivan", "ivan@example.org",
				       "ivan", NULL, TN_SOURCE_DIRECT, &res, &err),
	       TN_USAGE, "a handle without a channel");
	is_str(err.field, "handle", "is about the handle");
	is_str(err.hint, "give {channel}", "and says what to give");
	is_int(tn_register_with_handle(db, "open-day", "Ivan", "ivan@example.org",
				       "ivan", "news", TN_SOURCE_DIRECT, &res, &err),
	       TN_USAGE, "a handle on a newsletter");
	is_str(err.msg, "channel 'news' is a newsletter: its followers have no handles",
	       "says why");
	{
		char *after = snapshot();
		is_str(after, before, "neither wrote anything");
		free(after);
	}
	is_int(tn_register_with_handle(db, "open-day", "Ivan", "ivan@example.org",
				       "@Ivan", "tg", TN_SOURCE_DIRECT, &res, &err),
	       TN_OK, "directly, with a Telegram channel");
	is_int(res.merged_person_id, 14, "the follower known as ivan is merged");
	ok(res.person_created, "into the person the registration made");
	is_str(text("SELECT r.source || ' ' || c.name FROM registration r JOIN channel c"
		    " ON c.id = r.channel_id JOIN person p ON p.id = r.person_id"
		    " WHERE p.email = 'ivan@example.org'"), "direct tg", "counted for tg");
	is_str(text("SELECT group_concat(r.status, ',') FROM registration r JOIN person p"
		    " ON p.id = r.person_id WHERE p.email = 'ivan@example.org'"), "yes",
	       "the maybe the follower had became their one registration, now a yes");
	free(before);
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
	    tn_db_open(path, 0, &db, &err) != TN_OK ||
	    tn_channel_add(db, "news", "newsletter", NULL, -1, &err) != TN_OK ||  /* 1 */
	    tn_channel_add(db, "tg", "telegram", NULL, -1, &err) != TN_OK ||      /* 2 */
	    tn_channel_add(db, "masto", "mastodon", NULL, -1, &err) != TN_OK ||   /* 3 */
	    tn_channel_add(db, "masto2", "mastodon", NULL, -1, &err) != TN_OK ||  /* 4 */
	    tn_channel_add(db, "vk", "vk", NULL, -1, &err) != TN_OK) {            /* 5 */
		printf("Bail out! setup: %s\n", err.msg);
		return 1;
	}
	tap_db_event(db, "Open day", NULL, 0);
	tap_db_exec(db,
		    "INSERT INTO person(id, email, name, created_at) VALUES"
		    " (10, NULL, NULL, '2026-01-01T00:00:00Z'),"
		    " (11, NULL, 'anna', '2026-01-02T00:00:00Z'),"
		    " (12, 'petr@example.org', 'Petr', '2026-01-03T00:00:00Z'),"
		    " (13, NULL, 'Vera', '2026-01-04T00:00:00Z'),"
		    " (14, NULL, 'Ivan', '2026-01-05T00:00:00Z');"
		    "INSERT INTO follower(person_id, channel_id, handle, followed_at) VALUES"
		    " (10, 2, 'olga_iv', '2025-05-01'),"
		    " (11, 4, 'anna@mastodon.social', '2025-05-02'),"
		    " (12, 2, 'petr', '2025-05-03'),"
		    " (13, 5, 'vera', '2025-05-04'),"
		    " (14, 2, 'ivan', '2025-05-05');"
		    "INSERT INTO registration(event_id, person_id, status, source,"
		    " created_at, updated_at) VALUES (1, 14, 'maybe', 'walk-in',"
		    " '2026-01-06T00:00:00Z', '2026-01-06T00:00:00Z')");
	test_view();
	test_link_merges();
	test_not_merged();
	test_direct();
	tn_db_close(db);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	if (system(path) != 0)
		ok(0, "cleanup");
	return tap_done();
}
