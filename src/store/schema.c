/*
 * schema.c - the database schema as an ordered list of migrations.
 *
 * Migration N (1-based) brings a database from user_version N-1 to N.
 * Never edit a migration that has shipped: append a new one. Each table
 * has one owning module (named beside it); only that module writes it.
 */
#include <stddef.h>

#include "schema.h"

static const char *const migrations[] = {
	/* 1: organisation, signing keys, channels, people, followers */
	"CREATE TABLE setting(                          -- setup.c\n"
	"  key   TEXT PRIMARY KEY,\n"
	"  value TEXT NOT NULL\n"
	") WITHOUT ROWID;\n"
	"CREATE TABLE signing_key(                      -- setup.c\n"
	"  id          INTEGER PRIMARY KEY,\n"
	"  public_key  BLOB NOT NULL CHECK(length(public_key) = 32),\n"
	"  secret_key  BLOB NOT NULL CHECK(length(secret_key) = 64),\n"
	"  created_at  TEXT NOT NULL\n"
	");\n"
	"CREATE TABLE channel(                          -- channel.c\n"
	"  id          INTEGER PRIMARY KEY,\n"
	"  name        TEXT NOT NULL UNIQUE COLLATE NOCASE,\n"
	"  kind        TEXT NOT NULL CHECK(kind IN ('newsletter','blog',\n"
	"              'telegram','mastodon','vk','twitter','other')),\n"
	"  url         TEXT,\n"
	"  created_at  TEXT NOT NULL\n"
	");\n"
	"CREATE TABLE channel_audience(                 -- channel.c\n"
	"  channel_id  INTEGER NOT NULL REFERENCES channel(id),\n"
	"  date        TEXT NOT NULL,     -- YYYY-MM-DD\n"
	"  size        INTEGER NOT NULL CHECK(size >= 0),\n"
	"  PRIMARY KEY(channel_id, date)\n"
	") WITHOUT ROWID;\n"
	"CREATE TABLE person(                           -- follower.c, import.c\n"
	"  id            INTEGER PRIMARY KEY,\n"
	"  email         TEXT UNIQUE,     -- domain lower-cased; NULL if unknown\n"
	"  name          TEXT,\n"
	"  created_at    TEXT NOT NULL,\n"
	"  forgotten_at  TEXT             -- set by 'follower forget'\n"
	");\n"
	"CREATE TABLE follower(                         -- follower.c, import.c\n"
	"  person_id      INTEGER NOT NULL REFERENCES person(id),\n"
	"  channel_id     INTEGER NOT NULL REFERENCES channel(id),\n"
	"  handle         TEXT,\n"
	"  region         TEXT,\n"
	"  followed_at    TEXT,           -- YYYY-MM-DD\n"
	"  unfollowed_at  TEXT,\n"
	"  PRIMARY KEY(person_id, channel_id)\n"
	") WITHOUT ROWID;\n"
	"CREATE INDEX follower_channel ON follower(channel_id);\n"
	"CREATE INDEX follower_handle ON follower(handle COLLATE NOCASE)\n"
	"  WHERE handle IS NOT NULL;\n",

	/* 2: events */
	"CREATE TABLE event(                            -- event.c\n"
	"  id           INTEGER PRIMARY KEY,\n"
	"  slug         TEXT NOT NULL UNIQUE,\n"
	"  uid          TEXT NOT NULL UNIQUE,   -- iCalendar UID, never changes\n"
	"  title        TEXT NOT NULL,\n"
	"  tz           TEXT NOT NULL,          -- IANA zone name\n"
	"  start_local  TEXT NOT NULL,          -- YYYY-MM-DD HH:MM in tz\n"
	"  end_local    TEXT NOT NULL,\n"
	"  start_utc    TEXT NOT NULL,          -- YYYY-MM-DDTHH:MM:SSZ\n"
	"  end_utc      TEXT NOT NULL,\n"
	"  venue        TEXT,\n"
	"  address      TEXT,\n"
	"  capacity     INTEGER CHECK(capacity IS NULL OR capacity > 0),\n"
	"  description  TEXT,\n"
	"  approval     INTEGER NOT NULL DEFAULT 0 CHECK(approval IN (0, 1)),\n"
	"  status       TEXT NOT NULL DEFAULT 'scheduled'\n"
	"               CHECK(status IN ('scheduled', 'cancelled')),\n"
	"  sequence     INTEGER NOT NULL DEFAULT 0,\n"
	"  created_at   TEXT NOT NULL,\n"
	"  updated_at   TEXT NOT NULL,\n"
	"  CHECK(end_utc > start_utc)\n"
	");\n"
	"CREATE INDEX event_start ON event(start_utc);\n",

	/* 3: what versions 1 and 2 stored, brought to today's text rules:
	 * names and regions in NFC, e-mail domains as A-labels (libidn2),
	 * and the people those rules make one merged into the oldest of
	 * them (lowest id). tn_nfc and tn_email_key are the SQL functions
	 * that tn_db_open registers; an address today's rules refuse is kept
	 * as it was. Nothing stored is folded (tn_fold runs in queries). */
	"UPDATE person SET name = tn_nfc(name) WHERE name <> tn_nfc(name);\n"
	"UPDATE follower SET region = tn_nfc(region) WHERE region <> tn_nfc(region);\n"
	"UPDATE setting SET value = coalesce(tn_email_key(value), value)\n"
	"  WHERE key = 'from';\n"
	"CREATE TEMP TABLE v3_key(id INTEGER PRIMARY KEY, key TEXT NOT NULL);\n"
	"INSERT INTO temp.v3_key\n"
	"  SELECT id, coalesce(tn_email_key(email), email) FROM main.person\n"
	"  WHERE email IS NOT NULL;\n"
	"CREATE INDEX temp.v3_key_key ON v3_key(key);\n"
	/* every person of an address that several people have, with the
	 * one they become */
	"CREATE TEMP TABLE v3_merge(id INTEGER PRIMARY KEY, keep INTEGER NOT NULL);\n"
	"INSERT INTO temp.v3_merge\n"
	"  SELECT k.id, g.keep FROM temp.v3_key k JOIN\n"
	"    (SELECT key, min(id) AS keep FROM temp.v3_key GROUP BY key\n"
	"     HAVING count(*) > 1) g ON g.key = k.key;\n"
	/* their follows, one row per channel: the earliest followed_at,
	 * the first handle and region known (the kept person's first),
	 * and still following if any of the rows still follows */
	"CREATE TEMP TABLE v3_follow AS\n"
	"  SELECT m.keep AS person_id, f.channel_id AS channel_id,\n"
	"    (SELECT x.handle FROM main.follower x JOIN temp.v3_merge y ON y.id = x.person_id\n"
	"     WHERE y.keep = m.keep AND x.channel_id = f.channel_id AND x.handle IS NOT NULL\n"
	"     ORDER BY x.person_id LIMIT 1) AS handle,\n"
	"    (SELECT x.region FROM main.follower x JOIN temp.v3_merge y ON y.id = x.person_id\n"
	"     WHERE y.keep = m.keep AND x.channel_id = f.channel_id AND x.region IS NOT NULL\n"
	"     ORDER BY x.person_id LIMIT 1) AS region,\n"
	"    min(f.followed_at) AS followed_at,\n"
	"    CASE WHEN count(*) = count(f.unfollowed_at) THEN max(f.unfollowed_at) END\n"
	"      AS unfollowed_at\n"
	"  FROM main.follower f JOIN temp.v3_merge m ON m.id = f.person_id\n"
	"  GROUP BY m.keep, f.channel_id;\n"
	"DELETE FROM main.follower WHERE person_id IN (SELECT id FROM temp.v3_merge);\n"
	"INSERT INTO main.follower(person_id, channel_id, handle, region, followed_at,\n"
	"                          unfollowed_at)\n"
	"  SELECT person_id, channel_id, handle, region, followed_at, unfollowed_at\n"
	"  FROM temp.v3_follow;\n"
	"UPDATE main.person SET name =\n"
	"    (SELECT p.name FROM main.person p JOIN temp.v3_merge m ON m.id = p.id\n"
	"     WHERE m.keep = person.id AND p.name IS NOT NULL ORDER BY p.id LIMIT 1)\n"
	"  WHERE name IS NULL AND id IN (SELECT keep FROM temp.v3_merge);\n"
	"DELETE FROM main.person\n"
	"  WHERE id IN (SELECT id FROM temp.v3_merge WHERE id <> keep);\n"
	"UPDATE main.person SET email = (SELECT key FROM temp.v3_key k WHERE k.id = person.id)\n"
	"  WHERE email <> (SELECT key FROM temp.v3_key k WHERE k.id = person.id);\n"
	"DROP TABLE temp.v3_follow;\n"
	"DROP TABLE temp.v3_merge;\n"
	"DROP TABLE temp.v3_key;\n",

	/* 4: an address is one person whatever the case of its ASCII letters
	 * (tn_email_key; SQL tn_email_lower). person.email keeps the address
	 * as first written, for sending; person.email_key holds the key when
	 * it differs from the address (an address in lower case, the usual
	 * one, is its own key), and a UNIQUE index on coalesce(email_key,
	 * email) makes the key unique at the cost of an index on the address
	 * alone. The people that makes one are merged into the oldest of
	 * them, and a person without an address into the one person with an
	 * address who brought one of their handles on a channel of the same
	 * kind (as the import now does), all as migration 3 merged. Then the
	 * suppression list of forgotten people. SQLite cannot drop the old
	 * UNIQUE on email, so person is rebuilt: copied to TEMP, dropped and
	 * made anew; the DROP leaves every follower row without its person
	 * until the copy is back, so foreign keys are checked at COMMIT
	 * (defer_foreign_keys, which the COMMIT resets). */
	"PRAGMA defer_foreign_keys=ON;\n"
	/* who goes into whom: first the people of one address */
	"CREATE TEMP TABLE v4_merge(id INTEGER PRIMARY KEY, keep INTEGER NOT NULL);\n"
	"CREATE TEMP TABLE v4_key(id INTEGER PRIMARY KEY, key TEXT NOT NULL);\n"
	"INSERT INTO temp.v4_key\n"
	"  SELECT id, tn_email_lower(email) FROM main.person WHERE email IS NOT NULL;\n"
	"CREATE INDEX temp.v4_key_key ON v4_key(key);\n"
	"INSERT INTO temp.v4_merge\n"
	"  SELECT k.id, g.keep FROM temp.v4_key k JOIN\n"
	"    (SELECT key, min(id) AS keep FROM temp.v4_key GROUP BY key\n"
	"     HAVING count(*) > 1) g ON g.key = k.key\n"
	"  WHERE k.id <> g.keep;\n"
	/* then each person without an address whose handles lead, on
	 * channels of the same kind, to exactly one person with an address
	 * (as merged above); a handle of two such people leads nowhere */
	"INSERT INTO temp.v4_merge\n"
	"  SELECT q.person_id, min(coalesce(m.keep, p.person_id))\n"
	"  FROM main.follower q\n"
	"  JOIN main.person qp ON qp.id = q.person_id\n"
	"  JOIN main.channel qc ON qc.id = q.channel_id\n"
	"  JOIN main.follower p ON p.handle = q.handle COLLATE NOCASE\n"
	"  JOIN main.channel pc ON pc.id = p.channel_id AND pc.kind = qc.kind\n"
	"  JOIN main.person pp ON pp.id = p.person_id\n"
	"  LEFT JOIN temp.v4_merge m ON m.id = p.person_id\n"
	"  WHERE q.handle IS NOT NULL AND qp.email IS NULL AND qp.forgotten_at IS NULL\n"
	"    AND pp.email IS NOT NULL\n"
	"  GROUP BY q.person_id\n"
	"  HAVING count(DISTINCT coalesce(m.keep, p.person_id)) = 1;\n"
	/* each person who stays, with everyone merged into them */
	"CREATE TEMP TABLE v4_group AS\n"
	"  SELECT id, keep FROM temp.v4_merge UNION SELECT keep, keep FROM temp.v4_merge;\n"
	/* their follows, one row per channel: the earliest followed_at, the
	 * handle and region of the person who stays unless NULL (then the
	 * first known), still following if any of the rows is */
	"CREATE TEMP TABLE v4_follow AS\n"
	"  SELECT g.keep AS person_id, f.channel_id AS channel_id,\n"
	"    (SELECT x.handle FROM main.follower x JOIN temp.v4_group y ON y.id = x.person_id\n"
	"     WHERE y.keep = g.keep AND x.channel_id = f.channel_id AND x.handle IS NOT NULL\n"
	"     ORDER BY x.person_id <> y.keep, x.person_id LIMIT 1) AS handle,\n"
	"    (SELECT x.region FROM main.follower x JOIN temp.v4_group y ON y.id = x.person_id\n"
	"     WHERE y.keep = g.keep AND x.channel_id = f.channel_id AND x.region IS NOT NULL\n"
	"     ORDER BY x.person_id <> y.keep, x.person_id LIMIT 1) AS region,\n"
	"    min(f.followed_at) AS followed_at,\n"
	"    CASE WHEN count(*) = count(f.unfollowed_at) THEN max(f.unfollowed_at) END\n"
	"      AS unfollowed_at\n"
	"  FROM main.follower f JOIN temp.v4_group g ON g.id = f.person_id\n"
	"  GROUP BY g.keep, f.channel_id;\n"
	"DELETE FROM main.follower WHERE person_id IN (SELECT id FROM temp.v4_group);\n"
	"INSERT INTO main.follower(person_id, channel_id, handle, region, followed_at,\n"
	"                          unfollowed_at)\n"
	"  SELECT person_id, channel_id, handle, region, followed_at, unfollowed_at\n"
	"  FROM temp.v4_follow;\n"
	/* the person who stays: their name, else the first one known; the
	 * earliest start */
	"UPDATE main.person SET\n"
	"  name = coalesce(name,\n"
	"    (SELECT p.name FROM main.person p JOIN temp.v4_merge m ON m.id = p.id\n"
	"     WHERE m.keep = person.id AND p.name IS NOT NULL ORDER BY p.id LIMIT 1)),\n"
	"  created_at = (SELECT min(p.created_at) FROM main.person p\n"
	"    JOIN temp.v4_group g ON g.id = p.id WHERE g.keep = person.id)\n"
	"  WHERE id IN (SELECT keep FROM temp.v4_merge);\n"
	"CREATE TEMP TABLE v4_person AS\n"
	"  SELECT p.id, p.email, CASE WHEN k.key <> p.email THEN k.key END AS email_key,\n"
	"    p.name, p.created_at, p.forgotten_at\n"
	"  FROM main.person p LEFT JOIN temp.v4_key k ON k.id = p.id\n"
	"  WHERE p.id NOT IN (SELECT id FROM temp.v4_merge);\n"
	"DROP TABLE main.person;\n"
	"CREATE TABLE person(                           -- person.c\n"
	"  id            INTEGER PRIMARY KEY,\n"
	"  email         TEXT,            -- as first written; domain as A-label\n"
	"  email_key     TEXT,            -- tn_email_key(email) if not email itself\n"
	"  name          TEXT,\n"
	"  created_at    TEXT NOT NULL,\n"
	"  forgotten_at  TEXT             -- set by 'follower forget'\n"
	");\n"
	"INSERT INTO main.person(id, email, email_key, name, created_at, forgotten_at)\n"
	"  SELECT id, email, email_key, name, created_at, forgotten_at\n"
	"  FROM temp.v4_person ORDER BY id;\n"
	"CREATE UNIQUE INDEX person_email ON person(coalesce(email_key, email));\n"
	"DROP TABLE temp.v4_person;\n"
	"DROP TABLE temp.v4_key;\n"
	"DROP TABLE temp.v4_follow;\n"
	"DROP TABLE temp.v4_group;\n"
	"DROP TABLE temp.v4_merge;\n"
	/* keyed hashes (BLAKE2b) of the addresses and handles of forgotten
	 * people, which imports skip; the key is made at the first forget */
	"CREATE TABLE suppression(                      -- person.c\n"
	"  hash  BLOB PRIMARY KEY CHECK(length(hash) = 32)\n"
	") WITHOUT ROWID;\n"
	"CREATE TABLE suppression_key(                  -- person.c\n"
	"  id    INTEGER PRIMARY KEY CHECK(id = 1),\n"
	"  key   BLOB NOT NULL CHECK(length(key) = 32)\n"
	");\n",

	/* 5: invitations and their personal links, the outbox of messages,
	 * tracking links, and unsubscribes (keyed hashes, as suppression) */
	"CREATE TABLE invitation(                       -- invite.c\n"
	"  id          INTEGER PRIMARY KEY,\n"
	"  event_id    INTEGER NOT NULL REFERENCES event(id),\n"
	"  person_id   INTEGER NOT NULL REFERENCES person(id),\n"
	"  channel_id  INTEGER REFERENCES channel(id),  -- source; NULL: direct\n"
	"  invited_at  TEXT NOT NULL,\n"
	"  UNIQUE(event_id, person_id)\n"
	");\n"
	"CREATE INDEX invitation_person ON invitation(person_id);\n"
	/* hashes of the personal tokens each message carries: RSVP links
	 * name an invitation, unsubscribe links a person */
	"CREATE TABLE invitation_token(                 -- invite.c\n"
	"  hash           BLOB PRIMARY KEY CHECK(length(hash) = 32),\n"
	"  kind           TEXT NOT NULL CHECK(kind IN ('rsvp', 'unsubscribe')),\n"
	"  invitation_id  INTEGER NOT NULL REFERENCES invitation(id),\n"
	"  created_at     TEXT NOT NULL\n"
	") WITHOUT ROWID;\n"
	"CREATE INDEX invitation_token_invitation ON invitation_token(invitation_id);\n"
	"CREATE TABLE outbox(                           -- outbox.c\n"
	"  id               INTEGER PRIMARY KEY,\n"
	"  invitation_id    INTEGER NOT NULL REFERENCES invitation(id),\n"
	"  kind             TEXT NOT NULL CHECK(kind IN ('invite', 'update', 'cancel')),\n"
	"  sequence         INTEGER NOT NULL,  -- the event's, when queued\n"
	"  state            TEXT NOT NULL DEFAULT 'queued'\n"
	"                   CHECK(state IN ('queued', 'sending', 'sent', 'failed')),\n"
	"  attempts         INTEGER NOT NULL DEFAULT 0,\n"
	"  next_attempt_at  TEXT,              -- UTC; NULL: as soon as possible\n"
	"  claimed_by       TEXT,              -- the sending process, while sending\n"
	"  last_error       TEXT,\n"
	"  message_id       TEXT UNIQUE,       -- set when the message is made\n"
	"  rcpt             TEXT,              -- envelope recipient; erased by forget\n"
	"  body             BLOB,              -- the message as sent; erased by forget\n"
	"  queued_at        TEXT NOT NULL,\n"
	"  sent_at          TEXT\n"
	");\n"
	"CREATE INDEX outbox_state ON outbox(state, next_attempt_at);\n"
	"CREATE INDEX outbox_invitation ON outbox(invitation_id);\n"
	"CREATE TABLE tracking_link(                    -- link.c\n"
	"  event_id    INTEGER NOT NULL REFERENCES event(id),\n"
	"  channel_id  INTEGER NOT NULL REFERENCES channel(id),\n"
	"  code        TEXT NOT NULL UNIQUE,\n"
	"  created_at  TEXT NOT NULL,\n"
	"  PRIMARY KEY(event_id, channel_id)\n"
	") WITHOUT ROWID;\n"
	"CREATE TABLE unsubscribed(                     -- person.c\n"
	"  hash  BLOB PRIMARY KEY CHECK(length(hash) = 32),\n"
	"  at    TEXT NOT NULL\n"
	") WITHOUT ROWID;\n",

	/* 6: registrations (RSVP answers): one per person and event, its
	 * source and source channel, and its place in the waitlist */
	"CREATE TABLE registration(                     -- registration.c\n"
	"  id              INTEGER PRIMARY KEY,\n"
	"  event_id        INTEGER NOT NULL REFERENCES event(id),\n"
	"  person_id       INTEGER NOT NULL REFERENCES person(id),\n"
	"  status          TEXT NOT NULL CHECK(status IN ('yes', 'no', 'maybe',\n"
	"                  'waitlisted', 'pending', 'declined')),\n"
	"  source          TEXT NOT NULL CHECK(source IN ('invitation', 'link',\n"
	"                  'direct', 'walk-in')),\n"
	"  channel_id      INTEGER REFERENCES channel(id),  -- source channel; NULL: none\n"
	"  asked_seq       INTEGER,  -- order of asking for a seat (waitlist); NULL: not asking\n"
	"  reply_sequence  INTEGER,  -- SEQUENCE of the last iTIP REPLY applied\n"
	"  created_at      TEXT NOT NULL,\n"
	"  updated_at      TEXT NOT NULL,\n"
	"  UNIQUE(event_id, person_id)\n"
	");\n"
	"CREATE INDEX registration_person ON registration(person_id);\n"
	"CREATE INDEX registration_status ON registration(event_id, status, asked_seq);\n",

	/* 7: tickets (one valid per registration; the id is the serial in
	 * its signed code, which is made again from the key when needed),
	 * the hashes of the ticket pages' tokens, and an outbox that also
	 * carries ticket e-mails. SQLite cannot change a CHECK, so outbox is
	 * rebuilt as its documented ALTER TABLE procedure says: a new table,
	 * every row copied, the old one dropped and the new one renamed (no
	 * table refers to outbox, so nothing else needs to change). */
	"CREATE TABLE ticket(                           -- ticket.c\n"
	"  id               INTEGER PRIMARY KEY,  -- the serial in its code\n"
	"  registration_id  INTEGER NOT NULL REFERENCES registration(id),\n"
	"  event_id         INTEGER NOT NULL REFERENCES event(id),\n"
	"  holder           TEXT,                 -- name at issue; erased by forget\n"
	"  state            TEXT NOT NULL DEFAULT 'valid'\n"
	"                   CHECK(state IN ('valid', 'revoked')),\n"
	"  created_at       TEXT NOT NULL,\n"
	"  revoked_at       TEXT\n"
	");\n"
	"CREATE UNIQUE INDEX ticket_valid ON ticket(registration_id)\n"
	"  WHERE state = 'valid';\n"
	"CREATE INDEX ticket_event ON ticket(event_id);\n"
	"CREATE TABLE ticket_token(                     -- ticket.c\n"
	"  hash       BLOB PRIMARY KEY CHECK(length(hash) = 32),\n"
	"  ticket_id  INTEGER NOT NULL REFERENCES ticket(id),\n"
	"  created_at TEXT NOT NULL\n"
	") WITHOUT ROWID;\n"
	"CREATE INDEX ticket_token_ticket ON ticket_token(ticket_id);\n"
	"CREATE TABLE outbox_v7(                        -- outbox.c\n"
	"  id               INTEGER PRIMARY KEY,\n"
	"  invitation_id    INTEGER REFERENCES invitation(id),  -- invite, update, cancel\n"
	"  ticket_id        INTEGER REFERENCES ticket(id),      -- ticket\n"
	"  kind             TEXT NOT NULL\n"
	"                   CHECK(kind IN ('invite', 'update', 'cancel', 'ticket')),\n"
	"  sequence         INTEGER NOT NULL,  -- the event's, when queued\n"
	"  state            TEXT NOT NULL DEFAULT 'queued'\n"
	"                   CHECK(state IN ('queued', 'sending', 'sent', 'failed')),\n"
	"  attempts         INTEGER NOT NULL DEFAULT 0,\n"
	"  next_attempt_at  TEXT,              -- UTC; NULL: as soon as possible\n"
	"  claimed_by       TEXT,              -- the sending process, while sending\n"
	"  last_error       TEXT,\n"
	"  message_id       TEXT UNIQUE,       -- set when the message is made\n"
	"  rcpt             TEXT,              -- envelope recipient; erased by forget\n"
	"  body             BLOB,              -- the message as sent; erased by forget\n"
	"  queued_at        TEXT NOT NULL,\n"
	"  sent_at          TEXT,\n"
	"  CHECK(CASE kind WHEN 'ticket' THEN ticket_id IS NOT NULL AND invitation_id IS NULL\n"
	"        ELSE invitation_id IS NOT NULL AND ticket_id IS NULL END)\n"
	");\n"
	"INSERT INTO outbox_v7(id, invitation_id, kind, sequence, state, attempts,\n"
	"  next_attempt_at, claimed_by, last_error, message_id, rcpt, body, queued_at,\n"
	"  sent_at)\n"
	"  SELECT id, invitation_id, kind, sequence, state, attempts, next_attempt_at,\n"
	"    claimed_by, last_error, message_id, rcpt, body, queued_at, sent_at\n"
	"  FROM outbox ORDER BY id;\n"
	"DROP TABLE outbox;\n"
	"ALTER TABLE outbox_v7 RENAME TO outbox;\n"
	"CREATE INDEX outbox_state ON outbox(state, next_attempt_at);\n"
	"CREATE INDEX outbox_invitation ON outbox(invitation_id);\n"
	"CREATE INDEX outbox_ticket ON outbox(ticket_id);\n",

	/* 8: the door. A gate is a door device of an event, known by the
	 * hash of its token. Every scan is a checkin row with its verdict;
	 * the partial unique index admits each ticket exactly once, however
	 * many gates scan it together. */
	"CREATE TABLE gate(                             -- door.c\n"
	"  id          INTEGER PRIMARY KEY,\n"
	"  event_id    INTEGER NOT NULL REFERENCES event(id),\n"
	"  name        TEXT NOT NULL,\n"
	"  token_hash  BLOB NOT NULL UNIQUE CHECK(length(token_hash) = 32),\n"
	"  created_at  TEXT NOT NULL,\n"
	"  revoked_at  TEXT,                 -- NULL: in use\n"
	"  UNIQUE(event_id, name)\n"
	");\n"
	"CREATE TABLE checkin(                          -- door.c\n"
	"  id          INTEGER PRIMARY KEY,\n"
	"  event_id    INTEGER NOT NULL REFERENCES event(id),  -- the door's\n"
	"  gate_id     INTEGER REFERENCES gate(id),    -- NULL: none (the CLI)\n"
	"  ticket_id   INTEGER REFERENCES ticket(id),  -- NULL: invalid\n"
	"  verdict     TEXT NOT NULL CHECK(verdict IN ('admit', 'duplicate',\n"
	"              'invalid', 'wrong_event', 'revoked', 'cancelled')),\n"
	"  walkin      INTEGER NOT NULL DEFAULT 0,     -- admitted by walkin\n"
	"  input       TEXT,                 -- invalid: what was read\n"
	"  at          TEXT NOT NULL\n"
	");\n"
	"CREATE UNIQUE INDEX checkin_admit ON checkin(ticket_id)\n"
	"  WHERE verdict = 'admit';\n"
	"CREATE INDEX checkin_event ON checkin(event_id, verdict);\n",

	/* 9: organizer tokens, which open the organizer's pages of the web
	 * server (the live report), each known by the hash of its token. */
	"CREATE TABLE organizer_token(                  -- organizer.c\n"
	"  id          INTEGER PRIMARY KEY,\n"
	"  label       TEXT,                 -- NULL: none\n"
	"  token_hash  BLOB NOT NULL UNIQUE CHECK(length(token_hash) = 32),\n"
	"  created_at  TEXT NOT NULL,\n"
	"  revoked_at  TEXT                  -- NULL: in use\n"
	");\n",

	/* 10: online channels. A channel's API token lives apart from the
	 * channel, so listing never reads it and 'channel token --clear'
	 * strips a copy of the database. A follower sync stages the pages it
	 * has fetched (sync_run, sync_page, sync_follower), one transaction
	 * per page, so an interrupted run resumes; the follower table changes
	 * only when the last page is in. An announcement is a post of an
	 * event on a channel, its idempotency key kept before it is sent, so
	 * a retry never posts twice. */
	"CREATE TABLE channel_token(                    -- channel.c\n"
	"  channel_id  INTEGER PRIMARY KEY REFERENCES channel(id),\n"
	"  token       TEXT NOT NULL,\n"
	"  set_at      TEXT NOT NULL\n"
	");\n"
	"CREATE TABLE sync_run(                         -- sync.c\n"
	"  channel_id       INTEGER PRIMARY KEY REFERENCES channel(id),\n"
	"  account_id       TEXT NOT NULL,      -- the API's id of the account\n"
	"  followers_count  INTEGER,            -- as the account declared it\n"
	"  next_url         TEXT,               -- NULL: every page is in\n"
	"  pages            INTEGER NOT NULL DEFAULT 0,\n"
	"  started_at       TEXT NOT NULL\n"
	");\n"
	"CREATE TABLE sync_page(                        -- sync.c\n"
	"  channel_id  INTEGER NOT NULL REFERENCES channel(id),\n"
	"  url         TEXT NOT NULL,            -- a page fetched (loops)\n"
	"  PRIMARY KEY(channel_id, url)\n"
	") WITHOUT ROWID;\n"
	"CREATE TABLE sync_follower(                    -- sync.c\n"
	"  channel_id  INTEGER NOT NULL REFERENCES channel(id),\n"
	"  handle      TEXT NOT NULL,            -- user@instance\n"
	"  name        TEXT,\n"
	"  PRIMARY KEY(channel_id, handle)\n"
	") WITHOUT ROWID;\n"
	"CREATE TABLE announcement(                     -- announce.c\n"
	"  id               INTEGER PRIMARY KEY,\n"
	"  event_id         INTEGER NOT NULL REFERENCES event(id),\n"
	"  channel_id       INTEGER NOT NULL REFERENCES channel(id),\n"
	"  idempotency_key  TEXT NOT NULL UNIQUE,\n"
	"  url              TEXT,                -- the post's address\n"
	"  created_at       TEXT NOT NULL,\n"
	"  posted_at        TEXT                 -- NULL: not confirmed yet\n"
	");\n"
	"CREATE INDEX announcement_event ON announcement(event_id, channel_id);\n",
};

int tn_schema_count(void)
{
	return (int)(sizeof(migrations) / sizeof(migrations[0]));
}

const char *tn_schema_migration(int version)
{
	if (version < 1 || version > tn_schema_count())
		return NULL;
	return migrations[version - 1];
}
