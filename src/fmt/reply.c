/*
 * reply.c - calendar replies (reply.h): the calendar found in a bare .ics
 * or in an e-mail (GMime walks the MIME tree and undoes the transfer
 * encoding and the charset), then read with libical and checked, since
 * libical accepts much it should not (NOTES: SEQUENCE:abc reads as 0, an
 * unknown PARTSTAT as X, errors only as X-LIC-ERROR properties).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gmime/gmime.h>
#include <libical/ical.h>

#include "turnout/mail.h"
#include "turnout/reply.h"

#define MAX_REPLY (4 * 1024 * 1024)

void tn_reply_clear(struct tn_reply *r)
{
	free(r->uid);
	free(r->attendee);
	memset(r, 0, sizeof(*r));
}

/* 1 if data (after blanks and a UTF-8 byte-order mark) starts a calendar. */
static int is_calendar(const char *data, size_t len)
{
	size_t i = 0;

	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	while (i < len && isspace((unsigned char)data[i]))
		i++;
	return len - i >= 15 && strncasecmp(data + i, "BEGIN:VCALENDAR", 15) == 0;
}

/* The best calendar part found so far while walking the tree. */
struct walk {
	GMimeObject *best;
	int rank;   /* 3: text/calendar method=REPLY, 2: text/calendar, 1: .ics */
};

static void visit(GMimeObject *parent, GMimeObject *part, gpointer data)
{
	struct walk *w = data;
	GMimeContentType *ct = g_mime_object_get_content_type(part);
	const char *method;
	int rank = 0;

	(void)parent;
	if (!GMIME_IS_PART(part))
		return;
	if (g_mime_content_type_is_type(ct, "text", "calendar")) {
		method = g_mime_content_type_get_parameter(ct, "method");
		rank = method && strcasecmp(method, "REPLY") == 0 ? 3 : 2;
	} else if (g_mime_content_type_is_type(ct, "application", "ics")) {
		rank = 1;
	}
	if (rank > w->rank) {
		w->best = part;
		w->rank = rank;
	}
}

/* The decoded bytes of part, converted to UTF-8 for a text part. */
static char *part_text(GMimeObject *part)
{
	GMimeDataWrapper *content;
	GMimeStream *mem;
	GByteArray *bytes;
	char *text;

	if (GMIME_IS_TEXT_PART(part))
		return g_mime_text_part_get_text(GMIME_TEXT_PART(part));
	if (!(content = g_mime_part_get_content(GMIME_PART(part))))
		return NULL;
	mem = g_mime_stream_mem_new();
	g_mime_data_wrapper_write_to_stream(content, mem);
	bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	text = g_strndup((const char *)bytes->data, bytes->len);
	g_object_unref(mem);
	return text;
}

/* The calendar text of an e-mail (g_free it); NULL with err set. */
static char *calendar_of_message(const char *data, size_t len, struct tn_err *err)
{
	GMimeStream *stream;
	GMimeParser *parser;
	GMimeMessage *msg;
	struct walk w = { NULL, 0 };
	char *text = NULL;

	tn_mail_init();
	stream = g_mime_stream_mem_new_with_buffer(data, len);
	parser = g_mime_parser_new_with_stream(stream);
	msg = g_mime_parser_construct_message(parser, NULL);
	g_object_unref(parser);
	g_object_unref(stream);
	if (!msg) {
		tn_err_set(err, TN_BADINPUT, "neither a calendar nor an e-mail");
		return NULL;
	}
	if (GMIME_IS_PART(g_mime_message_get_mime_part(msg)))
		visit(NULL, g_mime_message_get_mime_part(msg), &w);
	else
		g_mime_message_foreach(msg, visit, &w);
	if (!w.best)
		tn_err_set(err, TN_BADINPUT, "no calendar part in the message");
	else if (!(text = part_text(w.best)))
		tn_err_set(err, TN_BADINPUT, "the calendar part cannot be read");
	g_object_unref(msg);
	return text;
}

static const char *const partstats[] = { "ACCEPTED", "TENTATIVE", "DECLINED" };

/* The raw value of the first line of ev that names property (SEQUENCE),
 * since libical reads "SEQUENCE:abc" as 0 without an error. */
static int raw_sequence(const char *text, long long *out)
{
	const char *p = text;

	while ((p = strstr(p, "SEQUENCE")) != NULL) {
		if ((p == text || p[-1] == '\n') && (p[8] == ':' || p[8] == ';')) {
			const char *v = strchr(p, ':');
			char *end;

			if (!v)
				return -1;
			v++;
			if (!isdigit((unsigned char)*v))
				return -1;
			*out = strtoll(v, &end, 10);
			while (*end == ' ' || *end == '\t')
				end++;
			return *end == '\r' || *end == '\n' || *end == '\0' ? 1 : -1;
		}
		p += 8;
	}
	return 0;
}

