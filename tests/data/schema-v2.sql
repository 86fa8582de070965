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
INSERT INTO channel VALUES(3,'masto','mastodon',NULL,'2026-10-01T09:02:30Z');
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
INSERT INTO person VALUES(1,'anna@ПРИМЕР.РФ','Анна Петрова','2026-10-01T09:03:00Z',NULL);
INSERT INTO person VALUES(2,'anna@xn--e1afmkfd.xn--p1ai',NULL,'2026-10-02T10:00:00Z',NULL);
INSERT INTO person VALUES(3,'anna@пример.рф','Anna P.','2026-10-03T11:00:00Z',NULL);
INSERT INTO person VALUES(4,'Anna@ПРИМЕР.РФ','Anna Capital','2026-10-04T12:00:00Z',NULL);
INSERT INTO person VALUES(5,'juergen@xn--bcher-kva.de',NULL,'2026-10-05T08:00:00Z',NULL);
INSERT INTO person VALUES(6,'juergen@bÜcher.de','Jürgen Müller','2026-10-06T08:00:00Z',NULL);
INSERT INTO person VALUES(7,'bob@example.org','Bob Stone','2026-10-07T08:00:00Z',NULL);
INSERT INTO person VALUES(8,NULL,NULL,'2026-10-07T09:00:00Z',NULL);
INSERT INTO person VALUES(9,NULL,NULL,'2026-10-07T10:00:00Z','2026-10-08T10:00:00Z');
CREATE TABLE follower(                         -- follower.c, import.c
  person_id      INTEGER NOT NULL REFERENCES person(id),
  channel_id     INTEGER NOT NULL REFERENCES channel(id),
  handle         TEXT,
  region         TEXT,
  followed_at    TEXT,           -- YYYY-MM-DD
  unfollowed_at  TEXT,
  PRIMARY KEY(person_id, channel_id)
) WITHOUT ROWID;
INSERT INTO follower VALUES(1,1,NULL,'Москва','2026-03-01',NULL);
INSERT INTO follower VALUES(1,2,'anna_tg',NULL,NULL,NULL);
INSERT INTO follower VALUES(2,1,'annap',NULL,'2026-01-15',NULL);
INSERT INTO follower VALUES(3,2,'annap_tg','Москва','2025-12-01','2026-05-01');
INSERT INTO follower VALUES(3,3,'anna@social.example',NULL,NULL,NULL);
INSERT INTO follower VALUES(4,1,NULL,'Berlin',NULL,NULL);
INSERT INTO follower VALUES(5,1,NULL,NULL,'2026-02-02',NULL);
INSERT INTO follower VALUES(6,2,'juergen','München','2026-04-04',NULL);
INSERT INTO follower VALUES(7,1,NULL,'Berlin','2026-05-05',NULL);
INSERT INTO follower VALUES(8,2,'tgonly','İstanbul',NULL,NULL);
INSERT INTO follower VALUES(9,1,NULL,'Paris',NULL,NULL);
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
INSERT INTO event VALUES(1,'vstrecha-v-moskve','9c878b095fcccc2e7204bfe2c2f52023@meet.readers.example','Встреча в Москве','Europe/Moscow','2026-12-01 19:00','2026-12-01 21:00','2026-12-01T16:00:00Z','2026-12-01T18:00:00Z',NULL,NULL,NULL,NULL,0,'scheduled',0,'2026-10-08T11:00:00Z','2026-10-08T11:00:00Z');
CREATE INDEX follower_channel ON follower(channel_id);
CREATE INDEX follower_handle ON follower(handle COLLATE NOCASE)
  WHERE handle IS NOT NULL;
CREATE INDEX event_start ON event(start_utc);
COMMIT;
