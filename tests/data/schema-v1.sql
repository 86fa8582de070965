PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE setting(                          -- setup.c
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
INSERT INTO setting VALUES('base_url','https://meet.readers.example');
INSERT INTO setting VALUES('from','team@readers.example');
INSERT INTO setting VALUES('initialised_at','2026-10-01T09:00:00Z');
INSERT INTO setting VALUES('org','Readers Club');
CREATE TABLE signing_key(                      -- setup.c
  id          INTEGER PRIMARY KEY,
  public_key  BLOB NOT NULL CHECK(length(public_key) = 32),
  secret_key  BLOB NOT NULL CHECK(length(secret_key) = 64),
  created_at  TEXT NOT NULL
);
INSERT INTO signing_key VALUES(1,X'0000000000000000000000000000000000000000000000000000000000000000',X'00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000','2026-10-01T09:00:00Z');
CREATE TABLE channel(                          -- channel.c
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL UNIQUE COLLATE NOCASE,
  kind        TEXT NOT NULL CHECK(kind IN ('newsletter','blog',
              'telegram','mastodon','vk','twitter','other')),
  url         TEXT,
  created_at  TEXT NOT NULL
);
INSERT INTO channel VALUES(1,'letter','newsletter','https://letter.readers.example','2026-10-01T09:01:00Z');
INSERT INTO channel VALUES(2,'tg','telegram',NULL,'2026-10-01T09:02:00Z');
CREATE TABLE channel_audience(                 -- channel.c
  channel_id  INTEGER NOT NULL REFERENCES channel(id),
  date        TEXT NOT NULL,     -- YYYY-MM-DD
  size        INTEGER NOT NULL CHECK(size >= 0),
  PRIMARY KEY(channel_id, date)
) WITHOUT ROWID;
INSERT INTO channel_audience VALUES(1,'2026-10-01',1800);
INSERT INTO channel_audience VALUES(2,'2026-10-01',950);
CREATE TABLE person(                           -- follower.c, import.c
  id            INTEGER PRIMARY KEY,
  email         TEXT UNIQUE,     -- domain lower-cased; NULL if unknown
  name          TEXT,
  created_at    TEXT NOT NULL,
  forgotten_at  TEXT             -- set by 'follower forget'
);
INSERT INTO person VALUES(1,'anna@example.org','Anna Berg','2026-10-01T09:03:00Z',NULL);
INSERT INTO person VALUES(2,'ivan.petrov@example.org','Иван Петров','2026-10-01T09:03:00Z',NULL);
INSERT INTO person VALUES(3,NULL,'Telegram Only','2026-10-01T09:04:00Z',NULL);
CREATE TABLE follower(                         -- follower.c, import.c
  person_id      INTEGER NOT NULL REFERENCES person(id),
  channel_id     INTEGER NOT NULL REFERENCES channel(id),
  handle         TEXT,
  region         TEXT,
  followed_at    TEXT,           -- YYYY-MM-DD
  unfollowed_at  TEXT,
  PRIMARY KEY(person_id, channel_id)
) WITHOUT ROWID;
INSERT INTO follower VALUES(1,1,NULL,'Berlin','2026-01-10',NULL);
INSERT INTO follower VALUES(2,1,NULL,'Moscow','2026-02-01',NULL);
INSERT INTO follower VALUES(2,2,'ivanp','Moscow',NULL,NULL);
INSERT INTO follower VALUES(3,2,'tgonly','Kazan',NULL,NULL);
CREATE INDEX follower_channel ON follower(channel_id);
CREATE INDEX follower_handle ON follower(handle COLLATE NOCASE)
  WHERE handle IS NOT NULL;
COMMIT;
