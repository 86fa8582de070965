/*
 * door.h - the door: gates (the named door devices of an event, each
 * with a secret token), check-ins (every scan, with its verdict) and
 * walk-ins. Owns tables gate and checkin.
 *
 * Every way of scanning - `checkin`, `door`, `walkin`, the web door
 * page and its JSON API - records through tn_checkin_record: it looks
 * the ticket up and records each scan with its verdict in one write
 * transaction. The first valid scan of a ticket admits; a unique index
 * on the admitting scan (checkin_admit) makes that exactly once however
 * many gates and processes scan at the same moment, and every later
 * scan is a duplicate naming when and at which gate the ticket was
 * admitted. A scan is read (tn_scan_read: the line cleaned up and the
 * code's signature verified) before the transaction, without the
 * database, so a server verifies in many threads and commits the scans
 * that arrive together in one transaction (group commit), each with its
 * own verdict.
 *
 * Verdicts, in the order they are decided: invalid (not a code signed by
 * this database's key, or of no ticket here), wrong_event (a ticket of
 * another event), cancelled (the event is cancelled), revoked (the ticket
 * is revoked or its registration is no longer yes), then admit or
 * duplicate.
 */
#ifndef TURNOUT_DOOR_H
#define TURNOUT_DOOR_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "turnout/db.h"
#include "turnout/err.h"
#include "turnout/token.h"
#include "turnout/slug.h"
#include "turnout/ticketcode.h"

/* ---- gates --------------------------------------------------------------- */

#define TN_GATE_NAME_MAX 64      /* bytes of a gate's name */
/* A gate's token: 24 characters of URL-safe base64 for 144 random bits;
 * only its hash is stored. */
#define TN_GATE_TOKEN_LEN TN_TOKEN_LEN

struct tn_gate {
	int64_t id, event_id;
	char event[TN_SLUG_MAX + 1];        /* the event's slug */
	char name[TN_GATE_NAME_MAX + 1];
	char created_at[21];
	char revoked_at[21];                /* "" while in use */
	int64_t scans, admitted;            /* tn_gate_each only */
	char last_scan_at[21];              /* tn_gate_each only; "" none */
};

/*
 * Adds the gate name (1 to TN_GATE_NAME_MAX bytes of UTF-8 without
 * control characters; TN_USAGE about "gate" otherwise) to the event
 * named event (slug or id), with a new token: *g gets the gate, token
 * its text. A name the event already has (revoked gates too) is
 * TN_CONFLICT about "gate"; an unknown event TN_NOTFOUND about "event".
 */
tn_code tn_gate_add(struct tn_db *db, const char *event, const char *name,
		    struct tn_gate *g, char token[TN_GATE_TOKEN_LEN + 1],
		    struct tn_err *err);

/* Calls fn for each gate of the event named event, by name, revoked ones
 * too, with its counts. fn returns non-zero to stop. */
tn_code tn_gate_each(struct tn_db *db, const char *event,
		     int (*fn)(void *ctx, const struct tn_gate *g), void *ctx,
		     struct tn_err *err);

/* Revokes the gate name of the event named event: its token stops
 * working, its scans stay. *g (may be NULL) gets the gate. An unknown
 * gate is TN_NOTFOUND about "gate" (with the event's gates as a hint),
 * an already revoked one TN_CONFLICT. */
tn_code tn_gate_revoke(struct tn_db *db, const char *event, const char *name,
		       struct tn_gate *g, struct tn_err *err);

/* ---- reading a scan (no database) ---------------------------------------- */

#define TN_SCAN_INPUT_MAX 256    /* bytes of an unreadable input kept */

enum tn_scan_kind {
	TN_SCAN_CODE,         /* a ticket code: text holds it in upper case */
	TN_SCAN_PAGE_TOKEN,   /* a ticket page's URL (base-url/t/TOKEN):
	                       * text holds the token */
	TN_SCAN_UNREADABLE,   /* neither, or a code that fails verification */
};

struct tn_scan {
	enum tn_scan_kind kind;
	char text[TN_SCAN_INPUT_MAX + 1];  /* what was read, cleaned up (for
	                                    * UNREADABLE: as much as fits, to
	                                    * be recorded with the scan) */
	int64_t event_id, serial;          /* a code's, once verified */
};


/* ---- the door and its check-ins ------------------------------------------ */

enum tn_verdict {
	TN_VERDICT_ADMIT,
	TN_VERDICT_DUPLICATE,
	TN_VERDICT_INVALID,
	TN_VERDICT_WRONG_EVENT,
	TN_VERDICT_REVOKED,
	TN_VERDICT_CANCELLED,
};

/* "admit", "duplicate", "invalid", "wrong_event", "revoked",
 * "cancelled"; static storage. */
const char *tn_verdict_name(enum tn_verdict v);

/* Where scans are recorded: an event, and the gate scanning (or none,
 * for the CLI without --gate). */
struct tn_door {
	int64_t event_id;
	char event[TN_SLUG_MAX + 1];
	int64_t gate_id;                       /* 0: no gate */
	char gate[TN_GATE_NAME_MAX + 1];       /* "" when none */
	unsigned char pk[32];                  /* the codes' public key */
	unsigned char sk[64];                  /* and the key that signs them,
	                                        * which checks a code faster
	                                        * (tn_ticketcode_verify_own) */
};

