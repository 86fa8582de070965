PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE setting(                          -- setup.c
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
INSERT INTO setting VALUES('base_url','https://meet.readers.example');
INSERT INTO setting VALUES('from','team@readers.example');
INSERT INTO setting VALUES('initialised_at','2026-09-01T09:00:00Z');
INSERT INTO setting VALUES('org','Readers Club');
CREATE TABLE signing_key(                      -- setup.c
  id          INTEGER PRIMARY KEY,
  public_key  BLOB NOT NULL CHECK(length(public_key) = 32),
  secret_key  BLOB NOT NULL CHECK(length(secret_key) = 64),
  created_at  TEXT NOT NULL
);
INSERT INTO signing_key VALUES(1,X'0000000000000000000000000000000000000000000000000000000000000000',X'00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000','2026-09-01T09:00:00Z');
CREATE TABLE channel(                          -- channel.c
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL UNIQUE COLLATE NOCASE,
  kind        TEXT NOT NULL CHECK(kind IN ('newsletter','blog',
              'telegram','mastodon','vk','twitter','other')),
  url         TEXT,
  created_at  TEXT NOT NULL
);
INSERT INTO channel VALUES(1,'letter','newsletter',NULL,'2026-09-01T09:01:00Z');
INSERT INTO channel VALUES(2,'tg','telegram',NULL,'2026-09-01T09:02:00Z');
INSERT INTO channel VALUES(3,'tgchat','telegram',NULL,'2026-09-01T09:03:00Z');
INSERT INTO channel VALUES(4,'masto','mastodon',NULL,'2026-09-01T09:04:00Z');
CREATE TABLE channel_audience(                 -- channel.c
  channel_id  INTEGER NOT NULL REFERENCES channel(id),
  date        TEXT NOT NULL,     -- YYYY-MM-DD
  size        INTEGER NOT NULL CHECK(size >= 0),
  PRIMARY KEY(channel_id, date)
) WITHOUT ROWID;
INSERT INTO channel_audience VALUES(1,'2026-09-01',1800);
CREATE TABLE person(                           -- follower.c, import.c
  id            INTEGER PRIMARY KEY,
  email         TEXT UNIQUE,     -- domain lower-cased; NULL if unknown
  name          TEXT,
  created_at    TEXT NOT NULL,
  forgotten_at  TEXT             -- set by 'follower forget'
);
INSERT INTO person VALUES(1,'Anna.Weber@posteo.de','Anna Weber','2026-09-02T10:00:00Z',NULL);
INSERT INTO person VALUES(2,'bob@example.org','Bob Stone','2026-09-02T10:00:00Z',NULL);
INSERT INTO person VALUES(3,NULL,NULL,'2026-09-02T10:00:00Z','2026-09-07T10:00:00Z');
INSERT INTO person VALUES(4,'z@x.example',NULL,'2026-09-02T10:00:00Z',NULL);
INSERT INTO person VALUES(5,'Ünal@example.org','Ünal Yılmaz','2026-09-02T10:00:00Z',NULL);
INSERT INTO person VALUES(6,'anna.weber@posteo.de',NULL,'2026-09-03T10:00:00Z',NULL);
INSERT INTO person VALUES(7,NULL,'Zed','2026-09-03T10:00:00Z',NULL);
INSERT INTO person VALUES(8,'ünal@example.org',NULL,'2026-09-04T10:00:00Z',NULL);
INSERT INTO person VALUES(9,'ANNA.WEBER@posteo.de','Anna W.','2026-09-06T10:00:00Z',NULL);
INSERT INTO person VALUES(10,NULL,NULL,'2026-09-06T10:00:00Z',NULL);
CREATE TABLE follower(                         -- follower.c, import.c
  person_id      INTEGER NOT NULL REFERENCES person(id),
  channel_id     INTEGER NOT NULL REFERENCES channel(id),
  handle         TEXT,
  region         TEXT,
  followed_at    TEXT,           -- YYYY-MM-DD
  unfollowed_at  TEXT,
  PRIMARY KEY(person_id, channel_id)
) WITHOUT ROWID;
INSERT INTO follower VALUES(1,1,NULL,'Berlin','2025-11-01',NULL);
INSERT INTO follower VALUES(2,1,NULL,NULL,NULL,NULL);
INSERT INTO follower VALUES(3,1,NULL,'Oslo','2026-01-01',NULL);
INSERT INTO follower VALUES(4,1,NULL,NULL,'2026-02-02',NULL);
INSERT INTO follower VALUES(4,2,'ztg','Riga','2026-03-01',NULL);
INSERT INTO follower VALUES(4,3,'ZTG',NULL,NULL,NULL);
INSERT INTO follower VALUES(5,1,NULL,'İzmir',NULL,NULL);
INSERT INTO follower VALUES(6,1,NULL,NULL,'2025-10-01','2026-08-01');
INSERT INTO follower VALUES(6,2,'anna_w',NULL,'2025-09-09',NULL);
INSERT INTO follower VALUES(7,2,'ztg',NULL,'2026-01-15',NULL);
INSERT INTO follower VALUES(8,1,NULL,'Ankara','2026-03-03',NULL);
INSERT INTO follower VALUES(9,4,'anna@social.example',NULL,NULL,NULL);
INSERT INTO follower VALUES(10,4,'ztg',NULL,NULL,NULL);
CREATE TABLE event(                            -- event.c
  id           INTEGER PRIMARY KEY,
  slug         TEXT NOT NULL UNIQUE,
  uid          TEXT NOT NULL UNIQUE,   -- iCalendar UID, never changes
  title        TEXT NOT NULL,
  tz           TEXT NOT NULL,          -- IANA zone name
  start_local  TEXT NOT NULL,          -- YYYY-MM-DD HH:MM in tz
  end_local    TEXT NOT NULL,
  start_utc    TEXT NOT NULL,          -- YYYY-MM-DDTHH:MM:SSZ
  end_utc      TEXT NOT NULL,
  venue        TEXT,
  address      TEXT,
  capacity     INTEGER CHECK(capacity IS NULL OR capacity > 0),
  description  TEXT,
  approval     INTEGER NOT NULL DEFAULT 0 CHECK(approval IN (0, 1)),
  status       TEXT NOT NULL DEFAULT 'scheduled'
               CHECK(status IN ('scheduled', 'cancelled')),
  sequence     INTEGER NOT NULL DEFAULT 0,
  created_at   TEXT NOT NULL,
  updated_at   TEXT NOT NULL,
  CHECK(end_utc > start_utc)
);
CREATE INDEX follower_channel ON follower(channel_id);
CREATE INDEX follower_handle ON follower(handle COLLATE NOCASE)
  WHERE handle IS NOT NULL;
CREATE INDEX event_start ON event(start_utc);
COMMIT;
