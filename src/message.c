/*
 * message.c - one outbox entry's e-mail (message.h). Gathers what the
 * templates show (the event, the invitee, the organisation and fresh
 * personal links), renders the subject, text and HTML, builds the iTIP
 * calendar part and hands it all to the MIME builder.
 *
 * A batch of messages is mostly about one event, so the maker keeps the
 * last event it read (and its human-readable time) for the next message.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "turnout/buf.h"
#include "turnout/event.h"
#include "turnout/ical.h"
#include "turnout/invite.h"
#include "turnout/mail.h"
#include "turnout/message.h"
#include "turnout/qr.h"
#include "turnout/setup.h"
#include "turnout/store.h"
#include "turnout/templates.h"
#include "turnout/text.h"
#include "turnout/ticket.h"

#define TICKET_QR_SCALE 4                  /* pixels per module in the e-mail */
#define TICKET_QR_CID "ticket-qr@turnout"  /* what ticket.html's <img> shows */

struct tn_message_maker {
	struct tn_db *db;
	struct tn_settings set;
	struct tn_templates *tpl;
	struct tn_buf sender;          /* from, normalised */
	int64_t event_id;              /* of ev; 0: none read yet */
	struct tn_event ev;
	struct tn_buf when, event_url;
	struct tn_buf subject, text, html, rsvp_url, unsub_url, seq, name;
	struct tn_buf ticket_url, qr;
};

static tn_code nomem(struct tn_err *err)
{
	return tn_err_set(err, TN_NOMEM, "out of memory");
}

tn_code tn_message_maker_open(struct tn_db *db, const char *templates_dir,
			      struct tn_message_maker **out, struct tn_err *err)
{
	struct tn_message_maker *mk;
	tn_code rc;

	*out = NULL;
	if (!(mk = calloc(1, sizeof(*mk))))
		return nomem(err);
	mk->db = db;
	rc = tn_settings_load(db, &mk->set, err);
	if (rc == TN_OK && !mk->set.from) {
		rc = tn_err_field(err, TN_USAGE, "from", "messages need the organiser's "
				  "address to come from, and none is set");
		tn_err_next(err, TN_NEXT_CONFIG);
	}
	if (rc == TN_OK)
		rc = tn_email_normalize(mk->set.from, &mk->sender, err);
	if (rc == TN_OK)
		rc = tn_templates_load(tn_templates_dir(&mk->set, templates_dir), &mk->tpl, err);
	if (rc != TN_OK) {
		tn_message_maker_close(mk);
		return rc;
	}
	*out = mk;
	return TN_OK;
}

void tn_message_maker_close(struct tn_message_maker *mk)
{
	size_t i;

	if (!mk)
		return;
	struct tn_buf *bufs[] = {
		&mk->sender, &mk->when, &mk->event_url, &mk->subject, &mk->text,
		&mk->html, &mk->rsvp_url, &mk->unsub_url, &mk->seq, &mk->name,
		&mk->ticket_url, &mk->qr,
	};

	for (i = 0; i < sizeof(bufs) / sizeof(bufs[0]); i++)
		tn_buf_free(bufs[i]);
	if (mk->event_id)
		tn_event_clear(&mk->ev);
	tn_templates_free(mk->tpl);
	tn_settings_clear(&mk->set);
	free(mk);
}

const char *tn_message_sender(const struct tn_message_maker *mk)
{
	return mk->sender.data;
}

/* Reads the event (unless it is the one read last). */
static tn_code load_event(struct tn_message_maker *mk, int64_t event_id,
			  struct tn_err *err)
{
	char id[24];
	tn_code rc;

	if (mk->event_id == event_id)
		return TN_OK;
	if (mk->event_id)
		tn_event_clear(&mk->ev);
	mk->event_id = 0;
	snprintf(id, sizeof(id), "%" PRId64, event_id);
	if ((rc = tn_event_find(mk->db, id, &mk->ev, err)) != TN_OK)
		return rc;
	mk->event_id = event_id;
	mk->event_url.len = 0;
	if (tn_event_when(&mk->ev, &mk->when) != TN_OK ||
	    tn_buf_addf(&mk->event_url, "%s/e/%s.ics", mk->set.base_url, mk->ev.slug) != TN_OK)
		return nomem(err);
	return TN_OK;
}

struct invitation {
	int64_t event_id;
	struct tn_buf *name;
};

static tn_code invitation_row(void *vctx, sqlite3_stmt *row, struct tn_err *err)
{
	struct invitation *inv = vctx;
	const char *name = tn_db_text(row, 1);

	inv->event_id = sqlite3_column_int64(row, 0);
	/* a name from an export may hold a line break: headers, the
	 * calendar's CN and a greeting want it on one line */
	if (tn_text_one_line(name ? name : "", inv->name) != TN_OK)
		return nomem(err);
	return TN_OK;
}

/* A new token of kind for the invitation, as base_url/path/TOKEN. */
static tn_code token_url(struct tn_message_maker *mk, int64_t invitation_id,
			 enum tn_token_kind kind, const char *path,
			 struct tn_buf *url, struct tn_err *err)
{
	char token[TN_INVITE_TOKEN_LEN + 1];
	tn_code rc;

