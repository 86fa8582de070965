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
