/*
 * mail.h - one e-mail (an invitation, an update, a cancellation) as the
 * complete RFC 5322 message that SMTP carries, built with GMime 3.
 *
 * The message is 7-bit (bodies base64 or quoted-printable, headers RFC
 * 2047-encoded in utf-8), has CRLF line ends and no line longer than 998
 * octets, so any SMTP server takes it as it is and the bytes can be stored
 * and sent again unchanged. GMime and glib types stay inside mail.c.
 */
#ifndef TURNOUT_MAIL_H
#define TURNOUT_MAIL_H

#include "turnout/buf.h"
#include "turnout/err.h"

/* What one message says. Strings are borrowed UTF-8; NULL where allowed. */
struct tn_mail {
	const char *from_name;        /* organisation; NULL or "": none */
	const char *from_addr;        /* organiser's address */
	const char *to_name;          /* invitee's display name; NULL or "": none */
	const char *to_addr;          /* invitee's address */
	const char *subject;          /* one line */
	const char *text;             /* the text/plain body */
	const char *html;             /* the text/html body; NULL: none */
	const char *ical;             /* the text/calendar body (tn_ical_itip);
	                               * NULL: a mail without a calendar */
	const char *ical_method;      /* its iTIP method, "REQUEST" or "CANCEL"
	                               * (Content-Type method=); needed with ical */
	const char *message_id;       /* without <>, e.g. "inv-12-3.abc@example.org" */
	const char *unsubscribe_url;  /* http(s) URL for List-Unsubscribe; NULL: none */
	long long date;               /* Unix time for the Date header (shown in UTC) */
	/* an inline image the HTML shows as <img src="cid:IMAGE_CID">;
	 * NULL image: none. Needs html. */
	const unsigned char *image;   /* its bytes */
	size_t image_len;
	const char *image_type;       /* "image/png" */
	const char *image_cid;        /* Content-ID without <>: "ticket-qr@turnout" */
	const char *image_name;       /* its file name; NULL: none */
};

/*
 * Writes the whole message m into out, replacing what out held:
 *
 *   multipart/mixed
 *     multipart/alternative
 *       text/plain; charset=utf-8
 *       text/html; charset=utf-8                     (when html is given)
 *       text/calendar; charset=utf-8; method=METHOD
 *     application/ics; name=invite.ics               (attachment, filename=invite.ics)
 *
 * With an image, the text/html part becomes
 *
 *       multipart/related; type="text/html"
 *         text/html; charset=utf-8
 *         IMAGE_TYPE (inline, Content-ID <image_cid>, base64)
 *
 * With no ical, the message is the multipart/alternative alone (and just
 * the text/plain part when html is NULL too). Headers: Date, From
 * ("from_name" <from_addr>), To, Subject, Message-ID <message_id>,
 * MIME-Version, and with unsubscribe_url List-Unsubscribe: <url> plus, for
 * an https URL, List-Unsubscribe-Post: List-Unsubscribe=One-Click (RFC
 * 8058 allows one-click only over https). Display names and the subject
 * are RFC 2047-encoded in utf-8 wherever they need it, and arrive exactly
 * as given, even one containing a literal "=?utf-8?q?x?=". Bodies are
 * given CRLF line ends (the canonical form of text, RFC 2046 4.1.1)
 * before they are encoded. Addresses are normalised as tn_email_normalize
 * does (an international domain as its A-label).
 *
 * Errors: TN_USAGE with err->field naming the member ("subject", "text",
 * "message_id", ...) for a missing or malformed value: a subject or name
 * with a line break or control character, text that is not UTF-8, an
 * unknown ical_method, a Message-ID that is not id-left@id-right, a URL
 * that is not http(s). TN_BADINPUT for an address that is not one, or
 * whose local part goes beyond ASCII (that needs SMTPUTF8, RFC 6531, and
 * this message is 7-bit). On failure out is empty. glib aborts the
 * process when memory runs out, so TN_NOMEM comes only from out itself.
 * Thread-safe: GMime is initialised once per process on first use.
 */
tn_code tn_mail_build(const struct tn_mail *m, struct tn_buf *out, struct tn_err *err);

/* Starts GMime, once per process (thread-safe); for every module that
 * uses it (the calendar replies' reader too). */
void tn_mail_init(void);

#endif
