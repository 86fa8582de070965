/*
 * schema.h - private to db.c: the ordered migrations of schema.c.
 */
#ifndef TURNOUT_SCHEMA_H
#define TURNOUT_SCHEMA_H

/* Number of migrations = the latest user_version. */
int tn_schema_count(void);
/* SQL that brings user_version from version-1 to version; NULL if none. */
const char *tn_schema_migration(int version);

#endif
