/*
 * schema.h - private to db.c: the ordered migrations of schema.c.
 */
#ifndef TURNOUT_SCHEMA_H
#define TURNOUT_SCHEMA_H

/* turnout's mark in the database header (PRAGMA application_id): the
 * ASCII of "TnOu". Fixed forever: a file without it is not turnout's,
 * unless it is one that an earlier turnout made before the mark existed. */
#define TN_SCHEMA_MARK 0x546E4F75
/* The last schema version that was written without the mark: a file at
 * version 1..TN_SCHEMA_LAST_UNMARKED whose schema is exactly what the
 * migrations up to its version make is an earlier turnout's. */
#define TN_SCHEMA_LAST_UNMARKED 3

/* Number of migrations = the latest user_version. */
int tn_schema_count(void);
/* SQL that brings user_version from version-1 to version; NULL if none. */
const char *tn_schema_migration(int version);

#endif