static tn_code read_calendar(const char *text, struct tn_reply *out, struct tn_err *err)
{
	icalcomponent *cal, *ev;
	icalproperty *att;
	icalparameter *ps;
	const char *uid, *addr;
	tn_code rc = TN_BADINPUT;
	int n, seq, i;

	cal = icalparser_parse_string(text);
	if (!cal || icalcomponent_isa(cal) != ICAL_VCALENDAR_COMPONENT) {
		tn_err_set(err, TN_BADINPUT, "not an iCalendar file");
		goto done;
	}
	if ((n = icalcomponent_count_errors(cal)) > 0) {
		tn_err_set(err, TN_BADINPUT, "the calendar has %d error%s", n, n == 1 ? "" : "s");
		goto done;
	}
	if (icalcomponent_get_method(cal) != ICAL_METHOD_REPLY) {
		icalproperty *m = icalcomponent_get_first_property(cal, ICAL_METHOD_PROPERTY);

		tn_err_set(err, TN_BADINPUT, "METHOD is %s, not REPLY: not an answer",
			   m ? icalproperty_get_value_as_string(m) : "missing");
		goto done;
	}
	if (!(ev = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT))) {
		tn_err_set(err, TN_BADINPUT, "no event in the calendar");
		goto done;
	}
	uid = icalcomponent_get_uid(ev);
	if (!uid || !*uid) {
		tn_err_set(err, TN_BADINPUT, "the event has no UID");
		goto done;
	}
	if (icalcomponent_count_properties(ev, ICAL_ATTENDEE_PROPERTY) != 1) {
		tn_err_set(err, TN_BADINPUT, "a reply names exactly one ATTENDEE (this one %d)",
			   icalcomponent_count_properties(ev, ICAL_ATTENDEE_PROPERTY));
		goto done;
	}
	att = icalcomponent_get_first_property(ev, ICAL_ATTENDEE_PROPERTY);
	addr = icalproperty_get_attendee(att);
	if (!addr || strncasecmp(addr, "mailto:", 7) != 0 || !strchr(addr + 7, '@')) {
		tn_err_set(err, TN_BADINPUT, "the ATTENDEE is not a mailto: address");
		goto done;
	}
	ps = icalproperty_get_first_parameter(att, ICAL_PARTSTAT_PARAMETER);
	out->partstat = (enum tn_partstat)-1;
	if (ps) {
		const char *v = icalparameter_get_partstat(ps) == ICAL_PARTSTAT_X
				? icalparameter_get_xvalue(ps)
				: icalparameter_enum_to_string(icalparameter_get_partstat(ps));

		for (i = 0; v && i < 3; i++)
			if (strcasecmp(v, partstats[i]) == 0)
				out->partstat = (enum tn_partstat)i;
		if ((int)out->partstat < 0) {
			tn_err_set(err, TN_BADINPUT, "PARTSTAT %s is no answer (ACCEPTED, "
				   "TENTATIVE or DECLINED)", v ? v : "?");
			goto done;
		}
	} else {
		tn_err_set(err, TN_BADINPUT, "the ATTENDEE has no PARTSTAT");
		goto done;
	}
	seq = raw_sequence(text, &out->sequence);
	if (seq < 0) {
		tn_err_set(err, TN_BADINPUT, "SEQUENCE is not a whole number");
		goto done;
	}
	out->has_sequence = seq > 0;
	out->uid = strdup(uid);
	out->attendee = strdup(addr + 7);
	rc = out->uid && out->attendee ? TN_OK : tn_err_set(err, TN_NOMEM, "out of memory");
done:
	if (cal)
		icalcomponent_free(cal);
	return rc;
}

tn_code tn_reply_parse(const char *data, size_t len, struct tn_reply *out,
		       struct tn_err *err)
{
	char *text, *owned = NULL;
	tn_code rc;

	memset(out, 0, sizeof(*out));
	if (len > MAX_REPLY)
		return tn_err_set(err, TN_BADINPUT, "too large for a calendar reply (%zu bytes)",
				  len);
	if (memchr(data, '\0', len))
		return tn_err_set(err, TN_BADINPUT, "a NUL byte: not text");
	if (is_calendar(data, len)) {
		if (!(text = owned = strndup(data, len)))
			return tn_err_set(err, TN_NOMEM, "out of memory");
	} else {
		if (!(text = calendar_of_message(data, len, err)))
			return TN_BADINPUT;
	}
	rc = read_calendar(text, out, err);
	if (owned)
		free(owned);
	else
		g_free(text);
	if (rc != TN_OK)
		tn_reply_clear(out);
	return rc;
}