/*
 * Reads one scanned line (len bytes, not NUL-terminated; may hold any
 * byte) into *s, the way a scanner types it: trailing CR, LF and Tab
 * and surrounding spaces go, and so does a symbology prefix ("]Q1",
 * "]C0": ']', a letter, a digit); a whole ticket page URL gives its
 * token. A code is checked with door d's key: one that fails is
 * TN_SCAN_UNREADABLE. Thread-safe; touches no database.
 */
void tn_scan_read(const struct tn_door *d, const char *line, size_t len,
		  struct tn_scan *s);

/* Opens the door of the event named event (slug or id) at the gate
 * named gate (NULL: none). An unknown event is TN_NOTFOUND about
 * "event", an unknown gate TN_NOTFOUND about "gate", a revoked gate
 * TN_CONFLICT about "gate"; a database without a key TN_NOINIT. */
tn_code tn_door_open(struct tn_db *db, const char *event, const char *gate,
		     struct tn_door *d, struct tn_err *err);

/* Opens the door of the gate whose token is token (the web door's
 * Bearer token). With event non-NULL, the gate must belong to it. An
 * unknown or revoked token, or another event's, is TN_NOTFOUND about
 * "token", saying nothing more. Reads only. */
tn_code tn_door_by_token(struct tn_db *db, const char *token, const char *event,
			 struct tn_door *d, struct tn_err *err);

/* One recorded scan. name is owned (tn_checkin_clear) when filled by
 * tn_checkin_record, tn_checkin or tn_walkin; borrowed during the
 * callback of tn_checkin_each. */
struct tn_checkin {
	int64_t id;                          /* the row recorded */
	enum tn_verdict verdict;
	int64_t event_id;                    /* the door's event */
	char event[TN_SLUG_MAX + 1];
	char gate[TN_GATE_NAME_MAX + 1];     /* "" when none */
	char at[21];                         /* UTC, when recorded */
	int64_t ticket_id;                   /* 0: none (invalid) */
	int64_t person_id;                   /* the holder; 0: none */
	char *name;                          /* the holder's name; NULL: none
	                                      * known, or forgotten */
	int walkin;                          /* admitted by tn_walkin */
	/* duplicate: the scan that admitted the ticket */
	char admitted_at[21];
	char admitted_gate[TN_GATE_NAME_MAX + 1];
	char input[TN_SCAN_INPUT_MAX + 1];   /* invalid: what was read */
};

/* Frees what c owns and zeroes it. */
void tn_checkin_clear(struct tn_checkin *c);

/* One scan to record: in, the door and the scan read; out, its result. */
struct tn_checkin_job {
	const struct tn_door *door;
	struct tn_scan scan;
	struct tn_checkin result;            /* caller clears it */
};

/*
 * Records the n scans of jobs in one write transaction (committed
 * durably before it returns), each with its own verdict in
 * jobs[i].result. On an error nothing is recorded and every result is
 * left empty.
 */
tn_code tn_checkin_record(struct tn_db *db, struct tn_checkin_job *jobs,
			  size_t n, struct tn_err *err);

/* One scan of the line (as tn_scan_read reads it) at door d, recorded:
 * tn_scan_read and tn_checkin_record of one job. */
tn_code tn_checkin(struct tn_db *db, const struct tn_door *d, const char *line,
		   struct tn_checkin *out, struct tn_err *err);

/* The verdict object of a recorded scan, the one shape every front end
 * gives (the JSON API, `checkin --json`, `door --json`): verdict, id,
 * event, gate (null: none), at, ticket (null: none), name (null: none),
 * walkin, and for a duplicate admitted_at and admitted_gate. NULL when
 * out of memory; the caller deletes it. */
cJSON *tn_checkin_json(const struct tn_checkin *c);

/*
 * Registers and admits at door d in one transaction: the person with
 * address email (NULL: a new person without one, named name) registers
 * as a walk-in (registration.h: the source changes only if they had no
 * registration), gets a ticket, and is admitted - or, if their ticket
 * was already admitted, *out is that duplicate. name is required. A full
 * event is TN_CONFLICT about "event" (the door admits only as many as
 * there are seats), and so is a cancelled one; a bad address TN_USAGE
 * about "email"; an unknown channel TN_NOTFOUND about "channel". On
 * failure nothing is written.
 */
tn_code tn_walkin(struct tn_db *db, const struct tn_door *d, const char *name,
		  const char *email, const char *channel, struct tn_checkin *out,
		  struct tn_err *err);

/* Calls fn for each scan of the event named event, in the order they
 * were recorded. fn returns non-zero to stop. */
tn_code tn_checkin_each(struct tn_db *db, const char *event,
			int (*fn)(void *ctx, const struct tn_checkin *c),
			void *ctx, struct tn_err *err);

/* An event's door figures: admitted people, expected (valid tickets),
 * walk-ins, scans recorded, and per gate through tn_gate_each. */
struct tn_door_stats {
	int64_t admitted, expected, walkins, scans;
};
tn_code tn_door_stats(struct tn_db *db, int64_t event_id,
		      struct tn_door_stats *st, struct tn_err *err);

/* Calls fn with the number of each ticket of the event event_id that a
 * door must refuse (revoked, or its registration no longer yes), in
 * order: what a device needs besides the public key to check codes
 * offline. */
tn_code tn_door_revoked_each(struct tn_db *db, int64_t event_id,
			     int (*fn)(void *ctx, int64_t ticket_id), void *ctx,
			     struct tn_err *err);

#endif