	url->len = 0;
	if ((rc = tn_invite_token_new(mk->db, invitation_id, kind, token, err)) != TN_OK)
		return rc;
	if (tn_buf_addf(url, "%s/%s/%s", mk->set.base_url, path, token) != TN_OK)
		return nomem(err);
	return TN_OK;
}

/* Renders kind.part into out. */
static tn_code render(struct tn_message_maker *mk, const char *kind, const char *part,
		      const char *const *values, struct tn_buf *out, struct tn_err *err)
{
	const struct tn_template *t = tn_templates_get(mk->tpl, kind, part);

	out->len = 0;
	if (!t)
		return tn_err_set(err, TN_FAIL, "no template %s.%s", kind, part);
	if (tn_buf_add(out, "") != TN_OK)
		return nomem(err);
	return tn_template_render_values(t, values, out, err);
}

/* "t<invitation>.<sequence><kind letter>.<the event UID's own part>@<its
 * host>": unique, stable, and naming no one. */
static tn_code make_message_id(const struct tn_message_maker *mk,
			       const struct tn_outbox_msg *msg, char **out,
			       struct tn_err *err)
{
	struct tn_buf b = TN_BUF_INIT;
	const char *uid = mk->ev.uid, *at = strchr(uid, '@');

	if (tn_buf_addf(&b, "t%" PRId64 ".%" PRId64 "%c.%.*s@%s", msg->invitation_id,
			msg->sequence, tn_msg_kind_name(msg->kind)[0],
			at ? (int)(at - uid) : (int)strlen(uid), uid,
			at ? at + 1 : "turnout.invalid") != TN_OK) {
		tn_buf_free(&b);
		return nomem(err);
	}
	*out = b.data;
	return TN_OK;
}

/* The values every kind shows of the event and the organisation. */
static void event_values(const struct tn_message_maker *mk, const char **values)
{
	tn_templates_event_values(values, mk->set.org, &mk->ev, mk->when.data,
				  mk->event_url.data);
}

/*
 * A ticket e-mail: the templates of kind "ticket", the QR code of the
 * ticket's code as an inline PNG the HTML shows by cid:, and a fresh
 * token for the ticket page. No calendar part and no unsubscribe link:
 * it answers the holder's own registration. The Message-ID names the
 * outbox row, since one ticket may be mailed more than once.
 */
static tn_code make_ticket(struct tn_message_maker *mk, struct tn_outbox_msg *msg,
			   struct tn_err *err)
{
	const char *values[TN_TV_COUNT];
	char token[TN_TICKET_TOKEN_LEN + 1], id[24];
	struct tn_ticket t;
	struct tn_mail m;
	struct tn_buf body = TN_BUF_INIT, mid = TN_BUF_INIT;
	const char *uid, *at;
	tn_code rc;

	snprintf(id, sizeof(id), "%" PRId64, msg->ticket_id);
	if ((rc = tn_ticket_find(mk->db, id, &t, err)) != TN_OK)
		return rc == TN_NOTFOUND ? tn_err_set(err, TN_FAIL, "ticket %s: gone", id) : rc;
	rc = load_event(mk, t.event_id, err);
	if (rc == TN_OK && t.state == TN_TICKET_REVOKED)
		rc = tn_err_set(err, TN_FAIL, "ticket %s: revoked", id);
	if (rc == TN_OK)
		rc = tn_ticket_token_new(mk->db, t.id, token, err);
	mk->ticket_url.len = 0;
	mk->name.len = 0;
	if (rc == TN_OK &&
	    (tn_buf_addf(&mk->ticket_url, "%s/t/%s", mk->set.base_url, token) != TN_OK ||
	     tn_text_one_line(t.holder ? t.holder : "", &mk->name) != TN_OK))
		rc = nomem(err);
	mk->qr.len = 0;
	if (rc == TN_OK)
		rc = tn_qr_png(t.code, TICKET_QR_SCALE, &mk->qr, err);
	if (rc == TN_OK) {
		event_values(mk, values);
		values[TN_TV_NAME] = mk->name.data;
		values[TN_TV_EMAIL] = msg->rcpt;
		values[TN_TV_TICKET_CODE] = t.code;
		values[TN_TV_TICKET_URL] = mk->ticket_url.data;
		if ((rc = render(mk, "ticket", "subject", values, &mk->subject, err)) == TN_OK &&
		    (rc = render(mk, "ticket", "txt", values, &mk->text, err)) == TN_OK)
			rc = render(mk, "ticket", "html", values, &mk->html, err);
	}
	uid = mk->ev.uid;
	at = strchr(uid, '@');
	if (rc == TN_OK &&
	    tn_buf_addf(&mid, "k%" PRId64 ".%" PRId64 "t.%.*s@%s", msg->id, t.id,
			at ? (int)(at - uid) : (int)strlen(uid), uid,
			at ? at + 1 : "turnout.invalid") != TN_OK)
		rc = nomem(err);
	if (rc == TN_OK) {
		memset(&m, 0, sizeof(m));
		m.from_name = mk->set.org;
		m.from_addr = mk->sender.data;
		m.to_name = mk->name.data;
		m.to_addr = msg->rcpt;
		m.subject = mk->subject.data;
		m.text = mk->text.data;
		m.html = mk->html.data;
		m.message_id = mid.data;
		m.date = (long long)time(NULL);
		m.image = (const unsigned char *)mk->qr.data;
		m.image_len = mk->qr.len;
		m.image_type = "image/png";
		m.image_cid = TICKET_QR_CID;
		m.image_name = "ticket.png";
		rc = tn_mail_build(&m, &body, err);
	}
	tn_ticket_clear(&t);
	if (rc != TN_OK) {
		tn_buf_free(&mid);
		tn_buf_free(&body);
		return rc;
	}
	msg->message_id = mid.data;
	msg->body = body.data;
	msg->len = body.len;
	return TN_OK;
}

