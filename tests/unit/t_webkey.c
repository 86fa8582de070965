/* Unit tests: the library calls the web server needs: the web key
 * (tn_setup_web_key), made once and kept, and the person behind an
 * invitation (tn_invite_person), also once they are forgotten. Two
 * connections to one file in one process see each other's writes. */
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "tap_db.h"
#include "turnout/event.h"
#include "turnout/invite.h"
#include "turnout/person.h"
#include "turnout/setup.h"
#include "turnout/store.h"

int main(void)
{
	char dir[256], path[512], *email = NULL;
	unsigned char k1[32], k2[32], zero[32] = { 0 };
	struct tn_db *db, *db2;
	struct tn_err err;
	struct tn_event_input in = TN_EVENT_INPUT_INIT;
	struct tn_invite_opts opts = { 0 };
	struct tn_invite_result res;
	int64_t person = 0, inv;
	int created, done, flushed;

	if (!tap_tmpdir(dir, sizeof(dir)))
		return 1;
	snprintf(path, sizeof(path), "%s/web.db", dir);
	if (tn_setup_create(path, "Org", "org@example.org", "https://x.example.org",
			    &created, &err) != TN_OK ||
	    tn_db_open(path, 0, &db, &err) != TN_OK || tn_db_open(path, 0, &db2, &err) != TN_OK)
		return 1;

	is_int(tn_setup_web_key(db, k1, &err), TN_OK, "the web key is made");
	ok(memcmp(k1, zero, 32) != 0, "and is not zero");
	is_int(tn_setup_web_key(db2, k2, &err), TN_OK, "asked again, on another connection");
	ok(memcmp(k1, k2, 32) == 0, "it is the same key");
	is_int(tap_db_int(db, "SELECT length(value) FROM setting WHERE key = 'web_key'"), 64,
	       "stored as 64 hex digits");

	/* one invitee */
	if (tn_db_begin(db, &err) != TN_OK ||
	    tn_db_end(db, tn_db_exec(db, "INSERT INTO person(email, name, created_at) VALUES"
				     "('anna@example.org', 'Anna', '2026-01-01T00:00:00Z')",
				     &err), &err) != TN_OK)
		return 1;
	in.title = "Meetup";
	in.start = "2030-06-10 19:00";
	in.tz = "Europe/Berlin";
	if (tn_event_create(db, &in, NULL, &err) != TN_OK)
		return 1;
	{
		const char *emails[] = { "anna@example.org" };

		opts.emails = emails;
		opts.nemails = 1;
		is_int(tn_invite_people(db, "meetup", &opts, NULL, NULL, &res, &err), TN_OK,
		       "anna is invited");
	}
	inv = tap_db_int(db, "SELECT id FROM invitation");
	is_int(tn_invite_person(db, inv, &person, &email, &err), TN_OK, "the invitee is found");
	is_str(email, "anna@example.org", "with the address");
	free(email);
	is_int(tn_invite_person(db, inv + 1, &person, &email, &err), TN_NOTFOUND,
	       "an unknown invitation is not found");
	ok(email == NULL, "and gives no address");

	/* a write on one connection is seen on the other */
	is_int(tn_person_unsubscribe(db2, person, &done, &err), TN_OK, "unsubscribed on db2");
	is_int(tap_db_int(db, "SELECT count(*) FROM unsubscribed"), 1, "seen on db");

	is_int(tn_person_forget(db, person, &done, &flushed, &err), TN_OK, "anna is forgotten");
	is_int(tn_invite_person(db, inv, &person, &email, &err), TN_OK,
	       "the invitation still names a person");
	ok(email == NULL, "without an address");

	tn_db_close(db2);
	tn_db_close(db);
	return tap_done();
}
