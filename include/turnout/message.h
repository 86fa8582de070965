/*
 * message.h - the e-mail of one outbox entry (outbox.h): an invitation,
 * an update or a cancellation, made for one invitee from the event as it
 * now is, the settings, the templates (templates.h), the iTIP calendar
 * part (ical.h) and the MIME message (mail.h).
 *
 * Each message carries fresh personal links: a REQUEST a new RSVP token
 * and every message a new unsubscribe token (invite.h stores their
 * hashes), so an update reaches the invitee with links that work though
 * the tokens of earlier messages are not known any more.
 */
#ifndef TURNOUT_MESSAGE_H
#define TURNOUT_MESSAGE_H

#include "turnout/db.h"
#include "turnout/err.h"
#include "turnout/outbox.h"

struct tn_message_maker;

/* Gets ready to make messages: reads the settings (a from address is
 * required: TN_USAGE about field "from", with the next step to set it)
 * and loads the templates from templates_dir (a --templates flag; NULL:
 * the setting, else the built-ins; tn_templates_dir). Nothing is
 * written. *out is freed with tn_message_maker_close. */
tn_code tn_message_maker_open(struct tn_db *db, const char *templates_dir,
			      struct tn_message_maker **out, struct tn_err *err);
void tn_message_maker_close(struct tn_message_maker *mk);

/* The envelope sender every message of mk goes out from (the from
 * setting, domain as its A-label). */
const char *tn_message_sender(const struct tn_message_maker *mk);

/* Makes msg (its invitation, kind, sequence and rcpt set): fills
 * msg->body, msg->len and msg->message_id, and stores the hashes of the
 * new tokens, inside the caller's transaction. The Message-ID depends
 * only on the invitation, the sequence and the kind, so the same
 * message made again would carry the same one. A tn_outbox_make_fn (ctx
 * is the maker). */
tn_code tn_message_make(void *mk, struct tn_outbox_msg *msg, struct tn_err *err);

#endif
