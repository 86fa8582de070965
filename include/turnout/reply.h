/*
 * reply.h - reading a calendar's answer to an invitation: an iTIP REPLY
 * (RFC 5546 3.2.3), given as a bare .ics or inside a whole e-mail as
 * Gmail, Outlook, Apple Calendar and Thunderbird send it. Bytes in, the
 * answer out; matching it to an invitation is the caller's.
 */
#ifndef TURNOUT_REPLY_H
#define TURNOUT_REPLY_H

#include <stddef.h>

#include "turnout/err.h"

enum tn_partstat {
	TN_PARTSTAT_ACCEPTED,    /* yes */
	TN_PARTSTAT_TENTATIVE,   /* maybe */
	TN_PARTSTAT_DECLINED,    /* no */
};

struct tn_reply {
	char *uid;               /* the event's UID */
	char *attendee;          /* the address after "mailto:", as written */
	enum tn_partstat partstat;
	long long sequence;      /* the SEQUENCE the answer is about */
	int has_sequence;        /* 0: the reply had none (read as 0) */
};

/*
 * Reads a REPLY from data[0..len). A text that starts with BEGIN:VCALENDAR
 * (after blanks or a byte-order mark) is the calendar itself; anything
 * else is read as an e-mail with GMime: the MIME tree is walked to the
 * text/calendar part with method=REPLY (else any text/calendar part, else
 * an application/ics attachment), decoded from base64 or
 * quoted-printable and converted from its charset to UTF-8. The calendar
 * must parse without errors (libical), say METHOD:REPLY, and hold a
 * VEVENT with a UID and exactly one ATTENDEE whose PARTSTAT is ACCEPTED,
 * TENTATIVE or DECLINED; SEQUENCE, when present, must be a whole number.
 * TN_BADINPUT with the reason otherwise ("no calendar part in the
 * message", "METHOD is REQUEST, not REPLY", "PARTSTAT NEEDS-ACTION is no
 * answer"). On success *out holds malloc'd strings (tn_reply_clear).
 */
tn_code tn_reply_parse(const char *data, size_t len, struct tn_reply *out,
		       struct tn_err *err);
void tn_reply_clear(struct tn_reply *r);

#endif