tn_code tn_message_make(void *vmk, struct tn_outbox_msg *msg, struct tn_err *err)
{
	struct tn_message_maker *mk = vmk;
	struct invitation inv = { 0, &mk->name };
	const char *values[TN_TV_COUNT], *kind = tn_msg_kind_name(msg->kind);
	struct tn_ical_org org = { mk->set.org, mk->sender.data, mk->set.base_url };
	struct tn_ical_attendee att;
	struct tn_ical_event ie;
	struct tn_mail m;
	struct tn_buf body = TN_BUF_INIT;
	char *ical = NULL;
	int request = msg->kind != TN_MSG_CANCEL;
	tn_code rc;

	if (msg->kind == TN_MSG_TICKET)
		return make_ticket(mk, msg, err);
	rc = tn_db_one(mk->db, err, invitation_row, &inv,
		       "SELECT i.event_id, p.name FROM invitation i"
		       " JOIN person p ON p.id = i.person_id WHERE i.id = ?1",
		       TN_I(msg->invitation_id));
	if (rc == TN_NOTFOUND)
		return tn_err_set(err, TN_FAIL, "invitation %" PRId64 ": gone",
				  msg->invitation_id);
	if (rc == TN_OK)
		rc = load_event(mk, inv.event_id, err);
	if (rc == TN_OK && request)
		rc = token_url(mk, msg->invitation_id, TN_TOKEN_RSVP, "rsvp", &mk->rsvp_url, err);
	if (rc == TN_OK)
		rc = token_url(mk, msg->invitation_id, TN_TOKEN_UNSUBSCRIBE, "u",
			       &mk->unsub_url, err);
	if (rc != TN_OK)
		return rc;
	mk->seq.len = 0;
	if (tn_buf_addf(&mk->seq, "%" PRId64, msg->sequence) != TN_OK)
		return nomem(err);

	event_values(mk, values);
	values[TN_TV_NAME] = mk->name.data;
	values[TN_TV_EMAIL] = msg->rcpt;
	values[TN_TV_RSVP_URL] = request ? mk->rsvp_url.data : NULL;
	values[TN_TV_UNSUBSCRIBE_URL] = mk->unsub_url.data;
	values[TN_TV_SEQUENCE] = mk->seq.data;
	if ((rc = render(mk, kind, "subject", values, &mk->subject, err)) != TN_OK ||
	    (rc = render(mk, kind, "txt", values, &mk->text, err)) != TN_OK ||
	    (rc = render(mk, kind, "html", values, &mk->html, err)) != TN_OK)
		return rc;

	/* the event as it is now, at the sequence the message was queued for */
	tn_event_ical(&mk->ev, &ie);
	ie.sequence = msg->sequence;
	att.email = msg->rcpt;
	att.name = mk->name.data;
	att.rsvp_url = request ? mk->rsvp_url.data : NULL;
	rc = tn_ical_itip(&ie, &org, &att, request ? TN_ITIP_REQUEST : TN_ITIP_CANCEL,
			  &ical, err);
	if (rc == TN_OK)
		rc = make_message_id(mk, msg, &msg->message_id, err);
	if (rc == TN_OK) {
		memset(&m, 0, sizeof(m));
		m.from_name = mk->set.org;
		m.from_addr = mk->sender.data;
		m.to_name = mk->name.data;
		m.to_addr = msg->rcpt;
		m.subject = mk->subject.data;
		m.text = mk->text.data;
		m.html = mk->html.data;
		m.ical = ical;
		m.ical_method = request ? "REQUEST" : "CANCEL";
		m.message_id = msg->message_id;
		m.unsubscribe_url = mk->unsub_url.data;
		m.date = (long long)time(NULL);
		rc = tn_mail_build(&m, &body, err);
	}
	free(ical);
	if (rc != TN_OK) {
		free(msg->message_id);
		msg->message_id = NULL;
		tn_buf_free(&body);
		return rc;
	}
	msg->body = body.data;
	msg->len = body.len;
	return TN_OK;
}
