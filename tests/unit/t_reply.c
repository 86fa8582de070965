/*
 * t_reply.c - reading calendar replies (reply.h) from the fixtures in
 * tests/data/replies: the shapes Gmail (quoted-printable calendar part
 * and an .ics attachment), Outlook (base64, in an alternative with HTML)
 * and Thunderbird (an 8-bit windows-1251 part) send, a bare .ics, and the
 * malformed and wrong ones, each refused with its reason.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "turnout/reply.h"

static const char *top;

static char *slurp(const char *name, size_t *len)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/tests/data/replies/%s", top, name);
	return tap_slurp(path, len);
}

static void good(const char *name, enum tn_partstat want, long long seq, int has_seq,
		 const char *attendee)
{
	struct tn_reply r;
	struct tn_err err = TN_ERR_INIT;
	size_t len;
	char *data = slurp(name, &len);

	ok(data != NULL, "%s: read", name);
	if (!data)
		return;
	is_int(tn_reply_parse(data, len, &r, &err), TN_OK, "%s: read as a reply (%s)", name, err.msg);
	is_str(r.uid ? r.uid : "", "0123456789abcdef0123456789abcdef@meet.example.org", "%s: UID", name);
	is_str(r.attendee ? r.attendee : "", attendee, "%s: the attendee as written", name);
	is_int(r.partstat, want, "%s: the answer", name);
	is_int(r.sequence, seq, "%s: SEQUENCE", name);
	is_int(r.has_sequence, has_seq, "%s: whether it had one", name);
	tn_reply_clear(&r);
	free(data);
}

static void bad(const char *name, const char *why)
{
	struct tn_reply r;
	struct tn_err err = TN_ERR_INIT;
	size_t len;
	char *data = slurp(name, &len);

	ok(data != NULL, "%s: read", name);
	if (!data)
		return;
	is_int(tn_reply_parse(data, len, &r, &err), TN_BADINPUT, "%s: refused", name);
	ok(strstr(err.msg, why) != NULL, "%s: says why (%s)", name, err.msg);
	ok(r.uid == NULL && r.attendee == NULL, "%s: and holds nothing", name);
	free(data);
}

int main(void)
{
	struct tn_reply r;
	struct tn_err err = TN_ERR_INIT;

	top = getenv("TN_TOP") ? getenv("TN_TOP") : ".";
	good("gmail-accepted.eml", TN_PARTSTAT_ACCEPTED, 1, 1, "Ivan.Petrov@Example.org");
	good("outlook-tentative.eml", TN_PARTSTAT_TENTATIVE, 2, 1, "Ivan.Petrov@Example.org");
	good("thunderbird-declined.eml", TN_PARTSTAT_DECLINED, 3, 1, "Ivan.Petrov@Example.org");
	good("bare-accepted.ics", TN_PARTSTAT_ACCEPTED, 1, 1, "Ivan.Petrov@Example.org");
	good("no-sequence.ics", TN_PARTSTAT_ACCEPTED, 0, 0, "Ivan.Petrov@Example.org");
	bad("bad-sequence.ics", "SEQUENCE is not a whole number");
	bad("needs-action.ics", "PARTSTAT NEEDS-ACTION is no answer");
	bad("request.ics", "METHOD is REQUEST, not REPLY");
	bad("two-attendees.ics", "exactly one ATTENDEE");
	bad("truncated.ics", "not an iCalendar file");
	bad("no-calendar.eml", "no calendar part in the message");
	is_int(tn_reply_parse("", 0, &r, &err), TN_BADINPUT, "nothing at all is refused (%s)", err.msg);
	is_int(tn_reply_parse("BEGIN:VCALENDAR\0x", 17, &r, &err), TN_BADINPUT,
	       "a NUL byte is refused");
	return tap_done();
}
